/*
 * db: the storage connection.  Everything above this module speaks db_*
 * and plain SQL with `?` placeholders; this is the only file that includes
 * sqlite3.h (and, later, libpq-fe.h).  One connection per process, opened
 * before the first request, with WAL, a busy timeout, foreign keys and
 * synchronous=NORMAL; statements are prepared once and cached by their SQL
 * text; transactions retry on SQLITE_BUSY.
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
	DB__MAX
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
 * syncs it before using it. */
enum db_err	 db_open(const char *path, int flags, int busy_ms, struct db **out);
/* Finalises every cached statement and closes; accepts NULL. */
void		 db_close(struct db *);
/* The last error message of the engine (no bound values in it). */
const char	*db_errmsg(struct db *);

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

/* Rows changed by the last statement. */
int64_t		 db_changes(struct db *);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
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
