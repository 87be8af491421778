/*
 * authn: who is calling.  `Authorization: Bearer <token>` (scheme in any
 * case, RFC 6750 §2.1) becomes the active user, loaded fresh from the
 * database on every request; or the request is answered 401
 * {"detail":"Unauthorized"} with WWW-Authenticate: Bearer — and
 * error="invalid_token" when a token was sent and failed (RFC 6750 §3).
 * The legacy X-API-KEY is accepted where a route allows it and API_KEY is
 * set.  Roles are ordered: user < premium < admin.
 */
#ifndef FCGI_USERS_AUTHN_H
#define FCGI_USERS_AUTHN_H

#include "tokens.h"
#include "users.h"

struct request;
struct response;

enum authn_flags {
	AUTHN_API_KEY	= 1 << 0,	/* the legacy X-API-KEY is accepted too */
	AUTHN_SUPERUSER	= 1 << 1,	/* 403 {"detail":"Forbidden"} for others */
};

enum role {
	ROLE_USER,
	ROLE_PREMIUM,
	ROLE_ADMIN,
	ROLE__MAX
};

struct principal {
	int			 is_api_key;	/* the legacy key: no user */
	struct user		 user;
	struct access_claims	 claims;
	const char		*token;		/* as sent; never logged */
	size_t			 token_len;
};

enum authn_result {
	AUTHN_OK,
	AUTHN_EINVALID,		/* bad, expired, revoked or foreign token; no such active user */
	AUTHN_EDB,		/* the database failed */
	AUTHN__MAX
};

/* The token of `Authorization: Bearer <token>` (scheme in any case), or
 * NULL when the header is absent or another scheme. */
const char	*authn_bearer(const struct request *);
/*
 * Checks an access token (tokens_verify) and loads its user: it must
 * exist, be active, the token not revoked nor older than a password
 * change.  AUTHN_OK with *p filled (the user from req's arena) and
 * req->user_id set.
 */
enum authn_result authn_access_token(struct request *, const char *tok,
		    struct principal *p);
/*
 * The same for an MCP token (mcp_tokens_verify: signature, iss, aud, times)
 * of an active user whose jti is not revoked; *mc holds its claims
 * (scope …), p->claims its sub, jti, iat and exp.  The scope is the
 * caller's to check.
 */
enum authn_result authn_mcp_token(struct request *, const char *tok,
		    struct principal *p, struct mcp_claims *mc);

/*
 * Authenticates the request.  Returns 0 with *p filled, or -1 after
 * answering resp (401, 403, or 503 when the database fails).
 */
int		 authn_require(struct request *, struct response *, int flags,
		    struct principal *p);
/* ROLE__MAX for an unknown name. */
enum role	 authn_role_parse(const char *);
const char	*authn_role_name(enum role);
/* Whether the principal's role is at least `min` (the API key counts as user). */
int		 authn_role_at_least(const struct principal *, enum role min);

#endif
