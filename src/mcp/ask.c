/*
 * ask: server-to-client requests through the shared database (see ask.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#include "app.h"
#include "ask.h"
#include "db.h"
#include "hex.h"
#include "json.h"
#include "log.h"
#include "mcp.h"
#include "rpc.h"
#include "session.h"

#define POLL_FIRST_MS	5	/* the first pause between two looks */
#define POLL_MAX_MS	50	/* the longest */

static const char *const ask_errs[ASK__MAX] = {
	[ASK_OK] = "ok",
	[ASK_ENOSESSION] = "no session",
	[ASK_ENOCAP] = "the client did not declare the capability",
	[ASK_ENOSTREAM] = "the answer is not an SSE stream",
	[ASK_EGONE] = "the client went away",
	[ASK_ETIMEOUT] = "the client did not answer in time",
	[ASK_EFULL] = "too many requests pending",
	[ASK_ENOTPENDING] = "no such request pending",
	[ASK_ETOOBIG] = "answer too large",
	[ASK_EANSWER] = "malformed answer",
	[ASK_EDB] = "database error",
};

const char *
ask_strerror(enum ask_err e)
{
	return e < ASK__MAX ? ask_errs[e] : "unknown error";
}

struct pending {
	const char	*hash;		/* the session's key */
	const char	*id;
	const char	*method;
	int64_t		 now, stale;	/* rows created before stale go */
	int		 full;
};

