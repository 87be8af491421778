/*
 * test_gazetteer: the offline provider (src/geocoding/gazetteer*.c) on the
 * fixture tests/fixtures/geonames/ (real GeoNames rows, a few synthetic
 * ones, and hostile lines).  Lookups that must find (case, blanks,
 * accents, alternate names, other scripts, the most populous of equal
 * names, ties to the lower geonameid) and more that must not (skipped
 * lines, places that are not populated places, bad queries); the import's
 * counts and the line numbers it reports; display_name with and without
 * region and country tables; the import's failures, which must leave
 * nothing behind and the old file untouched; the atomic replacement of a
 * file a reader has open; files that are not gazetteers; and the lookup's
 * query plan, which must be a search, never a scan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "gazetteer.h"
#include "gazetteer_int.h"
#include "geonames.h"
#include "unit_util.h"

#define FIX		FU_SOURCE_DIR "/tests/fixtures/geonames/"
#define FIX_CITIES	FIX "cities.txt"
#define FIX_ADMIN1	FIX "admin1.txt"
#define FIX_ADMIN1_JSON	FIX "admin1.json"
#define FIX_COUNTRIES	FIX "countries.json"

#define CHECK_GEO(line, got, want) \
	CHECK_ENUM(line, enum geocode_err, geocode_strerror, got, want)

/* The fixture's bad lines (see its README.md), in order. */
static const size_t fixture_bad[] = { 4, 13, 14, 22, 23, 24, 25, 26, 27, 36, 37 };
#define FIXTURE_LINES	44
#define FIXTURE_PLACES	31
#define FIXTURE_IGNORED	2	/* the state of New York, a blank line */

struct fx {
	char			 dir[64];
	char			 path[128];	/* dir/g.db: the whole fixture */
	struct gazetteer	*g;
};

struct told {
	size_t	 n;
	size_t	 lines[64];
	char	 last[256];
};

static void
told_cb(void *arg, const char *file, size_t lineno, const char *why)
{
	struct told	*t = arg;

	(void)file;
	if (t->n < sizeof(t->lines) / sizeof(t->lines[0]))
		t->lines[t->n] = lineno;
	t->n++;
	snprintf(t->last, sizeof(t->last), "%s", why);
}

