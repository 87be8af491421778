-- Login throttling (issue "Account lifecycle", beyond FastAPI-Users): failed
-- logins counted per account and per client address, shared by every
-- process through this table (src/common/throttle.c).  kind 'account' keys
-- lower(username) as typed, for unknown e-mails too, so that behaviour does
-- not tell which accounts exist; kind 'address' keys REMOTE_ADDR.  A row is
-- a fixed window that opens at the first failure after the previous one
-- closed: window_start is that failure's time (Unix seconds), count the
-- failures since.  One UPSERT per failure restarts or bumps it atomically;
-- rows whose window closed are deleted as failures are recorded.

-- migrate:up
CREATE TABLE login_failures (
	kind		VARCHAR(8) NOT NULL CHECK (kind IN ('account', 'address')),
	key		TEXT NOT NULL,
	count		INTEGER NOT NULL CHECK (count >= 1),
	window_start	INTEGER NOT NULL,
	PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX ix_login_failures_window ON login_failures (window_start);

-- migrate:down
DROP INDEX IF EXISTS ix_login_failures_window;
DROP TABLE IF EXISTS login_failures;
