/*
 * test_lighttpd_prod: lighttpd/production.conf as shipped, started by the
 * harness (FU_SERVER=lighttpd-prod: its var.fu_* lines, server.port and
 * server.bind rewritten to a temporary folder and a loopback port; the
 * rest, server.username included, as it is, lighttpd being an ordinary
 * user in a user namespace when the test runs as root).  What the file
 * promises:
 *
 * - each program runs the number of processes its max-procs says (read
 *   from the file), and gets its settings from the env file only: its
 *   environment holds FCGI_USERS_ENV_FILE and PATH, never JWT_SECRET;
 * - the Authorization header reaches the programs (a Bearer login);
 * - three logs: lighttpd's error log, the access log (one line per
 *   request) and the programs' JSON lines, each in its file;
 * - nothing on disk is served: the env file, the database, the logs and
 *   the configuration are unreachable by any path, which users.fcgi
 *   answers with its JSON 404;
 * - bodies up to MAX_REQUEST_BODY_BYTES reach the programs, which answer
 *   their own 413 above it; lighttpd's limit comes after.
 * The MCP event stream through it is test_mcp_tool_lighttpd_prod.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"

#define CONF	FU_SOURCE_DIR "/lighttpd/production.conf"

static struct harness	*H;

static int
group_setup(void **state)
{
	static const char *const env[] = {
		"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
		"PASSWORD_ARGON2_PARALLELISM=1", NULL
	};
	struct harness_opts o = { .server = "lighttpd-prod", .env = env };

	(void)state;
	return (H = harness_start(&o)) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

/* <data>/log/<name>, whole (caller frees); NULL when unreadable. */
static char *
read_log(const char *name)
{
	char	 path[1024], *buf = NULL;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/log/%s", harness_data_dir(H), name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		buf[fread(buf, 1, (size_t)n, f)] = '\0';
	}
	fclose(f);
	return buf;
}

/* Waits up to 10 s for <data>/log/<name> to hold needle; the log (caller frees). */
static char *
wait_log(const char *name, const char *needle)
{
	char	*log = NULL;

	/* lighttpd writes its access log in batches, about once a second
	 * when idle and later on a loaded machine: up to 10 s. */
	for (int i = 0; i < 400; i++) {
		free(log);
		if ((log = read_log(name)) != NULL && strstr(log, needle) != NULL)
			break;
		usleep(25000);
	}
	return log;
}

/*
 * The max-procs the file gives `program`: the "max-procs" line after the
 * "bin-path" line that names it.  -1 when it does not.
 */
static int
conf_procs(const char *program)
{
	char	 line[512];
	FILE	*f;
	int	 found = 0, n = -1;

	assert_non_null(f = fopen(CONF, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "\"bin-path\"") != NULL)
			found = strstr(line, program) != NULL;
		if (found && sscanf(line, " \"max-procs\" => %d", &n) == 1)
			break;
	}
	fclose(f);
	return found ? n : -1;
}

static void
test_processes(void **state)
{
	static const char *const programs[] = {
		"auth.fcgi", "users.fcgi", "geocoding.fcgi", "mcp.fcgi", NULL
	};
	int	 want, got;

	(void)state;
	au_begin();
	for (size_t i = 0; programs[i] != NULL; i++) {
		want = conf_procs(programs[i]);
		if (want < 1) {
			au_bad(__LINE__, "%s: no max-procs in %s", programs[i], CONF);
			continue;
		}
		/* lighttpd starts them all at once; give it a moment. */
		for (int t = 0; t < 100; t++) {
			if ((got = harness_count_programs(H, programs[i])) == want)
				break;
			usleep(20000);
		}
		if (got != want)
			au_bad(__LINE__, "%s: %d processes, max-procs says %d", programs[i],
			    got, want);
	}
	au_end();
}

/* A users.fcgi process's environment: FCGI_USERS_ENV_FILE and PATH, no
 * setting of its own (they are in the env file). */