static char *
path_in(const struct fx *f, const char *name)
{
	char	*p;

	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

static void
write_file(const char *path, const char *buf, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	assert_true(len == 0 || fwrite(buf, 1, len, f) == len);
	assert_int_equal(fclose(f), 0);
}

/* Imports (dump, admin1, countries) into out; the error, stats and why. */
static enum geocode_err
import(const char *dump, const char *admin1, const char *countries,
    const char *out, struct gazetteer_import_stats *st, struct told *t,
    char *why, size_t whylen)
{
	struct gazetteer_import_opts	 o;

	memset(&o, 0, sizeof(o));
	o.dump = dump;
	o.admin1 = admin1;
	o.countries = countries;
	o.out = out;
	o.skipped = t != NULL ? told_cb : NULL;
	o.arg = t;
	return gazetteer_import(&o, st, why, whylen);
}

/* Files in the fixture's folder whose name holds ".tmp-": none may stay. */
static size_t
scratch_left(const struct fx *f)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	assert_non_null(d = opendir(f->dir));
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	struct gazetteer_import_stats	 st;
	struct fx			*f;
	char				 why[512];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fu-test-gazetteer-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/g.db", f->dir);
	if (import(FIX_CITIES, FIX_ADMIN1, FIX_COUNTRIES, f->path, &st, NULL,
	    why, sizeof(why)) != GEOCODE_OK) {
		print_error("fixture import: %s\n", why);
		return -1;
	}
	if (gazetteer_open(f->path, &f->g) != GEOCODE_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	gazetteer_close(f->g);
	nftw(f->dir, unit_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* --- lookups ----------------------------------------------------------------- */

#define LONDON	2643743, "London, England, United Kingdom"
#define KOELN	2886242, "K\xc3\xb6ln, North Rhine-Westphalia, Germany"
#define BEIJING	1816670, "Beijing, China"
#define SAOPAULO 3448439, "S\xc3\xa3o Paulo, Brazil"
#define NYC	5128581, "New York City, New York, United States"
#define TOKYO	1850147, "Tokyo, Japan"
#define ATHENS	264371, "Athens, Attica, Greece"
#define MOSCOW	524901, "Moscow, Russian Federation"
#define NONE	0, NULL

static void
test_lookup(void **state)
{
	static const struct {
		int			 line;
		const char		*q;
		enum geocode_err	 want;
		int64_t			 id;
		const char		*display;
	} cases[] = {
		/* the issue's own: most populous, case, blanks, accents */
		{ __LINE__, "london", GEOCODE_OK, LONDON },
		{ __LINE__, "London", GEOCODE_OK, LONDON },
		{ __LINE__, "LONDON", GEOCODE_OK, LONDON },
		{ __LINE__, "  london  ", GEOCODE_OK, LONDON },
		{ __LINE__, "\tLondon\n", GEOCODE_OK, LONDON },
		{ __LINE__, "Cologne", GEOCODE_OK, KOELN },
		{ __LINE__, "k\xc3\xb6ln", GEOCODE_OK, KOELN },
		{ __LINE__, "koln", GEOCODE_OK, KOELN },
		{ __LINE__, "K\xc3\x96LN", GEOCODE_OK, KOELN },
		{ __LINE__, "Koeln", GEOCODE_OK, KOELN },
		{ __LINE__, "Ko\xcc\x88ln", GEOCODE_OK, KOELN },	/* NFD */
		{ __LINE__, "Peking", GEOCODE_OK, BEIJING },
		{ __LINE__, "\xe5\x8c\x97\xe4\xba\xac", GEOCODE_OK, BEIJING },
		{ __LINE__, "sao paulo", GEOCODE_OK, SAOPAULO },
		{ __LINE__, "S\xc3\xa3o Paulo", GEOCODE_OK, SAOPAULO },
		{ __LINE__, "SAO   PAULO", GEOCODE_OK, SAOPAULO },
		{ __LINE__, "New York", GEOCODE_OK, NYC },
		{ __LINE__, "new york city", GEOCODE_OK, NYC },
		{ __LINE__, "NYC", GEOCODE_OK, NYC },
		{ __LINE__, "Tokyo", GEOCODE_OK, TOKYO },
		{ __LINE__, "\xe6\x9d\xb1\xe4\xba\xac", GEOCODE_OK, TOKYO },
		{ __LINE__, "T\xc5\x8dky\xc5\x8d", GEOCODE_OK, TOKYO },
		{ __LINE__, "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1", GEOCODE_OK,
		    ATHENS },
		{ __LINE__, "\xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91", GEOCODE_OK,
		    ATHENS },
		{ __LINE__, "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90",
		    GEOCODE_OK, MOSCOW },
		/* equal populations: the lower geonameid */
		{ __LINE__, "Twinton", GEOCODE_OK, 9000001,
		    "Twinton, England, United Kingdom" },
		/* the bigger of two: Montréal CA, Paris FR, Moscow RU */
		{ __LINE__, "montreal", GEOCODE_OK, 6077243,
		    "Montr\xc3\xa9" "al, Quebec, Canada" },
		{ __LINE__, "Paris", GEOCODE_OK, 2988507,
		    "Paris, \xc3\x8el" "e-de-France, France" },
		{ __LINE__, "springfield", GEOCODE_OK, 4409896,
		    "Springfield, Missouri, United States" },
		/* a CRLF line; a region the admin1 table lacks */
		{ __LINE__, "Troms\xc3\xb8", GEOCODE_OK, 3133895,
		    "Troms\xc3\xb8, Norway" },
		{ __LINE__, "\xc3\x86r\xc3\xb8sk\xc3\xb8" "bing", GEOCODE_OK, 2625001,
		    "\xc3\x86r\xc3\xb8sk\xc3\xb8" "bing, South Denmark, Denmark" },
		{ __LINE__, "aeroskobing", GEOCODE_OK, 2625001,
		    "\xc3\x86r\xc3\xb8sk\xc3\xb8" "bing, South Denmark, Denmark" },
		{ __LINE__, "\xc5\x81\xc3\xb3\x64\xc5\xba", GEOCODE_OK, 3093133,
		    "\xc5\x81\xc3\xb3\x64\xc5\xba, \xc5\x81\xc3\xb3\x64\xc5\xba"
		    " Voivodeship, Poland" },
		{ __LINE__, "\xc4\xb0stanbul", GEOCODE_OK, 745044, NULL },
		{ __LINE__, "ISTANBUL", GEOCODE_OK, 745044, NULL },
		/* not found: unknown, skipped lines, not a populated place */
		{ __LINE__, "Atlantis", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Lond", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "London Duplicate", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Badlat", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Too North", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Too West", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Expo", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Negpop", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Lower cc", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "BadUTF", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Extra", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "Empire State", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "State of New York", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "New-York", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "london%", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "l_ndon", GEOCODE_NOTFOUND, NONE },
		{ __LINE__, "' OR 1=1 --", GEOCODE_NOTFOUND, NONE },
	};
	struct fx		*f = *state;
	struct geocode_place	 p;
	size_t			 i;

	for (i = 0; i < NCASES(cases); i++) {
		memset(&p, 0, sizeof(p));
		CHECK_GEO(cases[i].line, gazetteer_lookup(f->g, cases[i].q, &p),
		    cases[i].want);
		if (cases[i].want != GEOCODE_OK)
			continue;
		CHECK_INT(cases[i].line, p.place_id, cases[i].id);
		if (cases[i].display != NULL)
			CHECK_STR(cases[i].line, p.display_name, cases[i].display);
	}
	DONE();
}

static void
test_lookup_invalid(void **state)
{
	static const struct {
		int		 line;
		const char	*q;
	} cases[] = {
		{ __LINE__, "" },
		{ __LINE__, " " },
		{ __LINE__, "\t\n\r " },
		{ __LINE__, "\xc2\xa0" },
		{ __LINE__, "\xff" },
		{ __LINE__, "Lon\xc3" },
		{ __LINE__, "S\xe3o Paulo" },
		{ __LINE__, "\xed\xa0\x80" },
		{ __LINE__, "\xc0\xaf" },
		{ __LINE__, "Lon\x01" "don" },
		{ __LINE__, "London\x7f" },
		{ __LINE__, "\x1b[2J" },
	};
	struct fx		*f = *state;
	struct geocode_place	 p;
	char			 q[1024];
	size_t			 i;

	for (i = 0; i < NCASES(cases); i++)
		CHECK_GEO(cases[i].line, gazetteer_lookup(f->g, cases[i].q, &p),
		    GEOCODE_EINVAL);
	/* GEOCODE_CITY_MAX characters pass; one more does not */
	memset(q, 'a', GEOCODE_CITY_MAX);
	q[GEOCODE_CITY_MAX] = '\0';
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, q, &p), GEOCODE_NOTFOUND);
	q[GEOCODE_CITY_MAX] = 'a';
	q[GEOCODE_CITY_MAX + 1] = '\0';
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, q, &p), GEOCODE_EINVAL);
	/* 200 characters of 4 bytes: 800 bytes, still 200 characters */
	for (i = 0; i < GEOCODE_CITY_MAX; i++)
		memcpy(q + 4 * i, "\xf0\x9f\x8f\x99", 4);
	q[4 * GEOCODE_CITY_MAX] = '\0';
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, q, &p), GEOCODE_NOTFOUND);
	/* 1,000 bytes: past what 200 characters can take */
	memset(q, 'a', 1000);
	q[1000] = '\0';
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, q, &p), GEOCODE_EINVAL);
	/* bad arguments */
	CHECK_GEO(__LINE__, gazetteer_lookup(NULL, "London", &p), GEOCODE_EINVAL);
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, NULL, &p), GEOCODE_EINVAL);
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, "London", NULL), GEOCODE_EINVAL);
	CHECK_GEO(__LINE__, gazetteer_info(NULL, NULL), GEOCODE_EINVAL);
	DONE();
}

