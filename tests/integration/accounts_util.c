/*
 * accounts_util: checks, requests, accounts and hand-minted JWTs for the
 * accounts integration tests (see accounts_util.h).  Tokens are made here
 * with OpenSSL's HMAC and our own base64url, never with libcommon's jwt
 * module, so the tests judge the programs from the contract alone.  The
 * database is written through libcommon's db_* on the harness's
 * DATABASE_URL (the harness cannot feed the admin tool a password on
 * stdin), which is what `sqlite3 DB "UPDATE …"` or psql would do.
 */
#include "accounts_util.h"
#include "case_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"

const char *const au_user_keys[AU_USER_KEYS] = {
	"id", "email", "is_active", "is_superuser", "is_verified",
	"first_name", "last_name", "role", "created_at", "last_login",
};

/* ---- checks (case_util.h) ---- */

void
au_bad(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	case_vbad(line, fmt, ap);
	va_end(ap);
}

void
au_begin(void)
{
	case_begin();
}

void
au_end(void)
{
	case_end();
}

int
au_failures(void)
{
	return case_failures;
}

int
au_matches(const char *re, const char *s)
{
	return case_matches(re, s);
}

int
au_is_json(const struct http_resp *r)
{
	return case_is_json(r);
}

const char *
au_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
au_jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return -1;
	return json_object_get_boolean(v) ? 1 : 0;
}

int
au_jnull(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, &v) && v == NULL;
}

static const char *
ctype(const struct http_resp *r)
{
	const char *ct = http_resp_header(r, "Content-Type");

	return ct != NULL ? ct : "(none)";
}

void
au_check_no_5xx(int line, const struct http_resp *r)
{
	if (r->status == 0)
		au_bad(line, "no HTTP answer");
	else if (r->status >= 500)
		au_bad(line, "status %ld: a client's request must never give a 5xx "
		    "(body %.200s)", r->status, r->body);
}

void
au_check_4xx(int line, const struct http_resp *r)
{
	if (r->status < 400 || r->status > 499)
		au_bad(line, "status %ld, want a 4xx (body %.200s)", r->status,
		    r->body ? r->body : "");
}

void
au_check_error(int line, const struct http_resp *r, long status, const char *detail)
{
	const char *d = http_resp_detail(r);

	if (r->status != status) {
		au_bad(line, "status %ld, want %ld (body %.300s)", r->status, status,
		    r->body ? r->body : "");
		return;
	}
	if (!au_is_json(r))
		au_bad(line, "Content-Type \"%s\", want application/json", ctype(r));
	if (detail != NULL && (d == NULL || strcmp(d, detail) != 0))
		au_bad(line, "detail \"%s\", want \"%s\" (body %.300s)",
		    d ? d : "(none)", detail, r->body);
}

void
au_check_code(int line, const struct http_resp *r, const char *code,
    const char *reason)
{
	struct json_object *d;
	const char *c, *why;

	if (r->status != 400) {
		au_bad(line, "status %ld, want 400 %s (body %.300s)", r->status, code,
		    r->body ? r->body : "");
		return;
	}
	if (!au_is_json(r))
		au_bad(line, "Content-Type \"%s\", want application/json", ctype(r));
	if (r->json == NULL || !json_object_object_get_ex(r->json, "detail", &d) ||
	    !json_object_is_type(d, json_type_object)) {
		au_bad(line, "detail is not an object {code, reason}: %.300s", r->body);
		return;
	}
	c = au_jstr(d, "code");
	why = au_jstr(d, "reason");
	if (c == NULL || strcmp(c, code) != 0)
		au_bad(line, "code \"%s\", want \"%s\"", c ? c : "(none)", code);
	if (why == NULL)
		au_bad(line, "no string reason: %.300s", r->body);
	else if (reason != NULL && strcmp(why, reason) != 0)
		au_bad(line, "reason \"%s\", want \"%s\"", why, reason);
	if (json_object_object_length(d) != 2)
		au_bad(line, "detail has keys besides code and reason: %.300s", r->body);
}

