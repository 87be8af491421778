-- PostgreSQL's form of schema/sqlite/0006_geocode_cache.sql: geocoding
-- answers shared by every host, until expires_at (Unix seconds).

-- migrate:up
CREATE TABLE geocode_cache (
	key		VARCHAR(1024) NOT NULL PRIMARY KEY,
	answer		TEXT NOT NULL,
	created_at	BIGINT NOT NULL,
	expires_at	BIGINT NOT NULL
);
CREATE INDEX ix_geocode_cache_expires ON geocode_cache (expires_at);

-- migrate:down
DROP INDEX IF EXISTS ix_geocode_cache_expires;
DROP TABLE IF EXISTS geocode_cache;
