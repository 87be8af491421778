/*
 * test_throttle: login throttling (src/common/throttle.c) on a real SQLite
 * file migrated with migrate_up, with the clock injected.  Scripts of
 * check / fail / success / prune steps, each carrying its own line, cover
 * the window arithmetic: exactly N failures allowed then blocked, the
 * per-address limit apart from the per-account one, a success clearing
 * the account only, expiry, Retry-After, e-mails without regard to case and
 * a clock that goes back.  Then address keys, bad arguments, a database
 * without the table, and four processes recording failures at once, which
 * must all be counted.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "db.h"
#include "migrate.h"
#include "throttle.h"

#define check_int(a, b, line) \
	_assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), \
	    __FILE__, (line))

struct fx {
	char		 dir[64];
	char		 path[128];
	struct db	*db;
};

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
setup_common(void **state, int migrated)
{
	struct fx	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fu-test-throttle-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/test.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, 5000, &fx->db) != DB_OK ||
	    (migrated && migrate_up(fx->db, 0, NULL) != DB_OK)) {
		db_close(fx->db);
		free(fx);
		return -1;
	}
	*state = fx;
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
	struct fx	*fx = *state;

	db_close(fx->db);
	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static int64_t
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

/* ---- scripts ---- */

enum op {
	CHECK,		/* want: THROTTLE_OK / THROTTLE_BLOCKED; retry: Retry-After */
	FAIL,		/* want: THROTTLE_OK */
	SUCCESS,	/* want: THROTTLE_OK */
	PRUNE,		/* want: THROTTLE_OK */
	ROWS,		/* retry: rows in the table */
	COUNT,		/* retry: the count of the account row of email (0: none) */
};

struct step {
	int			 line;
	enum op			 op;
	const char		*email;
	const char		*addr;
	int64_t			 now;
	enum throttle_err	 want;
	int64_t			 retry;
};

#define END	{ 0, CHECK, NULL, NULL, 0, THROTTLE_OK, 0 }

static int64_t
account_count(struct db *db, const char *email)
{
	struct db_stmt	*s;
	int64_t		 v = 0;

	assert_int_equal(db_prepare(db, "SELECT count FROM login_failures "
	    "WHERE kind = 'account' AND key = lower(?)", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, email, strlen(email)), DB_OK);
	if (db_step(s) == DB_ROW)
		v = db_column_int64(s, 0);
	db_stmt_done(s);
	return v;
}

static void
run_script(struct db *db, const struct throttle_limits *l, const struct step *st)
{
	int64_t	 retry;

	for (; st->line != 0; st++) {
		switch (st->op) {
		case CHECK:
			retry = -1;
			check_int(throttle_check(db, l, st->email, st->addr,
			    st->now, &retry), st->want, st->line);
			check_int(retry, st->retry, st->line);
			break;
		case FAIL:
			check_int(throttle_fail(db, l, st->email, st->addr,
			    st->now), st->want, st->line);
			break;
		case SUCCESS:
			check_int(throttle_success(db, st->email), st->want,
			    st->line);
			break;
		case PRUNE:
			check_int(throttle_prune(db, l, st->now), st->want,
			    st->line);
			break;
		case ROWS:
			check_int(query_int(db, "SELECT count(*) FROM "
			    "login_failures"), st->retry, st->line);
			break;
		case COUNT:
			check_int(account_count(db, st->email), st->retry,
			    st->line);
			break;
		}
	}
}

#define A	"alice@example.com"
#define B	"bob@example.com"
#define C	"carol@example.com"
#define IP1	"192.0.2.1"
#define IP2	"192.0.2.2"
#define OKAY	THROTTLE_OK
#define BLOCK	THROTTLE_BLOCKED

