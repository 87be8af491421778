/*
 * jwt_key: the keys of jwt.h.  A key is bound to one algorithm when it is
 * made: an HMAC secret (copied, wiped on free), or an RSA >= 2048 / P-256 /
 * Ed25519 key read from PEM or generated, whose type must be the one its
 * algorithm is pinned to.  Public keys are named by their RFC 7638
 * thumbprint and published as a JWK (RFC 7517); PEM export for the admin
 * tool.  Signing and verifying are in jwt.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "jwt.h"
#include "jwt_int.h"

#define JWT_PEM_MAX	65536		/* bytes of PEM text we read */
#define JWT_HMAC_MAX	4096		/* bytes of HMAC secret */
#define JWT_RSA_MIN	2048		/* modulus bits */
#define JWT_RSA_MAX	8192

void
jwt_key_free(struct jwt_key *k)
{
	if (k == NULL)
		return;
	if (k->secret != NULL) {
		OPENSSL_cleanse(k->secret, k->secret_len);
		free(k->secret);
	}
	EVP_MAC_CTX_free(k->mac);
	EVP_PKEY_free(k->pkey);
	free(k->jwk_a);
	free(k->jwk_b);
	free(k);
}

/* An HMAC context for alg's digest keyed with (secret, len); NULL on error. */
static EVP_MAC_CTX *
hmac_keyed(enum jwt_alg alg, const unsigned char *secret, size_t len)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context keeps its own reference */
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)jwt_algs[alg].md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, secret, len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct jwt_key *
jwt_key_hmac(enum jwt_alg alg, const void *secret, size_t len)
{
	struct jwt_key	*k;

	if (!jwt_alg_ok(alg) || jwt_algs[alg].kind != KIND_HMAC || secret == NULL ||
	    len == 0 || len > JWT_HMAC_MAX)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	if ((k->secret = malloc(len)) == NULL) {
		free(k);
		return NULL;
	}
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	k->alg = alg;
	/*
	 * Fetch HMAC and key it once: a FastCGI process verifies every
	 * request's token with the same key, and a keyed context copied per
	 * use skips the provider lookup and the ipad/opad rounds.
	 */
	if ((k->mac = hmac_keyed(alg, k->secret, len)) == NULL) {
		jwt_key_free(k);
		return NULL;
	}
	return k;
}

/* Whether pkey is the key type alg is pinned to. */
static int
pkey_fits(enum jwt_alg alg, EVP_PKEY *pk)
{
	char	 grp[64];
	size_t	 glen;
	int	 bits;

	switch (jwt_algs[alg].kind) {
	case KIND_RSA:
		bits = EVP_PKEY_get_bits(pk);
		return EVP_PKEY_is_a(pk, "RSA") &&
		    bits >= JWT_RSA_MIN && bits <= JWT_RSA_MAX;
	case KIND_EC:
		/* Named curve only: explicit parameters have no group name. */
		return EVP_PKEY_is_a(pk, "EC") &&
		    EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
		    grp, sizeof(grp), &glen) &&
		    strcmp(grp, SN_X9_62_prime256v1) == 0;
	case KIND_OKP:
		return EVP_PKEY_is_a(pk, "ED25519");
	default:
		return 0;
	}
}

/* A base64url copy of the big-endian bytes of a BIGNUM, padded to `pad`
 * bytes (0: minimal, as RFC 7518 §6.3.1 wants for n and e). */
static char *
bn_b64(const BIGNUM *bn, int pad)
{
	unsigned char	 buf[JWT_RSA_MAX / 8];
	int		 n;

	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) :
	    BN_num_bytes(bn) <= (int)sizeof(buf) ? BN_bn2bin(bn, buf) : -1;
	if (n < 0)
		return NULL;
	return jwt_b64url_encode(buf, (size_t)n, NULL);
}

/*
 * Fills jwk_a/jwk_b with the public members, base64url: n and e (minimal,
 * RFC 7518 §6.3.1), x and y (32 bytes each, §6.2.1), or the Ed25519 x
 * (RFC 8037 §2).  Returns 0 or -1; jwt_key_free frees what was filled.
 */
