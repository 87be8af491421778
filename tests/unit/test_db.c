/*
 * test_db: the SQLite connection (src/common/db.c) on real files in a
 * temporary folder: opening (and failing to), the pragmas, error mapping,
 * the statement cache and its overflow, binds, and transactions that roll
 * back, nest and retry on a lock held by another connection.  Table cases
 * carry their own line, which cmocka reports on failure.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "unit_util.h"

/* The fixture: unit_util.h's temporary folder with test.db open in it. */
static int
setup(void **state)
{
	return unit_tmpdb_setup(state, sizeof(struct unit_tmpdb),
	    "/tmp/fu-test-db-XXXXXX");
}

static int
teardown(void **state)
{
	unit_tmpdb_teardown(*state);
	return 0;
}

static void
write_file(const char *path, const void *p, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	if (len > 0)
		assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_strerror(void **state)
{
	int	 i, j;

	(void)state;
	for (i = 0; i < DB__MAX; i++) {
		assert_non_null(db_strerror(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(db_strerror(i), db_strerror(j));
	}
	assert_string_equal(db_strerror(DB__MAX), "unknown database error");
	assert_string_equal(db_strerror((enum db_err)-1), "unknown database error");
	db_close(NULL);
	db_stmt_done(NULL);
	assert_non_null(db_errmsg(NULL));
	assert_int_equal(db_changes(NULL), 0);
}

static void
test_open_errors(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const unsigned char header[] = "SQLite format 3";
	static const struct {
		int		 line;
		const char	*fmt;		/* %s: the temporary folder */
		int		 flags;
		enum db_err	 want;
	} cases[] = {
		{ __LINE__, "%s/no/such/dir/x.db", DB_OPEN_CREATE, DB_CANTOPEN },
		{ __LINE__, "%s/absent.db", 0, DB_CANTOPEN },
		{ __LINE__, "%s/absent.db", DB_OPEN_READONLY, DB_CANTOPEN },
		{ __LINE__, "", DB_OPEN_CREATE, DB_CANTOPEN },
		{ __LINE__, "%s", 0, DB_CANTOPEN },		/* a folder */
		{ __LINE__, "%s", DB_OPEN_CREATE, DB_CANTOPEN },
		{ __LINE__, "file:%s/uri.db?mode=rwc", DB_OPEN_CREATE, DB_CANTOPEN },
		{ __LINE__, "%s/garbage.db", 0, DB_CORRUPT },
		{ __LINE__, "%s/garbage.db", DB_OPEN_READONLY, DB_CORRUPT },
		{ __LINE__, "%s/garbage.db", DB_OPEN_CREATE, DB_CORRUPT },
		{ __LINE__, "%s/header.db", 0, DB_CORRUPT },
		{ __LINE__, "%s/x.db", DB_OPEN_READONLY | DB_OPEN_CREATE, DB_ERROR },
		{ __LINE__, "%s/x.db", 1 << 7, DB_ERROR },
	};
	unsigned char	 hdr[200];
	char		 path[256], garbage[4096];
	struct db	*db;
	struct stat	 sb;
	size_t		 i;

	memset(garbage, 'x', sizeof(garbage));
	snprintf(path, sizeof(path), "%s/garbage.db", fx->dir);
	write_file(path, garbage, sizeof(garbage));
	/* A valid magic string, then a header of nonsense. */
	memset(hdr, 0xff, sizeof(hdr));
	memcpy(hdr, header, sizeof(header));
	snprintf(path, sizeof(path), "%s/header.db", fx->dir);
	write_file(path, hdr, sizeof(hdr));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), cases[i].fmt, fx->dir);
		db = (struct db *)&db;	/* must be reset to NULL */
		check_int(db_open(path, cases[i].flags, 100, &db),
		    cases[i].want, cases[i].line);
		check_int(db == NULL, 1, cases[i].line);
	}
	/* Failed opens created nothing. */
	snprintf(path, sizeof(path), "%s/absent.db", fx->dir);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/x.db", fx->dir);
	assert_int_equal(stat(path, &sb), -1);

	db = (struct db *)&db;
	assert_int_equal(db_open(NULL, DB_OPEN_CREATE, 100, &db), DB_ERROR);
	assert_null(db);
	assert_int_equal(db_open(fx->path, 0, 100, NULL), DB_ERROR);

	/* An empty file is an empty database. */
	snprintf(path, sizeof(path), "%s/empty.db", fx->dir);
	write_file(path, "", 0);
	assert_int_equal(db_open(path, 0, 100, &db), DB_OK);
	assert_int_equal(db_ping(db), DB_OK);
	db_close(db);
}

