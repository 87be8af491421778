/*
 * test_docs_settings: docs/settings.md against the settings table of
 * src/common/config.c (config_setting_at).  Every setting has one row
 * "| `NAME` | default | …" in the reference; every such row is a setting;
 * the default column shows the table's default (`60`, "empty" for "",
 * "unset" or "required" when there is none).  The checker also runs on
 * doctored copies of the page — a row removed, a row for a setting that
 * does not exist, a wrong default, a row twice, no table at all — each of
 * which must be reported, naming the setting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define DOC		FU_SOURCE_DIR "/docs/settings.md"
#define DOC_MAX		(256 * 1024)
#define PROBLEMS_MAX	64
#define NAME_MAX_LEN	64

struct problems {
	size_t	 n;
	char	 text[PROBLEMS_MAX][200];
};

static void
problem(struct problems *p, const char *fmt, const char *name)
{
	if (p->n < PROBLEMS_MAX)
		snprintf(p->text[p->n++], sizeof(p->text[0]), fmt, name);
}

/* The row of `name` ("| `NAME` |" at a line's start), or NULL; *count rows. */
static const char *
find_row(const char *doc, const char *name, int *count)
{
	char		 key[NAME_MAX_LEN + 8];
	const char	*p = doc, *row = NULL;

	snprintf(key, sizeof(key), "| `%s` |", name);
	*count = 0;
	while ((p = strstr(p, key)) != NULL) {
		if (p == doc || p[-1] == '\n') {
			if (row == NULL)
				row = p;
			(*count)++;
		}
		p += strlen(key);
	}
	return row;
}

/* The default column of a row (after the name's cell), into buf. */
static void
default_cell(const char *row, char *buf, size_t len)
{
	const char	*a = strchr(row + 1, '|'), *b;
	size_t		 n;

	buf[0] = '\0';
	if (a == NULL || (b = strchr(a + 1, '|')) == NULL)
		return;
	n = (size_t)(b - a - 1);
	if (n >= len)
		n = len - 1;
	memcpy(buf, a + 1, n);
	buf[n] = '\0';
}

static int
known(const char *name)
{
	const char	*n, *d;
	size_t		 i;

	for (i = 0; config_setting_at(i, &n, &d) == 0; i++)
		if (strcmp(n, name) == 0)
			return 1;
	return 0;
}

/* What is wrong with `doc`, into p. */
static void
check_doc(const char *doc, struct problems *p)
{
	const char	*name, *def, *row, *q, *e;
	char		 cell[512], want[NAME_MAX_LEN * 4], rowname[NAME_MAX_LEN + 1];
	size_t		 i, n;
	int		 count;

	memset(p, 0, sizeof(*p));
	for (i = 0; config_setting_at(i, &name, &def) == 0; i++) {
		if ((row = find_row(doc, name, &count)) == NULL) {
			problem(p, "%s has no row in docs/settings.md", name);
			continue;
		}
		if (count > 1)
			problem(p, "%s has more than one row", name);
		default_cell(row, cell, sizeof(cell));
		if (def == NULL) {
			if (strstr(cell, "unset") == NULL && strstr(cell, "required") == NULL)
				problem(p, "%s: the default column should say unset or required", name);
		} else if (*def == '\0') {
			if (strstr(cell, "empty") == NULL)
				problem(p, "%s: the default column should say empty", name);
		} else {
			snprintf(want, sizeof(want), "`%s`", def);
			if (strstr(cell, want) == NULL)
				problem(p, "%s: the default column does not show the default", name);
		}
	}
	/* The other way round: every row names a setting. */
	for (q = doc; (q = strstr(q, "\n| `")) != NULL; q = e) {
		q += 4;
		e = q + strcspn(q, "`\n");
		n = (size_t)(e - q);
		if (*e != '`' || n == 0 || n > NAME_MAX_LEN)
			continue;
		memcpy(rowname, q, n);
		rowname[n] = '\0';
		if (!known(rowname))
			problem(p, "docs/settings.md has a row for %s, which is no setting",
			    rowname);
	}
}

static char *
read_doc(void)
{
	FILE	*f = fopen(DOC, "r");
	char	*buf;
	size_t	 n;

	assert_non_null(f);
	assert_non_null(buf = malloc(DOC_MAX + 1));
	n = fread(buf, 1, DOC_MAX, f);
	fclose(f);
	assert_true(n > 0 && n < DOC_MAX);
	buf[n] = '\0';
	return buf;
}

/* doc with `from` (its first occurrence) replaced by `to`; caller frees. */
static char *
edit(const char *doc, const char *from, const char *to)
{
	const char	*p = strstr(doc, from);
	char		*out;
	size_t		 a;

	assert_non_null(p);
	a = (size_t)(p - doc);
	assert_non_null(out = malloc(strlen(doc) + strlen(to) + 1));
	memcpy(out, doc, a);
	strcpy(out + a, to);
	strcat(out, p + strlen(from));
	return out;
}

