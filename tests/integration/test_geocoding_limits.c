/*
 * test_geocoding_limits: the per-user quota of GET /geocode/city (part of
 * test_geocoding; see test_geocoding.c), on a server with
 * GEOCODING_USER_RATE_LIMIT=10/minute, GEOCODING_RATE_LIMIT_PREMIUM=
 * 20/minute and two FastCGI processes.
 *
 * Twenty requests of one user at once: exactly ten answered (200 or 404,
 * each with its own RateLimit-Remaining 9..0) and ten 429 {"detail":"Rate
 * limit exceeded: 10 per 1 minute"} with Retry-After and RateLimit-Limit/
 * -Remaining/-Reset; another user has a bucket of their own; 401, 422, 405
 * and /geocode/health spend nothing; a change of role takes effect on the
 * next request; admins are unlimited and get no RateLimit headers; an
 * unknown role has the users' limit; the legacy key has one bucket; and
 * Retry-After is honest.
 *
 * GCRA with 10/minute frees one request every 6 s.  The counts are exact
 * when a batch is decided within 6 s of its first request, which takes
 * well under a second here; a batch that took longer (valgrind) may have
 * one more answered per 6 s it took, and the checks allow exactly that.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "accounts_util.h"
#include "geocoding_util.h"
#include "harness.h"

#define LINE		__LINE__
#define EXCEEDED_10	"Rate limit exceeded: 10 per 1 minute"
#define EXCEEDED_20	"Rate limit exceeded: 20 per 1 minute"
#define CELL_MS		6000	/* 10/minute frees one request every 6 s */

static struct harness	*H;
static char		 api_key[65], api_key_env[80], gaz_env[160];
static char		 store_env[64];
static const char	*store;		/* RATE_LIMIT_STORE of this group */