/* N = 3 failures allowed, the 4th attempt blocked; the window frees. */
static void
test_account_limit(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 3, 100, 60 };
	static const struct step	 script[] = {
		{ __LINE__, CHECK, A, IP1, 1000, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 1000, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 1001, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 1001, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 1002, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 2 },
		{ __LINE__, FAIL, A, IP1, 1002, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 3 },
		/* blocked until 1000 + 60, from any address or none */
		{ __LINE__, CHECK, A, IP1, 1002, BLOCK, 58 },
		{ __LINE__, CHECK, A, IP2, 1010, BLOCK, 50 },
		{ __LINE__, CHECK, A, NULL, 1059, BLOCK, 1 },
		/* other accounts are not affected */
		{ __LINE__, CHECK, B, IP1, 1010, OKAY, 0 },
		{ __LINE__, CHECK, B, NULL, 1010, OKAY, 0 },
		/* the window closes at 1060 exactly */
		{ __LINE__, CHECK, A, IP1, 1060, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 1060, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 1 },
		{ __LINE__, CHECK, A, IP1, 1061, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 1100, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 1119, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 1119, BLOCK, 1 },
		/* the window is anchored at its first failure (1060) */
		{ __LINE__, CHECK, A, IP1, 1120, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* A limit of 1 blocks after the first failure. */
static void
test_limit_one(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 1, 1, 900 };
	static const struct step	 script[] = {
		{ __LINE__, CHECK, A, NULL, 5000, OKAY, 0 },
		{ __LINE__, FAIL, A, NULL, 5000, OKAY, 0 },
		{ __LINE__, CHECK, A, NULL, 5000, BLOCK, 900 },
		{ __LINE__, CHECK, A, NULL, 5899, BLOCK, 1 },
		{ __LINE__, CHECK, A, NULL, 5900, OKAY, 0 },
		/* no address was counted */
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 1 },
		{ __LINE__, CHECK, B, IP1, 5000, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* The per-address limit counts every account tried from one address. */
static void
test_address_limit(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 3, 5, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, "u1@example.com", IP1, 100, OKAY, 0 },
		{ __LINE__, FAIL, "u2@example.com", IP1, 101, OKAY, 0 },
		{ __LINE__, FAIL, "u3@example.com", IP1, 102, OKAY, 0 },
		{ __LINE__, FAIL, "u4@example.com", IP1, 103, OKAY, 0 },
		{ __LINE__, CHECK, "u5@example.com", IP1, 104, OKAY, 0 },
		{ __LINE__, FAIL, "u5@example.com", IP1, 104, OKAY, 0 },
		/* 5 from IP1: any account from IP1 is refused … */
		{ __LINE__, CHECK, "u6@example.com", IP1, 105, BLOCK, 55 },
		{ __LINE__, CHECK, "u1@example.com", IP1, 105, BLOCK, 55 },
		/* … but not from elsewhere, nor without an address */
		{ __LINE__, CHECK, "u6@example.com", IP2, 105, OKAY, 0 },
		{ __LINE__, CHECK, "u1@example.com", NULL, 105, OKAY, 0 },
		{ __LINE__, COUNT, "u1@example.com", NULL, 0, OKAY, 1 },
		/* the address window frees at 160 */
		{ __LINE__, CHECK, "u6@example.com", IP1, 159, BLOCK, 1 },
		{ __LINE__, CHECK, "u6@example.com", IP1, 160, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* A success clears the account's count, not the address's. */
static void
test_success_resets_account(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 3, 4, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, A, IP1, 10, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 11, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 12, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 13, BLOCK, 57 },
		{ __LINE__, SUCCESS, A, NULL, 0, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 13, OKAY, 0 },
		/* the address still holds 3: one more from anyone blocks it */
		{ __LINE__, FAIL, B, IP1, 14, OKAY, 0 },
		{ __LINE__, CHECK, C, IP1, 15, BLOCK, 55 },
		{ __LINE__, CHECK, A, IP1, 15, BLOCK, 55 },
		/* a success for an account without failures is fine */
		{ __LINE__, SUCCESS, C, NULL, 0, OKAY, 0 },
		/* a success clears only its own account */
		{ __LINE__, COUNT, B, NULL, 0, OKAY, 1 },
		END
	};

	run_script(fx->db, &l, script);
}

/* Keys are lower(e-mail); addresses are compared as given. */
static void
test_case_insensitive(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 2, 100, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, "Alice@Example.COM", NULL, 10, OKAY, 0 },
		{ __LINE__, FAIL, "ALICE@EXAMPLE.COM", NULL, 11, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 2 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 1 },
		{ __LINE__, CHECK, A, NULL, 12, BLOCK, 58 },
		{ __LINE__, CHECK, "aLiCe@example.com", NULL, 12, BLOCK, 58 },
		/* a different address is a different key */
		{ __LINE__, CHECK, " alice@example.com", NULL, 12, OKAY, 0 },
		{ __LINE__, CHECK, "alice@example.co", NULL, 12, OKAY, 0 },
		{ __LINE__, SUCCESS, "ALICE@example.com", NULL, 0, OKAY, 0 },
		{ __LINE__, CHECK, A, NULL, 12, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* Retry-After is the later of the two windows to free. */
static void
test_retry_after(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 2, 3, 100 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, A, IP1, 1000, OKAY, 0 },	/* account A opens at 1000 */
		{ __LINE__, FAIL, A, IP2, 1010, OKAY, 0 },	/* A at its limit */
		{ __LINE__, FAIL, B, IP2, 1020, OKAY, 0 },	/* IP2 opened at 1010 */
		{ __LINE__, CHECK, A, IP1, 1030, BLOCK, 70 },
		{ __LINE__, CHECK, B, IP2, 1030, OKAY, 0 },
		{ __LINE__, FAIL, C, IP2, 1030, OKAY, 0 },	/* IP2 at its limit */
		/* both block: wait for the later one (1110) */
		{ __LINE__, CHECK, A, IP2, 1040, BLOCK, 70 },
		{ __LINE__, CHECK, B, IP2, 1040, BLOCK, 70 },
		{ __LINE__, CHECK, A, IP1, 1040, BLOCK, 60 },
		{ __LINE__, CHECK, A, IP2, 1100, BLOCK, 10 },
		{ __LINE__, CHECK, B, IP2, 1100, BLOCK, 10 },
		/* A frees at 1100, IP2 at 1110 */
		{ __LINE__, CHECK, A, IP1, 1100, OKAY, 0 },
		{ __LINE__, CHECK, A, IP2, 1109, BLOCK, 1 },
		{ __LINE__, CHECK, A, IP2, 1110, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* A window that starts in the future (the clock went back) is closed. */
static void
test_clock_back(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 2, 100, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, A, IP1, 2000, OKAY, 0 },
		{ __LINE__, FAIL, A, IP1, 2001, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 2001, BLOCK, 59 },
		/* never longer than one window */
		{ __LINE__, CHECK, A, IP1, 1000, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 1999, OKAY, 0 },
		{ __LINE__, CHECK, A, IP1, 2000, BLOCK, 60 },
		/* a failure then restarts the window at the earlier time */
		{ __LINE__, FAIL, A, NULL, 1500, OKAY, 0 },
		{ __LINE__, COUNT, A, NULL, 0, OKAY, 1 },
		{ __LINE__, CHECK, A, NULL, 1500, OKAY, 0 },
		{ __LINE__, FAIL, A, NULL, 1501, OKAY, 0 },
		{ __LINE__, CHECK, A, NULL, 1502, BLOCK, 58 },
		END
	};

	run_script(fx->db, &l, script);
}

/* Rows whose window closed go, by throttle_prune and on every failure. */
static void
test_prune(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 5, 100, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, A, IP1, 100, OKAY, 0 },	/* 2 rows at 100 */
		{ __LINE__, FAIL, B, IP2, 130, OKAY, 0 },	/* 2 rows at 130 */
		{ __LINE__, FAIL, C, NULL, 150, OKAY, 0 },	/* 1 row at 150 */
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 5 },
		{ __LINE__, PRUNE, NULL, NULL, 159, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 5 },
		{ __LINE__, PRUNE, NULL, NULL, 160, OKAY, 0 },	/* A, IP1 */
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 3 },
		{ __LINE__, CHECK, A, IP1, 160, OKAY, 0 },
		/* a failure prunes B and IP2 (opened at 130) */
		{ __LINE__, FAIL, "d@example.com", NULL, 195, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 2 },
		{ __LINE__, COUNT, B, NULL, 0, OKAY, 0 },
		{ __LINE__, COUNT, C, NULL, 0, OKAY, 1 },
		/* and rows from the future */
		{ __LINE__, PRUNE, NULL, NULL, 149, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 0 },
		/* a check writes nothing */
		{ __LINE__, CHECK, A, IP1, 200, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 0 },
		END
	};

	run_script(fx->db, &l, script);
}

