/*
 * test_tokens: access tokens (src/common/tokens.c) — key loading from the
 * settings, FastAPI-Users' claims, verification of every accepted form of
 * sub, the token generation of password changes, key rotation through
 * JWT_PREVIOUS_PUBLIC_KEYS, and revocation in a real SQLite database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "db.h"
#include "jwt.h"
#include "migrate.h"
#include "tokens.h"
#include "users.h"
#include "arena.h"

#define SECRET	"0123456789abcdef0123456789abcdef-test"
#define NOW	INT64_C(1800000000)
#define USER	"3f0c8a2e-6b1d-4c5e-9f7a-0123456789ab"

/* A config from "K=V" pairs (NULL-terminated); fails the test when invalid. */
static void
load(struct config *c, const char *const *kv)
{
	char		*env[32];
	char		 why[256];
	const char	*bad;
	size_t		 i;

	for (i = 0; kv[i] != NULL && i < 31; i++)
		env[i] = (char *)kv[i];
	env[i] = NULL;
	if (config_load(c, env, &bad, why, sizeof(why)) != CONFIG_OK)
		fail_msg("config: %s: %s", bad, why);
}

static char *
setting(const char *name, const char *value)
{
	size_t	 n = strlen(name) + strlen(value) + 2;
	char	*s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s=%s", name, value);
	return s;
}

static void
test_hs256_claims(void **state)
{
	static const char *const kv[] = { "JWT_SECRET=" SECRET, NULL };
	struct config		 c;
	struct tokens		 t;
	struct access_claims	 ac, back;
	struct json_object	*claims;
	struct jwt_verify_opts	 o;
	char			 why[256], *tok = NULL;

	(void)state;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &tok, &ac), TOKENS_OK);
	assert_int_equal(strlen(ac.jti), TOKENS_JTI_LEN);
	assert_int_equal(ac.exp, NOW + 3600);

	/* FastAPI-Users' claims, in its order, then ours; no gen at 0. */
	memset(&o, 0, sizeof(o));
	o.keys = (const struct jwt_key *const *)t.verify;
	o.n_keys = t.n_verify;
	o.now = NOW;
	assert_int_equal(jwt_verify(tok, strlen(tok), &o, &claims), JWT_OK);
	snprintf(why, sizeof(why), "{\"sub\":\"" USER "\",\"aud\":[\"fastapi-users:auth\"],"
	    "\"exp\":1800003600,\"iat\":1800000000,\"jti\":\"%s\"}", ac.jti);
	assert_string_equal(json_object_to_json_string_ext(claims,
	    JSON_C_TO_STRING_PLAIN), why);
	json_object_put(claims);

	/* Our own verification gives back what was issued. */
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW + 10, &back), TOKENS_OK);
	assert_string_equal(back.sub, USER);
	assert_string_equal(back.jti, ac.jti);
	assert_int_equal(back.iat, NOW);
	assert_int_equal(back.gen, 0);
	/* Expired one second after exp - 1 (PyJWT: exp <= now is expired). */
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW + 3600, &back),
	    TOKENS_EINVALID);
	/* A token from the future (iat > now) is refused. */
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW - 1, &back),
	    TOKENS_EINVALID);
	free(tok);

	/* A password change's generation travels in the token. */
	assert_int_equal(tokens_issue(&t, USER, 7, NOW, &tok, &ac), TOKENS_OK);
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW, &back), TOKENS_OK);
	assert_int_equal(back.gen, 7);
	free(tok);
	tokens_free(&t);
	config_free(&c);
}

/* Signs claims built from JSON text with the HS256 secret. */
static char *
mint(const char *claims_json)
{
	struct jwt_key		*k = jwt_key_hmac(JWT_HS256, SECRET, strlen(SECRET));
	struct json_object	*o = json_tokener_parse(claims_json);
	char			*tok = NULL;

	assert_non_null(k);
	assert_non_null(o);
	assert_int_equal(jwt_sign(k, o, &tok), JWT_OK);
	json_object_put(o);
	jwt_key_free(k);
	return tok;
}

