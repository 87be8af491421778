/*
 * fuzz_cgi: what libcommon makes of the FastCGI params and body the web
 * server hands over, as app.c's handle() does it for every request:
 * app_request_parse (method, request id, path less BASE_PATH, query,
 * Content-Type), app_read_body (CONTENT_LENGTH against the cap, the body
 * read from a libfcgi stream), request_form (urlencoded or multipart, by
 * Content-Type), the headers handlers read (request_header, authn_bearer,
 * request_is_json) and routing (app_route_match on users.fcgi's table).
 *
 * Input: params "NAME=VALUE" separated by NUL bytes; an empty param (two
 * NULs in a row) ends them and the rest is the body.  A first byte 'B'
 * sets BASE_PATH=/api and a 16-byte body cap (else "" and 64 KiB).
 * Checks: an error is one of the statuses the code documents; on success
 * the path begins with '/', the method agrees with its name, the request
 * id is a safe token, the query and form lists are bounded and NUL-free;
 * a body read has exactly CONTENT_LENGTH bytes, within the cap and the
 * bytes there are; the Bearer token is the tail of Authorization; the
 * same params always give the same answer.  Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "fuzz_io.h"
#include "log.h"
#include "request.h"
#include "response.h"

#define FUZZ_MAX_PARAMS	64
#define FUZZ_ID_MAX	128	/* app.c REQUEST_ID_MAX */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
nop(struct request *req, struct response *resp)
{
	(void)req;
	(void)resp;
}

/* users.fcgi's routes (src/users/main.c): the patterns are what matters. */
static const struct route routes[] = {
	{ HTTP_GET, "/", nop, ROUTE_NO_DB },
	{ HTTP_GET, "/health", nop, ROUTE_NO_DB },
	{ HTTP_GET, "/users/me", nop, 0 },
	{ HTTP_PATCH, "/users/me", nop, 0 },
	{ HTTP_GET, "/users/{id}", nop, 0 },
	{ HTTP_PATCH, "/users/{id}", nop, 0 },
	{ HTTP_DELETE, "/users/{id}", nop, 0 },
	{ HTTP_POST, "/mcp-server/mcp", nop, ROUTE_DEFER_BODY },
	{ HTTP_GET, "/a/{x}/b/{y}", nop, 0 },
};

static void
check_list(const struct kvlist *l, size_t max)
{
	size_t	 i;

	if (l->n > max || l->n > l->cap || (l->n > 0 && l->items == NULL))
		abort();
	for (i = 0; i < l->n; i++)
		if (l->items[i].name == NULL || l->items[i].value == NULL ||
		    (!l->items[i].is_file &&
		    strlen(l->items[i].value) != l->items[i].value_len))
			abort();
}

/* Whether s is a request id app may keep: 1..128 bytes of [A-Za-z0-9._:-]. */
static int
safe_id(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= FUZZ_ID_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == n;
}

/* One request through the parse steps; the status it ended with (0: none). */
static int
run(struct app *app, char **params, const uint8_t *body, size_t blen,
    const char **path_out)
{
	struct arena		*a;
	struct request		 req;
	struct response		 resp;
	struct fuzz_io		 fio;
	const struct kvlist	*form;
	const struct route	*rt;
	const char		*pp[REQUEST_MAX_PATH_PARAMS], *h, *tok, *cl;
	size_t			 np, i;
	unsigned		 allowed;
	int			 status = 0;

	if ((a = arena_new(4096)) == NULL)
		abort();
	fuzz_io_init(&fio, body, blen);
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.app = app;
	req.params = params;
	req.io = &fio.io;
	response_init(&resp, a);
	if (app_request_parse(app, &req, &resp) != 0) {
		if (resp.status != 400 && resp.status != 414)
			abort();
		status = resp.status;
		*path_out = NULL;
		goto out;
	}
	if (req.path == NULL || req.path[0] != '/' || req.raw_query == NULL ||
	    req.method_name == NULL || request_method_parse(req.method_name) != req.method ||
	    req.request_id == NULL || !safe_id(req.request_id))
		abort();
	check_list(&req.query, REQUEST_MAX_FIELDS);
	*path_out = strdup(req.path);
	/* the Bearer token is what follows "Bearer " in Authorization */
	h = request_header(&req, "Authorization");
	if ((tok = authn_bearer(&req)) != NULL &&
	    (h == NULL || strlen(h) < 7 || tok != h + 7))
		abort();
	(void)request_header(&req, "Mcp-Session-Id");
	(void)request_header(&req, "X-Forwarded-For");
	(void)request_is_json(&req);
	rt = app_route_match(a, routes, sizeof(routes) / sizeof(routes[0]), req.method,
	    req.path, pp, &np, &allowed);
	if (rt != NULL && (np > REQUEST_MAX_PATH_PARAMS || (rt->method != req.method)))
		abort();
	for (i = 0; rt != NULL && i < np; i++)
		if (pp[i] == NULL || strchr(pp[i], '/') != NULL)
			abort();
	/* the body */
	if (app_read_body(&req, &resp) != 0) {
		if (resp.status != 400 && resp.status != 413 && resp.status != 503)
			abort();
		status = resp.status;
		goto out;
	}
	cl = request_param(&req, "CONTENT_LENGTH");
	if (req.body == NULL || req.body[req.body_len] != '\0' ||
	    (int64_t)req.body_len > app->config.max_body_bytes || req.body_len > blen ||
	    (req.body_len > 0 && (cl == NULL || memcmp(req.body, body, req.body_len) != 0)))
		abort();
	if (request_form(&req, &form) == REQUEST_OK)
		check_list(form, REQUEST_MAX_FIELDS);
	status = 200;
out:
	log_set_request_id(NULL);	/* it pointed into the arena */
	arena_free(a);
	return status;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app	 app;
	char			*copy, *params[FUZZ_MAX_PARAMS + 1];
	const char		*path1 = NULL, *path2 = NULL;
	const uint8_t		*body = (const uint8_t *)"";
	size_t			 i, start, n = 0, blen = 0;
	int			 s1, s2;

	memset(&app, 0, sizeof(app));
	app.state = APP_READY;
	app.config.base_path = (char *)"";
	/* below the 1 MiB default: app_read_body allocates CONTENT_LENGTH
	 * bytes before reading, and ASan makes big blocks slow */
	app.config.max_body_bytes = 64 * 1024;
	if (size > 0 && data[0] == 'B') {
		app.config.base_path = (char *)"/api";
		app.config.max_body_bytes = 16;
		data++;
		size--;
	}
	/* the params as C strings, then the body as it is */
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (start = 0, i = 0; i < size; i++) {
		if (copy[i] != '\0')
			continue;
		if (i == start) {
			body = data + i + 1;
			blen = size - i - 1;
			break;
		}
		if (n < FUZZ_MAX_PARAMS)
			params[n++] = copy + start;
		start = i + 1;
	}
	if (i == size && start < size && n < FUZZ_MAX_PARAMS)
		params[n++] = copy + start;
	params[n] = NULL;

	s1 = run(&app, params, body, blen, &path1);
	s2 = run(&app, params, body, blen, &path2);
	if (s1 != s2 || (path1 == NULL) != (path2 == NULL) ||
	    (path1 != NULL && strcmp(path1, path2) != 0))
		abort();
	free((void *)path1);
	free((void *)path2);
	free(copy);
	return 0;
}
