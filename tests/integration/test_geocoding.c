/*
 * test_geocoding: geocoding.fcgi through a real lighttpd (harness.h), with
 * the fixture gazetteer (tests/fixtures/geonames/, built here once with
 * `fcgi-users import gazetteer`) and a fake Nominatim on loopback
 * (fake_nominatim.py).  One ctest program in four groups, each with its
 * own servers: this file holds the offline provider, health, the cache and
 * main(); test_geocoding_input.c what the route refuses (the city
 * parameter, credentials, methods); test_geocoding_upstream.c the
 * Nominatim client, the provider chain and the deployment-wide spacing;
 * test_geocoding_limits.c the per-user quotas.
 *
 * Offline: the Python service's examples (London, New York, Tokyo, São
 * Paulo) answer exactly its GeocodingResponse, from the gazetteer every
 * time (its answers are never cached: cached is false and the cache gets
 * no row); accents, scripts and alternate names match and the most
 * populous place wins; unknown and hostile names are 404 with the exact
 * detail; /geocode/health and its fields.  The cache, on a second server
 * C (GEOCODER=offline,nominatim with a fake Nominatim): what Nominatim
 * answered comes back with the first call's timestamp and body, case and
 * surrounding blanks share the entry, POST /geocode/cache/clear (401,
 * 403, 200 and an empty cache), GEOCODING_CACHE_TTL_HOURS, expiry and
 * pruning.  And a missing,
 * empty or foreign gazetteer answers 503 with a log line, never a crash,
 * and the real one is picked up once it is there, without a restart.
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
#include <unistd.h>

#include "accounts_util.h"
#include "db.h"
#include "fake_nominatim_util.h"
#include "geocoding_util.h"
#include "harness.h"

#define LINE	__LINE__

static struct harness	*H;		/* offline, the group's server */
static struct harness	*X;		/* a test's own server, stopped by teardown */
static struct au_user	 U;		/* a plain user */
static struct au_user	 S;		/* a superuser */
static struct harness	*C;		/* offline,nominatim: the cache's tests */
static struct au_user	 UC, SC;	/* C's plain user and superuser */
static struct fakenom	 F;		/* C's Nominatim */
static char		 gaz_env[160], url_env[128];

