/*
 * tools: the tools of mcp.fcgi (MCP 2025-11-25 "Tools") — a table of name,
 * description, schemas, annotations and the function that runs it — and
 * the two methods over the tools of every provider in force (offer.h),
 * tools/list (paged with an opaque cursor) and tools/call.  This file's
 * own tool: geocode_city, on libgeocode's service (the cache, providers
 * and per-user quota of GET /geocode/city).
 *
 * The error split is the spec's (SEP-1303): an unknown tool or malformed
 * params is a JSON-RPC error (-32602); arguments that break the input
 * schema, a place not found, an upstream failure or a spent quota are a
 * result with isError:true and a text saying what happened.
 */
#ifndef FCGI_USERS_MCP_TOOLS_H
#define FCGI_USERS_MCP_TOOLS_H

struct json_object;
struct mcp_call;

#define TOOLS_PAGE_SIZE		20	/* tools per tools/list page */
#define TOOLS_MAX		64	/* tools of all providers together */

struct offer;

/* The production provider: geocode_city (offer.h). */
extern const struct offer tools_offer;

/*
 * The methods.  Each returns 0 with *result (a new reference), or a
 * JSON-RPC error code with *msg (static or from the request arena).
 */
int	 tools_list(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
int	 tools_call(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
/* A tool result of one text block, with isError:true when is_error. */
struct json_object *tools_text_result(const char *text, int is_error);

#endif