/* Prunes, counts the session's pending requests, adds this one. */
static enum db_err
insert_tx(struct db *db, void *arg)
{
	struct pending	*p = arg;
	struct db_stmt	*st;
	enum db_err	 e;
	int64_t		 n;

	if ((e = db_prepare(db, "DELETE FROM mcp_client_requests WHERE created_at < ?",
	    &st)) != DB_OK)
		return e;
	db_bind_int64(st, 1, p->stale);
	e = db_step(st);
	db_stmt_done(st);
	if (e != DB_DONE)
		return e;
	if ((e = db_prepare(db, "SELECT count(*) FROM mcp_client_requests WHERE "
	    "session_hash = ?", &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, p->hash, strlen(p->hash));
	e = db_step(st);
	n = e == DB_ROW ? db_column_int64(st, 0) : 0;
	db_stmt_done(st);
	if (e != DB_ROW)
		return e;
	if (n >= ASK_PENDING_MAX) {
		p->full = 1;
		return DB_OK;
	}
	if ((e = db_prepare(db, "INSERT INTO mcp_client_requests (session_hash, "
	    "request_id, method, created_at) VALUES (?, ?, ?, ?)", &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, p->hash, strlen(p->hash));
	db_bind_text(st, 2, p->id, strlen(p->id));
	db_bind_text(st, 3, p->method, strlen(p->method));
	db_bind_int64(st, 4, p->now);
	e = db_step(st);
	db_stmt_done(st);
	return e == DB_DONE ? DB_OK : e;
}

static void
forget(struct db *db, const char *hash, const char *id)
{
	struct db_stmt	*st;

	if (db_prepare(db, "DELETE FROM mcp_client_requests WHERE session_hash = ? "
	    "AND request_id = ?", &st) != DB_OK)
		return;
	db_bind_text(st, 1, hash, strlen(hash));
	db_bind_text(st, 2, id, strlen(id));
	if (db_step(st) != DB_DONE)
		log_warn("cannot remove an MCP client request", "error", "database");
	db_stmt_done(st);
}

/*
 * One look at the row: ASK_OK with *answer (parsed, a new reference) when
 * answered, ASK_OK with *answer NULL while pending, ASK_ENOSESSION when the
 * row is gone (the session ended), ASK_EANSWER, ASK_EDB.
 */
static enum ask_err
look(struct db *db, const char *hash, const char *id, struct json_object **answer)
{
	struct db_stmt	*st;
	const char	*text, *why;
	size_t		 len, pos;
	enum db_err	 e;
	enum ask_err	 r = ASK_OK;

	*answer = NULL;
	if (db_prepare(db, "SELECT answer FROM mcp_client_requests WHERE "
	    "session_hash = ? AND request_id = ?", &st) != DB_OK)
		return ASK_EDB;
	db_bind_text(st, 1, hash, strlen(hash));
	db_bind_text(st, 2, id, strlen(id));
	if ((e = db_step(st)) == DB_DONE)
		r = ASK_ENOSESSION;
	else if (e != DB_ROW)
		r = ASK_EDB;
	else if (!db_column_is_null(st, 0)) {
		text = db_column_text(st, 0, &len);
		if (text == NULL || json_parse(text, len, answer, &pos, &why) != JSON_OK ||
		    !json_object_is_type(*answer, json_type_object)) {
			json_object_put(*answer);
			*answer = NULL;
			r = ASK_EANSWER;
		}
	}
	db_stmt_done(st);
	return r;
}

/* Polls until answered, the deadline, or the client leaves. */
static enum ask_err
wait_answer(struct mcp_call *c, const char *hash, const char *id,
    struct json_object **answer)
{
	int64_t		 now = app_now_us(), deadline, comment;
	long		 delay = POLL_FIRST_MS;
	enum ask_err	 r;

	deadline = now + c->req->app->config.mcp_client_request_timeout_seconds * 1000000;
	comment = now + ASK_COMMENT_SECONDS * 1000000LL;
	for (;;) {
		if ((r = look(c->req->app->db, hash, id, answer)) != ASK_OK ||
		    *answer != NULL)
			return r;
		if ((now = app_now_us()) >= deadline)
			return ASK_ETIMEOUT;
		if (now >= comment) {
			if (mcp_stream_comment(c) != 0)
				return ASK_EGONE;
			comment = now + ASK_COMMENT_SECONDS * 1000000LL;
		}
		mcp_pause_ms(delay);
		if ((delay *= 2) > POLL_MAX_MS)
			delay = POLL_MAX_MS;
	}
}

/* The result or error of an answer, into *result or *error. */
static enum ask_err
split_answer(struct json_object *a, struct json_object **result,
    struct json_object **error)
{
	struct json_object	*v;

	if (json_object_object_get_ex(a, "result", &v) &&
	    json_object_is_type(v, json_type_object)) {
		*result = json_object_get(v);
		return ASK_OK;
	}
	if (json_object_object_get_ex(a, "error", &v) &&
	    json_object_is_type(v, json_type_object)) {
		*error = json_object_get(v);
		return ASK_OK;
	}
	return ASK_EANSWER;
}

enum ask_err
ask_client(struct mcp_call *c, unsigned cap, const char *method,
    struct json_object *params, struct json_object **result,
    struct json_object **error)
{
	struct json_object	*msg = NULL, *a = NULL;
	struct pending		 p;
	unsigned char		 b[16];
	char			 id[ASK_ID_LEN + 1];
	const char		*hash;
	int			 w;
	enum ask_err		 r;

	*result = *error = NULL;
	if (c->sess == NULL) {
		json_object_put(params);
		return ASK_ENOSESSION;
	}
	if ((c->sess->client_caps & cap) != cap) {
		json_object_put(params);
		return ASK_ENOCAP;
	}
	if (!c->can_stream) {
		json_object_put(params);
		return ASK_ENOSTREAM;
	}
	if (RAND_bytes(b, sizeof(b)) != 1) {
		json_object_put(params);
		return ASK_EDB;
	}
	hash = c->sess->id_hash;
	memcpy(id, ASK_ID_PREFIX, sizeof(ASK_ID_PREFIX) - 1);
	hex_lower(b, sizeof(b), id + sizeof(ASK_ID_PREFIX) - 1);
	memset(&p, 0, sizeof(p));
	p.hash = hash;
	p.id = id;
	p.method = method;
	p.now = (int64_t)time(NULL);
	p.stale = p.now - 2 * c->req->app->config.mcp_client_request_timeout_seconds;
	if (db_transaction(c->req->app->db, insert_tx, &p) != DB_OK) {
		json_object_put(params);
		return ASK_EDB;
	}
	if (p.full) {
		json_object_put(params);
		return ASK_EFULL;
	}
	msg = rpc_notification(method, params);
	json_object_object_add(msg, "id", json_object_new_string(id));
	if ((w = mcp_stream(c, msg)) != 0)
		r = w > 0 ? ASK_ENOSTREAM : ASK_EGONE;
	else if ((r = wait_answer(c, hash, id, &a)) == ASK_OK)
		r = split_answer(a, result, error);
	if (r != ASK_ENOSESSION)
		forget(c->req->app->db, hash, id);
	if (r != ASK_OK)
		log_info("MCP client request failed", "method", method, "error",
		    ask_strerror(r));
	json_object_put(a);
	json_object_put(msg);
	return r;
}

enum ask_err
ask_answer(struct db *db, const struct session *s, struct json_object *id,
    struct json_object *msg)
{
	struct db_stmt	*st;
	const char	*text;
	size_t		 len;
	enum db_err	 e;

	if (!json_object_is_type(id, json_type_string) ||
	    json_object_get_string_len(id) != ASK_ID_LEN ||
	    strncmp(json_object_get_string(id), ASK_ID_PREFIX,
	    sizeof(ASK_ID_PREFIX) - 1) != 0)
		return ASK_ENOTPENDING;
	if ((text = rpc_text(msg, &len)) == NULL)
		return ASK_EANSWER;
	if (len > ASK_ANSWER_MAX)
		return ASK_ETOOBIG;
	if (db_prepare(db, "UPDATE mcp_client_requests SET answer = ?, answered_at = ? "
	    "WHERE session_hash = ? AND request_id = ? AND answer IS NULL", &st) != DB_OK)
		return ASK_EDB;
	db_bind_text(st, 1, text, len);
	db_bind_int64(st, 2, (int64_t)time(NULL));
	db_bind_text(st, 3, s->id_hash, strlen(s->id_hash));
	db_bind_text(st, 4, json_object_get_string(id), ASK_ID_LEN);
	e = db_step(st);
	db_stmt_done(st);
	if (e != DB_DONE)
		return ASK_EDB;
	return db_changes(db) > 0 ? ASK_OK : ASK_ENOTPENDING;
}