static int
group_setup(void **state)
{
	const char *env[] = { "GEOCODER=offline", gaz_env,
	    "GEOCODING_USER_RATE_LIMIT=100000/minute",
	    "GEOCODING_CACHE_TTL_HOURS=48", GEO_CHEAP_ARGON2, NULL };
	const char *env_c[] = { "GEOCODER=offline,nominatim", gaz_env, url_env,
	    "NOMINATIM_TIMEOUT_SECONDS=2", "GEOCODING_USER_RATE_LIMIT=100000/minute",
	    "GEOCODING_CACHE_TTL_HOURS=48", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts o = { .env = env }, oc = { .env = env_c };

	(void)state;
	snprintf(gaz_env, sizeof(gaz_env), "GAZETTEER_PATH=%s", geo_gaz_path());
	if ((H = harness_start(&o)) == NULL || geo_gaz_ensure(H) != 0 ||
	    au_new_user(H, "geo", &U) != 0 || au_new_user(H, "geoadmin", &S) != 0 ||
	    au_make_superuser(H, &S) != 0 || fakenom_start(&F) != 0)
		return -1;
	snprintf(url_env, sizeof(url_env), "NOMINATIM_URL=%s", F.url);
	if ((C = harness_start(&oc)) == NULL || au_new_user(C, "geoc", &UC) != 0 ||
	    au_new_user(C, "geocadmin", &SC) != 0 || au_make_superuser(C, &SC) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int	 rc;

	(void)state;
	rc = harness_check_log(H);
	if (C != NULL)
		rc |= harness_check_log(C);
	harness_stop(H);
	harness_stop(C);
	H = C = NULL;
	fakenom_stop(&F);
	return rc;
}

static int
stop_own(void **state)
{
	int	 rc = 0;

	(void)state;
	if (X != NULL)
		rc = harness_check_log(X);
	harness_stop(X);
	X = NULL;
	return rc;
}

/* GET the city with U's token; fails the test when no answer came. */
static void
city(const char *c, struct http_resp *r)
{
	if (geo_get_city(H, c, U.token, r) != 0)
		fail_msg("GET /geocode/city?city=%s: no answer", c);
}

/* The same on C, with UC's token. */
static void
cityc(const char *c, struct http_resp *r)
{
	if (geo_get_city(C, c, UC.token, r) != 0)
		fail_msg("GET /geocode/city?city=%s on C: no answer", c);
}

/* ---- the Python service's examples ---- */

static const struct example {
	int		 line;
	const char	*city;
	double		 lat, lon;
	int64_t		 id;
	const char	*display_name;
} examples[] = {
	{ LINE, "London", 51.50853, -0.12574, GEO_ID_LONDON,
	  "London, England, United Kingdom" },
	{ LINE, "New York", 40.71427, -74.00597, GEO_ID_NYC,
	  "New York City, New York, United States" },
	{ LINE, "Tokyo", 35.6895, 139.69171, GEO_ID_TOKYO, "Tokyo, Japan" },
	{ LINE, "São Paulo", -23.5475, -46.63611, GEO_ID_SAOPAULO,
	  "São Paulo, Brazil" },
};

/* 200 with the exact shape, twice: the gazetteer answers every time,
 * nothing is cached. */
static void
test_examples(void **state)
{
	struct http_resp	 a, b;
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *e = &examples[i];

		city(e->city, &a);
		geo_check_answer(e->line, &a, e->city, 0);
		geo_check_place(e->line, &a, e->lat, e->lon, e->id, e->display_name,
		    NULL);
		city(e->city, &b);
		geo_check_answer(e->line, &b, e->city, 0);
		geo_check_place(e->line, &b, e->lat, e->lon, e->id, e->display_name,
		    NULL);
		http_resp_free(&a);
		http_resp_free(&b);
	}
	if (geo_cache_rows(H, NULL) != 0)
		au_bad(LINE, "%lld cache rows: the gazetteer's answers were stored",
		    (long long)geo_cache_rows(H, NULL));
	au_end();
}

/* The body of b is a's with "cached" true. */
static void
check_cached_copy(int line, const struct http_resp *a, const struct http_resp *b)
{
	const char	*tail;
	char		*want;

	if (a->status != 200 || b->status != 200 ||
	    (tail = strstr(a->body, "\"cached\":false}")) == NULL) {
		au_bad(line, "no two answers to compare: %ld, %ld", a->status,
		    b->status);
		return;
	}
	assert_true(asprintf(&want, "%.*s\"cached\":true}", (int)(tail - a->body),
	    a->body) > 0);
	if (strcmp(want, b->body) != 0)
		au_bad(line, "cached body %s, want %s", b->body, want);
	free(want);
}

/*
 * What Nominatim answered is cached: "ATLANTIS", "  atlantis  " share the
 * entry of a first "Atlantis", whose answer they get, city and timestamp
 * included (as the Python service did), and Nominatim is asked once.
 */
static void
test_cache_key(void **state)
{
	/* (A tab or a line break, even percent-encoded, never gets past
	 * lighttpd: its url-ctrls-reject answers 400 itself.) */
	static const char *const same[] = { "ATLANTIS", "  atlantis  ",
	    "atlantis", "aTlAnTiS", " ATLANTIS", "Atlantis " };
	struct http_resp	 a, b;
	size_t			 i;
	int			 asked;

	(void)state;
	au_begin();
	asked = fakenom_count(&F);
	cityc("Atlantis", &a);
	geo_check_answer(LINE, &a, "Atlantis", 0);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		cityc(same[i], &b);
		geo_check_answer(LINE, &b, "Atlantis", 1);
		check_cached_copy(LINE, &a, &b);
		http_resp_free(&b);
	}
	if (fakenom_count(&F) != asked + 1)
		au_bad(LINE, "Nominatim was asked %d times, want once",
		    fakenom_count(&F) - asked);
	if (geo_cache_rows(C, "atlantis") != 1)
		au_bad(LINE, "want one cache row \"atlantis\", have %lld",
		    (long long)geo_cache_rows(C, "atlantis"));
	/* Another text is another entry, and the gazetteer's places none. */
	cityc("Atlantida", &b);
	geo_check_answer(LINE, &b, "Atlantida", 0);
	http_resp_free(&b);
	cityc("Paris", &b);
	geo_check_answer(LINE, &b, "Paris", 0);
	geo_check_place(LINE, &b, 48.85341, 2.3488, 2988507,
	    "Paris, Île-de-France, France", NULL);
	http_resp_free(&b);
	cityc("paris", &b);
	geo_check_answer(LINE, &b, "paris", 0);
	http_resp_free(&b);
	if (fakenom_count(&F) != asked + 2 || geo_cache_rows(C, NULL) != 2)
		au_bad(LINE, "Nominatim asked %d times, %lld cache rows; want 2 and 2",
		    fakenom_count(&F) - asked, (long long)geo_cache_rows(C, NULL));
	http_resp_free(&a);
	au_end();
}

