/*
 * service: the geocoding service (see service.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "cache.h"
#include "config.h"
#include "gazetteer.h"
#include "json.h"
#include "log.h"
#include "service.h"

static const char *const provider_names[GEO_PROVIDER__MAX] = {
	[GEO_OFFLINE] = "offline",
	[GEO_NOMINATIM] = "nominatim",
};

void
geo_service_init(struct geo_service *s, const struct config *c)
{
	const char	*p;
	size_t		 n;
	int		 i;

	memset(s, 0, sizeof(*s));
	s->config = c;
	s->ttl = c->geocoding_cache_ttl_hours * 3600;
	nominatim_from_config(&s->nominatim, c);
	/* config has checked the list: known names, each at most once. */
	for (p = c->geocoder; p != NULL && *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		for (i = 0; i < GEO_PROVIDER__MAX; i++)
			if (strlen(provider_names[i]) == n &&
			    strncmp(p, provider_names[i], n) == 0 &&
			    s->n_chain < GEO_PROVIDER__MAX)
				s->chain[s->n_chain++] = (enum geo_provider)i;
	}
}

void
geo_service_free(struct geo_service *s)
{
	gazetteer_close(s->gazetteer);
	s->gazetteer = NULL;
	ratelimit_zone_close(s->zone);
	s->zone = NULL;
}

const char *
geo_service_providers(const struct geo_service *s)
{
	return s->config->geocoder;
}

/* The gazetteer, opened once; a failure is logged once and retried on
 * later lookups (the file may appear: `fcgi-users import gazetteer`). */
static struct gazetteer *
gazetteer(struct geo_service *s, char *why, size_t whylen)
{
	enum geocode_err	 e;

	if (s->gazetteer != NULL)
		return s->gazetteer;
	e = gazetteer_open(s->config->gazetteer_path, &s->gazetteer);
	if (e == GEOCODE_OK) {
		s->gazetteer_failed = 0;
		return s->gazetteer;
	}
	snprintf(why, whylen, "the gazetteer (GAZETTEER_PATH) cannot be opened: %s "
	    "(fcgi-users import gazetteer builds it)", geocode_strerror(e));
	if (!s->gazetteer_failed)
		log_error("gazetteer unavailable", "reason", why);
	s->gazetteer_failed = 1;
	s->gazetteer = NULL;
	return NULL;
}

static enum geocode_err
ask(struct geo_service *s, struct db *db, enum geo_provider p, const char *city,
    struct geocode_place *place, char *why, size_t whylen)
{
	struct gazetteer	*g;
	enum geocode_err	 e;

	switch (p) {
	case GEO_OFFLINE:
		if ((g = gazetteer(s, why, whylen)) == NULL)
			return GEOCODE_EUPSTREAM;
		e = gazetteer_lookup(g, city, place);
		/* A blank or unfoldable query matches no name. */
		if (e == GEOCODE_EINVAL)
			e = GEOCODE_NOTFOUND;
		if (e == GEOCODE_EDB)
			snprintf(why, whylen, "the gazetteer failed");
		return e == GEOCODE_EDB ? GEOCODE_EUPSTREAM : e;
	case GEO_NOMINATIM:
		return nominatim_search(&s->nominatim, db, city, place, why, whylen);
	default:
		return GEOCODE_EUPSTREAM;
	}
}

