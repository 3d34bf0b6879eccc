-- Maintenance that read a growing table whole, now reading only the rows it asks about (measured on a store of
-- 1,000,000 accounts, 4,000,000 events, 20,000 live registration drafts; python3's sqlite3, one query each).
--
-- Every purge asks whether an event that leaves deleted data in the file (`AccountStore.rebuildingKinds`, in that
-- order: a query can use a partial index only when its own `IN` list is the same) came after those the last rebuild
-- covered, and which event that rebuild was. Both walked every event since the last rebuild (every sign-in adds one):
-- a purge with nothing to do took 3.8 s at 4,000,000 events, and grew by about 1 s a million; 0.1 ms with these.
CREATE INDEX account_events_rebuilding ON account_events (id)
WHERE kind IN ('deleted', 'unlinked', 'email_changed', 'email_change_undone');

CREATE INDEX account_events_file_rebuilt ON account_events (id) WHERE kind = 'file_rebuilt';

-- The normalised mailbox of the address a registration draft's Twitter profile offers (`AccountMatching`'s
-- `Mailbox.normalize`, by the rules of `offered_rules_version`), written as the draft is saved: deleting an account
-- with a confirmed address finds the drafts offered to it by this, where it read and parsed the profile of every
-- live draft inside the write lock (1.9 to 2.4 s with 20,000 drafts). Drafts saved before this migration have neither
-- (SQL cannot normalise a mailbox as AccountMatching does): the deletion reads those, and drafts saved under other
-- rules, by their profiles as before, through the same index; they expire with their drafts (an hour by default).
ALTER TABLE registration_drafts ADD COLUMN offered_mailbox TEXT;

ALTER TABLE registration_drafts ADD COLUMN offered_rules_version INTEGER;

CREATE INDEX registration_drafts_offered ON registration_drafts (offered_rules_version, offered_mailbox)
WHERE link_user_id IS NULL;

-- The accounts whose address has a character outside printable ASCII, by username: the only ones whose address
-- today's rules may refuse, which `accounts migrate` and `accounts reindex` name on every run. That read every
-- account: 4.4 s at 1,000,000 accounts, none of them such; a read of only those with this index.
CREATE INDEX users_email_not_ascii ON users (username) WHERE email GLOB '*[^ -~]*';
