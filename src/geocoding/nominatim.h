/*
 * nominatim: the online provider — GET {NOMINATIM_URL}/search?q=…
 * &format=json&addressdetails=1&limit=5&accept-language=en as the Python
 * service asked it, the first result used.  libcurl is loaded on the first
 * lookup (curl_dl.h), so a deployment that answers from the gazetteer
 * never maps it.
 *
 * Bounds: connect and total time NOMINATIM_TIMEOUT_SECONDS each; the body
 * at most NOMINATIM_BODY_MAX bytes; https only, plain http only to a
 * loopback host (the tests' fake server, a local Nominatim); no redirects,
 * no proxy from the environment.  Nominatim's usage policy — at most one
 * request a second — holds for the whole deployment: every request first
 * reserves its slot in the database (ratelimit_reserve), and gives up with
 * GEOCODE_EUPSTREAM when the queue is longer than NOMINATIM_MAX_WAIT_MS.
 */
#ifndef FCGI_USERS_NOMINATIM_H
#define FCGI_USERS_NOMINATIM_H

#include <stddef.h>
#include <stdint.h>

#include "geocode.h"

struct config;
struct db;

#define NOMINATIM_BODY_MAX	(1024 * 1024)	/* bytes of an answer we read */
#define NOMINATIM_URL_MAX	512		/* bytes of NOMINATIM_URL */
#define NOMINATIM_SPACING_US	INT64_C(1000000)	/* the usage policy */
#define NOMINATIM_SPACING_KEY	"nominatim:spacing"

struct nominatim {
	const char	*base_url;	/* NOMINATIM_URL, no trailing '/' needed */
	char		 user_agent[260];	/* GEOCODING_USER_AGENT, else "<APP_NAME>/1.0" */
	long		 timeout_s;	/* NOMINATIM_TIMEOUT_SECONDS */
	int64_t		 max_wait_us;	/* NOMINATIM_MAX_WAIT_MS, in µs */
};

/* The settings of a deployment. */
void		 nominatim_from_config(struct nominatim *, const struct config *);

/*
 * Looks `city` up.  GEOCODE_OK with *out filled (provider "nominatim"),
 * GEOCODE_NOTFOUND for an empty list, GEOCODE_EUPSTREAM for anything else
 * (connect, TLS, timeout, HTTP status, a body too big or not the JSON we
 * expect, a queue too long), with why saying which — never the response.
 */
enum geocode_err nominatim_search(const struct nominatim *, struct db *,
		    const char *city, struct geocode_place *out, char *why,
		    size_t whylen);

/*
 * Reads Nominatim's JSON answer (an array of places; parsed strictly with
 * json_parse: RFC 8259, valid UTF-8, nothing after it) into *out: the first
 * element's lat/lon (numeric strings, in range), display_name (falling
 * back to city, which must be valid UTF-8; cut at a character boundary to
 * GEOCODE_DISPLAY_MAX), place_id (an integer, else none) and boundingbox (four
 * numeric strings, [min_lat, max_lat, min_lon, max_lon], else none).
 * Exposed for the tests and the fuzzer.
 */
enum geocode_err nominatim_parse(const char *body, size_t len, const char *city,
		    struct geocode_place *out, char *why, size_t whylen);

#endif
