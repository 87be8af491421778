/*
 * authn: Bearer tokens and the legacy API key (see authn.h).  The order is
 * FastAPI-Users': no or unusable credentials → 401; then a superuser check
 * → 403.  Secrets are compared in constant time and never logged.
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "jwt.h"
#include "log.h"

static const char *const role_names[ROLE__MAX] = {
	[ROLE_USER] = "user",
	[ROLE_PREMIUM] = "premium",
	[ROLE_ADMIN] = "admin",
};

enum role
authn_role_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return ROLE__MAX;
	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return ROLE__MAX;
}

const char *
authn_role_name(enum role r)
{
	return r < ROLE__MAX ? role_names[r] : "user";
}

int
authn_role_at_least(const struct principal *p, enum role min)
{
	enum role	 r;

	if (p->is_api_key)
		return min == ROLE_USER;
	if ((r = authn_role_parse(p->user.role)) == ROLE__MAX)
		r = ROLE_USER;
	return r >= min;
}

/* SHA-256 both sides, then CRYPTO_memcmp: no early exit, no length leak. */
static int
secret_equal(const char *a, const char *b)
{
	unsigned char	 da[32], db[32];
	unsigned int	 la = 0, lb = 0;
	int		 eq;

	if (EVP_Digest(a, strlen(a), da, &la, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(b, strlen(b), db, &lb, EVP_sha256(), NULL) != 1 ||
	    la != 32 || lb != 32)
		return 0;
	eq = CRYPTO_memcmp(da, db, 32) == 0;
	OPENSSL_cleanse(da, sizeof(da));
	OPENSSL_cleanse(db, sizeof(db));
	return eq;
}

static int
fail_db(struct response *resp)
{
	response_error(resp, 503, "Database unavailable");
	return -1;
}

const char *
authn_bearer(const struct request *req)
{
	const char	*h = request_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "bearer ", 7) != 0)
		return NULL;
	return h + 7;
}

/* Loads the user of a verified token: active, its jti not revoked. */
static enum authn_result
load_user(struct request *req, struct principal *p)
{
	enum users_err	 ue;
	int		 revoked;

	ue = users_find_for_token(req->app->db, req->arena, p->claims.sub,
	    p->claims.jti, &p->user, &revoked);
	if (ue == USERS_NOTFOUND)
		return AUTHN_EINVALID;
	if (ue != USERS_OK)
		return AUTHN_EDB;
	if (revoked || !p->user.is_active)
		return AUTHN_EINVALID;
	return AUTHN_OK;
}

enum authn_result
authn_access_token(struct request *req, const char *tok, struct principal *p)
{
	enum authn_result	 r;

	memset(p, 0, sizeof(*p));
	p->token = tok;
	p->token_len = strlen(tok);
	if (p->token_len == 0 || p->token_len > JWT_MAX_TOKEN ||
	    tokens_verify(&req->app->tokens, tok, p->token_len, (int64_t)time(NULL),
	    &p->claims) != TOKENS_OK)
		return AUTHN_EINVALID;
	if ((r = load_user(req, p)) != AUTHN_OK)
		return r;
	/* A password change refuses the tokens issued before it but one. */
	if (p->claims.gen != p->user.token_generation &&
	    (p->user.tokens_exempt_jti == NULL ||
	    strcmp(p->user.tokens_exempt_jti, p->claims.jti) != 0))
		return AUTHN_EINVALID;
	req->user_id = arena_strdup(req->arena, p->user.id);	/* p dies with the handler */
	return AUTHN_OK;
}

enum authn_result
authn_mcp_token(struct request *req, const char *tok, struct principal *p,
    struct mcp_claims *mc)
{
	enum authn_result	 r;

	memset(p, 0, sizeof(*p));
	p->token = tok;
	p->token_len = strlen(tok);
	if (p->token_len == 0 || p->token_len > JWT_MAX_TOKEN ||
	    mcp_tokens_verify(&req->app->mcp, tok, p->token_len, (int64_t)time(NULL),
	    mc) != TOKENS_OK)
		return AUTHN_EINVALID;
	memcpy(p->claims.sub, mc->sub, sizeof(p->claims.sub));
	memcpy(p->claims.jti, mc->jti, sizeof(p->claims.jti));
	p->claims.iat = mc->iat;
	p->claims.exp = mc->exp;
	if ((r = load_user(req, p)) != AUTHN_OK)
		return r;
	req->user_id = arena_strdup(req->arena, p->user.id);
	return AUTHN_OK;
}

int
authn_require(struct request *req, struct response *resp, int flags,
    struct principal *p)
{
	struct app	*app = req->app;
	const char	*tok, *key;

	memset(p, 0, sizeof(*p));
	tok = authn_bearer(req);
	if (tok == NULL && (flags & AUTHN_API_KEY) && app->config.api_key != NULL &&
	    (key = request_header(req, "X-API-KEY")) != NULL) {
		/* The transition from the Python service's static key. */
		response_set_header(resp, "Deprecation", "true");
		if (strlen(key) > 512 || !secret_equal(key, app->config.api_key)) {
			response_json_text(resp, 401, "{\"detail\":\"Invalid API key\"}");
			return -1;
		}
		if (flags & AUTHN_SUPERUSER) {
			response_error(resp, 403, "Forbidden");
			return -1;
		}
		p->is_api_key = 1;
		req->user_id = "api-key";
		return 0;
	}
	if (tok == NULL || *tok == '\0') {
		response_unauthorized(resp, NULL);
		return -1;
	}
	switch (authn_access_token(req, tok, p)) {
	case AUTHN_OK:
		break;
	case AUTHN_EDB:
		return fail_db(resp);
	default:
		response_unauthorized(resp, "invalid_token");
		return -1;
	}
	if ((flags & AUTHN_SUPERUSER) && !p->user.is_superuser) {
		response_error(resp, 403, "Forbidden");
		return -1;
	}
	return 0;
}
