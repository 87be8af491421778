/*
 * fixtures: the conformance suite's tools, resources, prompts and
 * completion (see fixtures.h).  Nothing here touches the database or the
 * user's data; arguments only shape the texts returned, always through
 * json-c, so no argument can break the JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "arena.h"
#include "app.h"
#include "fixtures.h"
#include "mcp.h"
#include "offer.h"
#include "rpc.h"
#include "tools.h"

#define STEP_MS		50	/* the suite's "~50ms" between two messages */

/* A 1x1 red PNG and a WAV of no samples (8 kHz, 8 bits, mono). */
#define PNG_B64	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAF" \
		"BQIAX8jx0gAAAABJRU5ErkJggg=="
#define WAV_B64	"UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA="

#define NO_ARGS	"{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}"

static void
pause_step(void)
{
	struct timespec	 ts = { 0, STEP_MS * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* --- content blocks ------------------------------------------------------ */

static struct json_object *
block(const char *type)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

static struct json_object *
text_block(const char *text)
{
	struct json_object	*o = block("text");

	json_object_object_add(o, "text", json_object_new_string(text));
	return o;
}

static struct json_object *
media_block(const char *type, const char *b64, const char *mime)
{
	struct json_object	*o = block(type);

	json_object_object_add(o, "data", json_object_new_string(b64));
	json_object_object_add(o, "mimeType", json_object_new_string(mime));
	return o;
}

static struct json_object *
resource_block(const char *uri, const char *mime, const char *text)
{
	struct json_object	*o = block("resource"), *r = json_object_new_object();

	json_object_object_add(r, "uri", json_object_new_string(uri));
	json_object_object_add(r, "mimeType", json_object_new_string(mime));
	json_object_object_add(r, "text", json_object_new_string(text));
	json_object_object_add(o, "resource", r);
	return o;
}

/* {"content": [blocks...]}; the blocks are taken, NULL-terminated. */
static struct json_object *
content(struct json_object *first, ...)
{
	struct json_object	*o = json_object_new_object(), *a, *b;
	va_list			 ap;

	a = json_object_new_array();
	va_start(ap, first);
	for (b = first; b != NULL; b = va_arg(ap, struct json_object *))
		json_object_array_add(a, b);
	va_end(ap);
	json_object_object_add(o, "content", a);
	return o;
}

/* --- tools --------------------------------------------------------------- */

static int
t_simple_text(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = content(text_block("This is a simple text response for testing."),
	    NULL);
	return 0;
}

static int
t_image(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = content(media_block("image", PNG_B64, "image/png"), NULL);
	return 0;
}

static int
t_audio(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = content(media_block("audio", WAV_B64, "audio/wav"), NULL);
	return 0;
}

static int
t_embedded(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = content(resource_block("test://embedded-resource", "text/plain",
	    "This is an embedded resource content."), NULL);
	return 0;
}

static int
t_mixed(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = content(text_block("Multiple content types test:"),
	    media_block("image", PNG_B64, "image/png"),
	    resource_block("test://mixed-content-resource", "application/json",
	    "{\"test\":\"data\",\"value\":123}"), NULL);
	return 0;
}

static int
t_logging(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)args; (void)msg;
	mcp_log(c, MCP_LOG_INFO, "test_tool_with_logging",
	    json_object_new_string("Tool execution started"));
	pause_step();
	mcp_log(c, MCP_LOG_INFO, "test_tool_with_logging",
	    json_object_new_string("Tool processing data"));
	pause_step();
	mcp_log(c, MCP_LOG_INFO, "test_tool_with_logging",
	    json_object_new_string("Tool execution completed"));
	*result = content(text_block("Tool with logging executed successfully"), NULL);
	return 0;
}

static int
t_error(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = tools_text_result("This tool intentionally returns an error for "
	    "testing", 1);
	return 0;
}

static int
t_progress(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)args; (void)msg;
	mcp_progress(c, 0, 100, NULL);
	pause_step();
	mcp_progress(c, 50, 100, NULL);
	pause_step();
	mcp_progress(c, 100, 100, NULL);
	*result = content(text_block("Tool with progress executed successfully"), NULL);
	return 0;
}

/*
 * test_reconnection: begins the SSE answer (its priming event), stops
 * writing it (mcp_stream_close), sends a log message and answers: the
 * client sees the stream end with neither and gets both with GET and
 * Last-Event-ID (events.h).  Without a session the answer is not
 * resumable and comes as usual.
 */
static int
t_reconnection(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)args; (void)msg;
	(void)mcp_stream_open(c);
	(void)mcp_stream_close(c);
	pause_step();
	mcp_log(c, MCP_LOG_INFO, "test_reconnection",
	    json_object_new_string("Sent after the stream was closed"));
	*result = content(text_block("Reconnection test completed successfully"),
	    NULL);
	return 0;
}

/* json_schema_2020_12_tool: echoes its arguments. */
static int
t_schema(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	const char	*t;

	(void)msg;
	t = arena_printf(c->req->arena, "Received: %s", args != NULL ?
	    rpc_text(args, NULL) : "{}");
	*result = content(text_block(t != NULL ? t : "Received"), NULL);
	return 0;
}