static void
test_place(void **state)
{
	struct fx		*f = *state;
	struct geocode_place	 p;

	memset(&p, 0xa5, sizeof(p));
	CHECK_GEO(__LINE__, gazetteer_lookup(f->g, "Sao Paulo", &p), GEOCODE_OK);
	CHECK(__LINE__, p.lat == -23.5475 && p.lon == -46.63611);
	CHECK_INT(__LINE__, p.place_id, 3448439);
	CHECK_INT(__LINE__, p.has_place_id, 1);
	CHECK_INT(__LINE__, p.has_bbox, 0);
	CHECK(__LINE__, p.bbox[0] == 0 && p.bbox[3] == 0);
	CHECK_STR(__LINE__, p.provider, "offline");
	CHECK_STR(__LINE__, geocode_strerror(GEOCODE_NOTFOUND), "not found");
	CHECK_STR(__LINE__, geocode_strerror(GEOCODE__MAX), "unknown error");
	CHECK_STR(__LINE__, geocode_strerror((enum geocode_err)-1), "unknown error");
	DONE();
}

static void
test_info(void **state)
{
	struct fx		*f = *state;
	struct gazetteer_info	 in;

	CHECK_GEO(__LINE__, gazetteer_info(f->g, &in), GEOCODE_OK);
	CHECK_STR(__LINE__, in.source, "cities.txt");
	CHECK_STR(__LINE__, in.licence,
	    "GeoNames (https://www.geonames.org/), CC BY 4.0");
	CHECK_INT(__LINE__, in.places, FIXTURE_PLACES);
	CHECK(__LINE__, in.names > in.places);
	CHECK_INT(__LINE__, strlen(in.imported_at), 32);
	CHECK(__LINE__, strcmp(in.imported_at + 26, "+00:00") == 0 &&
	    in.imported_at[10] == 'T');
	DONE();
}

