/*
 * test_password: src/common/password.c against hashes written by
 * argon2-cffi (pwdlib's backend) and passlib bcrypt (tests/vectors/password,
 * see its README): each verifies with the right result, and wrong
 * passwords, tampered, truncated, malformed, over-cost, oversized and
 * foreign-scheme hashes are mismatches.  Then hashing: format, round trip,
 * fresh salts, limits.  Most cases use low costs (t=1, m=1 MiB, p=1) so the
 * program stays quick under valgrind; the cost of a verification is set by
 * the stored hash, so only argon2id_pwdlib, bcrypt_2b_12 and
 * test_hash_default pay the real price.  Table cases carry their own line.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "password.h"

#define VEC_DIR		FU_SOURCE_DIR "/tests/vectors/password/"
#define PW		"correct horse battery staple"
#define QUICK_SEC	1.0	/* a refused hash must not run Argon2 */

#define check_int(a, b, line) \
	_assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), \
	    __FILE__, (line))

enum { P_LOW, P_DEF };

struct vec {
	char	 pw[256];
	size_t	 pwlen;
	char	 hash[PASSWORD_HASH_MAX + 1];
};

static const struct password_params low = { 1, 1024, 1 };

static const struct password_params *
params_of(int which)
{
	static struct password_params	 def;

	password_params_default(&def);
	return which == P_DEF ? &def : &low;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies the rest of line after key into dst (at most max - 1 bytes). */
static int
take(const char *line, const char *key, char *dst, size_t max, size_t *len)
{
	size_t	 kl = strlen(key), n;

	if (strncmp(line, key, kl) != 0)
		return 0;
	n = strcspn(line + kl, "\n");
	if (n >= max)
		return -1;
	memcpy(dst, line + kl, n);
	dst[n] = '\0';
	if (len != NULL)
		*len = n;
	return 1;
}

static void
vec_load(const char *name, struct vec *v, int line)
{
	char	 path[512], buf[1024];
	FILE	*f;
	int	 got = 0;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), VEC_DIR "%s.txt", name);
	if ((f = fopen(path, "r")) == NULL) {
		print_error("cannot open %s\n", path);
		_fail(__FILE__, line);
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (take(buf, "password=", v->pw, sizeof(v->pw), &v->pwlen) == 1)
			got |= 1;
		else if (take(buf, "hash=", v->hash, sizeof(v->hash), NULL) == 1)
			got |= 2;
	}
	fclose(f);
	if (got != 3) {
		print_error("%s: no password= or hash= line\n", path);
		_fail(__FILE__, line);
	}
}

