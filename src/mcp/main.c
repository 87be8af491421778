/*
 * mcp.fcgi: /mcp-server/mcp and /.well-known/oauth-protected-resource.  The route table grows with the issue that
 * builds each route; until then every path is an honest 404.
 */
#include "app.h"

static const struct route routes[] = {
	{ HTTP_METHOD__MAX, "", NULL, 0 },	/* no routes yet */
};

static const struct app_def mcp_app = {
	"mcp.fcgi", routes, 0, 0, 1
};

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &mcp_app);
}
