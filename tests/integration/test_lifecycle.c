/*
 * test_lifecycle: the account-lifecycle routes through a real web server
 * (harness.h) — forgot/reset-password, request-verify-token/verify,
 * REQUIRE_VERIFIED_LOGIN, the per-recipient mail limit, and
 * /auth/mcp-token — with the mail read from the outbox file the harness
 * sets (the SMTP path has its own case in test_lifecycle_smtp).  Tokens
 * that the server should refuse are minted here with the harness's
 * JWT_SECRET (accounts_util.h) or taken from the outbox and altered; the
 * MCP key pair is made here with libcommon's jwt.h and its token checked
 * with the public key.  Cases report their line and go on.
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
#include <time.h>
#include <unistd.h>

#include "accounts_util.h"
#include "db.h"
#include "harness.h"
#include "jwt.h"
#include "password.h"

#define CHEAP_ARGON2 \
	"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1", \
	"PASSWORD_ARGON2_PARALLELISM=1"

#define CHECK(c)	do { if (!(c)) au_bad(__LINE__, "%s", #c); } while (0)

static struct harness *H;	/* the group's server */
static struct harness *X;	/* a case's own server, stopped by stop_own */

static const char *const group_env[] = { CHEAP_ARGON2, NULL };

static int
group_setup(void **state)
{
	struct harness_opts o = { .env = group_env };

	(void)state;
	return (H = harness_start(&o)) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

static int
stop_own(void **state)
{
	(void)state;
	return harness_finish(&X);
}

/* POST path {"email": email}: the status; 202 must come with body null. */
static long
email_post(struct harness *h, const char *path, const char *email)
{
	struct http_resp r;
	char *js = au_json_str(email), body[1024];
	long st;

	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	if (au_json(h, "POST", path, NULL, body, &r) != 0)
		return 0;
	st = r.status;
	if (st == 202 && strcmp(r.body, "null") != 0)
		au_bad(__LINE__, "202 with body %s", r.body);
	http_resp_free(&r);
	return st;
}

/* POST /auth/reset-password {"token","password"} into r. */
static int
reset_req(struct harness *h, const char *token, const char *password,
    struct http_resp *r)
{
	char *t = au_json_str(token), *p = au_json_str(password);
	char *body = malloc(strlen(t) + strlen(p) + 64);
	int rc;

	sprintf(body, "{\"token\":%s,\"password\":%s}", t, p);
	rc = au_json(h, "POST", "/auth/reset-password", NULL, body, r);
	free(t);
	free(p);
	free(body);
	return rc;
}

/* POST /auth/reset-password: checks 400 RESET_PASSWORD_BAD_TOKEN. */
static void
reset_bad(int line, struct harness *h, const char *token)
{
	struct http_resp r;

	if (reset_req(h, token, "a-fine-new-passw0rd", &r) != 0) {
		au_bad(line, "no answer");
		return;
	}
	au_check_error(line, &r, 400, "RESET_PASSWORD_BAD_TOKEN");
	http_resp_free(&r);
}

static int
verify_req(struct harness *h, const char *token, struct http_resp *r)
{
	char *t = au_json_str(token), body[16384];

	snprintf(body, sizeof(body), "{\"token\":%s}", t);
	free(t);
	return au_json(h, "POST", "/auth/verify", NULL, body, r);
}

static void
verify_bad(int line, struct harness *h, const char *token)
{
	struct http_resp r;

	if (verify_req(h, token, &r) != 0) {
		au_bad(line, "no answer");
		return;
	}
	au_check_error(line, &r, 400, "VERIFY_USER_BAD_TOKEN");
	http_resp_free(&r);
}

/* A reset token the server mailed for u (forgot-password), into tok. */
static int
mailed_reset(struct harness *h, const struct au_user *u, char *tok, size_t len)
{
	int before = au_outbox(h, "reset", u->email, NULL, 0);

	if (email_post(h, "/auth/forgot-password", u->email) != 202)
		return -1;
	return au_outbox(h, "reset", u->email, tok, len) == before + 1 ? 0 : -1;
}

static int
mailed_verify(struct harness *h, const struct au_user *u, char *tok, size_t len)
{
	int before = au_outbox(h, "verify", u->email, NULL, 0);

	if (email_post(h, "/auth/request-verify-token", u->email) != 202)
		return -1;
	return au_outbox(h, "verify", u->email, tok, len) == before + 1 ? 0 : -1;
}

/* The stored hash of a user, read from the database; caller frees. */
static char *
stored_hash(struct harness *h, const char *id)
{
	struct db *db = NULL;
	struct db_stmt *s = NULL;
	const char *v;
	char *out = NULL;

	if ((db = au_db_open(h, DB_OPEN_READONLY)) == NULL ||
	    db_prepare(db, "SELECT hashed_password FROM users WHERE id = ?", &s) != DB_OK ||
	    db_bind_text(s, 1, id, strlen(id)) != DB_OK || db_step(s) != DB_ROW ||
	    (v = db_column_text(s, 0, NULL)) == NULL)
		goto out;
	out = strdup(v);
out:
	if (s != NULL)
		db_stmt_done(s);
	db_close(db);
	return out;
}

/* ---- forgot / reset ---- */

static void
test_forgot_reset(void **state)
{
	struct au_user u;
	struct http_resp r;
	char tok[AU_TOKEN_MAX], other[AU_TOKEN_MAX];
	struct json_object *p;
	const char *newpw = "Brand-new passw0rd";

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "reset", &u), 0);
	assert_int_equal(mailed_reset(H, &u, tok, sizeof(tok)), 0);
	/* FastAPI-Users' claims: sub, password_fgpt, aud (a string), exp. */
	if ((p = au_jwt_part(tok, 1)) == NULL)
		au_bad(__LINE__, "reset token payload is not JSON");
	else {
		CHECK(au_jstr(p, "sub") != NULL && strcmp(au_jstr(p, "sub"), u.id) == 0);
		CHECK(au_jstr(p, "password_fgpt") != NULL);
		CHECK(au_jstr(p, "aud") != NULL &&
		    strcmp(au_jstr(p, "aud"), "fastapi-users:reset") == 0);
		CHECK(json_object_object_length(p) == 4);
		json_object_put(p);
	}
	/* Nothing of the token or the old hash in the log. */
	{
		char *log = harness_wait_log(H, "\"kind\":\"reset\"", 5000);

		CHECK(log != NULL && strstr(log, "\"kind\":\"reset\"") != NULL);
		CHECK(log != NULL && strstr(log, tok) == NULL);
		free(log);
	}
	/* A policy failure answers the reason and spends nothing. */
	assert_int_equal(reset_req(H, tok, "short", &r), 0);
	au_check_code(__LINE__, &r, "RESET_PASSWORD_INVALID_PASSWORD",
	    "Password should be at least 8 characters");
	http_resp_free(&r);
	assert_int_equal(reset_req(H, tok, u.email, &r), 0);
	au_check_code(__LINE__, &r, "RESET_PASSWORD_INVALID_PASSWORD",
	    "Password should not contain e-mail");
	http_resp_free(&r);
	/* A second forgot mails a second token; both work until one is used. */
	assert_int_equal(mailed_reset(H, &u, other, sizeof(other)), 0);
	assert_int_equal(reset_req(H, tok, newpw, &r), 0);
	CHECK(r.status == 200 && strcmp(r.body, "null") == 0);
	http_resp_free(&r);
	/* Old password refused, new accepted; the old access token is dead. */
	CHECK(au_login(H, u.email, u.password, NULL, 0) == 400);
	CHECK(au_me_status(H, u.token) == 401);
	CHECK(au_login(H, u.email, newpw, u.token, sizeof(u.token)) == 200);
	CHECK(au_me_status(H, u.token) == 200);
	/* Single use, and the other token died with the password change. */
	reset_bad(__LINE__, H, tok);
	reset_bad(__LINE__, H, other);
	au_end();
}

