/*
 * protocol: the MCP methods mcp.fcgi serves (MCP 2025-11-25 "Lifecycle",
 * "Tools", "Resources", "Prompts", "Utilities"): initialize with version
 * negotiation, ping, tools/list, tools/call, logging/setLevel; and, when a
 * provider offers them (offer.h), resources/list, resources/templates/list,
 * resources/read, resources/subscribe and unsubscribe, prompts/list,
 * prompts/get, completion/complete.  And the notifications it
 * takes (initialized, cancelled, and any other, ignored).  A method table,
 * dispatched by name.
 */
#ifndef FCGI_USERS_MCP_PROTOCOL_H
#define FCGI_USERS_MCP_PROTOCOL_H

struct json_object;
struct mcp_call;

/* Newest first; the first is offered to a client asking for another. */
#define PROTOCOL_LATEST		"2025-11-25"
#define PROTOCOL_DEFAULT	"2025-03-26"	/* assumed without header or session */
#define PROTOCOL_BATCHES	"2025-03-26"	/* the one version with batches */

/* Whether v (a MCP-Protocol-Version value) is one we speak. */
int	 protocol_supported(const char *v);
/*
 * Answers one request: the response message (result or error, with the
 * request's id), a new reference.  initialize makes the session (and sets
 * c->new_session).
 */
struct json_object *protocol_request(struct mcp_call *, const char *method,
	    struct json_object *params);
/* Takes one notification (nothing is answered). */
void	 protocol_notification(struct mcp_call *, const char *method,
	    struct json_object *params);

#endif
