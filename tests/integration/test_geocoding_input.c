/*
 * test_geocoding_input: what GET /geocode/city takes and refuses before a
 * lookup (part of test_geocoding; see test_geocoding.c), on an offline
 * server with the legacy API_KEY set.
 *
 * The city parameter: missing (also under another name or case), empty,
 * 201 characters (and 200 accepted, counted in characters, not bytes),
 * UTF-8 that is truncated or a surrogate (the program's 422), bytes that
 * never occur in UTF-8 (lighttpd's own 400, and the program's 422 when run
 * as plain CGI without it), malformed escapes, repeated and extra
 * parameters.  Credentials: none, garbage, empty, another scheme, no
 * scheme, a tampered signature, expired, alg none, an inactive user; the
 * legacy X-API-KEY right, wrong, empty, too long, beside a Bearer token,
 * and on the superusers' route.  Methods and paths around the routes.
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
#include "geocoding_util.h"
#include "harness.h"

#define LINE	__LINE__

static struct harness	*H;
static struct au_user	 U;
static char		 api_key[65], api_key_env[80], gaz_env[160];

static int
group_setup(void **state)
{
	const char *env[] = { "GEOCODER=offline", gaz_env, api_key_env,
	    "GEOCODING_USER_RATE_LIMIT=100000/minute", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts o = { .env = env };

	(void)state;
	if (harness_random_hex(api_key, 32) != 0)
		return -1;
	snprintf(api_key_env, sizeof(api_key_env), "API_KEY=%s", api_key);
	snprintf(gaz_env, sizeof(gaz_env), "GAZETTEER_PATH=%s", geo_gaz_path());
	if ((H = harness_start(&o)) == NULL || geo_gaz_ensure(H) != 0 ||
	    au_new_user(H, "geoinput", &U) != 0)
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

/* GET the city with U's token; fails the test when no answer came. */
static void
city(const char *c, struct http_resp *r)
{
	if (geo_get_city(H, c, U.token, r) != 0)
		fail_msg("GET /geocode/city?city=%s: no answer", c);
}

/* ---- the city parameter: 422 and friends ---- */

static void
check_422_input(int line, const struct http_resp *r, const char *type,
    const char *ctx_key, int64_t ctx_val)
{
	struct json_object	*d = geo_member(r->json, "detail"), *it, *c;

	au_check_422(line, r, type, "query.city");
	if (r->status != 422 || d == NULL || !json_object_is_type(d, json_type_array))
		return;
	if (json_object_array_length(d) != 1)
		au_bad(line, "%zu 422 items, want 1", json_object_array_length(d));
	it = json_object_array_get_idx(d, 0);
	if (ctx_key != NULL && ((c = geo_member(geo_member(it, "ctx"), ctx_key)) == NULL ||
	    json_object_get_int64(c) != ctx_val))
		au_bad(line, "ctx.%s is not %lld: %.300s", ctx_key, (long long)ctx_val,
		    r->body);
}

