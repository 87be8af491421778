/*
 * test_mcp: the MCP endpoint's transport and authorization through a real
 * lighttpd with two mcp.fcgi processes (src/mcp/transport.h, auth.h):
 * every status of the check order (403 Origin/Host, 401/403 tokens, 406,
 * 415, 413, 400 -32700, 400 -32600, 400 version, 404 session) and which
 * check wins when two fail, 202 for notifications and responses, GET 405,
 * DELETE, batches only under 2025-03-26; initialize's version
 * negotiation; sessions that belong to one user, end, idle out, and are
 * served by the processes of a second server sharing the database; the
 * Protected Resource Metadata; and no token in the log.  Table cases
 * report their own line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts_util.h"
#include "harness.h"
#include "jwt.h"
#include "mcp_util.h"

#define BASE		"https://mcp.example.com"
#define CANONICAL	BASE "/mcp-server/mcp"
#define PRM_URL		BASE "/.well-known/oauth-protected-resource/mcp-server/mcp"
#define PING		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
#define PING_N		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"
#define INIT(v)		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" \
			"{\"protocolVersion\":\"" v "\",\"capabilities\":{},\"clientInfo\":" \
			"{\"name\":\"t\",\"version\":\"1\"}}}"

static struct harness	*H;
static const char	*KEYSET;
static struct au_user	 U, OTHER, SLEEPY;

enum tk {
	T_NONE, T_GOOD, T_OTHER, T_ACCESS, T_EXPIRED, T_WRONG_AUD, T_CANONICAL,
	T_WRONG_ISS, T_FOREIGN, T_SCOPE_OTHER, T_NO_SCOPE, T_SCOPE_LIST,
	T_UNKNOWN_SUB, T_INACTIVE, T_HS256, T_ALG_NONE, T_GARBAGE, T_HUGE, T__MAX
};
static char		*TOK[T__MAX];

/* ---- the group ---- */

