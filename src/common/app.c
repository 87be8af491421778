/*
 * app: the accept loop and the request pipeline every program shares (see
 * app.h).  Per process: settings, log level, CORS origins and the database
 * are set up once, before the first request.  Per request: the params are
 * decoded into a struct request in an arena, routed, answered, written
 * with X-Request-ID, and logged as one access line; then the arena is reset.
 * FastCGI per the FastCGI 1.0 spec through libfcgi's fcgiapp (never
 * fcgi_stdio, which swaps the process environment); CGI per RFC 3875.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/rand.h>

#include "app.h"
#include "app_int.h"
#include "arena.h"
#include "db.h"
#include "fileperm.h"
#include "hex.h"
#include "log.h"
#include "migrate.h"

extern char **environ;

#define ARENA_FIRST_CHUNK	(64 * 1024)
#define REQUEST_ID_MAX		128

static const char *const state_details[APP__MAX] = {
	[APP_READY] = "OK",
	[APP_MISCONFIGURED] = "Service misconfigured",
	[APP_DB_UNAVAILABLE] = "Database unavailable",
	[APP_SCHEMA_BEHIND] = "Database schema is out of date",
};

const char *
app_state_detail(enum app_state s)
{
	return s < APP__MAX ? state_details[s] : "Service Unavailable";
}

int64_t
app_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
app_isotime(char *buf, size_t len)
{
	log_timestamp(buf, len, LOG_TIME_US_OFFSET);
}

/* --- setup ------------------------------------------------------------ */

static void
cors_setup(struct app *app)
{
	const char	*s = app->config.cors_allowed_origins, *p, *e;
	size_t		 n = 0, i = 0;

	if (s == NULL)
		return;
	if (strcmp(s, "*") == 0) {
		app->cors_any = 1;
		return;
	}
	for (p = s; *p != '\0'; p++)
		if (*p == ',')
			n++;
	if ((app->cors_origins = calloc(n + 2, sizeof(char *))) == NULL)
		return;		/* out of memory: no origin is allowed */
	for (p = s; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ",");
		n = e - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && *p == '*')
			app->cors_any = 1;
		else if (n > 0 && (app->cors_origins[i] = strndup(p, n)) != NULL)
			i++;
	}
}

/*
 * Without DOCS_ENABLED the ROUTE_DOCS routes are left out of the table, so
 * their paths answer exactly as unknown ones (404, no 405 or redirect).
 * Out of memory: the full table stays, and the handlers still refuse.
 */
static void
routes_setup(struct app *app)
{
	const struct app_def	*def = app->def;
	size_t			 i, n = 0;

	if (app->config.docs_enabled)
		return;
	if ((app->routes_own = calloc(def->n_routes + 1, sizeof(struct route))) == NULL)
		return;
	for (i = 0; i < def->n_routes; i++)
		if (!(def->routes[i].flags & ROUTE_DOCS))
			app->routes_own[n++] = def->routes[i];
	app->routes = app->routes_own;
	app->n_routes = n;
}

/* The table requests are routed through: app->routes once set, else def's. */
static const struct route *
routes_of(const struct app *app, size_t *n)
{
	if (app->routes != NULL) {
		*n = app->n_routes;
		return app->routes;
	}
	*n = app->def->n_routes;
	return app->def->routes;
}

