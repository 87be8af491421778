/*
 * users: the user repository (see users.h).  Plain SQL through db_*, one
 * cached statement per query.  E-mail comparisons use lower() on both
 * sides, which the unique index ix_users_email_lower backs.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#include "arena.h"
#include "db.h"
#include "hex.h"
#include "log.h"
#include "users.h"

#define USER_COLUMNS "id, email, hashed_password, is_active, is_superuser, " \
	"is_verified, first_name, last_name, role, created_at, last_login, " \
	"token_generation, tokens_exempt_jti"

static const char SQL_BY_ID[] =
    "SELECT " USER_COLUMNS " FROM users WHERE id = ?";
static const char SQL_FOR_TOKEN[] =
    "SELECT " USER_COLUMNS ", EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?2) "
    "FROM users WHERE id = ?1";
static const char SQL_BY_EMAIL[] =
    "SELECT " USER_COLUMNS " FROM users WHERE lower(email) = lower(?)";
static const char SQL_ALL[] =
    "SELECT " USER_COLUMNS " FROM users ORDER BY lower(email)";
static const char SQL_INSERT[] =
    "INSERT INTO users (id, email, hashed_password, is_active, is_superuser, "
    "is_verified, first_name, last_name, role, created_at, last_login) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_UPDATE[] =
    "UPDATE users SET email = ?, hashed_password = ?, is_active = ?, "
    "is_superuser = ?, is_verified = ?, first_name = ?, last_name = ?, "
    "role = ?, token_generation = ?, tokens_exempt_jti = ? WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM users WHERE id = ?";
/* Now, in the form of created_at (0001_users.sql), by each engine's clock
 * function (db.h: statements per engine). */
static const char *const SQL_LOGIN[DB_ENGINE__MAX] = {
	[DB_ENGINE_SQLITE] =
	    "UPDATE users SET last_login = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
	    "WHERE id = ?",
	[DB_ENGINE_POSTGRES] =
	    "UPDATE users SET last_login = to_char(clock_timestamp() AT TIME ZONE "
	    "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') WHERE id = ?",
};

static const char *const users_errs[USERS__MAX] = {
	[USERS_OK] = "ok",
	[USERS_NOTFOUND] = "no such user",
	[USERS_EXISTS] = "e-mail already registered",
	[USERS_EDB] = "database error",
	[USERS_ENOMEM] = "out of memory",
};

const char *
users_strerror(enum users_err e)
{
	return e < USERS__MAX ? users_errs[e] : "unknown error";
}

int
users_uuid4(char *out)
{
	unsigned char	 b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[6] = (b[6] & 0x0f) | 0x40;	/* RFC 9562 §5.4 */
	b[8] = (b[8] & 0x3f) | 0x80;
	hex_uuid(b, out);
	return 0;
}

int
users_uuid_parse(const char *in, char *out)
{
	char	 hex[33];
	size_t	 n = 0, len;
	int	 braces = 0;

	if (in == NULL || (len = strlen(in)) > 45)
		return -1;
	if (strncasecmp(in, "urn:uuid:", 9) == 0)
		in += 9;
	if (*in == '{') {
		braces = 1;
		in++;
	}
	for (; *in != '\0' && !(braces && *in == '}'); in++) {
		if (*in == '-')
			continue;
		if (!isxdigit((unsigned char)*in) || n >= 32)
			return -1;
		hex[n++] = (char)tolower((unsigned char)*in);
	}
	if (n != 32 || (braces && (*in != '}' || in[1] != '\0')) ||
	    (!braces && *in != '\0'))
		return -1;
	hex[32] = '\0';
	snprintf(out, USERS_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	    hex + 12, hex + 16, hex + 20);
	return 0;
}

static const char *
col_dup(struct db_stmt *st, struct arena *a, int col, int *oom)
{
	const char	*s;
	size_t		 len;
	char		*d;

	if ((s = db_column_text(st, col, &len)) == NULL)
		return NULL;
	if ((d = arena_strndup(a, s, len)) == NULL)
		*oom = 1;
	return d;
}

static enum users_err
row_to_user(struct db_stmt *st, struct arena *a, struct user *u)
{
	const char	*id;
	size_t		 len;
	int		 oom = 0;

	memset(u, 0, sizeof(*u));
	if ((id = db_column_text(st, 0, &len)) == NULL || len != USERS_ID_LEN)
		return USERS_EDB;
	memcpy(u->id, id, USERS_ID_LEN + 1);
	u->email = col_dup(st, a, 1, &oom);
	u->hashed_password = col_dup(st, a, 2, &oom);
	u->is_active = db_column_int64(st, 3) != 0;
	u->is_superuser = db_column_int64(st, 4) != 0;
	u->is_verified = db_column_int64(st, 5) != 0;
	u->first_name = col_dup(st, a, 6, &oom);
	u->last_name = col_dup(st, a, 7, &oom);
	u->role = col_dup(st, a, 8, &oom);
	u->created_at = col_dup(st, a, 9, &oom);
	u->last_login = col_dup(st, a, 10, &oom);
	u->token_generation = db_column_int64(st, 11);
	u->tokens_exempt_jti = col_dup(st, a, 12, &oom);
	if (oom)
		return USERS_ENOMEM;
	if (u->email == NULL || u->hashed_password == NULL)
		return USERS_EDB;
	if (u->role == NULL)
		u->role = "user";
	return USERS_OK;
}

