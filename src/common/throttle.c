/*
 * throttle: failed-login counts in table login_failures (see throttle.h and
 * schema/sqlite/0003_login_failures.sql).  A check is one read of at most
 * two rows; a failure is one transaction of a prune and one UPSERT per
 * counted key, each of which restarts an expired window or adds one to the
 * open one in a single statement, so concurrent processes never lose a
 * count.  Account keys are lower()ed in SQL, exactly as users.c compares
 * e-mails, so a key matches precisely the spellings that find the account.
 *
 * XXX The check and the failure are separate statements: attempts that
 * pass throttle_check() at once, in different processes, all reach the
 * hash, so a window may see up to (processes - 1) more hashes than its
 * limit.  The counts themselves stay exact.
 * XXX The address is REMOTE_ADDR: behind a reverse proxy every client
 * shares the proxy's address (X-Forwarded-For is not trusted here).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "throttle.h"

/* A window is open while window_start <= now < window_start + window.  A
 * window_start in the future (the clock went back) counts as closed, so a
 * row can never block for longer than one window.  The stored row's
 * columns are named with the table's name: PostgreSQL finds a bare name in
 * DO UPDATE ambiguous (the row, or the one proposed). */
#define EXPIRED_SQL \
	"(?3 - login_failures.window_start >= ?4 OR " \
	"login_failures.window_start > ?3)"

#define UPSERT_SQL(keyexpr) \
	"INSERT INTO login_failures (kind, key, count, window_start) " \
	"VALUES (?1, " keyexpr ", 1, ?3) " \
	"ON CONFLICT (kind, key) DO UPDATE SET " \
	"count = CASE WHEN " EXPIRED_SQL " THEN 1 " \
	"ELSE login_failures.count + 1 END, " \
	"window_start = CASE WHEN " EXPIRED_SQL " THEN ?3 " \
	"ELSE login_failures.window_start END " \
	"RETURNING count"

static const char *const upsert_account_sql = UPSERT_SQL("lower(?2)");
static const char *const upsert_address_sql = UPSERT_SQL("?2");

static const char *const check_sql =
    "SELECT kind, count, window_start FROM login_failures "
    "WHERE kind = 'account' AND key = lower(?1) "
    "UNION ALL "
    "SELECT kind, count, window_start FROM login_failures "
    "WHERE kind = 'address' AND key = ?2";

static const char *const success_sql =
    "DELETE FROM login_failures WHERE kind = 'account' AND key = lower(?1)";

static const char *const prune_sql =
    "DELETE FROM login_failures WHERE window_start <= ?1 OR window_start > ?2";

static const char *const throttle_errs[THROTTLE__MAX] = {
	[THROTTLE_OK] = "ok",
	[THROTTLE_BLOCKED] = "too many failed login attempts",
	[THROTTLE_EINVAL] = "invalid argument",
	[THROTTLE_EDB] = "database error",
};

const char *
throttle_strerror(enum throttle_err e)
{
	return e < THROTTLE__MAX ? throttle_errs[e] : "unknown error";
}

void
throttle_limits_from_config(struct throttle_limits *l, const struct config *c)
{
	l->account_max = c->login_max_failures;
	l->address_max = c->login_max_failures_per_address;
	l->window = c->login_failure_window;
}

static int
limits_ok(const struct throttle_limits *l)
{
	return l != NULL && l->account_max >= 1 && l->address_max >= 1 &&
	    l->window >= 1;
}

int
throttle_address_key(const char *addr, char *buf, size_t len)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	size_t		 n;

	if (addr == NULL || *addr == '\0' || len < THROTTLE_ADDR_MAX)
		return -1;
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
			return inet_ntop(AF_INET, &a4, buf, (socklen_t)len) ==
			    NULL ? -1 : 0;
		}
		/* RFC 4291 §2.5.4: the low 64 bits are the interface. */
		memset(&a6.s6_addr[8], 0, 8);
		if (inet_ntop(AF_INET6, &a6, buf, (socklen_t)len) == NULL)
			return -1;
		n = strlen(buf);
		snprintf(buf + n, len - n, "/64");
		return 0;
	}
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return inet_ntop(AF_INET, &a4, buf, (socklen_t)len) == NULL ? -1 : 0;
	snprintf(buf, len, "%.*s", THROTTLE_ADDR_MAX - 1, addr);
	return 0;
}

/* Seconds until the window of a row at its limit closes, or 0 when the
 * row does not block (under the limit, or its window closed). */
static int64_t
row_blocks(const struct throttle_limits *l, const char *kind, int64_t count,
    int64_t start, int64_t now)
{
	int64_t	 max = strcmp(kind, "account") == 0 ? l->account_max :
		    l->address_max;

	if (start > now || now - start >= l->window || count < max)
		return 0;
	return start + l->window - now;		/* 1 .. window */
}

