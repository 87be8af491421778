/*
 * jwt: JWS compact tokens (RFC 7515) carrying JWT claims (RFC 7519), on
 * OpenSSL 3 EVP and json-c; the keys, each bound to one algorithm and
 * named by its RFC 7638 thumbprint, are jwt_key.c.  jwt_verify takes
 * nothing from the token but the name of an algorithm it already holds
 * keys for (never "none", never a key from "jwk"/"jku"/"x5u"/"x5c"),
 * demands canonical base64url and JSON objects, refuses "crit", and only
 * once a signature has verified parses the payload and checks exp
 * (required), nbf and iat with an explicit leeway the way PyJWT 2.6 does,
 * then aud and iss.  jwt_sign writes what PyJWT writes: sorted header keys
 * and compact, ASCII-only JSON.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "json.h"
#include "jwt.h"
#include "jwt_int.h"

#define JWT_B64_MAX	(1 << 20)	/* bytes the base64url helpers take */
#define JWT_TIME_MAX	(INT64_C(1) << 53)	/* exp/nbf/iat, as a JS number */
#define ED25519_SIG	64		/* bytes of an Ed25519 signature */

/* RFC 7518 §3.1 and RFC 8037 §3.1: the algorithms, pinned to a key type. */
const struct jwt_alg_info jwt_algs[JWT_ALG__MAX] = {
	[JWT_HS256] = { "HS256", "SHA256", KIND_HMAC, 32 },
	[JWT_HS384] = { "HS384", "SHA384", KIND_HMAC, 48 },
	[JWT_HS512] = { "HS512", "SHA512", KIND_HMAC, 64 },
	[JWT_RS256] = { "RS256", "SHA256", KIND_RSA, 0 },
	[JWT_ES256] = { "ES256", "SHA256", KIND_EC, 0 },
	[JWT_EDDSA] = { "EdDSA", NULL, KIND_OKP, 0 },
};

static const char *const errs[JWT__MAX] = {
	[JWT_OK] = "ok",
	[JWT_EMALFORMED] = "malformed token",
	[JWT_ETOOLONG] = "token too long",
	[JWT_EALG] = "algorithm not accepted",
	[JWT_ECRIT] = "critical header not understood",
	[JWT_ESIGNATURE] = "signature does not verify",
	[JWT_EEXPIRED] = "token has expired",
	[JWT_ENOEXP] = "token has no expiry",
	[JWT_EIMMATURE] = "token is not yet valid",
	[JWT_ECLAIM] = "claim of the wrong type or out of range",
	[JWT_EAUDIENCE] = "audience not accepted",
	[JWT_EISSUER] = "issuer not accepted",
	[JWT_EKEY] = "key unusable",
	[JWT_ENOMEM] = "out of memory",
};

/* The order n of P-256 (SEC 2 §2.4.2), for the range check of r and s. */
static const unsigned char p256_n[ES256_N] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

const char *
jwt_strerror(enum jwt_err e)
{
	if ((unsigned)e >= JWT__MAX)
		return "unknown error";
	return errs[e];
}

enum jwt_alg
jwt_alg_parse(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return JWT_ALG__MAX;
	for (i = 0; i < JWT_ALG__MAX; i++)
		if (strcmp(s, jwt_algs[i].name) == 0)
			return (enum jwt_alg)i;
	return JWT_ALG__MAX;
}

const char *
jwt_alg_name(enum jwt_alg a)
{
	return jwt_alg_ok(a) ? jwt_algs[a].name : NULL;
}

/* --- base64url, RFC 4648 §5, unpadded (RFC 7515 §2) --- */

