/*
 * ratelimit: GCRA rate limits in table rate_limits (see ratelimit.h and
 * schema/sqlite/0004_rate_limits.sql).  A limit of `count` per `period`
 * has the emission interval T = period / count and the burst window
 * B = count * T; the row's tat is the theoretical arrival time.  A request
 * at `now` is allowed iff max(tat, now) + T - now <= B, and then tat
 * becomes max(tat, now) + T.  That test and that write are one UPSERT
 * whose DO UPDATE has a WHERE: a row comes back iff the request was
 * allowed, so processes never see each other half-way.  The read of the
 * tat of a denied request and, now and then, the prune are statements of
 * their own (see hit_run).
 *
 * B is count * T rather than the period: T is whole microseconds, rounded
 * down, and with B = period a burst could pass count (1e6 - 1 per second
 * has T = 1 and would let 1e6 through at once).  So a burst is exactly
 * `count`, and the sustained rate is at most one request per period per
 * (period mod count) microseconds too fast: never a whole request.
 *
 * XXX A clock that goes back leaves rows with a tat beyond now + B; such a
 * key is denied until the clock catches up (at most the step back).
 * throttle.c treats a future window as closed; here that would need a
 * second write on denials, and the clocks of one host do not step back.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db.h"
#include "ratelimit.h"
#include "ratelimit_int.h"

#define US_PER_S	INT64_C(1000000)
#define PERIOD_MAX_US	(RATELIMIT_MULTIPLE_MAX * 86400 * US_PER_S)
/* now + 2 * PERIOD_MAX_US never overflows below this. */
#define NOW_MAX_US	(INT64_MAX - 2 * PERIOD_MAX_US)

/*
 * ?1 key, ?2 now, ?3 T, ?4 B.  Unqualified tat_us in DO UPDATE is the
 * stored row's.  A new key is always allowed, since T <= B.
 *
 * PostgreSQL (db.h: statements per engine) names the row's column with
 * its table, has GREATEST for the scalar max, and keeps time by the
 * server's clock instead of ?2 (each statement returns the now it used as
 * its second column; the prune ignores ?1).  The hosts that share the
 * database share that one clock, where the callers' are their own;
 * and a hit's now is read after the
 * row's lock is taken, so requests are timed in the order they are
 * counted: with ?2, a request that read its clock before another but
 * reached the row after it (a round trip and a server process apart,
 * often so on a busy machine) was told one less in RateLimit-Remaining.
 */
#define PG_NOW_US	"CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)"
static const char *const hit_sqls[DB_ENGINE__MAX] = {
	[DB_ENGINE_SQLITE] =
	    "INSERT INTO rate_limits (key, tat_us) VALUES (?1, ?2 + ?3) "
	    "ON CONFLICT (key) DO UPDATE SET tat_us = max(tat_us, ?2) + ?3 "
	    "WHERE max(tat_us, ?2) + ?3 - ?2 <= ?4 "
	    "RETURNING tat_us",
	[DB_ENGINE_POSTGRES] =
	    "INSERT INTO rate_limits (key, tat_us) "
	    "VALUES (?1, " PG_NOW_US " + CAST(?3 AS BIGINT)) "
	    "ON CONFLICT (key) DO UPDATE "
	    "SET tat_us = GREATEST(rate_limits.tat_us, " PG_NOW_US ") + ?3 "
	    "WHERE GREATEST(rate_limits.tat_us, " PG_NOW_US ") + ?3 - "
	    PG_NOW_US " <= CAST(?4 AS BIGINT) "
	    "RETURNING tat_us, " PG_NOW_US,
};
#define hit_sql(db)	(hit_sqls[db_engine(db)])

static const char *const tat_sqls[DB_ENGINE__MAX] = {
	[DB_ENGINE_SQLITE] = "SELECT tat_us FROM rate_limits WHERE key = ?1",
	[DB_ENGINE_POSTGRES] = "SELECT tat_us, " PG_NOW_US
	    " FROM rate_limits WHERE key = ?1",
};