/* Case, accents, blanks and alternate names; the most populous wins. */
static const struct match {
	int		 line;
	const char	*query;
	int64_t		 id;
} matches[] = {
	{ LINE, "sao paulo", GEO_ID_SAOPAULO },
	{ LINE, "SAO PAULO", GEO_ID_SAOPAULO },
	{ LINE, "Sa\xcc\x83o Paulo", GEO_ID_SAOPAULO },	/* NFD: a + U+0303 */
	{ LINE, "Sampa", GEO_ID_SAOPAULO },
	{ LINE, "Köln", GEO_ID_KOELN },
	{ LINE, "KÖLN", GEO_ID_KOELN },
	{ LINE, "Cologne", GEO_ID_KOELN },
	{ LINE, "Koeln", GEO_ID_KOELN },
	{ LINE, "Кельн", GEO_ID_KOELN },
	{ LINE, "Peking", GEO_ID_BEIJING },
	{ LINE, "PEKING", GEO_ID_BEIJING },
	{ LINE, "北京", GEO_ID_BEIJING },
	{ LINE, "new york", GEO_ID_NYC },	/* the city, not the state */
	{ LINE, "NYC", GEO_ID_NYC },
	{ LINE, "tokio", GEO_ID_TOKYO },
	{ LINE, "東京", GEO_ID_TOKYO },
	{ LINE, "zurich", 2657896 },
	{ LINE, "Zürich", 2657896 },
	{ LINE, "lodz", 3093133 },
	{ LINE, "ŁÓDŹ", 3093133 },
	{ LINE, "Århus", 2624652 },
	{ LINE, "tromso", 3133895 },
	{ LINE, "Montreal", 6077243 },		/* Montréal CA over Montréal FR */
	{ LINE, "Springfield", 4409896 },	/* MO over MA and IL */
	{ LINE, "athens", 264371 },		/* GR over GA */
	{ LINE, "Αθήνα", 264371 },
	{ LINE, "Moscow", 524901 },
	{ LINE, "Twinton", 9000001 },		/* equal populations: lower id */
	{ LINE, "frankfurt   am    main", 2925533 },	/* inner runs fold */
	{ LINE, "\xc2\xa0Tokyo\xc2\xa0", GEO_ID_TOKYO },	/* no-break spaces */
};

static void
test_matching(void **state)
{
	struct http_resp	 r;
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		city(matches[i].query, &r);
		geo_check_answer(matches[i].line, &r, NULL, -1);
		if (r.status == 200 && au_jbool(r.json, "cached") == 0 &&
		    strcmp(au_jstr(r.json, "city"), matches[i].query) != 0)
			au_bad(matches[i].line, "city \"%s\", want the query as given",
			    au_jstr(r.json, "city"));
		if (r.status == 200 &&
		    json_object_get_int64(geo_member(r.json, "place_id")) != matches[i].id)
			au_bad(matches[i].line, "\"%s\": place_id %s, want %lld",
			    matches[i].query, json_object_to_json_string(
			    geo_member(r.json, "place_id")), (long long)matches[i].id);
		http_resp_free(&r);
	}
	/* '+' in a query string is a space (HTML forms, Starlette). */
	geo_get_with(H, "/geocode/city?city=New+York", NULL, &r);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/geocode/city?city=New+York", U.token, &r), 0);
	geo_check_answer(LINE, &r, NULL, -1);
	if (json_object_get_int64(geo_member(r.json, "place_id")) != GEO_ID_NYC)
		au_bad(LINE, "New+York: %.300s", r.body);
	http_resp_free(&r);
	au_end();
}

/* Not found: 404 with the exact detail, the city echoed as given; nothing
 * cached. */
