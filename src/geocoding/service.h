/*
 * service: the geocoding service both faces share — GET /geocode/city in
 * geocoding.fcgi and the geocode_city tool in mcp.fcgi.  A lookup goes to
 * the shared cache (cache.h) first, then to the providers of GEOCODER in
 * order: the gazetteer (offline) and Nominatim.  "Not found" moves on to
 * the next provider; an error is remembered and reported only when no
 * provider answered.  A found place is stored in the cache for
 * GEOCODING_CACHE_TTL_HOURS.
 *
 * The per-user quota (GEOCODING_USER_RATE_LIMIT and the per-role
 * overrides) is here too, so both faces spend from one bucket per user.
 */
#ifndef FCGI_USERS_GEO_SERVICE_H
#define FCGI_USERS_GEO_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "geocode.h"
#include "nominatim.h"
#include "ratelimit.h"

struct arena;
struct config;
struct db;
struct gazetteer;

enum geo_provider {
	GEO_OFFLINE,
	GEO_NOMINATIM,
	GEO_PROVIDER__MAX
};

struct geo_service {
	const struct config	*config;
	enum geo_provider	 chain[GEO_PROVIDER__MAX];
	size_t			 n_chain;
	struct gazetteer	*gazetteer;	/* opened on first use */
	int			 gazetteer_failed;	/* logged once */
	struct nominatim	 nominatim;
	int64_t			 ttl;		/* seconds */
	struct rl_zone		*zone;		/* RATE_LIMIT_STORE=shared-memory */
	int			 zone_failed;	/* logged once; the database serves */
	unsigned		 zone_fallbacks;	/* hits the zone had no room for */
};

/* What a lookup gives: the answer object as JSON text (no "cached"
 * member; geo_answer_json adds it), or an error and why. */
struct geo_result {
	enum geocode_err	 err;		/* OK, NOTFOUND, EUPSTREAM, EDB */
	const char		*answer;	/* arena; when err is OK */
	int			 cached;
	const char		*provider;	/* which answered; NULL when cached */
	char			 why[256];	/* for the log, when err is EUPSTREAM */
};

/* The quota a principal spends from. */
struct geo_quota {
	int			 unlimited;
	struct rate_limit	 limit;
	struct ratelimit_result	 r;
	char			 describe[RATELIMIT_DESCRIBE_MAX];
};

void	 geo_service_init(struct geo_service *, const struct config *);
void	 geo_service_free(struct geo_service *);
/* "offline,nominatim" as configured. */
const char *geo_service_providers(const struct geo_service *);

/*
 * Looks city up (1..GEOCODE_CITY_MAX characters, as the caller checked):
 * cache, then the chain.  The answer's "city" is city as given, and its
 * "timestamp" the time of the lookup that filled the cache.
 */
void	 geo_lookup(struct geo_service *, struct db *, struct arena *,
	    const char *city, struct geo_result *);
/* The answer with "cached" appended, as the response body (arena). */
const char *geo_answer_json(struct arena *, const struct geo_result *);

/*
 * Spends one request of the quota of `role` ("user", "premium", "admin")
 * under `key` (the user id, or "api-key").  The buckets live in the
 * shared-memory zone (RATE_LIMIT_STORE=shared-memory, the default) or,
 * for a key the zone has no room for and with RATE_LIMIT_STORE=database,
 * in table rate_limits.  0 with q->r.allowed saying whether it may go on
 * (always 1 when unlimited); -1 when the store failed.
 */
int	 geo_quota_spend(struct geo_service *, struct db *, const char *role,
	    const char *key, struct geo_quota *q);

#endif
