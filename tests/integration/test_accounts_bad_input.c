/*
 * test_accounts_bad_input: the malformed-input matrix of the accounts
 * routes through a real web server (harness.h).  POST /auth/register,
 * POST /auth/jwt/login, PATCH /users/me and PATCH /users/{id} get missing
 * fields, wrong JSON types, nulls, invalid JSON, wrong content types, huge
 * strings and bodies, invalid UTF-8, NUL characters, SQL-looking strings,
 * the e-mails pydantic's EmailStr rejects and passwords the policy
 * refuses.  Each answer must be the one FastAPI-Users with pydantic 2
 * gives (a 422 item's type and loc, a 400 detail), never a 5xx, and come
 * quickly; afterwards the accounts involved must be as they were.  Table
 * cases report their line; the runner and the placeholders are
 * bad_input_util's.
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
#include "bad_input_util.h"
#include "harness.h"

/* Table rows name only the fields they check; the rest are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static struct harness *H;
static struct au_user U;	/* logs in in the login cases */
static struct au_user M;	/* PATCHes itself in the /users/me cases */
static struct au_user V;	/* the target of the /users/{id} cases */
static struct au_user S;	/* the superuser */

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
	if (au_new_user(H, "bad-login", &U) != 0 || au_new_user(H, "bad-me", &M) != 0 ||
	    au_new_user(H, "bad-target", &V) != 0 || au_new_user(H, "bad-admin", &S) != 0 ||
	    au_make_superuser(H, &S) != 0)
		print_error("cannot make the accounts: register/login do not work yet?\n");
	bi_vars_init();
	bi_set_var("E", strdup(U.email));
	bi_set_var("P", strdup(U.password));
	return 0;
}

static int
group_teardown(void **state)
{
	int rc;

	(void)state;
	bi_vars_free();
	rc = harness_check_log(H);
	harness_stop(H);
	H = NULL;
	return rc;
}

/* The token each target sends. */
static const char *
target_token(enum target t, int line)
{
	(void)line;
	return t == ME || t == ID_PLAIN ? M.token : t == ID ? S.token : NULL;
}

static void
run_cases(const struct bcase *cases, size_t n)
{
	const struct bi_ctx ctx = { .h = H, .id = V.id, .token = target_token };

	bi_run_cases(&ctx, cases, n);
}

/* ---- POST /auth/register ---- */

#define PW_SHORT	"Password should be at least 8 characters"
#define PW_EMAIL	"Password should not contain e-mail"
#define RIP		"REGISTER_INVALID_PASSWORD"
#define UIP		"UPDATE_USER_INVALID_PASSWORD"