/* The plan of the lookup: searches on primary keys, no scan, no sort. */
static void
test_query_plan(void **state)
{
	struct fx	*f = *state;
	struct db	*db;
	struct db_stmt	*s;
	const char	*detail;
	size_t		 searches = 0;
	enum db_err	 e;

	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, 1000, &db), DB_OK);
	assert_int_equal(db_prepare(db, "EXPLAIN QUERY PLAN " GAZ_LOOKUP_SQL,
	    &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, "london", 6), DB_OK);
	while ((e = db_step(s)) == DB_ROW) {
		detail = db_column_text(s, 3, NULL);
		CHECK(__LINE__, detail != NULL);
		if (detail == NULL)
			continue;
		CHECK(__LINE__, strstr(detail, "SCAN") == NULL);
		CHECK(__LINE__, strstr(detail, "TEMP B-TREE") == NULL);
		searches += strncmp(detail, "SEARCH", 6) == 0;
	}
	CHECK_INT(__LINE__, e, DB_DONE);
	CHECK_INT(__LINE__, searches, 2);
	db_stmt_done(s);
	db_close(db);
	DONE();
}

/* --- import ---------------------------------------------------------------- */

static void
test_import_counts(void **state)
{
	struct fx			*f = *state;
	struct gazetteer_import_stats	 st;
	struct told			 t;
	char				 why[512], *out;
	size_t				 i;

	memset(&t, 0, sizeof(t));
	out = path_in(f, "counts.db");
	CHECK_GEO(__LINE__, import(FIX_CITIES, FIX_ADMIN1, FIX_COUNTRIES, out,
	    &st, &t, why, sizeof(why)), GEOCODE_OK);
	CHECK_INT(__LINE__, st.lines, FIXTURE_LINES);
	CHECK_INT(__LINE__, st.places, FIXTURE_PLACES);
	CHECK_INT(__LINE__, st.skipped, NCASES(fixture_bad));
	CHECK_INT(__LINE__, st.ignored, FIXTURE_IGNORED);
	CHECK_INT(__LINE__, st.admin1, 26);
	CHECK_INT(__LINE__, st.admin1_skipped, 3);
	CHECK_INT(__LINE__, st.countries, 19);
	CHECK(__LINE__, st.bytes > 0 && st.seconds >= 0);
	CHECK_INT(__LINE__, t.n, NCASES(fixture_bad));
	for (i = 0; i < NCASES(fixture_bad) && i < t.n; i++)
		CHECK_INT(__LINE__, t.lines[i], fixture_bad[i]);
	CHECK_STR(__LINE__, t.last, "20 tab-separated columns, want 19");
	CHECK_INT(__LINE__, scratch_left(f), 0);
	free(out);
	DONE();
}