static int
group_setup(void **state)
{
	const char *env[] = { "GEOCODER=offline", gaz_env, api_key_env,
	    "GEOCODING_USER_RATE_LIMIT=10/minute",
	    "GEOCODING_RATE_LIMIT_PREMIUM=20/minute", GEO_CHEAP_ARGON2, store_env,
	    NULL };
	struct harness_opts o = { .env = env, .procs = 2 };

	(void)state;
	snprintf(store_env, sizeof(store_env), "RATE_LIMIT_STORE=%s", store);
	if (harness_random_hex(api_key, 32) != 0)
		return -1;
	snprintf(api_key_env, sizeof(api_key_env), "API_KEY=%s", api_key);
	snprintf(gaz_env, sizeof(gaz_env), "GAZETTEER_PATH=%s", geo_gaz_path());
	if ((H = harness_start(&o)) == NULL || geo_gaz_ensure(H) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int	 rc;

	(void)state;
	rc = harness_check_log(H);
	harness_stop(H);
	H = NULL;
	return rc;
}

static void
new_user(const char *tag, struct au_user *u)
{
	if (au_new_user(H, tag, u) != 0)
		fail_msg("cannot make user %s", tag);
}

/* An integer header of a batch answer; -1 when absent or not a number. */
static long
hdr_num(const struct geo_par *p, const char *name)
{
	char		 buf[64], *end;
	const char	*v = geo_par_header(p, name, buf, sizeof(buf));
	long		 n;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	n = strtol(v, &end, 10);
	return *end == '\0' ? n : -1;
}

struct tally {
	int	 ok;		/* 200 or 404 */
	int	 limited;	/* 429 */
	int	 seen[64];	/* RateLimit-Remaining of the answered ones */
	int64_t	 ms;		/* how long the batch took */
};

/*
 * Sends n requests at once with `hdr` (a whole header line), cities
 * alternating between a hit and a miss, and checks each answer: 200/404
 * with RateLimit-Limit `limit` and a Remaining below it, or 429 with
 * `exceeded`, Retry-After 1..60, Remaining 0 and Reset 1..60.  limit 0:
 * unlimited, no RateLimit headers at all.
 */
static void
batch(int line, const char *hdr, size_t n, long limit, const char *exceeded,
    struct tally *t)
{
	static const char *const cities[] = { "London", "Atlantis", "Tokyo",
	    "xyzzy" };
	struct geo_par	 res[GEO_PAR_MAX];
	const char	*pp[GEO_PAR_MAX], *hh[GEO_PAR_MAX];
	char		 paths[4][GEO_PATH_MAX];
	long		 rem, ra, reset;
	size_t		 i;
	int64_t		 t0;

	memset(t, 0, sizeof(*t));
	assert_true(n <= GEO_PAR_MAX);
	for (i = 0; i < 4; i++)
		geo_city_path(paths[i], sizeof(paths[i]), cities[i]);
	for (i = 0; i < n; i++) {
		pp[i] = paths[i % 4];
		hh[i] = hdr;
	}
	t0 = geo_now_ms();
	assert_int_equal(geo_par_get(H, n, pp, hh, geo_bound_ms(30000), res), 0);
	t->ms = geo_now_ms() - t0;
	for (i = 0; i < n; i++) {
		const struct geo_par *p = &res[i];

		rem = hdr_num(p, "RateLimit-Remaining");
		if (p->status == 200 || p->status == 404) {
			t->ok++;
			if (limit == 0) {
				if (geo_par_header(p, "RateLimit-Limit", (char[8]){ 0 }, 8) ||
				    rem != -1)
					au_bad(line, "unlimited, yet RateLimit headers:\n%s",
					    p->headers);
				continue;
			}
			if (hdr_num(p, "RateLimit-Limit") != limit || rem < 0 ||
			    rem >= limit || hdr_num(p, "RateLimit-Reset") < 0 ||
			    hdr_num(p, "RateLimit-Reset") > 60)
				au_bad(line, "answer %zu: RateLimit headers wrong for "
				    "limit %ld:\n%s", i, limit, p->headers);
			else
				t->seen[rem]++;
		} else if (p->status == 429) {
			t->limited++;
			ra = hdr_num(p, "Retry-After");
			reset = hdr_num(p, "RateLimit-Reset");
			if (geo_par_detail(p) == NULL ||
			    strcmp(geo_par_detail(p), exceeded) != 0)
				au_bad(line, "429 body %.200s, want detail \"%s\"", p->body,
				    exceeded);
			if (ra < 1 || ra > 60 || hdr_num(p, "RateLimit-Limit") != limit ||
			    rem != 0 || reset < 1 || reset > 60)
				au_bad(line, "429 headers (want Retry-After 1..60, "
				    "RateLimit-Limit %ld, -Remaining 0, -Reset 1..60):\n%s",
				    limit, p->headers);
		} else
			au_bad(line, "answer %zu: status %ld %.200s", i, p->status, p->body);
	}
	geo_par_free(res, n);
}

/* Exactly `want` answered in a batch decided within one cell; one more per
 * CELL_MS it took beyond that. */
static void
check_count(int line, const struct tally *t, int want, int n)
{
	int	 extra = (int)(t->ms / CELL_MS);

	if (t->ok < want || t->ok > want + extra || t->ok + t->limited != n)
		au_bad(line, "%d answered and %d limited of %d in %lld ms, want "
		    "%d answered%s", t->ok, t->limited, n, (long long)t->ms, want,
		    extra > 0 ? " (or a few more: the batch was slow)" : "");
}

/*
 * With exactly `limit` answered, each Remaining 0..limit-1 came once.  The
 * database store decides at the time each request read its clock, so a
 * request that read it first but wrote second sees its bucket a few
 * milliseconds fuller and may say one less: there, Remaining only has to
 * be in range and reach 0 (the shared zone decides in lock order).
 */
static void
check_remaining(int line, const struct tally *t, int limit)
{
	int	 i, n = 0;

	if (t->ok != limit)
		return;
	for (i = 0; i < limit; i++) {
		n += t->seen[i];
		if (strcmp(store, "database") != 0 && t->seen[i] != 1)
			au_bad(line, "RateLimit-Remaining %d came %d times, want once",
			    i, t->seen[i]);
	}
	if (n != limit || t->seen[0] < 1)
		au_bad(line, "%d of %d Remaining values in 0..%d, %d of them 0", n,
		    limit, limit - 1, t->seen[0]);
}

static const char *
bearer(const struct au_user *u, char *buf, size_t len)
{
	snprintf(buf, len, "Authorization: Bearer %s", u->token);
	return buf;
}

/* One GET; the status, and RateLimit-Remaining and -Limit into rem and lim. */
static long
one(const struct au_user *u, const char *city, long *rem, long *lim)
{
	struct http_resp	 r;
	const char		*v;
	long			 st;

	if (geo_get_city(H, city, u->token, &r) != 0)
		fail_msg("no answer");
	st = r.status;
	if (rem != NULL)
		*rem = (v = http_resp_header(&r, "RateLimit-Remaining")) ? atol(v) : -1;
	if (lim != NULL)
		*lim = (v = http_resp_header(&r, "RateLimit-Limit")) ? atol(v) : -1;
	http_resp_free(&r);
	return st;
}

/* The buckets are where RATE_LIMIT_STORE says: a zone file of mode 0600
 * beside the database and no rows, or rows and no zone file. */
static void
check_store(int line)
{
	struct stat	 sb;
	char		 zone[PATH_MAX];
	long		 rows = (long)au_db_int(H, "SELECT count(*) FROM "
	    "rate_limits WHERE key LIKE 'geocode:%%'");
	int		 has_zone;

	snprintf(zone, sizeof(zone), "%s-limits", harness_env(H, "DATABASE_URL"));
	has_zone = stat(zone, &sb) == 0;
	if (strcmp(store, "database") == 0) {
		if (has_zone || rows < 1)
			au_bad(line, "database store: zone file %s, %ld rows; want "
			    "none and rows", has_zone ? "present" : "absent", rows);
	} else if (!has_zone || (sb.st_mode & 0777) != 0600 || rows != 0)
		au_bad(line, "shared-memory store: zone file %s (mode %o), %ld "
		    "rows; want a 0600 file and no rows", has_zone ? "present" :
		    "absent", has_zone ? (unsigned)(sb.st_mode & 0777) : 0, rows);
}

static void
test_twenty_at_once(void **state)
{
	struct au_user	 a, b;
	struct tally	 t;
	char		 hdr[AU_TOKEN_MAX + 32];
	long		 rem, lim, st;

	(void)state;
	new_user("twenty", &a);
	new_user("other", &b);
	au_begin();
	batch(LINE, bearer(&a, hdr, sizeof(hdr)), 20, 10, EXCEEDED_10, &t);
	check_count(LINE, &t, 10, 20);
	check_remaining(LINE, &t, 10);
	check_store(LINE);
	/* Spent: the next is refused too. */
	if (t.ms < CELL_MS - 1000 && (st = one(&a, "London", NULL, NULL)) != 429)
		au_bad(LINE, "the 21st request: %ld, want 429", st);
	/* Another user has a bucket of their own. */
	if ((st = one(&b, "London", &rem, &lim)) != 200 || rem != 9 || lim != 10)
		au_bad(LINE, "another user: %ld, Remaining %ld, Limit %ld; want 200, "
		    "9, 10", st, rem, lim);
	au_end();
}

/* 401, 422, 405 and GET /geocode/health spend nothing. */
static void
test_refusals_spend_nothing(void **state)
{
	static const char *const bad422[] = { "/geocode/city", "/geocode/city?city=",
	    "/geocode/city?city=%c3", "/geocode/city?City=London" };
	struct au_user		 c;
	struct http_resp	 r;
	struct tally		 t;
	char			 payload[512], hdr[AU_TOKEN_MAX + 32], *tok, big[260];
	size_t			 i;
	int			 k;

	(void)state;
	new_user("refusals", &c);
	au_begin();
	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(bad422) / sizeof(bad422[0]); i++) {
			assert_int_equal(au_get(H, bad422[i], c.token, &r), 0);
			au_check_422(LINE, &r, NULL, "query.city");
			http_resp_free(&r);
		}
		memset(big, 'x', 201);
		big[201] = '\0';
		assert_int_equal(geo_get_city(H, big, c.token, &r), 0);
		au_check_422(LINE, &r, "string_too_long", "query.city");
		http_resp_free(&r);
		/* Refused tokens: tampered and expired, of this very user. */
		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"aud\":"
		    "[\"fastapi-users:auth\"],\"exp\":%lld}", c.id,
		    (long long)au_now() - 60);
		tok = au_jwt_hs256(H, payload);
		assert_int_equal(geo_get_city(H, "London", tok, &r), 0);
		au_check_401(LINE, &r, 1);
		http_resp_free(&r);
		free(tok);
		snprintf(hdr, sizeof(hdr), "%sx", c.token);
		assert_int_equal(geo_get_city(H, "London", hdr, &r), 0);
		au_check_401(LINE, &r, 1);
		http_resp_free(&r);
		assert_int_equal(au_send(H, "POST", "/geocode/city?city=London", c.token,
		    NULL, NULL, "", 0, &r), 0);
		au_check_error(LINE, &r, 405, "Method Not Allowed");
		http_resp_free(&r);
		assert_int_equal(au_get(H, "/geocode/health", c.token, &r), 0);
		if (r.status != 200)
			au_bad(LINE, "health: %ld", r.status);
		http_resp_free(&r);
	}
	/* The whole quota is still there: 10 of 12 at once, Remaining 9..0. */
	batch(LINE, bearer(&c, hdr, sizeof(hdr)), 12, 10, EXCEEDED_10, &t);
	check_count(LINE, &t, 10, 12);
	check_remaining(LINE, &t, 10);
	au_end();
}

