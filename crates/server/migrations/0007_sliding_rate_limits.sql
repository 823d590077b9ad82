-- Sliding-window rate limits: one row per counted attempt, so a limit holds over any span of its
-- window's length (fixed clock blocks let a burst across a block's end through twice), shared by
-- every server on the database. An attempt counts while it is younger than its window; a success
-- or a refusal takes its row back.
CREATE TABLE rate_limit_hits (
    id TEXT NOT NULL PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX rate_limit_hits_key_at ON rate_limit_hits (key, at);
CREATE INDEX rate_limit_hits_at ON rate_limit_hits (at);

-- One row per counted key, locked by each attempt while it counts and records itself, so two
-- servers cannot both admit the last attempt a window allows (PostgreSQL; SQLite has one writer).
CREATE TABLE rate_limit_keys (
    key TEXT NOT NULL PRIMARY KEY
);

-- `rate_limits` (the fixed windows) stays for servers of the previous version during a rolling
-- upgrade; nothing reads it any more.
