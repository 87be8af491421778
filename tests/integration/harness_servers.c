/*
 * harness_servers: the servers of the harness beyond lighttpd/dev.conf
 * and Apache with mod_fcgid (see harness_int.h): lighttpd running the
 * programs as plain CGI (lighttpd/cgi.conf), Apache doing so with
 * mod_cgid (the environment half; harness_apache.c does the rest),
 * lighttpd with the production configuration (lighttpd/production.conf,
 * its paths and port rewritten), and nginx in front of programs started
 * by spawn-fcgi (nginx/fcgi-users.conf inside nginx/test-nginx.conf).
 * Configurations are copied from the source tree into the test's folder
 * with whole lines or strings replaced; a replacement that finds nothing
 * to replace fails, so a changed file cannot silently keep production
 * paths in a test.
 */
#include "harness.h"
#include "harness_int.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
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
#ifndef FU_NGINX
#define FU_NGINX "/usr/sbin/nginx"
#endif
#ifndef FU_SPAWN_FCGI
#define FU_SPAWN_FCGI "/usr/bin/spawn-fcgi"
#endif
#ifndef FU_MULTIWATCH
#define FU_MULTIWATCH "/usr/bin/multiwatch"
#endif

#define CONF_MAX	(256u * 1024)	/* bytes of a configuration template */
#define SPAWN_TIMEOUT_MS 10000		/* one spawn-fcgi run */
#define STOP_MS		5000		/* SIGTERM to SIGKILL for spawned programs */

static const char *const programs[] = {
	"auth", "users", "geocoding", "mcp", NULL
};

/* One replacement: a line whose first non-blank text begins with `from`
 * becomes `to` (whole), or else every occurrence of `from` in the text. */
struct subst {
	const char	*from;
	char		*to;
	int		 whole_line;
};

static const char *
env_or(const char *name, const char *def)
{
	const char *p = getenv(name);

	return p != NULL && *p != '\0' ? p : def;
}

int
harness_servers_check(enum server server)
{
	if (server != SERVER_NGINX)
		return 0;
	if (access(env_or("FU_NGINX", FU_NGINX), X_OK) != 0) {
		harness_say("nginx not found at %s (set FU_NGINX)", env_or("FU_NGINX",
		    FU_NGINX));
		return -1;
	}
	if (access(env_or("FU_SPAWN_FCGI", FU_SPAWN_FCGI), X_OK) != 0) {
		harness_say("spawn-fcgi not found at %s (set FU_SPAWN_FCGI)",
		    env_or("FU_SPAWN_FCGI", FU_SPAWN_FCGI));
		return -1;
	}
	if (access(env_or("FU_MULTIWATCH", FU_MULTIWATCH), X_OK) != 0) {
		harness_say("multiwatch not found at %s (set FU_MULTIWATCH)",
		    env_or("FU_MULTIWATCH", FU_MULTIWATCH));
		return -1;
	}
	return 0;
}

/* Writes one line (len bytes, without its newline) with the string
 * replacements applied, counting them in used[]. */
static void
put_line(FILE *f, const char *line, size_t len, const struct subst *s, size_t n,
    int *used)
{
	size_t	 i, flen;

	while (len > 0) {
		for (i = 0; i < n; i++) {
			flen = strlen(s[i].from);
			if (!s[i].whole_line && flen <= len &&
			    memcmp(line, s[i].from, flen) == 0)
				break;
		}
		if (i < n) {
			fputs(s[i].to, f);
			used[i]++;
			line += flen;
			len -= flen;
		} else {
			fputc(*line++, f);
			len--;
		}
	}
	fputc('\n', f);
}

/*
 * Copies the template `from` to `to` (mode 0600) with the replacements;
 * 0, or -1 after saying why (a replacement that matched nothing included).
 */
static int
copy_subst(const char *from, const char *to, const struct subst *s, size_t n)
{
	char	*text, *line, *end;
	int	 used[16] = { 0 }, ret = -1;
	size_t	 i, skip;
	FILE	*f = NULL;

	if (n > sizeof(used) / sizeof(used[0]))
		return -1;
	if ((text = harness_read_file(from, CONF_MAX, NULL)) == NULL) {
		harness_say("%s: cannot read it", from);
		return -1;
	}
	if ((f = harness_open_private(to)) == NULL)
		goto out;
	for (line = text; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		skip = strspn(line, " \t");
		for (i = 0; i < n; i++)
			if (s[i].whole_line && (size_t)(end - line) >= skip +
			    strlen(s[i].from) &&
			    strncmp(line + skip, s[i].from, strlen(s[i].from)) == 0)
				break;
		if (i < n) {
			fprintf(f, "%s\n", s[i].to);
			used[i]++;
		} else
			put_line(f, line, (size_t)(end - line), s, n, used);
	}
	ret = harness_close_checked(f, to);
	f = NULL;
	for (i = 0; i < n && ret == 0; i++)
		if (used[i] == 0) {
			harness_say("%s: nothing to replace for \"%s\"", from, s[i].from);
			ret = -1;
		}
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return ret;
}

