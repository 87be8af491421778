-- PostgreSQL's form of schema/sqlite/0005_refresh_tokens.sql (the same
-- text: that file was written for both engines).  Refresh-token families
-- and their tokens, stored as SHA-256 hex; deleting a user deletes them.

-- migrate:up
CREATE TABLE refresh_families (
	id		CHAR(36) PRIMARY KEY NOT NULL,
	user_id		CHAR(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	generation	BIGINT NOT NULL,
	created_at	BIGINT NOT NULL,
	expires_at	BIGINT NOT NULL,
	revoked_at	BIGINT
);
CREATE INDEX ix_refresh_families_user ON refresh_families (user_id);
CREATE INDEX ix_refresh_families_expires ON refresh_families (expires_at);
CREATE TABLE refresh_tokens (
	token_hash	CHAR(64) PRIMARY KEY NOT NULL,
	family_id	CHAR(36) NOT NULL
			    REFERENCES refresh_families (id) ON DELETE CASCADE,
	issued_at	BIGINT NOT NULL,
	expires_at	BIGINT NOT NULL,
	spent_at	BIGINT,
	CHECK (expires_at > issued_at)
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);

-- migrate:down
DROP INDEX IF EXISTS ix_refresh_tokens_expires;
DROP INDEX IF EXISTS ix_refresh_tokens_family;
DROP TABLE IF EXISTS refresh_tokens;
DROP INDEX IF EXISTS ix_refresh_families_expires;
DROP INDEX IF EXISTS ix_refresh_families_user;
DROP TABLE IF EXISTS refresh_families;