static int
group_setup(void **state)
{
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "MAX_REQUEST_BODY_BYTES=8192", "PUBLIC_BASE_URL=" BASE, NULL, NULL };
	struct harness_opts o = { .env = env, .procs = 2 };
	struct jwt_key *foreign;
	char *p;

	(void)state;
	if (mu_keys(&KEYSET) != 0)
		return -1;
	env[5] = KEYSET;
	if ((H = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(H, "mcp", &U) != 0 || au_new_user(H, "other", &OTHER) != 0 ||
	    au_new_user(H, "sleepy", &SLEEPY) != 0 ||
	    au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = %Q", SLEEPY.id) != 0)
		return -1;
	if ((foreign = jwt_key_generate(JWT_RS256)) == NULL)
		return -1;
	TOK[T_GOOD] = mu_good_token(U.id);
	TOK[T_OTHER] = mu_good_token(OTHER.id);
	TOK[T_ACCESS] = strdup(U.token);
	TOK[T_EXPIRED] = mu_token(NULL, U.id, "mcp-server", "personal-server", "mcp-access", -60);
	TOK[T_WRONG_AUD] = mu_token(NULL, U.id, "fastapi-users:auth", "personal-server",
	    "mcp-access", 600);
	TOK[T_CANONICAL] = mu_token(NULL, U.id, CANONICAL, "personal-server", "mcp-access", 600);
	TOK[T_WRONG_ISS] = mu_token(NULL, U.id, "mcp-server", "someone-else", "mcp-access", 600);
	TOK[T_FOREIGN] = mu_token(foreign, U.id, "mcp-server", "personal-server",
	    "mcp-access", 600);
	TOK[T_SCOPE_OTHER] = mu_token(NULL, U.id, "mcp-server", "personal-server", "mcp", 600);
	TOK[T_NO_SCOPE] = mu_token(NULL, U.id, "mcp-server", "personal-server", NULL, 600);
	TOK[T_SCOPE_LIST] = mu_token(NULL, U.id, "mcp-server", "personal-server",
	    "openid mcp-access profile", 600);
	TOK[T_UNKNOWN_SUB] = mu_good_token("00000000-0000-4000-8000-000000000000");
	TOK[T_INACTIVE] = mu_good_token(SLEEPY.id);
	/* MCP claims signed as an access token would be (HS256, JWT_SECRET). */
	if (asprintf(&p, "{\"iss\":\"personal-server\",\"sub\":\"%s\",\"aud\":\"mcp-server\","
	    "\"scope\":\"mcp-access\",\"exp\":%lld}", U.id, (long long)au_now() + 600) > 0) {
		TOK[T_HS256] = au_jwt_hs256(H, p);
		free(p);
	}
	if (asprintf(&p, "{\"sub\":\"%s\",\"aud\":\"mcp-server\",\"iss\":\"personal-server\","
	    "\"scope\":\"mcp-access\",\"exp\":%lld}", U.id, (long long)au_now() + 600) > 0) {
		TOK[T_ALG_NONE] = au_jwt_hmac(NULL, NULL, 0, "{\"alg\":\"none\",\"typ\":\"JWT\"}", p);
		free(p);
	}
	TOK[T_GARBAGE] = strdup("abc.def.ghi");
	/* lighttpd caps the header block at 8 KiB (431): a long garbage token under it. */
	if ((TOK[T_HUGE] = malloc(6001)) != NULL) {
		memset(TOK[T_HUGE], 'A', 6000);
		TOK[T_HUGE][6000] = '\0';
	}
	jwt_key_free(foreign);
	for (int i = 1; i < T__MAX; i++)
		if (TOK[i] == NULL)
			return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int rc = H != NULL ? harness_check_log(H) : 0;

	(void)state;
	harness_stop(H);
	for (int i = 0; i < T__MAX; i++)
		free(TOK[i]);
	mu_keys_free();
	return rc;
}

/* ---- the status table ---- */

enum chal { C_ANY, C_NONE, C_MISSING, C_INVALID, C_SCOPE };

struct scase {
	int		 line;
	enum tk		 tok;
	struct mu_req	 r;
	long		 status;
	int		 code;		/* JSON-RPC error code wanted; 0: none */
	enum chal	 chal;
};

#define BODY(b)		.body = (b)
#define GOOD		T_GOOD

static const char *
big_body(void)
{
	static char	 b[9100];

	if (b[0] == '\0') {
		snprintf(b, sizeof(b), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
		    "\"params\":{\"pad\":\"");
		memset(b + strlen(b), 'x', 9000);
		strcat(b, "\"}}");
	}
	return b;
}

static char	 DEEP[200];
static char	 BATCH101[101 * 48];

static const struct scase cases[] = {
	/* Origin and Host: first of all, before the token. */
	{ __LINE__, GOOD, { .origin = "https://evil.example.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, T_NONE, { .origin = "https://evil.example.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .origin = "null", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .origin = "http://localhost:6274", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .origin = "http://127.0.0.1", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .origin = BASE, BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .origin = BASE ".evil.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .origin = "ftp://localhost", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .origin = "http://localhost/path", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .origin = "http://localhost.evil.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .host = "evil.example.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, T_NONE, { .host = "evil.example.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .host = "127.0.0.1.evil.com", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .host = "localhostx:80", BODY(PING) }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .host = "mcp.example.com", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .host = "localhost:9", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .host = "[::1]:80", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .host = "localhost", .origin = "https://evil.example.com",
	    BODY(PING) }, 403, -32000, C_NONE },
	/* Tokens. */
	{ __LINE__, T_NONE, { BODY(PING) }, 401, -32000, C_MISSING },
	{ __LINE__, T_NONE, { .auth = "Basic dXNlcjpwYXNz", BODY(PING) }, 401, -32000, C_MISSING },
	{ __LINE__, T_NONE, { .auth = "Bearer", BODY(PING) }, 401, -32000, C_MISSING },
	{ __LINE__, T_NONE, { .auth = "Bearer ", BODY(PING) }, 401, -32000, C_MISSING },
	{ __LINE__, T_NONE, { .accept = "text/html", BODY(PING) }, 401, -32000, C_MISSING },
	{ __LINE__, T_EXPIRED, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_WRONG_AUD, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_WRONG_ISS, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_FOREIGN, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_UNKNOWN_SUB, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_INACTIVE, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_HS256, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_ALG_NONE, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_GARBAGE, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_HUGE, { BODY(PING) }, 401, -32000, C_INVALID },
	{ __LINE__, T_SCOPE_OTHER, { BODY(PING) }, 403, -32000, C_SCOPE },
	{ __LINE__, T_NO_SCOPE, { BODY(PING) }, 403, -32000, C_SCOPE },
	{ __LINE__, T_SCOPE_OTHER, { .accept = "text/html", BODY(PING) }, 403, -32000, C_SCOPE },
	{ __LINE__, T_SCOPE_LIST, { BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, T_CANONICAL, { BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, T_ACCESS, { BODY(PING) }, 200, 0, C_NONE },
	/* Accept. */
	{ __LINE__, GOOD, { .accept = "application/json", BODY(PING) }, 406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = "text/event-stream", BODY(PING) }, 406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = MU_NONE, BODY(PING) }, 406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = "*/*", BODY(PING) }, 406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = "application/jsonp, text/event-streams", BODY(PING) },
	    406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = "application/json", .ctype = "text/plain", BODY(PING) },
	    406, -32000, C_NONE },
	{ __LINE__, GOOD, { .accept = "text/event-stream;q=1, application/json;q=0.9",
	    BODY(PING) }, 200, 0, C_NONE },
	/* Content-Type. */
	{ __LINE__, GOOD, { .ctype = "text/plain", BODY(PING) }, 415, -32000, C_NONE },
	{ __LINE__, GOOD, { .ctype = MU_NONE, BODY(PING) }, 415, -32000, C_NONE },
	{ __LINE__, GOOD, { .ctype = "application/jsonx", BODY(PING) }, 415, -32000, C_NONE },
	{ __LINE__, GOOD, { .ctype = "application/x-www-form-urlencoded", BODY("a=b") },
	    415, -32000, C_NONE },
	{ __LINE__, GOOD, { .ctype = "application/json; charset=utf-8", BODY(PING) }, 200, 0, C_NONE },
	/* Size (the cap is 8192 bytes here), then JSON, then JSON-RPC. */
	{ __LINE__, GOOD, { .body = NULL /* big_body() */ }, 413, -32000, C_NONE },
	{ __LINE__, GOOD, { BODY("{") }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { BODY("") }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { BODY("{} x") }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}") }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":'ping'}") }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { .body = DEEP }, 400, -32700, C_NONE },
	{ __LINE__, GOOD, { BODY("null") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("42") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("\"ping\"") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"id\":1,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}") },
	    400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":null}") },
	    400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}") },
	    400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":1}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"result\":{}}") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("[]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { .version = "2099-01-01", BODY("{}") }, 400, -32600, C_NONE },
	/* MCP-Protocol-Version, then the session. */
	{ __LINE__, GOOD, { .version = "2099-01-01", BODY(PING) }, 400, -32000, C_NONE },
	{ __LINE__, GOOD, { .version = "2024-10-07", BODY(PING) }, 400, -32000, C_NONE },
	{ __LINE__, GOOD, { .version = "2025-06-18x", BODY(PING) }, 400, -32000, C_NONE },
	{ __LINE__, GOOD, { .version = "2099-01-01", .session = "0123456789abcdef0123456789abcdef",
	    BODY(PING) }, 400, -32000, C_NONE },
	{ __LINE__, GOOD, { .version = "2025-06-18", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .version = "2024-11-05", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .session = "0123456789abcdef0123456789abcdef", BODY(PING) },
	    404, -32001, C_NONE },
	{ __LINE__, GOOD, { .session = "not-a-session", BODY(PING) }, 404, -32001, C_NONE },
	{ __LINE__, GOOD, { .session = "0123456789ABCDEF0123456789ABCDEF", BODY(PING) },
	    404, -32001, C_NONE },
	{ __LINE__, GOOD, { .session = "0123456789abcdef0123456789abcdef", BODY(PING_N) },
	    404, -32001, C_NONE },
	{ __LINE__, GOOD, { .session = "0123456789abcdef0123456789abcdef", BODY(INIT("2025-11-25")) },
	    400, -32600, C_NONE },
	/* Notifications and responses: 202 with no body. */
	{ __LINE__, GOOD, { BODY(PING_N) }, 202, 0, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
	    "\"params\":{\"requestId\":7}}") }, 202, 0, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"method\":\"no/such\"}") }, 202, 0, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}") }, 202, 0, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-1,"
	    "\"message\":\"x\"}}") }, 202, 0, C_NONE },
	/* Requests: JSON-RPC errors inside a 200. */
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"no/such\"}") },
	    200, -32601, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\"}") },
	    200, -32602, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
	    "{\"protocolVersion\":20251125,\"capabilities\":{},\"clientInfo\":{}}}") },
	    200, -32602, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\","
	    "\"params\":{\"level\":\"verbose\"}}") }, 200, -32602, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\"}") },
	    200, -32602, C_NONE },
	{ __LINE__, GOOD, { BODY("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"logging/setLevel\","
	    "\"params\":{\"level\":\"info\"}}") }, 200, 0, C_NONE },
	/* Methods and paths. */
	{ __LINE__, GOOD, { .method = "GET", .ctype = MU_NONE, .accept = "text/event-stream" },
	    405, -32000, C_NONE },
	{ __LINE__, T_NONE, { .method = "GET", .accept = "text/event-stream" }, 401, -32000, C_MISSING },
	{ __LINE__, GOOD, { .method = "GET", .origin = "https://evil.example.com" }, 403, -32000, C_NONE },
	{ __LINE__, GOOD, { .method = "DELETE" }, 400, -32000, C_NONE },
	{ __LINE__, GOOD, { .method = "DELETE", .session = "0123456789abcdef0123456789abcdef" },
	    404, -32001, C_NONE },
	{ __LINE__, GOOD, { .method = "DELETE", .session = "x" }, 404, -32001, C_NONE },
	{ __LINE__, GOOD, { .method = "DELETE", .version = "1.0", .session = "x" }, 400, -32000, C_NONE },
	{ __LINE__, T_NONE, { .method = "DELETE", .session = "x" }, 401, -32000, C_MISSING },
	{ __LINE__, GOOD, { .method = "PUT", BODY(PING) }, 405, 0, C_ANY },
	{ __LINE__, GOOD, { .path = MU_PATH "/", BODY(PING) }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .path = MU_PATH "//", BODY(PING) }, 307, 0, C_ANY },
	{ __LINE__, GOOD, { .path = "/mcp-server/other", BODY(PING) }, 404, 0, C_ANY },
	{ __LINE__, GOOD, { .path = MU_PATH "?x=1", BODY(PING) }, 200, 0, C_NONE },
	/* Batches: 2025-03-26 only (no header and no session means 2025-03-26). */
	{ __LINE__, GOOD, { BODY("[" PING "," PING "]") }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .version = "2025-03-26", BODY("[" PING "]") }, 200, 0, C_NONE },
	{ __LINE__, GOOD, { .version = "2025-06-18", BODY("[" PING "]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { .version = "2025-11-25", BODY("[" PING "]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("[" INIT("2025-03-26") "]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("[" PING ",{}]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("[" PING ",[]]") }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { .body = BATCH101 }, 400, -32600, C_NONE },
	{ __LINE__, GOOD, { BODY("[" PING_N "," PING_N "]") }, 202, 0, C_NONE },
};

static void
check_challenge(int line, const struct http_resp *r, enum chal c)
{
	const char *w = http_resp_header(r, "WWW-Authenticate");

	switch (c) {
	case C_ANY:
		return;
	case C_NONE:
		if (w != NULL)
			au_bad(line, "unexpected WWW-Authenticate: %s", w);
		return;
	case C_MISSING:
		if (w == NULL || strcmp(w, "Bearer resource_metadata=\"" PRM_URL
		    "\", scope=\"mcp-access\"") != 0)
			au_bad(line, "WWW-Authenticate: %s", w ? w : "(none)");
		return;
	case C_INVALID:
	case C_SCOPE:
		if (w == NULL || strncmp(w, "Bearer ", 7) != 0 ||
		    strstr(w, c == C_INVALID ? "error=\"invalid_token\"" :
		    "error=\"insufficient_scope\"") == NULL ||
		    strstr(w, "resource_metadata=\"" PRM_URL "\"") == NULL ||
		    strstr(w, "scope=\"mcp-access\"") == NULL)
			au_bad(line, "WWW-Authenticate: %s", w ? w : "(none)");
		return;
	}
}

static void
test_statuses(void **state)
{
	struct http_resp r;
	size_t i, n;

	(void)state;
	au_begin();
	/* 40 nested arrays: past the parser's depth cap of 32. */
	memset(DEEP, '[', 40);
	memset(DEEP + 40, ']', 40);
	n = (size_t)snprintf(BATCH101, sizeof(BATCH101), "[");
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(BATCH101 + n, sizeof(BATCH101) - n, "%s%s",
		    i > 0 ? "," : "", PING);
	snprintf(BATCH101 + n, sizeof(BATCH101) - n, "]");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct scase *c = &cases[i];
		struct mu_req q = c->r;

		if (c->status == 413)
			q.body = big_body();
		q.token = c->tok != T_NONE ? TOK[c->tok] : NULL;
		if (mu_send(H, &q, &r) != 0) {
			au_bad(c->line, "no answer");
			continue;
		}
		if (r.status != c->status)
			au_bad(c->line, "status %ld, want %ld: %.300s", r.status, c->status,
			    r.body ? r.body : "");
		else if (c->code != 0 && mu_error_code(&r) != c->code)
			au_bad(c->line, "error code %d, want %d: %.300s", mu_error_code(&r),
			    c->code, r.body ? r.body : "");
		/* HTTP-level errors are JSON-RPC errors without an id. */
		else if (c->code != 0 && c->status != 200 && !mu_error_without_id(&r))
			au_bad(c->line, "not a JSON-RPC error without id: %.300s", r.body);
		else if (c->status == 200 && c->code == 0 && mu_result(&r) == NULL &&
		    (r.json == NULL || !json_object_is_type(r.json, json_type_array)))
			au_bad(c->line, "no result: %.300s", r.body ? r.body : "");
		else if (c->status == 202 && r.body_len != 0)
			au_bad(c->line, "202 with a body: %.300s", r.body);
		check_challenge(c->line, &r, c->chal);
		http_resp_free(&r);
	}
	au_end();
}

