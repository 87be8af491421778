/*
 * test_docs: the API documentation users.fcgi serves (src/users/docs.c),
 * through the web server and as plain CGI.
 *
 * On (the default outside production): GET /openapi.json is the built
 * openapi.json byte for byte, application/json; GET /docs is Swagger UI's
 * page with a Content-Security-Policy, its files under /docs/ are
 * swagger-ui-dist's byte for byte with their content types.  Refused while
 * on: any other file name, traversal, a NUL, other methods, the trailing
 * slash forms (307 as every route).  Off: DOCS_ENABLED false in any of
 * pydantic's spellings, or ENV=production without DOCS_ENABLED — then every
 * documentation path is 404 {"detail":"Not Found"} (not 405, no redirect),
 * as an unknown path; DOCS_ENABLED=true turns it on in production; a value
 * that is not a boolean is a misconfiguration (503).  BASE_PATH becomes
 * the served document's server.  Under Apache, the shared-hosting
 * .htaccess maps /docs and /openapi.json to users.fcgi too.
 *
 * The settings matrix runs users.fcgi as CGI (no web server per case); the
 * served and refused paths go through lighttpd and Apache (test_docs and
 * test_docs_apache).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "accounts_util.h"
#include "harness.h"

#define FILE_MAX	(8u * 1024 * 1024)

static struct harness	*H;

/* ---- files ---- */

/* The whole file (caller frees), its length in *len; NULL after a report. */
static char *
slurp(int line, const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		au_bad(line, "cannot open %s", path);
		return NULL;
	}
	buf = malloc(FILE_MAX + 1);
	n = buf != NULL ? fread(buf, 1, FILE_MAX, f) : 0;
	fclose(f);
	if (buf == NULL || n == 0 || n == FILE_MAX) {
		au_bad(line, "cannot read %s (or it is empty or huge)", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
ui_built(void)
{
	return FU_DOCS_UI_DIR[0] != '\0';
}

/* ---- checks ---- */

/* 200, the content type, and (want != NULL) the body byte for byte. */
static void
check_file(int line, const struct http_resp *r, const char *type,
    const char *want, size_t want_len)
{
	const char	*ct = http_resp_header(r, "Content-Type");

	if (r->status != 200) {
		au_bad(line, "status %ld, want 200 (%.200s)", r->status,
		    r->body != NULL ? r->body : "");
		return;
	}
	if (ct == NULL || strcasecmp(ct, type) != 0)
		au_bad(line, "Content-Type %s, want %s", ct != NULL ? ct : "(none)", type);
	if (!http_resp_header_has_token(r, "X-Content-Type-Options", "nosniff"))
		au_bad(line, "no X-Content-Type-Options: nosniff");
	if (want != NULL && (r->body_len != want_len ||
	    memcmp(r->body, want, want_len) != 0))
		au_bad(line, "body of %zu bytes differs from the %zu-byte file",
		    r->body_len, want_len);
}

/* 404 {"detail":"Not Found"}, as for a path no program has. */
static void
check_absent(int line, struct harness *h, const char *method, const char *path)
{
	struct http_resp	 r;

	if (harness_request(h, method, path, NULL, strcmp(method, "GET") != 0 ?
	    "" : NULL, 0, &r) != 0) {
		au_bad(line, "%s %s: no answer", method, path);
		return;
	}
	au_check_error(line, &r, 404, "Not Found");
	if (http_resp_header(&r, "Location") != NULL || http_resp_header(&r, "Allow") != NULL)
		au_bad(line, "%s %s: a Location or Allow header on a path that "
		    "should not exist", method, path);
	http_resp_free(&r);
}

/* ---- on ---- */

static void
test_openapi_json(void **state)
{
	struct http_resp	 r;
	struct json_object	*doc, *v;
	char			*want;
	size_t			 len = 0;

	(void)state;
	au_begin();
	want = slurp(__LINE__, FU_BINARY_DIR "/openapi.json", &len);
	assert_int_equal(harness_get(H, "/openapi.json", &r), 0);
	check_file(__LINE__, &r, "application/json", want, len);
	if (!http_resp_header_has_token(&r, "Cache-Control", "no-cache"))
		au_bad(__LINE__, "openapi.json without Cache-Control: no-cache");
	doc = r.json;
	if (doc == NULL || !json_object_object_get_ex(doc, "openapi", &v) ||
	    strcmp(json_object_get_string(v), "3.1.0") != 0)
		au_bad(__LINE__, "not an OpenAPI 3.1.0 document");
	else if (!json_object_object_get_ex(doc, "servers", &v) ||
	    strcmp(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(v, 0), "url")), "/") != 0)
		au_bad(__LINE__, "servers[0].url is not \"/\" without BASE_PATH");
	/* The login route is where Swagger UI's Authorize posts. */
	if (doc == NULL || strstr(r.body, "\"tokenUrl\":\"auth/jwt/login\"") == NULL)
		au_bad(__LINE__, "no OAuth2 password flow with tokenUrl auth/jwt/login");
	http_resp_free(&r);
	free(want);
	au_end();
}