static void
test_pragmas(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db	*ro;
	char		 buf[32];

	query_text(fx->db, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "wal");
	assert_int_equal(query_int(fx->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(fx->db, "PRAGMA synchronous"), 1); /* NORMAL */

	assert_int_equal(db_open(fx->path, DB_OPEN_READONLY, -5, &ro), DB_OK);
	query_text(ro, "PRAGMA journal_mode", buf, sizeof(buf));
	assert_string_equal(buf, "wal");
	assert_int_equal(query_int(ro, "PRAGMA foreign_keys"), 1);
	db_close(ro);
}

static void
test_readonly(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db	*ro, *rw;
	struct db_stmt	*s;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER)"), DB_OK);
	assert_int_equal(db_open(fx->path, DB_OPEN_READONLY, 100, &ro), DB_OK);
	assert_int_equal(db_exec(ro, "INSERT INTO t VALUES (1)"), DB_READONLY);
	assert_int_equal(db_exec(ro, "CREATE TABLE u (v)"), DB_READONLY);
	assert_int_equal(db_prepare(ro, "INSERT INTO t VALUES (?)", &s), DB_OK);
	assert_int_equal(db_bind_int64(s, 1, 2), DB_OK);
	assert_int_equal(db_step(s), DB_READONLY);
	db_stmt_done(s);
	assert_int_equal(query_int(ro, "SELECT count(*) FROM t"), 0);
	db_close(ro);

	/* A file without write permission: root ignores the mode bits. */
	if (geteuid() != 0) {
		db_close(fx->db);
		fx->db = NULL;
		assert_int_equal(chmod(fx->path, 0444), 0);
		assert_int_equal(db_open(fx->path, 0, 100, &rw), DB_OK);
		assert_int_equal(db_exec(rw, "INSERT INTO t VALUES (1)"),
		    DB_READONLY);
		db_close(rw);
	}
}

