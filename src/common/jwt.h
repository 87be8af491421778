/*
 * jwt: JWS compact serialization (RFC 7515) of JWTs (RFC 7519) on OpenSSL
 * EVP: HS256/384/512, RS256, ES256 and EdDSA (Ed25519, RFC 8037).  Each key
 * carries exactly one algorithm; verification is pinned to the keys given,
 * rejects "none" and every mismatch, requires canonical unpadded base64url,
 * JSON-object header and payload without a member name twice, no "crit"
 * and no "b64" but true, and reads nothing from the
 * claims before the signature has passed.  Then exp (required), nbf and
 * iat are checked with an explicit leeway, and aud/iss when asked.
 */
#ifndef FCGI_USERS_JWT_H
#define FCGI_USERS_JWT_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

#define JWT_MAX_TOKEN	8192	/* bytes in a compact token we accept */
#define JWT_KID_MAX	128

enum jwt_alg {
	JWT_HS256,
	JWT_HS384,
	JWT_HS512,
	JWT_RS256,
	JWT_ES256,
	JWT_EDDSA,
	JWT_ALG__MAX
};

enum jwt_err {
	JWT_OK,
	JWT_EMALFORMED,		/* not three canonical base64url parts of JSON objects
				 * (each member name once) */
	JWT_ETOOLONG,		/* over JWT_MAX_TOKEN */
	JWT_EALG,		/* alg none, unknown, or not that of any key given */
	JWT_ECRIT,		/* a "crit" header (we understand no extension), or
				 * "b64" other than true (RFC 7797) */
	JWT_ESIGNATURE,		/* the signature does not verify */
	JWT_EEXPIRED,		/* exp has passed */
	JWT_ENOEXP,		/* exp is absent */
	JWT_EIMMATURE,		/* nbf or iat lies in the future */
	JWT_ECLAIM,		/* exp/nbf/iat not an integer in range, or a bad aud/iss type */
	JWT_EAUDIENCE,		/* aud does not hold the audience asked for */
	JWT_EISSUER,		/* iss differs from the issuer asked for */
	JWT_EKEY,		/* the key is unusable for this operation */
	JWT_ENOMEM,
	JWT__MAX
};

struct jwt_key;

const char	*jwt_strerror(enum jwt_err);
/* "HS256" … "EdDSA" → alg; JWT_ALG__MAX when unknown (including "none"). */
enum jwt_alg	 jwt_alg_parse(const char *);
const char	*jwt_alg_name(enum jwt_alg);

/* An HMAC key (HS*); the secret is copied and wiped on free. */
struct jwt_key	*jwt_key_hmac(enum jwt_alg, const void *secret, size_t len);
/*
 * A key from PEM text (PKCS#8 or traditional private key, or SPKI public
 * key).  The key type must fit alg (RSA ≥ 2048 bits for RS256, P-256 for
 * ES256, Ed25519 for EdDSA); NULL otherwise.  kid is the RFC 7638
 * thumbprint of the public key.
 */
struct jwt_key	*jwt_key_pem(enum jwt_alg, const char *pem, size_t len);
/* A fresh key pair for alg (RSA 2048, P-256 or Ed25519). */
struct jwt_key	*jwt_key_generate(enum jwt_alg);
void		 jwt_key_free(struct jwt_key *);
enum jwt_alg	 jwt_key_alg(const struct jwt_key *);
int		 jwt_key_can_sign(const struct jwt_key *);
/* The kid: the RFC 7638 thumbprint for public-key algorithms, "" for HMAC. */
const char	*jwt_key_kid(const struct jwt_key *);
/*
 * Replaces the kid (at most JWT_KID_MAX bytes; "" clears it), e.g. to keep
 * the name a key was published under.  jwt_sign writes "kid" whenever it
 * is not "".  Returns 0, or -1 when kid is NULL or too long.
 */
int		 jwt_key_set_kid(struct jwt_key *, const char *kid);
/* The public key as a JWK (RFC 7517) with kid, alg and "use":"sig"; NULL for HMAC. */
struct json_object *jwt_key_jwk(const struct jwt_key *);
/* PEM text of the private (PKCS#8) or public (SPKI) key; caller frees
 * (the private one with OPENSSL_clear_free or after wiping). */
char		*jwt_key_pem_private(const struct jwt_key *);
char		*jwt_key_pem_public(const struct jwt_key *);

/*
 * Signs `claims` (not consumed) with header {"alg":…,"typ":"JWT"}, or
 * {"alg":…,"kid":…,"typ":"JWT"} when the key has a kid (public-key keys
 * always; HMAC keys once jwt_key_set_kid named them) — PyJWT's sorted
 * header keys.  *out is a malloc'ed NUL-terminated token.  Tokens are
 * byte-for-byte what PyJWT writes for the same claims in the same order
 * (compact, ASCII-only JSON), doubles aside.
 */
enum jwt_err	 jwt_sign(const struct jwt_key *, struct json_object *claims, char **out);
/*
 * The raw JWS signature (RFC 7515 §5.1 step 5) of (in, len): the HMAC, the
 * RSASSA-PKCS1-v1_5 signature, r||s (64 bytes) for ES256 or the Ed25519
 * signature; *sig is malloc'ed.  For known-answer tests: tokens are made
 * with jwt_sign.
 */
enum jwt_err	 jwt_sign_raw(const struct jwt_key *, const void *in, size_t len,
		    unsigned char **sig, size_t *siglen);

struct jwt_verify_opts {
	const struct jwt_key *const	*keys;		/* tried in order, pinned by alg (and kid) */
	size_t				 n_keys;
	int64_t				 now;		/* Unix seconds; 0 means time(NULL) */
	int64_t				 leeway;	/* seconds, >= 0 */
	const char			*audience;	/* NULL: aud not checked */
	const char			*issuer;	/* NULL: iss not checked */
	const char			*audience_alt;	/* a second audience accepted (or NULL) */
};

/*
 * Verifies (token, len).  On JWT_OK *claims is a new reference to the
 * payload object; otherwise NULL.
 */
enum jwt_err	 jwt_verify(const char *token, size_t len,
		    const struct jwt_verify_opts *, struct json_object **claims);

/* Unpadded base64url (RFC 4648 §5) helpers, exposed for tests. */
char		*jwt_b64url_encode(const void *, size_t, size_t *outlen);
/* Decodes canonical input only: no padding, no '+' '/', no stray bits. */
int		 jwt_b64url_decode(const char *, size_t, unsigned char **out, size_t *outlen);

#endif