static void
app_setup(struct app *app, const struct app_def *def)
{
	const char	*bad = NULL;
	char		 why[1024];
	enum config_err	 e;

	memset(app, 0, sizeof(*app));
	app->def = def;
	if ((e = config_load(&app->config, NULL, &bad, why, sizeof(why))) ==
	    CONFIG_EUNSAFE) {
		/* why names the file and the chmod that fixes it. */
		log_msg(LOG_LEVEL_CRITICAL, "refusing a file open to other users: "
		    "every request will get 503", "setting", bad != NULL ? bad : "?",
		    "reason", why, (char *)NULL);
		app->state = APP_MISCONFIGURED;
		return;
	}
	if (e != CONFIG_OK) {
		/* One clear line; the process keeps serving 503 so that
		 * mod_fcgid does not respawn it in a loop. */
		log_msg(LOG_LEVEL_CRITICAL, "invalid setting: every request will get 503",
		    "setting", bad != NULL ? bad : "?", "error", config_strerror(e),
		    "reason", why, (char *)NULL);
		app->state = APP_MISCONFIGURED;
		return;
	}
	log_set_level(app->config.log_level);
	routes_setup(app);
	if (tokens_init(&app->tokens, &app->config, why, sizeof(why)) != TOKENS_OK) {
		log_msg(LOG_LEVEL_CRITICAL, "invalid signing keys: every request will get 503",
		    "reason", why, (char *)NULL);
		app->state = APP_MISCONFIGURED;
		return;
	}
	if (def->signs_tokens && app->tokens.sign == NULL) {
		log_msg(LOG_LEVEL_CRITICAL, "this program signs access tokens: "
		    "every request will get 503", "setting", "JWT_PRIVATE_KEY",
		    "reason", "JWT_PUBLIC_KEY alone only verifies; give this "
		    "program JWT_PRIVATE_KEY_FILE", (char *)NULL);
		app->state = APP_MISCONFIGURED;
		return;
	}
	if (def->mcp_tokens && mcp_tokens_init(&app->mcp, &app->config, why,
	    sizeof(why)) != TOKENS_OK) {
		log_msg(LOG_LEVEL_CRITICAL, "invalid MCP signing keys: every request "
		    "will get 503", "reason", why, (char *)NULL);
		app->state = APP_MISCONFIGURED;
		return;
	}
	if (def->mcp_tokens && app->mcp.n_verify == 0)
		log_warn("MCP tokens unavailable", "reason", app->mcp.why);
	app->password.t_cost = (uint32_t)app->config.argon2_time_cost;
	app->password.m_cost_kib = (uint32_t)app->config.argon2_memory_kib;
	app->password.parallelism = (uint32_t)app->config.argon2_parallelism;
	cors_setup(app);
	app->state = APP_DB_UNAVAILABLE;
	if (def->needs_db)
		(void)app_db_ready(app);
	else
		app->state = APP_READY;
}

enum app_state
app_db_ready(struct app *app)
{
	enum db_err	 e;
	char		 label[256];
	int		 version = 0, latest;
	char		 why[1024];

	if (app->state == APP_READY || app->state == APP_MISCONFIGURED)
		return app->state;
	if (app->db == NULL) {
		/* Password hashes and token ids: never with a file others may
		 * read or write.  Refused until the process restarts. */
		if (fileperm_check_db(app->config.database_path, why, sizeof(why)) !=
		    FILEPERM_OK) {
			log_msg(LOG_LEVEL_CRITICAL, "refusing a database open to other "
			    "users: every request will get 503", "setting",
			    "DATABASE_URL", "reason", why, (char *)NULL);
			app->state = APP_MISCONFIGURED;
			return app->state;
		}
		e = db_open(app->config.database_path, DB_OPEN_CREATE,
		    (int)app->config.db_busy_timeout_ms, &app->db);
		if (e != DB_OK) {
			log_error("cannot open the database", "setting", "DATABASE_URL",
			    "error", db_strerror(e));
			app->db = NULL;
			app->state = APP_DB_UNAVAILABLE;
			return app->state;
		}
	}
	if ((e = migrate_current(app->db, &version)) != DB_OK) {
		log_error("cannot read the schema version", "error", db_strerror(e));
		db_close(app->db);
		app->db = NULL;
		app->state = APP_DB_UNAVAILABLE;
		return app->state;
	}
	latest = migrate_latest();
	/* The locator without a URL's password. */
	db_label(app->config.database_path, label, sizeof(label));
	if (version < latest) {
		if (app->state != APP_SCHEMA_BEHIND)
			log_error("database schema is behind this program: run "
			    "`fcgi-users migrate up`", "database", label);
		app->state = APP_SCHEMA_BEHIND;
		return app->state;
	}
	if (version > latest)
		log_warn("database schema is newer than this program",
		    "database", label);
	app->state = APP_READY;
	return app->state;
}

/* --- routing ------------------------------------------------------------ */