static void
test_swagger_ui(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		const char	*file;	/* under FU_DOCS_UI_DIR; NULL: ours */
		const char	*type;
	} files[] = {
		{ __LINE__, "/docs/swagger-ui-bundle.js", "swagger-ui-bundle.js",
		    "text/javascript; charset=utf-8" },
		{ __LINE__, "/docs/swagger-ui.css", "swagger-ui.css",
		    "text/css; charset=utf-8" },
		{ __LINE__, "/docs/fcgi-users-init.js", NULL,
		    "text/javascript; charset=utf-8" },
	};
	struct http_resp	 r;
	const char		*csp;
	char			 path[PATH_MAX], *want;
	size_t			 i, len = 0;

	(void)state;
	if (!ui_built())
		skip();		/* the build had no swagger-ui-dist: cmake said so */
	au_begin();
	assert_int_equal(harness_get(H, "/docs", &r), 0);
	check_file(__LINE__, &r, "text/html; charset=utf-8", NULL, 0);
	/* Relative links: they work under BASE_PATH too. */
	if (r.body == NULL || strstr(r.body, "src=\"docs/swagger-ui-bundle.js\"") == NULL ||
	    strstr(r.body, "src=\"docs/fcgi-users-init.js\"") == NULL ||
	    strstr(r.body, "href=\"docs/swagger-ui.css\"") == NULL)
		au_bad(__LINE__, "the page does not load Swagger UI's files: %.300s",
		    r.body != NULL ? r.body : "");
	if (r.body != NULL && strstr(r.body, "<script>") != NULL)
		au_bad(__LINE__, "an inline script, which the CSP would block");
	csp = http_resp_header(&r, "Content-Security-Policy");
	if (csp == NULL || strstr(csp, "script-src 'self'") == NULL ||
	    strstr(csp, "unsafe-eval") != NULL || strstr(csp, "frame-ancestors 'none'") == NULL)
		au_bad(__LINE__, "Content-Security-Policy: %s", csp != NULL ? csp : "(none)");
	http_resp_free(&r);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i].file != NULL)
			snprintf(path, sizeof(path), "%s/%s", FU_DOCS_UI_DIR, files[i].file);
		else
			snprintf(path, sizeof(path), "%s/src/users/docs_ui/fcgi-users-init.js",
			    FU_SOURCE_DIR);
		if ((want = slurp(files[i].line, path, &len)) == NULL)
			continue;
		assert_int_equal(harness_get(H, files[i].path, &r), 0);
		check_file(files[i].line, &r, files[i].type, want, len);
		if (!http_resp_header_has_token(&r, "Cache-Control", "public"))
			au_bad(files[i].line, "%s: not cacheable", files[i].path);
		http_resp_free(&r);
		free(want);
	}
	au_end();
}

