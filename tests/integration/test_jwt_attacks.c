/*
 * test_jwt_attacks: the JWT attack suite of issue 8, through the real web
 * server.  One deployment signs access tokens with RS256 (JWT_PRIVATE_KEY_FILE)
 * and still accepts a previous RSA and a previous ES256 key
 * (JWT_PREVIOUS_PUBLIC_KEYS_FILE); MCP tokens are ES256 (MCP_JWT_*).  Every
 * hostile token of the table is made twice, as an access token and as an
 * MCP token (jwt_attack_util.h), and sent to both GET /users/me and a POST
 * initialize on /mcp-server/mcp (which takes access tokens too): each must
 * be answered 401 with error="invalid_token" — never 200, never 5xx, and
 * within a few seconds.  Most hostile tokens carry a real signature of a
 * key the server trusts, so that what is refused is the layer under test
 * (the header, the encoding, a claim) and not merely a bad signature.  The
 * valid forms must be accepted; server-minted tokens stop working after
 * logout, deletion or deactivation of their user, and once their key is
 * rotated out (a second server on the same database); tokens longer than
 * the web servers take are refused by the programs as plain CGI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"
#include "jwt_attack_util.h"
#include "mcp_util.h"

#define BASE		"https://mcp.example.com"
#define CANONICAL	BASE MU_PATH
#define ME		"/users/me"
#define SLOW_MS		harness_slow_ms(5000)	/* an answer slower than this is a hang */
#define INIT		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"," \
			"\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}," \
			"\"clientInfo\":{\"name\":\"attack\",\"version\":\"1\"}}}"

static struct harness	*H;
static struct au_user	 U, S;
static char		 keydir[PATH_MAX];
static char		 unknown[37];
static struct ja_family	 fam[JA__MAX];
static EVP_PKEY		*k_cur, *k_prev, *k_prev_es, *k_mcp, *k_for_rsa, *k_for_ec;
/* What was sent, for the summary line. */
static size_t		 n_tokens, n_me, n_mcp;

/* ---- the deployment ---- */

/* keydir/name; static until the next call. */
static const char *
keypath(const char *name)
{
	static char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", keydir, name);
	return p;
}

/* Writes the public PEMs of a and b into keydir/name. */
static void
write_publics(const char *name, EVP_PKEY *a, EVP_PKEY *b)
{
	char *pa = au_key_public_pem(a), *pb = au_key_public_pem(b);
	FILE *f = fopen(keypath(name), "wx");

	assert_non_null(pa);
	assert_non_null(pb);
	assert_non_null(f);
	assert_true(fputs(pa, f) >= 0 && fputs(pb, f) >= 0);
	assert_int_equal(fclose(f), 0);
	free(pa);
	free(pb);
}

static void
family(struct ja_family *f, const char *name, EVP_PKEY *key, EVP_PKEY *es,
    EVP_PKEY *prev, EVP_PKEY *foreign)
{
	f->name = name;
	f->alg = EVP_PKEY_is_a(key, "EC") ? "ES256" : "RS256";
	f->other_alg = EVP_PKEY_is_a(key, "EC") ? "RS256" : "ES256";
	f->key = key;
	f->es = es;
	f->prev = prev;
	f->foreign = foreign;
	assert_non_null(f->kid = au_key_kid(key));
	assert_non_null(f->es_kid = au_key_kid(es));
	assert_non_null(f->prev_kid = au_key_kid(prev));
	assert_non_null(f->foreign_kid = au_key_kid(foreign));
	assert_non_null(f->foreign_jwk = au_key_jwk(foreign));
	assert_non_null(f->pem = au_key_public_pem(key));
	assert_non_null(f->der = au_key_public_der(key, &f->der_len));
}

