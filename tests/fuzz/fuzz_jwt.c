/*
 * fuzz_jwt: the JWT parser and verifier (src/common/jwt.c) and the token
 * readers on top of it (tokens.c tokens_verify, tokens_mcp.c
 * mcp_tokens_verify), with fixed keys: HS256 (RFC 7515 A.1), RS256 and
 * ES256 (RFC 7515 A.2 and A.3) and EdDSA (RFC 8037 A.1) from
 * tests/vectors/jwt, at a fixed "now".  The first byte picks a mode:
 *
 *   0  the rest is a compact token, verified as it is against every key
 *      (with and without aud/iss), and by tokens_verify and
 *      mcp_tokens_verify; each part that decodes re-encodes to itself.
 *   1  header NUL payload: both are base64url-encoded and signed HS256,
 *      so the fuzzer reaches the header checks and the claims.  A
 *      signature failure is only allowed when the header does not name
 *      HS256 (or is not one object).
 *   2  header NUL payload NUL signature: the raw signature bytes against
 *      RS256, ES256 and EdDSA (range checks, DER conversion, lengths).
 *   3  the rest is a JSON object: signed with each key's jwt_sign, it
 *      must verify (or fail on a claim), and the claims come back equal.
 *
 * On success the claims must hold an integer exp in the future; the
 * token readers must give a canonical user id.  Violations abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "jwt.h"
#include "tokens.h"

#define NOW		INT64_C(1300819000)	/* RFC 7515's exp is 1300819380 */
#define VEC		FU_SOURCE_DIR "/tests/vectors/jwt/"
#define PEM_MAX		16384
/* RFC 7515 A.1's HMAC key: its token (tests/vectors/jwt) verifies at NOW. */
#define HS_KEY		"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0i" \
			"PS4hcgUuTwjAzZr1Z9CAow"

enum { K_HS, K_RS, K_ES, K_ED, K__MAX };

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct jwt_key	*keys[K__MAX];
static struct tokens	 tk;
static struct mcp_tokens mt;

static struct jwt_key *
load(enum jwt_alg alg, const char *file)
{
	char		 buf[PEM_MAX];
	FILE		*f;
	size_t		 n;
	struct jwt_key	*k;

	if ((f = fopen(file, "r")) == NULL)
		abort();
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if ((k = jwt_key_pem(alg, buf, n)) == NULL)
		abort();
	return k;
}

static void
init(void)
{
	unsigned char	*secret;
	size_t		 len;

	if (keys[K_HS] != NULL)
		return;
	if (jwt_b64url_decode(HS_KEY, strlen(HS_KEY), &secret, &len) != 0)
		abort();
	keys[K_HS] = jwt_key_hmac(JWT_HS256, secret, len);
	free(secret);
	keys[K_RS] = load(JWT_RS256, VEC "rfc7515_a2_rsa.pem");
	keys[K_ES] = load(JWT_ES256, VEC "rfc7515_a3_p256.pem");
	keys[K_ED] = load(JWT_EDDSA, VEC "rfc8037_a1_ed25519.pem");
	if (keys[K_HS] == NULL)
		abort();
	/* the readers borrow the keys: never freed, the process owns them */
	memcpy(tk.verify, keys, sizeof(keys));
	tk.n_verify = K__MAX;
	tk.leeway = 10;
	tk.audience = TOKENS_DEFAULT_AUDIENCE;
	memcpy(mt.verify, keys, sizeof(keys));
	mt.n_verify = K__MAX;
	mt.leeway = 10;
	mt.issuer = "personal-server";
	mt.audience = "mcp-server";
	mt.resource = (char *)"https://mcp.example.com/mcp-server/mcp";
}

