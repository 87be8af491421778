/*
 * test_geocoding_upstream: the Nominatim provider of geocoding.fcgi
 * against fake_nominatim.py on loopback (part of test_geocoding; see
 * test_geocoding.c).
 *
 * - What the fake saw: GET /search with q (byte for byte, never split into
 *   more parameters), format=json, addressdetails=1, limit=5,
 *   accept-language=en and nothing else; User-Agent "FastAPI
 *   Application/1.0", or GEOCODING_USER_AGENT.
 * - The answer mapped as the Python service did: lat/lon floats, place_id
 *   an integer, boundingbox four floats [min_lat, max_lat, min_lon,
 *   max_lon], display_name with the city as fallback; a cache hit makes no
 *   upstream call.
 * - An empty list is 404; a 500, 429 or 404 from upstream, malformed JSON,
 *   HTML, a body over 1 MiB (with and without Content-Length, or inflated
 *   from gzip), a redirect, a closed connection, a hang and a trickle are
 *   503 each within NOMINATIM_TIMEOUT_SECONDS (2) plus the one-second
 *   spacing plus a margin; none is cached, none is retried.
 * - The chain offline,nominatim: an offline hit asks nobody; a miss asks
 *   upstream; upstream down → 503 on a miss and 200 on a hit; a missing
 *   gazetteer with upstream up still answers.
 * - Spacing: requests from two FastCGI processes reach the fake at least
 *   a second apart; a burst beyond NOMINATIM_MAX_WAIT_MS gets 503 at once,
 *   without reaching upstream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts_util.h"
#include "fake_nominatim_util.h"
#include "geocoding_util.h"
#include "harness.h"

#define LINE		__LINE__
#define TIMEOUT_S	2	/* NOMINATIM_TIMEOUT_SECONDS of the servers */
#define UA_CUSTOM	"fcgi-users-test/2.0 (ops@example.com)"
#define UA_DEFAULT	"FastAPI Application/1.0"
/*
 * How long a failing lookup may take: the timeout, one spacing slot (the
 * previous upstream call may have taken the current second), and a wide
 * margin for a loaded machine (widened again under valgrind).
 */
#define FAIL_BOUND_MS	geo_bound_ms((TIMEOUT_S + 1 + 3) * 1000)

static struct fakenom	 F = { -1, 0, "", "" };
static struct harness	*HN;	/* GEOCODER=nominatim */
static struct harness	*HC;	/* GEOCODER=offline,nominatim, GEOCODING_USER_AGENT */
static struct harness	*X;	/* a test's own server */
static struct au_user	 UN, UC;
static char		 url_env[128], gaz_env[160];

static const double london_bbox[4] = { 51.2867601, 51.6918741, -0.5103751,
    0.3340155 };