static int
group_setup(void **state)
{
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "PUBLIC_BASE_URL=" BASE, "JWT_ALGORITHM=RS256", "MCP_JWT_ALGORITHM=ES256",
	    NULL, NULL, NULL, NULL };
	static char e_priv[2 * PATH_MAX], e_prev[2 * PATH_MAX], e_mcp[2 * PATH_MAX];
	struct harness_opts o = { .env = env, .procs = 2 };
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(keydir, sizeof(keydir), "%s/fu-jwt-XXXXXX",
	    t != NULL && *t != '\0' && strlen(t) < 64 ? t : "/tmp");
	if (mkdtemp(keydir) == NULL || chmod(keydir, 0755) != 0)
		return -1;
	if ((k_cur = au_key_new("RS256")) == NULL || (k_prev = au_key_new("RS256")) == NULL ||
	    (k_prev_es = au_key_new("ES256")) == NULL || (k_mcp = au_key_new("ES256")) == NULL ||
	    (k_for_rsa = au_key_new("RS256")) == NULL || (k_for_ec = au_key_new("ES256")) == NULL)
		return -1;
	if (au_key_write_private(k_cur, keypath("cur.pem")) != 0 ||
	    au_key_write_private(k_mcp, keypath("mcp.pem")) != 0)
		return -1;
	write_publics("prev.pem", k_prev, k_prev_es);
	snprintf(e_priv, sizeof(e_priv), "JWT_PRIVATE_KEY_FILE=%s", keypath("cur.pem"));
	snprintf(e_prev, sizeof(e_prev), "JWT_PREVIOUS_PUBLIC_KEYS_FILE=%s",
	    keypath("prev.pem"));
	snprintf(e_mcp, sizeof(e_mcp), "MCP_JWT_PRIVATE_KEY_FILE=%s", keypath("mcp.pem"));
	env[6] = e_priv;
	env[7] = e_prev;
	env[8] = e_mcp;
	family(&fam[JA_ACCESS], "access", k_cur, k_prev_es, k_prev, k_for_rsa);
	fam[JA_ACCESS].iss = "";
	fam[JA_ACCESS].aud = "[\"fastapi-users:auth\"]";
	fam[JA_ACCESS].audv = "fastapi-users:auth";
	family(&fam[JA_MCP], "mcp", k_mcp, k_mcp, k_mcp, k_for_ec);
	fam[JA_MCP].iss = ",\"iss\":\"personal-server\",\"scope\":\"mcp-access\"";
	fam[JA_MCP].aud = "\"mcp-server\"";
	fam[JA_MCP].audv = "mcp-server";
	au_uuid4(unknown);
	if ((H = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(H, "victim", &U) != 0 || au_new_user(H, "admin", &S) != 0 ||
	    au_make_superuser(H, &S) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	static const char *const files[] = { "cur.pem", "mcp.pem", "prev.pem",
	    "new.pem", "newmcp.pem", NULL };
	int rc = harness_finish(&H);

	(void)state;
	print_message("  jwt attacks: %zu hostile tokens, %zu requests to %s and %zu to %s\n",
	    n_tokens, n_me, ME, n_mcp, MU_PATH);
	for (int i = 0; i < JA__MAX; i++) {
		free(fam[i].kid);
		free(fam[i].es_kid);
		free(fam[i].prev_kid);
		free(fam[i].foreign_kid);
		free(fam[i].foreign_jwk);
		free(fam[i].pem);
		OPENSSL_free(fam[i].der);
	}
	EVP_PKEY_free(k_cur);
	EVP_PKEY_free(k_prev);
	EVP_PKEY_free(k_prev_es);
	EVP_PKEY_free(k_mcp);
	EVP_PKEY_free(k_for_rsa);
	EVP_PKEY_free(k_for_ec);
	for (size_t i = 0; files[i] != NULL; i++)
		unlink(keypath(files[i]));
	rmdir(keydir);
	return rc;
}

/* ---- sending ---- */

/* GET /users/me with tok on h; the status (0: no answer), r filled. */
static long
send_me(int line, struct harness *h, const char *tok, struct http_resp *r)
{
	int64_t t0 = au_now_ms();

	n_me++;
	if (au_get(h, ME, tok, r) != 0)
		au_bad(line, "%s: no answer", ME);
	else if (au_now_ms() - t0 > SLOW_MS)
		au_bad(line, "%s: %lld ms", ME, (long long)(au_now_ms() - t0));
	return r->status;
}

/* POST initialize with tok on h; the status (0: no answer), r filled. */
static long
send_mcp(int line, struct harness *h, const char *tok, struct http_resp *r)
{
	struct mu_req q = { .token = tok, .body = INIT };
	int64_t t0 = au_now_ms();

	n_mcp++;
	if (mu_send(h, &q, r) != 0)
		au_bad(line, "%s: no answer", MU_PATH);
	else if (au_now_ms() - t0 > SLOW_MS)
		au_bad(line, "%s: %lld ms", MU_PATH, (long long)(au_now_ms() - t0));
	return r->status;
}

/*
 * Whether r is the web server's own 400 (an HTML page, not our JSON) for
 * a header it will not pass on, which server_400 allows: lighttpd and
 * Apache refuse control characters in a header value before any program
 * runs.
 */
static int
server_refused(const struct http_resp *r, int server_400)
{
	return server_400 && r->status == 400 && !au_is_json(r);
}

/* Both endpoints refuse tok: 401 with error="invalid_token". */
static void
expect_refused_ex(int line, struct harness *h, const char *what, const char *tok,
    int server_400)
{
	struct http_resp r;
	const char *w;

	if (send_me(line, h, tok, &r) == 401)
		au_check_401(line, &r, 1);
	else if (r.status != 0 && !server_refused(&r, server_400))
		au_bad(line, "%s: %s: %ld, want 401: %.200s", what, ME, r.status,
		    r.body ? r.body : "");
	http_resp_free(&r);
	if (send_mcp(line, h, tok, &r) == 401) {
		w = http_resp_header(&r, "WWW-Authenticate");
		if (w == NULL || strncmp(w, "Bearer ", 7) != 0 ||
		    strstr(w, "error=\"invalid_token\"") == NULL)
			au_bad(line, "%s: %s: WWW-Authenticate %s", what, MU_PATH,
			    w ? w : "(none)");
		if (!mu_error_without_id(&r))
			au_bad(line, "%s: %s: not a JSON-RPC error: %.200s", what, MU_PATH,
			    r.body ? r.body : "");
	} else if (r.status != 0 && !server_refused(&r, server_400))
		au_bad(line, "%s: %s: %ld, want 401: %.200s", what, MU_PATH, r.status,
		    r.body ? r.body : "");
	http_resp_free(&r);
}

static void
expect_refused(int line, struct harness *h, const char *what, const char *tok)
{
	expect_refused_ex(line, h, what, tok, 0);
}

/* ---- the hostile tokens ---- */

#define A	(1u << JA_ACCESS)
#define M	(1u << JA_MCP)
/* The family's header and claims, with something added. */
#define HDR(x)		"{\"alg\":\"{ALG}\",\"kid\":\"{KID}\",\"typ\":\"JWT\"" x "}"
#define H0		HDR("")
#define PAY(x)		"{\"sub\":\"{SUB}\"{ISS},\"aud\":{AUD},\"exp\":{EXP}" x "}"
#define P0		PAY("")
#define NOEXP(x)	"{\"sub\":\"{SUB}\"{ISS},\"aud\":{AUD}" x "}"
#define NOAUD(x)	"{\"sub\":\"{SUB}\"{ISS},\"exp\":{EXP}" x "}"
#define NOSUB(x)	"{\"aud\":{AUD}{ISS},\"exp\":{EXP}" x "}"
#define ES(x)		"{\"alg\":\"ES256\",\"kid\":\"{ESKID}\",\"typ\":\"JWT\"" x "}"

static const struct ja_case hostile[] = {
	/* alg none, in any case, signed or not */
	{ __LINE__, "{\"alg\":\"none\",\"typ\":\"JWT\"}", P0, S_NONE, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"None\",\"typ\":\"JWT\"}", P0, S_NONE, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"NONE\",\"typ\":\"JWT\"}", P0, S_NONE, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"nOnE\",\"typ\":\"JWT\"}", P0, S_NONE, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"none\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"none\"}", P0, S_NONE, E_URL, M_DETACH, 0 },
	{ __LINE__, "{\"typ\":\"JWT\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":null,\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":[\"{ALG}\"],\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\\u0000\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG} \",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	/* the algorithm swapped for the other key type, or an HMAC one */
	{ __LINE__, "{\"alg\":\"{OALG}\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", P0, S_SECRET, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"{KID}\"}", P0, S_SECRET, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":\"{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	/* key confusion: HMAC keyed with the public key */
	{ __LINE__, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", P0, S_PEM, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"{KID}\"}", P0, S_PEM, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"{KID}\"}", P0, S_PEM_NONL, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS384\",\"kid\":\"{KID}\"}", P0, S_PEM384, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS512\",\"kid\":\"{KID}\"}", P0, S_PEM512, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"{KID}\"}", P0, S_DER, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"{KID}\"}", P0, S_KIDKEY, E_URL, M_NONE, 0 },
	/* ES256 with r = s = 0 (CVE-2022-21449), r = s = n, and the DER of 0, 0 */
	{ __LINE__, ES(""), P0, S_ZERO, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"ES256\"}", P0, S_ZERO, E_URL, M_NONE, 0 },
	{ __LINE__, ES(""), P0, S_ORDER, E_URL, M_NONE, 0 },
	{ __LINE__, ES(""), P0, S_ZERO_DER, E_URL, M_NONE, 0 },
	{ __LINE__, H0, P0, S_ZERO, E_URL, M_NONE, 0 },
	/* keys named by the token: jwk (CVE-2018-0114), jku, x5u, x5c */
	{ __LINE__, "{\"alg\":\"{ALG}\",\"jwk\":{FJWK}}", P0, S_FOREIGN, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{FKID}\",\"jwk\":{FJWK}}", P0, S_FOREIGN,
	    E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{KID}\",\"jwk\":{FJWK}}", P0, S_FOREIGN,
	    E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{FKID}\",\"jku\":\"https://evil.example/"
	    "jwks.json\"}", P0, S_FOREIGN, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{KID}\",\"jku\":\"http://127.0.0.1:1/"
	    "jwks.json\"}", P0, S_FOREIGN, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"x5u\":\"https://evil.example/cert.pem\"}", P0,
	    S_FOREIGN, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"x5c\":[\"MIIBfake\"]}", P0, S_FOREIGN, E_URL,
	    M_NONE, 0 },
	{ __LINE__, H0, P0, S_FOREIGN, E_URL, M_NONE, 0 },
	/* kid: path traversal, SQL, wrong types, a key it does not name */
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"../../../../../../dev/null\"}", P0,
	    S_EMPTY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"../../../../../../etc/passwd\"}", P0,
	    S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"../{KID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"x' UNION SELECT 'key' --\"}", P0, S_WORD,
	    E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{KID}' OR '1'='1\"}", P0, S_KEY, E_URL,
	    M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{KID}\\u0000\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":7}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":[\"{KID}\"]}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{KID}{KID}{KID}{KID}\"}", P0, S_KEY, E_URL,
	    M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{FKID}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{PKID}\"}", P0, S_KEY, E_URL, M_NONE, A },
	/* crit and b64 (RFC 7515 §4.1.11, RFC 7797) */
	{ __LINE__, HDR(",\"crit\":[\"exp\"]"), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"crit\":[]"), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"crit\":\"b64\",\"b64\":true"), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"b64\":false,\"crit\":[\"b64\"]"), P0, S_KEY, E_RAW_PAY, M_NONE, 0 },
	{ __LINE__, HDR(",\"b64\":false"), P0, S_KEY, E_RAW_PAY, M_NONE, 0 },
	{ __LINE__, HDR(",\"b64\":false"), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"b64\":false,\"crit\":[\"b64\"]"), P0, S_KEY, E_URL, M_DETACH, 0 },
	/*
	 * base64: padding, '+' '/', stray bits; dots and blanks.  A trailing
	 * space or tab is not among them: HTTP strips it from a header value
	 * (RFC 9110 §5.5), so the program gets the token without it.  Both
	 * servers answer a vertical tab or form feed with their own 400.
	 */
	{ __LINE__, H0, P0, S_KEY, E_PAD_HDR, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"x\":\"?\""), S_KEY, E_PAD_PAY, M_NONE, 0 },
	{ __LINE__, HDR(",\"x\":\"?\?\?>>>\""), P0, S_KEY, E_STD_HDR, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"x\":\"?\?\?>>>\""), S_KEY, E_STD_PAY, M_NONE, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_PAD_SIG, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_STD_SIG, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_BITS_SIG, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_DOT, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_DOTS, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_LEAD_DOT, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_EXTRA_PART, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_SPACE_IN, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_TAB_IN, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_LEAD_SP, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_VT, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_FF, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_NBSP, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_PCT, 0 },
	/* the signature one byte short or long, one character short, absent */
	{ __LINE__, H0, P0, S_KEY, E_URL, M_TRUNC_SIG, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_EXTEND_SIG, 0 },
	{ __LINE__, H0, P0, S_KEY, E_URL, M_CHAR_SIG, 0 },
	{ __LINE__, H0, P0, S_NONE, E_URL, M_NONE, 0 },
	/* duplicate members: the header's alg, and claims */
	{ __LINE__, "{\"alg\":\"none\",\"alg\":\"{ALG}\",\"kid\":\"{KID}\"}", P0, S_KEY,
	    E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"alg\":\"none\",\"kid\":\"{KID}\"}", P0, S_KEY,
	    E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"kid\":\"{FKID}\",\"kid\":\"{KID}\"}", P0, S_KEY,
	    E_URL, M_NONE, 0 },
	{ __LINE__, H0, "{\"sub\":\"{UNKNOWN}\",\"sub\":\"{SUB}\"{ISS},\"aud\":{AUD},"
	    "\"exp\":{EXP}}", S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\"{ISS},\"aud\":{AUD},\"exp\":{PAST},\"exp\":{EXP}}",
	    S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\"{ISS},\"aud\":\"x\",\"aud\":{AUD},\"exp\":{EXP}}",
	    S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":{FUT},\"iat\":{NOW}"), S_KEY, E_URL, M_NONE, 0 },
	/* not one JSON object */
	{ __LINE__, H0, "[" P0 "]", S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, P0 " x", S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, P0 "{}", S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",/* c */\"x\":1"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "[" H0 "]", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, "", S_KEY, E_URL, M_NONE, 0 },
	/* exp, nbf, iat: strings, floats, NaN, huge, negative, missing, null */
	{ __LINE__, H0, NOEXP(",\"exp\":\"{EXP}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":{EXP}.0"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":{EXP}.5"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":{EXP}e0"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":NaN"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":Infinity"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":1e400"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":99999999999999999999999"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":9223372036854775807"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":9007199254740993"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":-1"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":-9223372036854775808"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":{PAST}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":null"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":true"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOEXP(",\"exp\":[{EXP}]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"nbf\":\"{NOW}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"nbf\":{PAST}.5"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"nbf\":{FUT}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"nbf\":-1"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"nbf\":1e400"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":\"{NOW}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":{NOW}.25"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":NaN"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":{FUT}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":99999999999999999999"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":-100"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":null"), S_KEY, E_URL, M_NONE, 0 },
	/* aud of the wrong type or value */
	{ __LINE__, H0, NOAUD(",\"aud\":1"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":{\"{AUDV}\":true}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":null"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":true"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":[[\"{AUDV}\"]]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":[\"{AUDV}\",1]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":[]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"{AUDV}\\u0000\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"{AUDV} \""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"{AUDV}\\ud800\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"MCP-SERVER\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"fastapi-users:reset\""), S_KEY, E_URL, M_NONE, 0 },
	/* sub as a number, array, object, unknown id, with NUL, injected */
	{ __LINE__, H0, NOSUB(",\"sub\":12345"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":[\"{SUB}\"]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":{\"id\":\"{SUB}\"}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":null"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":true"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"{UNKNOWN}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"{SUB}\\u0000\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"{SUB}\\u0000{UNKNOWN}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"' OR 1=1 --\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"{SUB}' OR '1'='1\""), S_KEY, E_URL, M_NONE, 0 },
	/* NUL bytes and invalid UTF-8 in the JSON text */
	{ __LINE__, H0, NOSUB(",\"sub\":\"{SUB}\x01\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, P0 "\x01", S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"x\":\"\x01\""), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"name\":\"\xff\xfe\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"name\":\"\xc0\xaf\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"name\":\"\xed\xa0\x80\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"x\":\"\xf5\x80\x80\x80\""), P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOSUB(",\"sub\":\"{SUB}\xe9\""), S_KEY, E_URL, M_NONE, 0 },
	/* the MCP claims: iss, and a scope that hides a NUL */
	{ __LINE__, H0, "{\"sub\":\"{SUB}\",\"aud\":{AUD},\"exp\":{EXP},\"scope\":\"mcp-access\"}",
	    S_KEY, E_URL, M_NONE, M },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\",\"iss\":\"personal-server\\u0000\",\"aud\":{AUD},"
	    "\"exp\":{EXP},\"scope\":\"mcp-access\"}", S_KEY, E_URL, M_NONE, M },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\",\"iss\":7,\"aud\":{AUD},\"exp\":{EXP},"
	    "\"scope\":\"mcp-access\"}", S_KEY, E_URL, M_NONE, M },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\",\"iss\":\"personal-server\",\"aud\":{AUD},"
	    "\"exp\":{EXP},\"scope\":\"mcp-access\\u0000\"}", S_KEY, E_URL, M_NONE, M },
	{ __LINE__, H0, "{\"sub\":\"{SUB}\",\"iss\":\"personal-server\",\"aud\":{AUD},"
	    "\"exp\":{EXP},\"scope\":\"mcp-access\",\"jti\":7}", S_KEY, E_URL, M_NONE, M },
	/* about 8 KB: unsigned, foreign, and junk */
	{ __LINE__, "{\"alg\":\"none\",\"x\":\"{PAD}\"}", P0, S_NONE, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"x\":\"{PAD}\""), S_FOREIGN, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"x\":\"{PAD}\""), P0, S_PEM, E_URL, M_NONE, 0 },
};

