/*
 * geocode: what the providers of libgeocode (the offline gazetteer, the
 * Nominatim client) and their callers (geocoding.fcgi, mcp.fcgi, the admin
 * tool) share: the error enum and one place found.  Kept small on purpose.
 */
#ifndef FCGI_USERS_GEOCODE_H
#define FCGI_USERS_GEOCODE_H

#include <stddef.h>
#include <stdint.h>

#define GEOCODE_CITY_MAX	200	/* characters of a query */
#define GEOCODE_DISPLAY_MAX	512	/* bytes of display_name */

enum geocode_err {
	GEOCODE_OK,
	GEOCODE_NOTFOUND,
	GEOCODE_EUPSTREAM,	/* provider failed */
	GEOCODE_EINVAL,		/* a bad query, or bad input to an import */
	GEOCODE_EDB,		/* the database (or a file of the import) failed */
	GEOCODE_ENOMEM,
	GEOCODE__MAX
};

const char	*geocode_strerror(enum geocode_err);

/*
 * Copies the valid UTF-8 text (s, n) into buf (len >= 1 bytes) with a NUL;
 * text that does not fit is cut before the character that would not fit
 * whole, so the copy stays valid UTF-8.  Returns the bytes copied.
 */
size_t		 geocode_copy_utf8(char *buf, size_t len, const char *s, size_t n);

struct geocode_place {
	double		 lat, lon;
	char		 display_name[GEOCODE_DISPLAY_MAX];
	int64_t		 place_id;
	int		 has_place_id;
	double		 bbox[4];	/* min_lat, max_lat, min_lon, max_lon */
	int		 has_bbox;
	const char	*provider;	/* "offline", "nominatim" (static strings) */
};

#endif
