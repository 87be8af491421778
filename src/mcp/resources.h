/*
 * resources: the resource methods (MCP 2025-11-25 "Resources") over the
 * resources and templates of the providers in force (offer.h):
 * resources/list, resources/templates/list (one page each: a cursor is
 * never handed out, so any is invalid, -32602), resources/read (-32002
 * for a URI nobody offers), resources/subscribe and unsubscribe.
 *
 * XXX Subscriptions are accepted for subscribable resources but nothing
 * is ever sent for them: the only ones offered (the conformance fixtures)
 * never change, and this server opens no standalone SSE stream (GET 405)
 * that could carry notifications/resources/updated.
 */
#ifndef FCGI_USERS_MCP_RESOURCES_H
#define FCGI_USERS_MCP_RESOURCES_H

struct json_object;
struct mcp_call;

#define RESOURCES_NOT_FOUND	(-32002)	/* "Resources" §Error Handling */

/* The methods, as protocol.c's table wants them (offer.h's return convention). */
int	 resources_list(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
int	 resources_templates_list(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
int	 resources_read(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
/* resources/subscribe and resources/unsubscribe alike. */
int	 resources_subscribe(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);

/* Whether params holds a cursor (then -32602 with *msg: none is ever
 * handed out on these one-page lists). */
int	 resources_bad_cursor(struct json_object *params, const char **msg);

#endif