static int
group_setup(void **state)
{
	const char *env_n[] = { "GEOCODER=nominatim", url_env,
	    "NOMINATIM_TIMEOUT_SECONDS=2", "GEOCODING_USER_RATE_LIMIT=100000/minute",
	    GEO_CHEAP_ARGON2, NULL };
	const char *env_c[] = { "GEOCODER=offline,nominatim", url_env, gaz_env,
	    "NOMINATIM_TIMEOUT_SECONDS=2", "GEOCODING_USER_AGENT=" UA_CUSTOM,
	    "GEOCODING_USER_RATE_LIMIT=100000/minute", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts on = { .env = env_n }, oc = { .env = env_c };

	(void)state;
	if (fakenom_start(&F) != 0)
		return -1;
	snprintf(url_env, sizeof(url_env), "NOMINATIM_URL=%s", F.url);
	snprintf(gaz_env, sizeof(gaz_env), "GAZETTEER_PATH=%s", geo_gaz_path());
	if ((HN = harness_start(&on)) == NULL || geo_gaz_ensure(HN) != 0 ||
	    (HC = harness_start(&oc)) == NULL ||
	    au_new_user(HN, "nom", &UN) != 0 || au_new_user(HC, "chain", &UC) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int	 rc = 0;

	(void)state;
	if (HN != NULL)
		rc |= harness_check_log(HN);
	if (HC != NULL)
		rc |= harness_check_log(HC);
	harness_stop(HN);
	harness_stop(HC);
	HN = HC = NULL;
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
	fakenom_set_mode(&F, NULL);
	return rc;
}

/* The requests the fake recorded after the first `from`. */
static struct json_object *
requests_since(int from, int *n)
{
	struct json_object	*all = fakenom_requests(&F), *out;
	size_t			 i;

	if (all == NULL)
		fail_msg("cannot read the fake's requests");
	out = json_object_new_array();
	for (i = (size_t)from; i < json_object_array_length(all); i++)
		json_object_array_add(out, json_object_get(
		    json_object_array_get_idx(all, i)));
	json_object_put(all);
	*n = (int)json_object_array_length(out);
	return out;
}

static const char *
param(struct json_object *req, const char *name)
{
	struct json_object	*v = geo_member(geo_member(req, "params"), name);

	if (v == NULL || json_object_array_length(v) != 1)
		return NULL;
	return json_object_get_string(json_object_array_get_idx(v, 0));
}

/* The one request the fake saw since `from`: Nominatim's query for `q`. */
static void
check_request(int line, int from, const char *q, const char *ua)
{
	static const char *const names[] = { "q", "format", "addressdetails",
	    "limit", "accept-language" };
	static const char *const values[] = { NULL, "json", "1", "5", "en" };
	struct json_object	*reqs, *req;
	const char		*v;
	int			 n;
	size_t			 i;

	reqs = requests_since(from, &n);
	if (n != 1) {
		au_bad(line, "the fake saw %d requests, want 1: %s", n,
		    json_object_to_json_string(reqs));
		json_object_put(reqs);
		return;
	}
	req = json_object_array_get_idx(reqs, 0);
	if (strcmp(au_jstr(req, "method"), "GET") != 0 ||
	    strncmp(au_jstr(req, "path"), "/search?", 8) != 0)
		au_bad(line, "request %s %s, want GET /search?…",
		    au_jstr(req, "method"), au_jstr(req, "path"));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v = param(req, names[i]);
		if (v == NULL || strcmp(v, i == 0 ? q : values[i]) != 0)
			au_bad(line, "parameter %s is \"%s\", want \"%s\" (path %s)",
			    names[i], v != NULL ? v : "(absent or repeated)",
			    i == 0 ? q : values[i], au_jstr(req, "path"));
	}
	if (json_object_object_length(geo_member(req, "params")) != 5)
		au_bad(line, "parameters %s, want exactly q, format, addressdetails, "
		    "limit, accept-language",
		    json_object_to_json_string(geo_member(req, "params")));
	if ((v = au_jstr(req, "user_agent")) == NULL || strcmp(v, ua) != 0)
		au_bad(line, "User-Agent \"%s\", want \"%s\"", v != NULL ? v : "(none)", ua);
	/* The language travels in the query, as the Python service sent it. */
	if (au_jstr(req, "accept_language") != NULL)
		au_bad(line, "an Accept-Language header was sent: %s",
		    au_jstr(req, "accept_language"));
	json_object_put(reqs);
}

/* GET a city with the token; how long it took in *ms. */
static void
lookup(struct harness *h, const char *token, const char *c, struct http_resp *r,
    int64_t *ms)
{
	int64_t	 t0 = geo_now_ms();

	if (geo_get_city(h, c, token, r) != 0)
		fail_msg("GET /geocode/city?city=%s: no answer", c);
	if (ms != NULL)
		*ms = geo_now_ms() - t0;
}

/* ---- Nominatim alone ---- */

static void
test_request_and_mapping(void **state)
{
	struct http_resp	 r, c;
	int			 n0;

	(void)state;
	au_begin();
	n0 = fakenom_count(&F);
	lookup(HN, UN.token, "London", &r, NULL);
	check_request(LINE, n0, "London", UA_DEFAULT);
	geo_check_answer(LINE, &r, "London", 0);
	geo_check_place(LINE, &r, 51.5074456, -0.1277653, 258178446,
	    "London, Greater London, England, United Kingdom", london_bbox);
	/* Written as Python's json would: shortest floats, compact. */
	if (r.status == 200 && (strstr(r.body, "\"location\":{\"lat\":51.5074456,"
	    "\"lon\":-0.1277653}") == NULL || strstr(r.body, "\"boundingbox\":"
	    "[51.2867601,51.6918741,-0.5103751,0.3340155]") == NULL ||
	    strstr(r.body, "\"place_id\":258178446,") == NULL))
		au_bad(LINE, "numbers not written as the Python service wrote them: %s",
		    r.body);
	/* A hit asks nobody, even with upstream broken. */
	assert_int_equal(fakenom_set_mode(&F, "err500"), 0);
	n0 = fakenom_count(&F);
	lookup(HN, UN.token, " LONDON ", &c, NULL);
	geo_check_answer(LINE, &c, "London", 1);
	if (strcmp(geo_timestamp(&r), geo_timestamp(&c)) != 0)
		au_bad(LINE, "the hit's timestamp differs");
	if (fakenom_count(&F) != n0)
		au_bad(LINE, "a cache hit reached upstream");
	assert_int_equal(fakenom_set_mode(&F, NULL), 0);
	http_resp_free(&r);
	http_resp_free(&c);
	/* Another of the real answers: Tokyo's first result. */
	n0 = fakenom_count(&F);
	lookup(HN, UN.token, "Tokyo", &r, NULL);
	check_request(LINE, n0, "Tokyo", UA_DEFAULT);
	geo_check_answer(LINE, &r, "Tokyo", 0);
	geo_check_place(LINE, &r, 35.6768601, 139.7638947, 335979034,
	    "Tokyo, Japan", (const double[]){ 20.2145811, 35.8984245,
	    135.8536855, 154.2055410 });
	http_resp_free(&r);
	au_end();
}

/* q reaches upstream byte for byte: no parameter injection, UTF-8 intact. */
static void
test_query_encoding(void **state)
{
	static const char *const qs[] = { "São Paulo", "New York", "a&b=c",
	    "x#y", "100% Town", "q=1&format=xml", "Ville/Stadt?", "東京 東京",
	    "Zürich+Genève", "  spaced  " };
	struct http_resp	 r;
	size_t			 i;
	int			 n0;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		n0 = fakenom_count(&F);
		lookup(HN, UN.token, qs[i], &r, NULL);
		/* The REST path sends the city as given (the Python service did
		 * not strip it either). */
		check_request(LINE, n0, qs[i], UA_DEFAULT);
		geo_check_answer(LINE, &r, qs[i], 0);
		http_resp_free(&r);
	}
	au_end();
}

