/*
 * test_accounts: the accounts contract through a real web server
 * (harness.h): register, login, logout, /users/me, /users/{id}, /protected,
 * /.well-known/jwks.json and the access tokens, as FastAPI-Users 14/15 with
 * pydantic 2 answers them, plus the issue's additions (logout revokes, a
 * password change revokes the other tokens, WWW-Authenticate on 401, tokens
 * without exp refused, roles, the legacy X-API-KEY, RS256 keys).  Tokens
 * are minted here with OpenSSL (accounts_util.c), never with the programs'
 * code.  One server serves most tests (group setup); the X-API-KEY and
 * RS256 tests start servers of their own.  Table cases report their line.
 * The malformed-input matrix lives in test_accounts_bad_input.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"

static struct harness *H;	/* the group's server */
static struct harness *X;	/* a test's own server, stopped by teardown */
static struct au_user S;	/* a superuser on H */

#define HS256_HEADER	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define OTHER_SECRET	"another-secret-of-64-chars-0123456789abcdef0123456789abcdef0123"

/* ---- group ---- */

/* Argon2 at its cheapest: these tests exercise the API, not the hash
 * (test_legacy_hash and test_cli check pwdlib's parameters), and default
 * parameters made this test take minutes. */
static const char *const cheap_env[] = {
	"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
	"PASSWORD_ARGON2_PARALLELISM=1", NULL
};
static const struct harness_opts cheap = { .env = cheap_env };

static int
group_setup(void **state)
{
	(void)state;
	if ((H = harness_start(&cheap)) == NULL)
		return -1;
	if (au_new_user(H, "admin", &S) != 0 || au_make_superuser(H, &S) != 0) {
		print_error("cannot make the superuser: register/login do not work yet?\n");
		/* the tests still run, and say what fails */
	}
	return 0;
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

/* ---- small helpers ---- */

static void
upper(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static void
dashless(char *dst, const char *src, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; src[i] != '\0' && j + 1 < n; i++)
		if (src[i] != '-')
			dst[j++] = src[i];
	dst[j] = '\0';
}

/* GET /users/me: 200 and the given e-mail, else a report. */
static void
expect_me(int line, const char *token, const char *email)
{
	struct http_resp r;

	if (au_get(H, "/users/me", token, &r) != 0) {
		au_bad(line, "GET /users/me: no answer");
		return;
	}
	if (r.status != 200)
		au_bad(line, "GET /users/me: status %ld, want 200 (body %.300s)",
		    r.status, r.body);
	else
		au_check_user(line, r.json, r.body, email);
	http_resp_free(&r);
}

/* GET /users/me with token: 401 with error="invalid_token". */
static void
expect_me_401(int line, struct harness *h, const char *token)
{
	struct http_resp r;

	if (au_get(h, "/users/me", token, &r) != 0) {
		au_bad(line, "GET /users/me: no answer");
		return;
	}
	au_check_401(line, &r, 1);
	http_resp_free(&r);
}

static void
expect_login(int line, const char *email, const char *password, long want)
{
	struct http_resp r;

	if (au_login_req(H, email, password, &r) != 0) {
		au_bad(line, "login: no answer");
		return;
	}
	if (want == 200) {
		if (r.status != 200 || au_jstr(r.json, "access_token") == NULL)
			au_bad(line, "login %s: status %ld, want 200 (body %.300s)",
			    email, r.status, r.body);
	} else {
		au_check_error(line, &r, 400, "LOGIN_BAD_CREDENTIALS");
	}
	http_resp_free(&r);
}

/* A user object from a GET /users/{id} as the superuser (caller puts), or NULL. */
static struct json_object *
admin_get(int line, const char *id)
{
	char path[128];
	struct http_resp r;
	struct json_object *o = NULL;

	snprintf(path, sizeof(path), "/users/%s", id);
	if (au_get(H, path, S.token, &r) != 0) {
		au_bad(line, "GET %s: no answer", path);
		return NULL;
	}
	if (r.status != 200)
		au_bad(line, "GET %s as superuser: status %ld (body %.300s)", path,
		    r.status, r.body);
	else
		o = json_object_get(r.json);
	http_resp_free(&r);
	return o;
}

/* PATCH /users/{id} as the superuser; fills r. */
static int
admin_patch(const char *id, const char *json, struct http_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/users/%s", id);
	return au_json(H, "PATCH", path, S.token, json, r);
}

/* ---- register ---- */

static void
test_register_ok(void **state)
{
	/* {R}: a fresh random tag; want_email "{R}"-expanded too. */
	static const struct {
		int		 line;
		const char	*ctype;		/* NULL: no Content-Type */
		const char	*body;
		const char	*want_email;
		const char	*password;	/* to log in with afterwards */
		const char	*first, *last;	/* NULL: want null */
	} cases[] = {
		{ __LINE__, "application/json",
		    "{\"email\":\"plain-{R}@example.com\",\"password\":\"password123\"}",
		    "plain-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"names-{R}@example.com\",\"password\":\"password123\","
		    "\"first_name\":\"Ann\",\"last_name\":\"Lee\"}",
		    "names-{R}@example.com", "password123", "Ann", "Lee" },
		/* privileged fields are ignored (create with safe=True) */
		{ __LINE__, "application/json",
		    "{\"email\":\"priv-{R}@example.com\",\"password\":\"password123\","
		    "\"is_superuser\":true,\"is_active\":false,\"is_verified\":true,"
		    "\"id\":\"00000000-0000-4000-8000-000000000000\",\"role\":\"admin\"}",
		    "priv-{R}@example.com", "password123", NULL, NULL },
		/* Optional[bool]: null is allowed; pydantic's lax bools */
		{ __LINE__, "application/json",
		    "{\"email\":\"nullsu-{R}@example.com\",\"password\":\"password123\","
		    "\"is_superuser\":null,\"is_active\":null,\"is_verified\":null}",
		    "nullsu-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"laxbool-{R}@example.com\",\"password\":\"password123\","
		    "\"is_superuser\":\"yes\",\"is_verified\":1,\"is_active\":\"false\"}",
		    "laxbool-{R}@example.com", "password123", NULL, NULL },
		/* id is not a field of UserCreate: not even type-checked */
		{ __LINE__, "application/json",
		    "{\"email\":\"idnum-{R}@example.com\",\"password\":\"password123\",\"id\":123}",
		    "idnum-{R}@example.com", "password123", NULL, NULL },
		/* EmailStr: blanks stripped, domain lower-cased, local part kept */
		{ __LINE__, "application/json",
		    "{\"email\":\"  Alice.Test-{R}@Example.COM  \",\"password\":\"password123\"}",
		    "Alice.Test-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"Alice Test <named-{R}@example.com>\",\"password\":\"password123\"}",
		    "named-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"o'brien+tag-{R}@example.com\",\"password\":\"password123\"}",
		    "o'brien+tag-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"j\\u00fcrgen-{R}@example.com\",\"password\":\"password123\"}",
		    "j\xc3\xbcrgen-{R}@example.com", "password123", NULL, NULL },
		/* content types */
		{ __LINE__, NULL,
		    "{\"email\":\"noctype-{R}@example.com\",\"password\":\"password123\"}",
		    "noctype-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json; charset=utf-8",
		    "{\"email\":\"charset-{R}@example.com\",\"password\":\"password123\"}",
		    "charset-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "Application/JSON",
		    "{\"email\":\"ctcase-{R}@example.com\",\"password\":\"password123\"}",
		    "ctcase-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/vnd.api+json",
		    "{\"email\":\"plusjson-{R}@example.com\",\"password\":\"password123\"}",
		    "plusjson-{R}@example.com", "password123", NULL, NULL },
		/* SQL-looking strings are stored and returned literally */
		{ __LINE__, "application/json",
		    "{\"email\":\"sql-{R}@example.com\",\"password\":\"' OR '1'='1' --\","
		    "\"first_name\":\"Robert'); DROP TABLE users;--\","
		    "\"last_name\":\"\\\" OR 1=1; --\"}",
		    "sql-{R}@example.com", "' OR '1'='1' --",
		    "Robert'); DROP TABLE users;--", "\" OR 1=1; --" },
		{ __LINE__, "application/json",
		    "{\"email\":\"uni-{R}@example.com\",\"password\":\"password123\","
		    "\"first_name\":\"Zo\\u00eb\",\"last_name\":\"\xe6\x97\xa5\xe6\x9c\xac\"}",
		    "uni-{R}@example.com", "password123", "Zo\xc3\xab", "\xe6\x97\xa5\xe6\x9c\xac" },
		/* 50 characters is the maximum, counted in characters */
		{ __LINE__, "application/json",
		    "{\"email\":\"n50-{R}@example.com\",\"password\":\"password123\","
		    "\"first_name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		    "n50-{R}@example.com", "password123",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"n50u-{R}@example.com\",\"password\":\"password123\","
		    "\"last_name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		    "n50u-{R}@example.com", "password123", NULL,
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" },
		{ __LINE__, "application/json",
		    "{\"email\":\"empty-names-{R}@example.com\",\"password\":\"password123\","
		    "\"first_name\":\"\",\"last_name\":null}",
		    "empty-names-{R}@example.com", "password123", "", NULL },
		/* passwords: 8 characters, blanks kept, characters not bytes */
		{ __LINE__, "application/json",
		    "{\"email\":\"pw8-{R}@example.com\",\"password\":\"12345678\"}",
		    "pw8-{R}@example.com", "12345678", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"pwsp-{R}@example.com\",\"password\":\"        \"}",
		    "pwsp-{R}@example.com", "        ", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"pwuni-{R}@example.com\",\"password\":"
		    "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}",
		    "pwuni-{R}@example.com",
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"pwodd-{R}@example.com\",\"password\":\"p@ss w+rd&=%\\\"\\\\\"}",
		    "pwodd-{R}@example.com", "p@ss w+rd&=%\"\\", NULL, NULL },
		/* duplicate keys: the last wins; unknown keys are ignored */
		{ __LINE__, "application/json",
		    "{\"email\":\"first-{R}@example.com\",\"password\":\"password123\","
		    "\"email\":\"last-{R}@example.com\"}",
		    "last-{R}@example.com", "password123", NULL, NULL },
		{ __LINE__, "application/json",
		    "{\"email\":\"unknown-{R}@example.com\",\"password\":\"password123\","
		    "\"foo\":\"bar\",\"nested\":{\"a\":[1,2,{\"b\":null}]},\"hashed_password\":\"x\"}",
		    "unknown-{R}@example.com", "password123", NULL, NULL },
	};

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rnd[17];
		const char *vars[] = { "R", rnd, NULL };
		char *body, *want;
		struct http_resp r;
		const char *id;
		int line = cases[i].line;

		assert_int_equal(harness_random_hex(rnd, 8), 0);
		body = au_expand(cases[i].body, vars);
		want = au_expand(cases[i].want_email, vars);
		if (au_send(H, "POST", "/auth/register", NULL, cases[i].ctype, NULL, body,
		    strlen(body), &r) != 0) {
			au_bad(line, "no answer");
			goto next;
		}
		if (r.status != 201) {
			au_bad(line, "status %ld, want 201 (body %.300s)", r.status, r.body);
			http_resp_free(&r);
			goto next;
		}
		/* FastAPI's JSONResponse: exactly application/json, no charset */
		if (http_resp_header(&r, "Content-Type") == NULL ||
		    strcmp(http_resp_header(&r, "Content-Type"), "application/json") != 0)
			au_bad(line, "Content-Type \"%s\", want \"application/json\"",
			    http_resp_header(&r, "Content-Type") ?
			    http_resp_header(&r, "Content-Type") : "(none)");
		au_check_user(line, r.json, r.body, want);
		id = au_jstr(r.json, "id");
		if (!au_matches(AU_UUID4_RE, id))
			au_bad(line, "id \"%s\" is not a UUID v4", id ? id : "(none)");
		if (id != NULL && strcmp(id, "00000000-0000-4000-8000-000000000000") == 0)
			au_bad(line, "the id sent was used");
		if (au_jbool(r.json, "is_active") != 1 || au_jbool(r.json, "is_superuser") != 0 ||
		    au_jbool(r.json, "is_verified") != 0)
			au_bad(line, "flags are not active/not superuser/not verified: %.300s",
			    r.body);
		if (au_jstr(r.json, "role") == NULL || strcmp(au_jstr(r.json, "role"), "user") != 0)
			au_bad(line, "role \"%s\", want \"user\"",
			    au_jstr(r.json, "role") ? au_jstr(r.json, "role") : "(none)");
		if (!au_jnull(r.json, "last_login"))
			au_bad(line, "last_login not null before any login: %.300s", r.body);
		if (cases[i].first == NULL ? !au_jnull(r.json, "first_name") :
		    (au_jstr(r.json, "first_name") == NULL ||
		    strcmp(au_jstr(r.json, "first_name"), cases[i].first) != 0))
			au_bad(line, "first_name wrong: %.300s", r.body);
		if (cases[i].last == NULL ? !au_jnull(r.json, "last_name") :
		    (au_jstr(r.json, "last_name") == NULL ||
		    strcmp(au_jstr(r.json, "last_name"), cases[i].last) != 0))
			au_bad(line, "last_name wrong: %.300s", r.body);
		http_resp_free(&r);
		/* the password was stored as sent: it logs in */
		expect_login(line, want, cases[i].password, 200);
next:
		free(body);
		free(want);
	}
	au_end();
}

static void
test_register_duplicate(void **state)
{
	static const struct {
		int		 line;
		const char	*email;		/* {L}: the local part, {D}: "example.com" */
	} cases[] = {
		{ __LINE__, "{L}@{D}" },
		{ __LINE__, "{LU}@{D}" },		/* local part in capitals */
		{ __LINE__, "{L}@EXAMPLE.COM" },
		{ __LINE__, "{LU}@EXAMPLE.COM" },
		{ __LINE__, "  {L}@{D}  " },
		{ __LINE__, "Some One <{L}@{D}>" },
	};
	char rnd[17], local[64], lu[64];
	const char *vars[] = { "L", local, "LU", lu, "D", "example.com", NULL };
	char email[128];
	struct http_resp r;

	(void)state;
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	snprintf(local, sizeof(local), "dup-%s", rnd);
	upper(lu, local, sizeof(lu));
	snprintf(email, sizeof(email), "%s@example.com", local);
	assert_int_equal(au_register(H, email, "password123", &r), 0);
	assert_int_equal(r.status, 201);
	http_resp_free(&r);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = au_expand(cases[i].email, vars);

		if (au_register(H, e, "another-password", &r) != 0)
			au_bad(cases[i].line, "no answer");
		else
			au_check_error(cases[i].line, &r, 400, "REGISTER_USER_ALREADY_EXISTS");
		http_resp_free(&r);
		free(e);
	}
	/* the first account's password is unchanged */
	expect_login(__LINE__, email, "password123", 200);
	expect_login(__LINE__, email, "another-password", 400);
	au_end();
}

