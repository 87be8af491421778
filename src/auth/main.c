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
#include "session.h"

static void	jwks(struct request *, struct response *);

static const struct route routes[] = {
	{ HTTP_POST, "/auth/register", accounts_register, 0 },
	{ HTTP_POST, "/auth/jwt/login", accounts_login, 0 },
	{ HTTP_POST, "/auth/jwt/logout", session_logout, 0 },
	{ HTTP_POST, "/auth/jwt/refresh", session_refresh, 0 },
	{ HTTP_POST, "/auth/forgot-password", recovery_forgot, 0 },
	{ HTTP_POST, "/auth/reset-password", recovery_reset, 0 },
	{ HTTP_POST, "/auth/request-verify-token", recovery_request_verify, 0 },
	{ HTTP_POST, "/auth/verify", recovery_verify, 0 },
	{ HTTP_POST, "/auth/mcp-token", mcp_token_issue, 0 },
	{ HTTP_GET, "/.well-known/jwks.json", jwks, ROUTE_NO_DB },
};

static const struct app_def auth_app = {
	"auth.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1, 1, 1
};

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
