/*
 * test_geocache: the geocoding cache (src/geocoding/cache.c) on a real,
 * migrated SQLite file: keys, hits and misses, expiry, replacement,
 * pruning, counting and clearing; and what it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "cache.h"
#include "db.h"
#include "migrate.h"
#include "unit_util.h"

struct fx {
	struct unit_tmpdb	 t;	/* first: unit_tmpdb_setup fills it */
	struct arena		*a;
};

static int
setup(void **state)
{
	struct fx	*fx;

	if (unit_tmpdb_setup(state, sizeof(*fx), "/tmp/fu-test-geocache-XXXXXX") != 0)
		return -1;
	fx = *state;
	if (migrate_up(fx->t.db, 0, NULL) != DB_OK ||
	    (fx->a = arena_new(0)) == NULL) {
		unit_tmpdb_teardown(&fx->t);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	arena_free(fx->a);
	unit_tmpdb_teardown(&fx->t);
	return 0;
}

static int64_t
rows(struct db *db)
{
	struct db_stmt	*st;
	int64_t		 n = -1;

	if (db_prepare(db, "SELECT count(*) FROM geocode_cache", &st) != DB_OK)
		return -1;
	if (db_step(st) == DB_ROW)
		n = db_column_int64(st, 0);
	db_stmt_done(st);
	return n;
}

static void
test_key(void **state)
{
	char	 k[GEOCACHE_KEY_MAX + 1], *big;

	(void)state;
	assert_int_equal(geocache_key("London", k, sizeof(k)), 0);
	assert_string_equal(k, "london");
	assert_int_equal(geocache_key("  LONDON \t\n", k, sizeof(k)), 0);
	assert_string_equal(k, "london");
	assert_int_equal(geocache_key("New  York", k, sizeof(k)), 0);
	assert_string_equal(k, "new  york");
	/* Bytes above ASCII stay as they are. */
	assert_int_equal(geocache_key("S\xc3\xa3o Paulo", k, sizeof(k)), 0);
	assert_string_equal(k, "s\xc3\xa3o paulo");
	/* Refused: empty, blank, too long, too small a buffer. */
	assert_int_equal(geocache_key("", k, sizeof(k)), -1);
	assert_int_equal(geocache_key(" \t ", k, sizeof(k)), -1);
	assert_int_equal(geocache_key("london", k, 6), -1);
	big = malloc(GEOCACHE_KEY_MAX + 2);
	memset(big, 'a', GEOCACHE_KEY_MAX + 1);
	big[GEOCACHE_KEY_MAX + 1] = '\0';
	assert_int_equal(geocache_key(big, k, sizeof(k)), -1);
	big[GEOCACHE_KEY_MAX] = '\0';
	assert_int_equal(geocache_key(big, k, sizeof(k)), 0);
	free(big);
}

static void
test_hit_miss_expiry(void **state)
{
	struct fx	*fx = *state;
	const char	*ans;

	assert_int_equal(geocache_get(fx->t.db, fx->a, "london", 1000, &ans),
	    GEOCACHE_MISS);
	assert_null(ans);
	assert_int_equal(geocache_put(fx->t.db, "london", "{\"city\":\"London\"}",
	    1000, 60), GEOCACHE_OK);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "london", 1000, &ans),
	    GEOCACHE_OK);
	assert_string_equal(ans, "{\"city\":\"London\"}");
	assert_int_equal(geocache_get(fx->t.db, fx->a, "london", 1059, &ans),
	    GEOCACHE_OK);
	/* Expired at created + ttl exactly; other keys are misses. */
	assert_int_equal(geocache_get(fx->t.db, fx->a, "london", 1060, &ans),
	    GEOCACHE_MISS);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "London", 1000, &ans),
	    GEOCACHE_MISS);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "londo", 1000, &ans),
	    GEOCACHE_MISS);
}