/* ---- login and the token ---- */

static void
check_token_response(int line, const struct http_resp *r, const char *user_id)
{
	struct json_object *hd = NULL, *pl = NULL, *v;
	const char *tok, *tt;
	int64_t now = au_now();
	int dots = 0;

	if (r->status != 200) {
		au_bad(line, "login status %ld, want 200 (body %.300s)", r->status, r->body);
		return;
	}
	if (!au_is_json(r))
		au_bad(line, "login Content-Type is not application/json");
	tok = au_jstr(r->json, "access_token");
	tt = au_jstr(r->json, "token_type");
	if (r->json == NULL || json_object_object_length(r->json) != 2 || tok == NULL ||
	    tt == NULL || strcmp(tt, "bearer") != 0) {
		au_bad(line, "want exactly {access_token, token_type:\"bearer\"}: %.300s",
		    r->body);
		return;
	}
	for (const char *p = tok; *p != '\0'; p++) {
		if (*p == '.')
			dots++;
		else if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			au_bad(line, "token has a character outside base64url: 0x%02x", *p);
	}
	if (dots != 2)
		au_bad(line, "token has %d dots, want 2", dots);
	hd = au_jwt_part(tok, 0);
	pl = au_jwt_part(tok, 1);
	if (hd == NULL || json_object_object_length(hd) != 2 ||
	    au_jstr(hd, "alg") == NULL || strcmp(au_jstr(hd, "alg"), "HS256") != 0 ||
	    au_jstr(hd, "typ") == NULL || strcmp(au_jstr(hd, "typ"), "JWT") != 0)
		au_bad(line, "header is not exactly {\"alg\":\"HS256\",\"typ\":\"JWT\"}: %s",
		    hd ? json_object_to_json_string(hd) : "(not JSON)");
	if (pl == NULL) {
		au_bad(line, "payload is not JSON");
		goto out;
	}
	if (au_jstr(pl, "sub") == NULL || (user_id && strcmp(au_jstr(pl, "sub"), user_id) != 0))
		au_bad(line, "sub \"%s\", want the user id %s",
		    au_jstr(pl, "sub") ? au_jstr(pl, "sub") : "(none)", user_id);
	if (!json_object_object_get_ex(pl, "aud", &v) || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 1 ||
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "fastapi-users:auth") != 0)
		au_bad(line, "aud is not [\"fastapi-users:auth\"]: %s",
		    json_object_to_json_string(pl));
	if (!json_object_object_get_ex(pl, "exp", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < now + 3600 - 30 || json_object_get_int64(v) > now + 3600 + 5)
		au_bad(line, "exp is not an integer now+3600: %s", json_object_to_json_string(pl));
	if (!json_object_object_get_ex(pl, "iat", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < now - 30 || json_object_get_int64(v) > now + 5)
		au_bad(line, "iat is not an integer now: %s", json_object_to_json_string(pl));
	if (au_jstr(pl, "jti") == NULL || strlen(au_jstr(pl, "jti")) < 16)
		au_bad(line, "no jti string of 16+ characters: %s", json_object_to_json_string(pl));
out:
	json_object_put(hd);
	json_object_put(pl);
}

static void
test_login_ok(void **state)
{
	static const char *const boundary = "----fuTestBoundary7MA4YWxkTrZu0gW";
	struct {
		int		 line;
		const char	*ctype;
		const char	*body;		/* {U}: username, {P}: password, form-encoded */
	} cases[] = {
		{ __LINE__, "application/x-www-form-urlencoded", "username={U}&password={P}" },
		{ __LINE__, "application/x-www-form-urlencoded", "password={P}&username={U}" },
		{ __LINE__, "application/x-www-form-urlencoded; charset=utf-8",
		    "username={U}&password={P}" },
		{ __LINE__, "application/x-www-form-urlencoded",
		    "grant_type=password&username={U}&password={P}" },
		{ __LINE__, "application/x-www-form-urlencoded",
		    "username={U}&password={P}&scope=me+items&client_id=abc&client_secret=xyz" },
		{ __LINE__, "application/x-www-form-urlencoded",
		    "username={U}&password={P}&unknown=1" },
		/* the e-mail is looked up without regard to case */
		{ __LINE__, "application/x-www-form-urlencoded", "username={UU}&password={P}" },
		{ __LINE__, NULL, NULL },	/* multipart, built below */
	};
	struct au_user u;
	char rnd[17], email[128], ue[128], *eu, *ep, *euu;
	const char *password = "p@ss w+rd&=%\xc3\xa9!";
	struct http_resp r;
	char *prev_jti = NULL;

	(void)state;
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	snprintf(email, sizeof(email), "login-%s@example.com", rnd);
	upper(ue, email, sizeof(ue));
	assert_int_equal(au_register(H, email, password, &r), 0);
	if (r.status != 201)
		fail_msg("register: status %ld body %.300s", r.status, r.body);
	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "%s", au_jstr(r.json, "id"));
	http_resp_free(&r);
	eu = au_form_encode(email);
	euu = au_form_encode(ue);
	ep = au_form_encode(password);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *vars[] = { "U", eu, "UU", euu, "P", ep, NULL };
		char *body, ct[128];
		struct json_object *pl;

		if (cases[i].body != NULL) {
			body = au_expand(cases[i].body, vars);
			snprintf(ct, sizeof(ct), "%s", cases[i].ctype);
		} else {
			assert_true(asprintf(&body,
			    "--%s\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n%s\r\n"
			    "--%s\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n%s\r\n"
			    "--%s--\r\n", boundary, email, boundary, password, boundary) > 0);
			snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
		}
		if (au_send(H, "POST", "/auth/jwt/login", NULL, ct, NULL, body, strlen(body),
		    &r) != 0) {
			au_bad(cases[i].line, "no answer");
			free(body);
			continue;
		}
		check_token_response(cases[i].line, &r, u.id);
		if (r.status == 200) {
			const char *tok = au_jstr(r.json, "access_token");

			expect_me(cases[i].line, tok, email);
			/* every login is a new token */
			pl = au_jwt_part(tok, 1);
			if (au_jstr(pl, "jti") != NULL) {
				if (prev_jti != NULL && strcmp(prev_jti, au_jstr(pl, "jti")) == 0)
					au_bad(cases[i].line, "two logins gave the same jti");
				free(prev_jti);
				prev_jti = strdup(au_jstr(pl, "jti"));
			}
			json_object_put(pl);
		}
		http_resp_free(&r);
		free(body);
	}
	free(prev_jti);
	free(eu);
	free(euu);
	free(ep);
	au_end();
}

static void
test_login_sets_last_login(void **state)
{
	struct au_user u;
	struct http_resp r;
	char first[64] = "";

	(void)state;
	assert_int_equal(au_new_user(H, "lastlogin", &u), 0);
	au_begin();
	assert_int_equal(au_get(H, "/users/me", u.token, &r), 0);
	if (r.status != 200 || !au_matches(AU_ISO_RE, au_jstr(r.json, "last_login")))
		au_bad(__LINE__, "after login, last_login is not an ISO time: %.300s", r.body);
	else
		snprintf(first, sizeof(first), "%s", au_jstr(r.json, "last_login"));
	http_resp_free(&r);
	sleep(1);
	if (au_login(H, u.email, u.password, u.token, sizeof(u.token)) != 200)
		au_bad(__LINE__, "second login failed");
	assert_int_equal(au_get(H, "/users/me", u.token, &r), 0);
	if (r.status != 200 || au_jstr(r.json, "last_login") == NULL ||
	    strcmp(au_jstr(r.json, "last_login"), first) <= 0)
		au_bad(__LINE__, "a later login does not move last_login forward "
		    "(%s, then %.300s)", first, r.body);
	http_resp_free(&r);
	/* a failed login does not count */
	expect_login(__LINE__, u.email, "wrong-password", 400);
	au_end();
}

