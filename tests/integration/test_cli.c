/*
 * test_cli: the admin tool, run as a program (FU_BINARY_DIR/bin/fcgi-users
 * with fork/exec): user create | list | set | delete, keys generate
 * (--mcp too), --help on every command, usage errors (exit 2) and
 * failures (exit 1), the schema check, the password read from a pipe and
 * from a terminal (a pty), and that no output ever holds a password or a
 * hash.  Each run gets an environment built from scratch with a temporary
 * DATABASE_URL and low Argon2 parameters.  The database is inspected with libcommon.  One
 * end-to-end case puts a key and users made by the tool behind a real web
 * server (harness.h).  Table cases report the line of their entry.
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
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "harness.h"
#include "jwt.h"
#include "password.h"
#include "users.h"

#define CLI_PATH	FU_BINARY_DIR "/bin/fcgi-users"
#define RUN_TIMEOUT_MS	60000
#define ENV_MAX		32
#define IN_MAX		60000	/* stdin is written to a pipe before the run */
#define UUID_RE		"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
#define ISO_RE		"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|\\+00:00)"
#define LOW_ARGON2	"$argon2id$v=19$m=8192,t=1,p=1$"

#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })

static char	*TMP;			/* the test's folder */
static char	 DB[PATH_MAX];		/* its database */
static char	*PGDB;			/* DB when on PostgreSQL (harness.h) */
static char	 SECRET[65];
static char	*BASE_ENV[ENV_MAX];	/* the runs' environment */
static size_t	 N_BASE_ENV;
static struct harness *X;		/* a test's own server */

/* ---- checks that report a table line and keep going ---- */

static int failures;

static void
bad(int line, const char *fmt, ...)
{
	va_list ap;
	char msg[2048];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("  case at line %d: %s\n", line, msg);
	failures++;
}

static void
begin_cases(void)
{
	failures = 0;
}

static void
end_cases(void)
{
	if (failures != 0)
		fail_msg("%d check(s) failed, see above", failures);
}

static int
matches(const char *re, const char *s)
{
	regex_t rx;
	int ok;

	if (s == NULL || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return 0;
	ok = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* ---- files ---- */

static char *
slurp(const char *path, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (nb == NULL)
				break;
			buf = nb;
			cap += 65536;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf != NULL)
		buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static char *
tmp_path(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", TMP, name) > 0);
	return p;
}

/* ---- running the tool ---- */

struct run {
	int	 status;	/* exit code, 128 + signal, -1: not run */
	char	*out;
	size_t	 out_len;
	char	*err;
};

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* BASE_ENV, then `extra` ("K=V" sets, "K" removes) into envp (ENV_MAX + 1). */
static void
env_build(const char *const *extra, const char **envp)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < N_BASE_ENV; i++)
		envp[n++] = BASE_ENV[i];
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		k = strcspn(extra[i], "=");
		for (j = 0; j < n; j++)
			if (strncmp(envp[j], extra[i], k) == 0 && envp[j][k] == '=') {
				envp[j] = envp[--n];
				break;
			}
		if (extra[i][k] == '=' && n < ENV_MAX)
			envp[n++] = extra[i];
	}
	envp[n] = NULL;
}

/*
 * Forks and execs the tool.  With tty (a pty's path), the child leads a
 * new session whose controlling terminal is tty, used as stdin and stderr.
 */
static pid_t
spawn(const char *const *args, const char *const *envp, int in, int out,
    int err, const char *tty)
{
	const char *argv[32];
	size_t n = 0;
	pid_t pid;
	int t;

	argv[n++] = CLI_PATH;
	while (args[n - 1] != NULL && n < 31) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if ((pid = fork()) != 0)
		return pid;
	if (tty != NULL) {
		if (setsid() == -1 || (t = open(tty, O_RDWR)) == -1)
			_exit(126);
		in = err = t;
	}
	if ((in != -1 && dup2(in, 0) == -1) || dup2(out, 1) == -1 ||
	    dup2(err, 2) == -1)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	execve(CLI_PATH, (char *const *)argv, (char *const *)envp);
	_exit(127);
}

static int
wait_run(pid_t pid)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status, waited = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited >= RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			print_error("fcgi-users still running after %d ms, killed\n",
			    RUN_TIMEOUT_MS);
			return -1;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* What no run may ever print: a hash, or the password it was given. */
static void
check_secrets(int line, const struct run *r, const char *in, size_t in_len)
{
	const char *outs[2] = { r->out, r->err };
	size_t pw_len, i;

	for (i = 0; i < 2; i++) {
		if (outs[i] == NULL)
			continue;
		if (strstr(outs[i], "$argon2") != NULL || strstr(outs[i], "$2b$") != NULL)
			bad(line, "a hash in the output: %.300s", outs[i]);
		if (in == NULL)
			continue;
		pw_len = strcspn(in, "\r\n");
		if (pw_len > in_len)
			pw_len = in_len;
		if (pw_len >= 6 && memmem(outs[i], strlen(outs[i]), in, pw_len) != NULL)
			bad(line, "the password in the output: %.300s", outs[i]);
	}
}

/* A report of a build with FCGI_USERS_SANITIZE (its exit status may be 1). */
static void
check_sanitizer(int line, const struct run *r)
{
	if (r->err != NULL && (strstr(r->err, "AddressSanitizer") != NULL ||
	    strstr(r->err, "LeakSanitizer") != NULL ||
	    strstr(r->err, "runtime error:") != NULL))
		bad(line, "sanitizer report: %.2000s", r->err);
}

/*
 * Runs the tool with args, environment BASE_ENV + env, stdin `in` (in_len
 * bytes; 0: strlen; NULL: /dev/null) through a pipe.  Fills r.
 */
static void
run_in(int line, struct run *r, const char *in, size_t in_len,
    const char *const *env, const char *const *args)
{
	const char *envp[ENV_MAX + 1];
	char *po = tmp_path("run-out-XXXXXX"), *pe = tmp_path("run-err-XXXXXX");
	int fo, fe, p[2] = { -1, -1 };
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (in != NULL && in_len == 0)
		in_len = strlen(in);
	assert_true(in_len < IN_MAX);
	env_build(env, envp);
	assert_true((fo = mkstemp(po)) != -1);
	assert_true((fe = mkstemp(pe)) != -1);
	if (in != NULL) {
		assert_int_equal(pipe(p), 0);
		assert_true(write(p[1], in, in_len) == (ssize_t)in_len);
		close(p[1]);
	} else
		p[0] = open("/dev/null", O_RDONLY);
	pid = spawn(args, envp, p[0], fo, fe, NULL);
	close(p[0]);
	close(fo);
	close(fe);
	if (pid > 0)
		r->status = wait_run(pid);
	r->out = slurp(po, &r->out_len);
	r->err = slurp(pe, NULL);
	unlink(po);
	unlink(pe);
	free(po);
	free(pe);
	if (r->out == NULL || r->err == NULL)
		bad(line, "cannot read the run's output");
	check_secrets(line, r, in, in_len);
	check_sanitizer(line, r);
}

#define RUN(r, in, env, ...)	run_in(__LINE__, (r), (in), 0, (env), ARGV(__VA_ARGS__))

