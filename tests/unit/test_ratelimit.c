/*
 * test_ratelimit: rate limits (src/common/ratelimit.c).  The parser of
 * slowapi's limit strings against a table of good and (more) bad inputs,
 * slowapi's description text, then GCRA on a real SQLite file migrated
 * with migrate_up, with the clock injected: scripts of hits, each carrying
 * its own line, check the verdict, RateLimit-Remaining, -Reset and
 * Retry-After through bursts, refills, separate keys and the rounding of
 * the emission interval.  Then pruning, bad arguments, a database without
 * the table, and four processes hitting one key at the same instant, of
 * which exactly `count` hits in all must pass.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "migrate.h"
#include "ratelimit.h"
#include "unit_util.h"

#define S_US	INT64_C(1000000)
#define MIN_US	(60 * S_US)
#define HOUR_US	(3600 * S_US)
#define DAY_US	(86400 * S_US)

static int
setup_common(void **state, int migrated)
{
	struct unit_tmpdb	*fx;

	if (unit_tmpdb_setup(state, sizeof(*fx), "/tmp/fu-test-ratelimit-XXXXXX") != 0)
		return -1;
	fx = *state;
	if (migrated && migrate_up(fx->db, 0, NULL) != DB_OK) {
		unit_tmpdb_teardown(fx);
		return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	return setup_common(state, 1);
}

static int
setup_bare(void **state)
{
	return setup_common(state, 0);
}

static int
teardown(void **state)
{
	unit_tmpdb_teardown(*state);
	return 0;
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(ratelimit_strerror(RATELIMIT_OK), "ok");
	assert_string_equal(ratelimit_strerror(RATELIMIT_EDB), "database error");
	assert_string_equal(ratelimit_strerror(RATELIMIT__MAX), "unknown error");
	assert_string_equal(ratelimit_strerror((enum ratelimit_err)-1),
	    "unknown error");
}

/* ---- parse ---- */

struct parse_case {
	int			 line;
	const char		*s;
	int			 ok;
	int64_t			 count, period_us, multiple;
	enum ratelimit_unit	 unit;
};

#define BAD(s)	{ __LINE__, (s), 0, 0, 0, 0, 0 }

static void
test_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ __LINE__, "10/minute", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "10 per minute", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "100/hour", 1, 100, HOUR_US, 1, RATELIMIT_HOUR },
		{ __LINE__, "5/second", 1, 5, S_US, 1, RATELIMIT_SECOND },
		{ __LINE__, "1000/day", 1, 1000, DAY_US, 1, RATELIMIT_DAY },
		{ __LINE__, "2 per 30 seconds", 1, 2, 30 * S_US, 30, RATELIMIT_SECOND },
		{ __LINE__, "10/2minute", 1, 10, 2 * MIN_US, 2, RATELIMIT_MINUTE },
		{ __LINE__, "10/2 minutes", 1, 10, 2 * MIN_US, 2, RATELIMIT_MINUTE },
		{ __LINE__, "  10 / minute  ", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "\t1\n/\tday\n", 1, 1, DAY_US, 1, RATELIMIT_DAY },
		{ __LINE__, "10/MINUTES", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "10 PER Hours", 1, 10, HOUR_US, 1, RATELIMIT_HOUR },
		{ __LINE__, "10per minute", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "010/minute", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		{ __LINE__, "1000000/second", 1, 1000000, S_US, 1, RATELIMIT_SECOND },
		{ __LINE__, "1/10000 days", 1, 1, 10000 * DAY_US, 10000, RATELIMIT_DAY },
		/* 64 bytes: the longest accepted. */
		{ __LINE__, "10/minute                                               "
		    "        ", 1, 10, MIN_US, 1, RATELIMIT_MINUTE },
		BAD("10/minute                                               "
		    "         "),	/* 65 bytes */
		BAD(""),
		BAD("   "),
		BAD("10"),
		BAD("0/minute"),
		BAD("00/minute"),
		BAD("-1/minute"),
		BAD("+10/minute"),
		BAD("10/fortnight"),
		BAD("10/month"),
		BAD("10/year"),
		BAD("10/"),
		BAD("10 per"),
		BAD("/minute"),
		BAD("per minute"),
		BAD("10 minute"),
		BAD("10 pe minute"),
		BAD("10 per per minute"),
		BAD("10//minute"),
		BAD("1e3/minute"),
		BAD("0x10/minute"),
		BAD("10.5/minute"),
		BAD("10/1.5 minutes"),
		BAD("1000001/minute"),
		BAD("99999999999999999999/minute"),
		BAD("18446744073709551617/minute"),
		BAD("10/0 minutes"),
		BAD("10/10001 minutes"),
		BAD("10/-1 minutes"),
		BAD("10/2 3 minutes"),
		BAD("10/minute x"),
		BAD("10/minutex"),
		BAD("10/minutess"),
		BAD("10/minute;20/hour"),
		BAD("10/minute,"),
		BAD("10/sec"),
		BAD("10/m"),
		BAD("10/s"),
		BAD("10/ minute s"),
		BAD("\xef\xbc\x91\xef\xbc\x90/minute"),	/* fullwidth digits */
		BAD("10/minute\xff"),
		BAD("10\xc2\xa0/minute"),		/* no-break space */
	};
	struct rate_limit	 l;
	size_t			 i;
	int			 bad = 0;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		const struct parse_case *c = &cases[i];

		memset(&l, 0x5a, sizeof(l));
		CHECK_INT(c->line, ratelimit_parse(c->s, &l), c->ok ? 0 : -1);
		if (!c->ok) {
			struct rate_limit sentinel;

			bad++;
			memset(&sentinel, 0x5a, sizeof(sentinel));
			CHECK(c->line, memcmp(&l, &sentinel, sizeof(l)) == 0);
			continue;
		}
		CHECK_INT(c->line, l.count, c->count);
		CHECK_INT(c->line, l.period_us, c->period_us);
		CHECK_INT(c->line, l.multiple, c->multiple);
		CHECK_INT(c->line, l.unit, c->unit);
	}
	CHECK(__LINE__, bad > (int)NCASES(cases) - bad);
	CHECK_INT(__LINE__, ratelimit_parse(NULL, &l), -1);
	CHECK_INT(__LINE__, ratelimit_parse("10/minute", NULL), -1);
	DONE();
}