/* ---- initialize ---- */

static void
test_initialize(void **state)
{
	static const struct { int line; const char *body; const char *want; } v[] = {
		{ __LINE__, INIT("2025-11-25"), "2025-11-25" },
		{ __LINE__, INIT("2025-06-18"), "2025-06-18" },
		{ __LINE__, INIT("2025-03-26"), "2025-03-26" },
		{ __LINE__, INIT("2024-11-05"), "2024-11-05" },
		/* Not ours: not an error, our latest is offered. */
		{ __LINE__, INIT("2024-10-07"), "2025-11-25" },
		{ __LINE__, INIT("1999-01-01"), "2025-11-25" },
		{ __LINE__, INIT(""), "2025-11-25" },
	};
	struct http_resp r;
	struct json_object *res, *o;
	const char *sid, *ins;
	char first[64] = "";

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (mu_post(H, TOK[T_GOOD], NULL, v[i].body, &r) != 0 || r.status != 200 ||
		    (res = mu_result(&r)) == NULL) {
			au_bad(v[i].line, "%ld %.300s", r.status, r.body ? r.body : "");
			http_resp_free(&r);
			continue;
		}
		if (au_jstr(res, "protocolVersion") == NULL ||
		    strcmp(au_jstr(res, "protocolVersion"), v[i].want) != 0)
			au_bad(v[i].line, "protocolVersion %s", au_jstr(res, "protocolVersion"));
		sid = http_resp_header(&r, "Mcp-Session-Id");
		/* 128 random bits as 32 hex digits, a new one each time. */
		if (sid == NULL || !au_matches("^[0-9a-f]{32}$", sid) || strcmp(sid, first) == 0)
			au_bad(v[i].line, "Mcp-Session-Id %s", sid ? sid : "(none)");
		else
			snprintf(first, sizeof(first), "%s", sid);
		if (!json_object_object_get_ex(res, "capabilities", &o) ||
		    !json_object_object_get_ex(o, "tools", NULL) ||
		    !json_object_object_get_ex(o, "logging", NULL))
			au_bad(v[i].line, "capabilities: %s", r.body);
		if (!json_object_object_get_ex(res, "serverInfo", &o) ||
		    au_jstr(o, "name") == NULL || au_jstr(o, "version") == NULL)
			au_bad(v[i].line, "serverInfo: %s", r.body);
		/* The instructions say where a token comes from. */
		ins = au_jstr(res, "instructions");
		if (ins == NULL || strstr(ins, BASE "/auth/mcp-token") == NULL ||
		    strstr(ins, BASE "/auth/jwt/login") == NULL || strstr(ins, "Bearer") == NULL)
			au_bad(v[i].line, "instructions: %s", ins ? ins : "(none)");
		http_resp_free(&r);
	}
	au_end();
}

