/*
 * case_util: checks that report the line of a table case and keep going,
 * for the integration tests; header-only, so a test program that does not
 * link accounts_util.c (whose au_bad, au_begin, au_end, au_matches and
 * au_is_json are these) can use them.  case_bad() prints "case at line N:
 * why" and counts it; case_end() fails the cmocka test when any check
 * failed since case_begin().  Each file that includes it has its own count.
 */
#ifndef FCGI_USERS_CASE_UTIL_H
#define FCGI_USERS_CASE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <strings.h>

#include "harness.h"

/* Failed checks since case_begin(). */
static int	case_failures __attribute__((unused));

static inline void
case_vbad(int line, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	print_error("  case at line %d: %s\n", line, msg);
	case_failures++;
}

static inline void case_bad(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void
case_bad(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	case_vbad(line, fmt, ap);
	va_end(ap);
}

static inline void
case_begin(void)
{
	case_failures = 0;
}

/* Fails the current cmocka test when a check failed since case_begin(). */
static inline void
case_end(void)
{
	if (case_failures != 0)
		fail_msg("%d check(s) failed, see above", case_failures);
}

/* Whether s (NULL: no) matches the extended regular expression re. */
static inline int
case_matches(const char *re, const char *s)
{
	regex_t rx;
	int ok;

	if (s == NULL || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* Whether the answer's Content-Type is application/json (any parameters). */
static inline int
case_is_json(const struct http_resp *r)
{
	const char *ct = http_resp_header(r, "Content-Type");

	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0;
}

#endif
