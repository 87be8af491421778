/*
 * test_db_postgres: the PostgreSQL engine of db (src/common/db_pg.c)
 * through the db_* API, against the throwaway cluster of the ctest
 * fixture "pg" (FU_PG_STATE/url): placeholder translation, binds and
 * column types, the statement cache, errors, transactions that roll back,
 * nest and retry on a serialization failure, the statement timeout, a
 * connection the server dropped, a server that is not there, and the
 * migrations of schema/postgres/.  Each test gets a fresh database.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "db_pg.h"
#include "migrate.h"
#include "ratelimit.h"
#include "unit_util.h"	/* query_int, query_text */

#define BUSY_MS	5000

struct fx {
	char		 admin[512];	/* the cluster's .../postgres URL */
	char		 url[600];	/* this test's database */
	char		 name[32];
	struct db	*db;
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
admin_exec(const struct fx *f, const char *sql)
{
	struct db	*a;

	assert_int_equal(db_open(f->admin, 0, 30000, &a), DB_OK);
	assert_int_equal(db_exec(a, sql), DB_OK);
	db_close(a);
}

static int
setup(void **state)
{
	static unsigned	 seq;
	struct fx	*f;
	const char	*st = getenv("FU_PG_STATE");
	char		 path[512], sql[128];
	FILE		*fp;
	size_t		 n;

	if (st == NULL) {
		print_error("FU_PG_STATE is not set (run through ctest)\n");
		return -1;
	}
	f = calloc(1, sizeof(*f));
	snprintf(path, sizeof(path), "%s/url", st);
	if (f == NULL || (fp = fopen(path, "r")) == NULL) {
		print_error("%s: no cluster\n", path);
		free(f);
		return -1;
	}
	n = fread(f->admin, 1, sizeof(f->admin) - 1, fp);
	fclose(fp);
	f->admin[n] = '\0';
	f->admin[strcspn(f->admin, "\r\n")] = '\0';
	snprintf(f->name, sizeof(f->name), "fut_%ld_%u", (long)getpid(), seq++);
	snprintf(f->url, sizeof(f->url), "%.*s/%s",
	    (int)(strlen(f->admin) - strlen("/postgres")), f->admin, f->name);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", f->name);
	admin_exec(f, sql);
	if (db_open(f->url, 0, BUSY_MS, &f->db) != DB_OK) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	char		 sql[128];

	db_close(f->db);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", f->name);
	admin_exec(f, sql);
	free(f);
	return 0;
}

/* Placeholders: SQLite's numbering, gaps closed, quotes and comments
 * left alone; what cannot be translated is refused. */
static void
test_translate(void **state)
{
	static const struct {
		int		 line;
		const char	*in, *out;	/* out NULL: refused (-1) */
		int		 maxidx, nparams;
	} cases[] = {
		{ __LINE__, "SELECT 1", "SELECT 1", 0, 0 },
		{ __LINE__, "SELECT ?", "SELECT $1", 1, 1 },
		{ __LINE__, "a = ? AND b = ?", "a = $1 AND b = $2", 2, 2 },
		{ __LINE__, "?2, ?1", "$2, $1", 2, 2 },
		{ __LINE__, "?1 ?3", "$1 $2", 3, 2 },
		{ __LINE__, "?3", "$1", 3, 1 },
		{ __LINE__, "? ?5 ?", "$1 $2 $3", 6, 3 },
		{ __LINE__, "?2 ?", "$1 $2", 3, 2 },
		{ __LINE__, "?1 + ?1", "$1 + $1", 1, 1 },
		{ __LINE__, "'?' || ?", "'?' || $1", 1, 1 },
		{ __LINE__, "'it''s ?' ?", "'it''s ?' $1", 1, 1 },
		{ __LINE__, "\"a?\" = ?", "\"a?\" = $1", 1, 1 },
		{ __LINE__, "-- why?\n?", "-- why?\n$1", 1, 1 },
		{ __LINE__, "?-- ?", "$1-- ?", 1, 1 },
		{ __LINE__, "/* ? */ ?", "/* ? */ $1", 1, 1 },
		{ __LINE__, "?99", "$1", 99, 1 },
		{ __LINE__, "?100", NULL, 0, 0 },
		{ __LINE__, "?0", NULL, 0, 0 },
		{ __LINE__, "?99 ?", NULL, 0, 0 },
		{ __LINE__, "'open ?", NULL, 0, 0 },
		{ __LINE__, "\"open ?", NULL, 0, 0 },
		{ __LINE__, "/* open ?", NULL, 0, 0 },
		{ __LINE__, "?12345678901", NULL, 0, 0 },
	};
	int	 map[DB_PG_PARAMS_MAX + 1], maxidx, np, rc, fails = 0;
	char	*out;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = db_pg_translate(cases[i].in, &out, map, &maxidx, &np);
		if (cases[i].out == NULL) {
			if (rc != -1 || out != NULL) {
				print_error("line %d: accepted \"%s\"\n",
				    cases[i].line, cases[i].in);
				fails++;
			}
		} else if (rc != 0 || strcmp(out, cases[i].out) != 0 ||
		    maxidx != cases[i].maxidx || np != cases[i].nparams) {
			print_error("line %d: \"%s\" gave %d \"%s\" max %d n %d\n",
			    cases[i].line, cases[i].in, rc, out ? out : "(null)",
			    maxidx, np);
			fails++;
		}
		free(out);
	}
	assert_int_equal(fails, 0);
	assert_int_equal(db_pg_translate(NULL, &out, map, &maxidx, &np), -1);
}

