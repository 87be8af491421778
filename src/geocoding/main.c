/*
 * geocoding.fcgi: /geocode/... — the Python service's geocoding router on
 * libgeocode's service (service.h): GET /geocode/city, GET
 * /geocode/health, POST /geocode/cache/clear (superusers only, where the
 * Python service let anyone clear it).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "cache.h"
#include "gazetteer.h"
#include "json.h"
#include "log.h"
#include "request.h"
#include "service.h"

static void	city(struct request *, struct response *);
static void	health(struct request *, struct response *);
static void	cache_clear(struct request *, struct response *);

static const struct route routes[] = {
	{ HTTP_GET, "/geocode/city", city, 0 },
	{ HTTP_GET, "/geocode/health", health, 0 },
	{ HTTP_POST, "/geocode/cache/clear", cache_clear, 0 },
};

static const struct app_def geocoding_app = {
	"geocoding.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1, 0, 0
};

/* One per process: the gazetteer stays open between requests. */
static struct geo_service	 service;
static int			 service_ready;

static struct geo_service *
svc(struct request *req)
{
	if (!service_ready) {
		geo_service_init(&service, &req->app->config);
		service_ready = 1;
	}
	return &service;
}

/*
 * The query parameter city as FastAPI's Query(min_length=1,
 * max_length=200): 1 with *out, or 0 after answering 422.
 */
static int
city_param(struct request *req, struct response *resp, const char **out)
{
	struct json_object	*errs = json_object_new_array(), *in, *ctx;
	const char		*v = request_query(req, "city");
	long			 n;

	*out = NULL;
	if (v == NULL) {
		json_error_add(errs, "missing", "Field required", NULL, NULL,
		    "query", "city");
		goto invalid;
	}
	if ((n = utf8_length(v, strlen(v))) < 0) {
		json_error_add(errs, "string_unicode", "Input should be a valid "
		    "string, unable to parse raw data as a unicode string", NULL,
		    NULL, "query", "city");
		goto invalid;
	}
	in = json_object_new_string(v);
	ctx = json_object_new_object();
	if (n < 1) {
		json_object_object_add(ctx, "min_length", json_object_new_int(1));
		json_error_add(errs, "string_too_short", "String should have at "
		    "least 1 character", in, ctx, "query", "city");
	} else if (n > GEOCODE_CITY_MAX) {
		json_object_object_add(ctx, "max_length",
		    json_object_new_int(GEOCODE_CITY_MAX));
		json_error_add(errs, "string_too_long", "String should have at "
		    "most 200 characters", in, ctx, "query", "city");
	} else {
		json_object_put(ctx);
		json_object_put(in);
		json_object_put(errs);
		*out = v;
		return 1;
	}
	json_object_put(in);
invalid:
	response_validation(resp, errs);
	return 0;
}

static void
rate_headers(struct response *resp, struct arena *a, const struct geo_quota *q)
{
	if (q->unlimited)
		return;
	response_set_header(resp, "RateLimit-Limit",
	    arena_printf(a, "%lld", (long long)q->r.limit));
	response_set_header(resp, "RateLimit-Remaining",
	    arena_printf(a, "%lld", (long long)q->r.remaining));
	response_set_header(resp, "RateLimit-Reset",
	    arena_printf(a, "%lld", (long long)q->r.reset_s));
}

