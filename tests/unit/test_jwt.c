/*
 * test_jwt: src/common/jwt.c against known answers and attacks.  RFC 7515
 * A.1-A.3, RFC 8037 A.4, RFC 7520 §4.1/4.3/4.4 and RFC 7638 §3.1 from
 * tests/vectors/jwt (deterministic signatures are reproduced, not only
 * verified); HS256 tokens byte for byte as PyJWT 2.6 writes them; then
 * tampered copies of every kind of token, forged headers (none, key
 * confusion, crit, kid injection, jwk/jku), ES256 signatures out of range
 * (CVE-2022-21449), malformed base64url and JSON, every claim rule, lengths,
 * key loading and generation.  Table cases carry their own line, and the
 * last test checks that negative cases outnumber positive ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "jwt.h"

#define VEC	FU_SOURCE_DIR "/tests/vectors/jwt/"
#define NOW	1300819000	/* before exp 1300819380 of the RFC tokens */
#define AUD	"fastapi-users:auth"

static int	 n_pos, n_neg;	/* cases expecting success / failure */

/* Keys shared by the tests, made once by the group setup. */
enum {
	K_A1,		/* HS256, RFC 7515 A.1 */
	K_A2,		/* RS256, RFC 7515 A.2, private */
	K_A2PUB,
	K_A3,		/* ES256, RFC 7515 A.3, private */
	K_A3PUB,
	K_ED,		/* EdDSA, RFC 8037 A.1, private */
	K_HS_OTHER,	/* HS256, another secret */
	K_HS384,
	K_HS512,
	K_CONFUSE,	/* HS256 whose secret is the A.2 public key PEM */
	K_RS_GEN,	/* an attacker's keys (RSA: RFC 7520's bilbo) */
	K_ES_GEN,
	K_ED_GEN,
	K__MAX
};
#define B(k)	(1u << (k))
#define PUBS	(B(K_A1) | B(K_A2PUB) | B(K_A3PUB) | B(K_ED))

static struct jwt_key	*K[K__MAX];

/* --- helpers --- */

static char *
slurp(const char *name, size_t *len)
{
	char	 path[512], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), VEC "%s", name);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) >= 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* The value of the first "field: value" line of a vector file; malloc'ed. */
static char *
vec_get(const char *file, const char *field)
{
	char	*buf, *p, *e, *v = NULL;
	size_t	 fl = strlen(field);

	buf = slurp(file, NULL);
	for (p = buf; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if ((size_t)(e - p) > fl + 1 && strncmp(p, field, fl) == 0 &&
		    p[fl] == ':' && p[fl + 1] == ' ') {
			v = strndup(p + fl + 2, (size_t)(e - p) - fl - 2);
			break;
		}
	}
	free(buf);
	assert_non_null(v);
	return v;
}

static struct jwt_key *
pem_key(enum jwt_alg alg, const char *file)
{
	struct jwt_key	*k;
	size_t		 len;
	char		*pem = slurp(file, &len);

	k = jwt_key_pem(alg, pem, len);
	free(pem);
	return k;
}

static struct jwt_key *
hmac_b64(enum jwt_alg alg, const char *k64)
{
	unsigned char	*raw;
	size_t		 len;
	struct jwt_key	*k;

	assert_int_equal(jwt_b64url_decode(k64, strlen(k64), &raw, &len), 0);
	k = jwt_key_hmac(alg, raw, len);
	free(raw);
	return k;
}

static char *
b64(const void *p, size_t len)
{
	char	*s;

	assert_non_null(s = jwt_b64url_encode(p, len, NULL));
	return s;
}

/* a "." b "." c, malloc'ed. */
static char *
join3(const char *a, const char *b, const char *c)
{
	size_t	 n = strlen(a) + strlen(b) + strlen(c) + 3;
	char	*s;

	assert_non_null(s = malloc(n));
	snprintf(s, n, "%s.%s.%s", a, b, c);
	return s;
}

static void
count(int positive)
{
	if (positive)
		n_pos++;
	else
		n_neg++;
}

/* Fails at the case's own line with both error names. */
static void
check_err(int line, enum jwt_err got, enum jwt_err want)
{
	count(want == JWT_OK);
	if (got != want) {
		print_error("case at line %d: got %s (%d), want %s (%d)\n", line,
		    jwt_strerror(got), got, jwt_strerror(want), want);
		_fail(__FILE__, line);
	}
}

/* Verifies with the keys in mask; *claims (when asked) gets the payload. */
static enum jwt_err
verify_ex(const char *tok, size_t len, unsigned keys, int64_t now,
    int64_t leeway, const char *aud, const char *iss, struct json_object **claims)
{
	const struct jwt_key	*ks[K__MAX];
	struct jwt_verify_opts	 o;
	struct json_object	*c = (struct json_object *)&o;	/* must be reset */
	size_t			 i, n = 0;
	enum jwt_err		 e;

	for (i = 0; i < K__MAX; i++)
		if (keys & B(i))
			ks[n++] = K[i];
	memset(&o, 0, sizeof(o));
	o.keys = ks;
	o.n_keys = n;
	o.now = now;
	o.leeway = leeway;
	o.audience = aud;
	o.issuer = iss;
	e = jwt_verify(tok, len, &o, &c);
	if (e != JWT_OK)
		assert_null(c);
	else
		assert_non_null(c);
	if (claims != NULL)
		*claims = c;
	else
		json_object_put(c);
	return e;
}

static enum jwt_err
verify(const char *tok, unsigned keys)
{
	return verify_ex(tok, strlen(tok), keys, NOW, 0, NULL, NULL, NULL);
}

/* Signatures no key makes, for S_* signers below. */
enum {
	S_EMPTY = -1,	/* "" */
	S_ZERO = -2,	/* ES256 r = s = 0 (CVE-2022-21449) */
	S_RN = -3,	/* r = n, s = 1 */
	S_SN = -4,	/* r = 1, s = n */
	S_NN = -5,	/* r = s = n */
	S_FF = -6,	/* r = s = 2^256 - 1 */
	S_ONE = -7,	/* r = s = 1: in range, wrong */
	S_63 = -8,	/* 63 bytes */
	S_65 = -9,	/* 65 bytes */
	S_A1SIG = -10,	/* the RFC 7515 A.1 HMAC */
};

static const unsigned char p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static size_t
special_sig(int code, unsigned char *s)
{
	static const unsigned char a1[32] = {
		116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216,
		173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5,
		88, 83, 132, 141, 121 };

	memset(s, 0, 65);
	switch (code) {
	case S_EMPTY:
		return 0;
	case S_ZERO:
		return 64;
	case S_RN:
		memcpy(s, p256_n, 32);
		s[63] = 1;
		return 64;
	case S_SN:
		s[31] = 1;
		memcpy(s + 32, p256_n, 32);
		return 64;
	case S_NN:
		memcpy(s, p256_n, 32);
		memcpy(s + 32, p256_n, 32);
		return 64;
	case S_FF:
		memset(s, 0xff, 64);
		return 64;
	case S_ONE:
		s[31] = 1;
		s[63] = 1;
		return 64;
	case S_63:
		memset(s, 1, 63);
		return 63;
	case S_65:
		memset(s, 1, 65);
		return 65;
	case S_A1SIG:
		memcpy(s, a1, 32);
		return 32;
	}
	fail();
	return 0;
}

/*
 * The compact token of header and payload text as given, signed by key
 * K[signer] over the signing input, or carrying special signature S_*.
 */
static char *
forge(const char *hdr, const char *pay, int signer)
{
	char		*h64, *p64, *in, *s64, *tok;
	unsigned char	*sig, buf[65];
	size_t		 siglen;

	h64 = b64(hdr, strlen(hdr));
	p64 = b64(pay, strlen(pay));
	in = join3(h64, p64, "");
	in[strlen(in) - 1] = '\0';
	if (signer >= 0) {
		assert_int_equal(jwt_sign_raw(K[signer], in, strlen(in), &sig,
		    &siglen), JWT_OK);
		s64 = b64(sig, siglen);
		free(sig);
	} else {
		siglen = special_sig(signer, buf);
		s64 = b64(buf, siglen);
	}
	tok = join3(h64, p64, s64);
	free(s64);
	free(in);
	free(p64);
	free(h64);
	return tok;
}

/* --- setup --- */

static int
group_setup(void **state)
{
	size_t	 len;
	char	*pem, *k;

	(void)state;
	k = vec_get("rfc7515_a1_hs256.txt", "key");
	K[K_A1] = hmac_b64(JWT_HS256, k);
	free(k);
	K[K_A2] = pem_key(JWT_RS256, "rfc7515_a2_rsa.pem");
	K[K_A2PUB] = pem_key(JWT_RS256, "rfc7515_a2_rsa_pub.pem");
	K[K_A3] = pem_key(JWT_ES256, "rfc7515_a3_p256.pem");
	K[K_A3PUB] = pem_key(JWT_ES256, "rfc7515_a3_p256_pub.pem");
	K[K_ED] = pem_key(JWT_EDDSA, "rfc8037_a1_ed25519.pem");
	K[K_HS_OTHER] = jwt_key_hmac(JWT_HS256, "another secret", 14);
	K[K_HS384] = jwt_key_generate(JWT_HS384);
	K[K_HS512] = jwt_key_generate(JWT_HS512);
	pem = slurp("rfc7515_a2_rsa_pub.pem", &len);
	K[K_CONFUSE] = jwt_key_hmac(JWT_HS256, pem, len);
	free(pem);
	/* The attacker's RSA key: RFC 7520's, as RSA keygen is slow. */
	K[K_RS_GEN] = pem_key(JWT_RS256, "rfc7520_bilbo_rsa.pem");
	K[K_ES_GEN] = jwt_key_generate(JWT_ES256);
	K[K_ED_GEN] = jwt_key_generate(JWT_EDDSA);
	for (len = 0; len < K__MAX; len++)
		if (K[len] == NULL)
			return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < K__MAX; i++)
		jwt_key_free(K[i]);
	return 0;
}

/* --- base64url, names, errors --- */