static void
test_forgot_no_enumeration(void **state)
{
	struct au_user u;
	char email[AU_EMAIL_MAX];
	int before;

	(void)state;
	au_begin();
	au_email(email, sizeof(email), "nobody");
	before = au_outbox(H, "reset", NULL, NULL, 0);
	CHECK(email_post(H, "/auth/forgot-password", email) == 202);
	CHECK(email_post(H, "/auth/request-verify-token", email) == 202);
	CHECK(au_outbox(H, "reset", NULL, NULL, 0) == before);
	/* Inactive: 202, no mail of either kind. */
	assert_int_equal(au_new_user(H, "inactive", &u), 0);
	CHECK(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = '%s'", u.id) == 0);
	CHECK(email_post(H, "/auth/forgot-password", u.email) == 202);
	CHECK(email_post(H, "/auth/request-verify-token", u.email) == 202);
	CHECK(au_outbox(H, "reset", u.email, NULL, 0) == 0);
	CHECK(au_outbox(H, "verify", u.email, NULL, 0) == 0);
	au_end();
}

static void
test_forgot_case_insensitive(void **state)
{
	struct au_user u;
	char upper[AU_EMAIL_MAX], *at;
	size_t i;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "casefold", &u), 0);
	snprintf(upper, sizeof(upper), "%s", u.email);
	for (i = 0, at = strchr(upper, '@'); &upper[i] < at; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	CHECK(email_post(H, "/auth/forgot-password", upper) == 202);
	/* Mailed to the address the account has. */
	CHECK(au_outbox(H, "reset", u.email, NULL, 0) == 1);
	au_end();
}