static void
free_subst(struct subst *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].to);
}

/* 0 when every replacement was made (harness_asprintf gave no NULL). */
static int
subst_ready(const struct subst *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].to == NULL)
			return -1;
	return 0;
}

/* Whether a variable name is one lighttpd's and Apache's configurations
 * can name as it is. */
static int
plain_name(const char *e, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)e[i]) && e[i] != '_')
			return 0;
	return len > 0;
}

/* <data>/cgi-env.conf, one entry per variable of the programs'
 * environment: lighttpd's setenv (value from its own environment) or
 * Apache's PassEnv (the same, by name). */
static int
write_cgi_env(struct harness *h, int apache)
{
	char	*path;
	FILE	*f;
	int	 ret = -1;

	if ((path = harness_asprintf("%s/cgi-env.conf", h->tmpdir)) == NULL ||
	    (f = harness_open_private(path)) == NULL) {
		free(path);
		return -1;
	}
	fputs("# The programs' environment, written by the test harness.\n", f);
	if (!apache)
		fputs("setenv.set-environment = (\n", f);
	for (size_t i = 0; i < h->env.n; i++) {
		const char *e = h->env.v[i];
		size_t len = strcspn(e, "=");

		if (!plain_name(e, len)) {
			harness_say("%.*s: not a name a server configuration takes",
			    (int)len, e);
			fclose(f);
			goto out;
		}
		if (apache)
			fprintf(f, "PassEnv %.*s\n", (int)len, e);
		else
			fprintf(f, "\t\"%.*s\" => env.%.*s,\n", (int)len, e, (int)len, e);
	}
	if (!apache)
		fputs(")\n", f);
	ret = harness_close_checked(f, path);
out:
	free(path);
	return ret;
}

int
harness_apache_cgi_env(struct harness *h)
{
	return write_cgi_env(h, 1);
}

/* argv: lighttpd -D -f conf (conf is h->conf). */
static void
lighttpd_argv(struct harness *h, char **argv)
{
	argv[0] = (char *)harness_lighttpd_path();
	argv[1] = (char *)"-D";
	argv[2] = (char *)"-f";
	argv[3] = h->conf;
	argv[4] = NULL;
}

int
harness_cgi_prepare(struct harness *h, char **argv)
{
	if (write_cgi_env(h, 0) == -1)
		return -1;
	snprintf(h->conf, sizeof(h->conf), "%s/lighttpd/cgi.conf", FU_SOURCE_DIR);
	lighttpd_argv(h, argv);
	return 0;
}

/* <data>/fcgi-users.env: every variable of the programs' environment (the
 * programs take the settings and ignore the rest). */
static int
write_env_file(struct harness *h, const char *path)
{
	FILE	*f;

	if ((f = harness_open_private(path)) == NULL)
		return -1;
	for (size_t i = 0; i < h->env.n; i++) {
		const char *eq = strchr(h->env.v[i], '=');

		harness_put_env_line(f, h->env.v[i], (size_t)(eq - h->env.v[i]), eq + 1);
	}
	return harness_close_checked(f, path);
}

int
harness_prod_prepare(struct harness *h, char **argv)
{
	struct subst s[] = {
		{ "var.fu_programs ", harness_asprintf("var.fu_programs = \"%s/cgi-bin\"",
		    FU_BINARY_DIR), 1 },
		{ "var.fu_env_file ", harness_asprintf("var.fu_env_file = "
		    "\"%s/fcgi-users.env\"", h->tmpdir), 1 },
		{ "var.fu_run ", harness_asprintf("var.fu_run = \"%s\"", h->tmpdir), 1 },
		{ "var.fu_log ", harness_asprintf("var.fu_log = \"%s/log\"", h->tmpdir), 1 },
		{ "server.port ", harness_asprintf("server.port = %d", h->port), 1 },
		{ "server.bind ", harness_asprintf("server.bind = \"127.0.0.1\""), 1 },
	};
	const size_t n = sizeof(s) / sizeof(s[0]);
	char	*env = NULL, *from = NULL;
	int	 ret = -1;

	if (subst_ready(s, n) == -1)
		goto out;
	/* The configuration names the env file; the test cannot. */
	for (size_t i = 0; i < h->env.n; i++)
		if (strncmp(h->env.v[i], "FCGI_USERS_ENV_FILE=", 20) == 0) {
			harness_say("lighttpd-prod passes the programs its own env file "
			    "only: a test that sets FCGI_USERS_ENV_FILE cannot run on it");
			goto out;
		}
	snprintf(h->conf, sizeof(h->conf), "%s/lighttpd-prod.conf", h->tmpdir);
	if ((env = harness_asprintf("%s/fcgi-users.env", h->tmpdir)) == NULL ||
	    (from = harness_asprintf("%s/lighttpd/production.conf", FU_SOURCE_DIR)) == NULL ||
	    write_env_file(h, env) == -1 || copy_subst(from, h->conf, s, n) == -1)
		goto out;
	lighttpd_argv(h, argv);
	ret = 0;
out:
	free_subst(s, n);
	free(env);
	free(from);
	return ret;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Waits up to SPAWN_TIMEOUT_MS for the unix socket at path to exist. */
static int
wait_socket(const char *path, pid_t pid)
{
	struct stat st;
	int	 status;

	for (int waited = 0; waited < SPAWN_TIMEOUT_MS; waited += 5) {
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			harness_say("spawn-fcgi for %s exited at start", path);
			return -1;
		}
		sleep_ms(5);
	}
	harness_say("%s: no socket after %d ms", path, SPAWN_TIMEOUT_MS);
	return -1;
}