void
au_check_401(int line, const struct http_resp *r, int invalid_token)
{
	const char *wa;

	au_check_error(line, r, 401, "Unauthorized");
	if (r->status != 401)
		return;
	wa = http_resp_header(r, "WWW-Authenticate");
	if (wa == NULL) {
		au_bad(line, "401 without WWW-Authenticate");
		return;
	}
	if (strncasecmp(wa, "Bearer", 6) != 0 || (wa[6] != '\0' && wa[6] != ' '))
		au_bad(line, "WWW-Authenticate \"%s\", want the Bearer scheme", wa);
	if (invalid_token == 1 && strstr(wa, "error=\"invalid_token\"") == NULL)
		au_bad(line, "WWW-Authenticate \"%s\", want error=\"invalid_token\"", wa);
	if (invalid_token == 0 && strstr(wa, "invalid_token") != NULL)
		au_bad(line, "WWW-Authenticate \"%s\" says invalid_token, but no "
		    "token was sent", wa);
}

/* Whether loc (a JSON array) is the dotted spec. */
static int
loc_is(struct json_object *loc, const char *spec)
{
	char buf[256], *save = NULL, *part;
	size_t i = 0, n;

	if (loc == NULL || !json_object_is_type(loc, json_type_array))
		return 0;
	if (spec == NULL)
		return 1;
	n = json_object_array_length(loc);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (part = strtok_r(buf, ".", &save); part != NULL;
	    part = strtok_r(NULL, ".", &save), i++) {
		struct json_object *e = i < n ? json_object_array_get_idx(loc, i) : NULL;

		if (e == NULL)
			return 0;
		if (strcmp(part, "#") == 0) {
			if (!json_object_is_type(e, json_type_int))
				return 0;
		} else if (!json_object_is_type(e, json_type_string) ||
		    strcmp(json_object_get_string(e), part) != 0) {
			return 0;
		}
	}
	return i == n;
}

