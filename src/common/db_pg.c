/*
 * db_pg: the PostgreSQL engine behind db_* (see db_pg.h and DESIGN.md
 * "Storage").  One libpq connection per process, opened before the first
 * request.  Statements keep SQLite's placeholders in the callers and are
 * translated (db_pg_translate, in db_pg_text.c); cached ones become named
 * prepared statements on the server, one per connection.  Values travel
 * as text (blobs as binary), so the server types each parameter from its
 * place in the statement (a 1 bound to a BOOLEAN column is true); results
 * come back as text and are read as SQLite would give them (a boolean as
 * 0 or 1).
 *
 * Bounds (a database that is down answers 503, never a hang):
 * connect_timeout, statement_timeout (the busy timeout: a lock wait past it
 * is DB_BUSY, as SQLite's), TCP keepalives and tcp_user_timeout for a
 * server that vanished.  A connection found broken is reset, at most
 * DB_PG_RECONNECT_TRIES times in a row; a statement that failed because
 * the connection dropped, outside a transaction, is sent once more on the
 * new connection.
 *
 * XXX A statement sent once more may have run before the connection
 * dropped (the answer was lost, not the work): for the UPSERTs of the rate
 * limits that counts one request twice.  Inside a transaction nothing is
 * resent: the transaction is gone and the caller gets DB_UNAVAILABLE.
 *
 * Nothing secret is logged: error lines carry the SQLSTATE and the
 * server's primary message (terse verbosity: no DETAIL, which may quote a
 * row) and the statement's text with placeholders; the URL's password is
 * never printed (db_pg_label).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "db.h"
#include "db_pg.h"
#include "db_pg_dl.h"
#include "log.h"

#define DB_PG_RECONNECT_TRIES	2
#define DB_PG_CONNECT_MIN_S	2	/* libpq's own floor for connect_timeout */
#define DB_PG_STATEMENT_MIN_MS	1000	/* statement_timeout 0 would mean none */
#define DB_PG_TCP_EXTRA_MS	5000	/* tcp_user_timeout past statement_timeout */
#define DB_PG_ERRMSG_MAX	512
#define DB_PG_NUM_MAX		32	/* bytes of a number as text */

/* Type oids of the built-in types we read (catalog/pg_type.dat). */
#define DB_PG_BOOLOID		16
#define DB_PG_BYTEAOID		17

/* libpq's functions (db_pg_dl.h): set by the first db_pg_open, before
 * any connection exists, and for good. */
static const struct pq_api *pq;

struct db_pg {
	PGconn		*conn;
	uint64_t	 gen;		/* bumped by each successful (re)connect */
	uint64_t	 names;		/* the last prepared statement's number */
	int64_t		 changes;
	int		 closing;	/* db_pg_closing was called */
	char		 errmsg[DB_PG_ERRMSG_MAX];
};

struct db_pg_stmt {
	struct db_pg	*pg;
	char		*sql;		/* translated: $n placeholders */
	char		 name[32];	/* "" for a one-off */
	uint64_t	 gen;		/* pg->gen when prepared */
	int		 map[DB_PG_PARAMS_MAX + 1];
	int		 maxidx;	/* highest SQLite number */
	int		 nparams;
	char		**values;	/* nparams each: NULL is SQL NULL */
	int		*lengths;
	int		*formats;
	char		(*num)[DB_PG_NUM_MAX];	/* storage of numbers */
	PGresult	*res;
	int		 row;		/* the current row; -1 before the first */
	unsigned char	*blob;		/* the last db_pg_column_blob, decoded */
};

/* ---- errors ---- */

/* SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html)
 * to enum db_err. */
