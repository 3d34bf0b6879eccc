-- Duplicate detection and reindexing.
-- Finds stored normalised mailboxes older than the matching rules quickly (`accounts migrate` checks on every run).
CREATE INDEX users_email_rules_version ON users (email_rules_version) WHERE email IS NOT NULL;
