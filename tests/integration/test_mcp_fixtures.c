/*
 * test_mcp_fixtures: the conformance fixtures of mcp.fcgi
 * (the file src/mcp/fixtures.h) and the methods only they provide (the resources,
 * prompts and completion methods of src/mcp/resources.h and prompts.h), through
 * a real web server.  Two servers: one with the default settings, where
 * none of it exists (no capability declared, -32601 for the methods,
 * -32602 for the test_* tools), and one with MCP_CONFORMANCE_FIXTURES=1,
 * where each method is driven with good and bad params.  A third start
 * shows that a bad value of the new settings is refused (503).  The
 * server-to-client requests of the fixtures are test_mcp_ask's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_util.h"
#include "harness.h"
#include "mcp_util.h"

#define RPC(id, m, p)	"{\"jsonrpc\":\"2.0\",\"id\":" #id ",\"method\":\"" m "\",\"params\":" p "}"
#define CALL(name)	RPC(5, "tools/call", "{\"name\":\"" name "\",\"arguments\":{}}")
#define READ(uri)	RPC(6, "resources/read", "{\"uri\":" uri "}")
#define GET(p)		RPC(7, "prompts/get", p)
#define COMPLETE(p)	RPC(8, "completion/complete", p)

static struct harness	*OFF, *ON;
static struct au_user	 UOFF, UON;
static char		*TOFF, *TON;

static int
group_setup(void **state)
{
	static const char *env_off[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1", NULL, NULL };
	static const char *env_on[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "MCP_CONFORMANCE_FIXTURES=1", NULL, NULL };
	struct harness_opts o = { .env = env_off, .procs = 2 };
	const char *set;

	(void)state;
	if (mu_keys(&set) != 0)
		return -1;
	env_off[3] = env_on[4] = set;
	if ((OFF = harness_start(&o)) == NULL)
		return -1;
	o.env = env_on;
	if ((ON = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(OFF, "off", &UOFF) != 0 || au_new_user(ON, "on", &UON) != 0)
		return -1;
	TOFF = mu_good_token(UOFF.id);
	TON = mu_good_token(UON.id);
	return TOFF != NULL && TON != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	int rc = 0;

	(void)state;
	rc |= harness_finish(&OFF);
	rc |= harness_finish(&ON);
	free(TOFF);
	free(TON);
	mu_keys_free();
	return rc;
}

/* The capabilities initialize declares on h. */
static struct json_object *
capabilities(struct harness *h, const char *token, struct http_resp *r)
{
	struct json_object *caps;

	if (mu_post(h, token, NULL, RPC(1, "initialize", "{\"protocolVersion\":"
	    "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
	    "\"version\":\"1\"}}"), r) != 0 || mu_result(r) == NULL ||
	    !json_object_object_get_ex(mu_result(r), "capabilities", &caps))
		return NULL;
	return caps;
}

/* ---- without the setting ---- */

static void
test_absent(void **state)
{
	static const struct { int line; const char *body; int code; } cases[] = {
		{ __LINE__, RPC(2, "resources/list", "{}"), -32601 },
		{ __LINE__, RPC(2, "resources/templates/list", "{}"), -32601 },
		{ __LINE__, READ("\"test://static-text\""), -32601 },
		{ __LINE__, RPC(2, "resources/subscribe", "{\"uri\":\"test://watched-resource\"}"),
		    -32601 },
		{ __LINE__, RPC(2, "resources/unsubscribe", "{\"uri\":\"test://watched-resource\"}"),
		    -32601 },
		{ __LINE__, RPC(2, "prompts/list", "{}"), -32601 },
		{ __LINE__, GET("{\"name\":\"test_simple_prompt\"}"), -32601 },
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/prompt\",\"name\":"
		    "\"test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\","
		    "\"value\":\"p\"}}"), -32601 },
		{ __LINE__, CALL("test_simple_text"), -32602 },
		{ __LINE__, CALL("test_sampling"), -32602 },
		{ __LINE__, CALL("json_schema_2020_12_tool"), -32602 },
	};
	struct json_object *caps, *tools;
	struct http_resp r;
	size_t i;

	(void)state;
	au_begin();
	if ((caps = capabilities(OFF, TOFF, &r)) == NULL)
		au_bad(__LINE__, "initialize: %.300s", r.body ? r.body : "");
	else if (!json_object_object_get_ex(caps, "tools", NULL) ||
	    !json_object_object_get_ex(caps, "logging", NULL) ||
	    json_object_object_get_ex(caps, "resources", NULL) ||
	    json_object_object_get_ex(caps, "prompts", NULL) ||
	    json_object_object_get_ex(caps, "completions", NULL))
		au_bad(__LINE__, "capabilities without the fixtures: %s",
		    json_object_to_json_string(caps));
	http_resp_free(&r);
	if (mu_post(OFF, TOFF, NULL, RPC(2, "tools/list", "{}"), &r) != 0 ||
	    mu_result(&r) == NULL ||
	    !json_object_object_get_ex(mu_result(&r), "tools", &tools) ||
	    json_object_array_length(tools) != 1 || strstr(r.body, "test_") != NULL)
		au_bad(__LINE__, "tools/list: %.300s", r.body ? r.body : "");
	http_resp_free(&r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mu_post(OFF, TOFF, NULL, cases[i].body, &r) != 0 || r.status != 200 ||
		    mu_error_code(&r) != cases[i].code)
			au_bad(cases[i].line, "want %d: %ld %.300s", cases[i].code,
			    r.status, r.body ? r.body : "");
		http_resp_free(&r);
	}
	au_end();
}

