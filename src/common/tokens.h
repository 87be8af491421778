/*
 * tokens: access tokens as FastAPI-Users mints them —
 * {"sub": <user uuid>, "aud": ["fastapi-users:auth"], "exp": …} — plus
 * "iat" and "jti", signed HS256 with JWT_SECRET, or with JWT_PRIVATE_KEY
 * (and a kid) when JWT_ALGORITHM is RS256/ES256/EdDSA; and their
 * revocation: logout records the jti until the token expires, a password
 * change refuses older tokens.  The keys are loaded once per process.
 */
#ifndef FCGI_USERS_TOKENS_H
#define FCGI_USERS_TOKENS_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct db;
struct jwt_key;
struct json_object;

#define TOKENS_MAX_KEYS		8	/* current + previous public keys */
#define TOKENS_JTI_LEN		32	/* hex characters of a jti we mint */
#define TOKENS_DEFAULT_AUDIENCE	"fastapi-users:auth"

enum tokens_err {
	TOKENS_OK,
	TOKENS_EINVALID,	/* bad, expired, tampered or foreign token */
	TOKENS_EREVOKED,	/* logged out, or older than a password change */
	TOKENS_ECONFIG,		/* keys do not fit the settings */
	TOKENS_EDB,
	TOKENS_ENOMEM,
	TOKENS__MAX
};

struct tokens {
	struct jwt_key	*sign;			/* signs new access tokens */
	struct jwt_key	*verify[TOKENS_MAX_KEYS];	/* accepted keys, sign first */
	size_t		 n_verify;
	int64_t		 lifetime;		/* seconds */
	int64_t		 leeway;		/* seconds */
	const char	*audience;		/* owned by the config */
	const char	*issuer;		/* NULL: none written, none required */
};

/* What a verified access token says. */
struct access_claims {
	char		 sub[37];		/* canonical user id */
	char		 jti[65];		/* "" when the token has none (FastAPI-Users') */
	int64_t		 iat;			/* 0 when absent */
	int64_t		 exp;
	int64_t		 gen;			/* the user's token generation; 0 when absent */
};

const char	*tokens_strerror(enum tokens_err);
/* Loads the keys the settings name; on failure `why` says what is wrong
 * (which setting), without any key material. */
enum tokens_err	 tokens_init(struct tokens *, const struct config *, char *why,
		    size_t whylen);
void		 tokens_free(struct tokens *);

/* A new access token for user_id of token generation gen at `now`; *out
 * is malloc'ed, *claims what it holds (for logging its jti, never the token). */
enum tokens_err	 tokens_issue(const struct tokens *, const char *user_id, int64_t gen,
		    int64_t now, char **out, struct access_claims *claims);
/* Verifies signature, audience, issuer and times; does not look at the
 * database (users_find_for_token reads the revocation with the user). */
enum tokens_err	 tokens_verify(const struct tokens *, const char *token, size_t len,
		    int64_t now, struct access_claims *);
/* Records a logout: the jti is refused until exp. */
enum tokens_err	 tokens_revoke(struct db *, const char *user_id,
		    const struct access_claims *, int64_t now);
/* The public keys as a JWKS ({"keys":[…]}); empty for HMAC. */
struct json_object *tokens_jwks(const struct tokens *);

#endif
