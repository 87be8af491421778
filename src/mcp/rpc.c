/*
 * rpc: JSON-RPC 2.0 messages (see rpc.h).  The JSON itself was parsed
 * strictly by libcommon's json_parse (length given, UTF-8 checked, depth
 * capped); this file only judges its shape.
 */
#include <string.h>

#include <json-c/json.h>

#include "response.h"
#include "rpc.h"

static int
is_string_of(struct json_object *o, size_t max)
{
	size_t	 n;

	if (!json_object_is_type(o, json_type_string))
		return 0;
	n = (size_t)json_object_get_string_len(o);
	/* No NUL inside: a name must mean what strcmp sees. */
	return n > 0 && n <= max && strlen(json_object_get_string(o)) == n;
}

/* A request id: a string (≤ RPC_ID_MAX bytes) or an integer; not null (MCP). */
static int
valid_id(struct json_object *id)
{
	if (json_object_is_type(id, json_type_int))
		return 1;
	return json_object_is_type(id, json_type_string) &&
	    (size_t)json_object_get_string_len(id) <= RPC_ID_MAX;
}

enum rpc_kind
rpc_classify(struct json_object *msg, const char **method,
    struct json_object **id, struct json_object **params)
{
	struct json_object	*v, *m = NULL, *i = NULL, *p = NULL;
	int			 has_id, has_result, has_error;

	*method = NULL;
	*id = NULL;
	*params = NULL;
	if (!json_object_is_type(msg, json_type_object))
		return RPC_INVALID;
	if (!json_object_object_get_ex(msg, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0 ||
	    json_object_get_string_len(v) != 3)
		return RPC_INVALID;
	has_id = json_object_object_get_ex(msg, "id", &i);
	if (json_object_object_get_ex(msg, "method", &m)) {
		if (!is_string_of(m, RPC_METHOD_MAX))
			return RPC_INVALID;
		if (json_object_object_get_ex(msg, "params", &p) &&
		    !json_object_is_type(p, json_type_object))
			return RPC_INVALID;
		if (json_object_object_get_ex(msg, "result", NULL) ||
		    json_object_object_get_ex(msg, "error", NULL))
			return RPC_INVALID;
		*method = json_object_get_string(m);
		*params = p;
		if (!has_id)
			return RPC_NOTIFICATION;
		if (!valid_id(i))
			return RPC_INVALID;
		*id = i;
		return RPC_REQUEST;
	}
	has_result = json_object_object_get_ex(msg, "result", NULL);
	has_error = json_object_object_get_ex(msg, "error", &v);
	if (!has_id || has_result == has_error)
		return RPC_INVALID;
	/* An error answer may carry a null id (JSON-RPC §5). */
	if (!(has_error && i == NULL) && !valid_id(i))
		return RPC_INVALID;
	if (has_error && !json_object_is_type(v, json_type_object))
		return RPC_INVALID;
	*id = i;
	return RPC_RESPONSE;
}

static struct json_object *
envelope(struct json_object *id)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	if (id != NULL)
		json_object_object_add(o, "id", json_object_get(id));
	return o;
}

struct json_object *
rpc_result(struct json_object *id, struct json_object *result)
{
	struct json_object	*o = envelope(id);

	json_object_object_add(o, "result", result != NULL ? result :
	    json_object_new_object());
	return o;
}

struct json_object *
rpc_error_data(struct json_object *id, int code, const char *message,
    struct json_object *data)
{
	struct json_object	*o = envelope(id), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	if (data != NULL)
		json_object_object_add(e, "data", data);
	json_object_object_add(o, "error", e);
	return o;
}

struct json_object *
rpc_error(struct json_object *id, int code, const char *message)
{
	return rpc_error_data(id, code, message, NULL);
}

struct json_object *
rpc_notification(const char *method, struct json_object *params)
{
	struct json_object	*o = envelope(NULL);

	json_object_object_add(o, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(o, "params", params);
	return o;
}

void
rpc_http_error(struct response *resp, int status, int code, const char *message)
{
	response_json(resp, status, rpc_error(NULL, code, message));
}

const char *
rpc_text(struct json_object *o, size_t *len)
{
	size_t	 n = 0;
	const char *s;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (len != NULL)
		*len = s != NULL ? n : 0;
	return s;
}
