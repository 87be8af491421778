/*
 * ratelimit_int.h: the GCRA arithmetic that the SQLite store
 * (ratelimit.c) and the shared-memory zone (ratelimit_zone.c) share.
 * Not for callers outside libcommon's ratelimit.
 */
#ifndef FCGI_USERS_RATELIMIT_INT_H
#define FCGI_USERS_RATELIMIT_INT_H

#include <stddef.h>
#include <stdint.h>

struct rate_limit;
struct ratelimit_result;

/* One decision: T the emission interval, B = count * T the burst window. */
struct ratelimit_gcra {
	const char	*key;
	size_t		 keylen;
	int64_t		 now, t, burst;
	int		 allowed;	/* out */
	int64_t		 tat;		/* out: the bucket's tat afterwards */
};

/* Checks key (1 .. RATELIMIT_KEY_MAX - 1 bytes), the limit and the time,
 * and fills g (tat: a full denial's).  0 or -1. */
int	ratelimit_gcra_init(struct ratelimit_gcra *g, const char *key,
	    const struct rate_limit *l, int64_t now_us);
/* The headers' figures from a decided g. */
void	ratelimit_gcra_result(const struct ratelimit_gcra *g,
	    const struct rate_limit *l, struct ratelimit_result *r);

struct rl_zone;
/* The zone's process-shared mutex (ratelimit_zone_hit's), for the tests of
 * a process that dies holding it.  0 or -1. */
int	ratelimit_zone_lock(struct rl_zone *);
void	ratelimit_zone_unlock(struct rl_zone *);

#endif
