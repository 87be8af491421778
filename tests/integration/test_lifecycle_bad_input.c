/*
 * test_lifecycle_bad_input: the malformed-input matrix of the
 * account-lifecycle routes through a real lighttpd (harness.h), with
 * test_accounts_bad_input's runner (bad_input_util.h).
 * POST /auth/forgot-password and /auth/request-verify-token,
 * /auth/reset-password, /auth/verify, /auth/mcp-token, /auth/jwt/refresh
 * and /auth/jwt/logout get missing fields, wrong JSON types, invalid
 * JSON, wrong content types, empty, huge and oversized bodies, invalid
 * UTF-8, NUL characters, SQL- and LIKE-looking strings and tokens that
 * are almost right: cut, flipped, padded, alg "none", re-signed with
 * another algorithm or key, a huge header, a token of another kind.
 * Each answer must be the documented one (recovery.c, mcp_token.c,
 * session.c), never a 5xx but the one this server documents (503 from
 * mcp-token without an MCP key), and come quickly.  Afterwards nothing
 * may have changed: the old password still logs in and the real reset
 * token still works, the user is still unverified and the real verify
 * token still works, no mail went to the outbox, the refresh tokens the
 * bodies almost named still refresh.  Table cases report their line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_util.h"
#include "bad_input_util.h"
#include "harness.h"

/* Table rows name only the fields they check; the rest are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define RT_MAX		256
#define NEWPW		"a-fine-new-passw0rd"	/* what the refused resets ask for */
#define NONE_HDR	"{\"alg\":\"none\",\"typ\":\"JWT\"}"
#define NONE2_HDR	"{\"alg\":\"None\",\"typ\":\"JWT\"}"
#define HS512_HDR	"{\"alg\":\"HS512\",\"typ\":\"JWT\"}"
#define HS256_HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define WRONG_KEY	"not-the-jwt-secret"

#define CHECK(c)	do { if (!(c)) au_bad(__LINE__, "%s", #c); } while (0)

static struct harness *H;
static struct au_user U;	/* the reset target: {E} {P}, mailed {RTOK} */
static struct au_user Q;	/* unverified, mailed {VTOK} */
static struct au_user W;	/* verified with {VTOKW}, now spent */
static struct au_user A;	/* asks for MCP tokens: {ATOK} */
static struct au_user L;	/* logs out, a fresh login per row; {RTL} */
static struct au_user O;	/* another user: {RTO} */
static struct au_user R;	/* refreshes: {RTF} */
static char fresh[AU_TOKEN_MAX];	/* L's token of the current row */

/* ---- helpers ---- */

static const char *const cheap_env[] = {
	"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1",
	"PASSWORD_ARGON2_PARALLELISM=1", NULL
};
static const struct harness_opts cheap = { .env = cheap_env };

/* Mails in the outbox, of both kinds and to anyone (-1: unreadable). */
static int
outbox_total(void)
{
	int a = au_outbox(H, "reset", NULL, NULL, 0), b = au_outbox(H, "verify", NULL, NULL, 0);

	return a < 0 || b < 0 ? -1 : a + b;
}

/* POST path {"email": u's}, then the token the outbox got for it. */
static int
mailed(const char *path, const char *kind, const struct au_user *u, char *tok, size_t len)
{
	struct http_resp r;
	char body[512], *js = au_json_str(u->email);
	int before = au_outbox(H, kind, u->email, NULL, 0);

	snprintf(body, sizeof(body), "{\"email\":%s}", js);
	free(js);
	if (au_json(H, "POST", path, NULL, body, &r) != 0)
		return -1;
	if (r.status != 202) {
		http_resp_free(&r);
		return -1;
	}
	http_resp_free(&r);
	return au_outbox(H, kind, u->email, tok, len) == before + 1 ? 0 : -1;
}

/* Logs u in with scope offline_access; its refresh token into rt.  0, or
 * -1 after saying why. */
static int
offline_rt(struct au_user *u, char *rt)
{
	char body[1024], *e = au_form_encode(u->email), *p = au_form_encode(u->password);
	struct http_resp r;
	int ret = -1;

	snprintf(body, sizeof(body), "username=%s&password=%s&scope=offline_access", e, p);
	free(e);
	free(p);
	if (au_send(H, "POST", "/auth/jwt/login", NULL, F, NULL, body, strlen(body), &r) != 0) {
		print_error("no answer to the login of %s\n", u->email);
		return -1;
	}
	if (r.status == 200 && au_jstr(r.json, "refresh_token") != NULL) {
		snprintf(rt, RT_MAX, "%s", au_jstr(r.json, "refresh_token"));
		ret = 0;
	} else
		print_error("no refresh token for %s: %ld %.200s\n", u->email, r.status, r.body);
	http_resp_free(&r);
	return ret;
}

/* POST /auth/jwt/refresh with rt: the status. */
static long
refresh_status(const char *rt)
{
	char body[1024], *e = au_form_encode(rt);
	struct http_resp r;
	long st;

	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", e);
	free(e);
	if (au_send(H, "POST", "/auth/jwt/refresh", NULL, F, NULL, body, strlen(body), &r) != 0)
		return 0;
	st = r.status;
	http_resp_free(&r);
	return st;
}

/* GET /users/me: is_verified (1/0), -1 when that cannot be read. */
static int
is_verified(const struct au_user *u)
{
	struct http_resp r;
	int v;

	if (au_get(H, "/users/me", u->token, &r) != 0)
		return -1;
	v = r.status == 200 ? au_jbool(r.json, "is_verified") : -1;
	http_resp_free(&r);
	return v;
}

/* The token without its last character. */
static char *
cut(const char *tok)
{
	char *s = strdup(tok);

	assert_non_null(s);
	s[strlen(s) - 1] = '\0';
	return s;
}

/* The token with one character of its signature changed. */
static char *
flip(const char *tok)
{
	char *s = strdup(tok);
	size_t n = strlen(s);

	assert_non_null(s);
	assert_true(n > 2);
	s[n - 2] = s[n - 2] == 'A' ? 'B' : 'A';
	return s;
}

/* The token's claims (its payload's JSON text, exactly), re-signed with
 * header hdr: HMAC with digest and key, or with digest NULL unsigned. */
static char *
resign(const char *tok, const char *hdr, const char *digest, const char *key)
{
	const char *p = strchr(tok, '.'), *q = p != NULL ? strchr(p + 1, '.') : NULL;
	unsigned char *payload;
	size_t plen;
	char *out;

	assert_non_null(q);
	payload = au_b64url_decode(p + 1, (size_t)(q - p - 1), &plen);
	assert_non_null(payload);
	out = au_jwt_hmac(digest, key, key != NULL ? strlen(key) : 0, hdr, (char *)payload);
	assert_non_null(out);
	free(payload);
	return out;
}