struct sub_case {
	int		 line;
	const char	*claims;
	enum tokens_err	 want;
	const char	*sub;		/* canonical, when accepted */
};

static void
test_verify_forms(void **state)
{
	static const char *const kv[] = { "JWT_SECRET=" SECRET, NULL };
#define AUD	"\"aud\":[\"fastapi-users:auth\"],\"exp\":1800003600"
	static const struct sub_case cases[] = {
		/* FastAPI-Users' own token: no iat, no jti */
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD "}", TOKENS_OK, USER },
		{ __LINE__, "{\"sub\":\"3F0C8A2E-6B1D-4C5E-9F7A-0123456789AB\"," AUD "}",
		    TOKENS_OK, USER },
		{ __LINE__, "{\"sub\":\"3f0c8a2e6b1d4c5e9f7a0123456789ab\"," AUD "}",
		    TOKENS_OK, USER },
		{ __LINE__, "{\"sub\":\"{" USER "}\"," AUD "}", TOKENS_OK, USER },
		{ __LINE__, "{\"sub\":\"urn:uuid:" USER "\"," AUD "}", TOKENS_OK, USER },
		{ __LINE__, "{\"sub\":\"" USER "\",\"aud\":\"fastapi-users:auth\","
		    "\"exp\":1800003600}", TOKENS_OK, USER },
		/* refused */
		{ __LINE__, "{" AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":12345," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":[\"" USER "\"]," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":null," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"not-a-uuid\"," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "0\"," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\\u0000\"," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"\"," AUD "}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\",\"exp\":1800003600}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\",\"aud\":[\"fastapi-users:reset\"],"
		    "\"exp\":1800003600}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\",\"aud\":[\"fastapi-users:auth\"]}",
		    TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD ",\"jti\":5}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD ",\"jti\":\"\"}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD ",\"gen\":\"1\"}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD ",\"gen\":-1}", TOKENS_EINVALID, NULL },
		{ __LINE__, "{\"sub\":\"" USER "\"," AUD ",\"iat\":1800000001}",
		    TOKENS_EINVALID, NULL },
	};
#undef AUD
	struct config		 c;
	struct tokens		 t;
	struct access_claims	 ac;
	char			 why[256], *tok;
	size_t			 i;
	enum tokens_err		 got;

	(void)state;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tok = mint(cases[i].claims);
		got = tokens_verify(&t, tok, strlen(tok), NOW, &ac);
		if (got != cases[i].want)
			fail_msg("line %d: got %s, want %s", cases[i].line,
			    tokens_strerror(got), tokens_strerror(cases[i].want));
		if (got == TOKENS_OK) {
			assert_string_equal(ac.sub, cases[i].sub);
			/* jti-less tokens get a digest for revocation */
			assert_true(ac.jti[0] != '\0');
		}
		free(tok);
	}
	tokens_free(&t);
	config_free(&c);
}

/* PEM files of a fresh key pair for alg in dir; returns the kid. */
static char *
write_pair(const char *dir, const char *stem, enum jwt_alg alg, char *priv,
    char *pub, size_t len)
{
	struct jwt_key	*k = jwt_key_generate(alg);
	char		*pem, *kid;
	FILE		*f;

	assert_non_null(k);
	snprintf(priv, len, "%s/%s.key", dir, stem);
	snprintf(pub, len, "%s/%s.pub", dir, stem);
	assert_non_null(pem = jwt_key_pem_private(k));
	assert_non_null(f = fopen(priv, "w"));
	/* As `fcgi-users keys generate` writes it: config refuses a private
	 * key file that others may read (fileperm.h). */
	assert_int_equal(fchmod(fileno(f), 0600), 0);
	fputs(pem, f);
	fclose(f);
	free(pem);
	assert_non_null(pem = jwt_key_pem_public(k));
	assert_non_null(f = fopen(pub, "w"));
	fputs(pem, f);
	fclose(f);
	free(pem);
	kid = strdup(jwt_key_kid(k));
	jwt_key_free(k);
	return kid;
}