static void
test_constraints(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const struct {
		int		 line;
		const char	*sql;
		enum db_err	 want;
	} cases[] = {
		{ __LINE__, "INSERT INTO u VALUES ('1', 'a@example.com', 1)", DB_DONE },
		{ __LINE__, "INSERT INTO u VALUES ('2', 'A@EXAMPLE.COM', 1)", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO u VALUES ('3', 'a@Example.com', 1)", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO u VALUES ('1', 'b@example.com', 1)", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO u VALUES ('4', NULL, 1)", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO u VALUES ('5', 'c@example.com', 7)", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO c VALUES (1, 'no-such-user')", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO c VALUES (2, '1')", DB_DONE },
		{ __LINE__, "DELETE FROM u WHERE id = '1'", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO u VALUES ('6', 'b@example.com', 0)", DB_DONE },
	};
	struct db_stmt	*s;
	size_t		 i;

	assert_int_equal(db_exec(fx->db,
	    "CREATE TABLE u (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL,"
	    " active INTEGER NOT NULL CHECK (active IN (0, 1)));"
	    "CREATE UNIQUE INDEX u_email ON u (lower(email));"
	    "CREATE TABLE c (id INTEGER PRIMARY KEY,"
	    " user_id TEXT NOT NULL REFERENCES u (id));"), DB_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_int(db_prepare(fx->db, cases[i].sql, &s), DB_OK,
		    cases[i].line);
		check_int(db_step(s), cases[i].want, cases[i].line);
		db_stmt_done(s);
		/* A statement that failed is ready again after done. */
		check_int(db_ping(fx->db), DB_OK, cases[i].line);
	}
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM u"), 2);
	assert_int_equal(db_exec(fx->db,
	    "INSERT INTO u VALUES ('9', 'A@example.com', 1)"), DB_CONSTRAINT);
	assert_non_null(strstr(db_errmsg(fx->db), "UNIQUE"));
	/* The message names the index, never the value. */
	assert_null(strstr(db_errmsg(fx->db), "example.com"));
}

static void
test_cache_same_pointer(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db_stmt	*a, *b, *c;
	char		 buf[64], *heap;

	assert_int_equal(db_prepare(fx->db, "SELECT 1", &a), DB_OK);
	db_stmt_done(a);
	assert_int_equal(db_prepare(fx->db, "SELECT 1", &b), DB_OK);
	assert_ptr_equal(a, b);
	db_stmt_done(b);
	/* The same text at another address is the same statement. */
	assert_non_null(heap = strdup("SELECT 1"));
	assert_int_equal(db_prepare(fx->db, heap, &c), DB_OK);
	assert_ptr_equal(a, c);
	db_stmt_done(c);
	free(heap);

	/* A reused buffer with new text is not the old statement. */
	snprintf(buf, sizeof(buf), "SELECT 2");
	assert_int_equal(db_prepare(fx->db, buf, &b), DB_OK);
	assert_ptr_not_equal(a, b);
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_column_int64(b, 0), 2);
	db_stmt_done(b);
	snprintf(buf, sizeof(buf), "SELECT 1");
	assert_int_equal(db_prepare(fx->db, buf, &c), DB_OK);
	assert_ptr_equal(a, c);
	assert_int_equal(db_step(c), DB_ROW);
	assert_int_equal(db_column_int64(c, 0), 1);
	db_stmt_done(c);
}

static void
test_cache_overflow(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db_stmt	*s, *held[DB_STMT_CACHE_MAX + 5];
	char		 sql[64];
	int		 round, i;

	/* Three times the cache, twice over: evictions must not confuse. */
	for (round = 0; round < 2; round++)
		for (i = 0; i < 3 * DB_STMT_CACHE_MAX; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d", i);
			assert_int_equal(db_prepare(fx->db, sql, &s), DB_OK);
			assert_int_equal(db_step(s), DB_ROW);
			assert_int_equal(db_column_int64(s, 0), i);
			assert_int_equal(db_step(s), DB_DONE);
			db_stmt_done(s);
		}
	/* More statements handed out at once than the cache holds. */
	for (i = 0; i < DB_STMT_CACHE_MAX + 5; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1000", i);
		assert_int_equal(db_prepare(fx->db, sql, &held[i]), DB_OK);
		assert_int_equal(db_step(held[i]), DB_ROW);
	}
	for (i = 0; i < DB_STMT_CACHE_MAX + 5; i++) {
		assert_int_equal(db_column_int64(held[i], 0), i + 1000);
		if (i % 2 == 0)		/* the rest are left to db_close */
			db_stmt_done(held[i]);
	}
}

static void
test_cache_busy_same_sql(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db_stmt	*a, *b, *c;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER);"
	    "INSERT INTO t VALUES (1), (2), (3)"), DB_OK);
	assert_int_equal(db_prepare(fx->db, "SELECT v FROM t WHERE v >= ?"
	    " ORDER BY v", &a), DB_OK);
	assert_int_equal(db_bind_int64(a, 1, 1), DB_OK);
	assert_int_equal(db_step(a), DB_ROW);
	/* The same query while the first is still stepping. */
	assert_int_equal(db_prepare(fx->db, "SELECT v FROM t WHERE v >= ?"
	    " ORDER BY v", &b), DB_OK);
	assert_ptr_not_equal(a, b);
	assert_int_equal(db_bind_int64(b, 1, 3), DB_OK);
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_column_int64(b, 0), 3);
	assert_int_equal(db_column_int64(a, 0), 1);
	assert_int_equal(db_step(a), DB_ROW);
	assert_int_equal(db_column_int64(a, 0), 2);
	db_stmt_done(b);
	db_stmt_done(a);
	assert_int_equal(db_prepare(fx->db, "SELECT v FROM t WHERE v >= ?"
	    " ORDER BY v", &c), DB_OK);
	assert_ptr_equal(a, c);
	/* done cleared the binding: NULL matches nothing. */
	assert_int_equal(db_step(c), DB_DONE);
	db_stmt_done(c);
}

