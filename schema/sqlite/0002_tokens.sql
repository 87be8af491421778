-- Token revocation (issue "Accounts"): FastAPI-Users' JWT logout does
-- nothing; ours records the token's jti until it would have expired
-- anyway.  A password change bumps token_generation, which every access
-- token carries as claim "gen" (absent: 0), so the user's older tokens are
-- refused — all but the one that made the change (tokens_exempt_jti).

-- migrate:up
CREATE TABLE revoked_tokens (
	jti		VARCHAR(64) PRIMARY KEY NOT NULL,
	user_id		CHAR(36) NOT NULL,
	expires_at	INTEGER NOT NULL
);
CREATE INDEX ix_revoked_tokens_expires ON revoked_tokens (expires_at);
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN tokens_exempt_jti VARCHAR(64);

-- migrate:down
ALTER TABLE users DROP COLUMN tokens_exempt_jti;
ALTER TABLE users DROP COLUMN token_generation;
DROP INDEX IF EXISTS ix_revoked_tokens_expires;
DROP TABLE IF EXISTS revoked_tokens;
