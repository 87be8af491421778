/*
 * geocode: what the providers of libgeocode (the offline gazetteer, the
 * Nominatim client) and their callers (geocoding.fcgi, mcp.fcgi, the admin
 * tool) share: the error enum and one place found.  Kept small on purpose.
 */
#ifndef FCGI_USERS_GEOCODE_H
#define FCGI_USERS_GEOCODE_H

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