/* Upstream answers that are fine but unusual. */
static void
test_odd_answers(void **state)
{
	struct http_resp	 r;
	const char		*dn;
	int			 n0;

	(void)state;
	au_begin();
	/* Only lat and lon: display_name falls back to the city, the rest null. */
	n0 = fakenom_count(&F);
	lookup(HN, UN.token, "sparse place", &r, NULL);
	check_request(LINE, n0, "sparse place", UA_DEFAULT);
	geo_check_answer(LINE, &r, "sparse place", 0);
	geo_check_place(LINE, &r, 12.5, -45.25, -1, "sparse place", NULL);
	http_resp_free(&r);
	/* A string place_id and a 3-entry boundingbox: typed or null. */
	lookup(HN, UN.token, "oddtypes", &r, NULL);
	geo_check_answer(LINE, &r, "oddtypes", 0);
	http_resp_free(&r);
	/* gzip-encoded. */
	lookup(HN, UN.token, "gzip town", &r, NULL);
	geo_check_answer(LINE, &r, "gzip town", 0);
	geo_check_place(LINE, &r, 51.5074456, -0.1277653, 258178446, NULL, london_bbox);
	http_resp_free(&r);
	/* Slow but inside the timeout. */
	lookup(HN, UN.token, "slow town", &r, NULL);
	geo_check_answer(LINE, &r, "slow town", 0);
	http_resp_free(&r);
	/* A display_name longer than the client keeps: cut at a character. */
	lookup(HN, UN.token, "longname", &r, NULL);
	geo_check_answer(LINE, &r, "longname", 0);
	if (r.status == 200 && ((dn = au_jstr(r.json, "display_name")) == NULL ||
	    strncmp(dn, "\xc3\xa9\xc3\xa9", 4) != 0))
		au_bad(LINE, "display_name %.80s…, want é…", dn);
	http_resp_free(&r);
	/* A fallback display_name of 200 four-byte characters (800 bytes). */
	{
		char	 c[801];
		int	 i;

		for (i = 0; i < 200; i++)
			memcpy(c + 4 * i, "\xf0\x9f\x8f\x99", 4);
		c[800] = '\0';
		assert_int_equal(fakenom_set_mode(&F, "sparse"), 0);
		lookup(HN, UN.token, c, &r, NULL);
		assert_int_equal(fakenom_set_mode(&F, NULL), 0);
		geo_check_answer(LINE, &r, c, 0);
		http_resp_free(&r);
	}
	/* Bytes that are not UTF-8: not JSON (RFC 8259 §8.1), so 503, as the
	 * Python service's httpx json() failed; never passed on or cached. */
	lookup(HN, UN.token, "badutf8", &r, NULL);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	if (geo_cache_rows(HN, "badutf8") != 0)
		au_bad(LINE, "badutf8 was cached");
	au_end();
}

