/*
 * transport: MCP's Streamable HTTP (MCP 2025-11-25 "Transports") on the
 * endpoint /mcp-server/mcp (and /mcp-server/mcp/).  One JSON-RPC message
 * per POST (a batch only under protocol 2025-03-26).  Checks and answers,
 * in this order:
 *
 *	Origin present and not allowed, Host not allowed	403
 *	no, bad or insufficient Bearer token			401 / 403 (auth.h)
 *	Accept without application/json and text/event-stream	406
 *	Content-Type not application/json			415
 *	body over MAX_REQUEST_BODY_BYTES			413
 *	not JSON						400 -32700
 *	not a JSON-RPC message (or a batch where none is allowed) 400 -32600
 *	MCP-Protocol-Version present and unsupported		400 -32000
 *	Mcp-Session-Id unknown, ended, idle or another user's	404 -32001
 *	initialize with an Mcp-Session-Id			400 -32600
 *	a response over ASK_ANSWER_MAX (in a session)		413 -32000
 *
 * then a notification or response gets 202 with no body, a request 200:
 * application/json, or text/event-stream when notifications (progress,
 * log messages) or requests of the server (ask.h) go before its answer.
 * A response is the client's answer to such a request: it is stored for
 * the process waiting for it (any process may receive it); one that
 * answers nothing waiting in its session is dropped (still 202).  A request without Mcp-Session-Id
 * is served on its own (sessions are offered, not required).  An SSE
 * answer in a session is resumable (events.h): its events carry ids, the
 * first is a priming event with "retry:".  GET with Last-Event-ID resumes
 * one (406 without text/event-stream in Accept, 400 without
 * Mcp-Session-Id or with a malformed id, 404 -32001 for the session as
 * above, 404 -32000 for an event unknown, expired or of another session);
 * GET without Last-Event-ID answers 405: this server opens no standalone
 * SSE stream.  DELETE ends the
 * session of its Mcp-Session-Id (204).
 */
#ifndef FCGI_USERS_MCP_TRANSPORT_H
#define FCGI_USERS_MCP_TRANSPORT_H

struct request;
struct response;

void	 transport_post(struct request *, struct response *);
void	 transport_get(struct request *, struct response *);
void	 transport_delete(struct request *, struct response *);

#endif
