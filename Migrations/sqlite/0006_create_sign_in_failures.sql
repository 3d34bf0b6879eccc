-- Failed password sign-ins, for the per-login cool-down. login_key is the SHA-256 (hex) of the login identifier as
-- typed (trimmed, lowercased), whether or not an account exists for it, so the table holds no email addresses and
-- the cool-down reveals nothing about which accounts exist.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY,
    login_key TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);

CREATE INDEX sign_in_failures_login ON sign_in_failures (login_key, failed_at);
CREATE INDEX sign_in_failures_failed_at ON sign_in_failures (failed_at);
