/*
 * offer: what mcp.fcgi offers its clients (MCP 2025-11-25 "Server
 * Features"): tools, resources, resource templates, prompts and argument
 * completion, as tables, one struct offer per provider.  The production
 * provider (tools.c) offers geocode_city and nothing else; the conformance
 * suite's fixtures (fixtures.c) join only under MCP_CONFORMANCE_FIXTURES=1.
 * A capability (resources, prompts, completions) is declared by initialize
 * only when a provider in force offers something of that kind, and its
 * methods answer -32601 otherwise (protocol.c).
 *
 * Every function of a table returns 0 with *result (a new reference), or a
 * JSON-RPC error code with *msg (static or from the request arena).
 */
#ifndef FCGI_USERS_MCP_OFFER_H
#define FCGI_USERS_MCP_OFFER_H

#include <stddef.h>

struct config;
struct json_object;
struct mcp_call;

#define OFFER_MAX		2	/* providers in force at once */
#define OFFER_URI_MAX		2048	/* bytes of a resource URI a client sends */

typedef int (*offer_fn)(struct mcp_call *, struct json_object *args,
    struct json_object **result, const char **msg);

enum offer_hints {
	OFFER_HINTS_NONE,	/* no annotations listed */
	OFFER_HINTS_GEOCODE,	/* read-only, idempotent, open world with Nominatim */
	OFFER_HINTS__MAX
};

struct offer_tool {
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*input_schema;		/* JSON text */
	const char	*output_schema;		/* JSON text, or NULL */
	enum offer_hints hints;
	offer_fn	 run;			/* args: the arguments object or NULL */
};

/* A resource, or a template "prefix{x}suffix" whose {x} is one segment
 * (no '/', 1 to 64 bytes).  read gets the URI as a JSON string in args and
 * returns the contents array. */
struct offer_resource {
	const char	*uri;			/* the URI, or the template */
	const char	*name;
	const char	*description;
	const char	*mime;
	int		 subscribable;
	offer_fn	 read;
};

struct offer_prompt {
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*arguments;		/* JSON text of the arguments array, or NULL */
	offer_fn	 get;			/* args: an object of strings, or NULL */
};

/*
 * completion/complete: the values (a new array) for argument `arg` whose
 * partial value is `value`, of the prompt or template `ref` ("ref/prompt"
 * with its name, "ref/resource" with its URI); NULL when this provider
 * knows no such argument.
 */
typedef struct json_object *(*offer_complete_fn)(const char *ref_type,
    const char *ref, const char *arg, const char *value);

struct offer {
	const struct offer_tool		*tools;
	size_t				 n_tools;
	const struct offer_resource	*resources;
	size_t				 n_resources;
	const struct offer_resource	*templates;
	size_t				 n_templates;
	const struct offer_prompt	*prompts;
	size_t				 n_prompts;
	offer_complete_fn		 complete;	/* NULL: none */
};

/* The providers in force for these settings, into out; how many. */
size_t	 offer_all(const struct config *, const struct offer *out[OFFER_MAX]);

/* What the providers in force offer, for initialize's capabilities. */
struct offer_summary {
	size_t	 tools, resources, prompts;	/* resources counts templates too */
	int	 subscribe, complete;
};
void	 offer_summarize(const struct config *, struct offer_summary *);

/* Whether uri matches the template t ("prefix{x}suffix"); *seg, *seglen
 * the {x} part. */
int	 offer_template_match(const char *t, const char *uri, const char **seg,
	    size_t *seglen);

#endif
