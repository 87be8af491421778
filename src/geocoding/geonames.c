/*
 * geonames: GeoNames' dump format, a line at a time (see geonames.h).
 * Numbers are parsed here rather than with strtod/strtoll: those accept
 * blanks, signs, exponents, hex, "inf" and "nan", and strtod reads the
 * decimal point of the current locale.  A coordinate has at most 3 + 12
 * digits, so it is an exact integer divided by an exact power of ten: one
 * correctly rounded division.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "json.h"
#include "geonames.h"

#define COORD_INT_DIGITS	3	/* 180 */
#define COORD_FRAC_DIGITS	12	/* GeoNames writes 5 */
#define INT_DIGITS_MAX		18	/* < INT64_MAX */
#define NAME_FOLD_MAX		(GEONAMES_NAME_MAX * 4 + 1)	/* bytes */

/* The columns we use (0-based), from the readme's 'geoname' table. */
enum geonames_col {
	COL_ID = 0,
	COL_NAME = 1,
	COL_ASCII = 2,
	COL_ALT = 3,
	COL_LAT = 4,
	COL_LON = 5,
	COL_FCLASS = 6,
	COL_CC = 8,
	COL_ADMIN1 = 10,
	COL_POPULATION = 14,
};

struct geonames_reader {
	FILE		*f;
	char		*buf;
	size_t		 cap, start, end;
	size_t		 lineno;
	int		 eof;
	int		 skipping;	/* inside a line past the cap */
};

static const char *const geonames_errs[GEONAMES__MAX] = {
	[GEONAMES_OK] =		"ok",
	[GEONAMES_EOF] =	"end of file",
	[GEONAMES_EBLANK] =	"empty line",
	[GEONAMES_ETOOLONG] =	"line longer than 65536 bytes",
	[GEONAMES_ENUL] =	"NUL byte in the line",
	[GEONAMES_ECOLUMNS] =	"wrong number of tab-separated columns (want 19)",
	[GEONAMES_EID] =	"geonameid is not a positive integer",
	[GEONAMES_ENAME] =	"name is empty, longer than 200 characters or"
				" not valid UTF-8",
	[GEONAMES_ELAT] =	"latitude is not a decimal number from -90 to 90",
	[GEONAMES_ELON] =	"longitude is not a decimal number from -180 to 180",
	[GEONAMES_EFCLASS] =	"feature class is not one letter A-Z",
	[GEONAMES_ECOUNTRY] =	"country code is not two letters A-Z",
	[GEONAMES_EADMIN1] =	"admin1 code is longer than 20 bytes or not"
				" printable ASCII",
	[GEONAMES_EPOPULATION] = "population is not a non-negative integer",
	[GEONAMES_EIO] =	"read error",
	[GEONAMES_ENOMEM] =	"out of memory",
};

const char *
geonames_strerror(enum geonames_err e)
{
	if ((unsigned)e >= GEONAMES__MAX)
		return "unknown error";
	return geonames_errs[e];
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits only, 1..INT_DIGITS_MAX of them, into [min, INT64_MAX]. */
static int
parse_int(const char *s, size_t n, int64_t min, int64_t *out)
{
	int64_t	 v = 0;
	size_t	 i;

	if (n == 0 || n > INT_DIGITS_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

/* -?D{1,3}(.D{1,12})? into [-limit, limit]. */
static int
parse_coord(const char *s, size_t n, double limit, double *out)
{
	static const double p10[COORD_FRAC_DIGITS + 1] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12
	};
	uint64_t	 digits = 0;
	size_t		 i = 0, ip = 0, fp = 0;
	double		 v;
	int		 neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && is_digit(s[i]); i++, ip++) {
		if (ip == COORD_INT_DIGITS)
			return -1;
		digits = digits * 10 + (uint64_t)(s[i] - '0');
	}
	if (ip == 0)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++; i < n && is_digit(s[i]); i++, fp++) {
			if (fp == COORD_FRAC_DIGITS)
				return -1;
			digits = digits * 10 + (uint64_t)(s[i] - '0');
		}
		if (fp == 0)
			return -1;
	}
	if (i != n)
		return -1;
	/* digits < 10^15 < 2^53: exact, and so is p10[fp]. */
	v = (double)digits / p10[fp];
	if (v > limit)
		return -1;
	*out = neg && v != 0.0 ? -v : v;
	return 0;
}

/* 1..GEONAMES_NAME_MAX characters of UTF-8 that fold to something. */
static int
name_ok(const char *s, size_t n)
{
	char	 key[NAME_FOLD_MAX];
	long		 chars;

	chars = utf8_length(s, n);
	if (chars < 1 || chars > GEONAMES_NAME_MAX)
		return 0;
	return geo_fold(s, n, key, sizeof(key)) > 0;
}

