-- Failed sign-in ids are never handed out twice (AUTOINCREMENT). A sign-in that succeeds clears its login's failures
-- up to its own attempt's id; with a plain INTEGER PRIMARY KEY, SQLite gives a new row the largest id in use plus
-- one, so once another success had emptied the table a guess counted later took an id below the attempt's, and the
-- attempt's success cleared the guess. The rows are copied with their ids; the indexes are made again.
CREATE TABLE sign_in_failures_monotonic (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login_key TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);

INSERT INTO sign_in_failures_monotonic (id, login_key, failed_at)
SELECT id, login_key, failed_at FROM sign_in_failures;

DROP TABLE sign_in_failures;

ALTER TABLE sign_in_failures_monotonic RENAME TO sign_in_failures;

CREATE INDEX sign_in_failures_login ON sign_in_failures (login_key, failed_at);
CREATE INDEX sign_in_failures_failed_at ON sign_in_failures (failed_at);
