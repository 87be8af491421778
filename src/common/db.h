/*
 * db: the storage connection.  Everything above this module speaks db_*
 * and plain SQL with `?` placeholders; this module is the only one that
 * includes sqlite3.h (db.c) or libpq-fe.h (db_pg*.c, the PostgreSQL engine
 * that db.c dispatches to when db_open is given a postgresql:// URL).  One
 * connection per process, opened before the first request; with SQLite,
 * WAL, a busy timeout, foreign keys and synchronous=NORMAL; statements are
 * prepared once and cached by their SQL text; transactions retry on
 * SQLITE_BUSY (PostgreSQL: on a serialization failure or deadlock).
 *
 * Where the two dialects differ, a caller keeps one statement per engine
 * side by side, indexed by db_engine():
 *
 *	static const char *const SQL_X[DB_ENGINE__MAX] = {
 *		[DB_ENGINE_SQLITE] = "... max(a, ?) ...",
 *		[DB_ENGINE_POSTGRES] = "... GREATEST(a, ?) ...",
 *	};
 *	db_prepare(db, SQL_X[db_engine(db)], &s);
 *
 * PostgreSQL gets the same `?`/`?NNN` placeholders (db_pg translates them).
 */
#ifndef FCGI_USERS_DB_H
#define FCGI_USERS_DB_H

#include <stddef.h>
#include <stdint.h>

enum db_err {
	DB_OK,
	DB_ROW,			/* db_step: a row is ready */
	DB_DONE,		/* db_step: no more rows */
	DB_ERROR,		/* anything else, logged */
	DB_BUSY,		/* locked past the busy timeout */
	DB_CONSTRAINT,		/* a UNIQUE/CHECK/FOREIGN KEY was violated */
	DB_NOMEM,
	DB_READONLY,		/* the file or folder is not writable */
	DB_FULL,		/* disk or file size limit reached */
	DB_CANTOPEN,		/* the file cannot be opened or created */
	DB_CORRUPT,
	DB_UNAVAILABLE,		/* the database server cannot be reached */
	DB__MAX
};

enum db_engine {
	DB_ENGINE_SQLITE,
	DB_ENGINE_POSTGRES,
	DB_ENGINE__MAX
};

enum db_open_flags {
	DB_OPEN_READONLY	= 1 << 0,
	DB_OPEN_CREATE		= 1 << 1,	/* create the file when missing */
	DB_OPEN_SCRATCH		= 1 << 2,	/* a private file being built: see db_open */
};

#define DB_STMT_CACHE_MAX	64	/* prepared statements kept per connection */

struct db;
struct db_stmt;

const char	*db_strerror(enum db_err);

/* Opens the SQLite file at `path` (see config_sqlite_path) with the pragmas
 * above; busy_ms is the busy timeout.  *out is NULL on failure.  With
 * DB_OPEN_SCRATCH, for a file nobody else sees until it is complete (the
 * gazetteer import builds one and renames it): no journal, no fsync and an
 * exclusive lock, so a crash leaves a file to throw away, and the caller
 * syncs it before using it.
 * A `path` that starts postgresql:// or postgres:// is a libpq URL instead:
 * the connection is PostgreSQL's (db_pg.h: connect and statement timeouts
 * from busy_ms, DB_UNAVAILABLE when the server cannot be reached;
 * DB_OPEN_SCRATCH is refused). */
enum db_err	 db_open(const char *path, int flags, int busy_ms, struct db **out);
/* Finalises every cached statement and closes; accepts NULL. */
void		 db_close(struct db *);
/* The last error message of the engine (no bound values in it). */
const char	*db_errmsg(struct db *);
/* The engine of an open connection (SQLite for NULL). */
enum db_engine	 db_engine(const struct db *);
/* 1 when url is a postgresql:// URL that libpq can read, 0 when not, -1
 * when libpq (loaded at run time, only for such URLs) is not installed. */
int		 db_url_valid(const char *url);
/* Whether a DATABASE_URL locator names a SQLite file on this host (not
 * NULL, not a PostgreSQL URL). */
int		 db_locator_is_file(const char *locator);
/* A locator fit for messages into buf: a path as it is, a URL without its
 * password. */
void		 db_label(const char *locator, char *buf, size_t len);

/* Runs a script of statements without parameters. */
enum db_err	 db_exec(struct db *, const char *sql);
/* Checks that the connection answers (SELECT 1). */
enum db_err	 db_ping(struct db *);

/*
 * The cached prepared statement for `sql` (prepared on first use).  The
 * statement belongs to the connection: the caller binds, steps, then calls
 * db_stmt_done(), never frees it.  Parameters are numbered from 1.
 */
enum db_err	 db_prepare(struct db *, const char *sql, struct db_stmt **out);
enum db_err	 db_bind_text(struct db_stmt *, int idx, const char *p, size_t len);
enum db_err	 db_bind_int64(struct db_stmt *, int idx, int64_t v);
enum db_err	 db_bind_double(struct db_stmt *, int idx, double v);
enum db_err	 db_bind_blob(struct db_stmt *, int idx, const void *p, size_t len);
enum db_err	 db_bind_null(struct db_stmt *, int idx);
/* DB_ROW, DB_DONE or an error. */
enum db_err	 db_step(struct db_stmt *);
/* Columns from 0; text is valid until the next step or done; NULL for SQL NULL. */
const char	*db_column_text(struct db_stmt *, int col, size_t *len);
int64_t		 db_column_int64(struct db_stmt *, int col);
double		 db_column_double(struct db_stmt *, int col);
const void	*db_column_blob(struct db_stmt *, int col, size_t *len);
int		 db_column_is_null(struct db_stmt *, int col);
/* Resets the statement and clears its bindings for the next use. */
void		 db_stmt_done(struct db_stmt *);
/*
 * One step of a bound statement, then db_stmt_done: DB_OK when it ran to
 * its end, DB_ROW when it gave a row (not read), or the error.  For
 * statements run for their effect.
 */
enum db_err	 db_stmt_run(struct db_stmt *);

/* Rows changed by the last statement. */
int64_t		 db_changes(struct db *);

/*
 * A read snapshot over several statements: on SQLite a deferred BEGIN, so
 * that the reads until db_read_end share one WAL read lock (two system
 * calls, where each statement alone takes and drops its own); nothing on
 * PostgreSQL, where BEGIN and COMMIT would be two more round trips.  Never
 * write inside one (a write would have to upgrade a snapshot another
 * process may have moved past): end it first.  db_read_begin inside a
 * transaction, and db_read_end outside one, do nothing.
 */
enum db_err	 db_read_begin(struct db *);
enum db_err	 db_read_end(struct db *);
/* BEGIN IMMEDIATE (PostgreSQL: BEGIN ISOLATION LEVEL SERIALIZABLE, so that
 * a transaction sees and leaves the database as if it ran alone, which is
 * what SQLite's one writer at a time gives) / COMMIT / ROLLBACK. */
enum db_err	 db_begin(struct db *);
enum db_err	 db_commit(struct db *);
enum db_err	 db_rollback(struct db *);
/*
 * Runs fn inside a transaction; commits when it returns DB_OK, rolls back
 * otherwise.  When the begin, fn or the commit meets DB_BUSY the whole
 * transaction is retried with a short randomised back-off, up to a bound.
 */
enum db_err	 db_transaction(struct db *, enum db_err (*fn)(struct db *, void *),
		    void *arg);

#endif
