/*
 * transport: Streamable HTTP (see transport.h).  The request body is read
 * only after the header checks (ROUTE_DEFER_BODY), parsed with libcommon's
 * strict JSON parser, judged by rpc.c and answered by protocol.c.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "ask.h"
#include "auth.h"
#include "authn.h"
#include "db.h"
#include "events.h"
#include "guard.h"
#include "json.h"
#include "log.h"
#include "mcp.h"
#include "protocol.h"
#include "rpc.h"
#include "session.h"
#include "transport.h"

#define VERSION_HEADER	"MCP-Protocol-Version"
#define SESSION_HEADER	"Mcp-Session-Id"
#define LAST_EVENT_HEADER	"Last-Event-ID"

static void	post(struct request *, struct response *);

/* --- notifications on an SSE answer ------------------------------------ */

/*
 * Writes one message as an SSE event (HTML Living Standard §9.2), with an
 * id once stored when the stream is resumable (final: the answer); after
 * mcp_stream_close only stores it.
 */
static int
write_event(struct mcp_call *c, struct json_object *msg, int final)
{
	const char	*text, *ev;
	char		 id[EVENTS_ID_MAX + 1];
	size_t		 n;

	if ((text = rpc_text(msg, &n)) == NULL)
		return -1;
	if (c->stream[0] != '\0' && events_store(c, text, n, final, id) == 0) {
		if (c->closed)
			return 0;
		ev = arena_printf(c->req->arena, "event: message\nid: %s\n"
		    "data: %s\n\n", id, text);
	} else if (c->closed) {
		log_error("MCP event lost on a closed stream", "stream", c->stream);
		return 0;
	} else	/* json-c's plain output holds no newline: one data line. */
		ev = arena_printf(c->req->arena, "event: message\ndata: %s\n\n", text);
	if (ev == NULL)
		return -1;
	return app_stream_write(c->req, c->resp, ev, strlen(ev));
}

int
mcp_stream_open(struct mcp_call *c)
{
	if (!c->can_stream)
		return 1;
	if (c->streaming)
		return 0;
	response_set_header(c->resp, "Cache-Control", "no-cache");
	response_set_header(c->resp, "X-Accel-Buffering", "no");
	if (c->new_session != NULL)
		response_set_header(c->resp, SESSION_HEADER, c->new_session);
	if (app_stream_begin(c->req, c->resp, 200, "text/event-stream") != 0)
		return -1;
	c->streaming = 1;
	(void)events_begin(c);	/* not resumable when it fails */
	return 0;
}

int
mcp_stream(struct mcp_call *c, struct json_object *msg)
{
	int	 r;

	if ((r = mcp_stream_open(c)) != 0)
		return r;
	return write_event(c, msg, 0);
}

int
mcp_stream_close(struct mcp_call *c)
{
	if (!c->streaming || c->stream[0] == '\0')
		return 1;
	c->closed = 1;
	return 0;
}

int
mcp_stream_comment(struct mcp_call *c)
{
	if (!c->streaming || c->closed)
		return 0;
	return app_stream_write(c->req, c->resp, ": waiting\n\n", 12);
}

int
mcp_notify(struct mcp_call *c, const char *method, struct json_object *params)
{
	struct json_object	*n = rpc_notification(method, params);
	int			 r;

	r = mcp_stream(c, n);
	json_object_put(n);
	return r;
}

void
mcp_log(struct mcp_call *c, enum mcp_log_level level, const char *logger,
    struct json_object *data)
{
	struct json_object	*p;

	if (c->log_level == MCP_LOG__MAX || level < c->log_level) {
		json_object_put(data);
		return;
	}
	p = json_object_new_object();
	json_object_object_add(p, "level", json_object_new_string(mcp_log_level_name(level)));
	json_object_object_add(p, "logger", json_object_new_string(logger));
	json_object_object_add(p, "data", data);
	(void)mcp_notify(c, "notifications/message", p);
}

void
mcp_progress(struct mcp_call *c, double progress, double total, const char *message)
{
	struct json_object	*p;

	if (c->progress == NULL)
		return;
	p = json_object_new_object();
	json_object_object_add(p, "progressToken", json_object_get(c->progress));
	json_object_object_add(p, "progress", json_object_new_double(progress));
	json_object_object_add(p, "total", json_object_new_double(total));
	if (message != NULL)
		json_object_object_add(p, "message", json_object_new_string(message));
	(void)mcp_notify(c, "notifications/progress", p);
}