/* Exit status, and substrings of stdout and stderr (NULL: not checked). */
static int
expect(int line, const struct run *r, int status, const char *out_has,
    const char *err_has)
{
	int before = failures;

	if (r->status != status)
		bad(line, "exit %d, want %d (stdout %.300s) (stderr %.500s)",
		    r->status, status, r->out ? r->out : "", r->err ? r->err : "");
	else if (out_has != NULL && (r->out == NULL || strstr(r->out, out_has) == NULL))
		bad(line, "stdout lacks \"%s\": %.500s", out_has, r->out ? r->out : "");
	else if (err_has != NULL && (r->err == NULL || strstr(r->err, err_has) == NULL))
		bad(line, "stderr lacks \"%s\": %.500s", err_has, r->err ? r->err : "");
	return failures == before ? 0 : -1;
}

/* Creates a user with password pw (extra options after the e-mail). */
static int
create_user(int line, const char *email, const char *pw, const char *const *opts)
{
	const char *args[16] = { "user", "create", "--email", email };
	struct run r;
	size_t n = 4;
	char in[256];
	int rc;

	while (opts != NULL && *opts != NULL && n < 15)
		args[n++] = *opts++;
	args[n] = NULL;
	snprintf(in, sizeof(in), "%s\n", pw);
	run_in(line, &r, in, 0, NULL, args);
	rc = expect(line, &r, 0, NULL, NULL);
	if (rc == 0 && !matches("^" UUID_RE "\t[^\t\n]+\n$", r.out))
		bad(line, "create printed \"%s\", want \"<id>\\t<email>\"", r.out);
	run_free(&r);
	return rc;
}

/* ---- the database, read with libcommon ---- */

struct dbuser {
	struct arena	*arena;
	struct db	*db;
	struct user	 u;
	int		 found;
};

static void
dbuser_free(struct dbuser *d)
{
	db_close(d->db);
	arena_free(d->arena);
	memset(d, 0, sizeof(*d));
}

static void
dbuser_get(const char *path, const char *email, struct dbuser *d)
{
	memset(d, 0, sizeof(*d));
	assert_non_null(d->arena = arena_new(4096));
	assert_int_equal(db_open(path, 0, 5000, &d->db), DB_OK);
	d->found = users_find_by_email(d->db, d->arena, email, &d->u) == USERS_OK;
}

static int
verifies(const char *hash, const char *pw)
{
	struct password_params pp;
	enum password_result pr;

	password_params_default(&pp);
	pr = password_verify(&pp, pw, strlen(pw), hash);
	return pr == PASSWORD_OK || pr == PASSWORD_OK_REHASH;
}

/* The number of users `user list --json` shows; -1 when it fails. */
static int
count_users(int line)
{
	struct run r;
	struct json_object *a;
	int n = -1;

	RUN(&r, NULL, NULL, "user", "list", "--json");
	if (expect(line, &r, 0, NULL, NULL) == 0) {
		a = json_tokener_parse(r.out);
		if (a != NULL && json_object_is_type(a, json_type_array))
			n = (int)json_object_array_length(a);
		else
			bad(line, "list --json is not an array: %.300s", r.out);
		json_object_put(a);
	}
	run_free(&r);
	return n;
}

/* ---- group ---- */

static void
base_env_add(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) > 0);
	va_end(ap);
	assert_true(N_BASE_ENV < ENV_MAX - 8);
	BASE_ENV[N_BASE_ENV++] = s;
}

static int
group_setup(void **state)
{
	static const char *const pass[] = { "HOME", "TMPDIR", "ASAN_OPTIONS",
	    "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL };
	const char *t = getenv("TMPDIR");
	struct run r;
	char *tmpl;
	size_t i;

	(void)state;
	if (asprintf(&tmpl, "%s/fu-cli-XXXXXX", t != NULL && *t != '\0' ? t : "/tmp") < 0 ||
	    (TMP = mkdtemp(tmpl)) == NULL || harness_random_hex(SECRET, 32) != 0)
		return -1;
	/* On PostgreSQL a database of the cluster; else a file. */
	if ((PGDB = harness_pg_database()) != NULL)
		snprintf(DB, sizeof(DB), "%s", PGDB);
	else if (getenv("FU_DATABASE") != NULL &&
	    strcmp(getenv("FU_DATABASE"), "postgres") == 0)
		return -1;	/* harness_pg_database said why */
	else
		snprintf(DB, sizeof(DB), "%s/cli.db", TMP);
	base_env_add("PATH=/usr/bin:/bin");
	base_env_add("LANG=C.UTF-8");
	base_env_add("DATABASE_URL=%s", DB);
	base_env_add("JWT_SECRET=%s", SECRET);
	base_env_add("PASSWORD_ARGON2_MEMORY_KIB=8192");
	base_env_add("PASSWORD_ARGON2_TIME_COST=1");
	base_env_add("PASSWORD_ARGON2_PARALLELISM=1");
	for (i = 0; pass[i] != NULL; i++)
		if (getenv(pass[i]) != NULL)
			base_env_add("%s=%s", pass[i], getenv(pass[i]));
	failures = 0;
	RUN(&r, NULL, NULL, "migrate", "up");
	if (r.status != 0)
		print_error("migrate up: %d %s\n", r.status, r.err);
	i = (size_t)r.status;
	run_free(&r);
	return i == 0 ? 0 : -1;
}

static int
rm_entry(const char *path)
{
	char *cmd;
	int rc;

	/* Only our own mkdtemp() folder. */
	if (asprintf(&cmd, "rm -rf -- '%s'", path) < 0)
		return -1;
	rc = system(cmd);
	free(cmd);
	return rc;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	harness_pg_database_drop(PGDB);
	PGDB = NULL;
	if (TMP != NULL && getenv("FU_KEEP_TMP") == NULL)
		(void)rm_entry(TMP);
	else if (TMP != NULL)
		fprintf(stderr, "test_cli: kept %s\n", TMP);
	free(TMP);
	for (i = 0; i < N_BASE_ENV; i++)
		free(BASE_ENV[i]);
	return 0;
}

static int
stop_own(void **state)
{
	int rc = 0;

	(void)state;
	if (X != NULL) {
		rc = harness_check_log(X);
		harness_stop(X);
		X = NULL;
	}
	return rc;
}

/* ---- --help ---- */

static void
test_help(void **state)
{
	static const struct {
		int line;
		const char *args[6];
		const char *out_has;
	} cases[] = {
		{ __LINE__, { "--help" }, "user create" },
		{ __LINE__, { "-h" }, "keys generate" },
		{ __LINE__, { "help" }, "migrate" },
		{ __LINE__, { "help", "--help" }, "COMMAND" },
		{ __LINE__, { "user", "--help" }, "create --email E" },
		{ __LINE__, { "user", "-h" }, "delete E" },
		{ __LINE__, { "user", "help" }, "list [--json]" },
		{ __LINE__, { "user", "create", "--help" }, "--first-name F" },
		{ __LINE__, { "user", "create", "-h" }, "--superuser" },
		{ __LINE__, { "user", "create", "--email", "bad", "--help" }, "--role R" },
		{ __LINE__, { "user", "list", "--help" }, "--json" },
		{ __LINE__, { "user", "set", "--help" }, "--no-superuser" },
		{ __LINE__, { "user", "set", "x@example.com", "--help" }, "--password" },
		{ __LINE__, { "user", "delete", "--help" }, "delete E" },
		{ __LINE__, { "keys", "--help" }, "generate --alg" },
		{ __LINE__, { "keys", "generate", "--help" }, "--out DIR" },
		{ __LINE__, { "migrate", "--help" }, "down N" },
		{ __LINE__, { "migrate", "up", "--help" }, "down N" },
		{ __LINE__, { "version", "--help" }, "version" },
		{ __LINE__, { "help", "user" }, "set E" },
		{ __LINE__, { "help", "user", "create" }, "--email E" },
		{ __LINE__, { "help", "keys", "generate" }, "EdDSA" },
		{ __LINE__, { "help", "migrate" }, "status" },
		{ __LINE__, { "keys", "generate", "--help" }, "--mcp" },
		{ __LINE__, { "token", "--help" }, "mint --email" },
		{ __LINE__, { "token", "mint", "--help" }, "--minutes N" },
		{ __LINE__, { "help", "token", "mint" }, "--mcp" },
		{ __LINE__, { "import", "--help" }, "fastapi-users" },
		{ __LINE__, { "import", "fastapi-users", "--help" }, "--dry-run" },
		{ __LINE__, { "help", "import", "fastapi-users" }, "--table NAME" },
	};
	struct run r;
	size_t i;

	(void)state;
	begin_cases();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* --help never touches the database. */
		run_in(cases[i].line, &r, NULL, 0,
		    ENV("DATABASE_URL=/nonexistent/dir/x.db"), cases[i].args);
		if (expect(cases[i].line, &r, 0, cases[i].out_has, NULL) == 0) {
			if (strncmp(r.out, "usage: fcgi-users", 17) != 0)
				bad(cases[i].line, "help does not start with the"
				    " usage: %.200s", r.out);
			if (r.err[0] != '\0')
				bad(cases[i].line, "help wrote to stderr: %.200s", r.err);
		}
		run_free(&r);
	}
	end_cases();
}