/* A bad value of the new settings: the program refuses to serve (503). */
static void
test_bad_settings(void **state)
{
	static const char *const bad[] = {
		"MCP_CONFORMANCE_FIXTURES=maybe",
		"MCP_CLIENT_REQUEST_TIMEOUT_SECONDS=0",
		"MCP_CLIENT_REQUEST_TIMEOUT_SECONDS=601",
	};
	const char *env[3] = { NULL, NULL, NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	struct harness *h;
	struct http_resp r;
	size_t i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		env[0] = bad[i];
		if ((h = harness_start(&o)) == NULL) {
			au_bad(__LINE__, "%s: no start", bad[i]);
			continue;
		}
		if (mu_post(h, TOFF, NULL, RPC(1, "ping", "{}"), &r) != 0 ||
		    r.status != 503)
			au_bad(__LINE__, "%s: %ld, want 503", bad[i], r.status);
		http_resp_free(&r);
		if (harness_finish(&h) != 0)
			au_bad(__LINE__, "%s: sanitizer report", bad[i]);
	}
	au_end();
}

/* ---- with the setting: the methods, good and bad ---- */

struct mcase {
	int		 line;
	const char	*body;
	int		 code;		/* 0: a result */
	const char	*needle;	/* in the body, for a result */
};

static void
run_cases(const struct mcase *c, size_t n)
{
	struct http_resp r;
	size_t i;

	for (i = 0; i < n; i++) {
		if (mu_post(ON, TON, NULL, c[i].body, &r) != 0 || r.status != 200)
			au_bad(c[i].line, "status %ld: %.300s", r.status, r.body ? r.body : "");
		else if (c[i].code != 0 && mu_error_code(&r) != c[i].code)
			au_bad(c[i].line, "want %d: %.300s", c[i].code, r.body);
		else if (c[i].code == 0 && (mu_result(&r) == NULL ||
		    strstr(r.body, c[i].needle) == NULL))
			au_bad(c[i].line, "want a result with %s: %.400s", c[i].needle, r.body);
		http_resp_free(&r);
	}
}

