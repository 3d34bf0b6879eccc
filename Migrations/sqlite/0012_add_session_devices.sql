-- What a signed-in session runs in, as its account page lists it ("Where you're signed in"): a coarse label such as
-- "Firefox on Linux", read from the User-Agent header at sign-in (never the header itself); NULL: not known (a
-- session made before this migration, or a client whose header says nothing we recognise).
ALTER TABLE browser_sessions ADD COLUMN device TEXT CHECK (device IS NULL OR length(device) BETWEEN 1 AND 64);

-- The devices (the same labels) each account has signed in from, so that a sign-in from one it never used can be told
-- to the account's address. Rows go with the account. Times are microseconds since 1970-01-01 UTC.
CREATE TABLE account_devices (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, device)
);
