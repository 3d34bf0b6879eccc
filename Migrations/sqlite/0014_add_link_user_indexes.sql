-- The pending Twitter authorizations and registration drafts made to link to an account, found by that account: what
-- deleting it (its counts, and the cascade) reads. Without these, each deletion scanned both tables whole inside the
-- write lock: 50 ms with 100,000 pending authorizations (the cap, which anyone can fill by pressing "Log in with
-- Twitter") and 20,000 drafts, under 1 ms with these. Most rows link to no one, so only those that do are indexed.
CREATE INDEX pending_authorizations_link_user ON pending_authorizations (link_user_id) WHERE link_user_id IS NOT NULL;
CREATE INDEX registration_drafts_link_user ON registration_drafts (link_user_id) WHERE link_user_id IS NOT NULL;
