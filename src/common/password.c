/*
 * password: hashing and checking passwords (see password.h).  New hashes
 * are Argon2id from libargon2 in the PHC string format that argon2-cffi,
 * and so pwdlib, writes.  Stored hashes are parsed here, strictly and with
 * caps on every cost, before libargon2 or libcrypt is given anything: the
 * users table is data, and a hostile row must not make a login allocate
 * gigabytes or run for hours.  Argon2id/Argon2i run through argon2_ctx()
 * on the parsed fields and are compared with CRYPTO_memcmp; bcrypt
 * ($2a$/$2b$/$2y$, what passlib wrote for FastAPI-Users <= 12) goes to
 * libcrypt's crypt_rn() and its whole output is compared with
 * CRYPTO_memcmp.  Nothing here logs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "password.h"

/* What password_hash writes (argon2-cffi / pwdlib defaults). */
#define A2_SALT_LEN	16
#define A2_HASH_LEN	32

/*
 * Caps on a stored Argon2 hash, checked before anything is allocated.
 * m <= 1 GiB, and m * t <= 4 GiB of block passes (21 times pwdlib's
 * default of 64 MiB * 3): the OWASP and RFC 9106 §4 second recommended
 * settings fit; RFC 9106's first (t=1, m=2 GiB) does not.  XXX a row with
 * such a hash reads as a wrong password; no writer of ours makes one.
 */
#define A2_M_MAX	1048576		/* KiB */
#define A2_T_MAX	64
#define A2_P_MAX	64
#define A2_WORK_MAX	4194304		/* m (KiB) * t */
#define A2_SALT_MIN	ARGON2_MIN_SALT_LENGTH	/* 8 */
#define A2_SALT_MAX	64
#define A2_HASH_MIN	ARGON2_MIN_OUTLEN	/* 4 */
#define A2_HASH_MAX	64

/* bcrypt: "$2b$" cost "$" 22 salt + 31 hash characters. */
#define BC_LEN		60
#define BC_COST_MIN	4
#define BC_COST_MAX	16	/* 2^16 rounds: ~16 times passlib's 12 */

struct a2hash {
	argon2_type	 type;
	uint32_t	 version;
	uint32_t	 m, t, p;
	uint8_t		 salt[A2_SALT_MAX];
	size_t		 saltlen;
	uint8_t		 hash[A2_HASH_MAX];
	size_t		 hashlen;
};

void
password_params_default(struct password_params *pp)
{
	pp->t_cost = 3;
	pp->m_cost_kib = 65536;
	pp->parallelism = 4;
}

/* Whether Argon2 costs are within libargon2's minimums and our caps. */
static int
a2_costs_ok(uint32_t m, uint32_t t, uint32_t p)
{
	if (t < 1 || t > A2_T_MAX || p < 1 || p > A2_P_MAX)
		return 0;
	if (m > A2_M_MAX || m < 2 * ARGON2_SYNC_POINTS * p)
		return 0;
	return (uint64_t)m * t <= A2_WORK_MAX;
}

/* Returns s past lit, or NULL if s is NULL or does not start with lit. */
static const char *
a2_lit(const char *s, const char *lit)
{
	size_t	 n;

	if (s == NULL)
		return NULL;
	n = strlen(lit);
	return strncmp(s, lit, n) == 0 ? s + n : NULL;
}

/*
 * Reads a decimal in [0, max] with no sign and no leading zero (libargon2
 * never writes one).  Returns s past the digits, or NULL.  Stops as soon
 * as the value passes max, so a long run of digits cannot overflow.
 */
static const char *
a2_num(const char *s, uint32_t max, uint32_t *out)
{
	const char	*p;
	uint64_t	 v = 0;

	if (s == NULL)
		return NULL;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return NULL;
	}
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	*out = (uint32_t)v;
	return p;
}

/*
 * One base64 character (RFC 4648 §4 alphabet) to its value, or -1,
 * without branching on it (the decoded bytes are a password hash).
 */
