/*
 * test_sessions: refresh tokens through a real lighttpd (harness.h) —
 * login with scope offline_access, POST /auth/jwt/refresh rotation with
 * reuse detection (a spent token kills its family), logout with a
 * refresh_token in the body, and what ends a family: password change,
 * password reset, deactivation, deletion.  Cases report their line.
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

#define CHEAP_ARGON2 \
	"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1", \
	"PASSWORD_ARGON2_PARALLELISM=1"
#define FORM	"application/x-www-form-urlencoded"
#define RT_MAX	256

#define CHECK(c)	do { if (!(c)) au_bad(__LINE__, "%s", #c); } while (0)

static struct harness *H;
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
form(const char *path, const char *token, const char *body, struct http_resp *r)
{
	return au_send(H, "POST", path, token, FORM, NULL, body, strlen(body), r);
}

/* Logs in with a scope; the access and refresh tokens into u->token and rt. */
static long
login_offline(struct au_user *u, const char *scope, char *rt)
{
	char body[1024], *e = au_form_encode(u->email), *p = au_form_encode(u->password);
	char *s = au_form_encode(scope);
	struct http_resp r;
	long st;

	snprintf(body, sizeof(body), "username=%s&password=%s&scope=%s", e, p, s);
	free(e);
	free(p);
	free(s);
	rt[0] = '\0';
	if (form("/auth/jwt/login", NULL, body, &r) != 0)
		return 0;
	if ((st = r.status) == 200) {
		snprintf(u->token, sizeof(u->token), "%s", au_jstr(r.json, "access_token"));
		if (au_jstr(r.json, "refresh_token") != NULL)
			snprintf(rt, RT_MAX, "%s", au_jstr(r.json, "refresh_token"));
	}
	http_resp_free(&r);
	return st;
}

/* POST /auth/jwt/refresh; on 200 the new tokens replace access and rt. */
static long
refresh(const char *rt, char *access, size_t alen, char *newrt, struct http_resp *out)
{
	char body[8192], *e = au_form_encode(rt);
	struct http_resp r;
	long st;

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", e);
	free(e);
	if (form("/auth/jwt/refresh", NULL, body, &r) != 0)
		return 0;
	if ((st = r.status) == 200) {
		if (access != NULL)
			snprintf(access, alen, "%s", au_jstr(r.json, "access_token"));
		if (newrt != NULL)
			snprintf(newrt, RT_MAX, "%s", au_jstr(r.json, "refresh_token"));
	} else if (st == 400) {
		CHECK(au_jstr(r.json, "detail") != NULL &&
		    strcmp(au_jstr(r.json, "detail"), "REFRESH_TOKEN_INVALID") == 0);
		CHECK(au_jstr(r.json, "error") != NULL &&
		    strcmp(au_jstr(r.json, "error"), "invalid_grant") == 0);
	}
	if (out != NULL)
		*out = r;
	else
		http_resp_free(&r);
	return st;
}

static void
test_login_scopes(void **state)
{
	struct au_user u;
	struct http_resp r;
	char rt[RT_MAX], body[1024], *e, *p;
	struct json_object *v;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "scopes", &u), 0);
	/* Without the scope: FastAPI-Users' body exactly. */
	e = au_form_encode(u.email);
	p = au_form_encode(u.password);
	snprintf(body, sizeof(body), "username=%s&password=%s", e, p);
	if (form("/auth/jwt/login", NULL, body, &r) == 0) {
		CHECK(r.status == 200 && json_object_object_length(r.json) == 2);
		http_resp_free(&r);
	}
	free(e);
	free(p);
	CHECK(login_offline(&u, "openid profile", rt) == 200 && rt[0] == '\0');
	CHECK(login_offline(&u, "offline_accessx", rt) == 200 && rt[0] == '\0');
	CHECK(login_offline(&u, "xoffline_access", rt) == 200 && rt[0] == '\0');
	CHECK(login_offline(&u, "OFFLINE_ACCESS", rt) == 200 && rt[0] == '\0');
	CHECK(login_offline(&u, "openid offline_access", rt) == 200 && strlen(rt) == 43);
	CHECK(login_offline(&u, "offline_access", rt) == 200 && strlen(rt) == 43);
	/* expires_in is the access token's lifetime. */
	snprintf(body, sizeof(body), "username=%s&password=%s&scope=offline_access",
	    (e = au_form_encode(u.email)), (p = au_form_encode(u.password)));
	free(e);
	free(p);
	if (form("/auth/jwt/login", NULL, body, &r) == 0) {
		CHECK(json_object_object_get_ex(r.json, "expires_in", &v) &&
		    json_object_get_int64(v) == 3600);
		CHECK(au_jstr(r.json, "token_type") != NULL);
		http_resp_free(&r);
	}
	/* A wrong password gets no refresh token either. */
	snprintf(u.password, sizeof(u.password), "not the password");
	CHECK(login_offline(&u, "offline_access", rt) == 400 && rt[0] == '\0');
	au_end();
}

