-- PostgreSQL's form of schema/sqlite/0003_login_failures.sql: failed
-- logins per account and per address (src/common/throttle.c).  A plain
-- table where SQLite's is WITHOUT ROWID (PostgreSQL has no rowid).

-- migrate:up
CREATE TABLE login_failures (
	kind		VARCHAR(8) NOT NULL CHECK (kind IN ('account', 'address')),
	key		TEXT NOT NULL,
	count		BIGINT NOT NULL CHECK (count >= 1),
	window_start	BIGINT NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX ix_login_failures_window ON login_failures (window_start);

-- migrate:down
DROP INDEX IF EXISTS ix_login_failures_window;
DROP TABLE IF EXISTS login_failures;
