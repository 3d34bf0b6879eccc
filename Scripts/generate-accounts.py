#!/usr/bin/env python3
"""Writes N synthetic accounts as Account JSON Lines (ARCHITECTURE.md), for import benchmarks and tests.

Deterministic: the same N and --seed give the same bytes. Usernames, emails and Twitter ids are unique (derived
from the line number); about half the accounts have a Twitter identity (ids above 2^53), a fifth a Django or
scrypt password hash (random bytes: valid format, no known password), some names are non-ASCII, and times mix
whole and fractional seconds and offsets.

    python3 Scripts/generate-accounts.py 1000000 --seed 1 > generated/accounts-1m.jsonl

Generated files stay out of git (`generated/` is ignored).
"""

import argparse
import base64
import json
import random
import sys

FIRST = ["Ann", "Bob", "Zoë", "José", "Ada", "山田", "Jürgen", "Åsa", "Olu", "Mei", "Chloé", "Dmitri"]
LAST = ["Smith", "Ångström", "太郎", "Lovelace", "Núñez", "O'Brien", "Kowalski", "Nguyen", "Müller", "Okafor"]
DOMAINS = ["example.org", "example.com", "gmail.com", "mail.example.net"]


def account(index, rng):
    record = {"username": f"user{index:07d}"}
    if rng.random() < 0.9:
        record["email"] = f"user{index:07d}@{rng.choice(DOMAINS)}"
    if rng.random() < 0.8:
        record["first_name"] = rng.choice(FIRST)
    if rng.random() < 0.7:
        record["last_name"] = rng.choice(LAST)
    seconds = 1_500_000_000 + index * 37 + rng.randrange(30)
    day, rest = divmod(seconds, 86_400)
    # Civil date from days since 1970 (proleptic Gregorian), to avoid datetime's cost at a million lines.
    z = day + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    hh, rest = divmod(rest, 3600)
    mm, ss = divmod(rest, 60)
    stamp = f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}"
    kind = rng.random()
    if kind < 0.5:
        stamp += "Z"
    elif kind < 0.8:
        stamp += f".{rng.randrange(1, 1_000_000):06d}Z"
    else:
        stamp += f".{rng.randrange(1000):03d}+00:00"
    record["created_at"] = stamp
    if rng.random() < 0.5:
        twitter_id = 2**53 + 1 + index * 7919
        record["twitter"] = {"id": str(twitter_id), "screen_name": f"tw_{index}", "name": rng.choice(FIRST)}
    else:
        record["twitter"] = None
    roll = rng.random()
    if roll < 0.1:
        salt = base64.b64encode(rng.randbytes(9)).decode().replace("+", "a").replace("/", "b")
        digest = base64.b64encode(rng.randbytes(32)).decode()
        record["password_hash"] = f"pbkdf2_sha256$1000000${salt}${digest}"
    elif roll < 0.2:
        salt = base64.b64encode(rng.randbytes(16)).decode()
        digest = base64.b64encode(rng.randbytes(32)).decode()
        record["password_hash"] = f"scrypt$ln=15$r=8$p=1${salt}${digest}"
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many accounts")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--output", help="write here instead of stdout")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    write = out.write
    for index in range(args.count):
        write(json.dumps(account(index, rng), ensure_ascii=False) + "\n")
    if args.output:
        out.close()


if __name__ == "__main__":
    main()
