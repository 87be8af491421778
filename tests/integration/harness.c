/*
 * harness: starts a web server — lighttpd with lighttpd/dev.conf, Apache
 * with apache/test-httpd.conf and mod_fcgid, or another recipe
 * (harness_servers.c) — and the four programs on a free loopback port, reads the log, runs the admin tool and plain CGI
 * runs (see harness.h for the contract; requests are harness_http.c).
 * Children are started with fork/execve and an environment built here, so
 * the test process's environment is never touched.  The server runs in its
 * own process group, and the test process is made a child subreaper, so
 * FastCGI children orphaned by the server's exit are ours to reap: stopping
 * verifies that none is left behind.
 */
#include "harness.h"
#include "harness_int.h"

#include <curl/curl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef FU_SOURCE_DIR
#error "FU_SOURCE_DIR must be defined"
#endif
#ifndef FU_BINARY_DIR
#error "FU_BINARY_DIR must be defined"
#endif
#ifndef FU_LIGHTTPD
#define FU_LIGHTTPD "/usr/sbin/lighttpd"
#endif

#define PORT_TRIES	3	/* the server restarts when the picked port was taken */
#define POLL_MS		25

/* The uid and gid Apache has inside its user namespace (start as root). */
#define USERNS_ID		1000

static const char *const server_names[SERVER__MAX] = {
	[SERVER_LIGHTTPD] = "lighttpd",
	[SERVER_APACHE] = "apache",
	[SERVER_CGI] = "cgi",
	[SERVER_APACHE_CGI] = "apache-cgi",
	[SERVER_NGINX] = "nginx",
	[SERVER_LIGHTTPD_PROD] = "lighttpd-prod",
};

/* spawn() flags */
#define SPAWN_GROUP	0x1	/* the child leads its own process group */
#define SPAWN_USERNS	0x2	/* as root: an ordinary user in a user namespace */

/* Variables of the test's environment passed to the programs as they are. */
static const char *const passthrough[] = {
	"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL
};

static const char *const programs[] = {
	"auth.fcgi", "users.fcgi", "geocoding.fcgi", "mcp.fcgi", NULL
};

void
harness_say(const char *fmt, ...)
{
	va_list ap;

	fputs("harness: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

char *
harness_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	return rc < 0 ? NULL : s;
}

/* ---- environment of the children ---- */

static size_t
env_name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

static ssize_t
env_find(const struct envv *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->n; i++)
		if (env_name_len(e->v[i]) == len && strncmp(e->v[i], name, len) == 0)
			return (ssize_t)i;
	return -1;
}

/* Applies "K=V" (set) or "K" (unset).  0, or -1 when full or out of memory. */
static int
env_apply(struct envv *e, const char *entry)
{
	size_t len = env_name_len(entry);
	ssize_t i = env_find(e, entry, len);
	char *copy;

	if (entry[len] == '\0') {
		if (i >= 0) {
			free(e->v[i]);
			e->v[i] = e->v[--e->n];
			e->v[e->n] = NULL;
		}
		return 0;
	}
	if ((copy = strdup(entry)) == NULL)
		return -1;
	if (i >= 0) {
		free(e->v[i]);
		e->v[i] = copy;
		return 0;
	}
	if (e->n >= ENV_MAX) {
		free(copy);
		return -1;
	}
	e->v[e->n++] = copy;
	e->v[e->n] = NULL;
	return 0;
}

static int
env_setf(struct envv *e, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = env_apply(e, s);
	free(s);
	return rc;
}

static void
env_free(struct envv *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	e->n = 0;
	e->v[0] = NULL;
}

/* ---- processes ---- */

/* Writes `text` to the file at `path` (in a child, before exec); 0 or -1. */
static int
write_small(const char *path, const char *text)
{
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, text, strlen(text)) == (ssize_t)strlen(text))
		rc = 0;
	close(fd);
	return rc;
}

/*
 * Called in a child before exec, when the test runs as root: Apache will
 * not let its programs run as root (it switches its children to its User,
 * and refuses User root), yet the programs must read and write what the
 * test, as root, made (databases, key files) as they do under lighttpd.
 * A user namespace in which our uid 0 is USERNS_ID makes Apache an
 * ordinary user that keeps no privilege: it switches no user, and what
 * its programs touch is owned by root outside, as under lighttpd.
 * Returns 0, or -1 with errno set (user namespaces not allowed here).
 */