static void
test_forgot_bad_input(void **state)
{
	static const struct { const char *body; const char *type; const char *loc; } c[] = {
		{ "{}", "missing", "body.email" },
		{ "{\"email\":null}", "string_type", "body.email" },
		{ "{\"email\":42}", "string_type", "body.email" },
		{ "{\"email\":\"not-an-address\"}", "value_error", "body.email" },
		{ "{\"email\":\"a@b\"}", "value_error", "body.email" },
		{ "{\"email\":\"x@localhost\"}", "value_error", "body.email" },
		{ "{\"email\":[\"a@example.com\"]}", "string_type", "body.email" },
		{ "[]", "model_attributes_type", "body" },
		{ "\"a@example.com\"", "model_attributes_type", NULL },
		{ "{\"email\":", "json_invalid", NULL },
		{ "", "missing", NULL },
	};
	static const char *const paths[] = {
		"/auth/forgot-password", "/auth/request-verify-token"
	};
	struct http_resp r;
	size_t i, j;

	(void)state;
	au_begin();
	for (j = 0; j < 2; j++)
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			if (au_json(H, "POST", paths[j], NULL, c[i].body, &r) != 0) {
				au_bad(__LINE__, "%s %s: no answer", paths[j], c[i].body);
				continue;
			}
			if (r.status != 422)
				au_bad(__LINE__, "%s %s: %ld %s", paths[j], c[i].body,
				    r.status, r.body);
			else if (c[i].loc != NULL)
				au_check_422(__LINE__, &r, c[i].type, c[i].loc);
			http_resp_free(&r);
		}
	/* Form-encoded is not JSON. */
	if (au_send(H, "POST", "/auth/forgot-password", NULL,
	    "application/x-www-form-urlencoded", NULL, "email=a%40example.com", 21,
	    &r) == 0) {
		CHECK(r.status == 422);
		http_resp_free(&r);
	}
	/* GET is not a route. */
	if (au_get(H, "/auth/forgot-password", NULL, &r) == 0) {
		CHECK(r.status == 405);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_reset_bad_tokens(void **state)
{
	struct au_user u, v;
	struct http_resp r;
	char tok[AU_TOKEN_MAX], vtok[AU_TOKEN_MAX], payload[1024], *t, *s;
	int64_t now = au_now();
	size_t n;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "resetbad", &u), 0);
	assert_int_equal(au_new_user(H, "resetbad2", &v), 0);
	assert_int_equal(mailed_reset(H, &u, tok, sizeof(tok)), 0);
	reset_bad(__LINE__, H, "");
	reset_bad(__LINE__, H, "garbage");
	reset_bad(__LINE__, H, "a.b.c");
	/* An access token, and a verify token, are not reset tokens. */
	reset_bad(__LINE__, H, u.token);
	assert_int_equal(mailed_verify(H, &u, vtok, sizeof(vtok)), 0);
	reset_bad(__LINE__, H, vtok);
	/* The mailed token with a flipped signature character. */
	s = strdup(tok);
	n = strlen(s);
	s[n - 2] = s[n - 2] == 'A' ? 'B' : 'A';
	reset_bad(__LINE__, H, s);
	free(s);
	/* Minted with the right secret: expired; no fingerprint; a made-up
	 * fingerprint; another user's id; not a UUID; no exp. */
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":\"x\","
	    "\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", u.id, (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	reset_bad(__LINE__, H, t);
	free(t);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\","
	    "\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", u.id, (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	reset_bad(__LINE__, H, t);
	free(t);
	/* The real fingerprint under another sub. */
	if ((s = (char *)au_jwt_part(tok, 1)) != NULL) {
		struct json_object *p = (struct json_object *)s;

		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":"
		    "\"%s\",\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", v.id,
		    au_jstr(p, "password_fgpt"), (long long)now + 600);
		t = au_jwt_hs256(H, payload);
		reset_bad(__LINE__, H, t);
		free(t);
		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":"
		    "\"%s\",\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", u.id,
		    au_jstr(p, "password_fgpt"), (long long)now - 10);
		t = au_jwt_hs256(H, payload);
		reset_bad(__LINE__, H, t);
		free(t);
		snprintf(payload, sizeof(payload), "{\"sub\":\"not-a-uuid\",\"password_fgpt\":"
		    "\"%s\",\"aud\":\"fastapi-users:reset\",\"exp\":%lld}",
		    au_jstr(p, "password_fgpt"), (long long)now + 600);
		t = au_jwt_hs256(H, payload);
		reset_bad(__LINE__, H, t);
		free(t);
		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":"
		    "\"%s\",\"aud\":\"fastapi-users:auth\",\"exp\":%lld}", u.id,
		    au_jstr(p, "password_fgpt"), (long long)now + 600);
		t = au_jwt_hs256(H, payload);
		reset_bad(__LINE__, H, t);
		free(t);
		/* The same claims re-signed with the right secret work: the
		 * cases above failed for their one difference. */
		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":"
		    "\"%s\",\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", u.id,
		    au_jstr(p, "password_fgpt"), (long long)now + 600);
		json_object_put(p);
		t = au_jwt_hs256(H, payload);
		/* ...but first: the user changes the password another way. */
		if (au_json(H, "PATCH", "/users/me", u.token,
		    "{\"password\":\"changed-by-patch-1\"}", &r) == 0) {
			CHECK(r.status == 200);
			http_resp_free(&r);
		}
		reset_bad(__LINE__, H, t);
		reset_bad(__LINE__, H, tok);
		free(t);
	} else
		au_bad(__LINE__, "reset token payload is not JSON");
	/* Deactivated after the token was mailed; deleted. */
	assert_int_equal(mailed_reset(H, &v, tok, sizeof(tok)), 0);
	CHECK(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = '%s'", v.id) == 0);
	reset_bad(__LINE__, H, tok);
	CHECK(au_db_exec(H, "UPDATE users SET is_active = TRUE WHERE id = '%s'", v.id) == 0);
	CHECK(au_db_exec(H, "DELETE FROM users WHERE id = '%s'", v.id) == 0);
	reset_bad(__LINE__, H, tok);
	au_end();
}

