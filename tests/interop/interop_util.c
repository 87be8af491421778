/*
 * interop_util: cases, child processes, JSON lookups, a temporary folder
 * and users for the interop test programs (see interop_util.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interop_util.h"

const char	*iu_peer;
static int	 failures;
static char	 tmpdir[PATH_MAX];

/* ---- cases ---- */

void
iu_good(const char *what)
{
	printf("  ok    %s\n", what);
	fflush(stdout);
}

void
iu_bad(const char *what, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("  FAIL  %s: %s\n", what, msg);
	fflush(stdout);
	failures++;
}

void
iu_begin(void)
{
	failures = 0;
}

void
iu_end(void)
{
	if (failures != 0)
		fail_msg("%d case(s) failed", failures);
}

/* ---- child processes ---- */

int
iu_run(const char *const *argv, char **out)
{
	int	 fd[2], status;
	pid_t	 pid;
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if (out != NULL)
		*out = NULL;
	if ((buf = malloc(IU_OUT_MAX + 1)) == NULL)
		return -1;
	if (pipe(fd) != 0) {
		free(buf);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		n = read(fd[0], buf + len, IU_OUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == IU_OUT_MAX)
			break;
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	buf[len] = '\0';
	/* One line of output is what the tools print: drop its newline. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

const char *
iu_need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run this through "
		    "tests/interop/run-accounts.sh (ctest -L interop)\n", name);
		exit(1);
	}
	return v;
}

/* Fills argv with the peer's interpreter and tool; returns how many. */
static size_t
tool_prefix(const char **argv)
{
	size_t n = 0;

	if (strcmp(iu_peer, "pyjwt") == 0) {
		argv[n++] = iu_need_env("FU_INTEROP_PYTHON");
		argv[n++] = iu_need_env("FU_INTEROP_PYJWT_TOOL");
	} else {
		argv[n++] = iu_need_env("FU_INTEROP_NODE");
		argv[n++] = iu_need_env("FU_INTEROP_JOSE_TOOL");
	}
	return n;
}

int
iu_tool(char **out, const char *first, ...)
{
	const char	*argv[IU_MAXARGS];
	size_t		 n;
	va_list		 ap;
	const char	*a;

	n = tool_prefix(argv);
	va_start(ap, first);
	for (a = first; a != NULL && n < IU_MAXARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return iu_run(argv, out);
}

int
iu_tool_argv(char **out, const char *cmd, const char *const *args)
{
	const char	*argv[IU_MAXARGS];
	size_t		 n;

	n = tool_prefix(argv);
	argv[n++] = cmd;
	while (*args != NULL && n < IU_MAXARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	return iu_run(argv, out);
}

void
iu_print_version(void)
{
	char *out = NULL;

	if (iu_tool(&out, "version", NULL) == 0 && out != NULL)
		printf("peer: %s\n", out);
	else {
		fprintf(stderr, "the %s tool does not run\n", iu_peer);
		exit(1);
	}
	free(out);
}

/* ---- JSON ---- */

struct json_object *
iu_jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *
iu_jstr(struct json_object *o, const char *key)
{
	struct json_object *v = iu_jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

const char *
iu_jtext(struct json_object *o)
{
	return o == NULL ? "(none)" : json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- files ---- */

const char *
iu_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/fu-interop-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		tmpdir[0] = '\0';
		return NULL;
	}
	return tmpdir;
}

void
iu_tmpdir_remove(void)
{
	if (tmpdir[0] == '\0')
		return;
	if (getenv("FU_KEEP_TMP") == NULL) {
		const char *argv[] = { "/bin/rm", "-rf", tmpdir, NULL };

		(void)iu_run(argv, NULL);
	} else
		fprintf(stderr, "keys kept in %s\n", tmpdir);
	tmpdir[0] = '\0';
}

char *
iu_read_file(const char *path, size_t max)
{
	FILE	*f;
	char	*buf;
	size_t	 len;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (max == SIZE_MAX || (buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	len = fread(buf, 1, max + 1, f);
	if (ferror(f) || len > max) {
		fprintf(stderr, "read %s: %s\n", path, ferror(f) ? "error" :
		    "too long");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int
iu_write_file(const char *path, const char *data, size_t len)
{
	int	 fd, ret = -1;
	ssize_t	 n;
	size_t	 off = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "write %s: %s\n", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	ret = 0;
out:
	if (close(fd) != 0 && ret == 0) {
		fprintf(stderr, "close %s: %s\n", path, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* ---- HTTP ---- */

int
iu_user_new(struct harness *h, struct iu_user *u)
{
	char			 rnd[17], *body = NULL;
	const char		*json_hdr[] = { "Content-Type: application/json", NULL };
	const char		*form_hdr[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	const char		*password = "interop-Passw0rd!";
	struct http_resp	 r;
	const char		*v;
	int			 rc = -1;

	memset(u, 0, sizeof(*u));
	if (harness_random_hex(rnd, 8) != 0)
		return -1;
	snprintf(u->email, sizeof(u->email), "interop-%s@example.com", rnd);
	if (asprintf(&body, "{\"email\":\"%s\",\"password\":\"%s\"}", u->email,
	    password) < 0)
		return -1;
	if (harness_request(h, "POST", "/auth/register", json_hdr, body,
	    strlen(body), &r) != 0 || r.status != 201 ||
	    (v = iu_jstr(r.json, "id")) == NULL) {
		fprintf(stderr, "POST /auth/register: expected 201 with an id, "
		    "got %ld %.300s\n", r.status, r.body ? r.body : "");
		http_resp_free(&r);
		goto out;
	}
	snprintf(u->id, sizeof(u->id), "%s", v);
	http_resp_free(&r);
	free(body);
	/* The e-mail is [a-z0-9-@.] and the password needs only "!" encoded. */
	if (asprintf(&body, "username=%s&password=interop-Passw0rd%%21",
	    u->email) < 0) {
		body = NULL;
		goto out;
	}
	if (harness_request(h, "POST", "/auth/jwt/login", form_hdr, body,
	    strlen(body), &r) != 0 || r.status != 200 ||
	    (v = iu_jstr(r.json, "access_token")) == NULL) {
		fprintf(stderr, "POST /auth/jwt/login: expected 200 with an "
		    "access_token, got %ld %.300s\n", r.status, r.body ? r.body : "");
		http_resp_free(&r);
		goto out;
	}
	if ((v = iu_jstr(r.json, "token_type")) == NULL || strcmp(v, "bearer") != 0)
		fprintf(stderr, "note: login token_type is %s, not \"bearer\"\n",
		    v ? v : "(none)");
	u->token = strdup(iu_jstr(r.json, "access_token"));
	http_resp_free(&r);
	rc = u->token != NULL ? 0 : -1;
out:
	free(body);
	return rc;
}

void
iu_user_free(struct iu_user *u)
{
	if (u == NULL)
		return;
	free(u->token);
	memset(u, 0, sizeof(*u));
}

char *
iu_mcp_token(struct harness *h, const struct iu_user *u)
{
	struct http_resp	 r;
	char			*t = NULL;

	if (iu_bearer(h, "POST", "/auth/mcp-token", u->token, "{}", &r) != 0 ||
	    r.status != 200 || iu_jstr(r.json, "mcp_token") == NULL)
		fprintf(stderr, "POST /auth/mcp-token: %ld %.300s\n", r.status,
		    r.body != NULL ? r.body : "");
	else
		t = strdup(iu_jstr(r.json, "mcp_token"));
	http_resp_free(&r);
	return t;
}

/* Where the fixture gazetteer goes: in the temporary folder. */
static char	iu_gaz_path[PATH_MAX];

const char *
iu_gazetteer_setting(void)
{
	static char	 setting[PATH_MAX + 32];
	const char	*dir;

	if ((dir = iu_tmpdir()) == NULL)
		return NULL;
	snprintf(iu_gaz_path, sizeof(iu_gaz_path), "%s/gazetteer.db", dir);
	snprintf(setting, sizeof(setting), "GAZETTEER_PATH=%s", iu_gaz_path);
	return setting;
}

int
iu_gazetteer_import(struct harness *h)
{
	const char *imp[] = { "import", "gazetteer",
	    FU_SOURCE_DIR "/tests/fixtures/geonames/cities.txt",
	    "--admin1", FU_SOURCE_DIR "/tests/fixtures/geonames/admin1.txt",
	    "--countries", FU_SOURCE_DIR "/tests/fixtures/geonames/countries.json",
	    "--out", iu_gaz_path, NULL };

	return iu_gaz_path[0] != '\0' && harness_cli(h, imp) == 0 ? 0 : -1;
}

int
iu_bearer(struct harness *h, const char *method, const char *path,
    const char *token, const char *json_body, struct http_resp *r)
{
	char		*auth = NULL;
	const char	*hdrs[3] = { NULL, NULL, NULL };
	int		 rc;

	if (asprintf(&auth, "Authorization: Bearer %s", token) < 0) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	hdrs[0] = auth;
	if (json_body != NULL)
		hdrs[1] = "Content-Type: application/json";
	rc = harness_request(h, method, path, hdrs, json_body,
	    json_body != NULL ? strlen(json_body) : 0, r);
	free(auth);
	return rc;
}

void
iu_expect_me(struct harness *h, const char *user_id, const char *what,
    const char *token, long want)
{
	struct http_resp	 r;
	const char		*id, *detail, *www;

	if (token == NULL || *token == '\0') {
		iu_bad(what, "no token was minted");
		return;
	}
	if (iu_bearer(h, "GET", "/users/me", token, NULL, &r) != 0) {
		iu_bad(what, "GET /users/me: no HTTP answer");
		http_resp_free(&r);
		return;
	}
	if (r.status != want) {
		iu_bad(what, "token %s: GET /users/me expected %ld, got %ld %.300s",
		    token, want, r.status, r.body);
	} else if (want == 200) {
		id = iu_jstr(r.json, "id");
		if (id == NULL || strcmp(id, user_id) != 0)
			iu_bad(what, "GET /users/me 200 but id %s, expected %s",
			    id ? id : "(none)", user_id);
		else
			iu_good(what);
	} else {
		detail = http_resp_detail(&r);
		www = http_resp_header(&r, "WWW-Authenticate");
		if (detail == NULL || strcmp(detail, "Unauthorized") != 0 ||
		    www == NULL || strncasecmp(www, "Bearer", 6) != 0)
			iu_bad(what, "401 but not {\"detail\":\"Unauthorized\"} with "
			    "WWW-Authenticate: Bearer: %.300s", r.body);
		else
			iu_good(what);
	}
	http_resp_free(&r);
}
