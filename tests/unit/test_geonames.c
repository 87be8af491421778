/*
 * test_geonames: the reader of GeoNames dumps (src/geocoding/geonames.c).
 * The line parser against one good row and its variations, then (many
 * more) broken rows: truncated and extra columns, NULs, bad ids, names,
 * coordinates in every malformed or out-of-range spelling, feature class,
 * country, admin1 and population; the match keys of a place (dedup, caps,
 * invalid names dropped); the admin1 table's lines; and the line reader on
 * streams: line ends (LF, CRLF, none at the end), an empty file, a byte
 * order mark, lines at, just past and far past the cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "geonames.h"
#include "unit_util.h"

#define CHECK_ERR(line, got, want) \
	CHECK_ENUM(line, enum geonames_err, geonames_strerror, got, want)

/* London, GB: cities500.txt's row with fewer alternate names. */
#define C_ID	"2643743"
#define C_NAME	"London"
#define C_ASCII	"London"
#define C_ALT	"Londres,Londra,\xd0\x9b\xd0\xbe\xd0\xbd\xd0\xb4\xd0\xbe\xd0\xbd"
#define C_LAT	"51.50853"
#define C_LON	"-0.12574"
#define C_FCL	"P"
#define C_FCODE	"PPLC"
#define C_CC	"GB"
#define C_A1	"ENG"
#define C_POP	"8961989"
#define C_REST	"\t25\tEurope/London\t2022-03-09"

/* A row from its 19 columns. */
#define ROW(id, name, ascii, alt, lat, lon, fcl, cc, a1, pop)		\
	id "\t" name "\t" ascii "\t" alt "\t" lat "\t" lon "\t" fcl "\t"	\
	C_FCODE "\t" cc "\t\t" a1 "\tGLA\t\t\t" pop "\t" C_REST
#define GOOD	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL, C_CC, \
		    C_A1, C_POP)

static void
test_parse_good(void **state)
{
	struct geonames_row	 r;

	(void)state;
	CHECK_ERR(__LINE__, geonames_parse(B(GOOD), &r), GEONAMES_OK);
	CHECK_INT(__LINE__, r.id, 2643743);
	CHECK_INT(__LINE__, r.name_len, 6);
	CHECK(__LINE__, memcmp(r.name, "London", 6) == 0);
	CHECK_INT(__LINE__, r.ascii_len, 6);
	CHECK_INT(__LINE__, r.alt_len, strlen(C_ALT));
	CHECK(__LINE__, r.lat == 51.50853 && r.lon == -0.12574);
	CHECK_INT(__LINE__, r.fclass, 'P');
	CHECK_STR(__LINE__, r.cc, "GB");
	CHECK_INT(__LINE__, r.admin1_len, 3);
	CHECK(__LINE__, memcmp(r.admin1, "ENG", 3) == 0);
	CHECK_INT(__LINE__, r.population, 8961989);
	CHECK_INT(__LINE__, r.columns, GEONAMES_COLUMNS);
	DONE();
}

/* Variations that are still good: what is optional, and the bounds. */
static void
test_parse_variants(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		double		 lat, lon;
		int64_t		 pop;
	} cases[] = {
		{ __LINE__, ROW(C_ID, C_NAME, "", "", C_LAT, C_LON, C_FCL, C_CC,
		    "", C_POP), 51.50853, -0.12574, 8961989 },
		{ __LINE__, ROW(C_ID, C_NAME, C_ASCII, C_ALT, "90", "180", "",
		    "", C_A1, "0"), 90, 180 , 0 },
		{ __LINE__, ROW(C_ID, C_NAME, C_ASCII, C_ALT, "-90", "-180",
		    C_FCL, C_CC, C_A1, "0"), -90, -180, 0 },
		{ __LINE__, ROW(C_ID, C_NAME, C_ASCII, C_ALT, "-0", "0.0",
		    C_FCL, C_CC, C_A1, "000"), 0, 0, 0 },
		{ __LINE__, ROW(C_ID, C_NAME, C_ASCII, C_ALT, "89.999999999999",
		    "1.000000000001", C_FCL, C_CC, C_A1, "999999999999999999"),
		    89.999999999999, 1.000000000001, INT64_C(999999999999999999) },
		{ __LINE__, ROW("1", "\xe6\x9d\xb1\xe4\xba\xac", "Tokyo", "",
		    "35.6895", "139.69171", "P", "JP", "40", "8336599"),
		    35.6895, 139.69171, 8336599 },
		/* 20 characters of admin1 code, 200 characters of name */
		{ __LINE__, ROW(C_ID, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    C_ASCII, C_ALT, "1", "2", C_FCL, C_CC,
		    "ABCDEFGHIJ0123456789", "5"), 1, 2, 5 },
	};
	struct geonames_row	 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		CHECK_ERR(cases[i].line, geonames_parse(cases[i].in,
		    strlen(cases[i].in), &r), GEONAMES_OK);
		CHECK(cases[i].line, r.lat == cases[i].lat);
		CHECK(cases[i].line, r.lon == cases[i].lon);
		CHECK_INT(cases[i].line, r.population, cases[i].pop);
	}
	DONE();
}

