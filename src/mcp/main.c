/*
 * mcp.fcgi: the MCP server — Streamable HTTP at /mcp-server/mcp (and
 * /mcp-server/mcp/, the Python service's form), and the Protected
 * Resource Metadata of RFC 9728 at /.well-known/oauth-protected-resource
 * (and with the endpoint's path inserted).  See transport.h for the
 * protocol, auth.h for the tokens, tools.h for the tools.
 */
#include "app.h"
#include "auth.h"
#include "transport.h"

#define ENDPOINT	"/mcp-server/mcp"

static const struct route routes[] = {
	{ HTTP_POST, ENDPOINT, transport_post, ROUTE_DEFER_BODY },
	{ HTTP_GET, ENDPOINT, transport_get, 0 },
	{ HTTP_DELETE, ENDPOINT, transport_delete, 0 },
	{ HTTP_POST, ENDPOINT "/", transport_post, ROUTE_DEFER_BODY },
	{ HTTP_GET, ENDPOINT "/", transport_get, 0 },
	{ HTTP_DELETE, ENDPOINT "/", transport_delete, 0 },
	{ HTTP_GET, AUTH_PRM_PATH ENDPOINT, auth_metadata, ROUTE_NO_DB },
	{ HTTP_GET, AUTH_PRM_PATH, auth_metadata, ROUTE_NO_DB },
};

static const struct app_def mcp_app = {
	"mcp.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1, 1, 0
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &mcp_app);
}
