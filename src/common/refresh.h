/*
 * refresh: refresh tokens with rotation and reuse detection (RFC 9700
 * §4.14.2; OAuth 2.1 "Refresh Token Grant"), in tables refresh_families
 * and refresh_tokens (schema/sqlite/0005_refresh_tokens.sql).  A login
 * with scope offline_access starts a family with refresh_issue(); each
 * refresh_rotate() spends the token presented and returns the next one of
 * the same family.  A token is 32 bytes of OpenSSL's RNG as unpadded
 * base64url (REFRESH_TOKEN_LEN characters), opaque to the client, and only
 * the SHA-256 of its text is stored.
 *
 * Presenting a spent (or revoked) token means two parties hold the family:
 * the whole family is revoked and refresh_rotate() says REFRESH_EREUSED.
 * That includes two requests that race with the same token: exactly one
 * wins and the other revokes the family, so a client must not refresh
 * twice at once.  There is no grace window for a client that lost the
 * response and retries (OAuth 2.1 allows one; we prefer the plain rule).
 *
 * Expiry slides: each token lives `lifetime` seconds from its own issue
 * (REFRESH_TOKEN_DAYS), so a family lives while it is used at least once a
 * lifetime.  XXX There is no cap on a family's total age; a stolen family
 * kept in use stays alive until the rightful client presents its (spent)
 * token, a password change or a revocation.  refresh_families.created_at
 * is stored so that a cap needs no migration.
 *
 * A password change bumps users.token_generation (users_set_password): a
 * family started under another generation is refused, and revoked, at its
 * next use.  Nothing here logs a token or its hash.
 */
#ifndef FCGI_USERS_REFRESH_H
#define FCGI_USERS_REFRESH_H

#include <stddef.h>
#include <stdint.h>

#include "users.h"

struct db;

#define REFRESH_TOKEN_MAX	128	/* bytes of a presented token we look up */
#define REFRESH_TOKEN_BYTES	32	/* random bytes in a token we mint */
#define REFRESH_TOKEN_LEN	43	/* its base64url characters, no padding */
#define REFRESH_LIFETIME_MAX	(INT64_C(3650) * 86400)	/* REFRESH_TOKEN_DAYS' top */
/* Times are Unix seconds in 0 .. REFRESH_NOW_MAX: now + lifetime never overflows. */
#define REFRESH_NOW_MAX		(INT64_MAX - REFRESH_LIFETIME_MAX)
#define REFRESH_PRUNE_GRACE	86400	/* seconds a row is kept past its expiry */

enum refresh_err {
	REFRESH_OK,
	REFRESH_EINVALID,	/* unknown, expired, malformed or refused token; bad arguments */
	REFRESH_EREUSED,	/* a spent or revoked token: its family is now revoked */
	REFRESH_EDB,		/* the database failed (db logs why) */
	REFRESH_ENOMEM,		/* out of memory, or the RNG failed */
	REFRESH__MAX
};

/* What refresh_issue and refresh_rotate hand back. */
struct refresh_grant {
	char		 token[REFRESH_TOKEN_LEN + 1];	/* secret: refresh_grant_clear() */
	char		 user_id[USERS_ID_LEN + 1];
	int64_t		 generation;	/* the user's token generation: the access token's "gen" */
	int64_t		 expires_at;	/* of the token, Unix seconds */
};

const char	*refresh_strerror(enum refresh_err);

/*
 * Starts a family for user_id (USERS_ID_LEN characters) of token
 * generation `generation` (the user's token_generation as read at login)
 * at `now`, its token valid `lifetime` seconds (1 .. REFRESH_LIFETIME_MAX),
 * and fills *g.  REFRESH_EINVALID also when no such user exists.  It
 * also runs refresh_prune() in the same transaction, every time: with
 * nothing due that is two index probes, about 10 us beside the 150 to
 * 400 us of the issue (100,000 families, 2 shared cores), and it keeps
 * each batch of deletions small.  On error *g is zeroed.
 */
enum refresh_err refresh_issue(struct db *, const char *user_id,
		    int64_t generation, int64_t now, int64_t lifetime,
		    struct refresh_grant *g);

/*
 * The refresh grant (RFC 6749 §6): in one transaction, looks up (token,
 * len); spends it and fills *g with the next token of its family, valid
 * `lifetime` seconds from now, and with the user to mint an access token
 * for (the caller reads that user again).  Otherwise:
 * - REFRESH_EINVALID, without touching the database, for a token that is
 *   empty, longer than REFRESH_TOKEN_MAX or not base64url characters;
 * - REFRESH_EINVALID for an unknown or expired token (nothing written);
 * - REFRESH_EINVALID for a user that is gone, inactive, or of another
 *   token generation: the family is revoked;
 * - REFRESH_EREUSED for a spent or revoked token, even past its expiry
 *   until refresh_prune() drops it: the family is revoked, and stays so
 *   (the revocation is committed).
 * On error *g is zeroed.
 */
enum refresh_err refresh_rotate(struct db *, const char *token, size_t len,
		    int64_t now, int64_t lifetime, struct refresh_grant *g);

/*
 * Logout: revokes the family of (token, len) if it belongs to user_id.
 * A token that is malformed, unknown, expired or someone else's changes
 * nothing and is still REFRESH_OK (RFC 7009 §2.2: an invalid token is not
 * an error).  REFRESH_EINVALID only for bad arguments.
 */
enum refresh_err refresh_revoke_family(struct db *, const char *token,
		    size_t len, const char *user_id, int64_t now);

/* Revokes every family of user_id (password reset, admin); REFRESH_OK
 * also when there is none. */
enum refresh_err refresh_revoke_user(struct db *, const char *user_id,
		    int64_t now);

/*
 * Deletes tokens and families that expired more than REFRESH_PRUNE_GRACE
 * seconds before now; until then a spent token still trips reuse
 * detection, afterwards it is merely unknown.
 */
enum refresh_err refresh_prune(struct db *, int64_t now);

/* Wipes *g (the token is a secret); accepts NULL. */
void		 refresh_grant_clear(struct refresh_grant *);

#endif