int
au_has_422(const struct http_resp *r, const char *type, const char *loc)
{
	struct json_object *d;

	if (r->status != 422 || r->json == NULL ||
	    !json_object_object_get_ex(r->json, "detail", &d) ||
	    !json_object_is_type(d, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *it = json_object_array_get_idx(d, i), *l;
		const char *t = au_jstr(it, "type");

		if (t == NULL || (type != NULL && strcmp(t, type) != 0))
			continue;
		if (!json_object_object_get_ex(it, "loc", &l) || !loc_is(l, loc))
			continue;
		return 1;
	}
	return 0;
}

/* pydantic 2's messages for the error types the contract names. */
static const struct {
	const char	*type;
	const char	*msg_re;
} pydantic_msgs[] = {
	{ "missing", "^Field required$" },
	{ "string_type", "^Input should be a valid string$" },
	{ "string_too_long", "^String should have at most [0-9]+ characters?$" },
	{ "bool_parsing", "^Input should be a valid boolean, unable to interpret input$" },
	{ "bool_type", "^Input should be a valid boolean$" },
	{ "json_invalid", "^JSON decode error$" },
	{ "model_attributes_type",
	    "^Input should be a valid dictionary or object to extract fields from$" },
	{ "string_pattern_mismatch", "^String should match pattern '.*'$" },
};

/* The message of a 422 item, when pydantic's for its type is known. */
static void
check_msg(int line, struct json_object *it)
{
	const char *t = au_jstr(it, "type"), *msg = au_jstr(it, "msg");
	struct json_object *l, *last;

	if (t == NULL || msg == NULL)
		return;
	for (size_t i = 0; i < sizeof(pydantic_msgs) / sizeof(pydantic_msgs[0]); i++)
		if (strcmp(t, pydantic_msgs[i].type) == 0 &&
		    !au_matches(pydantic_msgs[i].msg_re, msg))
			au_bad(line, "%s item with msg \"%s\", want pydantic's /%s/", t, msg,
			    pydantic_msgs[i].msg_re);
	/* EmailStr's errors */
	if (strcmp(t, "value_error") == 0 && json_object_object_get_ex(it, "loc", &l) &&
	    json_object_is_type(l, json_type_array) && json_object_array_length(l) > 0 &&
	    (last = json_object_array_get_idx(l, json_object_array_length(l) - 1)) != NULL &&
	    json_object_is_type(last, json_type_string) &&
	    strcmp(json_object_get_string(last), "email") == 0 &&
	    strncmp(msg, "value is not a valid email address", 34) != 0)
		au_bad(line, "e-mail value_error with msg \"%s\", want \"value is not a "
		    "valid email address: …\"", msg);
}

void
au_check_422(int line, const struct http_resp *r, const char *type, const char *loc)
{
	struct json_object *d;

	if (r->status != 422) {
		au_bad(line, "status %ld, want 422 %s at %s (body %.300s)", r->status,
		    type ? type : "(any type)", loc ? loc : "(any loc)",
		    r->body ? r->body : "");
		return;
	}
	if (!au_is_json(r))
		au_bad(line, "Content-Type \"%s\", want application/json", ctype(r));
	if (r->json == NULL || !json_object_object_get_ex(r->json, "detail", &d) ||
	    !json_object_is_type(d, json_type_array) || json_object_array_length(d) == 0) {
		au_bad(line, "422 detail is not a non-empty list: %.300s", r->body);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *it = json_object_array_get_idx(d, i), *l, *in;
		const char *t = au_jstr(it, "type"), *msg = au_jstr(it, "msg");

		if (t == NULL || msg == NULL ||
		    !json_object_object_get_ex(it, "loc", &l) ||
		    !json_object_is_type(l, json_type_array) ||
		    !json_object_object_get_ex(it, "input", &in))
			au_bad(line, "422 item %zu lacks type, loc, msg or input: %.300s",
			    i, json_object_to_json_string(it));
		else
			check_msg(line, it);
		(void)in;
	}
	if (!au_has_422(r, type, loc))
		au_bad(line, "no 422 item of type %s at %s: %.400s",
		    type ? type : "(any)", loc ? loc : "(any)", r->body);
}

void
au_check_user(int line, struct json_object *u, const char *raw, const char *email)
{
	static const char *const secrets[] = {
		"hashed_password", "\"password\"", "$argon2", "$2b$", "$2a$", "$2y$",
		"tokens_valid_after", "tokens_exempt_jti", NULL
	};
	struct json_object *v;
	const char *e, *role;

	if (u == NULL || !json_object_is_type(u, json_type_object)) {
		au_bad(line, "not a user object: %.300s", raw ? raw : "(null)");
		return;
	}
	if (json_object_object_length(u) != AU_USER_KEYS)
		au_bad(line, "user object has %d keys, want exactly %d: %.400s",
		    json_object_object_length(u), AU_USER_KEYS,
		    json_object_to_json_string(u));
	for (size_t i = 0; i < AU_USER_KEYS; i++)
		if (!json_object_object_get_ex(u, au_user_keys[i], NULL))
			au_bad(line, "user object without \"%s\"", au_user_keys[i]);
	if (!au_matches(AU_UUID_RE, au_jstr(u, "id")))
		au_bad(line, "id \"%s\" is not a lower-case hyphenated UUID",
		    au_jstr(u, "id") ? au_jstr(u, "id") : "(none)");
	e = au_jstr(u, "email");
	if (e == NULL)
		au_bad(line, "no string email");
	else if (email != NULL && strcmp(e, email) != 0)
		au_bad(line, "email \"%s\", want \"%s\"", e, email);
	for (size_t i = 2; i < 5; i++)
		if (au_jbool(u, au_user_keys[i]) == -1)
			au_bad(line, "%s is not a boolean", au_user_keys[i]);
	for (size_t i = 5; i < 7; i++)
		if (json_object_object_get_ex(u, au_user_keys[i], &v) && v != NULL &&
		    !json_object_is_type(v, json_type_string))
			au_bad(line, "%s is neither a string nor null", au_user_keys[i]);
	role = au_jstr(u, "role");
	if (role == NULL || (strcmp(role, "user") != 0 && strcmp(role, "premium") != 0 &&
	    strcmp(role, "admin") != 0))
		au_bad(line, "role \"%s\", want user, premium or admin", role ? role : "(none)");
	if (!au_matches(AU_ISO_RE, au_jstr(u, "created_at")))
		au_bad(line, "created_at \"%s\" is not ISO 8601",
		    au_jstr(u, "created_at") ? au_jstr(u, "created_at") : "(none)");
	if (!au_jnull(u, "last_login") && !au_matches(AU_ISO_RE, au_jstr(u, "last_login")))
		au_bad(line, "last_login is neither null nor ISO 8601: %.300s",
		    json_object_to_json_string(u));
	for (size_t i = 0; raw != NULL && secrets[i] != NULL; i++)
		if (strstr(raw, secrets[i]) != NULL)
			au_bad(line, "the body holds \"%s\": %.300s", secrets[i], raw);
}

/* ---- requests ---- */

int
au_send(struct harness *h, const char *method, const char *path, const char *token,
    const char *ct, const char *extra, const char *body, size_t len,
    struct http_resp *out)
{
	char *auth = NULL, *cth = NULL;
	const char *hs[4];
	size_t n = 0;
	int rc;

	if (token != NULL) {
		if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
			return -1;
		hs[n++] = auth;
	}
	if (ct != NULL) {
		if (asprintf(&cth, "Content-Type: %s", ct) < 0) {
			free(auth);
			return -1;
		}
		hs[n++] = cth;
	}
	if (extra != NULL)
		hs[n++] = extra;
	hs[n] = NULL;
	rc = harness_request(h, method, path, hs, body, len, out);
	free(auth);
	free(cth);
	return rc;
}

int
au_get(struct harness *h, const char *path, const char *token, struct http_resp *out)
{
	return au_send(h, "GET", path, token, NULL, NULL, NULL, 0, out);
}

int
au_json(struct harness *h, const char *method, const char *path, const char *token,
    const char *json, struct http_resp *out)
{
	return au_send(h, method, path, token, "application/json", NULL, json,
	    strlen(json), out);
}

char *
au_form_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s);
	char *out = malloc(3 * len + 1), *p = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._*", *c) != NULL) {
			*p++ = (char)*c;
		} else if (*c == ' ') {
			*p++ = '+';
		} else {
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		}
	}
	*p = '\0';
	return out;
}