static void
test_b64url(void **state)
{
	static const struct { int line; const char *raw, *enc; } good[] = {
		{ __LINE__, "", "" },
		{ __LINE__, "f", "Zg" },
		{ __LINE__, "fo", "Zm8" },
		{ __LINE__, "foo", "Zm9v" },
		{ __LINE__, "foob", "Zm9vYg" },
		{ __LINE__, "fooba", "Zm9vYmE" },
		{ __LINE__, "foobar", "Zm9vYmFy" },
		{ __LINE__, "\xfb\xff", "-_8" },
		{ __LINE__, "\xfb\xef\xbe", "----" },
		{ __LINE__, "\xff\xff\xff", "____" },
	};
	static const struct { int line; const char *enc; size_t len; } bad[] = {
		{ __LINE__, "Zg=", 3 },
		{ __LINE__, "Zg==", 4 },
		{ __LINE__, "Zm9vYg==", 8 },
		{ __LINE__, "=", 1 },
		{ __LINE__, "====", 4 },
		{ __LINE__, "Z", 1 },		/* 1 mod 4 */
		{ __LINE__, "Zm9vY", 5 },
		{ __LINE__, "Zh", 2 },		/* stray bits: "f" is "Zg" */
		{ __LINE__, "Zm9", 3 },		/* "fo" is "Zm8" */
		{ __LINE__, "+_8", 3 },
		{ __LINE__, "-/8", 3 },
		{ __LINE__, " Zg", 3 },
		{ __LINE__, "Zg ", 3 },
		{ __LINE__, "Z g", 3 },
		{ __LINE__, "Zg\n", 3 },
		{ __LINE__, "Zm9v\r\n", 6 },
		{ __LINE__, "Zm\tv", 4 },
		{ __LINE__, "Zg\0", 3 },
		{ __LINE__, "\0Zg", 3 },
		{ __LINE__, "Zm9v.", 5 },
		{ __LINE__, "Zm9*", 4 },
		{ __LINE__, "\xc3\xa9Zg", 4 },
	};
	unsigned char	*out;
	size_t		 i, n;
	char		*s;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		count(1);
		s = jwt_b64url_encode(good[i].raw, strlen(good[i].raw), &n);
		if (s == NULL || strcmp(s, good[i].enc) != 0 || n != strlen(s))
			_fail(__FILE__, good[i].line);
		free(s);
		if (jwt_b64url_decode(good[i].enc, strlen(good[i].enc), &out, &n) != 0 ||
		    n != strlen(good[i].raw) || memcmp(out, good[i].raw, n) != 0)
			_fail(__FILE__, good[i].line);
		free(out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		count(0);
		if (jwt_b64url_decode(bad[i].enc, bad[i].len, &out, &n) != -1 ||
		    out != NULL || n != 0)
			_fail(__FILE__, bad[i].line);
	}
	/* Oversized input is refused before anything is allocated. */
	count(0);
	assert_int_equal(jwt_b64url_decode("AAAA", (size_t)1 << 30, &out, &n), -1);
	count(0);
	assert_null(jwt_b64url_encode("x", (size_t)1 << 30, &n));
}

static void
test_names(void **state)
{
	static const char *const rejected[] = {
		"none", "None", "NONE", "nOnE", "", "hs256", "Hs256", "HS256 ",
		" HS256", "RS512", "PS256", "ES384", "ES512", "ES256K", "Ed25519",
		"EDDSA", "eddsa", "HS1",
	};
	size_t	 i;
	int	 e;

	(void)state;
	for (i = 0; i < JWT_ALG__MAX; i++) {
		count(1);
		assert_int_equal(jwt_alg_parse(jwt_alg_name((enum jwt_alg)i)), i);
	}
	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		count(0);
		assert_int_equal(jwt_alg_parse(rejected[i]), JWT_ALG__MAX);
	}
	count(0);
	assert_int_equal(jwt_alg_parse(NULL), JWT_ALG__MAX);
	assert_null(jwt_alg_name(JWT_ALG__MAX));
	for (e = 0; e < JWT__MAX; e++)
		assert_non_null(jwt_strerror((enum jwt_err)e));
	assert_string_equal(jwt_strerror(JWT__MAX), "unknown error");
}

/* --- known answers --- */

/* Signs the token's own signing input and compares with its signature. */
static void
check_reproduces(const struct jwt_key *k, const char *tok)
{
	const char	*d2 = strrchr(tok, '.');
	unsigned char	*sig;
	size_t		 siglen;
	char		*s64;

	assert_non_null(d2);
	assert_int_equal(jwt_sign_raw(k, tok, (size_t)(d2 - tok), &sig, &siglen),
	    JWT_OK);
	s64 = b64(sig, siglen);
	assert_string_equal(s64, d2 + 1);
	free(s64);
	free(sig);
}

/* The token with the last byte of its signature flipped; malloc'ed. */
static char *
flip_sig(const char *tok)
{
	const char	*d2 = strrchr(tok, '.');
	unsigned char	*sig;
	size_t		 n;
	char		*s64, *out;

	assert_int_equal(jwt_b64url_decode(d2 + 1, strlen(d2 + 1), &sig, &n), 0);
	assert_true(n > 0);
	sig[n - 1] ^= 0x01;
	s64 = b64(sig, n);
	assert_non_null(out = malloc((size_t)(d2 - tok) + strlen(s64) + 2));
	memcpy(out, tok, (size_t)(d2 - tok) + 1);
	strcpy(out + (d2 - tok) + 1, s64);
	free(s64);
	free(sig);
	return out;
}

static void
test_rfc7515_a1(void **state)
{
	char			*tok = vec_get("rfc7515_a1_hs256.txt", "token"), *bad;
	struct json_object	*c, *v;

	(void)state;
	check_reproduces(K[K_A1], tok);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), NOW, 0, NULL,
	    "joe", &c), JWT_OK);
	assert_true(json_object_object_get_ex(c, "http://example.com/is_root", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(c);
	/* The signature passes, then exp 1300819380 is in the past. */
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), 0, 0, NULL,
	    NULL, NULL), JWT_EEXPIRED);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), 1300819380, 0,
	    NULL, NULL, NULL), JWT_EEXPIRED);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), 1300819379, 0,
	    NULL, NULL, NULL), JWT_OK);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), 1300819390, 10,
	    NULL, NULL, NULL), JWT_EEXPIRED);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), 1300819389, 10,
	    NULL, NULL, NULL), JWT_OK);
	check_err(__LINE__, verify(tok, B(K_HS_OTHER)), JWT_ESIGNATURE);
	check_err(__LINE__, verify(tok, B(K_HS384) | B(K_A2PUB)), JWT_EALG);
	bad = flip_sig(tok);
	check_err(__LINE__, verify(bad, B(K_A1)), JWT_ESIGNATURE);
	free(bad);
	free(tok);
}

static void
test_rfc7515_a2(void **state)
{
	char		*tok = vec_get("rfc7515_a2_rs256.txt", "token");
	char		*tp = vec_get("rfc7515_a2_rs256.txt", "thumbprint"), *bad;
	unsigned char	*sig;
	size_t		 n;
	struct json_object *claims = json_object_new_object(), *c;
	char		*out;

	(void)state;
	check_reproduces(K[K_A2], tok);
	assert_string_equal(jwt_key_kid(K[K_A2]), tp);
	assert_string_equal(jwt_key_kid(K[K_A2PUB]), tp);
	assert_true(jwt_key_can_sign(K[K_A2]));
	assert_false(jwt_key_can_sign(K[K_A2PUB]));
	check_err(__LINE__, verify(tok, B(K_A2PUB)), JWT_OK);
	check_err(__LINE__, verify(tok, B(K_A2)), JWT_OK);
	check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A2PUB), 0, 0, NULL,
	    NULL, NULL), JWT_EEXPIRED);
	check_err(__LINE__, verify(tok, B(K_RS_GEN)), JWT_ESIGNATURE);
	check_err(__LINE__, verify(tok, B(K_A1) | B(K_A3PUB) | B(K_ED)), JWT_EALG);
	bad = flip_sig(tok);
	check_err(__LINE__, verify(bad, B(K_A2PUB)), JWT_ESIGNATURE);
	free(bad);
	/* A public key signs nothing. */
	count(0);
	assert_int_equal(jwt_sign_raw(K[K_A2PUB], "x", 1, &sig, &n), JWT_EKEY);
	assert_null(sig);
	json_object_object_add(claims, "exp", json_object_new_int64(NOW + 60));
	count(0);
	assert_int_equal(jwt_sign(K[K_A2PUB], claims, &out), JWT_EKEY);
	assert_null(out);
	count(1);
	assert_int_equal(jwt_sign(K[K_A2], claims, &out), JWT_OK);
	check_err(__LINE__, verify_ex(out, strlen(out), B(K_A2PUB), NOW, 0, NULL,
	    NULL, &c), JWT_OK);
	assert_true(json_object_equal(c, claims));
	json_object_put(c);
	free(out);
	json_object_put(claims);
	free(tp);
	free(tok);
}

/* An ES256 signature made by OpenSSL itself, DER and converted to r||s. */
static void
openssl_es256(const char *in, size_t len, unsigned char *der, size_t *derlen,
    unsigned char raw[64])
{
	EVP_PKEY	*pk;
	EVP_MD_CTX	*ctx;
	BIO		*bio;
	ECDSA_SIG	*es;
	const BIGNUM	*r, *s;
	const unsigned char *p;
	char		*pem;
	size_t		 pl;

	pem = slurp("rfc7515_a3_p256.pem", &pl);
	assert_non_null(bio = BIO_new_mem_buf(pem, (int)pl));
	assert_non_null(pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL));
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pk), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, derlen,
	    (const unsigned char *)in, len), 1);
	p = der;
	assert_non_null(es = d2i_ECDSA_SIG(NULL, &p, (long)*derlen));
	ECDSA_SIG_get0(es, &r, &s);
	assert_int_equal(BN_bn2binpad(r, raw, 32), 32);
	assert_int_equal(BN_bn2binpad(s, raw + 32, 32), 32);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	free(pem);
}

/* Whether OpenSSL itself accepts the r||s of an ES256 token of ours. */
static int
openssl_es256_ok(const struct jwt_key *k, const char *tok)
{
	const char	*d2 = strrchr(tok, '.');
	unsigned char	*raw, *der = NULL;
	size_t		 n;
	ECDSA_SIG	*es;
	EVP_MD_CTX	*ctx;
	EVP_PKEY	*pk;
	BIO		*bio;
	char		*pem;
	int		 derlen, ok;

	assert_int_equal(jwt_b64url_decode(d2 + 1, strlen(d2 + 1), &raw, &n), 0);
	assert_int_equal(n, 64);
	assert_non_null(es = ECDSA_SIG_new());
	assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(raw, 32, NULL),
	    BN_bin2bn(raw + 32, 32, NULL)), 1);
	assert_true((derlen = i2d_ECDSA_SIG(es, &der)) > 0);
	assert_non_null(pem = jwt_key_pem_public(k));
	assert_non_null(bio = BIO_new_mem_buf(pem, -1));
	assert_non_null(pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL));
	assert_non_null(ctx = EVP_MD_CTX_new());
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk), 1);
	ok = EVP_DigestVerify(ctx, der, (size_t)derlen,
	    (const unsigned char *)tok, (size_t)(d2 - tok)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	free(pem);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	free(raw);
	return ok;
}