/* ---- user create and list ---- */

/* The user object of e-mail `email` in a list --json output, or NULL. */
static struct json_object *
json_find(struct json_object *a, const char *email)
{
	struct json_object *o, *e;
	size_t i;

	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(o, "email", &e) &&
		    strcmp(json_object_get_string(e), email) == 0)
			return o;
	}
	return NULL;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void
check_listed(int line, const char *email, const char *flags, const char *role)
{
	struct run r;
	char re[512];

	RUN(&r, NULL, NULL, "user", "list");
	snprintf(re, sizeof(re), "^" UUID_RE "\t%s\t%s\t%s\t" ISO_RE "\t(-|" ISO_RE ")$",
	    email, flags, role);
	if (expect(line, &r, 0, NULL, NULL) == 0 && !matches(re, r.out))
		bad(line, "no line /%s/ in the list: %.800s", re, r.out);
	run_free(&r);
}

static void
test_create_list(void **state)
{
	struct run r;
	struct json_object *a = NULL, *o;
	struct dbuser d;

	(void)state;
	begin_cases();
	/* normalised e-mail, every option */
	RUN(&r, "Correct-Horse-9\n", NULL, "user", "create", "--email",
	    "  Mixed.Case@EXAMPLE.Com ", "--first-name", "Zo\xc3\xab", "--last-name",
	    "O'Hara", "--role", "premium", "--verified");
	if (expect(__LINE__, &r, 0, NULL, NULL) == 0 &&
	    !matches("^" UUID_RE "\tMixed\\.Case@example\\.com\n$", r.out))
		bad(__LINE__, "create printed %s", r.out);
	run_free(&r);
	check_listed(__LINE__, "Mixed\\.Case@example\\.com", "active,verified", "premium");
	RUN(&r, NULL, NULL, "user", "list", "--json");
	if (expect(__LINE__, &r, 0, NULL, NULL) == 0)
		a = json_tokener_parse(r.out);
	o = json_find(a, "Mixed.Case@example.com");
	if (o == NULL)
		bad(__LINE__, "list --json lacks the user: %.500s", r.out);
	else {
		if (json_object_object_length(o) != 10 ||
		    json_object_object_get_ex(o, "hashed_password", NULL))
			bad(__LINE__, "not the ten public keys: %s", json_object_to_json_string(o));
		if (jstr(o, "first_name") == NULL || strcmp(jstr(o, "first_name"), "Zo\xc3\xab") != 0 ||
		    jstr(o, "role") == NULL || strcmp(jstr(o, "role"), "premium") != 0 ||
		    !matches("^" UUID_RE "$", jstr(o, "id")))
			bad(__LINE__, "wrong user object: %s", json_object_to_json_string(o));
	}
	json_object_put(a);
	run_free(&r);
	/* the hash: Argon2id with the settings' parameters */
	dbuser_get(DB, "mixed.case@example.com", &d);
	if (!d.found || strncmp(d.u.hashed_password, LOW_ARGON2, strlen(LOW_ARGON2)) != 0 ||
	    !verifies(d.u.hashed_password, "Correct-Horse-9") || d.u.is_superuser)
		bad(__LINE__, "stored user wrong (found %d)", d.found);
	dbuser_free(&d);
	end_cases();
}

/* How the password is read: CRLF, no newline, extra lines; the boundaries. */
static void
test_create_passwords(void **state)
{
	struct run r;
	struct dbuser d;
	char *emoji = NULL;

	(void)state;
	begin_cases();
	/* a superuser; CRLF; no newline at all; only the first line counts */
	assert_int_equal(create_user(__LINE__, "root@example.com", "Root-pass-123",
	    ARGV("--superuser", "--role", "admin")), 0);
	check_listed(__LINE__, "root@example\\.com", "active,superuser", "admin");
	RUN(&r, "Crlf-pass-123\r\n", NULL, "user", "create", "--email", "crlf@example.com");
	expect(__LINE__, &r, 0, "crlf@example.com", NULL);
	run_free(&r);
	RUN(&r, "Nonl-pass-123", NULL, "user", "create", "--email", "nonl@example.com");
	expect(__LINE__, &r, 0, "nonl@example.com", NULL);
	run_free(&r);
	RUN(&r, "First-line-pw1\nsecond line\n", NULL, "user", "create", "--email",
	    "lines@example.com");
	expect(__LINE__, &r, 0, "lines@example.com", NULL);
	run_free(&r);
	/* the boundaries: 8 characters; 1024 characters in 4096 bytes */
	RUN(&r, "Eight-8!\n", NULL, "user", "create", "--email", "eight@example.com");
	expect(__LINE__, &r, 0, "eight@example.com", NULL);
	run_free(&r);
	assert_non_null(emoji = calloc(1, 4 * 1024 + 2));
	for (size_t i = 0; i < 1024; i++)
		memcpy(emoji + 4 * i, "\xf0\x9f\x98\x80", 4);
	run_in(__LINE__, &r, emoji, 0, NULL, ARGV("user", "create", "--email",
	    "emoji@example.com"));
	expect(__LINE__, &r, 0, "emoji@example.com", NULL);
	run_free(&r);
	{
		static const struct { int line; const char *email, *pw; } v[] = {
			{ __LINE__, "crlf@example.com", "Crlf-pass-123" },
			{ __LINE__, "nonl@example.com", "Nonl-pass-123" },
			{ __LINE__, "lines@example.com", "First-line-pw1" },
			{ __LINE__, "eight@example.com", "Eight-8!" },
		};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			dbuser_get(DB, v[i].email, &d);
			if (!d.found || !verifies(d.u.hashed_password, v[i].pw))
				bad(v[i].line, "%s: the password stored is not \"%s\"",
				    v[i].email, v[i].pw);
			dbuser_free(&d);
		}
		dbuser_get(DB, "emoji@example.com", &d);
		if (!d.found || !verifies(d.u.hashed_password, emoji))
			bad(__LINE__, "the 4096-byte password is not stored whole");
		dbuser_free(&d);
	}
	free(emoji);
	end_cases();
}

