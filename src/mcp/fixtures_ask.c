/*
 * fixtures_ask: the conformance fixtures that ask the client in the middle
 * of a call (see fixtures.h, ask.h): test_sampling, test_elicitation,
 * test_elicitation_sep1034_defaults, test_elicitation_sep1330_enums, and
 * our test_list_roots.  What the client answers comes back as the tool's
 * text; every way the asking can fail is a result with isError:true that
 * says which.
 */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "ask.h"
#include "fixtures.h"
#include "mcp.h"
#include "rpc.h"
#include "session.h"
#include "tools.h"

#define CLIENT_TEXT_MAX	200	/* bytes of a client's error message quoted */

/* The requested schemas of the suite's everything server. */
#define USER_SCHEMA "{\"type\":\"object\",\"properties\":{\"username\":{\"type\":" \
	"\"string\",\"description\":\"User's response\"},\"email\":{\"type\":" \
	"\"string\",\"description\":\"User's email address\"}},\"required\":" \
	"[\"username\",\"email\"]}"
#define DEFAULTS_SCHEMA "{\"type\":\"object\",\"properties\":{" \
	"\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"}," \
	"\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30}," \
	"\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5}," \
	"\"status\":{\"type\":\"string\",\"description\":\"User status\",\"enum\":" \
	"[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"}," \
	"\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\"," \
	"\"default\":true}},\"required\":[]}"
