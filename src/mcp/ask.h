/*
 * ask: requests from the server to the client (MCP 2025-11-25 "Client
 * Features": sampling/createMessage, elicitation/create, roots/list),
 * made by a tool in the middle of a tools/call.
 *
 * The request goes out as an event of the call's SSE answer
 * (Transports §Sending Messages: "The server MAY send JSON-RPC requests
 * and notifications before sending the JSON-RPC response").  The client
 * answers with a POST of its own, which the web server may hand to any
 * process of any host, while the process serving the call waits, holding
 * the call's stream.  So the two meet in the shared database
 * (mcp_client_requests, schema/sqlite/0008): the asking process writes a
 * row for its request, the answering POST fills in the answer, the asking
 * process polls for it with a bounded wait (MCP_CLIENT_REQUEST_TIMEOUT_SECONDS,
 * with an SSE comment every few seconds so a client that left is noticed)
 * and deletes the row.  A request needs a session whose client declared the
 * capability at initialize; a session holds at most ASK_PENDING_MAX
 * unanswered requests; rows older than two waits are pruned by the next
 * request of anyone.
 *
 * A process waits for one answer at a time: a deployment that offers tools
 * which ask must run at least two mcp.fcgi processes (the answer needs one
 * that is free), and a web server that passes SSE events on as they are
 * written (lighttpd server.stream-response-body = 2; under Apache mod_fcgid
 * buffers the output, so the client sees the request only when the wait
 * is over and the call answers "the client did not answer").
 */
#ifndef FCGI_USERS_MCP_ASK_H
#define FCGI_USERS_MCP_ASK_H

#include <stddef.h>

struct db;
struct json_object;
struct mcp_call;
struct session;

#define ASK_PENDING_MAX		8		/* unanswered requests per session */
#define ASK_ANSWER_MAX		(256 * 1024)	/* bytes of one stored answer */
#define ASK_ID_PREFIX		"srv-"		/* ids are this and 32 hex digits */
#define ASK_ID_LEN		36
#define ASK_COMMENT_SECONDS	5		/* an SSE comment while waiting */

enum ask_err {
	ASK_OK,
	ASK_ENOSESSION,		/* no session, or it ended while waiting */
	ASK_ENOCAP,		/* the client did not declare the capability */
	ASK_ENOSTREAM,		/* the answer is no SSE stream (a batch) */
	ASK_EGONE,		/* the client went away */
	ASK_ETIMEOUT,		/* no answer in time */
	ASK_EFULL,		/* ASK_PENDING_MAX requests are pending */
	ASK_ENOTPENDING,	/* an answer to no pending request */
	ASK_ETOOBIG,		/* an answer over ASK_ANSWER_MAX */
	ASK_EANSWER,		/* the stored answer does not parse */
	ASK_EDB,
	ASK__MAX
};

const char	*ask_strerror(enum ask_err);

/*
 * Sends request `method` with params (taken; may be NULL) to the client
 * of the call, which must have declared `cap` (SESSION_CAP_*), and waits
 * for its answer: ASK_OK with either *result (the result object) or
 * *error (the JSON-RPC error object), a new reference the caller puts.
 */
enum ask_err	 ask_client(struct mcp_call *, unsigned cap, const char *method,
		    struct json_object *params, struct json_object **result,
		    struct json_object **error);

/*
 * A JSON-RPC response the client POSTed in session s: msg is the whole
 * message, id its id.  ASK_OK once stored for the waiting process;
 * ASK_ENOTPENDING when no request of that id is waiting in the session
 * (unknown, answered already, given up); ASK_ETOOBIG.
 */
enum ask_err	 ask_answer(struct db *, const struct session *s,
		    struct json_object *id, struct json_object *msg);

#endif
