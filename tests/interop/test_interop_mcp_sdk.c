/*
 * test_interop_mcp_sdk: the MCP TypeScript SDK's client
 * (@modelcontextprotocol/sdk, pinned in package.json and package-lock.json)
 * against mcp.fcgi behind a real lighttpd (tests/integration/harness.h).
 * run-accounts.sh installs it and runs this as `test_interop_mcp_sdk
 * mcp-sdk`.  A user logs in and exchanges the access token at POST
 * /auth/mcp-token, as the server's instructions say; then sdk_client.mjs
 * (StreamableHTTPClientTransport with an Authorization header) connects,
 * lists the tools, calls geocode_city plainly and with a progress callback
 * (an SSE answer), and ends the session.  Refused: no token (401), a
 * foreign token; accepted: the access token itself.  The gazetteer is the
 * offline fixture.  Each case prints "ok" or "FAIL".
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

#include "harness.h"
#include "interop_mcp.h"
#include "interop_util.h"
#include "jwt.h"
#include "mcp_util.h"

static struct iu_mcp	 M;	/* the server, its user, the MCP token */

/* Runs sdk_client.mjs with token (NULL: none); its output parsed into *out. */
static int
sdk(const char *token, struct json_object **out)
{
	const char	*argv[] = { iu_need_env("FU_INTEROP_NODE"),
	    iu_need_env("FU_INTEROP_SDK_CLIENT"), M.url, token, NULL };
	char		*text = NULL;
	int		 rc;

	rc = iu_run(argv, &text);
	*out = text != NULL ? json_tokener_parse(text) : NULL;
	if (*out == NULL)
		printf("  sdk_client printed: %.500s\n", text != NULL ? text : "(nothing)");
	free(text);
	return rc;
}

static int
group_setup(void **state)
{
	(void)state;
	/* The token flow of the instructions: login, then /auth/mcp-token. */
	return iu_mcp_start(&M, NULL, 2, 1);
}

static int
group_teardown(void **state)
{
	int	 rc = iu_mcp_stop(&M);

	(void)state;
	iu_tmpdir_remove();
	return rc;
}

/* A run that must succeed: the tools and both calls. */
static void
check_ok(const char *what, const char *token)
{
	struct json_object	*o = NULL, *v, *sc, *loc;
	int			 rc = sdk(token, &o);
	const char		*sid = iu_jstr(o, "sessionId");

	if (rc != 0 || o == NULL || !json_object_get_boolean(iu_jget(o, "ok"))) {
		iu_bad(what, "exit %d: %s", rc, iu_jtext(o));
		json_object_put(o);
		return;
	}
	if (iu_jstr(o, "protocolVersion") == NULL ||
	    strcmp(iu_jstr(o, "protocolVersion"), "2025-11-25") != 0)
		iu_bad(what, "protocolVersion: %s", iu_jtext(o));
	else if (sid == NULL || strlen(sid) != 32)
		iu_bad(what, "sessionId: %s", iu_jtext(o));
	else if ((v = iu_jget(o, "tools")) == NULL || json_object_array_length(v) != 1 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "geocode_city") != 0)
		iu_bad(what, "tools: %s", iu_jtext(v));
	else if ((sc = iu_jget(iu_jget(o, "result"), "structuredContent")) == NULL ||
	    (loc = iu_jget(sc, "location")) == NULL || iu_jget(loc, "lat") == NULL ||
	    strstr(iu_jstr(sc, "display_name"), "London") == NULL)
		iu_bad(what, "geocode_city London: %s", iu_jtext(iu_jget(o, "result")));
	else if ((sc = iu_jget(iu_jget(o, "progressResult"), "structuredContent")) == NULL ||
	    strstr(iu_jstr(sc, "display_name"), "Paris") == NULL)
		iu_bad(what, "geocode_city Paris: %s", iu_jtext(iu_jget(o, "progressResult")));
	else if ((v = iu_jget(o, "progress")) == NULL || json_object_array_length(v) < 1)
		iu_bad(what, "no progress notification reached the SDK: %s", iu_jtext(o));
	else
		iu_good(what);
	json_object_put(o);
}

/* A run that must be refused with 401. */
static void
check_401(const char *what, const char *token)
{
	struct json_object	*o = NULL;
	int			 rc = sdk(token, &o);

	/* The SDK's StreamableHTTPError carries the HTTP status as code. */
	if (rc == 0 || o == NULL || json_object_get_boolean(iu_jget(o, "ok")) ||
	    iu_jget(o, "code") == NULL || json_object_get_int(iu_jget(o, "code")) != 401)
		iu_bad(what, "exit %d: %s", rc, iu_jtext(o));
	else
		iu_good(what);
	json_object_put(o);
}

static void
test_sdk_client(void **state)
{
	char *foreign;
	struct jwt_key *k;

	(void)state;
	iu_begin();
	check_ok("SDK client with the MCP token of /auth/mcp-token", M.token);
	check_ok("SDK client with the access token", M.user.token);
	check_401("SDK client without a token", NULL);
	assert_non_null(k = jwt_key_generate(JWT_RS256));
	assert_non_null(foreign = mu_token(k, M.user.id, "mcp-server", "personal-server",
	    "mcp-access", 600));
	check_401("SDK client with a token of another key", foreign);
	free(foreign);
	jwt_key_free(k);
	iu_end();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdk_client),
	};

	iu_peer = argc > 1 ? argv[1] : "mcp-sdk";
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