static void
test_parse_bad(void **state)
{
	static const struct {
		int			 line;
		const char		*in;
		size_t			 len;	/* 0: strlen */
		enum geonames_err	 want;
	} cases[] = {
		{ __LINE__, "", 0, GEONAMES_EBLANK },
		/* columns */
		{ __LINE__, C_ID, 0, GEONAMES_ECOLUMNS },
		{ __LINE__, C_ID "\tLondon\tLondon\t\t51.5", 0, GEONAMES_ECOLUMNS },
		{ __LINE__, GOOD "\textra", 0, GEONAMES_ECOLUMNS },
		{ __LINE__, GOOD "\t", 0, GEONAMES_ECOLUMNS },
		{ __LINE__, "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t", 0, GEONAMES_ECOLUMNS },
		{ __LINE__, "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t", 0, GEONAMES_EID },
		{ __LINE__, C_ID " London London", 0, GEONAMES_ECOLUMNS },
		/* NUL */
		{ __LINE__, "26\0" "43743\tLondon", 12, GEONAMES_ENUL },
		{ __LINE__, GOOD "\0", sizeof(GOOD), GEONAMES_ENUL },
		/* geonameid */
		{ __LINE__, ROW("0", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW("-1", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW("", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW("12a", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW(" 12", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW("+12", C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		{ __LINE__, ROW("1234567890123456789", C_NAME, C_ASCII, C_ALT,
		    C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP), 0, GEONAMES_EID },
		/* name */
		{ __LINE__, ROW(C_ID, "", C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "   ", C_ASCII, C_ALT, C_LAT, C_LON, C_FCL,
		    C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "Lon\xff" "don", C_ASCII, C_ALT, C_LAT, C_LON,
		    C_FCL, C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "S\xe3o Paulo", C_ASCII, C_ALT, C_LAT, C_LON,
		    C_FCL, C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "Lon\x01" "don", C_ASCII, C_ALT, C_LAT, C_LON,
		    C_FCL, C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "\xed\xa0\x80", C_ASCII, C_ALT, C_LAT, C_LON,
		    C_FCL, C_CC, C_A1, C_POP), 0, GEONAMES_ENAME },
		{ __LINE__, ROW(C_ID, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    C_ASCII, C_ALT, C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP), 0,
		    GEONAMES_ENAME },
		/* latitude */
#define LAT(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, v, C_LON, C_FCL, C_CC, C_A1, C_POP)
		{ __LINE__, LAT(""), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("north"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("90.00001"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("-90.5"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("91"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1000"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1e1"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1E-1"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("+1"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT(" 1"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1 "), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1."), 0, GEONAMES_ELAT },
		{ __LINE__, LAT(".5"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("-"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("--1"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1.2.3"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1,5"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("0x1p3"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("nan"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("inf"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("-infinity"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("1.1234567890123"), 0, GEONAMES_ELAT },
		{ __LINE__, LAT("\xd9\xa1"), 0, GEONAMES_ELAT },	/* Arabic-Indic 1 */
		/* longitude */
#define LON(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, v, C_FCL, C_CC, C_A1, C_POP)
		{ __LINE__, LON(""), 0, GEONAMES_ELON },
		{ __LINE__, LON("-181"), 0, GEONAMES_ELON },
		{ __LINE__, LON("180.5"), 0, GEONAMES_ELON },
		{ __LINE__, LON("999"), 0, GEONAMES_ELON },
		{ __LINE__, LON("west"), 0, GEONAMES_ELON },
		{ __LINE__, LON("1e2"), 0, GEONAMES_ELON },
		/* feature class, country, admin1 */
#define FCL(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, v, C_CC, C_A1, C_POP)
		{ __LINE__, FCL("PP"), 0, GEONAMES_EFCLASS },
		{ __LINE__, FCL("p"), 0, GEONAMES_EFCLASS },
		{ __LINE__, FCL("1"), 0, GEONAMES_EFCLASS },
#define CC(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL, v, C_A1, C_POP)
		{ __LINE__, CC("gb"), 0, GEONAMES_ECOUNTRY },
		{ __LINE__, CC("G"), 0, GEONAMES_ECOUNTRY },
		{ __LINE__, CC("GBR"), 0, GEONAMES_ECOUNTRY },
		{ __LINE__, CC("G1"), 0, GEONAMES_ECOUNTRY },
		{ __LINE__, CC("\xc3\x96S"), 0, GEONAMES_ECOUNTRY },
#define A1(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL, C_CC, v, C_POP)
		{ __LINE__, A1("ABCDEFGHIJ0123456789X"), 0, GEONAMES_EADMIN1 },
		{ __LINE__, A1("A B"), 0, GEONAMES_EADMIN1 },
		{ __LINE__, A1("\xc3\xa9"), 0, GEONAMES_EADMIN1 },
		{ __LINE__, A1("\x7f"), 0, GEONAMES_EADMIN1 },
		/* population */
#define POP(v)	ROW(C_ID, C_NAME, C_ASCII, C_ALT, C_LAT, C_LON, C_FCL, C_CC, C_A1, v)
		{ __LINE__, POP(""), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP("-5"), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP("1.5"), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP("1e3"), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP(" 5"), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP("many"), 0, GEONAMES_EPOPULATION },
		{ __LINE__, POP("9223372036854775808"), 0, GEONAMES_EPOPULATION },
	};
	struct geonames_row	 r;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].in);
		CHECK_ERR(cases[i].line, geonames_parse(cases[i].in, len, &r),
		    cases[i].want);
	}
	DONE();
}

/* A line past the cap, given to the parser directly. */
static void
test_parse_too_long(void **state)
{
	struct geonames_row	 r;
	char			*big;

	(void)state;
	assert_non_null(big = malloc(GEONAMES_LINE_MAX + 1));
	memset(big, 'x', GEONAMES_LINE_MAX + 1);
	CHECK_ERR(__LINE__, geonames_parse(big, GEONAMES_LINE_MAX + 1, &r),
	    GEONAMES_ETOOLONG);
	CHECK_ERR(__LINE__, geonames_parse(big, GEONAMES_LINE_MAX, &r),
	    GEONAMES_ECOLUMNS);
	free(big);
	CHECK_STR(__LINE__, geonames_strerror(GEONAMES__MAX), "unknown error");
	CHECK_STR(__LINE__, geonames_strerror(GEONAMES_ELAT),
	    "latitude is not a decimal number from -90 to 90");
	DONE();
}

/* --- keys ------------------------------------------------------------------ */

static struct geonames_keys *
keys_of(int line, const char *row, enum geonames_err want)
{
	static struct geonames_keys	 k;
	struct geonames_row		 r;

	CHECK_ERR(line, geonames_parse(row, strlen(row), &r), GEONAMES_OK);
	CHECK_ERR(line, geonames_keys(&r, &k), want);
	return &k;
}

static void
test_keys(void **state)
{
	struct geonames_keys	*k;

	(void)state;
	/* name first, duplicates merged, Cyrillic lower-cased */
	k = keys_of(__LINE__, ROW(C_ID, "London", "London",
	    "Londres,London,,london, LONDON ,\xd0\x9b\xd0\xbe\xd0\xbd\xd0\xb4"
	    "\xd0\xbe\xd0\xbd,Londres", C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP),
	    GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, 3);
	CHECK_INT(__LINE__, k->dropped, 0);
	CHECK_STR(__LINE__, k->key[0], "london");
	CHECK_STR(__LINE__, k->key[1], "londres");
	CHECK_STR(__LINE__, k->key[2], "\xd0\xbb\xd0\xbe\xd0\xbd\xd0\xb4\xd0\xbe"
	    "\xd0\xbd");
	/* the asciiname counts; accents fold together */
	k = keys_of(__LINE__, ROW(C_ID, "K\xc3\xb6ln", "Koeln",
	    "Cologne,Koln,K\xc3\xb6ln", C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP),
	    GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, 3);
	CHECK_STR(__LINE__, k->key[0], "koln");
	CHECK_STR(__LINE__, k->key[1], "koeln");
	CHECK_STR(__LINE__, k->key[2], "cologne");
	/* invalid, control and blank alternate names are dropped or skipped */
	k = keys_of(__LINE__, ROW(C_ID, "Paris", "", "Par\xffis,Pa\x01ris,   ,"
	    "Lutetia", C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP), GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, 2);
	CHECK_INT(__LINE__, k->dropped, 2);
	CHECK_STR(__LINE__, k->key[1], "lutetia");
	/* an empty alternatenames column, a lone comma */
	k = keys_of(__LINE__, ROW(C_ID, "Paris", "Paris", ",", C_LAT, C_LON,
	    C_FCL, C_CC, C_A1, C_POP), GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, 1);
	CHECK_INT(__LINE__, k->dropped, 0);
	DONE();
}

/* Alternate names past GEONAMES_ALT_MAX bytes, and past GEONAMES_KEYS_MAX. */
static void
test_keys_caps(void **state)
{
	struct geonames_keys	*k;
	struct geonames_row	 r;
	char			*line, *alt, *p;
	size_t			 i;

	(void)state;
	assert_non_null(k = malloc(sizeof(*k)));
	assert_non_null(alt = malloc(GEONAMES_LINE_MAX));
	assert_non_null(line = malloc(GEONAMES_LINE_MAX + 256));
	/* 600 distinct names, then one of GEONAMES_ALT_MAX + 1 bytes */
	p = alt;
	for (i = 0; i < 600; i++)
		p += sprintf(p, "n%zu,", i);
	memset(p, 'y', GEONAMES_ALT_MAX + 1);
	p[GEONAMES_ALT_MAX + 1] = '\0';
	snprintf(line, GEONAMES_LINE_MAX + 256, ROW(C_ID, "Many", "", "%s",
	    C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP), alt);
	CHECK_ERR(__LINE__, geonames_parse(line, strlen(line), &r), GEONAMES_OK);
	CHECK_ERR(__LINE__, geonames_keys(&r, k), GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, GEONAMES_KEYS_MAX);
	CHECK_INT(__LINE__, k->dropped, 600 + 1 - (GEONAMES_KEYS_MAX - 1) + 0);
	CHECK_STR(__LINE__, k->key[0], "many");
	CHECK_STR(__LINE__, k->key[GEONAMES_KEYS_MAX - 1], "n510");
	/* one of exactly GEONAMES_ALT_MAX bytes is kept */
	memset(alt, 'z', GEONAMES_ALT_MAX);
	alt[GEONAMES_ALT_MAX] = '\0';
	snprintf(line, GEONAMES_LINE_MAX + 256, ROW(C_ID, "Long", "", "%s",
	    C_LAT, C_LON, C_FCL, C_CC, C_A1, C_POP), alt);
	CHECK_ERR(__LINE__, geonames_parse(line, strlen(line), &r), GEONAMES_OK);
	CHECK_ERR(__LINE__, geonames_keys(&r, k), GEONAMES_OK);
	CHECK_INT(__LINE__, k->n, 2);
	CHECK_INT(__LINE__, k->len[1], GEONAMES_ALT_MAX);
	free(line);
	free(alt);
	free(k);
	DONE();
}

/* --- admin1 ---------------------------------------------------------------- */

static void
test_admin1(void **state)
{
	static const struct {
		int			 line;
		const char		*in;
		size_t			 len;
		enum geonames_err	 want;
		const char		*code, *name;
	} cases[] = {
		{ __LINE__, B("GB.ENG\tEngland\tEngland\t6269131"), GEONAMES_OK,
		    "GB.ENG", "England" },
		{ __LINE__, B("BR.27\tS\xc3\xa3o Paulo\tSao Paulo\t3448433"),
		    GEONAMES_OK, "BR.27", "S\xc3\xa3o Paulo" },
		{ __LINE__, B("GR.ESYE31\tAttica\tAttica\t6692632"), GEONAMES_OK,
		    "GR.ESYE31", "Attica" },
		{ __LINE__, B(""), GEONAMES_EBLANK, NULL, NULL },
		{ __LINE__, B("GB.ENG\tEngland\t6269131"), GEONAMES_ECOLUMNS, NULL, NULL },
		{ __LINE__, B("GB.ENG\tEngland\tEngland\t1\t2"), GEONAMES_ECOLUMNS,
		    NULL, NULL },
		{ __LINE__, B("GB.ENG"), GEONAMES_ECOLUMNS, NULL, NULL },
		{ __LINE__, B("GBENG\tEngland\tEngland\t1"), GEONAMES_EADMIN1, NULL, NULL },
		{ __LINE__, B("gb.ENG\tEngland\tEngland\t1"), GEONAMES_EADMIN1, NULL, NULL },
		{ __LINE__, B("GB.\tEngland\tEngland\t1"), GEONAMES_EADMIN1, NULL, NULL },
		{ __LINE__, B("G.ENG\tEngland\tEngland\t1"), GEONAMES_EADMIN1, NULL, NULL },
		{ __LINE__, B("GB.ABCDEFGHIJ0123456789X\tX\tX\t1"), GEONAMES_EADMIN1,
		    NULL, NULL },
		{ __LINE__, B("GB.E NG\tEngland\tEngland\t1"), GEONAMES_EADMIN1, NULL, NULL },
		{ __LINE__, B("GB.ENG\t\tEngland\t1"), GEONAMES_ENAME, NULL, NULL },
		{ __LINE__, B("GB.ENG\tEng\xfflan\tEngland\t1"), GEONAMES_ENAME, NULL, NULL },
		{ __LINE__, B("GB.ENG\tEng\0land\tEngland\t1"), GEONAMES_ENUL, NULL, NULL },
	};
	const char	*code, *name;
	size_t		 i, clen, nlen;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		CHECK_ERR(cases[i].line, geonames_parse_admin1(cases[i].in,
		    cases[i].len, &code, &clen, &name, &nlen), cases[i].want);
		if (cases[i].want != GEONAMES_OK)
			continue;
		CHECK(cases[i].line, clen == strlen(cases[i].code) &&
		    memcmp(code, cases[i].code, clen) == 0);
		CHECK(cases[i].line, nlen == strlen(cases[i].name) &&
		    memcmp(name, cases[i].name, nlen) == 0);
	}
	CHECK_INT(__LINE__, geonames_admin1_code_ok(B("US.NY")), 0);
	CHECK_INT(__LINE__, geonames_admin1_code_ok(B("US")), -1);
	CHECK_INT(__LINE__, geonames_admin1_code_ok(B("US.")), -1);
	CHECK_INT(__LINE__, geonames_admin1_code_ok(B("")), -1);
	DONE();
}

/* --- the line reader --------------------------------------------------------- */

struct step {
	enum geonames_err	 e;
	const char		*line;	/* OK: the line's text; else NULL */
	size_t			 lineno;
	size_t			 len;	/* of line; 0: strlen */
};

/* Reads all of (buf, len) and checks each result against want[] (n). */
static void
read_all(int line, const char *buf, size_t len, const struct step *want,
    size_t n)
{
	struct geonames_reader	*r;
	enum geonames_err	 e;
	FILE			*f;
	const char		*l;
	size_t			 i, ll, no;

	/* fmemopen cannot open 0 bytes everywhere: a temporary file can. */
	assert_non_null(f = tmpfile());
	assert_true(len == 0 || fwrite(buf, 1, len, f) == len);
	rewind(f);
	assert_int_equal(geonames_reader_new(f, &r), GEONAMES_OK);
	for (i = 0; i <= n; i++) {
		no = 0;
		e = geonames_reader_next(r, &l, &ll, &no);
		if (i == n) {
			CHECK_ERR(line, e, GEONAMES_EOF);
			break;
		}
		CHECK_ERR(line, e, want[i].e);
		if (e != want[i].e)
			break;
		if (e != GEONAMES_EOF)
			CHECK_INT(line, no, want[i].lineno);
		if (e == GEONAMES_OK)
			CHECK(line, ll == (want[i].len != 0 ? want[i].len :
			    strlen(want[i].line)) && memcmp(l, want[i].line, ll) == 0);
	}
	/* EOF again after EOF */
	CHECK_ERR(line, geonames_reader_next(r, &l, &ll, &no), GEONAMES_EOF);
	geonames_reader_free(r);
	fclose(f);
}

#define STEPS(...)	((const struct step[]){ __VA_ARGS__ }), \
	    (sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step))

static void
test_reader_ends(void **state)
{
	(void)state;
	read_all(__LINE__, B("a\nb\n"), STEPS({ GEONAMES_OK, "a", 1, 0 },
	    { GEONAMES_OK, "b", 2, 0 }));
	read_all(__LINE__, B("a\r\nb\r\n"), STEPS({ GEONAMES_OK, "a", 1, 0 },
	    { GEONAMES_OK, "b", 2, 0 }));
	read_all(__LINE__, B("a\nb"), STEPS({ GEONAMES_OK, "a", 1, 0 },
	    { GEONAMES_OK, "b", 2, 0 }));
	read_all(__LINE__, B("a\r\nb\r"), STEPS({ GEONAMES_OK, "a", 1, 0 },
	    { GEONAMES_OK, "b", 2, 0 }));
	read_all(__LINE__, B("\n\n"), STEPS({ GEONAMES_OK, "", 1, 0 },
	    { GEONAMES_OK, "", 2, 0 }));
	read_all(__LINE__, B("a\rb\n"), STEPS({ GEONAMES_OK, "a\rb", 1, 0 }));
	read_all(__LINE__, B("\xef\xbb\xbf" "a\n\xef\xbb\xbf" "b\n"),
	    STEPS({ GEONAMES_OK, "a", 1, 0 }, { GEONAMES_OK, "\xef\xbb\xbf" "b", 2, 0 }));
	/* a NUL is the parser's to refuse: the reader hands it over */
	read_all(__LINE__, B("a\0b\n"), STEPS({ GEONAMES_OK, "a\0b", 1, 3 }));
	DONE();
}

static void
test_reader_empty(void **state)
{
	(void)state;
	read_all(__LINE__, "", 0, NULL, 0);
	DONE();
}

/* Lines at the cap, one byte past it, and far past it. */
static void
test_reader_long(void **state)
{
	const size_t	 max = GEONAMES_LINE_MAX;
	char		*buf, *at, *p;
	size_t		 len;

	(void)state;
	assert_non_null(buf = malloc(5 * max + 64));
	assert_non_null(at = malloc(max + 1));
	memset(at, 'a', max);
	at[max] = '\0';
	/* exactly max, max with CRLF, max + 1, 2 * max, then a short one */
	p = buf;
	memset(p, 'a', max), p += max, *p++ = '\n';
	memset(p, 'a', max), p += max, *p++ = '\r', *p++ = '\n';
	memset(p, 'b', max + 1), p += max + 1, *p++ = '\n';
	memset(p, 'c', 2 * max), p += 2 * max, *p++ = '\n';
	memcpy(p, "ok\n", 3), p += 3;
	len = (size_t)(p - buf);
	read_all(__LINE__, buf, len, STEPS({ GEONAMES_OK, at, 1, 0 },
	    { GEONAMES_OK, at, 2, 0 }, { GEONAMES_ETOOLONG, NULL, 3, 0 },
	    { GEONAMES_ETOOLONG, NULL, 4, 0 }, { GEONAMES_OK, "ok", 5, 0 }));
	/* an overlong last line without a line end */
	p = buf;
	memcpy(p, "x\n", 2), p += 2;
	memset(p, 'd', 3 * max), p += 3 * max;
	read_all(__LINE__, buf, (size_t)(p - buf), STEPS({ GEONAMES_OK, "x", 1, 0 },
	    { GEONAMES_ETOOLONG, NULL, 2, 0 }));
	/* an unterminated last line of max + 1 bytes */
	p = buf;
	memset(p, 'e', max), p += max, *p++ = 'e';
	read_all(__LINE__, buf, (size_t)(p - buf), STEPS({ GEONAMES_ETOOLONG,
	    NULL, 1, 0 }));
	free(at);
	free(buf);
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_variants),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_caps),
		cmocka_unit_test(test_admin1),
		cmocka_unit_test(test_reader_ends),
		cmocka_unit_test(test_reader_empty),
		cmocka_unit_test(test_reader_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
