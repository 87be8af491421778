/*
 * fuzz_geonames: a GeoNames dump as the gazetteer import reads it
 * (src/geocoding/geonames.c, fold.c).  The input is a stream of lines
 * through geonames_reader; each line goes to geonames_parse, its keys to
 * geonames_keys, and to geonames_parse_admin1.  Checked, with abort() on a
 * violation:
 *
 *  - the reader: line numbers count up by one, a line is at most
 *    GEONAMES_LINE_MAX bytes and holds no "\n";
 *  - a parsed row: every pointer inside its line, geonameid > 0,
 *    coordinates in range, a two-letter or empty country, population
 *    >= 0, the same result when parsed again;
 *  - its keys: 1..GEONAMES_KEYS_MAX of them, none empty, none twice, each
 *    its own fold (fold is idempotent);
 *  - geo_fold of the whole input: never longer than it, and idempotent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "geonames.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct geonames_keys	keys;
static char			fold1[GEONAMES_LINE_MAX + 1];
static char			fold2[GEONAMES_LINE_MAX + 1];

static int
inside(const char *p, size_t n, const char *line, size_t len)
{
	return n == 0 || (p >= line && p + n <= line + len);
}

static void
check_fold(const char *s, size_t len)
{
	ssize_t	 a, b;

	if (len > GEONAMES_LINE_MAX)
		len = GEONAMES_LINE_MAX;
	if ((a = geo_fold(s, len, fold1, sizeof(fold1))) == -1)
		return;
	if ((size_t)a > len || fold1[a] != '\0')
		abort();
	b = geo_fold(fold1, (size_t)a, fold2, sizeof(fold2));
	if (b != a || memcmp(fold1, fold2, (size_t)a) != 0)
		abort();
}

static void
check_keys(const struct geonames_row *r)
{
	char	 k[GEONAMES_ALT_MAX + 1];
	size_t	 i, j;
	ssize_t	 n;

	if (geonames_keys(r, &keys) != GEONAMES_OK)
		abort();	/* geonames_parse checked the name */
	if (keys.n < 1 || keys.n > GEONAMES_KEYS_MAX)
		abort();
	for (i = 0; i < keys.n; i++) {
		if (keys.len[i] == 0 || keys.key[i][keys.len[i]] != '\0' ||
		    strlen(keys.key[i]) != keys.len[i])
			abort();
		/* the name's key may be longer than an alternate may be */
		if (i > 0 && keys.len[i] > GEONAMES_ALT_MAX)
			abort();
		if (keys.len[i] <= GEONAMES_ALT_MAX) {
			n = geo_fold(keys.key[i], keys.len[i], k, sizeof(k));
			if (n != (ssize_t)keys.len[i] ||
			    memcmp(k, keys.key[i], keys.len[i]) != 0)
				abort();
		}
		for (j = 0; j < i && keys.n <= 64; j++)
			if (keys.len[j] == keys.len[i] &&
			    memcmp(keys.key[j], keys.key[i], keys.len[i]) == 0)
				abort();
	}
}

static void
check_line(const char *line, size_t len)
{
	struct geonames_row	 r, r2;
	enum geonames_err	 e;
	const char		*code, *name;
	size_t			 clen, nlen;

	e = geonames_parse(line, len, &r);
	if ((unsigned)e >= GEONAMES__MAX || geonames_strerror(e) == NULL)
		abort();
	if (geonames_parse(line, len, &r2) != e)
		abort();
	if (e == GEONAMES_OK) {
		if (r.id < 1 || r.population < 0 || r.name_len == 0 ||
		    !(r.lat >= -90 && r.lat <= 90) ||
		    !(r.lon >= -180 && r.lon <= 180) ||
		    r.columns != GEONAMES_COLUMNS ||
		    (strlen(r.cc) != 0 && strlen(r.cc) != 2) ||
		    !inside(r.name, r.name_len, line, len) ||
		    !inside(r.ascii, r.ascii_len, line, len) ||
		    !inside(r.alt, r.alt_len, line, len) ||
		    !inside(r.admin1, r.admin1_len, line, len) ||
		    r.admin1_len > GEONAMES_CODE_MAX ||
		    r.lat != r2.lat || r.lon != r2.lon || r.id != r2.id)
			abort();
		check_keys(&r);
	}
	if (geonames_parse_admin1(line, len, &code, &clen, &name, &nlen) ==
	    GEONAMES_OK && (!inside(code, clen, line, len) ||
	    !inside(name, nlen, line, len) || nlen == 0 ||
	    geonames_admin1_code_ok(code, clen) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct geonames_reader	*rd;
	enum geonames_err	 e;
	const char		*line;
	size_t			 len, lineno, last = 0;
	FILE			*f;

	check_fold((const char *)data, size);
	if (size == 0)
		return 0;	/* fmemopen refuses an empty buffer */
	if ((f = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		abort();
	if (geonames_reader_new(f, &rd) != GEONAMES_OK)
		abort();
	while ((e = geonames_reader_next(rd, &line, &len, &lineno)) !=
	    GEONAMES_EOF) {
		if (e != GEONAMES_OK && e != GEONAMES_ETOOLONG)
			abort();
		if (lineno != last + 1)
			abort();
		last = lineno;
		if (e != GEONAMES_OK)
			continue;
		if (len > GEONAMES_LINE_MAX || memchr(line, '\n', len) != NULL)
			abort();
		check_line(line, len);
	}
	geonames_reader_free(rd);
	fclose(f);
	return 0;
}