/* Settings that do not load: DATABASE_URL alone, pwdlib's Argon2 defaults. */
static void
test_create_default_params(void **state)
{
	struct run r;
	struct dbuser d;

	(void)state;
	begin_cases();
	RUN(&r, "Default-pass-1\n", ENV("JWT_SECRET"), "user", "create", "--email",
	    "defaults@example.com");
	expect(__LINE__, &r, 0, "defaults@example.com", "default Argon2 parameters");
	run_free(&r);
	dbuser_get(DB, "defaults@example.com", &d);
	if (!d.found || strncmp(d.u.hashed_password, "$argon2id$v=19$m=65536,t=3,p=4$", 31) != 0)
		bad(__LINE__, "not hashed with pwdlib's defaults");
	dbuser_free(&d);
	end_cases();
}

/* ---- user set and delete ---- */

static void
test_set_delete(void **state)
{
	struct run r;
	struct dbuser d;
	int64_t gen;
	char hash[PASSWORD_HASH_MAX];

	(void)state;
	begin_cases();
	assert_int_equal(create_user(__LINE__, "set1@example.com", "Set1-pass-123", NULL), 0);
	RUN(&r, NULL, NULL, "user", "set", "SET1@EXAMPLE.COM", "--superuser",
	    "--verified", "--role", "admin");
	if (expect(__LINE__, &r, 0, NULL, NULL) == 0 && !matches("^" UUID_RE
	    "\tset1@example\\.com\tactive,superuser,verified\tadmin\t" ISO_RE "\t-\n$", r.out))
		bad(__LINE__, "set printed %s", r.out);
	run_free(&r);
	RUN(&r, NULL, NULL, "user", "set", "set1@example.com", "--inactive",
	    "--no-superuser", "--unverified", "--role", "user");
	expect(__LINE__, &r, 0, "\t-\tuser\t", NULL);
	run_free(&r);
	check_listed(__LINE__, "set1@example\\.com", "-", "user");
	RUN(&r, NULL, NULL, "user", "set", "set1@example.com", "--active");
	expect(__LINE__, &r, 0, "\tactive\tuser\t", NULL);
	run_free(&r);
	/* a new password: the tokens' generation moves on */
	dbuser_get(DB, "set1@example.com", &d);
	assert_true(d.found);
	gen = d.u.token_generation;
	snprintf(hash, sizeof(hash), "%s", d.u.hashed_password);
	dbuser_free(&d);
	RUN(&r, "Set1-short\x01\n", NULL, "user", "set", "set1@example.com", "--password");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	dbuser_get(DB, "set1@example.com", &d);
	if (!d.found || d.u.token_generation != gen + 1 || d.u.tokens_exempt_jti != NULL ||
	    !verifies(d.u.hashed_password, "Set1-short\x01") ||
	    verifies(d.u.hashed_password, "Set1-pass-123"))
		bad(__LINE__, "set --password: generation %lld (was %lld) or hash wrong",
		    (long long)d.u.token_generation, (long long)gen);
	gen = d.u.token_generation;
	snprintf(hash, sizeof(hash), "%s", d.u.hashed_password);
	dbuser_free(&d);
	/* a refused password changes nothing */
	RUN(&r, "xset1@example.comx\n", NULL, "user", "set", "set1@example.com",
	    "--password", "--superuser");
	expect(__LINE__, &r, 1, NULL, "should not contain e-mail");
	run_free(&r);
	dbuser_get(DB, "set1@example.com", &d);
	if (d.u.token_generation != gen || strcmp(d.u.hashed_password, hash) != 0 ||
	    d.u.is_superuser)
		bad(__LINE__, "a refused set changed the user");
	dbuser_free(&d);
	/* delete, in any case */
	RUN(&r, NULL, NULL, "user", "delete", "Set1@Example.COM");
	expect(__LINE__, &r, 0, "\tset1@example.com\n", NULL);
	run_free(&r);
	dbuser_get(DB, "set1@example.com", &d);
	if (d.found)
		bad(__LINE__, "the deleted user is still there");
	dbuser_free(&d);
	end_cases();
}

/* ---- what is refused ---- */

struct neg {
	int		 line;
	const char	*in;		/* stdin; NULL: /dev/null */
	size_t		 in_len;	/* 0: strlen(in) */
	const char	*args[12];
	int		 status;
	const char	*err_has;
};

static void
run_negatives(const struct neg *cases, size_t n)
{
	struct run r;
	size_t i;

	for (i = 0; i < n; i++) {
		run_in(cases[i].line, &r, cases[i].in, cases[i].in_len, NULL,
		    cases[i].args);
		if (expect(cases[i].line, &r, cases[i].status, NULL,
		    cases[i].err_has) == 0 && r.out_len != 0)
			bad(cases[i].line, "a refused command printed on stdout: %.300s",
			    r.out);
		run_free(&r);
	}
}

