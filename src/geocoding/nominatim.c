/*
 * nominatim: the online provider (see nominatim.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "curl_dl.h"
#include "db.h"
#include "json.h"
#include "nominatim.h"
#include "ratelimit.h"

struct body {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 too_big;
};

void
nominatim_from_config(struct nominatim *n, const struct config *c)
{
	memset(n, 0, sizeof(*n));
	n->base_url = c->nominatim_url;
	/* The Python service sent "<APP_NAME>/1.0" (APP_NAME: 100 bytes at
	 * most, GEOCODING_USER_AGENT 256: both fit). */
	if (c->geocoding_user_agent != NULL)
		snprintf(n->user_agent, sizeof(n->user_agent), "%s",
		    c->geocoding_user_agent);
	else
		snprintf(n->user_agent, sizeof(n->user_agent), "%s/1.0",
		    c->app_name != NULL ? c->app_name : "fcgi-users");
	n->timeout_s = (long)c->nominatim_timeout_seconds;
	n->max_wait_us = c->nominatim_max_wait_ms * 1000;
}

/* A JSON number, or a string holding one as Nominatim writes them; 0 when
 * it is one and finite. */
static int
number(struct json_object *v, double *out)
{
	const char	*s;
	char		*end;

	if (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)) {
		*out = json_object_get_double(v);
		return isfinite(*out) ? 0 : -1;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (*s == '\0' || (size_t)json_object_get_string_len(v) != strlen(s) ||
	    strlen(s) > 64)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*out) ? 0 : -1;
}

static int
lat_ok(double v)
{
	return v >= -90.0 && v <= 90.0;
}

static int
lon_ok(double v)
{
	return v >= -180.0 && v <= 180.0;
}

enum geocode_err
nominatim_parse(const char *body, size_t len, const char *city,
    struct geocode_place *out, char *why, size_t whylen)
{
	struct json_object	*root = NULL, *first, *v, *e;
	const char		*name = NULL, *msg = NULL;
	double			 bb[4];
	size_t			 i, pos = 0;
	enum json_err		 je;
	enum geocode_err	 ret = GEOCODE_EUPSTREAM;

	memset(out, 0, sizeof(*out));
	out->provider = "nominatim";
	/*
	 * Strictly (RFC 8259, valid UTF-8, no trailing bytes): text that is
	 * not UTF-8 must never reach display_name, and through it our own
	 * answer and the cache.  The Python service failed the same way
	 * (httpx's json() decodes the body as UTF-8).
	 */
	if ((je = json_parse(body, len, &root, &pos, &msg)) != JSON_OK) {
		if (je == JSON_ENOMEM)
			return GEOCODE_ENOMEM;
		snprintf(why, whylen, "the answer is not JSON: %s at %zu",
		    msg != NULL ? msg : json_strerror(je), pos);
		goto out;
	}
	if (!json_object_is_type(root, json_type_array)) {
		snprintf(why, whylen, "the answer is not a JSON array");
		goto out;
	}
	if (json_object_array_length(root) == 0) {
		ret = GEOCODE_NOTFOUND;
		goto out;
	}
	first = json_object_array_get_idx(root, 0);
	if (!json_object_is_type(first, json_type_object) ||
	    !json_object_object_get_ex(first, "lat", &v) || number(v, &out->lat) != 0 ||
	    !lat_ok(out->lat) ||
	    !json_object_object_get_ex(first, "lon", &v) || number(v, &out->lon) != 0 ||
	    !lon_ok(out->lon)) {
		snprintf(why, whylen, "the first result has no usable lat/lon");
		goto out;
	}
	if (json_object_object_get_ex(first, "display_name", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == strlen(json_object_get_string(v)) &&
	    json_object_get_string_len(v) > 0)
		name = json_object_get_string(v);
	/* The Python service fell back to the query.  Either is cut at a
	 * character boundary when longer than GEOCODE_DISPLAY_MAX. */
	if (name == NULL)
		name = city;
	(void)geocode_copy_utf8(out->display_name, sizeof(out->display_name), name,
	    strlen(name));
	if (json_object_object_get_ex(first, "place_id", &v) &&
	    json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		out->place_id = json_object_get_int64(v);
		out->has_place_id = 1;
	}
	if (json_object_object_get_ex(first, "boundingbox", &v) &&
	    json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) == 4) {
		for (i = 0; i < 4; i++) {
			e = json_object_array_get_idx(v, i);
			if (number(e, &bb[i]) != 0 ||
			    !(i < 2 ? lat_ok(bb[i]) : lon_ok(bb[i])))
				break;
		}
		if (i == 4) {
			memcpy(out->bbox, bb, sizeof(bb));
			out->has_bbox = 1;
		}
	}
	ret = GEOCODE_OK;
out:
	json_object_put(root);
	return ret;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = size * n;

