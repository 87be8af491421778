-- Server-to-client requests of MCP (issue "MCP server"): sampling/createMessage,
-- elicitation/create and roots/list, sent on the SSE answer of a tools/call
-- while the process serving that call waits.  The client answers in another
-- POST, which any process may serve: that process writes the answer here and
-- the waiting one reads it (src/mcp/ask.c).  A row lives from the request
-- until its answer is read, or until the wait gave up (then it is deleted);
-- rows older than a few waits are pruned, and a session holds at most a few.
-- request_id is the JSON-RPC id the server chose (random); answer is the
-- client's whole JSON-RPC response, NULL until it comes.
--
-- mcp_sessions.client_capabilities: what initialize's params.capabilities
-- declared, as bits (1 sampling, 2 elicitation, 4 roots): the server asks only
-- what the client said it can answer.

-- migrate:up
CREATE TABLE mcp_client_requests (
	session_hash	CHAR(64) NOT NULL REFERENCES mcp_sessions (id_hash) ON DELETE CASCADE,
	request_id	VARCHAR(64) NOT NULL,
	method		VARCHAR(64) NOT NULL,
	created_at	INTEGER NOT NULL,
	answer		TEXT,
	answered_at	INTEGER,
	PRIMARY KEY (session_hash, request_id)
);
CREATE INDEX ix_mcp_client_requests_created ON mcp_client_requests (created_at);
ALTER TABLE mcp_sessions ADD COLUMN client_capabilities INTEGER NOT NULL DEFAULT 0;

-- migrate:down
ALTER TABLE mcp_sessions DROP COLUMN client_capabilities;
DROP INDEX IF EXISTS ix_mcp_client_requests_created;
DROP TABLE IF EXISTS mcp_client_requests;
