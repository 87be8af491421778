/*
 * harness_int: what harness.c (servers, processes, the log, the admin tool,
 * plain CGI) and harness_http.c (requests through libcurl and the parsed
 * answers) share, and nothing outside them includes: the layout of struct
 * harness and the helpers both use.  The API is harness.h.
 */
#ifndef FCGI_USERS_HARNESS_INT_H
#define FCGI_USERS_HARNESS_INT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "harness.h"

#define ENV_MAX		256	/* entries in a child's environment */

struct envv {
	char	*v[ENV_MAX + 1];	/* "K=V", NULL-terminated */
	size_t	 n;
};

enum server {
	SERVER_LIGHTTPD,	/* lighttpd/dev.conf, mod_fastcgi */
	SERVER_APACHE,		/* apache/test-httpd.conf, mod_fcgid */
	SERVER_CGI,		/* lighttpd/cgi.conf, mod_cgi: a process per request */
	SERVER_APACHE_CGI,	/* apache/test-httpd.conf -DFU_CGI, mod_cgi */
	SERVER_NGINX,		/* nginx/, programs started by spawn-fcgi */
	SERVER_LIGHTTPD_PROD,	/* lighttpd/production.conf, paths rewritten */
	SERVER__MAX
};

#define SPAWNED_MAX	8	/* spawn-fcgi runs (nginx): one per program */

struct harness {
	enum server	 server;
	int		 htaccess;	/* harness_opts.htaccess */
	int		 procs;		/* processes per program */
	char		*tmpdir;
	char		*log_path;
	char		 url[64];
	int		 port;
	int		 log_fd;
	pid_t		 pid;		/* the web server, leader of its process group */
	pid_t		 spawned[SPAWNED_MAX];	/* nginx: spawn-fcgi + multiwatch, each a group */
	size_t		 n_spawned;
	char		 conf[4096];	/* the server's configuration file */
	char		 prefix[4096];	/* nginx: its prefix folder, with a '/' */
	CURL		*curl;
	struct envv	 env;
	char		*pg_db;		/* harness_pg.c: our database, or NULL */
	char		*pg_url;	/* its URL, the programs' DATABASE_URL */
};

/* Prints "harness: ", the message and a newline on stderr. */
void	 harness_say(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* A malloc'ed printf; NULL when out of memory. */
char	*harness_asprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * harness_request with a timeout of its own; `quiet` leaves a failure
 * unreported (start-up polls GET /health until it answers).  Returns 0
 * when an HTTP answer came, else -1 with out->status 0; free out with
 * http_resp_free() either way.
 */
int	 harness_http_request(struct harness *h, const char *method,
	    const char *path, const char *const *headers, const char *body,
	    size_t body_len, long timeout_ms, int quiet, struct http_resp *out);

/*
 * Runs argv to completion within timeout_ms, with envp and 0/1/2 from the
 * fds (-1: /dev/null); returns the exit status (128 + signal), or -1.
 */
int	 harness_run(char *const *argv, char *const *envp, int fd_in, int fd_out,
	    int fd_err, int timeout_ms);
/* Starts argv with envp as the leader of its own process group (0 from
 * /dev/null, 1 and 2 the fds, -1: /dev/null), with the parent-death
 * signal set; returns its pid, or -1. */
pid_t	 harness_spawn(char *const *argv, char *const *envp, int fd_out, int fd_err);
/* Reaps what is left of process group `pgid` (SIGKILL after
 * HARNESS_STOP_TIMEOUT_MS); the test process is their subreaper. */
void	 harness_reap_group(pid_t pgid);
/* A whole file (at most max bytes), NUL-terminated, its length in *lenp
 * (may be NULL); caller frees.  NULL when it cannot be read. */
char	*harness_read_file(const char *path, size_t max, size_t *lenp);
/* Opens `path` for writing, mode 0600 (it may hold JWT_SECRET); NULL after
 * saying why. */
FILE	*harness_open_private(const char *path);
/* fclose(f) after fflush; 0, or -1 after saying the file could not be written. */
int	 harness_close_checked(FILE *f, const char *path);
/* Writes one env-file line NAME="value" with config.h's escapes. */
void	 harness_put_env_line(FILE *f, const char *name, size_t nlen, const char *v);

/* The lighttpd binary (FU_LIGHTTPD, else CMake's find). */
const char *harness_lighttpd_path(void);

/* harness_apache.c: the Apache binary (FU_APACHE, else CMake's find). */
const char *harness_apache_path(void);
/* The folder of Apache's modules (FU_APACHE_MODULES, else CMake's find). */
const char *harness_apache_modules(void);
/* Whether Apache and mod_fcgid (with cgi: mod_cgi) are there; 0, or -1
 * after saying why. */
int	 harness_apache_check(int cgi);
/* Before each start: the empty document root and <data>/fcgid-env.conf
 * (the programs' environment as FcgidInitialEnv lines), or with
 * h->htaccess the shared host's document root; 0, or -1 after saying why
 * (a value mod_fcgid cannot pass, for one). */
int	 harness_apache_prepare(struct harness *);


/*
 * harness_servers.c: the other servers.  Each prepare runs before each
 * start attempt (h->port is set) and fills argv (at most 8 entries and a
 * NULL) with the server's command line, pointing into h or static
 * strings; 0, or -1 after saying why.
 *
 * cgi: lighttpd/cgi.conf and <data>/cgi-env.conf (setenv of every
 * variable, since mod_cgi passes none of lighttpd's environment);
 * apache-cgi: <data>/cgi-env.conf with PassEnv lines; lighttpd-prod:
 * <data>/lighttpd-prod.conf (lighttpd/production.conf with its var.fu_*,
 * server.port and server.bind lines rewritten) and the env file it names;
 * nginx: the programs started by spawn-fcgi on <data>/<program>.sock (once),
 * <data>/nginx.conf and <data>/nginx-site.conf (nginx/fcgi-users.conf with
 * its paths and port rewritten).
 */
int	 harness_servers_check(enum server);
int	 harness_cgi_prepare(struct harness *, char **argv);
int	 harness_apache_cgi_env(struct harness *);
int	 harness_prod_prepare(struct harness *, char **argv);
int	 harness_nginx_prepare(struct harness *, char **argv);
/* Stops what spawn-fcgi started (SIGTERM, then SIGKILL) and reaps it. */
void	 harness_nginx_stop(struct harness *);
/* The programs' log for lighttpd-prod (server.breakagelog), under tmpdir. */
#define HARNESS_PROD_LOG	"log/fcgi-users-programs.log"
/* A new database for h in the test run's cluster (h->pg_db, h->pg_url);
 * 0, or -1 after saying why. */
int	 harness_pg_create(struct harness *);
/* Drops h's database (unless FU_KEEP_TMP); accepts none. */
void	 harness_pg_drop(struct harness *);

/*
 * harness_valgrind.c: FU_VALGRIND (harness.h).  harness_valgrind_cmd():
 * valgrind and its options as one line of blank-separated words, logging
 * to <dir>/valgrind-%p.log (caller frees); NULL after saying why.
 * harness_valgrind_check(): reads every <dir>/valgrind-*.log, prints the
 * ones that are not clean with an excerpt, and returns how many (added
 * to harness_valgrind_failures()).
 */
char	*harness_valgrind_cmd(const char *dir);
int	 harness_valgrind_check(const char *dir);
int	 harness_valgrind_failures(void);

#endif
