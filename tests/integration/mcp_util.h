/*
 * mcp_util: what the MCP integration tests (test_mcp.c, test_mcp_tool.c)
 * share: an MCP request described by a struct (every header the transport
 * checks can be set, left at its good default, or left out), MCP tokens
 * signed here with the test's own key pair (so tests can make expired,
 * foreign, scopeless and wrongly addressed ones), the JSON-RPC shapes of
 * answers, and a session opened with initialize.
 */
#ifndef FCGI_USERS_MCP_UTIL_H
#define FCGI_USERS_MCP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

struct json_object;
struct jwt_key;

#define MU_PATH		"/mcp-server/mcp"
#define MU_ACCEPT	"application/json, text/event-stream"
#define MU_NONE		""	/* a header value that means: send no such header */

/* One request; NULL fields take the good default, MU_NONE leaves it out. */
struct mu_req {
	const char	*method;	/* POST */
	const char	*path;		/* MU_PATH */
	const char	*token;		/* "Authorization: Bearer <token>"; NULL: none */
	const char	*auth;		/* a whole Authorization value instead */
	const char	*accept;	/* MU_ACCEPT */
	const char	*ctype;		/* application/json */
	const char	*session;	/* Mcp-Session-Id; NULL: none */
	const char	*version;	/* MCP-Protocol-Version; NULL: none */
	const char	*origin;	/* NULL: none */
	const char	*host;		/* NULL: curl's */
	const char	*body;		/* C string; NULL: none (GET, DELETE) */
	size_t		 body_len;	/* 0: strlen(body) */
	const char	*last_event;	/* Last-Event-ID; NULL: none */
};

int	 mu_send(struct harness *, const struct mu_req *, struct http_resp *);

/* The MCP key pair of the server: made by mu_keys, written to a file. */
extern struct jwt_key	*mu_key;
/* Makes mu_key and a PEM file of it; *setting is "MCP_JWT_PRIVATE_KEY_FILE=…"
 * (static).  0 or -1. */
int	 mu_keys(const char **setting);
void	 mu_keys_free(void);

/*
 * An MCP token for sub signed with key (NULL: mu_key): aud, iss, scope
 * (NULL: left out), exp = now + ttl.  Caller frees.
 */
char	*mu_token(const struct jwt_key *key, const char *sub, const char *aud,
	    const char *iss, const char *scope, int64_t ttl);
/* A good one: "mcp-server", "personal-server", "mcp-access", 600 s. */
char	*mu_good_token(const char *sub);

/* initialize at version `v` (NULL: 2025-11-25); the session id into sid
 * (at least 64 bytes).  0, or -1 after printing why. */
int	 mu_initialize(struct harness *, const char *token, const char *v,
	    char *sid, size_t sidlen);
/* The same with the client's capabilities (JSON text, e.g. {"sampling":{}}). */
int	 mu_initialize_caps(struct harness *, const char *token, const char *v,
	    const char *caps, char *sid, size_t sidlen);
/* POST of body in session sid (NULL: none) with token; as mu_send. */
int	 mu_post(struct harness *, const char *token, const char *sid,
	    const char *body, struct http_resp *);

/* The result object of a JSON-RPC answer, or NULL. */
struct json_object *mu_result(const struct http_resp *);
/* The error code of a JSON-RPC answer, or 0 when it has none. */
int	 mu_error_code(const struct http_resp *);
/* Whether the answer is a JSON-RPC error without an id member. */
int	 mu_error_without_id(const struct http_resp *);
/* The messages of an SSE body ("data:" lines parsed, empty ones skipped), NULL-terminated;
 * free with mu_events_free.  NULL when the body is not SSE. */
struct json_object **mu_events(const struct http_resp *);
void	 mu_events_free(struct json_object **);

#endif
