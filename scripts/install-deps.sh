#!/usr/bin/env bash
# Installs what building and testing Lineup needs and the machine lacks:
#   Debian: redis-server (integration tests), libhiredis-dev + pkg-config (the Redis client),
#           protobuf-compiler (scripts/generate-protos.sh)
#   PyPI:   grpcio, grpcio-tools, pytest (the cross-language interop test)
# Idempotent and quiet when everything is present, so `make run` / `make test` call it every time.
set -euo pipefail

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

debian_packages=(redis-server libhiredis-dev pkg-config protobuf-compiler)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}" >&2
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import grpc, grpc_tools, pytest' >/dev/null 2>&1; then
  echo "install-deps: installing grpcio, grpcio-tools, pytest from PyPI" >&2
  "$python" -m pip install --quiet --disable-pip-version-check grpcio grpcio-tools pytest
fi