/* The row of `name`, whole, with its newline; caller frees. */
static char *
row_of(const char *doc, const char *name)
{
	int		 count;
	const char	*r = find_row(doc, name, &count);
	size_t		 n;

	assert_non_null(r);
	n = strcspn(r, "\n") + 1;
	return strndup(r, n);
}

static int
has_problem(const struct problems *p, const char *needle)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (strstr(p->text[i], needle) != NULL)
			return 1;
	return 0;
}

static void
test_reference_is_complete(void **state)
{
	struct problems	 p;
	char		*doc = read_doc();
	const char	*name, *def;
	size_t		 i, n = 0;

	(void)state;
	for (i = 0; config_setting_at(i, &name, &def) == 0; i++)
		n++;
	assert_true(n > 50);
	check_doc(doc, &p);
	for (i = 0; i < p.n; i++)
		fprintf(stderr, "%s\n", p.text[i]);
	assert_int_equal(p.n, 0);
	printf("docs/settings.md: %zu settings, all documented\n", n);
	free(doc);
}

static void
test_missing_row_is_reported(void **state)
{
	static const char *const names[] = { "JWT_SECRET", "DOCS_ENABLED",
	    "GAZETTEER_PATH", "MCP_SESSION_IDLE_MINUTES", NULL };
	struct problems	 p;
	char		*doc = read_doc(), *row, *cut;
	size_t		 i;

	(void)state;
	for (i = 0; names[i] != NULL; i++) {
		row = row_of(doc, names[i]);
		cut = edit(doc, row, "");
		check_doc(cut, &p);
		assert_int_equal(p.n, 1);
		assert_true(has_problem(&p, names[i]));
		assert_true(has_problem(&p, "has no row"));
		free(cut);
		free(row);
	}
	free(doc);
}

static void
test_unknown_row_is_reported(void **state)
{
	struct problems	 p;
	char		*doc = read_doc(), *more;

	(void)state;
	more = edit(doc, "| `JWT_SECRET` |", "| `CRAWL4AI_BASE_URL` | unset | | gone |\n"
	    "| `JWT_SECRET` |");
	check_doc(more, &p);
	assert_int_equal(p.n, 1);
	assert_true(has_problem(&p, "CRAWL4AI_BASE_URL, which is no setting"));
	free(more);
	free(doc);
}

static void
test_wrong_default_is_reported(void **state)
{
	static const struct {
		const char	*from, *to, *name;
	} cases[] = {
		{ "| `JWT_EXPIRE_MINUTES` | `60` |", "| `JWT_EXPIRE_MINUTES` | `30` |",
		    "JWT_EXPIRE_MINUTES" },
		{ "| `JWT_ALGORITHM` | `HS256` |", "| `JWT_ALGORITHM` | HS256 |",
		    "JWT_ALGORITHM" },
		{ "| `BASE_PATH` | empty |", "| `BASE_PATH` | `/` |", "BASE_PATH" },
		{ "| `DOCS_ENABLED` | unset |", "| `DOCS_ENABLED` | `true` |",
		    "DOCS_ENABLED" },
		{ "| `GEOCODING_RATE_LIMIT_ADMIN` | `unlimited` |",
		    "| `GEOCODING_RATE_LIMIT_ADMIN` | `10/minute` |",
		    "GEOCODING_RATE_LIMIT_ADMIN" },
	};
	struct problems	 p;
	char		*doc = read_doc(), *bad;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = edit(doc, cases[i].from, cases[i].to);
		check_doc(bad, &p);
		assert_int_equal(p.n, 1);
		assert_true(has_problem(&p, cases[i].name));
		free(bad);
	}
	free(doc);
}

static void
test_duplicate_row_is_reported(void **state)
{
	struct problems	 p;
	char		*doc = read_doc(), *row, *twice, *both;

	(void)state;
	row = row_of(doc, "LOG_LEVEL");
	assert_non_null(twice = malloc(2 * strlen(row) + 1));
	strcpy(twice, row);
	strcat(twice, row);
	both = edit(doc, row, twice);
	check_doc(both, &p);
	assert_int_equal(p.n, 1);
	assert_true(has_problem(&p, "LOG_LEVEL has more than one row"));
	free(both);
	free(twice);
	free(row);
	free(doc);
}

static void
test_no_table_is_reported(void **state)
{
	struct problems	 p;
	const char	*name, *def;
	size_t		 n = 0;

	(void)state;
	while (config_setting_at(n, &name, &def) == 0)
		n++;
	check_doc("# Settings\n\nSee config.c.\n", &p);
	assert_int_equal(p.n, n < PROBLEMS_MAX ? n : PROBLEMS_MAX);
	/* A setting named only in prose is not documented either. */
	check_doc("Set `JWT_SECRET` to 32 characters.\n", &p);
	assert_true(has_problem(&p, "JWT_SECRET has no row"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_is_complete),
		cmocka_unit_test(test_missing_row_is_reported),
		cmocka_unit_test(test_unknown_row_is_reported),
		cmocka_unit_test(test_wrong_default_is_reported),
		cmocka_unit_test(test_duplicate_row_is_reported),
		cmocka_unit_test(test_no_table_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
