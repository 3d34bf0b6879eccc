-- What a signed-in session runs in, as its account page lists it ("Where you're signed in"): a coarse label such as
-- "Firefox on Linux", read from the User-Agent header at sign-in (never the header itself); NULL: not known (a
-- session made before this migration, or a client whose header says nothing we recognise).
ALTER TABLE browser_sessions ADD COLUMN device TEXT CHECK (device IS NULL OR length(device) BETWEEN 1 AND 64);