static void
test_login_bad_credentials(void **state)
{
	struct au_user u, off;
	char other[128], upw[AU_PASSWORD_MAX], spw[AU_PASSWORD_MAX + 2];
	struct {
		int		 line;
		const char	*username;
		const char	*password;
	} cases[] = {
		{ __LINE__, u.email, "wrong-password" },
		{ __LINE__, u.email, upw },			/* password in capitals */
		{ __LINE__, u.email, spw },			/* with a trailing blank */
		{ __LINE__, u.email, "Pw-" },			/* a prefix */
		{ __LINE__, other, u.password },		/* unknown user */
		{ __LINE__, "nobody@example.com", "password123" },
		{ __LINE__, "not-an-email", u.password },	/* not validated as e-mail */
		/* SQL and LIKE patterns never match anyone */
		{ __LINE__, "%", u.password },
		{ __LINE__, "%@example.com", u.password },
		{ __LINE__, "_%", u.password },
		{ __LINE__, "' OR '1'='1", u.password },
		{ __LINE__, "' OR 1=1 --", "' OR 1=1 --" },
		{ __LINE__, "\" OR \"\"=\"", u.password },
		/* an inactive user's right password */
		{ __LINE__, off.email, off.password },
	};

	(void)state;
	assert_int_equal(au_new_user(H, "badcred", &u), 0);
	assert_int_equal(au_new_user(H, "inactive", &off), 0);
	assert_int_equal(au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = %Q",
	    off.id), 0);
	upper(upw, u.password, sizeof(upw));
	snprintf(spw, sizeof(spw), "%s ", u.password);
	au_email(other, sizeof(other), "unknown");
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_login(cases[i].line, cases[i].username, cases[i].password, 400);
	/* and the right one still works */
	expect_login(__LINE__, u.email, u.password, 200);
	au_end();
}

/* ---- authorization: schemes and tokens ---- */

static void
test_bearer_schemes(void **state)
{
	static const char *const schemes[] = { "Bearer", "bearer", "BEARER", "bEaReR" };
	struct au_user u;

	(void)state;
	assert_int_equal(au_new_user(H, "scheme", &u), 0);
	au_begin();
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		char hdr[AU_TOKEN_MAX + 64];
		struct http_resp r;

		snprintf(hdr, sizeof(hdr), "Authorization: %s %s", schemes[i], u.token);
		if (au_send(H, "GET", "/users/me", NULL, NULL, hdr, NULL, 0, &r) != 0) {
			au_bad(__LINE__, "%s: no answer", schemes[i]);
			continue;
		}
		if (r.status != 200)
			au_bad(__LINE__, "scheme \"%s\": status %ld, want 200", schemes[i],
			    r.status);
		else
			au_check_user(__LINE__, r.json, r.body, u.email);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_no_credentials(void **state)
{
	static const struct {
		const char	*method;
		const char	*path;	/* {ID}: another user's id */
		const char	*body;
	} routes[] = {
		{ "GET", "/users/me", NULL },
		{ "PATCH", "/users/me", "{\"first_name\":\"x\"}" },
		{ "GET", "/protected", NULL },
		{ "POST", "/auth/jwt/logout", "" },
		{ "GET", "/users/{ID}", NULL },
		{ "PATCH", "/users/{ID}", "{}" },
		{ "DELETE", "/users/{ID}", NULL },
	};
	struct au_user u;
	char basic[64], token_s[AU_TOKEN_MAX + 32], bare[AU_TOKEN_MAX + 32],
	    colon[AU_TOKEN_MAX + 32], basic_tok[AU_TOKEN_MAX + 32];
	struct {
		int		 line;
		const char	*header;	/* NULL: no Authorization */
		int		 invalid;	/* au_check_401's invalid_token */
	} cases[] = {
		{ __LINE__, NULL, 0 },
		{ __LINE__, basic, 0 },
		{ __LINE__, basic_tok, 0 },		/* a valid token, scheme Basic */
		{ __LINE__, token_s, 0 },		/* scheme "Token" */
		{ __LINE__, bare, 0 },			/* no scheme at all */
		{ __LINE__, colon, 0 },			/* "Bearer:<token>" */
		{ __LINE__, "Authorization: Digest username=\"x\"", 0 },
		{ __LINE__, "Authorization: Bearer", -1 },
		{ __LINE__, "Authorization: Bearer ", -1 },
		{ __LINE__, "Authorization: Bearer     ", -1 },
		{ __LINE__, "X-Authorization: Bearer abc", 0 },
		{ __LINE__, "Cookie: fastapiusersauth=abc", 0 },
	};

	(void)state;
	assert_int_equal(au_new_user(H, "nocred", &u), 0);
	snprintf(basic, sizeof(basic), "Authorization: Basic dXNlcjpwYXNzd29yZA==");
	snprintf(basic_tok, sizeof(basic_tok), "Authorization: Basic %s", u.token);
	snprintf(token_s, sizeof(token_s), "Authorization: Token %s", u.token);
	snprintf(bare, sizeof(bare), "Authorization: %s", u.token);
	snprintf(colon, sizeof(colon), "Authorization: Bearer:%s", u.token);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
			const char *vars[] = { "ID", u.id, NULL };
			char *path = au_expand(routes[k].path, vars);
			struct http_resp r;

			if (au_send(H, routes[k].method, path, NULL,
			    routes[k].body ? "application/json" : NULL, cases[i].header,
			    routes[k].body, routes[k].body ? strlen(routes[k].body) : 0,
			    &r) != 0) {
				au_bad(cases[i].line, "%s %s: no answer", routes[k].method, path);
			} else {
				if (r.status != 401)
					au_bad(cases[i].line, "%s %s:", routes[k].method, path);
				au_check_401(cases[i].line, &r, cases[i].invalid);
			}
			http_resp_free(&r);
			free(path);
		}
	}
	/* nothing was changed by those PATCH/DELETE */
	expect_me(__LINE__, u.token, u.email);
	au_end();
}

enum key_kind { K_SECRET, K_OTHER, K_EMPTY, K_SECRET_PREFIX };

struct token_case {
	int		 line;
	const char	*header;	/* JSON text */
	const char	*payload;	/* JSON text with {SUB} {NOW} {EXP} {PAST} … */
	const char	*digest;	/* NULL: empty signature */
	enum key_kind	 key;
};

/* Mints the case's token for user `u` (other: a second user's id). */
static char *
mint_case(const struct token_case *c, const struct au_user *u, const char *other)
{
	char now[24], exp[24], past[24], recent[24], fut[24], unknown[37], up[40],
	    dl[40], br[48], urn[56];
	const char *vars[] = {
		"SUB", u->id, "NOW", now, "EXP", exp, "PAST", past, "RECENT", recent,
		"FUT", fut, "OTHER", other, "UNKNOWN", unknown, "SUBUP", up,
		"SUBHEX", dl, "SUBBR", br, "SUBURN", urn, NULL
	};
	const char *secret = harness_env(H, "JWT_SECRET");
	char *payload, *tok;
	const void *key = secret;
	size_t keylen = strlen(secret);

	snprintf(now, sizeof(now), "%lld", (long long)au_now());
	snprintf(exp, sizeof(exp), "%lld", (long long)au_now() + 3600);
	snprintf(past, sizeof(past), "%lld", (long long)au_now() - 3600);
	snprintf(recent, sizeof(recent), "%lld", (long long)au_now() - 300);
	snprintf(fut, sizeof(fut), "%lld", (long long)au_now() + 3600);
	au_uuid4(unknown);
	upper(up, u->id, sizeof(up));
	dashless(dl, u->id, sizeof(dl));
	snprintf(br, sizeof(br), "{%s}", u->id);
	snprintf(urn, sizeof(urn), "urn:uuid:%s", u->id);
	payload = au_expand(c->payload, vars);
	switch (c->key) {
	case K_OTHER:
		key = OTHER_SECRET;
		keylen = strlen(OTHER_SECRET);
		break;
	case K_EMPTY:
		key = "";
		keylen = 0;
		break;
	case K_SECRET_PREFIX:
		keylen = 32;
		break;
	case K_SECRET:
		break;
	}
	tok = au_jwt_hmac(c->digest, key, keylen, c->header, payload);
	assert_non_null(tok);
	free(payload);
	return tok;
}

#define STD_AUD	"\"aud\":[\"fastapi-users:auth\"]"

static void
test_tokens_accepted(void **state)
{
	/* How FastAPI-Users/PyJWT mints and accepts access tokens. */
	static const struct token_case cases[] = {
		/* exactly FastAPI-Users' token: no iat, no jti */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		/* compact key order varies */
		{ __LINE__, HS256_HEADER, "{\"exp\":{EXP}," STD_AUD ",\"sub\":\"{SUB}\"}",
		    "SHA256", K_SECRET },
		{ __LINE__, "{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		/* with our iat and jti */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"iat\":{NOW},\"jti\":\"0123456789abcdef0123456789abcdef\"}",
		    "SHA256", K_SECRET },
		/* aud as a string, or a list that holds ours */
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":\"fastapi-users:auth\",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":[\"other\",\"fastapi-users:auth\"],\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		/* sub in any form Python's uuid.UUID() takes */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUBUP}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUBHEX}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUBBR}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUBURN}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		/* times in the past that are fine; unknown claims are ignored */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"iat\":{PAST},\"nbf\":{PAST}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"foo\":\"bar\",\"scope\":\"x y\",\"email\":\"x@example.com\"}",
		    "SHA256", K_SECRET },
	};
	struct au_user u;

	(void)state;
	assert_int_equal(au_new_user(H, "tokok", &u), 0);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = mint_case(&cases[i], &u, S.id);
		struct http_resp r;

		expect_me(cases[i].line, tok, u.email);
		if (au_get(H, "/protected", tok, &r) == 0 && r.status != 200)
			au_bad(cases[i].line, "/protected: status %ld, want 200 (body %.200s)",
			    r.status, r.body);
		http_resp_free(&r);
		free(tok);
	}
	au_end();
}

static void
test_tokens_refused(void **state)
{
	static const struct token_case cases[] = {
		/* times */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{PAST}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{RECENT}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":0}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":-1}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD "}",	/* no exp */
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":\"{EXP}\"}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":null}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":true}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":[{EXP}]}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"iat\":{FUT}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"nbf\":{FUT}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP},"
		    "\"iat\":\"yesterday\"}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":1e400}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD
		    ",\"exp\":99999999999999999999999999}", "SHA256", K_SECRET },
		/* audience */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":\"fastapi-users:reset\",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":\"fastapi-users:verify\",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":[\"fastapi-users\"],\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":[\"mcp-server\"],\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\",\"aud\":[],\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\",\"aud\":null,\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\",\"aud\":42,\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":\"FASTAPI-USERS:AUTH\",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"{SUB}\",\"aud\":[[\"fastapi-users:auth\"]],\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		/* subject */
		{ __LINE__, HS256_HEADER, "{" STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"not-a-uuid\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":12345," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":123456789012345678901234567890123456," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":null," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":[\"{SUB}\"]," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":{\"id\":\"{SUB}\"}," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{UNKNOWN}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}x\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\" {SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\\u0000\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER,
		    "{\"sub\":\"' OR 1=1 --\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		/* algorithm and key */
		{ __LINE__, "{\"alg\":\"none\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", NULL, K_SECRET },
		{ __LINE__, "{\"alg\":\"None\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", NULL, K_SECRET },
		{ __LINE__, "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", NULL, K_SECRET },
		{ __LINE__, "{\"alg\":\"nOnE\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", NULL, K_SECRET },
		{ __LINE__, "{\"alg\":\"none\",\"typ\":\"JWT\"}",	/* none, but signed */
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":\"\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":null,\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    NULL, K_SECRET },				/* HS256, no signature */
		{ __LINE__, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA384", K_SECRET },
		{ __LINE__, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA512", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA384", K_SECRET },			/* says HS256, is HS384 */
		{ __LINE__, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_OTHER },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_EMPTY },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET_PREFIX },		/* half the secret */
		/* PyJWT >= 2.12: an unknown critical header */
		{ __LINE__, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"x-unknown\"],"
		    "\"x-unknown\":1}",
		    "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}", "SHA256", K_SECRET },
		/* not JSON objects */
		{ __LINE__, "[\"HS256\"]", "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, "HS256", "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "[\"{SUB}\"]", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "null", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "\"{SUB}\"", "SHA256", K_SECRET },
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}",
		    "SHA256", K_SECRET },			/* truncated JSON */
		{ __LINE__, HS256_HEADER, "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}} x",
		    "SHA256", K_SECRET },			/* trailing bytes */
		{ __LINE__, HS256_HEADER, "", "SHA256", K_SECRET },
		{ __LINE__, "", "{\"sub\":\"{SUB}\"," STD_AUD ",\"exp\":{EXP}}",
		    "SHA256", K_SECRET },
	};
	struct au_user u;
	char path[64];

	(void)state;
	assert_int_equal(au_new_user(H, "tokbad", &u), 0);
	snprintf(path, sizeof(path), "/users/%s", S.id);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = mint_case(&cases[i], &u, S.id);
		struct http_resp r;

		expect_me_401(cases[i].line, H, tok);
		if (au_get(H, "/protected", tok, &r) != 0)
			au_bad(cases[i].line, "/protected: no answer");
		else
			au_check_401(cases[i].line, &r, 1);
		http_resp_free(&r);
		/* 401 comes before 403 on /users/{id} */
		if (au_get(H, path, tok, &r) != 0)
			au_bad(cases[i].line, "%s: no answer", path);
		else
			au_check_401(cases[i].line, &r, 1);
		http_resp_free(&r);
		free(tok);
	}
	/* the user's real token still works after all that */
	expect_me(__LINE__, u.token, u.email);
	au_end();
}

