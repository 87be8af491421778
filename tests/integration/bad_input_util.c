/*
 * bad_input_util: placeholders and the row runner of the malformed-input
 * matrices (see bad_input_util.h).  The placeholders are a small table
 * of names and malloc'd values; bi_expand() copies a template, NULs and
 * all, with every {NAME} replaced.  bi_run_cases() times each request on
 * the monotonic clock and judges its answer with accounts_util's checks.
 */
#include "bad_input_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts_util.h"

#define BI_VARS_MAX	64
#define BI_NAME_MAX	16

static struct {
	char	 name[BI_NAME_MAX];
	char	*value;
} vars[BI_VARS_MAX];
static size_t	n_vars;

/* ---- placeholders ---- */

char *
bi_repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *s = malloc(ul * n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * n] = '\0';
	return s;
}

void
bi_set_var(const char *name, char *value)
{
	assert_non_null(value);
	assert_true(strlen(name) < BI_NAME_MAX);
	for (size_t i = 0; i < n_vars; i++)
		if (strcmp(vars[i].name, name) == 0) {
			free(vars[i].value);
			vars[i].value = value;
			return;
		}
	assert_true(n_vars < BI_VARS_MAX);
	snprintf(vars[n_vars].name, BI_NAME_MAX, "%s", name);
	vars[n_vars++].value = value;
}