static const struct miss {
	int		 line;
	const char	*query;
	const char	*key;	/* its cache key, NULL: none */
} misses[] = {
	{ LINE, "Atlantis", "atlantis" },
	{ LINE, "xyzzy", "xyzzy" },
	{ LINE, "Lond", "lond" },			/* no prefix matching */
	{ LINE, "London, UK", "london, uk" },
	{ LINE, "Londonx", "londonx" },
	{ LINE, "O'Brien's \"Town\"", "o'brien's \"town\"" },
	{ LINE, "Paris%20", "paris%20" },		/* a literal %20 */
	{ LINE, "   ", NULL },			/* blank: no name */
	{ LINE, "\xc2\xa0", NULL },			/* a no-break space alone */
	{ LINE, "\xe3\x80\x80", NULL },		/* U+3000 ideographic space */
	{ LINE, "東京x", NULL },
	{ LINE, "🏙️", NULL },
	{ LINE, "\\", "\\" },
	{ LINE, "<script>alert(1)</script>", NULL },
	{ LINE, "'; DROP TABLE places; --", NULL },
	{ LINE, "%", "%" },
	{ LINE, "_", "_" },
};

static void
test_not_found(void **state)
{
	struct http_resp	 r;
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		city(misses[i].query, &r);
		geo_check_404(misses[i].line, &r, misses[i].query);
		if (!geo_utf8_valid(r.body, r.body_len))
			au_bad(misses[i].line, "the 404 body is not UTF-8");
		http_resp_free(&r);
		if (misses[i].key != NULL && geo_cache_rows(H, misses[i].key) != 0)
			au_bad(misses[i].line, "a miss was cached");
	}
	/* The gazetteer is intact after the hostile ones. */
	city("Istanbul", &r);
	geo_check_answer(LINE, &r, "Istanbul", -1);
	http_resp_free(&r);
	au_end();
}

/* ---- health and the cache ---- */

/* GET /geocode/health with U's token: checks the fields; the cache size. */
static int64_t
health(int line, struct harness *h, const char *provider, int gazetteer)
{
	static const char *const keys[] = { "service", "status", "cache_size",
	    "cache_ttl_hours", "rate_limiter", "user_agent", "provider",
	    "gazetteer" };
	struct http_resp	 r;
	struct json_object	*g, *v;
	int64_t			 size = -1;
	size_t			 i;

	assert_int_equal(au_get(h, "/geocode/health", h == C ? UC.token : U.token,
	    &r), 0);
	if (r.status != 200 || !au_is_json(&r) || r.json == NULL) {
		au_bad(line, "health: status %ld, %.300s", r.status, r.body);
		http_resp_free(&r);
		return -1;
	}
	i = 0;
	json_object_object_foreach(r.json, k, val) {
		(void)val;
		if (i >= sizeof(keys) / sizeof(keys[0]) || strcmp(k, keys[i]) != 0)
			au_bad(line, "health key %zu is %s: %.400s", i, k, r.body);
		i++;
	}
	if (i != sizeof(keys) / sizeof(keys[0]))
		au_bad(line, "health has %zu keys, want 8: %.400s", i, r.body);
	if (au_jstr(r.json, "service") == NULL ||
	    strcmp(au_jstr(r.json, "service"), "geocoding") != 0 ||
	    au_jstr(r.json, "status") == NULL ||
	    strcmp(au_jstr(r.json, "status"), "healthy") != 0 ||
	    au_jstr(r.json, "rate_limiter") == NULL ||
	    strcmp(au_jstr(r.json, "rate_limiter"), "active") != 0)
		au_bad(line, "health service/status/rate_limiter: %.400s", r.body);
	if (!json_object_is_type(v = geo_member(r.json, "cache_size"), json_type_int) ||
	    (size = json_object_get_int64(v)) < 0)
		au_bad(line, "cache_size is not a count");
	if (!json_object_is_type(geo_member(r.json, "cache_ttl_hours"), json_type_int))
		au_bad(line, "cache_ttl_hours is not an integer");
	if (au_jstr(r.json, "user_agent") == NULL || au_jstr(r.json, "provider") == NULL ||
	    strcmp(au_jstr(r.json, "provider"), provider) != 0)
		au_bad(line, "provider %s, want %s", au_jstr(r.json, "provider"), provider);
	g = geo_member(r.json, "gazetteer");
	if (!gazetteer) {
		if (g != NULL)
			au_bad(line, "gazetteer %s, want null", json_object_to_json_string(g));
	} else if (g == NULL || json_object_get_int64(geo_member(g, "places")) != 31 ||
	    au_jstr(g, "licence") == NULL || strstr(au_jstr(g, "licence"),
	    "CC BY 4.0") == NULL || strstr(au_jstr(g, "licence"), "GeoNames") == NULL ||
	    au_jstr(g, "source") == NULL ||
	    !au_matches(GEO_TS_RE, au_jstr(g, "imported_at")))
		au_bad(line, "gazetteer %s, want 31 places from GeoNames, CC BY 4.0",
		    g != NULL ? json_object_to_json_string(g) : "null");
	http_resp_free(&r);
	return size;
}