static enum db_err
map_state(const char *st)
{
	if (st == NULL || strlen(st) != 5)
		return DB_ERROR;
	if (strncmp(st, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0 || strcmp(st, "57014") == 0)
		return DB_BUSY;		/* retry: serialization, deadlock, timeouts */
	if (strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 ||
	    strcmp(st, "57P02") == 0 || strcmp(st, "57P03") == 0 ||
	    strcmp(st, "53300") == 0)
		return DB_UNAVAILABLE;	/* connection, shutdown, too many clients */
	if (strcmp(st, "53100") == 0 || strcmp(st, "54000") == 0 ||
	    strcmp(st, "54001") == 0)
		return DB_FULL;
	if (strcmp(st, "53200") == 0)
		return DB_NOMEM;
	if (strcmp(st, "25006") == 0)
		return DB_READONLY;
	if (strcmp(st, "XX001") == 0 || strcmp(st, "XX002") == 0)
		return DB_CORRUPT;
	return DB_ERROR;
}

/* Keeps the engine's message (first line) for db_pg_errmsg. */
static void
keep_msg(struct db_pg *pg, const char *sqlstate, const char *msg)
{
	size_t	 n;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	if (sqlstate != NULL)
		n = (size_t)snprintf(pg->errmsg, sizeof(pg->errmsg), "%s (SQLSTATE %s)",
		    msg, sqlstate);
	else
		n = (size_t)snprintf(pg->errmsg, sizeof(pg->errmsg), "%s", msg);
	if (n >= sizeof(pg->errmsg))
		n = sizeof(pg->errmsg) - 1;
	pg->errmsg[strcspn(pg->errmsg, "\n")] = '\0';
}

/*
 * The error of res (NULL: the connection's), kept and mapped; logged like
 * db.c's db_fail unless it is one callers expect and answer (BUSY,
 * CONSTRAINT).  A broken connection is DB_UNAVAILABLE.
 */
static enum db_err
fail(struct db_pg *pg, const PGresult *res, const char *what, const char *sql)
{
	const char	*st = NULL, *msg;
	enum db_err	 e;

	if (res != NULL) {
		st = pq->resultErrorField(res, PG_DIAG_SQLSTATE);
		msg = pq->resultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (msg == NULL)
			msg = pq->resultErrorMessage(res);
	} else
		msg = pq->errorMessage(pg->conn);
	keep_msg(pg, st, msg);
	e = map_state(st);
	if (pq->status(pg->conn) == CONNECTION_BAD)
		e = DB_UNAVAILABLE;
	if (e == DB_BUSY || e == DB_CONSTRAINT)
		return e;
	if (sql != NULL)
		log_error("database error", "op", what, "detail", pg->errmsg,
		    "sql", sql);
	else
		log_error("database error", "op", what, "detail", pg->errmsg);
	return e;
}

/* ---- connection ---- */

/* Server notices (IF NOT EXISTS skipped...) are not errors: no stderr. */
static void
notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
db_pg_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0);
}

/*
 * Our settings come before the URL's ("dbname", expanded), so that a
 * URL's own connect_timeout or options win (libpq: the last value of a
 * keyword is kept); client_encoding comes after, since we read and write
 * UTF-8 only.
 */
static PGconn *
connect_url(const char *url, int flags, int busy_ms)
{
	char		 ctimeout[16], utimeout[16], options[160];
	const char	*kw[16], *val[16];
	int		 n = 0, stmt_ms;

	stmt_ms = busy_ms < DB_PG_STATEMENT_MIN_MS ? DB_PG_STATEMENT_MIN_MS : busy_ms;
	(void)snprintf(ctimeout, sizeof(ctimeout), "%d", stmt_ms / 1000 <
	    DB_PG_CONNECT_MIN_S ? DB_PG_CONNECT_MIN_S : (stmt_ms + 999) / 1000);
	(void)snprintf(utimeout, sizeof(utimeout), "%d",
	    stmt_ms + DB_PG_TCP_EXTRA_MS);
	(void)snprintf(options, sizeof(options), "-c statement_timeout=%d"
	    " -c client_min_messages=warning%s", stmt_ms,
	    (flags & DB_OPEN_READONLY) ? " -c default_transaction_read_only=on" : "");
	kw[n] = "connect_timeout";	val[n++] = ctimeout;
	kw[n] = "options";		val[n++] = options;
	kw[n] = "fallback_application_name"; val[n++] = "fcgi-users";
	kw[n] = "keepalives";		val[n++] = "1";
	kw[n] = "keepalives_idle";	val[n++] = "5";
	kw[n] = "keepalives_interval";	val[n++] = "2";
	kw[n] = "keepalives_count";	val[n++] = "3";
	kw[n] = "tcp_user_timeout";	val[n++] = utimeout;
	kw[n] = "dbname";		val[n++] = url;
	kw[n] = "client_encoding";	val[n++] = "UTF8";
	kw[n] = NULL;			val[n] = NULL;
	return pq->connectdbParams(kw, val, 1);
}

