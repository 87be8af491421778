/*
 * events: resumable SSE answers in SQLite (see events.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "events.h"
#include "hex.h"
#include "log.h"
#include "mcp.h"
#include "session.h"

#define POLL_MS		50	/* a look at the table while waiting */
#define COMMENT_SECONDS	5	/* an SSE comment while waiting */

static const char *const events_errs[EVENTS__MAX] = {
	[EVENTS_OK] = "ok",
	[EVENTS_EBADID] = "malformed event id",
	[EVENTS_ENOTFOUND] = "no such event",
	[EVENTS_EDB] = "database error",
};

const char *
events_strerror(enum events_err e)
{
	return e < EVENTS__MAX ? events_errs[e] : "unknown error";
}

enum events_err
events_parse_id(const char *s, struct events_pos *p)
{
	size_t	 n;
	int64_t	 seq = 0;

	if (s == NULL || strlen(s) > EVENTS_ID_MAX ||
	    strspn(s, "0123456789abcdef") != EVENTS_STREAM_LEN ||
	    s[EVENTS_STREAM_LEN] != '-')
		return EVENTS_EBADID;
	s += EVENTS_STREAM_LEN + 1;
	if ((n = strspn(s, "0123456789")) == 0 || n > 9 || s[n] != '\0' ||
	    (s[0] == '0' && n > 1))
		return EVENTS_EBADID;
	memcpy(p->stream, s - EVENTS_STREAM_LEN - 1, EVENTS_STREAM_LEN);
	p->stream[EVENTS_STREAM_LEN] = '\0';
	for (; *s != '\0'; s++)
		seq = seq * 10 + (*s - '0');
	p->seq = seq;
	return EVENTS_OK;
}

struct row {
	const char	*hash, *stream, *text;
	size_t		 len;
	int64_t		 seq, now;
	int		 final;
};

/* The session's events past the newest EVENTS_PER_SESSION_MAX - 1 (?2),
 * oldest first; the row's address breaks ties within a second (db.h:
 * statements per engine; rows are never updated, so PostgreSQL's ctid
 * follows insertion as SQLite's rowid does). */
static const char *const cap_sql[DB_ENGINE__MAX] = {
	[DB_ENGINE_SQLITE] =
	    "DELETE FROM mcp_stream_events WHERE rowid IN "
	    "(SELECT rowid FROM mcp_stream_events WHERE session_hash = ?1 "
	    "ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2)",
	[DB_ENGINE_POSTGRES] =
	    "DELETE FROM mcp_stream_events WHERE ctid IN "
	    "(SELECT ctid FROM mcp_stream_events WHERE session_hash = ?1 "
	    "ORDER BY created_at DESC, ctid DESC OFFSET ?2)",
};

