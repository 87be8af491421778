/*
 * password: hashing and checking passwords.  New hashes are Argon2id
 * (libargon2) in the PHC string format pwdlib writes
 * ($argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>); $argon2id$, $argon2i$
 * and bcrypt $2a$/$2b$/$2y$ (libcrypt) verify, so databases of
 * FastAPI-Users 10–15 work, and a good password whose hash has other
 * parameters or scheme is reported for rehashing (pwdlib's
 * verify_and_update).  Checking is one yes/no function, constant-time.
 */
#ifndef FCGI_USERS_PASSWORD_H
#define FCGI_USERS_PASSWORD_H

#include <stddef.h>
#include <stdint.h>

#define PASSWORD_MAX_BYTES	4096	/* longer passwords are refused before hashing */
#define PASSWORD_HASH_MAX	512	/* bytes of a stored hash string */

struct password_params {
	uint32_t	t_cost;		/* iterations [3] */
	uint32_t	m_cost_kib;	/* memory [65536] */
	uint32_t	parallelism;	/* lanes [4] */
};

enum password_result {
	PASSWORD_MISMATCH,	/* wrong password, or a hash we cannot read */
	PASSWORD_OK,		/* right password, current hash */
	PASSWORD_OK_REHASH,	/* right password, hash to be replaced */
	PASSWORD_ERROR,		/* out of memory or a library failure */
};

/* pwdlib's defaults: t=3, m=65536, p=4. */
void	 password_params_default(struct password_params *);
/* Hashes (pw, len) with a fresh 16-byte salt into out (PASSWORD_HASH_MAX).
 * Returns 0, or -1 (too long, out of memory). */
int	 password_hash(const struct password_params *, const char *pw, size_t len,
	    char *out, size_t outlen);
/* Checks (pw, len) against a stored hash. */
enum password_result password_verify(const struct password_params *,
	    const char *pw, size_t len, const char *hash);
/*
 * 1 when password_verify can check a password against hash (a well-formed
 * Argon2 or bcrypt string within the cost caps), else 0: a stored hash of
 * another scheme never matches, so its user must reset the password.
 */
int	 password_hash_usable(const char *hash);
/* Spends the time of one verification, for unknown accounts. */
void	 password_dummy_verify(const struct password_params *, const char *pw,
	    size_t len);

#endif
