-- PostgreSQL's form of schema/sqlite/0001_users.sql (kept in step with it:
-- same numbers, names, tables, columns and indexes; test_migrate checks
-- the numbers and names).  The accounts table of FastAPI-Users plus the
-- Python service's own columns.  Booleans are BOOLEAN (db binds 0/1 and
-- reads them back as 0/1); timestamps stay ISO 8601 UTC text with
-- milliseconds, the exact form SQLite stores, so both engines answer the
-- same JSON.  E-mails are unique without regard to case through the index
-- on lower(email).

-- migrate:up
CREATE TABLE users (
	id		CHAR(36) PRIMARY KEY NOT NULL,
	email		VARCHAR(320) NOT NULL,
	hashed_password	VARCHAR(1024) NOT NULL,
	is_active	BOOLEAN NOT NULL DEFAULT TRUE,
	is_superuser	BOOLEAN NOT NULL DEFAULT FALSE,
	is_verified	BOOLEAN NOT NULL DEFAULT FALSE,
	first_name	VARCHAR(50),
	last_name	VARCHAR(50),
	role		VARCHAR(20) NOT NULL DEFAULT 'user',
	created_at	TEXT NOT NULL DEFAULT (to_char(now() AT TIME ZONE 'UTC',
			    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
	last_login	TEXT
);
CREATE UNIQUE INDEX ix_users_email_lower ON users (lower(email));

-- migrate:down
DROP INDEX IF EXISTS ix_users_email_lower;
DROP TABLE IF EXISTS users;
