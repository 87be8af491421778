/*
 * test_app: routing and dispatch (src/common/app.c) without a web server:
 * app_route_match on a users-like table (literal routes before {param}
 * routes, 405 masks, paths that must not match), and app_dispatch with a
 * struct request built by hand — 404, 405 with Allow, FastAPI's
 * redirect_slashes 307 with a Location that keeps the client's encoding,
 * handlers called with their path params, and the 503/500 guards.  Plus
 * app_isotime's format.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "app.h"
#include "app_int.h"
#include "arena.h"
#include "log.h"
#include "unit_util.h"

#define P(s)		((char *)(s))
#define M(m)		(1u << (m))

/* --- handlers that record their call ----------------------------------- */

static const char	*called;
static size_t		 called_nparams;
static const char	*called_param0;

static void
record(const char *name, struct request *req, struct response *resp)
{
	called = name;
	called_nparams = req->n_path_params;
	called_param0 = req->n_path_params > 0 ? req->path_params[0] : NULL;
	response_json_text(resp, 200, "{\"ok\":true}");
}

static void h_root(struct request *q, struct response *r) { record("root", q, r); }
static void h_health(struct request *q, struct response *r) { record("health", q, r); }
static void h_me_get(struct request *q, struct response *r) { record("me_get", q, r); }
static void h_me_patch(struct request *q, struct response *r) { record("me_patch", q, r); }
static void h_user_get(struct request *q, struct response *r) { record("user_get", q, r); }
static void h_user_patch(struct request *q, struct response *r) { record("user_patch", q, r); }
static void h_user_delete(struct request *q, struct response *r) { record("user_delete", q, r); }
static void h_login(struct request *q, struct response *r) { record("login", q, r); }
static void h_two(struct request *q, struct response *r) { record("two", q, r); }
static void h_four(struct request *q, struct response *r) { record("four", q, r); }
static void h_five(struct request *q, struct response *r) { record("five", q, r); }

/* A handler that forgets to answer. */
static void
h_silent(struct request *q, struct response *r)
{
	(void)r;
	called = "silent";
	called_nparams = q->n_path_params;
}

static const struct route routes[] = {
	{ HTTP_GET, "/", h_root, 0 },				/* 0 */
	{ HTTP_GET, "/health", h_health, ROUTE_NO_DB },		/* 1 */
	{ HTTP_GET, "/users/me", h_me_get, 0 },			/* 2 */
	{ HTTP_PATCH, "/users/me", h_me_patch, 0 },		/* 3 */
	{ HTTP_GET, "/users/{id}", h_user_get, 0 },		/* 4 */
	{ HTTP_PATCH, "/users/{id}", h_user_patch, 0 },		/* 5 */
	{ HTTP_DELETE, "/users/{id}", h_user_delete, 0 },	/* 6 */
	{ HTTP_POST, "/auth/jwt/login", h_login, 0 },		/* 7 */
	{ HTTP_GET, "/u/{a}/items/{b}", h_two, 0 },		/* 8 */
	{ HTTP_GET, "/p/{a}/{b}/{c}/{d}", h_four, 0 },		/* 9 */
	{ HTTP_GET, "/q/{a}/{b}/{c}/{d}/{e}", h_five, 0 },	/* 10: too many params */
	{ HTTP_GET, "/silent", h_silent, ROUTE_NO_DB },		/* 11 */
};

static const struct app_def def = {
	"test_app", routes, NCASES(routes), 0, 0, 0
};

/* --- app_route_match ---------------------------------------------------- */

