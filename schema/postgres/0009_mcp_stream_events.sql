-- PostgreSQL's form of schema/sqlite/0009_mcp_stream_events.sql: the events
-- of MCP's SSE answers, so that a client whose stream broke can ask any
-- process on any host for what it missed (GET with Last-Event-ID).

-- migrate:up
CREATE TABLE mcp_stream_events (
	session_hash	CHAR(64) NOT NULL REFERENCES mcp_sessions (id_hash) ON DELETE CASCADE,
	stream_id	CHAR(16) NOT NULL,
	seq		INTEGER NOT NULL,
	message		TEXT,
	final		INTEGER NOT NULL DEFAULT 0,
	created_at	BIGINT NOT NULL,
	PRIMARY KEY (session_hash, stream_id, seq)
);
CREATE INDEX ix_mcp_stream_events_created ON mcp_stream_events (created_at);

-- migrate:down
DROP INDEX IF EXISTS ix_mcp_stream_events_created;
DROP TABLE IF EXISTS mcp_stream_events;