/* A dump made here: NUL, overlong and CRLF lines, no final line end. */
static void
test_import_hostile(void **state)
{
	struct fx			*f = *state;
	struct gazetteer_import_stats	 st;
	struct gazetteer		*g;
	struct geocode_place		 p;
	struct told			 t;
	char				 why[512], *dump, *out, *buf, *b;
	static const char row1[] = "1\tAlpha\tAlpha\t\t1\t2\tP\tPPL\tGB\t\tENG"
	    "\t\t\t\t100\t\t5\tEurope/London\t2024-01-01";
	static const char row2[] = "2\tBeta\tBeta\tBetaville\t1\t2\tP\tPPL\tGB"
	    "\t\tENG\t\t\t\t200\t\t5\tEurope/London\t2024-01-01";

	memset(&t, 0, sizeof(t));
	dump = path_in(f, "hostile.txt");
	out = path_in(f, "hostile.db");
	assert_non_null(buf = malloc(3 * GEONAMES_LINE_MAX));
	b = buf;
	b += sprintf(b, "%s\n", row1);				/* 1 */
	memcpy(b, "3\tGam\0ma\n", 9), b += 9;			/* 2: NUL */
	memset(b, 'x', GEONAMES_LINE_MAX + 1);			/* 3: too long */
	b += GEONAMES_LINE_MAX + 1;
	*b++ = '\n';
	b += sprintf(b, "%s\r\n", row2);			/* 4: CRLF */
	b += sprintf(b, "4\tDelta\tDelta\t\t1");		/* 5: truncated */
	write_file(dump, buf, (size_t)(b - buf));
	CHECK_GEO(__LINE__, import(dump, NULL, NULL, out, &st, &t, why,
	    sizeof(why)), GEOCODE_OK);
	CHECK_INT(__LINE__, st.lines, 5);
	CHECK_INT(__LINE__, st.places, 2);
	CHECK_INT(__LINE__, st.skipped, 3);
	CHECK_INT(__LINE__, t.n, 3);
	CHECK_INT(__LINE__, t.lines[0], 2);
	CHECK_INT(__LINE__, t.lines[1], 3);
	CHECK_INT(__LINE__, t.lines[2], 5);
	/* no tables given: "name, CC" */
	CHECK_GEO(__LINE__, gazetteer_open(out, &g), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(g, "betaville", &p), GEOCODE_OK);
	CHECK_STR(__LINE__, p.display_name, "Beta, GB");
	CHECK_GEO(__LINE__, gazetteer_lookup(g, "Gamma", &p), GEOCODE_NOTFOUND);
	gazetteer_close(g);
	free(buf);
	free(dump);
	free(out);
	DONE();
}

