/*
 * test_mcp_resume: resumable SSE answers of mcp.fcgi (src/mcp/events.h)
 * through a real web server with two processes and
 * MCP_CONFORMANCE_FIXTURES=1.  The fixture test_reconnection ends its SSE
 * answer after the priming event (an id, "retry:") and before its result;
 * GET with Mcp-Session-Id and Last-Event-ID must then deliver the result
 * (from SQLite, whichever process serves it), and nothing of another
 * stream, session or user.  Malformed, unknown, expired and foreign ids
 * get clear 4xx answers; a replay is bounded in events and bytes; the
 * events go with their session, after their time, and beyond the
 * session's cap.  Every answer here is whole before it is sent, so the
 * same checks hold under Apache, where mod_fcgid buffers the output.
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

#define CALL_RECONNECT	"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\"," \
	"\"params\":{\"name\":\"test_reconnection\",\"arguments\":{}}}"
#define SET_LEVEL	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":" \
	"\"logging/setLevel\",\"params\":{\"level\":\"info\"}}"
#define DONE_TEXT	"Reconnection test completed successfully"
#define ID_MAX		64

static struct harness	*H;
static struct au_user	 UA, UB;
static char		*TA, *TB;

static int
group_setup(void **state)
{
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "MCP_CONFORMANCE_FIXTURES=1", NULL, NULL };
	struct harness_opts o = { .env = env, .procs = 2 };
	const char *set;

	(void)state;
	if (mu_keys(&set) != 0)
		return -1;
	env[4] = set;
	if ((H = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(H, "ra", &UA) != 0 || au_new_user(H, "rb", &UB) != 0)
		return -1;
	TA = mu_good_token(UA.id);
	TB = mu_good_token(UB.id);
	return TA != NULL && TB != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	int rc;

	(void)state;
	rc = harness_finish(&H);
	free(TA);
	free(TB);
	mu_keys_free();
	return rc;
}

/* The n-th (from 0) "id:" of an SSE body into id; 0, or -1 when none. */
static int
event_id(const struct http_resp *r, int n, char id[ID_MAX])
{
	const char	*p = r->body;
	size_t		 len;

	if (p == NULL)
		return -1;
	while ((p = strstr(p, "id: ")) != NULL) {
		if ((p == r->body || p[-1] == '\n') && n-- == 0) {
			len = strcspn(p + 4, "\n");
			if (len == 0 || len >= ID_MAX)
				return -1;
			memcpy(id, p + 4, len);
			id[len] = '\0';
			return 0;
		}
		p += 4;
	}
	return -1;
}

/* The number of messages of an SSE body. */
static int
count_events(const struct http_resp *r)
{
	struct json_object	**ev = mu_events(r);
	int			  n = 0;

	while (ev != NULL && ev[n] != NULL)
		n++;
	mu_events_free(ev);
	return n;
}

/* Whether the SSE body holds the result of test_reconnection (id 5). */
static int
has_result(const struct http_resp *r)
{
	struct json_object	**ev = mu_events(r), *v, *id;
	int			  i, found = 0;

	for (i = 0; ev != NULL && ev[i] != NULL; i++)
		if (json_object_object_get_ex(ev[i], "id", &id) &&
		    json_object_get_int(id) == 5 &&
		    json_object_object_get_ex(ev[i], "result", &v) &&
		    strstr(json_object_to_json_string(v), DONE_TEXT) != NULL)
			found = 1;
	mu_events_free(ev);
	return found;
}

