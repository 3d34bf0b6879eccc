-- Accounts. Times are microseconds since 1970-01-01 UTC.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE CHECK (length(public_id) = 36 AND public_id = lower(public_id)),
    username TEXT NOT NULL COLLATE NOCASE UNIQUE
        CHECK (length(username) BETWEEN 1 AND 30 AND username NOT GLOB '*[^A-Za-z0-9_.-]*'
               AND username GLOB '*[A-Za-z0-9]*'),
    email TEXT COLLATE NOCASE UNIQUE CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    -- Provider-aware normalised mailbox (AccountMatching) and the version of the rules that made it.
    -- Indexed, deliberately not unique: shared mailboxes are what duplicate detection looks for.
    email_mailbox TEXT,
    email_rules_version INTEGER,
    first_name TEXT,
    last_name TEXT,
    password_hash TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_sign_in_at INTEGER,
    CHECK ((email IS NULL) = (email_mailbox IS NULL))
);

CREATE INDEX users_email_mailbox ON users (email_mailbox) WHERE email_mailbox IS NOT NULL;
CREATE INDEX users_created_at ON users (created_at, username);
