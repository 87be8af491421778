/*
 * session: POST /auth/jwt/refresh and /auth/jwt/logout — the refresh
 * tokens of libcommon's refresh module (beyond FastAPI-Users), and a
 * logout that really ends the session: the access token is revoked, and
 * the refresh token's family too when the body names one.
 *
 * A refresh that fails answers 400 with FastAPI-Users' kind of detail and
 * OAuth 2.1's error code side by side, {"detail":"REFRESH_TOKEN_INVALID",
 * "error":"invalid_grant"}, so both kinds of client understand it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "accounts.h"
#include "app.h"
#include "arena.h"
#include "authn.h"
#include "json.h"
#include "log.h"
#include "refresh.h"
#include "session.h"
#include "tokens.h"
#include "users.h"

static void
invalid_grant(struct response *resp)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string("REFRESH_TOKEN_INVALID"));
	json_object_object_add(o, "error", json_object_new_string("invalid_grant"));
	response_json(resp, 400, o);
}

/* POST /auth/jwt/refresh (form grant_type=refresh_token&refresh_token=…) */
void
session_refresh(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *o, *in, *ctx;
	const struct kvlist	*form;
	const char		*grant, *rt;
	struct refresh_grant	 g;
	struct access_claims	 claims;
	char			*token = NULL;
	int64_t			 now = (int64_t)time(NULL);
	enum refresh_err	 e;

	memset(&g, 0, sizeof(g));
	if (request_form(req, &form) != REQUEST_OK) {
		response_error(resp, 400, "There was an error parsing the body");
		goto out;
	}
	if (accounts_form_field(req, "grant_type", 1, 64, errs, &grant) == 1 &&
	    strcmp(grant, "refresh_token") != 0) {
		in = json_object_new_string(grant);
		ctx = json_object_new_object();
		json_object_object_add(ctx, "pattern",
		    json_object_new_string("^refresh_token$"));
		json_error_add(errs, "string_pattern_mismatch",
		    "String should match pattern '^refresh_token$'", in, ctx, "body",
		    "grant_type");
		json_object_put(in);
	}
	accounts_form_field(req, "refresh_token", 1, 1024, errs, &rt);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	e = refresh_rotate(app->db, rt, strlen(rt), now,
	    app->config.refresh_token_days * 86400, &g);
	if (e == REFRESH_EINVALID || e == REFRESH_EREUSED) {
		/* A reuse is logged by refresh, with the family. */
		invalid_grant(resp);
		goto out;
	}
	if (e != REFRESH_OK) {
		log_error("refresh failed", "error", refresh_strerror(e));
		response_error(resp, 503, "Database unavailable");
		goto out;
	}
	req->user_id = arena_strdup(req->arena, g.user_id);
	if (tokens_issue(&app->tokens, g.user_id, g.generation, now, &token,
	    &claims) != TOKENS_OK) {
		response_error(resp, 503, "Service Unavailable");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "refresh_token", json_object_new_string(g.token));
	json_object_object_add(o, "expires_in", json_object_new_int64(app->tokens.lifetime));
	response_json(resp, 200, o);
out:
	refresh_grant_clear(&g);
	if (token != NULL) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
	json_object_put(errs);
}

/*
 * The refresh_token a logout body names, as a form field or a JSON member;
 * NULL when there is none.  A body that is neither is no error: FastAPI-
 * Users' logout reads no body, and clients send what they like.
 */
static const char *
logout_refresh_token(struct request *req)
{
	struct json_object	*errs, *obj, *v;
	const struct kvlist	*form;
	const struct kv		*kv;
	const char		*rt = NULL;
	size_t			 len;

	if (req->body_len == 0)
		return NULL;
	if (request_is_json(req)) {
		errs = json_object_new_array();
		/* A string with a NUL ("\u0000") is no token: cut at the NUL
		 * it would name the token before it, as the form's %00 does not. */
		if ((obj = json_body_object(req, errs)) != NULL &&
		    json_object_object_get_ex(obj, "refresh_token", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    (len = (size_t)json_object_get_string_len(v)) <= REFRESH_TOKEN_MAX &&
		    memchr(json_object_get_string(v), '\0', len) == NULL)
			rt = arena_strndup(req->arena, json_object_get_string(v), len);
		json_object_put(obj);
		json_object_put(errs);
		return rt;
	}
	if (request_form(req, &form) == REQUEST_OK &&
	    (kv = request_form_field(req, "refresh_token")) != NULL && !kv->is_file)
		return kv->value;
	return NULL;
}

/* POST /auth/jwt/logout — 204; the access token is revoked, and the
 * refresh token's family when the body names one of this user's. */
void
session_logout(struct request *req, struct response *resp)
{
	struct principal	 p;
	const char		*rt;
	int64_t			 now = (int64_t)time(NULL);

	if (authn_require(req, resp, 0, &p) != 0)
		return;
	if (tokens_revoke(req->app->db, p.user.id, &p.claims, now) != TOKENS_OK) {
		response_error(resp, 503, "Database unavailable");
		return;
	}
	if ((rt = logout_refresh_token(req)) != NULL &&
	    refresh_revoke_family(req->app->db, rt, strlen(rt), p.user.id, now) !=
	    REFRESH_OK) {
		response_error(resp, 503, "Database unavailable");
		return;
	}
	response_empty(resp, 204);
}
