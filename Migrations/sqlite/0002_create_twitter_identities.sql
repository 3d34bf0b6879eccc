-- A user has at most one Twitter identity; a Twitter user id belongs to at most one user.
-- Twitter ids are 64-bit and exceed 2^53: kept exact as their canonical decimal string (id_str).
CREATE TABLE twitter_identities (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    twitter_user_id TEXT NOT NULL UNIQUE
        CHECK (length(twitter_user_id) BETWEEN 1 AND 20 AND twitter_user_id NOT GLOB '*[^0-9]*'
               AND (twitter_user_id = '0' OR twitter_user_id NOT GLOB '0*')),
    screen_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    profile_json BLOB,
    linked_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

-- The access token a Twitter identity was last granted. The token secret is sealed (AES-256-GCM, bound to the
-- Twitter user id); key_id names the key that sealed it, for `accounts keys status` and `rewrap`.
CREATE TABLE twitter_credentials (
    identity_id INTEGER PRIMARY KEY REFERENCES twitter_identities (id) ON DELETE CASCADE,
    access_token TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    key_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX twitter_credentials_key_id ON twitter_credentials (key_id);