static void
test_keys_and_rotation(void **state)
{
	char			 dir[] = "/tmp/fu-test-tokens-XXXXXX", why[256];
	char			 p1[256], q1[256], p2[256], q2[256], p3[256], q3[256];
	char			*kid1, *kid2, *kid3, *tok = NULL, *old = NULL;
	struct config		 c;
	struct tokens		 t;
	struct access_claims	 ac;
	struct json_object	*jwks, *keys;
	const char		*kv[8];

	(void)state;
	assert_non_null(mkdtemp(dir));
	kid1 = write_pair(dir, "old", JWT_RS256, p1, q1, sizeof(p1));
	kid2 = write_pair(dir, "new", JWT_ES256, p2, q2, sizeof(p2));
	kid3 = write_pair(dir, "other", JWT_EDDSA, p3, q3, sizeof(p3));

	/* The old deployment signs a token. */
	kv[0] = "JWT_SECRET=" SECRET;
	kv[1] = "JWT_ALGORITHM=RS256";
	kv[2] = setting("JWT_PRIVATE_KEY_FILE", p1);
	kv[3] = NULL;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &old, &ac), TOKENS_OK);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);

	/* The new one signs with ES256 and still accepts the old key. */
	kv[0] = "JWT_SECRET=" SECRET;
	kv[1] = "JWT_ALGORITHM=ES256";
	kv[2] = setting("JWT_PRIVATE_KEY_FILE", p2);
	kv[3] = setting("JWT_PUBLIC_KEY_FILE", q2);
	kv[4] = setting("JWT_PREVIOUS_PUBLIC_KEYS_FILE", q1);
	kv[5] = NULL;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(t.n_verify, 2);
	assert_int_equal(tokens_verify(&t, old, strlen(old), NOW, &ac), TOKENS_OK);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &tok, &ac), TOKENS_OK);
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW, &ac), TOKENS_OK);
	jwks = tokens_jwks(&t);
	assert_true(json_object_object_get_ex(jwks, "keys", &keys));
	assert_int_equal(json_object_array_length(keys), 2);
	json_object_put(jwks);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	free((char *)kv[3]);
	free((char *)kv[4]);

	/* Without the previous key the old token dies; a stranger's key too. */
	kv[0] = "JWT_SECRET=" SECRET;
	kv[1] = "JWT_ALGORITHM=ES256";
	kv[2] = setting("JWT_PRIVATE_KEY_FILE", p2);
	kv[3] = setting("JWT_PREVIOUS_PUBLIC_KEYS_FILE", q3);
	kv[4] = NULL;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(tokens_verify(&t, old, strlen(old), NOW, &ac), TOKENS_EINVALID);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	free((char *)kv[3]);

	assert_string_not_equal(kid1, kid2);
	assert_string_not_equal(kid2, kid3);
	free(kid1);
	free(kid2);
	free(kid3);
	free(tok);
	free(old);
	unlink(p1); unlink(q1); unlink(p2); unlink(q2); unlink(p3); unlink(q3);
	rmdir(dir);
}

struct config_case {
	int		 line;
	const char	*alg;
	int		 priv;		/* 0 none, 1 RSA, 2 EC, 3 Ed25519 */
	int		 pub;		/* 0 none, 1 matching, 2 another key */
	enum tokens_err	 want;
};

