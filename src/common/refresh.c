/*
 * refresh: refresh tokens (see refresh.h and
 * schema/sqlite/0005_refresh_tokens.sql).  Each operation is one
 * db_transaction (BEGIN IMMEDIATE on SQLite, retried on SQLITE_BUSY), so
 * the transaction functions below set their outputs afresh on every run
 * and keep no effect outside the database; the new token is drawn before
 * the transaction, so a rerun stores the same one.
 *
 * Tokens are found by the SHA-256 of their text, the primary key.  No
 * constant-time compare is needed there: the B-tree search compares the
 * hash of the secret, and what its timing could tell (how much of a hash
 * matches a stored one) does not help anyone find a token with that hash.
 *
 * Rotation spends the token with an UPDATE guarded by "spent_at IS NULL"
 * and "family not revoked", and checks that it changed one row: SQLite's
 * BEGIN IMMEDIATE already lets one writer at a time through, and
 * PostgreSQL's SERIALIZABLE transactions (db.c) fail one of two racing
 * rotations, which db_transaction retries; the guard keeps the rule even
 * where neither holds.
 * Revocation marks the family row, not its tokens, so a token added to a
 * family by a rotation that raced the revocation is refused all the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "db.h"
#include "hex.h"
#include "jwt.h"
#include "log.h"
#include "refresh.h"
#include "users.h"

#define HASH_HEX_LEN	64	/* SHA-256 in hex */

static const char SQL_FIND[] =
    "SELECT t.family_id, t.expires_at, t.spent_at, f.revoked_at, "
    "f.user_id, f.generation, u.id, u.is_active, u.token_generation "
    "FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id "
    "LEFT JOIN users u ON u.id = f.user_id WHERE t.token_hash = ?1";
static const char SQL_SPEND[] =
    "UPDATE refresh_tokens SET spent_at = ?2 "
    "WHERE token_hash = ?1 AND spent_at IS NULL AND EXISTS (SELECT 1 "
    "FROM refresh_families f WHERE f.id = refresh_tokens.family_id "
    "AND f.revoked_at IS NULL)";
static const char SQL_ADD_FAMILY[] =
    "INSERT INTO refresh_families (id, user_id, generation, created_at, "
    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ADD_TOKEN[] =
    "INSERT INTO refresh_tokens (token_hash, family_id, issued_at, "
    "expires_at) VALUES (?1, ?2, ?3, ?4)";
/* A family outlives each of its tokens, even when the lifetime shrank. */
static const char SQL_SLIDE[] =
    "UPDATE refresh_families SET expires_at = CASE WHEN expires_at > ?2 "
    "THEN expires_at ELSE ?2 END WHERE id = ?1";
static const char SQL_REVOKE_ID[] =
    "UPDATE refresh_families SET revoked_at = ?2 "
    "WHERE id = ?1 AND revoked_at IS NULL";
static const char SQL_REVOKE_TOKEN[] =
    "UPDATE refresh_families SET revoked_at = ?3 "
    "WHERE user_id = ?2 AND revoked_at IS NULL AND id = "
    "(SELECT family_id FROM refresh_tokens WHERE token_hash = ?1)";
static const char SQL_REVOKE_USER[] =
    "UPDATE refresh_families SET revoked_at = ?2 "
    "WHERE user_id = ?1 AND revoked_at IS NULL";
/* Tokens first: the cascade from families is then a safety net only. */
static const char SQL_PRUNE_TOKENS[] =
    "DELETE FROM refresh_tokens WHERE expires_at < ?1";
static const char SQL_PRUNE_FAMILIES[] =
    "DELETE FROM refresh_families WHERE expires_at < ?1";

static const char *const refresh_errs[REFRESH__MAX] = {
	[REFRESH_OK] = "ok",
	[REFRESH_EINVALID] = "invalid refresh token",
	[REFRESH_EREUSED] = "refresh token reused; its family is revoked",
	[REFRESH_EDB] = "database error",
	[REFRESH_ENOMEM] = "out of memory",
};