static const char *const prune_sqls[DB_ENGINE__MAX] = {
	[DB_ENGINE_SQLITE] = "DELETE FROM rate_limits WHERE tat_us < ?1",
	[DB_ENGINE_POSTGRES] = "DELETE FROM rate_limits WHERE tat_us < "
	    PG_NOW_US " AND CAST(?1 AS BIGINT) IS NOT NULL",
};

static const char *const ratelimit_errs[RATELIMIT__MAX] = {
	[RATELIMIT_OK] = "ok",
	[RATELIMIT_EINVAL] = "invalid argument",
	[RATELIMIT_EDB] = "database error",
	[RATELIMIT_EBUSY] = "no free slot within the wait allowed",
	[RATELIMIT_EFULL] = "no room for the key in the shared zone",
};

/* Indexed by enum ratelimit_unit; the names are slowapi's (singular). */
static const struct {
	const char	*name;
	size_t		 len;
	int64_t		 us;
} units[RATELIMIT_UNIT__MAX] = {
	[RATELIMIT_SECOND] = { "second", 6, US_PER_S },
	[RATELIMIT_MINUTE] = { "minute", 6, 60 * US_PER_S },
	[RATELIMIT_HOUR] = { "hour", 4, 3600 * US_PER_S },
	[RATELIMIT_DAY] = { "day", 3, 86400 * US_PER_S },
};

const char *
ratelimit_strerror(enum ratelimit_err e)
{
	return e < RATELIMIT__MAX ? ratelimit_errs[e] : "unknown error";
}

static const char *
skip_blanks(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Decimal digits (at least one) of a value in 1 .. max; advances *pp.
 * Returns 0 or -1. */
static int
parse_number(const char **pp, int64_t max, int64_t *v)
{
	const char	*p = *pp;
	int64_t		 n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > max)
			return -1;	/* also caps the digits read */
	}
	if (n < 1)
		return -1;
	*v = n;
	*pp = p;
	return 0;
}

int
ratelimit_parse(const char *s, struct rate_limit *out)
{
	const char	*p;
	int64_t		 count, multiple = 1;
	int		 u;

	if (s == NULL || out == NULL ||
	    strnlen(s, RATELIMIT_SPEC_MAX + 1) > RATELIMIT_SPEC_MAX)
		return -1;
	p = skip_blanks(s);
	if (parse_number(&p, RATELIMIT_COUNT_MAX, &count) == -1)
		return -1;
	p = skip_blanks(p);
	if (*p == '/')
		p++;
	else if (strncasecmp(p, "per", 3) == 0)
		p += 3;
	else
		return -1;
	p = skip_blanks(p);
	if (isdigit((unsigned char)*p)) {
		if (parse_number(&p, RATELIMIT_MULTIPLE_MAX, &multiple) == -1)
			return -1;
		p = skip_blanks(p);
	}
	for (u = 0; u < RATELIMIT_UNIT__MAX; u++)
		if (strncasecmp(p, units[u].name, units[u].len) == 0)
			break;
	if (u == RATELIMIT_UNIT__MAX)
		return -1;
	p += units[u].len;
	if (*p == 's' || *p == 'S')
		p++;
	if (*skip_blanks(p) != '\0')
		return -1;
	out->count = count;
	out->period_us = multiple * units[u].us;
	out->multiple = multiple;
	out->unit = (enum ratelimit_unit)u;
	return 0;
}

/* The limit can be enforced: T >= 1 us and every sum stays in range. */
static int
limit_ok(const struct rate_limit *l)
{
	return l != NULL && l->count >= 1 && l->count <= RATELIMIT_COUNT_MAX &&
	    l->period_us >= l->count && l->period_us <= PERIOD_MAX_US;
}