/* What the documentation routes refuse while they are on. */
static void
test_refused_while_on(void **state)
{
	static const struct {
		int		 line;
		const char	*method;
		const char	*path;
		long		 status;	/* 0: any 4xx JSON */
		const char	*detail;
	} cases[] = {
		{ __LINE__, "GET", "/docs/nope.js", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/index.html", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/swagger-initializer.js", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/swagger-ui-bundle.js.map", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/LICENSE", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/SWAGGER-UI.CSS", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/swagger-ui.css/x", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/openapi.json", 404, "Not Found" },
		{ __LINE__, "GET", "/DOCS", 404, "Not Found" },
		{ __LINE__, "GET", "/openapi.yaml", 404, "Not Found" },
		{ __LINE__, "GET", "/docs/..%2f..%2fetc%2fpasswd", 0, NULL },
		{ __LINE__, "GET", "/docs/%2e%2e", 0, NULL },
		{ __LINE__, "GET", "/docs/swagger-ui.css%00.js", 0, NULL },
		{ __LINE__, "POST", "/docs", 405, "Method Not Allowed" },
		{ __LINE__, "DELETE", "/openapi.json", 405, "Method Not Allowed" },
		{ __LINE__, "PUT", "/docs/swagger-ui.css", 405, "Method Not Allowed" },
	};
	struct http_resp	 r;
	size_t			 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* An empty body: lighttpd answers a POST without
		 * Content-Length with its own 411 (README). */
		if (harness_request(H, cases[i].method, cases[i].path, NULL, "", 0,
		    &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		if (cases[i].status == 0) {
			au_check_4xx(cases[i].line, &r);
			if (r.status == 200)
				au_bad(cases[i].line, "served");
		} else
			au_check_error(cases[i].line, &r, cases[i].status, cases[i].detail);
		http_resp_free(&r);
	}
	/* FastAPI's redirect_slashes, as every route. */
	assert_int_equal(harness_get(H, "/docs/", &r), 0);
	if (r.status != 307 || http_resp_header(&r, "Location") == NULL ||
	    strstr(http_resp_header(&r, "Location"), "/docs") == NULL)
		au_bad(__LINE__, "/docs/: status %ld, want 307 to /docs", r.status);
	http_resp_free(&r);
	au_end();
}

/* ---- off, through the web server ---- */

static void
test_off_in_production(void **state)
{
	static const char *const env[] = { "ENV=production", NULL };
	struct harness_opts	 o = { .env = env, .procs = 1 };
	struct harness		*h;
	struct http_resp	 r;

	(void)state;
	assert_non_null(h = harness_start(&o));
	au_begin();
	check_absent(__LINE__, h, "GET", "/openapi.json");
	check_absent(__LINE__, h, "GET", "/docs");
	check_absent(__LINE__, h, "GET", "/docs/swagger-ui-bundle.js");
	check_absent(__LINE__, h, "GET", "/docs/swagger-ui.css");
	check_absent(__LINE__, h, "GET", "/docs/fcgi-users-init.js");
	/* No 405 and no redirect give the routes away. */
	check_absent(__LINE__, h, "POST", "/docs");
	check_absent(__LINE__, h, "DELETE", "/openapi.json");
	check_absent(__LINE__, h, "GET", "/docs/");
	check_absent(__LINE__, h, "GET", "/openapi.json/");
	/* The rest of the program is unaffected. */
	assert_int_equal(harness_get(h, "/health", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "/health: %ld", r.status);
	http_resp_free(&r);
	au_end();
	assert_int_equal(harness_finish(&h), 0);
}

/* ---- the settings, as plain CGI ---- */

struct cgi_answer {
	int	 status;
	char	*body;		/* points into the result */
};

/* Runs users.fcgi as CGI for GET uri with the extra settings; the status. */
static int
cgi_get(int line, const char *uri, const char *const *settings,
    struct cgi_result *c, struct cgi_answer *a)
{
	static char	 db[PATH_MAX + 32], secret[96], uri_env[256];
	const char	*env[32];
	char		*p;
	size_t		 n = 0, i;

	snprintf(db, sizeof(db), "DATABASE_URL=%s/fcgi-users.db", harness_data_dir(H));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	snprintf(uri_env, sizeof(uri_env), "REQUEST_URI=%s", uri);
	env[n++] = "GATEWAY_INTERFACE=CGI/1.1";
	env[n++] = "REQUEST_METHOD=GET";
	env[n++] = uri_env;
	env[n++] = "SERVER_NAME=localhost";
	env[n++] = "SERVER_PORT=80";
	env[n++] = "SERVER_PROTOCOL=HTTP/1.1";
	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = "FCGI_USERS_ENV_FILE=";
	env[n++] = secret;
	env[n++] = db;
	for (i = 0; settings != NULL && settings[i] != NULL && n + 1 < 32; i++)
		env[n++] = settings[i];
	env[n] = NULL;
	memset(a, 0, sizeof(*a));
	if (harness_cgi("users.fcgi", env, NULL, 0, c) != 0 || c->exit_status != 0 ||
	    c->out == NULL || sscanf(c->out, "Status: %d", &a->status) != 1) {
		au_bad(line, "%s: users.fcgi as CGI did not answer", uri);
		return -1;
	}
	p = strstr(c->out, "\r\n\r\n");
	a->body = p != NULL ? p + 4 : NULL;
	return a->status;
}

static void
test_settings_matrix(void **state)
{
#define S(...)	((const char *const[]){ __VA_ARGS__, NULL })
	const struct {
		int			 line;
		const char *const	*settings;
		int			 status;	/* of /openapi.json */
	} cases[] = {
		{ __LINE__, S("LOG_LEVEL=INFO"), 200 },			/* unset: on */
		{ __LINE__, S("ENV=development"), 200 },
		{ __LINE__, S("ENV=staging"), 200 },
		{ __LINE__, S("ENV=production"), 404 },
		{ __LINE__, S("ENV=Production"), 404 },
		{ __LINE__, S("ENV=production", "DOCS_ENABLED=true"), 200 },
		{ __LINE__, S("ENV=production", "DOCS_ENABLED=1"), 200 },
		{ __LINE__, S("ENV=production", "DOCS_ENABLED=yes"), 200 },
		{ __LINE__, S("ENV=production", "DOCS_ENABLED=ON"), 200 },
		{ __LINE__, S("ENV=production", "DOCS_ENABLED=false"), 404 },
		{ __LINE__, S("DOCS_ENABLED=false"), 404 },
		{ __LINE__, S("DOCS_ENABLED=FALSE"), 404 },
		{ __LINE__, S("DOCS_ENABLED=0"), 404 },
		{ __LINE__, S("DOCS_ENABLED=no"), 404 },
		{ __LINE__, S("DOCS_ENABLED=off"), 404 },
		{ __LINE__, S("ENV=staging", "DOCS_ENABLED=off"), 404 },
		/* Not a boolean: the program refuses to guess. */
		{ __LINE__, S("DOCS_ENABLED=maybe"), 503 },
		{ __LINE__, S("DOCS_ENABLED="), 503 },
		{ __LINE__, S("DOCS_ENABLED= true"), 503 },
		{ __LINE__, S("DOCS_ENABLED=2"), 503 },
		{ __LINE__, S("ENV=prod"), 503 },
	};
	struct cgi_result	 c;
	struct cgi_answer	 a;
	size_t			 i;
	int			 st;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = cgi_get(cases[i].line, "/openapi.json", cases[i].settings, &c, &a);
		if (st >= 0 && st != cases[i].status)
			au_bad(cases[i].line, "/openapi.json: %d, want %d", st,
			    cases[i].status);
		else if (st == 404 && (a.body == NULL ||
		    strcmp(a.body, "{\"detail\":\"Not Found\"}") != 0))
			au_bad(cases[i].line, "404 body %s", a.body != NULL ? a.body : "(none)");
		else if (st == 503 && (a.body == NULL ||
		    strcmp(a.body, "{\"detail\":\"Service misconfigured\"}") != 0))
			au_bad(cases[i].line, "503 body %s", a.body != NULL ? a.body : "(none)");
		cgi_result_free(&c);
		/* /docs follows the same setting (or is absent from the build). */
		st = cgi_get(cases[i].line, "/docs", cases[i].settings, &c, &a);
		if (st >= 0 && st != (cases[i].status == 200 && !ui_built() ? 404 :
		    cases[i].status))
			au_bad(cases[i].line, "/docs: %d", st);
		cgi_result_free(&c);
	}
	au_end();
#undef S
}

/* BASE_PATH: the served document's server is the prefix, with a slash. */
static void
test_base_path(void **state)
{
	static const char *const base[] = { "BASE_PATH=/api", NULL };
	struct cgi_result	 c;
	struct cgi_answer	 a;
	struct json_object	*served = NULL, *built = NULL, *v;
	char			*text;
	size_t			 len = 0;

	(void)state;
	au_begin();
	if (cgi_get(__LINE__, "/api/openapi.json", base, &c, &a) == 200 && a.body != NULL)
		served = json_tokener_parse(a.body);
	cgi_result_free(&c);
	if ((text = slurp(__LINE__, FU_BINARY_DIR "/openapi.json", &len)) != NULL)
		built = json_tokener_parse(text);
	free(text);
	if (served == NULL || built == NULL)
		au_bad(__LINE__, "no document under /api");
	else if (!json_object_object_get_ex(served, "servers", &v) ||
	    json_object_array_length(v) != 1 ||
	    strcmp(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(v, 0), "url")), "/api/") != 0)
		au_bad(__LINE__, "servers: %s", json_object_to_json_string(v));
	else {
		/* Nothing else changes. */
		json_object_object_del(served, "servers");
		json_object_object_del(built, "servers");
		if (!json_object_equal(served, built))
			au_bad(__LINE__, "the document differs beyond servers");
	}
	json_object_put(served);
	json_object_put(built);
	if (ui_built() && cgi_get(__LINE__, "/api/docs", base, &c, &a) != 200)
		au_bad(__LINE__, "/api/docs: %d", a.status);
	if (ui_built())
		cgi_result_free(&c);
	au_end();
}