static const struct failure {
	int		 line;
	const char	*city;		/* its first word is the fake's mode */
	int		 slow;		/* 1: ends by the timeout */
} failures[] = {
	{ LINE, "err500", 0 },
	{ LINE, "err502 gateway", 0 },
	{ LINE, "err429", 0 },
	{ LINE, "err404", 0 },		/* upstream's 404 is an error, not "not found" */
	{ LINE, "err204", 0 },
	{ LINE, "garbage", 0 },
	{ LINE, "html", 0 },
	{ LINE, "notarray", 0 },
	{ LINE, "nolat", 0 },
	{ LINE, "badlat", 0 },
	{ LINE, "farlat", 0 },
	{ LINE, "trailing", 0 },
	{ LINE, "huge", 0 },
	{ LINE, "hugechunked", 0 },
	{ LINE, "gzipbomb", 0 },
	{ LINE, "redirect", 0 },
	{ LINE, "close", 0 },
	{ LINE, "hang", 1 },
	{ LINE, "drip", 1 },
};

/* Every upstream failure: 503 within the bound, once, nothing cached. */
static void
test_upstream_failures(void **state)
{
	struct http_resp	 r;
	struct json_object	*reqs;
	char			 key[64];
	int64_t			 ms;
	size_t			 i, k;
	int			 n0, n;
	char			*log;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
		const struct failure *f = &failures[i];

		n0 = fakenom_count(&F);
		lookup(HN, UN.token, f->city, &r, &ms);
		geo_check_503(f->line, &r);
		if (ms > FAIL_BOUND_MS)
			au_bad(f->line, "%s: the 503 took %lld ms, more than %lld",
			    f->city, (long long)ms, (long long)FAIL_BOUND_MS);
		if (f->slow && ms < TIMEOUT_S * 1000 - 500)
			au_bad(f->line, "%s: answered in %lld ms, before the timeout",
			    f->city, (long long)ms);
		http_resp_free(&r);
		reqs = requests_since(n0, &n);
		if (n != 1)
			au_bad(f->line, "%s: the fake saw %d requests, want 1 (no retry)",
			    f->city, n);
		json_object_put(reqs);
		for (k = 0; f->city[k] != '\0' && k < sizeof(key) - 1; k++)
			key[k] = (char)(f->city[k] >= 'A' && f->city[k] <= 'Z' ?
			    f->city[k] + 32 : f->city[k]);
		key[k] = '\0';
		if (geo_cache_rows(HN, key) != 0)
			au_bad(f->line, "%s: a failure was cached", f->city);
	}
	/* The log says why, without the answer's body. */
	log = harness_wait_log(HN, "geocoding failed", 2000);
	if (log == NULL || strstr(log, "geocoding failed") == NULL ||
	    strstr(log, "Nominatim API HTTP error: 500") == NULL)
		au_bad(LINE, "no log line says why (Nominatim API HTTP error: 500)");
	if (log != NULL && strstr(log, "error</body>") != NULL)
		au_bad(LINE, "the upstream body was logged");
	free(log);
	/* After all that, the client still works. */
	n0 = fakenom_count(&F);
	lookup(HN, UN.token, "Berlin", &r, NULL);
	check_request(LINE, n0, "Berlin", UA_DEFAULT);
	geo_check_answer(LINE, &r, "Berlin", 0);
	geo_check_place(LINE, &r, 52.5170365, 13.3888599, 133079291,
	    "Berlin, Germany", (const double[]){ 52.3382448, 52.6755087,
	    13.0883450, 13.7611609 });
	http_resp_free(&r);
	au_end();
}

