-- PostgreSQL's form of schema/sqlite/0002_tokens.sql: revoked token ids
-- until their expiry, and the per-user token generation.  BIGINT where
-- SQLite's INTEGER holds 64 bits.

-- migrate:up
CREATE TABLE revoked_tokens (
	jti		VARCHAR(64) PRIMARY KEY NOT NULL,
	user_id		CHAR(36) NOT NULL,
	expires_at	BIGINT NOT NULL
);
CREATE INDEX ix_revoked_tokens_expires ON revoked_tokens (expires_at);
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tokens_exempt_jti VARCHAR(64);

-- migrate:down
ALTER TABLE users DROP COLUMN tokens_exempt_jti;
ALTER TABLE users DROP COLUMN token_generation;
DROP INDEX IF EXISTS ix_revoked_tokens_expires;
DROP TABLE IF EXISTS revoked_tokens;