/* Fixtures: right password, then wrong ones, all mismatches. */
static const struct {
	const char		*name;
	int			 params;
	enum password_result	 expect;
	int			 slow;		/* real costs: one wrong password */
	int			 trunc72;	/* bcrypt ignores bytes past 72 */
	int			 line;
} vectors[] = {
	{ "argon2id_pwdlib", P_DEF, PASSWORD_OK, 1, 0, __LINE__ },
	{ "argon2id_low", P_LOW, PASSWORD_OK, 0, 0, __LINE__ },
	{ "argon2id_low", P_DEF, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "argon2id_low_utf8", P_LOW, PASSWORD_OK, 0, 0, __LINE__ },
	{ "argon2i_low", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "argon2id_t2_low", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "argon2id_hashlen16_low", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "argon2id_saltlen8_low", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "argon2id_v16_low", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2b_12", P_DEF, PASSWORD_OK_REHASH, 1, 0, __LINE__ },
	{ "bcrypt_2b_4", P_DEF, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2b_4", P_LOW, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2a_4", P_DEF, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2y_4", P_DEF, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2a_4_utf8", P_DEF, PASSWORD_OK_REHASH, 0, 0, __LINE__ },
	{ "bcrypt_2b_4_long", P_DEF, PASSWORD_OK_REHASH, 0, 1, __LINE__ },
	/* Valid hashes of the password in schemes we do not accept. */
	{ "refused_argon2d_low", P_LOW, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_scrypt", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_pbkdf2_sha256", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_sha512_crypt", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_sha256_crypt", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_md5_crypt", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
	{ "refused_des_crypt", P_DEF, PASSWORD_MISMATCH, 0, 0, __LINE__ },
};

static void
test_vectors(void **state)
{
	struct vec	 v;
	char		 wrong[300];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct password_params *pp = params_of(vectors[i].params);
		int line = vectors[i].line;

		vec_load(vectors[i].name, &v, line);
		check_int(password_verify(pp, v.pw, v.pwlen, v.hash),
		    vectors[i].expect, line);
		/* What the importer keeps quietly: exactly what can verify. */
		check_int(password_hash_usable(v.hash),
		    vectors[i].expect != PASSWORD_MISMATCH, line);
		/* First byte changed. */
		memcpy(wrong, v.pw, v.pwlen);
		wrong[0] ^= 0x01;
		check_int(password_verify(pp, wrong, v.pwlen, v.hash),
		    PASSWORD_MISMATCH, line);
		if (vectors[i].slow || vectors[i].expect == PASSWORD_MISMATCH)
			continue;
		check_int(password_verify(pp, "", 0, v.hash),
		    PASSWORD_MISMATCH, line);
		if (vectors[i].trunc72)
			continue;	/* see test_bcrypt_72 */
		/* Last byte dropped; one byte appended; last byte changed. */
		check_int(password_verify(pp, v.pw, v.pwlen - 1, v.hash),
		    PASSWORD_MISMATCH, line);
		memcpy(wrong, v.pw, v.pwlen);
		wrong[v.pwlen] = 'x';
		check_int(password_verify(pp, wrong, v.pwlen + 1, v.hash),
		    PASSWORD_MISMATCH, line);
		memcpy(wrong, v.pw, v.pwlen);
		wrong[v.pwlen - 1] ^= 0x20;
		check_int(password_verify(pp, wrong, v.pwlen, v.hash),
		    PASSWORD_MISMATCH, line);
	}
}

/* A right password with a hash differing from params in one cost. */
static void
test_rehash_fields(void **state)
{
	static const struct {
		struct password_params	 pp;
		enum password_result	 expect;
		int			 line;
	} cases[] = {
		{ { 1, 1024, 1 }, PASSWORD_OK, __LINE__ },
		{ { 2, 1024, 1 }, PASSWORD_OK_REHASH, __LINE__ },
		{ { 1, 2048, 1 }, PASSWORD_OK_REHASH, __LINE__ },
		{ { 1, 1024, 2 }, PASSWORD_OK_REHASH, __LINE__ },
		{ { 3, 65536, 4 }, PASSWORD_OK_REHASH, __LINE__ },
	};
	struct vec	 v;
	size_t		 i;

	(void)state;
	vec_load("argon2id_low", &v, __LINE__);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_int(password_verify(&cases[i].pp, v.pw, v.pwlen, v.hash),
		    cases[i].expect, cases[i].line);
	/* NULL params: pwdlib's defaults. */
	check_int(password_verify(NULL, v.pw, v.pwlen, v.hash),
	    PASSWORD_OK_REHASH, __LINE__);
}

/* passlib truncates bcrypt passwords to 72 bytes; so do we. */
static void
test_bcrypt_72(void **state)
{
	struct vec	 v;
	char		 pw[128];

	(void)state;
	vec_load("bcrypt_2b_4_long", &v, __LINE__);
	assert_int_equal(v.pwlen, 80);
	memcpy(pw, v.pw, 72);
	memcpy(pw + 72, "tail-ignored", 12);
	assert_int_equal(password_verify(&low, pw, 84, v.hash),
	    PASSWORD_OK_REHASH);
	assert_int_equal(password_verify(&low, pw, 72, v.hash),
	    PASSWORD_OK_REHASH);
	assert_int_equal(password_verify(&low, pw, 71, v.hash),
	    PASSWORD_MISMATCH);
	pw[71] ^= 0x01;
	assert_int_equal(password_verify(&low, pw, 84, v.hash),
	    PASSWORD_MISMATCH);
}

/* Changes hash[pos] to the next character of the same alphabet. */
static void
bump(char *hash, size_t pos)
{
	hash[pos] = hash[pos] == 'A' ? 'B' : 'A';
}

/* Position of the n-th '$' in s (0-based n). */
static size_t
dollar(const char *s, int n)
{
	const char	*p = s;

	for (;;) {
		p = strchr(p, '$');
		assert_non_null(p);
		if (n-- == 0)
			return (size_t)(p - s);
		p++;
	}
}

/* Kinds of damage done to a good hash string. */
enum damage {
	D_CUT,		/* keep arg bytes (negative: drop -arg) */
	D_BUMP,		/* change the byte at arg (negative: from the end) */
	D_SET,		/* set the byte at arg to the character chr */
	D_APPEND,	/* append str */
	D_PREPEND,	/* prepend str */
	D_SPLICE,	/* replace bytes [arg, arg + strlen(str)) by str */
	D_STRAY,	/* set the lowest bit of the base64 character at arg */
};

static void
damage(char *h, enum damage d, long arg, const char *str)
{
	size_t	 len = strlen(h);
	size_t	 at = arg < 0 ? len - (size_t)-arg : (size_t)arg;
	char	 tmp[PASSWORD_HASH_MAX + 64];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";

	switch (d) {
	case D_CUT:
		h[at] = '\0';
		break;
	case D_BUMP:
		bump(h, at);
		break;
	case D_SET:
		h[at] = str[0];
		break;
	case D_APPEND:
		strcat(h, str);
		break;
	case D_PREPEND:
		snprintf(tmp, sizeof(tmp), "%s%s", str, h);
		strcpy(h, tmp);
		break;
	case D_SPLICE:
		memcpy(h + at, str, strlen(str));
		break;
	case D_STRAY:
		h[at] = b64[(strchr(b64, h[at]) - b64) | 1];
		break;
	}
}

/*
 * Tampered and truncated copies of argon2id_low and bcrypt_2b_4, checked
 * with the right password.  Argon2 fields: "$argon2id$v=19$m=1024,t=1,p=1$"
 * salt (22) "$" hash (43); bcrypt: "$2b$04$" salt (22) hash (31).
 */
static void
test_tampered(void **state)
{
	static const struct {
		const char		*vec;
		enum damage		 d;
		long			 arg;
		const char		*str;
		enum password_result	 expect;
		int			 line;
	} cases[] = {
		{ "argon2id_low", D_CUT, -1, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, -2, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, -43, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, -44, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, -60, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, 31, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_CUT, 10, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_BUMP, 31, NULL, PASSWORD_MISMATCH, __LINE__ },	/* salt */
		{ "argon2id_low", D_BUMP, -43, NULL, PASSWORD_MISMATCH, __LINE__ },	/* hash */
		{ "argon2id_low", D_BUMP, -10, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SET, 35, "*", PASSWORD_MISMATCH, __LINE__ },
		/* Same bytes, but non-zero unused bits: not canonical. */
		{ "argon2id_low", D_STRAY, -1, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_STRAY, -45, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SET, -5, "-", PASSWORD_MISMATCH, __LINE__ },	/* base64url */
		{ "argon2id_low", D_SET, -5, "_", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SET, -5, " ", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SET, -5, "\x80", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_APPEND, 0, "=", PASSWORD_MISMATCH, __LINE__ },	/* padding */
		{ "argon2id_low", D_APPEND, 0, "A", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_APPEND, 0, "$", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_APPEND, 0, "$AAAA", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_APPEND, 0, "\n", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_PREPEND, 0, " ", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 0, "$argon2d$", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 0, "$ARGON2ID$", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 0, "$argon2ix$", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 10, "v=16", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 10, "v=13", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 10, "V=19", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 15, "M", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 15, "m:", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 17, "2048", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 24, "2", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 24, "0", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 28, "2", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 21, ";", PASSWORD_MISMATCH, __LINE__ },
		{ "argon2id_low", D_SPLICE, 29, "#", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_CUT, -1, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_CUT, -31, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_CUT, 29, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_CUT, 7, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_CUT, 4, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_BUMP, 7, NULL, PASSWORD_MISMATCH, __LINE__ },	/* salt */
		{ "bcrypt_2b_4", D_BUMP, 29, NULL, PASSWORD_MISMATCH, __LINE__ },	/* hash */
		{ "bcrypt_2b_4", D_BUMP, -1, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SET, 10, "*", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SET, -3, "+", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SET, -3, "$", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_APPEND, 0, "A", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_APPEND, 0, "\n", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_PREPEND, 0, " ", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 0, "$2x$", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 0, "$2c$", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 0, "$2B$", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 0, "$3b$", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "03", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "05", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "17", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "31", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "99", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, "0a", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 4, " 4", PASSWORD_MISMATCH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 3, "_", PASSWORD_MISMATCH, __LINE__ },
		/* $2a$, $2b$ and $2y$ are one algorithm for an ASCII password. */
		{ "bcrypt_2b_4", D_SPLICE, 2, "a", PASSWORD_OK_REHASH, __LINE__ },
		{ "bcrypt_2b_4", D_SPLICE, 2, "y", PASSWORD_OK_REHASH, __LINE__ },
	};
	struct vec	 v;
	char		 h[PASSWORD_HASH_MAX + 64];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vec_load(cases[i].vec, &v, cases[i].line);
		snprintf(h, sizeof(h), "%s", v.hash);
		damage(h, cases[i].d, cases[i].arg, cases[i].str);
		check_int(password_verify(&low, v.pw, v.pwlen, h),
		    cases[i].expect, cases[i].line);
	}
}

