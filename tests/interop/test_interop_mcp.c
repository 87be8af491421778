/*
 * test_interop_mcp: the MCP tokens of POST /auth/mcp-token against
 * third-party JWT verifiers, through a real lighttpd
 * (tests/integration/harness.h).
 *
 *	test_interop_mcp pyjwt	PyJWT (Debian's python3-jwt), what FastMCP's
 *				BearerAuthProvider checks them with
 *	test_interop_mcp jose	jose (npm), what JavaScript MCP clients and
 *				resource servers use
 *
 * run-accounts.sh installs the peer and runs this as it runs
 * test_interop_accounts.  Servers: one per MCP_JWT_ALGORITHM (RS256, the
 * default, ES256, EdDSA) whose key pair libcommon's jwt_key_generate made
 * here, given as MCP_JWT_PRIVATE_KEY=<PEM>; and one RS256 server whose key
 * pair `fcgi-users keys generate` wrote, given as MCP_JWT_PRIVATE_KEY_FILE,
 * with MCP_JWT_ISSUER, MCP_JWT_AUDIENCE and MCP_JWT_EXPIRE_MINUTES set.
 * Access tokens stay HS256 (the harness's JWT_SECRET).  Each server gets
 * one user, who logs in and exchanges the access token for an MCP token.
 *
 * The peer's tool then verifies that token the way an MCP resource server
 * does (the public key PEM, audience, issuer, the alg pinned, exp, iat,
 * iss, aud, sub and jti required) and must accept it; and must refuse it,
 * for the reason named in the case table, with the wrong audience, issuer,
 * key or pinned alg, and refuse the tokens an attacker derives from it.
 * The server itself must refuse the MCP token where an access token is
 * wanted.  Each case prints "ok" or "FAIL" with its table line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "interop_util.h"
#include "jwt.h"

#define DEFAULT_ISSUER		"personal-server"
#define DEFAULT_AUDIENCE	"mcp-server"
#define ACCESS_AUDIENCE		"fastapi-users:auth"
#define MCP_SCOPE		"mcp-access"
/* The verifier requires every registered claim the MCP token carries. */
#define REQUIRED_CLAIMS		"exp,iat,iss,aud,sub,jti"
#define PEM_MAX			(64u * 1024)
/* The claims tokens_mcp.c writes, and no other. */
#define MCP_CLAIMS		8

enum msrv { MS_RS256, MS_ES256, MS_EDDSA, MS_CONFIGURED, MS__MAX };

static const struct {
	const char	*name;
	enum jwt_alg	 alg;
	enum jwt_alg	 other;		/* another asymmetric alg (refusal cases) */
	int		 from_cli;	/* key pair of `fcgi-users keys generate` */
	const char	*env[4];	/* more settings */
	const char	*issuer, *audience;
	int64_t		 expires_in;
} msrvs[MS__MAX] = {
	/* MCP_JWT_ALGORITHM unset: RS256 is the default. */
	[MS_RS256] = { "RS256", JWT_RS256, JWT_ES256, 0, { NULL },
	    DEFAULT_ISSUER, DEFAULT_AUDIENCE, 3600 },
	[MS_ES256] = { "ES256", JWT_ES256, JWT_EDDSA, 0,
	    { "MCP_JWT_ALGORITHM=ES256", NULL }, DEFAULT_ISSUER,
	    DEFAULT_AUDIENCE, 3600 },
	[MS_EDDSA] = { "EdDSA", JWT_EDDSA, JWT_RS256, 0,
	    { "MCP_JWT_ALGORITHM=EdDSA", NULL }, DEFAULT_ISSUER,
	    DEFAULT_AUDIENCE, 3600 },
	[MS_CONFIGURED] = { "RS256, own iss/aud", JWT_RS256, JWT_EDDSA, 1,
	    { "MCP_JWT_ALGORITHM=RS256", "MCP_JWT_ISSUER=interop-issuer",
	    "MCP_JWT_AUDIENCE=interop-audience", "MCP_JWT_EXPIRE_MINUTES=5" },
	    "interop-issuer", "interop-audience", 300 },
};