/* ---- describe ---- */

static void
test_describe(void **state)
{
	static const struct {
		int		 line;
		const char	*s, *want;
	} cases[] = {
		{ __LINE__, "10/minute", "10 per 1 minute" },
		{ __LINE__, "10 per minutes", "10 per 1 minute" },
		{ __LINE__, "2 per 30 seconds", "2 per 30 second" },
		{ __LINE__, "100/hour", "100 per 1 hour" },
		{ __LINE__, "1000/day", "1000 per 1 day" },
		{ __LINE__, "60 per 60 seconds", "60 per 60 second" },
		{ __LINE__, "1000000/10000 days", "1000000 per 10000 day" },
	};
	struct rate_limit	 l, bad;
	char			 buf[RATELIMIT_DESCRIBE_MAX];
	size_t			 i, n;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		CHECK_INT(cases[i].line, ratelimit_parse(cases[i].s, &l), 0);
		memset(buf, 'x', sizeof(buf));
		CHECK_INT(cases[i].line, ratelimit_describe(&l, buf, sizeof(buf)), 0);
		CHECK_STR(cases[i].line, buf, cases[i].want);
		/* Exactly fits, and one byte short. */
		n = strlen(cases[i].want);
		CHECK_INT(cases[i].line, ratelimit_describe(&l, buf, n + 1), 0);
		CHECK_INT(cases[i].line, ratelimit_describe(&l, buf, n), -1);
	}

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	CHECK_INT(__LINE__, ratelimit_describe(NULL, buf, sizeof(buf)), -1);
	CHECK_INT(__LINE__, ratelimit_describe(&l, NULL, sizeof(buf)), -1);
	CHECK_INT(__LINE__, ratelimit_describe(&l, buf, 0), -1);
	bad = l;
	bad.period_us = 2 * MIN_US;		/* disagrees with "1 minute" */
	CHECK_INT(__LINE__, ratelimit_describe(&bad, buf, sizeof(buf)), -1);
	bad = l;
	bad.count = 0;
	CHECK_INT(__LINE__, ratelimit_describe(&bad, buf, sizeof(buf)), -1);
	bad = l;
	bad.unit = RATELIMIT_UNIT__MAX;
	CHECK_INT(__LINE__, ratelimit_describe(&bad, buf, sizeof(buf)), -1);
	bad = l;
	bad.unit = (enum ratelimit_unit)-1;
	CHECK_INT(__LINE__, ratelimit_describe(&bad, buf, sizeof(buf)), -1);
	bad = l;
	bad.multiple = 0;
	CHECK_INT(__LINE__, ratelimit_describe(&bad, buf, sizeof(buf)), -1);
	DONE();
}

