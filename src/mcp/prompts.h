/*
 * prompts: the prompt methods (MCP 2025-11-25 "Prompts") and argument
 * completion ("Utilities/Completion") over the providers in force
 * (offer.h).  prompts/list is one page (a cursor is invalid, -32602);
 * prompts/get takes a known name and arguments that are an object of
 * strings (else -32602); completion/complete takes a ref to an offered
 * prompt or resource template and an argument {name, value}, and answers
 * at most PROMPTS_COMPLETE_MAX values.
 */
#ifndef FCGI_USERS_MCP_PROMPTS_H
#define FCGI_USERS_MCP_PROMPTS_H

struct json_object;
struct mcp_call;

#define PROMPTS_ARGS_MAX	32	/* arguments of one prompts/get */
#define PROMPTS_ARG_MAX		4096	/* bytes of one argument's value */
#define PROMPTS_COMPLETE_MAX	100	/* values of one completion (the spec's cap) */

int	 prompts_list(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
int	 prompts_get(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);
int	 prompts_complete(struct mcp_call *, struct json_object *params,
	    struct json_object **result, const char **msg);

#endif