/* Each hostile token of the table, in both families, at both endpoints. */
static void
test_hostile(void **state)
{
	struct ja_vars v = { U.id, unknown, harness_env(H, "JWT_SECRET") };
	size_t n = 0;

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		for (int f = 0; f < JA__MAX; f++) {
			char *tok, what[64];
			size_t len;

			if (!ja_applies(&hostile[i], f))
				continue;
			tok = ja_make(&fam[f], &v, &hostile[i], &len);
			snprintf(what, sizeof(what), "%s token", fam[f].name);
			expect_refused_ex(hostile[i].line, H, what, tok,
			    hostile[i].mut == M_VT || hostile[i].mut == M_FF);
			free(tok);
			n++;
		}
	n_tokens += n;
	print_message("  %zu hostile tokens from %zu cases\n", n,
	    sizeof(hostile) / sizeof(hostile[0]));
	au_end();
}

/* ---- the valid forms ---- */

/* An access token of the previous RSA key: both deployments accept it. */
#define PREV_CASE	{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"{PKID}\",\"typ\":\"JWT\"}", \
			    P0, S_PREV, E_URL, M_NONE, A }
static const struct ja_case by_prev = PREV_CASE;

static const struct ja_case valid[] = {
	{ __LINE__, H0, P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\",\"typ\":\"JWT\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, "{\"alg\":\"{ALG}\"}", P0, S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, HDR(",\"cty\":\"JWT\",\"x-unknown\":{\"a\":[1,2]}"), P0, S_KEY, E_URL,
	    M_NONE, 0 },
	/* aud as a string or a list that holds ours */
	{ __LINE__, H0, NOAUD(",\"aud\":\"{AUDV}\""), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":[\"{AUDV}\"]"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":[\"other\",\"{AUDV}\",\"more\"]"), S_KEY, E_URL,
	    M_NONE, 0 },
	{ __LINE__, H0, NOAUD(",\"aud\":\"" CANONICAL "\""), S_KEY, E_URL, M_NONE, M },
	/* unknown claims, and times that are fine */
	{ __LINE__, H0, PAY(",\"foo\":\"bar\",\"n\":1.5,\"o\":{\"p\":[null,true]},"
	    "\"email\":\"x@example.com\",\"jti\":\"0123456789abcdef\""), S_KEY, E_URL,
	    M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":{PAST},\"nbf\":{PAST}"), S_KEY, E_URL, M_NONE, 0 },
	{ __LINE__, H0, PAY(",\"iat\":{NOW},\"nbf\":{NOW}"), S_KEY, E_URL, M_NONE, 0 },
	/* access: the previous keys, RSA and ES256, by kid or without one */
	PREV_CASE,
	{ __LINE__, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P0, S_PREV, E_URL, M_NONE, A },
	{ __LINE__, ES(""), P0, S_ES, E_URL, M_NONE, A },
	{ __LINE__, "{\"alg\":\"ES256\"}", P0, S_ES, E_URL, M_NONE, A },
};

