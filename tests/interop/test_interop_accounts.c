/*
 * test_interop_accounts: fcgi-users' access tokens against third-party JWT
 * libraries, through a real lighttpd (tests/integration/harness.h).
 *
 *	test_interop_accounts pyjwt	PyJWT (Debian's python3-jwt), the
 *					library FastAPI-Users mints with
 *	test_interop_accounts jose	jose (npm), a JavaScript verifier
 *
 * run-accounts.sh installs the peer and runs this with
 * FU_INTEROP_PYTHON, FU_INTEROP_PYJWT_TOOL (pyjwt) or FU_INTEROP_NODE,
 * FU_INTEROP_JOSE_TOOL (jose) set.  The peers run as child processes:
 * tests/interop/pyjwt_tool.py and jose_tool.mjs mint and verify and print
 * what they saw as JSON.
 *
 * Servers: one per algorithm, HS256 (JWT_SECRET, the harness's default)
 * and RS256, ES256, EdDSA (JWT_ALGORITHM and JWT_PRIVATE_KEY_FILE with a
 * key `openssl genpkey` made in a temporary folder), each started on first
 * use and stopped by the group teardown.  Every server gets one user
 * (POST /auth/register, then POST /auth/jwt/login).
 *
 * Each case prints "ok" or "FAIL" with what it sent, expected and got;
 * a test fails at its end when any of its cases did.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "interop_util.h"

#define AUDIENCE	"fastapi-users:auth"

enum srv { SRV_HS256, SRV_RS256, SRV_ES256, SRV_EDDSA, SRV__MAX };

static const struct {
	const char	*alg;
	const char	*genpkey[4];	/* openssl genpkey arguments */
	const char	*kty, *crv;	/* of its JWK */
} algs[SRV__MAX] = {
	[SRV_HS256] = { "HS256", { NULL }, NULL, NULL },
	[SRV_RS256] = { "RS256", { "-algorithm", "RSA", "-pkeyopt",
	    "rsa_keygen_bits:2048" }, "RSA", NULL },
	[SRV_ES256] = { "ES256", { "-algorithm", "EC", "-pkeyopt",
	    "ec_paramgen_curve:P-256" }, "EC", "P-256" },
	[SRV_EDDSA] = { "EdDSA", { "-algorithm", "ed25519" }, "OKP", "Ed25519" },
};

struct server {
	struct harness	*h;
	char		 priv[PATH_MAX];	/* private key PEM (not HS256) */
	char		 pub[PATH_MAX];		/* its public key PEM */
	struct iu_user	 u;			/* its user and access token */
};

static struct server	 servers[SRV__MAX];

/* ---- servers ---- */

static const char *
openssl_path(void)
{
	static const char *const paths[] = { "/usr/bin/openssl",
	    "/usr/local/bin/openssl", "/bin/openssl" };
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return "/usr/bin/openssl";
}

static int
make_keys(enum srv which, struct server *s)
{
	const char	*argv[12], *tmpdir;
	size_t		 n = 0, i;

	if ((tmpdir = iu_tmpdir()) == NULL)
		return -1;
	snprintf(s->priv, sizeof(s->priv), "%s/%s-private.pem", tmpdir,
	    algs[which].alg);
	snprintf(s->pub, sizeof(s->pub), "%s/%s-public.pem", tmpdir,
	    algs[which].alg);
	argv[n++] = openssl_path();
	argv[n++] = "genpkey";
	for (i = 0; i < 4 && algs[which].genpkey[i] != NULL; i++)
		argv[n++] = algs[which].genpkey[i];
	argv[n++] = "-out";
	argv[n++] = s->priv;
	argv[n] = NULL;
	if (iu_run(argv, NULL) != 0) {
		fprintf(stderr, "openssl genpkey for %s failed\n", algs[which].alg);
		return -1;
	}
	{
		const char *pv[] = { openssl_path(), "pkey", "-in", s->priv,
		    "-pubout", "-out", s->pub, NULL };

		if (iu_run(pv, NULL) != 0) {
			fprintf(stderr, "openssl pkey -pubout failed\n");
			return -1;
		}
	}
	return 0;
}

