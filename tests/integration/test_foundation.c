/*
 * test_foundation: the foundation's HTTP contract, through a real web server
 * (harness.h): /health and /, JSON 404 and 405, the trailing-slash 307,
 * the body cap, bad percent-encoding, X-Request-ID, CORS, routing of every
 * prefix to its program, the access log and what it must never hold, the
 * 503s of a misconfigured deployment (bad secret, env file, schema behind,
 * database unavailable) and plain CGI.  One server serves the read-only
 * cases (group setup); each misconfiguration gets a server of its own.
 * Table cases report the line of their table entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_util.h"
#include "harness.h"

#define MIB		(1024u * 1024u)
#define MISCONF_REQUESTS 25

static struct harness *H;	/* the group's server */
static struct harness *X;	/* a test's own server, stopped by teardown */

/* ---- checks that report a table line instead of failing at once ---- */

/* status, a JSON content type and {"detail": detail} (detail NULL: not checked). */
static void
check_error(int line, const struct http_resp *r, long status, const char *detail)
{
	const char *d = http_resp_detail(r);

	if (r->status != status)
		case_bad(line, "status %ld, want %ld (body %.200s)", r->status, status, r->body);
	if (!case_is_json(r))
		case_bad(line, "Content-Type \"%s\", want application/json",
		    http_resp_header(r, "Content-Type") ? http_resp_header(r, "Content-Type") : "(none)");
	if (detail != NULL && (d == NULL || strcmp(d, detail) != 0))
		case_bad(line, "detail \"%s\", want \"%s\" (body %.200s)", d ? d : "(none)",
		    detail, r->body);
}

static void
check_no_5xx(int line, const struct http_resp *r)
{
	if (r->status >= 500 || r->status == 0)
		case_bad(line, "status %ld: a client's request must never give a 5xx", r->status);
}

/* The request id the programs generate: 32+ hex digits (a UUID, dashes allowed). */
#define GENERATED_ID_RE	"^[0-9a-fA-F-]{32,}$"

/* ---- the log ---- */

/* The first JSON object of the log whose `key` is the string `value`,
 * or NULL; the caller puts it.  Lines may carry a prefix before the '{'. */
