/*
 * test_mcp_tool: the tools of mcp.fcgi through a real web server with two
 * mcp.fcgi processes (src/mcp/tools.h): tools/list and its cursor,
 * geocode_city on the offline fixture gazetteer and a Nominatim stand-in
 * (GEOCODER=offline,nominatim), the error split (-32602 against isError),
 * the per-user quota shared with GET /geocode/city, progress and log
 * notifications on an SSE answer, and that the answer streams: the
 * stand-in holds its answer until the client has read the progress event,
 * which can only happen when the web server passes the event on as it
 * is written; meanwhile the session is served by the other process.  No
 * timing is measured; a broken stream fails by a bounded wait.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"
#include "mcp_util.h"

#define HOLD_MS		8000	/* how long the stand-in waits for the client */
#define CALL(args)	"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":" \
			"{\"name\":\"geocode_city\",\"arguments\":" args "}}"
#define CALLP(args, tok) "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":" \
			"{\"name\":\"geocode_city\",\"arguments\":" args ",\"_meta\":" \
			"{\"progressToken\":" tok "}}}"
/* The Python tool's description starts so. */
#define DESC_START	"Geocode a city name to get its geographic coordinates."
#define LIST(p)		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":" p "}"

static struct harness	*H;
static struct au_user	 U, Q;
static char		*TU, *TQ;
static char		 GAZ[300];

/* ---- a Nominatim stand-in on a loopback port ---- */

static struct {
	int		 fd, port;
	pthread_t	 th;
	int		 release[2];	/* the client writes a byte once it saw progress */
	volatile int	 stop;
	char		 sid[64];	/* the session to ping while holding */
	long		 ping_status;
	int		 held, released;
} S = { .fd = -1 };

static const char PLACE[] = "[{\"place_id\":4242,\"lat\":\"45.5\",\"lon\":\"-73.5\","
    "\"display_name\":\"Streamville, Nowhere\",\"boundingbox\":[\"45.4\",\"45.6\","
    "\"-73.6\",\"-73.4\"]}]";

static void
reply(int c, int status, const char *body)
{
	char	 head[256];
	int	 n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));
	(void)!write(c, head, (size_t)n);
	(void)!write(c, body, strlen(body));
}

