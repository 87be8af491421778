/*
 * test_two_hosts: two web servers on two ports sharing one database and
 * one set of settings, as several hosts behind a load balancer share a
 * PostgreSQL database (issue "PostgreSQL"): a client that alternates
 * between them sees one deployment.  A token revoked (logout, password
 * change) on one is refused on the other; a refresh token spent on one is
 * reuse on the other and ends the family for both; failed logins count
 * across both; a geocoding limit of 10 a minute is 10 across both, one
 * request after the other and all at once; Nominatim (fake_nominatim.py)
 * gets one request a second from both together; an MCP session started on
 * one continues, and ends, on the other.  Registered on SQLite (two lighttpd
 * on one file) and on PostgreSQL (FU_DATABASE=postgres), lighttpd only:
 * the point is the shared database, not the server.  Table cases report
 * their own line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_util.h"
#include "fake_nominatim_util.h"
#include "geocoding_util.h"
#include "harness.h"
#include "mcp_util.h"

#define LINE		__LINE__
#define RT_MAX		128
#define LIMIT		10
#define BURST		12	/* requests at once on each host */
#define TOO_MANY_LOGINS	"Too many failed login attempts"
#define PING		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
#define TOOLS_LIST	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"

static struct harness	*A, *B;
static const char	*KEYSET;
static char		 GAZ[GEO_PATH_MAX + 32], NOMURL[128];
static struct fakenom	 F;

/* The host of the i-th request of an alternating client. */
static struct harness *
host(int i)
{
	return i % 2 == 0 ? A : B;
}

static const char *
host_name(int i)
{
	return i % 2 == 0 ? "A" : "B";
}

