/*
 * fuzz_form: request_parse_urlencoded on an application/x-www-form-urlencoded
 * body (the login form: username=…&password=…&grant_type=password).  Besides
 * the shape of the list (bounded, NUL-free values of the right length, '+'
 * decoded), it checks the field cap exactly: a body that parses into n
 * fields parses the same with max_fields = n and fails with REQUEST_ETOOMANY
 * with n - 1; and appending to a non-empty list keeps what was there.
 * Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "request.h"

/* kvlist_get is linear: check it on this many fields at each end only */
#define FUZZ_LOOKUPS	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_rc(enum request_err rc)
{
	if ((int)rc < 0 || rc >= REQUEST__MAX || request_strerror(rc) == NULL)
		abort();
}

static void
check_list(const struct kvlist *l, size_t size, size_t max_fields)
{
	const struct kv	*kv;
	size_t		 i, total = 0;

	if (l->n > max_fields || l->n > l->cap || (l->n > 0 && l->items == NULL))
		abort();
	for (i = 0; i < l->n; i++) {
		kv = &l->items[i];
		if (kv->name == NULL || kv->value == NULL || kv->is_file)
			abort();
		if (strlen(kv->value) != kv->value_len || kv->value_len > size ||
		    strlen(kv->name) > size)
			abort();
		total += strlen(kv->name) + kv->value_len;
		if ((i < FUZZ_LOOKUPS || l->n - i <= FUZZ_LOOKUPS) &&
		    kvlist_get(l, kv->name) == NULL)
			abort();
	}
	if (total > size)
		abort();
}

/* Whether two lists hold the same fields, from index `from` of `b`. */
static int
same_fields(const struct kvlist *a, const struct kvlist *b, size_t from)
{
	size_t	 i;

	if (b->n - from != a->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i].name, b->items[from + i].name) != 0 ||
		    a->items[i].value_len != b->items[from + i].value_len ||
		    memcmp(a->items[i].value, b->items[from + i].value,
		    a->items[i].value_len) != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	struct kvlist	 full, capped, app;
	enum request_err rc;
	const char	*buf = (const char *)data;
	size_t		 n, i;

	if ((a = arena_new(4096)) == NULL)
		abort();
	memset(&full, 0, sizeof(full));
	rc = request_parse_urlencoded(a, buf, size, REQUEST_MAX_FIELDS, &full);
	check_rc(rc);
	if (rc != REQUEST_OK)
		goto out;
	check_list(&full, size, REQUEST_MAX_FIELDS);
	n = full.n;

	/* '+' means space: without %2B no '+' is left */
	if (memchr(data, '%', size) == NULL)
		for (i = 0; i < n; i++)
			if (strchr(full.items[i].name, '+') != NULL ||
			    strchr(full.items[i].value, '+') != NULL)
				abort();

	/* the cap is exact */
	memset(&capped, 0, sizeof(capped));
	rc = request_parse_urlencoded(a, buf, size, n, &capped);
	if (rc != REQUEST_OK || !same_fields(&full, &capped, 0))
		abort();
	if (n > 0) {
		memset(&capped, 0, sizeof(capped));
		rc = request_parse_urlencoded(a, buf, size, n - 1, &capped);
		if (rc != REQUEST_ETOOMANY)
			abort();
	}

	/* appending keeps the fields already in the list */
	if (n > 0 && 2 * n <= REQUEST_MAX_FIELDS) {
		memset(&app, 0, sizeof(app));
		if (request_parse_urlencoded(a, buf, size, REQUEST_MAX_FIELDS,
		    &app) != REQUEST_OK)
			abort();
		rc = request_parse_urlencoded(a, buf, size, REQUEST_MAX_FIELDS,
		    &app);
		if (rc != REQUEST_OK || app.n != 2 * n ||
		    !same_fields(&full, &app, n))
			abort();
		app.n = n;
		if (!same_fields(&full, &app, 0))
			abort();
	}
out:
	arena_free(a);
	return 0;
}
