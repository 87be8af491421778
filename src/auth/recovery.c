/*
 * recovery: FastAPI-Users' reset-password and verify routers —
 * POST /auth/forgot-password, /auth/reset-password,
 * /auth/request-verify-token and /auth/verify — with their tokens from
 * libcommon's tokens (tokens_recovery.c) and their mail from mail.
 *
 * forgot-password and request-verify-token answer 202 null whatever the
 * address: known or not, active or not, mailed or rate-limited.  What
 * differs (a token signed, a mail handed over) costs well under a
 * millisecond and the mail itself leaves from another process, so the
 * answer's timing does not tell either.  Mails per recipient are limited
 * by MAIL_RATE_LIMIT, so the endpoint cannot be used to flood a mailbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "accounts.h"
#include "app.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mail.h"
#include "password.h"
#include "ratelimit.h"
#include "refresh.h"
#include "throttle.h"
#include "tokens.h"
#include "users.h"
#include "recovery.h"

/* Body token fields are capped well above any token we mint. */
#define JWT_FIELD_MAX	4096

static void
free_token(char *t)
{
	if (t != NULL) {
		OPENSSL_cleanse(t, strlen(t));
		free(t);
	}
}

/*
 * Whether another mail may go to this address now (MAIL_RATE_LIMIT).  A
 * database failure lets the mail go: the limit guards a mailbox, a lost
 * reset mail would lock a user out.
 */
static int
mail_allowed(struct request *req, const struct user *u)
{
	struct rate_limit	 rl;
	struct ratelimit_result	 r;
	const char		*key;
	char			*p;

	if (ratelimit_parse(req->app->config.mail_rate_limit, &rl) != 0)
		return 1;
	if ((key = arena_printf(req->arena, "mail:%s", u->email)) == NULL)
		return 1;
	for (p = (char *)key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (ratelimit_hit(req->app->db, key, &rl, ratelimit_now_us(), &r) != RATELIMIT_OK)
		return 1;
	if (!r.allowed)
		log_warn("mail rate-limited", "user_id", u->id, "kind", "recovery");
	return r.allowed;
}

static void
send_token(struct request *req, const struct user *u, enum mail_kind kind,
    const char *token)
{
	struct mail_msg	 m;
	enum mail_err	 e;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	m.to = u->email;
	m.token = token;
	/* Failures are logged by mail (without the token); the client is
	 * told nothing either way. */
	e = mail_send_detached(&req->app->config, &m);
	if (e == MAIL_ENOTCONFIGURED)
		log_warn("mail not sent: neither MAIL_OUTBOX_FILE nor MAIL_SMTP_URL "
		    "is set", "kind", mail_kind_name(kind), "user_id", u->id);
	else if (e == MAIL_OK)
		log_info("mail handed over", "kind", mail_kind_name(kind),
		    "user_id", u->id);
}

/*
 * The shared front of forgot-password and request-verify-token: a JSON
 * object with an EmailStr "email" (422 otherwise), the user it names.
 * Returns 1 with *u filled, 0 when the answer is already 202 (no such
 * user) or an error, which is then in resp.
 */
static int
email_request(struct request *req, struct response *resp, struct user *u)
{
	struct json_object	*errs = json_object_new_array(), *obj;
	const char		*email = NULL;
	enum users_err		 e;
	int			 ret = 0;

	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return 0;
	}
	accounts_email_field(req, obj, JSON_REQUIRED, errs, &email);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	e = users_find_by_email(req->app->db, req->arena, email, u);
	if (e == USERS_OK)
		ret = 1;
	else if (e == USERS_NOTFOUND)
		response_json(resp, 202, NULL);
	else
		accounts_store_error(resp, e);
out:
	json_object_put(errs);
	json_object_put(obj);
	return ret;
}

/* POST /auth/forgot-password {"email"} — 202 null, always. */
void
recovery_forgot(struct request *req, struct response *resp)
{
	struct user	 u;
	char		*token = NULL;

	if (!email_request(req, resp, &u))
		return;
	response_json(resp, 202, NULL);
	if (!u.is_active || !mail_allowed(req, &u))
		return;
	if (tokens_reset_issue(&req->app->tokens, &u, (int64_t)time(NULL),
	    &token) != TOKENS_OK) {
		log_error("reset token not issued", "user_id", u.id);
		return;
	}
	send_token(req, &u, MAIL_RESET, token);
	free_token(token);
}

/* POST /auth/request-verify-token {"email"} — 202 null, always. */
void
recovery_request_verify(struct request *req, struct response *resp)
{
	struct user	 u;
	char		*token = NULL;

	if (!email_request(req, resp, &u))
		return;
	response_json(resp, 202, NULL);
	if (!u.is_active || u.is_verified || !mail_allowed(req, &u))
		return;
	if (tokens_verify_issue(&req->app->tokens, &u, (int64_t)time(NULL),
	    &token) != TOKENS_OK) {
		log_error("verify token not issued", "user_id", u.id);
		return;
	}
	send_token(req, &u, MAIL_VERIFY, token);
	free_token(token);
}

struct reset_tx {
	const struct tokens	*tokens;
	struct arena		*arena;
	const char		*user_id;
	const char		*fgpt;
	const char		*hash;		/* the new one */
	struct user		 u;
	int			 outcome;	/* 0 done, 1 bad token */
};

/*
 * Re-reads the user and re-checks the fingerprint inside the write
 * transaction, so two resets racing with one token cannot both win: the
 * second finds the hash changed.  May run more than once (db_transaction).
 */