static enum users_err
find_one(struct db *db, struct arena *a, const char *sql, const char *key,
    struct user *u)
{
	struct db_stmt	*st;
	enum db_err	 e;
	enum users_err	 ret = USERS_EDB;

	if (db_prepare(db, sql, &st) != DB_OK)
		return USERS_EDB;
	if (db_bind_text(st, 1, key, strlen(key)) != DB_OK)
		goto out;
	if ((e = db_step(st)) == DB_DONE)
		ret = USERS_NOTFOUND;
	else if (e == DB_ROW)
		ret = row_to_user(st, a, u);
out:
	db_stmt_done(st);
	return ret;
}

enum users_err
users_find_by_id(struct db *db, struct arena *a, const char *id, struct user *u)
{
	return find_one(db, a, SQL_BY_ID, id, u);
}

enum users_err
users_find_for_token(struct db *db, struct arena *a, const char *id,
    const char *jti, struct user *u, int *revoked)
{
	struct db_stmt	*st;
	enum db_err	 e;
	enum users_err	 ret = USERS_EDB;

	*revoked = 0;
	if (db_prepare(db, SQL_FOR_TOKEN, &st) != DB_OK)
		return USERS_EDB;
	if (db_bind_text(st, 1, id, strlen(id)) != DB_OK ||
	    db_bind_text(st, 2, jti, strlen(jti)) != DB_OK)
		goto out;
	if ((e = db_step(st)) == DB_DONE)
		ret = USERS_NOTFOUND;
	else if (e == DB_ROW) {
		ret = row_to_user(st, a, u);
		*revoked = db_column_int64(st, 13) != 0;
	}
out:
	db_stmt_done(st);
	return ret;
}

enum users_err
users_find_by_email(struct db *db, struct arena *a, const char *email,
    struct user *u)
{
	return find_one(db, a, SQL_BY_EMAIL, email, u);
}

static enum db_err
bind_opt_text(struct db_stmt *st, int idx, const char *s)
{
	return s == NULL ? db_bind_null(st, idx) : db_bind_text(st, idx, s, strlen(s));
}

static enum users_err
map_write(enum db_err e)
{
	switch (e) {
	case DB_DONE:
	case DB_OK:
		return USERS_OK;
	case DB_CONSTRAINT:
		return USERS_EXISTS;
	case DB_NOMEM:
		return USERS_ENOMEM;
	case DB_BUSY:
		/* db.c leaves BUSY unlogged (its callers retry it); here the
		 * wait is over and the write is refused: say why. */
		log_error("database is locked", "waited", "DB_BUSY_TIMEOUT_MS");
		return USERS_EDB;
	default:
		return USERS_EDB;
	}
}

enum users_err
users_create(struct db *db, struct arena *a, struct user *u)
{
	if (users_uuid4(u->id) != 0)
		return USERS_EDB;
	u->created_at = NULL;
	u->last_login = NULL;
	return users_insert(db, a, u);
}

/*
 * Binds every column the INSERT names; u->created_at NULL is now, in the
 * form of the column's default and of last_login.
 */
enum users_err
users_insert(struct db *db, struct arena *a, struct user *u)
{
	struct db_stmt	*st;
	char		 now[64];
	enum users_err	 ret = USERS_EDB;

	if (u->created_at == NULL) {
		log_timestamp(now, sizeof(now), LOG_TIME_MS_Z);
		if ((u->created_at = arena_strdup(a, now)) == NULL)
			return USERS_ENOMEM;
	}
	if (u->role == NULL)
		u->role = "user";
	if (db_prepare(db, SQL_INSERT, &st) != DB_OK)
		return USERS_EDB;
	if (db_bind_text(st, 1, u->id, strlen(u->id)) != DB_OK ||
	    bind_opt_text(st, 2, u->email) != DB_OK ||
	    bind_opt_text(st, 3, u->hashed_password) != DB_OK ||
	    db_bind_int64(st, 4, u->is_active) != DB_OK ||
	    db_bind_int64(st, 5, u->is_superuser) != DB_OK ||
	    db_bind_int64(st, 6, u->is_verified) != DB_OK ||
	    bind_opt_text(st, 7, u->first_name) != DB_OK ||
	    bind_opt_text(st, 8, u->last_name) != DB_OK ||
	    bind_opt_text(st, 9, u->role) != DB_OK ||
	    bind_opt_text(st, 10, u->created_at) != DB_OK ||
	    bind_opt_text(st, 11, u->last_login) != DB_OK)
		goto out;
	ret = map_write(db_step(st));
out:
	db_stmt_done(st);
	return ret;
}

