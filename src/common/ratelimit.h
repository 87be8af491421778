/*
 * ratelimit: request rate limits shared by every process (groundwork of
 * the geocoding issue; slowapi's @limiter.limit("10/minute") in the
 * FastAPI service).  A limit is written in the syntax of slowapi's
 * `limits` package ("10/minute", "2 per 30 seconds") and enforced with
 * GCRA, the generic cell rate algorithm: with T = period / count, `count`
 * requests may come at once, then one every T.  Each request is one atomic
 * UPSERT of one row of table rate_limits
 * (schema/sqlite/0004_rate_limits.sql), so the limit is exact however many
 * processes hit a key at once.  The result carries what the
 * RateLimit-Limit, -Remaining, -Reset and Retry-After headers need.
 */
#ifndef FCGI_USERS_RATELIMIT_H
#define FCGI_USERS_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct db;

#define RATELIMIT_SPEC_MAX	64		/* bytes of a limit string */
#define RATELIMIT_COUNT_MAX	1000000		/* requests per period */
#define RATELIMIT_MULTIPLE_MAX	10000		/* the M of "N per M units" */
#define RATELIMIT_KEY_MAX	256		/* bytes of a key */
#define RATELIMIT_DESCRIBE_MAX	48		/* "1000000 per 10000 second" + NUL fits */

enum ratelimit_err {
	RATELIMIT_OK,		/* decided: see result.allowed */
	RATELIMIT_EINVAL,	/* no key, a key too long, a bad limit or time */
	RATELIMIT_EDB,		/* the database failed (db logs why) */
	RATELIMIT_EBUSY,	/* ratelimit_reserve: no slot within max_wait */
	RATELIMIT_EFULL,	/* ratelimit_zone_hit: no slot free for the key */
	RATELIMIT__MAX
};

enum ratelimit_unit {
	RATELIMIT_SECOND,
	RATELIMIT_MINUTE,
	RATELIMIT_HOUR,
	RATELIMIT_DAY,
	RATELIMIT_UNIT__MAX
};

struct rate_limit {
	int64_t			 count;		/* requests per period, >= 1 */
	int64_t			 period_us;	/* microseconds, >= count */
	/* As written, for ratelimit_describe(): "per <multiple> <unit>". */
	int64_t			 multiple;
	enum ratelimit_unit	 unit;
};

struct ratelimit_result {
	int		 allowed;	/* 1: go ahead; 0: answer 429 */
	int64_t		 limit;		/* RateLimit-Limit: the count */
	int64_t		 remaining;	/* RateLimit-Remaining: requests now allowed */
	int64_t		 reset_s;	/* RateLimit-Reset: seconds until full again */
	int64_t		 retry_after_s;	/* Retry-After when denied (>= 1), else 0 */
};

const char	*ratelimit_strerror(enum ratelimit_err);

/*
 * Parses one limit in the syntax of `limits`: N "/" or "per", an optional
 * multiple M, and a unit second/minute/hour/day, singular or plural,
 * without regard to case; blanks around the parts are allowed.  N is in
 * 1 .. RATELIMIT_COUNT_MAX, M in 1 .. RATELIMIT_MULTIPLE_MAX.  Returns 0
 * and fills *out, or -1 (out untouched) for NULL, anything longer than
 * RATELIMIT_SPEC_MAX, or anything else.
 * XXX Not accepted: month and year, and lists of limits ("1/second;
 * 10/minute"); nothing here needs them yet.
 */
int		 ratelimit_parse(const char *s, struct rate_limit *out);

/*
 * The text of slowapi for a limit, "10 per 1 minute", as in its 429 detail
 * "Rate limit exceeded: 10 per 1 minute", into buf (len bytes, at least
 * RATELIMIT_DESCRIBE_MAX fits any limit).  Returns 0, or -1 for a bad
 * limit or a buffer too small.
 */
int		 ratelimit_describe(const struct rate_limit *, char *buf,
		    size_t len);

/*
 * Now in Unix microseconds (CLOCK_REALTIME): the time every now_us below
 * is in.  Buckets outlive the process (table rate_limits, the zone file
 * beside the database), so their times must mean the same after a reboot
 * and on every host; a monotonic clock restarts near 0 at boot, and a
 * bucket stamped before it would refuse its key for the old uptime.
 */
int64_t		 ratelimit_now_us(void);

/*
 * Records one request under `key` (a NUL-terminated string of 1 ..
 * RATELIMIT_KEY_MAX - 1 bytes) at now_us (Unix microseconds) against
 * `limit`, and fills *r.  Denied requests are not recorded.  Now and then
 * (a process's first hit, then one in RATELIMIT_PRUNE_EVERY) rows that
 * have run out are deleted first.  RATELIMIT_OK with
 * r->allowed saying the verdict, or an error (then the caller decides
 * whether to fail open).  On PostgreSQL the server's clock is the now,
 * not now_us: one clock for every host that shares the database.
 */
#define RATELIMIT_PRUNE_EVERY	64
enum ratelimit_err ratelimit_hit(struct db *, const char *key,
		    const struct rate_limit *limit, int64_t now_us,
		    struct ratelimit_result *r);

/* Deletes every row whose theoretical arrival time is before now_us (on
 * PostgreSQL: the server's now); such a row means the same as none.
 * RATELIMIT_OK or RATELIMIT_EDB. */
enum ratelimit_err ratelimit_prune(struct db *, int64_t now_us);

/*
 * Spacing (Nominatim's "at most one request per second", for every
 * process at once): reserves the next free slot of `interval_us` for key
 * and says how long to sleep until it starts (*wait_us, 0 when it starts
 * now).  Concurrent callers get consecutive slots.  RATELIMIT_EBUSY, with
 * nothing reserved, when that slot would start more than max_wait_us from
 * now_us.  One atomic statement on table rate_limits; the key must not be
 * one that ratelimit_hit() uses.  On PostgreSQL the server's clock is the
 * now, as for ratelimit_hit.
 */
enum ratelimit_err ratelimit_reserve(struct db *, const char *key,
		    int64_t interval_us, int64_t max_wait_us, int64_t now_us,
		    int64_t *wait_us);

/*
 * The shared-memory store (ratelimit_zone.c): the same buckets without a
 * database write per request, exact across the processes of one host.
 * ratelimit_zone_open maps the zone file at path (created mode 0600 with
 * nslots slots, ZONE_PROBE .. RATELIMIT_ZONE_SLOTS_MAX; replaced when it
 * is not a zone of this layout or is open to others); 0 or -1 (logged).
 * ratelimit_zone_hit decides as ratelimit_hit does, or answers
 * RATELIMIT_EFULL when the key finds no slot (the caller then uses the
 * database) or RATELIMIT_EDB when the lock fails.
 */
#define RATELIMIT_ZONE_SLOTS		65536	/* 2 MiB */
#define RATELIMIT_ZONE_SLOTS_MAX	(1U << 24)
#define RATELIMIT_ZONE_SUFFIX		"-limits"
struct rl_zone;
int		 ratelimit_zone_open(const char *path, uint32_t nslots,
		    struct rl_zone **out);
void		 ratelimit_zone_close(struct rl_zone *);
enum ratelimit_err ratelimit_zone_hit(struct rl_zone *, const char *key,
		    const struct rate_limit *limit, int64_t now_us,
		    struct ratelimit_result *r);

#endif
