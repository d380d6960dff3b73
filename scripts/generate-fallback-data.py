#!/usr/bin/env python3
"""Generate Lineup's demo fallback data (catalog + per-country popularity lists).

The server loads these files at start and serves from them when no personalised
candidates are available. The data is synthetic but shaped like the real thing:
creators with a main category, ~20% new creators, per-country taste, Zipf-like
popularity. Output is fully deterministic (fixed seed, fixed dates, never the
current time), so running the script twice produces byte-identical files.

Files written (see fallback-data/README.md for the format):

    <out>/catalog.csv               item_id,creator_id,category,created_at,new_creator
    <out>/popularity/<CC>.csv       item_id,score   (one per country)
    <out>/popularity/global.csv     item_id,score   (last rung of the fallback)

README.md in <out> is never touched; every other *.csv in popularity/ is removed
first so the folder always matches one run of this script.

Usage:
    python3 scripts/generate-fallback-data.py [--out DIR]

Standard library only; Python 3.11+.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261123

CATEGORIES = [
    "music", "gaming", "dance", "comedy", "sports", "beauty",
    "food", "education", "talk", "travel", "fitness", "pets",
]

# Each country favours 2-3 categories, so its list differs from its neighbours'.
COUNTRY_FAVOURITES = {
    "US": ["comedy", "sports", "gaming"],
    "BR": ["sports", "music", "dance"],
    "MX": ["music", "comedy", "food"],
    "IN": ["music", "education", "comedy"],
    "ID": ["music", "beauty", "food"],
    "JP": ["gaming", "pets"],
    "KR": ["beauty", "dance", "music"],
    "DE": ["sports", "fitness", "gaming"],
    "FR": ["food", "beauty", "travel"],
    "GB": ["comedy", "talk"],
    "ES": ["sports", "travel", "food"],
    "IT": ["food", "travel"],
    "TR": ["talk", "music", "food"],
    "PH": ["dance", "music", "beauty"],
    "VN": ["gaming", "food", "beauty"],
    "TH": ["travel", "pets", "food"],
    "NG": ["music", "comedy", "dance"],
    "EG": ["talk", "education", "comedy"],
    "SA": ["gaming", "talk"],
    "AR": ["sports", "music", "talk"],
}

N_ITEMS = 5000
N_CREATORS = 1200
NEW_CREATOR_SHARE = 0.20
MAIN_CATEGORY_SHARE = 0.75      # share of a creator's items in their main category
COUNTRY_LIST_LEN = 300
GLOBAL_LIST_LEN = 500
MIN_NEW_PER_LIST = 10           # new-creator items guaranteed in every list

# All timestamps fall inside this window (UTC, both ends inclusive).
WINDOW_START = datetime(2026, 6, 1, 0, 0, 0, tzinfo=timezone.utc)
WINDOW_END = datetime(2026, 11, 15, 23, 59, 59, tzinfo=timezone.utc)
# New creators joined recently: their items are all from this date on.
NEW_CREATOR_SINCE = datetime(2026, 10, 1, 0, 0, 0, tzinfo=timezone.utc)


@dataclass
class Creator:
    creator_id: str
    main_category: str
    is_new: bool


@dataclass
class Item:
    item_id: str
    creator: Creator
    category: str
    created_at: datetime
    quality: float              # latent appeal, drives every popularity list


def random_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-second instant in [start, end]."""
    span = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(span + 1))


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_creators(rng: random.Random) -> list[Creator]:
    new_ids = set(rng.sample(range(N_CREATORS), round(N_CREATORS * NEW_CREATOR_SHARE)))
    return [
        Creator(f"cr-{i + 1:04d}", rng.choice(CATEGORIES), i in new_ids)
        for i in range(N_CREATORS)
    ]


def items_per_creator(rng: random.Random, creators: list[Creator]) -> list[int]:
    """Every creator gets at least one item; the rest go to a heavy-tailed few.

    New creators have posted little (1-3 items); established creators share the
    remainder in proportion to a Pareto-distributed activity level.
    """
    counts = [rng.randint(1, 3) if c.is_new else 1 for c in creators]
    established = [i for i, c in enumerate(creators) if not c.is_new]
    activity = [rng.paretovariate(1.3) for _ in established]
    total_activity = sum(activity)
    remaining = N_ITEMS - sum(counts)
    # Largest-remainder apportionment keeps the total at exactly N_ITEMS.
    shares = [remaining * a / total_activity for a in activity]
    floors = [int(s) for s in shares]
    leftover = remaining - sum(floors)
    by_fraction = sorted(range(len(shares)), key=lambda k: (floors[k] - shares[k], k))
    for k in by_fraction[:leftover]:
        floors[k] += 1
    for idx, extra in zip(established, floors):
        counts[idx] += extra
    return counts


