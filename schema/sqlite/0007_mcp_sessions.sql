-- MCP sessions (issue "MCP server"): the Mcp-Session-Id of Streamable
-- HTTP, so that any process of mcp.fcgi serves any session.  The id itself
-- is never stored: id_hash is the hex SHA-256 of it, so a copy of the
-- database hands out no live session.  A session belongs to the user who
-- initialized it and dies with that user; log_level is what
-- logging/setLevel chose (NULL: none yet); last_seen drives the idle
-- timeout (MCP_SESSION_IDLE_MINUTES).  DELETE on the endpoint removes the row.

-- migrate:up
CREATE TABLE mcp_sessions (
	id_hash		CHAR(64) PRIMARY KEY NOT NULL,
	user_id		CHAR(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	protocol_version VARCHAR(16) NOT NULL,
	log_level	VARCHAR(16),
	created_at	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL
);
CREATE INDEX ix_mcp_sessions_user ON mcp_sessions (user_id, last_seen);
CREATE INDEX ix_mcp_sessions_last_seen ON mcp_sessions (last_seen);

-- migrate:down
DROP INDEX IF EXISTS ix_mcp_sessions_last_seen;
DROP INDEX IF EXISTS ix_mcp_sessions_user;
DROP TABLE IF EXISTS mcp_sessions;
