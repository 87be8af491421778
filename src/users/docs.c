/*
 * docs: /openapi.json and Swagger UI (see docs.h).  The files are built
 * into the program (docs_assets.h) and sent without a copy.  The page's
 * links are relative ("docs/swagger-ui.css", "openapi.json"), and the
 * served document names BASE_PATH as its server, so everything works
 * under a prefix too.  Swagger UI's "Authorize" posts the OAuth2 password
 * form to the document's tokenUrl, auth/jwt/login, relative to that server.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "docs.h"
#include "docs_assets.h"
#include "log.h"

/*
 * The page runs only our files: no inline script, no other origin (the
 * validator badge is off in fcgi-users-init.js).  Swagger UI sets inline
 * styles and shows its logo as a data: image.
 */
#define PAGE_CSP	"default-src 'none'; script-src 'self'; " \
			"style-src 'self' 'unsafe-inline'; img-src 'self' data:; " \
			"connect-src 'self'; font-src 'self' data:; " \
			"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* 1 while the documentation is on; else answers 404 and returns 0.  (app
 * leaves the routes out then; this holds if it could not.) */
static int
enabled(struct request *req, struct response *resp)
{
	if (req->app->config.docs_enabled)
		return 1;
	response_error(resp, 404, "Not Found");
	return 0;
}

static void
send_asset(struct response *resp, const struct docs_asset *a,
    const char *cache)
{
	response_static(resp, 200, a->type, a->data, (size_t)*a->len);
	response_set_header(resp, "Cache-Control", cache);
	response_set_header(resp, "X-Content-Type-Options", "nosniff");
}

/*
 * The document with "servers" naming BASE_PATH ("/api/": the trailing
 * slash makes Swagger UI resolve tokenUrl under it).  Built once per
 * process; NULL when it cannot be (then the built-in one is sent).
 */
static const char *
openapi_for_base(const char *base, size_t *len)
{
	static char		*text;
	static size_t		 text_len;
	const struct docs_asset	*a = docs_asset_openapi();
	struct json_tokener	*tok;
	struct json_object	*doc = NULL, *servers, *server;
	const char		*s;
	char			 url[300];

	if (text != NULL) {
		*len = text_len;
		return text;
	}
	if ((tok = json_tokener_new_ex(64)) == NULL)
		return NULL;
	doc = json_tokener_parse_ex(tok, (const char *)a->data, (int)*a->len);
	json_tokener_free(tok);
	if (doc == NULL || !json_object_is_type(doc, json_type_object))
		goto out;
	snprintf(url, sizeof(url), "%s/", base);
	servers = json_object_new_array();
	server = json_object_new_object();
	json_object_object_add(server, "url", json_object_new_string(url));
	json_object_array_add(servers, server);
	json_object_object_add(doc, "servers", servers);
	s = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &text_len);
	/* Kept for the process's life, as the built-in document is. */
	if (s != NULL)
		text = strndup(s, text_len);
out:
	json_object_put(doc);
	if (text == NULL) {
		log_warn("openapi.json: BASE_PATH not applied", "reason",
		    "cannot rebuild the document");
		return NULL;
	}
	*len = text_len;
	return text;
}

/* GET /openapi.json */
void
docs_openapi(struct request *req, struct response *resp)
{
	const struct docs_asset	*a = docs_asset_openapi();
	const char		*base = req->app->config.base_path, *doc;
	size_t			 len;

	if (!enabled(req, resp))
		return;
	send_asset(resp, a, "no-cache");
	if (base != NULL && *base != '\0' &&
	    (doc = openapi_for_base(base, &len)) != NULL)
		response_static(resp, 200, a->type, doc, len);
}

/* GET /docs: Swagger UI's page. */
void
docs_page(struct request *req, struct response *resp)
{
	const struct docs_asset	*a;

	if (!enabled(req, resp))
		return;
	if ((a = docs_asset_find("")) == NULL) {
		log_warn("GET /docs: Swagger UI is not built into this program",
		    "reason", "swagger-ui-dist was missing at build time");
		response_error(resp, 404, "Not Found");
		return;
	}
	send_asset(resp, a, "no-cache");
	response_set_header(resp, "Content-Security-Policy", PAGE_CSP);
	response_set_header(resp, "Referrer-Policy", "no-referrer");
}

/* GET /docs/{file}: Swagger UI's script and style sheet, and ours. */
void
docs_file(struct request *req, struct response *resp)
{
	const struct docs_asset	*a;
	const char		*name = req->path_params[0];

	if (!enabled(req, resp))
		return;
	if (name == NULL || *name == '\0' || (a = docs_asset_find(name)) == NULL) {
		response_error(resp, 404, "Not Found");
		return;
	}
	send_asset(resp, a, "public, max-age=86400");
}