static void
test_health(void **state)
{
	struct http_resp	 r;
	int64_t			 n;

	(void)state;
	au_begin();
	n = health(LINE, H, "offline", 1);
	if (n != geo_cache_rows(H, NULL))
		au_bad(LINE, "cache_size %lld, the table holds %lld", (long long)n,
		    (long long)geo_cache_rows(H, NULL));
	assert_int_equal(au_get(H, "/geocode/health", U.token, &r), 0);
	if (json_object_get_int64(geo_member(r.json, "cache_ttl_hours")) != 48)
		au_bad(LINE, "cache_ttl_hours %s, want 48 (GEOCODING_CACHE_TTL_HOURS)",
		    json_object_to_json_string(geo_member(r.json, "cache_ttl_hours")));
	if (au_jstr(r.json, "user_agent") == NULL ||
	    strcmp(au_jstr(r.json, "user_agent"), "FastAPI Application/1.0") != 0)
		au_bad(LINE, "user_agent %s, want the Python service's default",
		    au_jstr(r.json, "user_agent"));
	http_resp_free(&r);
	/* A place of the gazetteer is not cached; one of Nominatim is. */
	city("Reykjavík", &r);
	geo_check_answer(LINE, &r, "Reykjavík", 0);
	http_resp_free(&r);
	if (health(LINE, H, "offline", 1) != n)
		au_bad(LINE, "cache_size changed with an offline answer");
	n = health(LINE, C, "offline,nominatim", 1);
	cityc("Hyperborea", &r);
	geo_check_answer(LINE, &r, "Hyperborea", 0);
	http_resp_free(&r);
	if (health(LINE, C, "offline,nominatim", 1) != n + 1)
		au_bad(LINE, "cache_size did not grow by one");
	au_end();
}

/* The TTL is GEOCODING_CACHE_TTL_HOURS (48 on C); an expired entry is a
 * miss and is replaced; expired rows are pruned when answers are stored. */
static void
test_cache_expiry(void **state)
{
	struct http_resp	 a, b;

	(void)state;
	au_begin();
	cityc("Thule", &a);
	geo_check_answer(LINE, &a, "Thule", 0);
	if (geo_cache_rows(C, "thule") != 1)
		au_bad(LINE, "Thule was not cached");
	assert_int_equal(au_db_exec(C, "UPDATE geocode_cache SET created_at = 1 "
	    "WHERE key = 'thule' AND expires_at - %lld BETWEEN 48 * 3600 - 60 "
	    "AND 48 * 3600", (long long)au_now()), 0);
	/* Expired: a miss, a new timestamp, the row replaced. */
	assert_int_equal(au_db_exec(C, "UPDATE geocode_cache SET expires_at = 2 "
	    "WHERE key = 'thule'"), 0);
	geo_sleep_ms(20);
	cityc("THULE", &b);
	geo_check_answer(LINE, &b, "THULE", 0);
	if (strcmp(geo_timestamp(&a), geo_timestamp(&b)) >= 0)
		au_bad(LINE, "timestamp %s is not after %s", geo_timestamp(&b),
		    geo_timestamp(&a));
	http_resp_free(&b);
	cityc("thule", &b);
	geo_check_answer(LINE, &b, "THULE", 1);
	http_resp_free(&b);
	http_resp_free(&a);
	/* A stale row goes when another answer is stored. */
	assert_int_equal(au_db_exec(C, "INSERT INTO geocode_cache (key, answer, "
	    "created_at, expires_at) VALUES ('stale-entry', '{}', 1, 2)"), 0);
	if (geo_cache_rows(C, "stale-entry") != 1)
		au_bad(LINE, "cannot plant a stale row");
	cityc("Lemuria", &a);
	geo_check_answer(LINE, &a, "Lemuria", 0);
	http_resp_free(&a);
	if (geo_cache_rows(C, "stale-entry") != 0)
		au_bad(LINE, "the expired row is still there after a store");
	/* An expired row is never served, even before it is pruned: Nominatim
	 * (the fake's mode "empty") finds nothing, and that is the answer. */
	assert_int_equal(au_db_exec(C, "INSERT INTO geocode_cache (key, answer, "
	    "created_at, expires_at) VALUES ('empty mu', '{\"city\":\"Mu\"}', "
	    "1, 2)"), 0);
	cityc("empty Mu", &a);
	geo_check_404(LINE, &a, "empty Mu");
	http_resp_free(&a);
	au_end();
}