static void
serve(int c)
{
	char		 req[8192];
	size_t		 n = 0;
	ssize_t		 r;
	struct pollfd	 p;
	char		 b;

	while (n < sizeof(req) - 1 && (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[n] = '\0';
	if (strstr(req, "q=Streamville") != NULL) {
		S.held = 1;
		/* The process serving the call is busy here: the other one
		 * must serve the same session now. */
		if (S.sid[0] != '\0') {
			struct http_resp hr;

			if (mu_post(H, TU, S.sid, "{\"jsonrpc\":\"2.0\",\"id\":9,"
			    "\"method\":\"ping\"}", &hr) == 0)
				S.ping_status = hr.status;
			http_resp_free(&hr);
		}
		p.fd = S.release[0];
		p.events = POLLIN;
		if (poll(&p, 1, HOLD_MS) == 1 && read(S.release[0], &b, 1) == 1)
			S.released = 1;
		reply(c, 200, PLACE);
	} else if (strstr(req, "q=Failville") != NULL)
		reply(c, 503, "{\"error\":\"down\"}");
	else
		reply(c, 200, "[]");
}

static void *
stub_main(void *arg)
{
	struct pollfd	 p;
	int		 c;

	(void)arg;
	while (!S.stop) {
		p.fd = S.fd;
		p.events = POLLIN;
		if (poll(&p, 1, 100) != 1)
			continue;
		if ((c = accept(S.fd, NULL, NULL)) == -1)
			continue;
		serve(c);
		close(c);
	}
	return NULL;
}

static int
stub_start(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((S.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(S.fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(S.fd, 8) == -1 || getsockname(S.fd, (struct sockaddr *)&sa, &len) == -1 ||
	    pipe(S.release) == -1)
		return -1;
	S.port = ntohs(sa.sin_port);
	return pthread_create(&S.th, NULL, stub_main, NULL) == 0 ? 0 : -1;
}

/* ---- the group ---- */

static int
group_setup(void **state)
{
	static char nom[64], gaz[sizeof(GAZ) + 32];
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "GEOCODER=offline,nominatim", "GEOCODING_USER_RATE_LIMIT=3/minute",
	    nom, gaz, NULL, NULL };
	struct harness_opts o = { .env = env, .procs = 2 };
	const char *set;
	const char *const imp[] = { "import", "gazetteer",
	    FU_SOURCE_DIR "/tests/fixtures/geonames/cities.txt",
	    "--admin1", FU_SOURCE_DIR "/tests/fixtures/geonames/admin1.txt",
	    "--countries", FU_SOURCE_DIR "/tests/fixtures/geonames/countries.json",
	    "--out", GAZ, NULL };

	(void)state;
	if (stub_start() != 0 || mu_keys(&set) != 0)
		return -1;
	snprintf(nom, sizeof(nom), "NOMINATIM_URL=http://127.0.0.1:%d", S.port);
	/* Beside the key (a folder of the test's): opened on first use. */
	snprintf(GAZ, sizeof(GAZ), "%.*s/gazetteer.db",
	    (int)(strrchr(set, '/') - strchr(set, '=') - 1), strchr(set, '=') + 1);
	snprintf(gaz, sizeof(gaz), "GAZETTEER_PATH=%s", GAZ);
	env[7] = set;
	if ((H = harness_start(&o)) == NULL || harness_cli(H, imp) != 0)
		return -1;
	if (au_new_user(H, "tool", &U) != 0 || au_new_user(H, "quota", &Q) != 0 ||
	    au_db_exec(H, "UPDATE users SET role = 'admin' WHERE id = %Q", U.id) != 0)
		return -1;
	TU = mu_good_token(U.id);
	TQ = mu_good_token(Q.id);
	return TU != NULL && TQ != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	int rc = H != NULL ? harness_check_log(H) : 0;

	(void)state;
	harness_stop(H);
	S.stop = 1;
	if (S.fd != -1) {
		pthread_join(S.th, NULL);
		close(S.fd);
	}
	unlink(GAZ);
	free(TU);
	free(TQ);
	mu_keys_free();
	return rc;
}

/* ---- tools/list ---- */

static void
test_list(void **state)
{
	static const struct { int line; const char *body; } bad[] = {
		{ __LINE__, LIST("{\"cursor\":\"bogus\"}") },
		{ __LINE__, LIST("{\"cursor\":5}") },
		{ __LINE__, LIST("{\"cursor\":\"t0\"}") },
		{ __LINE__, LIST("{\"cursor\":\"t1\"}") },
		{ __LINE__, LIST("{\"cursor\":\"t-1\"}") },
		{ __LINE__, LIST("{\"cursor\":\"t01\"}") },
		{ __LINE__, LIST("{\"cursor\":\"\"}") },
		{ __LINE__, LIST("{\"cursor\":{}}") },
	};
	struct json_object *res, *tools, *t, *s, *v, *a;
	struct http_resp r;

	(void)state;
	au_begin();
	assert_int_equal(mu_post(H, TU, NULL, LIST("{}"), &r), 0);
	if ((res = mu_result(&r)) == NULL ||
	    !json_object_object_get_ex(res, "tools", &tools) ||
	    json_object_array_length(tools) != 1)
		au_bad(__LINE__, "%.500s", r.body ? r.body : "");
	else {
		t = json_object_array_get_idx(tools, 0);
		if (strcmp(au_jstr(t, "name"), "geocode_city") != 0 ||
		    au_jstr(t, "description") == NULL ||
		    strncmp(au_jstr(t, "description"), DESC_START, strlen(DESC_START)) != 0)
			au_bad(__LINE__, "name or description: %s", r.body);
		if (!json_object_object_get_ex(t, "inputSchema", &s) ||
		    strcmp(au_jstr(s, "type"), "object") != 0 ||
		    !json_object_object_get_ex(s, "required", &v) ||
		    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)), "city") != 0 ||
		    !json_object_object_get_ex(s, "properties", &v) ||
		    !json_object_object_get_ex(v, "city", &v) ||
		    !json_object_object_get_ex(v, "maxLength", &a) ||
		    json_object_get_int(a) != 200)
			au_bad(__LINE__, "inputSchema: %s", r.body);
		if (!json_object_object_get_ex(t, "outputSchema", &s) ||
		    strcmp(au_jstr(s, "type"), "object") != 0)
			au_bad(__LINE__, "outputSchema: %s", r.body);
		if (!json_object_object_get_ex(t, "annotations", &a) ||
		    au_jbool(a, "readOnlyHint") != 1 || au_jbool(a, "destructiveHint") != 0 ||
		    au_jbool(a, "openWorldHint") != 1)
			au_bad(__LINE__, "annotations (Nominatim on: open world): %s", r.body);
		if (json_object_object_get_ex(res, "nextCursor", NULL))
			au_bad(__LINE__, "a nextCursor on the only page");
	}
	http_resp_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mu_post(H, TU, NULL, bad[i].body, &r) != 0 || r.status != 200 ||
		    mu_error_code(&r) != -32602)
			au_bad(bad[i].line, "%ld %.300s", r.status, r.body ? r.body : "");
		http_resp_free(&r);
	}
	au_end();
}

