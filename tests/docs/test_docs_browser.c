/*
 * test_docs_browser: Swagger UI at /docs in headless Chromium (Debian's
 * chromium package, driven by puppeteer-core through docs_browser.mjs),
 * from the dev-like server the harness starts (lighttpd/dev.conf).  Run
 * through run-node.sh, which installs the npm tools and names them.
 *
 * The page renders every operation of openapi.json, no more and no less,
 * without a console error, a failed request or a Content-Security-Policy
 * violation; the full-page screenshot is a real PNG of a real page.  The
 * "Authorize" dialog's OAuth2 password form, sent to POST /auth/jwt/login:
 * a wrong password leaves Swagger UI without a token (the login answered
 * 400) and "Try it out" on GET /users/me then gets 401; the right one
 * gives a token and GET /users/me answers 200 with the user.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts_util.h"
#include "harness.h"
#include "interop_util.h"

#define REPORT_MAX	(1u << 20)
#define PNG_MAX		(64u * 1024 * 1024)
/* A 1280-pixel-wide page listing 30 operations and the schemas: anything
 * much smaller is a blank or an error page. */
#define PNG_MIN_BYTES	(50 * 1024)
#define PNG_MIN_WIDTH	1000
#define PNG_MIN_HEIGHT	1500

static struct harness	*H;
static struct au_user	 U;
static struct json_object *REPORT;	/* docs_browser.mjs's */
static char		 SHOT_DIR[PATH_MAX];

/* ---- the report ---- */

static struct json_object *
rget(const char *a, const char *b)
{
	struct json_object	*o = iu_jget(REPORT, a);

	return b != NULL ? iu_jget(o, b) : o;
}

static int
rbool(const char *a, const char *b)
{
	struct json_object	*v = rget(a, b);

	return v != NULL && json_object_is_type(v, json_type_boolean) ?
	    json_object_get_boolean(v) : -1;
}

static long
rnum(const char *a, const char *b)
{
	struct json_object	*v = rget(a, b);

	return v != NULL && json_object_is_type(v, json_type_int) ?
	    (long)json_object_get_int64(v) : -1;
}

/* ---- the operations ---- */

/* "METHOD path" of every operation of the built openapi.json, in *out. */
static size_t
spec_operations(char ***out)
{
	static const char *const methods[] = {
		"get", "put", "post", "delete", "options", "head", "patch", "trace", NULL
	};
	struct json_object	*doc, *paths;
	char			*text, **ops = NULL, up[16];
	size_t			 n = 0, i, k;

	text = iu_read_file(FU_BINARY_DIR "/openapi.json", 8u << 20);
	assert_non_null(text);
	assert_non_null(doc = json_tokener_parse(text));
	free(text);
	assert_true(json_object_object_get_ex(doc, "paths", &paths));
	json_object_object_foreach(paths, path, item) {
		for (i = 0; methods[i] != NULL; i++) {
			if (!json_object_object_get_ex(item, methods[i], NULL))
				continue;
			for (k = 0; methods[i][k] != '\0' && k + 1 < sizeof(up); k++)
				up[k] = (char)(methods[i][k] - 'a' + 'A');
			up[k] = '\0';
			ops = realloc(ops, (n + 1) * sizeof(*ops));
			assert_non_null(ops);
			assert_true(asprintf(&ops[n], "%s %s", up, path) > 0);
			n++;
		}
	}
	json_object_put(doc);
	*out = ops;
	return n;
}

static int
listed(char **ops, size_t n, const char *op)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(ops[i], op) == 0)
			return 1;
	return 0;
}

