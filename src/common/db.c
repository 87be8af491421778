/*
 * db: the SQLite connection of one process (DESIGN.md "Storage").  The
 * only file that includes sqlite3.h.  db_open sets the pragmas every
 * program relies on (WAL, synchronous=NORMAL, foreign keys, a busy
 * timeout); db_prepare keeps up to DB_STMT_CACHE_MAX prepared statements
 * keyed by their SQL text, so a long-lived FastCGI process prepares each
 * query once; db_transaction retries a whole transaction that met
 * SQLITE_BUSY.  Bound values are never logged: error lines carry the
 * engine's message (which names tables and columns, not values) and, for
 * statements that fail to prepare, the SQL text with its `?` placeholders.
 *
 * A connection opened on a postgresql:// URL is PostgreSQL's: each
 * function below hands it to db_pg.c (db->pg, s->pg set) in one line at
 * its top, and the statement cache, db_transaction and its retries are
 * shared by both engines.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "db.h"
#include "db_pg.h"
#include "log.h"

/* db_transaction: attempts, and the back-off between them. */
#define DB_TX_ATTEMPTS		10
#define DB_TX_BACKOFF_MIN_MS	5	/* first back-off ceiling; doubles */
#define DB_TX_BACKOFF_MAX_MS	250	/* ceiling of one back-off */
#define DB_BUSY_YIELDS		4	/* tries that only yield the processor */
#define DB_BUSY_SLEEP_MIN_US	20
#define DB_BUSY_SLEEP_MAX_US	2000
#define DB_TX_BUDGET_MS		2000	/* retrying stops this long past busy_ms */

struct db_stmt {
	struct db	*db;
	sqlite3_stmt	*st;
	char		*sql;		/* our copy: the cache key */
	const char	*key;		/* the caller's pointer last seen (fast path) */
	uint32_t	 hash;		/* FNV-1a of sql */
	uint64_t	 used;		/* db->tick at the last db_prepare (LRU) */
	int		 busy;		/* handed out, db_stmt_done not yet called */
	int		 cached;	/* 0: a one-off, finalised by db_stmt_done */
	struct db_stmt	*next;		/* one-off statements still handed out */
	struct db_pg_stmt *pg;		/* PostgreSQL's (then st is NULL) */
};

struct db {
	sqlite3		*h;
	int		 busy_ms;
	int64_t		 busy_since;	/* µs, when the current wait began */
	uint64_t	 tick;
	size_t		 ncache;
	struct db_stmt	*cache[DB_STMT_CACHE_MAX];
	struct db_stmt	*oneoff;	/* list of busy one-off statements */
	struct db_pg	*pg;		/* PostgreSQL's connection (then h is NULL) */
};

static const char *const db_errs[DB__MAX] = {
	[DB_OK] =		"success",
	[DB_ROW] =		"row ready",
	[DB_DONE] =		"no more rows",
	[DB_ERROR] =		"database error",
	[DB_BUSY] =		"database is locked",
	[DB_CONSTRAINT] =	"constraint violated",
	[DB_NOMEM] =		"out of memory",
	[DB_READONLY] =		"database is read-only",
	[DB_FULL] =		"database or disk is full",
	[DB_CANTOPEN] =		"cannot open database file",
	[DB_CORRUPT] =		"database file is corrupt or not a database",
	[DB_UNAVAILABLE] =	"database server unavailable",
};

/* For empty text and blobs: SQLite binds SQL NULL for a NULL pointer. */
static const char db_empty[1] = "";

const char *
db_strerror(enum db_err e)
{
	if ((unsigned)e >= DB__MAX || db_errs[e] == NULL)
		return "unknown database error";
	return db_errs[e];
}

/*
 * Maps an SQLite result code (primary or extended) to enum db_err
 * (https://sqlite.org/rescode.html).  SQLITE_TOOBIG (a string or blob past
 * SQLITE_MAX_LENGTH) counts as DB_FULL: a size limit was reached.
 */
static enum db_err
db_map(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return DB_OK;
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_NOMEM:
		return DB_NOMEM;
	case SQLITE_READONLY:
		return DB_READONLY;
	case SQLITE_FULL:
	case SQLITE_TOOBIG:
		return DB_FULL;
	case SQLITE_CANTOPEN:
		return DB_CANTOPEN;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return DB_CORRUPT;
	default:
		return DB_ERROR;
	}
}