/* --- the checks ---------------------------------------------------------- */

/* Origin, Host and the token: 0, or -1 after answering. */
static int
admit(struct request *req, struct response *resp, struct principal *who)
{
	if (guard_origin_host(req, resp) != 0)
		return -1;
	return auth_require(req, resp, who);
}

/* MCP-Protocol-Version, when present, must be one we speak: 0 or -1 after 400. */
static int
check_version(struct request *req, struct response *resp, const char **hv)
{
	*hv = request_header(req, VERSION_HEADER);
	if (*hv == NULL || protocol_supported(*hv))
		return 0;
	rpc_http_error(resp, 400, RPC_SERVER_ERROR, "Bad Request: Unsupported "
	    "protocol version (supported versions: 2025-11-25, 2025-06-18, "
	    "2025-03-26, 2024-11-05)");
	return -1;
}

/*
 * The session the request names, into *s, and c->sess; none named is fine.
 * 0, or -1 after answering 404 or 503.
 */
static int
find_session(struct mcp_call *c, const char *sid, struct session *s)
{
	enum session_err	 e;
	struct app		*app = c->req->app;

	if (sid == NULL) {
		(void)db_read_end(app->db);
		return 0;
	}
	e = session_find(app->db, sid, c->who->user.id, s);
	/* The read snapshot (the token's user and this row) ends before
	 * session_keep writes. */
	(void)db_read_end(app->db);
	if (e == SESSION_OK)
		e = session_keep(app->db, s, (int64_t)time(NULL),
		    app->config.mcp_session_idle_minutes * 60);
	if (e == SESSION_NOTFOUND) {
		rpc_http_error(c->resp, 404, RPC_SESSION_NOT_FOUND, "Session not found");
		return -1;
	}
	if (e != SESSION_OK) {
		rpc_http_error(c->resp, 503, RPC_INTERNAL_ERROR, "Database unavailable");
		return -1;
	}
	c->sess = s;
	c->log_level = mcp_log_level_parse(s->log_level);
	return 0;
}

/* Reads and parses the body: the message, or NULL after answering. */
static struct json_object *
read_message(struct request *req, struct response *resp)
{
	struct json_object	*msg = NULL;
	const char		*why;
	size_t			 pos;

	if (app_read_body(req, resp) != 0) {
		/* app answered {"detail"}; the MCP endpoint speaks JSON-RPC. */
		rpc_http_error(resp, resp->status, RPC_SERVER_ERROR,
		    resp->status == 413 ? "Request body too large" :
		    resp->status == 400 ? "Bad Request: invalid or incomplete body" :
		    "Service Unavailable");
		return NULL;
	}
	if (json_parse(req->body, req->body_len, &msg, &pos, &why) != JSON_OK) {
		rpc_http_error(resp, 400, RPC_PARSE_ERROR, "Parse error");
		return NULL;
	}
	if (msg == NULL) {	/* the literal null: JSON, not JSON-RPC */
		rpc_http_error(resp, 400, RPC_INVALID_REQUEST, "Invalid Request");
		return NULL;
	}
	return msg;
}

/* A call of user who on req, not yet in a session. */
static void
call_init(struct mcp_call *c, struct request *req, struct response *resp,
    struct principal *who)
{
	memset(c, 0, sizeof(*c));
	c->req = req;
	c->resp = resp;
	c->who = who;
	c->can_stream = 1;
	c->log_level = MCP_LOG__MAX;
}

/* --- POST ---------------------------------------------------------------- */

/*
 * A response of the client to a request of ours (ask.h), kept for the
 * process that waits for it.  One that answers nothing waiting (no
 * session, an unknown id, a request given up on) is accepted and dropped,
 * as the "a response → 202" wants.  0, or -1 after answering 413
 * or 503.
 */
static int
take_answer(struct mcp_call *c, struct json_object *id, struct json_object *msg)
{
	enum ask_err	 e;

	if (c->sess == NULL)
		return 0;
	switch ((e = ask_answer(c->req->app->db, c->sess, id, msg))) {
	case ASK_OK:
		return 0;
	case ASK_ENOTPENDING:
		log_debug("MCP response to no waiting request dropped", "session",
		    "given");
		return 0;
	case ASK_ETOOBIG:
		rpc_http_error(c->resp, 413, RPC_SERVER_ERROR, "Response too large");
		return -1;
	default:
		log_error("cannot store an MCP client answer", "error", ask_strerror(e));
		rpc_http_error(c->resp, 503, RPC_INTERNAL_ERROR, "Database unavailable");
		return -1;
	}
}

