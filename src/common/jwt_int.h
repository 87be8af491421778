/*
 * jwt_int: what jwt.c (tokens and signatures) and jwt_key.c (keys) share,
 * and nothing outside them includes: the algorithm table, each algorithm
 * pinned to one key type (RFC 7518 §3.1, RFC 8037 §3.1), and the layout of
 * struct jwt_key.  The API is jwt.h.
 */
#ifndef FCGI_USERS_JWT_INT_H
#define FCGI_USERS_JWT_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "jwt.h"

#define ES256_N		32		/* bytes of r and of s, and of x and of y */

enum jwt_kind { KIND_HMAC, KIND_RSA, KIND_EC, KIND_OKP };

struct jwt_alg_info {
	const char	*name;
	const char	*md;		/* NULL: Ed25519 hashes internally */
	enum jwt_kind	 kind;
	size_t		 hlen;		/* HMAC output, and generated secret */
};

/* Indexed by enum jwt_alg (jwt.c). */
extern const struct jwt_alg_info jwt_algs[JWT_ALG__MAX];

static inline int
jwt_alg_ok(enum jwt_alg a)
{
	return (unsigned)a < JWT_ALG__MAX;
}

struct jwt_key {
	enum jwt_alg	 alg;
	unsigned char	*secret;	/* HMAC; wiped on free */
	size_t		 secret_len;
	EVP_MAC_CTX	*mac;		/* HMAC keyed once; each use works on a copy */
	EVP_PKEY	*pkey;		/* the others */
	int		 private;	/* pkey holds the private half */
	char		*jwk_a;		/* public members, base64url: n / x */
	char		*jwk_b;		/* e / y; NULL for OKP */
	char		 kid[JWT_KID_MAX + 1];
};

/* Adds the string member name: val to the object o; returns 0, or -1. */
int	jwt_obj_add_str(struct json_object *o, const char *name, const char *val);

#endif