static void
test_rfc7515_a3(void **state)
{
	char		*tok = vec_get("rfc7515_a3_es256.txt", "token");
	char		*tp = vec_get("rfc7515_a3_es256.txt", "thumbprint");
	char		*bad, *in, *t, *s64;
	unsigned char	 der[80], raw[64];
	size_t		 derlen = sizeof(der);
	struct json_object *claims;

	(void)state;
	assert_string_equal(jwt_key_kid(K[K_A3]), tp);
	assert_string_equal(jwt_key_kid(K[K_A3PUB]), tp);
	check_err(__LINE__, verify(tok, B(K_A3PUB)), JWT_OK);
	check_err(__LINE__, verify(tok, B(K_A3)), JWT_OK);
	check_err(__LINE__, verify(tok, B(K_ES_GEN)), JWT_ESIGNATURE);
	bad = flip_sig(tok);
	check_err(__LINE__, verify(bad, B(K_A3PUB)), JWT_ESIGNATURE);
	free(bad);

	/* OpenSSL's own signature: accepted as r||s, refused as DER. */
	in = strndup(tok, (size_t)(strrchr(tok, '.') - tok));
	openssl_es256(in, strlen(in), der, &derlen, raw);
	s64 = b64(raw, 64);
	t = join3(in, s64, "");
	t[strlen(t) - 1] = '\0';
	check_err(__LINE__, verify(t, B(K_A3PUB)), JWT_OK);
	free(t);
	free(s64);
	s64 = b64(der, derlen);
	t = join3(in, s64, "");
	t[strlen(t) - 1] = '\0';
	check_err(__LINE__, verify(t, B(K_A3PUB)), JWT_ESIGNATURE);
	free(t);
	free(s64);
	free(in);

	/* And OpenSSL accepts ours. */
	claims = json_tokener_parse("{\"sub\":\"u\",\"exp\":1300819380}");
	count(1);
	assert_int_equal(jwt_sign(K[K_A3], claims, &t), JWT_OK);
	assert_true(openssl_es256_ok(K[K_A3PUB], t));
	check_err(__LINE__, verify(t, B(K_A3PUB)), JWT_OK);
	free(t);
	json_object_put(claims);
	free(tp);
	free(tok);
}

static void
test_rfc8037_a4(void **state)
{
	char	*tok = vec_get("rfc8037_a4_ed25519.txt", "token");
	char	*tp = vec_get("rfc8037_a4_ed25519.txt", "thumbprint"), *bad;
	struct jwt_key *pub = pem_key(JWT_EDDSA, "rfc8037_a1_ed25519_pub.pem");
	struct jwt_key *save = K[K_ED_GEN];

	(void)state;
	assert_non_null(pub);
	check_reproduces(K[K_ED], tok);
	assert_string_equal(jwt_key_kid(K[K_ED]), tp);
	assert_string_equal(jwt_key_kid(pub), tp);
	/* The payload is text, not JSON: past the signature, malformed. */
	K[K_ED_GEN] = pub;
	check_err(__LINE__, verify(tok, B(K_ED_GEN)), JWT_EMALFORMED);
	bad = flip_sig(tok);
	check_err(__LINE__, verify(bad, B(K_ED_GEN)), JWT_ESIGNATURE);
	check_err(__LINE__, verify(bad, B(K_ED)), JWT_ESIGNATURE);
	free(bad);
	check_err(__LINE__, verify(tok, B(K_A1) | B(K_A2PUB) | B(K_A3PUB)), JWT_EALG);
	K[K_ED_GEN] = save;
	jwt_key_free(pub);
	check_err(__LINE__, verify(tok, B(K_ED_GEN)), JWT_ESIGNATURE);
	free(tp);
	free(tok);
}

static void
test_rfc7520(void **state)
{
	char		*t41 = vec_get("rfc7520_4_1_rs256.txt", "token");
	char		*kid41 = vec_get("rfc7520_4_1_rs256.txt", "kid");
	char		*tp41 = vec_get("rfc7520_4_1_rs256.txt", "thumbprint");
	char		*t43 = vec_get("rfc7520_4_3_es512.txt", "token");
	char		*t44 = vec_get("rfc7520_4_4_hs256.txt", "token");
	char		*kid44 = vec_get("rfc7520_4_4_hs256.txt", "kid");
	char		*k44 = vec_get("rfc7520_4_4_hs256.txt", "key"), *bad;
	struct jwt_key	*bilbo, *hs, *save_a2, *save_a1, *save_other;

	(void)state;
	/* §4.1: deterministic, reproduced; verified under its published kid. */
	assert_non_null(bilbo = pem_key(JWT_RS256, "rfc7520_bilbo_rsa.pem"));
	assert_string_equal(jwt_key_kid(bilbo), tp41);
	check_reproduces(bilbo, t41);
	save_a2 = K[K_A2];
	K[K_A2] = bilbo;
	/* Named by thumbprint, the key is not the token's "bilbo…" kid. */
	check_err(__LINE__, verify(t41, B(K_A2)), JWT_ESIGNATURE);
	assert_int_equal(jwt_key_set_kid(bilbo, kid41), 0);
	check_err(__LINE__, verify(t41, B(K_A2)), JWT_EMALFORMED);
	check_err(__LINE__, verify(t41, B(K_A2) | B(K_A2PUB)), JWT_EMALFORMED);
	bad = flip_sig(t41);
	check_err(__LINE__, verify(bad, B(K_A2)), JWT_ESIGNATURE);
	free(bad);
	K[K_A2] = save_a2;
	jwt_key_free(bilbo);

	/* §4.3: ES512 is not ours. */
	check_err(__LINE__, verify(t43, PUBS | B(K_ES_GEN)), JWT_EALG);

	/* §4.4: HS256 with a kid; reproduced, and verified by a nameless key. */
	assert_non_null(hs = hmac_b64(JWT_HS256, k44));
	check_reproduces(hs, t44);
	save_a1 = K[K_A1];
	save_other = K[K_HS_OTHER];
	K[K_A1] = hs;
	check_err(__LINE__, verify(t44, B(K_A1)), JWT_EMALFORMED);
	check_err(__LINE__, verify(t44, B(K_HS_OTHER) | B(K_A1)), JWT_EMALFORMED);
	assert_int_equal(jwt_key_set_kid(hs, kid44), 0);
	check_err(__LINE__, verify(t44, B(K_A1)), JWT_EMALFORMED);
	/* A key named by the token's kid is the only one tried. */
	assert_int_equal(jwt_key_set_kid(save_other, kid44), 0);
	assert_int_equal(jwt_key_set_kid(hs, ""), 0);
	check_err(__LINE__, verify(t44, B(K_HS_OTHER) | B(K_A1)), JWT_ESIGNATURE);
	assert_int_equal(jwt_key_set_kid(save_other, ""), 0);
	assert_int_equal(jwt_key_set_kid(hs, "someone-else"), 0);
	check_err(__LINE__, verify(t44, B(K_A1)), JWT_ESIGNATURE);
	bad = flip_sig(t44);
	assert_int_equal(jwt_key_set_kid(hs, kid44), 0);
	check_err(__LINE__, verify(bad, B(K_A1)), JWT_ESIGNATURE);
	free(bad);
	K[K_A1] = save_a1;
	jwt_key_free(hs);

	free(k44);
	free(kid44);
	free(t44);
	free(t43);
	free(tp41);
	free(kid41);
	free(t41);
}

static void
test_rfc7638(void **state)
{
	char			*tp = vec_get("rfc7638_3_1.txt", "thumbprint");
	struct jwt_key		*k = pem_key(JWT_RS256, "rfc7638_rsa_pub.pem");
	struct json_object	*jwk, *v;

	(void)state;
	assert_non_null(k);
	count(1);
	assert_string_equal(jwt_key_kid(k), tp);
	assert_non_null(jwk = jwt_key_jwk(k));
	assert_true(json_object_object_get_ex(jwk, "e", &v));
	assert_string_equal(json_object_get_string(v), "AQAB");
	assert_true(json_object_object_get_ex(jwk, "n", &v));
	assert_int_equal(strncmp(json_object_get_string(v), "0vx7agoebGcQSuuPiLJXZptN9nn", 27), 0);
	assert_true(json_object_object_get_ex(jwk, "kid", &v));
	assert_string_equal(json_object_get_string(v), tp);
	json_object_put(jwk);
	jwt_key_free(k);
	free(tp);
}

/* --- PyJWT byte for byte --- */

static void
test_pyjwt(void **state)
{
	char			*buf, *p, *e, *secret = NULL, *tok;
	const char		*text = NULL;
	struct json_object	*claims = NULL, *c;
	struct jwt_key		*k = NULL, *save = K[K_A1];
	size_t			 line = 0, done = 0;

	(void)state;
	buf = slurp("pyjwt_hs256.txt", NULL);
	for (p = buf; *p != '\0'; p = e + 1) {
		line++;
		assert_non_null(e = strchr(p, '\n'));
		*e = '\0';
		if (strncmp(p, "secret: ", 8) == 0) {
			secret = p + 8;
			assert_non_null(k = jwt_key_hmac(JWT_HS256, secret,
			    strlen(secret)));
		} else if (strncmp(p, "claims: ", 8) == 0) {
			assert_non_null(claims = json_tokener_parse(p + 8));
			text = p + 8;
		} else if (strncmp(p, "token: ", 7) == 0) {
			count(1);
			assert_int_equal(jwt_sign(k, claims, &tok), JWT_OK);
			if (strcmp(tok, p + 7) != 0) {
				print_error("pyjwt_hs256.txt:%zu:\n ours %s\n "
				    "PyJWT %s\n", line, tok, p + 7);
				fail();
			}
			free(tok);
			/* And we read what PyJWT wrote (exp 0 has passed). */
			K[K_A1] = k;
			check_err(__LINE__, verify_ex(p + 7, strlen(p + 7),
			    B(K_A1), 1700000000, 0, NULL, NULL, &c),
			    strstr(text, "\"exp\": 0}") ? JWT_EEXPIRED : JWT_OK);
			K[K_A1] = save;
			if (c != NULL)
				assert_true(json_object_equal(c, claims));
			json_object_put(c);
			json_object_put(claims);
			claims = NULL;
			done++;
		}
	}
	assert_int_equal(done, 6);
	jwt_key_free(k);
	free(buf);
}