/* Matches one pattern against a path; fills params from the arena. */
static int
pattern_match(struct arena *a, const char *pat, const char *path,
    const char **params, size_t *nparams)
{
	const char	*seg;
	size_t		 n = 0, len;

	while (*pat != '\0' && *path != '\0') {
		if (pat[0] == '{') {
			seg = path;
			len = strcspn(path, "/");
			if (len == 0 || n >= REQUEST_MAX_PATH_PARAMS)
				return 0;
			if (a != NULL) {
				if ((params[n] = arena_strndup(a, seg, len)) == NULL)
					return 0;
			}
			n++;
			path += len;
			pat += strcspn(pat, "}");
			if (*pat == '}')
				pat++;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	*nparams = n;
	return 1;
}

const struct route *
app_route_match(struct arena *a, const struct route *routes, size_t n,
    enum http_method m, const char *path, const char **params, size_t *nparams,
    unsigned *allowed)
{
	size_t	 i, np;

	*allowed = 0;
	*nparams = 0;
	for (i = 0; i < n; i++) {
		if (!pattern_match(NULL, routes[i].pattern, path, params, &np))
			continue;
		if (routes[i].method == m) {
			if (!pattern_match(a, routes[i].pattern, path, params, nparams))
				return NULL;
			return &routes[i];
		}
		*allowed |= 1u << routes[i].method;
	}
	return NULL;
}

static const char *
allow_header(struct arena *a, unsigned mask)
{
	char	 buf[80];
	size_t	 n = 0;
	int	 m;

	buf[0] = '\0';
	for (m = 0; m < HTTP_METHOD__MAX; m++) {
		if (!(mask & (1u << m)))
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    n > 0 ? ", " : "", request_method_name(m));
	}
	return arena_strdup(a, buf);
}

/* Host for a redirect: HTTP_HOST when it looks like one, else NULL. */
static const char *
redirect_host(const struct request *req)
{
	const char	*h = request_param(req, "HTTP_HOST");
	size_t		 n;

	if (h == NULL || (n = strlen(h)) == 0 || n > 255 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") != n)
		return NULL;
	return h;
}

/*
 * FastAPI's redirect_slashes: /users/me/ → 307 to /users/me when that path
 * has a route (for any method).  Returns 1 when it answered.
 */
static int
slash_redirect(struct app *app, struct request *req, struct response *resp)
{
	const struct route *table;
	const char	*uri, *host, *https, *params[REQUEST_MAX_PATH_PARAMS];
	size_t		 len, np, rawlen, n;
	unsigned	 allowed;
	char		*alt, *loc;

	/* Starlette strips every trailing slash: /health// → /health. */
	len = strlen(req->path);
	if (len < 2 || req->path[len - 1] != '/')
		return 0;
	while (len > 0 && req->path[len - 1] == '/')
		len--;
	if (len == 0 || (alt = arena_strndup(req->arena, req->path, len)) == NULL)
		return 0;
	table = routes_of(app, &n);
	if (app_route_match(NULL, table, n, req->method, alt, params, &np,
	    &allowed) == NULL && allowed == 0)
		return 0;
	/* Keep the client's own encoding of the path. */
	uri = request_param(req, "REQUEST_URI");
	if (uri != NULL && uri[0] == '/') {
		rawlen = strcspn(uri, "?#");
		while (rawlen > 1 && uri[rawlen - 1] == '/')
			rawlen--;
		alt = arena_strndup(req->arena, uri, rawlen);
	}
	if (alt == NULL)
		return 0;
	https = request_param(req, "HTTPS");
	host = redirect_host(req);
	loc = arena_printf(req->arena, "%s%s%s%s%s%s",
	    host != NULL ? (https != NULL && strcasecmp(https, "on") == 0 ?
	    "https://" : "http://") : "", host != NULL ? host : "", alt,
	    req->raw_query[0] != '\0' ? "?" : "", req->raw_query, "");
	if (loc == NULL)
		return 0;
	response_set_header(resp, "Location", loc);
	response_empty(resp, 307);
	return 1;
}

void
app_dispatch(struct app *app, struct request *req, struct response *resp)
{
	const struct route	*rt, *table;
	unsigned		 allowed;
	size_t			 n;
	enum app_state		 st;

	table = routes_of(app, &n);
	rt = app_route_match(req->arena, table, n, req->method, req->path,
	    req->path_params, &req->n_path_params, &allowed);
	if (rt == NULL) {
		if (allowed != 0) {
			response_set_header(resp, "Allow",
			    allow_header(req->arena, allowed));
			response_error(resp, 405, "Method Not Allowed");
		} else if (!slash_redirect(app, req, resp))
			response_error(resp, 404, "Not Found");
		return;
	}
	if (!(rt->flags & ROUTE_NO_DB) && app->def->needs_db &&
	    (st = app_db_ready(app)) != APP_READY) {
		response_error(resp, 503, app_state_detail(st));
		return;
	}
	rt->handler(req, resp);
	if (resp->status == 0) {
		log_error("handler set no status", "path", req->path);
		response_error(resp, 500, "Internal Server Error");
	}
}

/* --- CORS (Fetch standard, as Starlette's CORSMiddleware) ---------------- */

static const char CORS_METHODS[] = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";
static const char *const cors_headers[] = {
	"accept", "accept-language", "authorization", "content-language",
	"content-type", "last-event-id", "mcp-session-id", "mcp-protocol-version",
	"x-api-key", "x-request-id", NULL
};
static const char CORS_ALLOW_HEADERS[] = "Accept, Accept-Language, Authorization, "
    "Content-Language, Content-Type, Last-Event-ID, Mcp-Session-Id, "
    "MCP-Protocol-Version, X-API-KEY, X-Request-ID";
static const char CORS_EXPOSE[] = "Mcp-Session-Id, X-Request-ID, WWW-Authenticate, "
    "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Deprecation";

static int
cors_origin_allowed(const struct app *app, const char *origin)
{
	char	**o;

	if (app->cors_any)
		return 1;
	for (o = app->cors_origins; o != NULL && *o != NULL; o++)
		if (strcmp(*o, origin) == 0)
			return 1;
	return 0;
}

static int
cors_headers_allowed(const char *list)
{
	const char	*p = list, *e;
	size_t		 n, i;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, ",");
		n = e - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		for (i = 0; cors_headers[i] != NULL; i++)
			if (strlen(cors_headers[i]) == n &&
			    strncasecmp(cors_headers[i], p, n) == 0)
				break;
		if (cors_headers[i] == NULL)
			return 0;
		p = e;
	}
	return 1;
}