/* A JWT with a header of `pad` extra characters, A's claims, signed with a wrong key. */
static char *
big_header(const char *tok, size_t pad)
{
	char *x = bi_repeat("a", pad), *hdr, *out;

	assert_true(asprintf(&hdr, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"x\":\"%s\"}", x) > 0);
	out = resign(tok, hdr, "SHA256", WRONG_KEY);
	free(x);
	free(hdr);
	return out;
}

/* The variants of a token t under the prefix p: {pCUT} {pFLIP} {pNONE}
 * {pNONE2} (alg "None") {pHS512} (the right secret, the wrong algorithm)
 * {pWKEY} (HS256 with a wrong key). */
static void
token_vars(const char *p, const char *t)
{
	char name[16];

	snprintf(name, sizeof(name), "%sCUT", p);
	bi_set_var(name, cut(t));
	snprintf(name, sizeof(name), "%sFLIP", p);
	bi_set_var(name, flip(t));
	snprintf(name, sizeof(name), "%sNONE", p);
	bi_set_var(name, resign(t, NONE_HDR, NULL, NULL));
	snprintf(name, sizeof(name), "%sNONE2", p);
	bi_set_var(name, resign(t, NONE2_HDR, NULL, NULL));
	snprintf(name, sizeof(name), "%sHS512", p);
	bi_set_var(name, resign(t, HS512_HDR, "SHA512", harness_env(H, "JWT_SECRET")));
	snprintf(name, sizeof(name), "%sWKEY", p);
	bi_set_var(name, resign(t, HS256_HDR, "SHA256", WRONG_KEY));
}

/* ---- group ---- */

/* The accounts, and the placeholders that name them: 0, or -1 after saying why. */
static int
make_accounts(void)
{
	char *s;

	if (au_new_user(H, "lbi-reset", &U) != 0 || au_new_user(H, "lbi-verify", &Q) != 0 ||
	    au_new_user(H, "lbi-verified", &W) != 0 || au_new_user(H, "lbi-mcp", &A) != 0 ||
	    au_new_user(H, "lbi-logout", &L) != 0 || au_new_user(H, "lbi-other", &O) != 0 ||
	    au_new_user(H, "lbi-refresh", &R) != 0) {
		print_error("cannot make the accounts\n");
		return -1;
	}
	bi_set_var("E", strdup(U.email));
	bi_set_var("P", strdup(U.password));
	/* U's address as a LIKE pattern: its 16 hex digits as '_', and as '%' */
	s = strdup(U.email);
	memset(strchr(s, '@') - 16, '_', 16);
	bi_set_var("EL", s);
	assert_true(asprintf(&s, "lbi-reset-%%%s", strchr(U.email, '@')) > 0);
	bi_set_var("ELP", s);
	return 0;
}

/*
 * The mailed tokens and their variants: U's reset token {RTOK}, Q's verify
 * token {VTOK}, W's {VTOKW} (spent: W is verified); A's access token
 * {ATOK}; JWTs with a big header.  0, or -1 after saying why.
 */
static int
make_jwts(void)
{
	char tok[AU_TOKEN_MAX], body[AU_TOKEN_MAX + 32], *js;
	struct http_resp r;
	long st;

	if (mailed("/auth/forgot-password", "reset", &U, tok, sizeof(tok)) != 0) {
		print_error("no reset mail for U\n");
		return -1;
	}
	bi_set_var("RTOK", strdup(tok));
	token_vars("R", tok);
	if (mailed("/auth/request-verify-token", "verify", &Q, tok, sizeof(tok)) != 0) {
		print_error("no verify mail for Q\n");
		return -1;
	}
	bi_set_var("VTOK", strdup(tok));
	token_vars("V", tok);
	if (mailed("/auth/request-verify-token", "verify", &W, tok, sizeof(tok)) != 0) {
		print_error("no verify mail for W\n");
		return -1;
	}
	js = au_json_str(tok);
	snprintf(body, sizeof(body), "{\"token\":%s}", js);
	free(js);
	if (au_json(H, "POST", "/auth/verify", NULL, body, &r) != 0) {
		print_error("no answer to W's verify\n");
		return -1;
	}
	st = r.status;
	http_resp_free(&r);
	if (st != 200) {
		print_error("W cannot verify: %ld\n", st);
		return -1;
	}
	bi_set_var("VTOKW", strdup(tok));
	bi_set_var("ATOK", strdup(A.token));
	token_vars("A", A.token);
	bi_set_var("JBIG", big_header(A.token, 2400));	/* ~3.5 KB: under the field cap */
	bi_set_var("JHUGE", big_header(A.token, 4800));	/* ~6.7 KB: over it, under JWT_MAX_TOKEN */
	return 0;
}

