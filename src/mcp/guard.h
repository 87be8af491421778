/*
 * guard: the header checks of the MCP endpoint that come before and after
 * authentication (MCP 2025-11-25 "Transports" §Security Warning and
 * §Sending Messages): Origin and Host against allow-lists (DNS-rebinding
 * protection), Accept and Content-Type.
 *
 * Allow-lists: MCP_ALLOWED_HOSTS holds host names ("example.com",
 * "[::1]"), MCP_ALLOWED_ORIGINS origins ("https://app.example.com",
 * "http://localhost:6274"), comma-separated; "*" allows any.  The Host
 * port is never compared (a proxy may listen on another port); an origin
 * entry without a port allows any port.  Unset, both hold the loopback
 * names (localhost, 127.0.0.1, [::1], over http and https) and
 * PUBLIC_BASE_URL's host and origin.
 */
#ifndef FCGI_USERS_MCP_GUARD_H
#define FCGI_USERS_MCP_GUARD_H

struct request;
struct response;

#define GUARD_LIST_MAX		32	/* entries of an allow-list */
#define GUARD_HOST_MAX		255	/* bytes of a host name */

enum guard_accept {
	GUARD_ACCEPT_JSON	= 1 << 0,	/* application/json */
	GUARD_ACCEPT_SSE	= 1 << 1,	/* text/event-stream */
};

/* 0, or -1 after answering 403 (an Origin present and not allowed, or a
 * Host missing or not allowed). */
int	 guard_origin_host(struct request *, struct response *);
/* The media types Accept lists, as enum guard_accept bits (no wildcards:
 * the spec asks clients to list both by name). */
int	 guard_accept(const struct request *);
/* 1 when the Content-Type is application/json (parameters aside). */
int	 guard_content_type_json(const struct request *);

/* Exposed for the tests: whether host (with or without a port) or origin
 * passes the lists of the settings given (NULL: the defaults for base). */
int	 guard_host_allowed(const char *list, const char *base, const char *host);
int	 guard_origin_allowed(const char *list, const char *base, const char *origin);

#endif
