/*
 * test_mcp_guard: the pure parts of mcp.fcgi's transport checks
 * (src/mcp/guard.c, rpc.c): the Host and Origin allow-lists with their
 * defaults (loopback and PUBLIC_BASE_URL) and with explicit lists, and
 * rpc_classify on every shape of JSON-RPC message.  Table cases report
 * their line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "guard.h"
#include "json.h"
#include "rpc.h"

static int failures;

static void
bad(int line, const char *what)
{
	fprintf(stderr, "  case at line %d: %s\n", line, what);
	failures++;
}

#define BASE "https://mcp.example.com:8443/app"

static void
test_host(void **state)
{
	static const struct { int line; const char *list, *host; int want; } c[] = {
		{ __LINE__, NULL, "localhost", 1 },
		{ __LINE__, NULL, "LOCALHOST:8080", 1 },
		{ __LINE__, NULL, "127.0.0.1:1", 1 },
		{ __LINE__, NULL, "[::1]:8080", 1 },
		{ __LINE__, NULL, "[::1]", 1 },
		{ __LINE__, NULL, "mcp.example.com", 1 },
		{ __LINE__, NULL, "mcp.example.com:9999", 1 },
		{ __LINE__, NULL, "evil.example.com", 0 },
		{ __LINE__, NULL, "localhost.evil.com", 0 },
		{ __LINE__, NULL, "127.0.0.1.nip.io", 0 },
		{ __LINE__, NULL, "[::1", 0 },
		{ __LINE__, NULL, "", 0 },
		{ __LINE__, NULL, ":8080", 0 },
		{ __LINE__, NULL, NULL, 0 },
		{ __LINE__, "a.example, b.example", "b.example:80", 1 },
		{ __LINE__, "a.example, b.example", "localhost", 0 },
		{ __LINE__, "a.example,,", "a.example", 1 },
		{ __LINE__, "*", "anything.example", 1 },
		{ __LINE__, "a.example", "a.examplex", 0 },
	};
	char long_host[400];

	(void)state;
	failures = 0;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (guard_host_allowed(c[i].list, BASE, c[i].host) != c[i].want)
			bad(c[i].line, c[i].host != NULL ? c[i].host : "(null)");
	memset(long_host, 'a', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	if (guard_host_allowed("*", BASE, long_host) != 0)
		bad(__LINE__, "an overlong host");
	assert_int_equal(failures, 0);
}

static void
test_origin(void **state)
{
	static const struct { int line; const char *list, *origin; int want; } c[] = {
		{ __LINE__, NULL, "http://localhost", 1 },
		{ __LINE__, NULL, "http://localhost:6274", 1 },
		{ __LINE__, NULL, "https://127.0.0.1:3000", 1 },
		{ __LINE__, NULL, "http://[::1]:3000", 1 },
		{ __LINE__, NULL, "https://mcp.example.com:8443", 1 },
		{ __LINE__, NULL, "https://mcp.example.com", 0 },	/* the base names a port */
		{ __LINE__, NULL, "http://mcp.example.com:8443", 0 },
		{ __LINE__, NULL, "https://mcp.example.com:8443/app", 0 },
		{ __LINE__, NULL, "null", 0 },
		{ __LINE__, NULL, "file://", 0 },
		{ __LINE__, NULL, "ftp://localhost", 0 },
		{ __LINE__, NULL, "http://localhost.evil.com", 0 },
		{ __LINE__, NULL, "http://localhost/", 0 },
		{ __LINE__, NULL, "", 0 },
		{ __LINE__, "https://app.example", "https://app.example:444", 1 },
		{ __LINE__, "https://app.example:443", "https://app.example:444", 0 },
		{ __LINE__, "https://app.example:443", "https://app.example:443", 1 },
		{ __LINE__, "https://app.example", "http://app.example", 0 },
		{ __LINE__, "https://app.example", "http://localhost", 0 },
		{ __LINE__, "*", "null", 1 },
	};

	(void)state;
	failures = 0;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (guard_origin_allowed(c[i].list, BASE, c[i].origin) != c[i].want)
			bad(c[i].line, c[i].origin);
	assert_int_equal(failures, 0);
}

static void
test_classify(void **state)
{
	static const struct { int line; const char *msg; enum rpc_kind want; } c[] = {
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", RPC_REQUEST },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}", RPC_REQUEST },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":-9007199254740993,\"method\":\"x\"}", RPC_REQUEST },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"method\":\"n\"}", RPC_NOTIFICATION },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", RPC_RESPONSE },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1,\"message\":\"m\"}}",
		    RPC_RESPONSE },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":5}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"x\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"result\":{}}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\\u0000y\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\\u0000\",\"id\":1,\"method\":\"x\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0 \",\"id\":1,\"method\":\"x\"}", RPC_INVALID },
		{ __LINE__, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}", RPC_INVALID },
		{ __LINE__, "[]", RPC_INVALID },
		{ __LINE__, "\"x\"", RPC_INVALID },
	};
	struct json_object *o, *id, *params;
	const char *method, *why;
	char longid[400];
	size_t pos;

	(void)state;
	failures = 0;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		o = NULL;
		if (json_parse(c[i].msg, strlen(c[i].msg), &o, &pos, &why) != JSON_OK)
			bad(c[i].line, "does not parse");
		else if (rpc_classify(o, &method, &id, &params) != c[i].want)
			bad(c[i].line, c[i].msg);
		json_object_put(o);
	}
	/* A string id past RPC_ID_MAX. */
	snprintf(longid, sizeof(longid), "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":\"%0*d\"}",
	    RPC_ID_MAX + 1, 0);
	o = json_tokener_parse(longid);
	if (rpc_classify(o, &method, &id, &params) != RPC_INVALID)
		bad(__LINE__, "an overlong id");
	json_object_put(o);
	assert_int_equal(failures, 0);
}

/* Errors answered at the HTTP level have no id; in-band ones echo it. */
static void
test_errors(void **state)
{
	struct json_object *e, *id = json_object_new_int(7), *v;

	(void)state;
	e = rpc_error(NULL, RPC_PARSE_ERROR, "Parse error");
	assert_false(json_object_object_get_ex(e, "id", NULL));
	json_object_put(e);
	e = rpc_error(id, RPC_METHOD_NOT_FOUND, "Method not found");
	assert_true(json_object_object_get_ex(e, "id", &v));
	assert_int_equal(json_object_get_int(v), 7);
	json_object_put(e);
	json_object_put(id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