/* A change of role counts from the next request on. */
static void
test_role_change(void **state)
{
	struct au_user	 d;
	struct tally	 t;
	char		 hdr[AU_TOKEN_MAX + 32];
	long		 rem, lim, st;
	int64_t		 spent;

	(void)state;
	new_user("premium", &d);
	au_begin();
	/* The user bucket refills one cell after the batch's first request,
	 * so the clock starts before the batch, not after it. */
	spent = geo_now_ms();
	batch(LINE, bearer(&d, hdr, sizeof(hdr)), 11, 10, EXCEEDED_10, &t);
	check_count(LINE, &t, 10, 11);
	assert_int_equal(au_db_exec(H, "UPDATE users SET role = 'premium' WHERE id = %Q",
	    d.id), 0);
	if ((st = one(&d, "Tokyo", &rem, &lim)) != 200 || lim != 20 || rem != 19)
		au_bad(LINE, "premium's first: %ld, Limit %ld, Remaining %ld; want 200, "
		    "20, 19", st, lim, rem);
	batch(LINE, bearer(&d, hdr, sizeof(hdr)), 20, 20, EXCEEDED_20, &t);
	/* 19 left of 20, freeing one every 3 s. */
	if (t.ok < 19 || t.ok > 19 + (int)(t.ms / 3000) || t.limited != 20 - t.ok)
		au_bad(LINE, "premium: %d answered, %d limited in %lld ms; want 19, 1",
		    t.ok, t.limited, (long long)t.ms);
	/* Back to "user": the user bucket is still spent (unless 6 s passed). */
	assert_int_equal(au_db_exec(H, "UPDATE users SET role = 'user' WHERE id = %Q",
	    d.id), 0);
	st = one(&d, "Tokyo", &rem, &lim);
	if (geo_now_ms() - spent < CELL_MS - 1000 && (st != 429 || lim != 10))
		au_bad(LINE, "back to user: %ld, Limit %ld; want 429, 10", st, lim);
	au_end();
}