static void
test_open_and_label(void **state)
{
	struct fx	*f = *state;
	struct db	*db = NULL;
	char		 buf[256];
	int64_t		 t0;

	assert_int_equal(db_engine(f->db), DB_ENGINE_POSTGRES);
	assert_int_equal(db_engine(NULL), DB_ENGINE_SQLITE);
	assert_int_equal(db_ping(f->db), DB_OK);
	/* Nobody listens on port 1: refused at once, not a hang. */
	t0 = now_ms();
	assert_int_equal(db_open("postgresql://u@127.0.0.1:1/x", 0, BUSY_MS, &db),
	    DB_UNAVAILABLE);
	assert_null(db);
	assert_true(now_ms() - t0 < 3000);
	/* A URL libpq cannot read, and a scratch file on a server. */
	assert_int_equal(db_open("postgresql://u@h/x?nosuchoption=1", 0, BUSY_MS,
	    &db), DB_UNAVAILABLE);
	assert_int_equal(db_open(f->url, DB_OPEN_SCRATCH, BUSY_MS, &db), DB_ERROR);
	assert_int_equal(db_open(f->url, DB_OPEN_READONLY | DB_OPEN_CREATE, BUSY_MS,
	    &db), DB_ERROR);
	/* Messages never carry the password. */
	db_label("postgresql://admin:HUNTER2@db.example:5433/fu?sslmode=require",
	    buf, sizeof(buf));
	assert_string_equal(buf, "postgresql://admin@db.example:5433/fu");
	assert_null(strstr(buf, "HUNTER2"));
	db_label("postgres://db/fu", buf, sizeof(buf));
	assert_string_equal(buf, "postgresql://db/fu");
	db_label("/srv/fu.db", buf, sizeof(buf));
	assert_string_equal(buf, "/srv/fu.db");
	assert_int_equal(db_url_valid("postgresql://u:p@h:5/d?sslmode=disable"), 1);
	assert_int_equal(db_url_valid("postgresql://u@h/%zz"), 0);
	assert_int_equal(db_url_valid("/srv/fu.db"), 0);
	assert_string_equal(db_strerror(DB_UNAVAILABLE), "database server unavailable");
}

/* A read-only connection: every transaction is read-only. */
static void
test_readonly(void **state)
{
	struct fx	*f = *state;
	struct db	*ro;

	assert_int_equal(db_exec(f->db, "CREATE TABLE t (a BIGINT)"), DB_OK);
	assert_int_equal(db_open(f->url, DB_OPEN_READONLY, BUSY_MS, &ro), DB_OK);
	assert_int_equal(query_int(ro, "SELECT count(*) FROM t"), 0);
	assert_int_equal(db_exec(ro, "INSERT INTO t VALUES (1)"), DB_READONLY);
	db_close(ro);
}

