/*
 * harness: the integration-test harness.  It starts the four fcgi-users
 * programs behind a real web server — lighttpd with lighttpd/dev.conf, or
 * Apache 2.4 with mod_fcgid and apache/test-httpd.conf; or one of the
 * other deployment recipes: plain CGI through lighttpd's mod_cgi
 * (lighttpd/cgi.conf) or Apache's (test-httpd.conf -DFU_CGI), nginx in
 * front of programs started by spawn-fcgi and multiwatch (nginx/), or
 * lighttpd with lighttpd/production.conf as shipped — on a free
 * loopback port, with a fresh temporary data folder (database, sockets,
 * log), sends HTTP requests with libcurl exactly as given (any
 * method, raw body, path bytes untouched, no redirects followed, bounded
 * time), reads the log the programs write, runs the admin tool with the
 * same settings, and runs a program directly as plain CGI.
 *
 * The programs' environment is built from scratch, never from the test's
 * own settings: PATH, HOME, TMPDIR, LANG, LC_ALL, TZ and the sanitizer
 * option variables are passed through; then come the web server's
 * variables (FU_PORT, FU_CGI_BIN, FU_DATA, FU_PROCS, FU_ERRORLOG); then the
 * defaults
 *
 *	DATABASE_URL=<data>/fcgi-users.db
 *	JWT_SECRET=<64 random hex digits>
 *	MAIL_OUTBOX_FILE=<data>/outbox.jsonl	(mail lands there; unset it for SMTP)
 *	LOG_LEVEL=INFO
 *
 * then harness_opts.env in order.  An entry "NAME=VALUE" sets NAME, an
 * entry "NAME" (no '=') removes it.  The test process's own environment is
 * never changed (the variables are set in the forked child only).
 *
 * lighttpd hands the programs its whole environment.  Under Apache,
 * mod_fcgid hands them only PATH and LD_LIBRARY_PATH of its own, so the
 * harness writes every other variable as a FcgidInitialEnv line into
 * <data>/fcgid-env.conf, which apache/test-httpd.conf includes: the
 * programs see the same environment either way.  mod_fcgid cuts values to
 * 127 bytes, so a longer value (a PEM key), or one holding '"', '\', '$'
 * or a newline, goes into an env file named by FCGI_USERS_ENV_FILE
 * instead: only settings can be passed that way, and not when the test
 * sets FCGI_USERS_ENV_FILE itself (harness_start() then fails).  When the
 * test runs as root, Apache is started in a user namespace where it is an
 * ordinary user (Apache will not run programs as root; see harness.c).
 *
 * The other servers pass the same environment their own way: plain CGI
 * gets it from <data>/cgi-env.conf (lighttpd's setenv, Apache's PassEnv,
 * each naming the server's own variable); nginx's programs inherit it
 * from spawn-fcgi; lighttpd-prod's programs get FCGI_USERS_ENV_FILE only,
 * naming <data>/fcgi-users.env, which holds every variable (a test that
 * sets FCGI_USERS_ENV_FILE cannot run there), and its log (the programs'
 * stderr, server.breakagelog) is <data>/log/fcgi-users-programs.log.
 *
 * Environment of the test run: FU_SERVER (lighttpd, apache, cgi,
 * apache-cgi, nginx, lighttpd-prod) picks the server when
 * harness_opts.server is NULL (default lighttpd), so one test program runs
 * against any; FU_KEEP_TMP=1 keeps the temporary folders (their paths are
 * printed on stderr); FU_LIGHTTPD, FU_APACHE, FU_APACHE_MODULES, FU_NGINX,
 * FU_SPAWN_FCGI and FU_MULTIWATCH name the binaries and the folder of
 * Apache's modules (default: what CMake found).  The build and
 * source folders come from the compile definitions FU_BINARY_DIR and
 * FU_SOURCE_DIR.
 *
 * FU_VALGRIND=1 runs the programs under valgrind's memcheck when the
 * server is lighttpd (lighttpd/dev.conf's bin-paths then start with
 * "valgrind <options>", through FU_CGI_BIN), and the admin tool under any
 * server; each process logs to <data>/valgrind-<pid>.log (FU_VALGRIND_OPTS
 * adds options, e.g. --track-origins=yes).  harness_stop(), once the
 * server and the programs have exited and written their leak summaries,
 * reads those logs: any with errors (ERROR SUMMARY not 0), bytes
 * "definitely lost", or no summary at all (killed) is printed, and the
 * cmocka group that ran fails; FU_VALGRIND_TALLY=<file> gets a line of
 * counts per harness_stop() (scripts/memcheck adds them up).
 * Suppressions: tests/valgrind.supp.  The harness's own waits (start,
 * stop, requests, the admin tool, harness_wait_log) are then
 * harness_slow_ms() of their bounds.  scripts/memcheck runs the suites
 * this way.
 *
 * Functions that can fail print one line saying why on stderr.
 */
