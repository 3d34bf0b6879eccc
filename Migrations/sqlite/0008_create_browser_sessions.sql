-- Server-side browser sessions of the web layer (AccountsHummingbird). The cookie carries a random id; only its
-- SHA-256 is kept here, so a copy of the database opens no session. A session is anonymous (no user) until someone
-- signs in; signing in replaces the row with a new id. Times are microseconds since 1970-01-01 UTC.
CREATE TABLE browser_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- No request for this long ends the session (last_seen_at plus the idle lifetime).
    idle_expires_at INTEGER NOT NULL,
    -- The session ends here whatever its use (created_at plus the absolute lifetime).
    expires_at INTEGER NOT NULL
);

CREATE INDEX browser_sessions_user ON browser_sessions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX browser_sessions_idle_expires ON browser_sessions (idle_expires_at);
CREATE INDEX browser_sessions_expires ON browser_sessions (expires_at);