enum users_err
users_update(struct db *db, const struct user *u)
{
	struct db_stmt	*st;
	enum users_err	 ret = USERS_EDB;

	if (db_prepare(db, SQL_UPDATE, &st) != DB_OK)
		return USERS_EDB;
	if (bind_opt_text(st, 1, u->email) != DB_OK ||
	    bind_opt_text(st, 2, u->hashed_password) != DB_OK ||
	    db_bind_int64(st, 3, u->is_active) != DB_OK ||
	    db_bind_int64(st, 4, u->is_superuser) != DB_OK ||
	    db_bind_int64(st, 5, u->is_verified) != DB_OK ||
	    bind_opt_text(st, 6, u->first_name) != DB_OK ||
	    bind_opt_text(st, 7, u->last_name) != DB_OK ||
	    bind_opt_text(st, 8, u->role) != DB_OK ||
	    db_bind_int64(st, 9, u->token_generation) != DB_OK ||
	    bind_opt_text(st, 10, u->tokens_exempt_jti) != DB_OK ||
	    db_bind_text(st, 11, u->id, strlen(u->id)) != DB_OK)
		goto out;
	ret = map_write(db_step(st));
	if (ret == USERS_OK && db_changes(db) == 0)
		ret = USERS_NOTFOUND;
out:
	db_stmt_done(st);
	return ret;
}

static enum users_err
exec_by_id(struct db *db, const char *sql, const char *id)
{
	struct db_stmt	*st;
	enum users_err	 ret = USERS_EDB;

	if (db_prepare(db, sql, &st) != DB_OK)
		return USERS_EDB;
	if (db_bind_text(st, 1, id, strlen(id)) == DB_OK) {
		ret = map_write(db_step(st));
		if (ret == USERS_OK && db_changes(db) == 0)
			ret = USERS_NOTFOUND;
	}
	db_stmt_done(st);
	return ret;
}

enum users_err
users_delete(struct db *db, const char *id)
{
	return exec_by_id(db, SQL_DELETE, id);
}

enum users_err
users_touch_login(struct db *db, const char *id)
{
	return exec_by_id(db, SQL_LOGIN[db_engine(db)], id);
}

enum users_err
users_each(struct db *db, struct arena *a, int (*cb)(const struct user *, void *),
    void *arg)
{
	struct db_stmt	*st;
	struct user	 u;
	enum db_err	 e;
	enum users_err	 ret = USERS_OK;

	if (db_prepare(db, SQL_ALL, &st) != DB_OK)
		return USERS_EDB;
	while ((e = db_step(st)) == DB_ROW) {
		if ((ret = row_to_user(st, a, &u)) != USERS_OK || cb(&u, arg) != 0)
			break;
	}
	if (e != DB_ROW && e != DB_DONE)
		ret = USERS_EDB;
	db_stmt_done(st);
	return ret;
}

void
users_set_password(struct user *u, const char *hash, const char *keep_jti)
{
	u->hashed_password = hash;
	u->token_generation++;
	u->tokens_exempt_jti = keep_jti;
}

static struct json_object *
opt_string(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

struct json_object *
users_full_name(const struct user *u)
{
	int	 f = u->first_name != NULL && *u->first_name != '\0';
	int	 l = u->last_name != NULL && *u->last_name != '\0';
	char	 s[2 * USERS_NAME_MAX * 4 + 2];	/* UTF-8: 4 bytes a character */

	if (f && l) {
		snprintf(s, sizeof(s), "%s %s", u->first_name, u->last_name);
		return json_object_new_string(s);
	}
	return f ? json_object_new_string(u->first_name) :
	    l ? json_object_new_string(u->last_name) : NULL;
}

struct json_object *
users_to_json(const struct user *u)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(u->id));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "is_active", json_object_new_boolean(u->is_active));
	json_object_object_add(o, "is_superuser",
	    json_object_new_boolean(u->is_superuser));
	json_object_object_add(o, "is_verified",
	    json_object_new_boolean(u->is_verified));
	json_object_object_add(o, "first_name", opt_string(u->first_name));
	json_object_object_add(o, "last_name", opt_string(u->last_name));
	json_object_object_add(o, "role", json_object_new_string(u->role));
	json_object_object_add(o, "created_at", opt_string(u->created_at));
	json_object_object_add(o, "last_login", opt_string(u->last_login));
	return o;
}