/* Many distinct unknown e-mails from one address: each its own row. */
static void
test_many_keys(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 3, 1000, 60 };
	char				 email[64];
	int64_t				 retry;
	int				 i;

	for (i = 0; i < 200; i++) {
		snprintf(email, sizeof(email), "nobody%d@example.com", i);
		assert_int_equal(throttle_fail(fx->db, &l, email, IP1, 10), THROTTLE_OK);
	}
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM login_failures "
	    "WHERE kind = 'account'"), 200);
	assert_int_equal(query_int(fx->db, "SELECT count FROM login_failures "
	    "WHERE kind = 'address'"), 200);
	assert_int_equal(throttle_check(fx->db, &l, "new@example.com", IP1, 10,
	    &retry), THROTTLE_OK);
	assert_int_equal(retry, 0);
	/* all of them are gone once the window closed and someone failed */
	assert_int_equal(throttle_fail(fx->db, &l, A, NULL, 70), THROTTLE_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM login_failures"), 1);
}

/* ---- address keys ---- */

static void
test_address_key(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		const char	*want;	/* NULL: -1 */
	} cases[] = {
		{ __LINE__, "127.0.0.1", "127.0.0.1" },
		{ __LINE__, "192.0.2.255", "192.0.2.255" },
		{ __LINE__, "::ffff:192.0.2.7", "192.0.2.7" },
		{ __LINE__, "::FFFF:c000:0207", "192.0.2.7" },
		{ __LINE__, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
		{ __LINE__, "2001:DB8:1:2::ffff", "2001:db8:1:2::/64" },
		{ __LINE__, "2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64" },
		{ __LINE__, "2001:db8:1:3::1", "2001:db8:1:3::/64" },
		{ __LINE__, "::1", "::/64" },
		{ __LINE__, "fe80::1", "fe80::/64" },
		/* not an address: as given (a zone, a socket, garbage) */
		{ __LINE__, "fe80::1%eth0", "fe80::1%eth0" },
		{ __LINE__, "unix:/run/x.sock", "unix:/run/x.sock" },
		{ __LINE__, "1.2.3", "1.2.3" },
		{ __LINE__, "01.2.3.4", "01.2.3.4" },
		{ __LINE__, " 1.2.3.4", " 1.2.3.4" },
		{ __LINE__, "", NULL },
		{ __LINE__, NULL, NULL },
	};
	char	 buf[THROTTLE_ADDR_MAX], big[300];
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		rc = throttle_address_key(cases[i].in, buf, sizeof(buf));
		check_int(rc, cases[i].want != NULL ? 0 : -1, cases[i].line);
		if (cases[i].want != NULL && strcmp(buf, cases[i].want) != 0)
			fail_msg("line %d: key \"%s\", want \"%s\"", cases[i].line,
			    buf, cases[i].want);
	}
	/* A long value is cut, never overflows. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(throttle_address_key(big, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), THROTTLE_ADDR_MAX - 1);
	/* A buffer too small for any key is refused. */
	assert_int_equal(throttle_address_key("1.2.3.4", buf, THROTTLE_ADDR_MAX - 1), -1);
}