/* ---- sessions ---- */

static long
ping_in(struct harness *h, const char *tok, const char *sid)
{
	struct http_resp r;
	long st;

	if (mu_post(h, tok, sid, PING, &r) != 0)
		return 0;
	st = r.status;
	if (st == 200 && mu_result(&r) == NULL)
		st = -1;
	http_resp_free(&r);
	return st;
}

static void
test_sessions(void **state)
{
	struct http_resp r;
	struct mu_req q;
	char sid[64], sid2[64], *log;
	long st;
	int64_t rows;

	(void)state;
	au_begin();
	assert_int_equal(mu_initialize(H, TOK[T_GOOD], NULL, sid, sizeof(sid)), 0);
	/* Many requests: both processes serve the session. */
	for (int i = 0; i < 6; i++)
		if ((st = ping_in(H, TOK[T_GOOD], sid)) != 200)
			au_bad(__LINE__, "ping %d in the session: %ld", i, st);
	/* The same user with an access token: the session is the user's. */
	if ((st = ping_in(H, TOK[T_ACCESS], sid)) != 200)
		au_bad(__LINE__, "access token of the owner: %ld", st);
	/* Another user: the session does not exist for them. */
	if ((st = ping_in(H, TOK[T_OTHER], sid)) != 404)
		au_bad(__LINE__, "another user's session: %ld", st);
	memset(&q, 0, sizeof(q));
	q.method = "DELETE";
	q.token = TOK[T_OTHER];
	q.session = sid;
	if (mu_send(H, &q, &r) != 0 || r.status != 404)
		au_bad(__LINE__, "DELETE by another user: %ld", r.status);
	http_resp_free(&r);
	if ((st = ping_in(H, TOK[T_GOOD], sid)) != 200)
		au_bad(__LINE__, "still the owner's: %ld", st);
	/* The database does not hold the id: removing rows that do leaves it. */
	if (au_db_exec(H, "DELETE FROM mcp_sessions WHERE id_hash = %Q OR "
	    "id_hash LIKE '%%' || %Q || '%%'", sid, sid) != 0 || ping_in(H, TOK[T_GOOD], sid) != 200)
		au_bad(__LINE__, "the id itself is stored");
	log = harness_read_log(H);
	if (log != NULL && strstr(log, sid) != NULL)
		au_bad(__LINE__, "the session id is in the log");
	free(log);
	/* DELETE ends it: 204, then 404 for everything. */
	q.token = TOK[T_GOOD];
	if (mu_send(H, &q, &r) != 0 || r.status != 204)
		au_bad(__LINE__, "DELETE: %ld %.200s", r.status, r.body ? r.body : "");
	http_resp_free(&r);
	if ((st = ping_in(H, TOK[T_GOOD], sid)) != 404)
		au_bad(__LINE__, "after DELETE: %ld", st);
	if (mu_send(H, &q, &r) != 0 || r.status != 404)
		au_bad(__LINE__, "second DELETE: %ld", r.status);
	http_resp_free(&r);
	/* Idle too long: gone. */
	assert_int_equal(mu_initialize(H, TOK[T_GOOD], "2025-06-18", sid2, sizeof(sid2)), 0);
	if ((st = ping_in(H, TOK[T_GOOD], sid2)) != 200)
		au_bad(__LINE__, "fresh session: %ld", st);
	/* Used after two minutes: last_seen moves to now (written once a
	 * minute at most), and the session is kept. */
	assert_int_equal(au_db_exec(H, "UPDATE mcp_sessions SET last_seen = last_seen - "
	    "120 WHERE user_id = %Q", U.id), 0);
	if ((st = ping_in(H, TOK[T_GOOD], sid2)) != 200)
		au_bad(__LINE__, "session used after two minutes: %ld", st);
	if (au_db_int(H, "SELECT count(*) FROM mcp_sessions WHERE user_id = %Q AND "
	    "last_seen >= %lld", U.id, (long long)time(NULL) - 5) != 1)
		au_bad(__LINE__, "last_seen was not touched");
	assert_int_equal(au_db_exec(H, "UPDATE mcp_sessions SET last_seen = last_seen - "
	    "86400 WHERE user_id = %Q", U.id), 0);
	rows = au_db_int(H, "SELECT count(*) FROM mcp_sessions WHERE user_id = %Q", U.id);
	if ((st = ping_in(H, TOK[T_GOOD], sid2)) != 404)
		au_bad(__LINE__, "idle session: %ld", st);
	if (au_db_int(H, "SELECT count(*) FROM mcp_sessions WHERE user_id = %Q",
	    U.id) != rows - 1)
		au_bad(__LINE__, "the idle session's row is still there");
	/* A deleted user takes their sessions along. */
	assert_int_equal(mu_initialize(H, TOK[T_OTHER], NULL, sid2, sizeof(sid2)), 0);
	assert_int_equal(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = %Q",
	    OTHER.id), 0);
	if ((st = ping_in(H, TOK[T_OTHER], sid2)) != 401)
		au_bad(__LINE__, "inactive owner: %ld", st);
	assert_int_equal(au_db_exec(H, "UPDATE users SET is_active = TRUE WHERE id = %Q",
	    OTHER.id), 0);
	au_end();
}

