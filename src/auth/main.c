/*
 * auth.fcgi: /auth/... and /.well-known/jwks.json — FastAPI-Users' auth
 * and register routers.  The route table; the rules are in libcommon's
 * accounts, tokens and authn.
 */
#include <time.h>

#include <json-c/json.h>

#include "accounts.h"
#include "app.h"
#include "authn.h"
#include "log.h"
#include "mcp_token.h"
#include "recovery.h"

static void	logout(struct request *, struct response *);
static void	jwks(struct request *, struct response *);

static const struct route routes[] = {
	{ HTTP_POST, "/auth/register", accounts_register, 0 },
	{ HTTP_POST, "/auth/jwt/login", accounts_login, 0 },
	{ HTTP_POST, "/auth/jwt/logout", logout, 0 },
	{ HTTP_POST, "/auth/forgot-password", recovery_forgot, 0 },
	{ HTTP_POST, "/auth/reset-password", recovery_reset, 0 },
	{ HTTP_POST, "/auth/request-verify-token", recovery_request_verify, 0 },
	{ HTTP_POST, "/auth/verify", recovery_verify, 0 },
	{ HTTP_POST, "/auth/mcp-token", mcp_token_issue, 0 },
	{ HTTP_GET, "/.well-known/jwks.json", jwks, ROUTE_NO_DB },
};

static const struct app_def auth_app = {
	"auth.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1, 1
};

/* POST /auth/jwt/logout — 204; beyond FastAPI-Users, the token is revoked. */
static void
logout(struct request *req, struct response *resp)
{
	struct principal	 p;

	if (authn_require(req, resp, 0, &p) != 0)
		return;
	if (tokens_revoke(req->app->db, p.user.id, &p.claims,
	    (int64_t)time(NULL)) != TOKENS_OK) {
		response_error(resp, 503, "Database unavailable");
		return;
	}
	response_empty(resp, 204);
}

/* GET /.well-known/jwks.json — the public keys (RFC 7517); none for HS*. */
static void
jwks(struct request *req, struct response *resp)
{
	response_set_header(resp, "Cache-Control", "public, max-age=300");
	response_json(resp, 200, tokens_jwks(&req->app->tokens));
}

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &auth_app);
}