char *
au_json_str(const char *s)
{
	struct json_object *o = json_object_new_string(s);
	char *out;

	if (o == NULL)
		return NULL;
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

int
au_login_req(struct harness *h, const char *username, const char *password,
    struct http_resp *out)
{
	char *u = username ? au_form_encode(username) : NULL;
	char *p = password ? au_form_encode(password) : NULL;
	char *body = NULL;
	int rc = -1;

	if ((username && u == NULL) || (password && p == NULL))
		goto out;
	if (asprintf(&body, "%s%s%s%s%s", u ? "username=" : "", u ? u : "",
	    u && p ? "&" : "", p ? "password=" : "", p ? p : "") < 0) {
		body = NULL;
		goto out;
	}
	rc = au_send(h, "POST", "/auth/jwt/login", NULL,
	    "application/x-www-form-urlencoded", NULL, body, strlen(body), out);
out:
	free(body);
	free(u);
	free(p);
	return rc;
}

/* ---- accounts ---- */

void
au_email(char *buf, size_t len, const char *tag)
{
	char rnd[17];

	if (harness_random_hex(rnd, 8) != 0)
		snprintf(rnd, sizeof(rnd), "%lx", (unsigned long)random());
	snprintf(buf, len, "%s-%s@example.com", tag, rnd);
}

int
au_register(struct harness *h, const char *email, const char *password,
    struct http_resp *out)
{
	char *e = au_json_str(email), *p = au_json_str(password), *body = NULL;
	int rc = -1;

	if (e != NULL && p != NULL &&
	    asprintf(&body, "{\"email\":%s,\"password\":%s}", e, p) >= 0)
		rc = au_json(h, "POST", "/auth/register", NULL, body, out);
	else
		body = NULL;
	free(body);
	free(e);
	free(p);
	return rc;
}

long
au_login_offline(struct harness *h, const char *email, const char *password,
    char *rt, size_t rtmax)
{
	struct http_resp r;
	char *e = au_form_encode(email), *p = au_form_encode(password), *body = NULL;
	const char *t;
	long status = 0;

	if (rt != NULL && rtmax > 0)
		rt[0] = '\0';
	if (e != NULL && p != NULL && asprintf(&body,
	    "username=%s&password=%s&scope=offline_access", e, p) > 0 &&
	    au_send(h, "POST", "/auth/jwt/login", NULL,
	    "application/x-www-form-urlencoded", NULL, body, strlen(body), &r) == 0) {
		status = r.status;
		if (status == 200 && rt != NULL &&
		    (t = au_jstr(r.json, "refresh_token")) != NULL && strlen(t) < rtmax)
			snprintf(rt, rtmax, "%s", t);
		http_resp_free(&r);
	}
	free(body);
	free(e);
	free(p);
	return status;
}

long
au_login(struct harness *h, const char *email, const char *password, char *tok,
    size_t tokmax)
{
	struct http_resp r;
	const char *t;
	long status;

	if (tok != NULL && tokmax > 0)
		tok[0] = '\0';
	if (au_login_req(h, email, password, &r) != 0)
		return 0;
	status = r.status;
	t = au_jstr(r.json, "access_token");
	if (status == 200 && tok != NULL) {
		if (t == NULL || strlen(t) >= tokmax)
			status = -1;
		else
			snprintf(tok, tokmax, "%s", t);
	}
	http_resp_free(&r);
	return status;
}

int
au_new_user(struct harness *h, const char *tag, struct au_user *u)
{
	char rnd[17];
	struct http_resp r;
	long st;

	memset(u, 0, sizeof(*u));
	au_email(u->email, sizeof(u->email), tag);
	if (harness_random_hex(rnd, 8) != 0)
		return -1;
	snprintf(u->password, sizeof(u->password), "Pw-%s!", rnd);
	if (au_register(h, u->email, u->password, &r) != 0)
		return -1;
	if (r.status != 201 || au_jstr(r.json, "id") == NULL ||
	    strlen(au_jstr(r.json, "id")) != AU_ID_LEN) {
		print_error("register %s: status %ld body %.300s\n", u->email,
		    r.status, r.body);
		http_resp_free(&r);
		return -1;
	}
	snprintf(u->id, sizeof(u->id), "%s", au_jstr(r.json, "id"));
	http_resp_free(&r);
	if ((st = au_login(h, u->email, u->password, u->token, sizeof(u->token))) != 200) {
		print_error("login %s: status %ld\n", u->email, st);
		return -1;
	}
	return 0;
}

struct db *
au_db_open(struct harness *h, int flags)
{
	const char *url = harness_env(h, "DATABASE_URL");
	struct db *db = NULL;
	char *loc;
	enum db_err e;

	if (url == NULL || (loc = config_database_locator(url)) == NULL) {
		print_error("DATABASE_URL %s: not a database\n", url ? url : "unset");
		return NULL;
	}
	if ((e = db_open(loc, flags, 5000, &db)) != DB_OK) {
		print_error("db_open %s: %s\n", loc, db_strerror(e));
		db = NULL;
	}
	free(loc);
	return db;
}

int
au_db_exec(struct harness *h, const char *fmt, ...)
{
	struct db *db = NULL;
	char *sql = NULL;
	va_list ap;
	int rc = -1;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sql == NULL || (db = au_db_open(h, 0)) == NULL)
		goto out;
	if (db_exec(db, sql) != DB_OK) {
		print_error("\"%s\": %s\n", sql, db_errmsg(db));
		goto out;
	}
	if (db_changes(db) < 1 && strncasecmp(sql, "UPDATE", 6) == 0) {
		print_error("\"%s\": no row changed\n", sql);
		goto out;
	}
	rc = 0;
out:
	sqlite3_free(sql);
	db_close(db);
	return rc;
}