/* ---- tools/call ---- */

/* What a call must give: a JSON-RPC error, an isError result whose text
 * holds `text`, or a result with structuredContent. */
enum want { W_RPC, W_ISERROR, W_FOUND };

struct ccase {
	int		 line;
	const char	*body;
	enum want	 want;
	const char	*text;
};

static const struct ccase calls[] = {
	/* Unknown tools and malformed params: -32602. */
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}", W_RPC, NULL },
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", W_RPC, NULL },
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
	    "{\"name\":5}}", W_RPC, NULL },
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
	    "{\"name\":\"nope\",\"arguments\":{}}}", W_RPC, NULL },
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
	    "{\"name\":\"geocode_City\",\"arguments\":{\"city\":\"London\"}}}", W_RPC, NULL },
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
	    "{\"name\":\"geocode_city\\u0000x\",\"arguments\":{\"city\":\"London\"}}}", W_RPC, NULL },
	/* Arguments against the input schema: isError. */
	{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
	    "{\"name\":\"geocode_city\"}}", W_ISERROR, "required" },
	{ __LINE__, CALL("\"London\""), W_ISERROR, "object" },
	{ __LINE__, CALL("[]"), W_ISERROR, "object" },
	{ __LINE__, CALL("{}"), W_ISERROR, "required" },
	{ __LINE__, CALL("{\"city\":5}"), W_ISERROR, "string" },
	{ __LINE__, CALL("{\"city\":null}"), W_ISERROR, "string" },
	{ __LINE__, CALL("{\"city\":[\"London\"]}"), W_ISERROR, "string" },
	{ __LINE__, CALL("{\"city\":\"\"}"), W_ISERROR, "at least 1" },
	{ __LINE__, CALL("{\"city\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"), W_ISERROR, "at most 200" },
	{ __LINE__, CALL("{\"city\":\"   \"}"), W_ISERROR, "cannot be empty" },
	{ __LINE__, CALL("{\"city\":\"London\",\"country\":\"UK\"}"), W_ISERROR, "Additional" },
	{ __LINE__, CALL("{\"city\":\"Lon\\u0000don\"}"), W_ISERROR, "valid string" },
	/* Not found, upstream down: isError with a clear text. */
	{ __LINE__, CALL("{\"city\":\"Nowhereville\"}"), W_ISERROR, "City not found" },
	{ __LINE__, CALL("{\"city\":\"Failville\"}"), W_ISERROR, "temporarily unavailable" },
	/* 200 characters: allowed (and not found). */
	{ __LINE__, CALL("{\"city\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"), W_ISERROR, "City not found" },
	{ __LINE__, CALL("{\"city\":\"  London \"}"), W_FOUND, "London" },
	{ __LINE__, CALL("{\"city\":\"london\"}"), W_FOUND, "London" },
};

/* The text of content[0] of a result, or NULL. */
static const char *
content_text(struct json_object *res)
{
	struct json_object *c, *t;

	if (!json_object_object_get_ex(res, "content", &c) ||
	    json_object_array_length(c) < 1 || (t = json_object_array_get_idx(c, 0)) == NULL ||
	    au_jstr(t, "type") == NULL || strcmp(au_jstr(t, "type"), "text") != 0)
		return NULL;
	return au_jstr(t, "text");
}