#define ASK_STRING(prop, what) "{\"type\":\"object\",\"properties\":{\"" prop \
	"\":{\"type\":\"string\",\"description\":\"" what "\"}},\"required\":[\"" \
	prop "\"]}"

static const struct offer_tool tools[] = {
	{ "test_simple_text", NULL, "Tests simple text content response",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_simple_text },
	{ "test_image_content", NULL, "Tests image content response",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_image },
	{ "test_audio_content", NULL, "Tests audio content response",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_audio },
	{ "test_embedded_resource", NULL, "Tests embedded resource content response",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_embedded },
	{ "test_multiple_content_types", NULL, "Tests response with multiple "
	    "content types (text, image, resource)",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_mixed },
	{ "test_tool_with_logging", NULL, "Tests tool that emits log messages "
	    "during execution", NO_ARGS, NULL, OFFER_HINTS_NONE, t_logging },
	{ "test_error_handling", NULL, "Tests error response handling",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_error },
	{ "test_tool_with_progress", NULL, "Tests tool that reports progress "
	    "notifications", NO_ARGS, NULL, OFFER_HINTS_NONE, t_progress },
	{ "test_sampling", NULL, "Tests server-initiated sampling (LLM completion "
	    "request)", ASK_STRING("prompt", "The prompt to send to the LLM"),
	    NULL, OFFER_HINTS_NONE, fixtures_sampling },
	{ "test_elicitation", NULL, "Tests server-initiated elicitation (user input "
	    "request)", ASK_STRING("message", "The message to show the user"),
	    NULL, OFFER_HINTS_NONE, fixtures_elicitation },
	{ "test_elicitation_sep1034_defaults", NULL, "Tests elicitation with "
	    "default values per SEP-1034", NO_ARGS, NULL, OFFER_HINTS_NONE,
	    fixtures_elicitation_defaults },
	{ "test_elicitation_sep1330_enums", NULL, "Tests elicitation with enum "
	    "schema improvements per SEP-1330", NO_ARGS, NULL, OFFER_HINTS_NONE,
	    fixtures_elicitation_enums },
	{ "test_reconnection", NULL, "Tests SSE stream disconnection and client "
	    "reconnection (SEP-1699): closes the stream before the result",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, t_reconnection },
	{ "test_list_roots", NULL, "Asks the client for its roots (roots/list)",
	    NO_ARGS, NULL, OFFER_HINTS_NONE, fixtures_roots },
	{ "json_schema_2020_12_tool", NULL, "Tool with JSON Schema 2020-12 features",
	    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	    "\"type\":\"object\",\"$defs\":{\"address\":{\"type\":\"object\","
	    "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":"
	    "\"string\"}}}},\"properties\":{\"name\":{\"type\":\"string\"},"
	    "\"address\":{\"$ref\":\"#/$defs/address\"}},\"additionalProperties\":false}",
	    NULL, OFFER_HINTS_NONE, t_schema },
};

/* --- resources ----------------------------------------------------------- */

/* {"contents": [{uri, mimeType, key: value}]} */
static struct json_object *
contents(const char *uri, const char *mime, const char *key, const char *value)
{
	struct json_object	*o = json_object_new_object(), *a, *e;

	e = json_object_new_object();
	json_object_object_add(e, "uri", json_object_new_string(uri));
	json_object_object_add(e, "mimeType", json_object_new_string(mime));
	json_object_object_add(e, key, json_object_new_string(value));
	a = json_object_new_array();
	json_object_array_add(a, e);
	json_object_object_add(o, "contents", a);
	return o;
}

static int
r_static_text(struct mcp_call *c, struct json_object *uri,
    struct json_object **result, const char **msg)
{
	(void)c; (void)uri; (void)msg;
	*result = contents("test://static-text", "text/plain", "text",
	    "This is the content of the static text resource.");
	return 0;
}

static int
r_static_binary(struct mcp_call *c, struct json_object *uri,
    struct json_object **result, const char **msg)
{
	(void)c; (void)uri; (void)msg;
	*result = contents("test://static-binary", "image/png", "blob", PNG_B64);
	return 0;
}

static int
r_watched(struct mcp_call *c, struct json_object *uri,
    struct json_object **result, const char **msg)
{
	(void)c; (void)uri; (void)msg;
	*result = contents("test://watched-resource", "text/plain", "text",
	    "Watched resource content");
	return 0;
}

/* test://template/{id}/data: {"id", "templateTest", "data"} as JSON text. */
static int
r_template(struct mcp_call *c, struct json_object *uri,
    struct json_object **result, const char **msg)
{
	struct json_object	*d;
	const char		*u = json_object_get_string(uri), *seg, *id, *text;
	size_t			 n;

