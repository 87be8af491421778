/*
 * db_pg: the PostgreSQL engine of the db module (libpq).  Only db.c and
 * db_pg.c include this header: everything else speaks db_* (db.h), and
 * db.c dispatches a connection opened on a postgresql:// URL to the
 * functions below.  db.c keeps the statement cache (the same LRU and
 * one-off logic for both engines); this file owns the connection, the
 * server-side prepared statements, the bound values and the result rows.
 * libpq is loaded at run time (db_pg_dl.h), the first time a postgresql://
 * URL is used: SQLite deployments never map it.
 */
#ifndef FCGI_USERS_DB_PG_H
#define FCGI_USERS_DB_PG_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define DB_PG_PARAMS_MAX	99	/* highest ?NNN a statement may use */

struct db_pg;
struct db_pg_stmt;

/* 1 when locator is a PostgreSQL URL (postgresql:// or postgres://). */
int		 db_pg_is_url(const char *locator);
/*
 * Connects to url (libpq's URI form).  busy_ms bounds every statement
 * (statement_timeout) and, rounded up to seconds, the connect
 * (connect_timeout, at least 2 s).  DB_OPEN_READONLY makes every
 * transaction read-only; DB_OPEN_CREATE is meaningless here and ignored.
 * DB_UNAVAILABLE when the server cannot be reached.
 */
enum db_err	 db_pg_open(const char *url, int flags, int busy_ms,
		    struct db_pg **out);
void		 db_pg_close(struct db_pg *);
/* The connection is about to close: statements freed from now on do not
 * DEALLOCATE on the server (it forgets them with the connection). */
void		 db_pg_closing(struct db_pg *);
const char	*db_pg_errmsg(struct db_pg *);
/* A script of statements without parameters (simple query protocol). */
enum db_err	 db_pg_exec(struct db_pg *, const char *sql);
int64_t		 db_pg_changes(struct db_pg *);
/* 1 inside a transaction block (also a failed one), else 0. */
int		 db_pg_in_tx(struct db_pg *);

/*
 * A statement for sql written with SQLite's placeholders (?, ?NNN).  A
 * cached one is prepared on the server now (a named prepared statement,
 * prepared again after a reconnect); a one-off is sent with its text at
 * db_pg_step.  Free with db_pg_stmt_free.
 */
enum db_err	 db_pg_stmt_new(struct db_pg *, const char *sql, int cached,
		    struct db_pg_stmt **out);
void		 db_pg_stmt_free(struct db_pg_stmt *);
/* Forgets the result and the bound values. */
void		 db_pg_stmt_reset(struct db_pg_stmt *);

enum db_err	 db_pg_bind_text(struct db_pg_stmt *, int idx, const char *p,
		    size_t len);
enum db_err	 db_pg_bind_int64(struct db_pg_stmt *, int idx, int64_t v);
enum db_err	 db_pg_bind_double(struct db_pg_stmt *, int idx, double v);
enum db_err	 db_pg_bind_blob(struct db_pg_stmt *, int idx, const void *p,
		    size_t len);
enum db_err	 db_pg_bind_null(struct db_pg_stmt *, int idx);
/* The first call runs the statement; DB_ROW per row, then DB_DONE. */
enum db_err	 db_pg_step(struct db_pg_stmt *);
const char	*db_pg_column_text(struct db_pg_stmt *, int col, size_t *len);
int64_t		 db_pg_column_int64(struct db_pg_stmt *, int col);
double		 db_pg_column_double(struct db_pg_stmt *, int col);
const void	*db_pg_column_blob(struct db_pg_stmt *, int col, size_t *len);
int		 db_pg_column_is_null(struct db_pg_stmt *, int col);

/*
 * SQLite's placeholders as PostgreSQL's: "?NNN" is parameter NNN and "?"
 * one more than the largest number before it (https://sqlite.org/lang_expr.html#varparam);
 * the distinct numbers used become $1, $2... in ascending order, so a
 * statement that skips a number (?1 and ?3) still has no gap, which
 * PostgreSQL could not type.  Quoted text, quoted names and comments are
 * copied untouched.  *out (caller frees) is the new text; map[n] is the
 * $ number of SQLite's ?n (0: unused) for n in 1..*maxidx; *nparams is the
 * count of $ numbers.  -1 on a number past DB_PG_PARAMS_MAX or an
 * unterminated quote or comment, -2 when out of memory.
 */
int		 db_pg_translate(const char *sql, char **out,
		    int map[DB_PG_PARAMS_MAX + 1], int *maxidx, int *nparams);

/* 1 when url is a PostgreSQL URL that libpq parses, 0 when not, -1 when
 * libpq cannot be loaded (db_pg_dl.h). */
int		 db_pg_url_valid(const char *url);
/* The URL without its password ("postgresql://user@host:port/db") into
 * buf, for messages; "postgresql://?" when it does not parse. */
void		 db_pg_label(const char *url, char *buf, size_t len);

#endif
