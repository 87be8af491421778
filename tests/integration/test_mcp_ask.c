/*
 * test_mcp_ask: requests of mcp.fcgi to the client in the middle of a
 * tools/call (src/mcp/ask.h) — sampling/createMessage, elicitation/create,
 * roots/list, made by the conformance fixtures (MCP_CONFORMANCE_FIXTURES=1)
 * — through a real web server with three processes, and a second web
 * server on the same database.
 *
 * A call runs in a thread with a streaming client; the test finds the
 * request the server made in the database (where it waits for its
 * answer), checks under lighttpd that its SSE event reached the client
 * while the call still waits (the stream is not buffered; mod_fcgid
 * buffers, so under Apache the event arrives with the result), and POSTs
 * the answer — to the other web server, whose processes cannot be the one
 * waiting, or to the same one, where another process takes it.  Then the
 * negative side: no session, an undeclared capability, a batch, too many
 * pending, an answer in the wrong session, of another user, too large, or
 * late; no answer at all (the bounded wait, MCP_CLIENT_REQUEST_TIMEOUT_SECONDS
 * = 3); the session ended while waiting.  No row is left behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts_util.h"
#include "db.h"
#include "harness.h"
#include "mcp_util.h"

#define WAIT_S		3	/* MCP_CLIENT_REQUEST_TIMEOUT_SECONDS here */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define CALL(name, args) "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/call\"," \
			"\"params\":{\"name\":\"" name "\",\"arguments\":" args "}}"
#define SAMPLING	CALL("test_sampling", "{\"prompt\":\"Say hi\"}")
#define TIMED_OUT	"The client did not answer sampling/createMessage within 3 seconds"
#define CAPS_ALL	"{\"sampling\":{},\"elicitation\":{},\"roots\":{}}"

static struct harness	*H, *H2;
static struct au_user	 U, V;
static char		*TU, *TV;

/* ---- the database, read and written beside the server ---- */

/* The stored key of a session id: hex SHA-256 (as src/mcp/session.c). */
static void
sid_hash(const char *sid, char out[65])
{
	unsigned char d[32];
	unsigned int n = 0, i;

	EVP_Digest(sid, strlen(sid), d, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Rows of mcp_client_requests of session sid (NULL: all); -1 on error. */
static long
pending_rows(const char *sid)
{
	char h[65];

	if (sid == NULL)
		return (long)au_db_int(H, "SELECT count(*) FROM mcp_client_requests");
	sid_hash(sid, h);
	return (long)au_db_int(H, "SELECT count(*) FROM mcp_client_requests "
	    "WHERE session_hash = %Q", h);
}

/* The id of the request waiting in session sid, within 10 s: 0 or -1. */
static int
pending_id(const char *sid, char *id, size_t len)
{
	struct db *db = au_db_open(H, 0);
	struct db_stmt *st;
	const char *v;
	char h[65];
	int i, rc = -1;

	sid_hash(sid, h);
	for (i = 0; db != NULL && i < 500 && rc != 0; i++) {
		if (db_prepare(db, "SELECT request_id FROM mcp_client_requests "
		    "WHERE session_hash = ? AND answer IS NULL", &st) != DB_OK)
			break;
		db_bind_text(st, 1, h, strlen(h));
		if (db_step(st) == DB_ROW && (v = db_column_text(st, 0, NULL)) != NULL) {
			snprintf(id, len, "%s", v);
			rc = 0;
		}
		db_stmt_done(st);
		if (rc != 0)
			usleep(20000);
	}
	db_close(db);
	return rc;
}

/* Adds n waiting rows to session sid, created at `at`. */
static void
add_rows(const char *sid, int n, long at)
{
	char h[65];
	int i;

	sid_hash(sid, h);
	for (i = 0; i < n; i++)
		assert_int_equal(au_db_exec(H, "INSERT INTO mcp_client_requests "
		    "(session_hash, request_id, method, created_at) VALUES (%Q, "
		    "'srv-%032d', 'sampling/createMessage', %lld)", h, i, (long long)at), 0);
}

/* ---- a call in a thread, read as it streams ---- */

struct call {
	pthread_t	 th;
	const char	*sid;
	const char	*body;
	const char	*method;	/* the request to watch for */
	char		*buf;
	size_t		 len;
	volatile int	 seen;		/* its event has arrived */
	long		 status;
};

static size_t
call_write(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	char *nb, needle[96];

	if ((nb = realloc(c->buf, c->len + size * n + 1)) == NULL)
		return 0;
	c->buf = nb;
	memcpy(c->buf + c->len, p, size * n);
	c->len += size * n;
	c->buf[c->len] = '\0';
	snprintf(needle, sizeof(needle), "\"method\":\"%s\"", c->method);
	if (strstr(c->buf, needle) != NULL)
		c->seen = 1;
	return size * n;
}

static void *
call_main(void *arg)
{
	struct call *c = arg;
	struct curl_slist *hs = NULL;
	char url[256], auth[1024], sh[128];
	CURL *cu;

	snprintf(url, sizeof(url), "%s%s", harness_url(H), MU_PATH);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", TU);
	snprintf(sh, sizeof(sh), "Mcp-Session-Id: %s", c->sid);
	hs = curl_slist_append(hs, auth);
	hs = curl_slist_append(hs, sh);
	hs = curl_slist_append(hs, "Accept: " MU_ACCEPT);
	hs = curl_slist_append(hs, "Content-Type: application/json");
	if ((cu = curl_easy_init()) != NULL) {
		curl_easy_setopt(cu, CURLOPT_URL, url);
		curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hs);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, call_write);
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, c);
		/* Well past the server's wait, so its timeout answer arrives
		 * even when WAIT_S is raised (as for a run under valgrind). */
		curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (WAIT_S + 30) * 1000L);
		curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
		if (curl_easy_perform(cu) == CURLE_OK)
			curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &c->status);
		curl_easy_cleanup(cu);
	}
	curl_slist_free_all(hs);
	return NULL;
}