#define ENUMS_SCHEMA "{\"type\":\"object\",\"properties\":{" \
	"\"untitledSingle\":{\"type\":\"string\",\"description\":\"Choose an option\"," \
	"\"enum\":[\"option1\",\"option2\",\"option3\"]}," \
	"\"titledSingle\":{\"type\":\"string\",\"description\":\"Choose a titled option\"," \
	"\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},{\"const\":" \
	"\"value2\",\"title\":\"Second Option\"},{\"const\":\"value3\",\"title\":" \
	"\"Third Option\"}]}," \
	"\"legacyEnum\":{\"type\":\"string\",\"description\":\"Choose a legacy option\"," \
	"\"enum\":[\"opt1\",\"opt2\",\"opt3\"],\"enumNames\":[\"Option One\"," \
	"\"Option Two\",\"Option Three\"]}," \
	"\"untitledMulti\":{\"type\":\"array\",\"description\":\"Choose multiple options\"," \
	"\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}}," \
	"\"titledMulti\":{\"type\":\"array\",\"description\":\"Choose multiple titled options\"," \
	"\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"}," \
	"{\"const\":\"value2\",\"title\":\"Second Choice\"},{\"const\":\"value3\"," \
	"\"title\":\"Third Choice\"}]}}},\"required\":[]}"

/*
 * Asks; 1 with *answer (the client's result object) to go on with, or 0
 * with *result set (isError: why not), or -1 with *msg (a JSON-RPC error
 * code in *code) when the database failed.
 */
static int
asked(struct mcp_call *c, unsigned cap, const char *capname, const char *method,
    struct json_object *params, struct json_object **answer,
    struct json_object **result, const char **msg)
{
	struct json_object	*err = NULL, *m;
	const char		*t;
	enum ask_err		 e;

	e = ask_client(c, cap, method, params, answer, &err);
	if (e == ASK_OK && err == NULL)
		return 1;
	switch (e) {
	case ASK_OK:
		t = json_object_object_get_ex(err, "message", &m) &&
		    json_object_is_type(m, json_type_string) ?
		    json_object_get_string(m) : "(no message)";
		t = arena_printf(c->req->arena, "The client refused %s: %.*s", method,
		    CLIENT_TEXT_MAX, t);
		break;
	case ASK_ENOSESSION:
		t = arena_printf(c->req->arena, "This tool asks the client (%s): it "
		    "needs a session that stays open until it answers; initialize "
		    "first and send the Mcp-Session-Id", method);
		break;
	case ASK_ENOCAP:
		t = arena_printf(c->req->arena, "The client did not declare the '%s' "
		    "capability at initialize: cannot ask it for %s", capname, method);
		break;
	case ASK_ENOSTREAM:
		t = "The client cannot be asked here: a batch is answered with one "
		    "JSON array, not an SSE stream";
		break;
	case ASK_ETIMEOUT:
		t = arena_printf(c->req->arena, "The client did not answer %s within "
		    "%lld seconds", method,
		    (long long)c->req->app->config.mcp_client_request_timeout_seconds);
		break;
	case ASK_EFULL:
		t = "Too many requests to the client are waiting in this session";
		break;
	case ASK_EANSWER:
		t = arena_printf(c->req->arena, "The client's answer to %s is not a "
		    "result object", method);
		break;
	case ASK_EGONE:
		t = "The client went away";
		break;
	default:
		json_object_put(err);
		*msg = "Database unavailable";
		return -1;
	}
	json_object_put(err);
	*result = tools_text_result(t != NULL ? t : "The client could not be asked", 1);
	return 0;
}

/* A required string argument, or NULL with *result (isError) set. */
static const char *
need_string(struct json_object *args, const char *name, struct mcp_call *c,
    struct json_object **result)
{
	struct json_object	*v;

	if (args != NULL && json_object_object_get_ex(args, name, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	*result = tools_text_result(arena_printf(c->req->arena, "Input validation "
	    "error: '%s' is a required property of type 'string'", name), 1);
	return NULL;
}

/* "<prefix>action=<action>, content=<content JSON>" */
static struct json_object *
elicited(struct mcp_call *c, const char *prefix, struct json_object *a)
{
	struct json_object	*act = NULL, *cont = NULL;

	(void)json_object_object_get_ex(a, "action", &act);
	(void)json_object_object_get_ex(a, "content", &cont);
	return tools_text_result(arena_printf(c->req->arena, "%saction=%s, content=%s",
	    prefix, act != NULL ? json_object_get_string(act) : "(none)",
	    cont != NULL ? rpc_text(cont, NULL) : "{}"), 0);
}

int
fixtures_sampling(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	struct json_object	*p, *m, *mc, *a = NULL, *v, *t;
	const char		*prompt, *text = "(no text content)";
	int			 r;

	if ((prompt = need_string(args, "prompt", c, result)) == NULL)
		return 0;
	mc = json_object_new_object();
	json_object_object_add(mc, "type", json_object_new_string("text"));
	json_object_object_add(mc, "text", json_object_new_string(prompt));
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", mc);
	p = json_object_new_object();
	json_object_object_add(p, "messages", json_object_new_array());
	json_object_array_add(json_object_object_get(p, "messages"), m);
	json_object_object_add(p, "maxTokens", json_object_new_int(100));
	if ((r = asked(c, SESSION_CAP_SAMPLING, "sampling", "sampling/createMessage",
	    p, &a, result, msg)) != 1)
		return r < 0 ? RPC_INTERNAL_ERROR : 0;
	if (json_object_object_get_ex(a, "content", &v) &&
	    json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "text", &t) &&
	    json_object_is_type(t, json_type_string))
		text = json_object_get_string(t);
	*result = tools_text_result(arena_printf(c->req->arena, "LLM response: %s",
	    text), 0);
	json_object_put(a);
	return 0;
}

/* elicitation/create with message and the schema (JSON text). */
static int
elicit(struct mcp_call *c, const char *message, const char *schema,
    const char *prefix, struct json_object **result, const char **msg)
{
	struct json_object	*p, *a = NULL;
	int			 r;

	p = json_object_new_object();
	json_object_object_add(p, "message", json_object_new_string(message));
	json_object_object_add(p, "requestedSchema", json_tokener_parse(schema));
	if ((r = asked(c, SESSION_CAP_ELICITATION, "elicitation", "elicitation/create",
	    p, &a, result, msg)) != 1)
		return r < 0 ? RPC_INTERNAL_ERROR : 0;
	*result = elicited(c, prefix, a);
	json_object_put(a);
	return 0;
}

int
fixtures_elicitation(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	const char	*message;

	if ((message = need_string(args, "message", c, result)) == NULL)
		return 0;
	return elicit(c, message, USER_SCHEMA, "User response: ", result, msg);
}

int
fixtures_elicitation_defaults(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)args;
	return elicit(c, "Test client default value handling - please accept "
	    "with defaults", DEFAULTS_SCHEMA, "Elicitation completed: ", result, msg);
}

int
fixtures_elicitation_enums(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)args;
	return elicit(c, "Test enum schema variants (SEP-1330)", ENUMS_SCHEMA,
	    "Elicitation completed: ", result, msg);
}

int
fixtures_roots(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	struct json_object	*a = NULL, *v;
	int			 r;

	(void)args;
	if ((r = asked(c, SESSION_CAP_ROOTS, "roots", "roots/list", NULL, &a, result,
	    msg)) != 1)
		return r < 0 ? RPC_INTERNAL_ERROR : 0;
	*result = tools_text_result(arena_printf(c->req->arena, "Roots: %s",
	    json_object_object_get_ex(a, "roots", &v) ? rpc_text(v, NULL) : "[]"), 0);
	json_object_put(a);
	return 0;
}
