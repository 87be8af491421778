-- PostgreSQL's form of schema/sqlite/0008_mcp_client_requests.sql: the
-- server-to-client requests of MCP (sampling, elicitation, roots) and the
-- client's answers, which any process on any host may receive; and what
-- each session's client declared it can answer.

-- migrate:up
CREATE TABLE mcp_client_requests (
	session_hash	CHAR(64) NOT NULL REFERENCES mcp_sessions (id_hash) ON DELETE CASCADE,
	request_id	VARCHAR(64) NOT NULL,
	method		VARCHAR(64) NOT NULL,
	created_at	BIGINT NOT NULL,
	answer		TEXT,
	answered_at	BIGINT,
	PRIMARY KEY (session_hash, request_id)
);
CREATE INDEX ix_mcp_client_requests_created ON mcp_client_requests (created_at);
ALTER TABLE mcp_sessions ADD COLUMN client_capabilities INTEGER NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE mcp_sessions DROP COLUMN client_capabilities;
DROP INDEX IF EXISTS ix_mcp_client_requests_created;
DROP TABLE IF EXISTS mcp_client_requests;