/*
 * Maps rc and logs what is an error of the engine or of our SQL (not
 * BUSY or CONSTRAINT, which callers expect and answer).  `sql`, when not
 * NULL, is statement text with placeholders, never a bound value.
 */
static enum db_err
db_fail(struct db *db, int rc, const char *what, const char *sql)
{
	enum db_err	 e = db_map(rc);
	const char	*detail;

	if (e != DB_ERROR && e != DB_CORRUPT && e != DB_FULL &&
	    e != DB_NOMEM && e != DB_CANTOPEN)
		return e;
	detail = db != NULL && db->h != NULL ? sqlite3_errmsg(db->h) :
	    sqlite3_errstr(rc);
	if (sql != NULL)
		log_error("database error", "op", what, "detail", detail,
		    "sql", sql);
	else
		log_error("database error", "op", what, "detail", detail);
	return e;
}

/* 32-bit FNV-1a: the cache compares hashes before texts. */
static uint32_t
db_hash(const char *s)
{
	uint32_t	 h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* Finalises a statement and frees it; accepts NULL. */
static void
db_stmt_free(struct db_stmt *s)
{
	if (s == NULL)
		return;
	db_pg_stmt_free(s->pg);
	sqlite3_finalize(s->st);
	free(s->sql);
	free(s);
}

/* Runs a pragma and copies the first column of its first row into buf. */
static enum db_err
db_pragma(struct db *db, const char *sql, char *buf, size_t buflen)
{
	sqlite3_stmt	*st = NULL;
	const unsigned char *v;
	enum db_err	 ret;
	int		 rc;

	if (buflen > 0)
		buf[0] = '\0';
	rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(db, rc, "pragma", sql);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && buflen > 0 &&
	    (v = sqlite3_column_text(st, 0)) != NULL)
		(void)snprintf(buf, buflen, "%s", (const char *)v);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = db_fail(db, rc, "pragma", sql);
		goto out;
	}
	ret = DB_OK;
out:
	sqlite3_finalize(st);
	return ret;
}

/*
 * The pragmas of DESIGN.md: https://sqlite.org/pragma.html.  WAL lets
 * readers run beside the writer; a read-only connection cannot switch the
 * journal mode and keeps the file's.  A file system without shared memory
 * refuses WAL: we keep the old mode and say so.
 */
static enum db_err
db_pragmas(struct db *db, int flags)
{
	char		 mode[16];
	enum db_err	 ret;

	/* A scratch file: rolled back by deleting it, never shared. */
	if (flags & DB_OPEN_SCRATCH) {
		if ((ret = db_pragma(db, "PRAGMA locking_mode=EXCLUSIVE",
		    NULL, 0)) != DB_OK ||
		    (ret = db_pragma(db, "PRAGMA journal_mode=OFF",
		    NULL, 0)) != DB_OK)
			return ret;
		return db_pragma(db, "PRAGMA synchronous=OFF", NULL, 0);
	}
	if (!(flags & DB_OPEN_READONLY)) {
		if ((ret = db_pragma(db, "PRAGMA journal_mode=WAL",
		    mode, sizeof(mode))) != DB_OK)
			return ret;
		if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
			log_warn("database refused WAL journal mode",
			    "journal_mode", mode);
	}
	if ((ret = db_pragma(db, "PRAGMA synchronous=NORMAL", NULL, 0)) != DB_OK)
		return ret;
	return db_pragma(db, "PRAGMA foreign_keys=ON", NULL, 0);
}

/* db_open for a PostgreSQL URL. */
static enum db_err
db_open_pg(const char *url, int flags, int busy_ms, struct db **out)
{
	struct db	*db;
	enum db_err	 ret;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return DB_NOMEM;	/* the caller may exit; it will be respawned */
	db->busy_ms = busy_ms < 0 ? 0 : busy_ms;
	if ((ret = db_pg_open(url, flags, db->busy_ms, &db->pg)) != DB_OK) {
		free(db);
		return ret;
	}
	*out = db;
	return DB_OK;
}