static void
test_cache_clear(void **state)
{
	struct http_resp	 r, a;
	struct json_object	*v;
	int64_t			 before;
	const char		*hs[2] = { NULL, NULL };
	char			 hdr[AU_TOKEN_MAX + 32];

	(void)state;
	au_begin();
	cityc("Avalon", &a);
	geo_check_answer(LINE, &a, NULL, -1);
	before = geo_cache_rows(C, NULL);
	if (before < 1)
		au_bad(LINE, "nothing cached before the clear");
	/* Refused: anonymous, bad token, plain user; nothing cleared. */
	assert_int_equal(harness_request(C, "POST", "/geocode/cache/clear", NULL,
	    "", 0, &r), 0);
	au_check_401(LINE, &r, 0);
	http_resp_free(&r);
	hs[0] = "Authorization: Bearer not.a.token";
	assert_int_equal(harness_request(C, "POST", "/geocode/cache/clear", hs,
	    "", 0, &r), 0);
	au_check_401(LINE, &r, 1);
	http_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", UC.token);
	hs[0] = hdr;
	assert_int_equal(harness_request(C, "POST", "/geocode/cache/clear", hs,
	    "", 0, &r), 0);
	au_check_error(LINE, &r, 403, "Forbidden");
	http_resp_free(&r);
	if (geo_cache_rows(C, NULL) != before)
		au_bad(LINE, "a refused clear changed the cache");
	/* A superuser clears it. */
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", SC.token);
	assert_int_equal(harness_request(C, "POST", "/geocode/cache/clear", hs,
	    "", 0, &r), 0);
	if (r.status != 200 || !au_is_json(&r) || r.json == NULL ||
	    json_object_object_length(r.json) != 2 ||
	    au_jstr(r.json, "message") == NULL ||
	    strcmp(au_jstr(r.json, "message"), "Geocoding cache cleared") != 0 ||
	    !json_object_is_type(v = geo_member(r.json, "timestamp"), json_type_string) ||
	    !au_matches(GEO_TS_RE, json_object_get_string(v)))
		au_bad(LINE, "clear: status %ld, %.300s", r.status, r.body);
	http_resp_free(&r);
	if (geo_cache_rows(C, NULL) != 0)
		au_bad(LINE, "%lld rows left after the clear",
		    (long long)geo_cache_rows(C, NULL));
	if (health(LINE, C, "offline,nominatim", 1) != 0)
		au_bad(LINE, "health's cache_size is not 0 after the clear");
	/* The next call is a miss with a new timestamp, then a hit. */
	cityc("Avalon", &r);
	geo_check_answer(LINE, &r, "Avalon", 0);
	if (strcmp(geo_timestamp(&r), geo_timestamp(&a)) <= 0)
		au_bad(LINE, "timestamp %s is not after %s", geo_timestamp(&r),
		    geo_timestamp(&a));
	http_resp_free(&r);
	cityc("avalon", &r);
	geo_check_answer(LINE, &r, "Avalon", 1);
	http_resp_free(&r);
	/* Clearing an empty cache is fine too; a body is ignored. */
	assert_int_equal(harness_request(C, "POST", "/geocode/cache/clear", hs,
	    "{\"all\":false}", 13, &r), 0);
	if (r.status != 200)
		au_bad(LINE, "second clear: %ld %.300s", r.status, r.body);
	http_resp_free(&r);
	http_resp_free(&a);
	au_end();
}

/* ---- no gazetteer ---- */

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	assert_true(len == 0 || fwrite(data, 1, len, f) == len);
	assert_int_equal(fclose(f), 0);
}

static void
copy_file(const char *from, const char *to)
{
	char	 cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s.tmp' && mv '%s.tmp' '%s'", from, to,
	    to, to);
	assert_int_equal(system(cmd), 0);
}