#ifndef FCGI_USERS_HARNESS_H
#define FCGI_USERS_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

struct json_object;
struct harness;

#define HARNESS_START_TIMEOUT_MS	10000	/* until GET /health answers */
#define HARNESS_STOP_TIMEOUT_MS		5000	/* SIGTERM, then SIGKILL */
#define HARNESS_REQUEST_TIMEOUT_MS	10000	/* one HTTP request */
#define HARNESS_CLI_TIMEOUT_MS		30000	/* one fcgi-users run */
#define HARNESS_CGI_TIMEOUT_MS		10000	/* one plain CGI run */
#define HARNESS_BODY_MAX		(64u * 1024 * 1024)	/* response bytes kept */
#define HARNESS_LOG_MAX			(64u * 1024 * 1024)	/* log bytes read */

struct harness_opts {
	const char		*server;	/* a server's name (above); NULL: $FU_SERVER, else lighttpd */
	const char *const	*env;		/* "K=V" sets, "K" unsets; NULL-terminated; may be NULL */
	int			 procs;		/* FastCGI processes per program; 0: 2 */
	int			 no_migrate;	/* do not run `fcgi-users migrate up` first */
	/*
	 * Apache as a shared host (whatever server and FU_SERVER say): the
	 * document root <data>/public_html holds apache/htaccess as .htaccess,
	 * cgi-bin/ with copies of the programs, and fcgi-users-data/ with
	 * fcgi-users.env, every setting of the programs' environment; the
	 * programs get no other environment and find that file themselves.
	 */
	int			 htaccess;
};

/*
 * Starts a server.  Returns the harness, or NULL after printing why (the
 * web server's log is printed too when it started and then failed).  The
 * server is up once GET /health got any HTTP answer, 503 included.
 * `opts` may be NULL for all defaults.  Free with harness_stop().
 */
struct harness	*harness_start(const struct harness_opts *opts);
/*
 * Stops the web server and its FastCGI children (SIGTERM to the process
 * group, SIGKILL after HARNESS_STOP_TIMEOUT_MS), waits for it and removes
 * the temporary folder unless FU_KEEP_TMP is set.  Accepts NULL.
 */
void		 harness_stop(struct harness *);
/* 1 while the web server process is running, else 0. */
int		 harness_alive(struct harness *);

/* The server it runs: "lighttpd", "apache", "cgi", "apache-cgi", "nginx"
 * or "lighttpd-prod" (for the few cases where the servers answer
 * differently by design; say why where it is used). */
const char	*harness_server(const struct harness *);
/* The web server's pid (its programs are its children, or with nginx
 * spawn-fcgi's); -1 when it is not running. */
