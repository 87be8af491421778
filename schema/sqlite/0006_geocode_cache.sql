-- The geocoding cache (issue "Geocoding"): answers shared by every process
-- and kept across restarts, where the Python service had one dictionary
-- per process.  key is the query lower-cased and trimmed; answer the JSON
-- object the first request got (its city and timestamp included, as the
-- Python service returned them with "cached": true).  Rows past
-- expires_at are never served and are deleted as new answers are stored.

-- migrate:up
CREATE TABLE geocode_cache (
	key		VARCHAR(1024) NOT NULL PRIMARY KEY,
	answer		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
);
CREATE INDEX ix_geocode_cache_expires ON geocode_cache (expires_at);

-- migrate:down
DROP INDEX IF EXISTS ix_geocode_cache_expires;
DROP TABLE IF EXISTS geocode_cache;