enum db_err
db_pg_open(const char *url, int flags, int busy_ms, struct db_pg **out)
{
	struct db_pg	*pg;
	char		 label[256];

	*out = NULL;
	if (!db_pg_is_url(url) || (flags & DB_OPEN_SCRATCH))
		return DB_ERROR;
	if (pq == NULL && (pq = db_pg_dl(label, sizeof(label))) == NULL) {
		log_error("cannot load libpq: a postgresql:// DATABASE_URL needs"
		    " it (Debian: libpq5)", "detail", label);
		return DB_ERROR;
	}
	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return DB_NOMEM;
	if ((pg->conn = connect_url(url, flags, busy_ms)) == NULL) {
		free(pg);
		return DB_NOMEM;	/* libpq could not allocate */
	}
	if (pq->status(pg->conn) != CONNECTION_OK) {
		keep_msg(pg, NULL, pq->errorMessage(pg->conn));
		db_pg_label(url, label, sizeof(label));
		log_error("cannot connect to the database", "database", label,
		    "detail", pg->errmsg);
		db_pg_close(pg);
		return DB_UNAVAILABLE;
	}
	pq->setNoticeProcessor(pg->conn, notice, NULL);
	(void)pq->setErrorVerbosity(pg->conn, PQERRORS_TERSE);
	pg->gen = 1;
	*out = pg;
	return DB_OK;
}

void
db_pg_close(struct db_pg *pg)
{
	if (pg == NULL)
		return;
	pq->finish(pg->conn);	/* the server rolls back what was open */
	free(pg);
}

void
db_pg_closing(struct db_pg *pg)
{
	if (pg != NULL)
		pg->closing = 1;
}

const char *
db_pg_errmsg(struct db_pg *pg)
{
	if (pg == NULL)
		return "no database connection";
	return pg->errmsg[0] != '\0' ? pg->errmsg : "not an error";
}