const char *
bi_var(const char *name)
{
	for (size_t i = 0; i < n_vars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return vars[i].value;
	return NULL;
}

/* A body of exactly len bytes: prefix, then 'n' up to len - strlen(suffix), then suffix. */
static char *
sized(const char *prefix, const char *suffix, size_t len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *s = malloc(len + 1);

	assert_non_null(s);
	assert_true(len >= pl + sl);
	memcpy(s, prefix, pl);
	memset(s + pl, 'n', len - pl - sl);
	memcpy(s + len - sl, suffix, sl);
	s[len] = '\0';
	return s;
}

void
bi_vars_init(void)
{
	char *deep, *keys, *p, *l;
	size_t n = 5000;

	bi_set_var("S51", bi_repeat("a", 51));
	bi_set_var("U51", bi_repeat("\xc3\xa9", 51));
	bi_set_var("S4097", bi_repeat("p", 4097));
	bi_set_var("S10K", bi_repeat("n", 10000));
	bi_set_var("S100K", bi_repeat("p", 100 * 1024));
	bi_set_var("S1M", bi_repeat("n", MIB - 300));
	bi_set_var("S1MT", bi_repeat("n", MIB - 1024));
	bi_set_var("S2M", bi_repeat("x", 2 * MIB));
	bi_set_var("L65", bi_repeat("l", 65));
	bi_set_var("D64", bi_repeat("d", 64));
	/* four labels of 63 plus ".com": the address is over 254 characters */
	l = bi_repeat("d", 63);
	assert_true(asprintf(&p, "%s.%s.%s.%s.com", l, l, l, l) > 0);
	free(l);
	bi_set_var("LONGDOM", p);
	/* 5000 nested arrays */
	deep = malloc(2 * n + 1);
	assert_non_null(deep);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	bi_set_var("DEEP", deep);
	/* 10000 unknown keys */
	keys = malloc(10000 * 16 + 1);
	assert_non_null(keys);
	p = keys;
	for (int i = 0; i < 10000; i++)
		p += sprintf(p, "\"k%d\":%d,", i, i);
	*p = '\0';
	bi_set_var("KEYS", keys);
	/* whole bodies at MAX_REQUEST_BODY_BYTES and one byte beyond */
	bi_set_var("J1M", sized("{\"x\":\"", "\"}", MIB));
	bi_set_var("J1M1", sized("{\"x\":\"", "\"}", MIB + 1));
	bi_set_var("F1M", sized("x=", "", MIB));
	bi_set_var("F1M1", sized("x=", "", MIB + 1));
}

void
bi_vars_free(void)
{
	for (size_t i = 0; i < n_vars; i++) {
		free(vars[i].value);
		vars[i].value = NULL;
	}
	n_vars = 0;
}

char *
bi_expand(const char *body, size_t len, size_t *outlen)
{
	size_t cap = len + 64, n = 0;
	char *out = malloc(cap);
	char rnd[17];

	assert_non_null(out);
	assert_int_equal(harness_random_hex(rnd, 8), 0);
	bi_set_var("R", strdup(rnd));
	for (size_t i = 0; i < len;) {
		const char *val = NULL;
		size_t skip = 0;

		if (body[i] == '{') {
			for (size_t k = 0; k < n_vars; k++) {
				size_t nl = strlen(vars[k].name);

				if (i + nl + 1 < len && strncmp(body + i + 1, vars[k].name, nl) == 0 &&
				    body[i + 1 + nl] == '}') {
					val = vars[k].value;
					skip = nl + 2;
					break;
				}
			}
		}
		if (val != NULL) {
			size_t vl = strlen(val);

			if (n + vl + 1 > cap) {
				cap = (n + vl + 1) * 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			memcpy(out + n, val, vl);
			n += vl;
			i += skip;
		} else {
			if (n + 2 > cap) {
				cap *= 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			out[n++] = body[i++];
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* ---- the runner ---- */

/* Whether the template holds a value so big that refusing it must be quick. */
static int
is_huge(const char *body)
{
	static const char *const huge[] = {
		"{S100K}", "{S1M}", "{S1MT}", "{S2M}", "{S4097}",
		"{J1M}", "{J1M1}", "{F1M}", "{F1M1}",
	};

	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
		if (strstr(body, huge[i]) != NULL)
			return 1;
	return 0;
}

/* Checks the answer r to row c against what the row wants. */
static void
check_answer(const struct bcase *c, const struct http_resp *r)
{
	int line = c->line;

	if (c->status == -1)
		print_message("  note: line %d (contract: anything but a 5xx) -> %ld\n",
		    line, r->status);
	if (c->status == 0) {
		au_check_4xx(line, r);
		/* whatever the program answers, it answers JSON */
		if (r->status >= 400 && r->status < 500 && r->json == NULL &&
		    r->status != 400 && r->status != 413)
			au_bad(line, "a %ld without a JSON body: %.200s", r->status, r->body);
	} else if (c->status == 422) {
		au_check_422(line, r, c->type, c->loc);
		if (c->loc2 != NULL && r->status == 422 && !au_has_422(r, NULL, c->loc2))
			au_bad(line, "no 422 item at %s: %.300s", c->loc2, r->body);
	} else if (c->status == 400 && c->code != NULL) {
		au_check_code(line, r, c->code, c->reason);
	} else if (c->status == 401) {
		au_check_401(line, r, -1);
	} else if (c->status == 204) {
		if (r->status != 204)
			au_bad(line, "status %ld, want 204 (body %.300s)", r->status, r->body);
		else if (r->body_len != 0)
			au_bad(line, "a 204 with a body of %zu bytes", r->body_len);
	} else if (c->status == 202) {
		au_check_error(line, r, 202, NULL);
		if (r->status == 202 && strcmp(r->body, "null") != 0)
			au_bad(line, "202 with body %.200s, want null", r->body);
	} else if (c->status > 0) {
		au_check_error(line, r, c->status, c->detail);
	}
	if (c->error != NULL && r->status == c->status &&
	    (au_jstr(r->json, "error") == NULL || strcmp(au_jstr(r->json, "error"), c->error)))
		au_bad(line, "error \"%s\", want \"%s\" (body %.300s)",
		    au_jstr(r->json, "error") ? au_jstr(r->json, "error") : "(none)",
		    c->error, r->body);
}

void
bi_run_cases(const struct bi_ctx *ctx, const struct bcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct bcase *c = &cases[i];
		const char *method = "POST", *token;
		char path[96], *body, *bearer = NULL;
		struct http_resp r;
		size_t blen, tlen;
		int64_t t0, ms;
		int line = c->line;

		switch (c->tgt) {
		case REG: snprintf(path, sizeof(path), "/auth/register"); break;
		case LOGIN: snprintf(path, sizeof(path), "/auth/jwt/login"); break;
		case ME: case ME_ANON:
			method = "PATCH";
			snprintf(path, sizeof(path), "/users/me");
			break;
		case ID: case ID_PLAIN:
			method = "PATCH";
			snprintf(path, sizeof(path), "/users/%s", ctx->id);
			break;
		case FORGOT: snprintf(path, sizeof(path), "/auth/forgot-password"); break;
		case VERIFY_REQ: snprintf(path, sizeof(path), "/auth/request-verify-token"); break;
		case RESET: snprintf(path, sizeof(path), "/auth/reset-password"); break;
		case VERIFY: snprintf(path, sizeof(path), "/auth/verify"); break;
		case MCP: case MCP_ANON: snprintf(path, sizeof(path), "/auth/mcp-token"); break;
		case REFRESH: snprintf(path, sizeof(path), "/auth/jwt/refresh"); break;
		case LOGOUT: case LOGOUT_ANON: snprintf(path, sizeof(path), "/auth/jwt/logout"); break;
		case TARGET__MAX: fail_msg("line %d: no target", line);
		}
		token = ctx->token != NULL ? ctx->token(c->tgt, line) : NULL;
		if (c->bearer != NULL)
			token = bearer = bi_expand(c->bearer, strlen(c->bearer), &tlen);
		body = bi_expand(c->body, c->len, &blen);
		t0 = au_now_ms();
		if (au_send(ctx->h, method, path, token, c->ctype, NULL, body, blen, &r) != 0) {
			au_bad(line, "%s %s: no answer", method, path);
			free(body);
			free(bearer);
			continue;
		}
		ms = au_now_ms() - t0;
		/* A row that wants 503 says the server's own setup refuses. */
		if (c->status != 503)
			au_check_no_5xx(line, &r);
		/* The bounds stretch when the programs run under valgrind. */
		if (ms > harness_slow_ms(CASE_MAX_MS))
			au_bad(line, "the answer took %lld ms (over %d)", (long long)ms,
			    harness_slow_ms(CASE_MAX_MS));
		if (ms > harness_slow_ms(HUGE_MAX_MS) && r.status >= 400 &&
		    r.status != 400 && is_huge(c->body))
			au_bad(line, "refusing a huge value took %lld ms (over %d)",
			    (long long)ms, harness_slow_ms(HUGE_MAX_MS));
		check_answer(c, &r);
		if (ctx->after != NULL)
			ctx->after(c, &r, token);
		http_resp_free(&r);
		free(body);
		free(bearer);
	}
}