/* The answer object of the Python service, without "cached". */
static const char *
answer_text(struct arena *a, const char *city, const struct geocode_place *p)
{
	struct json_object	*o, *loc, *bb;
	char			 ts[40];
	const char		*text;
	size_t			 i;

	log_timestamp(ts, sizeof(ts), LOG_TIME_US_OFFSET);
	o = json_object_new_object();
	json_object_object_add(o, "city", json_object_new_string(city));
	loc = json_object_new_object();
	json_object_object_add(loc, "lat", json_new_float_repr(p->lat));
	json_object_object_add(loc, "lon", json_new_float_repr(p->lon));
	json_object_object_add(o, "location", loc);
	json_object_object_add(o, "display_name", json_object_new_string(
	    p->display_name[0] != '\0' ? p->display_name : city));
	json_object_object_add(o, "place_id", p->has_place_id ?
	    json_object_new_int64(p->place_id) : NULL);
	bb = NULL;
	if (p->has_bbox) {
		bb = json_object_new_array();
		for (i = 0; i < 4; i++)
			json_object_array_add(bb, json_new_float_repr(p->bbox[i]));
	}
	json_object_object_add(o, "boundingbox", bb);
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	text = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* A provider that answers from this host (no network, no usage policy):
 * its answers are not worth a cache row. */
static int
is_local(enum geo_provider p)
{
	return p == GEO_OFFLINE;
}

/*
 * The cache, for the answers of the network providers: 1 when it answered
 * (r filled), 0 on a miss, -1 when the database failed (r->err set).
 */
static int
cached_answer(struct db *db, struct arena *a, const char *key, int64_t now,
    struct geo_result *r)
{
	switch (geocache_get(db, a, key, now, &r->answer)) {
	case GEOCACHE_OK:
		r->err = GEOCODE_OK;
		r->cached = 1;
		return 1;
	case GEOCACHE_EDB:
		r->err = GEOCODE_EDB;
		return -1;
	default:
		return 0;
	}
}

/*
 * Asks the providers in the chain's order.  The cache holds what the
 * network providers (Nominatim) answered and is read once, just before
 * the first of them: the offline gazetteer answers from a read-only file
 * faster than the cache would, so its answers are never stored (a store
 * is a database write per new city, the most costly step of a request).
 */
void
geo_lookup(struct geo_service *s, struct db *db, struct arena *a, const char *city,
    struct geo_result *r)
{
	struct geocode_place	 place;
	char			 key[GEOCACHE_KEY_MAX + 1], why[256];
	int			 has_key, asked_cache = 0, failed = 0;
	size_t			 i;
	enum geo_provider	 p;
	enum geocode_err	 e;
	int64_t			 now = (int64_t)time(NULL);

	memset(r, 0, sizeof(*r));
	has_key = geocache_key(city, key, sizeof(key)) == 0;
	for (i = 0; i < s->n_chain; i++) {
		p = s->chain[i];
		if (!is_local(p) && has_key && !asked_cache) {
			asked_cache = 1;
			if (cached_answer(db, a, key, now, r) != 0)
				return;
		}
		why[0] = '\0';
		e = ask(s, db, p, city, &place, why, sizeof(why));
		if (e == GEOCODE_OK) {
			r->err = GEOCODE_OK;
			r->provider = provider_names[p];
			if ((r->answer = answer_text(a, city, &place)) == NULL) {
				r->err = GEOCODE_ENOMEM;
				return;
			}
			/* A lost cache write costs a later lookup, nothing more. */
			if (!is_local(p) && has_key &&
			    geocache_put(db, key, r->answer, now, s->ttl) != GEOCACHE_OK)
				log_warn("geocoding cache not written", "provider",
				    r->provider);
			return;
		}
		if (e != GEOCODE_NOTFOUND) {
			failed = 1;
			snprintf(r->why, sizeof(r->why), "%s: %.200s",
			    provider_names[p], why[0] != '\0' ? why :
			    geocode_strerror(e));
		}
	}
	r->err = failed ? GEOCODE_EUPSTREAM : GEOCODE_NOTFOUND;
}

const char *
geo_answer_json(struct arena *a, const struct geo_result *r)
{
	size_t	 n;

	if (r->answer == NULL || (n = strlen(r->answer)) < 2 || r->answer[n - 1] != '}')
		return NULL;
	return arena_cat(a, r->answer, n - 1, r->cached ? ",\"cached\":true}" :
	    ",\"cached\":false}");
}

/*
 * The shared-memory zone beside the database, mapped on first use; NULL
 * (and the database serves the quotas) when RATE_LIMIT_STORE=database or
 * the zone cannot be opened, which is logged once.
 */
static struct rl_zone *
quota_zone(struct geo_service *s)
{
	const struct config	*c = s->config;
	char			*path;

	if (s->zone != NULL || s->zone_failed ||
	    c->rate_limit_store != CONFIG_RATE_LIMIT_SHARED)
		return s->zone;
	if (c->database_path == NULL ||
	    asprintf(&path, "%s%s", c->database_path, RATELIMIT_ZONE_SUFFIX) == -1) {
		s->zone_failed = 1;
		return NULL;
	}
	if (ratelimit_zone_open(path, RATELIMIT_ZONE_SLOTS, &s->zone) != 0) {
		log_warn("geocoding quotas fall back to the database",
		    "setting", "RATE_LIMIT_STORE");
		s->zone_failed = 1;
	}
	free(path);
	return s->zone;
}

int
geo_quota_spend(struct geo_service *s, struct db *db, const char *role,
    const char *key, struct geo_quota *q)
{
	struct rl_zone		*zone;
	enum ratelimit_err	 e = RATELIMIT_EFULL;
	int64_t			 now;
	const struct config	*c = s->config;
	const char		*spec;
	char			 k[RATELIMIT_KEY_MAX];

	memset(q, 0, sizeof(*q));
	if (role != NULL && strcmp(role, "admin") == 0)
		spec = c->geocoding_rate_limit_admin;
	else if (role != NULL && strcmp(role, "premium") == 0 &&
	    c->geocoding_rate_limit_premium != NULL)
		spec = c->geocoding_rate_limit_premium;
	else
		spec = c->geocoding_rate_limit_user;
	if (spec == NULL || strcasecmp(spec, "unlimited") == 0 ||
	    ratelimit_parse(spec, &q->limit) != 0) {
		q->unlimited = 1;
		q->r.allowed = 1;
		return 0;
	}
	(void)ratelimit_describe(&q->limit, q->describe, sizeof(q->describe));
	/* The spec is part of the key: a changed limit starts afresh. */
	snprintf(k, sizeof(k), "geocode:%s:%s", key, spec);
	now = ratelimit_now_us();
	if ((zone = quota_zone(s)) != NULL &&
	    (e = ratelimit_zone_hit(zone, k, &q->limit, now, &q->r)) != RATELIMIT_EFULL &&
	    e != RATELIMIT_EDB)
		return e == RATELIMIT_OK ? 0 : -1;
	if (zone != NULL && s->zone_fallbacks++ % 1000 == 0)
		log_warn("geocoding quota served by the database", "reason",
		    ratelimit_strerror(e));
	if (ratelimit_hit(db, k, &q->limit, now, &q->r) != RATELIMIT_OK)
		return -1;
	return 0;
}
