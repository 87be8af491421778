/*
 * mcp_token: POST /auth/mcp-token, the Python service's exchange of an
 * access token for an MCP token (tokens_mcp.c).  The body must be a JSON
 * object; nothing in it is read ("{}" is enough).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "app.h"
#include "authn.h"
#include "json.h"
#include "log.h"
#include "mcp_token.h"
#include "tokens.h"
#include "users.h"

void
mcp_token_issue(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs, *obj, *o, *info;
	struct principal	 p;
	struct mcp_claims	 mc;
	char			 issued[40], *token = NULL;
	int64_t			 now;

	if (authn_require(req, resp, 0, &p) != 0)
		return;
	errs = json_object_new_array();
	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return;
	}
	json_object_put(errs);
	json_object_put(obj);
	if (app->mcp.sign == NULL) {
		log_error("MCP token refused: no signing key", "reason", app->mcp.why);
		response_error(resp, 503, "MCP tokens are not configured on this "
		    "server (no MCP signing key)");
		return;
	}
	now = (int64_t)time(NULL);
	if (mcp_tokens_issue(&app->mcp, &p.user, now, 0, &token, &mc) != TOKENS_OK) {
		log_error("MCP token not issued", "user_id", p.user.id);
		response_error(resp, 503, "Service Unavailable");
		return;
	}
	log_timestamp(issued, sizeof(issued), LOG_TIME_US_OFFSET);
	o = json_object_new_object();
	json_object_object_add(o, "mcp_token", json_object_new_string(token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int64(mc.exp - mc.iat));
	json_object_object_add(o, "scope", json_object_new_string(mc.scope));
	json_object_object_add(o, "issued_at", json_object_new_string(issued));
	info = json_object_new_object();
	json_object_object_add(info, "user_id", json_object_new_string(p.user.id));
	json_object_object_add(info, "email", json_object_new_string(p.user.email));
	json_object_object_add(info, "full_name", users_full_name(&p.user));
	json_object_object_add(info, "role", json_object_new_string(p.user.role));
	json_object_object_add(o, "user_info", info);
	log_info("MCP token issued", "user_id", p.user.id, "jti", mc.jti);
	response_json(resp, 200, o);
	OPENSSL_cleanse(token, strlen(token));
	free(token);
}