/* An empty list is 404, not cached: the next call asks again. */
static void
test_empty(void **state)
{
	struct http_resp	 r;
	int			 n0, i;

	(void)state;
	au_begin();
	for (i = 0; i < 2; i++) {
		n0 = fakenom_count(&F);
		lookup(HN, UN.token, "empty town", &r, NULL);
		geo_check_404(LINE, &r, "empty town");
		check_request(LINE, n0, "empty town", UA_DEFAULT);
		http_resp_free(&r);
	}
	if (geo_cache_rows(HN, "empty town") != 0)
		au_bad(LINE, "a not-found was cached");
	au_end();
}

/* ---- the chain offline,nominatim ---- */

static void
test_chain(void **state)
{
	struct http_resp	 r;
	int64_t			 ms;
	int			 n0;

	(void)state;
	au_begin();
	/* An offline hit asks nobody, even with upstream failing. */
	assert_int_equal(fakenom_set_mode(&F, "err500"), 0);
	n0 = fakenom_count(&F);
	lookup(HC, UC.token, "Köln", &r, NULL);
	geo_check_answer(LINE, &r, "Köln", 0);
	geo_check_place(LINE, &r, 50.93333, 6.95, GEO_ID_KOELN,
	    "Köln, North Rhine-Westphalia, Germany", NULL);
	http_resp_free(&r);
	lookup(HC, UC.token, "London", &r, NULL);
	geo_check_place(LINE, &r, 51.50853, -0.12574, GEO_ID_LONDON, NULL, NULL);
	http_resp_free(&r);
	if (fakenom_count(&F) != n0)
		au_bad(LINE, "offline hits reached upstream");
	/* A miss asks upstream, with GEOCODING_USER_AGENT. */
	assert_int_equal(fakenom_set_mode(&F, NULL), 0);
	lookup(HC, UC.token, "Berlin", &r, NULL);
	check_request(LINE, n0, "Berlin", UA_CUSTOM);
	geo_check_answer(LINE, &r, "Berlin", 0);
	geo_check_place(LINE, &r, 52.5170365, 13.3888599, 133079291, NULL,
	    (const double[]){ 52.3382448, 52.6755087, 13.0883450, 13.7611609 });
	http_resp_free(&r);
	/* Not found by both: 404. */
	n0 = fakenom_count(&F);
	lookup(HC, UC.token, "empty village", &r, NULL);
	geo_check_404(LINE, &r, "empty village");
	check_request(LINE, n0, "empty village", UA_CUSTOM);
	http_resp_free(&r);
	/* Not found offline, upstream failing: 503. */
	lookup(HC, UC.token, "err500 village", &r, NULL);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	lookup(HC, UC.token, "hang village", &r, &ms);
	geo_check_503(LINE, &r);
	if (ms > FAIL_BOUND_MS)
		au_bad(LINE, "hang: %lld ms", (long long)ms);
	http_resp_free(&r);
	/* Health names the chain and the agent. */
	assert_int_equal(au_get(HC, "/geocode/health", UC.token, &r), 0);
	if (r.status != 200 || au_jstr(r.json, "provider") == NULL ||
	    strcmp(au_jstr(r.json, "provider"), "offline,nominatim") != 0 ||
	    au_jstr(r.json, "user_agent") == NULL ||
	    strcmp(au_jstr(r.json, "user_agent"), UA_CUSTOM) != 0)
		au_bad(LINE, "health: %.400s", r.body);
	http_resp_free(&r);
	au_end();
}

