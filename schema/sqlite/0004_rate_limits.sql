-- Request rate limits (groundwork of the geocoding issue; slowapi's
-- limiter in the FastAPI service): one row per limited key, shared by every
-- process through this table (src/common/ratelimit.c).  The algorithm is
-- GCRA, the generic cell rate algorithm: tat_us is the key's theoretical
-- arrival time in Unix microseconds, the moment the bucket would be empty
-- again at the sustained rate.  One UPSERT per request decides and records
-- atomically.  A row whose tat_us has passed means the same as no row, so
-- such rows are deleted now and then as requests are recorded.

-- migrate:up
CREATE TABLE rate_limits (
	key		TEXT NOT NULL PRIMARY KEY,
	tat_us		INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ix_rate_limits_tat ON rate_limits (tat_us);

-- migrate:down
DROP INDEX IF EXISTS ix_rate_limits_tat;
DROP TABLE IF EXISTS rate_limits;
