/*
 * tokens: access tokens and their revocation (see tokens.h).  The claims
 * are FastAPI-Users' (sub, aud as a list, exp) so a client or a token of
 * the Python service keeps working; iat and jti are added so that logout
 * and password changes can revoke.  A token without a jti (minted by
 * FastAPI-Users) is revoked by a digest of the whole token instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "config.h"
#include "db.h"
#include "hex.h"
#include "jwt.h"
#include "log.h"
#include "tokens.h"
#include "tokens_int.h"
#include "users.h"

static const char *const tokens_errs[TOKENS__MAX] = {
	[TOKENS_OK] = "ok",
	[TOKENS_EINVALID] = "invalid token",
	[TOKENS_EREVOKED] = "revoked token",
	[TOKENS_ECONFIG] = "signing keys do not fit the settings",
	[TOKENS_EDB] = "database error",
	[TOKENS_ENOMEM] = "out of memory",
};

/* ON CONFLICT DO NOTHING: SQLite's INSERT OR IGNORE in both dialects. */
static const char SQL_REVOKE[] = "INSERT INTO revoked_tokens "
    "(jti, user_id, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
static const char SQL_PRUNE[] = "DELETE FROM revoked_tokens WHERE expires_at < ?";

const char *
tokens_strerror(enum tokens_err e)
{
	return e < TOKENS__MAX ? tokens_errs[e] : "unknown error";
}

static int
add_verify_key(struct tokens *t, struct jwt_key *k)
{
	if (t->n_verify >= TOKENS_MAX_KEYS) {
		jwt_key_free(k);
		return -1;
	}
	t->verify[t->n_verify++] = k;
	return 0;
}

/* A public key of any supported type: the configured algorithm first. */
static struct jwt_key *
pem_any(enum jwt_alg first, const char *pem, size_t len)
{
	static const enum jwt_alg algs[] = { JWT_RS256, JWT_ES256, JWT_EDDSA };
	struct jwt_key	*k;
	size_t		 i;

	if (first >= JWT_RS256 && (k = jwt_key_pem(first, pem, len)) != NULL)
		return k;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i] != first && (k = jwt_key_pem(algs[i], pem, len)) != NULL)
			return k;
	return NULL;
}

/* Each PEM block of JWT_PREVIOUS_PUBLIC_KEYS becomes a verify-only key. */
static enum tokens_err
load_previous(struct tokens *t, enum jwt_alg alg, const char *pems, char *why,
    size_t whylen)
{
	const char	*p = pems, *next, *end;
	struct jwt_key	*k;

	while ((p = strstr(p, "-----BEGIN ")) != NULL) {
		if ((end = strstr(p, "-----END ")) == NULL ||
		    (end = strstr(end + 9, "-----")) == NULL) {
			snprintf(why, whylen, "JWT_PREVIOUS_PUBLIC_KEYS: unterminated PEM block");
			return TOKENS_ECONFIG;
		}
		next = end + 5;
		if ((k = pem_any(alg, p, (size_t)(next - p))) == NULL) {
			snprintf(why, whylen, "JWT_PREVIOUS_PUBLIC_KEYS: a key is not an "
			    "RSA (2048+), P-256 or Ed25519 public key");
			return TOKENS_ECONFIG;
		}
		if (add_verify_key(t, k) != 0) {
			snprintf(why, whylen, "JWT_PREVIOUS_PUBLIC_KEYS: more than %d keys",
			    TOKENS_MAX_KEYS - 1);
			return TOKENS_ECONFIG;
		}
		p = next;
	}
	return TOKENS_OK;
}

