/*
 * jwt_attack_util: how test_jwt_attacks.c makes its tokens.  A token is
 * described by a case (a header and a payload template, who signs, how
 * the parts are encoded, what is done to the result) and made for one
 * "family": the access tokens of /users/me (RS256 with the server's
 * current key, aud ["fastapi-users:auth"]) or the MCP tokens of
 * /mcp-server/mcp (ES256 with the MCP key, iss, aud "mcp-server", scope).
 * Every token is built here with OpenSSL (accounts_util.c's au_jws*),
 * never with the programs' jwt module.
 */
#ifndef FCGI_USERS_JWT_ATTACK_UTIL_H
#define FCGI_USERS_JWT_ATTACK_UTIL_H

#include <stddef.h>

struct evp_pkey_st;

enum ja_fam { JA_ACCESS, JA_MCP, JA__MAX };

/* Who signs the signing input. */
enum ja_signer {
	S_KEY,		/* the family's own key, with its algorithm */
	S_ES,		/* an ES256 key the family accepts (access: a previous key) */
	S_PREV,		/* access: the previous RSA key; mcp: its own key */
	S_NONE,		/* no signature at all */
	S_SECRET,	/* HS256 with the deployment's JWT_SECRET */
	S_PEM,		/* HS256 keyed with the public key's PEM text (key confusion) */
	S_PEM_NONL,	/* the same without the PEM's final newline */
	S_PEM384,	/* HS384 keyed with the PEM */
	S_PEM512,	/* HS512 keyed with the PEM */
	S_DER,		/* HS256 keyed with the public key's DER (SPKI) */
	S_KIDKEY,	/* HS256 keyed with the kid string */
	S_EMPTY,	/* HS256 with an empty key (kid → /dev/null) */
	S_WORD,		/* HS256 keyed "key" (what an injected SELECT would return) */
	S_FOREIGN,	/* a key of the family's type that the server does not know */
	S_ZERO,		/* zero bytes as long as the family's signatures */
	S_ORDER,	/* ES256 r = s = n, the order of P-256 */
	S_ZERO_DER,	/* ES256 r = s = 0 as a DER ECDSA-Sig-Value */
	S__MAX
};

/* How the header and payload are encoded. */
enum ja_enc {
	E_URL,		/* unpadded base64url, as RFC 7515 wants */
	E_PAD_HDR,	/* the header with '=' padding */
	E_PAD_PAY,	/* the payload with '=' padding */
	E_STD_HDR,	/* the header in standard base64 ('+' '/' and padding) */
	E_STD_PAY,	/* the payload in standard base64 */
	E_RAW_PAY,	/* the payload not encoded (RFC 7797 b64:false) */
	E__MAX
};

/* What is done to the signature or the finished token. */
enum ja_mut {
	M_NONE,
	M_TRUNC_SIG,	/* the signature one byte short */
	M_EXTEND_SIG,	/* one zero byte more */
	M_CHAR_SIG,	/* its base64url text one character short */
	M_PAD_SIG,	/* '=' padding on the signature */
	M_STD_SIG,	/* the signature in '+' '/' */
	M_BITS_SIG,	/* non-zero unused bits in its last character */
	M_DOT,		/* "tok." */
	M_DOTS,		/* "tok.." */
	M_LEAD_DOT,	/* ".tok" */
	M_EXTRA_PART,	/* "tok.e30" */
	M_DETACH,	/* "hdr..sig": the payload left out */
	M_SPACE_IN,	/* a space after the first dot */
	M_TAB_IN,	/* a tab after the first dot */
	M_LEAD_SP,	/* " tok" ("Bearer  tok") */
	M_VT,		/* "tok\v" */
	M_FF,		/* "tok\f" */
	M_NBSP,		/* "tok" U+00A0 */
	M_PCT,		/* "tok%20" */
	M__MAX
};

struct ja_case {
	int		 line;
	const char	*hdr;		/* templates (see ja_make); "\x01" is a NUL byte */
	const char	*pay;
	enum ja_signer	 sg;
	enum ja_enc	 enc;
	enum ja_mut	 mut;
	unsigned	 fams;		/* bit mask of families; 0: both */
};

/* A family: its keys and the claims its tokens carry. */
struct ja_family {
	const char		*name;		/* "access", "mcp" */
	const char		*alg;		/* "RS256", "ES256" */
	const char		*other_alg;	/* the other one */
	struct evp_pkey_st	*key, *es, *prev, *foreign;
	char			*kid, *es_kid, *prev_kid, *foreign_kid, *foreign_jwk;
	char			*pem;		/* key's public PEM */
	unsigned char		*der;		/* and DER */
	size_t			 der_len;
	const char		*iss;		/* claims after sub: "" or ",\"iss\":…,\"scope\":…" */
	const char		*aud;		/* aud as JSON */
	const char		*audv;		/* the audience string */
};

/* What a template may name besides the family's: {SUB} {UNKNOWN} {SECRET}. */
struct ja_vars {
	const char	*sub;		/* the user the tokens speak for */
	const char	*unknown;	/* a UUID no user has */
	const char	*secret;	/* the deployment's JWT_SECRET */
};

/*
 * The token of case c for family f, *len bytes (it may hold any byte but
 * NUL); caller frees.  Placeholders: {ALG} {OALG} {KID} {ESKID} {PKID}
 * {FKID} {FJWK} {ISS} {AUD} {AUDV} {SUB} {UNKNOWN} {NOW} {EXP} (now + 600)
 * {FUT} (now + 3600) {PAST} (now - 3600) {PAD} (5200 bytes of 'x').
 * Fails the cmocka test when OpenSSL fails.
 */
char	*ja_make(const struct ja_family *f, const struct ja_vars *v,
	    const struct ja_case *c, size_t *len);
/* Whether case c applies to family f. */
int	 ja_applies(const struct ja_case *c, enum ja_fam f);

#endif