/* The refresh tokens {RTL} (L's), {RTO} (O's), {RTF} (R's) and variants. */
static int
make_refresh_tokens(void)
{
	char rt[RT_MAX], *s;

	if (offline_rt(&L, rt) != 0)
		return -1;
	bi_set_var("RTL", strdup(rt));
	bi_set_var("RTLCUT", cut(rt));
	if (offline_rt(&O, rt) != 0)
		return -1;
	bi_set_var("RTO", strdup(rt));
	if (offline_rt(&R, rt) != 0)
		return -1;
	bi_set_var("RTF", strdup(rt));
	bi_set_var("RTFCUT", cut(rt));
	s = strdup(rt);
	for (char *c = s; *c != '\0'; c++)
		*c = (char)(isupper((unsigned char)*c) ? tolower((unsigned char)*c) :
		    toupper((unsigned char)*c));
	bi_set_var("RTFCASE", s);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	if ((H = harness_start(&cheap)) == NULL)
		return -1;
	bi_vars_init();
	bi_set_var("S1025", bi_repeat("p", 1025));
	bi_set_var("S4096", bi_repeat("t", 4096));
	if (make_accounts() != 0 || make_jwts() != 0 || make_refresh_tokens() != 0) {
		/* cmocka runs no group teardown after a failed setup */
		bi_vars_free();
		harness_stop(H);
		H = NULL;
		return -1;
	}
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

/* The token each target sends: LOGOUT logs L in afresh for every row. */
static const char *
target_token(enum target t, int line)
{
	if (t == MCP)
		return A.token;
	if (t != LOGOUT)
		return NULL;
	if (au_login(H, L.email, L.password, fresh, sizeof(fresh)) != 200)
		au_bad(line, "L cannot log in for the row");
	return fresh;
}

/* After a 204 logout, the row's access token is refused. */
static void
after_row(const struct bcase *c, const struct http_resp *r, const char *token)
{
	if (c->tgt == LOGOUT && c->bearer == NULL && r->status == 204 &&
	    au_me_status(H, token) != 401)
		au_bad(c->line, "a logout answered 204 but its access token still works");
}

static void
run_cases(const struct bcase *cases, size_t n)
{
	const struct bi_ctx ctx = { .h = H, .token = target_token, .after = after_row };

	bi_run_cases(&ctx, cases, n);
}

/* ---- POST /auth/forgot-password and /auth/request-verify-token ---- */

/*
 * Run as FORGOT, then again as VERIFY_REQ: both take {"email"} and answer
 * 202 null for any address EmailStr accepts, 422 for the rest.  No row
 * names an existing account's address, so no row may mail anyone; the
 * LIKE patterns {EL} and {ELP} match U's address if the lookup were LIKE.
 */
static const struct bcase email_cases[] = {
	/* missing fields, and bodies that are not there */
	{ __LINE__, FORGOT, J, B("{}"), 422, "missing", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"Email\":\"nobody-{R}@example.com\"}"), 422, "missing",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"e-mail\":\"nobody-{R}@example.com\"}"), 422, "missing",
	    "body.email" },
	{ __LINE__, FORGOT, J, B(""), 422, "missing", "body" },
	{ __LINE__, FORGOT, NULL, B(""), 422, "missing", "body" },
	{ __LINE__, FORGOT, J, B("null"), 422, "missing", "body" },
	/* wrong JSON types */
	{ __LINE__, FORGOT, J, B("{\"email\":null}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":123}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":1.5}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":true}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":false}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":[]}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":[\"{E}\"]}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":{}}"), 422, "string_type", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":{\"email\":\"{E}\"}}"), 422, "string_type",
	    "body.email" },
	/* duplicate keys: the last wins */
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\",\"email\":5}"), 422, "string_type",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\",\"email\":\"nobody-{R}@example.com\"}"), 202 },
	/* the body is not an object */
	{ __LINE__, FORGOT, J, B("[]"), 422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, J, B("[{\"email\":\"{E}\"}]"), 422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, J, B("\"{E}\""), 422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, J, B("42"), 422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, J, B("true"), 422, "model_attributes_type", "body" },
	/* invalid JSON */
	{ __LINE__, FORGOT, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("not json"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\",}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{'email':'{E}'}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\"} x"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\"}{}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\"\0}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\x01\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\\x41\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\\u12{E}\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":NaN}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"x\":{DEEP}}"), 422, "json_invalid", "body.#" },
	/* content types other than JSON (none at all is JSON) */
	{ __LINE__, FORGOT, "text/plain", B("{\"email\":\"{E}\"}"), 422, "model_attributes_type",
	    "body" },
	{ __LINE__, FORGOT, F, B("email={E}"), 422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n{E}\r\n--xyz--\r\n"),
	    422, "model_attributes_type", "body" },
	{ __LINE__, FORGOT, "application/xml", B("<email>{E}</email>"), 422,
	    "model_attributes_type", "body" },
	{ __LINE__, FORGOT, "text/json", B("{\"email\":\"{E}\"}"), 422, "model_attributes_type",
	    "body" },
	{ __LINE__, FORGOT, NULL, B("{\"email\":\"nobody-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, "application/json; charset=utf-8",
	    B("{\"email\":\"nobody-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, "application/merge-patch+json",
	    B("{\"email\":\"nobody-{R}@example.com\"}"), 202 },
	/* addresses EmailStr refuses */
	{ __LINE__, FORGOT, J, B("{\"email\":\"\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"   \"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"not-an-email\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"a@b\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"x@localhost\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"x@example.test\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"@example.com\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u-{R}@\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"a@{E}\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u..{R}@example.com\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u-{R}@example..com\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u-{R}@123.123.123.123\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{L65}@example.com\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u@{D64}.com\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"u@{LONGDOM}\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{S10K}@example.com\"}"), 422, NULL, "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"x' OR '1'='1@example.com\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}'; DROP TABLE users; --\"}"), 422,
	    "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\\\" OR \\\"1\\\"=\\\"1\"}"), 422, "value_error",
	    "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"a;b@example.com\"}"), 422, "value_error",
	    "body.email" },
	/* NUL and broken UTF-8 */
	{ __LINE__, FORGOT, J, B("{\"email\":\"{E}\\u0000\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\\u0000{E}\"}"), 422, "value_error", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\xff\xfe{E}\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\xc0\xaf{E}\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\xed\xa0\x80{E}\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\\ud800{E}\"}"), 422, "json_invalid",
	    "body.#" },
	/* addresses EmailStr accepts, of nobody: 202 null and no mail */
	{ __LINE__, FORGOT, J, B("{\"email\":\"nobody-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\" nobody-{R}@example.com \"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"Nobody <nobody-{R}@example.com>\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"NOBODY-{R}@EXAMPLE.COM\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"nobody-{R}+tag@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"\\u00f1and\\u00fa-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"nobody-{R}@b\xc3\xbc" "cher.de\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"o'brien-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"x'--{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{EL}\"}"), 202 },	/* U's, as LIKE '_' */
	{ __LINE__, FORGOT, J, B("{\"email\":\"{ELP}\"}"), 202 },	/* U's, as LIKE '%' */
	{ __LINE__, FORGOT, J, B("{\"email\":\"%@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"*@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{\"email\":\"nobody-{R}@example.com\",\"is_active\":\"x\","
	    "\"x\":[1,{}]}"), 202 },
	{ __LINE__, FORGOT, J, B("\xef\xbb\xbf{\"email\":\"nobody-{R}@example.com\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{{KEYS}\"email\":\"nobody-{R}@example.com\"}"), 202 },
	/* sizes */
	{ __LINE__, FORGOT, J, B("{\"email\":\"{S1M}\"}"), 422, "string_too_long", "body.email" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"nobody-{R}@example.com\",\"x\":\"{S1M}\"}"), 202 },
	{ __LINE__, FORGOT, J, B("{J1M}"), 422, "missing", "body.email" },
	{ __LINE__, FORGOT, J, B("{J1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, FORGOT, J, B("{\"email\":\"{S2M}\"}"), 413, .detail = "Request body too large" },
	{ __LINE__, FORGOT, NULL, B("{\"email\":\"{S2M}\"}"), 413,
	    .detail = "Request body too large" },
};

static void
run_email_cases(enum target tgt)
{
	struct bcase cases[sizeof(email_cases) / sizeof(email_cases[0])];
	size_t n = sizeof(cases) / sizeof(cases[0]);
	int before = outbox_total();

	CHECK(before >= 0);
	memcpy(cases, email_cases, sizeof(cases));
	for (size_t i = 0; i < n; i++)
		cases[i].tgt = tgt;
	run_cases(cases, n);
	if (outbox_total() != before)
		au_bad(__LINE__, "the refused and unknown addresses mailed someone: %d mails, "
		    "%d before", outbox_total(), before);
	/* U could not be mailed by a pattern: its address still works */
	if (au_login(H, U.email, U.password, NULL, 0) != 200)
		au_bad(__LINE__, "U no longer logs in");
}

static void
test_forgot_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_email_cases(FORGOT);
	au_end();
}

static void
test_request_verify_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_email_cases(VERIFY_REQ);
	/* Q was not verified by any of it */
	if (is_verified(&Q) != 0)
		au_bad(__LINE__, "Q is verified, or unreadable: %d", is_verified(&Q));
	au_end();
}