static int
b64_value(unsigned char c)
{
#define B64_IN(c, lo, hi)	((int)(((unsigned)(c) - (lo)) <= (unsigned)((hi) - (lo))))
	int	 v;

	v = -1;
	v += B64_IN(c, 'A', 'Z') * (c - 'A' + 1);
	v += B64_IN(c, 'a', 'z') * (c - 'a' + 27);
	v += B64_IN(c, '0', '9') * (c - '0' + 53);
	v += (c == '+') * 63;
	v += (c == '/') * 64;
	return v;
#undef B64_IN
}

/*
 * Decodes unpadded base64 from s up to the next '$' or the end into out
 * (at most max bytes; at least min are required).  Leftover bits must be
 * zero, as libargon2's decoder requires.  Returns s past the field, or NULL.
 */
static const char *
b64_field(const char *s, uint8_t *out, size_t min, size_t max, size_t *outlen)
{
	const char	*p;
	uint32_t	 acc = 0;
	unsigned	 bits = 0;
	size_t		 n = 0;
	int		 v;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0' && *p != '$'; p++) {
		if ((v = b64_value((unsigned char)*p)) < 0)
			return NULL;
		acc = (acc << 6) | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (n == max)
				return NULL;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 6 || (acc & ((1U << bits) - 1)) != 0 || n < min)
		return NULL;
	*outlen = n;
	return p;
}

/*
 * Parses "$argon2id$v=19$m=M,t=T,p=P$salt$hash" (or $argon2i$; "v=16",
 * or no "v=" at all, is Argon2 1.0) into h, costs capped.  Returns 0 or -1.
 */
static int
a2_parse(const char *s, struct a2hash *h)
{
	const char	*p, *v;

	if ((p = a2_lit(s, "$argon2id$")) != NULL)
		h->type = Argon2_id;
	else if ((p = a2_lit(s, "$argon2i$")) != NULL)
		h->type = Argon2_i;
	else
		return -1;
	h->version = ARGON2_VERSION_10;
	if ((v = a2_lit(p, "v=")) != NULL) {
		p = a2_lit(a2_num(v, ARGON2_VERSION_13, &h->version), "$");
		if (h->version != ARGON2_VERSION_10 &&
		    h->version != ARGON2_VERSION_13)
			return -1;
	}
	p = a2_num(a2_lit(p, "m="), A2_M_MAX, &h->m);
	p = a2_num(a2_lit(p, ",t="), A2_T_MAX, &h->t);
	p = a2_num(a2_lit(p, ",p="), A2_P_MAX, &h->p);
	p = b64_field(a2_lit(p, "$"), h->salt, A2_SALT_MIN, A2_SALT_MAX,
	    &h->saltlen);
	p = b64_field(a2_lit(p, "$"), h->hash, A2_HASH_MIN, A2_HASH_MAX,
	    &h->hashlen);
	if (p == NULL || *p != '\0')
		return -1;
	return a2_costs_ok(h->m, h->t, h->p) ? 0 : -1;
}

/*
 * Runs Argon2 on (pw, len) with h's type, version, costs and salt, and
 * compares with h's hash in constant time.  One thread per lane, as
 * argon2-cffi does.
 */