static void
call_start(struct call *c, const char *sid, const char *body, const char *method)
{
	memset(c, 0, sizeof(*c));
	c->sid = sid;
	c->body = body;
	c->method = method;
	assert_int_equal(pthread_create(&c->th, NULL, call_main, c), 0);
}

/* Waits for the call to end; the text of its result (in c->buf), or NULL. */
static const char *
call_end(struct call *c, int line)
{
	const char *t;

	pthread_join(c->th, NULL);
	if (c->status != 200 || c->buf == NULL ||
	    (t = strstr(c->buf, "\"id\":41,\"result\"")) == NULL ||
	    (t = strstr(t, "\"text\":\"")) == NULL) {
		au_bad(line, "call: %ld %.600s", c->status, c->buf ? c->buf : "");
		return NULL;
	}
	return t + 8;
}

/* Under lighttpd the request's event arrives while the call waits. */
static void
check_streamed(struct call *c, int line)
{
	int i;

	if (strcmp(harness_server(H), "apache") == 0)
		return;		/* mod_fcgid buffers: the event comes with the result */
	for (i = 0; i < 250 && !c->seen; i++)
		usleep(20000);
	if (!c->seen)
		au_bad(line, "the %s request did not reach the client while the call "
		    "waited: %.300s", c->method, c->buf ? c->buf : "");
}

/* POSTs the answer {id, key: value} in session sid to h; the status. */
static long
answer(struct harness *h, const char *token, const char *sid, const char *id,
    const char *key, const char *value)
{
	struct http_resp r;
	char *body;
	long st;

	assert_true(asprintf(&body, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"%s\":%s}", id,
	    key, value) > 0);
	st = mu_post(h, token, sid, body, &r) == 0 ? r.status : 0;
	http_resp_free(&r);
	free(body);
	return st;
}

/* ---- the group ---- */

static int
group_setup(void **state)
{
	static char db[PATH_MAX + 16], secret[128];
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "MCP_CONFORMANCE_FIXTURES=1",
	    "MCP_CLIENT_REQUEST_TIMEOUT_SECONDS=" STR(WAIT_S),
	    NULL, NULL, NULL, NULL };
	struct harness_opts o = { .env = env, .procs = 3 };
	const char *set;

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (mu_keys(&set) != 0)
		return -1;
	env[5] = set;
	if ((H = harness_start(&o)) == NULL)
		return -1;
	/* The second server: the same database and secret, its own processes. */
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	env[6] = db;
	env[7] = secret;
	o.no_migrate = 1;
	o.procs = 2;
	if ((H2 = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(H, "ask", &U) != 0 || au_new_user(H, "other", &V) != 0)
		return -1;
	TU = mu_good_token(U.id);
	TV = mu_good_token(V.id);
	return TU != NULL && TV != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	int rc = 0;

	(void)state;
	rc |= harness_finish(&H2);
	rc |= harness_finish(&H);
	free(TU);
	free(TV);
	mu_keys_free();
	curl_global_cleanup();
	return rc;
}