static void
test_rotation_and_reuse(void **state)
{
	struct au_user u;
	char rt1[RT_MAX], rt2[RT_MAX], rt3[RT_MAX], other[RT_MAX];
	char access[AU_TOKEN_MAX];

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "rotate", &u), 0);
	assert_int_equal(login_offline(&u, "offline_access", rt1), 200);
	/* A second login is a family of its own. */
	assert_int_equal(login_offline(&u, "offline_access", other), 200);
	assert_int_equal(refresh(rt1, access, sizeof(access), rt2, NULL), 200);
	CHECK(strcmp(rt1, rt2) != 0);
	CHECK(au_me_status(H, access) == 200);
	assert_int_equal(refresh(rt2, access, sizeof(access), rt3, NULL), 200);
	/* rt1 is spent: presenting it kills the family, rt3 included. */
	CHECK(refresh(rt1, NULL, 0, NULL, NULL) == 400);
	CHECK(refresh(rt3, NULL, 0, NULL, NULL) == 400);
	CHECK(refresh(rt2, NULL, 0, NULL, NULL) == 400);
	/* The other family lives on; access tokens already issued too. */
	CHECK(au_me_status(H, access) == 200);
	CHECK(refresh(other, NULL, 0, other, NULL) == 200);
	au_end();
}

static void
test_refresh_bad_input(void **state)
{
	static const char *const bodies[] = {
		"", "grant_type=refresh_token", "refresh_token=abc",
		"grant_type=password&refresh_token=abc",
		"grant_type=&refresh_token=abc", "grant_type=refresh_token&refresh_token=",
	};
	static const char *const bad_tokens[] = {
		"abc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "a b", "%00abc",
		"' OR 1=1 --",
	};
	struct http_resp r;
	char big[2048];
	size_t i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (form("/auth/jwt/refresh", NULL, bodies[i], &r) != 0)
			continue;
		if (r.status != 422)
			au_bad(__LINE__, "%s: %ld %s", bodies[i], r.status, r.body);
		http_resp_free(&r);
	}
	for (i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++)
		if (refresh(bad_tokens[i], NULL, 0, NULL, NULL) != 400)
			au_bad(__LINE__, "token '%s' not refused with 400", bad_tokens[i]);
	/* Long ones: 400 up to the form cap, 422 beyond. */
	memset(big, 'A', 1000);
	big[1000] = '\0';
	CHECK(refresh(big, NULL, 0, NULL, NULL) == 400);
	memset(big, 'A', 2000);
	big[2000] = '\0';
	if (refresh(big, NULL, 0, NULL, &r) != 0) {
		au_check_422(__LINE__, &r, "string_too_long", "body.refresh_token");
		http_resp_free(&r);
	}
	/* JSON is not the form it takes. */
	if (au_json(H, "POST", "/auth/jwt/refresh", NULL,
	    "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"abc\"}", &r) == 0) {
		CHECK(r.status == 422);
		http_resp_free(&r);
	}
	if (au_get(H, "/auth/jwt/refresh", NULL, &r) == 0) {
		CHECK(r.status == 405);
		http_resp_free(&r);
	}
	/* An access token is not a refresh token. */
	{
		struct au_user u;

		assert_int_equal(au_new_user(H, "refreshbad", &u), 0);
		CHECK(refresh(u.token, NULL, 0, NULL, NULL) == 400);
	}
	au_end();
}