/* --- tampering every kind of token --- */

enum mut {
	M_HDR_SPACE,	/* header JSON + " ", re-encoded */
	M_PAY_SPACE,	/* payload JSON + " " */
	M_PAY_EXP,	/* exp one later */
	M_SIG_FIRST,	/* first signature byte flipped */
	M_SIG_LAST,	/* last signature byte flipped */
	M_SIG_TRUNC,	/* last signature character dropped */
	M_SIG_MORE,	/* "A" appended */
	M_SIG_EMPTY,	/* signature "" */
	M_SIG_A1,	/* somebody else's signature */
	M_PAD,		/* "=" appended */
	M_PAD2,		/* "==" appended */
	M_PLUS,		/* first signature character '+' */
	M_SLASH,	/* first signature character '/' */
	M_DOT_END,	/* "." appended */
	M_DOT_START,	/* "." prepended */
	M_SP_START,	/* " " prepended */
	M_SP_END,	/* " " appended */
	M_NL_END,	/* "\n" appended */
	M_CRLF_END,	/* "\r\n" appended */
	M_SP_MID,	/* " " after the first dot */
	M_NUL_END,	/* NUL byte appended, counted in the length */
	M_TWO_PARTS,	/* signature and its dot dropped */
	M_HDR_RAW,	/* first header character 'e' → 'f' */
	M_PAY_RAW,	/* first payload character changed */
	M_SWAP,		/* payload and header swapped */
	M_NONE,		/* header {"alg":"none"}, signature kept */
	M_NONE_EMPTY,	/* header {"alg":"none"}, signature "" */
	M_ALG_LOWER,	/* alg lowercased */
	M_ALG_OTHER,	/* alg changed to one with no key in the set */
	M_CRIT,		/* "crit":["exp"] added */
	M__MAX
};

#define E(x)	(1u << (x))
static const unsigned mut_want[M__MAX] = {
	[M_HDR_SPACE] = E(JWT_ESIGNATURE),
	[M_PAY_SPACE] = E(JWT_ESIGNATURE),
	[M_PAY_EXP] = E(JWT_ESIGNATURE),
	[M_SIG_FIRST] = E(JWT_ESIGNATURE),
	[M_SIG_LAST] = E(JWT_ESIGNATURE),
	/* Shorter by 6 bits: stray bits, or one byte short. */
	[M_SIG_TRUNC] = E(JWT_EMALFORMED) | E(JWT_ESIGNATURE),
	[M_SIG_MORE] = E(JWT_EMALFORMED) | E(JWT_ESIGNATURE),
	[M_SIG_EMPTY] = E(JWT_ESIGNATURE),
	[M_SIG_A1] = E(JWT_ESIGNATURE),
	[M_PAD] = E(JWT_EMALFORMED),
	[M_PAD2] = E(JWT_EMALFORMED),
	[M_PLUS] = E(JWT_EMALFORMED),
	[M_SLASH] = E(JWT_EMALFORMED),
	[M_DOT_END] = E(JWT_EMALFORMED),
	[M_DOT_START] = E(JWT_EMALFORMED),
	[M_SP_START] = E(JWT_EMALFORMED),
	[M_SP_END] = E(JWT_EMALFORMED),
	[M_NL_END] = E(JWT_EMALFORMED),
	[M_CRLF_END] = E(JWT_EMALFORMED),
	[M_SP_MID] = E(JWT_EMALFORMED),
	[M_NUL_END] = E(JWT_EMALFORMED),
	[M_TWO_PARTS] = E(JWT_EMALFORMED),
	[M_HDR_RAW] = E(JWT_EMALFORMED),
	[M_PAY_RAW] = E(JWT_ESIGNATURE),
	[M_SWAP] = E(JWT_EALG),
	[M_NONE] = E(JWT_EALG),
	[M_NONE_EMPTY] = E(JWT_EALG),
	[M_ALG_LOWER] = E(JWT_EALG),
	[M_ALG_OTHER] = E(JWT_EALG),
	[M_CRIT] = E(JWT_ECRIT),
};

/* The JSON text of a part, rewritten by `edit` and re-encoded. */
static char *
rejson(const char *p64, size_t len, enum mut m)
{
	unsigned char		*raw;
	size_t			 n;
	struct json_object	*o, *v;
	const char		*js;
	char			*s, *out, lower[16];
	size_t			 i;

	assert_int_equal(jwt_b64url_decode(p64, len, &raw, &n), 0);
	assert_non_null(s = malloc(n + 2));
	memcpy(s, raw, n);
	s[n] = '\0';
	free(raw);
	if (m == M_HDR_SPACE || m == M_PAY_SPACE) {
		strcat(s, " ");
		out = b64(s, strlen(s));
		free(s);
		return out;
	}
	assert_non_null(o = json_tokener_parse(s));
	free(s);
	if (m == M_PAY_EXP) {
		assert_true(json_object_object_get_ex(o, "exp", &v));
		json_object_set_int64(v, json_object_get_int64(v) + 1);
	} else if (m == M_ALG_LOWER) {
		assert_true(json_object_object_get_ex(o, "alg", &v));
		snprintf(lower, sizeof(lower), "%s", json_object_get_string(v));
		for (i = 0; lower[i] != '\0'; i++)
			if (lower[i] >= 'A' && lower[i] <= 'Z')
				lower[i] += 'a' - 'A';
		json_object_object_add(o, "alg", json_object_new_string(lower));
	} else if (m == M_ALG_OTHER) {
		assert_true(json_object_object_get_ex(o, "alg", &v));
		json_object_object_add(o, "alg", json_object_new_string(
		    strcmp(json_object_get_string(v), "HS256") == 0 ?
		    "HS384" : "HS256"));
	} else if (m == M_CRIT) {
		json_object_object_add(o, "crit",
		    json_tokener_parse("[\"exp\"]"));
	}
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	out = b64(js, strlen(js));
	json_object_put(o);
	return out;
}