/* The server for an algorithm, started on first use; NULL after failing. */
static struct server *
server(enum srv which)
{
	struct server		*s = &servers[which];
	struct harness_opts	 o;
	char			 alg[64], keyfile[PATH_MAX + 32];
	const char		*env[8];
	size_t			 n = 0;

	if (s->h != NULL)
		return s->u.token != NULL ? s : NULL;
	env[n++] = "PASSWORD_ARGON2_MEMORY_KIB=8192";
	env[n++] = "PASSWORD_ARGON2_TIME_COST=1";
	env[n++] = "PASSWORD_ARGON2_PARALLELISM=1";
	if (which != SRV_HS256) {
		if (make_keys(which, s) != 0)
			return NULL;
		snprintf(alg, sizeof(alg), "JWT_ALGORITHM=%s", algs[which].alg);
		snprintf(keyfile, sizeof(keyfile), "JWT_PRIVATE_KEY_FILE=%s", s->priv);
		env[n++] = alg;
		env[n++] = keyfile;
	}
	env[n] = NULL;
	memset(&o, 0, sizeof(o));
	o.env = env;
	o.procs = 1;
	if ((s->h = harness_start(&o)) == NULL) {
		fprintf(stderr, "cannot start the %s server\n", algs[which].alg);
		return NULL;
	}
	if (iu_user_new(s->h, &s->u) != 0)
		return NULL;
	printf("  (%s server at %s, user %s)\n", algs[which].alg,
	    harness_url(s->h), s->u.id);
	return s;
}

static char *
jwks_url(struct server *s)
{
	char *u = NULL;

	if (asprintf(&u, "%s/.well-known/jwks.json", harness_url(s->h)) < 0)
		return NULL;
	return u;
}

/* ---- what a verifier saw ---- */

/*
 * Checks the JSON a tool printed after verifying the server's token:
 * header alg (and typ for HS256, kid for the others), the claims
 * FastAPI-Users puts there.  `jwk` is the key jose picked (jose only).
 */
static void
check_verified(struct server *s, enum srv which, const char *what,
    const char *out)
{
	struct json_object	*o = json_tokener_parse(out), *hdr, *pl, *aud, *v;
	const char		*hkey = strcmp(iu_peer, "pyjwt") == 0 ? "header" :
	    "protectedHeader";
	const char		*a, *kid;
	int64_t			 exp, now = (int64_t)time(NULL);

	hdr = iu_jget(o, hkey);
	pl = iu_jget(o, "payload");
	if (hdr == NULL || pl == NULL) {
		iu_bad(what, "the verifier printed no header or payload: %.300s", out);
		goto out;
	}
	if ((a = iu_jstr(hdr, "alg")) == NULL || strcmp(a, algs[which].alg) != 0) {
		iu_bad(what, "header alg: expected %s, got %s", algs[which].alg,
		    iu_jtext(hdr));
		goto out;
	}
	kid = iu_jstr(hdr, "kid");
	if (which == SRV_HS256) {
		/* FastAPI-Users' header is exactly {"alg":"HS256","typ":"JWT"}. */
		if ((a = iu_jstr(hdr, "typ")) == NULL || strcmp(a, "JWT") != 0 ||
		    json_object_object_length(hdr) != 2) {
			iu_bad(what, "header: expected {\"alg\":\"HS256\",\"typ\":\"JWT\"}, "
			    "got %s", iu_jtext(hdr));
			goto out;
		}
	} else if (kid == NULL || *kid == '\0') {
		iu_bad(what, "header has no kid: %s", iu_jtext(hdr));
		goto out;
	}
	if ((a = iu_jstr(pl, "sub")) == NULL || strcmp(a, s->u.id) != 0) {
		iu_bad(what, "sub: expected %s, got %s", s->u.id, iu_jtext(pl));
		goto out;
	}
	aud = iu_jget(pl, "aud");
	if (aud == NULL || !json_object_is_type(aud, json_type_array) ||
	    json_object_array_length(aud) != 1 ||
	    (v = json_object_array_get_idx(aud, 0)) == NULL ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), AUDIENCE) != 0) {
		iu_bad(what, "aud: expected [\"%s\"] (a list, as FastAPI-Users), got %s",
		    AUDIENCE, iu_jtext(pl));
		goto out;
	}
	v = iu_jget(pl, "exp");
	if (v == NULL || !json_object_is_type(v, json_type_int) ||
	    (exp = json_object_get_int64(v)) < now + 3600 - 120 ||
	    exp > now + 3600 + 5) {
		iu_bad(what, "exp: expected an integer about now + 3600 (%lld), got %s",
		    (long long)(now + 3600), iu_jtext(pl));
		goto out;
	}
	if (strcmp(iu_peer, "jose") == 0 && which != SRV_HS256) {
		struct json_object *jwk = iu_jget(o, "jwk");

		if (jwk == NULL || (a = iu_jstr(jwk, "kid")) == NULL ||
		    strcmp(a, kid) != 0) {
			iu_bad(what, "the JWK jose used has kid %s, the header %s",
			    iu_jtext(jwk), kid);
			goto out;
		}
		if ((a = iu_jstr(jwk, "alg")) != NULL &&
		    strcmp(a, algs[which].alg) != 0) {
			iu_bad(what, "the JWK's alg is %s, the token's %s", a,
			    algs[which].alg);
			goto out;
		}
	}
	iu_good(what);