/*
 * "$argon2id$" + params + "$" + salt + "$" + hash, the salt and hash
 * argon2id_low's unless given: one defect at a time, each refused before
 * Argon2 runs (quickly, and without ERROR from a failed allocation).
 */
static void
test_malformed_argon2(void **state)
{
	static const struct {
		const char		*params;
		const char		*salt;
		const char		*hash;
		enum password_result	 expect;
		int			 line;
	} cases[] = {
		{ "v=19$m=1024,t=1,p=1", NULL, NULL, PASSWORD_OK, __LINE__ },
		{ "v=19$m=4294967295,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=4294967296,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=99999999999999999999999,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1048577,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1048576,t=5,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=65536,t=65,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=4294967295,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=65", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=16777215", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=0,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=0", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=0,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=7,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=31,t=1,p=4", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=01024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=01,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=-1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=+1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024, t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1,x=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1,data=AAAA", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$t=1,m=1024,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,p=1,t=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19,m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=18$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=20$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=019$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=4294967315$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "$m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "m=1024,t=1,p=1", NULL, NULL, PASSWORD_MISMATCH, __LINE__ },	/* v 1.0 */
		{ "v=19$m=1024,t=1,p=1", "", NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1", "AAAAAAAAAA", NULL, PASSWORD_MISMATCH, __LINE__ },	/* 7 bytes */
		{ "v=19$m=1024,t=1,p=1", "AAAAAAAAAAA", NULL, PASSWORD_MISMATCH, __LINE__ },	/* 8: wrong */
		{ "v=19$m=1024,t=1,p=1", "AAAAAAAAAAB", NULL, PASSWORD_MISMATCH, __LINE__ },	/* stray bits */
		{ "v=19$m=1024,t=1,p=1", "AAAAA", NULL, PASSWORD_MISMATCH, __LINE__ },		/* 4n + 1 */
		{ "v=19$m=1024,t=1,p=1", "AAAAAAAAAAAAAAAAAAAAAA==", NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1",	/* 65 bytes */
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    NULL, PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1", NULL, "", PASSWORD_MISMATCH, __LINE__ },
		{ "v=19$m=1024,t=1,p=1", NULL, "AAAA", PASSWORD_MISMATCH, __LINE__ },	/* 3 bytes */
		{ "v=19$m=1024,t=1,p=1", NULL,	/* 65 bytes */
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    PASSWORD_MISMATCH, __LINE__ },
	};
	struct vec	 v;
	char		 salt[128], hash[128], h[PASSWORD_HASH_MAX + 1];
	size_t		 i, s;
	double		 t0;

	(void)state;
	vec_load("argon2id_low", &v, __LINE__);
	s = dollar(v.hash, 3);
	snprintf(salt, sizeof(salt), "%.*s", (int)(strrchr(v.hash, '$') -
	    (v.hash + s + 1)), v.hash + s + 1);
	snprintf(hash, sizeof(hash), "%s", strrchr(v.hash, '$') + 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(h, sizeof(h), "$argon2id$%s$%s$%s", cases[i].params,
		    cases[i].salt != NULL ? cases[i].salt : salt,
		    cases[i].hash != NULL ? cases[i].hash : hash);
		t0 = now();
		check_int(password_verify(&low, v.pw, v.pwlen, h),
		    cases[i].expect, cases[i].line);
		if (now() - t0 > QUICK_SEC) {
			print_error("%s took %.2f s\n", h, now() - t0);
			_fail(__FILE__, cases[i].line);
		}
	}
}

/* Whole strings that are no hash at all. */
static void
test_garbage(void **state)
{
	static const struct {
		const char	*hash;
		int		 line;
	} cases[] = {
		{ "", __LINE__ },
		{ "$", __LINE__ },
		{ "$$", __LINE__ },
		{ "$argon2id", __LINE__ },
		{ "$argon2id$", __LINE__ },
		{ "$argon2id$v=19$", __LINE__ },
		{ "$argon2id$v=19$m=1024,t=1,p=1", __LINE__ },
		{ "$argon2id$v=19$m=1024,t=1,p=1$", __LINE__ },
		{ "$argon2id$v=19$m=1024,t=1,p=1$$", __LINE__ },
		{ "$argon2", __LINE__ },
		{ "$2", __LINE__ },
		{ "$2b$", __LINE__ },
		{ "$2b$04$", __LINE__ },
		{ "*0", __LINE__ },
		{ "*1", __LINE__ },
		{ "!", __LINE__ },
		{ "!$2b$04$abcdefghijklmnopqrstuv", __LINE__ },
		{ "x", __LINE__ },
		{ "correct horse battery staple", __LINE__ },	/* plain text */
		{ "\xff\xfe", __LINE__ },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_int(password_verify(&low, PW, strlen(PW), cases[i].hash),
		    PASSWORD_MISMATCH, cases[i].line);
		check_int(password_verify(&low, "", 0, cases[i].hash),
		    PASSWORD_MISMATCH, cases[i].line);
		check_int(password_hash_usable(cases[i].hash), 0, cases[i].line);
	}
	check_int(password_hash_usable(NULL), 0, __LINE__);
}

/* NULLs, PASSWORD_HASH_MAX and PASSWORD_MAX_BYTES. */
#define BIG	65536
static void
test_limits(void **state)
{
	struct vec	 v;
	char		*pw, *big, h[PASSWORD_HASH_MAX + 64];
	char		 out[PASSWORD_HASH_MAX];
	size_t		 n;

	(void)state;
	vec_load("argon2id_low", &v, __LINE__);
	assert_int_equal(password_verify(&low, v.pw, v.pwlen, NULL),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, NULL, 5, v.hash),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, NULL, 0, v.hash),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, NULL, 0, NULL),
	    PASSWORD_MISMATCH);
	/* A hash one byte over PASSWORD_HASH_MAX, then far over. */
	snprintf(h, sizeof(h), "%s", v.hash);
	for (n = strlen(h); n < PASSWORD_HASH_MAX + 1; n++)
		h[n] = 'A';
	h[n] = '\0';
	assert_int_equal(password_verify(&low, v.pw, v.pwlen, h),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_hash_usable(h), 0);
	assert_int_equal(password_hash_usable(v.hash), 1);
	big = malloc(BIG + 1);
	assert_non_null(big);
	memcpy(big, h, PASSWORD_HASH_MAX + 1);
	memset(big + PASSWORD_HASH_MAX + 1, 'A', BIG - PASSWORD_HASH_MAX - 1);
	big[BIG] = '\0';
	assert_int_equal(password_verify(&low, v.pw, v.pwlen, big),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_hash_usable(big), 0);
	free(big);
	pw = malloc(PASSWORD_MAX_BYTES + 1);
	assert_non_null(pw);
	memset(pw, 'p', PASSWORD_MAX_BYTES + 1);
	/* PASSWORD_MAX_BYTES hashes and verifies; one more does neither. */
	assert_int_equal(password_hash(&low, pw, PASSWORD_MAX_BYTES, out,
	    sizeof(out)), 0);
	assert_int_equal(password_verify(&low, pw, PASSWORD_MAX_BYTES, out),
	    PASSWORD_OK);
	assert_int_equal(password_verify(&low, pw, PASSWORD_MAX_BYTES + 1, out),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, pw, SIZE_MAX, out),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_hash(&low, pw, PASSWORD_MAX_BYTES + 1, out,
	    sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(password_hash(&low, pw, SIZE_MAX, out, sizeof(out)),
	    -1);
	free(pw);
}

/* Passwords with NUL bytes: Argon2 takes them whole; bcrypt cannot. */
static void
test_nul_bytes(void **state)
{
	struct vec	 v;
	char		 pw[64], out[PASSWORD_HASH_MAX];

	(void)state;
	vec_load("bcrypt_2b_4", &v, __LINE__);
	memcpy(pw, v.pw, v.pwlen);
	memcpy(pw + v.pwlen, "\0x", 2);
	/* A C-string API would see the right password in each of these. */
	assert_int_equal(password_verify(&low, pw, v.pwlen + 2, v.hash),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, pw, v.pwlen + 1, v.hash),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, pw, v.pwlen, v.hash),
	    PASSWORD_OK_REHASH);
	assert_int_equal(password_verify(&low, "\0", 1, v.hash),
	    PASSWORD_MISMATCH);

	assert_int_equal(password_hash(&low, "a\0b", 3, out, sizeof(out)), 0);
	assert_int_equal(password_verify(&low, "a\0b", 3, out), PASSWORD_OK);
	assert_int_equal(password_verify(&low, "a", 1, out), PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, "a\0c", 3, out),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_verify(&low, "a\0b\0", 4, out),
	    PASSWORD_MISMATCH);
}