/* ---- POST /auth/reset-password ---- */

#define PW_SHORT	"Password should be at least 8 characters"
#define PW_EMAIL	"Password should not contain e-mail"
#define RPIP		"RESET_PASSWORD_INVALID_PASSWORD"
#define RPBT		"RESET_PASSWORD_BAD_TOKEN"

/*
 * The fields are checked first (422), then the token (400 BAD_TOKEN,
 * whatever the password), then the password policy.  {RTOK} is U's real
 * token: it only ever comes with a password that must be refused, so no
 * row may reset anything.
 */
static const struct bcase reset_cases[] = {
	/* missing fields, and bodies that are not there */
	{ __LINE__, RESET, J, B("{}"), 422, "missing", "body.token", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\"}"), 422, "missing", "body.password" },
	{ __LINE__, RESET, J, B("{\"password\":\"" NEWPW "\"}"), 422, "missing", "body.token" },
	{ __LINE__, RESET, J, B("{\"Token\":\"{RTOK}\",\"Password\":\"" NEWPW "\"}"), 422,
	    "missing", "body.token", "body.password" },
	{ __LINE__, RESET, J, B(""), 422, "missing", "body" },
	{ __LINE__, RESET, J, B("null"), 422, "missing", "body" },
	/* wrong JSON types */
	{ __LINE__, RESET, J, B("{\"token\":null,\"password\":\"" NEWPW "\"}"), 422,
	    "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":123,\"password\":\"" NEWPW "\"}"), 422,
	    "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":1.5,\"password\":\"" NEWPW "\"}"), 422,
	    "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":true,\"password\":\"" NEWPW "\"}"), 422,
	    "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":[\"{RTOK}\"],\"password\":\"" NEWPW "\"}"), 422,
	    "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":{\"token\":\"{RTOK}\"},\"password\":\"" NEWPW "\"}"),
	    422, "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":null}"), 422, "string_type",
	    "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":12345678}"), 422,
	    "string_type", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":false}"), 422, "string_type",
	    "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":[\"" NEWPW "\"]}"), 422,
	    "string_type", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":{}}"), 422, "string_type",
	    "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":5,\"password\":6}"), 422, "string_type", "body.token",
	    "body.password" },
	/* duplicate keys: the last wins */
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "\","
	    "\"password\":\"short\"}"), 400, .code = RPIP, .reason = PW_SHORT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"token\":5,\"password\":\"" NEWPW "\"}"),
	    422, "string_type", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"token\":\"x\",\"password\":\"" NEWPW "\"}"),
	    400, .detail = RPBT },
	/* the body is not an object */
	{ __LINE__, RESET, J, B("[]"), 422, "model_attributes_type", "body" },
	{ __LINE__, RESET, J, B("[{\"token\":\"{RTOK}\",\"password\":\"short\"}]"), 422,
	    "model_attributes_type", "body" },
	{ __LINE__, RESET, J, B("\"{RTOK}\""), 422, "model_attributes_type", "body" },
	{ __LINE__, RESET, J, B("42"), 422, "model_attributes_type", "body" },
	/* invalid JSON */
	{ __LINE__, RESET, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":}"), 422, "json_invalid",
	    "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "\",}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{'token':'{RTOK}','password':'" NEWPW "'}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "\"} x"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\0\"password\":\"" NEWPW "\"}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"new\npassw0rd\"}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"new\\x41passw0rd\"}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "\",\"x\":{DEEP}}"),
	    422, "json_invalid", "body.#" },
	/* content types other than JSON */
	{ __LINE__, RESET, "text/plain", B("{\"token\":\"{RTOK}\",\"password\":\"" NEWPW "\"}"),
	    422, "model_attributes_type", "body" },
	{ __LINE__, RESET, F, B("token={RTOK}&password=" NEWPW), 422, "model_attributes_type",
	    "body" },
	{ __LINE__, RESET, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{RTOK}\r\n"
	    "--xyz\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" NEWPW "\r\n"
	    "--xyz--\r\n"), 422, "model_attributes_type", "body" },
	{ __LINE__, RESET, "application/xml", B("<token>{RTOK}</token>"), 422,
	    "model_attributes_type", "body" },
	/* tokens that are not U's reset token, with a good password */
	{ __LINE__, RESET, J, B("{\"token\":\"\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"garbage\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"..\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"a.b.c\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"a.b.c.d.e\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"e30.e30.e30\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"eyJhbGciOiJub25lIn0.e30.\",\"password\":\"" NEWPW
	    "\"}"), 400, .detail = RPBT },			/* {"alg":"none"}.{}. */
	{ __LINE__, RESET, J, B("{\"token\":\"eyJ!!!.eyJ$$$.abc\",\"password\":\"" NEWPW "\"}"),
	    400, .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}x\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}=\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\" {RTOK}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK} \",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"Bearer {RTOK}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}.{RTOK}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RCUT}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RFLIP}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RNONE}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RNONE2}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RHS512}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RWKEY}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{VTOK}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{ATOK}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTF}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{JBIG}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{S4096}\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"' OR '1'='1\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}'; UPDATE users SET is_superuser=1; --\","
	    "\"password\":\"" NEWPW "\"}"), 400, .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"%\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"\\u00e9.\\u00e9.\\u00e9\",\"password\":\"" NEWPW
	    "\"}"), 400, .detail = RPBT },
	{ __LINE__, RESET, NULL, B("{\"token\":\"garbage\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("\xef\xbb\xbf{\"token\":\"garbage\",\"password\":\"" NEWPW "\"}"),
	    400, .detail = RPBT },
	{ __LINE__, RESET, J, B("{{KEYS}\"token\":\"garbage\",\"password\":\"" NEWPW "\"}"), 400,
	    .detail = RPBT },
	/* a bad token is BAD_TOKEN whatever the password (but a malformed one) */
	{ __LINE__, RESET, J, B("{\"token\":\"garbage\",\"password\":\"short\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RFLIP}\",\"password\":\"\"}"), 400,
	    .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"garbage\",\"password\":\"'; DROP TABLE users; --\"}"),
	    400, .detail = RPBT },
	{ __LINE__, RESET, J, B("{\"token\":\"garbage\",\"password\":\"{S4097}\"}"), 422,
	    "string_too_long", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"garbage\",\"password\":"
	    "\"\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\"}"), 422,
	    "json_invalid", "body.#" },
	/* NUL and broken UTF-8 in the token */
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\\u0000\",\"password\":\"" NEWPW "\"}"), 422,
	    "value_error", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\\u0000x\",\"password\":\"" NEWPW "\"}"), 422,
	    "value_error", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"\xff{RTOK}\",\"password\":\"" NEWPW "\"}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\xed\xa0\x80\",\"password\":\"" NEWPW "\"}"),
	    422, "json_invalid", "body.#" },
	/* the real token with passwords that must be refused */
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"short\"}"), 400,
	    .code = RPIP, .reason = PW_SHORT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"\"}"), 400, .code = RPIP,
	    .reason = PW_SHORT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"       \"}"), 400,
	    .code = RPIP, .reason = PW_SHORT },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":"
	    "\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}"), 400, .code = RPIP,
	    .reason = PW_SHORT },				/* 7 characters, 14 bytes */
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"xx{E}yy\"}"), 400,
	    .code = RPIP, .reason = PW_EMAIL },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{E}\"}"), 400, .code = RPIP,
	    .reason = PW_EMAIL },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{S1025}\"}"), 422,
	    "string_too_long", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{S4097}\"}"), 422,
	    "string_too_long", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{S100K}\"}"), 422,
	    "string_too_long", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{S1MT}\"}"), 422,
	    "string_too_long", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"new-pass\\u0000word\"}"), 422,
	    "value_error", "body.password" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"new-pass\xffword\"}"), 422,
	    "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"new-pass\xc0\xafword\"}"),
	    422, "json_invalid", "body.#" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"short\",\"x\":\"{S100K}\"}"),
	    400, .code = RPIP, .reason = PW_SHORT },
	/* sizes */
	{ __LINE__, RESET, J, B("{\"token\":\"{S4097}\",\"password\":\"" NEWPW "\"}"), 422,
	    "string_too_long", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"{JHUGE}\",\"password\":\"" NEWPW "\"}"), 422,
	    "string_too_long", "body.token" },
	{ __LINE__, RESET, J, B("{\"token\":\"{S1M}\",\"password\":\"" NEWPW "\"}"), 422,
	    "string_too_long", "body.token" },
	{ __LINE__, RESET, J, B("{J1M}"), 422, "missing", "body.token", "body.password" },
	{ __LINE__, RESET, J, B("{J1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, RESET, J, B("{\"token\":\"{RTOK}\",\"password\":\"{S2M}\"}"), 413,
	    .detail = "Request body too large" },
};