#define LONG_URI "\"test://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void
test_resources(void **state)
{
	static const struct mcase cases[] = {
		{ __LINE__, RPC(2, "resources/list", "{}"), 0, "\"uri\":\"test://watched-resource\"" },
		{ __LINE__, RPC(2, "resources/list", "{}"), 0, "\"name\":\"Static Text Resource\"" },
		{ __LINE__, RPC(2, "resources/templates/list", "{}"), 0,
		    "\"uriTemplate\":\"test://template/{id}/data\"" },
		{ __LINE__, READ("\"test://static-text\""), 0,
		    "This is the content of the static text resource." },
		{ __LINE__, READ("\"test://static-binary\""), 0, "\"blob\":\"iVBORw0KGgo" },
		{ __LINE__, READ("\"test://template/123/data\""), 0,
		    "Data for ID: 123" },
		/* A segment that needs escaping stays inside its JSON string. */
		{ __LINE__, READ("\"test://template/a\\\"b/data\""), 0,
		    "Data for ID: a\\\\\\\"b" },
		{ __LINE__, RPC(3, "resources/subscribe", "{\"uri\":\"test://watched-resource\"}"),
		    0, "\"result\":{}" },
		{ __LINE__, RPC(3, "resources/unsubscribe", "{\"uri\":\"test://watched-resource\"}"),
		    0, "\"result\":{}" },
		/* Unknown resources: -32002. */
		{ __LINE__, READ("\"test://nope\""), -32002, NULL },
		{ __LINE__, READ("\"test://static-text/\""), -32002, NULL },
		{ __LINE__, READ("\"TEST://static-text\""), -32002, NULL },
		{ __LINE__, READ("\"test://template//data\""), -32002, NULL },
		{ __LINE__, READ("\"test://template/1/2/data\""), -32002, NULL },
		{ __LINE__, READ("\"test://template/123/datax\""), -32002, NULL },
		{ __LINE__, READ("\"test://template/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaa/data\""), -32002, NULL },
		{ __LINE__, RPC(3, "resources/subscribe", "{\"uri\":\"test://nope\"}"), -32002, NULL },
		{ __LINE__, RPC(3, "resources/subscribe", "{\"uri\":\"test://template/1/data\"}"),
		    -32002, NULL },
		/* Bad params: -32602. */
		{ __LINE__, RPC(3, "resources/subscribe", "{\"uri\":\"test://static-text\"}"),
		    -32602, NULL },
		{ __LINE__, RPC(6, "resources/read", "{}"), -32602, NULL },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\"}", -32602, NULL },
		{ __LINE__, READ("5"), -32602, NULL },
		{ __LINE__, READ("null"), -32602, NULL },
		{ __LINE__, READ("[\"test://static-text\"]"), -32602, NULL },
		{ __LINE__, READ("\"\""), -32602, NULL },
		{ __LINE__, READ("\"test://static-text\\u0000x\""), -32602, NULL },
		{ __LINE__, RPC(3, "resources/unsubscribe", "{\"uri\":7}"), -32602, NULL },
		{ __LINE__, RPC(2, "resources/list", "{\"cursor\":\"x\"}"), -32602, NULL },
		{ __LINE__, RPC(2, "resources/templates/list", "{\"cursor\":\"\"}"), -32602, NULL },
	};
	char *big, *body;
	struct http_resp r;

	(void)state;
	au_begin();
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* A URI over 2048 bytes. */
	assert_non_null(big = malloc(3000));
	memset(big, 'a', 2999);
	big[2999] = '\0';
	assert_true(asprintf(&body, READ("\"test://%s\""), big) > 0);
	if (mu_post(ON, TON, NULL, body, &r) != 0 || mu_error_code(&r) != -32602)
		au_bad(__LINE__, "long uri: %ld %.200s", r.status, r.body ? r.body : "");
	http_resp_free(&r);
	free(body);
	free(big);
	au_end();
}

static void
test_prompts(void **state)
{
	static const struct mcase cases[] = {
		{ __LINE__, RPC(2, "prompts/list", "{}"), 0, "\"name\":\"test_prompt_with_image\"" },
		{ __LINE__, RPC(2, "prompts/list", "{}"), 0, "\"name\":\"arg2\"" },
		{ __LINE__, GET("{\"name\":\"test_simple_prompt\"}"), 0,
		    "This is a simple prompt for testing." },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "{\"arg1\":\"hello\",\"arg2\":\"world\"}}"), 0,
		    "Prompt with arguments: arg1='hello', arg2='world'" },
		/* Quotes and a closing brace in an argument stay text. */
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "{\"arg1\":\"\\\"}]\",\"arg2\":\"x\"}}"), 0, "arg1='\\\"}]'" },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_embedded_resource\","
		    "\"arguments\":{\"resourceUri\":\"test://example-resource\"}}"), 0,
		    "\"uri\":\"test://example-resource\"" },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_image\"}"), 0,
		    "\"type\":\"image\"" },
		/* Unknown prompts, missing or bad arguments: -32602. */
		{ __LINE__, GET("{\"name\":\"nope\"}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_simple_Prompt\"}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_simple_prompt\\u0000\"}"), -32602, NULL },
		{ __LINE__, GET("{}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":5}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\"}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "{\"arg1\":\"a\"}}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "{\"arg1\":\"a\",\"arg2\":2}}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "[\"a\",\"b\"]}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_arguments\",\"arguments\":"
		    "\"arg1=a\"}"), -32602, NULL },
		{ __LINE__, GET("{\"name\":\"test_prompt_with_embedded_resource\"}"), -32602, NULL },
		{ __LINE__, RPC(2, "prompts/list", "{\"cursor\":\"p1\"}"), -32602, NULL },
	};

	(void)state;
	au_begin();
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	au_end();
}

#define REF	"\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"}"