static const struct bcase register_cases[] = {
	/* missing fields */
	{ __LINE__, REG, J, B("{}"), 422, "missing", "body.email", "body.password" },
	{ __LINE__, REG, J, B("{\"password\":\"password123\"}"), 422, "missing", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"m-{R}@example.com\"}"), 422, "missing", "body.password" },
	{ __LINE__, REG, J, B("{\"first_name\":\"x\",\"last_name\":\"y\"}"), 422, "missing",
	    "body.email", "body.password" },
	{ __LINE__, REG, J, B("{\"Email\":\"m-{R}@example.com\",\"Password\":\"password123\"}"),
	    422, "missing", "body.email", "body.password" },	/* keys are case-sensitive */
	{ __LINE__, REG, J, B(""), 422, "missing", "body" },
	{ __LINE__, REG, J, B("null"), 422, NULL, "body" },
	/* wrong JSON types */
	{ __LINE__, REG, J, B("{\"email\":123,\"password\":\"password123\"}"), 422,
	    "string_type", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":true,\"password\":\"password123\"}"), 422,
	    "string_type", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":1.5,\"password\":\"password123\"}"), 422,
	    "string_type", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":[\"a@example.com\"],\"password\":\"password123\"}"),
	    422, "string_type", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":{\"a\":\"a@example.com\"},\"password\":\"password123\"}"),
	    422, "string_type", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":null,\"password\":\"password123\"}"), 422, NULL,
	    "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":12345678}"), 422,
	    "string_type", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":true}"), 422,
	    "string_type", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":null}"), 422, NULL,
	    "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":[\"password123\"]}"),
	    422, "string_type", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":{\"p\":1}}"), 422,
	    "string_type", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":123}"), 422, "string_type", "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":true}"), 422, "string_type", "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"last_name\":[]}"), 422, "string_type", "body.last_name" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"last_name\":{}}"), 422, "string_type", "body.last_name" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_superuser\":\"maybe\"}"), 422, "bool_parsing", "body.is_superuser" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_active\":\"maybe\"}"), 422, "bool_parsing", "body.is_active" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_verified\":\"maybe\"}"), 422, "bool_parsing", "body.is_verified" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_superuser\":2}"), 422, "bool_parsing", "body.is_superuser" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_superuser\":[]}"), 422, "bool_type", "body.is_superuser" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_superuser\":{}}"), 422, "bool_type", "body.is_superuser" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"is_superuser\":0.5}"), 422, NULL, "body.is_superuser" },
	/* duplicate keys: the last wins, here a wrong type */
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"email\":5}"), 422, "string_type", "body.email" },
	/* the body is not an object */
	{ __LINE__, REG, J, B("[]"), 422, NULL, "body" },
	{ __LINE__, REG, J, B("[{\"email\":\"t-{R}@example.com\",\"password\":\"password123\"}]"),
	    422, NULL, "body" },
	{ __LINE__, REG, J, B("\"t-{R}@example.com\""), 422, NULL, "body" },
	{ __LINE__, REG, J, B("123"), 422, NULL, "body" },
	{ __LINE__, REG, J, B("true"), 422, NULL, "body" },
	/* invalid JSON */
	{ __LINE__, REG, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":}"), 422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("not json"), 422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\",}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{'email':'t-{R}@example.com','password':'password123'}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\"} x"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\"}{}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\" \"password\":\"password123\"}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"pass\\x41word\"}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"pass\\u12\"}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\0\"password\":\"password123\"}"),
	    422, "json_invalid", "body.#" },	/* a raw NUL byte between members */
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"pass\x01word\"}"),
	    422, "json_invalid", "body.#" },	/* a raw control character in a string */
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"pass\nword\"}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, REG, J, B("{\"email\":1e999,\"password\":\"password123\"}"), 0 },
	{ __LINE__, REG, J, B("{\"email\":NaN,\"password\":\"password123\"}"), 422 },
	{ __LINE__, REG, J, B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\","
	    "\"x\":{DEEP}}"), 0 },
	{ __LINE__, REG, J, B("{DEEP}"), 422 },
	{ __LINE__, REG, J, B("{{KEYS}\"email\":\"keys-{R}@example.com\",\"password\":\"password123\"}"),
	    -1 },
	/* content types other than JSON */
	{ __LINE__, REG, "text/plain",
	    B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\"}"), 422,
	    "model_attributes_type", "body" },
	{ __LINE__, REG, F, B("email=t-{R}%40example.com&password=password123"), 422, NULL, "body" },
	{ __LINE__, REG, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nt-{R}@example.com\r\n"
	    "--xyz\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npassword123\r\n"
	    "--xyz--\r\n"), 422, NULL, "body" },
	{ __LINE__, REG, "application/xml",
	    B("<user><email>t-{R}@example.com</email></user>"), 422, NULL, "body" },
	{ __LINE__, REG, "text/json",
	    B("{\"email\":\"t-{R}@example.com\",\"password\":\"password123\"}"), 422, NULL, "body" },
	/* e-mails pydantic's EmailStr (email-validator) rejects */
	{ __LINE__, REG, J, B("{\"email\":\"no-at-sign-{R}\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"a@b\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"x@localhost\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"user-{R}@\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"@example.com\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"a@b@example.com\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"a{R}@@example.com\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"\",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"   \",\"password\":\"password123\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"us er-{R}@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@exa mple.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\".u-{R}@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}.@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u..{R}@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@-example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@example..com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@.example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@example.com.\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@example\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@exa_mple.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@123.123.123.123\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@[127.0.0.1]\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"\\\"quoted {R}\\\"@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"{L65}@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@{D64}.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"u-{R}@{LONGDOM}\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"{S10K}@example.com\",\"password\":\"password123\"}"),
	    422, NULL, "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"Name <>\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"x' OR '1'='1@example.com\",\"password\":\"password123\"}"),
	    422, "value_error", "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"x@example.com'; DROP TABLE users; --\","
	    "\"password\":\"password123\"}"), 422, "value_error", "body.email" },
	/* NUL and broken UTF-8 */
	{ __LINE__, REG, J, B("{\"email\":\"a\\u0000-{R}@example.com\",\"password\":\"password123\"}"),
	    422, NULL, "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\\u0000\",\"password\":\"password123\"}"),
	    422, NULL, "body.email" },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"An\\u0000n\"}"), 422, NULL, "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"last_name\":\"\\u0000\"}"), 422, NULL, "body.last_name" },
	{ __LINE__, REG, J, B("{\"email\":\"\xff\xfe-{R}@example.com\",\"password\":\"password123\"}"),
	    0 },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"\xc0\xaf\"}"), 0 },		/* overlong '/' */
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"\xed\xa0\x80\"}"), 0 },	/* a UTF-16 surrogate in UTF-8 */
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"last_name\":\"ab\xe2\x82\"}"), 0 },		/* truncated sequence */
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"\xffpassword123\"}"),
	    0 },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"\xf8\x88\x80\x80\x80\"}"), 0 },	/* 5-byte form */
	{ __LINE__, REG, J, B("\xef\xbb\xbf{\"email\":\"bom-{R}@example.com\",\"password\":\"password123\"}"),
	    -1 },						/* a byte-order mark */
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"\\ud800\"}"), -1 },		/* a lone surrogate escape */
	{ __LINE__, REG, J, B("{\"email\":\"\\ud800-{R}@example.com\",\"password\":\"password123\"}"),
	    0 },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"pass\\u0000word\"}"),
	    -1 },
	{ __LINE__, REG, J, B("{\"email\":\"a-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"\\u0001\\u001f\"}"), -1 },
	/* lengths */
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"{S51}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"password123\","
	    "\"last_name\":\"{S51}\"}"), 422, "string_too_long", "body.last_name" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"{U51}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"{S10K}\",\"last_name\":\"{S10K}\"}"), 422, "string_too_long",
	    "body.first_name", "body.last_name" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"password123\","
	    "\"first_name\":\"{S1M}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"{S4097}\"}"),
	    422, "string_too_long", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"{S100K}\"}"),
	    422, "string_too_long", "body.password" },
	{ __LINE__, REG, J, B("{\"email\":\"l-{R}@example.com\",\"password\":\"{S2M}\"}"),
	    413, .detail = "Request body too large" },
	{ __LINE__, REG, NULL, B("{\"email\":\"l-{R}@example.com\",\"password\":\"{S2M}\"}"),
	    413, .detail = "Request body too large" },
	/* the password policy */
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"short\"}"),
	    400, .code = RIP, .reason = PW_SHORT },
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"1234567\"}"),
	    400, .code = RIP, .reason = PW_SHORT },
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"\"}"),
	    400, .code = RIP, .reason = PW_SHORT },
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"       \"}"),
	    400, .code = RIP, .reason = PW_SHORT },
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":"
	    "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}"),
	    400, .code = RIP, .reason = PW_SHORT },		/* 7 characters, 14 bytes */
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"xx-pw-{R}@example.com-yy\"}"),
	    400, .code = RIP, .reason = PW_EMAIL },
	{ __LINE__, REG, J, B("{\"email\":\"pw-{R}@example.com\",\"password\":\"pw-{R}@example.com\"}"),
	    400, .code = RIP, .reason = PW_EMAIL },
	/* an existing account, and SQL in the e-mail */
	{ __LINE__, REG, J, B("{\"email\":\"{E}\",\"password\":\"password123\"}"),
	    400, .detail = "REGISTER_USER_ALREADY_EXISTS" },
	{ __LINE__, REG, J, B("{\"email\":\"{E}\",\"password\":\"x\"}"), 0 },
};