/* Malformed tokens built from a real one. */
static void
test_tokens_malformed(void **state)
{
	enum { T_LITERAL, T_FLIP_SIG, T_FLIP_PAYLOAD, T_NO_SIG, T_TWO_PARTS, T_EXTRA_PART,
	    T_TRAILING_DOT, T_SPLICE_PAYLOAD, T_SPLICE_SIG, T_PAD_SIG, T_STD_B64_SIG,
	    T_LOWER, T_TRUNC_SIG, T_LONG, T_DOUBLE };
	static const struct {
		int		 line;
		int		 kind;
		const char	*literal;
	} cases[] = {
		{ __LINE__, T_LITERAL, "garbage" },
		{ __LINE__, T_LITERAL, "a.b.c" },
		{ __LINE__, T_LITERAL, "a.b" },
		{ __LINE__, T_LITERAL, "..." },
		{ __LINE__, T_LITERAL, ".." },
		{ __LINE__, T_LITERAL, "." },
		{ __LINE__, T_LITERAL, "!!!.!!!.!!!" },
		{ __LINE__, T_LITERAL, "e30.e30.e30" },			/* {}.{}.{} */
		{ __LINE__, T_LITERAL, "eyJhbGciOiJub25lIn0.e30." },	/* alg none, {} */
		{ __LINE__, T_LITERAL, "\xc3\xa9.\xc3\xa9.\xc3\xa9" },
		{ __LINE__, T_LITERAL, "null" },
		{ __LINE__, T_LITERAL, "undefined" },
		{ __LINE__, T_LITERAL, "' OR '1'='1" },
		{ __LINE__, T_LITERAL, "%00" },
		{ __LINE__, T_FLIP_SIG, NULL },
		{ __LINE__, T_FLIP_PAYLOAD, NULL },
		{ __LINE__, T_NO_SIG, NULL },
		{ __LINE__, T_TWO_PARTS, NULL },
		{ __LINE__, T_EXTRA_PART, NULL },
		{ __LINE__, T_TRAILING_DOT, NULL },
		{ __LINE__, T_SPLICE_PAYLOAD, NULL },	/* another user's payload, our signature */
		{ __LINE__, T_SPLICE_SIG, NULL },	/* our payload, another's signature */
		{ __LINE__, T_STD_B64_SIG, NULL },	/* '+' '/' instead of '-' '_' */
		{ __LINE__, T_LOWER, NULL },
		{ __LINE__, T_TRUNC_SIG, NULL },
		{ __LINE__, T_LONG, NULL },		/* 4000 bytes of junk after it */
		{ __LINE__, T_DOUBLE, NULL },		/* "tok tok" */
	};
	struct au_user u, v;

	(void)state;
	assert_int_equal(au_new_user(H, "malf", &u), 0);
	assert_int_equal(au_new_user(H, "malf2", &v), 0);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char tok[AU_TOKEN_MAX * 2];
		char *d1 = strchr(u.token, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
		char *e1 = strchr(v.token, '.'), *e2 = e1 ? strchr(e1 + 1, '.') : NULL;
		size_t len;

		assert_non_null(d2);
		assert_non_null(e2);
		snprintf(tok, sizeof(tok), "%s", u.token);
		len = strlen(tok);
		switch (cases[i].kind) {
		case T_LITERAL:
			snprintf(tok, sizeof(tok), "%s", cases[i].literal);
			break;
		case T_FLIP_SIG:
			tok[len - 2] = tok[len - 2] == 'A' ? 'B' : 'A';
			break;
		case T_FLIP_PAYLOAD:
			tok[(d1 - u.token) + 3] = tok[(d1 - u.token) + 3] == 'A' ? 'B' : 'A';
			break;
		case T_NO_SIG:
			tok[(d2 - u.token) + 1] = '\0';
			break;
		case T_TWO_PARTS:
			tok[d2 - u.token] = '\0';
			break;
		case T_EXTRA_PART:
			strcat(tok, ".e30");
			break;
		case T_TRAILING_DOT:
			strcat(tok, ".");
			break;
		case T_SPLICE_PAYLOAD:
			snprintf(tok, sizeof(tok), "%.*s%.*s%s", (int)(d1 - u.token), u.token,
			    (int)(e2 - e1), e1, d2);
			break;
		case T_SPLICE_SIG:
			snprintf(tok, sizeof(tok), "%.*s%s", (int)(d2 - u.token), u.token, e2);
			break;
		case T_PAD_SIG:
			strcat(tok, "=");
			break;
		case T_STD_B64_SIG:
			/* force a character outside base64url into the signature */
			tok[len - 1] = '+';
			tok[len - 2] = '/';
			break;
		case T_LOWER:
			for (size_t k = 0; k < len; k++)
				tok[k] = (char)tolower((unsigned char)tok[k]);
			break;
		case T_TRUNC_SIG:
			tok[len - 5] = '\0';
			break;
		case T_LONG:
			memset(tok + len, 'A', 4000);
			tok[len + 4000] = '\0';
			break;
		case T_DOUBLE:
			snprintf(tok, sizeof(tok), "%s %s", u.token, u.token);
			break;
		}
		expect_me_401(cases[i].line, H, tok);
	}
	expect_me(__LINE__, u.token, u.email);
	au_end();
}

/* ---- logout ---- */

static void
test_logout(void **state)
{
	struct au_user u;
	char second[AU_TOKEN_MAX];
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "logout", &u), 0);
	assert_int_equal(au_login(H, u.email, u.password, second, sizeof(second)), 200);
	au_begin();
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", u.token, NULL, NULL, "", 0,
	    &r), 0);
	if (r.status != 204)
		au_bad(__LINE__, "logout: status %ld, want 204 (body %.300s)", r.status, r.body);
	if (r.body_len != 0)
		au_bad(__LINE__, "logout: a body of %zu bytes, want none", r.body_len);
	if (http_resp_header(&r, "Content-Type") != NULL)
		au_bad(__LINE__, "logout: Content-Type \"%s\" on a 204",
		    http_resp_header(&r, "Content-Type"));
	http_resp_free(&r);
	/* that token is dead everywhere */
	expect_me_401(__LINE__, H, u.token);
	assert_int_equal(au_get(H, "/protected", u.token, &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, "{\"first_name\":\"x\"}",
	    &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", u.token, NULL, NULL, "", 0,
	    &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	/* the other token of the same user lives on */
	expect_me(__LINE__, second, u.email);
	/* a fresh login works */
	expect_login(__LINE__, u.email, u.password, 200);
	/* logout without a token, with garbage, with a foreign-secret token */
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", NULL, NULL, NULL, "", 0, &r), 0);
	au_check_401(__LINE__, &r, 0);
	http_resp_free(&r);
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", "garbage", NULL, NULL, "", 0,
	    &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	/* logging out one of another user's tokens does not touch ours */
	{
		struct au_user w;

		assert_int_equal(au_new_user(H, "logout2", &w), 0);
		assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", w.token, NULL, NULL,
		    "", 0, &r), 0);
		if (r.status != 204)
			au_bad(__LINE__, "logout: status %ld", r.status);
		http_resp_free(&r);
		expect_me(__LINE__, second, u.email);
	}
	au_end();
}

static void
test_logout_pyjwt_token(void **state)
{
	/* A FastAPI-Users token has no jti: logging it out must not fail badly. */
	struct au_user u;
	char payload[256], *tok;
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "logoutpy", &u), 0);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\"," STD_AUD ",\"exp\":%lld}",
	    u.id, (long long)au_now() + 3600);
	tok = au_jwt_hs256(H, payload);
	au_begin();
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", tok, NULL, NULL, "", 0, &r), 0);
	au_check_no_5xx(__LINE__, &r);
	if (r.status != 204)
		au_bad(__LINE__, "logout of a FastAPI-Users token: status %ld, want 204 "
		    "(body %.200s)", r.status, r.body);
	http_resp_free(&r);
	/* the user's own token is not affected */
	expect_me(__LINE__, u.token, u.email);
	free(tok);
	au_end();
}

/* ---- PATCH /users/me ---- */