/* GET /geocode/city?city=… (Bearer, or the legacy key) */
static void
city(struct request *req, struct response *resp)
{
	struct geo_service	*s = svc(req);
	struct principal	 p;
	struct geo_quota	 q;
	struct geo_result	 r;
	const char		*c, *body;

	/* 401 and 422 come first and spend no quota. */
	if (authn_require(req, resp, AUTHN_API_KEY, &p) != 0)
		return;
	if (!city_param(req, resp, &c))
		return;
	if (geo_quota_spend(s, req->app->db, p.is_api_key ? "user" : p.user.role,
	    p.is_api_key ? "api-key" : p.user.id, &q) != 0) {
		response_error(resp, 503, "Database unavailable");
		return;
	}
	if (!q.r.allowed) {
		response_error(resp, 429, arena_printf(req->arena,
		    "Rate limit exceeded: %s", q.describe));
		response_set_header(resp, "Retry-After", arena_printf(req->arena,
		    "%lld", (long long)q.r.retry_after_s));
		rate_headers(resp, req->arena, &q);
		return;
	}
	geo_lookup(s, req->app->db, req->arena, c, &r);
	switch (r.err) {
	case GEOCODE_OK:
		if ((body = geo_answer_json(req->arena, &r)) == NULL) {
			response_error(resp, 503, "Geocoding service temporarily unavailable");
			break;
		}
		response_json_text(resp, 200, body);
		break;
	case GEOCODE_NOTFOUND:
		response_error(resp, 404, arena_printf(req->arena,
		    "City '%s' not found", c));
		break;
	case GEOCODE_EUPSTREAM:
		log_warn("geocoding failed", "reason", r.why);
		response_error(resp, 503, "Geocoding service temporarily unavailable");
		break;
	default:
		log_error("geocoding failed", "error", geocode_strerror(r.err));
		response_error(resp, 503, "Geocoding service temporarily unavailable");
		break;
	}
	rate_headers(resp, req->arena, &q);
}

/* GET /geocode/health */
static void
health(struct request *req, struct response *resp)
{
	struct geo_service	*s = svc(req);
	struct json_object	*o, *g;
	struct gazetteer_info	 gi;
	int64_t			 size = 0;

	if (geocache_count(req->app->db, (int64_t)time(NULL), &size) != GEOCACHE_OK) {
		response_error(resp, 503, "Geocoding service health check failed");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "service", json_object_new_string("geocoding"));
	json_object_object_add(o, "status", json_object_new_string("healthy"));
	json_object_object_add(o, "cache_size", json_object_new_int64(size));
	json_object_object_add(o, "cache_ttl_hours",
	    json_object_new_int64(req->app->config.geocoding_cache_ttl_hours));
	json_object_object_add(o, "rate_limiter", json_object_new_string("active"));
	json_object_object_add(o, "user_agent",
	    json_object_new_string(s->nominatim.user_agent));
	json_object_object_add(o, "provider",
	    json_object_new_string(geo_service_providers(s)));
	/* Beyond the Python service: what the offline data is. */
	if (s->gazetteer == NULL)
		(void)gazetteer_open(req->app->config.gazetteer_path, &s->gazetteer);
	if (s->gazetteer != NULL && gazetteer_info(s->gazetteer, &gi) == GEOCODE_OK) {
		g = json_object_new_object();
		json_object_object_add(g, "places", json_object_new_int64(gi.places));
		json_object_object_add(g, "source", json_object_new_string(gi.source));
		json_object_object_add(g, "licence", json_object_new_string(gi.licence));
		json_object_object_add(g, "imported_at",
		    json_object_new_string(gi.imported_at));
		json_object_object_add(o, "gazetteer", g);
	} else
		json_object_object_add(o, "gazetteer", NULL);
	response_json(resp, 200, o);
}

/* POST /geocode/cache/clear (superusers) */
static void
cache_clear(struct request *req, struct response *resp)
{
	struct principal	 p;
	struct json_object	*o;
	char			 ts[40];

	if (authn_require(req, resp, AUTHN_SUPERUSER, &p) != 0)
		return;
	if (geocache_clear(req->app->db) != GEOCACHE_OK) {
		response_error(resp, 503, "Failed to clear geocoding cache");
		return;
	}
	log_info("geocoding cache cleared", "user_id", p.user.id);
	log_timestamp(ts, sizeof(ts), LOG_TIME_US_OFFSET);
	o = json_object_new_object();
	json_object_object_add(o, "message",
	    json_object_new_string("Geocoding cache cleared"));
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	response_json(resp, 200, o);
}

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &geocoding_app);
}