static void
test_reset_bad_input(void **state)
{
	struct http_resp r;
	int before = outbox_total();
	char *js, body[AU_TOKEN_MAX + 64];

	(void)state;
	au_begin();
	CHECK(before >= 0);
	run_cases(reset_cases, sizeof(reset_cases) / sizeof(reset_cases[0]));
	/* No mail, and U's password is the old one. */
	CHECK(outbox_total() == before);
	if (au_login(H, U.email, U.password, NULL, 0) != 200)
		au_bad(__LINE__, "after the refused resets U no longer logs in with its password");
	/* The real token was refused for its password only: it still works, once. */
	js = au_json_str(bi_var("RTOK"));
	snprintf(body, sizeof(body), "{\"token\":%s,\"password\":\"" NEWPW "\"}", js);
	free(js);
	if (au_json(H, "POST", "/auth/reset-password", NULL, body, &r) == 0) {
		if (r.status != 200 || strcmp(r.body, "null") != 0)
			au_bad(__LINE__, "the real token after the refused resets: %ld %.300s",
			    r.status, r.body);
		http_resp_free(&r);
	}
	if (au_login(H, U.email, NEWPW, NULL, 0) != 200)
		au_bad(__LINE__, "the new password does not log in");
	else
		snprintf(U.password, sizeof(U.password), "%s", NEWPW);
	if (au_json(H, "POST", "/auth/reset-password", NULL, body, &r) == 0) {
		au_check_error(__LINE__, &r, 400, RPBT);
		http_resp_free(&r);
	}
	au_end();
}

/* ---- POST /auth/verify ---- */

#define VUBT	"VERIFY_USER_BAD_TOKEN"