int
db_pg_in_tx(struct db_pg *pg)
{
	PGTransactionStatusType	 t;

	if (pg == NULL)
		return 0;
	t = pq->transactionStatus(pg->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	    t == PQTRANS_ACTIVE;
}

/* A working connection: resets a broken one, DB_PG_RECONNECT_TRIES times
 * at most.  Prepared statements do not survive: gen moves on. */
static enum db_err
ensure_conn(struct db_pg *pg)
{
	int	 i;

	if (pq->status(pg->conn) == CONNECTION_OK)
		return DB_OK;
	for (i = 0; i < DB_PG_RECONNECT_TRIES; i++) {
		pq->reset(pg->conn);
		if (pq->status(pg->conn) == CONNECTION_OK) {
			(void)pq->setErrorVerbosity(pg->conn, PQERRORS_TERSE);
			pg->gen++;
			log_warn("database connection re-established");
			return DB_OK;
		}
	}
	keep_msg(pg, NULL, pq->errorMessage(pg->conn));
	log_error("database unavailable", "detail", pg->errmsg);
	return DB_UNAVAILABLE;
}

/* Whether res failed because the connection dropped: worth one resend
 * when no transaction was open (wasintx 0). */
static int
dropped(struct db_pg *pg, const PGresult *res, int wasintx)
{
	ExecStatusType	 s = res != NULL ? pq->resultStatus(res) : PGRES_FATAL_ERROR;

	return !wasintx && s == PGRES_FATAL_ERROR &&
	    pq->status(pg->conn) == CONNECTION_BAD;
}

/*
 * Sends with send(arg) on a working connection, and once more on a new
 * one when the first try found the connection dropped outside a
 * transaction.  The last answer (the caller PQclears it), or NULL with *e
 * when there is no connection to be had.
 */
static PGresult *
send_retry(struct db_pg *pg, PGresult *(*send)(void *), void *arg,
    enum db_err *e)
{
	PGresult	*res = NULL;
	int		 attempt, intx;

	for (attempt = 0; attempt < 2; attempt++) {
		pq->clear(res);
		if ((*e = ensure_conn(pg)) != DB_OK)
			return NULL;
		intx = db_pg_in_tx(pg);
		res = send(arg);
		if (!dropped(pg, res, intx))
			break;
	}
	return res;
}

struct exec_arg {
	struct db_pg	*pg;
	const char	*sql;
};

static PGresult *
exec_send(void *arg)
{
	const struct exec_arg *a = arg;

	return pq->exec(a->pg->conn, a->sql);
}

static int64_t
cmd_tuples(PGresult *res)
{
	const char	*t = pq->cmdTuples(res);

	return t != NULL && *t != '\0' ? strtoll(t, NULL, 10) : 0;
}

enum db_err
db_pg_exec(struct db_pg *pg, const char *sql)
{
	struct exec_arg	 a = { pg, sql };
	PGresult	*res;
	enum db_err	 e;

	if (pg == NULL || sql == NULL)
		return DB_ERROR;
	if ((res = send_retry(pg, exec_send, &a, &e)) == NULL)
		return e;
	switch (pq->resultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		pg->changes = cmd_tuples(res);
		e = DB_OK;
		break;
	default:
		/* The script may hold secrets of nobody; its text is ours. */
		e = fail(pg, res, "exec", NULL);
		break;
	}
	pq->clear(res);
	return e;
}

int64_t
db_pg_changes(struct db_pg *pg)
{
	return pg != NULL ? pg->changes : 0;
}

/* ---- statements ---- */

/* Prepares s (a struct db_pg_stmt) on the server under a new name, for
 * this connection; the server's answer (PGRES_COMMAND_OK: s->gen is the
 * connection's). */
static PGresult *
prepare_once(void *arg)
{
	struct db_pg_stmt *s = arg;
	struct db_pg	*pg = s->pg;
	PGresult	*res;

	(void)snprintf(s->name, sizeof(s->name), "fu_%llu",
	    (unsigned long long)++pg->names);
	res = pq->prepare(pg->conn, s->name, s->sql, s->nparams, NULL);
	if (pq->resultStatus(res) == PGRES_COMMAND_OK)
		s->gen = pg->gen;
	return res;
}

/* prepare_once, once more on a new connection when the first try found
 * it dropped outside a transaction. */
static enum db_err
prepare(struct db_pg_stmt *s)
{
	PGresult	*res;
	enum db_err	 e;

	if ((res = send_retry(s->pg, prepare_once, s, &e)) == NULL)
		return e;
	e = pq->resultStatus(res) == PGRES_COMMAND_OK ? DB_OK :
	    fail(s->pg, res, "prepare", s->sql);
	pq->clear(res);
	return e;
}

enum db_err
db_pg_stmt_new(struct db_pg *pg, const char *sql, int cached,
    struct db_pg_stmt **out)
{
	struct db_pg_stmt *s;
	enum db_err	 e = DB_NOMEM;
	int		 n;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return DB_NOMEM;
	s->pg = pg;
	s->row = -1;
	switch (db_pg_translate(sql, &s->sql, s->map, &s->maxidx, &s->nparams)) {
	case 0:
		break;
	case -2:
		goto out;
	default:
		log_error("database error", "op", "prepare", "detail",
		    "a placeholder past ?99, or an unterminated quote or comment",
		    "sql", sql);
		e = DB_ERROR;
		goto out;
	}
	n = s->nparams > 0 ? s->nparams : 1;
	if ((s->values = calloc((size_t)n, sizeof(*s->values))) == NULL ||
	    (s->lengths = calloc((size_t)n, sizeof(*s->lengths))) == NULL ||
	    (s->formats = calloc((size_t)n, sizeof(*s->formats))) == NULL ||
	    (s->num = calloc((size_t)n, sizeof(*s->num))) == NULL)
		goto out;
	if (cached && (e = prepare(s)) != DB_OK)
		goto out;
	*out = s;
	s = NULL;
	e = DB_OK;
out:
	db_pg_stmt_free(s);
	return e;
}

/* Frees what was bound to $k (0-based), leaving SQL NULL. */
static void
unbind(struct db_pg_stmt *s, int k)
{
	if (s->values[k] != NULL && s->values[k] != s->num[k])
		free(s->values[k]);
	s->values[k] = NULL;
	s->lengths[k] = 0;
	s->formats[k] = 0;
}

void
db_pg_stmt_reset(struct db_pg_stmt *s)
{
	int	 k;

	if (s == NULL)
		return;
	pq->clear(s->res);
	s->res = NULL;
	s->row = -1;
	pq->freemem(s->blob);
	s->blob = NULL;
	for (k = 0; k < s->nparams; k++)
		unbind(s, k);
}

void
db_pg_stmt_free(struct db_pg_stmt *s)
{
	PGresult	*res;
	char		 sql[48];

	if (s == NULL)
		return;
	if (s->values != NULL)
		db_pg_stmt_reset(s);
	/* Not in a failed transaction, where DEALLOCATE would fail too: the
	 * name then lives until the connection ends, which is harmless. */
	if (s->name[0] != '\0' && s->gen == s->pg->gen && !s->pg->closing &&
	    pq->status(s->pg->conn) == CONNECTION_OK &&
	    pq->transactionStatus(s->pg->conn) != PQTRANS_INERROR) {
		(void)snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		res = pq->exec(s->pg->conn, sql);
		pq->clear(res);
	}
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->num);
	free(s->sql);
	free(s);
}