/*
 * A second server on the same database and keys: its own lighttpd and
 * mcp.fcgi processes serve the first one's session; and it refuses
 * access tokens (MCP_ACCEPT_ACCESS_TOKENS=false).
 */
static void
test_sessions_shared(void **state)
{
	char db[PATH_MAX + 16], secret[128], sid[64];
	const char *env[] = { db, secret, KEYSET, "PUBLIC_BASE_URL=" BASE,
	    "MCP_ACCEPT_ACCESS_TOKENS=false", NULL };
	struct harness_opts o = { .env = env, .procs = 2, .no_migrate = 1 };
	struct harness *h2;
	long st;

	(void)state;
	au_begin();
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	assert_non_null(h2 = harness_start(&o));
	assert_int_equal(mu_initialize(H, TOK[T_GOOD], NULL, sid, sizeof(sid)), 0);
	if ((st = ping_in(h2, TOK[T_GOOD], sid)) != 200)
		au_bad(__LINE__, "the other server: %ld", st);
	if ((st = ping_in(h2, TOK[T_OTHER], sid)) != 404)
		au_bad(__LINE__, "the other server, another user: %ld", st);
	if ((st = ping_in(h2, TOK[T_ACCESS], NULL)) != 401)
		au_bad(__LINE__, "access token with MCP_ACCEPT_ACCESS_TOKENS=false: %ld", st);
	if ((st = ping_in(H, TOK[T_ACCESS], NULL)) != 200)
		au_bad(__LINE__, "access token on the first server: %ld", st);
	/* Ended on the second server: gone on the first. */
	{
		struct mu_req q = { .method = "DELETE", .token = TOK[T_GOOD], .session = sid };
		struct http_resp r;

		if (mu_send(h2, &q, &r) != 0 || r.status != 204)
			au_bad(__LINE__, "DELETE on the other server: %ld", r.status);
		http_resp_free(&r);
	}
	if ((st = ping_in(H, TOK[T_GOOD], sid)) != 404)
		au_bad(__LINE__, "ended elsewhere: %ld", st);
	if (harness_check_log(h2) != 0)
		au_bad(__LINE__, "sanitizer report on the second server");
	harness_stop(h2);
	au_end();
}