/* Two IPv6 addresses of one /64 share a count. */
static void
test_ipv6_prefix(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 100, 2, 60 };
	static const struct step	 script[] = {
		{ __LINE__, FAIL, "u1@example.com", "2001:db8::1", 10, OKAY, 0 },
		{ __LINE__, FAIL, "u2@example.com", "2001:db8::2:3", 11, OKAY, 0 },
		{ __LINE__, CHECK, "u3@example.com", "2001:db8::ffff:1", 12, BLOCK, 58 },
		{ __LINE__, CHECK, "u3@example.com", "2001:db8:0:1::1", 12, OKAY, 0 },
		{ __LINE__, ROWS, NULL, NULL, 0, OKAY, 3 },
		END
	};

	run_script(fx->db, &l, script);
}

/* ---- errors ---- */

static void
test_strerror(void **state)
{
	int	 i, j;

	(void)state;
	for (i = 0; i < THROTTLE__MAX; i++) {
		assert_non_null(throttle_strerror(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(throttle_strerror(i),
			    throttle_strerror(j));
	}
	assert_string_equal(throttle_strerror(THROTTLE__MAX), "unknown error");
}

static void
test_limits_from_config(void **state)
{
	struct config		 c;
	struct throttle_limits	 l;
	const char		*bad;
	char			 why[256];
	char			 secret[] = "JWT_SECRET=0123456789abcdef0123456789abcdef";
	char			 k1[] = "LOGIN_MAX_FAILURES=3";
	char			 k2[] = "LOGIN_FAILURE_WINDOW=2";
	char			 k3[] = "LOGIN_MAX_FAILURES_PER_ADDRESS=5";
	char			 kv[64];
	char			*env[] = { secret, NULL, NULL };
	char			*env2[] = { secret, k1, k2, k3, NULL };
	static const struct {
		int		 line;
		const char	*kv;
		enum config_err	 want;
	} bounds[] = {
		{ __LINE__, "LOGIN_MAX_FAILURES=0", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES=10001", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES=-1", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES=ten", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES=10000", CONFIG_OK },
		{ __LINE__, "LOGIN_FAILURE_WINDOW=0", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_FAILURE_WINDOW=86401", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_FAILURE_WINDOW=15m", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_FAILURE_WINDOW=86400", CONFIG_OK },
		{ __LINE__, "LOGIN_MAX_FAILURES_PER_ADDRESS=0", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES_PER_ADDRESS=1000001", CONFIG_EINVALID },
		{ __LINE__, "LOGIN_MAX_FAILURES_PER_ADDRESS=1", CONFIG_OK },
	};
	size_t			 i;

	(void)state;
	assert_int_equal(config_load(&c, env, &bad, why, sizeof(why)), CONFIG_OK);
	throttle_limits_from_config(&l, &c);
	assert_int_equal(l.account_max, 10);
	assert_int_equal(l.window, 900);
	assert_int_equal(l.address_max, 100);
	config_free(&c);

	assert_int_equal(config_load(&c, env2, &bad, why, sizeof(why)), CONFIG_OK);
	throttle_limits_from_config(&l, &c);
	assert_int_equal(l.account_max, 3);
	assert_int_equal(l.window, 2);
	assert_int_equal(l.address_max, 5);
	config_free(&c);

	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		snprintf(kv, sizeof(kv), "%s", bounds[i].kv);
		env[1] = kv;
		check_int(config_load(&c, env, &bad, why, sizeof(why)),
		    bounds[i].want, bounds[i].line);
		if (bounds[i].want != CONFIG_OK)
			check_int(strncmp(bad, bounds[i].kv, strlen(bad)) == 0 &&
			    bounds[i].kv[strlen(bad)] == '=', 1, bounds[i].line);
		config_free(&c);
	}
}

static void
test_bad_arguments(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits good = { 3, 3, 60 };
	static const struct throttle_limits bad[] = {
		{ 0, 3, 60 }, { 3, 0, 60 }, { 3, 3, 0 }, { -1, 3, 60 }, { 3, 3, -60 },
	};
	int64_t				 retry = 7;
	size_t				 i;

	assert_int_equal(throttle_check(fx->db, &good, NULL, IP1, 1, &retry),
	    THROTTLE_EINVAL);
	assert_int_equal(retry, 0);
	assert_int_equal(throttle_check(fx->db, NULL, A, IP1, 1, &retry),
	    THROTTLE_EINVAL);
	assert_int_equal(throttle_fail(fx->db, &good, NULL, IP1, 1), THROTTLE_EINVAL);
	assert_int_equal(throttle_fail(fx->db, NULL, A, IP1, 1), THROTTLE_EINVAL);
	assert_int_equal(throttle_success(fx->db, NULL), THROTTLE_EINVAL);
	assert_int_equal(throttle_prune(fx->db, NULL, 1), THROTTLE_EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(throttle_check(fx->db, &bad[i], A, IP1, 1, &retry),
		    THROTTLE_EINVAL);
		assert_int_equal(throttle_fail(fx->db, &bad[i], A, IP1, 1),
		    THROTTLE_EINVAL);
		assert_int_equal(throttle_prune(fx->db, &bad[i], 1), THROTTLE_EINVAL);
	}
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM login_failures"), 0);
	/* retry_after may be NULL */
	assert_int_equal(throttle_fail(fx->db, &good, A, IP1, 1), THROTTLE_OK);
	assert_int_equal(throttle_check(fx->db, &good, A, IP1, 1, NULL), THROTTLE_OK);
}

/* Without the migration every call is a database error, never "allowed". */
static void
test_no_table(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 3, 3, 60 };
	int64_t				 retry = 7;

	assert_int_equal(throttle_check(fx->db, &l, A, IP1, 1, &retry), THROTTLE_EDB);
	assert_int_equal(retry, 0);
	assert_int_equal(throttle_fail(fx->db, &l, A, IP1, 1), THROTTLE_EDB);
	assert_int_equal(throttle_success(fx->db, A), THROTTLE_EDB);
	assert_int_equal(throttle_prune(fx->db, &l, 1), THROTTLE_EDB);
}

/* The migration's CHECK keeps the kinds to the two known ones. */
static void
test_schema_checks(void **state)
{
	struct fx	*fx = *state;

	assert_int_equal(db_exec(fx->db, "INSERT INTO login_failures "
	    "VALUES ('user', 'x', 1, 1)"), DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO login_failures "
	    "VALUES ('account', 'x', 0, 1)"), DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO login_failures "
	    "VALUES ('account', 'x', 1, 1)"), DB_OK);
	assert_int_equal(db_exec(fx->db, "INSERT INTO login_failures "
	    "VALUES ('account', 'x', 1, 1)"), DB_CONSTRAINT);
}