static void
test_binds_and_columns(void **state)
{
	struct fx	*f = *state;
	struct db_stmt	*s;
	const unsigned char bin[] = { 0, 1, 0xff, '\\', 'x' };
	const void	*b;
	const char	*t;
	size_t		 len;

	assert_int_equal(db_exec(f->db, "CREATE TABLE v (i BIGINT, t TEXT,"
	    " b BYTEA, e BYTEA, f BOOLEAN, d DOUBLE PRECISION, n TEXT)"), DB_OK);
	assert_int_equal(db_prepare(f->db, "INSERT INTO v VALUES"
	    " (?, ?, ?, ?, ?, ?, ?)", &s), DB_OK);
	assert_int_equal(db_bind_int64(s, 1, INT64_MIN), DB_OK);
	assert_int_equal(db_bind_text(s, 2, "h\xc3\xa9llo 'x' ?", 12), DB_OK);
	assert_int_equal(db_bind_blob(s, 3, bin, sizeof(bin)), DB_OK);
	assert_int_equal(db_bind_blob(s, 4, NULL, 0), DB_OK);
	assert_int_equal(db_bind_int64(s, 5, 1), DB_OK);	/* 1 is true */
	assert_int_equal(db_bind_double(s, 6, -0.5), DB_OK);
	assert_int_equal(db_bind_null(s, 7), DB_OK);
	/* Out of range, NUL in text, NULL pointers with a length. */
	assert_int_equal(db_bind_int64(s, 8, 1), DB_ERROR);
	assert_int_equal(db_bind_int64(s, 0, 1), DB_ERROR);
	assert_int_equal(db_bind_text(s, 2, "a\0b", 3), DB_ERROR);
	assert_int_equal(db_bind_text(s, 2, NULL, 3), DB_ERROR);
	assert_int_equal(db_bind_blob(s, 3, NULL, 3), DB_ERROR);
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_changes(f->db), 1);
	db_stmt_done(s);

	assert_int_equal(db_prepare(f->db, "SELECT i, t, b, e, f, d, n,"
	    " NOT f, 2.75, '12abc', 'abc' FROM v", &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_true(db_column_int64(s, 0) == INT64_MIN);
	t = db_column_text(s, 1, &len);
	assert_int_equal(len, 12);
	assert_memory_equal(t, "h\xc3\xa9llo 'x' ?", 12);
	b = db_column_blob(s, 2, &len);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(b, bin, sizeof(bin));
	b = db_column_blob(s, 3, &len);
	assert_non_null(b);
	assert_int_equal(len, 0);
	assert_int_equal(db_column_int64(s, 4), 1);
	assert_int_equal(db_column_int64(s, 7), 0);
	assert_true(db_column_double(s, 5) == -0.5);
	assert_true(db_column_is_null(s, 6));
	assert_null(db_column_text(s, 6, &len));
	assert_int_equal(len, 0);
	assert_null(db_column_blob(s, 6, &len));
	assert_int_equal(db_column_int64(s, 8), 2);	/* as SQLite: cut */
	assert_int_equal(db_column_int64(s, 9), 12);	/* as SQLite: the prefix */
	assert_int_equal(db_column_int64(s, 10), 0);
	/* Out of range columns. */
	assert_null(db_column_text(s, 11, &len));
	assert_null(db_column_text(s, -1, &len));
	assert_int_equal(db_column_int64(s, 11), 0);
	assert_true(db_column_is_null(s, 11));
	assert_int_equal(db_step(s), DB_DONE);
	assert_int_equal(db_step(s), DB_DONE);
	db_stmt_done(s);
}

/* A statement that skips a number (?1, ?3) still runs; binding the
 * skipped one is accepted and changes nothing. */
static void
test_placeholder_gap(void **state)
{
	struct fx	*f = *state;
	struct db_stmt	*s;

	assert_int_equal(db_prepare(f->db, "SELECT CAST(?3 AS BIGINT) - ?1", &s),
	    DB_OK);
	assert_int_equal(db_bind_int64(s, 1, 2), DB_OK);
	assert_int_equal(db_bind_text(s, 2, "ignored", 7), DB_OK);
	assert_int_equal(db_bind_int64(s, 3, 44), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 42);
	db_stmt_done(s);
	/* Unbound is NULL, as SQLite.  (A parameter whose type nothing
	 * around it tells needs a CAST on PostgreSQL.) */
	assert_int_equal(db_prepare(f->db, "SELECT CAST(?1 AS TEXT) IS NULL", &s),
	    DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 1);
	db_stmt_done(s);
}

static void
test_errors(void **state)
{
	struct fx	*f = *state;
	struct db_stmt	*s = (struct db_stmt *)1;

	assert_int_equal(db_exec(f->db, "CREATE TABLE u (id TEXT PRIMARY KEY,"
	    " n BIGINT NOT NULL CHECK (n > 0))"), DB_OK);
	assert_int_equal(db_exec(f->db, "INSERT INTO u VALUES ('a', 1)"), DB_OK);
	assert_int_equal(db_exec(f->db, "INSERT INTO u VALUES ('a', 2)"),
	    DB_CONSTRAINT);
	assert_non_null(strstr(db_errmsg(f->db), "23505"));
	assert_int_equal(db_exec(f->db, "INSERT INTO u VALUES ('b', 0)"),
	    DB_CONSTRAINT);
	assert_int_equal(db_exec(f->db, "INSERT INTO u VALUES ('c', NULL)"),
	    DB_CONSTRAINT);
	/* Bad SQL fails to prepare, and the cache keeps no slot for it. */
	assert_int_equal(db_prepare(f->db, "SELEC 1", &s), DB_ERROR);
	assert_null(s);
	assert_int_equal(db_prepare(f->db, "SELECT nosuchcolumn FROM u", &s),
	    DB_ERROR);
	assert_int_equal(db_prepare(f->db, "SELECT 'open", &s), DB_ERROR);
	assert_int_equal(db_prepare(f->db, "SELECT ?100", &s), DB_ERROR);
	assert_int_equal(db_prepare(f->db, NULL, &s), DB_ERROR);
	assert_int_equal(db_exec(f->db, "NOT SQL"), DB_ERROR);
	/* An UPDATE that matches nothing changes nothing. */
	assert_int_equal(db_exec(f->db, "UPDATE u SET n = 5 WHERE id = 'zz'"),
	    DB_OK);
	assert_int_equal(db_changes(f->db), 0);
	assert_int_equal(db_exec(f->db, "UPDATE u SET n = n + 1"), DB_OK);
	assert_int_equal(db_changes(f->db), 1);
	/* A text value PostgreSQL cannot read for the column's type. */
	assert_int_equal(db_prepare(f->db, "SELECT n FROM u WHERE n = ?", &s),
	    DB_OK);
	assert_int_equal(db_bind_text(s, 1, "x", 1), DB_OK);
	assert_int_equal(db_step(s), DB_ERROR);
	db_stmt_done(s);
	assert_int_equal(db_ping(f->db), DB_OK);
}

/* More statements than the cache holds, each run twice; and a statement
 * prepared again while its first use still steps. */
static void
test_cache(void **state)
{
	struct fx	*f = *state;
	struct db_stmt	*s, *s2;
	char		 sql[64];
	int		 i, round;

	for (round = 0; round < 2; round++)
		for (i = 0; i < DB_STMT_CACHE_MAX + 10; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d + ?", i);
			assert_int_equal(db_prepare(f->db, sql, &s), DB_OK);
			assert_int_equal(db_bind_int64(s, 1, 1), DB_OK);
			assert_int_equal(db_step(s), DB_ROW);
			assert_int_equal(db_column_int64(s, 0), i + 1);
			db_stmt_done(s);
		}
	/* The server holds no more than the cache: the LRU's evictions
	 * deallocated theirs. */
	assert_true(query_int(f->db, "SELECT count(*) FROM pg_prepared_statements")
	    <= DB_STMT_CACHE_MAX);
	assert_int_equal(db_prepare(f->db, "SELECT generate_series(1, 3)", &s),
	    DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_prepare(f->db, "SELECT generate_series(1, 3)", &s2),
	    DB_OK);
	assert_ptr_not_equal(s, s2);
	assert_int_equal(db_step(s2), DB_ROW);
	assert_int_equal(db_step(s2), DB_ROW);
	assert_int_equal(db_column_int64(s2, 0), 2);
	assert_int_equal(db_column_int64(s, 0), 1);
	db_stmt_done(s2);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 2);
	db_stmt_done(s);
}