/* ---- GCRA scripts ---- */

enum op {
	HIT,		/* allowed, remaining, reset, retry: the result */
	DENY_N,		/* `n` more hits all denied (remaining 0) */
	ALLOW_N,	/* `n` hits all allowed */
	ROWS,		/* n: rows in the table */
	TAT,		/* n: the key's tat_us */
};

struct step {
	int		 line;
	enum op		 op;
	const char	*key;
	int64_t		 now;
	int		 allowed;
	int64_t		 remaining, reset, retry;
	int64_t		 n;
};

static void
run_script(struct db *db, const struct rate_limit *l, const struct step *st)
{
	struct ratelimit_result	 r;
	struct db_stmt		*s;
	int64_t			 i;

	for (; st->line != 0; st++) {
		switch (st->op) {
		case HIT:
			CHECK_INT(st->line, ratelimit_hit(db, st->key, l, st->now,
			    &r), RATELIMIT_OK);
			CHECK_INT(st->line, r.allowed, st->allowed);
			CHECK_INT(st->line, r.limit, l->count);
			CHECK_INT(st->line, r.remaining, st->remaining);
			CHECK_INT(st->line, r.reset_s, st->reset);
			CHECK_INT(st->line, r.retry_after_s, st->retry);
			break;
		case ALLOW_N:
		case DENY_N:
			for (i = 0; i < st->n; i++) {
				CHECK_INT(st->line, ratelimit_hit(db, st->key, l,
				    st->now, &r), RATELIMIT_OK);
				CHECK_INT(st->line, r.allowed, st->op == ALLOW_N);
			}
			break;
		case ROWS:
			CHECK_INT(st->line, query_int(db, "SELECT count(*) "
			    "FROM rate_limits"), st->n);
			break;
		case TAT:
			assert_int_equal(db_prepare(db, "SELECT tat_us FROM "
			    "rate_limits WHERE key = ?", &s), DB_OK);
			assert_int_equal(db_bind_text(s, 1, st->key,
			    strlen(st->key)), DB_OK);
			CHECK_INT(st->line, db_step(s), DB_ROW);
			CHECK_INT(st->line, db_column_int64(s, 0), st->n);
			db_stmt_done(s);
			break;
		}
	}
}

#define END		{ 0, HIT, NULL, 0, 0, 0, 0, 0, 0 }
#define T0		(INT64_C(1700000000) * S_US)	/* a fixed "now" */
#define AT(s)		(T0 + (int64_t)((s) * 1e6))
#define OK_(k, t, rem, rst)	{ __LINE__, HIT, k, t, 1, rem, rst, 0, 0 }
#define NO_(k, t, rst, ra)	{ __LINE__, HIT, k, t, 0, 0, rst, ra, 0 }

/* 10/minute: T = 6 s.  Exactly 10 at once, the 11th waits 6 s; one every
 * 6 s after; a full burst 60 s after the bucket was full. */
static void
test_burst_and_refill(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	static const struct step script[] = {
		OK_("a", AT(0), 9, 6),
		OK_("a", AT(0), 8, 12),
		OK_("a", AT(0), 7, 18),
		OK_("a", AT(0), 6, 24),
		OK_("a", AT(0), 5, 30),
		OK_("a", AT(0), 4, 36),
		OK_("a", AT(0), 3, 42),
		OK_("a", AT(0), 2, 48),
		OK_("a", AT(0), 1, 54),
		OK_("a", AT(0), 0, 60),
		{ __LINE__, TAT, "a", 0, 0, 0, 0, 0, AT(60) },
		NO_("a", AT(0), 60, 6),			/* the 11th */
		{ __LINE__, DENY_N, "a", AT(0), 0, 0, 0, 0, 5 },
		{ __LINE__, TAT, "a", 0, 0, 0, 0, 0, AT(60) },	/* unchanged */
		NO_("a", AT(1), 59, 5),
		NO_("a", AT(5.5), 55, 1),		/* 0.5 s rounds up */
		NO_("a", AT(5.999999), 55, 1),		/* 1 us rounds up */
		OK_("a", AT(6), 0, 60),			/* exactly T later */
		{ __LINE__, TAT, "a", 0, 0, 0, 0, 0, AT(66) },
		NO_("a", AT(6), 60, 6),
		NO_("a", AT(11), 55, 1),
		OK_("a", AT(12), 0, 60),
		/* Separate keys are independent. */
		OK_("b", AT(12), 9, 6),
		NO_("a", AT(12), 60, 6),
		OK_("A", AT(12), 9, 6),			/* keys are exact */
		/* After 30 s idle half the bucket is back. */
		OK_("a", AT(42), 4, 36),
		{ __LINE__, ALLOW_N, "a", AT(42), 0, 0, 0, 0, 4 },
		NO_("a", AT(42), 60, 6),
		/* A full burst once the bucket has drained (tat 102 s). */
		OK_("a", AT(102), 9, 6),
		{ __LINE__, ALLOW_N, "a", AT(102), 0, 0, 0, 0, 9 },
		NO_("a", AT(102), 60, 6),
		/* Long after: the stale row counts as empty. */
		OK_("a", AT(100000), 9, 6),
		{ __LINE__, ROWS, NULL, 0, 0, 0, 0, 0, 3 },
		END
	};

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	run_script(fx->db, &l, script);
	DONE();
}