	if (len > NOMINATIM_BODY_MAX - b->len) {
		b->too_big = 1;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	if (b->len + len + 1 > b->cap) {
		size_t	 cap = b->cap == 0 ? 16384 : b->cap;
		char	*nb;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL)
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

/* Waits for this process's slot in the deployment-wide queue. */
static int
wait_turn(const struct nominatim *n, struct db *db, char *why, size_t whylen)
{
	struct timespec		 ts;
	int64_t			 now, wait;
	enum ratelimit_err	 e;

	now = ratelimit_now_us();
	e = ratelimit_reserve(db, NOMINATIM_SPACING_KEY, NOMINATIM_SPACING_US,
	    n->max_wait_us, now, &wait);
	if (e == RATELIMIT_EBUSY) {
		snprintf(why, whylen, "more requests queued for Nominatim than "
		    "NOMINATIM_MAX_WAIT_MS allows");
		return -1;
	}
	if (e != RATELIMIT_OK) {
		snprintf(why, whylen, "cannot reserve a Nominatim slot: %s",
		    ratelimit_strerror(e));
		return -1;
	}
	ts.tv_sec = (time_t)(wait / 1000000);
	ts.tv_nsec = (long)(wait % 1000000) * 1000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 0;
}

enum geocode_err
nominatim_search(const struct nominatim *n, struct db *db, const char *city,
    struct geocode_place *out, char *why, size_t whylen)
{
	const struct curl_api	*cu;
	CURL			*c = NULL;
	struct curl_slist	*hdrs = NULL;
	struct body		 b;
	char			*q = NULL, *url = NULL, err[CURL_ERROR_SIZE], dlwhy[256];
	const char		*proto;
	long			 status = 0;
	size_t			 blen;
	CURLcode		 rc;
	enum geocode_err	 ret = GEOCODE_EUPSTREAM;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (n->base_url == NULL) {
		snprintf(why, whylen, "NOMINATIM_URL is not set");
		return GEOCODE_EUPSTREAM;
	}
	if ((cu = curl_dl(dlwhy, sizeof(dlwhy))) == NULL) {
		snprintf(why, whylen, "cannot load libcurl: %s", dlwhy);
		return GEOCODE_EUPSTREAM;
	}
	if ((c = cu->easy_init()) == NULL ||
	    (q = cu->easy_escape(c, city, (int)strlen(city))) == NULL) {
		ret = GEOCODE_ENOMEM;
		goto out;
	}
	blen = strlen(n->base_url);
	if (blen > 0 && n->base_url[blen - 1] == '/')
		blen--;
	if (asprintf(&url, "%.*s/search?q=%s&format=json&addressdetails=1&limit=5"
	    "&accept-language=en", (int)blen, n->base_url, q) == -1) {
		url = NULL;
		ret = GEOCODE_ENOMEM;
		goto out;
	}
	/* config allows http:// only for a loopback host. */
	proto = strncmp(n->base_url, "http://", 7) == 0 ? "http" : "https";
	if ((hdrs = cu->slist_append(NULL, "Accept: application/json")) == NULL) {
		ret = GEOCODE_ENOMEM;
		goto out;
	}
	if (cu->easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, proto) != CURLE_OK) {
		snprintf(why, whylen, "libcurl refused the URL");
		goto out;
	}
	cu->easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu->easy_setopt(c, CURLOPT_PROXY, "");
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	cu->easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, n->timeout_s);
	cu->easy_setopt(c, CURLOPT_TIMEOUT, n->timeout_s);
	cu->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)NOMINATIM_BODY_MAX);
	cu->easy_setopt(c, CURLOPT_USERAGENT, n->user_agent);
	cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cu->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (wait_turn(n, db, why, whylen) != 0)
		goto out;
	if ((rc = cu->easy_perform(c)) != CURLE_OK) {
		if (b.too_big || rc == CURLE_FILESIZE_EXCEEDED)
			snprintf(why, whylen, "the answer is over %d bytes",
			    NOMINATIM_BODY_MAX);
		else
			snprintf(why, whylen, "%s (curl %d)",
			    err[0] != '\0' ? err : cu->easy_strerror(rc), (int)rc);
		goto out;
	}
	cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(why, whylen, "Nominatim API HTTP error: %ld", status);
		goto out;
	}
	ret = nominatim_parse(b.buf != NULL ? b.buf : "", b.len, city, out, why, whylen);
out:
	if (q != NULL)
		cu->free_mem(q);
	if (c != NULL)
		cu->easy_cleanup(c);
	if (hdrs != NULL)
		cu->slist_free_all(hdrs);
	free(url);
	free(b.buf);
	return ret;
}