static void
test_prepare_errors(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const struct {
		int		 line;
		const char	*sql;
	} cases[] = {
		{ __LINE__, "SELEC 1" },
		{ __LINE__, "" },
		{ __LINE__, "   " },
		{ __LINE__, "-- only a comment" },
		{ __LINE__, "SELECT * FROM no_such_table" },
		{ __LINE__, "SELECT no_such_column FROM sqlite_master" },
		{ __LINE__, "SELECT 1 +" },
		{ __LINE__, "SELECT 'unterminated" },
	};
	struct db_stmt	*s;
	size_t		 i;
	int		 k;

	/* More failures than the cache holds: none may take a slot. */
	for (k = 0; k < DB_STMT_CACHE_MAX / 4 + 1; k++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			s = (struct db_stmt *)&s;
			check_int(db_prepare(fx->db, cases[i].sql, &s),
			    DB_ERROR, cases[i].line);
			check_int(s == NULL, 1, cases[i].line);
		}
	s = (struct db_stmt *)&s;
	assert_int_equal(db_prepare(fx->db, NULL, &s), DB_ERROR);
	assert_null(s);
	assert_int_equal(db_prepare(NULL, "SELECT 1", &s), DB_ERROR);
	assert_int_equal(db_prepare(fx->db, "SELECT 1", NULL), DB_ERROR);
	assert_int_equal(db_ping(fx->db), DB_OK);
	assert_int_equal(db_exec(fx->db, "SELEC 1"), DB_ERROR);
	assert_int_equal(db_exec(fx->db, NULL), DB_ERROR);
	assert_int_equal(db_exec(NULL, "SELECT 1"), DB_ERROR);
	assert_int_equal(db_step(NULL), DB_ERROR);
}