/* 10/minute from empty; the full burst again 60 s later, exactly. */
static void
test_full_burst_after_period(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	static const struct step script[] = {
		{ __LINE__, ALLOW_N, "c", AT(0), 0, 0, 0, 0, 10 },
		NO_("c", AT(0), 60, 6),
		OK_("c", AT(60), 9, 6),
		{ __LINE__, ALLOW_N, "c", AT(60), 0, 0, 0, 0, 9 },
		NO_("c", AT(60), 60, 6),
		END
	};

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	run_script(fx->db, &l, script);
	DONE();
}

/* Other limits: 2 per 30 s (T = 15 s), 1/second, and 7/minute, whose T
 * (8571428 us) is rounded down. */
static void
test_other_limits(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	static const struct step two_per_30[] = {
		OK_("k", AT(0), 1, 15),
		OK_("k", AT(0), 0, 30),
		NO_("k", AT(0), 30, 15),
		NO_("k", AT(14), 16, 1),
		OK_("k", AT(15), 0, 30),
		NO_("k", AT(15), 30, 15),
		END
	};
	static const struct step one_per_s[] = {
		OK_("o", AT(0), 0, 1),
		NO_("o", AT(0.5), 1, 1),
		NO_("o", AT(0.999999), 1, 1),
		OK_("o", AT(1), 0, 1),
		OK_("o", AT(3), 0, 1),
		NO_("o", AT(3), 1, 1),
		END
	};
	static const struct step seven_per_min[] = {
		{ __LINE__, ALLOW_N, "s", AT(0), 0, 0, 0, 0, 6 },
		OK_("s", AT(0), 0, 60),		/* 7 * 8.571428 s = 59.999996 s */
		{ __LINE__, TAT, "s", 0, 0, 0, 0, 0, AT(0) + 7 * 8571428 },
		NO_("s", AT(0), 60, 9),
		NO_("s", AT(8.571427), 52, 1),
		OK_("s", AT(8.571428), 0, 60),
		END
	};

	assert_int_equal(ratelimit_parse("2 per 30 seconds", &l), 0);
	run_script(fx->db, &l, two_per_30);
	assert_int_equal(ratelimit_parse("1/second", &l), 0);
	run_script(fx->db, &l, one_per_s);
	assert_int_equal(ratelimit_parse("7/minute", &l), 0);
	run_script(fx->db, &l, seven_per_min);
	DONE();
}

/* T rounds down, yet a burst never passes count: 3 per 5 us has T = 1 us,
 * and with the period as the burst window 5 would pass at once. */
static void
test_burst_is_exact(void **state)
{
	struct unit_tmpdb	*fx = *state;
	static const struct rate_limit l = { 3, 5, 1, RATELIMIT_SECOND };
	static const struct step script[] = {
		{ __LINE__, ALLOW_N, "e", T0, 0, 0, 0, 0, 3 },
		{ __LINE__, DENY_N, "e", T0, 0, 0, 0, 0, 3 },
		{ __LINE__, ALLOW_N, "e", T0 + 1, 0, 0, 0, 0, 1 },
		{ __LINE__, DENY_N, "e", T0 + 1, 0, 0, 0, 0, 1 },
		END
	};

	run_script(fx->db, &l, script);
	DONE();
}