enum throttle_err
throttle_check(struct db *db, const struct throttle_limits *l,
    const char *email, const char *addr, int64_t now, int64_t *retry_after)
{
	struct db_stmt		*s = NULL;
	const char		*kind;
	char			 akey[THROTTLE_ADDR_MAX];
	int64_t			 wait, longest = 0;
	enum db_err		 e;
	enum throttle_err	 ret = THROTTLE_EINVAL;

	if (retry_after != NULL)
		*retry_after = 0;
	if (email == NULL || !limits_ok(l))
		goto out;
	ret = THROTTLE_EDB;
	if (db_prepare(db, check_sql, &s) != DB_OK ||
	    db_bind_text(s, 1, email, strlen(email)) != DB_OK)
		goto out;
	if (throttle_address_key(addr, akey, sizeof(akey)) == 0)
		e = db_bind_text(s, 2, akey, strlen(akey));
	else
		e = db_bind_null(s, 2);
	if (e != DB_OK)
		goto out;
	while ((e = db_step(s)) == DB_ROW) {
		if ((kind = db_column_text(s, 0, NULL)) == NULL)
			continue;
		wait = row_blocks(l, kind, db_column_int64(s, 1),
		    db_column_int64(s, 2), now);
		if (wait > longest)
			longest = wait;
	}
	if (e != DB_DONE)
		goto out;
	if (retry_after != NULL)
		*retry_after = longest;
	ret = longest > 0 ? THROTTLE_BLOCKED : THROTTLE_OK;
out:
	if (s != NULL)
		db_stmt_done(s);
	return ret;
}

static enum db_err prune(struct db *, int64_t window, int64_t now);

struct fail_ctx {
	const struct throttle_limits	*l;
	const char			*email;
	const char			*akey;	/* NULL: no address */
	int64_t				 now;
	int64_t				 account_count, address_count;
};

/* One UPSERT; the row's new count in *count. */
static enum db_err
upsert(struct db *db, const char *sql, const char *kind, const char *key,
    const struct fail_ctx *c, int64_t *count)
{
	struct db_stmt	*s;
	enum db_err	 e;

	if ((e = db_prepare(db, sql, &s)) != DB_OK)
		return e;
	if ((e = db_bind_text(s, 1, kind, strlen(kind))) != DB_OK ||
	    (e = db_bind_text(s, 2, key, strlen(key))) != DB_OK ||
	    (e = db_bind_int64(s, 3, c->now)) != DB_OK ||
	    (e = db_bind_int64(s, 4, c->l->window)) != DB_OK)
		goto out;
	if ((e = db_step(s)) == DB_ROW) {
		*count = db_column_int64(s, 0);
		e = DB_OK;
	} else if (e == DB_DONE)
		e = DB_ERROR;	/* RETURNING always yields the row */
out:
	db_stmt_done(s);
	return e;
}

/* The transaction of throttle_fail.  db_transaction may run it again after
 * SQLITE_BUSY, so it touches nothing but the database and *c's counts. */
static enum db_err
fail_tx(struct db *db, void *arg)
{
	struct fail_ctx	*c = arg;
	enum db_err	 e;

	if ((e = prune(db, c->l->window, c->now)) != DB_OK)
		return e;
	if ((e = upsert(db, upsert_account_sql, "account", c->email, c,
	    &c->account_count)) != DB_OK)
		return e;
	if (c->akey != NULL)
		e = upsert(db, upsert_address_sql, "address", c->akey, c,
		    &c->address_count);
	return e;
}

enum throttle_err
throttle_fail(struct db *db, const struct throttle_limits *l,
    const char *email, const char *addr, int64_t now)
{
	struct fail_ctx	 c;
	char		 akey[THROTTLE_ADDR_MAX];

	if (email == NULL || !limits_ok(l))
		return THROTTLE_EINVAL;
	memset(&c, 0, sizeof(c));
	c.l = l;
	c.email = email;
	c.akey = throttle_address_key(addr, akey, sizeof(akey)) == 0 ? akey : NULL;
	c.now = now;
	if (db_transaction(db, fail_tx, &c) != DB_OK)
		return THROTTLE_EDB;
	/* Neither the e-mail nor the address is logged: which one is kept
	 * from the log, only that a limit was reached. */
	if (c.account_count == l->account_max)
		log_warn("login throttled", "kind", "account");
	if (c.akey != NULL && c.address_count == l->address_max)
		log_warn("login throttled", "kind", "address");
	return THROTTLE_OK;
}

enum throttle_err
throttle_success(struct db *db, const char *email)
{
	struct db_stmt		*s;
	enum throttle_err	 ret = THROTTLE_EDB;

	if (email == NULL)
		return THROTTLE_EINVAL;
	if (db_prepare(db, success_sql, &s) != DB_OK)
		return THROTTLE_EDB;
	if (db_bind_text(s, 1, email, strlen(email)) == DB_OK &&
	    db_step(s) == DB_DONE)
		ret = THROTTLE_OK;
	db_stmt_done(s);
	return ret;
}

/* The DELETE of throttle_prune, with the engine's error (DB_BUSY kept, so
 * that fail_tx's transaction is retried). */
static enum db_err
prune(struct db *db, int64_t window, int64_t now)
{
	struct db_stmt	*s;
	enum db_err	 e;

	if ((e = db_prepare(db, prune_sql, &s)) != DB_OK)
		return e;
	if ((e = db_bind_int64(s, 1, now - window)) == DB_OK &&
	    (e = db_bind_int64(s, 2, now)) == DB_OK &&
	    (e = db_step(s)) == DB_DONE)
		e = DB_OK;
	db_stmt_done(s);
	return e;
}

enum throttle_err
throttle_prune(struct db *db, const struct throttle_limits *l, int64_t now)
{
	if (!limits_ok(l))
		return THROTTLE_EINVAL;
	return prune(db, l->window, now) == DB_OK ? THROTTLE_OK : THROTTLE_EDB;
}