static void
test_reset_body_errors(void **state)
{
	static const struct { const char *body; const char *type; const char *loc; } c[] = {
		{ "{}", "missing", "body.token" },
		{ "{\"token\":\"x\"}", "missing", "body.password" },
		{ "{\"password\":\"long enough 1\"}", "missing", "body.token" },
		{ "{\"token\":null,\"password\":\"long enough 1\"}", "string_type", "body.token" },
		{ "{\"token\":1,\"password\":\"long enough 1\"}", "string_type", "body.token" },
		{ "{\"token\":\"x\",\"password\":[]}", "string_type", "body.password" },
		{ "{\"token\":\"x\",\"password\":{}}", "string_type", "body.password" },
		{ "[1]", "model_attributes_type", "body" },
		{ "{\"token\":\"x\",", "json_invalid", NULL },
		{ "nul", "json_invalid", NULL },
	};
	struct http_resp r;
	size_t i;
	char *big;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (au_json(H, "POST", "/auth/reset-password", NULL, c[i].body, &r) != 0)
			continue;
		if (r.status != 422)
			au_bad(__LINE__, "%s: %ld %s", c[i].body, r.status, r.body);
		else if (c[i].loc != NULL)
			au_check_422(__LINE__, &r, c[i].type, c[i].loc);
		http_resp_free(&r);
		if (au_json(H, "POST", "/auth/verify", NULL, c[i].body, &r) != 0)
			continue;
		/* verify has no password: only the token items apply. */
		if (strstr(c[i].body, "\"token\":\"x\"") == NULL && r.status != 422)
			au_bad(__LINE__, "verify %s: %ld %s", c[i].body, r.status, r.body);
		au_check_no_5xx(__LINE__, &r);
		http_resp_free(&r);
	}
	/* A token far over any we mint: 422, never parsed. */
	big = malloc(20000);
	memset(big, 'A', 19999);
	big[19999] = '\0';
	if (reset_req(H, big, "long enough 1", &r) == 0) {
		au_check_422(__LINE__, &r, "string_too_long", "body.token");
		http_resp_free(&r);
	}
	free(big);
	au_end();
}

/* A token as FastAPI-Users writes it: password_fgpt is a pwdlib Argon2id
 * hash of the stored hash.  Tokens in flight at the switch-over work. */
static void
test_reset_fastapi_users_token(void **state)
{
	struct au_user u;
	struct http_resp r;
	struct password_params pp = { 1, 8192, 1 };
	char fgpt[PASSWORD_HASH_MAX], payload[1024], *hash, *t;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "pyreset", &u), 0);
	assert_non_null(hash = stored_hash(H, u.id));
	assert_int_equal(password_hash(&pp, hash, strlen(hash), fgpt, sizeof(fgpt)), 0);
	free(hash);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"password_fgpt\":\"%s\","
	    "\"aud\":\"fastapi-users:reset\",\"exp\":%lld}", u.id, fgpt,
	    (long long)au_now() + 600);
	t = au_jwt_hs256(H, payload);
	assert_int_equal(reset_req(H, t, "python-era passw0rd", &r), 0);
	CHECK(r.status == 200);
	http_resp_free(&r);
	CHECK(au_login(H, u.email, "python-era passw0rd", NULL, 0) == 200);
	reset_bad(__LINE__, H, t);
	free(t);
	au_end();
}

/* ---- verify ---- */