struct mserver {
	struct harness		*h;
	struct jwt_key		*key;		/* the MCP key pair */
	struct jwt_key		*other;		/* another pair, same alg */
	struct jwt_key		*cross;		/* a pair for msrvs[].other */
	char			 pub[PATH_MAX];	/* public PEM files */
	char			 other_pub[PATH_MAX];
	char			 cross_pub[PATH_MAX];
	char			*pub_pem;	/* the public PEM's text */
	struct iu_user		 u;
	struct json_object	*resp;		/* POST /auth/mcp-token's answer */
	const char		*mcp;		/* its mcp_token (resp owns it) */
};

static struct mserver	 servers[MS__MAX];

/* ---- servers ---- */

/* Writes k's public PEM to dir/name; 0 or -1. */
static int
write_pub(const struct jwt_key *k, const char *dir, const char *name,
    char *path, size_t size)
{
	char	*pem;
	int	 rc;

	snprintf(path, size, "%s/%s", dir, name);
	if ((pem = jwt_key_pem_public(k)) == NULL)
		return -1;
	rc = iu_write_file(path, pem, strlen(pem));
	free(pem);
	return rc;
}

/* Wipes and frees a string that holds a private key (NULL is fine). */
static void
free_secret(char *p)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

/*
 * Makes the server's key pairs and public PEM files.  The MCP pair comes
 * from jwt_key_generate, and *setting is "MCP_JWT_PRIVATE_KEY=<its private
 * PEM>"; or (msrvs[].from_cli) from `fcgi-users keys generate --out DIR`,
 * and *setting is "MCP_JWT_PRIVATE_KEY_FILE=DIR/jwt-private.pem".  Returns
 * 0 and *setting (the caller frees it with free_secret), or -1 and NULL.
 */
static int
make_keys(enum msrv which, struct mserver *s, char **setting)
{
	const char	*dir, *alg = jwt_alg_name(msrvs[which].alg);
	char		 kdir[PATH_MAX], priv[PATH_MAX], name[64];
	char		*pem = NULL, *set = NULL;
	int		 rc = -1;

	*setting = NULL;
	if ((dir = iu_tmpdir()) == NULL)
		return -1;
	if (msrvs[which].from_cli) {
		const char *argv[] = { FU_BINARY_DIR "/bin/fcgi-users", "keys",
		    "generate", "--alg", alg, "--out", kdir, NULL };

		if ((size_t)snprintf(kdir, sizeof(kdir), "%s/cli-%d", dir,
		    (int)which) >= sizeof(kdir) ||
		    (size_t)snprintf(priv, sizeof(priv), "%s/jwt-private.pem",
		    kdir) >= sizeof(priv) ||
		    (size_t)snprintf(s->pub, sizeof(s->pub), "%s/jwt-public.pem",
		    kdir) >= sizeof(s->pub)) {
			fprintf(stderr, "%s: path too long\n", dir);
			goto out;
		}
		if (mkdir(kdir, 0700) != 0 || iu_run(argv, NULL) != 0) {
			fprintf(stderr, "fcgi-users keys generate --alg %s --out %s "
			    "failed\n", alg, kdir);
			goto out;
		}
		if ((pem = iu_read_file(priv, PEM_MAX)) == NULL ||
		    (s->key = jwt_key_pem(msrvs[which].alg, pem, strlen(pem))) == NULL) {
			fprintf(stderr, "%s: not a %s private key\n", priv, alg);
			goto out;
		}
		if (asprintf(&set, "MCP_JWT_PRIVATE_KEY_FILE=%s", priv) < 0) {
			set = NULL;
			goto out;
		}
	} else {
		snprintf(name, sizeof(name), "mcp-%d-public.pem", (int)which);
		if ((s->key = jwt_key_generate(msrvs[which].alg)) == NULL ||
		    (pem = jwt_key_pem_private(s->key)) == NULL ||
		    write_pub(s->key, dir, name, s->pub, sizeof(s->pub)) != 0) {
			fprintf(stderr, "cannot make the %s MCP key pair\n", alg);
			goto out;
		}
		if (asprintf(&set, "MCP_JWT_PRIVATE_KEY=%s", pem) < 0) {
			set = NULL;
			goto out;
		}
	}
	snprintf(name, sizeof(name), "other-%d-public.pem", (int)which);
	if ((s->other = jwt_key_generate(msrvs[which].alg)) == NULL ||
	    write_pub(s->other, dir, name, s->other_pub, sizeof(s->other_pub)) != 0)
		goto out;
	snprintf(name, sizeof(name), "cross-%d-public.pem", (int)which);
	if ((s->cross = jwt_key_generate(msrvs[which].other)) == NULL ||
	    write_pub(s->cross, dir, name, s->cross_pub, sizeof(s->cross_pub)) != 0)
		goto out;
	if ((s->pub_pem = iu_read_file(s->pub, PEM_MAX)) == NULL)
		goto out;
	*setting = set;
	set = NULL;
	rc = 0;
out:
	free_secret(set);
	free_secret(pem);
	return rc;
}