static void
test_validation(void **state)
{
	static const struct bad {
		int		 line;
		const char	*path;
		const char	*type;		/* NULL: any 422 */
		const char	*ctx;		/* ctx key, NULL: not checked */
		int64_t		 ctx_val;
	} bad[] = {
		{ LINE, "/geocode/city", "missing", NULL, 0 },
		{ LINE, "/geocode/city?", "missing", NULL, 0 },
		{ LINE, "/geocode/city?City=London", "missing", NULL, 0 },
		{ LINE, "/geocode/city?cityx=London", "missing", NULL, 0 },
		{ LINE, "/geocode/city?q=London", "missing", NULL, 0 },
		{ LINE, "/geocode/city?city=", "string_too_short", "min_length", 1 },
		{ LINE, "/geocode/city?city=&", "string_too_short", "min_length", 1 },
		{ LINE, "/geocode/city?city=%c3", NULL, NULL, 0 },	/* truncated */
		{ LINE, "/geocode/city?city=Lon%c3don", NULL, NULL, 0 },
		{ LINE, "/geocode/city?city=%e6%9d", NULL, NULL, 0 },	/* truncated */
		{ LINE, "/geocode/city?city=%ed%a0%80", NULL, NULL, 0 },	/* surrogate */
		{ LINE, "/geocode/city?city=%f4%90%80%80", NULL, NULL, 0 },	/* > U+10FFFF */
		{ LINE, "/geocode/city?city=%80", NULL, NULL, 0 },
	};
	struct http_resp	 r;
	char			 path[GEO_PATH_MAX], text[1024];
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(au_get(H, bad[i].path, U.token, &r), 0);
		check_422_input(bad[i].line, &r, bad[i].type, bad[i].ctx, bad[i].ctx_val);
		http_resp_free(&r);
	}
	/* Lengths count characters, not bytes: 200 pass, 201 do not. */
	memset(text, 'a', 201);
	text[201] = '\0';
	city(text, &r);
	check_422_input(LINE, &r, "string_too_long", "max_length", 200);
	if (r.status == 422 && strstr(r.body, text) == NULL)
		au_bad(LINE, "the 422 does not echo the input");
	http_resp_free(&r);
	text[200] = '\0';
	city(text, &r);
	geo_check_404(LINE, &r, text);
	http_resp_free(&r);
	for (i = 0; i < 201; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);	/* é */
	text[402] = '\0';
	city(text, &r);
	check_422_input(LINE, &r, "string_too_long", "max_length", 200);
	http_resp_free(&r);
	text[400] = '\0';
	city(text, &r);
	geo_check_404(LINE, &r, text);
	http_resp_free(&r);
	for (i = 0; i < 200; i++)
		memcpy(text + 4 * i, "\xf0\x9f\x8f\x99", 4);	/* 🏙, 4 bytes */
	text[800] = '\0';
	city(text, &r);
	geo_check_404(LINE, &r, text);
	http_resp_free(&r);
	snprintf(path, sizeof(path), "/geocode/city?city=%s", "a");
	for (i = 0; i < 1000; i++)
		strcat(path, "a");
	assert_int_equal(au_get(H, path, U.token, &r), 0);
	check_422_input(LINE, &r, "string_too_long", "max_length", 200);
	http_resp_free(&r);
	/*
	 * Bytes that never occur in UTF-8 (0xc0, 0xc1, 0xf5..0xff) and
	 * control characters are refused by lighttpd itself (its URL
	 * normalisation, http-parseopts' defaults) with a 400 of its own
	 * before the program sees them; test_cgi_bad_utf8 shows the
	 * program's own 422 for them.
	 */
	{
		static const char *const refused[] = { "%ff", "Lon%ffdon", "%c0%af",
		    "%fe%ff", "%f5%80%80%80", "%09", "Lon%0adon" };

		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			snprintf(path, sizeof(path), "/geocode/city?city=%s", refused[i]);
			assert_int_equal(au_get(H, path, U.token, &r), 0);
			/* Through Apache a tab or line break reaches the
			 * program: a valid string to pydantic, matching no
			 * place, so 404 as the Python service answered. */
			if (r.status != 400 && r.status != 422 &&
			    !(r.status == 404 && strstr(refused[i], "%0") != NULL))
				au_bad(LINE, "%s: status %ld, want lighttpd's 400 (or 422)",
				    refused[i], r.status);
			http_resp_free(&r);
		}
	}
	/* Malformed query strings: a 4xx, never a 5xx. */
	assert_int_equal(au_get(H, "/geocode/city?city=Lon%00don", U.token, &r), 0);
	au_check_4xx(LINE, &r);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/geocode/city?city=%zz", U.token, &r), 0);
	au_check_4xx(LINE, &r);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/geocode/city?city=%4", U.token, &r), 0);
	au_check_4xx(LINE, &r);
	http_resp_free(&r);
	/* Two values: an answer, not an error. */
	assert_int_equal(au_get(H, "/geocode/city?city=London&city=Tokyo", U.token,
	    &r), 0);
	geo_check_answer(LINE, &r, NULL, -1);
	http_resp_free(&r);
	/* Other parameters are ignored. */
	assert_int_equal(au_get(H, "/geocode/city?format=xml&city=Tokyo&limit=99",
	    U.token, &r), 0);
	geo_check_answer(LINE, &r, NULL, -1);
	geo_check_place(LINE, &r, 35.6895, 139.69171, GEO_ID_TOKYO, NULL, NULL);
	http_resp_free(&r);
	/* Validation comes after authentication. */
	geo_get_with(H, "/geocode/city", NULL, &r);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	au_end();
}

/*
 * What lighttpd refuses before the program (bytes that are never UTF-8,
 * control characters), run through geocoding.fcgi as plain CGI: the
 * program's own 422.
 */