/* {VTOK} is Q's real token: any row that verified Q would show at the end. */
static const struct bcase verify_cases[] = {
	/* missing fields, and bodies that are not there */
	{ __LINE__, VERIFY, J, B("{}"), 422, "missing", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"Token\":\"{VTOK}\"}"), 422, "missing", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"email\":\"{E}\"}"), 422, "missing", "body.token" },
	{ __LINE__, VERIFY, J, B(""), 422, "missing", "body" },
	{ __LINE__, VERIFY, NULL, B(""), 422, "missing", "body" },
	{ __LINE__, VERIFY, J, B("null"), 422, "missing", "body" },
	/* wrong JSON types */
	{ __LINE__, VERIFY, J, B("{\"token\":null}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":1}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":-1e10}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":true}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":[]}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":[\"{VTOK}\"]}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":{}}"), 422, "string_type", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":{\"token\":\"{VTOK}\"}}"), 422, "string_type",
	    "body.token" },
	/* duplicate keys: the last wins */
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\",\"token\":5}"), 422, "string_type",
	    "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\",\"token\":\"x\"}"), 400, .detail = VUBT },
	/* the body is not an object */
	{ __LINE__, VERIFY, J, B("[]"), 422, "model_attributes_type", "body" },
	{ __LINE__, VERIFY, J, B("[{\"token\":\"{VTOK}\"}]"), 422, "model_attributes_type",
	    "body" },
	{ __LINE__, VERIFY, J, B("\"{VTOK}\""), 422, "model_attributes_type", "body" },
	{ __LINE__, VERIFY, J, B("false"), 422, "model_attributes_type", "body" },
	/* invalid JSON */
	{ __LINE__, VERIFY, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\",}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{'token':'{VTOK}'}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\"}{}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\"\0}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\t\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\\q\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\",\"x\":{DEEP}}"), 422, "json_invalid",
	    "body.#" },
	/* content types other than JSON */
	{ __LINE__, VERIFY, "text/plain", B("{\"token\":\"{VTOK}\"}"), 422,
	    "model_attributes_type", "body" },
	{ __LINE__, VERIFY, F, B("token={VTOK}"), 422, "model_attributes_type", "body" },
	{ __LINE__, VERIFY, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{VTOK}\r\n"
	    "--xyz--\r\n"), 422, "model_attributes_type", "body" },
	{ __LINE__, VERIFY, "application/xml", B("<token>{VTOK}</token>"), 422,
	    "model_attributes_type", "body" },
	/* tokens that are not Q's verify token */
	{ __LINE__, VERIFY, J, B("{\"token\":\"\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"garbage\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"..\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"a.b.c\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"e30.e30.e30\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"eyJhbGciOiJub25lIn0.e30.\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"eyJ!!!.eyJ$$$.abc\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}x\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}==\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\" {VTOK}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\\n\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}.{VTOK}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VCUT}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VFLIP}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VNONE}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VNONE2}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VHS512}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VWKEY}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{RTOK}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{ATOK}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{RTF}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{JBIG}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{S4096}\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOKW}x\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"' OR 1=1 --\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}' OR '1'='1\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{\"token\":\"%\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, NULL, B("{\"token\":\"garbage\"}"), 400, .detail = VUBT },
	{ __LINE__, VERIFY, J, B("{{KEYS}\"token\":\"garbage\"}"), 400, .detail = VUBT },
	/* W's token, spent: already verified */
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOKW}\"}"), 400,
	    .detail = "VERIFY_USER_ALREADY_VERIFIED" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOKW}\",\"x\":\"{S100K}\"}"), 400,
	    .detail = "VERIFY_USER_ALREADY_VERIFIED" },
	/* NUL and broken UTF-8 */
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\\u0000\"}"), 422, "value_error",
	    "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"\\u0000{VTOK}\"}"), 422, "value_error",
	    "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\xff\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\xe2\x82\"}"), 422, "json_invalid",
	    "body.#" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{VTOK}\\udc00\"}"), 422, "json_invalid",
	    "body.#" },
	/* sizes */
	{ __LINE__, VERIFY, J, B("{\"token\":\"{S4097}\"}"), 422, "string_too_long", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{JHUGE}\"}"), 422, "string_too_long", "body.token" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{S1M}\"}"), 422, "string_too_long", "body.token" },
	{ __LINE__, VERIFY, J, B("{J1M}"), 422, "missing", "body.token" },
	{ __LINE__, VERIFY, J, B("{J1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, VERIFY, J, B("{\"token\":\"{S2M}\"}"), 413, .detail = "Request body too large" },
};

static void
test_verify_bad_input(void **state)
{
	struct http_resp r;
	int before = outbox_total();
	char *js, body[AU_TOKEN_MAX + 32];

	(void)state;
	au_begin();
	CHECK(before >= 0);
	run_cases(verify_cases, sizeof(verify_cases) / sizeof(verify_cases[0]));
	CHECK(outbox_total() == before);
	if (is_verified(&Q) != 0)
		au_bad(__LINE__, "Q was verified by a refused request (or is unreadable)");
	/* The real token was never the trouble: it verifies Q, once. */
	js = au_json_str(bi_var("VTOK"));
	snprintf(body, sizeof(body), "{\"token\":%s}", js);
	free(js);
	if (au_json(H, "POST", "/auth/verify", NULL, body, &r) == 0) {
		if (r.status != 200 || au_jbool(r.json, "is_verified") != 1)
			au_bad(__LINE__, "the real token after the refused ones: %ld %.300s",
			    r.status, r.body);
		http_resp_free(&r);
	}
	if (au_json(H, "POST", "/auth/verify", NULL, body, &r) == 0) {
		au_check_error(__LINE__, &r, 400, "VERIFY_USER_ALREADY_VERIFIED");
		http_resp_free(&r);
	}
	au_end();
}

/* ---- POST /auth/mcp-token ---- */

/* What the group's server, which has no MCP key, answers a valid request. */
#define NO_MCP_KEY	"MCP tokens are not configured on this server (no MCP signing key)"

/*
 * The access token first (401 before the body is looked at), then a JSON
 * object body of any content (422 otherwise), then the key: 503 here.
 */