/* Printable ASCII without blanks, at most GEONAMES_CODE_MAX bytes. */
static int
code_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n > GEONAMES_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

static int
country_ok(const char *s, size_t n)
{
	return n == 0 || (n == 2 && s[0] >= 'A' && s[0] <= 'Z' &&
	    s[1] >= 'A' && s[1] <= 'Z');
}

/*
 * Splits (line, len) at tabs into at most `max` columns (col, clen);
 * returns how many there are in all, which may be more than max.
 */
static size_t
split_tabs(const char *line, size_t len, const char **col, size_t *clen,
    size_t max)
{
	const char	*p = line, *end = line + len, *tab;
	size_t		 n = 0;

	for (;;) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (n < max) {
			col[n] = p;
			clen[n] = (size_t)((tab != NULL ? tab : end) - p);
		}
		n++;
		if (tab == NULL)
			return n;
		p = tab + 1;
	}
}

enum geonames_err
geonames_parse(const char *line, size_t len, struct geonames_row *r)
{
	const char	*col[GEONAMES_COLUMNS];
	size_t		 clen[GEONAMES_COLUMNS];

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return GEONAMES_EBLANK;
	if (len > GEONAMES_LINE_MAX)
		return GEONAMES_ETOOLONG;
	if (memchr(line, '\0', len) != NULL)
		return GEONAMES_ENUL;
	r->columns = split_tabs(line, len, col, clen, GEONAMES_COLUMNS);
	if (r->columns != GEONAMES_COLUMNS)
		return GEONAMES_ECOLUMNS;
	if (parse_int(col[COL_ID], clen[COL_ID], 1, &r->id) == -1)
		return GEONAMES_EID;
	if (!name_ok(col[COL_NAME], clen[COL_NAME]))
		return GEONAMES_ENAME;
	r->name = col[COL_NAME];
	r->name_len = clen[COL_NAME];
	r->ascii = col[COL_ASCII];
	r->ascii_len = clen[COL_ASCII];
	r->alt = col[COL_ALT];
	r->alt_len = clen[COL_ALT];
	if (parse_coord(col[COL_LAT], clen[COL_LAT], 90.0, &r->lat) == -1)
		return GEONAMES_ELAT;
	if (parse_coord(col[COL_LON], clen[COL_LON], 180.0, &r->lon) == -1)
		return GEONAMES_ELON;
	if (clen[COL_FCLASS] > 1 || (clen[COL_FCLASS] == 1 &&
	    (col[COL_FCLASS][0] < 'A' || col[COL_FCLASS][0] > 'Z')))
		return GEONAMES_EFCLASS;
	r->fclass = clen[COL_FCLASS] == 1 ? col[COL_FCLASS][0] : '\0';
	if (!country_ok(col[COL_CC], clen[COL_CC]))
		return GEONAMES_ECOUNTRY;
	memcpy(r->cc, col[COL_CC], clen[COL_CC]);
	r->cc[clen[COL_CC]] = '\0';
	if (!code_ok(col[COL_ADMIN1], clen[COL_ADMIN1]))
		return GEONAMES_EADMIN1;
	r->admin1 = col[COL_ADMIN1];
	r->admin1_len = clen[COL_ADMIN1];
	if (parse_int(col[COL_POPULATION], clen[COL_POPULATION], 0,
	    &r->population) == -1)
		return GEONAMES_EPOPULATION;
	return GEONAMES_OK;
}

/* 32-bit FNV-1a: duplicates are found by hash first. */
static uint32_t
key_hash(const char *s, size_t n)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * Folds one name into the next free part of k->buf and keeps it unless it
 * is a duplicate.  Returns 1 when kept, 0 when a duplicate or empty, -1
 * when dropped (counted).
 */
static int
keys_add(struct geonames_keys *k, size_t *used, const char *s, size_t n)
{
	char		*out = k->buf + *used;
	ssize_t		 len;
	uint32_t	 h;
	size_t		 i;

	if (n == 0)
		return 0;
	if (n > GEONAMES_ALT_MAX || k->n == GEONAMES_KEYS_MAX ||
	    (len = geo_fold(s, n, out, sizeof(k->buf) - *used)) == -1) {
		k->dropped++;
		return -1;
	}
	if (len == 0)
		return 0;
	h = key_hash(out, (size_t)len);
	for (i = 0; i < k->n; i++)
		if (k->hash[i] == h && k->len[i] == (size_t)len &&
		    memcmp(k->key[i], out, (size_t)len) == 0)
			return 0;
	k->key[k->n] = out;
	k->len[k->n] = (size_t)len;
	k->hash[k->n] = h;
	k->n++;
	*used += (size_t)len + 1;
	return 1;
}