/* XXX documented in ratelimit.c: a clock that steps back keeps the key
 * denied until it catches up; the wait is still said exactly. */
static void
test_clock_back(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	static const struct step script[] = {
		{ __LINE__, ALLOW_N, "d", AT(100), 0, 0, 0, 0, 10 },
		NO_("d", AT(40), 120, 66),
		OK_("d", AT(106), 0, 60),
		END
	};

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	run_script(fx->db, &l, script);
	DONE();
}

/* ---- pruning ---- */

static void
test_prune(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	struct ratelimit_result	 r;
	int			 i;
	char			 key[16];

	assert_int_equal(db_exec(fx->db, "INSERT INTO rate_limits VALUES "
	    "('old1', 100), ('old2', 199), ('edge', 200), ('new', 300)"), DB_OK);
	CHECK_INT(__LINE__, ratelimit_prune(fx->db, 200), RATELIMIT_OK);
	CHECK_INT(__LINE__, query_int(fx->db, "SELECT count(*) FROM rate_limits"), 2);
	CHECK_INT(__LINE__, query_int(fx->db, "SELECT count(*) FROM rate_limits "
	    "WHERE key IN ('edge', 'new')"), 2);
	CHECK_INT(__LINE__, ratelimit_prune(NULL, 200), RATELIMIT_EINVAL);

	/* Within RATELIMIT_PRUNE_EVERY hits, a hit prunes on its own. */
	assert_int_equal(db_exec(fx->db, "INSERT INTO rate_limits VALUES "
	    "('stale1', 5), ('stale2', 6)"), DB_OK);
	assert_int_equal(ratelimit_parse("1000/second", &l), 0);
	for (i = 0; i < RATELIMIT_PRUNE_EVERY; i++) {
		snprintf(key, sizeof(key), "k%d", i % 3);
		CHECK_INT(__LINE__, ratelimit_hit(fx->db, key, &l, T0, &r),
		    RATELIMIT_OK);
		CHECK_INT(__LINE__, r.allowed, 1);
	}
	CHECK_INT(__LINE__, query_int(fx->db, "SELECT count(*) FROM rate_limits "
	    "WHERE key LIKE 'stale%' OR key IN ('edge', 'new')"), 0);
	CHECK_INT(__LINE__, query_int(fx->db, "SELECT count(*) FROM rate_limits"), 3);
	DONE();
}

/* ---- bad arguments ---- */

static void
test_bad_arguments(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l, bad;
	struct ratelimit_result	 r;
	char			 key[RATELIMIT_KEY_MAX + 1];
	static const struct {
		int	 line;
		int64_t	 count, period_us;
	} limits[] = {
		{ __LINE__, 0, MIN_US },
		{ __LINE__, -1, MIN_US },
		{ __LINE__, RATELIMIT_COUNT_MAX + 1, DAY_US },
		{ __LINE__, 10, 9 },			/* T < 1 us */
		{ __LINE__, 10, 0 },
		{ __LINE__, 10, -MIN_US },
		{ __LINE__, 10, RATELIMIT_MULTIPLE_MAX * DAY_US + 1 },
		{ __LINE__, 10, INT64_MAX },
	};
	size_t			 i;

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	for (i = 0; i < NCASES(limits); i++) {
		bad = l;
		bad.count = limits[i].count;
		bad.period_us = limits[i].period_us;
		memset(&r, 0x5a, sizeof(r));
		CHECK_INT(limits[i].line, ratelimit_hit(fx->db, "x", &bad, T0,
		    &r), RATELIMIT_EINVAL);
		CHECK_INT(limits[i].line, r.allowed, 0);
		CHECK_INT(limits[i].line, r.limit, 0);
	}
	CHECK_INT(__LINE__, ratelimit_hit(NULL, "x", &l, T0, &r), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, NULL, &l, T0, &r), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "", &l, T0, &r), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", NULL, T0, &r), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", &l, T0, NULL), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", &l, -1, &r), RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", &l, INT64_MAX, &r),
	    RATELIMIT_EINVAL);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", &l, INT64_MIN, &r),
	    RATELIMIT_EINVAL);
	/* Keys: RATELIMIT_KEY_MAX - 1 bytes pass, one more does not. */
	memset(key, 'k', sizeof(key));
	key[RATELIMIT_KEY_MAX] = '\0';
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, key, &l, T0, &r), RATELIMIT_EINVAL);
	key[RATELIMIT_KEY_MAX - 1] = '\0';
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, key, &l, T0, &r), RATELIMIT_OK);
	CHECK_INT(__LINE__, r.allowed, 1);
	/* Nothing was recorded by the refused calls. */
	CHECK_INT(__LINE__, query_int(fx->db, "SELECT count(*) FROM rate_limits"), 1);
	/* The extremes of a valid limit and time work. */
	assert_int_equal(ratelimit_parse("1000000/10000 days", &l), 0);
	CHECK_INT(__LINE__, ratelimit_hit(fx->db, "x", &l, 0, &r), RATELIMIT_OK);
	CHECK_INT(__LINE__, r.remaining, RATELIMIT_COUNT_MAX - 1);
	DONE();
}