pid_t		 harness_pid(const struct harness *);
/* 1 when FU_VALGRIND asks for the programs under valgrind, else 0. */
int		 harness_valgrind(void);
/* A time bound stretched for valgrind: ms, times 10 under FU_VALGRIND. */
int		 harness_slow_ms(int ms);
/* The processes per program it was started with (harness_opts.procs). */
int		 harness_procs(const struct harness *);
/* How many processes of `program` ("users.fcgi") run under the server
 * (under spawn-fcgi's multiwatch for nginx) right now; -1 on error. */
int		 harness_count_programs(const struct harness *, const char *program);
/* "http://127.0.0.1:PORT" (no trailing slash). */
const char	*harness_url(const struct harness *);
/* The temporary data folder: database, sockets, log. */
const char	*harness_data_dir(const struct harness *);
/* The one file holding the web server's error log and the programs' stderr. */
const char	*harness_log_path(const struct harness *);
/* The value the harness gave NAME in the programs' environment, or NULL. */
const char	*harness_env(const struct harness *, const char *name);

/*
 * Another client of h for another thread: the same server and settings
 * with a libcurl handle of its own (one harness's requests must not run
 * in two threads at once).  NULL when out of memory.  Free it with
 * harness_client_free() before harness_stop(h); never harness_stop() it.
 */
struct harness	*harness_client(const struct harness *);
void		 harness_client_free(struct harness *);

/* The whole log (NUL-terminated, at most HARNESS_LOG_MAX bytes); caller frees.
 * NULL when it cannot be read. */
char		*harness_read_log(const struct harness *);
/*
 * Waits up to timeout_ms for the log to contain `needle` (programs may log
 * a request's access line just after answering it).  Returns the whole log
 * (caller frees) whether or not the needle showed up, or NULL on a read error.
 */
char		*harness_wait_log(const struct harness *, const char *needle,
		    int timeout_ms);

/*
 * Whether the log holds a sanitizer report (AddressSanitizer,
 * LeakSanitizer, UBSan "runtime error:") from a program built with
 * FCGI_USERS_SANITIZE: 0 when clean, else -1 after printing the report's
 * first lines on stderr.  Tests call it before harness_stop().  Accepts
 * NULL (0): a group teardown after a failed start.
 */
int		 harness_check_log(const struct harness *);
/* A test's end: harness_check_log, then harness_stop, then *hp = NULL
 * (NULL is fine).  Returns harness_check_log's answer. */
int		 harness_finish(struct harness **hp);

struct http_hdr {
	char	*name;
	char	*value;		/* leading and trailing blanks removed */
};

struct http_resp {
	long		 status;	/* 0 when no HTTP answer came */
	char		*body;		/* NUL-terminated, body_len bytes (may hold NULs) */
	size_t		 body_len;
	struct json_object *json;	/* the body parsed, when it is one whole JSON text */
	char		*headers;	/* raw header block of the final response */
	/* private: the parsed header lines */
	struct http_hdr	*hdr;
	size_t		 n_hdr;
};

/*
 * Sends one request: `method` as given (HEAD is sent without waiting for a
 * body), `path` appended to the URL byte for byte (so "%zz", "%00", "..",
 * a query), `headers` "Name: value" lines (NULL-terminated, may be NULL),
 * and `body` of body_len bytes when body is not NULL (then with a
 * Content-Length; curl's default Content-Type and Expect headers are
 * removed unless given).  Fills `out` (free with http_resp_free()); returns
 * 0 when an HTTP answer came, else -1 with out->status 0 and a message.
 */
int		 harness_request(struct harness *, const char *method,
		    const char *path, const char *const *headers,
		    const char *body, size_t body_len, struct http_resp *out);
/* harness_request(h, "GET", path, NULL, NULL, 0, out). */
int		 harness_get(struct harness *, const char *path, struct http_resp *out);

/* The value of the last header called `name` (any case), or NULL. */
const char	*http_resp_header(const struct http_resp *, const char *name);
/* How many headers are called `name`. */
size_t		 http_resp_header_count(const struct http_resp *, const char *name);
/* 1 when a header called `name` holds `token` in its comma-separated list
 * (both compared without regard to case), else 0. */