static int
key_members(struct jwt_key *k)
{
	BIGNUM		*a = NULL, *b = NULL;
	unsigned char	 raw[32];
	size_t		 rawlen = sizeof(raw);
	int		 ret = -1;

	switch (jwt_algs[k->alg].kind) {
	case KIND_RSA:
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &a) ||
		    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &b) ||
		    (k->jwk_a = bn_b64(a, 0)) == NULL ||
		    (k->jwk_b = bn_b64(b, 0)) == NULL)
			goto out;
		break;
	case KIND_EC:
		if (!EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &a) ||
		    !EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &b) ||
		    (k->jwk_a = bn_b64(a, ES256_N)) == NULL ||
		    (k->jwk_b = bn_b64(b, ES256_N)) == NULL)
			goto out;
		break;
	case KIND_OKP:
		if (!EVP_PKEY_get_raw_public_key(k->pkey, raw, &rawlen) ||
		    rawlen != sizeof(raw) ||
		    (k->jwk_a = jwt_b64url_encode(raw, rawlen, NULL)) == NULL)
			goto out;
		break;
	default:
		goto out;
	}
	ret = 0;
out:
	BN_free(a);
	BN_free(b);
	return ret;
}

/*
 * Sets kid to the RFC 7638 thumbprint of the members key_members filled:
 * base64url(SHA-256) of the required members, sorted, without whitespace
 * (§3.2; RFC 8037 §2 for OKP).  Returns 0 or -1.
 */
static int
key_thumbprint(struct jwt_key *k)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	size_t		 clen;
	unsigned int	 mdlen;
	char		*canon = NULL, *tp = NULL;
	int		 ret = -1;

	clen = strlen(k->jwk_a) + (k->jwk_b ? strlen(k->jwk_b) : 0) + 64;
	if ((canon = malloc(clen)) == NULL)
		goto out;
	if (jwt_algs[k->alg].kind == KIND_RSA)
		snprintf(canon, clen, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
		    k->jwk_b, k->jwk_a);
	else if (jwt_algs[k->alg].kind == KIND_EC)
		snprintf(canon, clen, "{\"crv\":\"P-256\",\"kty\":\"EC\","
		    "\"x\":\"%s\",\"y\":\"%s\"}", k->jwk_a, k->jwk_b);
	else
		snprintf(canon, clen, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\","
		    "\"x\":\"%s\"}", k->jwk_a);
	if (!EVP_Digest(canon, strlen(canon), md, &mdlen, EVP_sha256(), NULL) ||
	    (tp = jwt_b64url_encode(md, mdlen, NULL)) == NULL)
		goto out;
	snprintf(k->kid, sizeof(k->kid), "%s", tp);
	ret = 0;
out:
	free(tp);
	free(canon);
	return ret;
}

/* A key around pk (taken, also on failure); NULL when pk does not fit. */
static struct jwt_key *
key_from_pkey(enum jwt_alg alg, EVP_PKEY *pk, int private)
{
	struct jwt_key	*k;

	if (!pkey_fits(alg, pk) || (k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	k->alg = alg;
	k->pkey = pk;
	k->private = private;
	if (key_members(k) == -1 || key_thumbprint(k) == -1) {
		jwt_key_free(k);
		return NULL;
	}
	return k;
}

/* Never prompt: an encrypted PEM fails to load. */
static int
no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

struct jwt_key *
jwt_key_pem(enum jwt_alg alg, const char *pem, size_t len)
{
	BIO		*bio = NULL;
	EVP_PKEY	*pk = NULL;
	int		 private = 1;

	if (!jwt_alg_ok(alg) || jwt_algs[alg].kind == KIND_HMAC || pem == NULL ||
	    len == 0 || len > JWT_PEM_MAX)
		return NULL;
	ERR_set_mark();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) != NULL)
		pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (pk == NULL) {
		private = 0;
		BIO_free(bio);
		if ((bio = BIO_new_mem_buf(pem, (int)len)) != NULL)
			pk = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_pop_to_mark();
	return pk == NULL ? NULL : key_from_pkey(alg, pk, private);
}

struct jwt_key *
jwt_key_generate(enum jwt_alg alg)
{
	struct jwt_key	*k;
	unsigned char	 secret[EVP_MAX_MD_SIZE];
	EVP_PKEY	*pk = NULL;

	if (!jwt_alg_ok(alg))
		return NULL;
	switch (jwt_algs[alg].kind) {
	case KIND_HMAC:
		/* A random secret as long as the MAC (RFC 7518 §3.2). */
		if (RAND_bytes(secret, (int)jwt_algs[alg].hlen) != 1)
			return NULL;
		k = jwt_key_hmac(alg, secret, jwt_algs[alg].hlen);
		OPENSSL_cleanse(secret, sizeof(secret));
		return k;
	case KIND_RSA:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)JWT_RSA_MIN);
		break;
	case KIND_EC:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case KIND_OKP:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	}
	return pk == NULL ? NULL : key_from_pkey(alg, pk, 1);
}