static void
test_verify_flow(void **state)
{
	struct au_user u;
	struct http_resp r;
	struct json_object *p;
	char tok[AU_TOKEN_MAX];

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "verify", &u), 0);
	assert_int_equal(mailed_verify(H, &u, tok, sizeof(tok)), 0);
	if ((p = au_jwt_part(tok, 1)) != NULL) {
		CHECK(au_jstr(p, "sub") != NULL && strcmp(au_jstr(p, "sub"), u.id) == 0);
		CHECK(au_jstr(p, "email") != NULL && strcmp(au_jstr(p, "email"), u.email) == 0);
		CHECK(au_jstr(p, "aud") != NULL &&
		    strcmp(au_jstr(p, "aud"), "fastapi-users:verify") == 0);
		json_object_put(p);
	} else
		au_bad(__LINE__, "verify token payload is not JSON");
	assert_int_equal(verify_req(H, tok, &r), 0);
	CHECK(r.status == 200);
	if (r.status == 200) {
		au_check_user(__LINE__, r.json, r.body, u.email);
		CHECK(au_jbool(r.json, "is_verified") == 1);
	}
	http_resp_free(&r);
	assert_int_equal(verify_req(H, tok, &r), 0);
	au_check_error(__LINE__, &r, 400, "VERIFY_USER_ALREADY_VERIFIED");
	http_resp_free(&r);
	/* Verified: no new token is mailed. */
	CHECK(email_post(H, "/auth/request-verify-token", u.email) == 202);
	CHECK(au_outbox(H, "verify", u.email, NULL, 0) == 1);
	if (au_get(H, "/users/me", u.token, &r) == 0) {
		CHECK(au_jbool(r.json, "is_verified") == 1);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_verify_bad_tokens(void **state)
{
	struct au_user u, v;
	struct http_resp r;
	char tok[AU_TOKEN_MAX], rtok[AU_TOKEN_MAX], payload[1024], *t;
	int64_t now = au_now();

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "verifybad", &u), 0);
	assert_int_equal(au_new_user(H, "verifybad2", &v), 0);
	verify_bad(__LINE__, H, "");
	verify_bad(__LINE__, H, "x.y.z");
	verify_bad(__LINE__, H, u.token);
	assert_int_equal(mailed_reset(H, &u, rtok, sizeof(rtok)), 0);
	verify_bad(__LINE__, H, rtok);
	/* sub of one user, e-mail of another. */
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"email\":\"%s\","
	    "\"aud\":\"fastapi-users:verify\",\"exp\":%lld}", u.id, v.email,
	    (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	verify_bad(__LINE__, H, t);
	free(t);
	/* No e-mail; an unknown e-mail; expired; wrong audience. */
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\","
	    "\"aud\":\"fastapi-users:verify\",\"exp\":%lld}", u.id, (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	verify_bad(__LINE__, H, t);
	free(t);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"email\":\"gone@example.com\","
	    "\"aud\":\"fastapi-users:verify\",\"exp\":%lld}", u.id, (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	verify_bad(__LINE__, H, t);
	free(t);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"email\":\"%s\","
	    "\"aud\":\"fastapi-users:verify\",\"exp\":%lld}", u.id, u.email,
	    (long long)now - 5);
	t = au_jwt_hs256(H, payload);
	verify_bad(__LINE__, H, t);
	free(t);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"email\":\"%s\","
	    "\"aud\":[\"fastapi-users:auth\"],\"exp\":%lld}", u.id, u.email,
	    (long long)now + 600);
	t = au_jwt_hs256(H, payload);
	verify_bad(__LINE__, H, t);
	free(t);
	/* The address changed after the mail: the token no longer fits. */
	assert_int_equal(mailed_verify(H, &u, tok, sizeof(tok)), 0);
	au_email(payload, sizeof(payload), "verifymoved");
	{
		char body[512], *js = au_json_str(payload);

		snprintf(body, sizeof(body), "{\"email\":%s}", js);
		free(js);
		if (au_json(H, "PATCH", "/users/me", u.token, body, &r) == 0) {
			CHECK(r.status == 200);
			http_resp_free(&r);
		}
	}
	verify_bad(__LINE__, H, tok);
	/* An inactive user is still verified (FastAPI-Users does so). */
	assert_int_equal(mailed_verify(H, &v, tok, sizeof(tok)), 0);
	CHECK(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = '%s'", v.id) == 0);
	if (verify_req(H, tok, &r) == 0) {
		CHECK(r.status == 200 && au_jbool(r.json, "is_active") == 0 &&
		    au_jbool(r.json, "is_verified") == 1);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_require_verified_login(void **state)
{
	static const char *const env[] = {
		CHEAP_ARGON2, "REQUIRE_VERIFIED_LOGIN=true", NULL
	};
	struct harness_opts o = { .env = env };
	struct au_user u;
	struct http_resp r;
	char tok[AU_TOKEN_MAX];

	(void)state;
	au_begin();
	assert_non_null(X = harness_start(&o));
	/* au_new_user logs in, which this server refuses: register by hand. */
	au_email(u.email, sizeof(u.email), "unverified");
	snprintf(u.password, sizeof(u.password), "Unverified passw0rd");
	assert_int_equal(au_register(X, u.email, u.password, &r), 0);
	CHECK(r.status == 201);
	http_resp_free(&r);
	assert_int_equal(au_login_req(X, u.email, u.password, &r), 0);
	au_check_error(__LINE__, &r, 400, "LOGIN_USER_NOT_VERIFIED");
	http_resp_free(&r);
	/* A wrong password says nothing about verification. */
	assert_int_equal(au_login_req(X, u.email, "wrong passw0rd!", &r), 0);
	au_check_error(__LINE__, &r, 400, "LOGIN_BAD_CREDENTIALS");
	http_resp_free(&r);
	assert_int_equal(email_post(X, "/auth/request-verify-token", u.email), 202);
	assert_int_equal(au_outbox(X, "verify", u.email, tok, sizeof(tok)), 1);
	assert_int_equal(verify_req(X, tok, &r), 0);
	CHECK(r.status == 200);
	http_resp_free(&r);
	CHECK(au_login(X, u.email, u.password, NULL, 0) == 200);
	au_end();
}

static void
test_mail_rate_limit(void **state)
{
	static const char *const env[] = { CHEAP_ARGON2, "MAIL_RATE_LIMIT=2/hour", NULL };
	struct harness_opts o = { .env = env };
	struct au_user u, v;
	int i;

	(void)state;
	au_begin();
	assert_non_null(X = harness_start(&o));
	assert_int_equal(au_new_user(X, "flood", &u), 0);
	assert_int_equal(au_new_user(X, "flood2", &v), 0);
	for (i = 0; i < 5; i++)
		CHECK(email_post(X, "/auth/forgot-password", u.email) == 202);
	CHECK(au_outbox(X, "reset", u.email, NULL, 0) == 2);
	/* Verification mails share the recipient's budget. */
	CHECK(email_post(X, "/auth/request-verify-token", u.email) == 202);
	CHECK(au_outbox(X, "verify", u.email, NULL, 0) == 0);
	/* Another recipient has its own. */
	CHECK(email_post(X, "/auth/forgot-password", v.email) == 202);
	CHECK(au_outbox(X, "reset", v.email, NULL, 0) == 1);
	au_end();
}

/* ---- MCP tokens ---- */

static char *mcp_private_pem;
static struct jwt_key *mcp_key;

static int
mcp_setup(void **state)
{
	(void)state;
	if ((mcp_key = jwt_key_generate(JWT_RS256)) == NULL ||
	    (mcp_private_pem = jwt_key_pem_private(mcp_key)) == NULL)
		return -1;
	return 0;
}

static int
mcp_teardown(void **state)
{
	int rc = stop_own(state);

	jwt_key_free(mcp_key);
	mcp_key = NULL;
	free(mcp_private_pem);
	mcp_private_pem = NULL;
	return rc;
}

static struct harness *
start_with_mcp_key(const char *pem, const char *extra)
{
	char *setting = malloc(strlen(pem) + 32);
	const char *env[] = { CHEAP_ARGON2, setting, extra, NULL };
	struct harness_opts o = { .env = env };
	struct harness *h;

	sprintf(setting, "MCP_JWT_PRIVATE_KEY=%s", pem);
	h = harness_start(&o);
	free(setting);
	return h;
}

static void
test_mcp_token(void **state)
{
	struct au_user u, admin;
	struct http_resp r;
	struct jwt_verify_opts vo;
	const struct jwt_key *keys[1];
	struct json_object *claims = NULL, *hdr, *info;
	const char *tok;
	char body[256];

	(void)state;
	au_begin();
	assert_non_null(X = start_with_mcp_key(mcp_private_pem, NULL));
	assert_int_equal(au_new_user(X, "mcp", &u), 0);
	CHECK(au_db_exec(X, "UPDATE users SET first_name = 'Ada', last_name = "
	    "'Lovelace' WHERE id = '%s'", u.id) == 0);
	assert_int_equal(au_json(X, "POST", "/auth/mcp-token", u.token, "{}", &r), 0);
	assert_int_equal(r.status, 200);
	CHECK(au_jstr(r.json, "token_type") != NULL &&
	    strcmp(au_jstr(r.json, "token_type"), "bearer") == 0);
	CHECK(au_jstr(r.json, "scope") != NULL &&
	    strcmp(au_jstr(r.json, "scope"), "mcp-access") == 0);
	CHECK(au_matches(AU_ISO_RE, au_jstr(r.json, "issued_at")));
	{
		struct json_object *v;

		CHECK(json_object_object_get_ex(r.json, "expires_in", &v) &&
		    json_object_get_int64(v) == 3600);
	}
	if (json_object_object_get_ex(r.json, "user_info", &info)) {
		CHECK(au_jstr(info, "user_id") != NULL &&
		    strcmp(au_jstr(info, "user_id"), u.id) == 0);
		CHECK(au_jstr(info, "email") != NULL &&
		    strcmp(au_jstr(info, "email"), u.email) == 0);
		CHECK(au_jstr(info, "full_name") != NULL &&
		    strcmp(au_jstr(info, "full_name"), "Ada Lovelace") == 0);
		CHECK(au_jstr(info, "role") != NULL &&
		    strcmp(au_jstr(info, "role"), "user") == 0);
	} else
		au_bad(__LINE__, "no user_info");
	tok = au_jstr(r.json, "mcp_token");
	assert_non_null(tok);
	/* Checked with the public key alone, as an MCP server would. */
	keys[0] = mcp_key;
	memset(&vo, 0, sizeof(vo));
	vo.keys = keys;
	vo.n_keys = 1;
	vo.audience = "mcp-server";
	vo.issuer = "personal-server";
	CHECK(jwt_verify(tok, strlen(tok), &vo, &claims) == JWT_OK);
	if (claims != NULL) {
		struct json_object *v;

		CHECK(au_jstr(claims, "sub") && strcmp(au_jstr(claims, "sub"), u.id) == 0);
		CHECK(au_jstr(claims, "email") && strcmp(au_jstr(claims, "email"), u.email) == 0);
		CHECK(au_jstr(claims, "scope") && strcmp(au_jstr(claims, "scope"), "mcp-access") == 0);
		CHECK(au_jstr(claims, "aud") && strcmp(au_jstr(claims, "aud"), "mcp-server") == 0);
		CHECK(au_jstr(claims, "jti") != NULL);
		CHECK(json_object_object_get_ex(claims, "iat", &v) &&
		    llabs(json_object_get_int64(v) - au_now()) < 60);
		json_object_put(claims);
	}
	if ((hdr = au_jwt_part(tok, 0)) != NULL) {
		CHECK(au_jstr(hdr, "alg") && strcmp(au_jstr(hdr, "alg"), "RS256") == 0);
		CHECK(au_jstr(hdr, "kid") && strcmp(au_jstr(hdr, "kid"),
		    jwt_key_kid(mcp_key)) == 0);
		json_object_put(hdr);
	}
	/* Not an access token: the other routes refuse it. */
	CHECK(au_me_status(X, tok) == 401);
	http_resp_free(&r);
	/* A role change shows on the next request, same access token. */
	assert_int_equal(au_new_user(X, "mcpadmin", &admin), 0);
	assert_int_equal(au_make_superuser(X, &admin), 0);
	snprintf(body, sizeof(body), "/users/%s", u.id);
	if (au_json(X, "PATCH", body, admin.token, "{\"role\":\"premium\"}", &r) == 0) {
		CHECK(r.status == 200);
		http_resp_free(&r);
	}
	if (au_json(X, "POST", "/auth/mcp-token", u.token, "{}", &r) == 0) {
		if (json_object_object_get_ex(r.json, "user_info", &info))
			CHECK(au_jstr(info, "role") != NULL &&
			    strcmp(au_jstr(info, "role"), "premium") == 0);
		else
			au_bad(__LINE__, "no user_info: %s", r.body);
		http_resp_free(&r);
	}
	/* A plain user cannot set a role, not even its own. */
	if (au_json(X, "PATCH", "/users/me", u.token, "{\"role\":\"admin\"}", &r) == 0) {
		CHECK(r.status == 200 && au_jstr(r.json, "role") != NULL &&
		    strcmp(au_jstr(r.json, "role"), "premium") == 0);
		http_resp_free(&r);
	}
	snprintf(body, sizeof(body), "/users/%s", u.id);
	if (au_json(X, "PATCH", body, u.token, "{\"role\":\"admin\"}", &r) == 0) {
		au_check_error(__LINE__, &r, 403, "Forbidden");
		http_resp_free(&r);
	}
	au_end();
}

static void
test_mcp_token_refusals(void **state)
{
	static const char *const bodies[] = {
		"", "[]", "\"x\"", "42", "null", "{", "{\"a\":NaN}",
	};
	struct au_user u;
	struct http_resp r;
	size_t i;

	(void)state;
	au_begin();
	assert_non_null(X = start_with_mcp_key(mcp_private_pem, NULL));
	assert_int_equal(au_new_user(X, "mcpbad", &u), 0);
	/* No token, a bad one, the legacy key. */
	assert_int_equal(au_json(X, "POST", "/auth/mcp-token", NULL, "{}", &r), 0);
	au_check_error(__LINE__, &r, 401, "Unauthorized");
	http_resp_free(&r);
	assert_int_equal(au_json(X, "POST", "/auth/mcp-token", "x.y.z", "{}", &r), 0);
	au_check_error(__LINE__, &r, 401, "Unauthorized");
	http_resp_free(&r);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (au_json(X, "POST", "/auth/mcp-token", u.token, bodies[i], &r) != 0)
			continue;
		if (r.status != 422)
			au_bad(__LINE__, "body '%s': %ld %s", bodies[i], r.status, r.body);
		http_resp_free(&r);
	}
	if (au_get(X, "/auth/mcp-token", u.token, &r) == 0) {
		CHECK(r.status == 405);
		http_resp_free(&r);
	}
	/* Inactive users get nothing. */
	CHECK(au_db_exec(X, "UPDATE users SET is_active = FALSE WHERE id = '%s'", u.id) == 0);
	assert_int_equal(au_json(X, "POST", "/auth/mcp-token", u.token, "{}", &r), 0);
	au_check_error(__LINE__, &r, 401, "Unauthorized");
	http_resp_free(&r);
	au_end();
}

/* Without a key: 503 with a clear detail, logged; the rest works. */
static void
test_mcp_token_unconfigured(void **state)
{
	struct au_user u;
	struct http_resp r;
	char *log;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "mcpnokey", &u), 0);
	assert_int_equal(au_json(H, "POST", "/auth/mcp-token", u.token, "{}", &r), 0);
	CHECK(r.status == 503);
	CHECK(http_resp_detail(&r) != NULL && strstr(http_resp_detail(&r), "MCP") != NULL);
	http_resp_free(&r);
	log = harness_wait_log(H, "MCP_JWT_PRIVATE_KEY_FILE", 5000);
	CHECK(log != NULL && strstr(log, "MCP_JWT_PRIVATE_KEY_FILE") != NULL);
	free(log);
	CHECK(au_me_status(H, u.token) == 200);
	au_end();
}