enum tokens_err
tokens_init(struct tokens *t, const struct config *c, char *why, size_t whylen)
{
	struct jwt_key	*k = NULL, *pub = NULL;
	enum jwt_alg	 alg;
	enum tokens_err	 ret = TOKENS_ECONFIG;

	memset(t, 0, sizeof(*t));
	t->lifetime = c->jwt_expire_minutes * 60;
	t->leeway = c->jwt_leeway_seconds;
	t->audience = c->jwt_audience != NULL ? c->jwt_audience : TOKENS_DEFAULT_AUDIENCE;
	t->issuer = c->jwt_issuer;
	t->secret = c->jwt_secret;
	if ((alg = jwt_alg_parse(c->jwt_algorithm)) == JWT_ALG__MAX) {
		snprintf(why, whylen, "JWT_ALGORITHM: unsupported");
		goto out;
	}
	if (alg <= JWT_HS512) {
		if ((k = jwt_key_hmac(alg, c->jwt_secret, strlen(c->jwt_secret))) == NULL) {
			snprintf(why, whylen, "JWT_SECRET: unusable");
			goto out;
		}
	} else if (c->jwt_private_key == NULL && c->jwt_public_key != NULL) {
		/* A program that only verifies (users, geocoding) holds the
		 * public key alone: a leak of it mints nothing. */
		pub = jwt_key_pem(alg, c->jwt_public_key, strlen(c->jwt_public_key));
		if (pub == NULL) {
			snprintf(why, whylen, "JWT_PUBLIC_KEY: not a %s public key",
			    jwt_alg_name(alg));
			goto out;
		}
	} else {
		if (c->jwt_private_key == NULL) {
			snprintf(why, whylen, "JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE; "
			    "JWT_PUBLIC_KEY where a program only verifies) is required "
			    "when JWT_ALGORITHM is %s", jwt_alg_name(alg));
			goto out;
		}
		k = jwt_key_pem(alg, c->jwt_private_key, strlen(c->jwt_private_key));
		if (k == NULL || !jwt_key_can_sign(k)) {
			snprintf(why, whylen, "JWT_PRIVATE_KEY: not a %s private key",
			    jwt_alg_name(alg));
			goto out;
		}
		if (c->jwt_public_key != NULL) {
			pub = jwt_key_pem(alg, c->jwt_public_key, strlen(c->jwt_public_key));
			if (pub == NULL || strcmp(jwt_key_kid(pub), jwt_key_kid(k)) != 0) {
				snprintf(why, whylen, "JWT_PUBLIC_KEY: does not match "
				    "JWT_PRIVATE_KEY");
				goto out;
			}
		}
	}
	if ((t->recovery = jwt_key_hmac(JWT_HS256, c->jwt_secret,
	    strlen(c->jwt_secret))) == NULL) {
		snprintf(why, whylen, "JWT_SECRET: unusable");
		goto out;
	}
	t->sign = k;
	if (k != NULL) {
		if (add_verify_key(t, k) != 0)
			goto out;
		k = NULL;
	} else {
		if (add_verify_key(t, pub) != 0)
			goto out;
		pub = NULL;
	}
	if (c->jwt_previous_public_keys != NULL &&
	    (ret = load_previous(t, alg, c->jwt_previous_public_keys, why,
	    whylen)) != TOKENS_OK)
		goto out;
	ret = TOKENS_OK;
out:
	jwt_key_free(pub);
	if (ret != TOKENS_OK) {
		if (k != NULL && k != t->sign)
			jwt_key_free(k);
		tokens_free(t);
	}
	return ret;
}

void
tokens_free(struct tokens *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_verify; i++)
		jwt_key_free(t->verify[i]);
	jwt_key_free(t->recovery);
	memset(t, 0, sizeof(*t));
}

int
tokens_new_jti(char *out)
{
	unsigned char	 b[TOKENS_JTI_LEN / 2];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	hex_lower(b, sizeof(b), out);
	return 0;
}