/*
 * POST /auth/mcp-token with the user's access token: 200 and the Python
 * service's answer.  Keeps it in s->resp; 0, or -1 after a FAIL.
 */
static int
get_mcp_token(enum msrv which, struct mserver *s)
{
	char			 what[256];
	struct http_resp	 r;
	struct json_object	*info, *v;
	const char		*a;
	int			 rc = -1;

	snprintf(what, sizeof(what), "[%s] POST /auth/mcp-token {} with the "
	    "access token: 200 {mcp_token, token_type \"bearer\", expires_in, "
	    "scope, issued_at, user_info}", msrvs[which].name);
	if (iu_bearer(s->h, "POST", "/auth/mcp-token", s->u.token, "{}", &r) != 0) {
		iu_bad(what, "no HTTP answer");
		goto out;
	}
	info = iu_jget(r.json, "user_info");
	v = iu_jget(r.json, "expires_in");
	if (r.status != 200 || iu_jstr(r.json, "mcp_token") == NULL ||
	    (a = iu_jstr(r.json, "token_type")) == NULL || strcmp(a, "bearer") != 0 ||
	    (a = iu_jstr(r.json, "scope")) == NULL || strcmp(a, MCP_SCOPE) != 0 ||
	    iu_jstr(r.json, "issued_at") == NULL || v == NULL ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != msrvs[which].expires_in ||
	    (a = iu_jstr(info, "user_id")) == NULL || strcmp(a, s->u.id) != 0 ||
	    (a = iu_jstr(info, "email")) == NULL || strcmp(a, s->u.email) != 0) {
		iu_bad(what, "expires_in %lld and the user's id and email, got "
		    "%ld %.600s", (long long)msrvs[which].expires_in, r.status,
		    r.body);
		goto out;
	}
	s->resp = json_object_get(r.json);
	s->mcp = iu_jstr(s->resp, "mcp_token");
	iu_good(what);
	rc = 0;
out:
	http_resp_free(&r);
	return rc;
}

