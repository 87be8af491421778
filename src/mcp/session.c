/*
 * session: the MCP session store (see session.h).  Lookups go by the
 * SHA-256 of the id through the primary key, so no secret is compared
 * byte by byte in our code, and the database holds no usable id.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "db.h"
#include "hex.h"
#include "log.h"
#include "session.h"

static const char *const session_errs[SESSION__MAX] = {
	[SESSION_OK] = "ok",
	[SESSION_NOTFOUND] = "session not found",
	[SESSION_EDB] = "database error",
	[SESSION_ERANDOM] = "random source failed",
};

const char *
session_strerror(enum session_err e)
{
	return e < SESSION__MAX ? session_errs[e] : "unknown error";
}

int
session_id_valid(const char *s)
{
	return s != NULL && strlen(s) == SESSION_ID_LEN &&
	    strspn(s, "0123456789abcdef") == SESSION_ID_LEN;
}

/* The hex SHA-256 of an id, the key of its rows (65 bytes with the NUL). */
static int
session_id_hash(const char *id, char out[65])
{
	unsigned char	 d[32];
	unsigned int	 n = 0;

	if (EVP_Digest(id, strlen(id), d, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	hex_lower(d, sizeof(d), out);
	return 0;
}

static enum session_err
run(struct db *db, const char *sql, const char *a, const char *b, int64_t n)
{
	struct db_stmt	*st;
	enum db_err	 e;

	if (db_prepare(db, sql, &st) != DB_OK)
		return SESSION_EDB;
	if (a != NULL)
		db_bind_text(st, 1, a, strlen(a));
	if (b != NULL)
		db_bind_text(st, 2, b, strlen(b));
	if (n >= 0)
		db_bind_int64(st, 3, n);
	e = db_stmt_run(st);
	return e == DB_OK || e == DB_ROW ? SESSION_OK : SESSION_EDB;
}

struct create_arg {
	const char	*hash, *user_id, *version;
	unsigned	 caps;
	int64_t		 now;
};

static enum db_err
create_tx(struct db *db, void *arg)
{
	struct create_arg	*c = arg;
	struct db_stmt		*st;
	enum db_err		 e;

	if ((e = db_prepare(db, "INSERT INTO mcp_sessions (id_hash, user_id, "
	    "protocol_version, log_level, created_at, last_seen, "
	    "client_capabilities) VALUES (?, ?, ?, NULL, ?, ?, ?)", &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, c->hash, strlen(c->hash));
	db_bind_text(st, 2, c->user_id, strlen(c->user_id));
	db_bind_text(st, 3, c->version, strlen(c->version));
	db_bind_int64(st, 4, c->now);
	db_bind_int64(st, 5, c->now);
	db_bind_int64(st, 6, (int64_t)c->caps);
	if ((e = db_stmt_run(st)) != DB_OK)
		return e;
	/* The user's oldest sessions beyond the cap give way. */
	if ((e = db_prepare(db, "DELETE FROM mcp_sessions WHERE user_id = ? AND "
	    "id_hash NOT IN (SELECT id_hash FROM mcp_sessions WHERE user_id = ? "
	    "ORDER BY last_seen DESC, created_at DESC LIMIT ?)", &st)) != DB_OK)
		return e;
	db_bind_text(st, 1, c->user_id, strlen(c->user_id));
	db_bind_text(st, 2, c->user_id, strlen(c->user_id));
	db_bind_int64(st, 3, SESSION_MAX_PER_USER);
	return db_stmt_run(st);
}

enum session_err
session_create(struct db *db, const char *user_id, const char *version,
    unsigned caps, int64_t now, int64_t idle_s, struct session *out)
{
	unsigned char		 b[SESSION_ID_BYTES];
	struct create_arg	 c;

	memset(out, 0, sizeof(*out));
	if (strlen(version) > SESSION_VERSION_MAX)
		return SESSION_EDB;
	if (RAND_bytes(b, sizeof(b)) != 1)
		return SESSION_ERANDOM;
	hex_lower(b, sizeof(b), out->id);
	OPENSSL_cleanse(b, sizeof(b));
	if (session_id_hash(out->id, out->id_hash) != 0) {
		memset(out, 0, sizeof(*out));
		return SESSION_EDB;
	}
	c.hash = out->id_hash;
	c.user_id = user_id;
	c.version = version;
	c.caps = caps;
	c.now = now;
	if (db_transaction(db, create_tx, &c) != DB_OK) {
		memset(out, 0, sizeof(*out));
		return SESSION_EDB;
	}
	snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
	snprintf(out->version, sizeof(out->version), "%s", version);
	out->last_seen = now;
	out->client_caps = caps;
	/* Sessions idle too long go, any user's (indexed). */
	(void)run(db, "DELETE FROM mcp_sessions WHERE last_seen <= ?3",
	    NULL, NULL, now - idle_s);
	return SESSION_OK;
}

enum session_err
session_find(struct db *db, const char *id, const char *user_id,
    struct session *out)
{
	struct db_stmt	*st;
	const char	*t;
	size_t		 n;
	enum db_err	 e;
	int		 mine;

	memset(out, 0, sizeof(*out));
	if (!session_id_valid(id))
		return SESSION_NOTFOUND;
	if (session_id_hash(id, out->id_hash) != 0 ||
	    db_prepare(db, "SELECT user_id, protocol_version, log_level, last_seen, "
	    "client_capabilities FROM mcp_sessions WHERE id_hash = ?", &st) != DB_OK) {
		memset(out, 0, sizeof(*out));
		return SESSION_EDB;
	}
	db_bind_text(st, 1, out->id_hash, strlen(out->id_hash));
	if ((e = db_step(st)) != DB_ROW) {
		db_stmt_done(st);
		memset(out, 0, sizeof(*out));
		return e == DB_DONE ? SESSION_NOTFOUND : SESSION_EDB;
	}
	t = db_column_text(st, 0, &n);
	mine = t != NULL && strlen(user_id) == n && memcmp(t, user_id, n) == 0;
	snprintf(out->user_id, sizeof(out->user_id), "%s", t != NULL ? t : "");
	t = db_column_text(st, 1, NULL);
	snprintf(out->version, sizeof(out->version), "%s", t != NULL ? t : "");
	t = db_column_text(st, 2, NULL);
	snprintf(out->log_level, sizeof(out->log_level), "%s", t != NULL ? t : "");
	out->last_seen = db_column_int64(st, 3);
	out->client_caps = (unsigned)db_column_int64(st, 4) & (SESSION_CAP_SAMPLING |
	    SESSION_CAP_ELICITATION | SESSION_CAP_ROOTS);
	db_stmt_done(st);
	if (!mine) {
		/* Someone else's: it does not exist for this user. */
		memset(out, 0, sizeof(*out));
		return SESSION_NOTFOUND;
	}
	snprintf(out->id, sizeof(out->id), "%s", id);
	return SESSION_OK;
}

enum session_err
session_keep(struct db *db, struct session *s, int64_t now, int64_t idle_s)
{
	if (now - s->last_seen >= idle_s) {
		(void)run(db, "DELETE FROM mcp_sessions WHERE id_hash = ?1", s->id_hash,
		    NULL, -1);
		memset(s, 0, sizeof(*s));
		return SESSION_NOTFOUND;
	}
	if (now - s->last_seen >= SESSION_TOUCH_SECONDS) {
		if (run(db, "UPDATE mcp_sessions SET last_seen = ?3 WHERE id_hash = ?1",
		    s->id_hash, NULL, now) != SESSION_OK)
			log_warn("cannot touch an MCP session", "error", "database");
		s->last_seen = now;
	}
	return SESSION_OK;
}

enum session_err
session_end(struct db *db, const char *id, const char *user_id)
{
	char	 h[65];

	if (!session_id_valid(id))
		return SESSION_NOTFOUND;
	if (session_id_hash(id, h) != 0)
		return SESSION_EDB;
	if (run(db, "DELETE FROM mcp_sessions WHERE id_hash = ?1 AND user_id = ?2",
	    h, user_id, -1) != SESSION_OK)
		return SESSION_EDB;
	return db_changes(db) > 0 ? SESSION_OK : SESSION_NOTFOUND;
}

enum session_err
session_set_log_level(struct db *db, struct session *s, const char *level)
{
	char	 h[65];

	if (session_id_hash(s->id, h) != 0)
		return SESSION_EDB;
	if (run(db, "UPDATE mcp_sessions SET log_level = ?2 WHERE id_hash = ?1",
	    h, level, -1) != SESSION_OK)
		return SESSION_EDB;
	snprintf(s->log_level, sizeof(s->log_level), "%s", level);
	return SESSION_OK;
}