/* One bound parameter: text when s is not NULL, else the integer. */
struct bind {
	const char	*s;
	size_t		 len;
	int64_t		 i;
};

#define TEXT(p, n)	{ (p), (n), 0 }
#define INT(v)		{ NULL, 0, (v) }

const char *
refresh_strerror(enum refresh_err e)
{
	return (unsigned)e < REFRESH__MAX ? refresh_errs[e] : "unknown error";
}

void
refresh_grant_clear(struct refresh_grant *g)
{
	if (g != NULL)
		OPENSSL_cleanse(g, sizeof(*g));
}

static enum refresh_err
map_db(enum db_err e)
{
	switch (e) {
	case DB_OK:
		return REFRESH_OK;
	case DB_NOMEM:
		return REFRESH_ENOMEM;
	case DB_CONSTRAINT:
		return REFRESH_EINVALID;	/* refresh_issue: no such user */
	default:
		return REFRESH_EDB;
	}
}

/*
 * A token we may look up: 1 .. REFRESH_TOKEN_MAX base64url characters
 * (RFC 4648 §5).  This rejects NUL, padding, blanks and every byte a
 * token of ours cannot hold, before anything reaches the database.
 */
static int
token_ok(const char *t, size_t len)
{
	size_t	 i;
	char	 c;

	if (t == NULL || len == 0 || len > REFRESH_TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = t[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int
user_id_ok(const char *id)
{
	return id != NULL && strnlen(id, USERS_ID_LEN + 1) == USERS_ID_LEN;
}

static int
times_ok(int64_t now, int64_t lifetime)
{
	return now >= 0 && now <= REFRESH_NOW_MAX && lifetime >= 1 &&
	    lifetime <= REFRESH_LIFETIME_MAX;
}

/* The lower-case hex SHA-256 of (t, len) into out (HASH_HEX_LEN + 1
 * bytes): the only form of a token the database sees.  0 or -1. */
static int
token_hash(const char *t, size_t len, char *out)
{
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;

	if (EVP_Digest(t, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != HASH_HEX_LEN)
		return -1;
	hex_lower(md, mdlen, out);
	return 0;
}

/* A fresh token into out (REFRESH_TOKEN_LEN + 1 bytes) and its hash into
 * hash; the intermediate copies are wiped.  REFRESH_OK or ENOMEM. */
static enum refresh_err
token_new(char *out, char *hash)
{
	unsigned char	 raw[REFRESH_TOKEN_BYTES];
	char		*b64 = NULL;
	size_t		 n = 0;
	enum refresh_err ret = REFRESH_ENOMEM;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	if ((b64 = jwt_b64url_encode(raw, sizeof(raw), &n)) == NULL ||
	    n != REFRESH_TOKEN_LEN)
		goto out;
	memcpy(out, b64, REFRESH_TOKEN_LEN + 1);
	if (token_hash(out, REFRESH_TOKEN_LEN, hash) == -1)
		goto out;
	ret = REFRESH_OK;
out:
	if (b64 != NULL) {
		OPENSSL_cleanse(b64, n);
		free(b64);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	if (ret != REFRESH_OK)
		OPENSSL_cleanse(out, REFRESH_TOKEN_LEN + 1);
	return ret;
}

/* Runs sql with the n parameters of b; *changes (when not NULL) is the
 * number of rows it changed.  DB_OK or the engine's error. */
static enum db_err
exec(struct db *db, const char *sql, const struct bind *b, int n,
    int64_t *changes)
{
	struct db_stmt	*s;
	enum db_err	 e;
	int		 i;

	if (changes != NULL)
		*changes = 0;
	if ((e = db_prepare(db, sql, &s)) != DB_OK)
		return e;
	for (i = 0; i < n; i++) {
		e = b[i].s != NULL ? db_bind_text(s, i + 1, b[i].s, b[i].len) :
		    db_bind_int64(s, i + 1, b[i].i);
		if (e != DB_OK)
			goto out;
	}
	if ((e = db_step(s)) == DB_DONE) {
		e = DB_OK;
		if (changes != NULL)
			*changes = db_changes(db);
	} else if (e == DB_ROW)
		e = DB_ERROR;	/* none of ours returns rows */
out:
	db_stmt_done(s);
	return e;
}

static enum db_err
prune_rows(struct db *db, int64_t now)
{
	const struct bind b[] = { INT(now - REFRESH_PRUNE_GRACE) };
	enum db_err	 e;

	if ((e = exec(db, SQL_PRUNE_TOKENS, b, 1, NULL)) != DB_OK)
		return e;
	return exec(db, SQL_PRUNE_FAMILIES, b, 1, NULL);
}

/* ---- issue ---- */

struct issue_ctx {
	const char	*user_id;
	int64_t		 generation, now, expires_at;
	char		 family[USERS_ID_LEN + 1];
	char		 hash[HASH_HEX_LEN + 1];
};

static enum db_err
issue_tx(struct db *db, void *arg)
{
	struct issue_ctx	*c = arg;
	const struct bind	 fam[] = {
		TEXT(c->family, USERS_ID_LEN), TEXT(c->user_id, USERS_ID_LEN),
		INT(c->generation), INT(c->now), INT(c->expires_at),
	};
	const struct bind	 tok[] = {
		TEXT(c->hash, HASH_HEX_LEN), TEXT(c->family, USERS_ID_LEN),
		INT(c->now), INT(c->expires_at),
	};
	enum db_err		 e;

	if ((e = prune_rows(db, c->now)) != DB_OK)
		return e;
	/* DB_CONSTRAINT: no such user (the foreign key). */
	if ((e = exec(db, SQL_ADD_FAMILY, fam, 5, NULL)) != DB_OK)
		return e;
	return exec(db, SQL_ADD_TOKEN, tok, 4, NULL);
}

enum refresh_err
refresh_issue(struct db *db, const char *user_id, int64_t generation,
    int64_t now, int64_t lifetime, struct refresh_grant *g)
{
	struct issue_ctx	 c;
	enum refresh_err	 ret;

	if (g == NULL)
		return REFRESH_EINVALID;
	memset(g, 0, sizeof(*g));
	if (db == NULL || !user_id_ok(user_id) || !times_ok(now, lifetime))
		return REFRESH_EINVALID;
	memset(&c, 0, sizeof(c));
	c.user_id = user_id;
	c.generation = generation;
	c.now = now;
	c.expires_at = now + lifetime;
	if (users_uuid4(c.family) == -1)
		return REFRESH_ENOMEM;
	if ((ret = token_new(g->token, c.hash)) != REFRESH_OK)
		return ret;
	if ((ret = map_db(db_transaction(db, issue_tx, &c))) != REFRESH_OK) {
		refresh_grant_clear(g);
		return ret;
	}
	memcpy(g->user_id, user_id, USERS_ID_LEN + 1);
	g->generation = generation;
	g->expires_at = c.expires_at;
	return REFRESH_OK;
}

/* ---- rotate ---- */

struct rotate_ctx {
	/* in */
	char		 hash[HASH_HEX_LEN + 1];	/* of the token presented */
	char		 next[HASH_HEX_LEN + 1];	/* of the token to hand out */
	int64_t		 now, lifetime;
	/* out, set afresh by each run of rotate_tx */
	enum refresh_err result;
	int		 reuse;		/* this run revoked the family for reuse */
	char		 family[USERS_ID_LEN + 1];
	char		 user_id[USERS_ID_LEN + 1];
	int64_t		 generation;
};

/* The row SQL_FIND read. */
struct found {
	int		 spent, revoked, user_gone, active;
	int64_t		 expires_at, generation, user_generation;
};

/* Copies a column that must be an id (USERS_ID_LEN characters). */
static int
column_id(struct db_stmt *s, int col, char *out)
{
	const char	*p;
	size_t		 len;

	if ((p = db_column_text(s, col, &len)) == NULL || len != USERS_ID_LEN)
		return -1;
	memcpy(out, p, USERS_ID_LEN);
	out[USERS_ID_LEN] = '\0';
	return 0;
}

/* Looks the token up: DB_OK with *hit 0 or 1, or the engine's error. */
static enum db_err
rotate_find(struct db *db, struct rotate_ctx *c, struct found *f, int *hit)
{
	struct db_stmt	*s;
	enum db_err	 e;

	*hit = 0;
	if ((e = db_prepare(db, SQL_FIND, &s)) != DB_OK)
		return e;
	if ((e = db_bind_text(s, 1, c->hash, HASH_HEX_LEN)) != DB_OK)
		goto out;
	if ((e = db_step(s)) == DB_DONE) {
		e = DB_OK;
		goto out;
	}
	if (e != DB_ROW)
		goto out;
	if (column_id(s, 0, c->family) == -1 ||
	    column_id(s, 4, c->user_id) == -1) {
		e = DB_CORRUPT;
		goto out;
	}
	f->expires_at = db_column_int64(s, 1);
	f->spent = !db_column_is_null(s, 2);
	f->revoked = !db_column_is_null(s, 3);
	f->generation = db_column_int64(s, 5);
	f->user_gone = db_column_is_null(s, 6);
	f->active = db_column_int64(s, 7) != 0;
	f->user_generation = db_column_int64(s, 8);
	*hit = 1;
	e = DB_OK;
out:
	db_stmt_done(s);
	return e;
}

/* Revokes c->family; *changed says whether it was live until now. */
static enum db_err
revoke_family_id(struct db *db, struct rotate_ctx *c, int *changed)
{
	const struct bind	 b[] = { TEXT(c->family, USERS_ID_LEN), INT(c->now) };
	int64_t			 n;
	enum db_err		 e;

	e = exec(db, SQL_REVOKE_ID, b, 2, &n);
	*changed = n > 0;
	return e;
}

/* Spends the token and adds the next one; *lost when another rotation
 * or a revocation came first. */
static enum db_err
rotate_spend(struct db *db, struct rotate_ctx *c, int *lost)
{
	const int64_t		 exp = c->now + c->lifetime;
	const struct bind	 spend[] = { TEXT(c->hash, HASH_HEX_LEN), INT(c->now) };
	const struct bind	 add[] = {
		TEXT(c->next, HASH_HEX_LEN), TEXT(c->family, USERS_ID_LEN),
		INT(c->now), INT(exp),
	};
	const struct bind	 slide[] = { TEXT(c->family, USERS_ID_LEN), INT(exp) };
	int64_t			 n;
	enum db_err		 e;

	*lost = 0;
	if ((e = exec(db, SQL_SPEND, spend, 2, &n)) != DB_OK)
		return e;
	if (n != 1) {
		*lost = 1;
		return DB_OK;
	}
	if ((e = exec(db, SQL_ADD_TOKEN, add, 4, NULL)) != DB_OK)
		return e;
	return exec(db, SQL_SLIDE, slide, 2, NULL);
}

/* The transaction of refresh_rotate; the decision is c->result, and
 * DB_OK commits whatever revocation it made. */
static enum db_err
rotate_tx(struct db *db, void *arg)
{
	struct rotate_ctx	*c = arg;
	struct found		 f;
	enum db_err		 e;
	int			 hit, lost, changed;

	c->result = REFRESH_EINVALID;
	c->reuse = 0;
	c->family[0] = c->user_id[0] = '\0';
	c->generation = 0;
	memset(&f, 0, sizeof(f));
	if ((e = rotate_find(db, c, &f, &hit)) != DB_OK || !hit)
		return e;
	/* Spent or revoked first: reuse is reuse, expired or not. */
	if (!f.spent && !f.revoked) {
		if (c->now >= f.expires_at)
			return DB_OK;		/* RFC 7519 §4.1.4's "on or after" */
		if (f.user_gone || !f.active ||
		    f.user_generation != f.generation)
			return revoke_family_id(db, c, &changed);
		if ((e = rotate_spend(db, c, &lost)) != DB_OK)
			return e;
		if (!lost) {
			c->generation = f.generation;
			c->result = REFRESH_OK;
			return DB_OK;
		}
	}
	c->result = REFRESH_EREUSED;
	e = revoke_family_id(db, c, &changed);
	c->reuse = changed;
	return e;
}

enum refresh_err
refresh_rotate(struct db *db, const char *token, size_t len, int64_t now,
    int64_t lifetime, struct refresh_grant *g)
{
	struct rotate_ctx	 c;
	enum refresh_err	 ret = REFRESH_EINVALID;

	if (g == NULL)
		return REFRESH_EINVALID;
	/* token may be g->token, from the grant before: hash it before *g
	 * is cleared. */
	memset(&c, 0, sizeof(c));
	if (db != NULL && token_ok(token, len) && times_ok(now, lifetime))
		ret = token_hash(token, len, c.hash) == -1 ? REFRESH_ENOMEM :
		    REFRESH_OK;
	memset(g, 0, sizeof(*g));
	if (ret != REFRESH_OK)
		return ret;
	c.now = now;
	c.lifetime = lifetime;
	if ((ret = token_new(g->token, c.next)) != REFRESH_OK)
		return ret;
	if ((ret = map_db(db_transaction(db, rotate_tx, &c))) == REFRESH_OK)
		ret = c.result;
	/* After the commit, so that a retried transaction logs once. */
	if (ret == REFRESH_EREUSED && c.reuse)
		log_warn("refresh token reused; family revoked",
		    "user_id", c.user_id, "family_id", c.family);
	if (ret != REFRESH_OK) {
		refresh_grant_clear(g);
		return ret;
	}
	memcpy(g->user_id, c.user_id, USERS_ID_LEN + 1);
	g->generation = c.generation;
	g->expires_at = now + lifetime;
	return REFRESH_OK;
}

/* ---- revocation and pruning ---- */

/* One statement in its own transaction (db_transaction retries it on
 * SQLITE_BUSY past the busy timeout, or nests it as a savepoint). */
struct exec_ctx {
	const char		*sql;
	const struct bind	*b;
	int			 n;
};

static enum db_err
exec_tx(struct db *db, void *arg)
{
	const struct exec_ctx	*c = arg;

	return exec(db, c->sql, c->b, c->n, NULL);
}

enum refresh_err
refresh_revoke_family(struct db *db, const char *token, size_t len,
    const char *user_id, int64_t now)
{
	char		 hash[HASH_HEX_LEN + 1];
	struct bind	 b[] = {
		TEXT(hash, HASH_HEX_LEN), TEXT(user_id, USERS_ID_LEN), INT(now),
	};
	struct exec_ctx	 c = { SQL_REVOKE_TOKEN, b, 3 };

	if (db == NULL || !user_id_ok(user_id) || now < 0)
		return REFRESH_EINVALID;
	if (!token_ok(token, len))
		return REFRESH_OK;	/* RFC 7009 §2.2 */
	if (token_hash(token, len, hash) == -1)
		return REFRESH_ENOMEM;
	return map_db(db_transaction(db, exec_tx, &c));
}

enum refresh_err
refresh_revoke_user(struct db *db, const char *user_id, int64_t now)
{
	struct bind	 b[] = { TEXT(user_id, USERS_ID_LEN), INT(now) };
	struct exec_ctx	 c = { SQL_REVOKE_USER, b, 2 };

	if (db == NULL || !user_id_ok(user_id) || now < 0)
		return REFRESH_EINVALID;
	return map_db(db_transaction(db, exec_tx, &c));
}

static enum db_err
prune_tx(struct db *db, void *arg)
{
	return prune_rows(db, *(const int64_t *)arg);
}

enum refresh_err
refresh_prune(struct db *db, int64_t now)
{
	if (db == NULL || now < 0 || now > REFRESH_NOW_MAX)
		return REFRESH_EINVALID;
	return map_db(db_transaction(db, prune_tx, &now));
}