/* display_name with each combination of tables. */
static void
test_display_name(void **state)
{
	static const struct {
		int		 line;
		const char	*admin1, *countries;
		const char	*london, *tokyo;
	} cases[] = {
		{ __LINE__, NULL, NULL, "London, GB", "Tokyo, JP" },
		{ __LINE__, FIX_ADMIN1, NULL, "London, England, GB", "Tokyo, JP" },
		{ __LINE__, FIX_ADMIN1_JSON, NULL, "London, England, GB", "Tokyo, JP" },
		{ __LINE__, NULL, FIX_COUNTRIES, "London, United Kingdom",
		    "Tokyo, Japan" },
		{ __LINE__, FIX_ADMIN1_JSON, FIX_COUNTRIES,
		    "London, England, United Kingdom", "Tokyo, Japan" },
	};
	struct fx			*f = *state;
	struct gazetteer_import_stats	 st;
	struct gazetteer		*g;
	struct geocode_place		 p;
	char				 why[512], *out;
	size_t				 i;

	out = path_in(f, "display.db");
	for (i = 0; i < NCASES(cases); i++) {
		CHECK_GEO(cases[i].line, import(FIX_CITIES, cases[i].admin1,
		    cases[i].countries, out, &st, NULL, why, sizeof(why)),
		    GEOCODE_OK);
		CHECK_GEO(cases[i].line, gazetteer_open(out, &g), GEOCODE_OK);
		if (g == NULL)
			continue;
		CHECK_GEO(cases[i].line, gazetteer_lookup(g, "london", &p),
		    GEOCODE_OK);
		CHECK_STR(cases[i].line, p.display_name, cases[i].london);
		CHECK_GEO(cases[i].line, gazetteer_lookup(g, "tokyo", &p),
		    GEOCODE_OK);
		CHECK_STR(cases[i].line, p.display_name, cases[i].tokyo);
		gazetteer_close(g);
	}
	/* the JSON form skips its bad entries as the text form its lines */
	CHECK_GEO(__LINE__, import(FIX_CITIES, FIX_ADMIN1_JSON, NULL, out, &st,
	    NULL, why, sizeof(why)), GEOCODE_OK);
	CHECK_INT(__LINE__, st.admin1, 26);
	CHECK_INT(__LINE__, st.admin1_skipped, 3);
	free(out);
	DONE();
}