static void
test_binds(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const unsigned char bin[] = { 0, 1, 0xff, 0x80, 0, 'x' };
	struct db_stmt	*s;
	const char	*t;
	const void	*b;
	size_t		 len;

	assert_int_equal(db_prepare(fx->db,
	    "SELECT ?, ?, ?, ?, ?, ?, ?, ?", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, "ab\0cd", 5), DB_OK);
	assert_int_equal(db_bind_text(s, 2, NULL, 0), DB_OK);
	assert_int_equal(db_bind_blob(s, 3, bin, sizeof(bin)), DB_OK);
	assert_int_equal(db_bind_blob(s, 4, NULL, 0), DB_OK);
	assert_int_equal(db_bind_null(s, 5), DB_OK);
	assert_int_equal(db_bind_int64(s, 6, INT64_MIN), DB_OK);
	assert_int_equal(db_bind_int64(s, 7, INT64_MAX), DB_OK);
	assert_int_equal(db_bind_double(s, 8, -0.5), DB_OK);
	/* Wrong: index 0 and past the last, NULL with a length. */
	assert_int_equal(db_bind_int64(s, 0, 1), DB_ERROR);
	assert_int_equal(db_bind_int64(s, 9, 1), DB_ERROR);
	assert_int_equal(db_bind_text(s, 99, "x", 1), DB_ERROR);
	assert_int_equal(db_bind_null(s, -1), DB_ERROR);
	assert_int_equal(db_bind_double(s, 9, 1.0), DB_ERROR);
	assert_int_equal(db_bind_blob(s, 9, bin, 1), DB_ERROR);
	assert_int_equal(db_bind_text(s, 1, NULL, 3), DB_ERROR);
	assert_int_equal(db_bind_blob(s, 3, NULL, 3), DB_ERROR);
	assert_int_equal(db_bind_text(NULL, 1, "x", 1), DB_ERROR);
	assert_int_equal(db_bind_int64(NULL, 1, 1), DB_ERROR);
	assert_int_equal(db_bind_null(NULL, 1), DB_ERROR);
	assert_int_equal(db_bind_double(NULL, 1, 1.0), DB_ERROR);
	assert_int_equal(db_bind_blob(NULL, 1, bin, 1), DB_ERROR);

	assert_int_equal(db_step(s), DB_ROW);
	t = db_column_text(s, 0, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(t, "ab\0cd", 5);
	t = db_column_text(s, 1, &len);
	assert_non_null(t);
	assert_int_equal(len, 0);
	assert_false(db_column_is_null(s, 1));
	b = db_column_blob(s, 2, &len);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(b, bin, sizeof(bin));
	b = db_column_blob(s, 3, &len);
	assert_non_null(b);
	assert_int_equal(len, 0);
	assert_true(db_column_is_null(s, 4));
	assert_null(db_column_text(s, 4, &len));
	assert_int_equal(len, 0);
	assert_null(db_column_blob(s, 4, &len));
	assert_true(db_column_int64(s, 5) == INT64_MIN);
	assert_true(db_column_int64(s, 6) == INT64_MAX);
	assert_true(db_column_double(s, 7) == -0.5);
	/* Columns out of range read as NULL. */
	len = 99;
	assert_null(db_column_text(s, 8, &len));
	assert_int_equal(len, 0);
	assert_null(db_column_text(s, -1, NULL));
	assert_null(db_column_blob(s, 8, &len));
	assert_int_equal(db_column_int64(s, 8), 0);
	assert_true(db_column_double(s, -1) == 0.0);
	assert_true(db_column_is_null(s, 8));
	assert_null(db_column_text(NULL, 0, &len));
	assert_int_equal(db_step(s), DB_DONE);
	db_stmt_done(s);

	/* done cleared every binding. */
	assert_int_equal(db_prepare(fx->db,
	    "SELECT ?, ?, ?, ?, ?, ?, ?, ?", &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_true(db_column_is_null(s, 0));
	assert_true(db_column_is_null(s, 6));
	db_stmt_done(s);
}

static void
test_changes(void **state)
{
	struct unit_tmpdb	*fx = *state;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER);"
	    "INSERT INTO t VALUES (1), (2), (3), (4)"), DB_OK);
	assert_int_equal(db_exec(fx->db, "UPDATE t SET v = v + 1 WHERE v > 1"),
	    DB_OK);
	assert_int_equal(db_changes(fx->db), 3);
	assert_int_equal(db_exec(fx->db, "DELETE FROM t WHERE v > 100"), DB_OK);
	assert_int_equal(db_changes(fx->db), 0);
}

struct tx_arg {
	int		 calls;
	int		 busy_calls;	/* return DB_BUSY this many times first */
	enum db_err	 result;
	int		 value;
};

static enum db_err
tx_insert(struct db *db, void *arg)
{
	struct tx_arg	*a = arg;
	struct db_stmt	*s;
	enum db_err	 ret;

	a->calls++;
	if ((ret = db_prepare(db, "INSERT INTO t VALUES (?)", &s)) != DB_OK)
		return ret;
	ret = db_bind_int64(s, 1, a->value);
	if (ret == DB_OK && (ret = db_step(s)) == DB_DONE)
		ret = DB_OK;
	db_stmt_done(s);
	if (ret != DB_OK)
		return ret;
	if (a->busy_calls > 0) {
		a->busy_calls--;
		return DB_BUSY;
	}
	return a->result;
}

