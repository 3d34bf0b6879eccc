#!/usr/bin/env python3
"""Test-data loader: writes accounts in the JSON Lines import format straight into a migrated database.

  accounts --database /tmp/d.sqlite migrate
  python3 Scripts/load-accounts.py /tmp/d.sqlite /tmp/dups.jsonl
  accounts --database /tmp/d.sqlite reindex      # computes the normalised mailboxes with the real rules

For benchmarks and quality runs only (`accounts import` is the real way in). It does not validate: it expects the
generator's output. Normalised mailboxes are left to the Swift rules: rows are written with a placeholder mailbox
(the lowercased address) stamped with rules version 0, so `accounts reindex` (or `accounts migrate`) recomputes every
one of them.
"""
import json
import sqlite3
import sys
import uuid
from datetime import datetime, timezone


def micros(text):
    if not text:
        return int(datetime.now(timezone.utc).timestamp() * 1_000_000)
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(stamp.timestamp()) * 1_000_000 + stamp.microsecond


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: load-accounts.py DATABASE ACCOUNTS.jsonl")
    database, path = sys.argv[1], sys.argv[2]
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = OFF")
    rng_uuid = uuid.uuid4
    count = 0
    with connection, open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            created = micros(row.get("created_at"))
            email = row.get("email")
            cursor = connection.execute(
                "INSERT INTO users (public_id, username, email, email_mailbox, email_rules_version, first_name, "
                "last_name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
                (str(rng_uuid()), row["username"], email, email.strip().lower() if email else None,
                 0 if email else None, row.get("first_name"), row.get("last_name"), created, created))
            twitter = row.get("twitter")
            if twitter:
                connection.execute(
                    "INSERT INTO twitter_identities (user_id, twitter_user_id, screen_name, display_name, "
                    "profile_json, linked_at, last_seen_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                    (cursor.lastrowid, twitter["id"], twitter["screen_name"], twitter["name"], created, created))
            count += 1
    connection.close()
    print("loaded %d accounts into %s" % (count, database), file=sys.stderr)


if __name__ == "__main__":
    main()
