/*
 * accounts: FastAPI-Users' account rules (see accounts.h).  E-mail checks
 * follow email-validator 2 as pydantic 2's EmailStr runs it (no
 * deliverability check); messages are email-validator's sentences so a
 * client that shows them shows the same words.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "accounts.h"
#include "app.h"
#include "arena.h"
#include "authn.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "throttle.h"
#include "users.h"

#define EMAIL_INPUT_MAX		2048	/* pydantic's MAX_EMAIL_LENGTH */
#define EMAIL_LOCAL_MAX		64
#define EMAIL_TOTAL_MAX		254
#define EMAIL_LABEL_MAX		63

static const char *const special_domains[] = {
	"arpa", "invalid", "local", "localhost", "onion", "test", NULL
};

/* --- e-mail ------------------------------------------------------------ */

static int
atext(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* "The … contains invalid characters …: 'x', 'y'." in the arena. */
static const char *
invalid_chars(struct arena *a, const char *prefix, const char *s, size_t n,
    int (*ok)(unsigned char))
{
	char	 seen[256] = { 0 }, list[200];
	size_t	 i, o = 0;

	list[0] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || ok(c) || seen[c])
			continue;
		seen[c] = 1;
		if (o + 8 < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s'%c'",
			    o > 0 ? ", " : "", isprint(c) ? c : '?');
	}
	return arena_printf(a, "%s%s.", prefix, list);
}

static int
local_ok(unsigned char c)
{
	return atext(c) || c == '.';
}

static int
domain_ok(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.';
}

static const char *
check_domain(struct arena *a, char *d, size_t n)
{
	const char	*label, *last = d;
	size_t		 i, llen;
	int		 digits_only = 1;

	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x80)
			d[i] = (char)tolower((unsigned char)d[i]);
	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] < 0x80 && !domain_ok((unsigned char)d[i]))
			return invalid_chars(a, "The part after the @-sign contains "
			    "invalid characters: ", d, n, domain_ok);
	if (d[0] == '.')
		return "An email address cannot have a period immediately after the @-sign.";
	if (d[n - 1] == '.')
		return "An email address cannot end with a period.";
	if (strstr(d, "..") != NULL)
		return "An email address cannot have two periods in a row.";
	if (d[0] == '-')
		return "An email address cannot have a hyphen immediately after the @-sign.";
	if (d[n - 1] == '-')
		return "An email address cannot end with a hyphen.";
	if (strstr(d, ".-") != NULL || strstr(d, "-.") != NULL)
		return "An email address cannot have a period and a hyphen next to each other.";
	for (label = d; label != NULL; label = strchr(label, '.') ? strchr(label, '.') + 1 : NULL) {
		llen = strcspn(label, ".");
		if (llen > EMAIL_LABEL_MAX)
			return arena_printf(a, "After the @-sign, periods cannot be "
			    "separated by so many characters (%zu character%s too many).",
			    llen - EMAIL_LABEL_MAX, llen - EMAIL_LABEL_MAX == 1 ? "" : "s");
		last = label;
	}
	if (strchr(d, '.') == NULL) {
		for (i = 0; special_domains[i] != NULL; i++)
			if (strcmp(d, special_domains[i]) == 0)
				return "The part after the @-sign is a special-use or "
				    "reserved name that cannot be used with email.";
		return "The part after the @-sign is not valid. It should have a period.";
	}
	for (i = 0; special_domains[i] != NULL; i++)
		if (strcmp(last, special_domains[i]) == 0)
			return "The part after the @-sign is a special-use or reserved "
			    "name that cannot be used with email.";
	for (i = 0; last[i] != '\0'; i++)
		if (!isdigit((unsigned char)last[i]))
			digits_only = 0;
	if (digits_only)
		return "The part after the @-sign is not valid. It is not within a "
		    "valid top-level domain.";
	return NULL;
}