/* A process's parent from /proc/<pid>/stat; -1 when it cannot be read. */
static long
parent_of(long pid)
{
	char	 path[64], stat[512], *p;
	FILE	*f;
	size_t	 n;
	long	 ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	/* pid (comm) state ppid ...: comm may hold anything but ')'. */
	if ((p = strrchr(stat, ')')) == NULL || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

/*
 * How many processes run the executable `exe` (a real path) below
 * `ancestor` (its children, or theirs, a few generations down: mod_fcgid's
 * process manager is a child of Apache's parent).
 */
static int
count_below(pid_t ancestor, const char *exe)
{
	char	 path[300], link[PATH_MAX];
	DIR	*d;
	struct dirent *e;
	ssize_t	 n;
	long	 pid, up;
	int	 count = 0, depth;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, exe) != 0)
			continue;
		pid = strtol(e->d_name, NULL, 10);
		for (depth = 0, up = pid; depth < 4 && up > 1; depth++)
			if ((up = parent_of(up)) == (long)ancestor) {
				count++;
				break;
			}
	}
	closedir(d);
	return count;
}

int
harness_count_programs(const struct harness *h, const char *program)
{
	char	 prog[PATH_MAX], real[PATH_MAX];
	int	 n, total;

	snprintf(prog, sizeof(prog), "%s/cgi-bin/%s", FU_BINARY_DIR, program);
	if (realpath(prog, real) == NULL)
		return -1;
	if (h->n_spawned == 0)
		return h->pid > 0 ? count_below(h->pid, real) : -1;
	for (size_t i = total = 0; i < h->n_spawned; i++) {
		if ((n = count_below(h->spawned[i], real)) < 0)
			return -1;
		total += n;
	}
	return total;
}

/*
 * Waits until multiwatch (pid) runs `want` copies of the program: a
 * signal that reaches a child between its fork and its exec is lost (it
 * still has multiwatch's handlers), and that program would then never
 * stop; the start is also only complete then.
 */
static int
wait_children(pid_t pid, const char *prog, int want)
{
	char	 real[PATH_MAX];

	if (realpath(prog, real) == NULL) {
		harness_say("%s: %s", prog, strerror(errno));
		return -1;
	}
	for (int waited = 0; waited < SPAWN_TIMEOUT_MS; waited += 5) {
		if (count_below(pid, real) >= want)
			return 0;
		sleep_ms(5);
	}
	harness_say("multiwatch did not start %d of %s within %d ms", want, prog,
	    SPAWN_TIMEOUT_MS);
	return -1;
}

/*
 * For each program, as a systemd unit would (docs/deploy-nginx.md):
 *
 *   spawn-fcgi -n -s <data>/<p>.sock -- multiwatch -f procs -- <cgi-bin>/<p>.fcgi
 *
 * spawn-fcgi binds the socket and, with -n, becomes multiwatch, which
 * forks the processes on it and keeps them; their stderr is the log.
 * (spawn-fcgi's own forking, -F, sends the programs' stderr to /dev/null
 * and leaves them in sessions of their own.)  Each is a process group of
 * ours, with the parent-death signal: should the test die, multiwatch
 * gets SIGTERM and ends its programs.
 */