/* The token tampered by m; malloc'ed, its length in *len. */
static char *
mutate(const char *tok, enum mut m, size_t *len)
{
	const char	*d1 = strchr(tok, '.'), *d2 = strrchr(tok, '.');
	char		*h = strndup(tok, (size_t)(d1 - tok));
	char		*p = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
	char		*s = strdup(d2 + 1), *t, *x;
	unsigned char	*raw, buf[65];
	size_t		 n, tl = strlen(tok);

	assert_non_null(t = malloc(2 * tl + 64));
	switch (m) {
	case M_HDR_SPACE:
	case M_ALG_LOWER:
	case M_ALG_OTHER:
	case M_CRIT:
		x = rejson(h, strlen(h), m);
		free(h);
		h = x;
		break;
	case M_PAY_SPACE:
	case M_PAY_EXP:
		x = rejson(p, strlen(p), m);
		free(p);
		p = x;
		break;
	case M_SIG_FIRST:
	case M_SIG_LAST:
		assert_int_equal(jwt_b64url_decode(s, strlen(s), &raw, &n), 0);
		raw[m == M_SIG_FIRST ? 0 : n - 1] ^= 0x01;
		free(s);
		s = b64(raw, n);
		free(raw);
		break;
	case M_SIG_TRUNC:
		s[strlen(s) - 1] = '\0';
		break;
	case M_SIG_EMPTY:
		s[0] = '\0';
		break;
	case M_SIG_A1:
		free(s);
		n = special_sig(S_A1SIG, buf);
		if (strcmp(h, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9") == 0)
			buf[0] ^= 1;	/* the A.1 token itself */
		s = b64(buf, n);
		break;
	case M_PLUS:
	case M_SLASH:
		s[0] = m == M_PLUS ? '+' : '/';
		break;
	case M_SWAP:
		x = h;
		h = p;
		p = x;
		break;
	case M_NONE:
	case M_NONE_EMPTY:
		free(h);
		h = b64("{\"alg\":\"none\"}", 14);
		if (m == M_NONE_EMPTY)
			s[0] = '\0';
		break;
	case M_HDR_RAW:
		assert_int_equal(h[0], 'e');
		h[0] = 'f';
		break;
	case M_PAY_RAW:
		p[0] = p[0] == 'e' ? 'f' : 'e';
		break;
	default:
		break;
	}
	snprintf(t, 2 * tl + 64, "%s.%s.%s", h, p, s);
	n = strlen(t);
	switch (m) {
	case M_SIG_MORE:
		strcat(t, "A");
		break;
	case M_PAD:
		strcat(t, "=");
		break;
	case M_PAD2:
		strcat(t, "==");
		break;
	case M_DOT_END:
		strcat(t, ".");
		break;
	case M_SP_END:
		strcat(t, " ");
		break;
	case M_NL_END:
		strcat(t, "\n");
		break;
	case M_CRLF_END:
		strcat(t, "\r\n");
		break;
	case M_DOT_START:
	case M_SP_START:
		memmove(t + 1, t, n + 1);
		t[0] = m == M_DOT_START ? '.' : ' ';
		break;
	case M_SP_MID:
		x = strchr(t, '.') + 1;
		memmove(x + 1, x, strlen(x) + 1);
		*x = ' ';
		break;
	case M_TWO_PARTS:
		*strrchr(t, '.') = '\0';
		break;
	default:
		break;
	}
	*len = strlen(t);
	if (m == M_NUL_END)
		t[(*len)++] = '\0';
	free(h);
	free(p);
	free(s);
	return t;
}

static void
test_tamper(void **state)
{
	struct json_object	*claims;
	struct {
		int		 line;
		char		*tok;
		unsigned	 keys;
	} base[8];
	size_t			 i, nb = 0, len;
	int			 m;
	char			*t;
	enum jwt_err		 e;

	(void)state;
	base[nb].line = __LINE__;
	base[nb].tok = vec_get("rfc7515_a1_hs256.txt", "token");
	base[nb++].keys = B(K_A1);
	base[nb].line = __LINE__;
	base[nb].tok = vec_get("rfc7515_a2_rs256.txt", "token");
	base[nb++].keys = B(K_A2PUB);
	base[nb].line = __LINE__;
	base[nb].tok = vec_get("rfc7515_a3_es256.txt", "token");
	base[nb++].keys = B(K_A3PUB);
	claims = json_tokener_parse("{\"sub\":\"u\",\"aud\":[\"" AUD "\"],"
	    "\"exp\":1300819380}");
	{
		static const int signers[] = { K_HS384, K_HS512, K_RS_GEN,
		    K_ES_GEN, K_ED_GEN };
		for (i = 0; i < 5; i++) {
			base[nb].line = __LINE__;
			assert_int_equal(jwt_sign(K[signers[i]], claims,
			    &base[nb].tok), JWT_OK);
			base[nb++].keys = B(signers[i]);
		}
	}
	json_object_put(claims);
	for (i = 0; i < nb; i++) {
		check_err(base[i].line, verify(base[i].tok, base[i].keys), JWT_OK);
		for (m = 0; m < M__MAX; m++) {
			t = mutate(base[i].tok, (enum mut)m, &len);
			e = verify_ex(t, len, base[i].keys, NOW, 0, NULL, NULL, NULL);
			count(0);
			if ((mut_want[m] & E(e)) == 0) {
				print_error("base at line %d, mutation %d: got %s\n",
				    base[i].line, m, jwt_strerror(e));
				fail();
			}
			free(t);
		}
		free(base[i].tok);
	}
}

/* --- forged headers and payloads --- */

#define H_HS	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define H_RS	"{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
#define H_ES	"{\"alg\":\"ES256\",\"typ\":\"JWT\"}"
#define P_OK	"{\"sub\":\"u\",\"exp\":1300819380}"
#define KID128	"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" \
		"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
#define A2_TP	"IsUn6_e04MaShXFIISMp4kG62LWzMIPy_MvSA5pJgX8"

struct fcase {
	int		 line;
	const char	*hdr;
	const char	*pay;
	int		 signer;	/* K_* or S_* */
	unsigned	 keys;
	int64_t		 leeway;
	const char	*aud;
	const char	*iss;
	enum jwt_err	 want;
};

static void
run_fcases(const struct fcase *c, size_t n)
{
	size_t	 i;
	char	*tok;

	for (i = 0; i < n; i++) {
		tok = forge(c[i].hdr, c[i].pay, c[i].signer);
		check_err(c[i].line, verify_ex(tok, strlen(tok), c[i].keys, NOW,
		    c[i].leeway, c[i].aud, c[i].iss, NULL), c[i].want);
		free(tok);
	}
}

static void
test_headers(void **state)
{
	static const struct fcase c[] = {
	/* Sanity: the forger makes good tokens. */
	{ __LINE__, H_HS, P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_RS, P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_ES, P_OK, K_A3, B(K_A3PUB), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"EdDSA\"}", P_OK, K_ED, B(K_ED), 0, NULL, NULL, JWT_OK },
	/* alg none, in any case, signed or not. */
	{ __LINE__, "{\"alg\":\"none\"}", P_OK, S_EMPTY, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"None\"}", P_OK, S_EMPTY, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"NONE\"}", P_OK, S_EMPTY, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"nOnE\"}", P_OK, S_EMPTY, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"none\",\"typ\":\"JWT\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	/* Key confusion: HS256 under the RS256 public key's PEM bytes. */
	{ __LINE__, H_HS, P_OK, K_CONFUSE, B(K_A2PUB), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, H_HS, P_OK, K_CONFUSE, B(K_A2PUB) | B(K_A2), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"" A2_TP "\"}", P_OK, K_CONFUSE,
	    B(K_A2PUB), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, H_HS, P_OK, K_CONFUSE, B(K_A2PUB) | B(K_A1), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_RS, P_OK, K_CONFUSE, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	/* A key is tried only for its own alg, even of the same family. */
	{ __LINE__, H_HS, P_OK, K_HS384, B(K_A1) | B(K_HS384), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"HS512\"}", P_OK, K_A1, B(K_A1) | B(K_HS512), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_RS, P_OK, K_A3, B(K_A2PUB) | B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, K_ED, B(K_A3PUB) | B(K_ED), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"EdDSA\"}", P_OK, K_A2, B(K_ED) | B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	/* Algorithms held by no key given. */
	{ __LINE__, "{\"alg\":\"HS384\"}", P_OK, K_HS384, B(K_A1), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"EdDSA\"}", P_OK, K_ED, B(K_A1) | B(K_A2PUB) | B(K_A3PUB), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, H_RS, P_OK, K_A2, B(K_A3PUB), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, H_ES, P_OK, K_A3, B(K_A2PUB) | B(K_ED), 0, NULL, NULL, JWT_EALG },
	{ __LINE__, H_HS, P_OK, K_A1, 0, 0, NULL, NULL, JWT_EALG },
	/* ES256 signatures out of range or of the wrong size. */
	{ __LINE__, H_ES, P_OK, S_ZERO, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_RN, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_SN, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_NN, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_FF, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_ONE, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_63, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_65, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_ES, P_OK, S_EMPTY, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"EdDSA\"}", P_OK, S_ZERO, B(K_ED), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"EdDSA\"}", P_OK, S_63, B(K_ED), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_RS, P_OK, S_ZERO, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, H_HS, P_OK, S_EMPTY, B(K_A1), 0, NULL, NULL, JWT_ESIGNATURE },
	/* crit, whatever it holds (RFC 7515 §4.1.11). */
	{ __LINE__, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"crit\":[]}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"crit\":null}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"RS256\",\"b64\":false,\"crit\":[\"b64\"]}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_ECRIT },
	/* kid: injection attempts pick no key; nameless keys still verify. */
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", P_OK, K_HS_OTHER, B(K_A1), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"/dev/null\"}", P_OK, S_EMPTY, B(K_A1), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"' OR 1=1--\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"' OR 1=1--\"}", P_OK, K_CONFUSE, B(K_A1), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"ES256\",\"kid\":\"' OR 1=1--\"}", P_OK, K_A3, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"" A2_TP "\"}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"" A2_TP "\"}", P_OK, K_RS_GEN, B(K_A2PUB) | B(K_RS_GEN), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"" KID128 "\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"" KID128 "k\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":1}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":null}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":[\"a\"]}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"kid\":\"a\\u0000b\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	/* Keys offered by the token are never used. */
	{ __LINE__, "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"AQAB\"}}", P_OK, K_RS_GEN, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"RS256\",\"jku\":\"https://evil.example/jwks\"}", P_OK, K_RS_GEN, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"RS256\",\"x5u\":\"https://evil.example/c.pem\"}", P_OK, K_RS_GEN, B(K_A2PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"ES256\",\"x5c\":[\"MIIB\"]}", P_OK, K_ES_GEN, B(K_A3PUB), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}}", P_OK, K_ED_GEN, B(K_ED), 0, NULL, NULL, JWT_ESIGNATURE },
	{ __LINE__, "{\"alg\":\"RS256\",\"jku\":\"https://evil.example/jwks\"}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_OK },
	/* alg itself. */
	{ __LINE__, "{\"typ\":\"JWT\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":null}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":256}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":[\"HS256\"]}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":{\"HS256\":1}}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"HS256 \"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"hs256\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"HS256\\u0000\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"ES512\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"PS256\"}", P_OK, K_A2, PUBS, 0, NULL, NULL, JWT_EALG },
	{ __LINE__, "{\"alg\":\"Ed25519\"}", P_OK, K_ED, PUBS, 0, NULL, NULL, JWT_EALG },
	/* Duplicate members are refused (not the last one taken, as Python does). */
	{ __LINE__, "{\"alg\":\"HS256\",\"alg\":\"none\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"none\",\"alg\":\"HS256\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"RS256\",\"kid\":\"x\",\"kid\":\"" A2_TP "\"}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"typ\":\"JWT\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"a\\u006cg\":\"none\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	/* ... only at the top: nested objects and look-alike text are fine. */
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":{\"a\":1,\"a\":2}}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":\"alg:\\\":{[\",\"y\":[\"a:b\",{\"c\":\"}\"}]}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	/* b64 (RFC 7797): anything but true is an extension we do not do. */
	{ __LINE__, "{\"alg\":\"HS256\",\"b64\":false}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"RS256\",\"b64\":false}", P_OK, K_A2, B(K_A2PUB), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"b64\":\"false\"}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"b64\":0}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"b64\":null}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_ECRIT },
	{ __LINE__, "{\"alg\":\"HS256\",\"b64\":true}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	/* Header JSON: an object, strict, UTF-8, nothing after it. */
	{ __LINE__, "[\"HS256\"]", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "\"HS256\"", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "null", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "1", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS "x", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS H_HS, P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{'alg':'HS256'}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\"/*c*/}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":NaN}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":-Infinity}", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":\"\xff\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":\"\xc0\xaf\"}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, "{\"alg\":\"HS256\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", P_OK, K_A1, PUBS, 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS " \r\n", P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	/* Payload JSON: the same, after the signature. */
	{ __LINE__, H_HS, "\"a string\"", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "[" P_OK "]", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "1300819380", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "null", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "true", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, P_OK "x", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, P_OK P_OK, K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\xed\xa0\x80\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":01300819380}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\xc0\xaf\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\xe0\x80\xaf\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\xf4\x90\x80\x80\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\xe2\x82\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"\x80\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	/* Claims named twice, whichever comes first. */
	{ __LINE__, H_HS, "{\"exp\":1,\"exp\":1300819380}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"exp\":1}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"sub\":\"a\",\"sub\":\"b\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"x\",\"aud\":[\"a\"]}", K_A1, B(K_A1), 0, "a", NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\\u0075b\":\"a\",\"sub\":\"b\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	/* Payloads that are fine. */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"s\":\"j\xc3\xb6rg \xf0\x9f\x98\x80\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "\t{\"exp\" : 1300819380}\r\n", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	};

	(void)state;
	run_fcases(c, sizeof(c) / sizeof(c[0]));
}

#define AUD_OK	"fastapi-users:auth"
#define ISS	"joe"

static void
test_claims(void **state)
{
	static const struct fcase c[] = {
	/* exp is required. */
	{ __LINE__, H_HS, "{\"sub\":\"u\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ENOEXP },
	{ __LINE__, H_HS, "{}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ENOEXP },
	{ __LINE__, H_HS, "{\"nbf\":1,\"iat\":1}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ENOEXP },
	{ __LINE__, H_HS, "{\"Exp\":1300819380}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ENOEXP },
	/* exp: a JSON integer in [0, 2^53]. */
	{ __LINE__, H_HS, "{\"exp\":\"9999999999\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":\"1300819380\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1e10}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":9999999999.0}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380.5}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1e300}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":true}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":false}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":null}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":-1}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":9007199254740993}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":9223372036854775807}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":99999999999999999999}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":-99999999999999999999}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":[1300819380]}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":{}}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	/* Not JSON (RFC 8259 §6), so refused before the claim is read. */
	{ __LINE__, H_HS, "{\"exp\":NaN}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":Infinity}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EMALFORMED },
	{ __LINE__, H_HS, "{\"exp\":-0}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":9007199254740992}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	/* exp against now (1300819000) and leeway: expired when exp <= now - leeway. */
	{ __LINE__, H_HS, "{\"exp\":1300819000}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":1300818999}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":0}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":1300819001}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819000}", K_A1, B(K_A1), 1, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300818990}", K_A1, B(K_A1), 10, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":1300818991}", K_A1, B(K_A1), 10, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819000}", K_A1, B(K_A1), -100, NULL, NULL, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":1}", K_A1, B(K_A1), INT64_MAX, NULL, NULL, JWT_OK },
	/* nbf: immature when nbf > now + leeway. */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819001}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EIMMATURE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":9007199254740992}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EIMMATURE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819000}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819010}", K_A1, B(K_A1), 10, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819011}", K_A1, B(K_A1), 10, NULL, NULL, JWT_EIMMATURE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":\"0\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1.5}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":-5}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":true}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":null}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	/* iat: in the future is immature too (PyJWT 2.6). */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":1300819001}", K_A1, B(K_A1), 0, NULL, NULL, JWT_EIMMATURE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":1300819000}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":1300819005}", K_A1, B(K_A1), 5, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":1300819006}", K_A1, B(K_A1), 5, NULL, NULL, JWT_EIMMATURE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":\"x\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":1e3}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iat\":-1}", K_A1, B(K_A1), 0, NULL, NULL, JWT_ECLAIM },
	/* aud: a string equal to it, or a list of strings holding it. */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[\"" AUD_OK "\"]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"" AUD_OK "\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[\"x\",\"" AUD_OK "\"]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"x\"}", K_A1, B(K_A1), 0, NULL, NULL, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[\"x\"]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"x\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"fastapi-users:reset\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"FASTAPI-USERS:AUTH\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"" AUD_OK " \"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"fastapi-users:aut\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":\"" AUD_OK "\\u0000x\"}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":1}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":null}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":true}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":{\"" AUD_OK "\":1}}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[\"" AUD_OK "\",1]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"aud\":[[\"" AUD_OK "\"]]}", K_A1, B(K_A1), 0, AUD_OK, NULL, JWT_ECLAIM },
	/* iss: a string equal to it. */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iss\":\"joe\"}", K_A1, B(K_A1), 0, NULL, ISS, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iss\":\"Joe\"}", K_A1, B(K_A1), 0, NULL, ISS, JWT_EISSUER },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iss\":\"joe\\u0000\"}", K_A1, B(K_A1), 0, NULL, ISS, JWT_EISSUER },
	{ __LINE__, H_HS, "{\"exp\":1300819380}", K_A1, B(K_A1), 0, NULL, ISS, JWT_EISSUER },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iss\":1}", K_A1, B(K_A1), 0, NULL, ISS, JWT_ECLAIM },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"iss\":[\"joe\"]}", K_A1, B(K_A1), 0, NULL, ISS, JWT_ECLAIM },
	/* Each rule in turn, with the others fine. */
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819000,\"iat\":1300819000,\"aud\":[\"" AUD_OK "\"],\"iss\":\"joe\"}", K_A1, B(K_A1), 0, AUD_OK, ISS, JWT_OK },
	{ __LINE__, H_HS, "{\"exp\":1300819000,\"nbf\":1300819000,\"iat\":1300819000,\"aud\":[\"" AUD_OK "\"],\"iss\":\"joe\"}", K_A1, B(K_A1), 0, AUD_OK, ISS, JWT_EEXPIRED },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819000,\"iat\":1300819000,\"aud\":[\"x\"],\"iss\":\"joe\"}", K_A1, B(K_A1), 0, AUD_OK, ISS, JWT_EAUDIENCE },
	{ __LINE__, H_HS, "{\"exp\":1300819380,\"nbf\":1300819000,\"iat\":1300819000,\"aud\":[\"" AUD_OK "\"],\"iss\":\"bob\"}", K_A1, B(K_A1), 0, AUD_OK, ISS, JWT_EISSUER },
	};

	(void)state;
	run_fcases(c, sizeof(c) / sizeof(c[0]));
}