static void
test_environment(void **state)
{
	char	 path[64], *env;
	size_t	 len;
	int	 pid = -1;
	FILE	*f;
	char	 line[256];

	(void)state;
	/* One of lighttpd's children. */
	snprintf(line, sizeof(line), "pgrep -P %d -f %s/cgi-bin/users.fcgi",
	    (int)harness_pid(H), FU_BINARY_DIR);
	assert_non_null(f = popen(line, "r"));
	if (fgets(line, sizeof(line), f) != NULL)
		pid = atoi(line);
	pclose(f);
	assert_true(pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	assert_non_null(f = fopen(path, "rb"));
	env = calloc(1, 65536);
	assert_non_null(env);
	len = fread(env, 1, 65535, f);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if (env[i] == '\0')
			env[i] = '\n';
	au_begin();
	if (strstr(env, "FCGI_USERS_ENV_FILE=") == NULL)
		au_bad(__LINE__, "no FCGI_USERS_ENV_FILE: %.500s", env);
	if (strstr(env, "PATH=") == NULL)
		au_bad(__LINE__, "no PATH: %.500s", env);
	/* lighttpd's own environment (the harness's settings) stays out. */
	if (strstr(env, "JWT_SECRET") != NULL || strstr(env, "DATABASE_URL") != NULL ||
	    strstr(env, "FU_DATA") != NULL)
		au_bad(__LINE__, "settings in the environment: %.500s", env);
	free(env);
	au_end();
}

/* Bearer tokens get through; the three logs each get their lines. */
static void
test_auth_and_logs(void **state)
{
	struct au_user	 u;
	struct http_resp r;
	const char	*hdr[] = { "X-Request-ID: prod-log-check-1", "User-Agent: prod-test/1",
	    NULL, NULL };
	char		 auth[AU_TOKEN_MAX + 32], *log;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "prod", &u), 0);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", u.token);
	hdr[2] = auth;
	assert_int_equal(harness_request(H, "GET", "/users/me", hdr, NULL, 0, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "/users/me with a Bearer token: %ld %.200s", r.status, r.body);
	http_resp_free(&r);
	/* Without one: the programs' 401, so the header was what counted. */
	assert_int_equal(au_get(H, "/users/me", NULL, &r), 0);
	au_check_401(__LINE__, &r, 0);
	http_resp_free(&r);
	/* The programs' JSON access line, in the programs' log. */
	log = wait_log("fcgi-users-programs.log", "\"request_id\":\"prod-log-check-1\"");
	if (log == NULL || strstr(log, "\"request_id\":\"prod-log-check-1\"") == NULL)
		au_bad(__LINE__, "no JSON access line in fcgi-users-programs.log");
	free(log);
	/* lighttpd's access log: the request line and the agent. */
	log = wait_log("fcgi-users-access.log", "prod-test/1");
	if (log == NULL || strstr(log, "\"GET /users/me HTTP/1.1\" 200") == NULL ||
	    strstr(log, "prod-test/1") == NULL)
		au_bad(__LINE__, "access log: %.400s", log ? log : "(none)");
	/* ... and never the token. */
	if (log != NULL && strstr(log, u.token) != NULL)
		au_bad(__LINE__, "the token in the access log");
	free(log);
	log = read_log("fcgi-users-error.log");
	if (log == NULL || strstr(log, "server started") == NULL)
		au_bad(__LINE__, "error log: %.400s", log ? log : "(none)");
	free(log);
	au_end();
}

/* Nothing on disk is reachable; every path gets a program's JSON. */
static void
test_nothing_served(void **state)
{
	static const char *const paths[] = {
		"/fcgi-users.env", "/fcgi-users.db", "/lighttpd-prod.conf",
		"/log/fcgi-users-access.log", "/log/fcgi-users-programs.log",
		"/no-static-files/", "/no-static-files/x", "/../fcgi-users.env",
		"/%2e%2e/fcgi-users.env", "/.//fcgi-users.env", "/users/../fcgi-users.env",
		"/lighttpd.pid", "/auth.sock-0", "/users.sock-0", NULL
	};
	struct http_resp r;

	(void)state;
	au_begin();
	for (size_t i = 0; paths[i] != NULL; i++) {
		assert_int_equal(harness_get(H, paths[i], &r), 0);
		if (r.status != 404 || !au_is_json(&r) || http_resp_detail(&r) == NULL ||
		    strcmp(http_resp_detail(&r), "Not Found") != 0)
			au_bad(__LINE__, "%s: %ld %.200s", paths[i], r.status,
			    r.body ? r.body : "");
		if (r.body != NULL && (strstr(r.body, "JWT_SECRET") != NULL ||
		    strstr(r.body, "SQLite") != NULL || strstr(r.body, "fastcgi") != NULL))
			au_bad(__LINE__, "%s: a file's content in the answer", paths[i]);
		http_resp_free(&r);
	}
	au_end();
}

/* The programs see bodies up to their own cap and answer its 413. */
static void
test_body_limits(void **state)
{
	const char	*hdr[] = { "Content-Type: application/json", NULL };
	struct http_resp r;
	size_t		 n = 1536 * 1024;
	char		*body = malloc(3 * 1024 * 1024);

	(void)state;
	assert_non_null(body);
	memset(body, 'x', 3 * 1024 * 1024);
	au_begin();
	assert_int_equal(harness_request(H, "POST", "/auth/register", hdr, body, n, &r), 0);
	au_check_error(__LINE__, &r, 413, "Request body too large");
	http_resp_free(&r);
	/* Beyond server.max-request-size: lighttpd's own 413. */
	if (harness_request(H, "POST", "/auth/register", hdr, body, 3 * 1024 * 1024,
	    &r) == 0 && r.status != 413)
		au_bad(__LINE__, "3 MiB: %ld", r.status);
	http_resp_free(&r);
	free(body);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_auth_and_logs),
		cmocka_unit_test(test_nothing_served),
		cmocka_unit_test(test_body_limits),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
