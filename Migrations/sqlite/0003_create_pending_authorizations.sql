-- A request token handed out by Twitter, waiting for its callback. Single use, expiring, bound to the browser
-- session that started it. The request-token secret is sealed, bound to the request token.
CREATE TABLE pending_authorizations (
    id INTEGER PRIMARY KEY,
    request_token TEXT NOT NULL UNIQUE,
    sealed_secret BLOB NOT NULL,
    key_id TEXT NOT NULL,
    browser_session TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'link')),
    link_user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER
);

CREATE INDEX pending_authorizations_session ON pending_authorizations (browser_session, expires_at);
CREATE INDEX pending_authorizations_expires ON pending_authorizations (expires_at);
CREATE INDEX pending_authorizations_key_id ON pending_authorizations (key_id);