static void
test_valid(void **state)
{
	struct ja_vars v = { U.id, unknown, harness_env(H, "JWT_SECRET") };
	struct http_resp r;

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		for (int f = 0; f < JA__MAX; f++) {
			const struct ja_case *c = &valid[i];
			char *tok;
			size_t len;

			if (!ja_applies(c, f))
				continue;
			tok = ja_make(&fam[f], &v, c, &len);
			/* an access token at /users/me; an MCP token is none */
			if (send_me(c->line, H, tok, &r) != (f == JA_ACCESS ? 200 : 401))
				au_bad(c->line, "%s token: %s: %ld: %.200s", fam[f].name, ME,
				    r.status, r.body ? r.body : "");
			else if (f == JA_ACCESS && strcmp(au_jstr(r.json, "id"), U.id) != 0)
				au_bad(c->line, "%s: another user: %.200s", ME, r.body);
			http_resp_free(&r);
			/* both at the MCP endpoint (MCP_ACCEPT_ACCESS_TOKENS) */
			if (send_mcp(c->line, H, tok, &r) != 200 || mu_result(&r) == NULL)
				au_bad(c->line, "%s token: %s: %ld: %.200s", fam[f].name,
				    MU_PATH, r.status, r.body ? r.body : "");
			http_resp_free(&r);
			free(tok);
		}
	au_end();
}