static void
test_operations_listed(void **state)
{
	struct json_object	*rendered = rget("operations", NULL), *e;
	char			**want = NULL, **seen = NULL, op[512];
	size_t			 nwant, nseen = 0, i;

	(void)state;
	au_begin();
	if (rnum("page", "status") != 200)
		au_bad(__LINE__, "GET /docs: %ld", rnum("page", "status"));
	if (iu_jstr(rget("page", NULL), "title") == NULL ||
	    strstr(iu_jstr(rget("page", NULL), "title"), "fcgi-users") == NULL)
		au_bad(__LINE__, "title: %s", iu_jtext(rget("page", "title")));
	nwant = spec_operations(&want);
	if (nwant < 20)
		au_bad(__LINE__, "openapi.json holds only %zu operations", nwant);
	if (rendered == NULL || !json_object_is_type(rendered, json_type_array))
		au_bad(__LINE__, "no operations rendered: %s", iu_jtext(REPORT));
	/* An operation with two tags is drawn twice: compare the sets. */
	for (i = 0; rendered != NULL && i < json_object_array_length(rendered); i++) {
		e = json_object_array_get_idx(rendered, i);
		snprintf(op, sizeof(op), "%s %s", iu_jstr(e, "method") != NULL ?
		    iu_jstr(e, "method") : "?", iu_jstr(e, "path") != NULL ?
		    iu_jstr(e, "path") : "?");
		for (char *p = op; *p != ' '; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (!listed(want, nwant, op))
			au_bad(__LINE__, "rendered %s, which openapi.json does not hold", op);
		if (listed(seen, nseen, op))
			continue;
		seen = realloc(seen, (nseen + 1) * sizeof(*seen));
		assert_non_null(seen);
		seen[nseen++] = strdup(op);
	}
	for (i = 0; i < nwant; i++)
		if (!listed(seen, nseen, want[i]))
			au_bad(__LINE__, "%s is not on the page", want[i]);
	printf("rendered %zu operations of %zu\n", nseen, nwant);
	for (i = 0; i < nwant; i++)
		free(want[i]);
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(want);
	free(seen);
	au_end();
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
test_screenshot(void **state)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const char	*path = iu_jstr(REPORT, "screenshot");
	FILE		*f;
	unsigned char	*png;
	size_t		 n = 0;
	uint32_t	 w = 0, h = 0;

	(void)state;
	au_begin();
	assert_non_null(path);
	assert_non_null(png = malloc(PNG_MAX));
	if ((f = fopen(path, "rb")) != NULL) {
		n = fread(png, 1, PNG_MAX, f);
		fclose(f);
	}
	/* The signature, then the IHDR chunk: width and height. */
	if (n < 33 || memcmp(png, sig, 8) != 0 || memcmp(png + 12, "IHDR", 4) != 0)
		au_bad(__LINE__, "%s is not a PNG (%zu bytes)", path, n);
	else {
		w = be32(png + 16);
		h = be32(png + 20);
		if (n < PNG_MIN_BYTES || w < PNG_MIN_WIDTH || h < PNG_MIN_HEIGHT)
			au_bad(__LINE__, "%s: %zu bytes, %ux%u: too small for the page",
			    path, n, w, h);
	}
	printf("screenshot %s: %zu bytes, %ux%u\n", path, n, w, h);
	free(png);
	au_end();
}

/* Nothing went wrong in the page but the two refusals the test provokes. */
static void
test_no_errors(void **state)
{
	struct json_object	*errs = rget("errors", NULL);
	const char		*e;
	size_t			 i, refusals = 0;

	(void)state;
	au_begin();
	assert_non_null(errs);
	for (i = 0; i < json_object_array_length(errs); i++) {
		e = json_object_get_string(json_object_array_get_idx(errs, i));
		/* Chromium logs each 4xx answer: the wrong password's 400 and
		 * the anonymous 401. */
		if (strncmp(e, "console: Failed to load resource: the server "
		    "responded with a status of 40", 60) == 0 && refusals++ < 2)
			continue;
		au_bad(__LINE__, "%s", e);
	}
	au_end();
}

static void
test_authorize(void **state)
{
	const char	*body;

	(void)state;
	au_begin();
	/* A wrong password: the login refuses, Swagger UI holds no token. */
	if (rnum("badLogin", "loginStatus") != 400 || rbool("badLogin", "authorized") != 0 ||
	    iu_jstr(rget("badLogin", NULL), "error") == NULL)
		au_bad(__LINE__, "wrong password: %s", iu_jtext(rget("badLogin", NULL)));
	if (rnum("meAnonymous", "status") != 401 ||
	    (body = iu_jstr(rget("meAnonymous", NULL), "body")) == NULL ||
	    strstr(body, "Unauthorized") == NULL)
		au_bad(__LINE__, "GET /users/me without a token: %s",
		    iu_jtext(rget("meAnonymous", NULL)));
	/* The right one: a token, and the user behind it. */
	if (rnum("goodLogin", "loginStatus") != 200 || rbool("goodLogin", "authorized") != 1)
		au_bad(__LINE__, "right password: %s", iu_jtext(rget("goodLogin", NULL)));
	if (rnum("me", "status") != 200 ||
	    (body = iu_jstr(rget("me", NULL), "body")) == NULL ||
	    strstr(body, U.email) == NULL || strstr(body, U.id) == NULL)
		au_bad(__LINE__, "GET /users/me with the token: %s", iu_jtext(rget("me", NULL)));
	au_end();
}

/* ---- group ---- */

static int
group_setup(void **state)
{
	struct harness_opts	 o = { .procs = 2 };
	const char		*argv[8];
	char			*out = NULL;
	int			 rc;

	(void)state;
	iu_peer = "chromium";
	if (FU_DOCS_UI_DIR[0] == '\0') {
		fprintf(stderr, "SKIP: this build has no Swagger UI (swagger-ui-dist "
		    "was missing when cmake ran)\n");
		exit(77);
	}
	if ((H = harness_start(&o)) == NULL || au_new_user(H, "docs", &U) != 0)
		return -1;
	if (iu_tmpdir() == NULL)
		return -1;
	snprintf(SHOT_DIR, sizeof(SHOT_DIR), "%s", iu_tmpdir());
	argv[0] = iu_need_env("FU_DOCS_NODE");
	argv[1] = iu_need_env("FU_DOCS_BROWSER_SCRIPT");
	argv[2] = harness_url(H);
	argv[3] = U.email;
	argv[4] = U.password;
	argv[5] = SHOT_DIR;
	argv[6] = iu_need_env("FU_DOCS_CHROMIUM");
	argv[7] = NULL;
	rc = iu_run(argv, &out);
	if (rc != 0 || out == NULL || (REPORT = json_tokener_parse(out)) == NULL) {
		fprintf(stderr, "docs_browser.mjs: exit %d, report %.2000s\n", rc,
		    out != NULL ? out : "(none)");
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

static int
group_teardown(void **state)
{
	int	 rc = harness_finish(&H);

	(void)state;
	json_object_put(REPORT);
	iu_tmpdir_remove();
	return rc;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operations_listed),
		cmocka_unit_test(test_screenshot),
		cmocka_unit_test(test_no_errors),
		cmocka_unit_test(test_authorize),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