/* --- lengths and shapes --- */

static void
test_lengths(void **state)
{
	static const struct { int line; const char *tok; enum jwt_err want; } c[] = {
		{ __LINE__, "", JWT_EMALFORMED },
		{ __LINE__, ".", JWT_EMALFORMED },
		{ __LINE__, "..", JWT_EMALFORMED },
		{ __LINE__, "...", JWT_EMALFORMED },
		{ __LINE__, "....", JWT_EMALFORMED },
		{ __LINE__, "a.b.c", JWT_EMALFORMED },
		{ __LINE__, "e30.e30", JWT_EMALFORMED },
		{ __LINE__, "e30", JWT_EMALFORMED },
		{ __LINE__, "e30.e30.", JWT_EALG },
		{ __LINE__, "eyJhbGciOiJIUzI1NiJ9..", JWT_ESIGNATURE },
		{ __LINE__, ".e30.", JWT_EMALFORMED },
		{ __LINE__, "eyJhbGciOiJub25lIn0.e30.", JWT_EALG },
		{ __LINE__, "eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.", JWT_EALG },
	};
	struct json_object	*claims;
	struct jwt_verify_opts	 o;
	char			*tok = NULL, *pad, *big;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		check_err(c[i].line, verify(c[i].tok, PUBS), c[i].want);
	check_err(__LINE__, verify_ex(NULL, 0, PUBS, NOW, 0, NULL, NULL, NULL),
	    JWT_EMALFORMED);
	check_err(__LINE__, verify_ex("x", SIZE_MAX, PUBS, NOW, 0, NULL, NULL,
	    NULL), JWT_ETOOLONG);
	memset(&o, 0, sizeof(o));
	check_err(__LINE__, jwt_verify("e30.e30.", 8, NULL, &claims), JWT_EKEY);
	check_err(__LINE__, jwt_verify("e30.e30.", 8, &o, NULL), JWT_EKEY);

	/* The longest token: exactly JWT_MAX_TOKEN bytes verifies. */
	assert_non_null(pad = malloc(JWT_MAX_TOKEN));
	for (n = 6000; n < JWT_MAX_TOKEN; n++) {
		memset(pad, 'x', n);
		pad[n] = '\0';
		claims = json_object_new_object();
		json_object_object_add(claims, "exp", json_object_new_int64(1300819380));
		json_object_object_add(claims, "pad", json_object_new_string(pad));
		free(tok);
		tok = NULL;
		if (jwt_sign(K[K_A1], claims, &tok) != JWT_OK) {
			/* Past the limit jwt_sign refuses. */
			count(0);
			assert_int_equal(jwt_sign(K[K_A1], claims, &tok), JWT_ETOOLONG);
			json_object_put(claims);
			break;
		}
		json_object_put(claims);
		if (strlen(tok) == JWT_MAX_TOKEN)
			break;
	}
	assert_non_null(tok);
	assert_int_equal(strlen(tok), JWT_MAX_TOKEN);
	check_err(__LINE__, verify(tok, B(K_A1)), JWT_OK);
	/* One byte more, whatever it is, is refused unread. */
	assert_non_null(big = malloc(JWT_MAX_TOKEN + 2));
	memcpy(big, tok, JWT_MAX_TOKEN);
	big[JWT_MAX_TOKEN] = 'A';
	big[JWT_MAX_TOKEN + 1] = '\0';
	check_err(__LINE__, verify(big, B(K_A1)), JWT_ETOOLONG);
	check_err(__LINE__, verify_ex(big, JWT_MAX_TOKEN + 1, B(K_A1), NOW, 0,
	    NULL, NULL, NULL), JWT_ETOOLONG);
	check_err(__LINE__, verify_ex(big, JWT_MAX_TOKEN, B(K_A1), NOW, 0,
	    NULL, NULL, NULL), JWT_OK);
	free(big);
	free(tok);
	tok = NULL;

	/* Claims too long to sign at all. */
	memset(pad, 'x', JWT_MAX_TOKEN - 1);
	pad[JWT_MAX_TOKEN - 1] = '\0';
	claims = json_object_new_object();
	json_object_object_add(claims, "pad", json_object_new_string(pad));
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], claims, &tok), JWT_ETOOLONG);
	assert_null(tok);
	json_object_put(claims);
	free(pad);
}

/* --- round trips and keys --- */

/* PEM of an OpenSSL key: 0 SPKI, 1 PKCS#8, 2 traditional, 3 encrypted. */
static char *
pem_of(EVP_PKEY *pk, int form)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	BUF_MEM	*bm;
	char	*s;
	int	 ok;

	assert_non_null(bio);
	switch (form) {
	case 0:
		ok = PEM_write_bio_PUBKEY(bio, pk);
		break;
	case 1:
		ok = PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL);
		break;
	case 2:
		ok = PEM_write_bio_PrivateKey_traditional(bio, pk, NULL, NULL, 0,
		    NULL, NULL);
		break;
	default:
		ok = PEM_write_bio_PKCS8PrivateKey(bio, pk, EVP_aes_256_cbc(),
		    "pw", 2, NULL, NULL);
		break;
	}
	if (ok != 1 && form == 2) {
		BIO_free(bio);
		return NULL;	/* no traditional form for this type */
	}
	assert_int_equal(ok, 1);
	BIO_get_mem_ptr(bio, &bm);
	assert_non_null(s = strndup(bm->data, bm->length));
	BIO_free(bio);
	return s;
}