/* ---- tokens the server minted, after what ends them ---- */

/* An MCP token for u from POST /auth/mcp-token into out (AU_TOKEN_MAX). */
static void
mcp_token(struct harness *h, const struct au_user *u, char *out)
{
	struct http_resp r;
	const char *t;

	assert_int_equal(au_json(h, "POST", "/auth/mcp-token", u->token, "{}", &r), 0);
	if (r.status != 200 || (t = au_jstr(r.json, "mcp_token")) == NULL)
		fail_msg("/auth/mcp-token: %ld %.300s", r.status, r.body ? r.body : "");
	snprintf(out, AU_TOKEN_MAX, "%s", t);
	http_resp_free(&r);
}

/* tok works: /users/me (access tokens only) and the MCP endpoint. */
static void
expect_works(int line, struct harness *h, const char *tok, int access)
{
	struct http_resp r;

	if (access && send_me(line, h, tok, &r) != 200)
		au_bad(line, "%s: %ld, want 200", ME, r.status);
	if (access)
		http_resp_free(&r);
	if (send_mcp(line, h, tok, &r) != 200)
		au_bad(line, "%s: %ld, want 200: %.200s", MU_PATH, r.status,
		    r.body ? r.body : "");
	http_resp_free(&r);
}

/* `method` /users/{id} with the superuser's token (and a JSON body): want. */
static void
as_superuser(int line, const char *method, const char *id, const char *json, long want)
{
	struct http_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/users/%s", id);
	assert_int_equal(au_send(H, method, path, S.token, json ? "application/json" : NULL,
	    NULL, json, json ? strlen(json) : 0, &r), 0);
	if (r.status != want)
		au_bad(line, "%s %s: %ld, want %ld", method, path, r.status, want);
	http_resp_free(&r);
}

