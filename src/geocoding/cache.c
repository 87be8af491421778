/*
 * cache: geocoding answers in SQLite (see cache.h).  Each call is one
 * statement from db's cache, so a hit costs one primary-key lookup.
 */
#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "cache.h"
#include "db.h"

static const char SQL_GET[] = "SELECT answer FROM geocode_cache "
    "WHERE key = ? AND expires_at > ?";
static const char SQL_PUT[] = "INSERT INTO geocode_cache "
    "(key, answer, created_at, expires_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at";
static const char SQL_EXPIRED[] = "SELECT 1 FROM geocode_cache "
    "WHERE expires_at <= ? LIMIT 1";
static const char SQL_PRUNE[] = "DELETE FROM geocode_cache WHERE expires_at <= ?";
static const char SQL_COUNT[] = "SELECT count(*) FROM geocode_cache WHERE expires_at > ?";
static const char SQL_CLEAR[] = "DELETE FROM geocode_cache";

static const char *const geocache_errs[GEOCACHE__MAX] = {
	[GEOCACHE_OK] = "ok",
	[GEOCACHE_MISS] = "not cached",
	[GEOCACHE_EINVAL] = "invalid key or answer",
	[GEOCACHE_EDB] = "database error",
};

const char *
geocache_strerror(enum geocache_err e)
{
	return e < GEOCACHE__MAX ? geocache_errs[e] : "unknown error";
}

int
geocache_key(const char *city, char *buf, size_t len)
{
	size_t	 n, i;

	while (isspace((unsigned char)*city))
		city++;
	n = strlen(city);
	while (n > 0 && isspace((unsigned char)city[n - 1]))
		n--;
	if (n == 0 || n > GEOCACHE_KEY_MAX || n >= len)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)city[i]);
	buf[n] = '\0';
	return 0;
}

enum geocache_err
geocache_get(struct db *db, struct arena *a, const char *key, int64_t now,
    const char **answer)
{
	struct db_stmt		*st;
	const char		*v;
	size_t			 len;
	enum geocache_err	 ret = GEOCACHE_EDB;
	enum db_err		 e;

	*answer = NULL;
	if (*key == '\0' || strlen(key) > GEOCACHE_KEY_MAX)
		return GEOCACHE_EINVAL;
	if (db_prepare(db, SQL_GET, &st) != DB_OK)
		return GEOCACHE_EDB;
	if (db_bind_text(st, 1, key, strlen(key)) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK)
		goto out;
	if ((e = db_step(st)) == DB_DONE)
		ret = GEOCACHE_MISS;
	else if (e == DB_ROW && (v = db_column_text(st, 0, &len)) != NULL &&
	    (*answer = arena_strndup(a, v, len)) != NULL)
		ret = GEOCACHE_OK;
out:
	db_stmt_done(st);
	return ret;
}

/* Runs st (prepared, bound) to its end; DB_OK when it completed. */
static enum db_err
run_done(struct db_stmt *st, enum db_err e)
{
	if (e == DB_OK)
		return db_stmt_run(st);
	db_stmt_done(st);
	return e;
}

/*
 * Deletes the rows expired at `now`, when there are any: the check is a
 * read of the expires_at index, which takes no lock, so a put pays for a
 * write only when something expired (in steady use, about one row for
 * each row stored a TTL ago).
 */
static enum db_err
prune(struct db *db, int64_t now)
{
	struct db_stmt	*st;
	enum db_err	 e;

	if (db_prepare(db, SQL_EXPIRED, &st) != DB_OK)
		return DB_ERROR;
	if ((e = db_bind_int64(st, 1, now)) == DB_OK)
		e = db_step(st);
	db_stmt_done(st);
	if (e == DB_DONE)
		return DB_OK;
	if (e != DB_ROW)
		return e;
	if (db_prepare(db, SQL_PRUNE, &st) != DB_OK)
		return DB_ERROR;
	return run_done(st, db_bind_int64(st, 1, now));
}

/*
 * The prune and the store are statements of their own, each its own
 * transaction, not one transaction around both: inside BEGIN ... COMMIT
 * SQLite gives each write statement a statement journal (a 64 KiB buffer
 * allocated and freed every time), and the cache needs no atomicity
 * between them.
 */
enum geocache_err
geocache_put(struct db *db, const char *key, const char *answer, int64_t now,
    int64_t ttl)
{
	struct db_stmt	*st;
	enum db_err	 e;

	if (*key == '\0' || strlen(key) > GEOCACHE_KEY_MAX ||
	    strlen(answer) > GEOCACHE_ANSWER_MAX || ttl < 1)
		return GEOCACHE_EINVAL;
	if (prune(db, now) != DB_OK)
		return GEOCACHE_EDB;
	if (db_prepare(db, SQL_PUT, &st) != DB_OK)
		return GEOCACHE_EDB;
	if ((e = db_bind_text(st, 1, key, strlen(key))) == DB_OK &&
	    (e = db_bind_text(st, 2, answer, strlen(answer))) == DB_OK &&
	    (e = db_bind_int64(st, 3, now)) == DB_OK)
		e = db_bind_int64(st, 4, now + ttl);
	return run_done(st, e) == DB_OK ? GEOCACHE_OK : GEOCACHE_EDB;
}

enum geocache_err
geocache_count(struct db *db, int64_t now, int64_t *count)
{
	struct db_stmt		*st;
	enum geocache_err	 ret = GEOCACHE_EDB;

	*count = 0;
	if (db_prepare(db, SQL_COUNT, &st) != DB_OK)
		return GEOCACHE_EDB;
	if (db_bind_int64(st, 1, now) == DB_OK && db_step(st) == DB_ROW) {
		*count = db_column_int64(st, 0);
		ret = GEOCACHE_OK;
	}
	db_stmt_done(st);
	return ret;
}

enum geocache_err
geocache_clear(struct db *db)
{
	return db_exec(db, SQL_CLEAR) == DB_OK ? GEOCACHE_OK : GEOCACHE_EDB;
}