static void
test_register_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_cases(register_cases, sizeof(register_cases) / sizeof(register_cases[0]));
	/* the existing account is unharmed */
	if (au_login(H, U.email, U.password, NULL, 0) != 200)
		au_bad(__LINE__, "the existing account no longer logs in");
	au_end();
}

/* None of the refused registrations created an account. */
static void
test_register_refusals_create_nothing(void **state)
{
	static const struct {
		int		 line;
		const char	*body;		/* {E}: a fresh address */
	} cases[] = {
		{ __LINE__, "{\"email\":\"{E}\",\"password\":\"short\"}" },
		{ __LINE__, "{\"email\":\"{E}\",\"password\":\"password123\",\"first_name\":\"{S51}\"}" },
		{ __LINE__, "{\"email\":\"{E}\",\"password\":\"password123\",\"is_active\":\"maybe\"}" },
		{ __LINE__, "{\"email\":\"{E}\",\"password\":\"{S100K}\"}" },
		{ __LINE__, "{\"email\":\"{E}\",\"password\":\"password123\",\"last_name\":\"\\u0000\"}" },
	};
	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char email[128];
		struct http_resp r;
		size_t blen;
		char *body;

		au_email(email, sizeof(email), "refused");
		bi_set_var("E", strdup(email));
		body = bi_expand(cases[i].body, strlen(cases[i].body), &blen);
		bi_set_var("E", strdup(U.email));
		if (au_send(H, "POST", "/auth/register", NULL, J, NULL, body, blen, &r) == 0) {
			au_check_no_5xx(cases[i].line, &r);
			if (r.status == 201)
				au_bad(cases[i].line, "refusal expected, got 201");
			http_resp_free(&r);
		}
		free(body);
		/* the address is still free */
		if (au_register(H, email, "password123", &r) == 0 && r.status != 201)
			au_bad(cases[i].line, "after a refused registration the address is "
			    "taken: %ld %.200s", r.status, r.body);
		http_resp_free(&r);
	}
	au_end();
}