static void
test_cgi_bad_utf8(void **state)
{
	static const struct {
		const char	*q;
		const char	*want;
	} qs[] = {
		{ "city=%ff", "Status: 422" },
		{ "city=Lon%ffdon", "Status: 422" },
		{ "city=%c0%af", "Status: 422" },
		{ "city=%fe%ff", "Status: 422" },
		{ "city=%f5%80%80%80", "Status: 422" },
		/* A tab is one character: a city nobody knows. */
		{ "city=%09", "Status: 404" },
	};
	char			 uri[128], query[128], auth[AU_TOKEN_MAX + 32];
	char			 secret[128], db[1024], gaz[300];
	const char		*env[20];
	struct cgi_result	 c;
	size_t			 i, n;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		n = 0;
		snprintf(uri, sizeof(uri), "REQUEST_URI=/geocode/city?%s", qs[i].q);
		snprintf(query, sizeof(query), "QUERY_STRING=%s", qs[i].q);
		snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %s", U.token);
		snprintf(secret, sizeof(secret), "JWT_SECRET=%s",
		    harness_env(H, "JWT_SECRET"));
		snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
		snprintf(gaz, sizeof(gaz), "GAZETTEER_PATH=%s", geo_gaz_path());
		env[n++] = "GATEWAY_INTERFACE=CGI/1.1";
		env[n++] = "REQUEST_METHOD=GET";
		env[n++] = uri;
		env[n++] = query;
		env[n++] = "SCRIPT_NAME=/geocode/city";
		env[n++] = "SERVER_NAME=localhost";
		env[n++] = "SERVER_PORT=80";
		env[n++] = "SERVER_PROTOCOL=HTTP/1.1";
		env[n++] = "PATH=/usr/bin:/bin";
		env[n++] = "LOG_LEVEL=ERROR";
		env[n++] = "GEOCODER=offline";
		env[n++] = auth;
		env[n++] = secret;
		env[n++] = db;
		env[n++] = gaz;
		env[n] = NULL;
		assert_int_equal(harness_cgi("geocoding.fcgi", env, NULL, 0, &c), 0);
		if (strncmp(c.out, qs[i].want, 11) != 0 ||
		    (strcmp(qs[i].want, "Status: 422") == 0 &&
		    strstr(c.out, "\"query\",\"city\"") == NULL))
			au_bad(LINE, "%s: %.300s, want %s (stderr %.300s)", qs[i].q,
			    c.out, qs[i].want, c.err);
		cgi_result_free(&c);
	}
	au_end();
}

/* ---- credentials ---- */

static void
test_auth(void **state)
{
	struct au_user		 t;
	struct http_resp	 r;
	char			 payload[512], hdr[AU_TOKEN_MAX + 64], *tok;
	size_t			 n;

	(void)state;
	au_begin();
	geo_get_with(H, "/geocode/city?city=London", NULL, &r);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	geo_get_with(H, "/geocode/city?city=London", "Authorization: Bearer garbage", &r);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	geo_get_with(H, "/geocode/city?city=London", "Authorization: Bearer ", &r);
	au_check_401(LINE, &r, -1);
	http_resp_free(&r);
	geo_get_with(H, "/geocode/city?city=London", "Authorization: Basic dXNlcjpwYXNz", &r);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "Authorization: %s", U.token);	/* no scheme */
	geo_get_with(H, "/geocode/city?city=London", hdr, &r);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	/* "Bearer" in any case works. */
	snprintf(hdr, sizeof(hdr), "Authorization: bEARER %s", U.token);
	geo_get_with(H, "/geocode/city?city=London", hdr, &r);
	geo_check_answer(LINE, &r, NULL, -1);
	http_resp_free(&r);
	/* A tampered signature. */
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", U.token);
	n = strlen(hdr);
	hdr[n - 2] = hdr[n - 2] == 'A' ? 'B' : 'A';
	geo_get_with(H, "/geocode/city?city=London", hdr, &r);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	/* Expired, and alg none. */
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"aud\":"
	    "[\"fastapi-users:auth\"],\"exp\":%lld}", U.id, (long long)au_now() - 600);
	tok = au_jwt_hs256(H, payload);
	assert_int_equal(au_get(H, "/geocode/city?city=London", tok, &r), 0);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	free(tok);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"aud\":"
	    "[\"fastapi-users:auth\"],\"exp\":%lld}", U.id, (long long)au_now() + 600);
	tok = au_jwt_hmac(NULL, NULL, 0, "{\"alg\":\"none\",\"typ\":\"JWT\"}", payload);
	assert_int_equal(au_get(H, "/geocode/city?city=London", tok, &r), 0);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	free(tok);
	/* An inactive user's token. */
	assert_int_equal(au_new_user(H, "geoinactive", &t), 0);
	assert_int_equal(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = %Q",
	    t.id), 0);
	assert_int_equal(geo_get_city(H, "London", t.token, &r), 0);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	au_end();
}