/* Whether s is a canonical lower-case hyphenated UUID. */
static int
uuid_ok(const char *s)
{
	size_t	 i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' :
		    strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* What a verified payload must be: an object with an unexpired integer exp. */
static void
check_claims(struct json_object *c, int64_t leeway)
{
	struct json_object	*exp;

	if (!json_object_is_type(c, json_type_object) ||
	    !json_object_object_get_ex(c, "exp", &exp) ||
	    !json_object_is_type(exp, json_type_int) ||
	    json_object_get_int64(exp) + leeway <= NOW)
		abort();
}

static enum jwt_err
verify(const char *tok, size_t len, size_t nkeys, const char *aud, const char *iss)
{
	struct jwt_verify_opts	 o;
	struct json_object	*c = NULL;
	enum jwt_err		 e;

	memset(&o, 0, sizeof(o));
	o.keys = (const struct jwt_key *const *)keys;
	o.n_keys = nkeys;
	o.now = NOW;
	o.leeway = 10;
	o.audience = aud;
	o.issuer = iss;
	e = jwt_verify(tok, len, &o, &c);
	if ((unsigned)e >= JWT__MAX || jwt_strerror(e) == NULL)
		abort();
	if ((e == JWT_OK) != (c != NULL))
		abort();
	if (e == JWT_OK)
		check_claims(c, o.leeway);
	json_object_put(c);
	return e;
}

/* The token readers: a canonical sub whenever they accept. */
static void
readers(const char *tok, size_t len)
{
	struct access_claims	 ac;
	struct mcp_claims	 mc;

	if (tokens_verify(&tk, tok, len, NOW, &ac) == TOKENS_OK &&
	    (!uuid_ok(ac.sub) || ac.jti[0] == '\0' || strlen(ac.jti) >= sizeof(ac.jti) ||
	    ac.exp + tk.leeway <= NOW || ac.gen < 0))
		abort();
	if (mcp_tokens_verify(&mt, tok, len, NOW, &mc) == TOKENS_OK &&
	    (!uuid_ok(mc.sub) || mc.exp + mt.leeway <= NOW))
		abort();
}

/* Each dot-separated part that decodes re-encodes to exactly itself. */
static void
roundtrip_parts(const char *s, size_t len)
{
	unsigned char	*raw;
	char		*back;
	size_t		 start = 0, i, rl, bl;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (jwt_b64url_decode(s + start, i - start, &raw, &rl) == 0) {
			back = jwt_b64url_encode(raw, rl, &bl);
			if (back == NULL || bl != i - start || memcmp(back, s + start, bl) != 0)
				abort();
			free(back);
			free(raw);
		}
		start = i + 1;
	}
}

/* b64(a).b64(b) into a fresh string. */
static char *
signing_input(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t *len)
{
	char	*ha = jwt_b64url_encode(a, al, NULL), *hb = jwt_b64url_encode(b, bl, NULL);
	char	*s = NULL;

	if (ha != NULL && hb != NULL && asprintf(&s, "%s.%s", ha, hb) < 0)
		s = NULL;
	free(ha);
	free(hb);
	if (s == NULL)
		abort();
	*len = strlen(s);
	return s;
}

/* in "." b64(sig) into a fresh string. */
static char *
join(const char *in, const unsigned char *sig, size_t siglen, size_t *len)
{
	char	*s64 = jwt_b64url_encode(sig, siglen, NULL), *s = NULL;

	if (s64 == NULL || asprintf(&s, "%s.%s", in, s64) < 0)
		abort();
	free(s64);
	*len = strlen(s);
	return s;
}

/* Whether the header text is one JSON object whose alg is exactly "HS256". */
static int
names_hs256(const uint8_t *h, size_t hl)
{
	struct json_object	*o = NULL, *a;
	const char		*msg;
	size_t			 pos;
	int			 yes;

	if (json_parse((const char *)h, hl, &o, &pos, &msg) != JSON_OK)
		return 0;
	yes = json_object_object_get_ex(o, "alg", &a) &&
	    json_object_is_type(a, json_type_string) &&
	    json_object_get_string_len(a) == 5 &&
	    strcmp(json_object_get_string(a), "HS256") == 0;
	json_object_put(o);
	return yes;
}