static enum db_err
tx_insert_fail(struct db *db, void *arg)
{
	(void)arg;
	if (db_exec(db, "INSERT INTO w VALUES (1)") != DB_OK)
		return DB_ERROR;
	return DB_CONSTRAINT;
}

static enum db_err
tx_insert_ok(struct db *db, void *arg)
{
	(void)arg;
	return db_exec(db, "INSERT INTO w VALUES (2)");
}

/* Inside: a nested transaction that fails undoes its own work only. */
static enum db_err
tx_outer(struct db *db, void *arg)
{
	enum db_err	 e;

	(void)arg;
	if ((e = db_exec(db, "INSERT INTO w VALUES (3)")) != DB_OK)
		return e;
	if (db_transaction(db, tx_insert_fail, NULL) != DB_CONSTRAINT)
		return DB_ERROR;
	/* An error inside a nested one: PostgreSQL's transaction goes on. */
	if (db_transaction(db, tx_insert_ok, NULL) != DB_OK)
		return DB_ERROR;
	return DB_OK;
}

static void
test_transactions(void **state)
{
	struct fx	*f = *state;

	assert_int_equal(db_exec(f->db, "CREATE TABLE w (a BIGINT UNIQUE)"), DB_OK);
	assert_int_equal(db_transaction(f->db, tx_insert_fail, NULL), DB_CONSTRAINT);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM w"), 0);
	assert_int_equal(db_transaction(f->db, tx_outer, NULL), DB_OK);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM w"), 2);
	assert_int_equal(query_int(f->db, "SELECT sum(a) FROM w"), 5);
	/* The isolation db_begin asks for. */
	assert_int_equal(db_begin(f->db), DB_OK);
	{
		char buf[32];

		query_text(f->db, "SHOW transaction_isolation", buf, sizeof(buf));
		assert_string_equal(buf, "serializable");
	}
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(db_rollback(f->db), DB_OK);	/* none open: fine */
	/* A failed statement leaves the transaction for the rollback. */
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_exec(f->db, "INSERT INTO w VALUES (2)"), DB_CONSTRAINT);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(db_ping(f->db), DB_OK);
}