/* What makes an import fail: a message naming the file, nothing left. */
static void
test_import_errors(void **state)
{
	struct fx			*f = *state;
	struct gazetteer_import_stats	 st;
	struct {
		int			 line;
		const char		*dump, *admin1, *countries, *out;
		enum geocode_err	 want;
		const char		*why;
	} cases[] = {
		{ __LINE__, "@/missing.txt", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "No such file or directory" },
		{ __LINE__, "@", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "is a directory" },
		{ __LINE__, "@/empty.txt", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "no valid populated place in 0 lines" },
		{ __LINE__, "@/bad.txt", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "no valid populated place in 3 lines (2 skipped, 1 ignored)" },
		{ __LINE__, "@/admin.txt", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "(0 skipped, 1 ignored)" },
		{ __LINE__, "/dev/null", NULL, NULL, "@/e.db", GEOCODE_EINVAL,
		    "not a regular file" },
		{ __LINE__, FIX_CITIES, "@/missing.txt", NULL, "@/e.db",
		    GEOCODE_EINVAL, "missing.txt: No such file" },
		{ __LINE__, FIX_CITIES, "@/empty.txt", NULL, "@/e.db",
		    GEOCODE_EINVAL, "no admin1 entry" },
		{ __LINE__, FIX_CITIES, FIX_CITIES, NULL, "@/e.db",
		    GEOCODE_EINVAL, "no admin1 entry" },
		{ __LINE__, FIX_CITIES, "@/broken.json", NULL, "@/e.db",
		    GEOCODE_EINVAL, "not JSON" },
		{ __LINE__, FIX_CITIES, FIX_COUNTRIES, NULL, "@/e.db",
		    GEOCODE_EINVAL, "not a JSON array" },
		{ __LINE__, FIX_CITIES, NULL, "@/missing.json", "@/e.db",
		    GEOCODE_EINVAL, "No such file" },
		{ __LINE__, FIX_CITIES, NULL, "@/broken.json", "@/e.db",
		    GEOCODE_EINVAL, "not JSON" },
		{ __LINE__, FIX_CITIES, NULL, "@/trailing.json", "@/e.db",
		    GEOCODE_EINVAL, "not JSON" },
		{ __LINE__, FIX_CITIES, NULL, FIX_ADMIN1_JSON, "@/e.db",
		    GEOCODE_EINVAL, "not iso-codes' iso_3166-1.json" },
		{ __LINE__, FIX_CITIES, NULL, "@/nocountry.json", "@/e.db",
		    GEOCODE_EINVAL, "no country in it" },
		{ __LINE__, FIX_CITIES, NULL, NULL, "@/no/such/dir/e.db",
		    GEOCODE_EDB, "cannot create a file beside" },
		{ __LINE__, FIX_CITIES, NULL, NULL, "@", GEOCODE_EINVAL,
		    "is a directory" },
		{ __LINE__, FIX_CITIES, NULL, NULL, "@/users.db", GEOCODE_EINVAL,
		    "is not a gazetteer: refusing to replace it" },
		{ __LINE__, FIX_CITIES, NULL, NULL, "@/text.txt", GEOCODE_EINVAL,
		    "is not a gazetteer: refusing to replace it" },
		{ __LINE__, "", NULL, NULL, "@/e.db", GEOCODE_EINVAL, "needed" },
		{ __LINE__, FIX_CITIES, NULL, NULL, "", GEOCODE_EINVAL, "needed" },
	};
	struct db	*db;
	char		 why[512], *p[4], *e_db, *users, *text;
	const char	*in[4];
	size_t		 i, k;
	struct stat	 sb;

	/* the inputs the table names with "@", the fixture's folder */
	p[0] = path_in(f, "empty.txt");
	write_file(p[0], "", 0);
	free(p[0]);
	p[0] = path_in(f, "bad.txt");
	write_file(p[0], B("1\tx\n\n2\tLondon\tLondon\t\tnorth\t0\tP\tPPL\tGB\t"
	    "\tENG\t\t\t\t5\t\t5\tEurope/London\t2024-01-01\n"));
	free(p[0]);
	p[0] = path_in(f, "admin.txt");
	write_file(p[0], B("5128638\tNew York\tNew York\t\t43\t-75\tA\tADM1\tUS"
	    "\t\tNY\t\t\t\t19274244\t\t307\tAmerica/New_York\t2016-01-26\n"));
	free(p[0]);
	p[0] = path_in(f, "broken.json");
	write_file(p[0], B("[{\"code\": \"GB.ENG\", "));
	free(p[0]);
	p[0] = path_in(f, "trailing.json");
	write_file(p[0], B("{\"3166-1\": [{\"alpha_2\": \"GB\", \"name\": \"UK\"}]} x"));
	free(p[0]);
	p[0] = path_in(f, "nocountry.json");
	write_file(p[0], B("{\"3166-1\": [{\"alpha_2\": \"gb\", \"name\": \"UK\"},"
	    " {\"alpha_2\": \"GB\"}, 7]}"));
	free(p[0]);
	users = path_in(f, "users.db");
	assert_int_equal(db_open(users, DB_OPEN_CREATE, 1000, &db), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE users (id TEXT);"
	    "INSERT INTO users VALUES ('precious')"), DB_OK);
	db_close(db);
	text = path_in(f, "text.txt");
	write_file(text, B("not a database, but precious\n"));

	for (i = 0; i < NCASES(cases); i++) {
		in[0] = cases[i].dump;
		in[1] = cases[i].admin1;
		in[2] = cases[i].countries;
		in[3] = cases[i].out;
		for (k = 0; k < 4; k++) {
			p[k] = NULL;
			if (in[k] != NULL && in[k][0] == '@')
				assert_true(asprintf(&p[k], "%s%s", f->dir,
				    in[k] + 1) > 0);
		}
		CHECK_GEO(cases[i].line, import(p[0] ? p[0] : in[0],
		    p[1] ? p[1] : in[1], p[2] ? p[2] : in[2],
		    p[3] ? p[3] : in[3], &st, NULL, why, sizeof(why)),
		    cases[i].want);
		if (strstr(why, cases[i].why) == NULL) {
			print_error("%s:%d: why \"%s\" lacks \"%s\"\n", __FILE__,
			    cases[i].line, why, cases[i].why);
			failures++;
		}
		CHECK_INT(cases[i].line, scratch_left(f), 0);
		for (k = 0; k < 4; k++)
			free(p[k]);
	}
	/* nothing written, nothing replaced */
	e_db = path_in(f, "e.db");
	CHECK(__LINE__, stat(e_db, &sb) == -1);
	assert_int_equal(db_open(users, DB_OPEN_READONLY, 1000, &db), DB_OK);
	CHECK_INT(__LINE__, query_int(db, "SELECT count(*) FROM users"), 1);
	db_close(db);
	free(e_db);
	free(users);
	free(text);
	DONE();
}