static void
test_no_table(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct rate_limit	 l;
	struct ratelimit_result	 r;

	assert_int_equal(ratelimit_parse("10/minute", &l), 0);
	assert_int_equal(ratelimit_hit(fx->db, "x", &l, T0, &r), RATELIMIT_EDB);
	assert_int_equal(r.allowed, 0);
	assert_int_equal(ratelimit_prune(fx->db, T0), RATELIMIT_EDB);
}

/* ---- concurrency ---- */

#define PROCS		4
#define PER_PROC	10

/* A child: its own connection, PER_PROC hits on one key at one instant as
 * soon as the parent says go (the pipe `go` closes).  Writes the number
 * allowed, one byte, to `out`; exits 0, or 1 on an error. */
static int
child(const char *path, int go, int out, int64_t now)
{
	struct db		*db = NULL;
	struct rate_limit	 l;
	struct ratelimit_result	 r;
	char			 c;
	int			 i, rc = 1;

	if (ratelimit_parse("10/minute", &l) == -1 ||
	    db_open(path, 0, 5000, &db) != DB_OK)
		goto out;
	if (read(go, &c, 1) == -1)	/* 0 (EOF) is the signal */
		goto out;
	for (c = 0, i = 0; i < PER_PROC; i++) {
		if (ratelimit_hit(db, "shared", &l, now, &r) != RATELIMIT_OK)
			goto out;
		c += (char)r.allowed;
	}
	if (write(out, &c, 1) == 1)
		rc = 0;
out:
	db_close(db);
	return rc;
}

/* Runs PROCS children at `now`; returns the hits allowed in all. */
static int
race(const char *path, int64_t now)
{
	pid_t	 pids[PROCS];
	int	 go[2], res[2], i, status, total = 0;
	char	 n;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	fflush(NULL);
	for (i = 0; i < PROCS; i++) {
		assert_true((pids[i] = fork()) >= 0);
		if (pids[i] == 0) {
			close(go[1]);
			close(res[0]);
			_exit(child(path, go[0], res[1], now));
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]);		/* go */
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(read(res[0], &n, 1), 1);
		assert_true(n >= 0 && n <= PER_PROC);
		total += n;
	}
	assert_int_equal(read(res[0], &n, 1), 0);
	close(res[0]);
	return total;
}

static void
test_concurrent_processes(void **state)
{
	struct unit_tmpdb	*fx = *state;
	int			 round;

	/* Several rounds, since a race may pass once by luck. */
	for (round = 0; round < 3; round++) {
		int64_t	 now = AT(1000 * round);

		assert_int_equal(race(fx->path, now), 10);
		assert_int_equal(query_int(fx->db, "SELECT tat_us FROM "
		    "rate_limits WHERE key = 'shared'"), now + 60 * S_US);
		/* 6 s later exactly one more, among 40 tries. */
		assert_int_equal(race(fx->path, now + 6 * S_US), 1);
		assert_int_equal(query_int(fx->db, "SELECT tat_us FROM "
		    "rate_limits WHERE key = 'shared'"), now + 66 * S_US);
	}
}

/* ---- reserve (spacing) ---- */

