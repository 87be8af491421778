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
struct user;

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
	struct jwt_key	*recovery;		/* HS256 JWT_SECRET: reset and verify tokens */
	const char	*secret;		/* JWT_SECRET (owned by the config): fingerprints */
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
 * (which setting), without any key material.  With an asymmetric
 * JWT_ALGORITHM and JWT_PUBLIC_KEY but no JWT_PRIVATE_KEY, the tokens only
 * verify: t->sign is NULL and tokens_issue() answers TOKENS_ECONFIG. */
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
/* A fresh jti: 16 random bytes as TOKENS_JTI_LEN hex characters and a
 * NUL into out; -1 when the random source fails. */
int		 tokens_new_jti(char *out);
/* Records a logout: the jti is refused until exp. */
enum tokens_err	 tokens_revoke(struct db *, const char *user_id,
		    const struct access_claims *, int64_t now);
/* The public keys as a JWKS ({"keys":[…]}); empty for HMAC. */
struct json_object *tokens_jwks(const struct tokens *);

/* --- password reset and e-mail verification (FastAPI-Users') ---------- */

#define TOKENS_RESET_AUDIENCE	"fastapi-users:reset"
#define TOKENS_VERIFY_AUDIENCE	"fastapi-users:verify"
#define TOKENS_RECOVERY_LIFETIME	3600	/* seconds, FastAPI-Users' default */

/*
 * A reset token {"sub","password_fgpt","aud":"fastapi-users:reset","exp"}
 * or a verify token {"sub","email","aud":"fastapi-users:verify","exp"},
 * HS256 with JWT_SECRET as FastAPI-Users signs them (whatever
 * JWT_ALGORITHM says).  *out is malloc'ed.
 */
enum tokens_err	 tokens_reset_issue(const struct tokens *, const struct user *,
		    int64_t now, char **out);
enum tokens_err	 tokens_verify_issue(const struct tokens *, const struct user *,
		    int64_t now, char **out);
/*
 * Checks a reset token's signature, audience and expiry; the user id goes
 * to sub (37 bytes) and the fingerprint to a malloc'ed *fgpt.  Whether it
 * still matches the user's hash is tokens_reset_matches()'s question.
 */
enum tokens_err	 tokens_reset_check(const struct tokens *, const char *token,
		    size_t len, int64_t now, char *sub, char **fgpt);
/* 1 when fgpt fingerprints this password hash (ours, or a pwdlib/passlib
 * hash of the hash as FastAPI-Users writes it), else 0. */
int		 tokens_reset_matches(const struct tokens *, const char *fgpt,
		    const char *hashed_password);
/* A verify token: sub and a malloc'ed *email. */
enum tokens_err	 tokens_verify_check(const struct tokens *, const char *token,
		    size_t len, int64_t now, char *sub, char **email);

/* --- MCP tokens (the Python service's /auth/mcp-token) ----------------- */

#define TOKENS_MCP_SCOPE	"mcp-access"
#define TOKENS_MCP_PATH		"/mcp-server/mcp"	/* the MCP endpoint */

struct mcp_tokens {
	struct jwt_key	*sign;			/* NULL: no MCP key configured */
	struct jwt_key	*verify[TOKENS_MAX_KEYS];
	size_t		 n_verify;
	int64_t		 lifetime;		/* seconds: MCP_JWT_EXPIRE_MINUTES */
	int64_t		 leeway;
	const char	*issuer;		/* MCP_JWT_ISSUER [personal-server] */
	const char	*audience;		/* MCP_JWT_AUDIENCE [mcp-server] */
	char		*resource;		/* PUBLIC_BASE_URL + TOKENS_MCP_PATH: the
						 * canonical URL, a second audience (RFC 8707) */
	char		 why[256];		/* why sign is NULL, for the 503 and the log */
};

/* What a verified MCP token says. */
struct mcp_claims {
	char		 sub[37];
	char		 jti[65];
	char		 scope[128];
	int64_t		 iat;
	int64_t		 exp;
};

/*
 * Loads MCP_JWT_PRIVATE_KEY (falling back to JWT_PRIVATE_KEY) for
 * MCP_JWT_ALGORITHM, and the public keys that verify MCP tokens.  A missing
 * key is not an error here (the programs still start; /auth/mcp-token
 * answers 503 with m->why): only a key that is present and unusable is.
 */
enum tokens_err	 mcp_tokens_init(struct mcp_tokens *, const struct config *,
		    char *why, size_t whylen);
void		 mcp_tokens_free(struct mcp_tokens *);
/*
 * An MCP token for u at `now` valid `lifetime` seconds (0: the configured
 * lifetime): claims iss, sub, aud (a string), email, scope, iat, exp, jti;
 * kid in the header.  *out malloc'ed.  TOKENS_ECONFIG without a key.
 */
enum tokens_err	 mcp_tokens_issue(const struct mcp_tokens *, const struct user *u,
		    int64_t now, int64_t lifetime, char **out, struct mcp_claims *);
/* Verifies signature (pinned algorithm), iss, aud (MCP_JWT_AUDIENCE or
 * the canonical URL m->resource) and times. */
enum tokens_err	 mcp_tokens_verify(const struct mcp_tokens *, const char *token,
		    size_t len, int64_t now, struct mcp_claims *);

#endif