/* Admins are unlimited (GEOCODING_RATE_LIMIT_ADMIN's default) and get no
 * RateLimit headers; an unknown role has the users' limit. */
static void
test_admin_and_unknown_role(void **state)
{
	struct au_user	 e, f, s;
	struct tally	 t;
	char		 hdr[AU_TOKEN_MAX + 32];
	long		 rem, lim, st;

	(void)state;
	new_user("admin", &e);
	new_user("moderator", &f);
	new_user("super", &s);
	assert_int_equal(au_db_exec(H, "UPDATE users SET role = 'admin' WHERE id = %Q",
	    e.id), 0);
	assert_int_equal(au_db_exec(H, "UPDATE users SET role = 'moderator' "
	    "WHERE id = %Q", f.id), 0);
	au_begin();
	batch(LINE, bearer(&e, hdr, sizeof(hdr)), 30, 0, NULL, &t);
	if (t.ok != 30)
		au_bad(LINE, "admin: %d of 30 answered", t.ok);
	batch(LINE, bearer(&e, hdr, sizeof(hdr)), 30, 0, NULL, &t);
	if (t.ok != 30)
		au_bad(LINE, "admin, again: %d of 30 answered", t.ok);
	if ((st = one(&f, "London", &rem, &lim)) != 200 || lim != 10 || rem != 9)
		au_bad(LINE, "moderator: %ld, Limit %ld, Remaining %ld; want 200, 10, 9",
		    st, lim, rem);
	/* The superuser flag does not lift the limit: the role does. */
	if (au_make_superuser(H, &s) != 0)
		au_bad(LINE, "cannot make a superuser");
	if ((st = one(&s, "London", &rem, &lim)) != 200 || lim != 10 || rem != 9)
		au_bad(LINE, "superuser: %ld, Limit %ld, Remaining %ld; want 200, 10, 9",
		    st, lim, rem);
	au_end();
}

