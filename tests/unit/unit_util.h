/*
 * unit_util: what the unit tests share, header-only so each test stays one
 * program of one file.  Table-driven cases report their own line: the
 * CHECK* macros print "file:line: ..." for the case that failed and count
 * it, and DONE() fails the cmocka test when any did, so one run shows every
 * failing case, not only the first.  Included after arena.h, it also gives
 * an arena per test; after db.h, the database fixture: a fresh temporary
 * folder with test.db open in it.
 *
 * A test that prints its strings in other quotes defines UNIT_QUOTE first.
 */
#ifndef FCGI_USERS_UNIT_UTIL_H
#define FCGI_USERS_UNIT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef UNIT_QUOTE
#define UNIT_QUOTE	"\""
#endif

/* Failed checks since the last DONE(). */
static int	failures __attribute__((unused));

#define CHECK(line, cond) do {						\
	if (!(cond)) {							\
		print_error("%s:%d: check failed: %s\n", __FILE__,	\
		    (line), #cond);					\
		failures++;						\
	}								\
} while (0)
/* Strings (NULL-safe) with both values printed on failure. */
#define CHECK_STR(line, got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!((g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0))) {	\
		print_error("%s:%d: %s: got " UNIT_QUOTE "%s" UNIT_QUOTE \
		    ", want " UNIT_QUOTE "%s" UNIT_QUOTE "\n",		\
		    __FILE__, (line), #got, g_ ? g_ : "(null)",		\
		    w_ ? w_ : "(null)");				\
		failures++;						\
	}								\
} while (0)
#define CHECK_INT(line, got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		print_error("%s:%d: %s: got %lld, want %lld\n",		\
		    __FILE__, (line), #got, g_, w_);			\
		failures++;						\
	}								\
} while (0)
/* A module's error enum, both values printed with its *_strerror(). */
#define CHECK_ENUM(line, type, strerror_fn, got, want) do {		\
	type g_ = (got), w_ = (want);					\
	if (g_ != w_) {							\
		print_error("%s:%d: got %s (%d), want %s (%d)\n",	\
		    __FILE__, (line), strerror_fn(g_), (int)g_,		\
		    strerror_fn(w_), (int)w_);				\
		failures++;						\
	}								\
} while (0)
#define DONE()	do {							\
	int f_ = failures;						\
	failures = 0;							\
	assert_int_equal(f_, 0);					\
} while (0)

/* cmocka's integer assertion, reported at a table case's line. */
#define check_int(a, b, line) \
	_assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), \
	    __FILE__, (line))

/* A string literal with its length, NUL bytes included. */
#define B(s)		(s), sizeof(s) - 1
#define NCASES(t)	(sizeof(t) / sizeof((t)[0]))

#ifdef FCGI_USERS_ARENA_H
/* --- an arena per test (cmocka setup and teardown) ----------------------- */

static inline int
setup_arena(void **state)
{
	*state = arena_new(4096);
	return *state == NULL ? -1 : 0;
}

static inline int
teardown_arena(void **state)
{
	arena_free(*state);
	return 0;
}
#endif /* FCGI_USERS_ARENA_H */

#ifdef FCGI_USERS_DB_H
#include <ftw.h>
#include <sys/stat.h>

/* --- the database fixture ------------------------------------------------ */

struct unit_tmpdb {
	char		 dir[64];
	char		 path[128];	/* dir/test.db */
	struct db	*db;
};

static inline int
unit_rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

/*
 * cmocka setup of a fixture of `size` zeroed bytes that begins with a
 * struct unit_tmpdb: a folder made from tmpl ("/tmp/...-XXXXXX") with
 * test.db created and open in it (busy timeout 1000 ms).  Sets *state and
 * returns 0, or returns -1.  Free with unit_tmpdb_teardown().
 */
static inline int
unit_tmpdb_setup(void **state, size_t size, const char *tmpl)
{
	struct unit_tmpdb	*fx;

	if ((fx = calloc(1, size)) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s", tmpl);
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/test.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, 1000, &fx->db) != DB_OK) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Closes the database, removes the folder and frees the fixture. */
static inline void
unit_tmpdb_teardown(struct unit_tmpdb *fx)
{
	db_close(fx->db);
	nftw(fx->dir, unit_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
}

/* The first column of the single row of sql, as an integer. */
static inline int64_t
query_int(struct db *db, const char *sql)
{
	struct db_stmt	*s;
	int64_t		 v;

	assert_int_equal(db_prepare(db, sql, &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	v = db_column_int64(s, 0);
	db_stmt_done(s);
	return v;
}

/* The first column of the single row of sql, as text into buf ("(null)"
 * for SQL NULL). */
static inline void
query_text(struct db *db, const char *sql, char *buf, size_t len)
{
	struct db_stmt	*s;
	const char	*v;

	assert_int_equal(db_prepare(db, sql, &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	v = db_column_text(s, 0, NULL);
	snprintf(buf, len, "%s", v != NULL ? v : "(null)");
	db_stmt_done(s);
}
#endif /* FCGI_USERS_DB_H */

#endif