/* ---- Protected Resource Metadata ---- */

static void
test_metadata(void **state)
{
	static const char *const paths[] = {
		"/.well-known/oauth-protected-resource/mcp-server/mcp",
		"/.well-known/oauth-protected-resource",
	};
	struct json_object *a;
	struct http_resp r;

	(void)state;
	au_begin();
	for (size_t i = 0; i < 2; i++) {
		/* Public: no token needed. */
		if (harness_get(H, paths[i], &r) != 0 || r.status != 200 || r.json == NULL) {
			au_bad(__LINE__, "%s: %ld", paths[i], r.status);
			http_resp_free(&r);
			continue;
		}
		if (au_jstr(r.json, "resource") == NULL ||
		    strcmp(au_jstr(r.json, "resource"), CANONICAL) != 0)
			au_bad(__LINE__, "resource: %s", r.body);
		if (!json_object_object_get_ex(r.json, "authorization_servers", &a) ||
		    json_object_array_length(a) < 1 ||
		    strcmp(json_object_get_string(json_object_array_get_idx(a, 0)), BASE) != 0)
			au_bad(__LINE__, "authorization_servers: %s", r.body);
		if (!json_object_object_get_ex(r.json, "scopes_supported", &a) ||
		    strcmp(json_object_get_string(json_object_array_get_idx(a, 0)),
		    "mcp-access") != 0)
			au_bad(__LINE__, "scopes_supported: %s", r.body);
		if (!json_object_object_get_ex(r.json, "bearer_methods_supported", &a) ||
		    json_object_array_length(a) != 1 ||
		    strcmp(json_object_get_string(json_object_array_get_idx(a, 0)), "header") != 0)
			au_bad(__LINE__, "bearer_methods_supported: %s", r.body);
		http_resp_free(&r);
		if (harness_request(H, "POST", paths[i], NULL, "{}", 2, &r) != 0 ||
		    r.status != 405)
			au_bad(__LINE__, "POST %s: %ld", paths[i], r.status);
		http_resp_free(&r);
	}
	if (harness_get(H, "/.well-known/oauth-protected-resource/other", &r) != 0 ||
	    r.status != 404)
		au_bad(__LINE__, "another resource: %ld", r.status);
	http_resp_free(&r);
	au_end();
}

/* Last: nothing of any token the tests sent is in the log. */
static void
test_no_tokens_logged(void **state)
{
	char *log;

	(void)state;
	au_begin();
	assert_non_null(log = harness_read_log(H));
	for (int i = 1; i < T__MAX; i++) {
		const char *sig = strrchr(TOK[i], '.');

		if (strstr(log, TOK[i]) != NULL || (sig != NULL && strlen(sig) > 10 &&
		    strstr(log, sig + 1) != NULL))
			au_bad(__LINE__, "token %d is in the log", i);
	}
	if (strstr(log, "eyJ") != NULL)
		au_bad(__LINE__, "something like a JWT in the log");
	free(log);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_initialize),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_sessions_shared),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_no_tokens_logged),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