static void
test_key_settings(void **state)
{
	static const struct config_case cases[] = {
		{ __LINE__, "HS256", 0, 0, TOKENS_OK },
		{ __LINE__, "HS512", 0, 0, TOKENS_OK },
		{ __LINE__, "RS256", 1, 0, TOKENS_OK },
		{ __LINE__, "RS256", 1, 1, TOKENS_OK },
		{ __LINE__, "ES256", 2, 0, TOKENS_OK },
		{ __LINE__, "EdDSA", 3, 1, TOKENS_OK },
		/* refused */
		{ __LINE__, "RS256", 0, 0, TOKENS_ECONFIG },
		{ __LINE__, "ES256", 0, 1, TOKENS_ECONFIG },
		{ __LINE__, "RS256", 2, 0, TOKENS_ECONFIG },
		{ __LINE__, "ES256", 1, 0, TOKENS_ECONFIG },
		{ __LINE__, "EdDSA", 2, 0, TOKENS_ECONFIG },
		{ __LINE__, "RS256", 1, 2, TOKENS_ECONFIG },
		{ __LINE__, "ES256", 2, 2, TOKENS_ECONFIG },
	};
	static const enum jwt_alg algs[] = { JWT_HS256, JWT_RS256, JWT_ES256, JWT_EDDSA };
	char		 dir[] = "/tmp/fu-test-tokens-XXXXXX", why[256];
	char		 priv[4][256], pub[4][256], opriv[4][256], opub[4][256];
	struct config	 c;
	struct tokens	 t;
	const char	*kv[6];
	size_t		 i, n;
	int		 k;
	enum tokens_err	 got;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (k = 1; k <= 3; k++) {
		char stem[16];

		snprintf(stem, sizeof(stem), "k%d", k);
		free(write_pair(dir, stem, algs[k], priv[k], pub[k], sizeof(priv[k])));
		snprintf(stem, sizeof(stem), "o%d", k);
		free(write_pair(dir, stem, algs[k], opriv[k], opub[k], sizeof(opriv[k])));
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct config_case *cc = &cases[i];
		char *owned[2] = { NULL, NULL };

		n = 0;
		kv[n++] = "JWT_SECRET=" SECRET;
		kv[n++] = owned[0] = setting("JWT_ALGORITHM", cc->alg);
		if (cc->priv)
			kv[n++] = owned[1] = setting("JWT_PRIVATE_KEY_FILE", priv[cc->priv]);
		kv[n] = NULL;
		if (cc->pub) {
			int	 slot = cc->priv ? cc->priv : 1;

			kv[n++] = setting("JWT_PUBLIC_KEY_FILE", cc->pub == 1 ?
			    pub[slot] : opub[slot]);
			kv[n] = NULL;
		}
		load(&c, kv);
		got = tokens_init(&t, &c, why, sizeof(why));
		if (got != cc->want)
			fail_msg("line %d: got %s, want %s (%s)", cc->line,
			    tokens_strerror(got), tokens_strerror(cc->want), why);
		if (got != TOKENS_OK)
			assert_null(strstr(why, "BEGIN"));	/* no key material */
		tokens_free(&t);
		config_free(&c);
		if (cc->pub)
			free((char *)kv[n - 1]);
		free(owned[0]);
		free(owned[1]);
	}
	for (k = 1; k <= 3; k++) {
		unlink(priv[k]); unlink(pub[k]); unlink(opriv[k]); unlink(opub[k]);
	}
	rmdir(dir);
}

/*
 * JWT_PUBLIC_KEY without JWT_PRIVATE_KEY: a program that only verifies.
 * It accepts the deployment's tokens, signs none, publishes the key, and
 * refuses another key's tokens; a public key file that is not one (or of
 * another type) is refused at start.
 */