int64_t
au_db_int(struct harness *h, const char *fmt, ...)
{
	struct db	*db = NULL;
	struct db_stmt	*st = NULL;
	char		*sql;
	va_list		 ap;
	int64_t		 v = -1;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sql == NULL || (db = au_db_open(h, DB_OPEN_READONLY)) == NULL)
		goto out;
	if (db_prepare(db, sql, &st) == DB_OK && db_step(st) == DB_ROW)
		v = db_column_int64(st, 0);
	else
		print_error("\"%s\": %s\n", sql, db_errmsg(db));
	if (st != NULL)
		db_stmt_done(st);
out:
	sqlite3_free(sql);
	db_close(db);
	return v;
}

int
au_make_superuser(struct harness *h, const struct au_user *u)
{
	return au_db_exec(h, "UPDATE users SET is_superuser = TRUE WHERE id = %Q", u->id);
}

long
au_me_status(struct harness *h, const char *token)
{
	struct http_resp r;
	long st;

	if (au_get(h, "/users/me", token, &r) != 0)
		return 0;
	st = r.status;
	http_resp_free(&r);
	return st;
}

/* ---- mail ---- */

int
au_outbox(const struct harness *h, const char *kind, const char *email,
    char *tok, size_t tokmax)
{
	char path[1024], line[16384];
	struct json_object *o;
	const char *k, *e, *t;
	FILE *f;
	int n = 0, bad = 0;

	if (tok != NULL && tokmax > 0)
		tok[0] = '\0';
	snprintf(path, sizeof(path), "%s/outbox.jsonl", harness_data_dir(h));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((o = json_tokener_parse(line)) == NULL ||
		    !json_object_is_type(o, json_type_object) ||
		    (k = au_jstr(o, "kind")) == NULL ||
		    (e = au_jstr(o, "email")) == NULL ||
		    (t = au_jstr(o, "token")) == NULL ||
		    au_jstr(o, "subject") == NULL || au_jstr(o, "sent_at") == NULL) {
			bad = 1;
			json_object_put(o);
			continue;
		}
		if (strcmp(k, kind) == 0 && (email == NULL || strcmp(e, email) == 0)) {
			n++;
			if (tok != NULL)
				snprintf(tok, tokmax, "%s", t);
		}
		json_object_put(o);
	}
	fclose(f);
	return bad ? -1 : n;
}