static int
enter_userns(void)
{
	char uid_map[64], gid_map[64];

	/* Our own ids only, so no privilege is needed (user_namespaces(7));
	 * read before unshare(), after which they show as the overflow id. */
	snprintf(uid_map, sizeof(uid_map), "%d %u 1\n", USERNS_ID, (unsigned)geteuid());
	snprintf(gid_map, sizeof(gid_map), "%d %u 1\n", USERNS_ID, (unsigned)getegid());
	if (unshare(CLONE_NEWUSER) == -1 ||
	    write_small("/proc/self/setgroups", "deny") == -1 ||
	    write_small("/proc/self/uid_map", uid_map) == -1)
		return -1;
	return write_small("/proc/self/gid_map", gid_map);
}

/*
 * Forks and execs argv[0] with envp; fd_in/fd_out/fd_err become 0/1/2
 * (-1: /dev/null).  flags: SPAWN_GROUP, the child leads its own process
 * group; SPAWN_USERNS, it enters a user namespace first when we are root
 * (enter_userns).  Returns the pid, or -1.
 */
static pid_t
spawn(char *const *argv, char *const *envp, int fd_in, int fd_out, int fd_err,
    int flags)
{
	pid_t pid, parent = getpid();
	sigset_t none;
	int null_fd;

	if ((pid = fork()) == -1) {
		harness_say("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		if (flags & SPAWN_GROUP)
			(void)setpgid(pid, pid);	/* no race with the child's own call */
		return pid;
	}
	if (flags & SPAWN_GROUP)
		(void)setpgid(0, 0);
	if ((flags & SPAWN_USERNS) && geteuid() == 0 && enter_userns() == -1) {
		dprintf(fd_err >= 0 ? fd_err : 2, "harness: %s runs as root and "
		    "cannot enter a user namespace (%s): run the tests as an "
		    "ordinary user\n", argv[0], strerror(errno));
		_exit(126);
	}
	/* Should the test die (a crash, ctest's timeout), the child gets a
	 * SIGTERM instead of living on; the server then stops its children.
	 * (Set after the user namespace: a change of credentials clears it.) */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != parent)
		_exit(125);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	null_fd = open("/dev/null", O_RDWR);
	if (dup2(fd_in >= 0 ? fd_in : null_fd, 0) == -1 ||
	    dup2(fd_out >= 0 ? fd_out : null_fd, 1) == -1 ||
	    dup2(fd_err >= 0 ? fd_err : null_fd, 2) == -1)
		_exit(126);
	/* Nothing of the test process (curl sockets, files) leaks into it. */
	if (close_range(3, ~0U, 0) == -1)
		for (int fd = 3; fd < 1024; fd++)
			(void)close(fd);
	execve(argv[0], argv, envp);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Waits up to timeout_ms for pid; 1 and *status when it ended, 0 when not. */
static int
wait_bounded(pid_t pid, int timeout_ms, int *status)
{
	int64_t end = now_ms() + timeout_ms;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return 1;	/* not ours, or already reaped */
		if (now_ms() >= end)
			return 0;
		sleep_ms(5);
	}
}