static void
check_call(int line, const struct http_resp *r, enum want w, const char *text)
{
	struct json_object *res = mu_result(r), *sc, *parsed, *loc;
	const char *t;

	if (r->status != 200) {
		au_bad(line, "status %ld: %.300s", r->status, r->body ? r->body : "");
		return;
	}
	if (w == W_RPC) {
		if (mu_error_code(r) != -32602)
			au_bad(line, "want -32602: %.300s", r->body);
		return;
	}
	if (res == NULL || (t = content_text(res)) == NULL) {
		au_bad(line, "no result with text: %.300s", r->body ? r->body : "");
		return;
	}
	if (w == W_ISERROR) {
		if (au_jbool(res, "isError") != 1 || strstr(t, text) == NULL ||
		    json_object_object_get_ex(res, "structuredContent", NULL))
			au_bad(line, "want isError with \"%s\": %.300s", text, r->body);
		return;
	}
	if (au_jbool(res, "isError") == 1 ||
	    !json_object_object_get_ex(res, "structuredContent", &sc) ||
	    !json_object_object_get_ex(sc, "location", &loc) ||
	    !json_object_object_get_ex(loc, "lat", NULL) ||
	    au_jbool(sc, "success") != 1 || au_jbool(sc, "cached") < 0 ||
	    au_jstr(sc, "display_name") == NULL ||
	    strstr(au_jstr(sc, "display_name"), text) == NULL) {
		au_bad(line, "want structuredContent: %.300s", r->body);
		return;
	}
	/* The text is the same JSON. */
	parsed = json_tokener_parse(t);
	if (parsed == NULL || !json_object_equal(parsed, sc))
		au_bad(line, "text and structuredContent differ: %.300s", r->body);
	json_object_put(parsed);
}

static void
test_call(void **state)
{
	struct http_resp r;
	struct json_object *sc;

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (mu_post(H, TU, NULL, calls[i].body, &r) != 0)
			au_bad(calls[i].line, "no answer");
		else
			check_call(calls[i].line, &r, calls[i].want, calls[i].text);
		http_resp_free(&r);
	}
	/* The service is GET /geocode/city's: the gazetteer's answers are
	 * not cached, the same city again is answered afresh. */
	assert_int_equal(mu_post(H, TU, NULL, CALL("{\"city\":\"London\"}"), &r), 0);
	if (mu_result(&r) == NULL ||
	    !json_object_object_get_ex(mu_result(&r), "structuredContent", &sc) ||
	    au_jbool(sc, "cached") != 0)
		au_bad(__LINE__, "second London: %.300s", r.body ? r.body : "");
	http_resp_free(&r);
	au_end();
}

/* The quota is GET /geocode/city's, per user; refused input spends none. */
static void
test_quota(void **state)
{
	struct http_resp r;
	char path[] = "/geocode/city?city=London";

	(void)state;
	au_begin();
	for (int i = 0; i < 5; i++) {
		assert_int_equal(mu_post(H, TQ, NULL, CALL("{\"city\":\"\"}"), &r), 0);
		check_call(__LINE__, &r, W_ISERROR, "at least 1");
		http_resp_free(&r);
	}
	if (au_get(H, path, Q.token, &r) != 0 || r.status != 200)
		au_bad(__LINE__, "REST 1: %ld", r.status);
	http_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(mu_post(H, TQ, NULL, CALL("{\"city\":\"London\"}"), &r), 0);
		check_call(__LINE__, &r, W_FOUND, "London");
		http_resp_free(&r);
	}
	assert_int_equal(mu_post(H, TQ, NULL, CALL("{\"city\":\"London\"}"), &r), 0);
	check_call(__LINE__, &r, W_ISERROR, "Rate limit exceeded");
	check_call(__LINE__, &r, W_ISERROR, "Retry after");
	http_resp_free(&r);
	if (au_get(H, path, Q.token, &r) != 0 || r.status != 429)
		au_bad(__LINE__, "REST after the MCP calls: %ld", r.status);
	http_resp_free(&r);
	/* Another user (an admin: unlimited) is not held back. */
	assert_int_equal(mu_post(H, TU, NULL, CALL("{\"city\":\"London\"}"), &r), 0);
	check_call(__LINE__, &r, W_FOUND, "London");
	http_resp_free(&r);
	au_end();
}

