-- The accounts table of FastAPI-Users (SQLAlchemyBaseUserTableUUID: id,
-- email, hashed_password, is_active, is_superuser, is_verified) plus the
-- Python service's own columns.  E-mails are unique without regard to case
-- (DESIGN.md "Storage"), hence the index on lower(email) rather than a
-- UNIQUE column.  Timestamps are ISO 8601 UTC text with milliseconds.

-- migrate:up
CREATE TABLE users (
	id		CHAR(36) PRIMARY KEY NOT NULL,
	email		VARCHAR(320) NOT NULL,
	hashed_password	VARCHAR(1024) NOT NULL,
	is_active	BOOLEAN NOT NULL DEFAULT 1,
	is_superuser	BOOLEAN NOT NULL DEFAULT 0,
	is_verified	BOOLEAN NOT NULL DEFAULT 0,
	first_name	VARCHAR(50),
	last_name	VARCHAR(50),
	role		VARCHAR(20) NOT NULL DEFAULT 'user',
	created_at	TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	last_login	TEXT
);
CREATE UNIQUE INDEX ix_users_email_lower ON users (lower(email));

-- migrate:down
DROP INDEX IF EXISTS ix_users_email_lower;
DROP TABLE IF EXISTS users;
