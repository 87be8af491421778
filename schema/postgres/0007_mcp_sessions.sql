-- PostgreSQL's form of schema/sqlite/0007_mcp_sessions.sql: MCP sessions
-- by the SHA-256 of their id, so that any process on any host serves any
-- session; they die with their user.

-- migrate:up
CREATE TABLE mcp_sessions (
	id_hash		CHAR(64) PRIMARY KEY NOT NULL,
	user_id		CHAR(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	protocol_version VARCHAR(16) NOT NULL,
	log_level	VARCHAR(16),
	created_at	BIGINT NOT NULL,
	last_seen	BIGINT NOT NULL
);
CREATE INDEX ix_mcp_sessions_user ON mcp_sessions (user_id, last_seen);
CREATE INDEX ix_mcp_sessions_last_seen ON mcp_sessions (last_seen);

-- migrate:down
DROP INDEX IF EXISTS ix_mcp_sessions_last_seen;
DROP INDEX IF EXISTS ix_mcp_sessions_user;
DROP TABLE IF EXISTS mcp_sessions;