/* ---- tokens ---- */

char *
au_b64url(const void *data, size_t len)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = data;
	char *out = malloc(len / 3 * 4 + 5), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = al[v >> 18 & 63];
		*o++ = al[v >> 12 & 63];
		*o++ = al[v >> 6 & 63];
		*o++ = al[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		*o++ = al[v >> 18 & 63];
		*o++ = al[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		*o++ = al[v >> 18 & 63];
		*o++ = al[v >> 12 & 63];
		*o++ = al[v >> 6 & 63];
	}
	*o = '\0';
	return out;
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

unsigned char *
au_b64url_decode(const char *s, size_t len, size_t *outlen)
{
	unsigned char *out = malloc(len / 4 * 3 + 4), *o = out;
	uint32_t acc = 0;
	int bits = 0;

	if (out == NULL)
		return NULL;
	if (len % 4 == 1)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		int v = b64val(s[i]);

		if (v < 0)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(acc >> bits & 0xff);
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
bad:
	free(out);
	return NULL;
}

/* HMAC-digest of (in, len) into mac (EVP_MAX_MD_SIZE); its length, 0 on error. */
static size_t
jws_hmac(const struct au_signer *sg, const void *in, size_t len, unsigned char *mac)
{
	size_t n = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, sg->digest, NULL, sg->secret, sg->secret_len,
	    in, len, mac, EVP_MAX_MD_SIZE, &n) == NULL)
		return 0;
	return n;
}

