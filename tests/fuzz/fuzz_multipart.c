/*
 * fuzz_multipart: request_parse_multipart.  The input's first line (up to
 * '\n', less a trailing '\r') is the Content-Type header value, e.g.
 * "multipart/form-data; boundary=----x"; the rest is the body, as curl -F
 * sends it.  On success the list must be bounded (max_fields, and no more
 * parts than "--" delimiters in the body), names are C strings, values lie
 * inside readable memory of value_len bytes, and a part that is not a file
 * has no NUL in its value.  Parsing twice gives the same list, and a body
 * of n parts fails with REQUEST_ETOOMANY under a cap of n - 1.  Violations
 * abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "request.h"

/* kvlist_get is linear: check it on this many fields at each end only */
#define FUZZ_LOOKUPS	16

#define FUZZ_MAX_FIELDS	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads every byte of a value so the sanitizers see a bad pointer or length. */
static uint8_t
touch(const char *p, size_t len)
{
	volatile uint8_t x = 0;
	size_t		 i;

	for (i = 0; i < len; i++)
		x ^= (uint8_t)p[i];
	return x;
}

/* Occurrences of "--" in (s, len), overlapping ones included. */
static size_t
count_dashes(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '-' && s[i + 1] == '-')
			n++;
	return n;
}

static void
check_list(const struct kvlist *l, const char *body, size_t len)
{
	const struct kv	*kv;
	size_t		 i;

	if (l->n > FUZZ_MAX_FIELDS || l->n > l->cap ||
	    (l->n > 0 && l->items == NULL) || l->n > count_dashes(body, len))
		abort();
	for (i = 0; i < l->n; i++) {
		kv = &l->items[i];
		if (kv->name == NULL || kv->value == NULL)
			abort();
		if (strlen(kv->name) > len || kv->value_len > len)
			abort();
		(void)touch(kv->value, kv->value_len);
		if (!kv->is_file && memchr(kv->value, '\0', kv->value_len) != NULL)
			abort();
		if ((i < FUZZ_LOOKUPS || l->n - i <= FUZZ_LOOKUPS) &&
		    kvlist_get(l, kv->name) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	struct kvlist	 l1, l2;
	enum request_err rc1, rc2;
	const uint8_t	*nl;
	char		*ctype, *body;
	size_t		 ctlen, blen, i;

	if ((nl = memchr(data, '\n', size)) == NULL)
		return 0;
	ctlen = (size_t)(nl - data);
	if (ctlen > 0 && data[ctlen - 1] == '\r')
		ctlen--;
	blen = size - (size_t)(nl - data) - 1;

	if ((a = arena_new(4096)) == NULL)
		abort();
	/* exact-size copies: ASan sees a read past either end */
	if ((ctype = malloc(ctlen + 1)) == NULL ||
	    (body = malloc(blen ? blen : 1)) == NULL)
		abort();
	memcpy(ctype, data, ctlen);
	ctype[ctlen] = '\0';
	memcpy(body, nl + 1, blen);

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	rc1 = request_parse_multipart(a, ctype, body, blen, FUZZ_MAX_FIELDS, &l1);
	if ((int)rc1 < 0 || rc1 >= REQUEST__MAX || request_strerror(rc1) == NULL)
		abort();
	if (rc1 == REQUEST_OK)
		check_list(&l1, body, blen);

	rc2 = request_parse_multipart(a, ctype, body, blen, FUZZ_MAX_FIELDS, &l2);
	if (rc2 != rc1)
		abort();
	if (rc1 == REQUEST_OK) {
		if (l1.n != l2.n)
			abort();
		for (i = 0; i < l1.n; i++)
			if (strcmp(l1.items[i].name, l2.items[i].name) != 0 ||
			    l1.items[i].value_len != l2.items[i].value_len ||
			    l1.items[i].is_file != l2.items[i].is_file ||
			    memcmp(l1.items[i].value, l2.items[i].value,
			    l1.items[i].value_len) != 0)
				abort();
		/* the field cap is exact */
		if (l1.n > 0) {
			memset(&l2, 0, sizeof(l2));
			if (request_parse_multipart(a, ctype, body, blen,
			    l1.n - 1, &l2) != REQUEST_ETOOMANY)
				abort();
		}
	}

	free(body);
	free(ctype);
	arena_free(a);
	return 0;
}
