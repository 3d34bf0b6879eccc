-- Email uniqueness in every script. `users.email COLLATE NOCASE UNIQUE` folds only A-Z, so `ÄNN@x.org` and
-- `änn@x.org` could both be stored. `email_key` holds the address as AccountMatching's `Mailbox.uniquenessKey` writes
-- it (canonically composed, every case variant of a letter in one form) and is unique. An ASCII address's key is its
-- ASCII lowercase, filled here; the others are filled by `accounts reindex`, which `accounts migrate` runs next (two
-- stored addresses that differ only in non-ASCII case are named there, and the later one stays without a key).
ALTER TABLE users ADD COLUMN email_key TEXT;

UPDATE users SET email_key = lower(email) WHERE email IS NOT NULL AND email NOT GLOB '*[^ -~]*';

CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key IS NOT NULL;

-- Addresses still waiting for their key (the reindex's work list; empty once it has run).
CREATE INDEX users_email_key_missing ON users (id) WHERE email IS NOT NULL AND email_key IS NULL;