static const struct bcase mcp_cases[] = {
	/* a valid token and a body the route takes: the documented 503 */
	{ __LINE__, MCP, J, B("{}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, NULL, B("{}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, "application/vnd.api+json", B("{}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, J, B("{\"scope\":\"admin\",\"user_id\":\"00000000-0000-4000-8000-"
	    "000000000000\",\"is_superuser\":true}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, J, B("{\"x\":null,\"y\":[1,{}],\"z\":\"\\u0000\"}"), 503,
	    .detail = NO_MCP_KEY },
	{ __LINE__, MCP, J, B("\xef\xbb\xbf{}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, J, B("{{KEYS}\"a\":1}"), 503, .detail = NO_MCP_KEY },
	{ __LINE__, MCP, J, B("{J1M}"), 503, .detail = NO_MCP_KEY },
	/* bodies that are not a JSON object */
	{ __LINE__, MCP, J, B(""), 422, "missing", "body" },
	{ __LINE__, MCP, NULL, B(""), 422, "missing", "body" },
	{ __LINE__, MCP, J, B("null"), 422, "missing", "body" },
	{ __LINE__, MCP, J, B("[]"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("[{}]"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("\"{}\""), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("0"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("true"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("{"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{\"a\":}"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("not json"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{}{}"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{} x"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{\0}"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{\"a\":\"\xff\"}"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, J, B("{\"a\":{DEEP}}"), 422, "json_invalid", "body.#" },
	{ __LINE__, MCP, "text/plain", B("{}"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, F, B("a=b"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--\r\n"), 422,
	    "model_attributes_type", "body" },
	{ __LINE__, MCP, "application/xml", B("<a/>"), 422, "model_attributes_type", "body" },
	{ __LINE__, MCP, J, B("{J1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, MCP, J, B("{\"a\":\"{S2M}\"}"), 413, .detail = "Request body too large" },
	/* no token, or not a valid access token: 401 whatever the body */
	{ __LINE__, MCP_ANON, J, B("{}"), 401 },
	{ __LINE__, MCP_ANON, J, B("{"), 401 },
	{ __LINE__, MCP_ANON, "text/plain", B("x"), 401 },
	{ __LINE__, MCP_ANON, J, B(""), 401 },
	{ __LINE__, MCP_ANON, J, B("{J1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "garbage" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = ".." },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "a.b.c" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "e30.e30.e30" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "eyJhbGciOiJub25lIn0.e30." },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "eyJ!!!.eyJ$$$.abc" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ATOK}x" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ATOK}==" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ATOK}.{ATOK}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ACUT}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{AFLIP}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ANONE}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{ANONE2}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{AHS512}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{AWKEY}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{JBIG}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{JHUGE}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{RTOK}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{VTOK}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{RTF}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "{S4096}" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "' OR '1'='1" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "%00" },
	{ __LINE__, MCP_ANON, J, B("{}"), 401, .bearer = "\xff\xfe" },
};

static void
test_mcp_token_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_cases(mcp_cases, sizeof(mcp_cases) / sizeof(mcp_cases[0]));
	/* A's token was only ever used, never spent */
	if (au_me_status(H, A.token) != 200)
		au_bad(__LINE__, "A's access token no longer works");
	au_end();
}

/* ---- POST /auth/jwt/refresh ---- */

#define RTI	"REFRESH_TOKEN_INVALID"
#define PARSE	"There was an error parsing the body"

/*
 * {RTF} is R's live refresh token: it comes only in bodies that must be
 * refused before the lookup, so it must still refresh at the end.
 */
static const struct bcase refresh_cases[] = {
	/* missing fields */
	{ __LINE__, REFRESH, F, B(""), 422, "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token"), 422, "missing",
	    "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("refresh_token={RTF}"), 422, "missing", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=&refresh_token={RTF}"), 422, "missing",
	    "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token="), 422, "missing",
	    "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("&&&==="), 422, "missing", "body.grant_type",
	    "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("Grant_Type=refresh_token&Refresh_Token={RTF}"), 422,
	    "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token[]={RTF}"), 422,
	    "missing", "body.refresh_token" },
	/* grant types other than refresh_token */
	{ __LINE__, REFRESH, F, B("grant_type=password&refresh_token={RTF}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=Refresh_token&refresh_token={RTF}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token+&refresh_token={RTF}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_tokens&refresh_token={RTF}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=authorization_code&refresh_token={RTF}"), 422,
	    "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token%27+OR+1%3D1&refresh_token={RTF}"),
	    422, "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type={L65}&refresh_token={RTF}"), 422,
	    "string_too_long", "body.grant_type" },
	{ __LINE__, REFRESH, F, B("grant_type=%ff&refresh_token={RTF}"), 422, "string_type",
	    "body.grant_type" },
	/* JSON, and other content types, are not the form it takes */
	{ __LINE__, REFRESH, J, B("{\"grant_type\":\"refresh_token\",\"refresh_token\":\"{RTF}\"}"),
	    422, "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, NULL, B("grant_type=refresh_token&refresh_token={RTF}"), 422,
	    "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, "text/plain", B("grant_type=refresh_token&refresh_token={RTF}"), 422,
	    "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, "application/xml", B("<grant_type>refresh_token</grant_type>"), 422,
	    "missing", "body.grant_type", "body.refresh_token" },
	{ __LINE__, REFRESH, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n"
	    "--xyz\r\nContent-Disposition: form-data; name=\"refresh_token\"; filename=\"rt\"\r\n"
	    "\r\n{RTF}\r\n--xyz--\r\n"), 422, "string_type", "body.refresh_token" },
	/* tokens that are nobody's: 400 invalid_grant */
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=nope"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}x"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}%3D"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=+{RTF}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTFCUT}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTFCASE}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}{RTF}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={ATOK}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={ANONE}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTOK}"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=a.b.c"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%25"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=___________________"
	    "________________________"), 400, .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%27+OR+%271%27%3D%271"),
	    400, .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}%27+--"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%C3%A9"), 400,
	    .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, "application/x-www-form-urlencoded; charset=utf-8",
	    B("grant_type=refresh_token&refresh_token=nope"), 400, .detail = RTI,
	    .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={S1025}"), 422,
	    "string_too_long", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={S100K}"), 422,
	    "string_too_long", "body.refresh_token" },
	/* the last of repeated fields counts: {RTF} is not spent */
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}&refresh_token=nope"),
	    400, .detail = RTI, .error = "invalid_grant" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}&grant_type=password"),
	    422, "string_pattern_mismatch", "body.grant_type" },
	{ __LINE__, REFRESH, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n"
	    "--xyz\r\nContent-Disposition: form-data; name=\"refresh_token\"\r\n\r\nnope\r\n"
	    "--xyz--\r\n"), 400, .detail = RTI, .error = "invalid_grant" },
	/* broken encodings: a body that does not parse, or a value that is no string */
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%zz"), 400,
	    .detail = PARSE },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}%"), 400,
	    .detail = PARSE },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}%00"), 400,
	    .detail = PARSE },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={RTF}\0"), 400,
	    .detail = PARSE },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%ff%fe"), 422,
	    "string_type", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=\xff{RTF}"), 422,
	    "string_type", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token=%c0%af"), 422,
	    "string_type", "body.refresh_token" },
	{ __LINE__, REFRESH, "multipart/form-data; boundary=xyz", B("--xyz\r\n\r\n"), 400,
	    .detail = PARSE },
	{ __LINE__, REFRESH, "multipart/form-data", B("--xyz\r\n\r\n"), 400, .detail = PARSE },
	{ __LINE__, REFRESH, "multipart/form-data; boundary=abc",
	    B("--abc\r\nContent-Disposition: form-data; name=\"refresh_token\"\r\n\r\n{RTF}"), 400,
	    .detail = PARSE },
	/* sizes */
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={S1M}"), 422,
	    "string_too_long", "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("{F1M}"), 422, "missing", "body.grant_type",
	    "body.refresh_token" },
	{ __LINE__, REFRESH, F, B("{F1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, REFRESH, F, B("grant_type=refresh_token&refresh_token={S2M}"), 413,
	    .detail = "Request body too large" },
};

