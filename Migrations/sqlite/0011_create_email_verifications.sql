-- Email verification. `users.email_verified_at` says when the person showed they read mail at the account's address
-- (a confirmation link, a password reset link, or Twitter's own verified address kept at registration); NULL: never.
-- `email_verifications` holds the links the app mails (LocalAccounts.requestEmailVerification, requestEmailChange):
-- only the SHA-256 of each link's random token, and the address the link was sent to. A `confirm` link confirms the
-- account's address while it is still `email`; a `change` link makes `email` the account's address (confirmed) while
-- the account's address is still `previous_email` (NULL: none). A link works once and until expires_at; a newer one
-- ends the earlier ones. Rows stay a day after they end, to count recent requests. Times are microseconds since
-- 1970-01-01 UTC.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

CREATE TABLE email_verifications (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('confirm', 'change')),
    email TEXT NOT NULL,
    previous_email TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE INDEX email_verifications_user ON email_verifications (user_id, created_at);
CREATE INDEX email_verifications_expires ON email_verifications (expires_at);