char *
jwt_b64url_encode(const void *in, size_t len, size_t *outlen)
{
	unsigned char	*out;
	int		 n, i;

	if (outlen != NULL)
		*outlen = 0;
	if ((in == NULL && len > 0) || len > JWT_B64_MAX)
		return NULL;
	if ((out = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return NULL;
	n = EVP_EncodeBlock(out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++)
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = (size_t)n;
	return (char *)out;
}

/* The 6-bit value of a base64url character, -1 for anything else. */
static int
b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Canonical input only: the URL alphabet and nothing else (no '=', '+',
 * '/', whitespace), no length of 1 mod 4, and zero unused bits in the last
 * character (RFC 4648 §3.5), so each byte string has one encoding.
 */
int
jwt_b64url_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char	*std = NULL, *buf = NULL;
	size_t		 i, pad;
	int		 n, v = 0, ret = -1;

	*out = NULL;
	*outlen = 0;
	if ((in == NULL && len > 0) || len > JWT_B64_MAX || len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++)
		if ((v = b64url_val((unsigned char)in[i])) < 0)
			return -1;
	if ((len % 4 == 2 && (v & 0x0f) != 0) || (len % 4 == 3 && (v & 0x03) != 0))
		return -1;
	pad = (4 - len % 4) % 4;
	if ((std = malloc(len + pad + 1)) == NULL ||
	    (buf = malloc((len + pad) / 4 * 3 + 1)) == NULL)
		goto out;
	for (i = 0; i < len; i++)
		std[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	memset(std + len, '=', pad);
	/* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
	n = EVP_DecodeBlock(buf, std, (int)(len + pad));
	if (n < 0 || (size_t)n < pad)
		goto out;
	*outlen = (size_t)n - pad;
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	if (std != NULL) {
		OPENSSL_cleanse(std, len + pad);	/* may be a secret */
		free(std);
	}
	free(buf);
	return ret;
}

/* --- signatures --- */

/* HMAC of (in, len) into mac[EVP_MAX_MD_SIZE]; returns its length, 0 on error. */
static size_t
hmac(const struct jwt_key *k, const void *in, size_t len, unsigned char *mac)
{
	EVP_MAC_CTX	*ctx;
	size_t		 n = 0;

	if (k->mac == NULL || (ctx = EVP_MAC_CTX_dup(k->mac)) == NULL)
		return 0;
	if (EVP_MAC_update(ctx, in, len) != 1 ||
	    EVP_MAC_final(ctx, mac, &n, EVP_MAX_MD_SIZE) != 1)
		n = 0;
	EVP_MAC_CTX_free(ctx);
	return n;
}

/* A digest context for one signing or verifying operation, RSA pinned to
 * PKCS#1 v1.5 (RFC 7518 §3.3). */
static EVP_MD_CTX *
md_ctx(const struct jwt_key *k, int sign)
{
	EVP_MD_CTX	*ctx;
	EVP_PKEY_CTX	*pctx = NULL;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	ok = sign ?
	    EVP_DigestSignInit_ex(ctx, &pctx, jwt_algs[k->alg].md, NULL, NULL,
	    k->pkey, NULL) :
	    EVP_DigestVerifyInit_ex(ctx, &pctx, jwt_algs[k->alg].md, NULL, NULL,
	    k->pkey, NULL);
	if (ok == 1 && jwt_algs[k->alg].kind == KIND_RSA)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
	if (ok != 1) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* DER ECDSA-Sig-Value → the JWS form r||s (RFC 7518 §3.4); malloc'ed. */
static unsigned char *
ecdsa_der_to_raw(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	const BIGNUM		*r, *s;
	ECDSA_SIG		*es;
	unsigned char		*raw = NULL;

	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
		return NULL;
	ECDSA_SIG_get0(es, &r, &s);
	if ((raw = malloc(2 * ES256_N)) != NULL &&
	    (BN_bn2binpad(r, raw, ES256_N) != ES256_N ||
	    BN_bn2binpad(s, raw + ES256_N, ES256_N) != ES256_N)) {
		free(raw);
		raw = NULL;
	}
	ECDSA_SIG_free(es);
	return raw;
}

enum jwt_err
jwt_sign_raw(const struct jwt_key *k, const void *in, size_t len,
    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	*buf = NULL, *raw;
	size_t		 n = 0;
	enum jwt_err	 ret = JWT_EKEY;

	*sig = NULL;
	*siglen = 0;
	if (!jwt_key_can_sign(k) || (in == NULL && len > 0))
		return JWT_EKEY;
	if (k->secret != NULL) {
		if ((buf = malloc(EVP_MAX_MD_SIZE)) == NULL)
			return JWT_ENOMEM;
		if ((n = hmac(k, in, len, buf)) == 0)
			goto out;
	} else {
		if ((ctx = md_ctx(k, 1)) == NULL ||
		    EVP_DigestSign(ctx, NULL, &n, in, len) != 1)
			goto out;
		if ((buf = malloc(n)) == NULL) {
			ret = JWT_ENOMEM;
			goto out;
		}
		if (EVP_DigestSign(ctx, buf, &n, in, len) != 1)
			goto out;
		if (jwt_algs[k->alg].kind == KIND_EC) {
			if ((raw = ecdsa_der_to_raw(buf, n)) == NULL)
				goto out;
			free(buf);
			buf = raw;
			n = 2 * ES256_N;
		}
	}
	*sig = buf;
	*siglen = n;
	buf = NULL;
	ret = JWT_OK;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* 0 < x < n for a 32-byte big-endian scalar (CVE-2022-21449: r = s = 0). */
static int
p256_scalar_ok(const unsigned char *x)
{
	unsigned char	 any = 0;
	size_t		 i;

	for (i = 0; i < ES256_N; i++)
		any |= x[i];
	return any != 0 && memcmp(x, p256_n, ES256_N) < 0;
}

/* r||s → DER for EVP; NULL when the length or a scalar is out of range. */
static unsigned char *
ecdsa_raw_to_der(const unsigned char *sig, size_t len, size_t *derlen)
{
	ECDSA_SIG	*es = NULL;
	BIGNUM		*r = NULL, *s = NULL;
	unsigned char	*der = NULL;
	int		 n;

	if (len != 2 * ES256_N || !p256_scalar_ok(sig) ||
	    !p256_scalar_ok(sig + ES256_N))
		return NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, ES256_N, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + ES256_N, ES256_N, NULL)) == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return NULL;
	}
	if ((n = i2d_ECDSA_SIG(es, &der)) <= 0)
		der = NULL;
	*derlen = n > 0 ? (size_t)n : 0;
	ECDSA_SIG_free(es);
	return der;
}