/* ---- answered ---- */

static void
test_sampling_other_server(void **state)
{
	struct call c;
	struct json_object **ev, *p;
	char sid[64], id[64], quoted[80];
	const char *t;
	size_t n;

	(void)state;
	au_begin();
	assert_int_equal(mu_initialize_caps(H, TU, NULL, CAPS_ALL, sid, sizeof(sid)), 0);
	call_start(&c, sid, SAMPLING, "sampling/createMessage");
	if (pending_id(sid, id, sizeof(id)) != 0)
		au_bad(__LINE__, "no request waits in the database");
	else {
		check_streamed(&c, __LINE__);
		snprintf(quoted, sizeof(quoted), "\"%s\"", id);
		if (answer(H2, TU, sid, quoted, "result", "{\"role\":\"assistant\","
		    "\"content\":{\"type\":\"text\",\"text\":\"Hi from the test\"},"
		    "\"model\":\"m\",\"stopReason\":\"endTurn\"}") != 202)
			au_bad(__LINE__, "the answer on the other server was not 202");
	}
	if ((t = call_end(&c, __LINE__)) != NULL &&
	    strncmp(t, "LLM response: Hi from the test\"", 31) != 0)
		au_bad(__LINE__, "result: %.300s", t);
	/* The request event: the prompt and maxTokens, before the result. */
	{
		struct http_resp r = { .body = c.buf, .body_len = c.len };
		struct http_hdr h = { (char *)"Content-Type", (char *)"text/event-stream" };

		r.hdr = &h;
		r.n_hdr = 1;
		ev = mu_events(&r);
		for (n = 0; ev != NULL && ev[n] != NULL; n++)
			;
		if (n != 2 || au_jstr(ev[0], "method") == NULL ||
		    strcmp(au_jstr(ev[0], "method"), "sampling/createMessage") != 0 ||
		    au_jstr(ev[0], "id") == NULL || strcmp(au_jstr(ev[0], "id"), id) != 0 ||
		    !json_object_object_get_ex(ev[0], "params", &p) ||
		    strstr(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "\"text\":\"Say hi\"") == NULL ||
		    strstr(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), "\"maxTokens\":100") == NULL)
			au_bad(__LINE__, "events: %.600s", c.buf ? c.buf : "");
		mu_events_free(ev);
	}
	free(c.buf);
	if (pending_rows(sid) != 0)
		au_bad(__LINE__, "rows left: %ld", pending_rows(sid));
	au_end();
}

/* One ask of `tool`, answered on the same server with key: value; the
 * result text must start with want. */
static void
ask_answered(int line, const char *caps, const char *body, const char *method,
    const char *key, const char *value, const char *want)
{
	struct call c;
	char sid[64], id[64], quoted[80];
	const char *t;

	assert_int_equal(mu_initialize_caps(H, TU, NULL, caps, sid, sizeof(sid)), 0);
	call_start(&c, sid, body, method);
	if (pending_id(sid, id, sizeof(id)) != 0)
		au_bad(line, "no request waits in the database");
	else {
		check_streamed(&c, line);
		snprintf(quoted, sizeof(quoted), "\"%s\"", id);
		if (answer(H, TU, sid, quoted, key, value) != 202)
			au_bad(line, "the answer was not 202");
	}
	if ((t = call_end(&c, line)) != NULL && strncmp(t, want, strlen(want)) != 0)
		au_bad(line, "result: %.300s, want %s", t, want);
	free(c.buf);
	if (pending_rows(sid) != 0)
		au_bad(line, "rows left");
}

static void
test_answered_same_server(void **state)
{
	(void)state;
	au_begin();
	ask_answered(__LINE__, CAPS_ALL, CALL("test_elicitation", "{\"message\":\"Who?\"}"),
	    "elicitation/create", "result", "{\"action\":\"accept\",\"content\":"
	    "{\"username\":\"u\",\"email\":\"u@example.com\"}}",
	    "User response: action=accept, content={\\\"username\\\":\\\"u\\\"");
	ask_answered(__LINE__, "{\"elicitation\":{}}",
	    CALL("test_elicitation_sep1034_defaults", "{}"), "elicitation/create",
	    "result", "{\"action\":\"decline\"}",
	    "Elicitation completed: action=decline, content={}");
	ask_answered(__LINE__, "{\"roots\":{}}", CALL("test_list_roots", "{}"),
	    "roots/list", "result", "{\"roots\":[{\"uri\":\"file:///tmp\",\"name\":\"t\"}]}",
	    "Roots: [{\\\"uri\\\":\\\"file:///tmp\\\"");
	/* The client says no: isError with its message. */
	ask_answered(__LINE__, "{\"sampling\":{}}", SAMPLING, "sampling/createMessage",
	    "error", "{\"code\":-1,\"message\":\"User rejected sampling\"}",
	    "The client refused sampling/createMessage: User rejected sampling");
	/* An answer that is neither a result nor an error object. */
	ask_answered(__LINE__, "{\"sampling\":{}}", SAMPLING, "sampling/createMessage",
	    "result", "[1,2]", "The client's answer to sampling/createMessage is not");
	au_end();
}