int		 http_resp_header_has_token(const struct http_resp *,
		    const char *name, const char *token);
/* The string "detail" of a JSON object body, or NULL. */
const char	*http_resp_detail(const struct http_resp *);
void		 http_resp_free(struct http_resp *);

/*
 * Runs FU_BINARY_DIR/bin/fcgi-users with `argv` as its arguments (without
 * the program name: {"migrate", "up", NULL}) in the programs' environment.
 * harness_cli() appends its stdout and stderr to the log;
 * harness_cli_capture() returns its stdout in *out (NUL-terminated, caller
 * frees) and appends its stderr to the log.  Return the exit status
 * (128 + signal when killed), or -1 when it could not be run.
 */
int		 harness_cli(struct harness *, const char *const *argv);
int		 harness_cli_capture(struct harness *, const char *const *argv,
		    char **out);

struct cgi_result;
/*
 * harness_cli(), with stdout and stderr apart in out (free with
 * cgi_result_free()); the stderr is appended to the log as well.  Returns
 * 0 when it ran (the exit status is out->exit_status), else -1.
 */
int		 harness_cli_result(struct harness *, const char *const *argv,
		    struct cgi_result *out);

/*
 * Plain CGI: runs `program` ("users.fcgi" under FU_BINARY_DIR/cgi-bin, or
 * a path with a '/') with exactly the environment `env` ("K=V",
 * NULL-terminated), `in` (in_len bytes; NULL: /dev/null) on stdin, and
 * collects its stdout, stderr and exit status.  Returns 0 when it ran,
 * else -1 and a message.  Free with cgi_result_free().
 */
struct cgi_result {
	int	 exit_status;	/* exit code, or 128 + signal */
	char	*out;		/* stdout, NUL-terminated, out_len bytes */
	size_t	 out_len;
	char	*err;		/* stderr, NUL-terminated */
};
int		 harness_cgi(const char *program, const char *const *env,
		    const char *in, size_t in_len, struct cgi_result *out);
/*
 * The environment of one plain-CGI request to h's deployment, for
 * harness_cgi(program, e->v, ...): REQUEST_METHOD=method,
 * REQUEST_URI=uri, SERVER_PROTOCOL, PATH, h's DATABASE_URL, its
 * JWT_SECRET when with_secret, then `extra` (NULL-terminated; what does
 * not fit in HARNESS_CGI_ENV_MAX is left out).  The strings live in *e.
 */
#define HARNESS_CGI_ENV_MAX	32
struct harness_cgi_env {
	const char	*v[HARNESS_CGI_ENV_MAX];
	char		 method[40];
	char		 uri[2048];
	char		 db[4200];
	char		 secret[256];
};
void		 harness_cgi_env(struct harness_cgi_env *e, const struct harness *h,
		    const char *method, const char *uri, int with_secret,
		    const char *const *extra);
void		 cgi_result_free(struct cgi_result *);

/*
 * PostgreSQL (FU_DATABASE=postgres; FU_PG_STATE names the folder where
 * tests/postgres/pg_cluster.sh wrote the cluster's admin URL): each
 * harness_start makes a database of its own there for DATABASE_URL (unless
 * harness_opts.env sets DATABASE_URL) and harness_stop drops it.  For a
 * test that runs the programs without a server: harness_pg_database()
 * makes one and returns its URL (caller passes it to
 * harness_pg_database_drop, which also frees it), or NULL when the run is
 * not on PostgreSQL (or after saying why it failed).
 */
char		*harness_pg_database(void);
/* 1 when the run is on PostgreSQL (FU_DATABASE=postgres), else 0. */
int		 harness_pg_wanted(void);
void		 harness_pg_database_drop(char *url);

/* Fills buf with 2*nbytes random lowercase hex digits and a NUL
 * (buf has 2*nbytes + 1 bytes); 0 on success. */
int		 harness_random_hex(char *buf, size_t nbytes);

#endif