static void
test_logout_revokes(void **state)
{
	struct au_user u, v;
	struct http_resp r;
	char rt[RT_MAX], rt2[RT_MAX], vrt[RT_MAX], body[512], *e;

	(void)state;
	au_begin();
	assert_int_equal(au_new_user(H, "logoutrt", &u), 0);
	assert_int_equal(au_new_user(H, "logoutrt2", &v), 0);
	/* Form body. */
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	e = au_form_encode(rt);
	snprintf(body, sizeof(body), "refresh_token=%s", e);
	free(e);
	assert_int_equal(form("/auth/jwt/logout", u.token, body, &r), 0);
	CHECK(r.status == 204);
	http_resp_free(&r);
	CHECK(au_me_status(H, u.token) == 401);
	CHECK(refresh(rt, NULL, 0, NULL, NULL) == 400);
	/* JSON body. */
	assert_int_equal(login_offline(&u, "offline_access", rt2), 200);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", rt2);
	assert_int_equal(au_json(H, "POST", "/auth/jwt/logout", u.token, body, &r), 0);
	CHECK(r.status == 204);
	http_resp_free(&r);
	CHECK(refresh(rt2, NULL, 0, NULL, NULL) == 400);
	/* Another user's refresh token is not this user's to end. */
	assert_int_equal(login_offline(&v, "offline_access", vrt), 200);
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", vrt);
	assert_int_equal(au_json(H, "POST", "/auth/jwt/logout", u.token, body, &r), 0);
	CHECK(r.status == 204);
	http_resp_free(&r);
	CHECK(refresh(vrt, NULL, 0, vrt, NULL) == 200);
	/* Bodies that name nothing usable still log out. */
	static const char *const junk[] = {
		"{\"refresh_token\":42}", "{\"refresh_token\":null}", "[1,2]", "{",
		"{\"refresh_token\":\"nope\"}",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(login_offline(&u, "offline_access", rt), 200);
		if (au_json(H, "POST", "/auth/jwt/logout", u.token, junk[i], &r) == 0) {
			if (r.status != 204)
				au_bad(__LINE__, "%s: %ld", junk[i], r.status);
			http_resp_free(&r);
		}
		/* The session's refresh token was not named: it lives. */
		CHECK(refresh(rt, NULL, 0, NULL, NULL) == 200);
	}
	/* No access token: 401, and the refresh token is untouched. */
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	e = au_form_encode(rt);
	snprintf(body, sizeof(body), "refresh_token=%s", e);
	free(e);
	assert_int_equal(form("/auth/jwt/logout", NULL, body, &r), 0);
	CHECK(r.status == 401);
	http_resp_free(&r);
	CHECK(refresh(rt, NULL, 0, NULL, NULL) == 200);
	au_end();
}

static void
test_what_ends_a_family(void **state)
{
	struct au_user u, admin;
	struct http_resp r;
	char rt[RT_MAX], rt2[RT_MAX], tok[AU_TOKEN_MAX], body[512], *js;

	(void)state;
	au_begin();
	/* A password change. */
	assert_int_equal(au_new_user(H, "endpw", &u), 0);
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token,
	    "{\"password\":\"another passw0rd\"}", &r), 0);
	CHECK(r.status == 200);
	http_resp_free(&r);
	CHECK(refresh(rt, NULL, 0, NULL, NULL) == 400);
	snprintf(u.password, sizeof(u.password), "another passw0rd");
	/* A password reset. */
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	js = au_json_str(u.email);
	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	assert_int_equal(au_json(H, "POST", "/auth/forgot-password", NULL, body, &r), 0);
	http_resp_free(&r);
	assert_int_equal(au_outbox(H, "reset", u.email, tok, sizeof(tok)), 1);
	js = au_json_str(tok);
	snprintf(body, sizeof(body), "{\"token\":%s,\"password\":\"reset passw0rd!\"}", js);
	free(js);
	assert_int_equal(au_json(H, "POST", "/auth/reset-password", NULL, body, &r), 0);
	CHECK(r.status == 200);
	http_resp_free(&r);
	CHECK(refresh(rt, NULL, 0, NULL, NULL) == 400);
	snprintf(u.password, sizeof(u.password), "reset passw0rd!");
	/* Deactivation (refused while inactive) and deletion. */
	assert_int_equal(login_offline(&u, "offline_access", rt), 200);
	assert_int_equal(login_offline(&u, "offline_access", rt2), 200);
	assert_int_equal(au_new_user(H, "endadmin", &admin), 0);
	assert_int_equal(au_make_superuser(H, &admin), 0);
	snprintf(body, sizeof(body), "/users/%s", u.id);
	assert_int_equal(au_json(H, "PATCH", body, admin.token, "{\"is_active\":false}", &r), 0);
	CHECK(r.status == 200);
	http_resp_free(&r);
	CHECK(refresh(rt, NULL, 0, NULL, NULL) == 400);
	assert_int_equal(au_send(H, "DELETE", body, admin.token, NULL, NULL, NULL, 0, &r), 0);
	CHECK(r.status == 204);
	http_resp_free(&r);
	CHECK(refresh(rt2, NULL, 0, NULL, NULL) == 400);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_scopes),
		cmocka_unit_test(test_rotation_and_reuse),
		cmocka_unit_test(test_refresh_bad_input),
		cmocka_unit_test(test_logout_revokes),
		cmocka_unit_test(test_what_ends_a_family),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