/* Another connection holds the row in a transaction for a while, then
 * commits its change. */
struct holder {
	const char	*url;
	int		 ready;
	pthread_mutex_t	 mu;
};

static void *
hold_row(void *arg)
{
	struct holder	*h = arg;
	struct db	*db;

	if (db_open(h->url, 0, BUSY_MS, &db) != DB_OK)
		return NULL;
	(void)db_begin(db);
	(void)db_exec(db, "UPDATE c SET n = n + 100");
	pthread_mutex_lock(&h->mu);
	h->ready = 1;
	pthread_mutex_unlock(&h->mu);
	usleep(300 * 1000);
	(void)db_commit(db);
	db_close(db);
	return NULL;
}

static enum db_err
tx_read_then_add(struct db *db, void *arg)
{
	struct db_stmt	*s;
	enum db_err	 e;
	int		*runs = arg;
	int64_t		 n;

	(*runs)++;
	if ((e = db_prepare(db, "SELECT n FROM c", &s)) != DB_OK)
		return e;
	if ((e = db_step(s)) != DB_ROW) {
		db_stmt_done(s);
		return e;
	}
	n = db_column_int64(s, 0);
	db_stmt_done(s);
	if ((e = db_prepare(db, "UPDATE c SET n = ?", &s)) != DB_OK)
		return e;
	if ((e = db_bind_int64(s, 1, n + 1)) == DB_OK && (e = db_step(s)) == DB_DONE)
		e = DB_OK;
	db_stmt_done(s);
	return e;
}