static void
cors_allow_origin(const struct app *app, struct response *resp, const char *origin)
{
	if (app->cors_any) {
		response_set_header(resp, "Access-Control-Allow-Origin", "*");
		return;
	}
	response_set_header(resp, "Access-Control-Allow-Origin", origin);
	response_set_header(resp, "Access-Control-Allow-Credentials", "true");
	response_set_header(resp, "Vary", "Origin");
}

/* Answers a preflight; returns 1 when the request was one. */
static int
cors_preflight(const struct app *app, struct request *req, struct response *resp)
{
	const char	*origin, *method, *hdrs;

	if (req->method != HTTP_OPTIONS ||
	    (origin = request_header(req, "Origin")) == NULL ||
	    (method = request_header(req, "Access-Control-Request-Method")) == NULL)
		return 0;
	hdrs = request_header(req, "Access-Control-Request-Headers");
	if (!cors_origin_allowed(app, origin)) {
		response_error(resp, 400, "Disallowed CORS origin");
		return 1;
	}
	if (request_method_parse(method) == HTTP_METHOD__MAX) {
		response_error(resp, 400, "Disallowed CORS method");
		return 1;
	}
	if (hdrs != NULL && !cors_headers_allowed(hdrs)) {
		response_error(resp, 400, "Disallowed CORS headers");
		return 1;
	}
	cors_allow_origin(app, resp, origin);
	response_set_header(resp, "Access-Control-Allow-Methods", CORS_METHODS);
	response_set_header(resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	response_set_header(resp, "Access-Control-Max-Age", "600");
	response_set_header(resp, "Vary", "Origin");
	response_text(resp, 200, "OK");
	return 1;
}

static void
cors_simple(const struct app *app, struct request *req, struct response *resp)
{
	const char	*origin = request_header(req, "Origin");

	if (origin == NULL || app->state == APP_MISCONFIGURED ||
	    !cors_origin_allowed(app, origin))
		return;
	cors_allow_origin(app, resp, origin);
	response_set_header(resp, "Access-Control-Expose-Headers", CORS_EXPOSE);
}

/* --- one request -------------------------------------------------------- */

static unsigned char	 id_seed[16];
static volatile int	 id_seeded;
static uint64_t		 id_count;

static void
id_forget(void)
{
	id_seeded = 0;
}

static const char *
request_id(struct request *req)
{
	static int		 id_atfork;
	const char		*id = request_header(req, "X-Request-ID");
	unsigned char		 b[16];
	char			*out;
	uint64_t		 c;
	size_t			 n, i;

	if (id != NULL && (n = strlen(id)) > 0 && n <= REQUEST_ID_MAX &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._:-") == n)
		return id;
	/*
	 * A request id tells log lines apart; it is no secret.  So not
	 * RAND_bytes per request (a getpid() and a DRBG call, 3% of a cheap
	 * request's time): 16 random bytes once per process, and a counter
	 * added into the last 8.  A forked child draws its own seed.
	 */
	if (!id_seeded) {
		if (RAND_bytes(id_seed, sizeof(id_seed)) != 1)
			return "00000000-0000-4000-8000-000000000000";
		if (!id_atfork && pthread_atfork(NULL, NULL, id_forget) == 0)
			id_atfork = 1;
		id_seeded = 1;
	}
	memcpy(b, id_seed, sizeof(b));
	for (i = 0, c = ++id_count; i < 8; i++, c >>= 8)
		b[15 - i] ^= (unsigned char)c;
	b[6] = (b[6] & 0x0f) | 0x40;	/* RFC 9562 §5.4: version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;	/* variant 10 */
	/* Not printf: its 16 conversions cost 5% of a cheap request. */
	if ((out = arena_alloc(req->arena, HEX_UUID_LEN + 1)) == NULL)
		return "00000000-0000-4000-8000-000000000000";
	hex_uuid(b, out);
	return out;
}

void
app_final_headers(struct request *req, struct response *resp)
{
	cors_simple(req->app, req, resp);
	response_set_header(resp, "X-Request-ID", req->request_id);
}

/* Whether the route the request goes to reads its own body (ROUTE_DEFER_BODY). */
static int
defers_body(const struct app *app, const struct request *req)
{
	const struct route	*rt, *table;
	const char		*params[REQUEST_MAX_PATH_PARAMS];
	size_t			 np, n;
	unsigned		 allowed;

	table = routes_of(app, &n);
	rt = app_route_match(NULL, table, n, req->method, req->path, params, &np,
	    &allowed);
	return rt != NULL && (rt->flags & ROUTE_DEFER_BODY);
}

int
app_request_parse(struct app *app, struct request *req, struct response *resp)
{
	const char		*base;
	enum request_err	 e;

	req->method_name = request_param(req, "REQUEST_METHOD");
	if (req->method_name == NULL)
		req->method_name = "";
	req->method = request_method_parse(req->method_name);
	req->request_id = request_id(req);
	req->raw_query = "";
	log_set_request_id(req->request_id);

	base = app->state == APP_MISCONFIGURED ? "" : app->config.base_path;
	e = request_parse_path(req->arena, request_param(req, "REQUEST_URI"),
	    request_param(req, "SCRIPT_NAME"), request_param(req, "PATH_INFO"),
	    base, &req->path, &req->raw_query);
	if (req->raw_query == NULL &&
	    (req->raw_query = request_param(req, "QUERY_STRING")) == NULL)
		req->raw_query = "";
	if (app->state == APP_MISCONFIGURED) {
		response_error(resp, 503, app_state_detail(app->state));
		return -1;
	}
	if (e != REQUEST_OK) {
		response_error(resp, e == REQUEST_ETOOLARGE ? 414 : 400,
		    request_strerror(e));
		return -1;
	}
	if (strlen(req->raw_query) > REQUEST_MAX_PATH * 2) {
		response_error(resp, 414, "Query string too long");
		return -1;
	}
	if ((e = request_parse_urlencoded(req->arena, req->raw_query,
	    strlen(req->raw_query), REQUEST_MAX_FIELDS, &req->query)) != REQUEST_OK) {
		response_error(resp, 400, request_strerror(e));
		return -1;
	}
	req->content_type = request_param(req, "CONTENT_TYPE");
	if (req->content_type != NULL && *req->content_type == '\0')
		req->content_type = NULL;
	return 0;
}

static void
handle(struct app *app, struct arena *arena, char **params, struct app_io *io)
{
	struct request		 req;
	struct response		 resp;
	struct log_access	 la;
	int64_t			 t0 = app_now_us();

	memset(&req, 0, sizeof(req));
	req.arena = arena;
	req.app = app;
	req.params = params;
	req.io = io;
	request_index_params(&req);
	response_init(&resp, arena);
	if (app_request_parse(app, &req, &resp) != 0)
		goto done;
	if (cors_preflight(app, &req, &resp))
		goto done;
	if (!defers_body(app, &req) && app_read_body(&req, &resp) != 0)
		goto done;
	app_dispatch(app, &req, &resp);
done:
	if (req.path == NULL)
		req.path = "";
	if (!resp.streamed) {
		app_final_headers(&req, &resp);
		app_write_response(io, &req, &resp);
	}
	la.request_id = req.request_id;
	la.method = req.method_name;
	la.path = req.path;
	la.status = resp.status;
	if (resp.streamed && resp.stream_failed)
		log_info("client went away during a streamed answer", "path", req.path);
	la.duration_us = app_now_us() - t0;
	la.user_id = req.user_id;
	log_access(&la);
	log_set_request_id(NULL);
}

static void
usage(const struct app_def *def)
{
	fprintf(stderr,
	    "%s %s: a FastCGI program of fcgi-users.\n"
	    "Run it under a web server (lighttpd, Apache mod_fcgid, spawn-fcgi) or as CGI.\n"
	    "Settings come from the environment and FCGI_USERS_ENV_FILE.\n"
	    "--version prints the version; --routes the routes docs/openapi.yaml describes.\n",
	    def->program, FCGI_USERS_VERSION);
}

/* --routes: what docs/openapi.yaml must describe (tests/docs/check_routes.py). */
static void
print_routes(const struct app_def *def)
{
	size_t	 i;

	for (i = 0; i < def->n_routes; i++)
		if (!(def->routes[i].flags & ROUTE_DOCS))
			printf("%s %s\n", request_method_name(def->routes[i].method),
			    def->routes[i].pattern);
}

static void
app_teardown(struct app *app)
{
	char	**o;

	db_close(app->db);
	app->db = NULL;
	tokens_free(&app->tokens);
	mcp_tokens_free(&app->mcp);
	for (o = app->cors_origins; o != NULL && *o != NULL; o++)
		free(*o);
	free(app->cors_origins);
	free(app->routes_own);
	config_free(&app->config);
}

int
app_main(int argc, char **argv, const struct app_def *def)
{
	struct app	 app;
	struct arena	*arena = NULL;
	struct app_io	 io;
	FCGX_Request	 fr;
	int		 ret = 1;

	log_init(def->program);
	/* What the program creates (database, WAL, outbox) is not others'. */
	(void)fileperm_umask();
	if (argc > 1) {
		if (strcmp(argv[1], "--version") == 0) {
			printf("%s %s\n", def->program, FCGI_USERS_VERSION);
			return 0;
		}
		if (strcmp(argv[1], "--routes") == 0) {
			print_routes(def);
			return 0;
		}
		usage(def);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* A host's file-size limit (RLIMIT_FSIZE) makes a write past it fail
	 * with EFBIG, which SQLite reports and the request answers with 503,
	 * instead of killing the process mid-request. */
	signal(SIGXFSZ, SIG_IGN);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "%s: cannot initialise libfcgi\n", def->program);
		return 1;
	}
	if (FCGX_IsCGI() && getenv("REQUEST_METHOD") == NULL) {
		fprintf(stderr, "%s: no REQUEST_METHOD in the environment and no "
		    "FastCGI socket on fd 0: this program is run by a web server.\n",
		    def->program);
		usage(def);
		return 2;
	}
	app_setup(&app, def);
	if ((arena = arena_new(ARENA_FIRST_CHUNK)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", def->program);
		goto out;
	}
	if (FCGX_IsCGI()) {
		io.fcgi = NULL;
		io.consumed = 0;
		handle(&app, arena, environ, &io);
		fflush(stdout);
		app_io_cgi_drain(&io, getenv("CONTENT_LENGTH"));
		ret = 0;
		goto out;
	}
	if (FCGX_InitRequest(&fr, 0, 0) != 0)
		goto out;
	io.fcgi = &fr;
	io.consumed = 0;
	while (FCGX_Accept_r(&fr) >= 0) {
		handle(&app, arena, fr.envp, &io);
		FCGX_Finish_r(&fr);
		arena_reset(arena);
	}
	FCGX_Free(&fr, 1);
	ret = 0;
out:
	arena_free(arena);
	app_teardown(&app);
	return ret;
}