def make_items(rng: random.Random, creators: list[Creator]) -> list[Item]:
    drafts = []
    for creator, count in zip(creators, items_per_creator(rng, creators)):
        others = [c for c in CATEGORIES if c != creator.main_category]
        start = NEW_CREATOR_SINCE if creator.is_new else WINDOW_START
        talent = rng.lognormvariate(0.0, 0.5)       # some creators are simply better
        for _ in range(count):
            category = (creator.main_category if rng.random() < MAIN_CATEGORY_SHARE
                        else rng.choice(others))
            quality = talent * rng.lognormvariate(0.0, 0.8)
            if creator.is_new:
                quality *= 0.6                      # no audience yet
            drafts.append((random_time(rng, start, WINDOW_END), creator, category, quality))
    # Item ids are handed out in upload order, as a real id sequence would be.
    drafts.sort(key=lambda d: (d[0], d[1].creator_id))
    return [
        Item(f"it-{n:05d}", creator, category, created_at, quality)
        for n, (created_at, creator, category, quality) in enumerate(drafts, start=1)
    ]


def ranked_list(rng: random.Random, items: list[Item], favourites: list[str],
                length: int) -> list[tuple[str, str]]:
    """Top `length` items for one audience, as (item_id, score) rows.

    Items in a favoured category get a boost; per-audience noise makes lists
    differ even between countries with the same favourites. If too few
    new-creator items make the cut, the best of them replace the tail, so every
    list exposes some new creators (low in the list, but present).
    """
    def appeal(item: Item) -> float:
        boost = 3.0 if item.category in favourites else 1.0
        return item.quality * boost * rng.lognormvariate(0.0, 0.6)

    scored = sorted(((appeal(it), it) for it in items), key=lambda p: (-p[0], p[1].item_id))
    chosen = [it for _, it in scored[:length]]
    new_chosen = sum(it.creator.is_new for it in chosen)
    if new_chosen < MIN_NEW_PER_LIST:
        chosen_ids = {it.item_id for it in chosen}
        best_new = [it for _, it in scored
                    if it.creator.is_new and it.item_id not in chosen_ids]
        need = MIN_NEW_PER_LIST - new_chosen
        # Drop the lowest-ranked established items to make room.
        drop = set()
        for it in reversed(chosen):
            if len(drop) == need:
                break
            if not it.creator.is_new:
                drop.add(it.item_id)
        chosen = [it for it in chosen if it.item_id not in drop] + best_new[:need]

    # Zipf-like score by rank: 1/rank^s, so rank 1 is exactly 1.0000.
    s = 0.75 + 0.25 * rng.random()
    return [(it.item_id, f"{1.0 / rank ** s:.4f}") for rank, it in enumerate(chosen, start=1)]


def write_csv(path: Path, header: str, rows: list[tuple[str, ...]]) -> None:
    lines = [header] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "fallback-data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out,
                        help=f"output folder (default: {default_out})")
    out: Path = parser.parse_args().out

    rng = random.Random(SEED)
    creators = make_creators(rng)
    items = make_items(rng, creators)

    popularity_dir = out / "popularity"
    popularity_dir.mkdir(parents=True, exist_ok=True)
    for stale in popularity_dir.glob("*.csv"):
        stale.unlink()

    write_csv(out / "catalog.csv", "item_id,creator_id,category,created_at,new_creator", [
        (it.item_id, it.creator.creator_id, it.category, iso(it.created_at),
         "1" if it.creator.is_new else "0")
        for it in items
    ])
    # Countries in a fixed order so the random stream is consumed identically.
    for country, favourites in COUNTRY_FAVOURITES.items():
        rows = ranked_list(rng, items, favourites, COUNTRY_LIST_LEN)
        write_csv(popularity_dir / f"{country}.csv", "item_id,score", rows)
    rows = ranked_list(rng, items, [], GLOBAL_LIST_LEN)
    write_csv(popularity_dir / "global.csv", "item_id,score", rows)

    n_new = sum(c.is_new for c in creators)
    print(f"wrote {len(items)} items ({len(creators)} creators, {n_new} new) and "
          f"{len(COUNTRY_FAVOURITES)} country lists + global to {out}")


if __name__ == "__main__":
    main()