static void
test_replace_and_prune(void **state)
{
	struct fx	*fx = *state;
	const char	*ans;
	int64_t		 n;

	assert_int_equal(geocache_put(fx->t.db, "a", "1", 100, 10), GEOCACHE_OK);
	assert_int_equal(geocache_put(fx->t.db, "b", "2", 100, 1000), GEOCACHE_OK);
	assert_int_equal(geocache_put(fx->t.db, "a", "3", 105, 10), GEOCACHE_OK);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "a", 114, &ans), GEOCACHE_OK);
	assert_string_equal(ans, "3");
	assert_int_equal(rows(fx->t.db), 2);
	assert_int_equal(geocache_count(fx->t.db, 114, &n), GEOCACHE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(geocache_count(fx->t.db, 115, &n), GEOCACHE_OK);
	assert_int_equal(n, 1);
	/* The next store deletes what expired. */
	assert_int_equal(geocache_put(fx->t.db, "c", "4", 200, 10), GEOCACHE_OK);
	assert_int_equal(rows(fx->t.db), 2);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "a", 200, &ans), GEOCACHE_MISS);
	assert_int_equal(geocache_clear(fx->t.db), GEOCACHE_OK);
	assert_int_equal(rows(fx->t.db), 0);
	assert_int_equal(geocache_count(fx->t.db, 0, &n), GEOCACHE_OK);
	assert_int_equal(n, 0);
}

static void
test_refusals(void **state)
{
	struct fx	*fx = *state;
	const char	*ans;
	char		*big;

	assert_int_equal(geocache_put(fx->t.db, "", "x", 1, 1), GEOCACHE_EINVAL);
	assert_int_equal(geocache_put(fx->t.db, "k", "x", 1, 0), GEOCACHE_EINVAL);
	assert_int_equal(geocache_put(fx->t.db, "k", "x", 1, -5), GEOCACHE_EINVAL);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "", 1, &ans), GEOCACHE_EINVAL);
	big = malloc(GEOCACHE_ANSWER_MAX + 2);
	memset(big, 'x', GEOCACHE_ANSWER_MAX + 1);
	big[GEOCACHE_ANSWER_MAX + 1] = '\0';
	assert_int_equal(geocache_put(fx->t.db, "k", big, 1, 1), GEOCACHE_EINVAL);
	memset(big, 'k', GEOCACHE_KEY_MAX + 1);
	big[GEOCACHE_KEY_MAX + 1] = '\0';
	assert_int_equal(geocache_put(fx->t.db, big, "x", 1, 1), GEOCACHE_EINVAL);
	assert_int_equal(geocache_get(fx->t.db, fx->a, big, 1, &ans), GEOCACHE_EINVAL);
	free(big);
	assert_int_equal(rows(fx->t.db), 0);
	/* SQL in a key is a key. */
	assert_int_equal(geocache_put(fx->t.db, "x'; DROP TABLE geocode_cache; --",
	    "1", 1, 10), GEOCACHE_OK);
	assert_int_equal(rows(fx->t.db), 1);
	assert_string_equal(geocache_strerror(GEOCACHE__MAX), "unknown error");
}

/* An unmigrated database: errors, not crashes. */
static void
test_no_table(void **state)
{
	struct fx	*fx = *state;
	const char	*ans;
	int64_t		 n;

	assert_int_equal(db_exec(fx->t.db, "DROP TABLE geocode_cache"), DB_OK);
	assert_int_equal(geocache_get(fx->t.db, fx->a, "a", 1, &ans), GEOCACHE_EDB);
	assert_int_equal(geocache_put(fx->t.db, "a", "1", 1, 1), GEOCACHE_EDB);
	assert_int_equal(geocache_count(fx->t.db, 1, &n), GEOCACHE_EDB);
	assert_int_equal(geocache_clear(fx->t.db), GEOCACHE_EDB);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test_setup_teardown(test_hit_miss_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_and_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