static int
group_setup(void **state)
{
	static char db[PATH_MAX + 32], secret[128];
	static const char *env[] = { GEO_CHEAP_ARGON2, "GEOCODER=offline,nominatim",
	    GAZ, "GEOCODING_USER_RATE_LIMIT=10/minute", "LOGIN_MAX_FAILURES=3",
	    "LOGIN_FAILURE_WINDOW=60", NOMURL, "NOMINATIM_MAX_WAIT_MS=10000",
	    "NOMINATIM_TIMEOUT_SECONDS=5", NULL /* keys */, NULL /* db */,
	    NULL /* secret */, NULL };
	enum { KEYS = 11, DB, SECRET };	/* GEO_CHEAP_ARGON2 is three */
	struct harness_opts o = { .env = env, .procs = 2 };

	(void)state;
	if (mu_keys(&KEYSET) != 0 || fakenom_start(&F) != 0)
		return -1;
	snprintf(NOMURL, sizeof(NOMURL), "NOMINATIM_URL=%s", F.url);
	snprintf(GAZ, sizeof(GAZ), "GAZETTEER_PATH=%s", geo_gaz_path());
	env[KEYS] = KEYSET;
	if ((A = harness_start(&o)) == NULL || geo_gaz_ensure(A) != 0)
		return -1;
	/* The second host: the first one's database and secret, no migrate. */
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(A, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(A, "JWT_SECRET"));
	env[DB] = db;
	env[SECRET] = secret;
	o.no_migrate = 1;
	if ((B = harness_start(&o)) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int	 bad;

	(void)state;
	bad = harness_finish(&B);
	bad |= harness_finish(&A);
	fakenom_stop(&F);
	mu_keys_free();
	geo_gaz_cleanup();
	return bad;
}

static long
me(struct harness *h, const char *token)
{
	struct http_resp r;
	long	 st;

	if (au_get(h, "/users/me", token, &r) != 0)
		st = 0;
	else
		st = r.status;
	http_resp_free(&r);
	return st;
}

static long
post_empty(struct harness *h, const char *path, const char *token)
{
	struct http_resp r;
	long	 st;

	st = au_send(h, "POST", path, token, NULL, NULL, "", 0, &r) == 0 ?
	    r.status : 0;
	http_resp_free(&r);
	return st;
}

/* Logout on one host ends the token on both; each direction. */
static void
test_revoked_across(void **state)
{
	struct au_user	 u;
	char		 tok[AU_TOKEN_MAX];
	long		 st;
	int		 i;

	(void)state;
	assert_int_equal(au_new_user(A, "revoke", &u), 0);
	au_begin();
	for (i = 0; i < 4; i++)
		if ((st = me(host(i), u.token)) != 200)
			au_bad(LINE, "before logout on %s: %ld", host_name(i), st);
	if ((st = post_empty(B, "/auth/jwt/logout", u.token)) != 204)
		au_bad(LINE, "logout on B: %ld", st);
	for (i = 0; i < 4; i++)
		if ((st = me(host(i), u.token)) != 401)
			au_bad(LINE, "after logout on B, on %s: %ld", host_name(i), st);
	/* The other way: a login on B, ended on A. */
	if ((st = au_login(B, u.email, u.password, tok, sizeof(tok))) != 200)
		au_bad(LINE, "login on B: %ld", st);
	else {
		if ((st = me(A, tok)) != 200)
			au_bad(LINE, "B's token on A: %ld", st);
		if ((st = post_empty(A, "/auth/jwt/logout", tok)) != 204)
			au_bad(LINE, "logout on A: %ld", st);
		if ((st = me(B, tok)) != 401)
			au_bad(LINE, "after logout on A, on B: %ld", st);
	}
	/* A password changed on A retires the tokens B would take. */
	if ((st = au_login(B, u.email, u.password, tok, sizeof(tok))) != 200 ||
	    au_login(A, u.email, u.password, u.token, sizeof(u.token)) != 200)
		au_bad(LINE, "logins for the password change: %ld", st);
	else {
		struct http_resp r;

		if (au_json(A, "PATCH", "/users/me", u.token,
		    "{\"password\":\"another-Secret-42x\"}", &r) != 0 ||
		    r.status != 200)
			au_bad(LINE, "password change on A: %ld", r.status);
		http_resp_free(&r);
		if ((st = me(B, tok)) != 401)
			au_bad(LINE, "an older token on B after the change: %ld", st);
		if ((st = au_login(B, u.email, u.password, tok, sizeof(tok))) != 400)
			au_bad(LINE, "the old password on B: %ld", st);
		if ((st = au_login(B, u.email, "another-Secret-42x", tok,
		    sizeof(tok))) != 200 || (st = me(A, tok)) != 200)
			au_bad(LINE, "the new password on B, its token on A: %ld", st);
	}
	au_end();
}

/* POST of an urlencoded body; the status, the JSON into *json (caller
 * puts) when asked. */
static long
form(struct harness *h, const char *path, const char *body,
    struct json_object **json)
{
	static const char *const hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	struct http_resp r;
	long	 st;

	if (json != NULL)
		*json = NULL;
	if (harness_request(h, "POST", path, hdrs, body, strlen(body), &r) != 0)
		st = 0;
	else {
		st = r.status;
		if (json != NULL && r.json != NULL)
			*json = json_object_get(r.json);
	}
	http_resp_free(&r);
	return st;
}

/* The refresh token of a 200 into rt ("" when none). */
static long
refresh_on(struct harness *h, const char *rt, char *next)
{
	struct json_object *j;
	char	 body[256];
	long	 st;

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", rt);
	st = form(h, "/auth/jwt/refresh", body, &j);
	if (next != NULL)
		snprintf(next, RT_MAX, "%s", st == 200 && au_jstr(j,
		    "refresh_token") != NULL ? au_jstr(j, "refresh_token") : "");
	json_object_put(j);
	return st;
}

/* Rotation on B, reuse of the spent token on A: the family is revoked
 * for both hosts. */
static void
test_refresh_reuse_across(void **state)
{
	struct au_user	 u;
	char		 rt1[RT_MAX], rt2[RT_MAX], rt3[RT_MAX];
	long		 st;

	(void)state;
	assert_int_equal(au_new_user(A, "refresh", &u), 0);
	au_begin();
	assert_int_equal(au_login_offline(A, u.email, u.password, rt1, sizeof(rt1)), 200);
	if (strlen(rt1) < 20)
		au_bad(LINE, "no refresh token from A");
	if ((st = refresh_on(B, rt1, rt2)) != 200 || rt2[0] == '\0')
		au_bad(LINE, "refresh on B: %ld", st);
	if ((st = refresh_on(A, rt2, rt3)) != 200 || rt3[0] == '\0')
		au_bad(LINE, "refresh of B's token on A: %ld", st);
	/* rt1 was spent on B: presenting it on A is reuse. */
	if ((st = refresh_on(A, rt1, NULL)) != 400)
		au_bad(LINE, "spent token on A: %ld", st);
	if ((st = refresh_on(B, rt3, NULL)) != 400)
		au_bad(LINE, "the family's live token on B after reuse: %ld", st);
	if ((st = refresh_on(A, rt2, NULL)) != 400)
		au_bad(LINE, "a spent token again: %ld", st);
	au_end();
}

/* LOGIN_MAX_FAILURES=3 counts failures on both hosts: three bad
 * passwords alternating, then the right one on either host is 429. */
static void
test_login_failures_across(void **state)
{
	struct au_user	 u;
	struct http_resp r;
	char		 tok[AU_TOKEN_MAX];
	long		 st;
	int		 i;

	(void)state;
	assert_int_equal(au_new_user(A, "throttle", &u), 0);
	au_begin();
	for (i = 0; i < 3; i++)
		if ((st = au_login(host(i), u.email, "wrong-Password-1", tok,
		    sizeof(tok))) != 400)
			au_bad(LINE, "failure %d on %s: %ld", i + 1, host_name(i), st);
	for (i = 0; i < 2; i++) {
		if (au_login_req(host(i + 1), u.email, u.password, &r) != 0 ||
		    r.status != 429)
			au_bad(LINE, "right password on %s after 3 failures: %ld",
			    host_name(i + 1), r.status);
		else
			au_check_error(LINE, &r, 429, TOO_MANY_LOGINS);
		http_resp_free(&r);
	}
	au_end();
}

/* RateLimit-Remaining of an answer, or -1. */
static long
remaining(const struct http_resp *r)
{
	const char	*v = http_resp_header(r, "RateLimit-Remaining");

	return v != NULL ? strtol(v, NULL, 10) : -1;
}

/* One client, alternating: the 10 a minute are 10 across both hosts,
 * counted down in order; another user keeps a bucket of their own. */
static void
test_rate_limit_alternating(void **state)
{
	struct au_user	 u, v;
	struct http_resp r;
	int		 i, ok = 0;

	(void)state;
	assert_int_equal(au_new_user(A, "quota", &u), 0);
	assert_int_equal(au_new_user(B, "quota2", &v), 0);
	au_begin();
	for (i = 0; i < LIMIT + 4; i++) {
		assert_int_equal(geo_get_city(host(i), i % 3 ? "London" : "Tokyo",
		    u.token, &r), 0);
		if (i < LIMIT) {
			if (r.status != 200 || remaining(&r) != LIMIT - 1 - i)
				au_bad(LINE, "request %d on %s: %ld, Remaining %ld;"
				    " want 200, %d", i + 1, host_name(i), r.status,
				    remaining(&r), LIMIT - 1 - i);
			else
				ok++;
		} else if (r.status != 429 ||
		    http_resp_header(&r, "Retry-After") == NULL)
			au_bad(LINE, "request %d on %s past the limit: %ld",
			    i + 1, host_name(i), r.status);
		http_resp_free(&r);
	}
	if (ok != LIMIT)
		au_bad(LINE, "%d of %d allowed", ok, LIMIT);
	for (i = 0; i < 2; i++) {
		assert_int_equal(geo_get_city(host(i), "Paris", v.token, &r), 0);
		if (r.status != 200 || remaining(&r) != LIMIT - 1 - i)
			au_bad(LINE, "the other user on %s: %ld, Remaining %ld",
			    host_name(i), r.status, remaining(&r));
		http_resp_free(&r);
	}
	au_end();
}

/* One host's batch of n requests at once, run in a thread of its own. */
struct batch {
	struct harness	*h;
	size_t		 n;
	const char	**paths, **hdrs;
	struct geo_par	 out[BURST];
	int		 rc;
};

static void *
run_batch(void *arg)
{
	struct batch	*b = arg;

	b->rc = geo_par_get(b->h, b->n, b->paths, b->hdrs, 30000, b->out);
	return NULL;
}

/*
 * BURST requests at once on each host, both batches in flight together,
 * one user: exactly 10 pass in all, each with a Remaining of 0..9, and
 * the rest are 429.  (Which Remaining each gets is not checked: a request
 * reads its clock before its turn at the row, and one that read it
 * before the request that opened the bucket is told one less; the count
 * is exact either way, and test_rate_limit_alternating checks the order.)
 */
static void
test_rate_limit_at_once(void **state)
{
	struct batch	 b[2];
	pthread_t	 t[2];
	const char	*paths[BURST], *hdrs[BURST];
	struct au_user	 u;
	char		 path[256], hdr[AU_TOKEN_MAX + 32], buf[32];
	int		 ok = 0, denied = 0, h, i;
	long		 rem;

	(void)state;
	assert_int_equal(au_new_user(B, "burst", &u), 0);
	geo_city_path(path, sizeof(path), "London");
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", u.token);
	for (i = 0; i < BURST; i++) {
		paths[i] = path;
		hdrs[i] = hdr;
	}
	au_begin();
	for (h = 0; h < 2; h++) {
		memset(&b[h], 0, sizeof(b[h]));
		b[h].h = h == 0 ? A : B;
		b[h].n = BURST;
		b[h].paths = paths;
		b[h].hdrs = hdrs;
		assert_int_equal(pthread_create(&t[h], NULL, run_batch, &b[h]), 0);
	}
	for (h = 0; h < 2; h++) {
		assert_int_equal(pthread_join(t[h], NULL), 0);
		assert_int_equal(b[h].rc, 0);
	}
	for (h = 0; h < 2; h++)
		for (i = 0; i < BURST; i++) {
			const struct geo_par *p = &b[h].out[i];

			if (p->status == 429)
				denied++;
			else if (p->status != 200)
				au_bad(LINE, "%s: status %ld", h ? "B" : "A", p->status);
			else if (geo_par_header(p, "RateLimit-Remaining", buf,
			    sizeof(buf)) == NULL || (rem = strtol(buf, NULL,
			    10)) < 0 || rem >= LIMIT)
				au_bad(LINE, "%s: 200 with Remaining %s", h ? "B" :
				    "A", buf);
			else
				ok++;
		}
	if (ok != LIMIT || denied != 2 * BURST - LIMIT)
		au_bad(LINE, "%d allowed and %d denied; want %d and %d", ok,
		    denied, LIMIT, 2 * BURST - LIMIT);
	for (h = 0; h < 2; h++)
		geo_par_free(b[h].out, BURST);
	au_end();
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Two places the gazetteer lacks asked on each host at once: Nominatim
 * sees the four requests about a second apart, the spacing kept in the
 * shared database (ratelimit_reserve), not per host.  Spacing per host
 * would let two requests through at once; the margins (0.5 s a gap,
 * 2.5 s in all) leave room for a loaded machine's late wake-ups.
 */
static void
test_nominatim_spacing_across(void **state)
{
	struct batch	 b[2];
	pthread_t	 t[2];
	struct json_object *all;
	const char	*paths[2][2], *hdrs[2];
	struct au_user	 u;
	char		 path[4][128], hdr[AU_TOKEN_MAX + 32];
	double		 when[4];
	int		 h, i, n0, n;

	(void)state;
	assert_int_equal(au_new_user(A, "spacing", &u), 0);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", u.token);
	for (i = 0; i < 4; i++) {
		snprintf(path[i], sizeof(path[i]),
		    "/geocode/city?city=Twohostville%%20%d", i + 1);
		paths[i / 2][i % 2] = path[i];
	}
	hdrs[0] = hdrs[1] = hdr;
	au_begin();
	assert_true((n0 = fakenom_count(&F)) >= 0);
	for (h = 0; h < 2; h++) {
		memset(&b[h], 0, sizeof(b[h]));
		b[h].h = h == 0 ? A : B;
		b[h].n = 2;
		b[h].paths = paths[h];
		b[h].hdrs = hdrs;
		assert_int_equal(pthread_create(&t[h], NULL, run_batch, &b[h]), 0);
	}
	for (h = 0; h < 2; h++) {
		assert_int_equal(pthread_join(t[h], NULL), 0);
		assert_int_equal(b[h].rc, 0);
		for (i = 0; i < 2; i++)
			if (b[h].out[i].status != 200)
				au_bad(LINE, "%s: %ld %.200s", h ? "B" : "A",
				    b[h].out[i].status, b[h].out[i].body);
		geo_par_free(b[h].out, 2);
	}
	assert_non_null(all = fakenom_requests(&F));
	n = (int)json_object_array_length(all) - n0;
	if (n != 4)
		au_bad(LINE, "the fake saw %d requests, want 4", n);
	for (i = 0; i < 4 && i < n; i++)
		when[i] = json_object_get_double(geo_member(
		    json_object_array_get_idx(all, (size_t)(n0 + i)), "t"));
	json_object_put(all);
	if (n == 4) {
		qsort(when, 4, sizeof(when[0]), cmp_double);
		for (i = 1; i < 4; i++)
			if (when[i] - when[i - 1] < 0.5)
				au_bad(LINE, "requests %d and %d reached Nominatim"
				    " %.3f s apart, want about 1", i - 1, i,
				    when[i] - when[i - 1]);
		if (when[3] - when[0] < 2.5)
			au_bad(LINE, "four requests within %.3f s, want about 3",
			    when[3] - when[0]);
	}
	au_end();
}

/* A session initialized on A: B serves it (ping, tools/list), refuses it
 * to another user, and ends it; A then knows it no more. */
static void
test_mcp_session_across(void **state)
{
	struct au_user	 u, w;
	struct http_resp r;
	struct mu_req	 del = { .method = "DELETE" };
	char		 sid[128], *tok, *wtok;

	(void)state;
	assert_int_equal(au_new_user(A, "mcp", &u), 0);
	assert_int_equal(au_new_user(B, "mcp2", &w), 0);
	assert_non_null(tok = mu_good_token(u.id));
	assert_non_null(wtok = mu_good_token(w.id));
	au_begin();
	assert_int_equal(mu_initialize(A, tok, NULL, sid, sizeof(sid)), 0);
	if (mu_post(B, tok, sid, PING, &r) != 0 || r.status != 200 ||
	    mu_result(&r) == NULL)
		au_bad(LINE, "ping on B in A's session: %ld", r.status);
	http_resp_free(&r);
	if (mu_post(B, tok, sid, TOOLS_LIST, &r) != 0 || r.status != 200 ||
	    mu_result(&r) == NULL)
		au_bad(LINE, "tools/list on B: %ld", r.status);
	http_resp_free(&r);
	if (mu_post(A, tok, sid, PING, &r) != 0 || r.status != 200)
		au_bad(LINE, "back on A: %ld", r.status);
	http_resp_free(&r);
	if (mu_post(B, wtok, sid, PING, &r) != 0 || r.status != 404)
		au_bad(LINE, "another user's token on B: %ld", r.status);
	http_resp_free(&r);
	del.token = tok;
	del.session = sid;
	if (mu_send(B, &del, &r) != 0 || r.status != 204)
		au_bad(LINE, "DELETE on B: %ld", r.status);
	http_resp_free(&r);
	if (mu_post(A, tok, sid, PING, &r) != 0 || r.status != 404)
		au_bad(LINE, "ended on B, on A: %ld", r.status);
	http_resp_free(&r);
	if (mu_post(B, tok, "0123456789abcdef0123456789abcdef", PING, &r) != 0 ||
	    r.status != 404)
		au_bad(LINE, "an unknown session on B: %ld", r.status);
	http_resp_free(&r);
	free(tok);
	free(wtok);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revoked_across),
		cmocka_unit_test(test_refresh_reuse_across),
		cmocka_unit_test(test_login_failures_across),
		cmocka_unit_test(test_rate_limit_alternating),
		cmocka_unit_test(test_rate_limit_at_once),
		cmocka_unit_test(test_nominatim_spacing_across),
		cmocka_unit_test(test_mcp_session_across),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
