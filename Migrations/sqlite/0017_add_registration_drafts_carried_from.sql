-- Where a "sign in to link" carried a draft from: the SHA-256 of the visitor session the draft was bound to and of the
-- account that signed in (never either itself). A second sign-in sent with the first (a double click), from the same
-- visitor session and to the same account, finds the draft already carried to the first's new session: with this it
-- carries it on to its own, so whichever answer the browser keeps holds the draft. NULL: never carried.
ALTER TABLE registration_drafts ADD COLUMN carried_from TEXT;