/* The answer to a request: JSON, or the last event of an SSE answer. */
static void
answer(struct mcp_call *c, struct json_object *msg)
{
	if (c->streaming) {
		(void)write_event(c, msg, 1);
		json_object_put(msg);
		return;
	}
	if (c->new_session != NULL)
		response_set_header(c->resp, SESSION_HEADER, c->new_session);
	response_json(c->resp, 200, msg);
}

/* One message (not a batch). */
static void
post_one(struct mcp_call *c, struct json_object *msg, const char *hv,
    struct session *s)
{
	struct json_object	*id, *params;
	const char		*method, *sid;
	enum rpc_kind		 k;

	if ((k = rpc_classify(msg, &method, &id, &params)) == RPC_INVALID) {
		rpc_http_error(c->resp, 400, RPC_INVALID_REQUEST, "Invalid Request");
		return;
	}
	if (check_version(c->req, c->resp, &hv) != 0)
		return;
	sid = request_header(c->req, SESSION_HEADER);
	if (k == RPC_REQUEST && strcmp(method, "initialize") == 0) {
		if (sid != NULL) {
			rpc_http_error(c->resp, 400, RPC_INVALID_REQUEST, "Invalid "
			    "Request: initialize with an Mcp-Session-Id");
			return;
		}
		(void)db_read_end(c->req->app->db);	/* initialize writes */
	} else if (find_session(c, sid, s) != 0)
		return;
	c->version = hv != NULL ? hv : c->sess != NULL ? c->sess->version :
	    PROTOCOL_DEFAULT;
	if (k != RPC_REQUEST) {
		/* Notifications and responses: 202, no body. */
		if (k == RPC_NOTIFICATION)
			protocol_notification(c, method, params);
		else if (take_answer(c, id, msg) != 0)
			return;
		response_empty(c->resp, 202);
		return;
	}
	c->id = id;
	answer(c, protocol_request(c, method, params));
}

/* A 2025-03-26 batch: every member valid, no initialize, a JSON array back. */
static void
post_batch(struct mcp_call *c, struct json_object *batch, const char *hv,
    struct session *s)
{
	struct json_object	*m, *id, *params, *out;
	const char		*method;
	size_t			 i, n = json_object_array_length(batch);
	enum rpc_kind		 k;

	if (n == 0 || n > RPC_BATCH_MAX) {
		rpc_http_error(c->resp, 400, RPC_INVALID_REQUEST, "Invalid Request");
		return;
	}
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(batch, i);
		if ((k = rpc_classify(m, &method, &id, &params)) == RPC_INVALID ||
		    (k == RPC_REQUEST && strcmp(method, "initialize") == 0)) {
			rpc_http_error(c->resp, 400, RPC_INVALID_REQUEST, "Invalid Request");
			return;
		}
	}
	if (check_version(c->req, c->resp, &hv) != 0)
		return;
	if (find_session(c, request_header(c->req, SESSION_HEADER), s) != 0)
		return;
	c->version = hv != NULL ? hv : c->sess != NULL ? c->sess->version :
	    PROTOCOL_DEFAULT;
	if (strcmp(c->version, PROTOCOL_BATCHES) != 0) {
		rpc_http_error(c->resp, 400, RPC_INVALID_REQUEST, "Invalid Request: "
		    "batches are allowed only in protocol version 2025-03-26");
		return;
	}
	c->can_stream = 0;	/* one JSON array answers a batch */
	out = json_object_new_array();
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(batch, i);
		k = rpc_classify(m, &method, &id, &params);
		if (k == RPC_NOTIFICATION)
			protocol_notification(c, method, params);
		else if (k == RPC_RESPONSE && c->sess != NULL)
			(void)ask_answer(c->req->app->db, c->sess, id, m);
		if (k != RPC_REQUEST)
			continue;
		c->id = id;
		c->progress = NULL;
		json_object_array_add(out, protocol_request(c, method, params));
	}
	if (json_object_array_length(out) == 0) {
		json_object_put(out);
		response_empty(c->resp, 202);
		return;
	}
	response_json(c->resp, 200, out);
}

/*
 * POST.  The token's user and the session's row are read in one SQLite
 * read snapshot (db_read_begin): half the locking system calls of two
 * statements on their own.  find_session ends it once the session's row
 * is read (so does initialize), before anything writes, and it ends on the
 * way out whatever happened.
 */