static int
spawn_programs(struct harness *h)
{
	char	 sock[PATH_MAX], prog[PATH_MAX], procs[16];
	char	*argv[] = { (char *)env_or("FU_SPAWN_FCGI", FU_SPAWN_FCGI),
		    (char *)"-n", (char *)"-s", sock, (char *)"--",
		    (char *)env_or("FU_MULTIWATCH", FU_MULTIWATCH), (char *)"-f",
		    procs, (char *)"--", prog, NULL };
	pid_t	 pid;

	snprintf(procs, sizeof(procs), "%d", h->procs);
	for (size_t i = 0; programs[i] != NULL; i++) {
		snprintf(sock, sizeof(sock), "%s/%s.sock", h->tmpdir, programs[i]);
		snprintf(prog, sizeof(prog), "%s/cgi-bin/%s.fcgi", FU_BINARY_DIR,
		    programs[i]);
		if ((pid = harness_spawn(argv, h->env.v, h->log_fd, h->log_fd)) == -1)
			return -1;
		h->spawned[h->n_spawned++] = pid;
		if (wait_socket(sock, pid) == -1)
			return -1;
	}
	/* spawn-fcgi became multiwatch: same pid. */
	for (size_t i = 0; programs[i] != NULL; i++) {
		snprintf(prog, sizeof(prog), "%s/cgi-bin/%s.fcgi", FU_BINARY_DIR,
		    programs[i]);
		if (wait_children(h->spawned[i], prog, h->procs) == -1)
			return -1;
	}
	return 0;
}

int
harness_nginx_prepare(struct harness *h, char **argv)
{
	struct subst site[] = {
		{ "listen 80;", harness_asprintf("listen 127.0.0.1:%d;", h->port), 1 },
		{ "listen [::]:80;", harness_asprintf("# (IPv6: not in the tests)"), 1 },
		{ "/run/fcgi-users/", harness_asprintf("%s/", h->tmpdir), 0 },
		{ "/var/log/nginx/", harness_asprintf("%s/", h->tmpdir), 0 },
		{ "/var/www/fcgi-users-empty", harness_asprintf("%s/no-static-files",
		    h->tmpdir), 0 },
	};
	struct subst top[] = {
		{ "@FU_DATA@", harness_asprintf("%s", h->tmpdir), 0 },
		{ "@FU_ERRORLOG@", harness_asprintf("%s", h->log_path), 0 },
	};
	const size_t ns = sizeof(site) / sizeof(site[0]);
	const size_t nm = sizeof(top) / sizeof(top[0]);
	char	*from = NULL, *to = NULL;
	int	 ret = -1;

	if (subst_ready(site, ns) == -1 || subst_ready(top, nm) == -1)
		goto out;
	if (h->n_spawned == 0 && spawn_programs(h) == -1)
		goto out;
	if ((from = harness_asprintf("%s/nginx/fcgi-users.conf", FU_SOURCE_DIR)) == NULL ||
	    (to = harness_asprintf("%s/nginx-site.conf", h->tmpdir)) == NULL ||
	    copy_subst(from, to, site, ns) == -1)
		goto out;
	free(from);
	if ((from = harness_asprintf("%s/nginx/test-nginx.conf", FU_SOURCE_DIR)) == NULL)
		goto out;
	snprintf(h->conf, sizeof(h->conf), "%s/nginx.conf", h->tmpdir);
	if (copy_subst(from, h->conf, top, nm) == -1)
		goto out;
	snprintf(h->prefix, sizeof(h->prefix), "%s/", h->tmpdir);
	argv[0] = (char *)env_or("FU_NGINX", FU_NGINX);
	argv[1] = (char *)"-p";
	argv[2] = h->prefix;
	argv[3] = (char *)"-c";
	argv[4] = h->conf;
	argv[5] = (char *)"-e";
	argv[6] = h->log_path;
	argv[7] = NULL;
	ret = 0;
out:
	free_subst(site, ns);
	free_subst(top, nm);
	free(from);
	free(to);
	return ret;
}

void
harness_nginx_stop(struct harness *h)
{
	int	 status, left, waited = 0;

	if (h == NULL || h->n_spawned == 0)
		return;
	/* multiwatch passes SIGTERM on to its programs and exits once they
	 * have.  Not to the whole group: a program that dies of it before
	 * multiwatch has seen its own is restarted, and outlives it. */
	for (size_t i = 0; i < h->n_spawned; i++)
		(void)kill(h->spawned[i], SIGTERM);
	do {
		left = 0;
		for (size_t i = 0; i < h->n_spawned; i++)
			if (h->spawned[i] > 0 &&
			    waitpid(h->spawned[i], &status, WNOHANG) == 0)
				left++;
		if (left > 0) {
			sleep_ms(5);
			waited += 5;
		}
	} while (left > 0 && waited < STOP_MS);
	if (left > 0)
		harness_say("%d spawn-fcgi program group(s) still running: SIGKILL", left);
	for (size_t i = 0; i < h->n_spawned; i++) {
		if (left > 0)
			(void)kill(-h->spawned[i], SIGKILL);
		harness_reap_group(h->spawned[i]);
	}
	h->n_spawned = 0;
}