/* The $ slot of SQLite's ?idx: >= 0, or -1 for a number the statement
 * does not use (binding it does nothing), or -2 when out of range. */
static int
slot(struct db_pg_stmt *s, int idx)
{
	if (s->res != NULL) {		/* bound again without a reset */
		pq->clear(s->res);
		s->res = NULL;
		s->row = -1;
	}
	if (idx < 1 || idx > s->maxidx) {
		log_error("database error", "op", "bind", "detail",
		    "parameter index out of range", "sql", s->sql);
		return -2;
	}
	return s->map[idx] - 1;
}

/* A copy of (p, len), NUL-terminated, bound to ?idx in format (0 text,
 * 1 binary). */
static enum db_err
bind_copy(struct db_pg_stmt *s, int idx, const void *p, size_t len, int format)
{
	char	*v;
	int	 k;

	if ((k = slot(s, idx)) == -2)
		return DB_ERROR;
	if (k == -1)
		return DB_OK;
	if (len > INT32_MAX)
		return DB_FULL;
	if ((v = malloc(len + 1)) == NULL)
		return DB_NOMEM;
	if (len > 0)
		memcpy(v, p, len);
	v[len] = '\0';
	unbind(s, k);
	s->values[k] = v;
	s->lengths[k] = (int)len;
	s->formats[k] = format;
	return DB_OK;
}

/* PostgreSQL's text cannot hold a NUL byte: such text is refused. */
enum db_err
db_pg_bind_text(struct db_pg_stmt *s, int idx, const char *p, size_t len)
{
	if (memchr(p, '\0', len) != NULL)
		return DB_ERROR;
	return bind_copy(s, idx, p, len, 0);
}