/* A read-modify-write that races another: the serialization failure is
 * DB_BUSY, and db_transaction runs it again on the committed value, so
 * no update is lost (SQLite's one writer at a time, by other means). */
static void
test_serialization_retry(void **state)
{
	struct fx	*f = *state;
	struct holder	 h = { f->url, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t	 t;
	int		 runs = 0, ready = 0;

	assert_int_equal(db_exec(f->db, "CREATE TABLE c (n BIGINT);"
	    " INSERT INTO c VALUES (0)"), DB_OK);
	assert_int_equal(pthread_create(&t, NULL, hold_row, &h), 0);
	while (!ready) {
		usleep(5 * 1000);
		pthread_mutex_lock(&h.mu);
		ready = h.ready;
		pthread_mutex_unlock(&h.mu);
	}
	assert_int_equal(db_transaction(f->db, tx_read_then_add, &runs), DB_OK);
	pthread_join(t, NULL);
	assert_int_equal(query_int(f->db, "SELECT n FROM c"), 101);
	assert_true(runs >= 2);
}

/* A statement past the busy timeout is stopped by the server: DB_BUSY,
 * within the bound. */
static void
test_statement_timeout(void **state)
{
	struct fx	*f = *state;
	struct db	*db;
	int64_t		 t0;

	assert_int_equal(db_open(f->url, 0, 1000, &db), DB_OK);
	t0 = now_ms();
	assert_int_equal(db_exec(db, "SELECT pg_sleep(5)"), DB_BUSY);
	assert_true(now_ms() - t0 < 4000);
	assert_int_equal(db_ping(db), DB_OK);
	db_close(db);
}

/* The server ends our connection (a restart, an admin): the next
 * statement reconnects, prepares again and is answered; inside a
 * transaction it fails once with DB_UNAVAILABLE. */
static void
test_reconnect(void **state)
{
	struct fx	*f = *state;
	struct db_stmt	*s;
	char		 sql[96];
	int64_t		 pid, pid2;

	pid = query_int(f->db, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", (long long)pid);
	admin_exec(f, sql);
	usleep(100 * 1000);
	/* A statement prepared for the first time finds the loss. */
	assert_int_equal(db_prepare(f->db, "SELECT ? + 1", &s), DB_OK);
	assert_int_equal(db_bind_int64(s, 1, 41), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 42);
	db_stmt_done(s);
	pid2 = query_int(f->db, "SELECT pg_backend_pid()");	/* prepared again */
	assert_true(pid2 != pid);
	/* A cached statement run finds it: prepared again and resent. */
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", (long long)pid2);
	admin_exec(f, sql);
	usleep(100 * 1000);
	pid = query_int(f->db, "SELECT pg_backend_pid()");
	assert_true(pid2 != pid);
	pid2 = pid;

	assert_int_equal(db_begin(f->db), DB_OK);
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", (long long)pid2);
	admin_exec(f, sql);
	usleep(100 * 1000);
	assert_int_equal(db_exec(f->db, "SELECT 1"), DB_UNAVAILABLE);
	assert_int_equal(db_rollback(f->db), DB_OK);
	assert_int_equal(db_ping(f->db), DB_OK);
	assert_int_equal(db_begin(f->db), DB_OK);
	assert_int_equal(db_commit(f->db), DB_OK);
}

/* schema/postgres/ applies, reads back, reverts and applies again. */
static void
test_migrations(void **state)
{
	struct fx	*f = *state;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*out;
	int		 v;

	assert_int_equal(migrate_current(f->db, &v), DB_OK);
	assert_int_equal(v, 0);
	assert_int_equal(migrate_up(f->db, 0, NULL), DB_OK);
	assert_int_equal(migrate_current(f->db, &v), DB_OK);
	assert_int_equal(v, migrate_latest_postgres());
	assert_non_null(out = open_memstream(&buf, &len));
	assert_int_equal(migrate_status(f->db, out), DB_OK);
	fclose(out);
	assert_non_null(strstr(buf, "0001 users"));
	assert_null(strstr(buf, "pending"));
	free(buf);
	assert_int_equal(migrate_up(f->db, 0, NULL), DB_OK);	/* nothing to do */
	assert_int_equal(migrate_down(f->db, migrate_latest_postgres(), NULL), DB_OK);
	assert_int_equal(migrate_current(f->db, &v), DB_OK);
	assert_int_equal(v, 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM pg_tables WHERE"
	    " schemaname = 'public' AND tablename <> 'schema_migrations'"), 0);
	assert_int_equal(migrate_up(f->db, 3, NULL), DB_OK);
	assert_int_equal(migrate_current(f->db, &v), DB_OK);
	assert_int_equal(v, 3);
	assert_int_equal(migrate_up(f->db, 0, NULL), DB_OK);
	/* A boolean column answers 0/1, the default created_at is SQLite's form. */
	assert_int_equal(db_exec(f->db, "INSERT INTO users (id, email,"
	    " hashed_password) VALUES ('00000000-0000-4000-8000-000000000000',"
	    " 'a@b.c', 'x')"), DB_OK);
	assert_int_equal(query_int(f->db, "SELECT is_active FROM users"), 1);
	assert_int_equal(query_int(f->db, "SELECT is_verified FROM users"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM users WHERE"
	    " created_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$'"), 1);
}

/* Two admins migrating at once: the lock makes them take turns, and each
 * migration is applied once. */
static void *
migrate_thread(void *arg)
{
	struct db	*db;
	const char	*url = arg;
	enum db_err	 e = DB_ERROR;

	if (db_open(url, 0, 30000, &db) == DB_OK) {
		e = migrate_up(db, 0, NULL);
		db_close(db);
	}
	return (void *)(intptr_t)e;
}

static void
test_migrations_concurrent(void **state)
{
	struct fx	*f = *state;
	pthread_t	 t[3];
	void		*rv;
	int		 i;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread,
		    f->url), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(t[i], &rv), 0);
		assert_int_equal((intptr_t)rv, DB_OK);
	}
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"),
	    migrate_latest_postgres());
}