/* The legacy key spends from one bucket of its own. */
static void
test_api_key_bucket(void **state)
{
	struct au_user	 g;
	struct tally	 t;
	char		 hdr[128];
	long		 rem, lim, st;

	(void)state;
	new_user("keyneighbour", &g);
	au_begin();
	snprintf(hdr, sizeof(hdr), "X-API-KEY: %s", api_key);
	batch(LINE, hdr, 13, 10, EXCEEDED_10, &t);
	check_count(LINE, &t, 10, 13);
	check_remaining(LINE, &t, 10);
	if ((st = one(&g, "London", &rem, &lim)) != 200 || rem != 9)
		au_bad(LINE, "a user after the key: %ld, Remaining %ld", st, rem);
	au_end();
}

/*
 * A bucket written before a reboot: its time must still be in the past.
 * The row's tat is this host's monotonic clock plus ten days, as a boot
 * that had been up ten days longer would have left it; on a clock that
 * restarts at boot the key would be refused for those ten days.
 */
static void
test_bucket_from_earlier_boot(void **state)
{
	struct au_user	 u;
	struct timespec	 ts;
	long		 rem, lim, st;
	long long	 tat;

	(void)state;
	new_user("reboot", &u);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	tat = (long long)ts.tv_sec * 1000000 + 10LL * 86400 * 1000000;
	au_begin();
	if (au_db_exec(H, "INSERT INTO rate_limits (key, tat_us) VALUES "
	    "('geocode:%q:10/minute', %lld)", u.id, tat) != 0)
		au_bad(LINE, "cannot write the old bucket");
	if ((st = one(&u, "London", &rem, &lim)) != 200 || rem != 9 || lim != 10)
		au_bad(LINE, "after a reboot: %ld, Remaining %ld, Limit %ld", st, rem,
		    lim);
	au_end();
}