/* ---- concurrency ---- */

#define PROCS		4
#define PER_PROC	50

/* A child: its own connection, PER_PROC failures as soon as the parent
 * says go (the pipe closes). */
static int
child(const char *path, int go)
{
	static const struct throttle_limits l = { 100000, 100000, 3600 };
	struct db	*db = NULL;
	char		 c;
	int		 i, rc = 1;

	if (db_open(path, 0, 5000, &db) != DB_OK)
		goto out;
	if (read(go, &c, 1) == -1)	/* 0 (EOF) is the signal */
		goto out;
	for (i = 0; i < PER_PROC; i++)
		if (throttle_fail(db, &l, i % 2 ? "Alice@Example.com" : A, IP1,
		    1000 + i) != THROTTLE_OK)
			goto out;
	rc = 0;
out:
	db_close(db);
	return rc;
}

static void
test_concurrent_processes(void **state)
{
	struct fx	*fx = *state;
	pid_t		 pids[PROCS];
	int		 fds[2], i, status;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	for (i = 0; i < PROCS; i++) {
		assert_true((pids[i] = fork()) >= 0);
		if (pids[i] == 0) {
			close(fds[1]);
			_exit(child(fx->path, fds[0]));
		}
	}
	close(fds[0]);
	close(fds[1]);		/* go */
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(account_count(fx->db, A), PROCS * PER_PROC);
	assert_int_equal(query_int(fx->db, "SELECT count FROM login_failures "
	    "WHERE kind = 'address'"), PROCS * PER_PROC);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM login_failures"), 2);
}