static void
test_lifecycle(void **state)
{
	struct au_user lo, del, ina, pw;
	char lo_mcp[AU_TOKEN_MAX], del_mcp[AU_TOKEN_MAX], ina_mcp[AU_TOKEN_MAX];
	char pw_old[AU_TOKEN_MAX], *body;
	struct http_resp r;

	(void)state;
	assert_int_equal(au_new_user(H, "logout", &lo), 0);
	assert_int_equal(au_new_user(H, "deleted", &del), 0);
	assert_int_equal(au_new_user(H, "inactive", &ina), 0);
	assert_int_equal(au_new_user(H, "password", &pw), 0);
	mcp_token(H, &lo, lo_mcp);
	mcp_token(H, &del, del_mcp);
	mcp_token(H, &ina, ina_mcp);
	au_begin();
	expect_works(__LINE__, H, lo.token, 1);
	expect_works(__LINE__, H, del.token, 1);
	expect_works(__LINE__, H, del_mcp, 0);
	expect_works(__LINE__, H, ina.token, 1);
	expect_works(__LINE__, H, ina_mcp, 0);
	/* logout */
	assert_int_equal(au_send(H, "POST", "/auth/jwt/logout", lo.token, NULL, NULL, "", 0,
	    &r), 0);
	if (r.status != 204)
		au_bad(__LINE__, "logout: %ld", r.status);
	http_resp_free(&r);
	expect_refused(__LINE__, H, "after logout", lo.token);
	expect_works(__LINE__, H, lo_mcp, 0);	/* logout ends the access token only */
	/* deleted by a superuser */
	as_superuser(__LINE__, "DELETE", del.id, NULL, 204);
	expect_refused(__LINE__, H, "deleted user", del.token);
	expect_refused(__LINE__, H, "deleted user", del_mcp);
	/* made inactive by a superuser */
	as_superuser(__LINE__, "PATCH", ina.id, "{\"is_active\":false}", 200);
	expect_refused(__LINE__, H, "inactive user", ina.token);
	expect_refused(__LINE__, H, "inactive user", ina_mcp);
	/* a password change: the tokens from before it, but the one that changed it */
	snprintf(pw_old, sizeof(pw_old), "%s", pw.token);
	assert_int_equal(au_login(H, pw.email, pw.password, pw.token, sizeof(pw.token)), 200);
	assert_true(asprintf(&body, "{\"password\":\"%s-new\"}", pw.password) > 0);
	assert_int_equal(au_json(H, "PATCH", ME, pw.token, body, &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "PATCH %s: %ld", ME, r.status);
	http_resp_free(&r);
	free(body);
	expect_refused(__LINE__, H, "before a password change", pw_old);
	n_tokens += 6;
	au_end();
}

/*
 * Rotation: a second deployment on the same database whose current key is
 * new and whose previous key is the old previous one — the key the first
 * server signs with is rotated out, and so is the MCP key.
 */
static void
test_rotated_out(void **state)
{
	char db[PATH_MAX + 16], secret[128], priv[2 * PATH_MAX], prev[2 * PATH_MAX],
	    mcp[2 * PATH_MAX], old_mcp[AU_TOKEN_MAX];
	const char *env[] = { db, secret, priv, prev, mcp, "PUBLIC_BASE_URL=" BASE,
	    "JWT_ALGORITHM=RS256", "MCP_JWT_ALGORITHM=ES256",
	    "PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1", NULL };
	struct harness_opts o = { .env = env, .procs = 1, .no_migrate = 1 };
	struct ja_vars v = { U.id, unknown, harness_env(H, "JWT_SECRET") };
	EVP_PKEY *k_new = au_key_new("RS256"), *k_newmcp = au_key_new("ES256");
	char *prev_tok;
	struct au_user w;
	struct harness *h2;
	size_t len;

	(void)state;
	assert_non_null(k_new);
	assert_non_null(k_newmcp);
	assert_int_equal(au_key_write_private(k_new, keypath("new.pem")), 0);
	assert_int_equal(au_key_write_private(k_newmcp, keypath("newmcp.pem")), 0);
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	snprintf(priv, sizeof(priv), "JWT_PRIVATE_KEY_FILE=%s", keypath("new.pem"));
	snprintf(prev, sizeof(prev), "JWT_PREVIOUS_PUBLIC_KEYS_FILE=%s", keypath("prev.pem"));
	snprintf(mcp, sizeof(mcp), "MCP_JWT_PRIVATE_KEY_FILE=%s", keypath("newmcp.pem"));
	assert_int_equal(au_new_user(H, "rotated", &w), 0);
	mcp_token(H, &w, old_mcp);
	prev_tok = ja_make(&fam[JA_ACCESS], &v, &by_prev, &len);
	assert_non_null(h2 = harness_start(&o));
	au_begin();
	/* what the first server minted, with keys the second no longer has */
	expect_refused(__LINE__, h2, "rotated-out key", w.token);
	expect_refused(__LINE__, h2, "rotated-out MCP key", old_mcp);
	expect_refused(__LINE__, h2, "rotated-out key", U.token);
	n_tokens += 3;
	/* the key both still list, and the second server's own tokens, work */
	expect_works(__LINE__, h2, prev_tok, 1);
	if (au_login(h2, w.email, w.password, w.token, sizeof(w.token)) != 200)
		au_bad(__LINE__, "login on the second server");
	else {
		expect_works(__LINE__, h2, w.token, 1);
		expect_refused(__LINE__, H, "a key the first server never had", w.token);
		n_tokens++;
	}
	if (harness_finish(&h2) != 0)
		au_bad(__LINE__, "sanitizer report on the second server");
	free(prev_tok);
	EVP_PKEY_free(k_new);
	EVP_PKEY_free(k_newmcp);
	au_end();
}

/*
 * Tokens longer than the web servers take: lighttpd answers 431 and Apache
 * 400 before any program runs, which is fine (no 200, no 5xx).  The
 * programs' own cap (JWT_MAX_TOKEN, 8192 bytes) is reached as plain CGI.
 */
static void
test_oversized(void **state)
{
	static const size_t sizes[] = { 8193, 9000, 16384, 65536 };
	char db[PATH_MAX + 16], secret[128], priv[2 * PATH_MAX], *auth;
	struct http_resp r;

	(void)state;
	au_begin();
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(H, "JWT_SECRET"));
	snprintf(priv, sizeof(priv), "JWT_PRIVATE_KEY_FILE=%s", keypath("cur.pem"));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* a real token, padded with a claim's worth of base64url */
		size_t n = sizes[i], tl = strlen(U.token);
		char *tok = malloc(n + 1);
		struct cgi_result c;

		assert_non_null(tok);
		memset(tok, 'A', n);
		memcpy(tok + n - tl, U.token, tl);
		tok[n] = '\0';
		if (send_me(__LINE__, H, tok, &r) == 200 || r.status >= 500 || r.status < 400)
			au_bad(__LINE__, "%zu bytes: %s: %ld", n, ME, r.status);
		http_resp_free(&r);
		if (send_mcp(__LINE__, H, tok, &r) == 200 || r.status >= 500 || r.status < 400)
			au_bad(__LINE__, "%zu bytes: %s: %ld", n, MU_PATH, r.status);
		http_resp_free(&r);
		assert_true(asprintf(&auth, "HTTP_AUTHORIZATION=Bearer %s", tok) > 0);
		{
			const char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=" ME,
			    "SCRIPT_NAME=", "PATH_INFO=" ME, "SERVER_PROTOCOL=HTTP/1.1",
			    "JWT_ALGORITHM=RS256", db, secret, priv, auth, NULL };

			assert_int_equal(harness_cgi("users.fcgi", env, NULL, 0, &c), 0);
			if (strncmp(c.out, "Status: 401", 11) != 0)
				au_bad(__LINE__, "%zu bytes, CGI: %.200s %.200s", n, c.out, c.err);
			cgi_result_free(&c);
		}
		free(auth);
		free(tok);
		n_tokens++;
	}
	au_end();
}