/* After Retry-After seconds one more request goes through, then 429. */
static void
test_retry_after(void **state)
{
	struct au_user		 u;
	struct http_resp	 r;
	struct tally		 t;
	char			 hdr[AU_TOKEN_MAX + 32];
	const char		*v;
	long			 ra = -1, st;

	(void)state;
	new_user("retry", &u);
	au_begin();
	batch(LINE, bearer(&u, hdr, sizeof(hdr)), 10, 10, EXCEEDED_10, &t);
	assert_int_equal(geo_get_city(H, "London", u.token, &r), 0);
	if (r.status == 429 && (v = http_resp_header(&r, "Retry-After")) != NULL)
		ra = atol(v);
	if (r.status != 429 || ra < 1 || ra > 6)
		au_bad(LINE, "the 11th: %ld, Retry-After %ld; want 429, 1..6",
		    r.status, ra);
	http_resp_free(&r);
	if (ra >= 1 && ra <= 6) {
		geo_sleep_ms(ra * 1000 + 500);
		if ((st = one(&u, "London", NULL, NULL)) != 200)
			au_bad(LINE, "after Retry-After: %ld, want 200", st);
		if ((st = one(&u, "London", NULL, NULL)) != 429)
			au_bad(LINE, "then: %ld, want 429 again", st);
	}
	au_end();
}

/* PostgreSQL: RATE_LIMIT_STORE=shared-memory is refused (one zone per
 * host would multiply the quota by the hosts): 503, and the log names the
 * setting; the same program with the database store answers. */
static void
test_pg_refuses_zone(void **state)
{
	static const char *const stores[] = { "shared-memory", "database" };
	static struct harness_cgi_env e;
	char		 st[64];
	const char	*extra[] = { st, NULL };
	struct cgi_result c;

	(void)state;
	au_begin();
	for (size_t i = 0; i < 2; i++) {
		snprintf(st, sizeof(st), "RATE_LIMIT_STORE=%s", stores[i]);
		harness_cgi_env(&e, H, "GET", "/geocode/health", 1, extra);
		if (harness_cgi("geocoding.fcgi", e.v, NULL, 0, &c) != 0) {
			au_bad(LINE, "geocoding.fcgi did not run");
			continue;
		}
		if (i == 0 && (strncmp(c.out, "Status: 503", 11) != 0 ||
		    strstr(c.out, "Service misconfigured") == NULL ||
		    strstr(c.err, "RATE_LIMIT_STORE") == NULL))
			au_bad(LINE, "shared-memory on PostgreSQL: %.200s | %.400s",
			    c.out, c.err);
		if (i == 1 && (strstr(c.out, "Service misconfigured") != NULL ||
		    strstr(c.err, "RATE_LIMIT_STORE") != NULL))
			au_bad(LINE, "database on PostgreSQL: %.200s | %.400s", c.out,
			    c.err);
		cgi_result_free(&c);
	}
	au_end();
}

int
geo_limits_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_twenty_at_once),
		cmocka_unit_test(test_refusals_spend_nothing),
		cmocka_unit_test(test_role_change),
		cmocka_unit_test(test_admin_and_unknown_role),
		cmocka_unit_test(test_api_key_bucket),
		cmocka_unit_test(test_retry_after),
	};

	/* The database store again, for what differs: where the buckets
	 * are, and exactness across processes. */
	const struct CMUnitTest db_tests[] = {
		cmocka_unit_test(test_twenty_at_once),
		cmocka_unit_test(test_api_key_bucket),
		cmocka_unit_test(test_bucket_from_earlier_boot),
	};
	/* On PostgreSQL the table is the only store (a zone would give each
	 * host its own quota): every case on it, and the zone refused. */
	const struct CMUnitTest pg_tests[] = {
		cmocka_unit_test(test_twenty_at_once),
		cmocka_unit_test(test_refusals_spend_nothing),
		cmocka_unit_test(test_role_change),
		cmocka_unit_test(test_admin_and_unknown_role),
		cmocka_unit_test(test_api_key_bucket),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_pg_refuses_zone),
	};
	int	 failed;

	if (harness_pg_wanted()) {
		store = "database";
		return cmocka_run_group_tests_name("geocoding limits, PostgreSQL",
		    pg_tests, group_setup, group_teardown);
	}
	store = "shared-memory";
	failed = cmocka_run_group_tests_name("geocoding limits, shared memory",
	    tests, group_setup, group_teardown);
	store = "database";
	failed += cmocka_run_group_tests_name("geocoding limits, database",
	    db_tests, group_setup, group_teardown);
	return failed;
}