/* Monotonic microseconds. */
static int64_t
db_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The busy handler: waits up to busy_ms for a lock another connection
 * holds.  SQLite's own (sqlite3_busy_timeout) sleeps 1, 2, 5, 10, ... ms
 * between tries, while our write transactions hold the lock for tens of
 * microseconds: with a few processes writing at once (the geocoding
 * quota, every request) most of their time went to sleeping on a lock
 * long free.  This one yields the processor first, then sleeps 20 µs
 * doubling up to 2 ms, so a waiter gets the lock soon after it is free
 * and a long wait (a checkpoint, a backup) still costs little processor.
 */
static int
db_busy(void *arg, int count)
{
	struct db	*db = arg;
	struct timespec	 ts;
	int64_t		 now, us;

	now = db_now_us();
	if (count == 0)
		db->busy_since = now;
	else if (now - db->busy_since >= (int64_t)db->busy_ms * 1000)
		return 0;
	if (count < DB_BUSY_YIELDS) {
		(void)sched_yield();
		return 1;
	}
	us = DB_BUSY_SLEEP_MIN_US;
	for (count -= DB_BUSY_YIELDS; count > 0 && us < DB_BUSY_SLEEP_MAX_US;
	    count--)
		us *= 2;
	if (us > DB_BUSY_SLEEP_MAX_US)
		us = DB_BUSY_SLEEP_MAX_US;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)us * 1000;
	(void)nanosleep(&ts, NULL);
	return 1;
}

/*
 * Opens `path` as a plain file name (no URI), read-write unless
 * DB_OPEN_READONLY, created only with DB_OPEN_CREATE.  SQLite opens
 * lazily, so the pragmas are also what first reads the file: a file that
 * is not a database fails here with DB_CORRUPT.  The caller db_close()s.
 */