/* ---- shared hosting ---- */

static void
test_htaccess(void **state)
{
	struct harness_opts	 o = { .htaccess = 1, .procs = 1 };
	struct harness		*h;
	struct http_resp	 r;

	(void)state;
	/* apache/htaccess is Apache's; the lighttpd half has nothing to add. */
	if (strcmp(harness_server(H), "apache") != 0 || !ui_built())
		skip();
	assert_non_null(h = harness_start(&o));
	au_begin();
	assert_int_equal(harness_get(h, "/openapi.json", &r), 0);
	check_file(__LINE__, &r, "application/json", NULL, 0);
	http_resp_free(&r);
	assert_int_equal(harness_get(h, "/docs", &r), 0);
	check_file(__LINE__, &r, "text/html; charset=utf-8", NULL, 0);
	http_resp_free(&r);
	assert_int_equal(harness_get(h, "/docs/swagger-ui.css", &r), 0);
	check_file(__LINE__, &r, "text/css; charset=utf-8", NULL, 0);
	http_resp_free(&r);
	/* Not a way into the data folder or past the programs. */
	assert_int_equal(harness_get(h, "/docs/../fcgi-users-data/fcgi-users.env", &r), 0);
	if (r.status == 200)
		au_bad(__LINE__, "the env file is served");
	http_resp_free(&r);
	au_end();
	assert_int_equal(harness_finish(&h), 0);
}

/* ---- group ---- */

static int
group_setup(void **state)
{
	struct harness_opts	 o = { .procs = 1 };

	(void)state;
	return (H = harness_start(&o)) != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openapi_json),
		cmocka_unit_test(test_swagger_ui),
		cmocka_unit_test(test_refused_while_on),
		cmocka_unit_test(test_off_in_production),
		cmocka_unit_test(test_settings_matrix),
		cmocka_unit_test(test_base_path),
		cmocka_unit_test(test_htaccess),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