static void
test_user_refused(void **state)
{
	static char long_chars[1026 * 2 + 2], long_ascii[1026 + 1], long_bytes[4098 + 1];
	static const char nul_pw[] = "Nul-pass\0word-1\n";
	const struct neg cases[] = {
		/* e-mail */
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "not-an-email" },
		    1, "invalid e-mail" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "a@b" },
		    1, "invalid e-mail" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "@example.com" },
		    1, "invalid e-mail" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "a..b@example.com" },
		    1, "invalid e-mail" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email=" },
		    1, "invalid e-mail" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "a b@example.com" },
		    1, "invalid e-mail" },
		/* password */
		{ __LINE__, "Ab1!x\n", 0, { "user", "create", "--email", "pw1@example.com" },
		    1, "at least 8 characters" },
		{ __LINE__, "\n", 0, { "user", "create", "--email", "pw2@example.com" },
		    1, "at least 8 characters" },
		{ __LINE__, "", 0, { "user", "create", "--email", "pw3@example.com" },
		    1, "no password on standard input" },
		{ __LINE__, NULL, 0, { "user", "create", "--email", "pw4@example.com" },
		    1, "no password on standard input" },
		/* checked against the normalised address, case and all (as FastAPI-Users) */
		{ __LINE__, "my-carol@example.com-pw\n", 0, { "user", "create", "--email",
		    " carol@EXAMPLE.com " }, 1, "should not contain e-mail" },
		{ __LINE__, long_ascii, 0, { "user", "create", "--email", "pw5@example.com" },
		    1, "longer than 1024 characters" },
		{ __LINE__, long_chars, 0, { "user", "create", "--email", "pw6@example.com" },
		    1, "longer than 1024 characters" },
		{ __LINE__, long_bytes, 0, { "user", "create", "--email", "pw7@example.com" },
		    1, "longer than 4096 bytes" },
		{ __LINE__, "\xff\xfe-not-utf8-pw\n", 0, { "user", "create", "--email",
		    "pw8@example.com" }, 1, "not valid UTF-8" },
		{ __LINE__, nul_pw, sizeof(nul_pw) - 1, { "user", "create", "--email",
		    "pw9@example.com" }, 1, "NUL byte" },
		/* duplicates, in any case */
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "dup@example.com" },
		    1, "a user with that e-mail already exists" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "DUP@EXAMPLE.COM" },
		    1, "a user with that e-mail already exists" },
		/* options */
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "r1@example.com",
		    "--role", "root" }, 2, "unknown role \"root\"" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "r2@example.com",
		    "--role", "Admin" }, 2, "unknown role" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "r3@example.com",
		    "--role", "" }, 2, "unknown role" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create" }, 2, "--email is required" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--superuser" },
		    2, "--email is required" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email" },
		    2, "needs an argument" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o1@example.com",
		    "--admin" }, 2, "unknown option \"--admin\"" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o2@example.com",
		    "-x" }, 2, "unknown option" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o3@example.com",
		    "--password=Good-pass-123" }, 2, "unknown option" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o4@example.com",
		    "extra" }, 2, "unexpected argument" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o5@example.com",
		    "--first-name", "123456789012345678901234567890123456789012345678901" },
		    1, "first name" },
		{ __LINE__, "Good-pass-123\n", 0, { "user", "create", "--email", "o6@example.com",
		    "--last-name", "\xc3" }, 1, "last name" },
		{ __LINE__, NULL, 0, { "user" }, 2, "usage:" },
		{ __LINE__, NULL, 0, { "user", "frob" }, 2, "unknown command \"frob\"" },
		{ __LINE__, NULL, 0, { "user", "--bogus" }, 2, "unknown option" },
		{ __LINE__, NULL, 0, { "user", "list", "--bogus" }, 2, "unknown option" },
		{ __LINE__, NULL, 0, { "user", "list", "extra" }, 2, "unexpected argument" },
		/* set */
		{ __LINE__, NULL, 0, { "user", "set", "nobody@example.com", "--active" },
		    1, "no user with the e-mail" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com" }, 2, "nothing to change" },
		{ __LINE__, NULL, 0, { "user", "set", "--active" }, 2, "e-mail address is required" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "other@example.com",
		    "--active" }, 2, "unexpected argument" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "--superuser",
		    "--no-superuser" }, 2, "contradicts" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "--active",
		    "--inactive" }, 2, "contradicts" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "--role", "boss" },
		    2, "unknown role" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "--email", "x@example.com" },
		    2, "unknown option" },
		{ __LINE__, "short\n", 0, { "user", "set", "dup@example.com", "--password" },
		    1, "at least 8 characters" },
		{ __LINE__, NULL, 0, { "user", "set", "dup@example.com", "--password" },
		    1, "no password on standard input" },
		/* delete */
		{ __LINE__, NULL, 0, { "user", "delete", "nobody@example.com" },
		    1, "no user with the e-mail" },
		{ __LINE__, NULL, 0, { "user", "delete" }, 2, "e-mail address is required" },
		{ __LINE__, NULL, 0, { "user", "delete", "dup@example.com", "x@example.com" },
		    2, "unexpected argument" },
		{ __LINE__, NULL, 0, { "user", "delete", "--force", "dup@example.com" },
		    2, "unknown option" },
		/* the top level */
		{ __LINE__, NULL, 0, { "frob" }, 2, "unknown command" },
		{ __LINE__, NULL, 0, { "--frob" }, 2, "unknown option" },
		{ __LINE__, NULL, 0, { "help", "frob" }, 2, "unknown command" },
		{ __LINE__, NULL, 0, { "version", "extra" }, 2, "usage:" },
		{ __LINE__, NULL, 0, { "migrate", "--frob" }, 2, "unknown option" },
		{ __LINE__, NULL, 0, { "--database", "/nonexistent/x.db", "user", "list" },
		    1, "migrate up" },
	};
	struct dbuser d;
	int before;

	(void)state;
	memset(long_ascii, 'a', 1025);
	long_ascii[1025] = '\n';
	for (size_t i = 0; i < 1025; i++)
		memcpy(long_chars + 2 * i, "\xc3\xa9", 2);
	long_chars[2050] = '\n';
	memset(long_bytes, 'b', 4097);
	long_bytes[4097] = '\n';
	begin_cases();
	assert_int_equal(create_user(__LINE__, "dup@example.com", "Dup-pass-123", NULL), 0);
	before = count_users(__LINE__);
	run_negatives(cases, sizeof(cases) / sizeof(cases[0]));
	if (count_users(__LINE__) != before)
		bad(__LINE__, "a refused command changed the number of users");
	dbuser_get(DB, "dup@example.com", &d);
	if (!d.found || d.u.is_superuser || !d.u.is_active || d.u.token_generation != 0 ||
	    !verifies(d.u.hashed_password, "Dup-pass-123"))
		bad(__LINE__, "a refused set changed dup@example.com");
	dbuser_free(&d);
	end_cases();
}

/* A database whose schema is behind; one that does not exist. */
static void
test_schema_behind(void **state)
{
	char *behind = tmp_path("behind.db"), *url, *missing, *murl;
	struct run r;
	const char *const *env;

	(void)state;
	begin_cases();
	assert_true(asprintf(&url, "DATABASE_URL=%s", behind) > 0);
	missing = tmp_path("missing.db");
	assert_true(asprintf(&murl, "DATABASE_URL=%s", missing) > 0);
	env = ENV(url);
	RUN(&r, NULL, env, "migrate", "up");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	RUN(&r, "Behind-pass-1\n", env, "user", "create", "--email", "behind@example.com");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	RUN(&r, NULL, env, "migrate", "down", "1");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	{
		const struct neg cases[] = {
			{ __LINE__, NULL, 0, { "user", "list" }, 1, "run `fcgi-users migrate up` first" },
			{ __LINE__, NULL, 0, { "user", "list", "--json" }, 1, "migrate up` first" },
			{ __LINE__, "Behind-pass-1\n", 0, { "user", "create", "--email",
			    "other@example.com" }, 1, "migrate up` first" },
			{ __LINE__, NULL, 0, { "user", "set", "behind@example.com", "--active" },
			    1, "migrate up` first" },
			{ __LINE__, NULL, 0, { "user", "delete", "behind@example.com" },
			    1, "migrate up` first" },
		};
		struct run rr;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			run_in(cases[i].line, &rr, cases[i].in, 0, env, cases[i].args);
			if (expect(cases[i].line, &rr, 1, NULL, cases[i].err_has) == 0 &&
			    (rr.out_len != 0 || strstr(rr.err, "password:") != NULL))
				bad(cases[i].line, "went on: %s %s", rr.out, rr.err);
			run_free(&rr);
		}
	}
	/* a missing database is not created */
	RUN(&r, NULL, ENV(murl), "user", "list");
	expect(__LINE__, &r, 1, NULL, "migrate up");
	run_free(&r);
	if (access(missing, F_OK) == 0)
		bad(__LINE__, "user list created the database");
	/* up again: the commands work */
	RUN(&r, NULL, env, "migrate", "up");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	RUN(&r, NULL, env, "user", "list");
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	free(behind);
	free(url);
	free(missing);
	free(murl);
	end_cases();
}

/* ---- keys ---- */

struct kv {
	char	*alg, *priv, *pub, *kid;
	int	 mcp;		/* the MCP_JWT_* settings are wanted, not JWT_* */
	int	 other;		/* a setting of the other kind was printed */
};

static int
kv_cb(const char *key, const char *value, void *arg)
{
	struct kv *kv = arg;
	const char *k = key;

	if (strncmp(k, "MCP_", 4) == 0)
		k += 4;
	if ((k != key) != kv->mcp) {
		kv->other = 1;
		return 0;
	}
	if (strcmp(k, "JWT_ALGORITHM") == 0)
		kv->alg = strdup(value);
	else if (strcmp(k, "JWT_PRIVATE_KEY_FILE") == 0)
		kv->priv = strdup(value);
	else if (strcmp(k, "JWT_PUBLIC_KEY_FILE") == 0)
		kv->pub = strdup(value);
	return 0;
}

static void
kv_free(struct kv *kv)
{
	free(kv->alg);
	free(kv->priv);
	free(kv->pub);
	free(kv->kid);
	memset(kv, 0, sizeof(*kv));
}

/*
 * Parses the output of generate --out as an env file would be: the
 * JWT_* settings, or with mcp the MCP_JWT_* ones (and never the others).
 */