enum db_err
db_open(const char *path, int flags, int busy_ms, struct db **out)
{
	struct db	*db = NULL;
	char		*dotpath = NULL;
	enum db_err	 ret = DB_ERROR;
	int		 oflags, rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || path == NULL ||
	    (flags & ~(DB_OPEN_READONLY | DB_OPEN_CREATE | DB_OPEN_SCRATCH)) != 0 ||
	    ((flags & DB_OPEN_READONLY) &&
	    (flags & (DB_OPEN_CREATE | DB_OPEN_SCRATCH)))) {
		log_error("db_open: bad arguments");
		goto out;
	}
	if (db_pg_is_url(path))
		return (flags & DB_OPEN_SCRATCH) ? DB_ERROR :
		    db_open_pg(path, flags, busy_ms, out);
	/* "" would open a private temporary database: never what was meant. */
	if (path[0] == '\0') {
		ret = DB_CANTOPEN;
		goto out;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		ret = DB_NOMEM;	/* the caller may exit; it will be respawned */
		goto out;
	}
	db->busy_ms = busy_ms < 0 ? 0 : busy_ms;
	if (flags & DB_OPEN_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE;
	if (flags & DB_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	/* A connection serves one thread (each program is single-threaded,
	 * one request at a time: docs/security.md), so SQLite's connection
	 * mutex, taken on every API call, guards nothing ("multi-thread"
	 * mode, https://sqlite.org/threadsafe.html). */
	oflags |= SQLITE_OPEN_NOMUTEX;
	/*
	 * Debian builds SQLite with SQLITE_USE_URI=1, which reads a name
	 * starting "file:" as a URI with options (mode=, vfs=...).  We take
	 * paths only: "./" makes such a name a plain relative path
	 * (https://sqlite.org/uri.html, "Backwards compatibility").
	 */
	if (strncmp(path, "file:", 5) == 0) {
		if (asprintf(&dotpath, "./%s", path) == -1) {
			dotpath = NULL;
			ret = DB_NOMEM;
			goto out;
		}
		path = dotpath;
	}
	rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		ret = db_map(rc);
		if (ret != DB_CANTOPEN)
			(void)db_fail(db, rc, "open", NULL);
		goto out;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_handler(db->h, db_busy, db);
	if ((ret = db_pragmas(db, flags)) != DB_OK)
		goto out;
	*out = db;
	db = NULL;
	ret = DB_OK;
out:
	db_close(db);
	free(dotpath);
	return ret;
}

void
db_close(struct db *db)
{
	struct db_stmt	*s;
	size_t		 i;
	int		 rc;

	if (db == NULL)
		return;
	db_pg_closing(db->pg);
	for (i = 0; i < db->ncache; i++)
		db_stmt_free(db->cache[i]);
	while ((s = db->oneoff) != NULL) {
		db->oneoff = s->next;
		db_stmt_free(s);
	}
	db_pg_close(db->pg);
	/* Rolls back an open transaction (https://sqlite.org/c3ref/close.html). */
	if (db->h != NULL && (rc = sqlite3_close(db->h)) != SQLITE_OK)
		log_error("database close failed", "detail", sqlite3_errstr(rc));
	free(db);
}

const char *
db_errmsg(struct db *db)
{
	if (db != NULL && db->pg != NULL)
		return db_pg_errmsg(db->pg);
	if (db == NULL || db->h == NULL)
		return "no database connection";
	return sqlite3_errmsg(db->h);
}

enum db_err
db_exec(struct db *db, const char *sql)
{
	int	 rc;

	if (db == NULL || sql == NULL)
		return DB_ERROR;
	if (db->pg != NULL)
		return db_pg_exec(db->pg, sql);
	rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? DB_OK : db_fail(db, rc, "exec", NULL);
}

enum db_err
db_ping(struct db *db)
{
	struct db_stmt	*s;
	enum db_err	 ret;

	if ((ret = db_prepare(db, "SELECT 1", &s)) != DB_OK)
		return ret;
	ret = db_stmt_run(s);
	return ret == DB_ROW ? DB_OK : ret == DB_OK ? DB_ERROR : ret;
}

/*
 * A new statement for sql.  An empty script (only blanks or comments)
 * prepares to no statement at all and is refused as DB_ERROR.
 */
static enum db_err
db_stmt_new(struct db *db, const char *sql, uint32_t hash, int cached,
    struct db_stmt **out)
{
	struct db_stmt	*s = NULL;
	enum db_err	 ret = DB_NOMEM;
	int		 rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->sql = strdup(sql)) == NULL)
		goto out;
	s->db = db;
	s->key = sql;
	s->hash = hash;
	s->cached = cached;
	if (db->pg != NULL) {
		if ((ret = db_pg_stmt_new(db->pg, sql, cached, &s->pg)) != DB_OK)
			goto out;
		goto ready;
	}
	/* https://sqlite.org/c3ref/prepare.html: PERSISTENT for long-lived ones. */
	rc = sqlite3_prepare_v3(db->h, sql, -1,
	    cached ? SQLITE_PREPARE_PERSISTENT : 0, &s->st, NULL);
	if (rc != SQLITE_OK) {
		ret = db_fail(db, rc, "prepare", sql);
		goto out;
	}
	if (s->st == NULL) {
		log_error("database error", "op", "prepare",
		    "detail", "no statement in SQL text", "sql", sql);
		ret = DB_ERROR;
		goto out;
	}
ready:
	*out = s;
	s = NULL;
	ret = DB_OK;
out:
	db_stmt_free(s);
	return ret;
}

/* The cache slot for a new statement: a free one, or the least recently
 * used statement not handed out (finalised here); -1 when all are busy. */
static int
db_cache_slot(struct db *db)
{
	size_t		 i;
	int		 lru = -1;

	if (db->ncache < DB_STMT_CACHE_MAX)
		return (int)db->ncache++;
	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i]->busy)
			continue;
		if (lru == -1 || db->cache[i]->used < db->cache[lru]->used)
			lru = (int)i;
	}
	if (lru != -1) {
		db_stmt_free(db->cache[lru]);
		db->cache[lru] = NULL;
	}
	return lru;
}

/* The cached statement whose text is sql, or NULL. */
static struct db_stmt *
db_cache_find(struct db *db, const char *sql)
{
	struct db_stmt	*s;
	uint32_t	 h;
	size_t		 i;

	/* Fast path: the same pointer as last time (a string literal),
	 * still confirmed by text, since a buffer may be reused. */
	for (i = 0; i < db->ncache; i++) {
		s = db->cache[i];
		if (s->key == sql && strcmp(s->sql, sql) == 0)
			return s;
	}
	h = db_hash(sql);
	for (i = 0; i < db->ncache; i++) {
		s = db->cache[i];
		if (s->hash == h && strcmp(s->sql, sql) == 0) {
			s->key = sql;
			return s;
		}
	}
	return NULL;
}