/* Upstream down (connections refused): a miss is 503 at once, a hit 200. */
static void
test_chain_upstream_down(void **state)
{
	char			 url[96];
	const char		*env[] = { "GEOCODER=offline,nominatim", url, gaz_env,
	    "NOMINATIM_TIMEOUT_SECONDS=2", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts	 o = { .env = env };
	struct au_user		 u;
	struct http_resp	 r;
	int64_t			 ms;
	int			 fd, port;

	(void)state;
	assert_true((port = fakenom_refused_port(&fd)) > 0);
	snprintf(url, sizeof(url), "NOMINATIM_URL=http://127.0.0.1:%d", port);
	X = harness_start(&o);
	if (X == NULL)
		close(fd);
	assert_non_null(X);
	assert_int_equal(au_new_user(X, "down", &u), 0);
	au_begin();
	lookup(X, u.token, "Tokyo", &r, NULL);
	geo_check_answer(LINE, &r, "Tokyo", 0);
	geo_check_place(LINE, &r, 35.6895, 139.69171, GEO_ID_TOKYO, NULL, NULL);
	http_resp_free(&r);
	lookup(X, u.token, "Berlin", &r, &ms);
	geo_check_503(LINE, &r);
	if (ms > FAIL_BOUND_MS)
		au_bad(LINE, "refused: %lld ms", (long long)ms);
	http_resp_free(&r);
	/* A place nobody knows is still 503: upstream could not say. */
	lookup(X, u.token, "Atlantis", &r, NULL);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	lookup(X, u.token, "São Paulo", &r, NULL);
	geo_check_answer(LINE, &r, "São Paulo", 0);
	http_resp_free(&r);
	close(fd);
	au_end();
}

/* No gazetteer, upstream up: the chain still answers from upstream; a
 * place upstream does not know is 503 (the offline error stands). */
static void
test_chain_no_gazetteer(void **state)
{
	char			 gp[300];
	const char		*env[] = { "GEOCODER=offline,nominatim", url_env, gp,
	    "NOMINATIM_TIMEOUT_SECONDS=2", GEO_CHEAP_ARGON2, NULL };
	struct harness_opts	 o = { .env = env };
	struct au_user		 u;
	struct http_resp	 r;
	int			 n0;

	(void)state;
	snprintf(gp, sizeof(gp), "GAZETTEER_PATH=%s/absent.db", geo_gaz_dir());
	assert_non_null(X = harness_start(&o));
	assert_int_equal(au_new_user(X, "nogazchain", &u), 0);
	au_begin();
	n0 = fakenom_count(&F);
	lookup(X, u.token, "London", &r, NULL);
	check_request(LINE, n0, "London", UA_DEFAULT);
	geo_check_answer(LINE, &r, "London", 0);
	geo_check_place(LINE, &r, 51.5074456, -0.1277653, 258178446, NULL, london_bbox);
	http_resp_free(&r);
	lookup(X, u.token, "empty hamlet", &r, NULL);
	geo_check_503(LINE, &r);
	http_resp_free(&r);
	au_end();
}

/* ---- the one-request-a-second spacing ---- */

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Four requests for different places at once, served by two FastCGI
 * processes: the fake sees them at least ~1 s apart.  The slots are a
 * second apart exactly (ratelimit_reserve); what the fake records is the
 * slot's start plus the time to wake, connect and send, which varies from
 * request to request by a few milliseconds, or by tens on a loaded
 * machine.  0.9 s leaves 100 ms for that jitter, and two requests of
 * processes that did not share the spacing would arrive together (~0 s).
 * The span of all four must be at least 3 s less the same 100 ms.
 */
static void
test_spacing(void **state)
{
	const char		*env[] = { "GEOCODER=nominatim", url_env,
	    "NOMINATIM_TIMEOUT_SECONDS=5", "NOMINATIM_MAX_WAIT_MS=10000",
	    GEO_CHEAP_ARGON2, NULL };
	struct harness_opts	 o = { .env = env, .procs = 2 };
	struct au_user		 u;
	struct geo_par		 res[4];
	struct json_object	*reqs;
	char			 paths[4][128], auth[AU_TOKEN_MAX + 32];
	const char		*pp[4], *hh[4];
	double			 t[4];
	size_t			 i;
	int			 n0, n;

	(void)state;
	assert_non_null(X = harness_start(&o));
	assert_int_equal(au_new_user(X, "spacing", &u), 0);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u.token);
	for (i = 0; i < 4; i++) {
		snprintf(paths[i], sizeof(paths[i]),
		    "/geocode/city?city=Spaceville%%20%zu", i + 1);
		pp[i] = paths[i];
		hh[i] = auth;
	}
	au_begin();
	n0 = fakenom_count(&F);
	assert_int_equal(geo_par_get(X, 4, pp, hh, geo_bound_ms(30000), res), 0);
	for (i = 0; i < 4; i++)
		if (res[i].status != 200)
			au_bad(LINE, "request %zu: %ld %.200s", i, res[i].status,
			    res[i].body);
	reqs = requests_since(n0, &n);
	if (n != 4)
		au_bad(LINE, "the fake saw %d requests, want 4", n);
	for (i = 0; i < 4 && i < (size_t)n; i++)
		t[i] = json_object_get_double(geo_member(
		    json_object_array_get_idx(reqs, i), "t"));
	if (n == 4) {
		qsort(t, 4, sizeof(t[0]), cmp_double);
		print_message("spacing: the fake saw the four requests %.3f, %.3f "
		    "and %.3f s apart\n", t[1] - t[0], t[2] - t[1], t[3] - t[2]);
		/* The fake sees when a request arrives, not when its slot
		 * began: a process scheduled out after its wait (a loaded
		 * machine) sends late and shortens the next gap.  0.25 s of
		 * such jitter still tells the spacing from none (0 s apart). */
		for (i = 1; i < 4; i++)
			if (t[i] - t[i - 1] < 0.75)
				au_bad(LINE, "requests %zu and %zu reached Nominatim "
				    "%.3f s apart, want >= 0.75 (1 s less jitter)",
				    i - 1, i, t[i] - t[i - 1]);
		if (t[3] - t[0] < 2.75)
			au_bad(LINE, "four requests within %.3f s, want >= 2.75",
			    t[3] - t[0]);
	}
	json_object_put(reqs);
	geo_par_free(res, 4);
	au_end();
}