/* The legacy X-API-KEY (API_KEY is set on H). */
static void
test_api_key(void **state)
{
	struct http_resp	 r;
	char			 hdr[700];

	(void)state;
	au_begin();
	snprintf(hdr, sizeof(hdr), "X-API-KEY: %s", api_key);
	geo_get_with(H, "/geocode/city?city=Tokyo", hdr, &r);
	geo_check_answer(LINE, &r, NULL, -1);
	geo_check_place(LINE, &r, 35.6895, 139.69171, GEO_ID_TOKYO, NULL, NULL);
	if (!http_resp_header_has_token(&r, "Deprecation", "true"))
		au_bad(LINE, "the legacy key's answer has no Deprecation: true");
	http_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "x-api-key: %s", api_key);	/* any case */
	geo_get_with(H, "/geocode/city?city=Tokyo", hdr, &r);
	geo_check_answer(LINE, &r, NULL, -1);
	http_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "X-API-KEY: %sx", api_key);
	geo_get_with(H, "/geocode/city?city=Tokyo", hdr, &r);
	au_check_error(LINE, &r, 401, "Invalid API key");
	http_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "X-API-KEY: %.63s", api_key);
	geo_get_with(H, "/geocode/city?city=Tokyo", hdr, &r);
	au_check_error(LINE, &r, 401, "Invalid API key");
	http_resp_free(&r);
	geo_get_with(H, "/geocode/city?city=Tokyo", "X-API-KEY:", &r);
	au_check_error(LINE, &r, 401, NULL);
	http_resp_free(&r);
	memset(hdr, 'k', sizeof(hdr) - 1);
	hdr[sizeof(hdr) - 1] = '\0';
	memcpy(hdr, "X-API-KEY: ", 11);
	geo_get_with(H, "/geocode/city?city=Tokyo", hdr, &r);
	au_check_error(LINE, &r, 401, "Invalid API key");
	http_resp_free(&r);
	/* A Bearer token wins over the key, valid or not. */
	{
		char		 b[AU_TOKEN_MAX + 32];
		const char	*hs[] = { b, hdr, NULL };

		snprintf(hdr, sizeof(hdr), "X-API-KEY: %s", api_key);
		snprintf(b, sizeof(b), "Authorization: Bearer garbage");
		assert_int_equal(harness_request(H, "GET", "/geocode/city?city=Tokyo",
		    hs, NULL, 0, &r), 0);
		au_check_401(LINE, &r, 1);
		http_resp_free(&r);
		snprintf(hdr, sizeof(hdr), "X-API-KEY: wrong-key-here");
		snprintf(b, sizeof(b), "Authorization: Bearer %s", U.token);
		assert_int_equal(harness_request(H, "GET", "/geocode/city?city=Tokyo",
		    hs, NULL, 0, &r), 0);
		geo_check_answer(LINE, &r, NULL, -1);
		http_resp_free(&r);
	}
	/* The key is no credential for the superusers' route. */
	snprintf(hdr, sizeof(hdr), "X-API-KEY: %s", api_key);
	{
		const char *hs[] = { hdr, NULL };

		assert_int_equal(harness_request(H, "POST", "/geocode/cache/clear",
		    hs, "", 0, &r), 0);
		au_check_401(LINE, &r, 0);
		http_resp_free(&r);
	}
	au_end();
}

/* Methods and paths around the routes. */
static void
test_routes(void **state)
{
	static const struct route_case {
		int		 line;
		const char	*method;
		const char	*path;
		long		 status;
		const char	*detail;
	} cases[] = {
		{ LINE, "POST", "/geocode/city?city=London", 405, "Method Not Allowed" },
		{ LINE, "PUT", "/geocode/city?city=London", 405, "Method Not Allowed" },
		{ LINE, "DELETE", "/geocode/city?city=London", 405, "Method Not Allowed" },
		{ LINE, "GET", "/geocode/cache/clear", 405, "Method Not Allowed" },
		{ LINE, "DELETE", "/geocode/cache/clear", 405, "Method Not Allowed" },
		{ LINE, "POST", "/geocode/health", 405, "Method Not Allowed" },
		{ LINE, "GET", "/geocode/cities?city=London", 404, "Not Found" },
		{ LINE, "GET", "/geocode/city/London", 404, "Not Found" },
		{ LINE, "GET", "/geocode", 404, "Not Found" },
		{ LINE, "GET", "/geocode/", 404, "Not Found" },
		{ LINE, "GET", "/geocode/cache", 404, "Not Found" },
	};
	struct http_resp	 r;
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* 405 wins over authentication: sent without a token. */
		assert_int_equal(harness_request(H, cases[i].method, cases[i].path,
		    NULL, strcmp(cases[i].method, "GET") != 0 ? "" : NULL, 0, &r), 0);
		au_check_error(cases[i].line, &r, cases[i].status, cases[i].detail);
		http_resp_free(&r);
	}
	au_end();
}

int
geo_input_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_cgi_bad_utf8),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_api_key),
		cmocka_unit_test(test_routes),
	};

	return cmocka_run_group_tests_name("geocoding input", tests, group_setup,
	    group_teardown);
}
