-- One-time links to choose a new password (LocalAccounts.requestPasswordReset), which the app mails to the account's
-- address. The link carries a random token; only its SHA-256 is kept here, so a copy of the database resets nothing.
-- A token works once and until expires_at; a new request for the account, or a reset, ends its earlier ones (their
-- expires_at is set to that time). Rows stay a day after they end, to count the requests made recently. Times are
-- microseconds since 1970-01-01 UTC.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
CREATE INDEX password_resets_expires ON password_resets (expires_at);