/*
 * NOMINATIM_MAX_WAIT_MS=300: of eight requests at once, those whose slot
 * would start more than 0.3 s from now get 503 at once and never reach
 * upstream; at least one goes through.
 */
static void
test_spacing_burst(void **state)
{
	const char		*env[] = { "GEOCODER=nominatim", url_env,
	    "NOMINATIM_TIMEOUT_SECONDS=2", "NOMINATIM_MAX_WAIT_MS=300",
	    GEO_CHEAP_ARGON2, NULL };
	struct harness_opts	 o = { .env = env, .procs = 2 };
	struct au_user		 u;
	struct geo_par		 res[8];
	struct json_object	*reqs;
	char			 paths[8][128], auth[AU_TOKEN_MAX + 32];
	const char		*pp[8], *hh[8];
	size_t			 i;
	int			 n0, n, ok = 0, busy = 0;

	(void)state;
	assert_non_null(X = harness_start(&o));
	assert_int_equal(au_new_user(X, "burst", &u), 0);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u.token);
	for (i = 0; i < 8; i++) {
		snprintf(paths[i], sizeof(paths[i]),
		    "/geocode/city?city=Burstburg%%20%zu", i + 1);
		pp[i] = paths[i];
		hh[i] = auth;
	}
	au_begin();
	n0 = fakenom_count(&F);
	assert_int_equal(geo_par_get(X, 8, pp, hh, geo_bound_ms(30000), res), 0);
	for (i = 0; i < 8; i++) {
		if (res[i].status == 200)
			ok++;
		else if (res[i].status == 503) {
			busy++;
			if (geo_par_detail(&res[i]) == NULL ||
			    strcmp(geo_par_detail(&res[i]), GEO_UNAVAILABLE) != 0)
				au_bad(LINE, "503 body %.200s", res[i].body);
			if (res[i].total_ms > geo_bound_ms(300 + 3000))
				au_bad(LINE, "a 503 took %lld ms", (long long)res[i].total_ms);
		} else
			au_bad(LINE, "request %zu: %ld %.200s", i, res[i].status,
			    res[i].body);
	}
	if (ok < 1 || busy < 1)
		au_bad(LINE, "%d answered and %d refused, want at least one each",
		    ok, busy);
	reqs = requests_since(n0, &n);
	if (n != ok)
		au_bad(LINE, "the fake saw %d requests for %d answers", n, ok);
	json_object_put(reqs);
	geo_par_free(res, 8);
	au_end();
}

int
geo_upstream_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_and_mapping),
		cmocka_unit_test(test_query_encoding),
		cmocka_unit_test_teardown(test_odd_answers, stop_own),
		cmocka_unit_test(test_upstream_failures),
		cmocka_unit_test(test_empty),
		cmocka_unit_test_teardown(test_chain, stop_own),
		cmocka_unit_test_teardown(test_chain_upstream_down, stop_own),
		cmocka_unit_test_teardown(test_chain_no_gazetteer, stop_own),
		cmocka_unit_test_teardown(test_spacing, stop_own),
		cmocka_unit_test_teardown(test_spacing_burst, stop_own),
	};

	return cmocka_run_group_tests_name("geocoding upstream", tests, group_setup,
	    group_teardown);
}
