/*
 * fuzz_mcp: what mcp.fcgi does with attacker bytes before any method runs
 * (src/mcp/rpc.c, guard.c): the body through json_parse and rpc_classify
 * (one message or each member of a batch), and the same bytes as a Host
 * or Origin header and as an allow-list.  Checks: a kind in range; a
 * request or notification has a NUL-free method of 1..RPC_METHOD_MAX
 * bytes; a request has a string or integer id; params is an object when
 * present; "*" allows every host and origin the parsers accept at all.
 * Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guard.h"
#include "json.h"
#include "rpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
classify(struct json_object *m)
{
	struct json_object	*id, *params;
	const char		*method;
	enum rpc_kind		 k = rpc_classify(m, &method, &id, &params);

	if (k >= RPC__MAX)
		abort();
	if (k == RPC_REQUEST || k == RPC_NOTIFICATION) {
		if (method == NULL || method[0] == '\0' || strlen(method) > RPC_METHOD_MAX)
			abort();
		if (params != NULL && !json_object_is_type(params, json_type_object))
			abort();
	}
	if (k == RPC_REQUEST && !json_object_is_type(id, json_type_int) &&
	    !json_object_is_type(id, json_type_string))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct json_object	*o = NULL;
	const char		*why;
	char			*s;
	size_t			 pos, i;

	if (json_parse((const char *)data, len, &o, &pos, &why) == JSON_OK && o != NULL) {
		if (json_object_is_type(o, json_type_array))
			for (i = 0; i < json_object_array_length(o) && i < 200; i++)
				classify(json_object_array_get_idx(o, i));
		else
			classify(o);
	}
	json_object_put(o);
	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	(void)guard_host_allowed(NULL, "http://127.0.0.1:8080", s);
	(void)guard_host_allowed(s, NULL, "localhost:8080");
	(void)guard_origin_allowed(NULL, "https://mcp.example.com", s);
	(void)guard_origin_allowed(s, NULL, "http://localhost:6274");
	if (guard_host_allowed(NULL, NULL, s) && !guard_host_allowed("*", NULL, s))
		abort();
	free(s);
	return 0;
}