static void
test_refresh_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_cases(refresh_cases, sizeof(refresh_cases) / sizeof(refresh_cases[0]));
	/* None of it spent R's token, nor counted as a reuse that kills the family. */
	if (refresh_status(bi_var("RTF")) != 200)
		au_bad(__LINE__, "R's refresh token no longer refreshes");
	au_end();
}

/* ---- POST /auth/jwt/logout ---- */

/*
 * LOGOUT rows log L in afresh and send that token: whatever the body, the
 * answer is 204 and the token is revoked (after_row checks it).  The
 * bodies name refresh tokens badly: none may end {RTL}, L's live one, and
 * {RTO}, another user's, is not L's to end.
 */
static const struct bcase logout_cases[] = {
	/* no body, empty bodies */
	{ __LINE__, LOGOUT, NULL, B(""), 204 },
	{ __LINE__, LOGOUT, J, B(""), 204 },
	{ __LINE__, LOGOUT, F, B(""), 204 },
	/* JSON: refresh_token of every wrong type */
	{ __LINE__, LOGOUT, J, B("{}"), 204 },
	{ __LINE__, LOGOUT, J, B("null"), 204 },
	{ __LINE__, LOGOUT, J, B("[]"), 204 },
	{ __LINE__, LOGOUT, J, B("[\"{RTL}\"]"), 204 },
	{ __LINE__, LOGOUT, J, B("\"{RTL}\""), 204 },
	{ __LINE__, LOGOUT, J, B("42"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":null}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":42}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":-1.5e300}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":true}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":[]}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":[\"{RTL}\"]}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":{}}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":{\"refresh_token\":\"{RTL}\"}}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"Refresh_Token\":\"{RTL}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\",\"refresh_token\":5}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\",\"refresh_token\":\"x\"}"), 204 },
	/* JSON: strings that are almost {RTL}, or not L's */
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}x\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\" {RTL}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTLCUT}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\\u0000\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\\u0000x\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTO}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{ATOK}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{ANONE}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"' OR '1'='1\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"%\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{S10K}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{S1M}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"\\ud800\"}"), 204 },
	/* invalid JSON */
	{ __LINE__, LOGOUT, J, B("{"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\"} x"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\",}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\xff\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{RTL}\0\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{\"x\":{DEEP},\"refresh_token\":\"{RTL}\"}"), 204 },
	{ __LINE__, LOGOUT, J, B("{{KEYS}\"refresh_token\":\"nope\"}"), 204 },
	/* forms */
	{ __LINE__, LOGOUT, F, B("refresh_token="), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token=nope"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}x"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTLCUT}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token=+{RTL}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}%00"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}\0"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}%zz"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}%"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token=\xff{RTL}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTL}&refresh_token=nope"), 204 },
	{ __LINE__, LOGOUT, F, B("Refresh_Token={RTL}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token[]={RTL}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={RTO}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token=%27+OR+%271%27%3D%271"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={S10K}"), 204 },
	{ __LINE__, LOGOUT, F, B("refresh_token={S1M}"), 204 },
	{ __LINE__, LOGOUT, F, B("{F1M}"), 204 },
	{ __LINE__, LOGOUT, J, B("{J1M}"), 204 },
	/* other content types */
	{ __LINE__, LOGOUT, "text/plain", B("refresh_token={RTL}"), 204 },
	{ __LINE__, LOGOUT, "text/plain", B("{\"refresh_token\":\"{RTL}\"}"), 204 },
	{ __LINE__, LOGOUT, "application/xml", B("<refresh_token>{RTL}</refresh_token>"), 204 },
	{ __LINE__, LOGOUT, "multipart/form-data; boundary=xyz",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"refresh_token\"; filename=\"rt\"\r\n"
	    "\r\n{RTL}\r\n--xyz--\r\n"), 204 },
	{ __LINE__, LOGOUT, "multipart/form-data; boundary=xyz", B("--xyz\r\n\r\n"), 204 },
	{ __LINE__, LOGOUT, "multipart/form-data",
	    B("--xyz\r\nContent-Disposition: form-data; name=\"refresh_token\"\r\n\r\n{RTL}\r\n"
	    "--xyz--\r\n"), 204 },
	/* over the body cap: 413 before anything */
	{ __LINE__, LOGOUT, F, B("{F1M1}"), 413, .detail = "Request body too large" },
	{ __LINE__, LOGOUT, J, B("{\"refresh_token\":\"{S2M}\"}"), 413,
	    .detail = "Request body too large" },
	/* no token, or not a valid access token: 401, nothing ended */
	{ __LINE__, LOGOUT_ANON, NULL, B(""), 401 },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401 },
	{ __LINE__, LOGOUT_ANON, J, B("{\"refresh_token\":\"{RTL}\"}"), 401 },
	{ __LINE__, LOGOUT_ANON, J, B("{\"refresh_token\":42}"), 401 },
	{ __LINE__, LOGOUT_ANON, J, B("{"), 401 },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token=%zz"), 401 },
	{ __LINE__, LOGOUT_ANON, J, B("{\"refresh_token\":\"{S1M}\"}"), 401 },
	{ __LINE__, LOGOUT_ANON, J, B("{\"refresh_token\":\"{S2M}\"}"), 413,
	    .detail = "Request body too large" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{RTL}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{ANONE}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{AHS512}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{AFLIP}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{JBIG}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "{RTOK}" },
	{ __LINE__, LOGOUT_ANON, F, B("refresh_token={RTL}"), 401, .bearer = "a.b.c" },
};

static void
test_logout_bad_input(void **state)
{
	(void)state;
	au_begin();
	run_cases(logout_cases, sizeof(logout_cases) / sizeof(logout_cases[0]));
	/* No body ended L's session, nor O's. */
	if (refresh_status(bi_var("RTL")) != 200)
		au_bad(__LINE__, "L's refresh token was ended by a body that did not name it");
	if (refresh_status(bi_var("RTO")) != 200)
		au_bad(__LINE__, "O's refresh token was ended by L's logout");
	/* and A's token, sent by no LOGOUT row, was not touched */
	if (au_me_status(H, A.token) != 200)
		au_bad(__LINE__, "A's access token no longer works");
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forgot_bad_input),
		cmocka_unit_test(test_request_verify_bad_input),
		cmocka_unit_test(test_reset_bad_input),
		cmocka_unit_test(test_verify_bad_input),
		cmocka_unit_test(test_mcp_token_bad_input),
		cmocka_unit_test(test_refresh_bad_input),
		cmocka_unit_test(test_logout_bad_input),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