/*
 * A missing, empty or garbage gazetteer: 503 with the documented detail
 * and a log line saying why, never a crash; /geocode/health still answers;
 * once a real gazetteer is put there it is used, without a restart.
 */
static void
test_no_gazetteer(void **state)
{
	char			 path[256], env_path[300];
	const char		*env[] = { "GEOCODER=offline", env_path,
	    "GEOCODING_USER_RATE_LIMIT=100000/minute", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts	 o = { .env = env };
	struct au_user		 u;
	struct http_resp	 r;
	char			*log;
	int			 i;

	(void)state;
	snprintf(path, sizeof(path), "%s/later.db", geo_gaz_dir());
	unlink(path);
	snprintf(env_path, sizeof(env_path), "GAZETTEER_PATH=%s", path);
	assert_non_null(X = harness_start(&o));
	assert_int_equal(au_new_user(X, "nogaz", &u), 0);
	au_begin();
	for (i = 0; i < 3; i++) {
		assert_int_equal(geo_get_city(X, "London", u.token, &r), 0);
		geo_check_503(LINE, &r);
		http_resp_free(&r);
	}
	log = harness_wait_log(X, "gazetteer unavailable", 5000);
	if (log == NULL || strstr(log, "gazetteer unavailable") == NULL ||
	    strstr(log, "GAZETTEER_PATH") == NULL)
		au_bad(LINE, "no log line names the missing gazetteer");
	free(log);
	/* Not found is not what a broken provider says. */
	assert_int_equal(geo_get_city(X, "Atlantis", u.token, &r), 0);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	if (geo_cache_rows(X, NULL) != 0)
		au_bad(LINE, "a failure was cached");
	assert_int_equal(au_get(X, "/geocode/health", u.token, &r), 0);
	if (r.status != 200 || !json_object_object_get_ex(r.json, "gazetteer", NULL) ||
	    geo_member(r.json, "gazetteer") != NULL)
		au_bad(LINE, "health without a gazetteer: %ld %.300s", r.status, r.body);
	http_resp_free(&r);
	/* An empty file, then garbage. */
	write_file(path, "", 0);
	assert_int_equal(geo_get_city(X, "London", u.token, &r), 0);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	write_file(path, "this is not a database\n", 23);
	for (i = 0; i < 2; i++) {
		assert_int_equal(geo_get_city(X, "Tokyo", u.token, &r), 0);
		geo_check_503(LINE, &r);
		http_resp_free(&r);
	}
	/* Another SQLite database: the accounts' own, or on PostgreSQL
	 * one with a table of that name. */
	if (strncmp(harness_env(X, "DATABASE_URL"), "postgresql://", 13) == 0) {
		struct db	*db;

		unlink(path);
		assert_int_equal(db_open(path, DB_OPEN_CREATE, 5000, &db), DB_OK);
		assert_int_equal(db_exec(db, "CREATE TABLE users (id TEXT)"), DB_OK);
		db_close(db);
	} else
		copy_file(harness_env(X, "DATABASE_URL") + (strncmp(harness_env(X,
		    "DATABASE_URL"), "sqlite:///", 10) == 0 ? 9 : 0), path);
	assert_int_equal(geo_get_city(X, "Tokyo", u.token, &r), 0);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	/* The real one: every process picks it up. */
	copy_file(geo_gaz_path(), path);
	for (i = 0; i < 4; i++) {
		char	 c[32];

		snprintf(c, sizeof(c), "%s", i % 2 ? "Tokyo" : "Paris");
		assert_int_equal(geo_get_city(X, i < 2 ? c : "Köln", u.token, &r), 0);
		geo_check_answer(LINE, &r, NULL, -1);
		http_resp_free(&r);
	}
	if (!harness_alive(X))
		au_bad(LINE, "lighttpd died");
	au_end();
}

int
geo_offline_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_cache_expiry),
		cmocka_unit_test(test_cache_clear),
		cmocka_unit_test_teardown(test_no_gazetteer, stop_own),
	};

	return cmocka_run_group_tests_name("geocoding offline", tests, group_setup,
	    group_teardown);
}

int
main(void)
{
	int	 failed = 0;

	failed += geo_offline_tests();
	failed += geo_input_tests();
	failed += geo_upstream_tests();
	failed += geo_limits_tests();
	geo_gaz_cleanup();
	return failed != 0;
}
