/*
 * fuzz_query: the query-string decoders of request.c.  The input is a raw
 * query string (what follows '?' in REQUEST_URI).  It is parsed with
 * request_parse_urlencoded as a query, and the whole input is percent-decoded
 * with url_decode with and without '+' → ' '.  url_decode is checked against
 * a small reference decoder written here (strict: a '%' not followed by two
 * hex digits, and a NUL byte, are errors), and every list the parser returns
 * is checked for shape: bounded, NUL-free values whose length is right, and
 * kvlist_get finding the last value of each name.  Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "request.h"

/* kvlist_get is linear: check it on this many fields at each end only */
#define FUZZ_LOOKUPS	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reference percent-decoder into `out` (at least len bytes).  Returns 1 and
 * *outlen on success, 0 on malformed encoding or a NUL byte (raw or %00).
 */
static int
ref_decode(const uint8_t *s, size_t len, int plus_space, uint8_t *out,
    size_t *outlen)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return 0;
			out[o] = (uint8_t)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space)
			out[o] = ' ';
		else
			out[o] = s[i];
		if (out[o++] == '\0')
			return 0;
	}
	*outlen = o;
	return 1;
}

static void
check_rc(enum request_err rc)
{
	if ((int)rc < 0 || rc >= REQUEST__MAX || request_strerror(rc) == NULL)
		abort();
}

static void
check_url_decode(struct arena *a, const uint8_t *data, size_t size,
    int plus_space, uint8_t *ref)
{
	enum request_err rc;
	char		*out = NULL;
	size_t		 outlen = 0, reflen = 0;
	int		 refok;

	rc = url_decode(a, (const char *)data, size, plus_space, &out, &outlen);
	check_rc(rc);
	refok = ref_decode(data, size, plus_space, ref, &reflen);
	if (rc == REQUEST_ENOMEM)
		return;
	if (!refok) {
		/* malformed or NUL: must be refused, never truncated */
		if (rc == REQUEST_OK)
			abort();
		if (rc != REQUEST_EENCODING && rc != REQUEST_ENUL &&
		    rc != REQUEST_ETOOLARGE)
			abort();
		return;
	}
	if (rc != REQUEST_OK && rc != REQUEST_ETOOLARGE)
		abort();
	if (rc != REQUEST_OK)
		return;
	if (out == NULL || outlen != reflen || out[outlen] != '\0' ||
	    strlen(out) != outlen || memcmp(out, ref, reflen) != 0)
		abort();
}

/* Counts the bytes in (s, len) that may separate two fields. */
static size_t
count_separators(const uint8_t *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '&' || s[i] == ';')
			n++;
	return n;
}

static void
check_list(const struct kvlist *l, size_t size, size_t max_fields)
{
	const struct kv	*kv, *last;
	size_t		 i, total = 0;

	if (l->n > max_fields || l->n > l->cap || (l->n > 0 && l->items == NULL))
		abort();
	for (i = 0; i < l->n; i++) {
		kv = &l->items[i];
		if (kv->name == NULL || kv->value == NULL || kv->is_file)
			abort();
		if (strlen(kv->value) != kv->value_len || kv->value_len > size)
			abort();
		if (strlen(kv->name) > size)
			abort();
		total += strlen(kv->name) + kv->value_len;
		/* kvlist_get returns the last field with this name */
		if (i >= FUZZ_LOOKUPS && l->n - i > FUZZ_LOOKUPS)
			continue;
		if ((last = kvlist_get(l, kv->name)) == NULL ||
		    last < kv || last >= l->items + l->n ||
		    strcmp(last->name, kv->name) != 0)
			abort();
	}
	/* decoding only shrinks */
	if (total > size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	struct kvlist	 l1, l2;
	enum request_err rc1, rc2;
	uint8_t		*ref;
	size_t		 i;

	if ((a = arena_new(4096)) == NULL)
		abort();
	if ((ref = malloc(size ? size : 1)) == NULL)
		abort();

	check_url_decode(a, data, size, 0, ref);
	check_url_decode(a, data, size, 1, ref);

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	rc1 = request_parse_urlencoded(a, (const char *)data, size,
	    REQUEST_MAX_FIELDS, &l1);
	check_rc(rc1);
	if (rc1 == REQUEST_OK) {
		check_list(&l1, size, REQUEST_MAX_FIELDS);
		if (l1.n > count_separators(data, size) + 1)
			abort();
	}

	/* deterministic: a second parse gives the same list */
	rc2 = request_parse_urlencoded(a, (const char *)data, size,
	    REQUEST_MAX_FIELDS, &l2);
	if (rc2 != rc1)
		abort();
	if (rc1 == REQUEST_OK) {
		if (l2.n != l1.n)
			abort();
		for (i = 0; i < l1.n; i++)
			if (strcmp(l1.items[i].name, l2.items[i].name) != 0 ||
			    l1.items[i].value_len != l2.items[i].value_len ||
			    memcmp(l1.items[i].value, l2.items[i].value,
			    l1.items[i].value_len) != 0)
				abort();
	}

	/* a query without '%' or NUL cannot have an encoding error */
	if (memchr(data, '%', size) == NULL && memchr(data, '\0', size) == NULL &&
	    (rc1 == REQUEST_EENCODING || rc1 == REQUEST_ENUL))
		abort();

	free(ref);
	arena_free(a);
	return 0;
}