/* Runs `program` as plain CGI on H's deployment, RS256 with the key
 * settings `keys` (NULL-terminated) and the token as Bearer. */
static void
run_cgi(const char *program, const char *uri, const char *token,
    const char *const *keys, struct cgi_result *c)
{
	static struct harness_cgi_env e;
	static char auth[AU_TOKEN_MAX + 32];
	const char *extra[8] = { "JWT_ALGORITHM=RS256", auth };
	size_t n = 2;

	snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %s", token);
	for (size_t i = 0; keys[i] != NULL && n + 1 < 8; i++)
		extra[n++] = keys[i];
	extra[n] = NULL;
	harness_cgi_env(&e, H, "GET", uri, 1, extra);
	assert_int_equal(harness_cgi(program, e.v, NULL, 0, c), 0);
}

/*
 * A program that only verifies holds the public key alone
 * (JWT_PUBLIC_KEY_FILE without JWT_PRIVATE_KEY_FILE): users.fcgi accepts
 * the deployment's tokens and refuses those of another key; auth.fcgi,
 * which signs, refuses to work that way and says why; with neither key
 * every program refuses.
 */
static void
test_public_key_only(void **state)
{
	static char pub[PATH_MAX + 256], other[PATH_MAX + 256];
	const char *with_pub[] = { pub, NULL }, *with_other[] = { other, NULL },
	    *with_none[] = { NULL };
	struct cgi_result c;
	char *pem;
	FILE *f;

	(void)state;
	au_begin();
	for (int i = 0; i < 2; i++) {
		assert_non_null(pem = au_key_public_pem(i == 0 ? k_cur : k_for_rsa));
		assert_non_null(f = fopen(keypath(i == 0 ? "curpub.pem" : "otherpub.pem"), "w"));
		assert_true(fputs(pem, f) >= 0);
		assert_int_equal(fclose(f), 0);
		free(pem);
	}
	snprintf(pub, sizeof(pub), "JWT_PUBLIC_KEY_FILE=%s", keypath("curpub.pem"));
	snprintf(other, sizeof(other), "JWT_PUBLIC_KEY_FILE=%s", keypath("otherpub.pem"));
	run_cgi("users.fcgi", ME, U.token,
	    with_pub, &c);
	if (strncmp(c.out, "Status: 200", 11) != 0 || strstr(c.out, U.email) == NULL)
		au_bad(__LINE__, "users.fcgi with the public key: %.300s | %.300s",
		    c.out, c.err);
	cgi_result_free(&c);
	run_cgi("users.fcgi", ME, U.token,
	    with_other, &c);
	if (strncmp(c.out, "Status: 401", 11) != 0)
		au_bad(__LINE__, "users.fcgi with another public key: %.300s", c.out);
	cgi_result_free(&c);
	run_cgi("users.fcgi", ME, U.token,
	    with_none, &c);
	if (strncmp(c.out, "Status: 503", 11) != 0 ||
	    strstr(c.err, "JWT_PRIVATE_KEY") == NULL)
		au_bad(__LINE__, "users.fcgi with no key: %.300s | %.300s", c.out, c.err);
	cgi_result_free(&c);
	run_cgi("auth.fcgi", "/.well-known/jwks.json", U.token, with_pub, &c);
	if (strncmp(c.out, "Status: 503", 11) != 0 ||
	    strstr(c.out, "Service misconfigured") == NULL ||
	    strstr(c.err, "JWT_PRIVATE_KEY") == NULL || strstr(c.err, "BEGIN") != NULL)
		au_bad(__LINE__, "auth.fcgi with the public key only: %.300s | %.300s",
		    c.out, c.err);
	cgi_result_free(&c);
	unlink(keypath("curpub.pem"));
	unlink(keypath("otherpub.pem"));
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_rotated_out),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_public_key_only),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