/* Whether sig is k's signature of (in, len); any error is a no. */
static int
verify_one(const struct jwt_key *k, const char *in, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	 mac[EVP_MAX_MD_SIZE], *der = NULL;
	size_t		 n, derlen = 0;
	int		 ok = 0;

	switch (jwt_algs[k->alg].kind) {
	case KIND_HMAC:
		n = hmac(k, in, len, mac);
		ok = n != 0 && siglen == n && CRYPTO_memcmp(mac, sig, n) == 0;
		OPENSSL_cleanse(mac, sizeof(mac));
		return ok;
	case KIND_EC:
		if ((der = ecdsa_raw_to_der(sig, siglen, &derlen)) == NULL)
			return 0;
		sig = der;
		siglen = derlen;
		break;
	case KIND_RSA:
		if (siglen != (size_t)EVP_PKEY_get_size(k->pkey))
			return 0;
		break;
	case KIND_OKP:
		if (siglen != ED25519_SIG)
			return 0;
		break;
	}
	if ((ctx = md_ctx(k, 0)) != NULL)
		ok = EVP_DigestVerify(ctx, sig, siglen,
		    (const unsigned char *)in, len) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

/* --- tokens --- */

/* The code point of the UTF-8 sequence at s, and its length (0: invalid). */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Compact JSON of o as Python's json.dumps(separators=(",", ":")) writes it
 * (PyJWT): json-c's plain output with '/' unescaped, then every non-ASCII
 * character and DEL as \uXXXX (ensure_ascii; surrogate pairs above U+FFFF).
 * Only strings hold such bytes, so the pass needs no JSON state.  malloc'ed;
 * NULL with *err set.  XXX json-c prints doubles with %.17g where Python
 * uses repr (0.1 → 0.10000000000000001): claims here are integers.
 */
static char *
json_compact(struct json_object *o, enum jwt_err *err)
{
	const unsigned char	*s;
	char			*out, *p;
	size_t			 len, i, n;
	uint32_t		 c;

	*err = JWT_ENOMEM;
	if ((s = (const unsigned char *)json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		return NULL;
	if ((len = strlen((const char *)s)) > JWT_MAX_TOKEN) {
		*err = JWT_ETOOLONG;
		return NULL;
	}
	if ((out = p = malloc(6 * len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i += n) {
		if ((n = utf8_next(s + i, len - i, &c)) == 0) {
			free(out);
			*err = JWT_EMALFORMED;	/* not UTF-8: no JSON text */
			return NULL;
		}
		if (c >= 0x20 && c < 0x7f)
			*p++ = (char)c;
		else if (c < 0x10000)
			p += sprintf(p, "\\u%04x", (unsigned)c);
		else
			p += sprintf(p, "\\u%04x\\u%04x",
			    (unsigned)(0xd800 + ((c - 0x10000) >> 10)),
			    (unsigned)(0xdc00 + ((c - 0x10000) & 0x3ff)));
	}
	*p = '\0';
	return out;
}

/* Header and payload as "b64.b64" (the JWS signing input); malloc'ed. */

/* "a.b" in a fresh NUL-terminated buffer (both lengths below
 * JWT_MAX_TOKEN, checked by the callers); NULL when out of memory. */
static char *
dot_join(const char *a, size_t al, const char *b, size_t bl)
{
	char	*s;

	if ((s = malloc(al + bl + 2)) == NULL)
		return NULL;
	memcpy(s, a, al);
	s[al] = '.';
	memcpy(s + al + 1, b, bl);
	s[al + 1 + bl] = '\0';
	return s;
}
static enum jwt_err
signing_input(const struct jwt_key *k, struct json_object *claims, char **out)
{
	struct json_object	*h;
	char			*hj = NULL, *pj = NULL, *h64 = NULL, *p64 = NULL;
	size_t			 hl, pl;
	enum jwt_err		 ret = JWT_ENOMEM;

	*out = NULL;
	/* PyJWT sorts the header keys: alg, kid, typ. */
	if ((h = json_object_new_object()) == NULL)
		return JWT_ENOMEM;
	if (jwt_obj_add_str(h, "alg", jwt_algs[k->alg].name) != 0 ||
	    (k->kid[0] != '\0' && jwt_obj_add_str(h, "kid", k->kid) != 0) ||
	    jwt_obj_add_str(h, "typ", "JWT") != 0)
		goto out;
	if ((hj = json_compact(h, &ret)) == NULL ||
	    (pj = json_compact(claims, &ret)) == NULL)
		goto out;
	ret = JWT_ENOMEM;
	if ((h64 = jwt_b64url_encode(hj, strlen(hj), &hl)) == NULL ||
	    (p64 = jwt_b64url_encode(pj, strlen(pj), &pl)) == NULL)
		goto out;
	if (hl + pl + 1 >= JWT_MAX_TOKEN) {
		ret = JWT_ETOOLONG;
		goto out;
	}
	if ((*out = dot_join(h64, hl, p64, pl)) == NULL)
		goto out;
	ret = JWT_OK;
out:
	free(p64);
	free(h64);
	free(pj);
	free(hj);
	json_object_put(h);
	return ret;
}

enum jwt_err
jwt_sign(const struct jwt_key *k, struct json_object *claims, char **out)
{
	char		*in = NULL, *s64 = NULL;
	unsigned char	*sig = NULL;
	size_t		 inlen, siglen, slen;
	enum jwt_err	 ret;

	if (out == NULL)
		return JWT_EKEY;
	*out = NULL;
	if (!jwt_key_can_sign(k))
		return JWT_EKEY;
	if (!json_object_is_type(claims, json_type_object))
		return JWT_EMALFORMED;
	if ((ret = signing_input(k, claims, &in)) != JWT_OK)
		goto out;
	inlen = strlen(in);
	if ((ret = jwt_sign_raw(k, in, inlen, &sig, &siglen)) != JWT_OK)
		goto out;
	ret = JWT_ENOMEM;
	if ((s64 = jwt_b64url_encode(sig, siglen, &slen)) == NULL)
		goto out;
	/* Never issue a token jwt_verify would refuse as too long. */
	if (slen > JWT_MAX_TOKEN - inlen - 1) {
		ret = JWT_ETOOLONG;
		goto out;
	}
	if ((*out = dot_join(in, inlen, s64, slen)) == NULL)
		goto out;
	ret = JWT_OK;
out:
	free(s64);
	free(sig);
	free(in);
	return ret;
}

/*
 * The members of the outermost object of (buf, len), a JSON text that
 * json_parse has accepted: the ':' outside strings at depth 1.
 */
static size_t
count_members(const unsigned char *buf, size_t len)
{
	size_t	 i, n = 0;
	int	 depth = 0, in_str = 0;

	for (i = 0; i < len; i++) {
		if (in_str) {
			if (buf[i] == '\\')
				i++;	/* the escaped character, never a quote that ends */
			else if (buf[i] == '"')
				in_str = 0;
			continue;
		}
		switch (buf[i]) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ':':
			n += depth == 1;
			break;
		}
	}
	return n;
}

/*
 * (buf, len) as a JSON object, or NULL: json_parse holds it to RFC 8259
 * (no NaN, strict UTF-8, depth-capped, nothing trailing), as PyJWT's
 * json.loads of bytes does.  Unlike Python, a member name that comes
 * twice is refused rather than the last one read (RFC 7515 §5.2 and RFC
 * 7519 §4 allow either): {"alg":"none","alg":"HS256"} or a second "sub"
 * would otherwise mean one thing to us and another to a parser that keeps
 * the first.
 */
static struct json_object *
parse_object(const unsigned char *buf, size_t len)
{
	struct json_object	*o = NULL;
	const char		*msg;
	size_t			 pos;

	if (json_parse((const char *)buf, len, &o, &pos, &msg) != JSON_OK)
		return NULL;
	if (!json_object_is_type(o, json_type_object) ||
	    (size_t)json_object_object_length(o) != count_members(buf, len)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Whether the JSON string s is exactly want (no embedded NUL games). */
static int
str_eq(struct json_object *s, const char *want)
{
	size_t	 n = strlen(want);

	return (size_t)json_object_get_string_len(s) == n &&
	    memcmp(json_object_get_string(s), want, n) == 0;
}

/* A NumericDate claim (RFC 7519 §2): *has 0 when absent; a JSON integer
 * in [0, 2^53] otherwise, or JWT_ECLAIM (floats, strings, bools, null). */
static enum jwt_err
claim_time(struct json_object *p, const char *name, int64_t *v, int *has)
{
	struct json_object	*o;

	*has = 0;
	if (!json_object_object_get_ex(p, name, &o))
		return JWT_OK;
	if (!json_object_is_type(o, json_type_int))
		return JWT_ECLAIM;
	/* json-c saturates what int64 cannot hold: above the cap anyway. */
	*v = json_object_get_int64(o);
	if (*v < 0 || *v > JWT_TIME_MAX)
		return JWT_ECLAIM;
	*has = 1;
	return JWT_OK;
}

/* RFC 7519 §4.1.3: aud is one string or an array of strings. */
static enum jwt_err
claim_aud(struct json_object *p, const char *want)
{
	struct json_object	*a, *e;
	size_t			 i, n;
	int			 found = 0;

	if (!json_object_object_get_ex(p, "aud", &a))
		return JWT_EAUDIENCE;
	if (json_object_is_type(a, json_type_string))
		return str_eq(a, want) ? JWT_OK : JWT_EAUDIENCE;
	if (!json_object_is_type(a, json_type_array))
		return JWT_ECLAIM;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string))
			return JWT_ECLAIM;	/* PyJWT: "Invalid claim format" */
		found |= str_eq(e, want);
	}
	return found ? JWT_OK : JWT_EAUDIENCE;
}

/*
 * The registered claims of a verified payload.  Times as PyJWT 2.6
 * (api_jwt.py _validate_*): expired when exp <= now - leeway, immature
 * when nbf or iat > now + leeway.  Written as exp + leeway <= now etc.:
 * both terms are capped at 2^53, so nothing overflows.
 */
static enum jwt_err
check_claims(struct json_object *p, const struct jwt_verify_opts *o)
{
	struct json_object	*iss;
	int64_t			 exp = 0, nbf = 0, iat = 0, now, leeway;
	int			 has_exp, has_nbf, has_iat;
	enum jwt_err		 r;

	if (!json_object_object_get_ex(p, "exp", NULL))
		return JWT_ENOEXP;
	if ((r = claim_time(p, "exp", &exp, &has_exp)) != JWT_OK ||
	    (r = claim_time(p, "nbf", &nbf, &has_nbf)) != JWT_OK ||
	    (r = claim_time(p, "iat", &iat, &has_iat)) != JWT_OK)
		return r;
	now = o->now != 0 ? o->now : (int64_t)time(NULL);
	leeway = o->leeway < 0 ? 0 :
	    o->leeway > JWT_TIME_MAX ? JWT_TIME_MAX : o->leeway;
	if (exp + leeway <= now)
		return JWT_EEXPIRED;
	if ((has_nbf && nbf - leeway > now) || (has_iat && iat - leeway > now))
		return JWT_EIMMATURE;
	if (o->audience != NULL && (r = claim_aud(p, o->audience)) != JWT_OK &&
	    (r != JWT_EAUDIENCE || o->audience_alt == NULL ||
	    (r = claim_aud(p, o->audience_alt)) != JWT_OK))
		return r;
	if (o->issuer != NULL) {
		if (!json_object_object_get_ex(p, "iss", &iss))
			return JWT_EISSUER;
		if (!json_object_is_type(iss, json_type_string))
			return JWT_ECLAIM;
		if (!str_eq(iss, o->issuer))
			return JWT_EISSUER;
	}
	return JWT_OK;
}

/*
 * The header: "alg" names an algorithm we know (else JWT_EALG), no "crit"
 * (RFC 7515 §4.1.11) and no "b64" but true (RFC 7797: an unencoded payload
 * is an extension we do not implement, and §6 wants it in "crit"; PyJWT
 * refuses b64:false without a detached payload too) (else JWT_ECRIT),
 * "kid" if present a string of at most JWT_KID_MAX bytes without NUL
 * (else JWT_EMALFORMED).  Other members, "jwk", "jku", "x5u" and "x5c"
 * among them, are never read.
 */
static enum jwt_err
check_header(struct json_object *h, enum jwt_alg *alg, const char **kid)
{
	struct json_object	*v;
	size_t			 n;

	*kid = NULL;
	if (!json_object_object_get_ex(h, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)) ||
	    (*alg = jwt_alg_parse(json_object_get_string(v))) == JWT_ALG__MAX)
		return JWT_EALG;
	if (json_object_object_get_ex(h, "crit", NULL) ||
	    (json_object_object_get_ex(h, "b64", &v) &&
	    (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))))
		return JWT_ECRIT;
	if (json_object_object_get_ex(h, "kid", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return JWT_EMALFORMED;
		n = (size_t)json_object_get_string_len(v);
		if (n > JWT_KID_MAX || n != strlen(json_object_get_string(v)))
			return JWT_EMALFORMED;
		*kid = json_object_get_string(v);
	}
	return JWT_OK;
}

/*
 * Tries the keys of the token's alg.  With a kid, only those of that kid;
 * when none has it, those with kid "" (PyJWT's HS256 tokens have no kid,
 * and a key without a name is tried for any).  JWT_EALG when no key has
 * the alg, JWT_ESIGNATURE when none verifies.
 */
static enum jwt_err
check_signature(const struct jwt_verify_opts *o, enum jwt_alg alg,
    const char *kid, const char *in, size_t inlen,
    const unsigned char *sig, size_t siglen)
{
	const struct jwt_key	*k;
	size_t			 i;
	int			 any = 0, named = 0;

	for (i = 0; i < o->n_keys; i++)
		if ((k = o->keys[i]) != NULL && k->alg == alg) {
			any = 1;
			if (kid != NULL && strcmp(k->kid, kid) == 0)
				named = 1;
		}
	if (!any)
		return JWT_EALG;
	for (i = 0; i < o->n_keys; i++) {
		if ((k = o->keys[i]) == NULL || k->alg != alg)
			continue;
		if (kid != NULL && strcmp(k->kid, named ? kid : "") != 0)
			continue;
		if (verify_one(k, in, inlen, sig, siglen))
			return JWT_OK;
	}
	return JWT_ESIGNATURE;
}

/* The decoded parts of a compact token (RFC 7515 §7.1). */
struct jws_parts {
	unsigned char	*pay, *sig;
	size_t		 plen, slen;
};

/*
 * The last header that passed check_header, by its encoded text: every
 * token one key signs has the same header, so a program checks it once
 * instead of decoding and parsing it per request.  What it holds is
 * public (the header is not a secret) and is the parse of exactly those
 * bytes, so a hit says what parsing them would.  One per thread.
 */
#define HEADER_CACHE_MAX	256
static _Thread_local struct {
	char		 text[HEADER_CACHE_MAX];
	size_t		 len;		/* 0: empty */
	enum jwt_alg	 alg;
	int		 has_kid;
	char		 kid[JWT_KID_MAX + 1];
} header_cache;

/*
 * The header's alg and kid (NULL when it has none; valid until the next
 * call) from its encoded text: check_header on the decoded object, or
 * the cache.
 */
static enum jwt_err
header_alg_kid(const char *enc, size_t enclen, enum jwt_alg *alg, const char **kid)
{
	unsigned char		*hdr = NULL;
	size_t			 hlen;
	struct json_object	*h = NULL;
	const char		*k;
	enum jwt_err		 ret = JWT_EMALFORMED;

	if (header_cache.len != 0 && header_cache.len == enclen &&
	    memcmp(header_cache.text, enc, enclen) == 0) {
		*alg = header_cache.alg;
		*kid = header_cache.has_kid ? header_cache.kid : NULL;
		return JWT_OK;
	}
	if (jwt_b64url_decode(enc, enclen, &hdr, &hlen) != 0 ||
	    (h = parse_object(hdr, hlen)) == NULL)
		goto out;
	if ((ret = check_header(h, alg, &k)) != JWT_OK)
		goto out;
	header_cache.len = 0;
	if (enclen <= sizeof(header_cache.text)) {
		memcpy(header_cache.text, enc, enclen);
		header_cache.alg = *alg;
		header_cache.has_kid = k != NULL;
		/* check_header capped the kid at JWT_KID_MAX bytes. */
		snprintf(header_cache.kid, sizeof(header_cache.kid), "%s", k != NULL ? k : "");
		header_cache.len = enclen;
		*kid = header_cache.has_kid ? header_cache.kid : NULL;
	} else {
		/* Too long to keep: the kid outlives h in the same place. */
		snprintf(header_cache.kid, sizeof(header_cache.kid), "%s", k != NULL ? k : "");
		*kid = k != NULL ? header_cache.kid : NULL;
	}
out:
	json_object_put(h);
	free(hdr);
	return ret;
}

/*
 * Verifies a token whose signing input is (in, inlen), its header text
 * the part before the first dot and pt the other parts decoded: the
 * header, then the signature, then (only once it holds) the claims.  On
 * JWT_OK *claims is a new reference to the payload object.
 */
static enum jwt_err
verify_parts(const struct jwt_verify_opts *o, const char *in, size_t inlen,
    size_t hdrlen, const struct jws_parts *pt, struct json_object **claims)
{
	const char		*kid;
	struct json_object	*p = NULL;
	enum jwt_alg		 alg;
	enum jwt_err		 ret;

	if ((ret = header_alg_kid(in, hdrlen, &alg, &kid)) != JWT_OK)
		goto out;
	if ((ret = check_signature(o, alg, kid, in, inlen,
	    pt->sig, pt->slen)) != JWT_OK)
		goto out;
	/* The signature holds: now, and only now, the claims. */
	ret = JWT_EMALFORMED;
	if ((p = parse_object(pt->pay, pt->plen)) == NULL)
		goto out;
	if ((ret = check_claims(p, o)) != JWT_OK)
		goto out;
	*claims = p;
	p = NULL;
out:
	json_object_put(p);
	return ret;
}

enum jwt_err
jwt_verify(const char *token, size_t len, const struct jwt_verify_opts *o,
    struct json_object **claims)
{
	const char		*d1, *d2;
	struct jws_parts	 pt = { NULL, NULL, 0, 0 };
	enum jwt_err		 ret = JWT_EMALFORMED;

	if (claims == NULL || o == NULL || (o->keys == NULL && o->n_keys > 0))
		return JWT_EKEY;
	*claims = NULL;
	if (len > JWT_MAX_TOKEN)
		return JWT_ETOOLONG;
	if (token == NULL || len == 0)
		return JWT_EMALFORMED;
	/* RFC 7515 §7.1: exactly three parts. */
	if ((d1 = memchr(token, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)) != NULL)
		return JWT_EMALFORMED;
	ERR_set_mark();
	if (jwt_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1),
	    &pt.pay, &pt.plen) == 0 &&
	    jwt_b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - token),
	    &pt.sig, &pt.slen) == 0)
		ret = verify_parts(o, token, (size_t)(d2 - token),
		    (size_t)(d1 - token), &pt, claims);
	free(pt.sig);
	free(pt.pay);
	ERR_pop_to_mark();
	return ret;
}