/*
 * The folded name always fits: fold never lengthens, and the name, the
 * asciiname and every alternate name are disjoint parts of one line of at
 * most GEONAMES_LINE_MAX bytes, so k->buf holds all of them with a NUL
 * each.
 */
enum geonames_err
geonames_keys(const struct geonames_row *r, struct geonames_keys *k)
{
	const char	*p, *end, *comma;
	size_t		 used = 0;

	k->n = 0;
	k->dropped = 0;
	if (keys_add(k, &used, r->name, r->name_len) != 1)
		return GEONAMES_ENAME;
	(void)keys_add(k, &used, r->ascii, r->ascii_len);
	p = r->alt;
	end = r->alt + r->alt_len;
	while (p < end) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		(void)keys_add(k, &used, p, (size_t)(comma - p));
		p = comma + 1;
	}
	return GEONAMES_OK;
}

int
geonames_admin1_code_ok(const char *code, size_t len)
{
	/* "CC." and a code: the country part is two letters A-Z. */
	if (len < 4 || code[2] != '.' || !country_ok(code, 2) ||
	    !code_ok(code + 3, len - 3))
		return -1;
	return 0;
}

enum geonames_err
geonames_parse_admin1(const char *line, size_t len, const char **code,
    size_t *code_len, const char **name, size_t *name_len)
{
	const char	*col[GEONAMES_ADMIN1_COLUMNS];
	size_t		 clen[GEONAMES_ADMIN1_COLUMNS];
	long		 chars;

	if (len == 0)
		return GEONAMES_EBLANK;
	if (len > GEONAMES_LINE_MAX)
		return GEONAMES_ETOOLONG;
	if (memchr(line, '\0', len) != NULL)
		return GEONAMES_ENUL;
	if (split_tabs(line, len, col, clen, GEONAMES_ADMIN1_COLUMNS) !=
	    GEONAMES_ADMIN1_COLUMNS)
		return GEONAMES_ECOLUMNS;
	if (geonames_admin1_code_ok(col[0], clen[0]) == -1)
		return GEONAMES_EADMIN1;
	chars = utf8_length(col[1], clen[1]);
	if (chars < 1 || chars > GEONAMES_NAME_MAX)
		return GEONAMES_ENAME;
	*code = col[0];
	*code_len = clen[0];
	*name = col[1];
	*name_len = clen[1];
	return GEONAMES_OK;
}

/* --- the line reader ------------------------------------------------------ */

enum geonames_err
geonames_reader_new(FILE *f, struct geonames_reader **out)
{
	struct geonames_reader	*r;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return GEONAMES_ENOMEM;
	/* A whole line with its "\r\n", and as much again to read into. */
	r->cap = 2 * (GEONAMES_LINE_MAX + 2);
	if ((r->buf = malloc(r->cap)) == NULL) {
		free(r);
		return GEONAMES_ENOMEM;
	}
	r->f = f;
	*out = r;
	return GEONAMES_OK;
}

void
geonames_reader_free(struct geonames_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

/* Hands out (p, n) as the next line, less a "\r" and a first-line BOM. */
static enum geonames_err
reader_line(struct geonames_reader *r, char *p, size_t n, const char **line,
    size_t *len, size_t *lineno)
{
	*lineno = ++r->lineno;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (r->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	if (n > GEONAMES_LINE_MAX)
		return GEONAMES_ETOOLONG;
	*line = p;
	*len = n;
	return GEONAMES_OK;
}

enum geonames_err
geonames_reader_next(struct geonames_reader *r, const char **line,
    size_t *len, size_t *lineno)
{
	char	*nl;
	size_t	 n;

	*line = NULL;
	*len = 0;
	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			n = (size_t)(nl - (r->buf + r->start));
			r->start += n + 1;
			if (r->skipping) {
				r->skipping = 0;
				*lineno = ++r->lineno;
				return GEONAMES_ETOOLONG;
			}
			return reader_line(r, nl - n, n, line, len, lineno);
		}
		/* No line end in the buffer: the line is too long, or more
		 * is to be read.  Past the cap, its bytes are dropped. */
		if (r->skipping || r->end - r->start > GEONAMES_LINE_MAX + 1) {
			r->skipping = 1;
			r->start = r->end = 0;
		}
		if (r->eof) {
			if (r->skipping) {
				r->skipping = 0;
				*lineno = ++r->lineno;
				return GEONAMES_ETOOLONG;
			}
			if (r->end == r->start)
				return GEONAMES_EOF;
			/* A last line without "\n". */
			n = r->end - r->start;
			r->start = r->end;
			return reader_line(r, r->buf + r->end - n, n, line, len,
			    lineno);
		}
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
		n = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
		if (n == 0) {
			if (ferror(r->f)) {
				*lineno = r->lineno + 1;
				return GEONAMES_EIO;
			}
			r->eof = 1;
		}
		r->end += n;
	}
}