/* ---- notifications on an SSE answer ---- */

/* Checks an SSE answer: n_before notifications of `method` (or more), then
 * the answer to id 8 (or 7) last; returns the events (caller frees). */
static struct json_object **
check_sse(int line, const struct http_resp *r, const char *method, size_t n_before)
{
	struct json_object **ev = mu_events(r), *p;
	size_t n = 0, k = 0;

	if (ev == NULL) {
		au_bad(line, "not SSE: %s %.300s", http_resp_header(r, "Content-Type"),
		    r->body ? r->body : "");
		return NULL;
	}
	for (n = 0; ev[n] != NULL; n++)
		if (au_jstr(ev[n], "method") != NULL &&
		    strcmp(au_jstr(ev[n], "method"), method) == 0)
			k++;
	if (k < n_before || n == 0 || !json_object_object_get_ex(ev[n - 1], "result", &p) ||
	    json_object_object_get_ex(ev[n - 1], "method", NULL))
		au_bad(line, "%zu events, %zu of %s, the answer not last: %.500s", n, k,
		    method, r->body);
	return ev;
}

static void
test_sse(void **state)
{
	struct http_resp r;
	struct json_object **ev, *p, *t;
	char sid[64];
	const char *ct;

	(void)state;
	au_begin();
	/* A string progressToken: progress events, then the answer. */
	assert_int_equal(mu_post(H, TU, NULL, CALLP("{\"city\":\"London\"}", "\"p-1\""), &r), 0);
	if ((ev = check_sse(__LINE__, &r, "notifications/progress", 2)) != NULL) {
		if (!json_object_object_get_ex(ev[0], "params", &p) ||
		    au_jstr(p, "progressToken") == NULL ||
		    strcmp(au_jstr(p, "progressToken"), "p-1") != 0 ||
		    !json_object_object_get_ex(p, "progress", &t))
			au_bad(__LINE__, "first event: %.300s", r.body);
		if (http_resp_header(&r, "Cache-Control") == NULL)
			au_bad(__LINE__, "no Cache-Control on the stream");
	}
	mu_events_free(ev);
	http_resp_free(&r);
	/* An integer one comes back as an integer. */
	assert_int_equal(mu_post(H, TU, NULL, CALLP("{\"city\":\"Nowhereville\"}", "42"), &r), 0);
	if ((ev = check_sse(__LINE__, &r, "notifications/progress", 1)) != NULL &&
	    (!json_object_object_get_ex(ev[0], "params", &p) ||
	    !json_object_object_get_ex(p, "progressToken", &t) ||
	    !json_object_is_type(t, json_type_int) || json_object_get_int(t) != 42))
		au_bad(__LINE__, "integer token: %.300s", r.body);
	mu_events_free(ev);
	http_resp_free(&r);
	/* Not a token (an object): ignored, a plain JSON answer. */
	assert_int_equal(mu_post(H, TU, NULL, CALLP("{\"city\":\"London\"}", "{}"), &r), 0);
	ct = http_resp_header(&r, "Content-Type");
	if (ct == NULL || strcmp(ct, "application/json") != 0 || mu_result(&r) == NULL)
		au_bad(__LINE__, "object token: %s %.300s", ct ? ct : "", r.body);
	http_resp_free(&r);
	/* Log messages once the session asked for them. */
	assert_int_equal(mu_initialize(H, TU, NULL, sid, sizeof(sid)), 0);
	assert_int_equal(mu_post(H, TU, sid, CALL("{\"city\":\"London\"}"), &r), 0);
	ct = http_resp_header(&r, "Content-Type");
	if (ct == NULL || strcmp(ct, "application/json") != 0)
		au_bad(__LINE__, "no level set, yet %s", ct ? ct : "(none)");
	http_resp_free(&r);
	assert_int_equal(mu_post(H, TU, sid, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
	    "\"logging/setLevel\",\"params\":{\"level\":\"info\"}}", &r), 0);
	if (mu_result(&r) == NULL)
		au_bad(__LINE__, "setLevel: %.300s", r.body);
	http_resp_free(&r);
	assert_int_equal(mu_post(H, TU, sid, CALL("{\"city\":\"London\"}"), &r), 0);
	if ((ev = check_sse(__LINE__, &r, "notifications/message", 1)) != NULL &&
	    (!json_object_object_get_ex(ev[0], "params", &p) ||
	    strcmp(au_jstr(p, "level"), "info") != 0 ||
	    strcmp(au_jstr(p, "logger"), "geocode_city") != 0))
		au_bad(__LINE__, "log event: %.300s", r.body);
	mu_events_free(ev);
	http_resp_free(&r);
	/* A higher level: no info messages, JSON again. */
	assert_int_equal(mu_post(H, TU, sid, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
	    "\"logging/setLevel\",\"params\":{\"level\":\"error\"}}", &r), 0);
	http_resp_free(&r);
	assert_int_equal(mu_post(H, TU, sid, CALL("{\"city\":\"London\"}"), &r), 0);
	ct = http_resp_header(&r, "Content-Type");
	if (ct == NULL || strcmp(ct, "application/json") != 0)
		au_bad(__LINE__, "level error, yet %s: %.300s", ct ? ct : "", r.body);
	http_resp_free(&r);
	/* A batch (2025-03-26) answers with one JSON array, no stream. */
	assert_int_equal(mu_post(H, TU, NULL, "[" CALLP("{\"city\":\"London\"}", "1") "]", &r), 0);
	if (r.json == NULL || !json_object_is_type(r.json, json_type_array) ||
	    json_object_array_length(r.json) != 1)
		au_bad(__LINE__, "batch: %.300s", r.body ? r.body : "");
	http_resp_free(&r);
	au_end();
}