static void
test_transaction_rollback(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const struct {
		int		 line;
		enum db_err	 result;
		int		 busy_calls;
		enum db_err	 want;
		int		 calls;
		int		 rows;	/* rows with this case's value */
	} cases[] = {
		{ __LINE__, DB_ERROR, 0, DB_ERROR, 1, 0 },
		{ __LINE__, DB_CONSTRAINT, 0, DB_CONSTRAINT, 1, 0 },
		{ __LINE__, DB_NOMEM, 0, DB_NOMEM, 1, 0 },
		{ __LINE__, DB_DONE, 0, DB_DONE, 1, 0 },
		{ __LINE__, DB_ERROR, 2, DB_ERROR, 3, 0 },
		{ __LINE__, DB_OK, 1, DB_OK, 2, 1 },
		{ __LINE__, DB_OK, 3, DB_OK, 4, 1 },
		{ __LINE__, DB_OK, 100, DB_BUSY, 10, 0 },	/* gives up */
		{ __LINE__, DB_OK, 0, DB_OK, 1, 1 },
	};
	struct tx_arg	 a;
	struct db_stmt	*s;
	size_t		 i;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER)"), DB_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.result = cases[i].result;
		a.busy_calls = cases[i].busy_calls;
		a.value = (int)i;
		check_int(db_transaction(fx->db, tx_insert, &a), cases[i].want,
		    cases[i].line);
		check_int(a.calls, cases[i].calls, cases[i].line);
		assert_int_equal(db_prepare(fx->db,
		    "SELECT count(*) FROM t WHERE v = ?", &s), DB_OK);
		assert_int_equal(db_bind_int64(s, 1, (int64_t)i), DB_OK);
		assert_int_equal(db_step(s), DB_ROW);
		check_int(db_column_int64(s, 0), cases[i].rows, cases[i].line);
		db_stmt_done(s);
	}
	assert_int_equal(db_transaction(fx->db, NULL, NULL), DB_ERROR);
	assert_int_equal(db_transaction(NULL, tx_insert, &a), DB_ERROR);
	/* No transaction is left open: BEGIN works. */
	assert_int_equal(db_begin(fx->db), DB_OK);
	assert_int_equal(db_rollback(fx->db), DB_OK);
	assert_int_equal(db_rollback(fx->db), DB_OK);	/* none open: fine */
	assert_int_equal(db_commit(fx->db), DB_ERROR);	/* none open */
}

struct nest_arg {
	struct tx_arg	 inner;
	enum db_err	 inner_ret;
};

static enum db_err
tx_outer(struct db *db, void *arg)
{
	struct nest_arg	*n = arg;
	struct tx_arg	 a;

	memset(&a, 0, sizeof(a));
	a.value = 1;
	if (tx_insert(db, &a) != DB_OK)
		return DB_ERROR;
	n->inner_ret = db_transaction(db, tx_insert, &n->inner);
	return DB_OK;
}

static void
test_transaction_nested(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct nest_arg	 n;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER)"), DB_OK);
	memset(&n, 0, sizeof(n));
	n.inner.value = 2;
	n.inner.result = DB_CONSTRAINT;
	assert_int_equal(db_transaction(fx->db, tx_outer, &n), DB_OK);
	assert_int_equal(n.inner_ret, DB_CONSTRAINT);
	assert_int_equal(n.inner.calls, 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM t WHERE v = 1"), 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM t WHERE v = 2"), 0);

	memset(&n, 0, sizeof(n));
	n.inner.value = 3;
	assert_int_equal(db_transaction(fx->db, tx_outer, &n), DB_OK);
	assert_int_equal(n.inner_ret, DB_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM t WHERE v = 3"), 1);
}

struct holder {
	struct db	*db;
	int		 hold_ms;
};