static void
mode_hs256(const uint8_t *d, size_t n)
{
	const uint8_t	*nul = memchr(d, '\0', n);
	unsigned char	*sig;
	char		*in, *tok;
	size_t		 hl = nul ? (size_t)(nul - d) : n, il, siglen, tl;
	enum jwt_err	 e;

	in = signing_input(d, hl, nul ? nul + 1 : d + n, nul ? n - hl - 1 : 0, &il);
	if (jwt_sign_raw(keys[K_HS], in, il, &sig, &siglen) != JWT_OK)
		abort();
	tok = join(in, sig, siglen, &tl);
	e = verify(tok, tl, K__MAX, NULL, NULL);
	if (tl <= JWT_MAX_TOKEN && e == JWT_ESIGNATURE && names_hs256(d, hl))
		abort();
	(void)verify(tok, tl, K__MAX, TOKENS_DEFAULT_AUDIENCE, "joe");
	readers(tok, tl);
	free(tok);
	free(sig);
	free(in);
}

static void
mode_raw_sig(const uint8_t *d, size_t n)
{
	const uint8_t	*n1 = memchr(d, '\0', n), *n2;
	char		*in, *tok;
	size_t		 il, tl;

	if (n1 == NULL || (n2 = memchr(n1 + 1, '\0', n - (size_t)(n1 + 1 - d))) == NULL)
		return;
	in = signing_input(d, (size_t)(n1 - d), n1 + 1, (size_t)(n2 - n1 - 1), &il);
	tok = join(in, n2 + 1, n - (size_t)(n2 + 1 - d), &tl);
	(void)verify(tok, tl, K__MAX, NULL, NULL);
	free(tok);
	free(in);
}

static void
mode_sign(const uint8_t *d, size_t n)
{
	static const int signers[] = { K_HS, K_ES, K_ED };	/* RS256 signs too slowly */
	struct jwt_verify_opts	 o;
	struct json_object	*p = NULL, *c;
	const char		*msg;
	char			*tok;
	size_t			 pos, i;
	enum jwt_err		 e;

	if (json_parse((const char *)d, n, &p, &pos, &msg) != JSON_OK ||
	    !json_object_is_type(p, json_type_object)) {
		json_object_put(p);
		return;
	}
	for (i = 0; i < sizeof(signers) / sizeof(signers[0]); i++) {
		if ((e = jwt_sign(keys[signers[i]], p, &tok)) != JWT_OK) {
			if (e != JWT_ETOOLONG || tok != NULL)
				abort();
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.keys = (const struct jwt_key *const *)&keys[signers[i]];
		o.n_keys = 1;
		o.now = NOW;
		c = NULL;
		e = jwt_verify(tok, strlen(tok), &o, &c);
		/* what we sign, we read back: only a claim may fail */
		if (e != JWT_OK && e != JWT_ENOEXP && e != JWT_EEXPIRED &&
		    e != JWT_EIMMATURE && e != JWT_ECLAIM)
			abort();
		if (e == JWT_OK && !json_object_equal(c, p))
			abort();
		json_object_put(c);
		free(tok);
	}
	json_object_put(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size == 0)
		return 0;
	switch (data[0] & 3) {
	case 0:
		(void)verify((const char *)data + 1, size - 1, K__MAX, NULL, NULL);
		(void)verify((const char *)data + 1, size - 1, 1, TOKENS_DEFAULT_AUDIENCE,
		    "joe");
		readers((const char *)data + 1, size - 1);
		roundtrip_parts((const char *)data + 1, size - 1);
		break;
	case 1:
		mode_hs256(data + 1, size - 1);
		break;
	case 2:
		mode_raw_sig(data + 1, size - 1);
		break;
	case 3:
		mode_sign(data + 1, size - 1);
		break;
	}
	return 0;
}