/* ---- the stream through the web server ---- */

struct sink {
	char	*buf;
	size_t	 len;
	int	 signalled;
};

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	char *nb;

	if ((nb = realloc(s->buf, s->len + size * n + 1)) == NULL)
		return 0;
	s->buf = nb;
	memcpy(s->buf + s->len, p, size * n);
	s->len += size * n;
	s->buf[s->len] = '\0';
	/* The progress event is here while the upstream still holds its
	 * answer: let it go. */
	if (!s->signalled && strstr(s->buf, "notifications/progress") != NULL) {
		s->signalled = 1;
		(void)!write(S.release[1], "x", 1);
	}
	return size * n;
}

static void
test_streaming(void **state)
{
	struct curl_slist *hs = NULL;
	struct sink s = { NULL, 0, 0 };
	char url[256], auth[1024], sh[128];
	CURL *c;
	long status = 0;

	(void)state;
	/* Every server streams it: lighttpd (stream-response-body 2), Apache
	 * mod_fcgid (FcgidOutputBufferSize 0), plain CGI, nginx
	 * (fastcgi_buffering off). */
	au_begin();
	assert_int_equal(mu_initialize(H, TU, NULL, S.sid, sizeof(S.sid)), 0);
	snprintf(url, sizeof(url), "%s%s", harness_url(H), MU_PATH);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", TU);
	snprintf(sh, sizeof(sh), "Mcp-Session-Id: %s", S.sid);
	hs = curl_slist_append(hs, auth);
	hs = curl_slist_append(hs, sh);
	hs = curl_slist_append(hs, "Accept: " MU_ACCEPT);
	hs = curl_slist_append(hs, "Content-Type: application/json");
	assert_non_null(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, CALLP("{\"city\":\"Streamville\"}", "\"s1\""));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) != CURLE_OK)
		au_bad(__LINE__, "the streamed request failed");
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hs);
	if (status != 200 || !S.held)
		au_bad(__LINE__, "status %ld, upstream asked: %d", status, S.held);
	if (!S.released)
		au_bad(__LINE__, "the progress event did not arrive before the answer: "
		    "the SSE answer is not streamed");
	if (S.ping_status != 200)
		au_bad(__LINE__, "the other process did not serve the session meanwhile: %ld",
		    S.ping_status);
	if (s.buf == NULL || strstr(s.buf, "Streamville, Nowhere") == NULL ||
	    strstr(s.buf, "notifications/progress") > strstr(s.buf, "\"id\":8"))
		au_bad(__LINE__, "body: %.500s", s.buf ? s.buf : "");
	free(s.buf);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_streaming),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