/* ---- refused before asking, and answers that answer nothing ---- */

/* A tools/call answered at once with isError and text holding want. */
static void
refused(int line, const char *sid, const char *body, const char *want)
{
	struct http_resp r;

	if (mu_post(H, TU, sid, body, &r) != 0 || r.status != 200 ||
	    r.body == NULL || strstr(r.body, "\"isError\":true") == NULL ||
	    strstr(r.body, want) == NULL || strstr(r.body, "srv-") != NULL)
		au_bad(line, "want isError with \"%s\": %ld %.400s", want, r.status,
		    r.body ? r.body : "");
	http_resp_free(&r);
}

static void
test_refused(void **state)
{
	char none[64], elic[64], full[64], old[64], other[64], id[64];
	struct http_resp r;
	char *big;
	size_t i;

	(void)state;
	au_begin();
	assert_int_equal(mu_initialize(H, TU, NULL, none, sizeof(none)), 0);
	assert_int_equal(mu_initialize_caps(H, TU, NULL, "{\"elicitation\":{},"
	    "\"sampling\":true}", elic, sizeof(elic)), 0);
	refused(__LINE__, NULL, SAMPLING, "needs a session");
	refused(__LINE__, none, SAMPLING, "did not declare the 'sampling' capability");
	refused(__LINE__, none, CALL("test_elicitation", "{\"message\":\"m\"}"),
	    "did not declare the 'elicitation' capability");
	/* "sampling": true is not a capability object. */
	refused(__LINE__, elic, SAMPLING, "did not declare the 'sampling' capability");
	refused(__LINE__, elic, CALL("test_list_roots", "{}"),
	    "did not declare the 'roots' capability");
	refused(__LINE__, elic, CALL("test_sampling", "{}"), "'prompt' is a required");
	refused(__LINE__, elic, CALL("test_sampling", "{\"prompt\":5}"), "'prompt' is a required");
	refused(__LINE__, elic, CALL("test_elicitation", "{}"), "'message' is a required");
	/* A batch is answered with one JSON array: nothing can be asked. */
	assert_int_equal(mu_initialize_caps(H, TU, "2025-03-26", CAPS_ALL, old,
	    sizeof(old)), 0);
	if (mu_post(H, TU, old, "[" SAMPLING "]", &r) != 0 || r.status != 200 ||
	    r.body == NULL || strstr(r.body, "a batch is answered") == NULL)
		au_bad(__LINE__, "batch: %ld %.300s", r.status, r.body ? r.body : "");
	http_resp_free(&r);
	/* ASK_PENDING_MAX requests waiting already. */
	assert_int_equal(mu_initialize_caps(H, TU, NULL, CAPS_ALL, full, sizeof(full)), 0);
	add_rows(full, 8, (long)time(NULL));
	refused(__LINE__, full, SAMPLING, "Too many requests");
	if (pending_rows(full) != 8)
		au_bad(__LINE__, "rows: %ld", pending_rows(full));
	/* Answers that answer nothing waiting: accepted and dropped. */
	snprintf(id, sizeof(id), "\"srv-%032d\"", 3);
	if (answer(H, TU, NULL, id, "result", "{}") != 202 ||
	    answer(H, TU, full, "\"srv-ffffffffffffffffffffffffffffffff\"", "result",
	    "{}") != 202 ||
	    answer(H, TU, full, "3", "result", "{}") != 202 ||
	    answer(H, TU, full, "\"srv-3\"", "result", "{}") != 202 ||
	    answer(H, TU, none, id, "result", "{}") != 202)
		au_bad(__LINE__, "an answer to nothing waiting was not 202");
	if (au_db_int(H, "SELECT count(*) FROM mcp_client_requests WHERE answer IS NOT NULL") != 0)
		au_bad(__LINE__, "an answer to nothing waiting was stored");
	/* Another user's session does not exist for this one. */
	assert_int_equal(mu_initialize_caps(H, TV, NULL, CAPS_ALL, other, sizeof(other)), 0);
	if (answer(H, TU, other, id, "result", "{}") != 404)
		au_bad(__LINE__, "an answer in another user's session was not 404");
	/* Too large for the store: 413, and the request still waits. */
	assert_non_null(big = malloc(300 * 1024));
	big[0] = '"';
	for (i = 1; i < 300 * 1024 - 2; i++)
		big[i] = 'a';
	big[i++] = '"';
	big[i] = '\0';
	if (answer(H, TU, full, id, "result", big) != 413)
		au_bad(__LINE__, "an answer over 256 KiB was not 413");
	free(big);
	if (au_db_int(H, "SELECT count(*) FROM mcp_client_requests WHERE answer IS NOT NULL") != 0)
		au_bad(__LINE__, "the large answer was stored");
	assert_int_equal(au_db_exec(H, "DELETE FROM mcp_client_requests"), 0);
	au_end();
}

