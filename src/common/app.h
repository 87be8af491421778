/*
 * app: the accept loop every program runs.  It serves FastCGI (a listening
 * socket on fd 0, as lighttpd, mod_fcgid and spawn-fcgi give it) and plain
 * CGI (one request from the environment and stdin, then exit) from one
 * binary; sets up config, log and database once per process; routes each
 * request through the program's table; adds X-Request-ID and CORS headers;
 * and writes one access line per request.
 */
#ifndef FCGI_USERS_APP_H
#define FCGI_USERS_APP_H

#include "config.h"
#include "password.h"
#include "request.h"
#include "response.h"
#include "tokens.h"

struct arena;
struct db;

typedef void (*route_handler)(struct request *, struct response *);

enum route_flags {
	ROUTE_NO_DB	= 1 << 0,	/* runs even when the database is not ready */
	ROUTE_DEFER_BODY = 1 << 1,	/* the handler reads the body (app_read_body) */
	/*
	 * The API documentation itself (/docs, /openapi.json): the route
	 * exists only while DOCS_ENABLED (else 404 as for any unknown path),
	 * and is not described in docs/openapi.yaml (FastAPI's
	 * include_in_schema=False), so `--routes` leaves it out.
	 */
	ROUTE_DOCS	= 1 << 2,
};

struct route {
	enum http_method method;
	const char	*pattern;	/* "/users/{id}": {x} matches one segment */
	route_handler	 handler;
	int		 flags;
};

struct app_def {
	const char		*program;	/* "users.fcgi" */
	const struct route	*routes;
	size_t			 n_routes;
	int			 needs_db;	/* open the database at start */
	int			 mcp_tokens;	/* load the MCP token keys (auth, mcp) */
	int			 signs_tokens;	/* issues access tokens: needs the
						 * signing key, not JWT_PUBLIC_KEY
						 * alone (auth) */
};

enum app_state {
	APP_READY,
	APP_MISCONFIGURED,	/* a bad setting: every request gets 503 */
	APP_DB_UNAVAILABLE,	/* cannot open the database: retried */
	APP_SCHEMA_BEHIND,	/* migrations pending: 503 until applied */
	APP__MAX
};

struct app {
	const struct app_def	*def;
	const struct route	*routes;	/* def's, less ROUTE_DOCS ones when docs are off */
	size_t			 n_routes;
	struct route		*routes_own;	/* the filtered copy, when one was made */
	struct config		 config;
	struct db		*db;		/* NULL until opened */
	enum app_state		 state;
	struct tokens		 tokens;	/* access-token keys, loaded once */
	struct mcp_tokens	 mcp;		/* MCP token keys, when def->mcp_tokens */
	struct password_params	 password;	/* Argon2id parameters for new hashes */
	char			**cors_origins;	/* NULL-terminated; NULL = none */
	int			 cors_any;
};

/*
 * Runs the program: returns the process exit status.  Besides serving,
 * `PROGRAM --version` prints the version and `PROGRAM --routes` prints one
 * line "METHOD PATTERN" per route that docs/openapi.yaml must describe
 * (all but ROUTE_DOCS ones), for tests/docs.
 */
int	 app_main(int argc, char **argv, const struct app_def *);

/*
 * Matches (method, path) against a route table.  Returns the route and
 * fills req->path_params, or NULL with *allowed a bit mask of the methods
 * the path accepts (0: no such path).  Exposed for the tests.
 */
const struct route *app_route_match(struct arena *, const struct route *,
	    size_t n, enum http_method, const char *path, const char **params,
	    size_t *nparams, unsigned *allowed);

/*
 * Decodes what the web server handed over into req, whose arena, app and
 * params are set: the method, the request id (X-Request-ID or a new
 * UUID), the public path (less BASE_PATH) and the query, the Content-Type.
 * Returns 0, or -1 after answering resp (503 misconfigured; 400 or 414
 * for a path or query that does not decode or is too long).  The body is
 * app_read_body's.  app calls it for every request; exposed for the
 * fuzzer (tests/fuzz/fuzz_cgi.c).
 */
int	 app_request_parse(struct app *, struct request *, struct response *);

/* Runs one decoded request through routing, checks and the handler. */
void	 app_dispatch(struct app *, struct request *, struct response *);

/*
 * Makes sure the database is open and its schema current, retrying what
 * failed before (so a process recovers once the operator fixes it).
 * Returns APP_READY or the reason it is not.
 */
enum app_state app_db_ready(struct app *);
/* The 503 detail for a state that is not APP_READY. */
const char *app_state_detail(enum app_state);

/*
 * Reads the request body (CONTENT_LENGTH, capped by MAX_REQUEST_BODY_BYTES)
 * into req->body.  app calls it before every handler but those of
 * ROUTE_DEFER_BODY routes, which call it themselves once their own checks
 * (authentication …) have passed.  Returns 0, or -1 after answering resp
 * (400 malformed or incomplete, 413 over the cap, 503 out of memory).
 * A second call returns what the first did.
 */
int	 app_read_body(struct request *, struct response *);

/*
 * A streamed answer (Server-Sent Events): app_stream_begin writes the
 * status, content_type and the headers set on resp so far (with
 * X-Request-ID and CORS), without Content-Length, and flushes them to the
 * web server; every app_stream_write then writes and flushes its bytes at
 * once.  The web server must pass them on unbuffered (lighttpd
 * server.stream-response-body = 2; mod_fcgid FcgidOutputBufferSize 0).
 * app writes nothing more once a stream began.  Both return 0, or -1 when
 * the client is gone (later writes are dropped) or the stream was begun
 * twice.
 */
int	 app_stream_begin(struct request *, struct response *, int status,
	    const char *content_type);
int	 app_stream_write(struct request *, struct response *, const char *buf,
	    size_t len);

/* Monotonic clock in microseconds. */
int64_t	 app_now_us(void);
/* Now as Python's datetime.now(timezone.utc).isoformat():
 * "2026-11-26T22:55:44.123456+00:00". */
void	 app_isotime(char *buf, size_t len);

#endif