/* Prunes (time, then the session's cap) and inserts one row. */
static enum db_err
insert_tx(struct db *db, void *arg)
{
	struct row	*r = arg;
	struct db_stmt	*st;
	enum db_err	 e;

	if ((e = db_prepare(db, "DELETE FROM mcp_stream_events WHERE created_at < ?",
	    &st)) != DB_OK)
		return e;
	db_bind_int64(st, 1, r->now - EVENTS_TTL_SECONDS);
	e = db_step(st);
	db_stmt_done(st);
	if (e != DB_DONE)
		return DB_ERROR;
	if ((e = db_prepare(db, cap_sql[db_engine(db)], &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, r->hash, strlen(r->hash));
	db_bind_int64(st, 2, EVENTS_PER_SESSION_MAX - 1);
	e = db_step(st);
	db_stmt_done(st);
	if (e != DB_DONE)
		return DB_ERROR;
	if ((e = db_prepare(db, "INSERT INTO mcp_stream_events (session_hash, "
	    "stream_id, seq, message, final, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	    &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, r->hash, strlen(r->hash));
	db_bind_text(st, 2, r->stream, strlen(r->stream));
	db_bind_int64(st, 3, r->seq);
	if (r->text != NULL)
		db_bind_text(st, 4, r->text, r->len);
	else
		db_bind_null(st, 4);
	db_bind_int64(st, 5, r->final);
	db_bind_int64(st, 6, r->now);
	e = db_step(st);
	db_stmt_done(st);
	return e == DB_DONE ? DB_OK : DB_ERROR;
}

static int
insert(struct mcp_call *c, const char *text, size_t len, int final)
{
	struct row	 r;

	memset(&r, 0, sizeof(r));
	r.hash = c->sess->id_hash;
	r.stream = c->stream;
	r.text = text;
	r.len = len;
	r.seq = c->seq;
	r.final = final;
	r.now = (int64_t)time(NULL);
	if (db_transaction(c->req->app->db, insert_tx, &r) != DB_OK) {
		log_error("cannot store an MCP stream event", "stream", c->stream);
		return -1;
	}
	return 0;
}

int
events_begin(struct mcp_call *c)
{
	unsigned char		 b[EVENTS_STREAM_LEN / 2];
	const char		*ev;

	c->stream[0] = '\0';
	if (c->sess == NULL || RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	hex_lower(b, sizeof(b), c->stream);
	c->seq = 0;
	if (insert(c, NULL, 0, 0) != 0) {
		c->stream[0] = '\0';
		return -1;
	}
	if ((ev = arena_printf(c->req->arena, "id: %s-0\nretry: %d\ndata: \n\n",
	    c->stream, EVENTS_RETRY_MS)) == NULL)
		return -1;
	(void)app_stream_write(c->req, c->resp, ev, strlen(ev));
	return 0;
}

int
events_store(struct mcp_call *c, const char *text, size_t len, int final,
    char *id)
{
	if (c->stream[0] == '\0' || len > EVENTS_MESSAGE_MAX ||
	    c->seq >= EVENTS_SEQ_MAX)
		return -1;
	c->seq++;
	if (insert(c, text, len, final) != 0)
		return -1;
	snprintf(id, EVENTS_ID_MAX + 1, "%s-%lld", c->stream, (long long)c->seq);
	return 0;
}

/*
 * Whether the event exists and is recent: EVENTS_OK (*final when it is
 * the answer), EVENTS_ENOTFOUND.
 */
static enum events_err
exists(struct db *db, const char *hash, const struct events_pos *p, int *final)
{
	struct db_stmt	*st;
	enum db_err	 e;

	if (db_prepare(db, "SELECT final FROM mcp_stream_events WHERE session_hash = ? "
	    "AND stream_id = ? AND seq = ? AND created_at >= ?", &st) != DB_OK)
		return EVENTS_EDB;
	db_bind_text(st, 1, hash, strlen(hash));
	db_bind_text(st, 2, p->stream, strlen(p->stream));
	db_bind_int64(st, 3, p->seq);
	db_bind_int64(st, 4, (int64_t)time(NULL) - EVENTS_TTL_SECONDS);
	if ((e = db_step(st)) == DB_ROW)
		*final = db_column_int64(st, 0) != 0;
	db_stmt_done(st);
	return e == DB_ROW ? EVENTS_OK : e == DB_DONE ? EVENTS_ENOTFOUND : EVENTS_EDB;
}

/*
 * Writes the stored events after p->seq (moving it on), counting into
 * *n and *bytes; *final once the answer went.  0, or -1 (the client left,
 * the database).
 */
static int
send_after(struct mcp_call *c, const char *hash, struct events_pos *p,
    int *n, size_t *bytes, int *final)
{
	struct db_stmt	*st;
	const char	*text, *ev;
	size_t		 len;
	int64_t		 seq;
	int		 r = 0;

	if (db_prepare(c->req->app->db, "SELECT seq, message, final FROM "
	    "mcp_stream_events WHERE session_hash = ? AND stream_id = ? AND seq > ? "
	    "ORDER BY seq LIMIT ?", &st) != DB_OK)
		return -1;
	db_bind_text(st, 1, hash, strlen(hash));
	db_bind_text(st, 2, p->stream, strlen(p->stream));
	db_bind_int64(st, 3, p->seq);
	db_bind_int64(st, 4, EVENTS_REPLAY_MAX - *n);
	while (db_step(st) == DB_ROW) {
		seq = db_column_int64(st, 0);
		if (db_column_is_null(st, 1) || (text = db_column_text(st, 1,
		    &len)) == NULL) {
			p->seq = seq;
			continue;
		}
		if (*n > 0 && *bytes + len > EVENTS_REPLAY_BYTES) {
			*n = EVENTS_REPLAY_MAX;	/* the next GET starts here */
			break;
		}
		p->seq = seq;
		ev = arena_printf(c->req->arena, "event: message\nid: %s-%lld\n"
		    "data: %.*s\n\n", p->stream, (long long)seq, (int)len, text);
		if (ev == NULL || app_stream_write(c->req, c->resp, ev,
		    strlen(ev)) != 0) {
			r = -1;
			break;
		}
		(*n)++;
		*bytes += len;
		if (db_column_int64(st, 2) != 0) {
			*final = 1;
			break;
		}
	}
	db_stmt_done(st);
	return r;
}

void
mcp_pause_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

enum events_err
events_replay(struct mcp_call *c, const struct events_pos *from)
{
	struct events_pos	 p = *from;
	const char		*hash = c->sess->id_hash;
	int64_t			 now, deadline, comment;
	size_t			 bytes = 0;
	int			 n = 0, final = 0;
	enum events_err		 e;

	if ((e = exists(c->req->app->db, hash, &p, &final)) != EVENTS_OK)
		return e;
	response_set_header(c->resp, "Cache-Control", "no-cache");
	response_set_header(c->resp, "X-Accel-Buffering", "no");
	if (app_stream_begin(c->req, c->resp, 200, "text/event-stream") != 0)
		return EVENTS_OK;
	c->streaming = 1;
	now = app_now_us();
	deadline = now + c->req->app->config.mcp_client_request_timeout_seconds *
	    1000000;
	comment = now + COMMENT_SECONDS * 1000000LL;
	while (!final) {
		if (send_after(c, hash, &p, &n, &bytes, &final) != 0 || final ||
		    n >= EVENTS_REPLAY_MAX)
			break;
		if ((now = app_now_us()) >= deadline)
			break;
		if (now >= comment) {
			if (mcp_stream_comment(c) != 0)
				break;
			comment = now + COMMENT_SECONDS * 1000000LL;
		}
		mcp_pause_ms(POLL_MS);
	}
	return EVENTS_OK;
}
