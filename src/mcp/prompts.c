/*
 * prompts: prompts/list, prompts/get, completion/complete (see prompts.h).
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "mcp.h"
#include "offer.h"
#include "prompts.h"
#include "resources.h"
#include "rpc.h"

int
prompts_list(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	const struct offer		*o[OFFER_MAX];
	const struct offer_prompt	*p;
	struct json_object		*arr, *e;
	size_t				 i, j, n;

	if (resources_bad_cursor(params, msg))
		return RPC_INVALID_PARAMS;
	n = offer_all(&c->req->app->config, o);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		for (j = 0; j < o[i]->n_prompts; j++) {
			p = &o[i]->prompts[j];
			e = json_object_new_object();
			json_object_object_add(e, "name", json_object_new_string(p->name));
			if (p->title != NULL)
				json_object_object_add(e, "title",
				    json_object_new_string(p->title));
			json_object_object_add(e, "description",
			    json_object_new_string(p->description));
			if (p->arguments != NULL)
				json_object_object_add(e, "arguments",
				    json_tokener_parse(p->arguments));
			json_object_array_add(arr, e);
		}
	*result = json_object_new_object();
	json_object_object_add(*result, "prompts", arr);
	return 0;
}

/* The prompt called name (a JSON string), or NULL. */
static const struct offer_prompt *
find(struct mcp_call *c, struct json_object *name)
{
	const struct offer	*o[OFFER_MAX];
	size_t			 i, j, n = offer_all(&c->req->app->config, o);

	if (!json_object_is_type(name, json_type_string))
		return NULL;
	for (i = 0; i < n; i++)
		for (j = 0; j < o[i]->n_prompts; j++)
			if (strcmp(o[i]->prompts[j].name, json_object_get_string(name)) == 0 &&
			    strlen(o[i]->prompts[j].name) ==
			    (size_t)json_object_get_string_len(name))
				return &o[i]->prompts[j];
	return NULL;
}

/* Prompt arguments: an object of at most PROMPTS_ARGS_MAX short strings. */
static int
args_valid(struct json_object *args)
{
	size_t	 n = 0;

	if (!json_object_is_type(args, json_type_object))
		return 0;
	json_object_object_foreach(args, k, v) {
		(void)k;
		if (++n > PROMPTS_ARGS_MAX || !json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) > PROMPTS_ARG_MAX)
			return 0;
	}
	return 1;
}

int
prompts_get(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	const struct offer_prompt	*p;
	struct json_object		*name, *args = NULL;

	if (params == NULL || !json_object_object_get_ex(params, "name", &name) ||
	    (p = find(c, name)) == NULL) {
		/* The name is not echoed: it could be anything. */
		*msg = "Invalid params: unknown prompt";
		return RPC_INVALID_PARAMS;
	}
	if (json_object_object_get_ex(params, "arguments", &args) && args != NULL &&
	    !args_valid(args)) {
		*msg = "Invalid params: arguments must be an object of strings";
		return RPC_INVALID_PARAMS;
	}
	return p->get(c, args, result, msg);
}

/* A string member of 1..max bytes without NUL, or NULL. */
static const char *
str_member(struct json_object *o, const char *key, size_t max, int may_be_empty)
{
	struct json_object	*v;
	size_t			 n;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	n = (size_t)json_object_get_string_len(v);
	if ((n == 0 && !may_be_empty) || n > max ||
	    strlen(json_object_get_string(v)) != n)
		return NULL;
	return json_object_get_string(v);
}

/* Whether ref names something offered: a prompt, or a resource template. */
static int
ref_known(struct mcp_call *c, const char *type, const char *name)
{
	const struct offer	*o[OFFER_MAX];
	struct json_object	*s;
	size_t			 i, j, n;
	int			 found;

	if (strcmp(type, "ref/prompt") == 0) {
		s = json_object_new_string(name);
		found = find(c, s) != NULL;
		json_object_put(s);
		return found;
	}
	n = offer_all(&c->req->app->config, o);
	for (i = 0; i < n; i++)
		for (j = 0; j < o[i]->n_templates; j++)
			if (strcmp(o[i]->templates[j].uri, name) == 0)
				return 1;
	return 0;
}

int
prompts_complete(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	const struct offer	*o[OFFER_MAX];
	struct json_object	*ref = NULL, *arg = NULL, *vals = NULL, *cpl;
	const char		*type, *name, *an, *av;
	size_t			 i, n;

	if (params != NULL) {
		(void)json_object_object_get_ex(params, "ref", &ref);
		(void)json_object_object_get_ex(params, "argument", &arg);
	}
	type = str_member(ref, "type", 32, 0);
	if (type != NULL && strcmp(type, "ref/prompt") == 0)
		name = str_member(ref, "name", 256, 0);
	else if (type != NULL && strcmp(type, "ref/resource") == 0)
		name = str_member(ref, "uri", OFFER_URI_MAX, 0);
	else
		name = NULL;
	an = str_member(arg, "name", 256, 0);
	av = str_member(arg, "value", PROMPTS_ARG_MAX, 1);
	if (name == NULL || an == NULL || av == NULL) {
		*msg = "Invalid params: completion/complete needs ref {type, name "
		    "or uri} and argument {name, value}";
		return RPC_INVALID_PARAMS;
	}
	if (!ref_known(c, type, name)) {
		*msg = "Invalid params: no such prompt or resource template";
		return RPC_INVALID_PARAMS;
	}
	n = offer_all(&c->req->app->config, o);
	for (i = 0; i < n && vals == NULL; i++)
		if (o[i]->complete != NULL)
			vals = o[i]->complete(type, name, an, av);
	if (vals == NULL)
		vals = json_object_new_array();
	while (json_object_array_length(vals) > PROMPTS_COMPLETE_MAX)
		json_object_array_del_idx(vals, PROMPTS_COMPLETE_MAX,
		    json_object_array_length(vals) - PROMPTS_COMPLETE_MAX);
	cpl = json_object_new_object();
	json_object_object_add(cpl, "total",
	    json_object_new_int((int)json_object_array_length(vals)));
	json_object_object_add(cpl, "hasMore", json_object_new_boolean(0));
	json_object_object_add(cpl, "values", vals);
	*result = json_object_new_object();
	json_object_object_add(*result, "completion", cpl);
	return 0;
}