/* A key that is there but wrong stops the program (503 everywhere) with a
 * log line naming the setting; an ES256 key with MCP_JWT_ALGORITHM=ES256
 * signs ES256. */
static void
test_mcp_token_keys(void **state)
{
	struct jwt_key *ec;
	char *pem, *log;
	struct http_resp r;
	struct au_user u;
	struct json_object *hdr;

	(void)state;
	au_begin();
	assert_non_null(ec = jwt_key_generate(JWT_ES256));
	assert_non_null(pem = jwt_key_pem_private(ec));
	/* An EC key where RS256 is asked for. */
	X = start_with_mcp_key(pem, NULL);
	if (X != NULL) {
		if (au_get(X, "/health", NULL, &r) == 0) {
			CHECK(r.status == 200 || r.status == 503);
			http_resp_free(&r);
		}
		if (au_json(X, "POST", "/auth/register", NULL, "{}", &r) == 0) {
			CHECK(r.status == 503);
			http_resp_free(&r);
		}
		log = harness_wait_log(X, "MCP_JWT_PRIVATE_KEY", 5000);
		CHECK(log != NULL && strstr(log, "MCP_JWT_PRIVATE_KEY: not a RS256") != NULL);
		free(log);
		CHECK(stop_own(state) == 0);
	}
	X = start_with_mcp_key(pem, "MCP_JWT_ALGORITHM=ES256");
	assert_non_null(X);
	assert_int_equal(au_new_user(X, "mcpec", &u), 0);
	assert_int_equal(au_json(X, "POST", "/auth/mcp-token", u.token, "{}", &r), 0);
	CHECK(r.status == 200);
	if (r.status == 200 && (hdr = au_jwt_part(au_jstr(r.json, "mcp_token"), 0)) != NULL) {
		CHECK(au_jstr(hdr, "alg") && strcmp(au_jstr(hdr, "alg"), "ES256") == 0);
		json_object_put(hdr);
	}
	http_resp_free(&r);
	free(pem);
	jwt_key_free(ec);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forgot_reset),
		cmocka_unit_test(test_forgot_no_enumeration),
		cmocka_unit_test(test_forgot_case_insensitive),
		cmocka_unit_test(test_forgot_bad_input),
		cmocka_unit_test(test_reset_bad_tokens),
		cmocka_unit_test(test_reset_body_errors),
		cmocka_unit_test(test_reset_fastapi_users_token),
		cmocka_unit_test(test_verify_flow),
		cmocka_unit_test(test_verify_bad_tokens),
		cmocka_unit_test(test_mcp_token_unconfigured),
		cmocka_unit_test_teardown(test_require_verified_login, stop_own),
		cmocka_unit_test_teardown(test_mail_rate_limit, stop_own),
		cmocka_unit_test_setup_teardown(test_mcp_token, mcp_setup, mcp_teardown),
		cmocka_unit_test_setup_teardown(test_mcp_token_refusals, mcp_setup,
		    mcp_teardown),
		cmocka_unit_test_teardown(test_mcp_token_keys, stop_own),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
