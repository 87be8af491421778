/*
 * tokens_mcp: the MCP tokens of POST /auth/mcp-token and their check in
 * mcp.fcgi (see tokens.h).  As the Python service: RS256 by default,
 * MCP_JWT_PRIVATE_KEY falling back to JWT_PRIVATE_KEY, iss
 * "personal-server", aud "mcp-server" (a string), scope "mcp-access".
 * Unlike it, no process ever makes up a key of its own: a FastCGI program
 * runs as several processes, and a token signed by one must verify in all,
 * so the key pair comes from the settings (or the files `fcgi-users keys
 * generate --mcp` writes) or there are no MCP tokens at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "jwt.h"
#include "tokens.h"
#include "tokens_int.h"
#include "users.h"

#define MCP_DEFAULT_ISSUER	"personal-server"
#define MCP_DEFAULT_AUDIENCE	"mcp-server"

static int
add_key(struct mcp_tokens *m, struct jwt_key *k)
{
	if (m->n_verify >= TOKENS_MAX_KEYS) {
		jwt_key_free(k);
		return -1;
	}
	m->verify[m->n_verify++] = k;
	return 0;
}

enum tokens_err
mcp_tokens_init(struct mcp_tokens *m, const struct config *c, char *why,
    size_t whylen)
{
	struct jwt_key	*priv = NULL, *pub = NULL;
	const char	*pem, *name;
	enum jwt_alg	 alg;
	enum tokens_err	 ret = TOKENS_ECONFIG;

	memset(m, 0, sizeof(*m));
	m->lifetime = (c->mcp_jwt_expire_minutes > 0 ? c->mcp_jwt_expire_minutes :
	    c->jwt_expire_minutes) * 60;
	m->leeway = c->jwt_leeway_seconds;
	m->issuer = c->mcp_jwt_issuer != NULL ? c->mcp_jwt_issuer : MCP_DEFAULT_ISSUER;
	m->audience = c->mcp_jwt_audience != NULL ? c->mcp_jwt_audience :
	    MCP_DEFAULT_AUDIENCE;
	/* The canonical URL of the MCP endpoint (MCP 2025-11-25
	 * Authorization, RFC 8707): PUBLIC_BASE_URL without a trailing slash. */
	if (c->public_base_url != NULL) {
		size_t n = strlen(c->public_base_url);

		while (n > 0 && c->public_base_url[n - 1] == '/')
			n--;
		if ((m->resource = malloc(n + sizeof(TOKENS_MCP_PATH))) == NULL) {
			snprintf(why, whylen, "out of memory");
			return TOKENS_ENOMEM;
		}
		memcpy(m->resource, c->public_base_url, n);
		memcpy(m->resource + n, TOKENS_MCP_PATH, sizeof(TOKENS_MCP_PATH));
	}
	alg = jwt_alg_parse(c->mcp_jwt_algorithm != NULL ? c->mcp_jwt_algorithm :
	    "RS256");
	if (alg == JWT_ALG__MAX || alg <= JWT_HS512) {
		snprintf(why, whylen, "MCP_JWT_ALGORITHM: unsupported");
		goto out;
	}
	if (c->mcp_jwt_private_key != NULL) {
		pem = c->mcp_jwt_private_key;
		name = "MCP_JWT_PRIVATE_KEY";
	} else {
		pem = c->jwt_private_key;
		name = "JWT_PRIVATE_KEY";
	}
	if (pem != NULL) {
		priv = jwt_key_pem(alg, pem, strlen(pem));
		if (priv == NULL || !jwt_key_can_sign(priv)) {
			jwt_key_free(priv);
			priv = NULL;
			if (c->mcp_jwt_private_key != NULL) {
				/* Set for MCP and unusable: a plain mistake. */
				snprintf(why, whylen, "MCP_JWT_PRIVATE_KEY: not a %s "
				    "private key", jwt_alg_name(alg));
				goto out;
			}
			/* JWT_PRIVATE_KEY is there for access tokens; that it does
			 * not fit MCP_JWT_ALGORITHM only means no MCP tokens. */
			snprintf(m->why, sizeof(m->why), "JWT_PRIVATE_KEY is not a %s "
			    "private key: set MCP_JWT_PRIVATE_KEY (fcgi-users keys "
			    "generate --mcp) or MCP_JWT_ALGORITHM", jwt_alg_name(alg));
		}
	} else
		snprintf(m->why, sizeof(m->why), "no MCP signing key: set "
		    "MCP_JWT_PRIVATE_KEY_FILE (fcgi-users keys generate --mcp)");
	if (c->mcp_jwt_public_key != NULL) {
		pub = jwt_key_pem(alg, c->mcp_jwt_public_key,
		    strlen(c->mcp_jwt_public_key));
		if (pub == NULL) {
			snprintf(why, whylen, "MCP_JWT_PUBLIC_KEY: not a %s public key",
			    jwt_alg_name(alg));
			goto out;
		}
		if (priv != NULL && strcmp(jwt_key_kid(pub), jwt_key_kid(priv)) != 0) {
			snprintf(why, whylen, "MCP_JWT_PUBLIC_KEY: does not match %s",
			    name);
			goto out;
		}
	}
	if (priv != NULL) {
		m->sign = priv;
		m->why[0] = '\0';
		if (add_key(m, priv) != 0) {
			priv = NULL;
			goto out;
		}
		priv = NULL;
	} else if (pub != NULL) {
		/* A verifier only (mcp.fcgi given just the public key). */
		if (add_key(m, pub) != 0) {
			pub = NULL;
			goto out;
		}
		pub = NULL;
	}
	ret = TOKENS_OK;