static void
test_verify_only(void **state)
{
	char			 dir[] = "/tmp/fu-test-tokens-XXXXXX", why[256];
	char			 p[256], q[256], op[256], oq[256], bad[300];
	char			*tok = NULL, *otok = NULL, *none = NULL, *kid, *okid;
	struct config		 c;
	struct tokens		 t;
	struct access_claims	 ac;
	struct json_object	*jwks, *keys;
	const char		*kv[4];
	FILE			*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	kid = write_pair(dir, "k", JWT_RS256, p, q, sizeof(p));
	okid = write_pair(dir, "o", JWT_RS256, op, oq, sizeof(op));
	snprintf(bad, sizeof(bad), "%s/bad.pem", dir);
	assert_non_null(f = fopen(bad, "w"));
	fputs("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n", f);
	fclose(f);
	/* auth.fcgi's side: the private key signs. */
	kv[0] = "JWT_SECRET=" SECRET;
	kv[1] = "JWT_ALGORITHM=RS256";
	kv[2] = setting("JWT_PRIVATE_KEY_FILE", p);
	kv[3] = NULL;
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &tok, &ac), TOKENS_OK);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	kv[2] = setting("JWT_PRIVATE_KEY_FILE", op);
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &otok, &ac), TOKENS_OK);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	/* users.fcgi's side: the public key alone. */
	kv[2] = setting("JWT_PUBLIC_KEY_FILE", q);
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_OK);
	assert_null(t.sign);
	assert_int_equal(tokens_verify(&t, tok, strlen(tok), NOW, &ac), TOKENS_OK);
	assert_string_equal(ac.sub, USER);
	assert_int_equal(tokens_verify(&t, otok, strlen(otok), NOW, &ac), TOKENS_EINVALID);
	assert_int_equal(tokens_issue(&t, USER, 0, NOW, &none, &ac), TOKENS_ECONFIG);
	assert_null(none);
	jwks = tokens_jwks(&t);
	assert_true(json_object_object_get_ex(jwks, "keys", &keys));
	assert_int_equal(json_object_array_length(keys), 1);
	assert_non_null(strstr(json_object_to_json_string(jwks), kid));
	json_object_put(jwks);
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	/* Refused: a file that holds no key, a key of another algorithm. */
	kv[2] = setting("JWT_PUBLIC_KEY_FILE", bad);
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_ECONFIG);
	assert_non_null(strstr(why, "JWT_PUBLIC_KEY"));
	tokens_free(&t);
	config_free(&c);
	kv[1] = "JWT_ALGORITHM=ES256";
	free((char *)kv[2]);
	kv[2] = setting("JWT_PUBLIC_KEY_FILE", q);
	load(&c, kv);
	assert_int_equal(tokens_init(&t, &c, why, sizeof(why)), TOKENS_ECONFIG);
	assert_null(strstr(why, "BEGIN"));
	tokens_free(&t);
	config_free(&c);
	free((char *)kv[2]);
	free(tok);
	free(otok);
	free(kid);
	free(okid);
	unlink(p); unlink(q); unlink(op); unlink(oq); unlink(bad);
	rmdir(dir);
}

/* Whether the user row USER reads as revoked for this jti. */
static int
revoked(struct db *db, struct arena *a, const struct access_claims *ac)
{
	struct user	 u;
	int		 r = -1;

	assert_int_equal(users_find_for_token(db, a, USER, ac->jti, &u, &r), USERS_OK);
	return r;
}

static void
test_revocation(void **state)
{
	char			 dir[] = "/tmp/fu-test-tokens-XXXXXX", path[256];
	struct db		*db = NULL;
	struct arena		*ar;
	struct access_claims	 a, b;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 1000, &db), DB_OK);
	assert_int_equal(migrate_up(db, 0, NULL), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO users (id, email, hashed_password) "
	    "VALUES ('" USER "', 'r@example.com', 'x')"), DB_OK);
	assert_non_null(ar = arena_new(4096));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	snprintf(a.jti, sizeof(a.jti), "aaaa");
	snprintf(b.jti, sizeof(b.jti), "bbbb");
	a.exp = b.exp = NOW + 100;
	assert_int_equal(revoked(db, ar, &a), 0);
	assert_int_equal(tokens_revoke(db, USER, &a, NOW), TOKENS_OK);
	assert_int_equal(revoked(db, ar, &a), 1);
	assert_int_equal(revoked(db, ar, &b), 0);
	/* Twice is fine. */
	assert_int_equal(tokens_revoke(db, USER, &a, NOW), TOKENS_OK);
	/* Rows past their exp are pruned by the next revocation. */
	assert_int_equal(tokens_revoke(db, USER, &b, NOW + 200), TOKENS_OK);
	assert_int_equal(revoked(db, ar, &a), 0);
	assert_int_equal(revoked(db, ar, &b), 1);
	arena_free(ar);
	db_close(db);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs256_claims),
		cmocka_unit_test(test_verify_forms),
		cmocka_unit_test(test_keys_and_rotation),
		cmocka_unit_test(test_key_settings),
		cmocka_unit_test(test_verify_only),
		cmocka_unit_test(test_revocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
