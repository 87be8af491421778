/*
 * mcp: what the parts of mcp.fcgi share — the server's name, the log
 * levels of MCP's logging utility, and one JSON-RPC request being served
 * (struct mcp_call), which transport.c fills from the HTTP request and
 * protocol.c and tools.c answer.
 *
 * The parts: transport.c (Streamable HTTP: the checks and their order, the
 * JSON or SSE answer), rpc.c (JSON-RPC 2.0 messages), protocol.c (the MCP
 * methods), tools.c (the tools), session.c (Mcp-Session-Id in SQLite),
 * auth.c (Bearer tokens, RFC 9728 metadata), guard.c (Origin, Host,
 * Accept, Content-Type), offer.c (what the providers in force offer),
 * resources.c and prompts.c (the methods of those capabilities), ask.c
 * (requests to the client, answered through SQLite), fixtures.c and
 * fixtures_ask.c (the conformance suite's fixtures, MCP_CONFORMANCE_FIXTURES).
 */
#ifndef FCGI_USERS_MCP_H
#define FCGI_USERS_MCP_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct principal;
struct request;
struct response;
struct session;

#define MCP_SERVER_NAME		"Personal MCP Server"	/* the Python service's */

/* MCP logging levels, RFC 5424 severities from the least severe. */
enum mcp_log_level {
	MCP_LOG_DEBUG,
	MCP_LOG_INFO,
	MCP_LOG_NOTICE,
	MCP_LOG_WARNING,
	MCP_LOG_ERROR,
	MCP_LOG_CRITICAL,
	MCP_LOG_ALERT,
	MCP_LOG_EMERGENCY,
	MCP_LOG__MAX		/* no level chosen: no notifications/message */
};

/* MCP_LOG__MAX for an unknown name (or NULL). */
enum mcp_log_level mcp_log_level_parse(const char *);
const char	*mcp_log_level_name(enum mcp_log_level);

struct mcp_call {
	struct request		*req;
	struct response		*resp;
	struct principal	*who;		/* the authenticated user */
	struct session		*sess;		/* NULL: a request without a session */
	const char		*version;	/* the protocol version in force */
	int			 can_stream;	/* Accept holds text/event-stream */
	int			 streaming;	/* the SSE answer has begun */
	struct json_object	*id;		/* the request's id (borrowed) */
	struct json_object	*progress;	/* params._meta.progressToken (borrowed) or NULL */
	enum mcp_log_level	 log_level;	/* the session's; MCP_LOG__MAX: none */
	const char		*new_session;	/* an id initialize made, for the header */
	char			 stream[17];	/* a resumable SSE answer's id (events.h); "" */
	int64_t			 seq;		/* its last event */
	int			 closed;	/* the stream is no longer written (stored only) */
};

/*
 * Writes msg (not taken) to the client before the request's answer, as
 * one event of the SSE answer, which the first one begins.  Returns 0 when
 * it was sent, 1 when it could not be (the client takes no SSE: a batch),
 * -1 when the client is gone.  (transport.c)
 */
int	 mcp_stream(struct mcp_call *, struct json_object *msg);
/*
 * Begins the SSE answer now (with its priming event when it is
 * resumable), as mcp_stream's first message would.  0, 1, -1 as mcp_stream.
 */
int	 mcp_stream_open(struct mcp_call *);
/*
 * Stops writing the call's SSE answer before the request's answer:
 * later events, the answer too, are only stored, for the client to get
 * with GET and Last-Event-ID (events.h).  0, or 1 when the answer is not
 * a resumable stream (it then goes on as before).
 */
int	 mcp_stream_close(struct mcp_call *);
/* Sleeps ms milliseconds (a poll's pause).  (events.c) */
void	 mcp_pause_ms(long ms);
/* An SSE comment line on a begun stream (a client gone shows as -1). */
int	 mcp_stream_comment(struct mcp_call *);
/*
 * Sends a notification to the client before the request's answer (on an
 * SSE answer, begun by the first one).  Returns 0 when it was sent, 1 when
 * it could not be (the client does not take SSE) and was dropped, -1 when
 * the client is gone.  params is taken.  (transport.c)
 */
int	 mcp_notify(struct mcp_call *, const char *method, struct json_object *params);
/* notifications/message at `level` when the session asked for it; data is taken. */
void	 mcp_log(struct mcp_call *, enum mcp_log_level, const char *logger,
	    struct json_object *data);
/* notifications/progress for the request's progressToken, when it gave one. */
void	 mcp_progress(struct mcp_call *, double progress, double total,
	    const char *message);

#endif