enum tokens_err
tokens_issue(const struct tokens *t, const char *user_id, int64_t gen, int64_t now,
    char **out, struct access_claims *claims)
{
	struct json_object	*o = NULL, *aud;
	enum tokens_err		 ret = TOKENS_ENOMEM;

	*out = NULL;
	memset(claims, 0, sizeof(*claims));
	if (t->sign == NULL)
		return TOKENS_ECONFIG;
	snprintf(claims->sub, sizeof(claims->sub), "%s", user_id);
	if (tokens_new_jti(claims->jti) != 0)
		return TOKENS_ENOMEM;
	claims->iat = now;
	claims->exp = now + t->lifetime;
	claims->gen = gen;
	/* FastAPI-Users' claims first, in its order: sub, aud, exp. */
	if ((o = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(o, "sub", json_object_new_string(user_id));
	aud = json_object_new_array();
	json_object_array_add(aud, json_object_new_string(t->audience));
	json_object_object_add(o, "aud", aud);
	json_object_object_add(o, "exp", json_object_new_int64(claims->exp));
	json_object_object_add(o, "iat", json_object_new_int64(now));
	json_object_object_add(o, "jti", json_object_new_string(claims->jti));
	if (gen != 0)
		json_object_object_add(o, "gen", json_object_new_int64(gen));
	if (t->issuer != NULL)
		json_object_object_add(o, "iss", json_object_new_string(t->issuer));
	ret = jwt_sign(t->sign, o, out) == JWT_OK ? TOKENS_OK : TOKENS_ENOMEM;
out:
	json_object_put(o);
	return ret;
}

/* "h" + hex of the first 16 bytes of SHA-256(token): a jti for tokens
 * minted without one. */
static void
token_digest(const char *token, size_t len, char *out)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;

	out[0] = 'h';
	if (EVP_Digest(token, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		mdlen = 0;
	hex_lower(md, mdlen < 16 ? mdlen : 16, out + 1);
}

int
tokens_claim_str(struct json_object *claims, const char *name, size_t min,
    size_t max, const char **out)
{
	struct json_object	*v;
	const char		*s;
	size_t			 n;

	*out = NULL;
	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n < min || n > max || n != strlen(s))
		return -1;
	*out = s;
	return 1;
}

int
tokens_claim_sub(struct json_object *claims, char *out)
{
	const char	*s;

	if (tokens_claim_str(claims, "sub", 1, 64, &s) != 1 ||
	    users_uuid_parse(s, out) != 0)
		return -1;
	return 0;
}

enum tokens_err
tokens_verify(const struct tokens *t, const char *token, size_t len, int64_t now,
    struct access_claims *ac)
{
	struct jwt_verify_opts	 opts;
	struct json_object	*claims = NULL, *v;
	const char		*s;
	enum tokens_err		 ret = TOKENS_EINVALID;

	memset(ac, 0, sizeof(*ac));
	memset(&opts, 0, sizeof(opts));
	opts.keys = (const struct jwt_key *const *)t->verify;
	opts.n_keys = t->n_verify;
	opts.now = now;
	opts.leeway = t->leeway;
	opts.audience = t->audience;
	opts.issuer = t->issuer;
	if (jwt_verify(token, len, &opts, &claims) != JWT_OK)
		goto out;
	if (tokens_claim_sub(claims, ac->sub) != 0)
		goto out;
	switch (tokens_claim_str(claims, "jti", 1, sizeof(ac->jti) - 2, &s)) {
	case 1:
		snprintf(ac->jti, sizeof(ac->jti), "%s", s);
		break;
	case 0:
		token_digest(token, len, ac->jti);
		break;
	default:
		goto out;
	}
	/* jwt_verify has checked that these are integers in range. */
	if (json_object_object_get_ex(claims, "iat", &v))
		ac->iat = json_object_get_int64(v);
	if (json_object_object_get_ex(claims, "exp", &v))
		ac->exp = json_object_get_int64(v);
	if (json_object_object_get_ex(claims, "gen", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    (ac->gen = json_object_get_int64(v)) < 0)
			goto out;
	}
	ret = TOKENS_OK;
out:
	json_object_put(claims);
	return ret;
}

enum tokens_err
tokens_revoke(struct db *db, const char *user_id, const struct access_claims *ac,
    int64_t now)
{
	struct db_stmt	*st;
	enum db_err	 e = DB_ERROR;

	/* Expired rows are of no use: prune them as new ones come. */
	if (db_prepare(db, SQL_PRUNE, &st) == DB_OK) {
		if (db_bind_int64(st, 1, now) == DB_OK)
			(void)db_step(st);
		db_stmt_done(st);
	}
	if (db_prepare(db, SQL_REVOKE, &st) != DB_OK)
		return TOKENS_EDB;
	if (db_bind_text(st, 1, ac->jti, strlen(ac->jti)) == DB_OK &&
	    db_bind_text(st, 2, user_id, strlen(user_id)) == DB_OK &&
	    db_bind_int64(st, 3, ac->exp) == DB_OK)
		e = db_step(st);
	db_stmt_done(st);
	return e == DB_DONE ? TOKENS_OK : TOKENS_EDB;
}

struct json_object *
tokens_jwks(const struct tokens *t)
{
	struct json_object	*o = json_object_new_object(), *keys, *jwk;
	size_t			 i;

	keys = json_object_new_array();
	for (i = 0; i < t->n_verify; i++)
		if ((jwk = jwt_key_jwk(t->verify[i])) != NULL)
			json_object_array_add(keys, jwk);
	json_object_object_add(o, "keys", keys);
	return o;
}