/* The server for `which`, started on first use; NULL after failing. */
static struct mserver *
server(enum msrv which)
{
	struct mserver		*s = &servers[which];
	struct harness_opts	 o;
	char			*setting = NULL;
	const char		*env[12];
	size_t			 n = 0, i;

	if (s->h != NULL)
		return s->mcp != NULL ? s : NULL;
	if (make_keys(which, s, &setting) != 0)
		return NULL;
	env[n++] = "PASSWORD_ARGON2_MEMORY_KIB=8192";
	env[n++] = "PASSWORD_ARGON2_TIME_COST=1";
	env[n++] = "PASSWORD_ARGON2_PARALLELISM=1";
	env[n++] = setting;
	for (i = 0; i < 4 && msrvs[which].env[i] != NULL; i++)
		env[n++] = msrvs[which].env[i];
	env[n] = NULL;
	memset(&o, 0, sizeof(o));
	o.env = env;
	o.procs = 1;
	s->h = harness_start(&o);
	free_secret(setting);
	if (s->h == NULL) {
		fprintf(stderr, "cannot start the %s server\n", msrvs[which].name);
		return NULL;
	}
	if (iu_user_new(s->h, &s->u) != 0)
		return NULL;
	printf("  (%s server at %s, user %s, kid %s)\n", msrvs[which].name,
	    harness_url(s->h), s->u.id, jwt_key_kid(s->key));
	return get_mcp_token(which, s) == 0 ? s : NULL;
}

/* ---- tokens an attacker derives from the MCP token ---- */

enum tok {
	TOK_MCP,		/* as the server issued it */
	TOK_TAMPERED,		/* another sub, the signature kept */
	TOK_HS256_PEM,		/* its claims HMAC'd with the public key PEM */
	TOK_NONE,		/* its claims with alg "none", no signature */
	TOK_ACCESS,		/* the user's access token instead */
	TOK__MAX
};