int
ratelimit_describe(const struct rate_limit *l, char *buf, size_t len)
{
	int	 n;

	if (!limit_ok(l) || buf == NULL || len == 0 ||
	    (unsigned)l->unit >= RATELIMIT_UNIT__MAX || l->multiple < 1 ||
	    l->multiple > RATELIMIT_MULTIPLE_MAX ||
	    l->multiple * units[l->unit].us != l->period_us)
		return -1;
	n = snprintf(buf, len, "%lld per %lld %s", (long long)l->count,
	    (long long)l->multiple, units[l->unit].name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int64_t
ratelimit_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The DELETE of ratelimit_prune, with the engine's error. */
static enum db_err
prune(struct db *db, int64_t now)
{
	struct db_stmt	*s;
	enum db_err	 e;

	if ((e = db_prepare(db, prune_sqls[db_engine(db)], &s)) != DB_OK)
		return e;
	if ((e = db_bind_int64(s, 1, now)) == DB_OK &&
	    (e = db_step(s)) == DB_DONE)
		e = DB_OK;
	db_stmt_done(s);
	return e;
}

/* Runs sql with ?1 the key and, when nparams is 4, ?2 now, ?3 T and ?4 B;
 * *found says whether it gave a row, *tat is that row's first column and,
 * on PostgreSQL, *now (when not NULL) its second: the server's now. */
static enum db_err
key_stmt(struct db *db, const char *sql, int nparams,
    const struct ratelimit_gcra *c, int *found, int64_t *tat, int64_t *now)
{
	struct db_stmt	*s;
	enum db_err	 e;

	*found = 0;
	if ((e = db_prepare(db, sql, &s)) != DB_OK)
		return e;
	if ((e = db_bind_text(s, 1, c->key, c->keylen)) != DB_OK)
		goto out;
	if (nparams == 4 &&
	    ((e = db_bind_int64(s, 2, c->now)) != DB_OK ||
	    (e = db_bind_int64(s, 3, c->t)) != DB_OK ||
	    (e = db_bind_int64(s, 4, c->burst)) != DB_OK))
		goto out;
	if ((e = db_step(s)) == DB_ROW) {
		*found = 1;
		*tat = db_column_int64(s, 0);
		if (now != NULL && db_engine(db) == DB_ENGINE_POSTGRES)
			*now = db_column_int64(s, 1);
		e = DB_OK;
	} else if (e == DB_DONE)
		e = DB_OK;
out:
	db_stmt_done(s);
	return e;
}

/*
 * ratelimit_hit's statements.  Each is a transaction of its own: the
 * UPSERT alone decides and records, atomically, and in autocommit SQLite
 * needs no statement journal for it (inside BEGIN ... COMMIT it allocates
 * and frees a 64 KiB one per write statement, the most of a hit's cost).
 * The tat of a denied request is read afterwards: another process may
 * have moved it on meanwhile, which only makes Retry-After later.
 */
static enum db_err
hit_run(struct db *db, struct ratelimit_gcra *c, int prune_first)
{
	enum db_err	 e;
	int		 found;

	c->allowed = 0;
	c->tat = c->now + c->burst;
	if (prune_first && (e = prune(db, c->now)) != DB_OK)
		return e;
	if ((e = key_stmt(db, hit_sql(db), 4, c, &found, &c->tat,
	    &c->now)) != DB_OK)
		return e;
	if (found) {
		c->allowed = 1;
		return DB_OK;
	}
	if ((e = key_stmt(db, tat_sqls[db_engine(db)], 1, c, &found, &c->tat,
	    &c->now)) != DB_OK)
		return e;
	if (!found)
		c->tat = c->now + c->burst;	/* pruned meanwhile; deny in full */
	return DB_OK;
}

/* Whole seconds of us, rounded up; 0 for us <= 0. */
static int64_t
ceil_s(int64_t us)
{
	return us <= 0 ? 0 : (us + US_PER_S - 1) / US_PER_S;
}

/* The checks and the start of a ratelimit_gcra that hit and reserve
 * share: a key of 1 .. RATELIMIT_KEY_MAX - 1 bytes, a time in range. */
static int
gcra_key(struct ratelimit_gcra *g, const char *key, int64_t now_us)
{
	memset(g, 0, sizeof(*g));
	if (key == NULL || now_us < 0 || now_us > NOW_MAX_US)
		return -1;
	g->key = key;
	g->keylen = strnlen(key, RATELIMIT_KEY_MAX);
	if (g->keylen == 0 || g->keylen == RATELIMIT_KEY_MAX)
		return -1;
	g->now = now_us;
	return 0;
}

int
ratelimit_gcra_init(struct ratelimit_gcra *g, const char *key,
    const struct rate_limit *l, int64_t now_us)
{
	if (gcra_key(g, key, now_us) != 0 || !limit_ok(l))
		return -1;
	g->t = l->period_us / l->count;
	g->burst = l->count * g->t;
	g->tat = g->now + g->burst;
	return 0;
}

void
ratelimit_gcra_result(const struct ratelimit_gcra *g,
    const struct rate_limit *l, struct ratelimit_result *r)
{
	int64_t	 d = g->tat - g->now;	/* how full the bucket is, in time */

	r->allowed = g->allowed;
	r->limit = l->count;
	r->remaining = d <= 0 ? l->count : (g->burst - d) / g->t;
	if (r->remaining < 0)
		r->remaining = 0;
	else if (r->remaining > l->count)
		r->remaining = l->count;
	r->reset_s = ceil_s(d);
	r->retry_after_s = 0;
	if (!g->allowed) {
		/* The next request is allowed once tat - now <= B - T. */
		r->retry_after_s = ceil_s(d - (g->burst - g->t));
		if (r->retry_after_s < 1)
			r->retry_after_s = 1;
	}
}

enum ratelimit_err
ratelimit_hit(struct db *db, const char *key, const struct rate_limit *l,
    int64_t now_us, struct ratelimit_result *r)
{
	static unsigned		 hits;	/* this process's, for the prune */
	struct ratelimit_gcra	 g;

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if (db == NULL || r == NULL || ratelimit_gcra_init(&g, key, l, now_us) != 0)
		return RATELIMIT_EINVAL;
	if (hit_run(db, &g, hits++ % RATELIMIT_PRUNE_EVERY == 0) != DB_OK)
		return RATELIMIT_EDB;
	ratelimit_gcra_result(&g, l, r);
	return RATELIMIT_OK;
}

enum ratelimit_err
ratelimit_prune(struct db *db, int64_t now_us)
{
	if (db == NULL)
		return RATELIMIT_EINVAL;
	return prune(db, now_us) == DB_OK ? RATELIMIT_OK : RATELIMIT_EDB;
}

/*
 * A reservation is a GCRA hit with T the interval and B the interval plus
 * the longest wait: hit_sql then moves tat_us to the end of the caller's
 * slot exactly when that slot starts within max_wait of now, in one
 * statement, so concurrent callers get consecutive slots.
 */
enum ratelimit_err
ratelimit_reserve(struct db *db, const char *key, int64_t interval_us,
    int64_t max_wait_us, int64_t now_us, int64_t *wait_us)
{
	struct ratelimit_gcra	 c;
	int			 found;

	if (wait_us != NULL)
		*wait_us = 0;
	if (wait_us == NULL || interval_us < 1 || interval_us > PERIOD_MAX_US ||
	    max_wait_us < 0 || max_wait_us > PERIOD_MAX_US ||
	    db == NULL || gcra_key(&c, key, now_us) != 0)
		return RATELIMIT_EINVAL;
	c.t = interval_us;
	c.burst = interval_us + max_wait_us;
	if (key_stmt(db, hit_sql(db), 4, &c, &found, &c.tat, &c.now) != DB_OK)
		return RATELIMIT_EDB;
	if (!found)
		return RATELIMIT_EBUSY;
	*wait_us = c.tat - interval_us - c.now;
	if (*wait_us < 0)
		*wait_us = 0;
	return RATELIMIT_OK;
}
