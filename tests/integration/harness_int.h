/*
 * harness_int: what harness.c (servers, processes, the log, the admin tool,
 * plain CGI) and harness_http.c (requests through libcurl and the parsed
 * answers) share, and nothing outside them includes: the layout of struct
 * harness and the helpers both use.  The API is harness.h.
 */
#ifndef FCGI_USERS_HARNESS_INT_H
#define FCGI_USERS_HARNESS_INT_H

#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "harness.h"

#define ENV_MAX		256	/* entries in a child's environment */

struct envv {
	char	*v[ENV_MAX + 1];	/* "K=V", NULL-terminated */
	size_t	 n;
};

enum server {
	SERVER_LIGHTTPD,
	SERVER_APACHE,
	SERVER__MAX
};

struct harness {
	enum server	 server;
	int		 htaccess;	/* harness_opts.htaccess */
	char		*tmpdir;
	char		*log_path;
	char		 url[64];
	int		 log_fd;
	pid_t		 pid;		/* the web server, leader of its process group */
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

/* harness_apache.c: the Apache binary (FU_APACHE, else CMake's find). */
const char *harness_apache_path(void);
/* The folder of Apache's modules (FU_APACHE_MODULES, else CMake's find). */
const char *harness_apache_modules(void);
/* Whether Apache and mod_fcgid are there; 0, or -1 after saying why. */
int	 harness_apache_check(void);
/* Before each start: the empty document root and <data>/fcgid-env.conf
 * (the programs' environment as FcgidInitialEnv lines), or with
 * h->htaccess the shared host's document root; 0, or -1 after saying why
 * (a value mod_fcgid cannot pass, for one). */
int	 harness_apache_prepare(struct harness *);

/* harness_pg.c: 1 when FU_DATABASE=postgres, else 0. */
int	 harness_pg_wanted(void);
/* A new database for h in the test run's cluster (h->pg_db, h->pg_url);
 * 0, or -1 after saying why. */
int	 harness_pg_create(struct harness *);
/* Drops h's database (unless FU_KEEP_TMP); accepts none. */
void	 harness_pg_drop(struct harness *);

#endif
