/*
 * resources: resources/list, templates/list, read, subscribe (see
 * resources.h).
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "mcp.h"
#include "offer.h"
#include "resources.h"
#include "rpc.h"

int
resources_bad_cursor(struct json_object *params, const char **msg)
{
	struct json_object	*cur;

	if (params != NULL && json_object_object_get_ex(params, "cursor", &cur) &&
	    cur != NULL) {
		*msg = "Invalid cursor";
		return 1;
	}
	return 0;
}

static struct json_object *
entry(const struct offer_resource *r, const char *uri_key)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, uri_key, json_object_new_string(r->uri));
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "description", json_object_new_string(r->description));
	if (r->mime != NULL)
		json_object_object_add(o, "mimeType", json_object_new_string(r->mime));
	return o;
}

/* One list: resources (templates 0) or templates (1). */
static int
list(struct mcp_call *c, struct json_object *params, int templates,
    struct json_object **result, const char **msg)
{
	const struct offer	*o[OFFER_MAX];
	const struct offer_resource *r;
	struct json_object	*arr;
	size_t			 i, j, n, m;

	if (resources_bad_cursor(params, msg))
		return RPC_INVALID_PARAMS;
	n = offer_all(&c->req->app->config, o);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		r = templates ? o[i]->templates : o[i]->resources;
		m = templates ? o[i]->n_templates : o[i]->n_resources;
		for (j = 0; j < m; j++)
			json_object_array_add(arr, entry(&r[j], templates ?
			    "uriTemplate" : "uri"));
	}
	*result = json_object_new_object();
	json_object_object_add(*result, templates ? "resourceTemplates" : "resources", arr);
	return 0;
}

int
resources_list(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	return list(c, params, 0, result, msg);
}

int
resources_templates_list(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	return list(c, params, 1, result, msg);
}

/* params.uri: a string of 1..OFFER_URI_MAX bytes without NUL; NULL with *msg. */
static struct json_object *
uri_param(struct json_object *params, const char **msg)
{
	struct json_object	*u;
	size_t			 n;

	if (params == NULL || !json_object_object_get_ex(params, "uri", &u) ||
	    !json_object_is_type(u, json_type_string) ||
	    (n = (size_t)json_object_get_string_len(u)) == 0 || n > OFFER_URI_MAX ||
	    strlen(json_object_get_string(u)) != n) {
		*msg = "Invalid params: uri must be a non-empty string";
		return NULL;
	}
	return u;
}

/* The resource (or, with templates, the template) that serves uri. */
static const struct offer_resource *
find(struct mcp_call *c, const char *uri, int templates)
{
	const struct offer	*o[OFFER_MAX];
	const char		*seg;
	size_t			 i, j, n = offer_all(&c->req->app->config, o), sn;

	for (i = 0; i < n; i++)
		for (j = 0; j < o[i]->n_resources; j++)
			if (strcmp(o[i]->resources[j].uri, uri) == 0)
				return &o[i]->resources[j];
	for (i = 0; templates && i < n; i++)
		for (j = 0; j < o[i]->n_templates; j++)
			if (offer_template_match(o[i]->templates[j].uri, uri, &seg, &sn))
				return &o[i]->templates[j];
	return NULL;
}

int
resources_read(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	const struct offer_resource *r;
	struct json_object	*u;

	if ((u = uri_param(params, msg)) == NULL)
		return RPC_INVALID_PARAMS;
	if ((r = find(c, json_object_get_string(u), 1)) == NULL) {
		*msg = "Resource not found";
		return RESOURCES_NOT_FOUND;
	}
	return r->read(c, u, result, msg);
}

int
resources_subscribe(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	const struct offer_resource *r;
	struct json_object	*u;

	if ((u = uri_param(params, msg)) == NULL)
		return RPC_INVALID_PARAMS;
	if ((r = find(c, json_object_get_string(u), 0)) == NULL) {
		*msg = "Resource not found";
		return RESOURCES_NOT_FOUND;
	}
	if (!r->subscribable) {
		*msg = "Invalid params: this resource takes no subscriptions";
		return RPC_INVALID_PARAMS;
	}
	*result = json_object_new_object();
	return 0;
}