out:
	json_object_put(o);
}

/* GET /.well-known/jwks.json: no key for HS256; one public JWK otherwise. */
static void
check_jwks(struct server *s, enum srv which)
{
	static const char *const private_members[] = { "d", "p", "q", "dp",
	    "dq", "qi", "k", "oth" };
	struct http_resp	 r;
	struct json_object	*keys, *k;
	const char		*a, *what = "GET /.well-known/jwks.json";
	size_t			 i;

	if (harness_get(s->h, "/.well-known/jwks.json", &r) != 0) {
		iu_bad(what, "no HTTP answer");
		return;
	}
	keys = iu_jget(r.json, "keys");
	if (r.status != 200 || keys == NULL ||
	    !json_object_is_type(keys, json_type_array)) {
		iu_bad(what, "expected 200 {\"keys\":[...]}, got %ld %.300s",
		    r.status, r.body);
		goto out;
	}
	if (which == SRV_HS256) {
		if (json_object_array_length(keys) != 0)
			iu_bad(what, "an HS256 server must publish no key, got %.300s",
			    r.body);
		else
			iu_good("GET /.well-known/jwks.json of an HS256 server: no keys");
		goto out;
	}
	if (json_object_array_length(keys) != 1) {
		iu_bad(what, "expected one key, got %.600s", r.body);
		goto out;
	}
	k = json_object_array_get_idx(keys, 0);
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (iu_jget(k, private_members[i]) != NULL) {
			iu_bad(what, "the JWK holds private member \"%s\"",
			    private_members[i]);
			goto out;
		}
	if ((a = iu_jstr(k, "kty")) == NULL || strcmp(a, algs[which].kty) != 0 ||
	    (algs[which].crv != NULL && ((a = iu_jstr(k, "crv")) == NULL ||
	    strcmp(a, algs[which].crv) != 0)) ||
	    (a = iu_jstr(k, "kid")) == NULL || *a == '\0' ||
	    (a = iu_jstr(k, "alg")) == NULL || strcmp(a, algs[which].alg) != 0) {
		iu_bad(what, "expected kty %s%s%s, a kid and alg %s, got %s",
		    algs[which].kty, algs[which].crv ? " crv " : "",
		    algs[which].crv ? algs[which].crv : "", algs[which].alg,
		    iu_jtext(k));
		goto out;
	}
	iu_good("GET /.well-known/jwks.json: one public JWK, kty/crv/kid/alg, no "
	    "private members");
out:
	http_resp_free(&r);
}

/* ---- PyJWT ---- */