static void
check_format(const char *hash, const char *costs, int line)
{
	char	 re[256];
	regex_t	 rx;
	int	 rc;

	snprintf(re, sizeof(re), "^\\$argon2id\\$v=19\\$%s"
	    "\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$", costs);
	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&rx, hash, 0, NULL, 0);
	regfree(&rx);
	if (rc != 0) {
		print_error("%s does not match %s\n", hash, re);
		_fail(__FILE__, line);
	}
}

/* Hashing with low costs: format, round trip, fresh salt. */
static void
test_hash_low(void **state)
{
	char	 a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(password_hash(&low, PW, strlen(PW), a, sizeof(a)), 0);
	check_format(a, "m=1024,t=1,p=1", __LINE__);
	assert_int_equal(password_verify(&low, PW, strlen(PW), a), PASSWORD_OK);
	assert_int_equal(password_verify(NULL, PW, strlen(PW), a),
	    PASSWORD_OK_REHASH);
	assert_int_equal(password_verify(&low, PW, strlen(PW) - 1, a),
	    PASSWORD_MISMATCH);
	assert_int_equal(password_hash(&low, PW, strlen(PW), b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a + dollar(a, 3), b + dollar(b, 3), 23);	/* salt */
	assert_memory_not_equal(strrchr(a, '$'), strrchr(b, '$'), 44);	/* hash */
	assert_int_equal(password_verify(&low, PW, strlen(PW), b), PASSWORD_OK);
	/* The empty password, given as "" or NULL. */
	assert_int_equal(password_hash(&low, NULL, 0, a, sizeof(a)), 0);
	assert_int_equal(password_verify(&low, "", 0, a), PASSWORD_OK);
	assert_int_equal(password_verify(&low, NULL, 0, a), PASSWORD_OK);
	assert_int_equal(password_verify(&low, " ", 1, a), PASSWORD_MISMATCH);
}

/* Arguments password_hash refuses; out is left empty. */
static void
test_hash_errors(void **state)
{
	static const struct {
		struct password_params	 pp;
		int			 line;
	} bad[] = {
		{ { 0, 1024, 1 }, __LINE__ },
		{ { 1, 1024, 0 }, __LINE__ },
		{ { 1, 7, 1 }, __LINE__ },
		{ { 1, 31, 4 }, __LINE__ },
		{ { 1, 1048577, 1 }, __LINE__ },
		{ { 65, 1024, 1 }, __LINE__ },
		{ { 1, 1024, 65 }, __LINE__ },
		{ { 5, 1048576, 1 }, __LINE__ },
		{ { UINT32_MAX, UINT32_MAX, UINT32_MAX }, __LINE__ },
	};
	char	 out[PASSWORD_HASH_MAX];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		check_int(password_hash(&bad[i].pp, PW, strlen(PW), out,
		    sizeof(out)), -1, bad[i].line);
		check_int(out[0], '\0', bad[i].line);
	}
	memset(out, 'x', sizeof(out));
	assert_int_equal(password_hash(NULL, PW, strlen(PW), out, sizeof(out)),
	    -1);
	assert_int_equal(out[0], '\0');
	assert_int_equal(password_hash(&low, NULL, 3, out, sizeof(out)), -1);
	assert_int_equal(password_hash(&low, PW, strlen(PW), NULL, 512), -1);
	assert_int_equal(password_hash(&low, PW, strlen(PW), out, 0), -1);
	memset(out, 'x', sizeof(out));
	/* 96 bytes + NUL are needed for these costs. */
	assert_int_equal(password_hash(&low, PW, strlen(PW), out, 96), -1);
	assert_int_equal(out[0], '\0');
	assert_int_equal(password_hash(&low, PW, strlen(PW), out, 97), 0);
	assert_int_equal(strlen(out), 96);
}