static enum db_err
reset_apply(struct db *db, void *arg)
{
	struct reset_tx	*tx = arg;
	enum users_err	 e;

	tx->outcome = 1;
	e = users_find_by_id(db, tx->arena, tx->user_id, &tx->u);
	if (e == USERS_NOTFOUND)
		return DB_OK;
	if (e != USERS_OK)
		return DB_ERROR;
	if (!tx->u.is_active ||
	    !tokens_reset_matches(tx->tokens, tx->fgpt, tx->u.hashed_password))
		return DB_OK;
	/* Every access token of the user dies with the old password. */
	users_set_password(&tx->u, tx->hash, NULL);
	if (users_update(db, &tx->u) != USERS_OK)
		return DB_ERROR;
	tx->outcome = 0;
	return DB_OK;
}

/* POST /auth/reset-password {"token","password"} — 200 null. */
void
recovery_reset(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *obj;
	struct reset_tx		 tx;
	const char		*token = NULL, *pw = NULL, *reason;
	char			 sub[USERS_ID_LEN + 1], *fgpt = NULL;
	char			 hash[PASSWORD_HASH_MAX];
	struct user		 u;
	enum users_err		 e;

	hash[0] = '\0';
	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return;
	}
	json_field_string(obj, "token", JSON_REQUIRED, 0, JWT_FIELD_MAX, &token, errs);
	json_field_string(obj, "password", JSON_REQUIRED, 0, ACCOUNTS_PASSWORD_MAX,
	    &pw, errs);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	/* The token first, as FastAPI-Users: a bad one is BAD_TOKEN whatever
	 * the password. */
	if (tokens_reset_check(&app->tokens, token, strlen(token), (int64_t)time(NULL),
	    sub, &fgpt) != TOKENS_OK)
		goto bad_token;
	e = users_find_by_id(app->db, req->arena, sub, &u);
	if (e == USERS_NOTFOUND)
		goto bad_token;
	if (e != USERS_OK) {
		accounts_store_error(resp, e);
		goto out;
	}
	if (!u.is_active || !tokens_reset_matches(&app->tokens, fgpt, u.hashed_password))
		goto bad_token;
	if ((reason = accounts_password_reason(pw, u.email)) != NULL) {
		accounts_detail_reason(resp, "RESET_PASSWORD_INVALID_PASSWORD", reason);
		goto out;
	}
	/* The slow hash outside the transaction; the checks again inside. */
	if (password_hash(&app->password, pw, strlen(pw), hash, sizeof(hash)) != 0) {
		response_error(resp, 503, "Service Unavailable");
		goto out;
	}
	memset(&tx, 0, sizeof(tx));
	tx.tokens = &app->tokens;
	tx.arena = req->arena;
	tx.user_id = u.id;
	tx.fgpt = fgpt;
	tx.hash = hash;
	if (db_transaction(app->db, reset_apply, &tx) != DB_OK) {
		response_error(resp, 503, "Database unavailable");
		goto out;
	}
	if (tx.outcome != 0)
		goto bad_token;
	/* The generation bump already refuses the user's refresh tokens at
	 * their next use; this ends their families now. */
	if (refresh_revoke_user(app->db, tx.u.id, (int64_t)time(NULL)) != REFRESH_OK)
		log_warn("refresh families not revoked", "user_id", tx.u.id);
	/* Whoever reset the password owns the mailbox: past failures of the
	 * lost password no longer count against the account. */
	(void)throttle_success(app->db, tx.u.email);
	req->user_id = arena_strdup(req->arena, u.id);
	log_info("password reset", "user_id", u.id);
	response_json(resp, 200, NULL);
	goto out;
bad_token:
	response_error(resp, 400, "RESET_PASSWORD_BAD_TOKEN");
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	free(fgpt);
	json_object_put(errs);
	json_object_put(obj);
}

/* POST /auth/verify {"token"} — 200 with the user. */
void
recovery_verify(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *obj;
	const char		*token = NULL;
	char			 sub[USERS_ID_LEN + 1], *email = NULL;
	struct user		 u;
	enum users_err		 e;

	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return;
	}
	json_field_string(obj, "token", JSON_REQUIRED, 0, JWT_FIELD_MAX, &token, errs);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	if (tokens_verify_check(&app->tokens, token, strlen(token), (int64_t)time(NULL),
	    sub, &email) != TOKENS_OK)
		goto bad_token;
	/* As FastAPI-Users: the user of the e-mail, which must be the sub;
	 * an address changed since the token was sent no longer matches. */
	e = users_find_by_email(app->db, req->arena, email, &u);
	if (e == USERS_NOTFOUND)
		goto bad_token;
	if (e != USERS_OK) {
		accounts_store_error(resp, e);
		goto out;
	}
	if (strcmp(u.id, sub) != 0)
		goto bad_token;
	if (u.is_verified) {
		response_error(resp, 400, "VERIFY_USER_ALREADY_VERIFIED");
		goto out;
	}
	u.is_verified = 1;
	if ((e = users_update(app->db, &u)) != USERS_OK) {
		accounts_store_error(resp, e);
		goto out;
	}
	req->user_id = arena_strdup(req->arena, u.id);
	log_info("e-mail verified", "user_id", u.id);
	response_json(resp, 200, users_to_json(&u));
	goto out;
bad_token:
	response_error(resp, 400, "VERIFY_USER_BAD_TOKEN");
out:
	free(email);
	json_object_put(errs);
	json_object_put(obj);
}