static struct json_object *
log_find(const char *log, const char *key, const char *value)
{
	const char *line = log;

	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		const char *brace = memchr(line, '{', len);
		struct json_object *o, *v;

		if (brace != NULL) {
			struct json_tokener *tok = json_tokener_new();

			o = json_tokener_parse_ex(tok, brace, (int)(len - (size_t)(brace - line)));
			json_tokener_free(tok);
			if (o != NULL && json_object_object_get_ex(o, key, &v) &&
			    json_object_is_type(v, json_type_string) &&
			    strcmp(json_object_get_string(v), value) == 0)
				return o;
			json_object_put(o);
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return NULL;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ---- group: one server for the read-only cases ---- */

static int
group_setup(void **state)
{
	(void)state;
	H = harness_start(NULL);
	return H == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

/* Stops a test's own server, even when the test failed half-way; -1 when
 * its log holds a sanitizer report. */
static int
stop_own(void **state)
{
	(void)state;
	return harness_finish(&X);
}

/* ---- /health and / ---- */

static void
test_health(void **state)
{
	static const char *const keys[] = { "status", "timestamp", "service", "version" };
	struct http_resp r, r2;

	(void)state;
	case_begin();
	assert_int_equal(harness_get(H, "/health", &r), 0);
	assert_int_equal(harness_get(H, "/health", &r2), 0);
	if (r.status != 200)
		case_bad(__LINE__, "status %ld, want 200 (body %.200s)", r.status, r.body);
	if (!case_is_json(&r))
		case_bad(__LINE__, "not application/json");
	if (r.json == NULL || !json_object_is_type(r.json, json_type_object)) {
		case_bad(__LINE__, "body is not a JSON object: %.200s", r.body);
	} else {
		if (json_object_object_length(r.json) != 4)
			case_bad(__LINE__, "want exactly 4 keys: %s", r.body);
		for (size_t i = 0; i < 4; i++)
			if (jstr(r.json, keys[i]) == NULL)
				case_bad(__LINE__, "no string \"%s\": %s", keys[i], r.body);
		if (jstr(r.json, "status") && strcmp(jstr(r.json, "status"), "healthy") != 0)
			case_bad(__LINE__, "status \"%s\"", jstr(r.json, "status"));
		if (jstr(r.json, "service") &&
		    strcmp(jstr(r.json, "service"), "FastAPI Application") != 0)
			case_bad(__LINE__, "service \"%s\"", jstr(r.json, "service"));
		if (!case_matches("^[0-9]+\\.[0-9]+\\.[0-9]+$", jstr(r.json, "version")))
			case_bad(__LINE__, "version \"%s\"", jstr(r.json, "version"));
		/* Python's datetime.now(timezone.utc).isoformat() */
		if (!case_matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
		    "(\\.[0-9]{1,6})?\\+00:00$", jstr(r.json, "timestamp")))
			case_bad(__LINE__, "timestamp \"%s\"", jstr(r.json, "timestamp"));
	}
	if (!case_matches(GENERATED_ID_RE, http_resp_header(&r, "X-Request-ID")))
		case_bad(__LINE__, "X-Request-ID \"%s\"", http_resp_header(&r, "X-Request-ID"));
	if (http_resp_header(&r, "X-Request-ID") && http_resp_header(&r2, "X-Request-ID") &&
	    strcmp(http_resp_header(&r, "X-Request-ID"),
	    http_resp_header(&r2, "X-Request-ID")) == 0)
		case_bad(__LINE__, "two requests got the same X-Request-ID");
	http_resp_free(&r);
	http_resp_free(&r2);
	case_end();
}

static void
test_root(void **state)
{
	struct http_resp r;

	(void)state;
	assert_int_equal(harness_get(H, "/", &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(case_is_json(&r));
	assert_non_null(r.json);
	assert_int_equal(json_object_object_length(r.json), 1);
	assert_string_equal(jstr(r.json, "message"), "Welcome to FastAPI Application");
	http_resp_free(&r);
}

/* ---- X-Request-ID ---- */

static void
test_request_id(void **state)
{
	char max[129], over[130];
	struct {
		int		 line;
		const char	*sent;
		int		 echoed;	/* else replaced by a generated id */
	} cases[] = {
		{ __LINE__, "abc-123_DEF.4", 1 },
		{ __LINE__, "trace-9", 1 },
		{ __LINE__, max, 1 },			/* 128 characters */
		{ __LINE__, over, 0 },			/* 129 */
		{ __LINE__, "has space", 0 },
		{ __LINE__, "quote\"d", 0 },
		{ __LINE__, "it's", 0 },
		{ __LINE__, "caf\xc3\xa9", 0 },		/* non-ASCII */
		{ __LINE__, "\xff\xfe", 0 },
	};

	(void)state;
	memset(max, 'a', 128);
	max[128] = '\0';
	memset(over, 'b', 129);
	over[129] = '\0';
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hdr[256];
		const char *hs[] = { hdr, NULL };
		struct http_resp r;
		const char *got;

		snprintf(hdr, sizeof(hdr), "X-Request-ID: %s", cases[i].sent);
		if (harness_request(H, "GET", "/health", hs, NULL, 0, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		got = http_resp_header(&r, "X-Request-ID");
		if (r.status != 200)
			case_bad(cases[i].line, "status %ld", r.status);
		if (got == NULL)
			case_bad(cases[i].line, "no X-Request-ID");
		else if (cases[i].echoed && strcmp(got, cases[i].sent) != 0)
			case_bad(cases[i].line, "X-Request-ID \"%s\", want it echoed", got);
		else if (!cases[i].echoed &&
		    (strcmp(got, cases[i].sent) == 0 || !case_matches(GENERATED_ID_RE, got)))
			case_bad(cases[i].line, "X-Request-ID \"%s\", want a generated one", got);
		if (http_resp_header_count(&r, "X-Request-ID") > 1)
			case_bad(cases[i].line, "X-Request-ID sent twice");
		http_resp_free(&r);
	}
	case_end();
}

/* ---- 404, 405, 307 ---- */

static void
test_not_found(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
	} cases[] = {
		{ __LINE__, "/nope" },
		{ __LINE__, "/nope/" },		/* no redirect to an unknown path */
		{ __LINE__, "/healthz" },
		{ __LINE__, "/users/nope/deeper" },
		{ __LINE__, "/auth/anything" },
		{ __LINE__, "/geocode/x" },
		{ __LINE__, "/mcp-server/x" },
		{ __LINE__, "/.well-known/nope" },
		{ __LINE__, "/index.html" },
		{ __LINE__, "/health/x" },
		/* the data folder is never served */
		{ __LINE__, "/fcgi-users.db" },
		{ __LINE__, "/error.log" },
		{ __LINE__, "/no-static-files/" },
		{ __LINE__, "/users.sock-0" },
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;

		if (harness_get(H, cases[i].path, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		check_error(cases[i].line, &r, 404, "Not Found");
		if (!case_matches(GENERATED_ID_RE, http_resp_header(&r, "X-Request-ID")))
			case_bad(cases[i].line, "404 without a generated X-Request-ID");
		http_resp_free(&r);
	}
	case_end();
}

static void
test_method_not_allowed(void **state)
{
	/* Bodies are "" so a Content-Length: 0 is sent (lighttpd answers a
	 * POST without any Content-Length with its own 411). */
	static const struct {
		int		 line;
		const char	*method;
		const char	*path;
		const char	*body;
	} cases[] = {
		{ __LINE__, "POST", "/health", "" },
		{ __LINE__, "PUT", "/health", "" },
		{ __LINE__, "DELETE", "/health", NULL },
		{ __LINE__, "PATCH", "/health", "" },
		{ __LINE__, "POST", "/health", "{}" },
		{ __LINE__, "HEAD", "/health", NULL },	/* FastAPI has no implicit HEAD */
		{ __LINE__, "POST", "/", "" },
		{ __LINE__, "DELETE", "/", NULL },
		{ __LINE__, "HEAD", "/", NULL },
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;
		const char *allow;
		int head = strcmp(cases[i].method, "HEAD") == 0;

		if (harness_request(H, cases[i].method, cases[i].path, NULL,
		    cases[i].body, cases[i].body ? strlen(cases[i].body) : 0, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		/* A HEAD answer has no body to check. */
		check_error(cases[i].line, &r, 405, head ? NULL : "Method Not Allowed");
		allow = http_resp_header(&r, "Allow");
		if (allow == NULL || strcmp(allow, "GET") != 0)
			case_bad(cases[i].line, "Allow \"%s\", want \"GET\"", allow ? allow : "(none)");
		http_resp_free(&r);
	}
	case_end();
}

static void
test_trailing_slash(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		const char	*location_end;
	} cases[] = {
		{ __LINE__, "/health/", "/health" },
		{ __LINE__, "/health/?a=1", "/health?a=1" },
		{ __LINE__, "/health/?a=1&b=%20x", "/health?a=1&b=%20x" },
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;
		const char *loc;
		size_t ll, el = strlen(cases[i].location_end);

		if (harness_get(H, cases[i].path, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		loc = http_resp_header(&r, "Location");
		ll = loc != NULL ? strlen(loc) : 0;
		if (r.status != 307)
			case_bad(cases[i].line, "status %ld, want 307", r.status);
		if (loc == NULL || ll < el || strcmp(loc + ll - el, cases[i].location_end) != 0)
			case_bad(cases[i].line, "Location \"%s\", want it to end in \"%s\"",
			    loc ? loc : "(none)", cases[i].location_end);
		if (r.body_len != 0)
			case_bad(cases[i].line, "body of %zu bytes, want none", r.body_len);
		http_resp_free(&r);
	}
	case_end();
}

/* ---- request body cap ---- */

static void
test_body_too_large(void **state)
{
	static const struct {
		int	 line;
		size_t	 len;
		long	 status;
		const char *detail;
	} cases[] = {
		{ __LINE__, 2 * MIB, 413, "Request body too large" },
		{ __LINE__, MIB + 1, 413, "Request body too large" },
		{ __LINE__, MIB, 405, "Method Not Allowed" },	/* at the cap: accepted */
	};
	char *body;

	(void)state;
	body = malloc(2 * MIB);
	assert_non_null(body);
	memset(body, 'x', 2 * MIB);
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *hs[] = { "Content-Type: application/octet-stream", NULL };
		struct http_resp r;

		if (harness_request(H, "POST", "/health", hs, body, cases[i].len, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		check_error(cases[i].line, &r, cases[i].status, cases[i].detail);
		http_resp_free(&r);
	}
	free(body);
	case_end();
}

/* ---- percent-encoding ---- */

static void
test_percent_encoding(void **state)
{
	/* The web server itself rejects some of these with an HTML 4xx
	 * (lighttpd: NUL and invalid UTF-8, also in the query; Apache: a bad
	 * %-escape or a NUL in the path, as 400 and 404); `json` says the
	 * program must be the one answering.  When the program answers a
	 * 400, its detail is `why` (a NUL in the query reaches it through
	 * Apache, not through lighttpd). */
#define BAD_PCT	"Invalid percent-encoding"
#define NUL	"NUL byte not allowed"
	static const struct {
		int		 line;
		const char	*path;
		long		 status;	/* 0: any 4xx */
		int		 json;
		const char	*why;
	} cases[] = {
		{ __LINE__, "/he%zzalth", 400, 0, BAD_PCT },
		{ __LINE__, "/he%2", 400, 0, BAD_PCT },
		{ __LINE__, "/health%00", 0, 0, NUL },
		{ __LINE__, "/health?x=%zz", 400, 1, BAD_PCT },
		{ __LINE__, "/health?x=%4", 400, 1, BAD_PCT },
		{ __LINE__, "/health?x=%", 400, 1, BAD_PCT },
		{ __LINE__, "/health?%zz=1", 400, 1, BAD_PCT },
		{ __LINE__, "/health?x=%00", 400, 0, NUL },
		{ __LINE__, "/health?x=%41", 200, 1, NULL },	/* well-formed */
		{ __LINE__, "/%68ealth", 200, 1, NULL },	/* "/health" */
	};
#undef BAD_PCT
#undef NUL

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp r;
		long want = cases[i].status;

		if (harness_get(H, cases[i].path, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		check_no_5xx(cases[i].line, &r);
		if (want == 0 && (r.status < 400 || r.status > 499))
			case_bad(cases[i].line, "status %ld, want a 4xx", r.status);
		else if (want != 0 && r.status != want)
			case_bad(cases[i].line, "status %ld, want %ld (body %.200s)",
			    r.status, want, r.body);
		if (cases[i].json && r.json == NULL)
			case_bad(cases[i].line, "body is not JSON: %.200s", r.body);
		/* Whenever the program answered a 400, it says why. */
		if (r.status == 400 && r.json != NULL)
			check_error(cases[i].line, &r, 400, cases[i].why);
		http_resp_free(&r);
	}
	case_end();
}

/* ---- CORS ---- */

struct cors_case {
	int		 line;
	const char	*method;
	const char	*origin;	/* NULL: no Origin header */
	const char	*request_method; /* Access-Control-Request-Method, or NULL */
	long		 status;
	const char	*detail;	/* checked when not NULL */
	const char	*acao;		/* Access-Control-Allow-Origin; NULL: absent,
					 * "": present with any value */
	int		 vary_origin;	/* Vary must hold Origin */
};

static void
run_cors_cases(struct harness *h, const struct cors_case *cases, size_t n)
{
	case_begin();
	for (size_t i = 0; i < n; i++) {
		const struct cors_case *c = &cases[i];
		char origin[256], acrm[128];
		const char *hs[4] = { NULL };
		size_t nh = 0;
		struct http_resp r;
		const char *acao;

		if (c->origin != NULL) {
			snprintf(origin, sizeof(origin), "Origin: %s", c->origin);
			hs[nh++] = origin;
		}
		if (c->request_method != NULL) {
			snprintf(acrm, sizeof(acrm), "Access-Control-Request-Method: %s",
			    c->request_method);
			hs[nh++] = acrm;
			hs[nh++] = "Access-Control-Request-Headers: authorization, mcp-session-id";
		}
		if (harness_request(h, c->method, "/health", hs, NULL, 0, &r) != 0) {
			case_bad(c->line, "no answer");
			continue;
		}
		if (c->detail != NULL)
			check_error(c->line, &r, c->status, c->detail);
		else if (r.status != c->status)
			case_bad(c->line, "status %ld, want %ld (body %.200s)", r.status, c->status, r.body);
		acao = http_resp_header(&r, "Access-Control-Allow-Origin");
		if (c->acao == NULL && acao != NULL)
			case_bad(c->line, "Access-Control-Allow-Origin \"%s\", want none", acao);
		if (c->acao != NULL && (acao == NULL ||
		    (*c->acao != '\0' && strcmp(acao, c->acao) != 0)))
			case_bad(c->line, "Access-Control-Allow-Origin \"%s\", want \"%s\"",
			    acao ? acao : "(none)", c->acao);
		if (c->vary_origin && !http_resp_header_has_token(&r, "Vary", "Origin"))
			case_bad(c->line, "Vary does not hold Origin");
		http_resp_free(&r);
	}
	case_end();
}

static void
test_cors_default(void **state)
{
	static const struct cors_case cases[] = {
		{ __LINE__, "GET", "https://x.example", NULL, 200, NULL, "*", 0 },
		{ __LINE__, "GET", NULL, NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "OPTIONS", "https://x.example", "GET", 200, NULL, "", 0 },
		{ __LINE__, "OPTIONS", "https://x.example", NULL, 405, "Method Not Allowed", "*", 0 },	/* Starlette adds CORS headers to any response to a request with Origin */
		{ __LINE__, "OPTIONS", NULL, NULL, 405, "Method Not Allowed", NULL, 0 },
	};
	static const char *const allowed_headers[] = {
		"Authorization", "Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version", NULL
	};
	const char *hs[] = {
		"Origin: https://x.example", "Access-Control-Request-Method: GET",
		"Access-Control-Request-Headers: authorization, mcp-session-id", NULL
	};
	struct http_resp r;

	(void)state;
	/* The preflight's other headers are checked below. */
	run_cors_cases(H, cases, sizeof(cases) / sizeof(cases[0]));
	case_begin();
	assert_int_equal(harness_request(H, "OPTIONS", "/health", hs, NULL, 0, &r), 0);
	if (r.status != 200)
		case_bad(__LINE__, "preflight status %ld", r.status);
	if (!http_resp_header_has_token(&r, "Access-Control-Allow-Methods", "GET"))
		case_bad(__LINE__, "Access-Control-Allow-Methods \"%s\" lacks GET",
		    http_resp_header(&r, "Access-Control-Allow-Methods"));
	for (size_t i = 0; allowed_headers[i] != NULL; i++)
		if (!http_resp_header_has_token(&r, "Access-Control-Allow-Headers",
		    allowed_headers[i]))
			case_bad(__LINE__, "Access-Control-Allow-Headers \"%s\" lacks %s",
			    http_resp_header(&r, "Access-Control-Allow-Headers"),
			    allowed_headers[i]);
	http_resp_free(&r);
	case_end();
}

static void
test_cors_restricted(void **state)
{
	static const char *const env[] = {
		"CORS_ALLOWED_ORIGINS=https://a.example,https://b.example", NULL
	};
	static const struct cors_case cases[] = {
		{ __LINE__, "GET", "https://b.example", NULL, 200, NULL, "https://b.example", 1 },
		{ __LINE__, "GET", "https://a.example", NULL, 200, NULL, "https://a.example", 1 },
		{ __LINE__, "GET", "https://evil.example", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "https://a.example.evil", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "https://b.example/", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "http://a.example", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "null", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "*", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "GET", "https://a.example,https://b.example", NULL, 200, NULL, NULL, 0 },
		{ __LINE__, "OPTIONS", "https://b.example", "GET", 200, NULL, "https://b.example", 1 },
		{ __LINE__, "OPTIONS", "https://evil.example", "GET", 400,
		    "Disallowed CORS origin", NULL, 0 },
		{ __LINE__, "OPTIONS", "https://a.example.evil", "GET", 400,
		    "Disallowed CORS origin", NULL, 0 },
	};
	struct harness_opts o = { .env = env, .procs = 1 };

	(void)state;
	X = harness_start(&o);
	assert_non_null(X);
	run_cors_cases(X, cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- routing: every prefix reaches its program ---- */

static void
test_routing(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		const char	*program;
	} cases[] = {
		{ __LINE__, "/auth/anything", "auth.fcgi" },
		{ __LINE__, "/auth", "auth.fcgi" },
		{ __LINE__, "/.well-known/jwks.json", "auth.fcgi" },
		{ __LINE__, "/geocode/x", "geocoding.fcgi" },
		{ __LINE__, "/geocode", "geocoding.fcgi" },
		{ __LINE__, "/mcp-server/x", "mcp.fcgi" },
		{ __LINE__, "/.well-known/oauth-protected-resource", "mcp.fcgi" },
		{ __LINE__, "/.well-known/oauth-protected-resource/mcp-server/mcp", "mcp.fcgi" },
		{ __LINE__, "/users/nope/deeper", "users.fcgi" },
		{ __LINE__, "/protected", "users.fcgi" },
		{ __LINE__, "/health", "users.fcgi" },
		{ __LINE__, "/", "users.fcgi" },
		{ __LINE__, "/nope", "users.fcgi" },
		{ __LINE__, "/.well-known/nope", "users.fcgi" },
	};
	char rnd[9];

	(void)state;
	assert_int_equal(harness_random_hex(rnd, 4), 0);
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[64], quoted[80], hdr[96], *log;
		const char *hs[] = { hdr, NULL };
		struct json_object *line;
		struct http_resp r;

		snprintf(id, sizeof(id), "route-%s-%zu", rnd, i);
		snprintf(hdr, sizeof(hdr), "X-Request-ID: %s", id);
		if (harness_request(H, "GET", cases[i].path, hs, NULL, 0, &r) != 0) {
			case_bad(cases[i].line, "no answer");
			continue;
		}
		check_no_5xx(cases[i].line, &r);
		http_resp_free(&r);
		snprintf(quoted, sizeof(quoted), "\"%s\"", id);
		log = harness_wait_log(H, quoted, 3000);
		line = log != NULL ? log_find(log, "request_id", id) : NULL;
		if (line == NULL)
			case_bad(cases[i].line, "no log line with request_id %s", id);
		else if (jstr(line, "program") == NULL ||
		    strcmp(jstr(line, "program"), cases[i].program) != 0)
			case_bad(cases[i].line, "%s answered by \"%s\", want %s", cases[i].path,
			    jstr(line, "program") ? jstr(line, "program") : "(none)",
			    cases[i].program);
		json_object_put(line);
		free(log);
	}
	case_end();
}

/* ---- the access log ---- */

static void
test_access_log(void **state)
{
	static const char *const hs[] = {
		"Authorization: Bearer sup3rs3cret", "X-Request-ID: trace-1", NULL
	};
	struct json_object *line, *v;
	struct http_resp r;
	char *log;

	(void)state;
	assert_int_equal(harness_request(H, "GET", "/health?token=s3cr3t", hs, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	http_resp_free(&r);
	log = harness_wait_log(H, "\"trace-1\"", 3000);
	assert_non_null(log);
	line = log_find(log, "request_id", "trace-1");
	if (line == NULL)
		fail_msg("no log line with \"request_id\":\"trace-1\"");
	assert_string_equal(jstr(line, "method"), "GET");
	assert_string_equal(jstr(line, "path"), "/health");
	assert_true(json_object_object_get_ex(line, "status", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 200);
	assert_true(json_object_object_get_ex(line, "duration_us", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_true(json_object_get_int64(v) >= 0);
	json_object_put(line);
	assert_null(strstr(log, "sup3rs3cret"));
	assert_null(strstr(log, "s3cr3t"));
	free(log);
}

/* ---- misconfiguration: every request is 503 ---- */

/* Sends MISCONF_REQUESTS requests over /health, / and /nope; each must be
 * 503 with `detail`; the web server must still be up afterwards. */
static void
expect_all_503(int line, struct harness *h, const char *detail)
{
	static const char *const paths[] = { "/health", "/", "/nope" };

	for (int i = 0; i < MISCONF_REQUESTS; i++) {
		struct http_resp r;

		if (harness_get(h, paths[i % 3], &r) != 0) {
			case_bad(line, "request %d: no answer", i);
			continue;
		}
		if (r.status != 503 || http_resp_detail(&r) == NULL ||
		    strcmp(http_resp_detail(&r), detail) != 0 || !case_is_json(&r))
			case_bad(line, "request %d %s: status %ld body %.200s, want 503 \"%s\"",
			    i, paths[i % 3], r.status, r.body, detail);
		http_resp_free(&r);
	}
	if (!harness_alive(h))
		case_bad(line, "the web server is down");
}

static void
test_misconfigured_secret(void **state)
{
	/* A leaked value is searched for in the log: "short" is an English
	 * word a reason may use ("too short"), so for it only a JSON string
	 * or an assignment holding exactly it counts; the other values are
	 * distinctive enough to be searched for as they are. */
	static const char *const word[] = { "JWT_SECRET=short", NULL };
	static const char *const too_short[] = { "JWT_SECRET=sekr1tXq9", NULL };
	static const char *const just_short[] = {
		"JWT_SECRET=Zq0123456789Zq0123456789Zq01234", NULL	/* 31 chars */
	};
	static const char *const empty[] = { "JWT_SECRET=", NULL };
	static const char *const missing[] = { "JWT_SECRET", NULL };
	static const struct {
		int			 line;
		const char *const	*env;
		const char		*leak[2];	/* must not be in the log */
	} cases[] = {
		{ __LINE__, word, { "\"short\"", "=short" } },
		{ __LINE__, too_short, { "sekr1tXq9", NULL } },
		{ __LINE__, just_short, { "Zq0123456789Zq0123456789Zq01234", NULL } },
		{ __LINE__, empty, { NULL, NULL } },
		{ __LINE__, missing, { NULL, NULL } },
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct harness_opts o = { .env = cases[i].env, .procs = 1 };
		char *log;

		if ((X = harness_start(&o)) == NULL) {
			case_bad(cases[i].line, "the server did not start");
			continue;
		}
		expect_all_503(cases[i].line, X, "Service misconfigured");
		log = harness_read_log(X);
		if (log == NULL || strstr(log, "JWT_SECRET") == NULL)
			case_bad(cases[i].line, "the log does not name JWT_SECRET");
		for (size_t k = 0; k < 2; k++)
			if (log != NULL && cases[i].leak[k] != NULL &&
			    strstr(log, cases[i].leak[k]) != NULL)
				case_bad(cases[i].line, "the log holds the secret's value (%s)",
				    cases[i].leak[k]);
		free(log);
		if (stop_own(NULL) != 0)
			case_bad(cases[i].line, "sanitizer report in the log");
	}
	case_end();
}

/* A file with `text` (mode 0600); returns its malloc'ed path. */
static char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/fu-env-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_env_file(void **state)
{
	/* 40 characters each. */
#define GOOD_SECRET	"EnvFileSecret0123456789abcdefghijklmnopq"
	static const struct {
		int		 line;
		const char	*text;		/* NULL: the file does not exist */
		const char	*env_secret;	/* JWT_SECRET in the environment; NULL: unset */
		long		 status;
	} cases[] = {
		{ __LINE__, "JWT_SECRET=" GOOD_SECRET "\n", NULL, 200 },
		{ __LINE__, "# settings\n\nexport JWT_SECRET=\"" GOOD_SECRET "\"\n", NULL, 200 },
		{ __LINE__, "JWT_SECRET=" GOOD_SECRET "\nthis line is not a setting\n", NULL, 503 },
		{ __LINE__, "JWT_SECRET=short1\n", NULL, 503 },
		{ __LINE__, NULL, NULL, 503 },
		/* the environment wins over the file */
		{ __LINE__, "JWT_SECRET=" GOOD_SECRET "\n", "envShort77", 503 },
		{ __LINE__, "JWT_SECRET=short1\n", "EnvironmentSecret0123456789abcdefghijklm", 200 },
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = cases[i].text != NULL ? write_temp(cases[i].text) :
		    strdup("/nonexistent-dir/fcgi-users.env");
		char file_env[128], secret_env[128];
		const char *env[] = { file_env, secret_env, NULL };
		struct harness_opts o = { .env = env, .procs = 1 };
		struct http_resp r;
		char *log;

		snprintf(file_env, sizeof(file_env), "FCGI_USERS_ENV_FILE=%s", path);
		if (cases[i].env_secret != NULL)
			snprintf(secret_env, sizeof(secret_env), "JWT_SECRET=%s", cases[i].env_secret);
		else
			snprintf(secret_env, sizeof(secret_env), "JWT_SECRET");
		if ((X = harness_start(&o)) == NULL) {
			case_bad(cases[i].line, "the server did not start");
		} else if (harness_get(X, "/health", &r) != 0) {
			case_bad(cases[i].line, "no answer");
		} else {
			if (cases[i].status == 503)
				check_error(cases[i].line, &r, 503, "Service misconfigured");
			else if (r.status != cases[i].status)
				case_bad(cases[i].line, "status %ld, want %ld (body %.200s)",
				    r.status, cases[i].status, r.body);
			http_resp_free(&r);
			log = harness_read_log(X);
			if (log != NULL && strstr(log, GOOD_SECRET) != NULL)
				case_bad(cases[i].line, "the log holds the env file's secret");
			free(log);
		}
		if (stop_own(NULL) != 0)
			case_bad(cases[i].line, "sanitizer report in the log");
		if (cases[i].text != NULL)
			unlink(path);
		free(path);
	}
	case_end();
#undef GOOD_SECRET
}

/* 503 "schema out of date" on every process, a log line that says what to
 * run; then, after `fcgi-users migrate up` and without a restart, 200s. */
static void
check_schema_behind(int line, struct harness *h)
{
	static const char *const migrate_up[] = { "migrate", "up", NULL };
	struct http_resp r;
	char *log;

	for (int i = 0; i < 4; i++) {
		if (harness_get(h, "/health", &r) != 0) {
			case_bad(line, "no answer");
			continue;
		}
		check_error(line, &r, 503, "Database schema is out of date");
		http_resp_free(&r);
	}
	log = harness_read_log(h);
	if (log == NULL || strstr(log, "fcgi-users migrate") == NULL)
		case_bad(line, "the log does not say to run fcgi-users migrate");
	free(log);
	if (harness_cli(h, migrate_up) != 0)
		case_bad(line, "fcgi-users migrate up failed");
	for (int i = 0; i < 6; i++) {
		if (harness_get(h, "/health", &r) != 0) {
			case_bad(line, "no answer");
			continue;
		}
		if (r.status != 200)
			case_bad(line, "request %d after migrating: status %ld body %.200s",
			    i, r.status, r.body);
		http_resp_free(&r);
	}
}

static void
test_schema_behind(void **state)
{
	static const struct {
		int	 line;
		int	 empty_file;	/* else no database file at all */
	} cases[] = {
		{ __LINE__, 0 },
		{ __LINE__, 1 },	/* a 0-byte file is an empty SQLite database */
	};

	(void)state;
	case_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[] = "/tmp/fu-db-XXXXXX", db[64], db_env[96], side[80];
		const char *env[] = { db_env, NULL };
		struct harness_opts o = { .no_migrate = 1 };
		int fd;

		if (cases[i].empty_file) {
			assert_non_null(mkdtemp(dir));
			snprintf(db, sizeof(db), "%s/x.db", dir);
			fd = open(db, O_WRONLY | O_CREAT | O_EXCL, 0600);
			assert_true(fd >= 0);
			close(fd);
			snprintf(db_env, sizeof(db_env), "DATABASE_URL=%s", db);
			o.env = env;
		}
		if ((X = harness_start(&o)) == NULL)
			case_bad(cases[i].line, "the server did not start");
		else
			check_schema_behind(cases[i].line, X);
		if (stop_own(NULL) != 0)
			case_bad(cases[i].line, "sanitizer report in the log");
		if (cases[i].empty_file) {
			static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

			for (size_t k = 0; k < 4; k++) {
				snprintf(side, sizeof(side), "%s%s", db, sfx[k]);
				(void)unlink(side);
			}
			(void)rmdir(dir);
		}
	}
	case_end();
}

static void
test_database_unavailable(void **state)
{
	static const char *const env[] = { "DATABASE_URL=/nonexistent-dir/x.db", NULL };
	struct harness_opts o = { .env = env, .procs = 1, .no_migrate = 1 };
	struct harness *h;

	(void)state;
	h = X = harness_start(&o);
	assert_non_null(h);
	case_begin();
	for (int i = 0; i < 5; i++) {
		struct http_resp r;

		assert_int_equal(harness_get(h, "/health", &r), 0);
		check_error(__LINE__, &r, 503, "Database unavailable");
		http_resp_free(&r);
	}
	if (!harness_alive(h))
		case_bad(__LINE__, "the web server is down");
	case_end();
}

/* ---- plain CGI ---- */

/* The CGI environment of a request; `extra` entries are appended. */
static void
cgi_env(const char **env, size_t max, char *db_env, size_t db_len,
    const char *method, const char *const *extra)
{
	static char secret[80];
	static char method_env[64];
	size_t n = 0;

	snprintf(db_env, db_len, "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	env[n++] = "GATEWAY_INTERFACE=CGI/1.1";
	if (method != NULL) {
		snprintf(method_env, sizeof(method_env), "REQUEST_METHOD=%s", method);
		env[n++] = method_env;
	}
	env[n++] = "REQUEST_URI=/health";
	env[n++] = "SCRIPT_NAME=/health";
	env[n++] = "SERVER_NAME=localhost";
	env[n++] = "SERVER_PORT=80";
	env[n++] = "SERVER_PROTOCOL=HTTP/1.1";
	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = secret;
	env[n++] = db_env;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n + 1 < max; i++)
		env[n++] = extra[i];
	env[n] = NULL;
}

static void
test_cgi_get(void **state)
{
	const char *env[32];
	char db_env[512];
	struct cgi_result c;
	struct json_object *j;
	const char *body;

	(void)state;
	cgi_env(env, 32, db_env, sizeof(db_env), "GET", NULL);
	assert_int_equal(harness_cgi("users.fcgi", env, NULL, 0, &c), 0);
	if (strncmp(c.out, "Status: 200", 11) != 0)
		fail_msg("stdout does not begin with \"Status: 200\": %.300s\nstderr: %.300s",
		    c.out, c.err);
	assert_int_equal(c.exit_status, 0);
	body = strstr(c.out, "\r\n\r\n");
	body = body != NULL ? body + 4 : strstr(c.out, "\n\n");
	assert_non_null(body);
	if (body[0] == '\n')
		body += 2;
	assert_non_null(strcasestr(c.out, "Content-Type: application/json"));
	j = json_tokener_parse(body);
	assert_non_null(j);
	assert_string_equal(jstr(j, "status"), "healthy");
	json_object_put(j);
	cgi_result_free(&c);
}

static void
test_cgi_too_large(void **state)
{
	static const char *const extra[] = {
		"CONTENT_LENGTH=2097152", "CONTENT_TYPE=application/octet-stream", NULL
	};
	const char *env[32];
	char db_env[512], *body;
	struct cgi_result c;

	(void)state;
	cgi_env(env, 32, db_env, sizeof(db_env), "POST", extra);
	body = malloc(2 * MIB);
	assert_non_null(body);
	memset(body, 'y', 2 * MIB);
	assert_int_equal(harness_cgi("users.fcgi", env, body, 2 * MIB, &c), 0);
	free(body);
	if (strncmp(c.out, "Status: 413", 11) != 0)
		fail_msg("stdout does not begin with \"Status: 413\": %.300s\nstderr: %.300s",
		    c.out, c.err);
	assert_non_null(strstr(c.out, "Request body too large"));
	cgi_result_free(&c);
}

static void
test_cgi_no_request_method(void **state)
{
	const char *env[32];
	char db_env[512];
	struct cgi_result c;

	(void)state;
	cgi_env(env, 32, db_env, sizeof(db_env), NULL, NULL);
	assert_int_equal(harness_cgi("users.fcgi", env, NULL, 0, &c), 0);
	if (c.exit_status == 0)
		fail_msg("exit status 0; stdout %.300s", c.out);
	if (strstr(c.err, "REQUEST_METHOD") == NULL)
		fail_msg("stderr does not mention REQUEST_METHOD: %.300s", c.err);
	cgi_result_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_body_too_large),
		cmocka_unit_test(test_percent_encoding),
		cmocka_unit_test(test_cors_default),
		cmocka_unit_test_teardown(test_cors_restricted, stop_own),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_access_log),
		cmocka_unit_test_teardown(test_misconfigured_secret, stop_own),
		cmocka_unit_test_teardown(test_env_file, stop_own),
		cmocka_unit_test_teardown(test_schema_behind, stop_own),
		cmocka_unit_test_teardown(test_database_unavailable, stop_own),
		cmocka_unit_test(test_cgi_get),
		cmocka_unit_test(test_cgi_too_large),
		cmocka_unit_test(test_cgi_no_request_method),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
