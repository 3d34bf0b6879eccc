-- The audit trail: what happened to which account, when, and by whom. Never secrets, and no foreign key, so the
-- trail outlives a deleted account (which keeps only its public id here).
CREATE TABLE account_events (
    id INTEGER PRIMARY KEY,
    subject TEXT,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    occurred_at INTEGER NOT NULL
);

CREATE INDEX account_events_subject ON account_events (subject, id);