/* Two connections of one process, interleaved, one of them inside an
 * open transaction (throttle_fail nests as a savepoint). */
static void
test_two_connections(void **state)
{
	struct fx			*fx = *state;
	static const struct throttle_limits l = { 4, 100, 60 };
	struct db			*db2;
	int64_t				 retry;
	int				 i;

	assert_int_equal(db_open(fx->path, 0, 5000, &db2), DB_OK);
	for (i = 0; i < 2; i++) {
		assert_int_equal(throttle_fail(fx->db, &l, A, IP1, 10), THROTTLE_OK);
		assert_int_equal(throttle_fail(db2, &l, A, IP2, 10), THROTTLE_OK);
	}
	assert_int_equal(throttle_check(db2, &l, A, NULL, 11, &retry), THROTTLE_BLOCKED);
	assert_int_equal(retry, 59);
	assert_int_equal(throttle_check(fx->db, &l, A, NULL, 11, &retry), THROTTLE_BLOCKED);
	assert_int_equal(db_begin(db2), DB_OK);
	assert_int_equal(throttle_fail(db2, &l, B, NULL, 12), THROTTLE_OK);
	assert_int_equal(db_commit(db2), DB_OK);
	assert_int_equal(account_count(fx->db, B), 1);
	assert_int_equal(throttle_success(db2, A), THROTTLE_OK);
	assert_int_equal(throttle_check(fx->db, &l, A, NULL, 12, &retry), THROTTLE_OK);
	db_close(db2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_address_key),
		cmocka_unit_test(test_limits_from_config),
		cmocka_unit_test_setup_teardown(test_account_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_success_resets_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_insensitive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_table, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_schema_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