static int
parse_settings_of(int line, const char *out, int mcp, struct kv *kv)
{
	const char *k;
	size_t lineno = 0;

	memset(kv, 0, sizeof(*kv));
	kv->mcp = mcp;
	if (strncmp(out, "# kid: ", 7) != 0) {
		bad(line, "no kid line first: %.300s", out);
		return -1;
	}
	k = out + 7;
	kv->kid = strndup(k, strcspn(k, "\n"));
	if (config_parse_env(out, strlen(out), kv_cb, kv, &lineno) != CONFIG_OK ||
	    kv->alg == NULL || kv->priv == NULL || kv->pub == NULL || kv->other) {
		bad(line, "not the %sJWT_* env-file lines (line %zu): %.300s",
		    mcp ? "MCP_" : "", lineno, out);
		return -1;
	}
	return 0;
}

static int
parse_settings(int line, const char *out, struct kv *kv)
{
	return parse_settings_of(line, out, 0, kv);
}

/* The key in a PEM file (or text) loads for alg with that kid. */
static void
check_pem(int line, enum jwt_alg alg, const char *path, const char *text,
    const char *kid, int private)
{
	char *pem = text != NULL ? strdup(text) : slurp(path, NULL);
	struct jwt_key *k = pem != NULL ? jwt_key_pem(alg, pem, strlen(pem)) : NULL;

	if (k == NULL)
		bad(line, "%s: not a %s key", path ? path : "stdout", jwt_alg_name(alg));
	else if (jwt_key_can_sign(k) != private || strcmp(jwt_key_kid(k), kid) != 0)
		bad(line, "%s: can_sign %d, kid %s (want %s)", path ? path : "stdout",
		    jwt_key_can_sign(k), jwt_key_kid(k), kid);
	jwt_key_free(k);
	free(pem);
}

static void
check_mode(int line, const char *path, mode_t want)
{
	struct stat st;

	if (stat(path, &st) != 0 || (st.st_mode & 07777) != want)
		bad(line, "%s: mode %o, want %o", path, (unsigned)(st.st_mode & 07777),
		    (unsigned)want);
}

/*
 * generate --out into a folder (made when missing): files, modes,
 * settings, the keys.  With mcp, generate --mcp: the mcp-*.pem files and
 * MCP_JWT_* settings, RS256 when alg is NULL (no --alg given).
 */
static void
keys_out_case_of(int line, const char *alg, const char *dirname, int mcp)
{
	char *dir = tmp_path(dirname), *real, *want_priv, *want_pub;
	const char *pre = mcp ? "mcp" : "jwt", *want_alg = alg != NULL ? alg : "RS256";
	const char *args[8] = { "keys", "generate", "--out", dir };
	size_t n = 4;
	struct run r;
	struct kv kv;
	mode_t old;

	if (mcp)
		args[n++] = "--mcp";
	if (alg != NULL) {
		args[n++] = "--alg";
		args[n++] = alg;
	}
	args[n] = NULL;
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	assert_non_null(real = realpath(dir, NULL));
	assert_true(asprintf(&want_priv, "%s/%s-private.pem", real, pre) > 0);
	assert_true(asprintf(&want_pub, "%s/%s-public.pem", real, pre) > 0);
	old = umask(077);	/* the public key is 0644 all the same */
	run_in(line, &r, NULL, 0, NULL, args);
	umask(old);
	if (expect(line, &r, 0, NULL, NULL) == 0 &&
	    parse_settings_of(line, r.out, mcp, &kv) == 0) {
		alg = want_alg;
		if (strcmp(kv.alg, alg) != 0 || strcmp(kv.priv, want_priv) != 0 ||
		    strcmp(kv.pub, want_pub) != 0)
			bad(line, "settings %s %s %s", kv.alg, kv.priv, kv.pub);
		check_mode(line, want_priv, 0600);
		check_mode(line, want_pub, 0644);
		check_pem(line, jwt_alg_parse(alg), want_priv, NULL, kv.kid, 1);
		check_pem(line, jwt_alg_parse(alg), want_pub, NULL, kv.kid, 0);
		kv_free(&kv);
	}
	run_free(&r);
	free(want_priv);
	free(want_pub);
	free(real);
	free(dir);
}

static void
keys_out_case(int line, const char *alg, const char *dirname)
{
	keys_out_case_of(line, alg, dirname, 0);
}

static void
test_keys_generate(void **state)
{
	struct run r;
	const char *p;
	char kid[JWT_KID_MAX + 1];

	(void)state;
	begin_cases();
	keys_out_case(__LINE__, "RS256", "keys-rs");
	keys_out_case(__LINE__, "ES256", "keys-es");
	keys_out_case(__LINE__, "EdDSA", "keys-ed");
	/* a folder name that needs quoting in an env file */
	keys_out_case(__LINE__, "EdDSA", "keys with \"odd\" #name");
	/* to stdout: private, then public; the kid on stderr */
	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "ES256");
	if (expect(__LINE__, &r, 0, "-----BEGIN PRIVATE KEY-----", "kid: ") == 0) {
		p = strstr(r.out, "-----BEGIN PUBLIC KEY-----");
		if (p == NULL || strncmp(r.out, "-----BEGIN PRIVATE KEY-----", 27) != 0 ||
		    strstr(r.out, "-----END PRIVATE KEY-----") > p)
			bad(__LINE__, "not private then public: %.300s", r.out);
		else {
			snprintf(kid, sizeof(kid), "%.*s", (int)strcspn(strstr(r.err, "kid: ") + 5,
			    "\n"), strstr(r.err, "kid: ") + 5);
			check_pem(__LINE__, JWT_ES256, NULL, r.out, kid, 1);
			check_pem(__LINE__, JWT_ES256, NULL, p, kid, 0);
		}
	}
	run_free(&r);
	end_cases();
}

/* Existing files are never overwritten, and nothing is left behind. */
static void
keys_no_overwrite(const char *dir, const char *priv, const char *pub)
{
	char *before_pub = slurp(pub, NULL), *before_priv = slurp(priv, NULL), *after;
	struct run r;

	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "RS256", "--out", dir);
	expect(__LINE__, &r, 1, NULL, "jwt-private.pem exists: refusing to overwrite");
	run_free(&r);
	after = slurp(priv, NULL);
	if (after == NULL || before_priv == NULL || strcmp(after, before_priv) != 0)
		bad(__LINE__, "the private key file changed");
	free(after);
	assert_int_equal(unlink(priv), 0);
	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "ES256", "--out", dir);
	expect(__LINE__, &r, 1, NULL, "jwt-public.pem exists: refusing to overwrite");
	run_free(&r);
	if (access(priv, F_OK) == 0)
		bad(__LINE__, "a private key was left behind next to the old public one");
	after = slurp(pub, NULL);
	if (after == NULL || before_pub == NULL || strcmp(after, before_pub) != 0)
		bad(__LINE__, "the public key file changed");
	free(after);
	/* a symbolic link in the way is not followed */
	assert_int_equal(unlink(pub), 0);
	assert_int_equal(symlink("/nonexistent/target", priv), 0);
	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "ES256", "--out", dir);
	expect(__LINE__, &r, 1, NULL, "refusing to overwrite");
	run_free(&r);
	if (access(pub, F_OK) == 0)
		bad(__LINE__, "a public key was written beside the link");
	free(before_priv);
	free(before_pub);
}