static enum password_result
a2_check(struct a2hash *h, const char *pw, size_t len)
{
	argon2_context		 ctx;
	uint8_t			 out[A2_HASH_MAX];
	enum password_result	 ret;
	int			 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.outlen = (uint32_t)h->hashlen;
	ctx.pwd = (uint8_t *)(uintptr_t)pw;	/* not written: no CLEAR flag */
	ctx.pwdlen = (uint32_t)len;
	ctx.salt = h->salt;
	ctx.saltlen = (uint32_t)h->saltlen;
	ctx.t_cost = h->t;
	ctx.m_cost = h->m;
	ctx.lanes = ctx.threads = h->p;
	ctx.version = h->version;
	ctx.flags = ARGON2_DEFAULT_FLAGS;
	rc = argon2_ctx(&ctx, h->type);
	if (rc == ARGON2_MEMORY_ALLOCATION_ERROR || rc == ARGON2_THREAD_FAIL)
		ret = PASSWORD_ERROR;	/* out of memory: the caller answers 500 */
	else if (rc != ARGON2_OK)
		ret = PASSWORD_MISMATCH;
	else if (CRYPTO_memcmp(out, h->hash, h->hashlen) == 0)
		ret = PASSWORD_OK;
	else
		ret = PASSWORD_MISMATCH;
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

/* argon2-cffi's check_needs_rehash: any difference from what we write. */
static int
a2_current(const struct a2hash *h, const struct password_params *pp)
{
	return h->type == Argon2_id && h->version == ARGON2_VERSION_13 &&
	    h->m == pp->m_cost_kib && h->t == pp->t_cost &&
	    h->p == pp->parallelism && h->saltlen == A2_SALT_LEN &&
	    h->hashlen == A2_HASH_LEN;
}

static enum password_result
a2_verify(const struct password_params *pp, const char *pw, size_t len,
    const char *hash)
{
	struct a2hash		 h;
	enum password_result	 ret = PASSWORD_MISMATCH;

	memset(&h, 0, sizeof(h));
	if (a2_parse(hash, &h) == 0) {
		ret = a2_check(&h, pw, len);
		if (ret == PASSWORD_OK && !a2_current(&h, pp))
			ret = PASSWORD_OK_REHASH;
	}
	OPENSSL_cleanse(&h, sizeof(h));
	return ret;
}

/*
 * Whether hash is a 60-character bcrypt string "$2[aby]$NN$" + 53
 * characters of bcrypt's alphabet, with cost NN in [BC_COST_MIN,
 * BC_COST_MAX].  $2$ and $2x$ (the pre-2011 crypt_blowfish bug) are not
 * accepted: passlib never wrote them.
 */
static int
bc_wellformed(const char *hash)
{
	static const char	 alpha[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	int			 cost;
	size_t			 i;

	/* strlen is BC_LEN, so hash[0 .. BC_LEN - 1] holds no NUL for strchr. */
	if (strlen(hash) != BC_LEN || strncmp(hash, "$2", 2) != 0 ||
	    strchr("aby", hash[2]) == NULL || hash[3] != '$' ||
	    hash[6] != '$')
		return 0;
	if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9')
		return 0;
	cost = (hash[4] - '0') * 10 + (hash[5] - '0');
	if (cost < BC_COST_MIN || cost > BC_COST_MAX)
		return 0;
	for (i = 7; i < BC_LEN; i++)
		if (strchr(alpha, hash[i]) == NULL)
			return 0;
	return 1;
}

/*
 * bcrypt through crypt_rn(), which takes a C string: a password with a
 * NUL byte cannot be what was hashed and is a mismatch (passlib refuses
 * such passwords too).  Like passlib, only the first 72 bytes count.
 * A match is always OK_REHASH: bcrypt is deprecated in favour of Argon2id,
 * as in pwdlib's PasswordHash((Argon2Hasher(), BcryptHasher())).
 */
static enum password_result
bc_verify(const char *pw, size_t len, const char *hash)
{
	struct crypt_data	*cd = NULL;
	char			*key = NULL;
	const char		*out;
	size_t			 hlen;
	enum password_result	 ret = PASSWORD_MISMATCH;

	if (!bc_wellformed(hash) || memchr(pw, '\0', len) != NULL)
		return PASSWORD_MISMATCH;
	hlen = strlen(hash);
	/* struct crypt_data is ~32 KiB: on the heap, zeroed as crypt_rn asks. */
	if ((key = malloc(len + 1)) == NULL ||
	    (cd = calloc(1, sizeof(*cd))) == NULL) {
		ret = PASSWORD_ERROR;
		goto out;
	}
	memcpy(key, pw, len);
	key[len] = '\0';
	errno = 0;
	if ((out = crypt_rn(key, hash, cd, (int)sizeof(*cd))) == NULL) {
		if (errno == ENOMEM)
			ret = PASSWORD_ERROR;
		goto out;
	}
	if (strlen(out) == hlen && CRYPTO_memcmp(out, hash, hlen) == 0)
		ret = PASSWORD_OK_REHASH;
out:
	if (cd != NULL) {
		OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
	}
	if (key != NULL) {
		OPENSSL_cleanse(key, len + 1);
		free(key);
	}
	return ret;
}

/*
 * A NULL params means the defaults.  Unreadable, unknown or over-cost
 * hashes are PASSWORD_MISMATCH, as is a password over PASSWORD_MAX_BYTES.
 */
enum password_result
password_verify(const struct password_params *params, const char *pw,
    size_t len, const char *hash)
{
	struct password_params	 def;

	if (params == NULL) {
		password_params_default(&def);
		params = &def;
	}
	if ((pw == NULL && len != 0) || len > PASSWORD_MAX_BYTES ||
	    hash == NULL)
		return PASSWORD_MISMATCH;
	if (pw == NULL)
		pw = "";
	if (strnlen(hash, PASSWORD_HASH_MAX + 1) > PASSWORD_HASH_MAX)
		return PASSWORD_MISMATCH;
	if (strncmp(hash, "$argon2", 7) == 0)
		return a2_verify(params, pw, len, hash);
	if (strncmp(hash, "$2", 2) == 0)
		return bc_verify(pw, len, hash);
	return PASSWORD_MISMATCH;
}

int
password_hash_usable(const char *hash)
{
	struct a2hash	 h;
	int		 ok;

	if (hash == NULL || strnlen(hash, PASSWORD_HASH_MAX + 1) > PASSWORD_HASH_MAX)
		return 0;
	if (strncmp(hash, "$2", 2) == 0)
		return bc_wellformed(hash);
	memset(&h, 0, sizeof(h));
	ok = strncmp(hash, "$argon2", 7) == 0 && a2_parse(hash, &h) == 0;
	OPENSSL_cleanse(&h, sizeof(h));
	return ok;
}

/*
 * Writes a fresh Argon2id hash of (pw, len) into out: 16 random bytes of
 * salt (RAND_bytes), 32 bytes of hash, "$argon2id$v=19$m=..,t=..,p=..$.$."
 * with unpadded base64, as argon2-cffi does.  Returns 0, or -1 with out
 * empty: bad arguments, costs past the caps verify enforces (such a hash
 * could never be checked), out too small, no randomness, out of memory.
 */
int
password_hash(const struct password_params *params, const char *pw,
    size_t len, char *out, size_t outlen)
{
	uint8_t		 salt[A2_SALT_LEN];
	int		 rc;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (params == NULL || (pw == NULL && len != 0) ||
	    len > PASSWORD_MAX_BYTES)
		return -1;
	if (!a2_costs_ok(params->m_cost_kib, params->t_cost,
	    params->parallelism))
		return -1;
	if (outlen < argon2_encodedlen(params->t_cost, params->m_cost_kib,
	    params->parallelism, A2_SALT_LEN, A2_HASH_LEN, Argon2_id))
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	rc = argon2id_hash_encoded(params->t_cost, params->m_cost_kib,
	    params->parallelism, pw == NULL ? "" : pw, len, salt, sizeof(salt),
	    A2_HASH_LEN, out, outlen);
	OPENSSL_cleanse(salt, sizeof(salt));
	if (rc != ARGON2_OK) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Verifies (pw, len) against an Argon2id hash with the current costs, a
 * zero salt and a zero hash, through password_verify itself, so an unknown
 * account costs what a known one with a current hash does (a password
 * over PASSWORD_MAX_BYTES returns at once in both).  XXX an account whose
 * stored hash is still bcrypt-12 costs bcrypt's time instead, which may
 * differ from this one's; rehash on login removes such rows over time.
 */
void
password_dummy_verify(const struct password_params *params, const char *pw,
    size_t len)
{
	struct password_params	 def;
	char			 dummy[160];
	int			 n;

	if (params == NULL) {
		password_params_default(&def);
		params = &def;
	}
	n = snprintf(dummy, sizeof(dummy), "$argon2id$v=19$m=%" PRIu32
	    ",t=%" PRIu32 ",p=%" PRIu32 "$%s$%s", params->m_cost_kib,
	    params->t_cost, params->parallelism,
	    "AAAAAAAAAAAAAAAAAAAAAA",			/* 16 bytes */
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");	/* 32 bytes */
	if (n < 0 || (size_t)n >= sizeof(dummy))
		return;
	(void)password_verify(params, pw, len, dummy);
}