static void *
hold_then_release(void *arg)
{
	struct holder	*h = arg;
	struct timespec	 ts;

	ts.tv_sec = h->hold_ms / 1000;
	ts.tv_nsec = (long)(h->hold_ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	(void)db_commit(h->db);
	return NULL;
}

static void
test_transaction_busy(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db	*other, *me;
	struct holder	 h;
	struct tx_arg	 a;
	pthread_t	 th;
	int64_t		 t0, dt;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE t (v INTEGER)"), DB_OK);
	assert_int_equal(db_open(fx->path, 0, 0, &other), DB_OK);
	assert_int_equal(db_open(fx->path, 0, 10, &me), DB_OK);

	/* The write lock is held: BEGIN fails after the 10 ms busy timeout. */
	assert_int_equal(db_begin(other), DB_OK);
	assert_int_equal(db_begin(me), DB_BUSY);

	/* db's own busy handler keeps to busy_ms: 10 here, 200 below. */
	assert_int_equal(db_rollback(me), DB_OK);
	db_close(me);
	assert_int_equal(db_open(fx->path, 0, 200, &me), DB_OK);
	t0 = now_ms();
	assert_int_equal(db_begin(me), DB_BUSY);
	dt = now_ms() - t0;
	assert_true(dt >= 195 && dt < 1500);

	/* Held past every retry: DB_BUSY, fn never ran, bounded time. */
	memset(&a, 0, sizeof(a));
	t0 = now_ms();
	assert_int_equal(db_transaction(me, tx_insert, &a), DB_BUSY);
	dt = now_ms() - t0;
	assert_int_equal(a.calls, 0);
	assert_true(dt < 4000);
	assert_int_equal(db_rollback(other), DB_OK);

	/* Held for 300 ms by another thread: the retries get through. */
	assert_int_equal(db_begin(other), DB_OK);
	h.db = other;
	h.hold_ms = 300;
	assert_int_equal(pthread_create(&th, NULL, hold_then_release, &h), 0);
	memset(&a, 0, sizeof(a));
	a.value = 42;
	t0 = now_ms();
	assert_int_equal(db_transaction(me, tx_insert, &a), DB_OK);
	dt = now_ms() - t0;
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(a.calls, 1);
	assert_true(dt >= 250);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM t WHERE v = 42"), 1);
	db_close(me);
	db_close(other);
}

static void
test_close_with_open_work(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db	*db;
	struct db_stmt	*a, *b;

	assert_int_equal(db_open(fx->path, 0, 100, &db), DB_OK);
	assert_int_equal(db_prepare(db, "SELECT 1", &a), DB_OK);
	assert_int_equal(db_step(a), DB_ROW);
	assert_int_equal(db_prepare(db, "SELECT 1", &b), DB_OK);	/* one-off */
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_begin(db), DB_OK);
	db_close(db);	/* finalises both, rolls back; valgrind: no leak */
}

/* db_stmt_run: the verdicts, and the statement free for its next use. */
static void
test_stmt_run(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db_stmt		*s;
	int			 i;

	assert_int_equal(db_exec(fx->db, "CREATE TABLE r (k TEXT PRIMARY KEY, "
	    "n INTEGER NOT NULL)"), DB_OK);
	for (i = 0; i < 3; i++) {
		/* Runs to its end: DB_OK, and the same statement is reusable. */
		assert_int_equal(db_prepare(fx->db, "INSERT INTO r VALUES (?, 1)", &s), DB_OK);
		assert_int_equal(db_bind_text(s, 1, i == 0 ? "a" : i == 1 ? "b" : "c", 1), DB_OK);
		assert_int_equal(db_stmt_run(s), DB_OK);
	}
	assert_int_equal(db_changes(fx->db), 1);
	/* A row: DB_ROW, not read; reset all the same. */
	assert_int_equal(db_prepare(fx->db, "SELECT k FROM r ORDER BY k", &s), DB_OK);
	assert_int_equal(db_stmt_run(s), DB_ROW);
	assert_int_equal(db_prepare(fx->db, "SELECT k FROM r ORDER BY k", &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_column_text(s, 0, NULL), "a");
	db_stmt_done(s);
	/* No row: DB_OK. */
	assert_int_equal(db_prepare(fx->db, "SELECT k FROM r WHERE n = 2", &s), DB_OK);
	assert_int_equal(db_stmt_run(s), DB_OK);
	/* The errors come through, and leave the statement usable. */
	assert_int_equal(db_prepare(fx->db, "INSERT INTO r VALUES (?, 1)", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, "a", 1), DB_OK);
	assert_int_equal(db_stmt_run(s), DB_CONSTRAINT);
	assert_int_equal(db_prepare(fx->db, "INSERT INTO r VALUES (?, NULL)", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, "d", 1), DB_OK);
	assert_int_equal(db_stmt_run(s), DB_CONSTRAINT);
	assert_int_equal(db_prepare(fx->db, "INSERT INTO r VALUES (?, 1)", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, "d", 1), DB_OK);
	assert_int_equal(db_stmt_run(s), DB_OK);
	assert_int_equal(db_ping(fx->db), DB_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_same_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_busy_same_sql, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_with_open_work, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