/* --mcp: the MCP pair (mcp-*.pem, MCP_JWT_*), RS256 unless --alg says otherwise. */
static void
test_keys_mcp(void **state)
{
	char *dir = tmp_path("keys-mcp"), *priv = tmp_path("keys-mcp/mcp-private.pem");
	char *pub = tmp_path("keys-mcp/mcp-public.pem"), *before_priv, *before_pub, *after;
	char kid[JWT_KID_MAX + 1];
	const char *p;
	struct run r;
	const struct neg cases[] = {
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--alg", "HS256" },
		    2, "JWT_SECRET" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--alg", "none" },
		    2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--alg", "rs256" },
		    2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--alg" },
		    2, "needs an argument" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp=yes" },
		    2, "takes no argument" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "extra" },
		    2, "unexpected argument" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--out", "" },
		    2, "--out needs a folder" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--out",
		    "/nonexistent/keys" }, 1, "/nonexistent/keys" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--mcp", "--mcpx" },
		    2, "unknown option" },
	};

	(void)state;
	begin_cases();
	keys_out_case_of(__LINE__, NULL, "keys-mcp", 1);
	keys_out_case_of(__LINE__, "RS256", "keys-mcp-rs", 1);
	keys_out_case_of(__LINE__, "ES256", "keys-mcp-es", 1);
	keys_out_case_of(__LINE__, "EdDSA", "keys-mcp-ed", 1);
	/* the two pairs side by side in one folder */
	keys_out_case_of(__LINE__, "ES256", "keys-both", 0);
	keys_out_case_of(__LINE__, NULL, "keys-both", 1);
	run_negatives(cases, sizeof(cases) / sizeof(cases[0]));
	/* to stdout: private, then public, RS256; the kid on stderr */
	RUN(&r, NULL, NULL, "keys", "generate", "--mcp");
	if (expect(__LINE__, &r, 0, "-----BEGIN PRIVATE KEY-----", "kid: ") == 0) {
		p = strstr(r.out, "-----BEGIN PUBLIC KEY-----");
		if (p == NULL || strncmp(r.out, "-----BEGIN PRIVATE KEY-----", 27) != 0)
			bad(__LINE__, "not private then public: %.300s", r.out);
		else {
			snprintf(kid, sizeof(kid), "%.*s", (int)strcspn(strstr(r.err,
			    "kid: ") + 5, "\n"), strstr(r.err, "kid: ") + 5);
			check_pem(__LINE__, JWT_RS256, NULL, r.out, kid, 1);
			check_pem(__LINE__, JWT_RS256, NULL, p, kid, 0);
		}
	}
	run_free(&r);
	/* never over an existing file, and nothing left behind */
	before_priv = slurp(priv, NULL);
	before_pub = slurp(pub, NULL);
	RUN(&r, NULL, NULL, "keys", "generate", "--mcp", "--out", dir);
	expect(__LINE__, &r, 1, NULL, "mcp-private.pem exists: refusing to overwrite");
	if (r.out_len != 0)
		bad(__LINE__, "a refused generate printed settings: %.300s", r.out);
	run_free(&r);
	after = slurp(priv, NULL);
	if (after == NULL || before_priv == NULL || strcmp(after, before_priv) != 0)
		bad(__LINE__, "the MCP private key file changed");
	free(after);
	assert_int_equal(unlink(priv), 0);
	RUN(&r, NULL, NULL, "keys", "generate", "--mcp", "--alg", "ES256", "--out", dir);
	expect(__LINE__, &r, 1, NULL, "mcp-public.pem exists: refusing to overwrite");
	run_free(&r);
	if (access(priv, F_OK) == 0)
		bad(__LINE__, "an MCP private key was left behind next to the old public one");
	after = slurp(pub, NULL);
	if (after == NULL || before_pub == NULL || strcmp(after, before_pub) != 0)
		bad(__LINE__, "the MCP public key file changed");
	free(after);
	free(before_priv);
	free(before_pub);
	free(dir);
	free(priv);
	free(pub);
	end_cases();
}

static void
test_keys_refused(void **state)
{
	struct run r;
	char *dir, *priv, *pub;
	const struct neg cases[] = {
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "HS256" }, 2, "JWT_SECRET" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "HS512" }, 2, "JWT_SECRET" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "none" }, 2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "rs256" }, 2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "" }, 2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "PS256" }, 2, "unknown algorithm" },
		{ __LINE__, NULL, 0, { "keys", "generate" }, 2, "--alg is required" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg" }, 2, "needs an argument" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "RS256", "--out", "" },
		    2, "--out needs a folder" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "RS256", "--bits", "4096" },
		    2, "unknown option" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "RS256", "extra" },
		    2, "unexpected argument" },
		{ __LINE__, NULL, 0, { "keys", "generate", "--alg", "RS256", "--out",
		    "/nonexistent/keys" }, 1, "/nonexistent/keys" },
		{ __LINE__, NULL, 0, { "keys" }, 2, "usage:" },
		{ __LINE__, NULL, 0, { "keys", "rotate" }, 2, "unknown command" },
	};

	(void)state;
	begin_cases();
	run_negatives(cases, sizeof(cases) / sizeof(cases[0]));
	keys_out_case(__LINE__, "RS256", "keys-refused");
	dir = tmp_path("keys-refused");
	priv = tmp_path("keys-refused/jwt-private.pem");
	pub = tmp_path("keys-refused/jwt-public.pem");
	/* --out a file, not a folder */
	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "RS256", "--out", pub);
	expect(__LINE__, &r, 1, NULL, "jwt-public.pem");
	run_free(&r);
	keys_no_overwrite(dir, priv, pub);
	free(dir);
	free(priv);
	free(pub);
	end_cases();
}

/* ---- the password from a terminal ---- */

