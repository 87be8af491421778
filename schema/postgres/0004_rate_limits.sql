-- PostgreSQL's form of schema/sqlite/0004_rate_limits.sql: GCRA buckets
-- (src/common/ratelimit.c), one row per key, its theoretical arrival time
-- in Unix microseconds.  One UPSERT per request decides and records; on
-- PostgreSQL INSERT ... ON CONFLICT DO UPDATE locks the row, so hosts
-- sharing the database count exactly.

-- migrate:up
CREATE TABLE rate_limits (
	key		TEXT NOT NULL PRIMARY KEY,
	tat_us		BIGINT NOT NULL
);
CREATE INDEX ix_rate_limits_tat ON rate_limits (tat_us);

-- migrate:down
DROP INDEX IF EXISTS ix_rate_limits_tat;
DROP TABLE IF EXISTS rate_limits;