static void
test_route_match(void **state)
{
	static const struct {
		int		 line;
		enum http_method m;
		const char	*path;
		int		 route;		/* index, -1 none */
		size_t		 nparams;
		const char	*p0, *p1, *p3;
		unsigned	 allowed;	/* when none */
	} cases[] = {
		{ __LINE__, HTTP_GET, "/", 0, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/health", 1, 0, NULL, NULL, NULL, 0 },
		/* the literal route comes first in the table and wins */
		{ __LINE__, HTTP_GET, "/users/me", 2, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_PATCH, "/users/me", 3, 0, NULL, NULL, NULL, 0 },
		/* …but only for its methods: DELETE /users/me is /users/{id} */
		{ __LINE__, HTTP_DELETE, "/users/me", 6, 1, "me", NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users/abc", 4, 1, "abc", NULL, NULL, 0 },
		{ __LINE__, HTTP_PATCH, "/users/abc", 5, 1, "abc", NULL, NULL, 0 },
		{ __LINE__, HTTP_DELETE, "/users/0b7e-42", 6, 1, "0b7e-42", NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users/a b%", 4, 1, "a b%", NULL, NULL, 0 },
		{ __LINE__, HTTP_POST, "/auth/jwt/login", 7, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/u/x/items/y", 8, 2, "x", "y", NULL, 0 },
		{ __LINE__, HTTP_GET, "/p/1/2/3/4", 9, 4, "1", "2", "4", 0 },
		/* no such path */
		{ __LINE__, HTTP_GET, "/users/", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users/a/b", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users/abc/", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users//", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/users", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "//", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "//health", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/health/", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/HEALTH", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/healthz", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/health?x=1", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "health", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/nope", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/u/x/items/", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/u//items/y", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/p/1/2/3", -1, 0, NULL, NULL, NULL, 0 },
		{ __LINE__, HTTP_GET, "/p/1/2/3/4/5", -1, 0, NULL, NULL, NULL, 0 },
		/* more {params} than REQUEST_MAX_PATH_PARAMS never match */
		{ __LINE__, HTTP_GET, "/q/1/2/3/4/5", -1, 0, NULL, NULL, NULL, 0 },
		/* a path with routes, not for this method: the allowed mask */
		{ __LINE__, HTTP_POST, "/health", -1, 0, NULL, NULL, NULL, M(HTTP_GET) },
		{ __LINE__, HTTP_HEAD, "/health", -1, 0, NULL, NULL, NULL, M(HTTP_GET) },
		{ __LINE__, HTTP_METHOD__MAX, "/health", -1, 0, NULL, NULL, NULL, M(HTTP_GET) },
		{ __LINE__, HTTP_PUT, "/users/me", -1, 0, NULL, NULL, NULL,
		    M(HTTP_GET) | M(HTTP_PATCH) | M(HTTP_DELETE) },
		{ __LINE__, HTTP_POST, "/users/abc", -1, 0, NULL, NULL, NULL,
		    M(HTTP_GET) | M(HTTP_PATCH) | M(HTTP_DELETE) },
		{ __LINE__, HTTP_GET, "/auth/jwt/login", -1, 0, NULL, NULL, NULL, M(HTTP_POST) },
		{ __LINE__, HTTP_OPTIONS, "/", -1, 0, NULL, NULL, NULL, M(HTTP_GET) },
		{ __LINE__, HTTP_METHOD__MAX, "/nope", -1, 0, NULL, NULL, NULL, 0 },
	};
	struct arena		*a = *state;
	const struct route	*rt;
	const char		*params[REQUEST_MAX_PATH_PARAMS];
	size_t			 i, np;
	unsigned		 allowed;

	for (i = 0; i < NCASES(cases); i++) {
		memset(params, 0, sizeof(params));
		np = 99;
		allowed = 0xdead;
		rt = app_route_match(a, routes, NCASES(routes), cases[i].m, cases[i].path,
		    params, &np, &allowed);
		if (cases[i].route < 0) {
			CHECK(cases[i].line, rt == NULL);
			CHECK_INT(cases[i].line, allowed, cases[i].allowed);
			CHECK_INT(cases[i].line, np, 0);
			continue;
		}
		CHECK(cases[i].line, rt == &routes[cases[i].route]);
		if (rt != NULL && rt != &routes[cases[i].route])
			print_error("%s:%d: matched route %s %s\n", __FILE__,
			    cases[i].line, request_method_name(rt->method), rt->pattern);
		CHECK_INT(cases[i].line, np, cases[i].nparams);
		if (cases[i].nparams > 0) {
			CHECK_STR(cases[i].line, params[0], cases[i].p0);
			/* a copy, not a pointer into the path */
			CHECK(cases[i].line, params[0] < cases[i].path ||
			    params[0] > cases[i].path + strlen(cases[i].path));
		}
		if (cases[i].nparams > 1)
			CHECK_STR(cases[i].line, params[1], cases[i].p1);
		if (cases[i].nparams > 3)
			CHECK_STR(cases[i].line, params[3], cases[i].p3);
	}
	/* An empty table matches nothing. */
	CHECK(__LINE__, app_route_match(a, routes, 0, HTTP_GET, "/", params, &np,
	    &allowed) == NULL && allowed == 0);
	DONE();
}

/* --- app_dispatch ------------------------------------------------------- */

struct dispatch_case {
	int		 line;
	enum http_method m;
	const char	*path;		/* decoded, as request_parse_path gives it */
	const char	*raw_query;
	const char	*params[5];	/* CGI params */
	int		 status;
	const char	*body;		/* NULL: no body */
	const char	*hdr_name, *hdr_value;
	const char	*handler;	/* expected handler, NULL none */
	const char	*param0;
};

static void
run_dispatch(struct app *app, struct arena *a, const struct dispatch_case *c)
{
	struct request	 req;
	struct response	 resp;
	char		*params[6];
	size_t		 k;

	for (k = 0; k < 5 && c->params[k] != NULL; k++)
		params[k] = P(c->params[k]);
	params[k] = NULL;
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.app = app;
	req.params = params;
	req.method = c->m;
	req.method_name = request_method_name(c->m);
	req.path = c->path;
	req.raw_query = c->raw_query != NULL ? c->raw_query : "";
	response_init(&resp, a);
	called = NULL;
	called_nparams = 99;
	called_param0 = NULL;

	app_dispatch(app, &req, &resp);

	CHECK_INT(c->line, resp.status, c->status);
	if (c->body == NULL)
		CHECK(c->line, resp.body == NULL && resp.content_type == NULL &&
		    resp.body_len == 0);
	else {
		CHECK_STR(c->line, resp.body, c->body);
		CHECK(c->line, resp.body == NULL || resp.body_len == strlen(c->body));
		CHECK_STR(c->line, resp.content_type, "application/json");
	}
	if (c->hdr_name != NULL)
		CHECK_STR(c->line, response_get_header(&resp, c->hdr_name), c->hdr_value);
	CHECK_STR(c->line, called, c->handler);
	if (c->handler != NULL && c->param0 != NULL) {
		CHECK_INT(c->line, called_nparams, 1);
		CHECK_STR(c->line, called_param0, c->param0);
	}
	arena_reset(a);
}

static const char NOT_FOUND[] = "{\"detail\":\"Not Found\"}";
static const char NOT_ALLOWED[] = "{\"detail\":\"Method Not Allowed\"}";
static const char OK[] = "{\"ok\":true}";

static void
test_dispatch(void **state)
{
	static const struct dispatch_case cases[] = {
		/* handlers, with their params */
		{ __LINE__, HTTP_GET, "/", NULL, { NULL }, 200, OK, NULL, NULL, "root", NULL },
		{ __LINE__, HTTP_GET, "/health", NULL, { NULL }, 200, OK, NULL, NULL,
		    "health", NULL },
		{ __LINE__, HTTP_GET, "/users/me", NULL, { NULL }, 200, OK, NULL, NULL,
		    "me_get", NULL },
		{ __LINE__, HTTP_GET, "/users/abc", NULL, { NULL }, 200, OK, NULL, NULL,
		    "user_get", "abc" },
		{ __LINE__, HTTP_DELETE, "/users/me", NULL, { NULL }, 200, OK, NULL, NULL,
		    "user_delete", "me" },
		{ __LINE__, HTTP_POST, "/auth/jwt/login", NULL, { NULL }, 200, OK, NULL, NULL,
		    "login", NULL },
		/* 404 */
		{ __LINE__, HTTP_GET, "/nope", NULL, { NULL }, 404, NOT_FOUND, NULL, NULL,
		    NULL, NULL },
		{ __LINE__, HTTP_GET, "/users/a/b", NULL, { NULL }, 404, NOT_FOUND, NULL,
		    NULL, NULL, NULL },
		{ __LINE__, HTTP_GET, "/users/", NULL, { NULL }, 404, NOT_FOUND, NULL, NULL,
		    NULL, NULL },
		{ __LINE__, HTTP_METHOD__MAX, "/nope", NULL, { NULL }, 404, NOT_FOUND, NULL,
		    NULL, NULL, NULL },
		{ __LINE__, HTTP_GET, "/nope/", NULL, { "REQUEST_URI=/nope/",
		    "HTTP_HOST=example.org" }, 404, NOT_FOUND, "Location", NULL, NULL, NULL },
		/*
		 * Starlette strips every trailing slash before it retries
		 * (path.rstrip("/")): "//" becomes "", which matches nothing,
		 * so FastAPI answers 404 — not a 307 to "/".
		 */
		{ __LINE__, HTTP_GET, "//", NULL, { "REQUEST_URI=//",
		    "HTTP_HOST=example.org" }, 404, NOT_FOUND, "Location", NULL, NULL, NULL },
		/* 405 with Allow, in method order */
		{ __LINE__, HTTP_PUT, "/users/me", NULL, { NULL }, 405, NOT_ALLOWED,
		    "Allow", "GET, PATCH, DELETE", NULL, NULL },
		{ __LINE__, HTTP_POST, "/health", NULL, { NULL }, 405, NOT_ALLOWED,
		    "Allow", "GET", NULL, NULL },
		{ __LINE__, HTTP_GET, "/auth/jwt/login", NULL, { NULL }, 405, NOT_ALLOWED,
		    "Allow", "POST", NULL, NULL },
		{ __LINE__, HTTP_METHOD__MAX, "/health", NULL, { NULL }, 405, NOT_ALLOWED,
		    "Allow", "GET", NULL, NULL },
		/* 307 to the path without its trailing slash (redirect_slashes) */
		{ __LINE__, HTTP_GET, "/health/", "x=1", { "REQUEST_URI=/health/?x=1",
		    "HTTP_HOST=example.org" }, 307, NULL, "Location",
		    "http://example.org/health?x=1", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", "x=1", { "REQUEST_URI=/health/?x=1",
		    "HTTP_HOST=example.org", "HTTPS=on" }, 307, NULL, "Location",
		    "https://example.org/health?x=1", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=example.org:8443", "HTTPS=ON" }, 307, NULL, "Location",
		    "https://example.org:8443/health", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=example.org", "HTTPS=off" }, 307, NULL, "Location",
		    "http://example.org/health", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=[::1]:8080" }, 307, NULL, "Location",
		    "http://[::1]:8080/health", NULL, NULL },
		/* …and "/health//" becomes "/health": a 307 there */
		{ __LINE__, HTTP_GET, "/health//", NULL, { "REQUEST_URI=/health//",
		    "HTTP_HOST=example.org" }, 307, NULL, "Location",
		    "http://example.org/health", NULL, NULL },
		/* a redirect also for a method the target refuses (405 comes after) */
		{ __LINE__, HTTP_POST, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=example.org" }, 307, NULL, "Location",
		    "http://example.org/health", NULL, NULL },
		/* the client's own encoding and the base path are kept */
		{ __LINE__, HTTP_GET, "/users/abc/", "q=%20", { "REQUEST_URI=/users/a%62c/?q=%20",
		    "HTTP_HOST=example.org" }, 307, NULL, "Location",
		    "http://example.org/users/a%62c?q=%20", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/api/health/",
		    "HTTP_HOST=example.org" }, 307, NULL, "Location",
		    "http://example.org/api/health", NULL, NULL },
		/* no usable Host: a relative Location */
		{ __LINE__, HTTP_GET, "/health/", "x=1", { "REQUEST_URI=/health/?x=1" },
		    307, NULL, "Location", "/health?x=1", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=evil.example/x" }, 307, NULL, "Location", "/health", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=evil.example\r\nSet-Cookie: a=b" }, 307, NULL, "Location",
		    "/health", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=a@evil.example" }, 307, NULL, "Location", "/health", NULL, NULL },
		{ __LINE__, HTTP_GET, "/health/", NULL, { "REQUEST_URI=/health/",
		    "HTTP_HOST=" }, 307, NULL, "Location", "/health", NULL, NULL },
		/* no REQUEST_URI (SCRIPT_NAME + PATH_INFO): the decoded path */
		{ __LINE__, HTTP_GET, "/health/", NULL, { "HTTP_HOST=example.org" }, 307,
		    NULL, "Location", "http://example.org/health", NULL, NULL },
		/* a handler that sets no status: 500, never an empty answer */
		{ __LINE__, HTTP_GET, "/silent", NULL, { NULL }, 500,
		    "{\"detail\":\"Internal Server Error\"}", NULL, NULL, "silent", NULL },
	};
	struct arena	*a = *state;
	struct app	 app;
	size_t		 i;

	memset(&app, 0, sizeof(app));
	app.def = &def;
	app.state = APP_READY;
	for (i = 0; i < NCASES(cases); i++)
		run_dispatch(&app, a, &cases[i]);
	DONE();
}

/* needs_db with a misconfigured process: 503 except for ROUTE_NO_DB. */
static void
test_dispatch_not_ready(void **state)
{
	static const struct dispatch_case cases[] = {
		{ __LINE__, HTTP_GET, "/users/me", NULL, { NULL }, 503,
		    "{\"detail\":\"Service misconfigured\"}", NULL, NULL, NULL, NULL },
		{ __LINE__, HTTP_POST, "/auth/jwt/login", NULL, { NULL }, 503,
		    "{\"detail\":\"Service misconfigured\"}", NULL, NULL, NULL, NULL },
		{ __LINE__, HTTP_GET, "/health", NULL, { NULL }, 200, OK, NULL, NULL,
		    "health", NULL },
		/* routing answers come first */
		{ __LINE__, HTTP_GET, "/nope", NULL, { NULL }, 404, NOT_FOUND, NULL, NULL,
		    NULL, NULL },
		{ __LINE__, HTTP_PUT, "/users/me", NULL, { NULL }, 405, NOT_ALLOWED,
		    "Allow", "GET, PATCH, DELETE", NULL, NULL },
	};
	static const struct app_def def_db = {
		"test_app", routes, NCASES(routes), 1, 0, 0
	};
	struct arena	*a = *state;
	struct app	 app;
	size_t		 i;

	memset(&app, 0, sizeof(app));
	app.def = &def_db;
	app.state = APP_MISCONFIGURED;
	for (i = 0; i < NCASES(cases); i++)
		run_dispatch(&app, a, &cases[i]);
	DONE();
}

/* --- small things ------------------------------------------------------- */

static void
test_isotime(void **state)
{
	char	 buf[64], small[11];
	size_t	 i;
	int	 year;

	(void)state;
	memset(buf, 'X', sizeof(buf));
	app_isotime(buf, sizeof(buf));
	/* "2026-11-26T22:55:44.123456+00:00" */
	CHECK_INT(__LINE__, strlen(buf), 32);
	for (i = 0; i < 32; i++) {
		switch (i) {
		case 4: case 7:
			CHECK(__LINE__, buf[i] == '-');
			break;
		case 10:
			CHECK(__LINE__, buf[i] == 'T');
			break;
		case 13: case 16:
			CHECK(__LINE__, buf[i] == ':');
			break;
		case 19:
			CHECK(__LINE__, buf[i] == '.');
			break;
		case 26:
			CHECK(__LINE__, buf[i] == '+');
			break;
		case 29:
			CHECK(__LINE__, buf[i] == ':');
			break;
		default:
			CHECK(__LINE__, isdigit((unsigned char)buf[i]));
		}
	}
	CHECK(__LINE__, strcmp(buf + 26, "+00:00") == 0);
	year = atoi(buf);
	CHECK(__LINE__, year >= 2024 && year < 3000);
	CHECK(__LINE__, strncmp(buf + 5, "00", 2) != 0 && strncmp(buf + 5, "13", 2) < 0);
	/* a short buffer is cut, still terminated */
	memset(small, 'X', sizeof(small));
	app_isotime(small, sizeof(small));
	CHECK_INT(__LINE__, strlen(small), sizeof(small) - 1);
	DONE();
}

static void
test_misc(void **state)
{
	int64_t	 t0, t1;
	int	 s;

	(void)state;
	for (s = 0; s < APP__MAX; s++)
		CHECK(__LINE__, app_state_detail((enum app_state)s) != NULL);
	CHECK_STR(__LINE__, app_state_detail(APP_DB_UNAVAILABLE), "Database unavailable");
	CHECK_STR(__LINE__, app_state_detail(APP__MAX), "Service Unavailable");
	t0 = app_now_us();
	t1 = app_now_us();
	CHECK(__LINE__, t0 > 0 && t1 >= t0);
	DONE();
}

/*
 * CGI mode: what is left of a body is read before the program exits
 * (app_io_cgi_drain), so that Apache's mod_cgid, still writing it, does
 * not lose the answer.  stdin is a file here; its offset tells how much
 * was read.
 */
static void
test_cgi_drain(void **state)
{
	static const struct {
		int		 line;
		size_t		 file;		/* bytes on stdin */
		size_t		 pre;		/* read by the handler first */
		const char	*cl;		/* CONTENT_LENGTH */
		int		 fcgi;		/* FastCGI mode: nothing to do */
		long		 want;		/* offset after */
	} cases[] = {
		{ __LINE__, 100000, 0, "100000", 0, 100000 },
		{ __LINE__, 100000, 1000, "100000", 0, 100000 },
		{ __LINE__, 100000, 100000, "100000", 0, 100000 },
		{ __LINE__, 2 << 20, 0, "2097152", 0, 2 << 20 },
		/* less than the file: only CONTENT_LENGTH is the body */
		{ __LINE__, 100000, 0, "5000", 0, 5000 },
		{ __LINE__, 100000, 7000, "5000", 0, 7000 },
		/* more than the file: to its end, no wait */
		{ __LINE__, 1000, 0, "100000", 0, 1000 },
		/* no body, or no number */
		{ __LINE__, 1000, 0, NULL, 0, 0 },
		{ __LINE__, 1000, 0, "", 0, 0 },
		{ __LINE__, 1000, 0, "abc", 0, 0 },
		{ __LINE__, 1000, 0, "-5", 0, 0 },
		{ __LINE__, 1000, 0, "12x", 0, 0 },
		{ __LINE__, 1000, 0, "99999999999999999999999", 0, 0 },
		{ __LINE__, 1000, 0, "1000", 1, 0 },
		/* at most APP_CGI_DRAIN_MAX */
		{ __LINE__, APP_CGI_DRAIN_MAX + 4096, 0, "1000000000", 0,
		    APP_CGI_DRAIN_MAX },
	};
	char		 path[] = "/tmp/test_app_drain.XXXXXX", buf[8192];
	struct app_io	 io;
	FCGX_Request	 fake;
	size_t		 n;
	int		 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	for (size_t i = 0; i < NCASES(cases); i++) {
		assert_int_equal(truncate(path, (off_t)cases[i].file), 0);
		assert_non_null(freopen(path, "rb", stdin));
		memset(&io, 0, sizeof(io));
		for (size_t left = cases[i].pre; left > 0; left -= n)
			if ((n = app_io_read(&io, buf, left < sizeof(buf) ?
			    left : sizeof(buf))) == 0)
				break;
		CHECK_INT(cases[i].line, io.consumed, cases[i].pre);
		io.fcgi = cases[i].fcgi ? &fake : NULL;
		app_io_cgi_drain(&io, cases[i].cl);
		CHECK_INT(cases[i].line, ftell(stdin), cases[i].want > (long)cases[i].pre ?
		    cases[i].want : (long)cases[i].pre);
	}
	unlink(path);
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgi_drain),
		cmocka_unit_test_setup_teardown(test_route_match, setup_arena, teardown_arena),
		cmocka_unit_test_setup_teardown(test_dispatch, setup_arena, teardown_arena),
		cmocka_unit_test_setup_teardown(test_dispatch_not_ready, setup_arena,
		    teardown_arena),
		cmocka_unit_test(test_isotime),
		cmocka_unit_test(test_misc),
	};

	/* handlers that set no status log an error line: keep stderr quiet */
	log_set_level(LOG_LEVEL_CRITICAL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
