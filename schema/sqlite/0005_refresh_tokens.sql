-- Refresh tokens (issue "refresh tokens"; src/common/refresh.c), rotated
-- on every use with reuse detection (RFC 9700 §4.14.2).  A login with
-- scope offline_access starts a family; each refresh spends the presented
-- token and adds the next one to the same family.  Presenting a spent
-- token revokes the family, which is one row here, so that a token added
-- by a concurrent rotation is dead too.  Tokens are opaque and stored only
-- as the lower-case hex SHA-256 of their text.  generation is the user's
-- token_generation (0002) when the family began: a password change bumps
-- it and so retires every family.  Times are Unix seconds.  A token's
-- expires_at is its issue plus the lifetime, so expiry slides with each
-- rotation; a family's is the latest of its tokens', so that
-- refresh_prune() finds dead families by index.  Spent tokens are kept
-- until their own expiry (and a grace), for reuse detection.
--
-- Deleting a user deletes its families and their tokens (ON DELETE
-- CASCADE; db.c turns foreign keys on in every connection).  A later
-- migration that rebuilds table users must mind that cascade.  No WITHOUT
-- ROWID here, unlike 0003/0004: the secondary indexes would then carry the
-- 64-byte key instead of a rowid, and the plain form is also PostgreSQL's.
-- BIGINT: PostgreSQL's INTEGER is 32 bits; SQLite reads it as INTEGER.

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