	if (!offer_template_match("test://template/{id}/data", u, &seg, &n) ||
	    (id = arena_strndup(c->req->arena, seg, n)) == NULL) {
		*msg = "Resource not found";
		return -32002;
	}
	d = json_object_new_object();
	json_object_object_add(d, "id", json_object_new_string(id));
	json_object_object_add(d, "templateTest", json_object_new_boolean(1));
	json_object_object_add(d, "data", json_object_new_string(
	    arena_printf(c->req->arena, "Data for ID: %s", id)));
	text = arena_strdup(c->req->arena, rpc_text(d, NULL));
	json_object_put(d);
	*result = contents(u, "application/json", "text", text != NULL ? text : "{}");
	return 0;
}

static const struct offer_resource resources[] = {
	{ "test://static-text", "Static Text Resource", "A static text resource "
	    "for testing", "text/plain", 0, r_static_text },
	{ "test://static-binary", "Static Binary Resource", "A static binary "
	    "resource (image) for testing", "image/png", 0, r_static_binary },
	{ "test://watched-resource", "Watched Resource", "A resource that can be "
	    "subscribed to", "text/plain", 1, r_watched },
};

static const struct offer_resource templates[] = {
	{ "test://template/{id}/data", "Resource Template", "A resource template "
	    "with parameter substitution", "application/json", 0, r_template },
};

/* --- prompts ------------------------------------------------------------- */

/* {"messages": [{role: user, content: block}...]}; blocks taken, NULL-ended. */
static struct json_object *
messages(struct json_object *first, ...)
{
	struct json_object	*o = json_object_new_object(), *a, *b, *m;
	va_list			 ap;

	a = json_object_new_array();
	va_start(ap, first);
	for (b = first; b != NULL; b = va_arg(ap, struct json_object *)) {
		m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string("user"));
		json_object_object_add(m, "content", b);
		json_object_array_add(a, m);
	}
	va_end(ap);
	json_object_object_add(o, "messages", a);
	return o;
}

/* A required prompt argument, or NULL with *msg. */
static const char *
arg(struct json_object *args, const char *name, const char **msg)
{
	struct json_object	*v;

	if (args == NULL || !json_object_object_get_ex(args, name, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*msg = "Invalid params: a required argument is missing";
		return NULL;
	}
	return json_object_get_string(v);
}

static int
p_simple(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = messages(text_block("This is a simple prompt for testing."), NULL);
	return 0;
}

static int
p_args(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	const char	*a1, *a2, *t;

	if ((a1 = arg(args, "arg1", msg)) == NULL || (a2 = arg(args, "arg2", msg)) == NULL)
		return RPC_INVALID_PARAMS;
	if ((t = arena_printf(c->req->arena, "Prompt with arguments: arg1='%s', "
	    "arg2='%s'", a1, a2)) == NULL) {
		*msg = "Out of memory";
		return RPC_INTERNAL_ERROR;
	}
	*result = messages(text_block(t), NULL);
	return 0;
}

static int
p_embedded(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	const char	*uri;

	(void)c;
	if ((uri = arg(args, "resourceUri", msg)) == NULL)
		return RPC_INVALID_PARAMS;
	*result = messages(resource_block(uri, "text/plain", "Embedded resource "
	    "content for testing."), text_block("Please process the embedded "
	    "resource above."), NULL);
	return 0;
}

static int
p_image(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	(void)c; (void)args; (void)msg;
	*result = messages(media_block("image", PNG_B64, "image/png"),
	    text_block("Please analyze the image above."), NULL);
	return 0;
}

static const struct offer_prompt prompts[] = {
	{ "test_simple_prompt", NULL, "A simple prompt without arguments", NULL,
	    p_simple },
	{ "test_prompt_with_arguments", NULL, "A prompt with required arguments",
	    "[{\"name\":\"arg1\",\"description\":\"First test argument\","
	    "\"required\":true},{\"name\":\"arg2\",\"description\":\"Second test "
	    "argument\",\"required\":true}]", p_args },
	{ "test_prompt_with_embedded_resource", NULL, "A prompt that includes an "
	    "embedded resource", "[{\"name\":\"resourceUri\",\"description\":\"URI "
	    "of the resource to embed\",\"required\":true}]", p_embedded },
	{ "test_prompt_with_image", NULL, "A prompt that includes image content",
	    NULL, p_image },
};

/* --- completion ---------------------------------------------------------- */

static struct json_object *
complete(const char *type, const char *ref, const char *name, const char *value)
{
	static const char *const words[] = {
		"paris", "park", "party", "test", "testing", "value", NULL
	};
	struct json_object	*a;
	size_t			 i, n = strlen(value);

	if (strcmp(type, "ref/prompt") != 0 ||
	    strcmp(ref, "test_prompt_with_arguments") != 0 ||
	    (strcmp(name, "arg1") != 0 && strcmp(name, "arg2") != 0))
		return NULL;
	a = json_object_new_array();
	for (i = 0; words[i] != NULL; i++)
		if (strncmp(words[i], value, n) == 0)
			json_object_array_add(a, json_object_new_string(words[i]));
	return a;
}

const struct offer fixtures_offer = {
	tools, sizeof(tools) / sizeof(tools[0]),
	resources, sizeof(resources) / sizeof(resources[0]),
	templates, sizeof(templates) / sizeof(templates[0]),
	prompts, sizeof(prompts) / sizeof(prompts[0]),
	complete
};
