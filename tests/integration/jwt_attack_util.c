/*
 * jwt_attack_util: the token builder of the JWT attack suite (see
 * jwt_attack_util.h).  The templates are expanded, the parts encoded as
 * the case says, the signing input signed by whom the case says
 * (accounts_util.c's au_jws_sign: OpenSSL HMAC, RSA, ECDSA), and then the
 * signature or the whole token is altered.
 */
#include "jwt_attack_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_util.h"

#define PAD_LEN		5200	/* {PAD}: a token of about 8 KB with the rest */
#define ES256_SIG	64
#define RS256_SIG	256

/* The order n of P-256 (SEC 2 §2.4.2). */
static const unsigned char p256_n[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* DER SEQUENCE { INTEGER 0, INTEGER 0 }. */
static const unsigned char zero_der[] = { 0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00 };

int
ja_applies(const struct ja_case *c, enum ja_fam f)
{
	return c->fams == 0 || (c->fams & (1u << f)) != 0;
}

/* A growing byte string. */
struct buf {
	char	*p;
	size_t	 n;
};

static void
buf_add(struct buf *b, const void *data, size_t len)
{
	b->p = realloc(b->p, b->n + len + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, data, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* (data, len) in base64url, or with std the standard alphabet; '=' padding when pad. */
static void
buf_b64(struct buf *b, const void *data, size_t len, int std, int pad)
{
	char *s = au_b64url(data, len);
	size_t n;

	assert_non_null(s);
	n = strlen(s);
	for (size_t i = 0; std && i < n; i++)
		s[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	buf_add(b, s, n);
	while (pad && n++ % 4 != 0)
		buf_str(b, "=");
	free(s);
}

/* A template expanded, with "\x01" turned into NUL bytes; *len bytes
 * (room for at least one more). */
static char *
expand(const char *tmpl, const char *const *vars, size_t *len)
{
	char *s = au_expand(tmpl, vars);

	*len = strlen(s);
	for (size_t i = 0; i < *len; i++)
		if (s[i] == '\x01')
			s[i] = '\0';
	return s;
}

/* The raw signature of (in, len) for the case's signer. */
static unsigned char *
sign(const struct ja_family *f, const struct ja_vars *v, enum ja_signer sg,
    const char *in, size_t len, size_t *siglen)
{
	struct au_signer s = { .digest = "SHA256" };
	unsigned char *out;
	size_t n;

	switch (sg) {
	case S_KEY:
		s = (struct au_signer){ .pkey = f->key };
		break;
	case S_ES:
		s = (struct au_signer){ .pkey = f->es };
		break;
	case S_PREV:
		s = (struct au_signer){ .pkey = f->prev };
		break;
	case S_FOREIGN:
		s = (struct au_signer){ .pkey = f->foreign };
		break;
	case S_NONE:
		s = (struct au_signer){ .digest = NULL };
		break;
	case S_SECRET:
		s.secret = v->secret;
		s.secret_len = strlen(v->secret);
		break;
	case S_PEM:
	case S_PEM_NONL:
	case S_PEM384:
	case S_PEM512:
		s.digest = sg == S_PEM384 ? "SHA384" : sg == S_PEM512 ? "SHA512" : "SHA256";
		s.secret = f->pem;
		s.secret_len = strlen(f->pem) - (sg == S_PEM_NONL);
		break;
	case S_DER:
		s.secret = f->der;
		s.secret_len = f->der_len;
		break;
	case S_KIDKEY:
		s.secret = f->kid;
		s.secret_len = strlen(f->kid);
		break;
	case S_EMPTY:
		s.secret = "";
		s.secret_len = 0;
		break;
	case S_WORD:
		s.secret = "key";
		s.secret_len = 3;
		break;
	case S_ZERO:
	case S_ORDER:
	case S_ZERO_DER:
		n = sg == S_ZERO_DER ? sizeof(zero_der) :
		    sg == S_ORDER || strcmp(f->alg, "ES256") == 0 ? ES256_SIG : RS256_SIG;
		out = calloc(1, n);
		assert_non_null(out);
		if (sg == S_ORDER) {
			memcpy(out, p256_n, 32);
			memcpy(out + 32, p256_n, 32);
		} else if (sg == S_ZERO_DER)
			memcpy(out, zero_der, n);
		*siglen = n;
		return out;
	case S__MAX:
		fail_msg("no signer");
	}
	out = au_jws_sign(&s, in, len, siglen);
	assert_non_null(out);
	return out;
}

/* The signature as text, with the case's alteration of it. */
static void
add_signature(struct buf *t, unsigned char *sig, size_t n, enum ja_mut m)
{
	size_t start = t->n;

	if (m == M_TRUNC_SIG && n > 0)
		n--;
	if (m == M_EXTEND_SIG) {
		sig = realloc(sig, n + 1);
		assert_non_null(sig);
		sig[n++] = 0;
	}
	buf_b64(t, sig, n, m == M_STD_SIG, m == M_PAD_SIG || m == M_STD_SIG);
	if (m == M_CHAR_SIG && t->n > start)
		t->p[--t->n] = '\0';
	if (m == M_BITS_SIG && n % 3 != 0) {
		/* the last character holds 2 or 4 unused bits: set the lowest */
		char *c = &t->p[t->n - 1];
		static const char al[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		*c = al[(strchr(al, *c) - al) | 1];
	}
	free(sig);
}

/* The finished token with the case's alteration of it. */
static char *
finish(struct buf *t, enum ja_mut m, size_t *len)
{
	struct buf o = { NULL, 0 };
	char *d1 = memchr(t->p, '.', t->n), *d2;

	assert_non_null(d1);
	d2 = memchr(d1 + 1, '.', t->n - (size_t)(d1 + 1 - t->p));
	switch (m) {
	case M_LEAD_DOT:
	case M_LEAD_SP:
		buf_str(&o, m == M_LEAD_DOT ? "." : " ");
		buf_add(&o, t->p, t->n);
		break;
	case M_SPACE_IN:
	case M_TAB_IN:
		buf_add(&o, t->p, (size_t)(d1 + 1 - t->p));
		buf_str(&o, m == M_SPACE_IN ? " " : "\t");
		buf_str(&o, d1 + 1);
		break;
	case M_DETACH:
		assert_non_null(d2);
		buf_add(&o, t->p, (size_t)(d1 + 1 - t->p));
		buf_str(&o, d2);
		break;
	default:
		buf_add(&o, t->p, t->n);
		buf_str(&o, m == M_DOT ? "." : m == M_DOTS ? ".." : m == M_EXTRA_PART ?
		    ".e30" : m == M_VT ? "\v" : m == M_FF ? "\f" : m == M_NBSP ?
		    "\xc2\xa0" : m == M_PCT ? "%20" : "");
		break;
	}
	free(t->p);
	*len = o.n;
	return o.p;
}

char *
ja_make(const struct ja_family *f, const struct ja_vars *v, const struct ja_case *c,
    size_t *len)
{
	char now[24], exp[24], fut[24], past[24], *pad, *hdr, *pay;
	const char *vars[48];
	struct buf t = { NULL, 0 };
	unsigned char *sig;
	size_t hl, pl, sl, n = 0;
	int64_t t0 = au_now();

#define VAR(k, val)	do { vars[n++] = (k); vars[n++] = (val); } while (0)
	snprintf(now, sizeof(now), "%lld", (long long)t0);
	snprintf(exp, sizeof(exp), "%lld", (long long)t0 + 600);
	snprintf(fut, sizeof(fut), "%lld", (long long)t0 + 3600);
	snprintf(past, sizeof(past), "%lld", (long long)t0 - 3600);
	pad = malloc(PAD_LEN + 1);
	assert_non_null(pad);
	memset(pad, 'x', PAD_LEN);
	pad[PAD_LEN] = '\0';
	VAR("ALG", f->alg);
	VAR("OALG", f->other_alg);
	VAR("KID", f->kid);
	VAR("ESKID", f->es_kid);
	VAR("PKID", f->prev_kid);
	VAR("FKID", f->foreign_kid);
	VAR("FJWK", f->foreign_jwk);
	VAR("ISS", f->iss);
	VAR("AUDV", f->audv);
	VAR("AUD", f->aud);
	VAR("SUB", v->sub);
	VAR("UNKNOWN", v->unknown);
	VAR("NOW", now);
	VAR("EXP", exp);
	VAR("FUT", fut);
	VAR("PAST", past);
	VAR("PAD", pad);
	vars[n] = NULL;
#undef VAR
	hdr = expand(c->hdr, vars, &hl);
	pay = expand(c->pay, vars, &pl);
	/* Padding needs a length that is no multiple of 3: a JSON blank more. */
	if (c->enc == E_PAD_HDR && hl % 3 == 0)
		hdr[hl++] = ' ';
	if (c->enc == E_PAD_PAY && pl % 3 == 0)
		pay[pl++] = ' ';
	buf_b64(&t, hdr, hl, c->enc == E_STD_HDR, c->enc == E_PAD_HDR || c->enc == E_STD_HDR);
	buf_str(&t, ".");
	if (c->enc == E_RAW_PAY)
		buf_add(&t, pay, pl);
	else
		buf_b64(&t, pay, pl, c->enc == E_STD_PAY,
		    c->enc == E_PAD_PAY || c->enc == E_STD_PAY);
	sig = sign(f, v, c->sg, t.p, t.n, &sl);
	buf_str(&t, ".");
	add_signature(&t, sig, sl, c->mut);
	free(hdr);
	free(pay);
	free(pad);
	return finish(&t, c->mut, len);
}