static void
check_jwk(const struct jwt_key *k)
{
	static const char *const allowed[] = {
		"kty", "crv", "n", "e", "x", "y", "kid", "alg", "use" };
	struct json_object	*jwk, *v;
	size_t			 i;
	int			 ok;

	assert_non_null(jwk = jwt_key_jwk(k));
	json_object_object_foreach(jwk, name, val) {
		(void)val;
		for (ok = 0, i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok |= strcmp(name, allowed[i]) == 0;
		if (!ok)
			fail_msg("JWK member %s", name);	/* d, p, q… */
	}
	assert_true(json_object_object_get_ex(jwk, "kid", &v));
	assert_string_equal(json_object_get_string(v), jwt_key_kid(k));
	assert_int_equal(strlen(jwt_key_kid(k)), 43);
	assert_true(json_object_object_get_ex(jwk, "alg", &v));
	assert_string_equal(json_object_get_string(v), jwt_alg_name(jwt_key_alg(k)));
	assert_true(json_object_object_get_ex(jwk, "use", &v));
	assert_string_equal(json_object_get_string(v), "sig");
	assert_true(json_object_object_get_ex(jwk, "kty", &v));
	switch (jwt_key_alg(k)) {
	case JWT_RS256:
		assert_string_equal(json_object_get_string(v), "RSA");
		assert_true(json_object_object_get_ex(jwk, "n", &v));
		assert_int_equal(json_object_get_string_len(v), 342);
		assert_true(json_object_object_get_ex(jwk, "e", &v));
		assert_string_equal(json_object_get_string(v), "AQAB");
		break;
	case JWT_ES256:
		assert_string_equal(json_object_get_string(v), "EC");
		assert_true(json_object_object_get_ex(jwk, "crv", &v));
		assert_string_equal(json_object_get_string(v), "P-256");
		assert_true(json_object_object_get_ex(jwk, "x", &v));
		assert_int_equal(json_object_get_string_len(v), 43);
		assert_true(json_object_object_get_ex(jwk, "y", &v));
		assert_int_equal(json_object_get_string_len(v), 43);
		break;
	default:
		assert_string_equal(json_object_get_string(v), "OKP");
		assert_true(json_object_object_get_ex(jwk, "crv", &v));
		assert_string_equal(json_object_get_string(v), "Ed25519");
		assert_true(json_object_object_get_ex(jwk, "x", &v));
		assert_int_equal(json_object_get_string_len(v), 43);
		break;
	}
	json_object_put(jwk);
}

/* The decoded header of a token, as text; malloc'ed. */
static char *
header_of(const char *tok)
{
	unsigned char	*raw;
	size_t		 n;
	char		*s;

	assert_int_equal(jwt_b64url_decode(tok, strcspn(tok, "."), &raw, &n), 0);
	assert_non_null(s = strndup((char *)raw, n));
	free(raw);
	return s;
}

static void
test_roundtrip(void **state)
{
	struct json_object	*claims, *c;
	struct jwt_key		*k, *other, *pub, *priv, *save;
	char			*tok, *tok2, *hdr, *want, *pem;
	int			 a;
	size_t			 n, i;
	unsigned		 mask;

	(void)state;
	claims = json_tokener_parse("{\"sub\":\"3f2c8a9e-5b7d-4c1e-9a0f-6d8e2b4c7a15\","
	    "\"email\":\"j\\u00f6rg@example.com\",\"aud\":[\"" AUD "\"],"
	    "\"exp\":1300819380}");
	assert_non_null(claims);
	for (a = 0; a < JWT_ALG__MAX; a++) {
		assert_non_null(k = jwt_key_generate((enum jwt_alg)a));
		/* Another key of the alg (RSA from the fixtures: keygen is slow). */
		if (a == JWT_RS256)
			assert_non_null(other = pem_key(JWT_RS256, "rfc7520_bilbo_rsa.pem"));
		else
			assert_non_null(other = jwt_key_generate((enum jwt_alg)a));
		assert_int_equal(jwt_key_alg(k), a);
		assert_true(jwt_key_can_sign(k));
		count(1);
		assert_int_equal(jwt_sign(k, claims, &tok), JWT_OK);
		hdr = header_of(tok);
		n = strlen(jwt_key_kid(k)) + 64;
		assert_non_null(want = malloc(n));
		if (jwt_key_kid(k)[0] == '\0')
			snprintf(want, n, "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
			    jwt_alg_name((enum jwt_alg)a));
		else
			snprintf(want, n, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
			    jwt_alg_name((enum jwt_alg)a), jwt_key_kid(k));
		assert_string_equal(hdr, want);
		free(want);
		free(hdr);

		save = K[K_A1];
		K[K_A1] = k;
		check_err(__LINE__, verify_ex(tok, strlen(tok), B(K_A1), NOW, 0, AUD,
		    NULL, &c), JWT_OK);
		assert_true(json_object_equal(c, claims));
		json_object_put(c);
		K[K_A1] = other;
		check_err(__LINE__, verify(tok, B(K_A1)), JWT_ESIGNATURE);
		K[K_A1] = save;
		/* Every fixture key but those of this alg: none is tried. */
		for (mask = 0, i = 0; i < K__MAX; i++)
			if (jwt_key_alg(K[i]) != (enum jwt_alg)a)
				mask |= B(i);
		check_err(__LINE__, verify(tok, mask), JWT_EALG);

		if (a <= JWT_HS512) {
			count(0);
			assert_null(jwt_key_jwk(k));
			count(0);
			assert_null(jwt_key_pem_private(k));
			count(0);
			assert_null(jwt_key_pem_public(k));
			assert_string_equal(jwt_key_kid(k), "");
		} else {
			check_jwk(k);
			/* Public PEM: verifies, signs nothing, same kid. */
			assert_non_null(pem = jwt_key_pem_public(k));
			assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));
			assert_non_null(pub = jwt_key_pem((enum jwt_alg)a, pem, strlen(pem)));
			free(pem);
			assert_false(jwt_key_can_sign(pub));
			assert_string_equal(jwt_key_kid(pub), jwt_key_kid(k));
			count(0);
			assert_null(jwt_key_pem_private(pub));
			check_jwk(pub);
			count(0);
			assert_int_equal(jwt_sign(pub, claims, &tok2), JWT_EKEY);
			/* Private PEM (PKCS#8): signs what the original verifies. */
			assert_non_null(pem = jwt_key_pem_private(k));
			assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
			assert_non_null(priv = jwt_key_pem((enum jwt_alg)a, pem, strlen(pem)));
			OPENSSL_clear_free(pem, strlen(pem));
			assert_true(jwt_key_can_sign(priv));
			assert_string_equal(jwt_key_kid(priv), jwt_key_kid(k));
			count(1);
			assert_int_equal(jwt_sign(priv, claims, &tok2), JWT_OK);
			K[K_A1] = k;
			check_err(__LINE__, verify(tok2, B(K_A1)), JWT_OK);
			K[K_A1] = pub;
			check_err(__LINE__, verify(tok, B(K_A1)), JWT_OK);
			K[K_A1] = save;
			free(tok2);
			jwt_key_free(priv);
			jwt_key_free(pub);
		}
		free(tok);
		jwt_key_free(other);
		jwt_key_free(k);
	}
	json_object_put(claims);
}

/* An OpenSSL key from a PEM fixture. */
static EVP_PKEY *
fixture_pkey(const char *file)
{
	EVP_PKEY	*pk;
	BIO		*bio;
	size_t		 len;
	char		*pem = slurp(file, &len);

	assert_non_null(bio = BIO_new_mem_buf(pem, (int)len));
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	return pk;
}