/*
 * A reader keeps the file it opened when an import replaces it; a new
 * open sees the new one; a failed import leaves the file as it was.
 */
static void
test_replace_atomic(void **state)
{
	struct fx			*f = *state;
	struct gazetteer_import_stats	 st;
	struct gazetteer		*old = NULL, *new = NULL;
	struct geocode_place		 p;
	char				 why[512], *out, *dump;

	out = path_in(f, "live.db");
	dump = path_in(f, "small.txt");
	write_file(dump, B("7\tNewtown\tNewtown\t\t1\t2\tP\tPPL\tGB\t\tENG"
	    "\t\t\t\t100\t\t5\tEurope/London\t2024-01-01\n"));
	CHECK_GEO(__LINE__, import(FIX_CITIES, NULL, NULL, out, &st, NULL, why,
	    sizeof(why)), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_open(out, &old), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(old, "London", &p), GEOCODE_OK);
	/* replaced while open */
	CHECK_GEO(__LINE__, import(dump, NULL, NULL, out, &st, NULL, why,
	    sizeof(why)), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(old, "London", &p), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(old, "Newtown", &p),
	    GEOCODE_NOTFOUND);
	CHECK_GEO(__LINE__, gazetteer_open(out, &new), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(new, "Newtown", &p), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(new, "London", &p),
	    GEOCODE_NOTFOUND);
	gazetteer_close(new);
	new = NULL;
	/* a failed import over it changes nothing */
	write_file(dump, B("garbage\n"));
	CHECK_GEO(__LINE__, import(dump, NULL, NULL, out, &st, NULL, why,
	    sizeof(why)), GEOCODE_EINVAL);
	CHECK_GEO(__LINE__, gazetteer_open(out, &new), GEOCODE_OK);
	CHECK_GEO(__LINE__, gazetteer_lookup(new, "Newtown", &p), GEOCODE_OK);
	CHECK_INT(__LINE__, scratch_left(f), 0);
	gazetteer_close(new);
	gazetteer_close(old);
	free(out);
	free(dump);
	DONE();
}

/* Files that are not gazetteers do not open. */
static void
test_open_errors(void **state)
{
	struct fx		*f = *state;
	struct gazetteer	*g;
	struct db		*db;
	char			*p;

	CHECK_GEO(__LINE__, gazetteer_open("/nonexistent/g.db", &g), GEOCODE_EDB);
	CHECK(__LINE__, g == NULL);
	CHECK_GEO(__LINE__, gazetteer_open("", &g), GEOCODE_EDB);
	CHECK_GEO(__LINE__, gazetteer_open(f->dir, &g), GEOCODE_EDB);
	p = path_in(f, "open-text.db");
	write_file(p, B("London\tGB\n"));
	CHECK_GEO(__LINE__, gazetteer_open(p, &g), GEOCODE_EDB);
	free(p);
	p = path_in(f, "open-empty.db");
	write_file(p, "", 0);
	CHECK_GEO(__LINE__, gazetteer_open(p, &g), GEOCODE_EDB);
	free(p);
	p = path_in(f, "open-schema2.db");
	assert_int_equal(db_open(p, DB_OPEN_CREATE, 1000, &db), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE meta (key TEXT PRIMARY KEY,"
	    " value TEXT); INSERT INTO meta VALUES ('schema', '2')"), DB_OK);
	db_close(db);
	CHECK_GEO(__LINE__, gazetteer_open(p, &g), GEOCODE_EDB);
	free(p);
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_invalid),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_query_plan),
		cmocka_unit_test(test_import_counts),
		cmocka_unit_test(test_import_hostile),
		cmocka_unit_test(test_display_name),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_replace_atomic),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