/* GCRA on PostgreSQL decides at the server's clock: a caller's clock an
 * hour off changes nothing; 3 a minute allow 3, in order, then deny;
 * reservations come a slot apart. */
static void
test_ratelimit(void **state)
{
	struct fx	*f = *state;
	struct rate_limit l;
	struct ratelimit_result r;
	int64_t		 now = (int64_t)time(NULL) * 1000000, wait, prev = -1;
	int		 i;

	assert_int_equal(migrate_up(f->db, 0, NULL), DB_OK);
	assert_int_equal(ratelimit_parse("3/minute", &l), 0);
	for (i = 0; i < 4; i++) {
		/* The caller's clock: off by an hour, either way. */
		assert_int_equal(ratelimit_hit(f->db, "k", &l,
		    now + (i % 2 ? 3600 : -3600) * INT64_C(1000000), &r), RATELIMIT_OK);
		assert_int_equal(r.allowed, i < 3);
		if (i < 3)
			assert_int_equal(r.remaining, 2 - i);
	}
	assert_true(r.retry_after_s >= 1 && r.retry_after_s <= 60);
	assert_true(r.reset_s >= 1 && r.reset_s <= 60);
	/* The prune dates by the server too: a caller's clock a day ahead
	 * deletes no live bucket. */
	assert_int_equal(ratelimit_prune(f->db, now + 86400 * INT64_C(1000000)),
	    RATELIMIT_OK);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM rate_limits"), 1);
	assert_int_equal(ratelimit_hit(f->db, "other", &l, now, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(r.remaining, 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_reserve(f->db, "spacing", 1000000, 5000000,
		    now - 3600 * INT64_C(1000000), &wait), RATELIMIT_OK);
		if (prev >= 0)
			assert_true(wait - prev > 900000 && wait - prev <= 1000000);
		prev = wait;
	}
	assert_int_equal(ratelimit_reserve(f->db, "spacing", 1000000, 500000, now,
	    &wait), RATELIMIT_EBUSY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate),
		cmocka_unit_test_setup_teardown(test_open_and_label, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binds_and_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_placeholder_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serialization_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrations_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
