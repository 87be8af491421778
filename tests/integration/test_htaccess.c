/*
 * test_htaccess: the shared-hosting setup (apache/htaccess) through Apache
 * with mod_fcgid, served as such a host would (harness_opts.htaccess): a
 * document root holding only the .htaccess, cgi-bin/ with the programs and
 * fcgi-users-data/ with their env file; .htaccess files may use FileInfo
 * directives only, and the programs get no environment from the server.
 * So: the programs find their settings (../fcgi-users-data/fcgi-users.env
 * beside their folder), every mapped prefix reaches its program, the
 * Authorization header gets through the rewrite (as
 * REDIRECT_HTTP_AUTHORIZATION), the data folder is never served, the
 * host's own /.well-known/ paths and other paths stay the host's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_util.h"
#include "harness.h"

static struct harness *H;

static int
group_setup(void **state)
{
	static const char *const env[] = {
		"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
		"PASSWORD_ARGON2_PARALLELISM=1", NULL
	};
	struct harness_opts o = { .env = env, .htaccess = 1 };

	(void)state;
	return (H = harness_start(&o)) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	int rc;

	(void)state;
	if (H == NULL)
		return 0;
	rc = harness_check_log(H);
	harness_stop(H);
	H = NULL;
	return rc;
}

/* The program that answered the request carrying X-Request-ID `id`, from
 * its access line in the log; NULL when none did.  Caller frees. */
static char *
answered_by(const char *id)
{
	char needle[96], *log, *at, *prog, *end, *ret = NULL;

	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", id);
	if ((log = harness_wait_log(H, needle, 3000)) == NULL)
		return NULL;
	if ((at = strstr(log, needle)) != NULL) {
		while (at > log && at[-1] != '\n')
			at--;
		if ((prog = strstr(at, "\"program\":\"")) != NULL) {
			prog += strlen("\"program\":\"");
			if ((end = strchr(prog, '"')) != NULL)
				ret = strndup(prog, (size_t)(end - prog));
		}
	}
	free(log);
	return ret;
}

/* Each mapped prefix reaches its program, with the program's JSON. */
static void
test_routing(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		long		 status;
		const char	*program;
	} cases[] = {
		{ __LINE__, "/health", 200, "users.fcgi" },
		{ __LINE__, "/health?x=%41", 200, "users.fcgi" },
		{ __LINE__, "/health/", 307, "users.fcgi" },
		{ __LINE__, "/users/me", 401, "users.fcgi" },
		{ __LINE__, "/users/nope/deeper", 404, "users.fcgi" },
		{ __LINE__, "/protected", 401, "users.fcgi" },
		{ __LINE__, "/auth", 404, "auth.fcgi" },
		{ __LINE__, "/auth/jwt/login", 405, "auth.fcgi" },
		{ __LINE__, "/.well-known/jwks.json", 200, "auth.fcgi" },
		{ __LINE__, "/geocode/x", 404, "geocoding.fcgi" },
		{ __LINE__, "/mcp-server/x", 404, "mcp.fcgi" },
		{ __LINE__, "/.well-known/oauth-protected-resource/x", 404, "mcp.fcgi" },
		/* run directly, a program answers for itself: a JSON 404 */
		{ __LINE__, "/cgi-bin/users.fcgi", 404, "users.fcgi" },
	};
	char rnd[9];

	(void)state;
	assert_int_equal(harness_random_hex(rnd, 4), 0);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[64], hdr[96], *prog;
		const char *hs[] = { hdr, NULL };
		struct http_resp r;

		snprintf(id, sizeof(id), "ht-%s-%zu", rnd, i);
		snprintf(hdr, sizeof(hdr), "X-Request-ID: %s", id);
		if (harness_request(H, "GET", cases[i].path, hs, NULL, 0, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		if (r.status != cases[i].status)
			au_bad(cases[i].line, "%s: status %ld, want %ld (body %.200s)",
			    cases[i].path, r.status, cases[i].status, r.body);
		if (cases[i].status != 307 && !au_is_json(&r))
			au_bad(cases[i].line, "%s: not a JSON answer: %.200s", cases[i].path,
			    r.body);
		http_resp_free(&r);
		prog = answered_by(id);
		if (prog == NULL || strcmp(prog, cases[i].program) != 0)
			au_bad(cases[i].line, "%s answered by %s, want %s", cases[i].path,
			    prog != NULL ? prog : "(no program)", cases[i].program);
		free(prog);
	}
	au_end();
}

/* Register, log in, and use the token: the header reaches users.fcgi. */
static void
test_authorization(void **state)
{
	struct au_user u;
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "htaccess", &u), 0);
	assert_int_equal(au_get(H, "/users/me", u.token, &r), 0);
	if (r.status != 200 || au_jstr(r.json, "email") == NULL ||
	    strcmp(au_jstr(r.json, "email"), u.email) != 0)
		fail_msg("GET /users/me with the token: %ld %.300s", r.status, r.body);
	http_resp_free(&r);
	/* and a wrong one is refused as invalid, not as missing */
	assert_int_equal(au_get(H, "/users/me", "not.a.token", &r), 0);
	au_begin();
	au_check_401(__LINE__, &r, 1);
	au_end();
	http_resp_free(&r);
}

/* Paths that are not the API's stay the host's: not a program's answer. */
static void
test_not_ours(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		long		 status;
	} cases[] = {
		/* the data folder: env file (JWT_SECRET), listing, anything */
		{ __LINE__, "/fcgi-users-data/fcgi-users.env", 403 },
		{ __LINE__, "/fcgi-users-data/", 403 },
		{ __LINE__, "/fcgi-users-data", 403 },
		{ __LINE__, "/fcgi-users-data/../fcgi-users-data/fcgi-users.env", 403 },
		{ __LINE__, "/%66cgi-users-data/fcgi-users.env", 403 },
		/* the host's certificate challenges, and prefixes that only look alike */
		{ __LINE__, "/.well-known/acme-challenge/token", 404 },
		{ __LINE__, "/authx", 404 },
		{ __LINE__, "/healthz", 404 },
		{ __LINE__, "/", 404 },
	};
	const char *secret = harness_env(H, "JWT_SECRET");

	(void)state;
	assert_non_null(secret);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;

		if (harness_get(H, cases[i].path, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		if (r.status != cases[i].status)
			au_bad(cases[i].line, "%s: status %ld, want %ld", cases[i].path,
			    r.status, cases[i].status);
		if (http_resp_header(&r, "X-Request-ID") != NULL)
			au_bad(cases[i].line, "%s: a program answered", cases[i].path);
		if (r.body != NULL && strstr(r.body, secret) != NULL)
			au_bad(cases[i].line, "%s: the body holds JWT_SECRET", cases[i].path);
		http_resp_free(&r);
	}
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_authorization),
		cmocka_unit_test(test_not_ours),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