out:
	jwt_key_free(priv);
	jwt_key_free(pub);
	if (ret != TOKENS_OK)
		mcp_tokens_free(m);
	return ret;
}

void
mcp_tokens_free(struct mcp_tokens *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n_verify; i++)
		jwt_key_free(m->verify[i]);
	free(m->resource);
	memset(m, 0, sizeof(*m));
}

enum tokens_err
mcp_tokens_issue(const struct mcp_tokens *m, const struct user *u, int64_t now,
    int64_t lifetime, char **out, struct mcp_claims *mc)
{
	struct json_object	*o;
	enum tokens_err		 ret;

	*out = NULL;
	memset(mc, 0, sizeof(*mc));
	if (m->sign == NULL)
		return TOKENS_ECONFIG;
	if (tokens_new_jti(mc->jti) != 0)
		return TOKENS_ENOMEM;
	snprintf(mc->sub, sizeof(mc->sub), "%s", u->id);
	snprintf(mc->scope, sizeof(mc->scope), "%s", TOKENS_MCP_SCOPE);
	mc->iat = now;
	mc->exp = now + (lifetime > 0 ? lifetime : m->lifetime);
	/* The Python service's claims, in its order, then jti. */
	o = json_object_new_object();
	json_object_object_add(o, "iss", json_object_new_string(m->issuer));
	json_object_object_add(o, "sub", json_object_new_string(u->id));
	json_object_object_add(o, "iat", json_object_new_int64(mc->iat));
	json_object_object_add(o, "exp", json_object_new_int64(mc->exp));
	json_object_object_add(o, "aud", json_object_new_string(m->audience));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "scope", json_object_new_string(mc->scope));
	json_object_object_add(o, "jti", json_object_new_string(mc->jti));
	ret = jwt_sign(m->sign, o, out) == JWT_OK ? TOKENS_OK : TOKENS_ENOMEM;
	json_object_put(o);
	return ret;
}

enum tokens_err
mcp_tokens_verify(const struct mcp_tokens *m, const char *token, size_t len,
    int64_t now, struct mcp_claims *mc)
{
	struct jwt_verify_opts	 opts;
	struct json_object	*claims = NULL, *v;
	const char		*s;
	enum tokens_err		 ret = TOKENS_EINVALID;

	memset(mc, 0, sizeof(*mc));
	if (m->n_verify == 0)
		return TOKENS_ECONFIG;
	memset(&opts, 0, sizeof(opts));
	opts.keys = (const struct jwt_key *const *)m->verify;
	opts.n_keys = m->n_verify;
	opts.now = now;
	opts.leeway = m->leeway;
	opts.audience = m->audience;
	opts.audience_alt = m->resource;
	opts.issuer = m->issuer;
	if (jwt_verify(token, len, &opts, &claims) != JWT_OK)
		goto out;
	if (tokens_claim_sub(claims, mc->sub) != 0)
		goto out;
	switch (tokens_claim_str(claims, "jti", 1, sizeof(mc->jti) - 1, &s)) {
	case 1:
		snprintf(mc->jti, sizeof(mc->jti), "%s", s);
		break;
	case -1:
		goto out;
	}
	switch (tokens_claim_str(claims, "scope", 0, sizeof(mc->scope) - 1, &s)) {
	case 1:
		snprintf(mc->scope, sizeof(mc->scope), "%s", s);
		break;
	case -1:
		goto out;
	}
	/* jwt_verify has checked that these are integers in range. */
	if (json_object_object_get_ex(claims, "iat", &v))
		mc->iat = json_object_get_int64(v);
	if (json_object_object_get_ex(claims, "exp", &v))
		mc->exp = json_object_get_int64(v);
	ret = TOKENS_OK;
out:
	if (ret != TOKENS_OK)
		memset(mc, 0, sizeof(*mc));
	json_object_put(claims);
	return ret;
}