/*
 * The cached statement for sql, prepared on first use.  When that
 * statement is already handed out (a query run again while its first run
 * is still stepping), or every slot is, a one-off statement is prepared
 * and finalised by db_stmt_done.
 */
enum db_err
db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt	*s;
	enum db_err	 ret;
	int		 slot;

	if (out == NULL)
		return DB_ERROR;
	*out = NULL;
	if (db == NULL || sql == NULL)
		return DB_ERROR;
	db->tick++;
	if ((s = db_cache_find(db, sql)) != NULL && !s->busy)
		goto found;
	if (s == NULL && (slot = db_cache_slot(db)) != -1) {
		ret = db_stmt_new(db, sql, db_hash(sql), 1, &s);
		if (ret != DB_OK) {
			/* Keep the array dense: move the last entry here. */
			db->cache[slot] = db->cache[--db->ncache];
			db->cache[db->ncache] = NULL;
			return ret;
		}
		db->cache[slot] = s;
		goto found;
	}
	if ((ret = db_stmt_new(db, sql, db_hash(sql), 0, &s)) != DB_OK)
		return ret;
	s->next = db->oneoff;
	db->oneoff = s;
found:
	s->used = db->tick;
	s->busy = 1;
	*out = s;
	return DB_OK;
}

static enum db_err
db_bind_rc(struct db_stmt *s, int rc)
{
	return rc == SQLITE_OK ? DB_OK : db_fail(s->db, rc, "bind", s->sql);
}

