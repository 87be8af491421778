/*
 * geocoding_util: what the parts of test_geocoding share — the fixture
 * gazetteer built with the admin tool, paths with a percent-encoded city,
 * checks of the GeocodingResponse and of the documented errors, rows of
 * the shared cache read from the database, and many requests sent at once
 * (libcurl's multi interface, so that several FastCGI processes serve
 * them together).  Checks report the line of a case and keep going
 * (accounts_util.h's au_bad, au_begin, au_end).
 */
#ifndef FCGI_USERS_GEOCODING_UTIL_H
#define FCGI_USERS_GEOCODING_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

struct json_object;

#define GEO_FIX		FU_SOURCE_DIR "/tests/fixtures/geonames/"
#define GEO_UNAVAILABLE	"Geocoding service temporarily unavailable"
#define GEO_PATH_MAX	4096
#define GEO_PAR_MAX	64	/* requests sent at once */

/* ISO 8601 UTC as the Python service writes it (isoformat, "+00:00"). */
#define GEO_TS_RE	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" \
			"(\\.[0-9]{1,6})?\\+00:00$"

/* The fixture's places (tests/fixtures/geonames/cities.txt). */
#define GEO_ID_LONDON	2643743
#define GEO_ID_NYC	5128581
#define GEO_ID_TOKYO	1850147
#define GEO_ID_SAOPAULO	3448439
#define GEO_ID_KOELN	2886242
#define GEO_ID_BEIJING	1816670

/* Monotonic milliseconds; sleeping. */
int64_t	 geo_now_ms(void);
void	 geo_sleep_ms(long ms);
/* 1 under valgrind: upper time bounds then widen (by GEO_SLOW_FACTOR). */
int	 geo_under_valgrind(void);
#define GEO_SLOW_FACTOR	5
/* ms, widened under valgrind. */
int64_t	 geo_bound_ms(int64_t ms);

/*
 * Builds the gazetteer of tests/fixtures/geonames/ at `out` with the admin
 * tool (fcgi-users import gazetteer … --out out) in h's environment.
 * 0, or -1 after printing why.
 */
int	 geo_build_gazetteer(struct harness *h, const char *out);
/*
 * The test run's one fixture gazetteer: geo_gaz_path() is its path in a
 * temporary folder of the run (made on the first call, so that a server's
 * GAZETTEER_PATH can name it before it exists); geo_gaz_ensure() builds
 * it with h's admin tool unless built already (0 or -1);
 * geo_gaz_cleanup() removes the folder unless FU_KEEP_TMP is set.
 */
const char *geo_gaz_path(void);
const char *geo_gaz_dir(void);
int	 geo_gaz_ensure(struct harness *h);
void	 geo_gaz_cleanup(void);

/* The groups of test_geocoding (each file's cmocka group). */
int	 geo_offline_tests(void);
int	 geo_input_tests(void);
int	 geo_upstream_tests(void);
int	 geo_limits_tests(void);

/* Settings every server of the tests gets: cheap Argon2 for the accounts. */
#define GEO_CHEAP_ARGON2 \
	"PASSWORD_ARGON2_MEMORY_KIB=8192", "PASSWORD_ARGON2_TIME_COST=1", \
	"PASSWORD_ARGON2_PARALLELISM=1"

/* "/geocode/city?city=<city percent-encoded byte by byte>" into buf. */
const char *geo_city_path(char *buf, size_t len, const char *city);
/* GET a raw path with one header line (NULL: none); fails the test when
 * no answer came. */
void	 geo_get_with(struct harness *, const char *path, const char *hdr,
	    struct http_resp *);
/* GET /geocode/city?city=… with a Bearer token (NULL: none). */
int	 geo_get_city(struct harness *, const char *city, const char *token,
	    struct http_resp *);

/*
 * A 200 GeocodingResponse: exactly city, location{lat,lon},
 * display_name, place_id, boundingbox, timestamp, cached in that order,
 * with their types (lat/lon numbers, place_id an integer or null,
 * boundingbox four numbers or null, timestamp GEO_TS_RE, cached a
 * boolean), a JSON content type, and the body valid UTF-8.  `city` and
 * `cached` (0/1; -1: either) are compared.
 */
void	 geo_check_answer(int line, const struct http_resp *, const char *city,
	    int cached);
/*
 * The place of a 200 answer: lat/lon within 1e-9, place_id (-1: null),
 * display_name (NULL: not compared), bbox (NULL: null).
 */
void	 geo_check_place(int line, const struct http_resp *, double lat,
	    double lon, int64_t place_id, const char *display_name,
	    const double *bbox);
/* 404 {"detail":"City '<city>' not found"}. */
void	 geo_check_404(int line, const struct http_resp *, const char *city);
/* 503 {"detail":"Geocoding service temporarily unavailable"}. */
void	 geo_check_503(int line, const struct http_resp *);
/* A member of a JSON object (NULL when absent). */
struct json_object *geo_member(struct json_object *, const char *key);
/* The "timestamp" of an answer, or "". */
const char *geo_timestamp(const struct http_resp *);
/* 1 when (s, len) is valid UTF-8 (RFC 3629), else 0. */
int	 geo_utf8_valid(const char *s, size_t len);

/*
 * Rows of the shared cache (table geocode_cache) in h's database: those
 * with `key` (NULL: all).  -1 when it cannot be read.
 */
int64_t	 geo_cache_rows(struct harness *, const char *key);

/* ---- many requests at once ---- */

struct geo_par {
	long	 status;	/* 0: no answer */
	char	*body;
	struct json_object *json;	/* the body when it is JSON, else NULL */
	char	*headers;	/* the raw header block */
	int64_t	 total_ms;	/* from the start of the batch to the answer */
};

/*
 * GETs paths[i] with the header line hdrs[i] (hdrs or hdrs[i] may be NULL)
 * for i < n (at most GEO_PAR_MAX), all at once, each on its own
 * connection, each within timeout_ms.  Fills out[0..n-1]; free with
 * geo_par_free().  0 when every transfer ended (with an answer or not).
 */
int	 geo_par_get(struct harness *, size_t n, const char *const *paths,
	    const char *const *hdrs, long timeout_ms, struct geo_par *out);
void	 geo_par_free(struct geo_par *, size_t n);
/* The value of the last header `name` (any case) of a geo_par answer, into
 * buf; NULL when absent. */
const char *geo_par_header(const struct geo_par *, const char *name, char *buf,
	    size_t len);
/* The string "detail" of a geo_par answer, or NULL. */
const char *geo_par_detail(const struct geo_par *);

#endif