/* SHA-256 signature with a private key: RSASSA-PKCS1-v1_5 for RSA, and for
 * EC the DER ECDSA-Sig-Value turned into r||s (RFC 7518 §3.4). */
static unsigned char *
jws_pkey(EVP_PKEY *k, const void *in, size_t len, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL, *raw = NULL;
	const unsigned char *p;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = NULL;
	size_t n = 0;

	if (ctx == NULL || EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, k,
	    NULL) != 1 || EVP_DigestSign(ctx, NULL, &n, in, len) != 1 ||
	    (der = malloc(n)) == NULL || EVP_DigestSign(ctx, der, &n, in, len) != 1)
		goto done;
	if (!EVP_PKEY_is_a(k, "EC")) {
		raw = der;
		der = NULL;
		*siglen = n;
		goto done;
	}
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL || (raw = malloc(64)) == NULL)
		goto done;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, 32) != 32 || BN_bn2binpad(s, raw + 32, 32) != 32) {
		free(raw);
		raw = NULL;
		goto done;
	}
	*siglen = 64;
done:
	ECDSA_SIG_free(es);
	free(der);
	EVP_MD_CTX_free(ctx);
	return raw;
}

unsigned char *
au_jws_sign(const struct au_signer *sg, const void *in, size_t len, size_t *siglen)
{
	unsigned char mac[EVP_MAX_MD_SIZE], *out;
	size_t n;

	*siglen = 0;
	if (sg->digest != NULL) {
		if ((n = jws_hmac(sg, in, len, mac)) == 0 || (out = malloc(n)) == NULL)
			return NULL;
		memcpy(out, mac, n);
		*siglen = n;
		return out;
	}
	if (sg->pkey != NULL)
		return jws_pkey(sg->pkey, in, len, siglen);
	return calloc(1, 1);	/* no signature: zero bytes */
}

char *
au_jws(const struct au_signer *sg, const void *header, size_t hlen, const void *payload,
    size_t plen)
{
	char *h64 = au_b64url(header, hlen), *p64 = au_b64url(payload, plen);
	char *input = NULL, *sig = NULL, *out = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0;

	if (h64 == NULL || p64 == NULL || asprintf(&input, "%s.%s", h64, p64) < 0)
		goto done;
	if ((raw = au_jws_sign(sg, input, strlen(input), &rawlen)) == NULL ||
	    (sig = au_b64url(raw, rawlen)) == NULL)
		goto done;
	if (asprintf(&out, "%s.%s", input, sig) < 0)
		out = NULL;
done:
	free(raw);
	free(sig);
	free(input);
	free(p64);
	free(h64);
	return out;
}

char *
au_jwt_hmac(const char *digest, const void *key, size_t keylen, const char *header,
    const char *payload)
{
	struct au_signer sg = { .digest = digest, .secret = key, .secret_len = keylen };

	return au_jws(&sg, header, strlen(header), payload, strlen(payload));
}

