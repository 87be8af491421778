/*
 * fixtures: the "everything server" of the MCP conformance suite
 * (@modelcontextprotocol/conformance 0.1.16, its examples/servers/
 * typescript/everything-server.ts), as a provider (offer.h) that is in
 * force only under MCP_CONFORMANCE_FIXTURES=1 — for tests/interop, never in
 * production: tools test_* that return each content type, log, report
 * progress, fail, close their SSE answer before the result
 * (test_reconnection), and ask the client for sampling and elicitation
 * (fixtures_ask.c, through ask.h); json_schema_2020_12_tool; resources
 * test://static-text, test://static-binary, test://watched-resource and
 * the template test://template/{id}/data; prompts test_*_prompt*; and
 * completion of test_prompt_with_arguments' arguments.
 *
 * Their texts are the suite's, so its checks see what they expect.  One
 * tool is ours: test_list_roots asks the client for roots/list.
 */
#ifndef FCGI_USERS_MCP_FIXTURES_H
#define FCGI_USERS_MCP_FIXTURES_H

struct json_object;
struct mcp_call;
struct offer;

extern const struct offer fixtures_offer;

/* The tools that ask the client (fixtures_ask.c), offer_fn's convention. */
int	 fixtures_sampling(struct mcp_call *, struct json_object *,
	    struct json_object **, const char **);
int	 fixtures_elicitation(struct mcp_call *, struct json_object *,
	    struct json_object **, const char **);
int	 fixtures_elicitation_defaults(struct mcp_call *, struct json_object *,
	    struct json_object **, const char **);
int	 fixtures_elicitation_enums(struct mcp_call *, struct json_object *,
	    struct json_object **, const char **);
int	 fixtures_roots(struct mcp_call *, struct json_object *,
	    struct json_object **, const char **);

#endif