/* A key of an OpenSSL type that takes no parameters (RSA-PSS: 2048 bits). */
static EVP_PKEY *
keygen(const char *type)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pk = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &pk) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static void
test_keys(void **state)
{
	/* RSA 2048 comes from the fixtures; keygen is slow under valgrind. */
	static const struct { int line; const char *type; const char *arg;
	    size_t bits; enum jwt_alg alg; } wrong[] = {
		{ __LINE__, "RSA", NULL, 1024, JWT_RS256 },	/* too short */
		{ __LINE__, "RSA", "rfc7515_a2_rsa.pem", 0, JWT_ES256 },
		{ __LINE__, "RSA", "rfc7515_a2_rsa.pem", 0, JWT_EDDSA },
		{ __LINE__, "RSA", "rfc7515_a2_rsa.pem", 0, JWT_HS256 },
		{ __LINE__, "EC", "P-256", 0, JWT_RS256 },
		{ __LINE__, "EC", "P-256", 0, JWT_EDDSA },
		{ __LINE__, "EC", "P-384", 0, JWT_ES256 },
		{ __LINE__, "EC", "secp256k1", 0, JWT_ES256 },
		{ __LINE__, "ED25519", NULL, 0, JWT_RS256 },
		{ __LINE__, "ED25519", NULL, 0, JWT_ES256 },
		{ __LINE__, "ED448", NULL, 0, JWT_EDDSA },
		{ __LINE__, "X25519", NULL, 0, JWT_EDDSA },
		{ __LINE__, "RSA-PSS", NULL, 0, JWT_RS256 },
	};
	EVP_PKEY	*pk;
	struct jwt_key	*k;
	char		*pem, *big, kid[JWT_KID_MAX + 2];
	size_t		 i, len;
	int		 form;
	unsigned char	 secret[4097];

	(void)state;
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		if (wrong[i].bits > 0)
			pk = EVP_PKEY_Q_keygen(NULL, NULL, wrong[i].type, wrong[i].bits);
		else if (wrong[i].arg != NULL && strstr(wrong[i].arg, ".pem"))
			pk = fixture_pkey(wrong[i].arg);
		else if (wrong[i].arg != NULL)
			pk = EVP_PKEY_Q_keygen(NULL, NULL, wrong[i].type, wrong[i].arg);
		else
			pk = keygen(wrong[i].type);
		if (pk == NULL)
			_fail(__FILE__, wrong[i].line);
		for (form = 0; form < 3; form++) {
			if ((pem = pem_of(pk, form)) == NULL)
				continue;
			count(0);
			if ((k = jwt_key_pem(wrong[i].alg, pem, strlen(pem))) != NULL) {
				print_error("form %d accepted\n", form);
				_fail(__FILE__, wrong[i].line);
			}
			free(pem);
		}
		EVP_PKEY_free(pk);
	}

	/* Right types in every PEM form; encrypted ones never prompt. */
	assert_non_null(pk = fixture_pkey("rfc7515_a3_p256.pem"));
	for (form = 0; form < 4; form++) {
		pem = pem_of(pk, form);
		k = jwt_key_pem(JWT_ES256, pem, strlen(pem));
		count(form < 3);
		if (form < 3) {
			assert_non_null(k);
			assert_string_equal(jwt_key_kid(k), jwt_key_kid(K[K_A3]));
			assert_int_equal(jwt_key_can_sign(k), form != 0);
		} else
			assert_null(k);
		jwt_key_free(k);
		/* Cut short: no END line. */
		count(0);
		assert_null(jwt_key_pem(JWT_ES256, pem, strlen(pem) - 20));
		free(pem);
	}
	EVP_PKEY_free(pk);

	/* Not PEM at all, or not a key. */
	count(0);
	assert_null(jwt_key_pem(JWT_RS256, "hello", 5));
	count(0);
	assert_null(jwt_key_pem(JWT_RS256, "", 0));
	count(0);
	assert_null(jwt_key_pem(JWT_RS256, NULL, 10));
	count(0);
	assert_null(jwt_key_pem(JWT_ALG__MAX, "x", 1));
	count(0);
	pem = (char *)"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n";
	assert_null(jwt_key_pem(JWT_RS256, pem, strlen(pem)));
	count(0);
	pem = (char *)"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	assert_null(jwt_key_pem(JWT_RS256, pem, strlen(pem)));
	/* Over the cap, however good the key. */
	pem = slurp("rfc7515_a2_rsa_pub.pem", &len);
	assert_non_null(big = malloc(70000));
	memset(big, '\n', 70000);
	memcpy(big, pem, len);
	count(0);
	assert_null(jwt_key_pem(JWT_RS256, big, 65537));
	count(0);
	assert_null(jwt_key_pem(JWT_RS256, big, 70000));
	count(1);
	assert_non_null(k = jwt_key_pem(JWT_RS256, big, 65536));
	jwt_key_free(k);
	free(big);
	free(pem);

	/* HMAC keys. */
	memset(secret, 'k', sizeof(secret));
	count(0);
	assert_null(jwt_key_hmac(JWT_RS256, "x", 1));
	count(0);
	assert_null(jwt_key_hmac(JWT_EDDSA, "x", 1));
	count(0);
	assert_null(jwt_key_hmac(JWT_ALG__MAX, "x", 1));
	count(0);
	assert_null(jwt_key_hmac(JWT_HS256, NULL, 1));
	count(0);
	assert_null(jwt_key_hmac(JWT_HS256, "x", 0));
	count(0);
	assert_null(jwt_key_hmac(JWT_HS256, secret, 4097));
	count(1);
	assert_non_null(k = jwt_key_hmac(JWT_HS512, secret, 4096));
	assert_true(jwt_key_can_sign(k));
	assert_int_equal(jwt_key_alg(k), JWT_HS512);
	jwt_key_free(k);
	count(0);
	assert_null(jwt_key_generate(JWT_ALG__MAX));

	/* kid. */
	assert_non_null(k = jwt_key_hmac(JWT_HS256, "x", 1));
	memset(kid, 'k', sizeof(kid));
	kid[JWT_KID_MAX + 1] = '\0';
	count(0);
	assert_int_equal(jwt_key_set_kid(k, kid), -1);
	assert_string_equal(jwt_key_kid(k), "");
	count(0);
	assert_int_equal(jwt_key_set_kid(k, NULL), -1);
	count(0);
	assert_int_equal(jwt_key_set_kid(NULL, "a"), -1);
	kid[JWT_KID_MAX] = '\0';
	count(1);
	assert_int_equal(jwt_key_set_kid(k, kid), 0);
	assert_string_equal(jwt_key_kid(k), kid);
	jwt_key_free(k);

	/* NULL everywhere. */
	jwt_key_free(NULL);
	assert_null(jwt_key_jwk(NULL));
	assert_null(jwt_key_pem_private(NULL));
	assert_null(jwt_key_pem_public(NULL));
	assert_false(jwt_key_can_sign(NULL));
	assert_int_equal(jwt_key_alg(NULL), JWT_ALG__MAX);
	assert_string_equal(jwt_key_kid(NULL), "");
}

static void
test_sign_errors(void **state)
{
	struct json_object	*o;
	char			*tok = (char *)"x";
	unsigned char		*sig;
	size_t			 n;

	(void)state;
	o = json_tokener_parse("{\"exp\":1}");
	count(0);
	assert_int_equal(jwt_sign(NULL, o, &tok), JWT_EKEY);
	assert_null(tok);
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], o, NULL), JWT_EKEY);
	count(0);
	assert_int_equal(jwt_sign(K[K_A3PUB], o, &tok), JWT_EKEY);
	json_object_put(o);
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], NULL, &tok), JWT_EMALFORMED);
	o = json_tokener_parse("[1]");
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], o, &tok), JWT_EMALFORMED);
	json_object_put(o);
	o = json_object_new_string("x");
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], o, &tok), JWT_EMALFORMED);
	json_object_put(o);
	/* Claims that are not UTF-8 make no JSON text. */
	o = json_object_new_object();
	json_object_object_add(o, "s", json_object_new_string("\xff\xfe"));
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], o, &tok), JWT_EMALFORMED);
	json_object_put(o);
	o = json_object_new_object();
	json_object_object_add(o, "s", json_object_new_string("\xed\xa0\x80"));
	count(0);
	assert_int_equal(jwt_sign(K[K_A1], o, &tok), JWT_EMALFORMED);
	json_object_put(o);
	count(0);
	assert_int_equal(jwt_sign_raw(NULL, "x", 1, &sig, &n), JWT_EKEY);
	count(0);
	assert_int_equal(jwt_sign_raw(K[K_ED], NULL, 1, &sig, &n), JWT_EKEY);
	assert_null(sig);
	assert_int_equal(n, 0);
}

/* Last: the balance STYLE.md asks for. */
static void
test_balance(void **state)
{
	(void)state;
	print_message("[ CASES    ] %d positive, %d negative\n", n_pos, n_neg);
	assert_true(n_neg > n_pos);
}

/*
 * The header cache (the last good header, by its encoded text): every
 * verdict must be the one a fresh parse gives, whatever came before, so
 * the cases alternate headers that differ by a byte, by alg, by kid, and
 * headers too long to keep.
 */
static void
test_header_cache(void **state)
{
	const char	*hs = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const char	*pay = "{\"sub\":\"a\",\"exp\":1300819380}";
	char		*good, *other, *none, *crit, *named, *unknown, *longkid,
			*longhdr, *bad64, *rs, hdr[512], pad[300];
	int		 i;

	(void)state;
	good = forge(hs, pay, K_A1);
	other = forge(hs, pay, K_HS_OTHER);	/* same header, other key */
	none = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", pay, S_EMPTY);
	crit = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"x\"]}", pay, K_A1);
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"x\":\"%s\"}", pad);
	longhdr = forge(hdr, pay, K_A1);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%.129s\"}", pad);
	longkid = forge(hdr, pay, K_A1);
	rs = forge("{\"alg\":\"RS256\"}", pay, K_A2);
	/* The good header's text with its first character not base64url. */
	bad64 = strdup(good);
	assert_non_null(bad64);
	bad64[0] = '*';
	assert_int_equal(jwt_key_set_kid(K[K_HS_OTHER], "k2"), 0);
	named = forge("{\"alg\":\"HS256\",\"kid\":\"k2\"}", pay, K_HS_OTHER);
	unknown = forge("{\"alg\":\"HS256\",\"kid\":\"zz\"}", pay, K_HS_OTHER);
	for (i = 0; i < 2; i++) {
		check_err(__LINE__, verify(good, B(K_A1)), JWT_OK);
		check_err(__LINE__, verify(good, B(K_A1)), JWT_OK);
		/* A hit still checks the signature, with the keys given now. */
		check_err(__LINE__, verify(other, B(K_A1)), JWT_ESIGNATURE);
		check_err(__LINE__, verify(good, B(K_HS_OTHER)), JWT_ESIGNATURE);
		check_err(__LINE__, verify(good, B(K_A2PUB)), JWT_EALG);
		check_err(__LINE__, verify(none, B(K_A1)), JWT_EALG);
		check_err(__LINE__, verify(good, B(K_A1)), JWT_OK);
		check_err(__LINE__, verify(crit, B(K_A1)), JWT_ECRIT);
		check_err(__LINE__, verify(crit, B(K_A1)), JWT_ECRIT);
		check_err(__LINE__, verify(bad64, B(K_A1)), JWT_EMALFORMED);
		check_err(__LINE__, verify(good, B(K_A1)), JWT_OK);
		/* Too long to keep: parsed each time, and the kid cap holds. */
		check_err(__LINE__, verify(longhdr, B(K_A1)), JWT_OK);
		check_err(__LINE__, verify(longhdr, B(K_A1)), JWT_OK);
		check_err(__LINE__, verify(longkid, B(K_A1)), JWT_EMALFORMED);
		/* The kid comes back from the cache as parsed. */
		check_err(__LINE__, verify(named, B(K_A1) | B(K_HS_OTHER)), JWT_OK);
		check_err(__LINE__, verify(named, B(K_A1) | B(K_HS_OTHER)), JWT_OK);
		/* No key is named zz: only those without a name are tried. */
		check_err(__LINE__, verify(unknown, B(K_A1) | B(K_HS_OTHER)),
		    JWT_ESIGNATURE);
		check_err(__LINE__, verify(unknown, B(K_HS_OTHER)), JWT_ESIGNATURE);
		check_err(__LINE__, verify(named, B(K_A1) | B(K_HS_OTHER)), JWT_OK);
		check_err(__LINE__, verify(rs, B(K_A2PUB) | B(K_A1)), JWT_OK);
		check_err(__LINE__, verify(rs, B(K_A1)), JWT_EALG);
		check_err(__LINE__, verify(good, B(K_A1) | B(K_A2PUB)), JWT_OK);
	}
	assert_int_equal(jwt_key_set_kid(K[K_HS_OTHER], ""), 0);
	free(unknown);
	free(named);
	free(bad64);
	free(rs);
	free(longkid);
	free(longhdr);
	free(crit);
	free(none);
	free(other);
	free(good);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rfc7515_a1),
		cmocka_unit_test(test_rfc7515_a2),
		cmocka_unit_test(test_rfc7515_a3),
		cmocka_unit_test(test_rfc8037_a4),
		cmocka_unit_test(test_rfc7520),
		cmocka_unit_test(test_rfc7638),
		cmocka_unit_test(test_pyjwt),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sign_errors),
		cmocka_unit_test(test_header_cache),
		cmocka_unit_test(test_balance),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
