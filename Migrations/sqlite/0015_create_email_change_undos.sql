-- Undoing a change of address. When a change link moves an account off a confirmed address, the notice to that old
-- address carries a link that undoes it: whoever changed it had the password (or a fresh sign-in), and a password
-- reset would now go to their address, so the old address's owner needs a way back that does not pass through it.
-- `email_change_undos` holds only the SHA-256 of each link's random token, the address it restores (`email`), the one
-- it replaced (`replaced_by`) and when the change was made. A link works once and until expires_at (seven days by
-- default); undoing a change ends the links of that change and of every later one (a greater id). While a link
-- works, its address (by `email_key`, the uniqueness key `users.email_key` holds) stays reserved for its account: no
-- other account can take it (sign-up, registration, change of address), or whoever moved the account could keep it
-- by signing the freed address up. Rows stay a day after they end. Times are microseconds since 1970-01-01 UTC.
CREATE TABLE email_change_undos (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    replaced_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE INDEX email_change_undos_user ON email_change_undos (user_id, changed_at);
CREATE INDEX email_change_undos_expires ON email_change_undos (expires_at);
CREATE INDEX email_change_undos_email_key ON email_change_undos (email_key) WHERE used_at IS NULL;
