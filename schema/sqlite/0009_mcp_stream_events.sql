-- Resumable SSE streams of MCP (Streamable HTTP "Resumability and
-- Redelivery"): the events of the SSE answer to a POST made in a session,
-- so that a client whose stream broke (or that the server closed) can ask
-- any process for what it missed, with GET and Last-Event-ID
-- (src/mcp/events.c).  An event id is "<stream>-<seq>": stream is 16 random
-- hex digits per SSE answer, seq counts its events from 0, the priming
-- event (message NULL).  final marks the answer to the request: a stream
-- ends there.  Rows go with their session, after EVENTS_TTL_SECONDS, and
-- beyond EVENTS_PER_SESSION_MAX per session (the oldest first).

-- migrate:up
CREATE TABLE mcp_stream_events (
	session_hash	CHAR(64) NOT NULL REFERENCES mcp_sessions (id_hash) ON DELETE CASCADE,
	stream_id	CHAR(16) NOT NULL,
	seq		INTEGER NOT NULL,
	message		TEXT,
	final		INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (session_hash, stream_id, seq)
);
CREATE INDEX ix_mcp_stream_events_created ON mcp_stream_events (created_at);

-- migrate:down
DROP INDEX IF EXISTS ix_mcp_stream_events_created;
DROP TABLE IF EXISTS mcp_stream_events;