char *
au_jwt_hs256(const struct harness *h, const char *payload)
{
	const char *secret = harness_env(h, "JWT_SECRET");

	return au_jwt_hmac("SHA256", secret, strlen(secret),
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
}

struct json_object *
au_jwt_part(const char *token, int part)
{
	const char *p = token, *end;
	unsigned char *raw;
	size_t rawlen;
	struct json_object *o;

	for (int i = 0; i < part && p != NULL; i++)
		if ((p = strchr(p, '.')) != NULL)
			p++;
	if (p == NULL)
		return NULL;
	end = strchr(p, '.');
	if (end == NULL)
		end = p + strlen(p);
	if ((raw = au_b64url_decode(p, (size_t)(end - p), &rawlen)) == NULL)
		return NULL;
	o = json_tokener_parse((const char *)raw);
	free(raw);
	return o;
}

int64_t
au_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
au_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- key pairs ---- */

EVP_PKEY *
au_key_new(const char *alg)
{
	if (strcmp(alg, "RS256") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (strcmp(alg, "ES256") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return NULL;
}

int
au_key_write_private(EVP_PKEY *k, const char *path)
{
	FILE *f;
	int fd, ok;

	/* Mode 0600: the programs refuse a private key others may read. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
	return fclose(f) == 0 && ok ? 0 : -1;
}

char *
au_key_public_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b != NULL && PEM_write_bio_PUBKEY(b, k) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return out;
}

unsigned char *
au_key_public_der(EVP_PKEY *k, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);

	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return der;
}

/* The big-endian bytes of a key parameter, as unpadded base64url. */
static char *
key_param_b64(EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char *buf = NULL;
	char *out = NULL;
	int n;

	if (EVP_PKEY_get_bn_param(k, name, &bn) == 1 && (n = BN_num_bytes(bn)) > 0 &&
	    (buf = malloc((size_t)n)) != NULL && BN_bn2bin(bn, buf) == n)
		out = au_b64url(buf, (size_t)n);
	free(buf);
	BN_free(bn);
	return out;
}

char *
au_key_jwk(EVP_PKEY *k)
{
	char *a = NULL, *b = NULL, *out = NULL;

	if (EVP_PKEY_is_a(k, "RSA")) {
		if ((a = key_param_b64(k, "e")) != NULL && (b = key_param_b64(k, "n")) != NULL &&
		    asprintf(&out, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", a, b) < 0)
			out = NULL;
	} else {
		unsigned char pt[65];
		size_t n = 0;

		/* the uncompressed point 04||x||y of P-256 */
		if (EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", pt, sizeof(pt),
		    &n) == 1 && n == 65 && pt[0] == 4 && (a = au_b64url(pt + 1, 32)) != NULL &&
		    (b = au_b64url(pt + 33, 32)) != NULL &&
		    asprintf(&out, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
		    a, b) < 0)
			out = NULL;
	}
	free(a);
	free(b);
	return out;
}

char *
au_key_kid(EVP_PKEY *k)
{
	unsigned char md[32];
	char *jwk = au_key_jwk(k), *out = NULL;

	if (jwk != NULL && EVP_Q_digest(NULL, "SHA256", NULL, jwk, strlen(jwk), md,
	    NULL) == 1)
		out = au_b64url(md, sizeof(md));
	free(jwk);
	return out;
}

/* ---- templates ---- */

char *
au_expand(const char *fmt, const char *const *vars)
{
	size_t cap = strlen(fmt) * 4 + 1024, len = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	for (const char *p = fmt; *p != '\0';) {
		const char *val = NULL;
		size_t nlen = 0;

		if (*p == '{') {
			for (size_t i = 0; vars[i] != NULL; i += 2) {
				size_t l = strlen(vars[i]);

				if (strncmp(p + 1, vars[i], l) == 0 && p[1 + l] == '}') {
					val = vars[i + 1];
					nlen = l + 2;
					break;
				}
			}
		}
		if (val != NULL) {
			size_t vl = strlen(val);

			if (len + vl + 1 > cap) {
				cap = (len + vl + 1) * 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			memcpy(out + len, val, vl);
			len += vl;
			p += nlen;
		} else {
			if (len + 2 > cap) {
				cap *= 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	return out;
}

void
au_uuid4(char *out)
{
	char hex[33];

	assert_int_equal(harness_random_hex(hex, 16), 0);
	hex[12] = '4';
	hex[16] = "89ab"[hex[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}
