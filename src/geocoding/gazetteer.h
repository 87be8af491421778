/*
 * gazetteer: the offline provider.  Places from a GeoNames dump live in a
 * SQLite file of their own, built once by gazetteer_import() (the admin
 * tool's `import gazetteer`) and then only read: a lookup folds the query
 * (fold.h) and finds, with one indexed query, the most populous place any
 * of whose names (name, asciiname, alternate names) folds the same.  Ties
 * go to the lower geonameid.  The file is replaced by renaming a new one
 * over it, so a process that has it open keeps reading the old one.
 * XXX Until it is restarted: nothing checks the path for a new file yet
 * (a stat of the path now and then, and a reopen, would do).
 */
#ifndef FCGI_USERS_GAZETTEER_H
#define FCGI_USERS_GAZETTEER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geocode.h"

#define GAZETTEER_SCHEMA	"1"	/* meta 'schema': the tables below */
#define GAZETTEER_LICENCE	"GeoNames (https://www.geonames.org/), CC BY 4.0"
#define GAZETTEER_KEY_MAX	(GEOCODE_CITY_MAX * 4)	/* bytes of a folded query */
#define GAZETTEER_PROGRESS_LINES 20000	/* a progress line every so many */

struct gazetteer;

/*
 * Opens the gazetteer file at `path` read-only, checks that it is one
 * (its meta table names schema GAZETTEER_SCHEMA) and prepares the lookup.
 * GEOCODE_OK with *out set, GEOCODE_EDB (missing, unreadable, not a
 * gazetteer; logged) or GEOCODE_ENOMEM.  Close with gazetteer_close().
 */
enum geocode_err gazetteer_open(const char *path, struct gazetteer **out);
/* Accepts NULL. */
void		 gazetteer_close(struct gazetteer *);

/*
 * Looks `city` up (a C string, 1..GEOCODE_CITY_MAX characters; surrounding
 * blanks, case and accents do not matter).  GEOCODE_OK with *place filled
 * (provider "offline", place_id the geonameid, no bounding box),
 * GEOCODE_NOTFOUND, GEOCODE_EINVAL (empty or blank, too long, not UTF-8, a
 * control character) or GEOCODE_EDB.
 */
enum geocode_err gazetteer_lookup(struct gazetteer *, const char *city,
		    struct geocode_place *place);

/* What /geocode/health tells about the data (the meta table). */
struct gazetteer_info {
	char		 source[256];		/* the dump's file name */
	char		 licence[128];
	char		 imported_at[40];	/* ISO 8601 UTC, "...+00:00" */
	int64_t		 places;
	int64_t		 names;
};

/* GEOCODE_OK with *info filled, or GEOCODE_EDB. */
enum geocode_err gazetteer_info(struct gazetteer *, struct gazetteer_info *);

/* --- import ---------------------------------------------------------------- */

struct gazetteer_import_opts {
	const char	*dump;		/* cities500.txt ... allCountries.txt */
	const char	*admin1;	/* admin1CodesASCII.txt, admin1.json; NULL: none */
	const char	*countries;	/* iso-codes' iso_3166-1.json; NULL: none */
	const char	*out;		/* the gazetteer file, replaced at the end */
	FILE		*progress;	/* every GAZETTEER_PROGRESS_LINES; NULL: none */
	/* Each line skipped, as it is met (lineno from 1; file is the path
	 * given); NULL: not told.  The count is in the stats either way. */
	void		(*skipped)(void *arg, const char *file, size_t lineno,
			    const char *why);
	void		*arg;
};

struct gazetteer_import_stats {
	int64_t		 lines;		/* lines read from the dump */
	int64_t		 places;	/* places kept */
	int64_t		 names;		/* (key, place) rows */
	int64_t		 skipped;	/* bad lines */
	int64_t		 ignored;	/* blank, or not a populated place (class P) */
	int64_t		 names_dropped;	/* invalid, overlong or past the cap */
	int64_t		 admin1;	/* region names loaded */
	int64_t		 admin1_skipped;
	int64_t		 countries;	/* country names loaded */
	int64_t		 bytes;		/* size of the file written */
	double		 seconds;
};

/*
 * Builds a gazetteer from opts->dump in one pass: each line is parsed
 * (geonames.h), lines that are not populated places are ignored, bad lines
 * are skipped and told, and every place gets "name, region, country" as
 * display_name from the admin1 and country tables when given ("name,
 * region, CC" or "name, CC" without them).  The file is built as a
 * temporary file beside opts->out and renamed over it at the end, so
 * opts->out is either the old file or the whole new one.  Returns
 * GEOCODE_OK with *stats filled; GEOCODE_EINVAL when an input cannot be
 * read or holds no valid line (nothing is written then); GEOCODE_EDB when
 * the output cannot be written; GEOCODE_ENOMEM.  `why` (whylen bytes)
 * says what went wrong, naming the file at fault.
 */
enum geocode_err gazetteer_import(const struct gazetteer_import_opts *,
		    struct gazetteer_import_stats *stats, char *why,
		    size_t whylen);

#endif
