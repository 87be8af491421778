/*
 * auth: Bearer tokens on the MCP endpoint and the Protected Resource
 * Metadata (see auth.h).  Tokens are checked by libcommon's authn (the
 * signature before any claim, the algorithm pinned per key, the user read
 * fresh); nothing here compares a secret, and no token reaches a log line.
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "auth.h"
#include "mcp.h"
#include "rpc.h"
#include "tokens.h"

/* Whether the space-separated scope list (RFC 6749 §3.3) holds `want`. */
static int
scope_has(const char *list, const char *want)
{
	size_t	 n = strlen(want), m;

	while (*list != '\0') {
		while (*list == ' ')
			list++;
		m = strcspn(list, " ");
		if (m == n && memcmp(list, want, n) == 0)
			return 1;
		list += m;
	}
	return 0;
}

const char *
auth_metadata_url(struct request *req)
{
	const char	*base = req->app->config.public_base_url, *p;
	size_t		 n, o;

	if (base == NULL)
		return NULL;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	/* The origin ends at the first '/' after "scheme://". */
	p = strstr(base, "://");
	p = p != NULL ? p + 3 : base;
	o = strcspn(p, "/") + (size_t)(p - base);
	if (o > n)
		o = n;
	/* XXX with a path in PUBLIC_BASE_URL the web server must route this
	 * URL (outside that path) to mcp.fcgi as well. */
	return arena_printf(req->arena, "%.*s%s%.*s%s", (int)o, base, AUTH_PRM_PATH,
	    (int)(n - o), base + o, TOKENS_MCP_PATH);
}

/* Answers 401 or 403 with the challenge; error NULL: no credentials. */
static void
challenge(struct request *req, struct response *resp, int status,
    const char *error, const char *description)
{
	const char	*url = auth_metadata_url(req), *h;

	if (error == NULL)
		h = arena_printf(req->arena, "Bearer resource_metadata=\"%s\", "
		    "scope=\"%s\"", url, TOKENS_MCP_SCOPE);
	else
		h = arena_printf(req->arena, "Bearer error=\"%s\", "
		    "error_description=\"%s\", resource_metadata=\"%s\", scope=\"%s\"",
		    error, description, url, TOKENS_MCP_SCOPE);
	response_set_header(resp, "WWW-Authenticate", h != NULL ? h : "Bearer");
	rpc_http_error(resp, status, RPC_SERVER_ERROR, description);
}

int
auth_require(struct request *req, struct response *resp, struct principal *p)
{
	struct mcp_claims	 mc;
	const char		*tok = authn_bearer(req);
	enum authn_result	 r;

	if (tok == NULL || *tok == '\0') {
		challenge(req, resp, 401, NULL, "Authentication required");
		return -1;
	}
	r = authn_mcp_token(req, tok, p, &mc);
	if (r == AUTHN_OK) {
		if (!scope_has(mc.scope, TOKENS_MCP_SCOPE)) {
			challenge(req, resp, 403, "insufficient_scope",
			    "The token lacks the scope mcp-access");
			return -1;
		}
		return 0;
	}
	if (r == AUTHN_EINVALID && (req->app->config.mcp_accept_access_tokens & 1))
		r = authn_access_token(req, tok, p);
	switch (r) {
	case AUTHN_OK:
		return 0;
	case AUTHN_EDB:
		rpc_http_error(resp, 503, RPC_INTERNAL_ERROR, "Database unavailable");
		return -1;
	default:
		challenge(req, resp, 401, "invalid_token",
		    "The token is invalid, expired or not for this server");
		return -1;
	}
}

void
auth_metadata(struct request *req, struct response *resp)
{
	struct json_object	*o, *a;
	const char		*base = req->app->config.public_base_url;
	size_t			 n;

	if (req->app->mcp.resource == NULL || base == NULL) {
		response_error(resp, 503, "Service misconfigured");
		return;
	}
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	o = json_object_new_object();
	json_object_object_add(o, "resource",
	    json_object_new_string(req->app->mcp.resource));
	/* auth.fcgi issues the tokens (POST /auth/jwt/login, /auth/mcp-token). */
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string_len(base, (int)n));
	json_object_object_add(o, "authorization_servers", a);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(TOKENS_MCP_SCOPE));
	json_object_object_add(o, "scopes_supported", a);
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("header"));
	json_object_object_add(o, "bearer_methods_supported", a);
	json_object_object_add(o, "resource_name", json_object_new_string(MCP_SERVER_NAME));
	response_set_header(resp, "Cache-Control", "public, max-age=3600");
	response_json(resp, 200, o);
}