/* The one case at pwdlib's costs: what FastAPI-Users 13+ writes. */
static void
test_hash_default(void **state)
{
	struct password_params	 def;
	char			 out[PASSWORD_HASH_MAX];

	(void)state;
	password_params_default(&def);
	assert_int_equal(def.t_cost, 3);
	assert_int_equal(def.m_cost_kib, 65536);
	assert_int_equal(def.parallelism, 4);
	assert_int_equal(password_hash(&def, PW, strlen(PW), out, sizeof(out)),
	    0);
	check_format(out, "m=65536,t=3,p=4", __LINE__);
	assert_int_equal(password_verify(&def, PW, strlen(PW), out),
	    PASSWORD_OK);
}

/* The dummy costs what a verification at the same costs does. */
static void
test_dummy_verify(void **state)
{
	static const struct password_params	 mid = { 1, 8192, 1 };
	char	 out[PASSWORD_HASH_MAX];
	double	 t0, real = 1e9, dummy = 1e9, d;
	int	 i;

	(void)state;
	assert_int_equal(password_hash(&mid, PW, strlen(PW), out, sizeof(out)),
	    0);
	for (i = 0; i < 3; i++) {
		t0 = now();
		(void)password_verify(&mid, "wrong", 5, out);
		if ((d = now() - t0) < real)
			real = d;
		t0 = now();
		password_dummy_verify(&mid, "wrong", 5);
		if ((d = now() - t0) < dummy)
			dummy = d;
	}
	if (dummy < real / 4) {
		print_error("dummy %.4f s, verify %.4f s\n", dummy, real);
		fail();
	}
	/* Odd arguments do not crash. */
	password_dummy_verify(&low, NULL, 0);
	password_dummy_verify(&low, NULL, 7);
	password_dummy_verify(&low, PW, PASSWORD_MAX_BYTES + 1);
	password_dummy_verify(&low, "a\0b", 3);
}

int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_rehash_fields),
		cmocka_unit_test(test_bcrypt_72),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_malformed_argon2),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_hash_low),
		cmocka_unit_test(test_hash_errors),
		cmocka_unit_test(test_hash_default),
		cmocka_unit_test(test_dummy_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