enum jwt_alg
jwt_key_alg(const struct jwt_key *k)
{
	return k == NULL ? JWT_ALG__MAX : k->alg;
}

int
jwt_key_can_sign(const struct jwt_key *k)
{
	return k != NULL && (k->secret != NULL || k->private);
}

const char *
jwt_key_kid(const struct jwt_key *k)
{
	return k == NULL ? "" : k->kid;
}

int
jwt_key_set_kid(struct jwt_key *k, const char *kid)
{
	size_t	 n;

	if (k == NULL || kid == NULL ||
	    (n = strnlen(kid, JWT_KID_MAX + 1)) > JWT_KID_MAX)
		return -1;
	memcpy(k->kid, kid, n + 1);
	return 0;
}

int
jwt_obj_add_str(struct json_object *o, const char *name, const char *val)
{
	struct json_object	*s;

	if ((s = json_object_new_string(val)) == NULL)
		return -1;
	if (json_object_object_add(o, name, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

struct json_object *
jwt_key_jwk(const struct jwt_key *k)
{
	struct json_object	*o;
	int			 rc = 0;

	if (k == NULL || k->pkey == NULL || (o = json_object_new_object()) == NULL)
		return NULL;
	switch (jwt_algs[k->alg].kind) {
	case KIND_RSA:
		rc |= jwt_obj_add_str(o, "kty", "RSA");
		rc |= jwt_obj_add_str(o, "n", k->jwk_a);
		rc |= jwt_obj_add_str(o, "e", k->jwk_b);
		break;
	case KIND_EC:
		rc |= jwt_obj_add_str(o, "kty", "EC");
		rc |= jwt_obj_add_str(o, "crv", "P-256");
		rc |= jwt_obj_add_str(o, "x", k->jwk_a);
		rc |= jwt_obj_add_str(o, "y", k->jwk_b);
		break;
	default:
		rc |= jwt_obj_add_str(o, "kty", "OKP");
		rc |= jwt_obj_add_str(o, "crv", "Ed25519");
		rc |= jwt_obj_add_str(o, "x", k->jwk_a);
		break;
	}
	rc |= jwt_obj_add_str(o, "kid", k->kid);
	rc |= jwt_obj_add_str(o, "alg", jwt_algs[k->alg].name);
	rc |= jwt_obj_add_str(o, "use", "sig");
	if (rc != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* PEM text of the key; the private one goes through a BIO whose buffer
 * is wiped when freed. */
static char *
pem_out(const struct jwt_key *k, int private)
{
	BIO	*bio;
	BUF_MEM	*bm = NULL;
	char	*s = NULL;
	int	 ok;

	if (k == NULL || k->pkey == NULL || (private && !k->private))
		return NULL;
	if ((bio = BIO_new(private ? BIO_s_secmem() : BIO_s_mem())) == NULL)
		return NULL;
	ok = private ?
	    PEM_write_bio_PKCS8PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_bio_PUBKEY(bio, k->pkey);
	if (ok && BIO_get_mem_ptr(bio, &bm) > 0 && bm != NULL &&
	    (s = malloc(bm->length + 1)) != NULL) {
		memcpy(s, bm->data, bm->length);
		s[bm->length] = '\0';
	}
	BIO_free(bio);
	return s;
}

char *
jwt_key_pem_private(const struct jwt_key *k)
{
	return pem_out(k, 1);
}

char *
jwt_key_pem_public(const struct jwt_key *k)
{
	return pem_out(k, 0);
}