static void
test_patch_me(void **state)
{
	struct au_user u, w;
	char rnd[17], newmail[128], sent[128], wu[128], mine_up[128], body[512];
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "patchme", &u), 0);
	assert_int_equal(au_new_user(H, "patchother", &w), 0);
	au_begin();

	/* names */
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token,
	    "{\"first_name\":\"Ann\",\"last_name\":\"O'Neil\"}", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "status %ld, want 200 (body %.300s)", r.status, r.body);
	au_check_user(__LINE__, r.json, r.body, u.email);
	if (au_jstr(r.json, "first_name") == NULL || strcmp(au_jstr(r.json, "first_name"), "Ann") ||
	    au_jstr(r.json, "last_name") == NULL || strcmp(au_jstr(r.json, "last_name"), "O'Neil"))
		au_bad(__LINE__, "names not updated: %.300s", r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/users/me", u.token, &r), 0);
	if (au_jstr(r.json, "first_name") == NULL || strcmp(au_jstr(r.json, "first_name"), "Ann"))
		au_bad(__LINE__, "GET after PATCH: names not stored: %.300s", r.body);
	http_resp_free(&r);

	/* privileged fields are silently ignored */
	snprintf(body, sizeof(body), "{\"is_superuser\":true,\"is_active\":false,"
	    "\"is_verified\":true,\"role\":\"admin\",\"id\":\"%s\",\"created_at\":"
	    "\"2000-01-01T00:00:00Z\",\"hashed_password\":\"x\"}", w.id);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "status %ld, want 200 (body %.300s)", r.status, r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/users/me", u.token, &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_superuser") != 0 ||
	    au_jbool(r.json, "is_active") != 1 || au_jbool(r.json, "is_verified") != 0 ||
	    au_jstr(r.json, "role") == NULL || strcmp(au_jstr(r.json, "role"), "user") != 0 ||
	    au_jstr(r.json, "id") == NULL || strcmp(au_jstr(r.json, "id"), u.id) != 0 ||
	    (au_jstr(r.json, "created_at") != NULL &&
	    strncmp(au_jstr(r.json, "created_at"), "2000", 4) == 0))
		au_bad(__LINE__, "a privileged field changed through /users/me: %.300s", r.body);
	http_resp_free(&r);
	expect_login(__LINE__, u.email, u.password, 200);
	expect_me(__LINE__, w.token, w.email);

	/* no-ops: {}, unknown keys, password null, identical e-mail */
	{
		static const struct {
			int		 line;
			const char	*body;
		} noop[] = {
			{ __LINE__, "{}" },
			{ __LINE__, "{\"foo\":1,\"bar\":{\"x\":[]}}" },
			{ __LINE__, "{\"password\":null}" },
		};

		for (size_t i = 0; i < sizeof(noop) / sizeof(noop[0]); i++) {
			assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, noop[i].body,
			    &r), 0);
			if (r.status != 200)
				au_bad(noop[i].line, "status %ld, want 200 (body %.300s)",
				    r.status, r.body);
			else
				au_check_user(noop[i].line, r.json, r.body, u.email);
			http_resp_free(&r);
		}
		expect_login(__LINE__, u.email, u.password, 200);	/* password kept */
	}
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, "{\"email\":null}", &r), 0);
	au_check_no_5xx(__LINE__, &r);
	if (r.status != 200 && r.status != 422)
		au_bad(__LINE__, "email null: status %ld, want 200 or 422", r.status);
	http_resp_free(&r);
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", u.email);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "identical e-mail: status %ld, want 200 (body %.300s)",
		    r.status, r.body);
	http_resp_free(&r);

	/* another account's e-mail, in any case: refused */
	upper(wu, w.email, sizeof(wu));
	{
		const char *taken[] = { w.email, wu, NULL };

		for (size_t i = 0; taken[i] != NULL; i++) {
			snprintf(body, sizeof(body), "{\"email\":\"%s\"}", taken[i]);
			assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
			au_check_error(__LINE__, &r, 400, "UPDATE_USER_EMAIL_ALREADY_EXISTS");
			http_resp_free(&r);
		}
	}
	/* one's own e-mail in other capitals: also refused (FastAPI-Users) */
	upper(mine_up, u.email, sizeof(mine_up));
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", mine_up);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	au_check_error(__LINE__, &r, 400, "UPDATE_USER_EMAIL_ALREADY_EXISTS");
	http_resp_free(&r);

	/* password policy */
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, "{\"password\":\"short\"}",
	    &r), 0);
	au_check_code(__LINE__, &r, "UPDATE_USER_INVALID_PASSWORD",
	    "Password should be at least 8 characters");
	http_resp_free(&r);
	snprintf(body, sizeof(body), "{\"password\":\"xx%syy\"}", u.email);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	au_check_code(__LINE__, &r, "UPDATE_USER_INVALID_PASSWORD",
	    "Password should not contain e-mail");
	http_resp_free(&r);
	expect_login(__LINE__, u.email, u.password, 200);

	/* e-mail change: normalised, is_verified cleared, login follows */
	assert_int_equal(au_db_exec(H, "UPDATE users SET is_verified = TRUE WHERE id = %Q", u.id), 0);
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	snprintf(sent, sizeof(sent), " New-%s@Example.ORG ", rnd);
	snprintf(newmail, sizeof(newmail), "New-%s@example.org", rnd);
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", sent);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	if (r.status != 200) {
		au_bad(__LINE__, "e-mail change: status %ld (body %.300s)", r.status, r.body);
	} else {
		au_check_user(__LINE__, r.json, r.body, newmail);
		if (au_jbool(r.json, "is_verified") != 0)
			au_bad(__LINE__, "e-mail change left is_verified true: %.300s", r.body);
	}
	http_resp_free(&r);
	expect_me(__LINE__, u.token, newmail);		/* the token lives on */
	expect_login(__LINE__, newmail, u.password, 200);
	expect_login(__LINE__, u.email, u.password, 400);
	/* the old e-mail is free again */
	assert_int_equal(au_register(H, u.email, "password123", &r), 0);
	if (r.status != 201)
		au_bad(__LINE__, "the old e-mail cannot be registered again: %ld", r.status);
	http_resp_free(&r);
	au_end();
}

static void
check_password_change_revokes(int line, int pause)
{
	struct au_user u;
	char other[AU_TOKEN_MAX], body[256], newpw[64], rnd[17];
	struct http_resp r;

	assert_int_equal(au_new_user(H, "pwchange", &u), 0);
	if (au_login(H, u.email, u.password, other, sizeof(other)) != 200) {
		au_bad(line, "second login failed");
		return;
	}
	if (pause)
		usleep(1100 * 1000);
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	snprintf(newpw, sizeof(newpw), "NewPass-%s", rnd);
	snprintf(body, sizeof(body), "{\"password\":\"%s\"}", newpw);
	assert_int_equal(au_json(H, "PATCH", "/users/me", u.token, body, &r), 0);
	if (r.status != 200)
		au_bad(line, "password change: status %ld (body %.300s)", r.status, r.body);
	http_resp_free(&r);
	/* the token that made the change keeps working, the other one is dead */
	expect_me(line, u.token, u.email);
	expect_me_401(line, H, other);
	expect_login(line, u.email, u.password, 400);
	expect_login(line, u.email, newpw, 200);
	if (au_login(H, u.email, newpw, other, sizeof(other)) == 200)
		expect_me(line, other, u.email);
	/* a FastAPI-Users-style token (no iat, no jti) minted for the user
	 * cannot say when it was issued: it is not refused for that alone */
}

static void
test_password_change_revokes(void **state)
{
	(void)state;
	au_begin();
	check_password_change_revokes(__LINE__, 0);	/* all within the same second */
	check_password_change_revokes(__LINE__, 1);	/* the other token a second older */
	au_end();
}

/* ---- /users/{id} ---- */

static void
test_users_id_access(void **state)
{
	enum who { ANON, PLAIN, SUPER };
	enum idk { ID_OWN, ID_OTHER, ID_UNKNOWN, ID_MALFORMED, ID_ME, ID_UPPER, ID_HEX,
	    ID_BRACES, ID_URN, ID_NUM, ID_SHORT, ID_LONG, ID_NIL };
	static const struct {
		int		 line;
		const char	*method;
		enum who	 who;
		enum idk	 id;
		long		 status;
	} cases[] = {
		/* anonymous: 401 before anything else */
		{ __LINE__, "GET", ANON, ID_OTHER, 401 },
		{ __LINE__, "PATCH", ANON, ID_OTHER, 401 },
		{ __LINE__, "DELETE", ANON, ID_OTHER, 401 },
		{ __LINE__, "GET", ANON, ID_UNKNOWN, 401 },
		{ __LINE__, "GET", ANON, ID_MALFORMED, 401 },
		{ __LINE__, "DELETE", ANON, ID_ME, 401 },
		{ __LINE__, "PATCH", ANON, ID_MALFORMED, 401 },
		/* a plain user: 403, whatever the id */
		{ __LINE__, "GET", PLAIN, ID_OWN, 403 },
		{ __LINE__, "GET", PLAIN, ID_OTHER, 403 },
		{ __LINE__, "GET", PLAIN, ID_UPPER, 403 },
		{ __LINE__, "GET", PLAIN, ID_UNKNOWN, 403 },
		{ __LINE__, "GET", PLAIN, ID_MALFORMED, 403 },
		{ __LINE__, "GET", PLAIN, ID_NUM, 403 },
		{ __LINE__, "PATCH", PLAIN, ID_OWN, 403 },
		{ __LINE__, "PATCH", PLAIN, ID_OTHER, 403 },
		{ __LINE__, "PATCH", PLAIN, ID_MALFORMED, 403 },
		{ __LINE__, "DELETE", PLAIN, ID_OTHER, 403 },
		{ __LINE__, "DELETE", PLAIN, ID_OWN, 403 },
		{ __LINE__, "DELETE", PLAIN, ID_ME, 403 },
		{ __LINE__, "DELETE", PLAIN, ID_UNKNOWN, 403 },
		{ __LINE__, "DELETE", PLAIN, ID_MALFORMED, 403 },
		/* the superuser: 404 for what is not an existing user */
		{ __LINE__, "GET", SUPER, ID_UNKNOWN, 404 },
		{ __LINE__, "GET", SUPER, ID_MALFORMED, 404 },
		{ __LINE__, "GET", SUPER, ID_NUM, 404 },
		{ __LINE__, "GET", SUPER, ID_SHORT, 404 },
		{ __LINE__, "GET", SUPER, ID_LONG, 404 },
		{ __LINE__, "GET", SUPER, ID_NIL, 404 },
		{ __LINE__, "PATCH", SUPER, ID_UNKNOWN, 404 },
		{ __LINE__, "PATCH", SUPER, ID_MALFORMED, 404 },
		{ __LINE__, "DELETE", SUPER, ID_UNKNOWN, 404 },
		{ __LINE__, "DELETE", SUPER, ID_MALFORMED, 404 },
		{ __LINE__, "DELETE", SUPER, ID_ME, 404 },
		/* …and the user for any form Python's UUID parser takes */
		{ __LINE__, "GET", SUPER, ID_OTHER, 200 },
		{ __LINE__, "GET", SUPER, ID_OWN, 200 },
		{ __LINE__, "GET", SUPER, ID_UPPER, 200 },
		{ __LINE__, "GET", SUPER, ID_HEX, 200 },
		{ __LINE__, "GET", SUPER, ID_BRACES, 200 },
		{ __LINE__, "GET", SUPER, ID_URN, 200 },
		{ __LINE__, "PATCH", SUPER, ID_UPPER, 200 },
	};
	struct au_user p, o;
	char unknown[37], up[40], hx[40];

	(void)state;
	assert_int_equal(au_new_user(H, "plain", &p), 0);
	assert_int_equal(au_new_user(H, "target", &o), 0);
	au_uuid4(unknown);
	upper(up, o.id, sizeof(up));
	dashless(hx, o.id, sizeof(hx));
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[128];
		const char *token = cases[i].who == ANON ? NULL :
		    cases[i].who == PLAIN ? p.token : S.token;
		const char *own = cases[i].who == SUPER ? S.id : p.id;
		const char *want_id = cases[i].id == ID_OWN ? own : o.id;
		const char *want_email = cases[i].id == ID_OWN ?
		    (cases[i].who == SUPER ? S.email : p.email) : o.email;
		int is_patch = strcmp(cases[i].method, "PATCH") == 0;
		struct http_resp r;

		switch (cases[i].id) {
		case ID_OWN: snprintf(path, sizeof(path), "/users/%s", own); break;
		case ID_OTHER: snprintf(path, sizeof(path), "/users/%s", o.id); break;
		case ID_UNKNOWN: snprintf(path, sizeof(path), "/users/%s", unknown); break;
		case ID_MALFORMED: snprintf(path, sizeof(path), "/users/not-a-uuid"); break;
		case ID_ME: snprintf(path, sizeof(path), "/users/me"); break;
		case ID_UPPER: snprintf(path, sizeof(path), "/users/%s", up); break;
		case ID_HEX: snprintf(path, sizeof(path), "/users/%s", hx); break;
		case ID_BRACES: snprintf(path, sizeof(path), "/users/%%7B%s%%7D", o.id); break;
		case ID_URN: snprintf(path, sizeof(path), "/users/urn:uuid:%s", o.id); break;
		case ID_NUM: snprintf(path, sizeof(path), "/users/12345"); break;
		case ID_SHORT: snprintf(path, sizeof(path), "/users/%.35s", o.id); break;
		case ID_LONG: snprintf(path, sizeof(path), "/users/%s0", o.id); break;
		case ID_NIL: snprintf(path, sizeof(path),
		    "/users/00000000-0000-0000-0000-000000000000"); break;
		}
		if (au_send(H, cases[i].method, path, token, is_patch ? "application/json" : NULL,
		    NULL, is_patch ? "{}" : NULL, is_patch ? 2 : 0, &r) != 0) {
			au_bad(cases[i].line, "%s %s: no answer", cases[i].method, path);
			continue;
		}
		switch (cases[i].status) {
		case 401: au_check_401(cases[i].line, &r, 0); break;
		case 403: au_check_error(cases[i].line, &r, 403, "Forbidden"); break;
		case 404: au_check_error(cases[i].line, &r, 404, "Not Found"); break;
		default:
			if (r.status != 200) {
				au_bad(cases[i].line, "%s %s: status %ld, want 200 (body %.200s)",
				    cases[i].method, path, r.status, r.body);
			} else {
				au_check_user(cases[i].line, r.json, r.body, want_email);
				if (au_jstr(r.json, "id") && strcmp(au_jstr(r.json, "id"), want_id))
					au_bad(cases[i].line, "id \"%s\", want the canonical %s",
					    au_jstr(r.json, "id"), want_id);
			}
		}
		http_resp_free(&r);
	}
	/* the target survived the plain user's DELETE and PATCH */
	expect_me(__LINE__, o.token, o.email);
	expect_me(__LINE__, p.token, p.email);
	au_end();
}