int
harness_run(char *const *argv, char *const *envp, int fd_in, int fd_out,
    int fd_err, int timeout_ms)
{
	int status = 0;
	pid_t pid;

	if ((pid = spawn(argv, envp, fd_in, fd_out, fd_err, 0)) == -1)
		return -1;
	if (!wait_bounded(pid, timeout_ms, &status)) {
		harness_say("%s: still running after %d ms, killed", argv[0], timeout_ms);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return exit_code(status);
}

/* ---- files ---- */

char *
harness_read_file(const char *path, size_t max, size_t *lenp)
{
	char *buf = NULL, *ret = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (cap - len < 4096 + 1) {
			char *nb;

			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL)
				goto out;
			buf = nb;
		}
		n = read(fd, buf + len, (cap - len - 1) < max - len ?
		    cap - len - 1 : max - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len >= max)
			break;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	ret = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void
rm_tree(const char *path)
{
	(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh folder "<TMPDIR or /tmp>/<prefix>XXXXXX", kept short because
 * unix socket paths are (sun_path is 108 bytes).  Caller frees. */
static char *
make_tmpdir(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL || *base != '/' || strlen(base) > 48)
		base = "/tmp";
	if ((path = harness_asprintf("%s/%sXXXXXX", base, prefix)) == NULL)
		return NULL;
	if (mkdtemp(path) == NULL) {
		harness_say("mkdtemp %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

int
harness_random_hex(char *buf, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[256];
	int fd, ret = -1;

	if (nbytes > sizeof(raw))
		return -1;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (read(fd, raw, nbytes) != (ssize_t)nbytes)
		goto out;
	for (size_t i = 0; i < nbytes; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 0xf];
	}
	buf[2 * nbytes] = '\0';
	ret = 0;
out:
	close(fd);
	return ret;
}

/* A loopback port nobody listens on right now (it may be taken before
 * the server binds it: harness_start retries).  0 on failure. */
static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, port = 0;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

const char *
harness_lighttpd_path(void)
{
	const char *p = getenv("FU_LIGHTTPD");

	return p != NULL && *p != '\0' ? p : FU_LIGHTTPD;
}

/* Checks that the programs are built and the server is there. */
static int
check_build(enum server server)
{
	char path[PATH_MAX];

	for (size_t i = 0; programs[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/cgi-bin/%s", FU_BINARY_DIR, programs[i]);
		if (access(path, X_OK) != 0) {
			harness_say("%s is missing: build the programs first", path);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/bin/fcgi-users", FU_BINARY_DIR);
	if (access(path, X_OK) != 0) {
		harness_say("%s is missing: build it first", path);
		return -1;
	}
	if (server == SERVER_APACHE || server == SERVER_APACHE_CGI)
		return harness_apache_check(server == SERVER_APACHE_CGI);
	if (server == SERVER_NGINX)
		return harness_servers_check(server);
	if (access(harness_lighttpd_path(), X_OK) != 0) {
		harness_say("lighttpd not found at %s (set FU_LIGHTTPD)", harness_lighttpd_path());
		return -1;
	}
	return 0;
}

/* The server asked for: opts.server, else FU_SERVER, else lighttpd; -1
 * after saying why for any other name. */
static int
pick_server(const struct harness_opts *o)
{
	const char *name = o->server;

	if (name == NULL && (name = getenv("FU_SERVER")) != NULL && *name == '\0')
		name = NULL;
	if (name == NULL)
		return SERVER_LIGHTTPD;
	for (int i = 0; i < SERVER__MAX; i++)
		if (strcmp(name, server_names[i]) == 0)
			return i;
	harness_say("unknown server \"%s\" (lighttpd, apache, cgi, apache-cgi, "
	    "nginx, lighttpd-prod)", name);
	return -1;
}

/*
 * FU_CGI_BIN, the programs' folder; under FU_VALGRIND with lighttpd,
 * prefixed with valgrind's command line: dev.conf's bin-paths are
 * FU_CGI_BIN + "/auth.fcgi" ..., and lighttpd splits a bin-path into
 * words, so each is "valgrind <options> <build>/cgi-bin/auth.fcgi".
 */
static int
set_cgi_bin(struct harness *h)
{
	char *vg = NULL;
	int rc;

	if (harness_valgrind() && h->server != SERVER_LIGHTTPD)
		harness_say("FU_VALGRIND: only lighttpd starts the programs under "
		    "valgrind; with %s only the admin tool runs under it",
		    server_names[h->server]);
	else if (harness_valgrind() &&
	    (vg = harness_valgrind_cmd(h->tmpdir)) == NULL)
		return -1;
	rc = env_setf(&h->env, "FU_CGI_BIN=%s%s%s/cgi-bin", vg != NULL ? vg : "",
	    vg != NULL ? " " : "", FU_BINARY_DIR);
	free(vg);
	return rc;
}

/* The programs' environment: passthrough, the server's, defaults, opts. */
static int
build_env(struct harness *h, const struct harness_opts *o)
{
	char secret[65];
	const char *v;

	for (size_t i = 0; passthrough[i] != NULL; i++)
		if ((v = getenv(passthrough[i])) != NULL &&
		    env_setf(&h->env, "%s=%s", passthrough[i], v) == -1)
			return -1;
	if (getenv("PATH") == NULL &&
	    env_apply(&h->env, "PATH=/usr/local/bin:/usr/bin:/bin") == -1)
		return -1;
	if (harness_random_hex(secret, 32) == -1) {
		harness_say("cannot read /dev/urandom");
		return -1;
	}
	if (set_cgi_bin(h) == -1 ||
	    env_setf(&h->env, "FU_DATA=%s", h->tmpdir) == -1 ||
	    env_setf(&h->env, "FU_PROCS=%d", h->procs) == -1 ||
	    env_setf(&h->env, "FU_ERRORLOG=%s", h->log_path) == -1 ||
	    ((h->server == SERVER_APACHE || h->server == SERVER_APACHE_CGI) &&
	    env_setf(&h->env, "FU_APACHE_MODULES=%s",
	    harness_apache_modules()) == -1) ||
	    (h->pg_url != NULL ? env_setf(&h->env, "DATABASE_URL=%s", h->pg_url) :
	    env_setf(&h->env, "DATABASE_URL=%s/fcgi-users.db", h->tmpdir)) == -1 ||
	    env_setf(&h->env, "JWT_SECRET=%s", secret) == -1 ||
	    env_setf(&h->env, "MAIL_OUTBOX_FILE=%s/outbox.jsonl", h->tmpdir) == -1 ||
	    env_apply(&h->env, "LOG_LEVEL=INFO") == -1)
		return -1;
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++)
		if (env_apply(&h->env, o->env[i]) == -1)
			return -1;
	return 0;
}

/* Prints the end of the log on stderr, to explain a failed start. */
static void
dump_log_tail(const struct harness *h)
{
	char *log = harness_read_log(h);
	size_t len;

	if (log == NULL)
		return;
	len = strlen(log);
	harness_say("log %s (last bytes):", h->log_path);
	fputs(len > 4096 ? log + len - 4096 : log, stderr);
	free(log);
}

/*
 * Starts the server and waits for GET /health to answer.  Returns 0 when
 * up, 1 when the server exited at once and the log blames the port (try
 * another), -1 on any other failure.
 */
static int
start_server(struct harness *h)
{
	char conf[PATH_MAX];
	char *argv[10];
	int64_t end = now_ms() + harness_slow_ms(HARNESS_START_TIMEOUT_MS);
	const char *name = server_names[h->server];
	struct http_resp r;
	struct stat st;
	size_t log_start;
	int status, port, flags = SPAWN_GROUP;

	/* Only what this attempt logs tells whether the port was taken. */
	log_start = fstat(h->log_fd, &st) == 0 ? (size_t)st.st_size : 0;
	if ((port = free_port()) == 0) {
		harness_say("no free loopback port");
		return -1;
	}
	snprintf(h->url, sizeof(h->url), "http://127.0.0.1:%d", port);
	h->port = port;
	if (env_setf(&h->env, "FU_PORT=%d", port) == -1)
		return -1;
	switch (h->server) {
	case SERVER_APACHE:
	case SERVER_APACHE_CGI:
		if (harness_apache_prepare(h) == -1)
			return -1;
		snprintf(conf, sizeof(conf), "%s/apache/test-httpd.conf", FU_SOURCE_DIR);
		argv[0] = (char *)harness_apache_path();
		argv[1] = (char *)"-f";
		argv[2] = conf;
		argv[3] = (char *)"-DFOREGROUND";
		argv[4] = h->htaccess ? (char *)"-DFU_HTACCESS" :
		    h->server == SERVER_APACHE_CGI ? (char *)"-DFU_CGI" : NULL;
		argv[5] = NULL;
		/* Apache will not run the programs as root (enter_userns). */
		flags |= SPAWN_USERNS;
		break;
	case SERVER_CGI:
		if (harness_cgi_prepare(h, argv) == -1)
			return -1;
		break;
	case SERVER_LIGHTTPD_PROD:
		if (harness_prod_prepare(h, argv) == -1)
			return -1;
		/* As root it would become www-data; in the namespace it is
		 * an ordinary user, as for Apache, and keeps its ids. */
		flags |= SPAWN_USERNS;
		break;
	case SERVER_NGINX:
		if (harness_nginx_prepare(h, argv) == -1)
			return -1;
		/* nginx as root would switch its workers to nobody. */
		flags |= SPAWN_USERNS;
		break;
	default:
		snprintf(conf, sizeof(conf), "%s/lighttpd/dev.conf", FU_SOURCE_DIR);
		argv[0] = (char *)harness_lighttpd_path();
		argv[1] = (char *)"-D";
		argv[2] = (char *)"-f";
		argv[3] = conf;
		argv[4] = NULL;
		break;
	}
	if ((h->pid = spawn(argv, h->env.v, -1, h->log_fd, h->log_fd, flags)) == -1)
		return -1;
	while (now_ms() < end) {
		if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
			char *log = harness_read_log(h);
			int busy = log != NULL && strlen(log) >= log_start &&
			    strstr(log + log_start, "Address already in use") != NULL;

			free(log);
			h->pid = -1;
			if (busy)
				return 1;
			harness_say("%s exited at start (status %d)", name, exit_code(status));
			dump_log_tail(h);
			return -1;
		}
		if (harness_http_request(h, "GET", "/health", NULL, NULL, 0,
		    harness_slow_ms(1000), 1, &r) == 0) {
			http_resp_free(&r);
			return 0;
		}
		http_resp_free(&r);
		sleep_ms(POLL_MS);
	}
	harness_say("no answer from %s/health within %d ms", h->url,
	    harness_slow_ms(HARNESS_START_TIMEOUT_MS));
	dump_log_tail(h);
	return -1;
}

/* Whether opts.env sets DATABASE_URL (a test that shares or picks one). */
static int
sets_database(const struct harness_opts *o)
{
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++)
		if (strncmp(o->env[i], "DATABASE_URL=", 13) == 0)
			return 1;
	return 0;
}

struct harness *
harness_start(const struct harness_opts *opts)
{
	static const struct harness_opts defaults;
	static const char *const migrate_up[] = { "migrate", "up", NULL };
	const struct harness_opts *o = opts != NULL ? opts : &defaults;
	struct harness *h = NULL, *ret = NULL;
	int rc = -1, server;

	if (o->htaccess)
		server = SERVER_APACHE;
	else if ((server = pick_server(o)) == -1)
		return NULL;
	if (check_build(server) == -1)
		return NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Orphaned FastCGI children are reparented to us, to be reaped. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->server = server;
	h->htaccess = o->htaccess;
	h->procs = o->procs > 0 ? o->procs : 2;
	h->log_fd = -1;
	h->pid = -1;
	/* lighttpd-prod: the log is the programs' own (server.breakagelog),
	 * in the folder its configuration names; lighttpd's own error log
	 * and access log are beside it. */
	if ((h->tmpdir = make_tmpdir("fu-it-")) == NULL ||
	    (h->log_path = harness_asprintf("%s/%s", h->tmpdir,
	    server == SERVER_LIGHTTPD_PROD ? HARNESS_PROD_LOG : "error.log")) == NULL)
		goto out;
	if (server == SERVER_LIGHTTPD_PROD) {
		char *dir = harness_asprintf("%s/log", h->tmpdir);

		if (dir == NULL || mkdir(dir, 0700) == -1) {
			harness_say("%s/log: %s", h->tmpdir, strerror(errno));
			free(dir);
			goto out;
		}
		free(dir);
	}
	if ((h->log_fd = open(h->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1) {
		harness_say("%s: %s", h->log_path, strerror(errno));
		goto out;
	}
	/* PostgreSQL: a database of our own, unless the test names one. */
	if (harness_pg_wanted() && !sets_database(o) && harness_pg_create(h) == -1)
		goto out;
	if (build_env(h, o) == -1) {
		harness_say("cannot build the environment (too many entries?)");
		goto out;
	}
	if (!o->no_migrate && (rc = harness_cli(h, migrate_up)) != 0) {
		harness_say("fcgi-users migrate up failed (status %d)", rc);
		dump_log_tail(h);
		goto out;
	}
	for (int i = 0; i < PORT_TRIES; i++)
		if ((rc = start_server(h)) != 1)
			break;
	if (rc == 1)
		harness_say("%s found its port taken %d times in a row",
		    server_names[h->server], PORT_TRIES);
	if (rc != 0)
		goto out;
	ret = h;
	h = NULL;
out:
	harness_stop(h);
	return ret;
}

pid_t
harness_spawn(char *const *argv, char *const *envp, int fd_out, int fd_err)
{
	return spawn(argv, envp, -1, fd_out, fd_err, SPAWN_GROUP);
}

/* Reaps what is left of process group `pgid` (we are their subreaper). */
void
harness_reap_group(pid_t pgid)
{
	int64_t end = now_ms() + harness_slow_ms(HARNESS_STOP_TIMEOUT_MS);
	int status, killed = 0;

	for (;;) {
		pid_t r = waitpid(-pgid, &status, WNOHANG);

		if (r == -1)
			return;		/* ECHILD: none left */
		if (r > 0)
			continue;
		if (now_ms() >= end) {
			if (killed)
				return;
			harness_say("FastCGI children still running after the server: SIGKILL");
			kill(-pgid, SIGKILL);
			killed = 1;
			end = now_ms() + harness_slow_ms(HARNESS_STOP_TIMEOUT_MS);
		}
		sleep_ms(5);
	}
}

void
harness_stop(struct harness *h)
{
	int status;

	if (h == NULL)
		return;
	if (h->pid > 0) {
		kill(-h->pid, SIGTERM);
		if (!wait_bounded(h->pid, harness_slow_ms(HARNESS_STOP_TIMEOUT_MS),
		    &status)) {
			harness_say("%s still running after SIGTERM: SIGKILL",
			    server_names[h->server]);
			kill(-h->pid, SIGKILL);
			waitpid(h->pid, &status, 0);
		}
		harness_reap_group(h->pid);
	}
	harness_nginx_stop(h);
	harness_pg_drop(h);
	/* Every program has exited: the valgrind logs are complete. */
	if (harness_valgrind() && h->tmpdir != NULL)
		(void)harness_valgrind_check(h->tmpdir);
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	if (h->log_fd != -1)
		close(h->log_fd);
	if (h->tmpdir != NULL) {
		if (getenv("FU_KEEP_TMP") != NULL)
			harness_say("kept %s", h->tmpdir);
		else
			rm_tree(h->tmpdir);
	}
	env_free(&h->env);
	free(h->log_path);
	free(h->tmpdir);
	free(h);
}

int
harness_alive(struct harness *h)
{
	int status;

	if (h == NULL || h->pid <= 0)
		return 0;
	if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
		h->pid = -1;
		return 0;
	}
	return 1;
}

const char *
harness_server(const struct harness *h)
{
	return server_names[h->server];
}

pid_t
harness_pid(const struct harness *h)
{
	return h->pid;
}

int
harness_procs(const struct harness *h)
{
	return h->procs;
}

const char *
harness_url(const struct harness *h)
{
	return h->url;
}

struct harness *
harness_client(const struct harness *h)
{
	struct harness *c;

	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *h;
	c->curl = NULL;
	return c;
}

void
harness_client_free(struct harness *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c);
}

const char *
harness_data_dir(const struct harness *h)
{
	return h->tmpdir;
}

const char *
harness_log_path(const struct harness *h)
{
	return h->log_path;
}

const char *
harness_env(const struct harness *h, const char *name)
{
	ssize_t i = env_find(&h->env, name, strlen(name));

	return i < 0 ? NULL : h->env.v[i] + strlen(name) + 1;
}

char *
harness_read_log(const struct harness *h)
{
	return harness_read_file(h->log_path, HARNESS_LOG_MAX, NULL);
}

char *
harness_wait_log(const struct harness *h, const char *needle, int timeout_ms)
{
	int64_t end = now_ms() + harness_slow_ms(timeout_ms);
	char *log;

	for (;;) {
		if ((log = harness_read_log(h)) == NULL)
			return NULL;
		if (strstr(log, needle) != NULL || now_ms() >= end)
			return log;
		free(log);
		sleep_ms(POLL_MS);
	}
}

int
harness_finish(struct harness **hp)
{
	int rc = 0;

	if (*hp != NULL)
		rc = harness_check_log(*hp);
	harness_stop(*hp);
	*hp = NULL;
	return rc;
}

int
harness_check_log(const struct harness *h)
{
	static const char *const marks[] = {
		"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", NULL
	};
	char *log;
	const char *at = NULL;
	int ret = 0;

	if (h == NULL)
		return 0;	/* a group whose server did not start */
	log = harness_read_log(h);
	if (log == NULL)
		return 0;
	for (size_t i = 0; marks[i] != NULL && at == NULL; i++)
		at = strstr(log, marks[i]);
	if (at != NULL) {
		while (at > log && at[-1] != '\n')
			at--;
		harness_say("sanitizer report in %s:", h->log_path);
		fprintf(stderr, "%.4000s\n", at);
		ret = -1;
	}
	free(log);
	return ret;
}

/* ---- FU_TEST_SKIP: leaving tests out of a registration ---- */

/*
 * Linked with -Wl,--wrap=_cmocka_run_group_tests (fu_integration_test):
 * every cmocka group of an integration test comes through here.  Tests
 * whose names match one of the comma-separated fnmatch(3) patterns of
 * FU_TEST_SKIP are left out (cmocka's own filter takes one pattern); a
 * group left empty is not run at all (no server is started for it).  So
 * one test program can be registered again, against another server, with
 * only the part that says something new there (tests/integration/
 * CMakeLists.txt).  Without FU_TEST_SKIP, nothing changes.
 */
int	__real__cmocka_run_group_tests(const char *, const struct CMUnitTest *,
	    const size_t, CMFixtureFunction, CMFixtureFunction);
int	__wrap__cmocka_run_group_tests(const char *, const struct CMUnitTest *,
	    const size_t, CMFixtureFunction, CMFixtureFunction);

static int
skipped(const char *name, const char *patterns)
{
	char	 pat[256];
	size_t	 n;

	for (const char *p = patterns; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(pat))
			continue;
		memcpy(pat, p, n);
		pat[n] = '\0';
		if (fnmatch(pat, name, 0) == 0)
			return 1;
	}
	return 0;
}

/* FU_VALGRIND's verdict: a group whose programs left a valgrind log
 * that is not clean (printed by harness_stop) fails. */
static int
valgrind_verdict(const char *group, int rc, int failures_before)
{
	int	 bad = harness_valgrind_failures() - failures_before;

	if (bad == 0)
		return rc;
	harness_say("%s: %d valgrind log%s not clean (above): the group fails",
	    group, bad, bad == 1 ? "" : "s");
	return rc != 0 ? rc : 1;
}

int
__wrap__cmocka_run_group_tests(const char *group, const struct CMUnitTest *tests,
    const size_t n, CMFixtureFunction setup, CMFixtureFunction teardown)
{
	const char	*skip = getenv("FU_TEST_SKIP");
	struct CMUnitTest *kept;
	size_t		 k = 0;
	int		 rc, vg_before = harness_valgrind_failures();

	if (skip == NULL || *skip == '\0') {
		rc = __real__cmocka_run_group_tests(group, tests, n, setup, teardown);
		return valgrind_verdict(group, rc, vg_before);
	}
	if ((kept = calloc(n + 1, sizeof(*kept))) == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (skipped(tests[i].name, skip))
			fprintf(stderr, "harness: %s left out (FU_TEST_SKIP)\n", tests[i].name);
		else
			kept[k++] = tests[i];
	}
	rc = k == 0 ? 0 :
	    __real__cmocka_run_group_tests(group, kept, k, setup, teardown);
	free(kept);
	return valgrind_verdict(group, rc, vg_before);
}

/* ---- the admin tool and plain CGI ---- */

static int
cli_run(struct harness *h, const char *const *args, int out_fd, int err_fd)
{
	char *argv[64];
	char prog[PATH_MAX];
	char *vg = NULL, *word, *save = NULL;
	size_t n = 0;
	int rc = -1;

	/* Under FU_VALGRIND: "valgrind <options> fcgi-users ...". */
	if (harness_valgrind()) {
		if ((vg = harness_valgrind_cmd(h->tmpdir)) == NULL)
			return -1;
		for (word = strtok_r(vg, " ", &save); word != NULL && n < 32;
		    word = strtok_r(NULL, " ", &save))
			argv[n++] = word;
	}
	snprintf(prog, sizeof(prog), "%s/bin/fcgi-users", FU_BINARY_DIR);
	argv[n++] = prog;
	for (size_t i = 0; args != NULL && args[i] != NULL; i++) {
		if (n + 1 >= sizeof(argv) / sizeof(argv[0])) {
			harness_say("fcgi-users: too many arguments");
			goto out;
		}
		argv[n++] = (char *)args[i];
	}
	argv[n] = NULL;
	rc = harness_run(argv, h->env.v, -1, out_fd, err_fd,
	    harness_slow_ms(HARNESS_CLI_TIMEOUT_MS));
out:
	free(vg);
	return rc;
}

int
harness_cli(struct harness *h, const char *const *argv)
{
	return cli_run(h, argv, h->log_fd, h->log_fd);
}

int
harness_cli_capture(struct harness *h, const char *const *argv, char **out)
{
	char *path = NULL;
	int fd = -1, rc = -1;

	*out = NULL;
	if ((path = harness_asprintf("%s/cli-out-XXXXXX", h->tmpdir)) == NULL ||
	    (fd = mkostemp(path, O_CLOEXEC)) == -1)
		goto out;
	rc = cli_run(h, argv, fd, h->log_fd);
	if ((*out = harness_read_file(path, HARNESS_BODY_MAX, NULL)) == NULL)
		rc = -1;
out:
	if (fd != -1) {
		close(fd);
		unlink(path);
	}
	free(path);
	return rc;
}

int
harness_cli_result(struct harness *h, const char *const *argv,
    struct cgi_result *out)
{
	char *pout = NULL, *perr = NULL;
	int fout = -1, ferr = -1, ret = -1;

	memset(out, 0, sizeof(*out));
	out->exit_status = -1;
	if ((pout = harness_asprintf("%s/cli-out-XXXXXX", h->tmpdir)) == NULL ||
	    (perr = harness_asprintf("%s/cli-err-XXXXXX", h->tmpdir)) == NULL ||
	    (fout = mkostemp(pout, O_CLOEXEC)) == -1 ||
	    (ferr = mkostemp(perr, O_CLOEXEC)) == -1) {
		harness_say("%s: %s", h->tmpdir, strerror(errno));
		goto out;
	}
	out->exit_status = cli_run(h, argv, fout, ferr);
	if ((out->out = harness_read_file(pout, HARNESS_BODY_MAX, &out->out_len)) == NULL ||
	    (out->err = harness_read_file(perr, HARNESS_BODY_MAX, NULL)) == NULL) {
		harness_say("fcgi-users: cannot read its output");
		goto out;
	}
	/* Into the log too, where harness_check_log() looks for sanitizer reports. */
	(void)write_all(h->log_fd, out->err, strlen(out->err));
	ret = out->exit_status == -1 ? -1 : 0;
out:
	if (fout != -1) {
		close(fout);
		unlink(pout);
	}
	if (ferr != -1) {
		close(ferr);
		unlink(perr);
	}
	free(pout);
	free(perr);
	return ret;
}

int
harness_cgi(const char *program, const char *const *env, const char *in,
    size_t in_len, struct cgi_result *out)
{
	char prog[PATH_MAX];
	char *argv[2] = { prog, NULL };
	char *dir = NULL, *pin = NULL, *pout = NULL, *perr = NULL;
	int fin = -1, fout = -1, ferr = -1, ret = -1;

	memset(out, 0, sizeof(*out));
	if (strchr(program, '/') != NULL)
		snprintf(prog, sizeof(prog), "%s", program);
	else
		snprintf(prog, sizeof(prog), "%s/cgi-bin/%s", FU_BINARY_DIR, program);
	if ((dir = make_tmpdir("fu-cgi-")) == NULL ||
	    (pin = harness_asprintf("%s/in", dir)) == NULL ||
	    (pout = harness_asprintf("%s/out", dir)) == NULL ||
	    (perr = harness_asprintf("%s/err", dir)) == NULL)
		goto out;
	if (in != NULL) {
		/* A regular file, not a pipe: the run cannot block on it. */
		if ((fin = open(pin, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1 ||
		    write_all(fin, in, in_len) == -1 || lseek(fin, 0, SEEK_SET) == -1) {
			harness_say("%s: %s", pin, strerror(errno));
			goto out;
		}
	}
	if ((fout = open(pout, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1 ||
	    (ferr = open(perr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		harness_say("%s: %s", dir, strerror(errno));
		goto out;
	}
	out->exit_status = harness_run(argv, (char *const *)env, fin, fout, ferr,
	    HARNESS_CGI_TIMEOUT_MS);
	if (out->exit_status == -1 ||
	    (out->out = harness_read_file(pout, HARNESS_BODY_MAX, &out->out_len)) == NULL ||
	    (out->err = harness_read_file(perr, HARNESS_BODY_MAX, NULL)) == NULL) {
		harness_say("%s: could not run it or read its output", prog);
		goto out;
	}
	ret = 0;
out:
	if (fin != -1)
		close(fin);
	if (fout != -1)
		close(fout);
	if (ferr != -1)
		close(ferr);
	if (dir != NULL)
		rm_tree(dir);
	free(perr);
	free(pout);
	free(pin);
	free(dir);
	if (ret != 0)
		cgi_result_free(out);
	return ret;
}

void
harness_cgi_env(struct harness_cgi_env *e, const struct harness *h,
    const char *method, const char *uri, int with_secret,
    const char *const *extra)
{
	size_t		 n = 0;
	const char	*v;

	snprintf(e->method, sizeof(e->method), "REQUEST_METHOD=%s", method);
	snprintf(e->uri, sizeof(e->uri), "REQUEST_URI=%s", uri);
	v = harness_env(h, "DATABASE_URL");
	snprintf(e->db, sizeof(e->db), "DATABASE_URL=%s", v != NULL ? v : "");
	v = harness_env(h, "JWT_SECRET");
	snprintf(e->secret, sizeof(e->secret), "JWT_SECRET=%s", v != NULL ? v : "");
	e->v[n++] = e->method;
	e->v[n++] = e->uri;
	e->v[n++] = "SERVER_PROTOCOL=HTTP/1.1";
	e->v[n++] = "PATH=/usr/bin:/bin";
	e->v[n++] = e->db;
	if (with_secret)
		e->v[n++] = e->secret;
	for (size_t i = 0; extra != NULL && extra[i] != NULL &&
	    n + 1 < HARNESS_CGI_ENV_MAX; i++)
		e->v[n++] = extra[i];
	e->v[n] = NULL;
}

void
cgi_result_free(struct cgi_result *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->out_len = 0;
}