static void
test_reserve_spacing(void **state)
{
	struct unit_tmpdb	*fx = *state;
	int64_t			 w, t0 = 1000 * S_US;

	assert_int_equal(ratelimit_reserve(fx->db, "sp", S_US, 3 * S_US, t0, &w),
	    RATELIMIT_OK);
	assert_int_equal(w, 0);
	/* Callers at the same moment queue one interval apart. */
	assert_int_equal(ratelimit_reserve(fx->db, "sp", S_US, 3 * S_US, t0, &w),
	    RATELIMIT_OK);
	assert_int_equal(w, S_US);
	assert_int_equal(ratelimit_reserve(fx->db, "sp", S_US, 3 * S_US, t0 + 500000,
	    &w), RATELIMIT_OK);
	assert_int_equal(w, 1500000);
	/* Another key is its own queue. */
	assert_int_equal(ratelimit_reserve(fx->db, "other", S_US, 0, t0, &w),
	    RATELIMIT_OK);
	assert_int_equal(w, 0);
	/* Once the queue has drained, no wait. */
	assert_int_equal(ratelimit_reserve(fx->db, "sp", S_US, 3 * S_US, t0 + 10 * S_US,
	    &w), RATELIMIT_OK);
	assert_int_equal(w, 0);
}

static void
test_reserve_busy(void **state)
{
	struct unit_tmpdb	*fx = *state;
	int64_t			 w, t0 = 50 * S_US;

	/* max_wait 1.5 s: slots at 0 and 1 s fit, the one at 2 s does not. */
	assert_int_equal(ratelimit_reserve(fx->db, "b", S_US, 1500000, t0, &w),
	    RATELIMIT_OK);
	assert_int_equal(ratelimit_reserve(fx->db, "b", S_US, 1500000, t0, &w),
	    RATELIMIT_OK);
	assert_int_equal(w, S_US);
	assert_int_equal(ratelimit_reserve(fx->db, "b", S_US, 1500000, t0, &w),
	    RATELIMIT_EBUSY);
	assert_int_equal(w, 0);
	/* A refusal reserved nothing: the same call still fails, and a bit
	 * later the slot at 2 s is within reach. */
	assert_int_equal(ratelimit_reserve(fx->db, "b", S_US, 1500000, t0, &w),
	    RATELIMIT_EBUSY);
	assert_int_equal(ratelimit_reserve(fx->db, "b", S_US, 1500000, t0 + 600000,
	    &w), RATELIMIT_OK);
	assert_int_equal(w, 1400000);
	/* max_wait 0: only a free slot now. */
	assert_int_equal(ratelimit_reserve(fx->db, "z", S_US, 0, t0, &w), RATELIMIT_OK);
	assert_int_equal(ratelimit_reserve(fx->db, "z", S_US, 0, t0 + 999999, &w),
	    RATELIMIT_EBUSY);
	assert_int_equal(ratelimit_reserve(fx->db, "z", S_US, 0, t0 + S_US, &w),
	    RATELIMIT_OK);
	assert_string_equal(ratelimit_strerror(RATELIMIT_EBUSY),
	    "no free slot within the wait allowed");
}

static void
test_reserve_bad_arguments(void **state)
{
	struct unit_tmpdb	*fx = *state;
	int64_t			 w = 7;
	char			 big[RATELIMIT_KEY_MAX + 1];

	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ratelimit_reserve(NULL, "k", S_US, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(w, 0);
	assert_int_equal(ratelimit_reserve(fx->db, NULL, S_US, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "", S_US, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, big, S_US, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", 0, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", -1, 0, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", S_US, -1, 0, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", S_US, 0, -1, &w), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", S_US, 0, INT64_MAX, &w),
	    RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", INT64_MAX, 0, 0, &w),
	    RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_reserve(fx->db, "k", S_US, 0, 0, NULL),
	    RATELIMIT_EINVAL);
}

/* Two connections, as two processes would have: one queue. */
static void
test_reserve_two_connections(void **state)
{
	struct unit_tmpdb	*fx = *state;
	struct db		*db2;
	int64_t			 w1, w2, w3, t0 = 7 * S_US;

	assert_int_equal(db_open(fx->path, 0, 1000, &db2), DB_OK);
	assert_int_equal(ratelimit_reserve(fx->db, "n", S_US, 5 * S_US, t0, &w1),
	    RATELIMIT_OK);
	assert_int_equal(ratelimit_reserve(db2, "n", S_US, 5 * S_US, t0, &w2),
	    RATELIMIT_OK);
	assert_int_equal(ratelimit_reserve(fx->db, "n", S_US, 5 * S_US, t0, &w3),
	    RATELIMIT_OK);
	assert_int_equal(w1, 0);
	assert_int_equal(w2, S_US);
	assert_int_equal(w3, 2 * S_US);
	db_close(db2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_describe),
		cmocka_unit_test_setup_teardown(test_burst_and_refill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_burst_after_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_is_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_table, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_spacing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_two_connections, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