static void
test_completion(void **state)
{
	static const struct mcase cases[] = {
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg1\",\"value\":\"part\"}}"),
		    0, "\"values\":[\"party\"]" },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg2\",\"value\":\"\"}}"),
		    0, "\"total\":6" },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg1\",\"value\":\"zz\"}}"),
		    0, "\"values\":[]" },
		/* A known prompt without such an argument: no values. */
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg9\",\"value\":\"p\"}}"),
		    0, "\"values\":[]" },
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/resource\",\"uri\":"
		    "\"test://template/{id}/data\"},\"argument\":{\"name\":\"id\",\"value\":\"1\"}}"),
		    0, "\"values\":[]" },
		/* Unknown refs, bad shapes: -32602. */
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"nope\"},"
		    "\"argument\":{\"name\":\"arg1\",\"value\":\"p\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"test://nope\"},"
		    "\"argument\":{\"name\":\"id\",\"value\":\"1\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/tool\",\"name\":\"geocode_city\"},"
		    "\"argument\":{\"name\":\"city\",\"value\":\"L\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{\"ref\":{\"type\":\"ref/prompt\",\"uri\":"
		    "\"test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\",\"value\":\"p\"}}"),
		    -32602, NULL },
		{ __LINE__, COMPLETE("{" REF "}"), -32602, NULL },
		{ __LINE__, COMPLETE("{\"argument\":{\"name\":\"arg1\",\"value\":\"p\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg1\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"arg1\",\"value\":5}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":{\"name\":\"\",\"value\":\"p\"}}"), -32602, NULL },
		{ __LINE__, COMPLETE("{" REF ",\"argument\":\"arg1\"}"), -32602, NULL },
		{ __LINE__, COMPLETE("{\"ref\":\"test_prompt_with_arguments\",\"argument\":"
		    "{\"name\":\"arg1\",\"value\":\"p\"}}"), -32602, NULL },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"completion/complete\"}",
		    -32602, NULL },
	};

	(void)state;
	au_begin();
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	au_end();
}

static void
test_tools(void **state)
{
	static const struct mcase cases[] = {
		{ __LINE__, CALL("test_simple_text"), 0,
		    "This is a simple text response for testing." },
		{ __LINE__, CALL("test_image_content"), 0, "\"mimeType\":\"image/png\"" },
		{ __LINE__, CALL("test_audio_content"), 0, "\"mimeType\":\"audio/wav\"" },
		{ __LINE__, CALL("test_embedded_resource"), 0, "test://embedded-resource" },
		{ __LINE__, CALL("test_multiple_content_types"), 0, "test://mixed-content-resource" },
		{ __LINE__, CALL("test_error_handling"), 0, "\"isError\":true" },
		{ __LINE__, CALL("json_schema_2020_12_tool"), 0, "Received: {}" },
		/* Without a progress token or a log level: plain JSON answers. */
		{ __LINE__, CALL("test_tool_with_progress"), 0, "executed successfully" },
		{ __LINE__, CALL("test_tool_with_logging"), 0, "executed successfully" },
		{ __LINE__, RPC(2, "tools/list", "{}"), 0,
		    "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\"" },
		{ __LINE__, RPC(2, "tools/list", "{}"), 0, "\"name\":\"geocode_city\"" },
		{ __LINE__, CALL("test_nope"), -32602, NULL },
		{ __LINE__, RPC(2, "tools/list", "{\"cursor\":\"t20\"}"), -32602, NULL },
	};
	struct http_resp r;
	struct json_object **ev;
	size_t n, k;

	(void)state;
	au_begin();
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* With a progress token: three increasing progress events, then the answer. */
	assert_int_equal(mu_post(ON, TON, NULL, RPC(5, "tools/call", "{\"name\":"
	    "\"test_tool_with_progress\",\"_meta\":{\"progressToken\":\"pt\"}}"), &r), 0);
	if ((ev = mu_events(&r)) == NULL)
		au_bad(__LINE__, "not SSE: %.300s", r.body ? r.body : "");
	else {
		for (n = 0, k = 0; ev[n] != NULL; n++)
			k += au_jstr(ev[n], "method") != NULL &&
			    strcmp(au_jstr(ev[n], "method"), "notifications/progress") == 0;
		if (k != 3 || n != 4 || strstr(r.body, "\"progress\":50") == NULL ||
		    !json_object_object_get_ex(ev[3], "result", NULL))
			au_bad(__LINE__, "%zu progress events of %zu: %.500s", k, n, r.body);
	}
	mu_events_free(ev);
	http_resp_free(&r);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_bad_settings),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_prompts),
		cmocka_unit_test(test_completion),
		cmocka_unit_test(test_tools),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