static char *
pyjwt_mint(const char *what, const char *const *args)
{
	const char	*argv[IU_MAXARGS];
	char		*out = NULL;
	size_t		 n = 0;
	int		 rc;

	argv[n++] = iu_need_env("FU_INTEROP_PYTHON");
	argv[n++] = iu_need_env("FU_INTEROP_PYJWT_TOOL");
	argv[n++] = "mint";
	while (*args != NULL && n < IU_MAXARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	if ((rc = iu_run(argv, &out)) != 0 || out == NULL || *out == '\0') {
		iu_bad(what, "pyjwt_tool.py mint exited %d", rc);
		free(out);
		return NULL;
	}
	return out;
}

/* Mints with the arguments and expects GET /users/me to answer `want`. */
static void
pyjwt_case(struct server *s, const char *what, long want, const char *const *args)
{
	char *t = pyjwt_mint(what, args);

	if (t != NULL)
		iu_expect_me(s->h, s->u.id, what, t, want);
	free(t);
}

static void
pyjwt_hs256(void **state)
{
	struct server	*s;
	const char	*secret;
	char		*out = NULL, other[65];
	int		 rc;

	(void)state;
	iu_begin();
	assert_non_null(s = server(SRV_HS256));
	secret = harness_env(s->h, "JWT_SECRET");
	assert_non_null(secret);
	assert_int_equal(harness_random_hex(other, 32), 0);

	/* 1. FastAPI-Users' own tokens, minted by PyJWT, are accepted. */
	pyjwt_case(s, "PyJWT HS256 {sub, aud:[\"fastapi-users:auth\"], exp} "
	    "(FastAPI-Users' token) -> 200", 200, (const char *const[]){
	    "--sub", s->u.id, "--secret", secret, NULL });
	pyjwt_case(s, "PyJWT HS256 with aud as a string -> 200", 200,
	    (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--aud-str", AUDIENCE, NULL });

	/* 2. Our token verifies with PyJWT. */
	rc = iu_tool(&out, "verify", "--token", s->u.token, "--secret", secret,
	    "--alg", "HS256", "--audience", AUDIENCE, NULL);
	if (rc != 0)
		iu_bad("server HS256 token verifies with PyJWT jwt.decode()",
		    "token %s: PyJWT exited %d (see its reason above)", s->u.token, rc);
	else
		check_verified(s, SRV_HS256, "server HS256 token verifies with "
		    "PyJWT jwt.decode(audience=\"fastapi-users:auth\")", out);
	free(out);

	/* 4. Refused. */
	pyjwt_case(s, "PyJWT HS256 signed with another secret -> 401", 401,
	    (const char *const[]){ "--sub", s->u.id, "--secret", other, NULL });
	pyjwt_case(s, "PyJWT alg none (jwt.encode(..., None, algorithm=\"none\")) "
	    "-> 401", 401, (const char *const[]){ "--sub", s->u.id, "--none",
	    NULL });
	pyjwt_case(s, "PyJWT HS384 with the right secret -> 401 (HS256 only)",
	    401, (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--alg", "HS384", NULL });
	pyjwt_case(s, "PyJWT HS256 expired 10 s ago -> 401", 401,
	    (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--exp-in", "-10", NULL });
	pyjwt_case(s, "PyJWT HS256 with aud [\"fastapi-users:reset\"] -> 401",
	    401, (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--aud-list", "fastapi-users:reset", NULL });
	pyjwt_case(s, "PyJWT HS256 without aud -> 401", 401,
	    (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--no-aud", NULL });
	check_jwks(s, SRV_HS256);
	iu_end();
}

static void
pyjwt_asym(enum srv which)
{
	struct server	*s;
	const char	*alg = algs[which].alg, *secret;
	char		*out = NULL, *url, what[256];
	int		 rc;

	iu_begin();
	assert_non_null(s = server(which));
	secret = harness_env(s->h, "JWT_SECRET");
	assert_non_null(url = jwks_url(s));
	check_jwks(s, which);

	/* 3. Our token verifies with PyJWT: the public key PEM, and the JWKS. */
	snprintf(what, sizeof(what), "server %s token verifies with PyJWT "
	    "jwt.decode() and the public key PEM", alg);
	rc = iu_tool(&out, "verify", "--token", s->u.token, "--key-file", s->pub,
	    "--alg", alg, "--audience", AUDIENCE, NULL);
	if (rc != 0)
		iu_bad(what, "token %s: PyJWT exited %d", s->u.token, rc);
	else
		check_verified(s, which, what, out);
	free(out);
	out = NULL;
	snprintf(what, sizeof(what), "server %s token verifies with PyJWT "
	    "PyJWKClient(jwks.json)", alg);
	rc = iu_tool(&out, "verify", "--token", s->u.token, "--jwks-url", url,
	    "--alg", alg, "--audience", AUDIENCE, NULL);
	if (rc != 0)
		iu_bad(what, "token %s: PyJWT exited %d", s->u.token, rc);
	else
		check_verified(s, which, what, out);
	free(out);

	/* FastAPI-Users' JWTStrategy(algorithm=alg, secret=private key):
	 * PyJWT signs with the private key, no kid. */
	snprintf(what, sizeof(what), "PyJWT %s with the server's private key, "
	    "no kid (FastAPI-Users' JWTStrategy) -> 200", alg);
	pyjwt_case(s, what, 200, (const char *const[]){ "--sub", s->u.id,
	    "--key-file", s->priv, "--alg", alg, NULL });

	/* 4. Refused. */
	snprintf(what, sizeof(what), "key confusion: HS256 HMAC keyed with the "
	    "server's public key PEM, against the %s server -> 401", alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->u.id,
	    "--key-file", s->pub, "--alg", "HS256", "--raw-hmac", NULL });
	snprintf(what, sizeof(what), "HS256 with JWT_SECRET against the %s "
	    "server -> 401", alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->u.id,
	    "--secret", secret, NULL });
	snprintf(what, sizeof(what), "PyJWT alg none against the %s server -> 401",
	    alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->u.id,
	    "--none", NULL });
	free(url);
	iu_end();
}

static void pyjwt_rs256(void **state) { (void)state; pyjwt_asym(SRV_RS256); }
static void pyjwt_es256(void **state) { (void)state; pyjwt_asym(SRV_ES256); }
static void pyjwt_eddsa(void **state) { (void)state; pyjwt_asym(SRV_EDDSA); }

/* ---- jose ---- */

static void
jose_case(struct server *s, const char *what, long want, const char *const *args)
{
	const char	*argv[IU_MAXARGS];
	char		*t = NULL;
	size_t		 n = 0;
	int		 rc;

	argv[n++] = iu_need_env("FU_INTEROP_NODE");
	argv[n++] = iu_need_env("FU_INTEROP_JOSE_TOOL");
	argv[n++] = "mint";
	while (*args != NULL && n < IU_MAXARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	if ((rc = iu_run(argv, &t)) != 0 || t == NULL || *t == '\0')
		iu_bad(what, "jose_tool.mjs mint exited %d", rc);
	else
		iu_expect_me(s->h, s->u.id, what, t, want);
	free(t);
}

static void
jose_hs256(void **state)
{
	struct server	*s;
	const char	*secret;
	char		*out = NULL;
	int		 rc;

	(void)state;
	iu_begin();
	assert_non_null(s = server(SRV_HS256));
	assert_non_null(secret = harness_env(s->h, "JWT_SECRET"));

	rc = iu_tool(&out, "verify", "--token", s->u.token, "--secret", secret,
	    "--alg", "HS256", NULL);
	if (rc != 0)
		iu_bad("server HS256 token verifies with jose jwtVerify(secret)",
		    "token %s: jose exited %d", s->u.token, rc);
	else
		check_verified(s, SRV_HS256, "server HS256 token verifies with jose "
		    "jwtVerify(Uint8Array secret, audience, algorithms [HS256])", out);
	free(out);

	jose_case(s, "jose SignJWT HS256 aud list -> 200", 200,
	    (const char *const[]){ "--sub", s->u.id, "--secret", secret, NULL });
	jose_case(s, "jose SignJWT HS256 aud string -> 200", 200,
	    (const char *const[]){ "--sub", s->u.id, "--secret", secret,
	    "--aud-str", NULL });
	iu_end();
}

/* The kid of the server's one JWK, or NULL (caller frees). */
static char *
server_kid(struct server *s)
{
	struct http_resp	 r;
	struct json_object	*keys;
	const char		*kid = NULL;
	char			*ret = NULL;

	if (harness_get(s->h, "/.well-known/jwks.json", &r) != 0)
		return NULL;
	keys = iu_jget(r.json, "keys");
	if (keys != NULL && json_object_is_type(keys, json_type_array) &&
	    json_object_array_length(keys) > 0)
		kid = iu_jstr(json_object_array_get_idx(keys, 0), "kid");
	if (kid != NULL)
		ret = strdup(kid);
	http_resp_free(&r);
	return ret;
}

static void
jose_asym(enum srv which)
{
	struct server	*s;
	const char	*alg = algs[which].alg;
	char		*out = NULL, *url, *kid, what[256];
	int		 rc;

	iu_begin();
	assert_non_null(s = server(which));
	assert_non_null(url = jwks_url(s));
	check_jwks(s, which);

	snprintf(what, sizeof(what), "server %s token verifies with jose "
	    "createRemoteJWKSet(jwks.json) and importJWK(kid's key)", alg);
	rc = iu_tool(&out, "verify", "--token", s->u.token, "--jwks-url", url,
	    "--alg", alg, NULL);
	if (rc != 0)
		iu_bad(what, "token %s: jose exited %d", s->u.token, rc);
	else
		check_verified(s, which, what, out);
	free(out);

	snprintf(what, sizeof(what), "jose SignJWT %s with the server's private "
	    "key and its kid -> 200", alg);
	kid = server_kid(s);
	jose_case(s, what, 200, (const char *const[]){ "--sub", s->u.id,
	    "--key-file", s->priv, "--alg", alg, "--kid", kid ? kid : "", NULL });
	free(kid);
	snprintf(what, sizeof(what), "jose SignJWT %s with the server's private "
	    "key, no kid -> 200", alg);
	jose_case(s, what, 200, (const char *const[]){ "--sub", s->u.id,
	    "--key-file", s->priv, "--alg", alg, NULL });
	free(url);
	iu_end();
}

static void jose_rs256(void **state) { (void)state; jose_asym(SRV_RS256); }
static void jose_es256(void **state) { (void)state; jose_asym(SRV_ES256); }
static void jose_eddsa(void **state) { (void)state; jose_asym(SRV_EDDSA); }

/* ---- group ---- */

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < SRV__MAX; i++) {
		if (servers[i].h != NULL) {
			if (harness_check_log(servers[i].h) != 0)
				fprintf(stderr, "the %s server's log holds a "
				    "sanitizer report\n", algs[i].alg);
			harness_stop(servers[i].h);
		}
		iu_user_free(&servers[i].u);
		memset(&servers[i], 0, sizeof(servers[i]));
	}
	iu_tmpdir_remove();
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct CMUnitTest pyjwt_tests[] = {
		cmocka_unit_test(pyjwt_hs256),
		cmocka_unit_test(pyjwt_rs256),
		cmocka_unit_test(pyjwt_es256),
		cmocka_unit_test(pyjwt_eddsa),
	};
	static const struct CMUnitTest jose_tests[] = {
		cmocka_unit_test(jose_hs256),
		cmocka_unit_test(jose_rs256),
		cmocka_unit_test(jose_es256),
		cmocka_unit_test(jose_eddsa),
	};

	if (argc != 2 || (strcmp(argv[1], "pyjwt") != 0 &&
	    strcmp(argv[1], "jose") != 0)) {
		fprintf(stderr, "usage: %s pyjwt|jose\n", argv[0]);
		return 2;
	}
	iu_peer = argv[1];
	iu_print_version();
	if (strcmp(iu_peer, "pyjwt") == 0)
		return cmocka_run_group_tests_name("interop_accounts_pyjwt",
		    pyjwt_tests, NULL, group_teardown);
	return cmocka_run_group_tests_name("interop_accounts_jose", jose_tests,
	    NULL, group_teardown);
}
