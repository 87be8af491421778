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

/*
 * A double as Python's repr writes it: the shortest text that reads back
 * as the same value (51.50853, not 51.508530000000001), always with a '.'
 * or an exponent so that it stays a float.
 */
static struct json_object *
py_float(double v)
{
	char	 buf[40];
	int	 prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (strpbrk(buf, ".eEn") == NULL)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".0");
	return json_object_new_double_s(v, buf);
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
	json_object_object_add(loc, "lat", py_float(p->lat));
	json_object_object_add(loc, "lon", py_float(p->lon));
	json_object_object_add(o, "location", loc);
	json_object_object_add(o, "display_name", json_object_new_string(
	    p->display_name[0] != '\0' ? p->display_name : city));
	json_object_object_add(o, "place_id", p->has_place_id ?
	    json_object_new_int64(p->place_id) : NULL);
	bb = NULL;
	if (p->has_bbox) {
		bb = json_object_new_array();
		for (i = 0; i < 4; i++)
			json_object_array_add(bb, py_float(p->bbox[i]));
	}
	json_object_object_add(o, "boundingbox", bb);
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	text = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

void
geo_lookup(struct geo_service *s, struct db *db, struct arena *a, const char *city,
    struct geo_result *r)
{
	struct geocode_place	 place;
	char			 key[GEOCACHE_KEY_MAX + 1], why[256];
	int			 has_key, failed = 0;
	size_t			 i;
	enum geocache_err	 ce;
	enum geocode_err	 e;
	int64_t			 now = (int64_t)time(NULL);

	memset(r, 0, sizeof(*r));
	has_key = geocache_key(city, key, sizeof(key)) == 0;
	if (has_key) {
		ce = geocache_get(db, a, key, now, &r->answer);
		if (ce == GEOCACHE_OK) {
			r->err = GEOCODE_OK;
			r->cached = 1;
			return;
		}
		if (ce == GEOCACHE_EDB) {
			r->err = GEOCODE_EDB;
			return;
		}
	}
	for (i = 0; i < s->n_chain; i++) {
		why[0] = '\0';
		e = ask(s, db, s->chain[i], city, &place, why, sizeof(why));
		if (e == GEOCODE_OK) {
			r->err = GEOCODE_OK;
			r->provider = provider_names[s->chain[i]];
			if ((r->answer = answer_text(a, city, &place)) == NULL) {
				r->err = GEOCODE_ENOMEM;
				return;
			}
			/* A lost cache write costs a later lookup, nothing more. */
			if (has_key && geocache_put(db, key, r->answer, now, s->ttl) !=
			    GEOCACHE_OK)
				log_warn("geocoding cache not written", "provider",
				    r->provider);
			return;
		}
		if (e != GEOCODE_NOTFOUND) {
			failed = 1;
			snprintf(r->why, sizeof(r->why), "%s: %s",
			    provider_names[s->chain[i]], why[0] != '\0' ? why :
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
	return arena_printf(a, "%.*s,\"cached\":%s}", (int)(n - 1), r->answer,
	    r->cached ? "true" : "false");
}

int
geo_quota_spend(const struct geo_service *s, struct db *db, const char *role,
    const char *key, struct geo_quota *q)
{
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
	if (ratelimit_hit(db, k, &q->limit, app_now_us(), &q->r) != RATELIMIT_OK)
		return -1;
	return 0;
}