const char *
accounts_email_normalize(struct arena *a, const char *in, const char **reason)
{
	const char	*lt, *at;
	char		*s, *local, *domain;
	size_t		 n, llen, dlen, i;
	long		 chars;

	*reason = NULL;
	if ((n = strlen(in)) > EMAIL_INPUT_MAX) {
		*reason = "Length must not exceed 2048 characters";
		return NULL;
	}
	while (n > 0 && isspace((unsigned char)in[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*in)) {
		in++;
		n--;
	}
	/* pydantic's "pretty" form: Display Name <addr> */
	if (n > 0 && in[n - 1] == '>' && (lt = memchr(in, '<', n)) != NULL) {
		n = (size_t)(in + n - 1 - (lt + 1));
		in = lt + 1;
	}
	if ((s = arena_strndup(a, in, n)) == NULL) {
		*reason = "Out of memory";
		return NULL;
	}
	if ((at = strrchr(s, '@')) == NULL) {
		*reason = "An email address must have an @-sign.";
		return NULL;
	}
	local = s;
	llen = (size_t)(at - s);
	domain = (char *)at + 1;
	dlen = strlen(domain);
	if (llen == 0) {
		*reason = "There must be something before the @-sign.";
		return NULL;
	}
	if (dlen == 0) {
		*reason = "There must be something after the @-sign.";
		return NULL;
	}
	for (i = 0; i < llen; i++)
		if ((unsigned char)local[i] < 0x80 && !local_ok((unsigned char)local[i])) {
			*reason = invalid_chars(a, "The email address contains "
			    "invalid characters before the @-sign: ", local, llen,
			    local_ok);
			return NULL;
		}
	if (utf8_length(s, n) < 0) {
		*reason = "The email address contains invalid characters.";
		return NULL;
	}
	if (local[0] == '.') {
		*reason = "An email address cannot start with a period.";
		return NULL;
	}
	if (local[llen - 1] == '.') {
		*reason = "An email address cannot have a period immediately before the @-sign.";
		return NULL;
	}
	for (i = 0; i + 1 < llen; i++)
		if (local[i] == '.' && local[i + 1] == '.') {
			*reason = "An email address cannot have two periods in a row.";
			return NULL;
		}
	if ((chars = utf8_length(local, llen)) > EMAIL_LOCAL_MAX) {
		*reason = arena_printf(a, "The email address is too long before the "
		    "@-sign (%ld character%s too many).", chars - EMAIL_LOCAL_MAX,
		    chars - EMAIL_LOCAL_MAX == 1 ? "" : "s");
		return NULL;
	}
	if ((*reason = check_domain(a, domain, dlen)) != NULL)
		return NULL;
	if ((chars = utf8_length(s, n)) > EMAIL_TOTAL_MAX) {
		*reason = arena_printf(a, "The email address is too long (%ld "
		    "character%s too many).", chars - EMAIL_TOTAL_MAX,
		    chars - EMAIL_TOTAL_MAX == 1 ? "" : "s");
		return NULL;
	}
	return s;
}

const char *
accounts_password_reason(const char *password, const char *email)
{
	long	 n = utf8_length(password, strlen(password));

	if (n < ACCOUNTS_PASSWORD_MIN)
		return "Password should be at least 8 characters";
	if (email != NULL && strstr(password, email) != NULL)
		return "Password should not contain e-mail";
	return NULL;
}

/* --- helpers ------------------------------------------------------------ */

static void
detail_code(struct response *resp, int status, const char *code)
{
	response_error(resp, status, code);
}

void
accounts_detail_reason(struct response *resp, const char *code, const char *reason)
{
	struct json_object	*o = json_object_new_object(), *d;

	d = json_object_new_object();
	json_object_object_add(d, "code", json_object_new_string(code));
	json_object_object_add(d, "reason", json_object_new_string(reason));
	json_object_object_add(o, "detail", d);
	response_json(resp, 400, o);
}

int
accounts_email_field(struct request *req, struct json_object *obj, int flags,
    struct json_object *errs, const char **out)
{
	const char		*raw, *reason;
	struct json_object	*ctx, *in;
	int			 rc;

	*out = NULL;
	/* A NUL is EmailStr's complaint before it is a string's. */
	if (json_object_object_get_ex(obj, "email", &in) &&
	    json_object_is_type(in, json_type_string) &&
	    (size_t)json_object_get_string_len(in) != strlen(json_object_get_string(in))) {
		raw = NULL;
		reason = "The email address contains invalid characters.";
		goto invalid;
	}
	if ((rc = json_field_string(obj, "email", flags, 0, EMAIL_INPUT_MAX * 4,
	    &raw, errs)) != 1)
		return rc;
	if ((*out = accounts_email_normalize(req->arena, raw, &reason)) != NULL)
		return 1;
invalid:
	ctx = json_object_new_object();
	json_object_object_add(ctx, "reason", json_object_new_string(reason));
	in = raw != NULL ? json_object_new_string(raw) : json_object_get(in);
	json_error_add(errs, "value_error", arena_printf(req->arena,
	    "value is not a valid email address: %s", reason), in, ctx, "body",
	    "email");
	json_object_put(in);
	return -1;
}

int
accounts_store_error(struct response *resp, int e)
{
	log_error("user store failed", "error", users_strerror((enum users_err)e));
	response_error(resp, 503, "Database unavailable");
	return -1;
}

/* --- register ----------------------------------------------------------- */

void
accounts_register(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *obj;
	struct user		 u, existing;
	const char		*email = NULL, *pw = NULL, *first = NULL, *last = NULL;
	const char		*reason;
	char			 hash[PASSWORD_HASH_MAX];
	int			 ignored;
	enum users_err		 e;

	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return;
	}
	/* UserCreate: the privileged flags are type-checked, then ignored. */
	accounts_email_field(req, obj, JSON_REQUIRED, errs, &email);
	json_field_string(obj, "password", JSON_REQUIRED, 0, ACCOUNTS_PASSWORD_MAX,
	    &pw, errs);
	json_field_bool(obj, "is_active", JSON_NULLABLE, &ignored, errs);
	json_field_bool(obj, "is_superuser", JSON_NULLABLE, &ignored, errs);
	json_field_bool(obj, "is_verified", JSON_NULLABLE, &ignored, errs);
	json_field_string(obj, "first_name", JSON_NULLABLE, 0, USERS_NAME_MAX,
	    &first, errs);
	json_field_string(obj, "last_name", JSON_NULLABLE, 0, USERS_NAME_MAX,
	    &last, errs);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	if ((reason = accounts_password_reason(pw, email)) != NULL) {
		accounts_detail_reason(resp, "REGISTER_INVALID_PASSWORD", reason);
		goto out;
	}
	e = users_find_by_email(app->db, req->arena, email, &existing);
	if (e == USERS_OK) {
		detail_code(resp, 400, "REGISTER_USER_ALREADY_EXISTS");
		goto out;
	}
	if (e != USERS_NOTFOUND) {
		accounts_store_error(resp, e);
		goto out;
	}
	if (password_hash(&app->password, pw, strlen(pw), hash, sizeof(hash)) != 0) {
		response_error(resp, 503, "Service Unavailable");
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.email = email;
	u.hashed_password = hash;
	u.is_active = 1;
	u.role = "user";
	u.first_name = first != NULL ? arena_strdup(req->arena, first) : NULL;
	u.last_name = last != NULL ? arena_strdup(req->arena, last) : NULL;
	if ((e = users_create(app->db, req->arena, &u)) == USERS_EXISTS)
		detail_code(resp, 400, "REGISTER_USER_ALREADY_EXISTS");
	else if (e != USERS_OK)
		accounts_store_error(resp, e);
	else {
		req->user_id = arena_strdup(req->arena, u.id);
		log_info("user registered", "user_id", u.id);
		response_json(resp, 201, users_to_json(&u));
	}
	OPENSSL_cleanse(hash, sizeof(hash));
out:
	json_object_put(errs);
	json_object_put(obj);
}

/* --- login ---------------------------------------------------------------- */

/*
 * A form field as FastAPI's Form(): absent or "" is missing when required.
 * Returns 1 present, 0 absent, -1 error added.
 */
static int
form_field(struct request *req, const char *name, int required, size_t max,
    struct json_object *errs, const char **out)
{
	const struct kv		*kv = request_form_field(req, name);
	struct json_object	*in, *ctx;
	long			 n;

	*out = NULL;
	if (kv == NULL || kv->value_len == 0) {
		if (!required)
			return 0;
		json_error_add(errs, "missing", "Field required", NULL, NULL,
		    "body", name);
		return -1;
	}
	if (kv->is_file || (n = utf8_length(kv->value, kv->value_len)) < 0) {
		json_error_add(errs, "string_type", "Input should be a valid string",
		    NULL, NULL, "body", name);
		return -1;
	}
	if ((size_t)n > max) {
		in = json_object_new_string_len(kv->value, (int)kv->value_len);
		ctx = json_object_new_object();
		json_object_object_add(ctx, "max_length", json_object_new_int64((int64_t)max));
		json_error_add(errs, "string_too_long", arena_printf(req->arena,
		    "String should have at most %zu characters", max), in, ctx,
		    "body", name);
		json_object_put(in);
		return -1;
	}
	*out = kv->value;
	return 1;
}

void
accounts_login(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *o, *in, *ctx;
	const struct kvlist	*form;
	const char		*username, *pw, *grant, *scope, *addr;
	struct user		 u;
	struct access_claims	 claims;
	struct throttle_limits	 lim;
	char			 hash[PASSWORD_HASH_MAX], *token = NULL;
	int64_t			 now = (int64_t)time(NULL), retry;
	enum password_result	 pr;
	enum users_err		 e;
	enum throttle_err	 te;

	if (request_form(req, &form) != REQUEST_OK) {
		response_error(resp, 400, "There was an error parsing the body");
		goto out;
	}
	form_field(req, "grant_type", 0, 64, errs, &grant);
	if (grant != NULL && strcmp(grant, "password") != 0) {
		in = json_object_new_string(grant);
		ctx = json_object_new_object();
		json_object_object_add(ctx, "pattern", json_object_new_string("^password$"));
		json_error_add(errs, "string_pattern_mismatch",
		    "String should match pattern '^password$'", in, ctx, "body",
		    "grant_type");
		json_object_put(in);
	}
	form_field(req, "username", 1, EMAIL_INPUT_MAX, errs, &username);
	form_field(req, "password", 1, ACCOUNTS_PASSWORD_MAX, errs, &pw);
	form_field(req, "scope", 0, 1024, errs, &scope);
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	/* Login throttling (throttle.h), before any lookup or hash. */
	throttle_limits_from_config(&lim, &app->config);
	addr = request_param(req, "REMOTE_ADDR");
	if ((te = throttle_check(app->db, &lim, username, addr, now, &retry)) ==
	    THROTTLE_BLOCKED) {
		response_error(resp, 429, "Too many failed login attempts");
		response_set_header(resp, "Retry-After",
		    arena_printf(req->arena, "%lld", (long long)retry));
		goto out;
	}
	if (te != THROTTLE_OK) {
		log_error("login throttle failed", "error", throttle_strerror(te));
		response_error(resp, 503, "Database unavailable");
		goto out;
	}
	e = users_find_by_email(app->db, req->arena, username, &u);
	if (e != USERS_OK && e != USERS_NOTFOUND) {
		accounts_store_error(resp, e);
		goto out;
	}
	if (e == USERS_NOTFOUND) {
		/* Unknown accounts pay one hash too: timing tells nothing. */
		password_dummy_verify(&app->password, pw, strlen(pw));
		goto bad_credentials;
	}
	pr = password_verify(&app->password, pw, strlen(pw), u.hashed_password);
	if (pr == PASSWORD_ERROR) {
		response_error(resp, 503, "Service Unavailable");
		goto out;
	}
	if (pr == PASSWORD_MISMATCH || !u.is_active)
		goto bad_credentials;
	/* FastAPI-Users' requires_verification: after the password, so it
	 * tells only the account's owner. */
	if ((app->config.require_verified_login & 1) && !u.is_verified) {
		detail_code(resp, 400, "LOGIN_USER_NOT_VERIFIED");
		goto out;
	}
	/* A stale count only delays a later lock-out: logged, not fatal. */
	if ((te = throttle_success(app->db, username)) != THROTTLE_OK)
		log_warn("login throttle reset failed", "error", throttle_strerror(te));
	req->user_id = arena_strdup(req->arena, u.id);
	if (pr == PASSWORD_OK_REHASH &&
	    password_hash(&app->password, pw, strlen(pw), hash, sizeof(hash)) == 0) {
		/* pwdlib's verify_and_update: move old hashes to Argon2id. */
		u.hashed_password = hash;
		if (users_update(app->db, &u) == USERS_OK)
			log_info("password hash upgraded", "user_id", u.id);
	}
	(void)users_touch_login(app->db, u.id);
	if (tokens_issue(&app->tokens, u.id, u.token_generation, (int64_t)time(NULL),
	    &token, &claims) != TOKENS_OK) {
		response_error(resp, 503, "Service Unavailable");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(token));
	json_object_object_add(o, "token_type", json_object_new_string("bearer"));
	response_json(resp, 200, o);
	goto out;
bad_credentials:
	/* Not counted means not throttled: refuse rather than answer 400. */
	if ((te = throttle_fail(app->db, &lim, username, addr, now)) != THROTTLE_OK) {
		log_error("login throttle failed", "error", throttle_strerror(te));
		response_error(resp, 503, "Database unavailable");
		goto out;
	}
	detail_code(resp, 400, "LOGIN_BAD_CREDENTIALS");
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	if (token != NULL) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
	json_object_put(errs);
}

/* --- update --------------------------------------------------------------- */

void
accounts_update(struct request *req, struct response *resp, struct user *u,
    int safe, const struct principal *self)
{
	struct app		*app = req->app;
	struct json_object	*errs = json_object_new_array(), *obj, *v, *ctx;
	const char		*email = NULL, *pw = NULL, *first = NULL, *last = NULL;
	const char		*role = NULL, *reason;
	char			 hash[PASSWORD_HASH_MAX];
	struct user		 other;
	int			 active = -1, super = -1, verified = -1, has_first, has_last;
	enum users_err		 e;

	hash[0] = '\0';
	if ((obj = json_body_object(req, errs)) == NULL) {
		response_validation(resp, errs);
		return;
	}
	accounts_email_field(req, obj, JSON_NULLABLE, errs, &email);
	json_field_string(obj, "password", JSON_NULLABLE, 0, ACCOUNTS_PASSWORD_MAX,
	    &pw, errs);
	has_first = json_field_string(obj, "first_name", JSON_NULLABLE, 0,
	    USERS_NAME_MAX, &first, errs);
	has_last = json_field_string(obj, "last_name", JSON_NULLABLE, 0,
	    USERS_NAME_MAX, &last, errs);
	/* UserUpdate type-checks the privileged fields even where the safe
	 * update then drops them. */
	{
		json_field_bool(obj, "is_active", JSON_NULLABLE, &active, errs);
		json_field_bool(obj, "is_superuser", JSON_NULLABLE, &super, errs);
		json_field_bool(obj, "is_verified", JSON_NULLABLE, &verified, errs);
		if (json_field_string(obj, "role", JSON_NULLABLE, 0, USERS_ROLE_MAX,
		    &role, errs) == 1 && authn_role_parse(role) == ROLE__MAX) {
			json_object_object_get_ex(obj, "role", &v);
			ctx = json_object_new_object();
			json_object_object_add(ctx, "expected",
			    json_object_new_string("'user', 'premium' or 'admin'"));
			json_error_add(errs, "enum", "Input should be 'user', 'premium' "
			    "or 'admin'", v, ctx, "body", "role");
		}
	}
	if (json_object_array_length(errs) > 0) {
		response_validation(resp, errs);
		errs = NULL;
		goto out;
	}
	/* A present null first_name/last_name clears it (exclude_unset). */
	if (json_object_object_get_ex(obj, "first_name", &v))
		u->first_name = has_first == 1 ? arena_strdup(req->arena, first) : NULL;
	if (json_object_object_get_ex(obj, "last_name", &v))
		u->last_name = has_last == 1 ? arena_strdup(req->arena, last) : NULL;
	/* FastAPI-Users compares the exact string, then looks the address up
	 * without regard to case: a new capitalisation of one's own e-mail
	 * finds oneself and is refused. */
	if (email != NULL && strcmp(email, u->email) != 0) {
		e = users_find_by_email(app->db, req->arena, email, &other);
		if (e == USERS_OK) {
			detail_code(resp, 400, "UPDATE_USER_EMAIL_ALREADY_EXISTS");
			goto out;
		}
		if (e != USERS_NOTFOUND) {
			accounts_store_error(resp, e);
			goto out;
		}
		u->email = email;
		u->is_verified = 0;
	}
	if (pw != NULL) {
		/* Checked against the e-mail the account has now. */
		if ((reason = accounts_password_reason(pw, u->email)) != NULL) {
			accounts_detail_reason(resp, "UPDATE_USER_INVALID_PASSWORD", reason);
			goto out;
		}
		if (password_hash(&app->password, pw, strlen(pw), hash, sizeof(hash)) != 0) {
			response_error(resp, 503, "Service Unavailable");
			goto out;
		}
		/* Every other access token of this user stops working. */
		users_set_password(u, hash, self != NULL &&
		    strcmp(self->user.id, u->id) == 0 ? self->claims.jti : NULL);
	}
	if (safe)
		active = super = verified = -1, role = NULL;
	if (active >= 0)
		u->is_active = active;
	if (super >= 0)
		u->is_superuser = super;
	if (verified >= 0)
		u->is_verified = verified;
	if (role != NULL)
		u->role = role;
	if ((e = users_update(app->db, u)) == USERS_EXISTS)
		detail_code(resp, 400, "UPDATE_USER_EMAIL_ALREADY_EXISTS");
	else if (e == USERS_NOTFOUND)
		response_error(resp, 404, "Not Found");
	else if (e != USERS_OK)
		accounts_store_error(resp, e);
	else
		response_json(resp, 200, users_to_json(u));
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	json_object_put(errs);
	json_object_put(obj);
}