static void
test_superuser_patch(void **state)
{
	struct au_user t, w;
	char body[512], rnd[17], mail[128], wu[128];
	struct http_resp r;
	struct json_object *o;

	(void)state;
	assert_int_equal(au_new_user(H, "sup-target", &t), 0);
	assert_int_equal(au_new_user(H, "sup-other", &w), 0);
	au_begin();

	/* GET */
	o = admin_get(__LINE__, t.id);
	au_check_user(__LINE__, o, NULL, t.email);
	json_object_put(o);

	/* names and role; the role shows on the user's next request */
	assert_int_equal(admin_patch(t.id, "{\"first_name\":\"Tess\",\"role\":\"premium\"}", &r), 0);
	if (r.status != 200 || au_jstr(r.json, "role") == NULL ||
	    strcmp(au_jstr(r.json, "role"), "premium") != 0 ||
	    au_jstr(r.json, "first_name") == NULL || strcmp(au_jstr(r.json, "first_name"), "Tess"))
		au_bad(__LINE__, "PATCH role premium: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/users/me", t.token, &r), 0);
	if (au_jstr(r.json, "role") == NULL || strcmp(au_jstr(r.json, "role"), "premium"))
		au_bad(__LINE__, "the user does not see role premium: %.300s", r.body);
	http_resp_free(&r);
	assert_int_equal(admin_patch(t.id, "{\"role\":\"admin\"}", &r), 0);
	if (r.status != 200 || au_jstr(r.json, "role") == NULL ||
	    strcmp(au_jstr(r.json, "role"), "admin"))
		au_bad(__LINE__, "PATCH role admin: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	/* role admin is not superuser */
	assert_int_equal(au_get(H, "/users/me", t.token, &r), 0);
	if (au_jbool(r.json, "is_superuser") != 0)
		au_bad(__LINE__, "role admin made a superuser: %.300s", r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/users/00000000-0000-4000-8000-000000000000", t.token, &r), 0);
	au_check_error(__LINE__, &r, 403, "Forbidden");
	http_resp_free(&r);
	assert_int_equal(admin_patch(t.id, "{\"role\":\"user\"}", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "PATCH role user: status %ld", r.status);
	http_resp_free(&r);

	/* is_verified, and an e-mail change that clears it unless set too */
	assert_int_equal(admin_patch(t.id, "{\"is_verified\":true}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_verified") != 1)
		au_bad(__LINE__, "PATCH is_verified: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	snprintf(mail, sizeof(mail), "sup-moved-%s@example.com", rnd);
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", mail);
	assert_int_equal(admin_patch(t.id, body, &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_verified") != 0 ||
	    au_jstr(r.json, "email") == NULL || strcmp(au_jstr(r.json, "email"), mail))
		au_bad(__LINE__, "e-mail change must clear is_verified: status %ld body %.300s",
		    r.status, r.body);
	http_resp_free(&r);
	snprintf(t.email, sizeof(t.email), "%s", mail);
	snprintf(mail, sizeof(mail), "sup-moved2-%s@example.com", rnd);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"is_verified\":true}", mail);
	assert_int_equal(admin_patch(t.id, body, &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_verified") != 1)
		au_bad(__LINE__, "e-mail change with is_verified:true: status %ld body %.300s",
		    r.status, r.body);
	http_resp_free(&r);
	snprintf(t.email, sizeof(t.email), "%s", mail);
	expect_login(__LINE__, t.email, t.password, 200);

	/* taken e-mail, password policy */
	upper(wu, w.email, sizeof(wu));
	snprintf(body, sizeof(body), "{\"email\":\"%s\"}", wu);
	assert_int_equal(admin_patch(t.id, body, &r), 0);
	au_check_error(__LINE__, &r, 400, "UPDATE_USER_EMAIL_ALREADY_EXISTS");
	http_resp_free(&r);
	assert_int_equal(admin_patch(t.id, "{\"password\":\"1234567\"}", &r), 0);
	au_check_code(__LINE__, &r, "UPDATE_USER_INVALID_PASSWORD",
	    "Password should be at least 8 characters");
	http_resp_free(&r);
	snprintf(body, sizeof(body), "{\"password\":\"%sX\"}", t.email);
	assert_int_equal(admin_patch(t.id, body, &r), 0);
	au_check_code(__LINE__, &r, "UPDATE_USER_INVALID_PASSWORD",
	    "Password should not contain e-mail");
	http_resp_free(&r);
	assert_int_equal(admin_patch(t.id, "{\"password\":\"set-by-admin-1\"}", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "PATCH password: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	expect_login(__LINE__, t.email, t.password, 400);
	expect_login(__LINE__, t.email, "set-by-admin-1", 200);
	snprintf(t.password, sizeof(t.password), "set-by-admin-1");
	assert_int_equal(au_login(H, t.email, t.password, t.token, sizeof(t.token)), 200);

	/* the id cannot be changed; unknown keys are ignored */
	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"foo\":1}", w.id);
	assert_int_equal(admin_patch(t.id, body, &r), 0);
	if (r.status != 200 || au_jstr(r.json, "id") == NULL || strcmp(au_jstr(r.json, "id"), t.id))
		au_bad(__LINE__, "PATCH id: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	expect_me(__LINE__, w.token, w.email);

	/* deactivation: tokens refused, login refused; reactivation */
	assert_int_equal(admin_patch(t.id, "{\"is_active\":false}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_active") != 0)
		au_bad(__LINE__, "PATCH is_active false: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	expect_me_401(__LINE__, H, t.token);
	assert_int_equal(au_get(H, "/protected", t.token, &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", t.token, NULL, NULL, "", 0, &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	expect_login(__LINE__, t.email, t.password, 400);
	{
		char payload[256], *tok;

		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\"," STD_AUD ",\"exp\":%lld}",
		    t.id, (long long)au_now() + 3600);
		tok = au_jwt_hs256(H, payload);
		expect_me_401(__LINE__, H, tok);	/* a FastAPI-Users token too */
		free(tok);
	}
	o = admin_get(__LINE__, t.id);			/* still there for the admin */
	if (au_jbool(o, "is_active") != 0)
		au_bad(__LINE__, "GET shows is_active %d", au_jbool(o, "is_active"));
	json_object_put(o);
	assert_int_equal(admin_patch(t.id, "{\"is_active\":true}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_active") != 1)
		au_bad(__LINE__, "PATCH is_active true: status %ld", r.status);
	http_resp_free(&r);
	expect_login(__LINE__, t.email, t.password, 200);
	au_end();
}

static void
test_superuser_grant_and_demote(void **state)
{
	struct au_user p, s2;
	char path[128];
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "promote", &p), 0);
	assert_int_equal(au_new_user(H, "selfdemote", &s2), 0);
	assert_int_equal(au_make_superuser(H, &s2), 0);
	au_begin();
	snprintf(path, sizeof(path), "/users/%s", S.id);

	/* promotion takes effect on the next request, with the same token */
	assert_int_equal(au_get(H, path, p.token, &r), 0);
	au_check_error(__LINE__, &r, 403, "Forbidden");
	http_resp_free(&r);
	assert_int_equal(admin_patch(p.id, "{\"is_superuser\":true}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_superuser") != 1)
		au_bad(__LINE__, "PATCH is_superuser true: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, path, p.token, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "the promoted user: status %ld, want 200", r.status);
	http_resp_free(&r);
	assert_int_equal(admin_patch(p.id, "{\"is_superuser\":false}", &r), 0);
	http_resp_free(&r);
	assert_int_equal(au_get(H, path, p.token, &r), 0);
	au_check_error(__LINE__, &r, 403, "Forbidden");
	http_resp_free(&r);

	/* a superuser cannot lose its rights through /users/me … */
	assert_int_equal(au_json(H, "PATCH", "/users/me", s2.token,
	    "{\"is_superuser\":false,\"is_active\":false}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_superuser") != 1 ||
	    au_jbool(r.json, "is_active") != 1)
		au_bad(__LINE__, "PATCH /users/me changed the superuser's flags: %ld %.300s",
		    r.status, r.body);
	http_resp_free(&r);
	/* … but can demote itself through /users/{id} */
	snprintf(path, sizeof(path), "/users/%s", s2.id);
	assert_int_equal(au_json(H, "PATCH", path, s2.token, "{\"is_superuser\":false}", &r), 0);
	if (r.status != 200 || au_jbool(r.json, "is_superuser") != 0)
		au_bad(__LINE__, "self-demotion: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	assert_int_equal(au_get(H, path, s2.token, &r), 0);
	au_check_error(__LINE__, &r, 403, "Forbidden");
	http_resp_free(&r);
	expect_me(__LINE__, s2.token, s2.email);
	au_end();
}

static void
test_superuser_delete(void **state)
{
	struct au_user t, keep;
	char path[128], second[AU_TOKEN_MAX], payload[256], *tok;
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "delete-me", &t), 0);
	assert_int_equal(au_new_user(H, "keep-me", &keep), 0);
	assert_int_equal(au_login(H, t.email, t.password, second, sizeof(second)), 200);
	snprintf(payload, sizeof(payload), "{\"sub\":\"%s\"," STD_AUD ",\"exp\":%lld}",
	    t.id, (long long)au_now() + 3600);
	tok = au_jwt_hs256(H, payload);
	au_begin();
	snprintf(path, sizeof(path), "/users/%s", t.id);
	assert_int_equal(au_send(H, "DELETE", path, S.token, NULL, NULL, NULL, 0, &r), 0);
	if (r.status != 204)
		au_bad(__LINE__, "DELETE: status %ld, want 204 (body %.300s)", r.status, r.body);
	if (r.body_len != 0)
		au_bad(__LINE__, "DELETE: a body of %zu bytes on a 204", r.body_len);
	http_resp_free(&r);
	assert_int_equal(au_get(H, path, S.token, &r), 0);
	au_check_error(__LINE__, &r, 404, "Not Found");
	http_resp_free(&r);
	assert_int_equal(au_send(H, "DELETE", path, S.token, NULL, NULL, NULL, 0, &r), 0);
	au_check_error(__LINE__, &r, 404, "Not Found");
	http_resp_free(&r);
	assert_int_equal(admin_patch(t.id, "{\"first_name\":\"ghost\"}", &r), 0);
	au_check_error(__LINE__, &r, 404, "Not Found");
	http_resp_free(&r);
	/* every token of the deleted user is dead, login too */
	expect_me_401(__LINE__, H, t.token);
	expect_me_401(__LINE__, H, second);
	expect_me_401(__LINE__, H, tok);
	assert_int_equal(au_get(H, "/protected", t.token, &r), 0);
	au_check_401(__LINE__, &r, 1);
	http_resp_free(&r);
	expect_login(__LINE__, t.email, t.password, 400);
	/* the e-mail can be registered again, as a new account with a new id */
	assert_int_equal(au_register(H, t.email, t.password, &r), 0);
	if (r.status != 201 || (au_jstr(r.json, "id") && strcmp(au_jstr(r.json, "id"), t.id) == 0))
		au_bad(__LINE__, "re-register: status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	/* the old tokens do not come back to life with the new account */
	expect_me_401(__LINE__, H, t.token);
	expect_me(__LINE__, keep.token, keep.email);
	/* a superuser may delete itself; its token then dies with it */
	{
		struct au_user s3;

		assert_int_equal(au_new_user(H, "selfdelete", &s3), 0);
		assert_int_equal(au_make_superuser(H, &s3), 0);
		snprintf(path, sizeof(path), "/users/%s", s3.id);
		assert_int_equal(au_send(H, "DELETE", path, s3.token, NULL, NULL, NULL, 0, &r), 0);
		if (r.status != 204)
			au_bad(__LINE__, "self-delete: status %ld (body %.300s)", r.status, r.body);
		http_resp_free(&r);
		expect_me_401(__LINE__, H, s3.token);
		expect_login(__LINE__, s3.email, s3.password, 400);
	}
	free(tok);
	au_end();
}

/* ---- /protected, jwks, methods, slashes ---- */

/*
 * The Python service's additions to /protected: "user" {id, email,
 * full_name, role} of the token's user and a UTC "timestamp" with +00:00.
 */
static void
check_protected_user(int line, const struct http_resp *r, const struct au_user *u)
{
	struct json_object	*user = NULL, *fn = NULL;
	const char		*ts;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "user", &user) ||
	    !json_object_is_type(user, json_type_object)) {
		au_bad(line, "no user object: %.300s", r->body ? r->body : "");
		return;
	}
	if (au_jstr(user, "id") == NULL || strcmp(au_jstr(user, "id"), u->id) != 0 ||
	    au_jstr(user, "email") == NULL || strcmp(au_jstr(user, "email"), u->email) != 0 ||
	    au_jstr(user, "role") == NULL || strcmp(au_jstr(user, "role"), "user") != 0 ||
	    !json_object_object_get_ex(user, "full_name", &fn) ||
	    json_object_object_length(user) != 4)
		au_bad(line, "user %s", json_object_to_json_string(user));
	ts = au_jstr(r->json, "timestamp");
	if (ts == NULL || strlen(ts) < 26 || strcmp(ts + strlen(ts) - 6, "+00:00") != 0 ||
	    strncmp(ts, "20", 2) != 0 || ts[10] != 'T')
		au_bad(line, "timestamp %s", ts ? ts : "(none)");
}

static void
test_protected(void **state)
{
	struct au_user u;
	struct http_resp r;
	char want[300];

	(void)state;
	assert_int_equal(au_new_user(H, "prot", &u), 0);
	au_begin();
	assert_int_equal(au_get(H, "/protected", u.token, &r), 0);
	snprintf(want, sizeof(want), "Access granted to %s", u.email);
	if (r.status != 200 || !au_is_json(&r))
		au_bad(__LINE__, "status %ld, want 200 JSON (body %.300s)", r.status, r.body);
	else if (au_jstr(r.json, "message") == NULL || strcmp(au_jstr(r.json, "message"), want))
		au_bad(__LINE__, "message \"%s\", want \"%s\"",
		    au_jstr(r.json, "message") ? au_jstr(r.json, "message") : "(none)", want);
	if (r.body != NULL && strstr(r.body, "hashed_password") != NULL)
		au_bad(__LINE__, "the body holds hashed_password");
	check_protected_user(__LINE__, &r, &u);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/protected", NULL, &r), 0);
	au_check_401(__LINE__, &r, 0);
	http_resp_free(&r);
	assert_int_equal(au_get(H, "/protected?token=x", NULL, &r), 0);	/* no token in the query */
	au_check_401(__LINE__, &r, 0);
	http_resp_free(&r);
	au_end();
}

/* GET /protected/data: the Python service's example data, for any user. */
static void
test_protected_data(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
		const char	*auth;	/* "T": the user's token */
		long		 status;
	} cases[] = {
		{ __LINE__, "/protected/data", NULL, 401 },
		{ __LINE__, "/protected/data", "Bearer", 401 },
		{ __LINE__, "/protected/data", "Bearer x.y.z", 401 },
		{ __LINE__, "/protected/data", "Basic dTpw", 401 },
		{ __LINE__, "/protected/data?token=T", NULL, 401 },
		{ __LINE__, "/protected/datum", "T", 404 },
		{ __LINE__, "/protected/data/x", "T", 404 },
		{ __LINE__, "/protected/Data", "T", 404 },
	};
	struct au_user u;
	struct http_resp r;
	struct json_object *d = NULL, *items = NULL;
	char hdr[AU_TOKEN_MAX + 64];

	(void)state;
	assert_int_equal(au_new_user(H, "pdata", &u), 0);
	au_begin();
	assert_int_equal(au_get(H, "/protected/data", u.token, &r), 0);
	if (r.status != 200 || r.json == NULL ||
	    !json_object_object_get_ex(r.json, "data", &d) ||
	    json_object_object_length(r.json) != 1 ||
	    !json_object_object_get_ex(d, "items", &items) ||
	    json_object_array_length(items) != 3 ||
	    au_jstr(d, "info") == NULL ||
	    strcmp(au_jstr(d, "info"), "This is protected information") != 0 ||
	    au_jstr(d, "accessible_by") == NULL ||
	    strcmp(au_jstr(d, "accessible_by"), u.email) != 0)
		au_bad(__LINE__, "status %ld body %.300s", r.status, r.body);
	http_resp_free(&r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h = NULL;

		if (cases[i].auth != NULL) {
			snprintf(hdr, sizeof(hdr), "Authorization: %s",
			    strcmp(cases[i].auth, "T") == 0 ? "Bearer " : cases[i].auth);
			if (strcmp(cases[i].auth, "T") == 0)
				strncat(hdr, u.token, sizeof(hdr) - strlen(hdr) - 1);
			h = hdr;
		}
		if (au_send(H, "GET", cases[i].path, NULL, NULL, h, NULL, 0, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		au_check_no_5xx(cases[i].line, &r);
		au_check_error(cases[i].line, &r, cases[i].status, NULL);
		if (r.body != NULL && strstr(r.body, "protected information") != NULL)
			au_bad(cases[i].line, "the data without access: %.200s", r.body);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_jwks_hs256(void **state)
{
	struct json_object *k;
	struct http_resp r;

	(void)state;
	assert_int_equal(au_get(H, "/.well-known/jwks.json", NULL, &r), 0);
	if (r.status != 200)
		fail_msg("status %ld (body %.300s)", r.status, r.body);
	assert_true(au_is_json(&r));
	assert_non_null(r.json);
	assert_int_equal(json_object_object_length(r.json), 1);
	assert_true(json_object_object_get_ex(r.json, "keys", &k));
	assert_true(json_object_is_type(k, json_type_array));
	assert_int_equal(json_object_array_length(k), 0);	/* no HMAC secret published */
	assert_null(strstr(r.body, harness_env(H, "JWT_SECRET")));
	http_resp_free(&r);
}

static void
test_methods(void **state)
{
	static const struct {
		int		 line;
		const char	*method;
		const char	*path;
		const char	*allow;		/* a method the Allow header must list */
	} cases[] = {
		{ __LINE__, "GET", "/auth/register", "POST" },
		{ __LINE__, "PUT", "/auth/register", "POST" },
		{ __LINE__, "DELETE", "/auth/register", "POST" },
		{ __LINE__, "GET", "/auth/jwt/login", "POST" },
		{ __LINE__, "PATCH", "/auth/jwt/login", "POST" },
		{ __LINE__, "GET", "/auth/jwt/logout", "POST" },
		{ __LINE__, "HEAD", "/auth/jwt/logout", "POST" },
		{ __LINE__, "POST", "/users/me", "GET" },
		{ __LINE__, "PUT", "/users/me", "GET" },
		{ __LINE__, "HEAD", "/users/me", "GET" },
		{ __LINE__, "OPTIONS", "/users/me", "GET" },
		{ __LINE__, "POST", "/users/00000000-0000-4000-8000-000000000000", "GET" },
		{ __LINE__, "PUT", "/users/00000000-0000-4000-8000-000000000000", "GET" },
		{ __LINE__, "POST", "/protected", "GET" },
		{ __LINE__, "DELETE", "/protected", "GET" },
		{ __LINE__, "HEAD", "/protected", "GET" },
		{ __LINE__, "POST", "/protected/data", "GET" },
		{ __LINE__, "PATCH", "/protected/data", "GET" },
		{ __LINE__, "POST", "/.well-known/jwks.json", "GET" },
		{ __LINE__, "HEAD", "/.well-known/jwks.json", "GET" },
	};

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int head = strcmp(cases[i].method, "HEAD") == 0;
		int with_body = !head && strcmp(cases[i].method, "GET") != 0 &&
		    strcmp(cases[i].method, "DELETE") != 0 && strcmp(cases[i].method, "OPTIONS") != 0;
		struct http_resp r;

		/* with a superuser's token: 405 wins over authorization anyway */
		if (au_send(H, cases[i].method, cases[i].path, i % 2 ? S.token : NULL,
		    with_body ? "application/json" : NULL, NULL, with_body ? "{}" : NULL,
		    with_body ? 2 : 0, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		au_check_error(cases[i].line, &r, 405, head ? NULL : "Method Not Allowed");
		if (!http_resp_header_has_token(&r, "Allow", cases[i].allow))
			au_bad(cases[i].line, "Allow \"%s\" does not list %s",
			    http_resp_header(&r, "Allow") ? http_resp_header(&r, "Allow") : "(none)",
			    cases[i].allow);
		http_resp_free(&r);
	}
	au_end();
}

static void
test_trailing_slash(void **state)
{
	static const struct {
		int		 line;
		const char	*method;
		const char	*path;
		const char	*location_end;
	} cases[] = {
		{ __LINE__, "GET", "/users/me/", "/users/me" },
		{ __LINE__, "PATCH", "/users/me/", "/users/me" },
		{ __LINE__, "GET", "/protected/", "/protected" },
		{ __LINE__, "GET", "/protected/?a=1", "/protected?a=1" },
		{ __LINE__, "GET", "/protected/data/", "/protected/data" },
		{ __LINE__, "POST", "/auth/register/", "/auth/register" },
		{ __LINE__, "POST", "/auth/jwt/login/", "/auth/jwt/login" },
		{ __LINE__, "POST", "/auth/jwt/logout/", "/auth/jwt/logout" },
		{ __LINE__, "GET", "/.well-known/jwks.json/", "/.well-known/jwks.json" },
		{ __LINE__, "GET", "/users/00000000-0000-4000-8000-000000000000/",
		    "/users/00000000-0000-4000-8000-000000000000" },
	};

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int with_body = strcmp(cases[i].method, "GET") != 0;
		struct http_resp r;
		const char *loc;
		size_t ll, el = strlen(cases[i].location_end);

		if (au_send(H, cases[i].method, cases[i].path, NULL,
		    with_body ? "application/json" : NULL, NULL, with_body ? "{}" : NULL,
		    with_body ? 2 : 0, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		loc = http_resp_header(&r, "Location");
		ll = loc ? strlen(loc) : 0;
		if (r.status != 307)
			au_bad(cases[i].line, "%s %s: status %ld, want 307 (body %.200s)",
			    cases[i].method, cases[i].path, r.status, r.body);
		if (loc == NULL || ll < el || strcmp(loc + ll - el, cases[i].location_end) != 0)
			au_bad(cases[i].line, "Location \"%s\", want it to end in \"%s\"",
			    loc ? loc : "(none)", cases[i].location_end);
		http_resp_free(&r);
	}
	au_end();
}

/* ---- legacy X-API-KEY ---- */

#define API_KEY	"legacy-Key-0123456789"

static void
test_api_key(void **state)
{
	static const char *const env[] = { "API_KEY=" API_KEY, NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	struct {
		int		 line;
		const char	*header;
		long		 status;
		const char	*detail;
	} cases[] = {
		{ __LINE__, "X-API-KEY: " API_KEY, 200, NULL },
		{ __LINE__, "x-api-key: " API_KEY, 200, NULL },
		{ __LINE__, "X-API-KEY: wrong-key-0123456789", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY: LEGACY-KEY-0123456789", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY: " API_KEY "x", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY: legacy-Key-012345678", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY: legacy", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY: ' OR '1'='1", 401, "Invalid API key" },
		{ __LINE__, "X-API-KEY;", 401, NULL },			/* empty value */
		{ __LINE__, NULL, 401, "Unauthorized" },		/* no credentials at all */
		{ __LINE__, "Authorization: Bearer " API_KEY, 401, "Unauthorized" },
	};
	struct au_user u;
	struct http_resp r;

	(void)state;
	X = harness_start(&o);
	assert_non_null(X);
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *dep;

		if (au_send(X, "GET", "/protected", NULL, NULL, cases[i].header, NULL, 0, &r) != 0) {
			au_bad(cases[i].line, "no answer");
			continue;
		}
		au_check_no_5xx(cases[i].line, &r);
		if (cases[i].status == 200) {
			dep = http_resp_header(&r, "Deprecation");
			if (r.status != 200)
				au_bad(cases[i].line, "status %ld, want 200 (body %.300s)",
				    r.status, r.body);
			if (dep == NULL || strcasecmp(dep, "true") != 0)
				au_bad(cases[i].line, "Deprecation \"%s\", want \"true\"",
				    dep ? dep : "(none)");
			if (r.body && strstr(r.body, API_KEY) != NULL)
				au_bad(cases[i].line, "the key is echoed in the body");
			{
				struct json_object *ku = NULL;

				/* no user behind a key: "user" is null */
				if (r.json == NULL || !json_object_object_get_ex(r.json,
				    "user", &ku) || ku != NULL)
					au_bad(cases[i].line, "user with a key: %.300s",
					    r.body ? r.body : "");
			}
		} else {
			/* (a Deprecation header on a refused key is allowed: the
			 * contract only asks for it on success) */
			au_check_error(cases[i].line, &r, 401, cases[i].detail);
		}
		http_resp_free(&r);
	}
	/* Bearer tokens work as ever on that server, without Deprecation */
	if (au_new_user(X, "apikey", &u) == 0) {
		char want[300];

		assert_int_equal(au_get(X, "/protected", u.token, &r), 0);
		snprintf(want, sizeof(want), "Access granted to %s", u.email);
		if (r.status != 200 || au_jstr(r.json, "message") == NULL ||
		    strcmp(au_jstr(r.json, "message"), want) != 0)
			au_bad(__LINE__, "Bearer on an API_KEY server: status %ld body %.300s",
			    r.status, r.body);
		if (http_resp_header(&r, "Deprecation") != NULL)
			au_bad(__LINE__, "Deprecation on a Bearer request");
		http_resp_free(&r);
	} else {
		au_bad(__LINE__, "cannot make a user on the API_KEY server");
	}
	/* the key never reaches the log */
	{
		char *log = harness_read_log(X);

		if (log != NULL && strstr(log, API_KEY) != NULL)
			au_bad(__LINE__, "the API key is in the log");
		free(log);
	}
	au_end();
}

static void
test_api_key_unset(void **state)
{
	static const char *const keys[] = {
		("X-API-KEY: " API_KEY), "X-API-KEY: anything-goes-here", "X-API-KEY: ",
	};

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct http_resp r;

		if (au_send(H, "GET", "/protected", NULL, NULL, keys[i], NULL, 0, &r) != 0) {
			au_bad(__LINE__, "no answer");
			continue;
		}
		au_check_401(__LINE__, &r, 0);
		if (http_resp_header(&r, "Deprecation") != NULL)
			au_bad(__LINE__, "Deprecation without API_KEY");
		http_resp_free(&r);
	}
	au_end();
}

/* ---- RS256 ---- */

/* A fresh RSA key: private and public PEM (caller frees both). */
static void
rsa_pems(char **priv, char **pub)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *b1 = BIO_new(BIO_s_mem()), *b2 = BIO_new(BIO_s_mem());
	char *p;
	long n;

	assert_non_null(k);
	assert_true(PEM_write_bio_PrivateKey(b1, k, NULL, NULL, 0, NULL, NULL) == 1);
	assert_true(PEM_write_bio_PUBKEY(b2, k) == 1);
	n = BIO_get_mem_data(b1, &p);
	*priv = strndup(p, (size_t)n);
	n = BIO_get_mem_data(b2, &p);
	*pub = strndup(p, (size_t)n);
	BIO_free(b1);
	BIO_free(b2);
	EVP_PKEY_free(k);
}

/* Whether tok's RS256 signature verifies with the public PEM. */
static int
rs256_verifies(const char *tok, const char *pub)
{
	const char *d2 = strrchr(tok, '.');
	BIO *b = BIO_new_mem_buf(pub, -1);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t siglen;
	int ok = 0;

	if (d2 == NULL || k == NULL || ctx == NULL)
		goto out;
	if ((sig = au_b64url_decode(d2 + 1, strlen(d2 + 1), &siglen)) == NULL)
		goto out;
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)tok,
	    (size_t)(d2 - tok)) == 1;
out:
	free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	BIO_free(b);
	return ok;
}

static void
test_rs256(void **state)
{
	char *priv, *pub, *env_priv, *env_pub;
	const char *env[4];
	struct harness_opts o = { .env = env, .procs = 1 };
	struct au_user u;
	struct json_object *hd = NULL, *keys;
	struct http_resp r;
	const char *kid = NULL;

	(void)state;
	rsa_pems(&priv, &pub);
	assert_true(asprintf(&env_priv, "JWT_PRIVATE_KEY=%s", priv) > 0);
	assert_true(asprintf(&env_pub, "JWT_PUBLIC_KEY=%s", pub) > 0);
	env[0] = "JWT_ALGORITHM=RS256";
	env[1] = env_priv;
	env[2] = env_pub;
	env[3] = NULL;
	X = harness_start(&o);
	assert_non_null(X);
	au_begin();
	assert_int_equal(harness_get(X, "/health", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "RS256 deployment unhealthy: %ld %.300s", r.status, r.body);
	http_resp_free(&r);
	if (au_new_user(X, "rs256", &u) != 0) {
		au_bad(__LINE__, "register/login failed on the RS256 server");
		goto out;
	}
	hd = au_jwt_part(u.token, 0);
	if (au_jstr(hd, "alg") == NULL || strcmp(au_jstr(hd, "alg"), "RS256") != 0)
		au_bad(__LINE__, "header %s, want alg RS256",
		    hd ? json_object_to_json_string(hd) : "(none)");
	kid = au_jstr(hd, "kid");
	if (kid == NULL)
		au_bad(__LINE__, "RS256 token without a kid");
	if (!rs256_verifies(u.token, pub))
		au_bad(__LINE__, "the token's signature does not verify with the public key");
	/* JWKS publishes the key */
	assert_int_equal(au_get(X, "/.well-known/jwks.json", NULL, &r), 0);
	if (r.status != 200 || !json_object_object_get_ex(r.json, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array) || json_object_array_length(keys) < 1) {
		au_bad(__LINE__, "JWKS without keys: %ld %.300s", r.status, r.body);
	} else {
		int found = 0;

		for (size_t i = 0; i < json_object_array_length(keys); i++) {
			struct json_object *k = json_object_array_get_idx(keys, i);

			if (kid && au_jstr(k, "kid") && strcmp(au_jstr(k, "kid"), kid) == 0) {
				found = 1;
				if (au_jstr(k, "kty") == NULL || strcmp(au_jstr(k, "kty"), "RSA") ||
				    au_jstr(k, "n") == NULL || au_jstr(k, "e") == NULL)
					au_bad(__LINE__, "JWK is not an RSA public key: %s",
					    json_object_to_json_string(k));
				if (au_jstr(k, "d") != NULL || au_jstr(k, "p") != NULL)
					au_bad(__LINE__, "JWKS publishes private parts!");
			}
		}
		if (!found)
			au_bad(__LINE__, "no JWK with the token's kid %s: %.300s",
			    kid ? kid : "(none)", r.body);
	}
	http_resp_free(&r);
	/* the token works */
	assert_int_equal(au_get(X, "/users/me", u.token, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "RS256 token on /users/me: %ld %.300s", r.status, r.body);
	http_resp_free(&r);
	/* HS/RS confusion: HS256 keyed with the public key's PEM */
	{
		char payload[256], hdr[256], *tok;
		static const char *const hdr_fmt[] = {
			"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
			"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
			"{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
			"{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
		};

		snprintf(payload, sizeof(payload), "{\"sub\":\"%s\"," STD_AUD ",\"exp\":%lld}",
		    u.id, (long long)au_now() + 3600);
		for (size_t i = 0; i < 4; i++) {
			snprintf(hdr, sizeof(hdr), hdr_fmt[i], kid ? kid : "x");
			tok = au_jwt_hmac(i == 2 ? NULL : "SHA256", pub, strlen(pub), hdr, payload);
			expect_me_401(__LINE__, X, tok);
			free(tok);
		}
		/* the same, keyed with the PEM without its final newline */
		tok = au_jwt_hmac("SHA256", pub, strlen(pub) - 1,
		    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
		expect_me_401(__LINE__, X, tok);
		free(tok);
		/* an HS256 token with JWT_SECRET on an RS256 deployment: the
		 * contract does not say; it must at least not be a 5xx */
		tok = au_jwt_hs256(X, payload);
		assert_int_equal(au_get(X, "/users/me", tok, &r), 0);
		au_check_no_5xx(__LINE__, &r);
		print_message("  note: HS256/JWT_SECRET token on an RS256 deployment -> %ld\n",
		    r.status);
		http_resp_free(&r);
		free(tok);
	}
out:
	json_object_put(hd);
	free(env_priv);
	free(env_pub);
	free(priv);
	free(pub);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_ok),
		cmocka_unit_test(test_register_duplicate),
		cmocka_unit_test(test_login_ok),
		cmocka_unit_test(test_login_sets_last_login),
		cmocka_unit_test(test_login_bad_credentials),
		cmocka_unit_test(test_bearer_schemes),
		cmocka_unit_test(test_no_credentials),
		cmocka_unit_test(test_tokens_accepted),
		cmocka_unit_test(test_tokens_refused),
		cmocka_unit_test(test_tokens_malformed),
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_logout_pyjwt_token),
		cmocka_unit_test(test_patch_me),
		cmocka_unit_test(test_password_change_revokes),
		cmocka_unit_test(test_users_id_access),
		cmocka_unit_test(test_superuser_patch),
		cmocka_unit_test(test_superuser_grant_and_demote),
		cmocka_unit_test(test_superuser_delete),
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_protected_data),
		cmocka_unit_test(test_jwks_hs256),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test_teardown(test_api_key, stop_own),
		cmocka_unit_test(test_api_key_unset),
		cmocka_unit_test_teardown(test_rs256, stop_own),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