/* test_reconnection in session sid of token: the priming id into prime. */
static void
call_closed(const char *token, const char *sid, char prime[ID_MAX])
{
	struct http_resp r;

	assert_int_equal(mu_post(H, token, sid, CALL_RECONNECT, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(http_resp_header(&r, "Content-Type"),
	    "text/event-stream"));
	assert_int_equal(event_id(&r, 0, prime), 0);
	assert_non_null(strstr(r.body, "retry: 500\n"));
	assert_true(strncmp(r.body, "id: ", 4) == 0);	/* priming comes first */
	assert_false(has_result(&r));			/* closed before it */
	assert_int_equal(count_events(&r), 0);
	http_resp_free(&r);
}

/* GET with Last-Event-ID `last` in session sid (NULL: none). */
static void
resume(const char *token, const char *sid, const char *last, struct http_resp *r)
{
	struct mu_req q = { .method = "GET", .token = token, .session = sid,
	    .accept = "text/event-stream", .last_event = last };

	assert_int_equal(mu_send(H, &q, r), 0);
}

/* GET answers status with a JSON-RPC error (no id) of code. */
static void
resume_fails(const char *token, const char *sid, const char *last, long status,
    int code)
{
	struct http_resp r;

	resume(token, sid, last, &r);
	if (r.status != status || mu_error_code(&r) != code ||
	    !mu_error_without_id(&r))
		fail_msg("Last-Event-ID %.80s: %ld %.200s, want %ld %d",
		    last ? last : "(none)", r.status, r.body ? r.body : "", status,
		    code);
	http_resp_free(&r);
}

/* ---- positive ---- */

/* The result comes back with GET after the stream closed; ids go on. */
static void
test_resume(void **state)
{
	struct http_resp r;
	char sid[64], prime[ID_MAX], id[ID_MAX], last[ID_MAX];
	size_t sl;

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	call_closed(TA, sid, prime);
	sl = strcspn(prime, "-");
	assert_string_equal(prime + sl, "-0");
	resume(TA, sid, prime, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(http_resp_header(&r, "Content-Type"),
	    "text/event-stream"));
	assert_true(has_result(&r));
	assert_int_equal(count_events(&r), 1);
	assert_int_equal(event_id(&r, 0, id), 0);
	assert_memory_equal(id, prime, sl + 1);	/* the same stream */
	assert_string_equal(id + sl, "-1");
	http_resp_free(&r);
	/* Again from the same id (another process, maybe): the same result. */
	resume(TA, sid, prime, &r);
	assert_int_equal(r.status, 200);
	assert_true(has_result(&r));
	http_resp_free(&r);
	/* From the result's id: the stream is over, nothing more. */
	resume(TA, sid, id, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count_events(&r), 0);
	http_resp_free(&r);
	/* With logging on, the log message comes first, then the result. */
	assert_int_equal(mu_post(H, TA, sid, SET_LEVEL, &r), 0);
	assert_int_equal(r.status, 200);
	http_resp_free(&r);
	call_closed(TA, sid, prime);
	resume(TA, sid, prime, &r);
	assert_int_equal(count_events(&r), 2);
	assert_true(has_result(&r));
	assert_int_equal(event_id(&r, 0, last), 0);
	http_resp_free(&r);
	resume(TA, sid, last, &r);		/* after the log message */
	assert_int_equal(count_events(&r), 1);
	assert_true(has_result(&r));
	http_resp_free(&r);
}

/* Without a session the answer is no resumable stream: no ids, the result. */
static void
test_no_session(void **state)
{
	struct http_resp r;

	(void)state;
	assert_int_equal(mu_post(H, TA, NULL, CALL_RECONNECT, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(has_result(&r));
	assert_null(strstr(r.body, "id: "));
	assert_null(strstr(r.body, "retry:"));
	http_resp_free(&r);
}

/* ---- negative ---- */

/* Malformed ids, and GET without what resuming needs. */
static void
test_bad_requests(void **state)
{
	static const char *bad[] = { "garbage", "a b", "-", "0", "-1",
	    "0123456789abcde-1", "0123456789abcdef0-1", "0123456789ABCDEF-1",
	    "0123456789abcdef-", "0123456789abcdef--1", "0123456789abcdef-01",
	    "0123456789abcdef-1x", "0123456789abcdef-1.5", "0123456789abcdef-1000000000",
	    "0123456789abcdef_1", "0123456789abcdef-1-2", "g123456789abcdef-1",
	    "0123456789abcdef-99999999999999999999999999999999999999", NULL };
	struct mu_req q = { .method = "GET", .token = TA, .accept = "application/json",
	    .last_event = "0123456789abcdef-0" };
	struct http_resp r;
	char sid[64], prime[ID_MAX];
	size_t i;

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	call_closed(TA, sid, prime);
	for (i = 0; bad[i] != NULL; i++)
		resume_fails(TA, sid, bad[i], 400, -32000);
	resume_fails(TA, NULL, prime, 400, -32000);	/* no Mcp-Session-Id */
	resume_fails(TA, sid, NULL, 405, -32000);	/* no Last-Event-ID */
	resume_fails(TA, sid, " ", 405, -32000);	/* empty: none (SSE) */
	q.session = sid;
	q.last_event = prime;
	assert_int_equal(mu_send(H, &q, &r), 0);	/* Accept without SSE */
	assert_int_equal(r.status, 406);
	http_resp_free(&r);
	q.accept = "text/event-stream";
	q.version = "1999-01-01";
	assert_int_equal(mu_send(H, &q, &r), 0);
	assert_int_equal(r.status, 400);
	http_resp_free(&r);
	q.version = NULL;
	q.token = NULL;					/* no token */
	assert_int_equal(mu_send(H, &q, &r), 0);
	assert_int_equal(r.status, 401);
	assert_null(strstr(r.body ? r.body : "", DONE_TEXT));
	http_resp_free(&r);
}

/* Well-formed ids that name no event of the session: 404, nothing replayed. */
static void
test_unknown_ids(void **state)
{
	char sid[64], sid2[64], prime[ID_MAX], other[ID_MAX];
	size_t sl;

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	assert_int_equal(mu_initialize(H, TA, NULL, sid2, sizeof(sid2)), 0);
	call_closed(TA, sid, prime);
	sl = strcspn(prime, "-");
	resume_fails(TA, sid, "0123456789abcdef-0", 404, -32000);
	snprintf(other, sizeof(other), "%.*s-77", (int)sl, prime);
	resume_fails(TA, sid, other, 404, -32000);	/* past its end */
	/* The same user's other session: that stream is not its. */
	resume_fails(TA, sid2, prime, 404, -32000);
	/* An unknown or made-up session. */
	resume_fails(TA, "0123456789abcdef0123456789abcdef", prime, 404, -32001);
	resume_fails(TA, "not-a-session", prime, 404, -32001);
}

/* Another user can neither use the session nor name its events. */
static void
test_other_user(void **state)
{
	char sid[64], sidb[64], prime[ID_MAX];

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	assert_int_equal(mu_initialize(H, TB, NULL, sidb, sizeof(sidb)), 0);
	call_closed(TA, sid, prime);
	resume_fails(TB, sid, prime, 404, -32001);	/* A's session */
	resume_fails(TB, sidb, prime, 404, -32000);	/* A's event, B's session */
}

/* The events go with their session. */
static void
test_deleted_session(void **state)
{
	struct mu_req q = { .method = "DELETE", .token = TA };
	struct http_resp r;
	char sid[64], sid2[64], prime[ID_MAX], stream[ID_MAX];

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	assert_int_equal(mu_initialize(H, TA, NULL, sid2, sizeof(sid2)), 0);
	call_closed(TA, sid, prime);
	snprintf(stream, sizeof(stream), "%.*s", (int)strcspn(prime, "-"), prime);
	q.session = sid;
	assert_int_equal(mu_send(H, &q, &r), 0);
	assert_int_equal(r.status, 204);
	http_resp_free(&r);
	resume_fails(TA, sid, prime, 404, -32001);
	/* The rows are gone: copying them into a live session copies none. */
	assert_int_equal(au_db_exec(H, "INSERT INTO mcp_stream_events SELECT "
	    "s.id_hash, e.stream_id, e.seq, e.message, e.final, e.created_at FROM "
	    "mcp_stream_events e, mcp_sessions s WHERE e.stream_id = %Q AND "
	    "s.user_id = %Q", stream, UA.id), 0);
	resume_fails(TA, sid2, prime, 404, -32000);
}

/* Events older than EVENTS_TTL_SECONDS (600) are not replayed. */
static void
test_expired(void **state)
{
	char sid[64], prime[ID_MAX], stream[ID_MAX];

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	call_closed(TA, sid, prime);
	snprintf(stream, sizeof(stream), "%.*s", (int)strcspn(prime, "-"), prime);
	assert_int_equal(au_db_exec(H, "UPDATE mcp_stream_events SET created_at = "
	    "created_at - 601 WHERE stream_id = %Q", stream), 0);
	resume_fails(TA, sid, prime, 404, -32000);
}

/*
 * A stream of 100 events (made in the table beside a real one): one GET
 * replays 64 of them, the next the rest up to the answer; three of 600 kB
 * go one per GET (1 MiB a replay); 300 more events in the session push
 * its oldest out at the next call (256 a session).
 */
static void
test_bounds(void **state)
{
	struct http_resp r;
	char sid[64], prime[ID_MAX], stream[ID_MAX], id[ID_MAX], last[ID_MAX];
	static const char *fake = "00000000000000aa", *big = "00000000000000bb";

	(void)state;
	assert_int_equal(mu_initialize(H, TA, NULL, sid, sizeof(sid)), 0);
	call_closed(TA, sid, prime);
	snprintf(stream, sizeof(stream), "%.*s", (int)strcspn(prime, "-"), prime);
	assert_int_equal(au_db_exec(H, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 100) INSERT INTO mcp_stream_events "
	    "SELECT session_hash, %Q, i, CASE WHEN i = 0 THEN NULL WHEN i = 100 THEN "
	    "'{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"" DONE_TEXT "\"}]}}' ELSE '{\"jsonrpc\":\"2.0\","
	    "\"method\":\"notifications/message\",\"params\":{\"level\":\"info\","
	    "\"data\":' || i || '}}' END, CASE WHEN i = 100 THEN 1 ELSE 0 END, "
	    "created_at FROM n, "
	    "mcp_stream_events WHERE stream_id = %Q AND seq = 0", fake, stream), 0);
	snprintf(id, sizeof(id), "%s-0", fake);
	resume(TA, sid, id, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count_events(&r), 64);
	assert_false(has_result(&r));
	assert_int_equal(event_id(&r, 63, last), 0);
	snprintf(id, sizeof(id), "%s-64", fake);
	assert_string_equal(last, id);
	http_resp_free(&r);
	resume(TA, sid, last, &r);
	assert_int_equal(count_events(&r), 36);
	assert_true(has_result(&r));
	http_resp_free(&r);
	/* Three messages of 600 kB: one a GET. */
	assert_int_equal(au_db_exec(H, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 3) INSERT INTO mcp_stream_events "
	    "SELECT session_hash, %Q, i, CASE WHEN i = 0 THEN NULL ELSE "
	    "'{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":"
	    "{\"level\":\"info\",\"data\":\"' || %s || '\"}}' END, "
	    "0, created_at FROM n, mcp_stream_events WHERE stream_id = %Q AND seq = 0",
	    big, harness_pg_wanted() ? "repeat('00', 300000)" :
	    "hex(zeroblob(300000))", stream), 0);
	snprintf(id, sizeof(id), "%s-0", big);
	resume(TA, sid, id, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count_events(&r), 1);
	assert_true(r.body_len < 1024 * 1024);
	http_resp_free(&r);
	/* 300 more events, older than the rest: the next call drops the oldest. */
	assert_int_equal(au_db_exec(H, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
	    "SELECT i + 1 FROM n WHERE i < 300) INSERT INTO mcp_stream_events "
	    "SELECT session_hash, '00000000000000cc', i, '{}', 0, created_at - 5 "
	    "FROM n, mcp_stream_events WHERE stream_id = %Q AND seq = 0", stream), 0);
	resume(TA, sid, prime, &r);		/* still there before the call */
	assert_int_equal(r.status, 200);
	http_resp_free(&r);
	call_closed(TA, sid, id);
	resume_fails(TA, sid, "00000000000000cc-1", 404, -32000);
	resume(TA, sid, id, &r);		/* the newest survives */
	assert_int_equal(r.status, 200);
	assert_true(has_result(&r));
	http_resp_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_no_session),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_other_user),
		cmocka_unit_test(test_deleted_session),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