/* Reads the pty until `want` shows (or EOF/timeout); appends to *buf. */
static int
pty_wait(int m, const char *want, char *buf, size_t cap, size_t *len)
{
	struct pollfd pfd = { m, POLLIN, 0 };
	ssize_t n;
	int waited = 0;

	while (want == NULL || strstr(buf, want) == NULL) {
		if (waited > 20000)
			return -1;
		if (poll(&pfd, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		if (*len + 1 >= cap || (n = read(m, buf + *len, cap - *len - 1)) <= 0)
			return want == NULL ? 0 : -1;
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	return 0;
}

/* Runs user create on a pty, typing first and second at the prompts. */
static int
pty_create(int line, const char *email, const char *first, const char *second,
    struct run *r)
{
	const char *envp[ENV_MAX + 1];
	char term[8192] = "", *po = tmp_path("pty-out-XXXXXX"), *slave;
	size_t tlen = 0;
	pid_t pid;
	int m, fo;

	memset(r, 0, sizeof(*r));
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) != 0 ||
	    unlockpt(m) != 0 || (slave = ptsname(m)) == NULL) {
		free(po);
		return -1;
	}
	env_build(NULL, envp);
	assert_true((fo = mkstemp(po)) != -1);
	pid = spawn(ARGV("user", "create", "--email", email), envp, -1, fo, -1, slave);
	close(fo);
	if (pty_wait(m, "New password: ", term, sizeof(term), &tlen) != 0)
		bad(line, "no first prompt: %s", term);
	else {
		assert_true(write(m, first, strlen(first)) > 0);
		if (pty_wait(m, "Repeat the password: ", term, sizeof(term), &tlen) != 0)
			bad(line, "no second prompt: %s", term);
		else
			assert_true(write(m, second, strlen(second)) > 0);
	}
	r->status = wait_run(pid);
	(void)pty_wait(m, NULL, term, sizeof(term), &tlen);
	close(m);
	r->out = slurp(po, &r->out_len);
	r->err = strdup(term);	/* what the terminal showed */
	unlink(po);
	free(po);
	check_secrets(line, r, first, strlen(first));
	check_secrets(line, r, second, strlen(second));
	check_sanitizer(line, r);
	return 0;
}

static void
test_tty(void **state)
{
	struct run r;
	struct dbuser d;

	(void)state;
	begin_cases();
	if (pty_create(__LINE__, "tty@example.com", "Tty-pass-123\n", "Tty-pass-123\n", &r) != 0)
		skip();
	expect(__LINE__, &r, 0, "tty@example.com", NULL);
	run_free(&r);
	dbuser_get(DB, "tty@example.com", &d);
	if (!d.found || !verifies(d.u.hashed_password, "Tty-pass-123"))
		bad(__LINE__, "the typed password is not the one stored");
	dbuser_free(&d);
	/* the entries differ */
	assert_int_equal(pty_create(__LINE__, "tty2@example.com", "Tty-pass-123\n",
	    "Tty-pass-124\n", &r), 0);
	expect(__LINE__, &r, 1, NULL, "do not match");
	run_free(&r);
	dbuser_get(DB, "tty2@example.com", &d);
	if (d.found)
		bad(__LINE__, "created with mismatched passwords");
	dbuser_free(&d);
	/* too short at the terminal */
	assert_int_equal(pty_create(__LINE__, "tty3@example.com", "Tty-1\n", "Tty-1\n", &r), 0);
	expect(__LINE__, &r, 1, NULL, "at least 8 characters");
	run_free(&r);
	end_cases();
}

/* ---- end to end: the tool's key and users behind the web server ---- */

static long
login(const char *email, const char *pw, char *tok, size_t cap)
{
	const char *const hdr[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_resp r;
	struct json_object *v;
	char body[512];
	long status;

	/* The test's e-mails and passwords need no percent-encoding. */
	snprintf(body, sizeof(body), "username=%s&password=%s", email, pw);
	if (harness_request(X, "POST", "/auth/jwt/login", hdr, body, strlen(body), &r) != 0)
		return 0;
	status = r.status;
	if (tok != NULL && status == 200 && json_object_object_get_ex(r.json, "access_token", &v))
		snprintf(tok, cap, "%s", json_object_get_string(v));
	http_resp_free(&r);
	return status;
}

static long
get_bearer(const char *path, const char *tok)
{
	char auth[4096];
	const char *const hdr[] = { auth, NULL };
	struct http_resp r;
	long status;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	if (harness_request(X, "GET", path, hdr, NULL, 0, &r) != 0)
		return 0;
	status = r.status;
	http_resp_free(&r);
	return status;
}

/* The tool, with the server's database and secret. */
static void
run_x(int line, struct run *r, const char *in, const char *const *args)
{
	char url[PATH_MAX + 32], secret[256];

	snprintf(url, sizeof(url), "DATABASE_URL=%s", harness_env(X, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(X, "JWT_SECRET"));
	run_in(line, r, in, 0, ENV(url, secret), args);
}

static void
test_end_to_end(void **state)
{
	char *dir = tmp_path("e2e-keys"), env_priv[PATH_MAX + 32], path[128];
	char tok_admin[8192], tok_user[8192], user_id[64] = "";
	const char *env[] = { "JWT_ALGORITHM=RS256", env_priv,
	    "PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
	    "PASSWORD_ARGON2_PARALLELISM=1", NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	struct json_object *keys, *k0;
	struct http_resp hr;
	struct run r;
	struct kv kv;

	(void)state;
	begin_cases();
	assert_int_equal(mkdir(dir, 0700), 0);
	RUN(&r, NULL, NULL, "keys", "generate", "--alg", "RS256", "--out", dir);
	assert_int_equal(r.status, 0);
	assert_int_equal(parse_settings(__LINE__, r.out, &kv), 0);
	run_free(&r);
	snprintf(env_priv, sizeof(env_priv), "JWT_PRIVATE_KEY_FILE=%s", kv.priv);
	assert_non_null(X = harness_start(&o));
	/* the JWKS lists the generated key */
	assert_int_equal(harness_get(X, "/.well-known/jwks.json", &hr), 0);
	if (hr.status != 200 || !json_object_object_get_ex(hr.json, "keys", &keys) ||
	    json_object_array_length(keys) != 1 ||
	    (k0 = json_object_array_get_idx(keys, 0)) == NULL ||
	    jstr(k0, "kid") == NULL || strcmp(jstr(k0, "kid"), kv.kid) != 0)
		bad(__LINE__, "JWKS %ld %.500s, want one key with kid %s", hr.status,
		    hr.body, kv.kid);
	http_resp_free(&hr);
	/* users made by the tool log in; the superuser reads another user */
	run_x(__LINE__, &r, "Admin-pass-123\n", ARGV("user", "create", "--email",
	    "admin@example.com", "--superuser"));
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	run_x(__LINE__, &r, "Plain-pass-123\n", ARGV("user", "create", "--email",
	    "plain@example.com"));
	if (expect(__LINE__, &r, 0, NULL, NULL) == 0)
		snprintf(user_id, sizeof(user_id), "%.36s", r.out);
	run_free(&r);
	if (login("admin@example.com", "Admin-pass-123", tok_admin, sizeof(tok_admin)) != 200 ||
	    login("plain@example.com", "Plain-pass-123", tok_user, sizeof(tok_user)) != 200) {
		bad(__LINE__, "a user made by the tool cannot log in");
		goto out;
	}
	if (login("plain@example.com", "Plain-pass-124", NULL, 0) != 400)
		bad(__LINE__, "a wrong password logs in");
	snprintf(path, sizeof(path), "/users/%s", user_id);
	if (get_bearer(path, tok_admin) != 200)
		bad(__LINE__, "the --superuser cannot GET %s", path);
	if (get_bearer(path, tok_user) != 403)
		bad(__LINE__, "a plain user can GET %s", path);
	if (get_bearer("/users/me", tok_user) != 200)
		bad(__LINE__, "the plain user's token does not work");
	/* a new password from the tool: the old token dies, the new password works */
	run_x(__LINE__, &r, "Plain-pass-456\n", ARGV("user", "set", "plain@example.com",
	    "--password"));
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	if (get_bearer("/users/me", tok_user) != 401)
		bad(__LINE__, "the token survived a password change by the tool");
	if (login("plain@example.com", "Plain-pass-123", NULL, 0) != 400 ||
	    login("plain@example.com", "Plain-pass-456", NULL, 0) != 200)
		bad(__LINE__, "the new password is not the one that logs in");
	/* --inactive: no login; --no-superuser: no reading others */
	run_x(__LINE__, &r, NULL, ARGV("user", "set", "plain@example.com", "--inactive"));
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	if (login("plain@example.com", "Plain-pass-456", NULL, 0) != 400)
		bad(__LINE__, "an --inactive user logs in");
	run_x(__LINE__, &r, NULL, ARGV("user", "set", "admin@example.com", "--no-superuser"));
	expect(__LINE__, &r, 0, NULL, NULL);
	run_free(&r);
	if (get_bearer(path, tok_admin) != 403)
		bad(__LINE__, "--no-superuser still reads other users");
out:
	kv_free(&kv);
	free(dir);
	end_cases();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_create_list),
		cmocka_unit_test(test_create_passwords),
		cmocka_unit_test(test_create_default_params),
		cmocka_unit_test(test_set_delete),
		cmocka_unit_test(test_user_refused),
		cmocka_unit_test(test_schema_behind),
		cmocka_unit_test(test_keys_generate),
		cmocka_unit_test(test_keys_refused),
		cmocka_unit_test(test_keys_mcp),
		cmocka_unit_test(test_tty),
		cmocka_unit_test_teardown(test_end_to_end, stop_own),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