/* ---- not answered ---- */

static void
test_timeout(void **state)
{
	struct call c;
	char sid[64], sid2[64], id[64], quoted[80];
	const char *t;

	(void)state;
	au_begin();
	assert_int_equal(mu_initialize_caps(H, TU, NULL, CAPS_ALL, sid, sizeof(sid)), 0);
	assert_int_equal(mu_initialize_caps(H, TU, NULL, CAPS_ALL, sid2, sizeof(sid2)), 0);
	/* Stale rows of a request long given up: pruned by the next one. */
	add_rows(sid2, 3, 1000);
	call_start(&c, sid, SAMPLING, "sampling/createMessage");
	if (pending_id(sid, id, sizeof(id)) != 0)
		au_bad(__LINE__, "no request waits in the database");
	else {
		check_streamed(&c, __LINE__);
		if (pending_rows(sid2) != 0)
			au_bad(__LINE__, "stale rows kept: %ld", pending_rows(sid2));
		/* The right id in another session of the same user: dropped. */
		snprintf(quoted, sizeof(quoted), "\"%s\"", id);
		if (answer(H2, TU, sid2, quoted, "result", "{\"role\":\"assistant\","
		    "\"content\":{\"type\":\"text\",\"text\":\"wrong\"},\"model\":\"m\"}") != 202)
			au_bad(__LINE__, "the misrouted answer was not 202");
	}
	if ((t = call_end(&c, __LINE__)) != NULL &&
	    (strstr(c.buf, "\"isError\":true") == NULL ||
	    strncmp(t, TIMED_OUT, strlen(TIMED_OUT)) != 0))
		au_bad(__LINE__, "result: %.300s", t);
	free(c.buf);
	if (pending_rows(NULL) != 0)
		au_bad(__LINE__, "rows left: %ld", pending_rows(NULL));
	/* Late: accepted and dropped. */
	if (answer(H, TU, sid, quoted, "result", "{}") != 202)
		au_bad(__LINE__, "the late answer was not 202");
	au_end();
}

static void
test_session_ended(void **state)
{
	struct mu_req q = { .method = "DELETE", .token = TU };
	struct http_resp r;
	struct call c;
	char sid[64], id[64];
	const char *t;

	(void)state;
	au_begin();
	assert_int_equal(mu_initialize_caps(H, TU, NULL, CAPS_ALL, sid, sizeof(sid)), 0);
	call_start(&c, sid, CALL("test_elicitation", "{\"message\":\"m\"}"),
	    "elicitation/create");
	if (pending_id(sid, id, sizeof(id)) != 0)
		au_bad(__LINE__, "no request waits in the database");
	q.session = sid;
	if (mu_send(H2, &q, &r) != 0 || r.status != 204)
		au_bad(__LINE__, "DELETE: %ld", r.status);
	http_resp_free(&r);
	if ((t = call_end(&c, __LINE__)) != NULL &&
	    strstr(t, "needs a session that stays open") == NULL)
		au_bad(__LINE__, "result: %.300s", t);
	free(c.buf);
	if (pending_rows(NULL) != 0)
		au_bad(__LINE__, "rows left: %ld", pending_rows(NULL));
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sampling_other_server),
		cmocka_unit_test(test_answered_same_server),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_session_ended),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