static enum db_err
bind_num(struct db_pg_stmt *s, int idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum db_err
bind_num(struct db_pg_stmt *s, int idx, const char *fmt, ...)
{
	va_list	 ap;
	int	 k;

	if ((k = slot(s, idx)) == -2)
		return DB_ERROR;
	if (k == -1)
		return DB_OK;
	unbind(s, k);
	va_start(ap, fmt);
	(void)vsnprintf(s->num[k], sizeof(s->num[k]), fmt, ap);
	va_end(ap);
	s->values[k] = s->num[k];
	s->lengths[k] = (int)strlen(s->num[k]);
	return DB_OK;
}

enum db_err
db_pg_bind_int64(struct db_pg_stmt *s, int idx, int64_t v)
{
	return bind_num(s, idx, "%lld", (long long)v);
}

enum db_err
db_pg_bind_double(struct db_pg_stmt *s, int idx, double v)
{
	return bind_num(s, idx, "%.17g", v);
}

/* Binary format: the bytes as they are (a BYTEA parameter). */
enum db_err
db_pg_bind_blob(struct db_pg_stmt *s, int idx, const void *p, size_t len)
{
	return bind_copy(s, idx, p, len, 1);
}

enum db_err
db_pg_bind_null(struct db_pg_stmt *s, int idx)
{
	int	 k;

	if ((k = slot(s, idx)) == -2)
		return DB_ERROR;
	if (k >= 0)
		unbind(s, k);
	return DB_OK;
}

/* Runs s with its values, preparing it first on a connection that has
 * not seen it (a new one); the answer of the run, or of the prepare that
 * failed. */
static PGresult *
send_stmt(void *arg)
{
	struct db_pg_stmt *s = arg;
	struct db_pg	*pg = s->pg;
	const char *const *vals = (const char *const *)s->values;
	PGresult	*res;

	if (s->name[0] == '\0')
		return pq->execParams(pg->conn, s->sql, s->nparams, NULL, vals,
		    s->lengths, s->formats, 0);
	if (s->gen != pg->gen) {
		res = prepare_once(s);
		if (pq->resultStatus(res) != PGRES_COMMAND_OK)
			return res;
		pq->clear(res);
	}
	return pq->execPrepared(pg->conn, s->name, s->nparams, vals, s->lengths,
	    s->formats, 0);
}

/* Sends the statement (once more after a dropped connection outside a
 * transaction) and keeps the result. */
static enum db_err
run(struct db_pg_stmt *s)
{
	struct db_pg	*pg = s->pg;
	PGresult	*res;
	enum db_err	 e;

	if ((res = send_retry(pg, send_stmt, s, &e)) == NULL)
		return e;
	switch (pq->resultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		pg->changes = cmd_tuples(res);
		s->res = res;
		return DB_OK;
	default:
		e = fail(pg, res, "step", s->sql);
		pq->clear(res);
		return e;
	}
}

enum db_err
db_pg_step(struct db_pg_stmt *s)
{
	enum db_err	 e;

	if (s->res == NULL) {
		if ((e = run(s)) != DB_OK)
			return e;
	}
	pq->freemem(s->blob);
	s->blob = NULL;
	if (s->row < pq->ntuples(s->res))
		s->row++;
	return s->row < pq->ntuples(s->res) ? DB_ROW : DB_DONE;
}

/* Whether (row, col) is a value of the current result. */
static int
cell(struct db_pg_stmt *s, int col)
{
	return s != NULL && s->res != NULL && s->row >= 0 &&
	    s->row < pq->ntuples(s->res) && col >= 0 && col < pq->nfields(s->res);
}

const char *
db_pg_column_text(struct db_pg_stmt *s, int col, size_t *len)
{
	if (len != NULL)
		*len = 0;
	if (!cell(s, col) || pq->getisnull(s->res, s->row, col))
		return NULL;
	if (len != NULL)
		*len = (size_t)pq->getlength(s->res, s->row, col);
	return pq->getvalue(s->res, s->row, col);
}

/* As SQLite: a boolean is 0 or 1, a real is cut to its integer part,
 * text that is not a number is 0. */
int64_t
db_pg_column_int64(struct db_pg_stmt *s, int col)
{
	const char	*v;
	char		*end;
	long long	 n;
	double		 d;

	if ((v = db_pg_column_text(s, col, NULL)) == NULL)
		return 0;
	if (pq->ftype(s->res, col) == DB_PG_BOOLOID)
		return v[0] == 't';
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') {
		d = strtod(v, NULL);
		if (d >= -9.2e18 && d <= 9.2e18)
			return (int64_t)d;
	}
	return errno == 0 ? (int64_t)n : 0;
}

double
db_pg_column_double(struct db_pg_stmt *s, int col)
{
	const char	*v;

	if ((v = db_pg_column_text(s, col, NULL)) == NULL)
		return 0.0;
	if (pq->ftype(s->res, col) == DB_PG_BOOLOID)
		return v[0] == 't' ? 1.0 : 0.0;
	return strtod(v, NULL);
}

/* A BYTEA column decoded from its text form (valid until the next step or
 * reset); any other column as its text. */
const void *
db_pg_column_blob(struct db_pg_stmt *s, int col, size_t *len)
{
	static const char empty[1] = "";
	const char	*v;
	size_t		 n;

	if (len != NULL)
		*len = 0;
	if ((v = db_pg_column_text(s, col, &n)) == NULL)
		return NULL;
	if (pq->ftype(s->res, col) == DB_PG_BYTEAOID) {
		pq->freemem(s->blob);
		if ((s->blob = pq->unescapeBytea((const unsigned char *)v, &n)) == NULL)
			return NULL;
		v = (const char *)s->blob;
	}
	if (len != NULL)
		*len = n;
	return n > 0 ? v : empty;
}

int
db_pg_column_is_null(struct db_pg_stmt *s, int col)
{
	return !cell(s, col) || pq->getisnull(s->res, s->row, col);
}
