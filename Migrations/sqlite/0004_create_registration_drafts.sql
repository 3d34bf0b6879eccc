-- A registration in progress: the Twitter profile and access token, kept server-side until the person completes
-- the form, links it to an account, or it expires. The access-token secret is sealed, bound to the draft id.
CREATE TABLE registration_drafts (
    id TEXT PRIMARY KEY,
    browser_session TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'link')),
    twitter_user_id TEXT NOT NULL,
    screen_name TEXT NOT NULL,
    access_token TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    key_id TEXT NOT NULL,
    profile_json BLOB NOT NULL,
    fields_json TEXT NOT NULL DEFAULT '{}',
    link_user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX registration_drafts_session ON registration_drafts (browser_session);
CREATE INDEX registration_drafts_expires ON registration_drafts (expires_at);
CREATE INDEX registration_drafts_key_id ON registration_drafts (key_id);
