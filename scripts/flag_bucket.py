#!/usr/bin/env python3
"""Reference implementation of Lineup's flag bucket hash (docs/flags.md).

    python3 scripts/flag_bucket.py SALT USER_ID            # rollout bucket, 0..9999
    python3 scripts/flag_bucket.py --variant SALT USER_ID  # variant bucket, 0..9999

A user is in a flag's rollout when bucket < rollout_bps. Any service can run this (or port
its ten lines) to reproduce Lineup's assignments; the Swift tests assert the same vectors.
"""
import sys

M64 = (1 << 64) - 1

def fnv1a64(data: bytes) -> int:
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & M64
    return h

def fmix64(x: int) -> int:
    x ^= x >> 33; x = (x * 0xff51afd7ed558ccd) & M64
    x ^= x >> 33; x = (x * 0xc4ceb93e0f3d7d5d) & M64
    return x ^ (x >> 33)

def bucket(salt: str, user_id: str) -> int:
    return fmix64(fnv1a64(f"{salt}:{user_id}".encode("utf-8"))) % 10000

def variant_bucket(salt: str, user_id: str) -> int:
    return fmix64(fnv1a64(f"{salt}:variant:{user_id}".encode("utf-8"))) % 10000

if __name__ == "__main__":
    args = sys.argv[1:]
    variant = args[:1] == ["--variant"]
    if variant:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__.strip())
    print((variant_bucket if variant else bucket)(args[0], args[1]))