void
transport_post(struct request *req, struct response *resp)
{
	(void)db_read_begin(req->app->db);
	post(req, resp);
	(void)db_read_end(req->app->db);
}

static void
post(struct request *req, struct response *resp)
{
	struct principal	 who;
	struct session		 s;
	struct mcp_call		 c;
	struct json_object	*msg;
	int			 accept;

	if (admit(req, resp, &who) != 0)
		return;
	accept = guard_accept(req);
	if ((accept & (GUARD_ACCEPT_JSON | GUARD_ACCEPT_SSE)) !=
	    (GUARD_ACCEPT_JSON | GUARD_ACCEPT_SSE)) {
		rpc_http_error(resp, 406, RPC_SERVER_ERROR, "Not Acceptable: Client "
		    "must accept both application/json and text/event-stream");
		return;
	}
	if (!guard_content_type_json(req)) {
		rpc_http_error(resp, 415, RPC_SERVER_ERROR, "Unsupported Media Type: "
		    "Content-Type must be application/json");
		return;
	}
	if ((msg = read_message(req, resp)) == NULL)
		return;
	call_init(&c, req, resp, &who);
	if (json_object_is_type(msg, json_type_array))
		post_batch(&c, msg, NULL, &s);
	else
		post_one(&c, msg, NULL, &s);
	json_object_put(msg);
}

/* --- GET and DELETE ------------------------------------------------------ */

/*
 * GET: with Last-Event-ID, the rest of a resumable SSE answer (events.h);
 * without, 405: this server opens no standalone stream.
 */
void
transport_get(struct request *req, struct response *resp)
{
	struct principal	 who;
	struct session		 s;
	struct mcp_call		 c;
	struct events_pos	 pos;
	const char		*hv, *sid, *last;
	enum events_err		 e;

	if (admit(req, resp, &who) != 0)
		return;
	/* An empty Last-Event-ID is none (HTML Living Standard §9.2.4). */
	if ((last = request_header(req, LAST_EVENT_HEADER)) == NULL ||
	    *last == '\0') {
		/* Transports §Listening: 405 when no stream is offered on GET. */
		response_set_header(resp, "Allow", "POST, DELETE");
		rpc_http_error(resp, 405, RPC_SERVER_ERROR, "Method Not Allowed: "
		    "this server opens no SSE stream on GET without Last-Event-ID");
		return;
	}
	if (!(guard_accept(req) & GUARD_ACCEPT_SSE)) {
		rpc_http_error(resp, 406, RPC_SERVER_ERROR, "Not Acceptable: "
		    "Client must accept text/event-stream");
		return;
	}
	if (check_version(req, resp, &hv) != 0)
		return;
	if ((sid = request_header(req, SESSION_HEADER)) == NULL) {
		rpc_http_error(resp, 400, RPC_SERVER_ERROR, "Bad Request: "
		    "Mcp-Session-Id header is required to resume a stream");
		return;
	}
	if (events_parse_id(last, &pos) != EVENTS_OK) {
		rpc_http_error(resp, 400, RPC_SERVER_ERROR, "Bad Request: "
		    "malformed Last-Event-ID");
		return;
	}
	call_init(&c, req, resp, &who);
	if (find_session(&c, sid, &s) != 0)
		return;
	if ((e = events_replay(&c, &pos)) == EVENTS_ENOTFOUND)
		rpc_http_error(resp, 404, RPC_SERVER_ERROR, "Not Found: no such "
		    "event in this session (Last-Event-ID unknown or expired)");
	else if (e != EVENTS_OK)
		rpc_http_error(resp, 503, RPC_INTERNAL_ERROR, "Database unavailable");
}

void
transport_delete(struct request *req, struct response *resp)
{
	struct principal	 who;
	const char		*hv, *sid;
	enum session_err	 e;

	if (admit(req, resp, &who) != 0 || check_version(req, resp, &hv) != 0)
		return;
	if ((sid = request_header(req, SESSION_HEADER)) == NULL) {
		rpc_http_error(resp, 400, RPC_SERVER_ERROR, "Bad Request: "
		    "Mcp-Session-Id header is required");
		return;
	}
	e = session_end(req->app->db, sid, who.user.id);
	if (e == SESSION_NOTFOUND)
		rpc_http_error(resp, 404, RPC_SESSION_NOT_FOUND, "Session not found");
	else if (e != SESSION_OK)
		rpc_http_error(resp, 503, RPC_INTERNAL_ERROR, "Database unavailable");
	else
		response_empty(resp, 204);
}