/* The token's payload as a JSON object (caller puts), or NULL. */
static struct json_object *
payload_of(const char *token)
{
	const char		*p, *q;
	unsigned char		*raw = NULL;
	size_t			 len;
	struct json_tokener	*tok;
	struct json_object	*o = NULL;

	if ((p = strchr(token, '.')) == NULL || (q = strchr(p + 1, '.')) == NULL ||
	    jwt_b64url_decode(p + 1, (size_t)(q - p - 1), &raw, &len) != 0)
		return NULL;
	if (len <= INT_MAX && (tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, (const char *)raw, (int)len);
		if (o != NULL && (json_tokener_get_parse_end(tok) != len ||
		    !json_object_is_type(o, json_type_object))) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	free(raw);
	return o;
}

/* The unpadded base64url of o's compact JSON text (caller frees), or NULL. */
static char *
b64_json(struct json_object *o)
{
	const char	*t = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t		 n;

	return jwt_b64url_encode(t, strlen(t), &n);
}

/* The token of kind t for server s (caller frees), or NULL. */
static char *
make_token(struct mserver *s, enum tok t)
{
	struct json_object	*claims = NULL, *hdr = NULL;
	struct jwt_key		*hk = NULL;
	char			*out = NULL, *h64 = NULL, *c64 = NULL;
	const char		*sig;

	if (t == TOK_MCP)
		return strdup(s->mcp);
	if (t == TOK_ACCESS)
		return strdup(s->u.token);
	if ((claims = payload_of(s->mcp)) == NULL)
		return NULL;
	switch (t) {
	case TOK_TAMPERED:
		/* The header and signature kept around another sub. */
		json_object_object_add(claims, "sub", json_object_new_string(
		    "00000000-0000-4000-8000-000000000000"));
		sig = strrchr(s->mcp, '.');
		if ((c64 = b64_json(claims)) != NULL && asprintf(&out, "%.*s.%s%s",
		    (int)strcspn(s->mcp, "."), s->mcp, c64, sig) < 0)
			out = NULL;
		break;
	case TOK_HS256_PEM:
		/* The key-confusion forgery, under the real kid. */
		if ((hk = jwt_key_hmac(JWT_HS256, s->pub_pem,
		    strlen(s->pub_pem))) == NULL ||
		    jwt_key_set_kid(hk, jwt_key_kid(s->key)) != 0 ||
		    jwt_sign(hk, claims, &out) != JWT_OK)
			out = NULL;
		break;
	case TOK_NONE:
		/* RFC 7519 §6.1's unsecured JWT: an empty signature part. */
		hdr = json_object_new_object();
		json_object_object_add(hdr, "alg", json_object_new_string("none"));
		json_object_object_add(hdr, "typ", json_object_new_string("JWT"));
		if ((h64 = b64_json(hdr)) != NULL && (c64 = b64_json(claims)) != NULL &&
		    asprintf(&out, "%s.%s.", h64, c64) < 0)
			out = NULL;
		break;
	default:
		break;
	}
	free(h64);
	free(c64);
	jwt_key_free(hk);
	json_object_put(hdr);
	json_object_put(claims);
	return out;
}

/* ---- verification cases ---- */

enum vkey { VK_PUB, VK_OTHER, VK_CROSS, VK_PEM_SECRET };
enum valg { VA_SERVER, VA_OTHER, VA_HS256 };

#define ONLY_CONFIGURED	(1u << MS_CONFIGURED)
#define ALL_SERVERS	((1u << MS__MAX) - 1)

/*
 * The refusal expected: the PyJWT exception's name, jose's error code
 * (":claim" for ERR_JWT_CLAIM_VALIDATION_FAILED) or error name; "A|B"
 * when either will do; NULL when the token must verify.
 */
static const struct vcase {
	int		 line;
	const char	*what;
	unsigned	 servers;	/* bit mask of enum msrv */
	enum tok	 tok;
	enum vkey	 key;
	enum valg	 alg;
	const char	*audience;	/* NULL: the server's */
	const char	*issuer;	/* NULL: the server's */
	const char	*pyjwt, *jose;
} vcases[] = {
	{ __LINE__, "the MCP token verifies with the public key PEM, the "
	    "server's audience and issuer, its alg pinned", ALL_SERVERS,
	    TOK_MCP, VK_PUB, VA_SERVER, NULL, NULL, NULL, NULL },
	{ __LINE__, "refused: the access tokens' audience \"fastapi-users:auth\"",
	    ALL_SERVERS, TOK_MCP, VK_PUB, VA_SERVER, ACCESS_AUDIENCE, NULL,
	    "InvalidAudienceError", "ERR_JWT_CLAIM_VALIDATION_FAILED:aud" },
	{ __LINE__, "refused: another issuer (\"fastapi-users\")", ALL_SERVERS,
	    TOK_MCP, VK_PUB, VA_SERVER, NULL, "fastapi-users",
	    "InvalidIssuerError", "ERR_JWT_CLAIM_VALIDATION_FAILED:iss" },
	{ __LINE__, "refused: the default audience \"mcp-server\" against "
	    "MCP_JWT_AUDIENCE", ONLY_CONFIGURED, TOK_MCP, VK_PUB, VA_SERVER,
	    DEFAULT_AUDIENCE, NULL, "InvalidAudienceError",
	    "ERR_JWT_CLAIM_VALIDATION_FAILED:aud" },
	{ __LINE__, "refused: the default issuer \"personal-server\" against "
	    "MCP_JWT_ISSUER", ONLY_CONFIGURED, TOK_MCP, VK_PUB, VA_SERVER, NULL,
	    DEFAULT_ISSUER, "InvalidIssuerError",
	    "ERR_JWT_CLAIM_VALIDATION_FAILED:iss" },
	{ __LINE__, "refused: another key pair's public key (same alg)",
	    ALL_SERVERS, TOK_MCP, VK_OTHER, VA_SERVER, NULL, NULL,
	    "InvalidSignatureError", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
	{ __LINE__, "refused: pinned to HS256 with the public key PEM as the "
	    "secret (key confusion)", ALL_SERVERS, TOK_MCP, VK_PEM_SECRET,
	    VA_HS256, NULL, NULL, "InvalidAlgorithmError",
	    "ERR_JOSE_ALG_NOT_ALLOWED" },
	/* jose's importSPKI refuses a key for an alg it does not fit
	 * (WebCrypto's DataError) before it sees the token. */
	{ __LINE__, "refused: pinned to another asymmetric alg, the right "
	    "public key", ALL_SERVERS, TOK_MCP, VK_PUB, VA_OTHER, NULL, NULL,
	    "InvalidAlgorithmError", "DataError" },
	/* PyJWT 2.6 does not check an RSA key's type: the Ed25519 key ends
	 * in cryptography's TypeError (RS256); the EC and OKP algorithms
	 * raise InvalidKeyError. */
	{ __LINE__, "refused: a public key of another type, the right alg "
	    "pinned", ALL_SERVERS, TOK_MCP, VK_CROSS, VA_SERVER, NULL, NULL,
	    "InvalidKeyError|TypeError", "DataError" },
	{ __LINE__, "refused: tampered (sub of another user, the signature "
	    "kept)", ALL_SERVERS, TOK_TAMPERED, VK_PUB, VA_SERVER, NULL, NULL,
	    "InvalidSignatureError", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" },
	{ __LINE__, "refused: its claims as HS256 HMAC'd with the public key "
	    "PEM, the real kid (key confusion)", ALL_SERVERS, TOK_HS256_PEM,
	    VK_PUB, VA_SERVER, NULL, NULL, "InvalidAlgorithmError",
	    "ERR_JOSE_ALG_NOT_ALLOWED" },
	{ __LINE__, "refused: its claims with alg \"none\" and no signature",
	    ALL_SERVERS, TOK_NONE, VK_PUB, VA_SERVER, NULL, NULL,
	    "InvalidAlgorithmError", "ERR_JOSE_ALG_NOT_ALLOWED" },
	{ __LINE__, "refused: the HS256 access token where an MCP token is "
	    "wanted", ALL_SERVERS, TOK_ACCESS, VK_PUB, VA_SERVER, NULL, NULL,
	    "InvalidAlgorithmError", "ERR_JOSE_ALG_NOT_ALLOWED" },
};

/* Whether the refusal `got` is one of the '|'-separated `want`. */
static int
reason_is(const char *want, const char *got)
{
	size_t	 n = strlen(got);
	const char *p;

	for (p = want; *p != '\0'; p += strcspn(p, "|"), p += *p == '|') {
		if (strncmp(p, got, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The header and payload the peer printed after accepting the MCP token. */
static void
check_verified(enum msrv which, struct mserver *s, const char *what,
    struct json_object *o)
{
	struct json_object	*hdr, *pl, *v;
	const char		*a, *kid = jwt_key_kid(s->key);
	int64_t			 iat, exp, now = (int64_t)time(NULL);

	hdr = iu_jget(o, strcmp(iu_peer, "pyjwt") == 0 ? "header" :
	    "protectedHeader");
	pl = iu_jget(o, "payload");
	if (hdr == NULL || pl == NULL) {
		iu_bad(what, "the verifier printed no header or payload: %s",
		    iu_jtext(o));
		return;
	}
	/* tokens_mcp.c via jwt_sign: exactly {"alg","kid","typ":"JWT"}. */
	if ((a = iu_jstr(hdr, "alg")) == NULL ||
	    strcmp(a, jwt_alg_name(msrvs[which].alg)) != 0 ||
	    (a = iu_jstr(hdr, "kid")) == NULL || strcmp(a, kid) != 0 ||
	    (a = iu_jstr(hdr, "typ")) == NULL || strcmp(a, "JWT") != 0 ||
	    json_object_object_length(hdr) != 3) {
		iu_bad(what, "header: expected {\"alg\":\"%s\",\"kid\":\"%s\","
		    "\"typ\":\"JWT\"}, got %s", jwt_alg_name(msrvs[which].alg),
		    kid, iu_jtext(hdr));
		return;
	}
	/* RFC 7638 as the peer computes it from the PEM: the kid. */
	if ((a = iu_jstr(o, "thumbprint")) == NULL || strcmp(a, kid) != 0) {
		iu_bad(what, "the kid %s is not the key's RFC 7638 thumbprint "
		    "by %s: %s", kid, iu_peer, a ? a : "(none)");
		return;
	}
	if ((a = iu_jstr(pl, "iss")) == NULL || strcmp(a, msrvs[which].issuer) != 0 ||
	    (a = iu_jstr(pl, "sub")) == NULL || strcmp(a, s->u.id) != 0 ||
	    (a = iu_jstr(pl, "aud")) == NULL ||		/* a string, not a list */
	    strcmp(a, msrvs[which].audience) != 0 ||
	    (a = iu_jstr(pl, "email")) == NULL || strcmp(a, s->u.email) != 0 ||
	    (a = iu_jstr(pl, "scope")) == NULL || strcmp(a, MCP_SCOPE) != 0 ||
	    (a = iu_jstr(pl, "jti")) == NULL || *a == '\0' ||
	    json_object_object_length(pl) != MCP_CLAIMS) {
		iu_bad(what, "payload: expected iss %s, sub %s, aud \"%s\", email "
		    "%s, scope %s, a jti, iat and exp; got %s", msrvs[which].issuer,
		    s->u.id, msrvs[which].audience, s->u.email, MCP_SCOPE,
		    iu_jtext(pl));
		return;
	}
	if ((v = iu_jget(pl, "iat")) == NULL || !json_object_is_type(v, json_type_int) ||
	    (iat = json_object_get_int64(v)) < now - 300 || iat > now + 5 ||
	    (v = iu_jget(pl, "exp")) == NULL || !json_object_is_type(v, json_type_int) ||
	    (exp = json_object_get_int64(v)) - iat != msrvs[which].expires_in) {
		iu_bad(what, "iat about now (%lld) and exp - iat == expires_in %lld "
		    "expected, got %s", (long long)now,
		    (long long)msrvs[which].expires_in, iu_jtext(pl));
		return;
	}
	iu_good(what);
}

static void
run_case(enum msrv which, struct mserver *s, const struct vcase *c)
{
	const char		*args[16], *want;
	char			*token = NULL, *out = NULL, what[512], reason[128];
	struct json_object	*o = NULL;
	const char		*refused, *claim;
	size_t			 n = 0;
	int			 rc;

	snprintf(what, sizeof(what), "[%s] line %d: %s", msrvs[which].name,
	    c->line, c->what);
	want = strcmp(iu_peer, "pyjwt") == 0 ? c->pyjwt : c->jose;
	if ((token = make_token(s, c->tok)) == NULL) {
		iu_bad(what, "cannot make the token");
		return;
	}
	args[n++] = "--token";
	args[n++] = token;
	if (c->key == VK_PEM_SECRET) {
		args[n++] = "--secret";
		args[n++] = s->pub_pem;
	} else {
		args[n++] = "--public-key-file";
		args[n++] = c->key == VK_PUB ? s->pub : c->key == VK_OTHER ?
		    s->other_pub : s->cross_pub;
	}
	args[n++] = "--alg";
	args[n++] = jwt_alg_name(c->alg == VA_HS256 ? JWT_HS256 :
	    c->alg == VA_OTHER ? msrvs[which].other : msrvs[which].alg);
	args[n++] = "--audience";
	args[n++] = c->audience != NULL ? c->audience : msrvs[which].audience;
	args[n++] = "--issuer";
	args[n++] = c->issuer != NULL ? c->issuer : msrvs[which].issuer;
	args[n++] = "--require";
	args[n++] = REQUIRED_CLAIMS;
	args[n] = NULL;
	rc = iu_tool_argv(&out, "verify", args);
	o = out != NULL ? json_tokener_parse(out) : NULL;
	if (want == NULL) {
		if (rc != 0)
			iu_bad(what, "token %s: %s exited %d: %s", token, iu_peer,
			    rc, out ? out : "");
		else
			check_verified(which, s, what, o);
		goto out;
	}
	if (rc != 1 || (refused = iu_jstr(o, "refused")) == NULL) {
		iu_bad(what, "token %s: expected a refusal (%s), %s exited %d: %s",
		    token, want, iu_peer, rc, out ? out : "");
		goto out;
	}
	claim = iu_jstr(o, "claim");
	snprintf(reason, sizeof(reason), "%s%s%s", refused, claim ? ":" : "",
	    claim ? claim : "");
	if (!reason_is(want, reason)) {
		iu_bad(what, "refused, but for %s (%s), expected %s", reason,
		    iu_jstr(o, "message") ? iu_jstr(o, "message") : "", want);
		goto out;
	}
	snprintf(what + strlen(what), sizeof(what) - strlen(what), " (%s)",
	    reason);
	iu_good(what);
out:
	json_object_put(o);
	free(out);
	free(token);
}

/* ---- the server's side ---- */

static void
server_cases(enum msrv which, struct mserver *s)
{
	struct http_resp	 r;
	char			 what[256];

	snprintf(what, sizeof(what), "[%s] GET /users/me with the access token "
	    "-> 200", msrvs[which].name);
	iu_expect_me(s->h, s->u.id, what, s->u.token, 200);
	snprintf(what, sizeof(what), "[%s] GET /users/me with the MCP token "
	    "-> 401", msrvs[which].name);
	iu_expect_me(s->h, s->u.id, what, s->mcp, 401);
	snprintf(what, sizeof(what), "[%s] POST /auth/mcp-token with the MCP "
	    "token as Bearer -> 401", msrvs[which].name);
	if (iu_bearer(s->h, "POST", "/auth/mcp-token", s->mcp, "{}", &r) != 0)
		iu_bad(what, "no HTTP answer");
	else if (r.status != 401)
		iu_bad(what, "got %ld %.300s", r.status, r.body);
	else
		iu_good(what);
	http_resp_free(&r);
}

static void
mcp_test(enum msrv which)
{
	struct mserver	*s;
	size_t		 i;

	iu_begin();
	assert_non_null(s = server(which));
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++)
		if (vcases[i].servers & (1u << which))
			run_case(which, s, &vcases[i]);
	server_cases(which, s);
	iu_end();
}

static void mcp_rs256(void **state) { (void)state; mcp_test(MS_RS256); }
static void mcp_es256(void **state) { (void)state; mcp_test(MS_ES256); }
static void mcp_eddsa(void **state) { (void)state; mcp_test(MS_EDDSA); }
static void mcp_configured(void **state) { (void)state; mcp_test(MS_CONFIGURED); }

/* ---- group ---- */

static int
group_teardown(void **state)
{
	struct mserver	*s;
	size_t		 i;

	(void)state;
	for (i = 0; i < MS__MAX; i++) {
		s = &servers[i];
		if (s->h != NULL) {
			if (harness_check_log(s->h) != 0)
				fprintf(stderr, "the %s server's log holds a "
				    "sanitizer report\n", msrvs[i].name);
			harness_stop(s->h);
		}
		jwt_key_free(s->key);
		jwt_key_free(s->other);
		jwt_key_free(s->cross);
		free(s->pub_pem);
		json_object_put(s->resp);
		iu_user_free(&s->u);
		memset(s, 0, sizeof(*s));
	}
	iu_tmpdir_remove();
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(mcp_rs256),
		cmocka_unit_test(mcp_es256),
		cmocka_unit_test(mcp_eddsa),
		cmocka_unit_test(mcp_configured),
	};

	if (argc != 2 || (strcmp(argv[1], "pyjwt") != 0 &&
	    strcmp(argv[1], "jose") != 0)) {
		fprintf(stderr, "usage: %s pyjwt|jose\n", argv[0]);
		return 2;
	}
	iu_peer = argv[1];
	iu_print_version();
	return cmocka_run_group_tests_name(strcmp(iu_peer, "pyjwt") == 0 ?
	    "interop_mcp_pyjwt" : "interop_mcp_jose", tests, NULL,
	    group_teardown);
}
