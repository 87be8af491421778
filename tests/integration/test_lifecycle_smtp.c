/*
 * test_lifecycle_smtp: the reset and verification mails delivered over
 * real SMTP — auth.fcgi behind lighttpd (harness.h) sending to
 * smtp_sink.py (smtp_sink_util.h) — end to end: forgot-password → the
 * message in the sink → its link's token → reset-password → the old
 * password refused, the token not reusable; the same for verification.
 * And an SMTP server that hangs: forgot-password still answers 202 at
 * once (the sender is a detached process), the failure is logged later
 * without the token.
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
#include "smtp_sink_util.h"

#define BASE		"https://app.example.com"
#define DELIVERY_MS	15000

#define CHECK(c)	do { if (!(c)) au_bad(__LINE__, "%s", #c); } while (0)

static struct harness *X;

static int
teardown(void **state)
{
	int rc = 0;

	(void)state;
	if (X != NULL)
		rc = harness_check_log(X);
	harness_stop(X);
	X = NULL;
	sink_stop(&the_sink);
	return rc;
}

/* A server mailing through the sink; `timeout` is MAIL_TIMEOUT_SECONDS. */
static struct harness *
start(const struct sink *s, int timeout)
{
	char url[96], to[64];
	const char *env[] = {
		"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
		"PASSWORD_ARGON2_PARALLELISM=1", "MAIL_OUTBOX_FILE", url, to,
		"MAIL_FROM=accounts@example.com", "PUBLIC_BASE_URL=" BASE, NULL
	};
	struct harness_opts o = { .env = env };

	snprintf(url, sizeof(url), "MAIL_SMTP_URL=smtp://127.0.0.1:%d", s->port);
	snprintf(to, sizeof(to), "MAIL_TIMEOUT_SECONDS=%d", timeout);
	return harness_start(&o);
}

/* Waits for message n (1-based) and returns its N.json, parsed. */
static struct json_object *
message(const struct sink *s, int n)
{
	char path[128], *text;
	struct json_object *o;
	int64_t t0 = now_ms();

	while (sink_count(s) < n && now_ms() - t0 < DELIVERY_MS)
		sleep_ms(50);
	snprintf(path, sizeof(path), "%s/%d.json", s->dir, n);
	if ((text = slurp(path)) == NULL)
		return NULL;
	o = json_tokener_parse(text);
	free(text);
	return o;
}

/* The token of the link BASE + prefix in the body, into tok. */
static int
link_token(struct json_object *m, const char *prefix, char *tok, size_t len)
{
	const char *body = au_jstr(m, "body"), *p;
	char want[128];
	size_t n;

	snprintf(want, sizeof(want), "%s%s", BASE, prefix);
	if (body == NULL || (p = strstr(body, want)) == NULL)
		return -1;
	p += strlen(want);
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.~");
	if (n == 0 || n >= len)
		return -1;
	memcpy(tok, p, n);
	tok[n] = '\0';
	return 0;
}

static int
rcpt_is(struct json_object *m, const char *email)
{
	struct json_object *r;

	return json_object_object_get_ex(m, "rcpt_tos", &r) &&
	    json_object_array_length(r) == 1 &&
	    strcmp(json_object_get_string(json_object_array_get_idx(r, 0)), email) == 0;
}

static long
post_json(const char *path, const char *body)
{
	struct http_resp r;
	long st;

	if (au_json(X, "POST", path, NULL, body, &r) != 0)
		return 0;
	st = r.status;
	http_resp_free(&r);
	return st;
}

static void
test_reset_over_smtp(void **state)
{
	struct sink *s;
	struct au_user u;
	struct json_object *m, *defects;
	char tok[4096], body[8192], *js;

	(void)state;
	au_begin();
	s = sink_start("accept", NULL, NULL);
	assert_non_null(X = start(s, 10));
	assert_int_equal(au_new_user(X, "smtpreset", &u), 0);
	js = au_json_str(u.email);
	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	CHECK(post_json("/auth/forgot-password", body) == 202);
	assert_non_null(m = message(s, 1));
	CHECK(rcpt_is(m, u.email));
	CHECK(au_jstr(m, "mail_from") != NULL &&
	    strcmp(au_jstr(m, "mail_from"), "accounts@example.com") == 0);
	CHECK(json_object_object_get_ex(m, "defects", &defects) &&
	    json_object_array_length(defects) == 0);
	assert_int_equal(link_token(m, "/reset-password?token=", tok, sizeof(tok)), 0);
	json_object_put(m);
	js = au_json_str(tok);
	snprintf(body, sizeof(body), "{\"token\":%s,\"password\":\"mailed passw0rd\"}", js);
	free(js);
	CHECK(post_json("/auth/reset-password", body) == 200);
	CHECK(au_login(X, u.email, u.password, NULL, 0) == 400);
	CHECK(au_login(X, u.email, "mailed passw0rd", NULL, 0) == 200);
	CHECK(post_json("/auth/reset-password", body) == 400);
	/* The token never reached the log. */
	{
		char *log = harness_read_log(X);

		CHECK(log != NULL && strstr(log, tok) == NULL);
		free(log);
	}
	au_end();
}

static void
test_verify_over_smtp(void **state)
{
	struct sink *s;
	struct au_user u;
	struct json_object *m;
	struct http_resp r;
	char tok[4096], body[8192], *js;

	(void)state;
	au_begin();
	s = sink_start("accept", NULL, NULL);
	assert_non_null(X = start(s, 10));
	assert_int_equal(au_new_user(X, "smtpverify", &u), 0);
	js = au_json_str(u.email);
	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	CHECK(post_json("/auth/request-verify-token", body) == 202);
	assert_non_null(m = message(s, 1));
	CHECK(rcpt_is(m, u.email));
	assert_int_equal(link_token(m, "/verify?token=", tok, sizeof(tok)), 0);
	json_object_put(m);
	js = au_json_str(tok);
	snprintf(body, sizeof(body), "{\"token\":%s}", js);
	free(js);
	assert_int_equal(au_json(X, "POST", "/auth/verify", NULL, body, &r), 0);
	CHECK(r.status == 200 && au_jbool(r.json, "is_verified") == 1);
	http_resp_free(&r);
	au_end();
}

/* A server that never answers DATA: the client is not kept waiting. */
static void
test_hung_smtp_server(void **state)
{
	struct sink *s;
	struct au_user u;
	char body[512], *js, *log;
	int64_t t0, took;

	(void)state;
	au_begin();
	s = sink_start("hang-data", NULL, NULL);
	assert_non_null(X = start(s, 3));
	assert_int_equal(au_new_user(X, "smtphang", &u), 0);
	js = au_json_str(u.email);
	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	t0 = now_ms();
	CHECK(post_json("/auth/forgot-password", body) == 202);
	took = now_ms() - t0;
	/* Well under MAIL_TIMEOUT_SECONDS (3 s), which a synchronous send
	 * would have spent in full. */
	if (took >= 2500)
		au_bad(__LINE__, "forgot-password took %lld ms with a hung SMTP server",
		    (long long)took);
	/* The same again: still at once, the earlier sender still waiting. */
	CHECK(post_json("/auth/forgot-password", body) == 202);
	log = harness_wait_log(X, "mail not sent", 15000);
	CHECK(log != NULL && strstr(log, "mail not sent") != NULL);
	CHECK(log != NULL && strstr(log, "example.com") != NULL);
	free(log);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_reset_over_smtp, teardown),
		cmocka_unit_test_teardown(test_verify_over_smtp, teardown),
		cmocka_unit_test_teardown(test_hung_smtp_server, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