/* Text with an explicit length (it may hold NUL bytes); copied by SQLite. */
enum db_err
db_bind_text(struct db_stmt *s, int idx, const char *p, size_t len)
{
	if (s == NULL || (p == NULL && len > 0))
		return DB_ERROR;
	if (p == NULL)
		p = db_empty;
	if (s->pg != NULL)
		return db_pg_bind_text(s->pg, idx, p, len);
	return db_bind_rc(s, sqlite3_bind_text64(s->st, idx, p,
	    (sqlite3_uint64)len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

enum db_err
db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	if (s == NULL)
		return DB_ERROR;
	if (s->pg != NULL)
		return db_pg_bind_int64(s->pg, idx, v);
	return db_bind_rc(s, sqlite3_bind_int64(s->st, idx, (sqlite3_int64)v));
}

enum db_err
db_bind_double(struct db_stmt *s, int idx, double v)
{
	if (s == NULL)
		return DB_ERROR;
	if (s->pg != NULL)
		return db_pg_bind_double(s->pg, idx, v);
	return db_bind_rc(s, sqlite3_bind_double(s->st, idx, v));
}

enum db_err
db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t len)
{
	if (s == NULL || (p == NULL && len > 0))
		return DB_ERROR;
	if (p == NULL)
		p = db_empty;
	if (s->pg != NULL)
		return db_pg_bind_blob(s->pg, idx, p, len);
	return db_bind_rc(s, sqlite3_bind_blob64(s->st, idx, p,
	    (sqlite3_uint64)len, SQLITE_TRANSIENT));
}

enum db_err
db_bind_null(struct db_stmt *s, int idx)
{
	if (s == NULL)
		return DB_ERROR;
	if (s->pg != NULL)
		return db_pg_bind_null(s->pg, idx);
	return db_bind_rc(s, sqlite3_bind_null(s->st, idx));
}

enum db_err
db_step(struct db_stmt *s)
{
	int	 rc;

	if (s == NULL)
		return DB_ERROR;
	if (s->pg != NULL)
		return db_pg_step(s->pg);
	rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return db_fail(s->db, rc, "step", s->sql);
}

const char *
db_column_text(struct db_stmt *s, int col, size_t *len)
{
	const unsigned char *p = NULL;

	if (s != NULL && s->pg != NULL)
		return db_pg_column_text(s->pg, col, len);
	if (s != NULL && col >= 0 && col < sqlite3_column_count(s->st)) {
		/* Text first, then its length (https://sqlite.org/c3ref/column_blob.html). */
		p = sqlite3_column_text(s->st, col);
		if (len != NULL)
			*len = p == NULL ? 0 :
			    (size_t)sqlite3_column_bytes(s->st, col);
	} else if (len != NULL)
		*len = 0;
	return (const char *)p;
}

int64_t
db_column_int64(struct db_stmt *s, int col)
{
	if (s != NULL && s->pg != NULL)
		return db_pg_column_int64(s->pg, col);
	if (s == NULL || col < 0 || col >= sqlite3_column_count(s->st))
		return 0;
	return (int64_t)sqlite3_column_int64(s->st, col);
}

double
db_column_double(struct db_stmt *s, int col)
{
	if (s != NULL && s->pg != NULL)
		return db_pg_column_double(s->pg, col);
	if (s == NULL || col < 0 || col >= sqlite3_column_count(s->st))
		return 0.0;
	return sqlite3_column_double(s->st, col);
}

/* An empty blob is a pointer to no bytes, not NULL: NULL means SQL NULL. */
const void *
db_column_blob(struct db_stmt *s, int col, size_t *len)
{
	const void	*p = NULL;

	if (s != NULL && s->pg != NULL)
		return db_pg_column_blob(s->pg, col, len);
	if (len != NULL)
		*len = 0;
	if (s == NULL || col < 0 || col >= sqlite3_column_count(s->st) ||
	    sqlite3_column_type(s->st, col) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_blob(s->st, col);
	if (p == NULL)
		return db_empty;
	if (len != NULL)
		*len = (size_t)sqlite3_column_bytes(s->st, col);
	return p;
}

int
db_column_is_null(struct db_stmt *s, int col)
{
	if (s != NULL && s->pg != NULL)
		return db_pg_column_is_null(s->pg, col);
	if (s == NULL || col < 0 || col >= sqlite3_column_count(s->st))
		return 1;
	return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

/* Resets and clears the bindings of a cached statement; finalises a one-off. */
void
db_stmt_done(struct db_stmt *s)
{
	struct db_stmt	**pp;

	if (s == NULL)
		return;
	if (!s->cached) {
		for (pp = &s->db->oneoff; *pp != NULL; pp = &(*pp)->next)
			if (*pp == s) {
				*pp = s->next;
				break;
			}
		db_stmt_free(s);
		return;
	}
	s->busy = 0;
	if (s->pg != NULL) {
		db_pg_stmt_reset(s->pg);
		return;
	}
	/* reset returns the last step's error again: already reported. */
	(void)sqlite3_reset(s->st);
	(void)sqlite3_clear_bindings(s->st);
}

enum db_err
db_stmt_run(struct db_stmt *s)
{
	enum db_err	 e = db_step(s);

	db_stmt_done(s);
	return e == DB_DONE ? DB_OK : e;
}

int64_t
db_changes(struct db *db)
{
	if (db == NULL)
		return 0;
	if (db->pg != NULL)
		return db_pg_changes(db->pg);
	return (int64_t)sqlite3_changes64(db->h);
}

enum db_engine
db_engine(const struct db *db)
{
	return db != NULL && db->pg != NULL ? DB_ENGINE_POSTGRES :
	    DB_ENGINE_SQLITE;
}

int
db_url_valid(const char *url)
{
	return db_pg_url_valid(url);
}

int
db_locator_is_file(const char *locator)
{
	return locator != NULL && !db_pg_is_url(locator);
}

void
db_label(const char *locator, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (db_pg_is_url(locator))
		db_pg_label(locator, buf, len);
	else
		(void)snprintf(buf, len, "%s", locator != NULL ? locator : "");
}

/* Whether a transaction is open (SQLite: not in autocommit mode). */
static int
db_in_tx(struct db *db)
{
	if (db->pg != NULL)
		return db_pg_in_tx(db->pg);
	return !sqlite3_get_autocommit(db->h);
}

/* A cached statement run to its end: BEGIN and COMMIT of a read snapshot. */
static enum db_err
run_cached(struct db *db, const char *sql)
{
	struct db_stmt	*s;
	enum db_err	 e;

	if ((e = db_prepare(db, sql, &s)) != DB_OK)
		return e;
	return db_stmt_run(s);
}

enum db_err
db_read_begin(struct db *db)
{
	if (db == NULL)
		return DB_ERROR;
	if (db->pg != NULL || db_in_tx(db))
		return DB_OK;
	return run_cached(db, "BEGIN");
}

enum db_err
db_read_end(struct db *db)
{
	if (db == NULL || db->pg != NULL || !db_in_tx(db))
		return DB_OK;
	return run_cached(db, "COMMIT");
}

/*
 * BEGIN IMMEDIATE takes the write lock now, so a transaction never fails
 * half-way to upgrade its read lock
 * (https://sqlite.org/lang_transaction.html).
 */
enum db_err
db_begin(struct db *db)
{
	if (db != NULL && db->pg != NULL)
		return db_exec(db, "BEGIN ISOLATION LEVEL SERIALIZABLE");
	return db_exec(db, "BEGIN IMMEDIATE");
}

enum db_err
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

enum db_err
db_rollback(struct db *db)
{
	if (db == NULL)
		return DB_ERROR;
	/* After some errors SQLite has already rolled back. */
	if (!db_in_tx(db))
		return DB_OK;
	return db_exec(db, "ROLLBACK");
}

static int64_t
db_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps a random time in [ceiling/2, ceiling], the ceiling doubling with
 * each attempt, so that competing writers spread out. */
static void
db_backoff(int attempt)
{
	struct timespec	 ts;
	unsigned int	 r, ms = DB_TX_BACKOFF_MIN_MS;

	while (attempt-- > 0 && ms < DB_TX_BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > DB_TX_BACKOFF_MAX_MS)
		ms = DB_TX_BACKOFF_MAX_MS;
	sqlite3_randomness(sizeof(r), &r);
	ms = ms / 2 + r % (ms / 2 + 1);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * Inside an open transaction, fn runs under a savepoint: its failure
 * undoes its own work only, and the retry is left to the outermost
 * transaction (https://sqlite.org/lang_savepoint.html).
 */
static enum db_err
db_transaction_nested(struct db *db, enum db_err (*fn)(struct db *, void *),
    void *arg)
{
	enum db_err	 ret;

	if ((ret = db_exec(db, "SAVEPOINT db_transaction")) != DB_OK)
		return ret;
	if ((ret = fn(db, arg)) == DB_OK)
		return db_exec(db, "RELEASE db_transaction");
	if (db_in_tx(db)) {
		(void)db_exec(db, "ROLLBACK TO db_transaction");
		(void)db_exec(db, "RELEASE db_transaction");
	}
	return ret;
}

/*
 * Runs fn in a transaction.  BEGIN IMMEDIATE already waits up to the busy
 * timeout; a DB_BUSY from it, from fn or from COMMIT rolls back and tries
 * again after db_backoff(), at most DB_TX_ATTEMPTS times and while less
 * than busy_ms + DB_TX_BUDGET_MS have passed.  Any other error of fn is
 * returned after the rollback.  fn may therefore run more than once: it
 * must not keep effects outside the database between attempts.
 */
enum db_err
db_transaction(struct db *db, enum db_err (*fn)(struct db *, void *), void *arg)
{
	enum db_err	 ret = DB_ERROR;
	int64_t		 deadline;
	int		 attempt;

	if (db == NULL || fn == NULL)
		return DB_ERROR;
	if (db_in_tx(db))
		return db_transaction_nested(db, fn, arg);
	deadline = db_now_ms() + db->busy_ms + DB_TX_BUDGET_MS;
	for (attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			if (db_now_ms() >= deadline)
				break;
			db_backoff(attempt - 1);
		}
		if ((ret = db_begin(db)) == DB_BUSY)
			continue;
		if (ret != DB_OK)
			return ret;
		if ((ret = fn(db, arg)) == DB_OK &&
		    (ret = db_commit(db)) == DB_OK)
			return DB_OK;
		(void)db_rollback(db);
		if (ret != DB_BUSY)
			return ret;
	}
	log_warn("database transaction gave up", "reason", db_strerror(ret));
	return ret;
}