/* ---- POST /auth/jwt/login ---- */

static const struct bcase login_cases[] = {
	{ __LINE__, LOGIN, F, B(""), 422, "missing", "body.username", "body.password" },
	{ __LINE__, LOGIN, F, B("username={E}"), 422, "missing", "body.password" },
	{ __LINE__, LOGIN, F, B("password={P}"), 422, "missing", "body.username" },
	{ __LINE__, LOGIN, F, B("&&&==="), 422, "missing", "body.username", "body.password" },
	{ __LINE__, LOGIN, F, B("Username={E}&Password={P}"), 422, "missing", "body.username",
	    "body.password" },
	{ __LINE__, LOGIN, J, B("{\"username\":\"{E}\",\"password\":\"{P}\"}"), 422, "missing",
	    "body.username", "body.password" },
	{ __LINE__, LOGIN, NULL, B("{\"username\":\"{E}\",\"password\":\"{P}\"}"), 422, "missing",
	    "body.username", "body.password" },
	{ __LINE__, LOGIN, "text/plain", B("username={E}&password={P}"), 422, "missing",
	    "body.username", "body.password" },
	{ __LINE__, LOGIN, F, B("grant_type=other&username={E}&password={P}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, LOGIN, F, B("grant_type=Password&username={E}&password={P}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, LOGIN, F, B("grant_type=client_credentials&username={E}&password={P}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, LOGIN, F, B("grant_type=password+&username={E}&password={P}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, LOGIN, F, B("grant_type=xpassword&username={E}&password={P}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	/* empty values: never a login */
	{ __LINE__, LOGIN, F, B("username=&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}&password="), 0 },
	{ __LINE__, LOGIN, F, B("username=&password="), 0 },
	/* wrong credentials */
	{ __LINE__, LOGIN, F, B("username={E}&password=wrong-password"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },
	{ __LINE__, LOGIN, F, B("username={E}&password={P}x"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },
	{ __LINE__, LOGIN, F, B("username=%25&password={P}"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },			/* "%" */
	{ __LINE__, LOGIN, F, B("username=_%25&password={P}"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },			/* "_%" */
	{ __LINE__, LOGIN, F, B("username=%27+OR+%271%27%3D%271&password={P}"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },
	{ __LINE__, LOGIN, F, B("username={E}%27--&password=x"), 400,
	    .detail = "LOGIN_BAD_CREDENTIALS" },
	/* broken encodings */
	{ __LINE__, LOGIN, F, B("username=%zz&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}&password=%"), 0 },
	{ __LINE__, LOGIN, F, B("username=%ff%fe&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username=%c0%af&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}%00&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}&password={P}%00"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}\0&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username=\xff\xfe&password={P}"), 0 },
	/* sizes */
	{ __LINE__, LOGIN, F, B("username={S100K}&password={P}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}&password={S100K}"), 0 },
	{ __LINE__, LOGIN, F, B("username={E}&password={S2M}"), 413,
	    .detail = "Request body too large" },
	/* multipart gone wrong */
	{ __LINE__, LOGIN, "multipart/form-data", B("--x\r\n\r\n"), 0 },
	{ __LINE__, LOGIN, "multipart/form-data; boundary=abc",
	    B("--zzz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n{E}\r\n--zzz--\r\n"),
	    0 },
	{ __LINE__, LOGIN, "multipart/form-data; boundary=abc",
	    B("--abc\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n{E}"), 0 },
	{ __LINE__, LOGIN, "multipart/form-data; boundary=abc",
	    B("--abc\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n{E}\r\n"
	    "--abc\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nwrong-password\r\n"
	    "--abc--\r\n"), 400, .detail = "LOGIN_BAD_CREDENTIALS" },
};

static void
test_login_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_cases(login_cases, sizeof(login_cases) / sizeof(login_cases[0]));
	if (au_login(H, U.email, U.password, NULL, 0) != 200)
		au_bad(__LINE__, "the account no longer logs in");
	au_end();
}

/* ---- PATCH /users/me ---- */

static const struct bcase me_cases[] = {
	{ __LINE__, ME, J, B("{\"email\":\"not-an-email\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"a@b\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"x@localhost\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"{L65}@example.com\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":123}"), 422, "string_type", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":[\"x@example.com\"]}"), 422, "string_type", "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"m\\u0000@example.com\"}"), 422, NULL, "body.email" },
	{ __LINE__, ME, J, B("{\"email\":\"{E}\"}"), 400,
	    .detail = "UPDATE_USER_EMAIL_ALREADY_EXISTS" },
	{ __LINE__, ME, J, B("{\"password\":12345678}"), 422, "string_type", "body.password" },
	{ __LINE__, ME, J, B("{\"password\":false}"), 422, "string_type", "body.password" },
	{ __LINE__, ME, J, B("{\"password\":\"short\"}"), 400, .code = UIP, .reason = PW_SHORT },
	{ __LINE__, ME, J, B("{\"password\":\"\"}"), 400, .code = UIP, .reason = PW_SHORT },
	{ __LINE__, ME, J, B("{\"password\":\"{S4097}\"}"), 422, "string_too_long", "body.password" },
	{ __LINE__, ME, J, B("{\"password\":\"{S100K}\"}"), 422, "string_too_long", "body.password" },
	{ __LINE__, ME, J, B("{\"first_name\":\"{S51}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, ME, J, B("{\"last_name\":\"{U51}\"}"), 422, "string_too_long", "body.last_name" },
	{ __LINE__, ME, J, B("{\"first_name\":\"{S1M}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, ME, J, B("{\"last_name\":123}"), 422, "string_type", "body.last_name" },
	{ __LINE__, ME, J, B("{\"first_name\":{}}"), 422, "string_type", "body.first_name" },
	{ __LINE__, ME, J, B("{\"first_name\":\"a\\u0000b\"}"), 422, NULL, "body.first_name" },
	{ __LINE__, ME, J, B("{\"first_name\":\"\xff\"}"), 0 },
	{ __LINE__, ME, J, B("{\"last_name\":\"\xed\xa0\x80\"}"), 0 },
	/* the privileged fields are type-checked before being ignored */
	{ __LINE__, ME, J, B("{\"is_superuser\":\"maybe\"}"), 422, "bool_parsing", "body.is_superuser" },
	{ __LINE__, ME, J, B("{\"is_active\":[]}"), 422, "bool_type", "body.is_active" },
	{ __LINE__, ME, J, B("{\"role\":\"superadmin\"}"), -1 },
	{ __LINE__, ME, J, B("{\"role\":7}"), -1 },
	/* the body itself */
	{ __LINE__, ME, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, ME, J, B("{\"first_name\":\"x\",}"), 422, "json_invalid", "body.#" },
	{ __LINE__, ME, J, B("{\"first_name\":\"x\"} junk"), 422, "json_invalid", "body.#" },
	{ __LINE__, ME, J, B("\"x\""), 422, NULL, "body" },
	{ __LINE__, ME, J, B("42"), 422, NULL, "body" },
	{ __LINE__, ME, J, B("[]"), -1 },
	{ __LINE__, ME, J, B("[{\"is_superuser\":true}]"), -1 },
	{ __LINE__, ME, "text/plain", B("{\"first_name\":\"x\"}"), 422, "model_attributes_type", "body" },
	{ __LINE__, ME, F, B("first_name=x"), 422, NULL, "body" },
	{ __LINE__, ME, J, B("{\"first_name\":\"{S2M}\"}"), 413, .detail = "Request body too large" },
	{ __LINE__, ME, J, B("{\"x\":{DEEP}}"), 0 },
	/* no token: 401 before the body is looked at */
	{ __LINE__, ME_ANON, J, B("{\"email\":123}"), 401 },
	{ __LINE__, ME_ANON, J, B("{\"first_name\":\"{S51}\"}"), 401 },
	{ __LINE__, ME_ANON, J, B("{\"password\":\"short\"}"), 401 },
};

static void
test_patch_me_bad_input(void **state)
{
	struct http_resp r;

	(void)state;
	au_begin();
	run_cases(me_cases, sizeof(me_cases) / sizeof(me_cases[0]));
	/* M is as it was: same e-mail, password, names unset, plain user */
	if (au_get(H, "/users/me", M.token, &r) == 0) {
		if (r.status != 200)
			au_bad(__LINE__, "GET /users/me: %ld", r.status);
		au_check_user(__LINE__, r.json, r.body, M.email);
		if (!au_jnull(r.json, "first_name") || !au_jnull(r.json, "last_name") ||
		    au_jbool(r.json, "is_superuser") != 0 ||
		    au_jstr(r.json, "role") == NULL || strcmp(au_jstr(r.json, "role"), "user"))
			au_bad(__LINE__, "a refused PATCH changed the account: %.300s", r.body);
		http_resp_free(&r);
	}
	if (au_login(H, M.email, M.password, NULL, 0) != 200)
		au_bad(__LINE__, "a refused PATCH changed the password");
	au_end();
}

/* ---- PATCH /users/{id} ---- */

static const struct bcase id_cases[] = {
	{ __LINE__, ID, J, B("{\"role\":\"superadmin\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\"Admin\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\"USER\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\"\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\" admin\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\"admin\\u0000\"}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":5}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":[\"admin\"]}"), 422, NULL, "body.role" },
	{ __LINE__, ID, J, B("{\"role\":\"admin'; UPDATE users SET is_superuser=1; --\"}"), 422, NULL,
	    "body.role" },
	{ __LINE__, ID, J, B("{\"is_active\":\"maybe\"}"), 422, "bool_parsing", "body.is_active" },
	{ __LINE__, ID, J, B("{\"is_superuser\":[]}"), 422, "bool_type", "body.is_superuser" },
	{ __LINE__, ID, J, B("{\"is_verified\":2}"), 422, "bool_parsing", "body.is_verified" },
	{ __LINE__, ID, J, B("{\"is_superuser\":\"maybe\",\"role\":\"superadmin\"}"), 422,
	    "bool_parsing", "body.is_superuser", "body.role" },
	{ __LINE__, ID, J, B("{\"email\":\"x@localhost\"}"), 422, "value_error", "body.email" },
	{ __LINE__, ID, J, B("{\"email\":42}"), 422, "string_type", "body.email" },
	{ __LINE__, ID, J, B("{\"email\":\"{E}\"}"), 400, .detail = "UPDATE_USER_EMAIL_ALREADY_EXISTS" },
	{ __LINE__, ID, J, B("{\"password\":\"short\"}"), 400, .code = UIP, .reason = PW_SHORT },
	{ __LINE__, ID, J, B("{\"password\":\"{S100K}\"}"), 422, "string_too_long", "body.password" },
	{ __LINE__, ID, J, B("{\"first_name\":\"{S51}\"}"), 422, "string_too_long", "body.first_name" },
	{ __LINE__, ID, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, ID, "text/plain", B("{\"role\":\"admin\"}"), 422, "model_attributes_type", "body" },
	{ __LINE__, ID, J, B("{\"role\":\"admin\",\"first_name\":\"{S2M}\"}"), 413,
	    .detail = "Request body too large" },
	/* a plain user gets 403 whatever the body */
	{ __LINE__, ID_PLAIN, J, B("{\"role\":\"superadmin\"}"), 403, .detail = "Forbidden" },
	{ __LINE__, ID_PLAIN, J, B("{\"is_superuser\":true}"), 403, .detail = "Forbidden" },
	{ __LINE__, ID_PLAIN, J, B("{"), -1 },
};

static void
test_patch_id_bad_input(void **state)
{
	struct http_resp r;

	(void)state;
	au_begin();
	run_cases(id_cases, sizeof(id_cases) / sizeof(id_cases[0]));
	/* V is as it was */
	if (au_get(H, "/users/me", V.token, &r) == 0) {
		if (r.status != 200)
			au_bad(__LINE__, "GET /users/me: %ld", r.status);
		au_check_user(__LINE__, r.json, r.body, V.email);
		if (au_jbool(r.json, "is_superuser") != 0 || au_jbool(r.json, "is_active") != 1 ||
		    au_jbool(r.json, "is_verified") != 0 || !au_jnull(r.json, "first_name") ||
		    au_jstr(r.json, "role") == NULL || strcmp(au_jstr(r.json, "role"), "user"))
			au_bad(__LINE__, "a refused PATCH changed the account: %.300s", r.body);
		http_resp_free(&r);
	}
	if (au_login(H, V.email, V.password, NULL, 0) != 200)
		au_bad(__LINE__, "a refused PATCH changed the password");
	/* and M did not become a superuser */
	if (au_get(H, "/users/me", M.token, &r) == 0) {
		if (au_jbool(r.json, "is_superuser") != 0)
			au_bad(__LINE__, "the plain user became a superuser");
		http_resp_free(&r);
	}
	au_end();
}

/* ---- odd ids and headers ---- */

static void
test_odd_ids(void **state)
{
	static const struct {
		int		 line;
		const char	*path;
	} cases[] = {
		{ __LINE__, "/users/%00" },
		{ __LINE__, "/users/%zz" },
		{ __LINE__, "/users/%ff%fe" },
		{ __LINE__, "/users/..%2f..%2fetc%2fpasswd" },
		{ __LINE__, "/users/'%20OR%20'1'%3D'1" },
		{ __LINE__, "/users/%25" },
		{ __LINE__, "/users/_" },
		{ __LINE__, "/users/00000000-0000-4000-8000-00000000000g" },
		{ __LINE__, "/users/00000000_0000_4000_8000_000000000000" },
		{ __LINE__, "/users/-00000000-0000-4000-8000-000000000000" },
		{ __LINE__, "/users/%20" },
	};

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static const char *const methods[] = { "GET", "DELETE" };

		for (size_t m = 0; m < 2; m++) {
			struct http_resp r;

			if (au_send(H, methods[m], cases[i].path, S.token, NULL, NULL, NULL, 0,
			    &r) != 0) {
				au_bad(cases[i].line, "no answer");
				continue;
			}
			au_check_no_5xx(cases[i].line, &r);
			au_check_4xx(cases[i].line, &r);
			/* when the program answers, a superuser gets 404 */
			if (r.json != NULL && r.status != 404 && r.status != 400)
				au_bad(cases[i].line, "%s %s: status %ld, want 404 (body %.200s)",
				    methods[m], cases[i].path, r.status, r.body);
			http_resp_free(&r);
		}
	}
	/* no account was deleted by any of that */
	if (au_me_status(H, U.token) != 200 || au_me_status(H, V.token) != 200 ||
	    au_me_status(H, M.token) != 200)
		au_bad(__LINE__, "an account disappeared");
	au_end();
}

static void
test_odd_authorization(void **state)
{
	char big[7000];
	static const char *const headers[] = {
		"Authorization: Bearer \xff\xfe\xfd",
		"Authorization: Bearer ' OR '1'='1",
		"Authorization: Bearer eyJ\"}",
		"Authorization: Bearer a.b.c.d.e.f.g",
		"Authorization: Bearer %00",
		"Authorization: Bearer ....................",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.",
		NULL,	/* big, below */
	};

	(void)state;
	memcpy(big, "Authorization: Bearer ", 22);
	memset(big + 22, 'A', sizeof(big) - 23);
	big[sizeof(big) - 1] = '\0';
	au_begin();
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const char *hd = headers[i] != NULL ? headers[i] : big;
		struct http_resp r;

		if (au_send(H, "GET", "/users/me", NULL, NULL, hd, NULL, 0, &r) != 0) {
			au_bad(__LINE__, "header %zu: no answer", i);
			continue;
		}
		au_check_no_5xx(__LINE__, &r);
		if (r.json != NULL)
			au_check_401(__LINE__, &r, 1);
		else
			au_check_4xx(__LINE__, &r);	/* refused by the web server itself */
		http_resp_free(&r);
	}
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_bad_input),
		cmocka_unit_test(test_register_refusals_create_nothing),
		cmocka_unit_test(test_login_bad_input),
		cmocka_unit_test(test_patch_me_bad_input),
		cmocka_unit_test(test_patch_id_bad_input),
		cmocka_unit_test(test_odd_ids),
		cmocka_unit_test(test_odd_authorization),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
