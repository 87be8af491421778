/*
 * fuzz_nominatim: nominatim_parse (src/geocoding/nominatim.c), which turns
 * what a Nominatim server answered into a place.  The input is the body;
 * when it begins with a 0x01 byte, the text up to the first newline is the
 * query (the city display_name falls back to) when it is valid UTF-8 of at
 * most GEOCODE_CITY_MAX characters, else "Amsterdam" stays the query.
 * Checks: the error is one the header documents; on success lat and lon
 * are finite and in range, display_name is non-empty valid UTF-8 shorter
 * than GEOCODE_DISPLAY_MAX, place_id is not negative, the bounding box is
 * in range; `why` is a terminated string; the same body always gives the
 * same place.  Violations abort().
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geocode.h"
#include "json.h"
#include "nominatim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_place(const struct geocode_place *p)
{
	size_t	 n = strnlen(p->display_name, sizeof(p->display_name));
	int	 i;

	if (!isfinite(p->lat) || !isfinite(p->lon) || p->lat < -90 || p->lat > 90 ||
	    p->lon < -180 || p->lon > 180)
		abort();
	if (n == 0 || n >= sizeof(p->display_name) || utf8_length(p->display_name, n) < 0)
		abort();
	if (p->has_place_id && p->place_id < 0)
		abort();
	for (i = 0; p->has_bbox && i < 4; i++)
		if (!isfinite(p->bbox[i]) || fabs(p->bbox[i]) > (i < 2 ? 90 : 180))
			abort();
	if (p->provider == NULL || strcmp(p->provider, "nominatim") != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geocode_place	 p1, p2;
	char			 why1[256], why2[256], city[4 * GEOCODE_CITY_MAX + 1];
	const uint8_t		*nl;
	char			*body;
	size_t			 cl;
	long			 chars;
	enum geocode_err	 e1, e2;

	strcpy(city, "Amsterdam");
	if (size > 0 && data[0] == 0x01 && (nl = memchr(data, '\n', size)) != NULL) {
		cl = (size_t)(nl - data) - 1;
		if (cl < sizeof(city) && memchr(data + 1, '\0', cl) == NULL &&
		    (chars = utf8_length((const char *)data + 1, cl)) >= 1 &&
		    chars <= GEOCODE_CITY_MAX) {
			memcpy(city, data + 1, cl);
			city[cl] = '\0';
		}
		size -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	/* an exact-size copy: a read past the end is caught */
	if ((body = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(body, data, size);
	why1[0] = why2[0] = '\0';
	e1 = nominatim_parse(body, size, city, &p1, why1, sizeof(why1));
	e2 = nominatim_parse(body, size, city, &p2, why2, sizeof(why2));
	if ((unsigned)e1 >= GEOCODE__MAX || geocode_strerror(e1) == NULL)
		abort();
	if (e1 != GEOCODE_OK && e1 != GEOCODE_NOTFOUND && e1 != GEOCODE_EUPSTREAM &&
	    e1 != GEOCODE_ENOMEM)
		abort();
	if (strnlen(why1, sizeof(why1)) == sizeof(why1))
		abort();
	if (e1 == GEOCODE_OK)
		check_place(&p1);
	if (e1 != e2 || strcmp(why1, why2) != 0 ||
	    (e1 == GEOCODE_OK && memcmp(&p1, &p2, sizeof(p1)) != 0))
		abort();
	free(body);
	return 0;
}
