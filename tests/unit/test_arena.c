/*
 * test_arena: the per-request bump allocator (src/common/arena.c).  Every
 * allocation is 16-byte aligned, requests larger than a chunk start a new
 * chunk, absurd sizes and overflowing products yield NULL instead of a short
 * buffer, and reset keeps the arena usable.  Run it under valgrind: a lost
 * chunk is a definite leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static int	failures;

/* Table cases report their own line and keep going, so one run shows them all. */
#define CHECK(line, cond) do {						\
	if (!(cond)) {							\
		print_error("%s:%d: check failed: %s\n", __FILE__,	\
		    (line), #cond);					\
		failures++;						\
	}								\
} while (0)
#define DONE()	do {							\
	int f_ = failures;						\
	failures = 0;							\
	assert_int_equal(f_, 0);					\
} while (0)

static int
aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static void
test_alloc_alignment(void **state)
{
	static const struct { int line; size_t n; } cases[] = {
		{ __LINE__, 0 }, { __LINE__, 1 }, { __LINE__, 3 }, { __LINE__, 15 },
		{ __LINE__, 16 }, { __LINE__, 17 }, { __LINE__, 31 },
		{ __LINE__, 100 }, { __LINE__, 1023 }, { __LINE__, 1024 },
		{ __LINE__, 1025 }, { __LINE__, 5000 }, { __LINE__, 70000 },
	};
	struct arena	*a;
	unsigned char	*p, *prev = NULL;
	size_t		 i, prev_n = 0;

	(void)state;
	assert_non_null(a = arena_new(0));	/* raised to the 1 KiB minimum */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = arena_alloc(a, cases[i].n);
		CHECK(cases[i].line, p != NULL);
		if (p == NULL)
			continue;
		CHECK(cases[i].line, aligned16(p));
		/* The whole block is writable (valgrind checks the bounds). */
		memset(p, 0xa5, cases[i].n);
		/* The previous block was not overwritten by this one. */
		if (prev != NULL && prev_n > 0)
			CHECK(cases[i].line, prev[prev_n - 1] == 0xa5);
		prev = p;
		prev_n = cases[i].n;
	}
	CHECK(__LINE__, arena_used(a) >= 70000 + 5000 + 1025);
	arena_free(a);
	DONE();
}

static void
test_alloc_many_chunks(void **state)
{
	struct arena	*a;
	uint32_t	*blocks[4000];
	size_t		 i, k;

	(void)state;
	assert_non_null(a = arena_new(1024));
	/* 4000 × 100 bytes spans many chunks; each block keeps its contents. */
	for (i = 0; i < 4000; i++) {
		blocks[i] = arena_alloc(a, 100);
		CHECK(__LINE__, blocks[i] != NULL && aligned16(blocks[i]));
		if (blocks[i] == NULL)
			break;
		for (k = 0; k < 25; k++)
			blocks[i][k] = (uint32_t)(i * 31 + k);
	}
	for (i = 0; i < 4000 && blocks[i] != NULL; i++)
		for (k = 0; k < 25; k++)
			if (blocks[i][k] != (uint32_t)(i * 31 + k)) {
				CHECK(__LINE__, blocks[i][k] == (uint32_t)(i * 31 + k));
				i = 4000;
				break;
			}
	CHECK(__LINE__, arena_used(a) >= 4000 * 100);
	arena_free(a);
	DONE();
}

static void
test_alloc_absurd(void **state)
{
	static const struct { int line; size_t n; } cases[] = {
		{ __LINE__, SIZE_MAX },
		{ __LINE__, SIZE_MAX - 15 },	/* would wrap when rounded up */
		{ __LINE__, SIZE_MAX / 2 },
		{ __LINE__, ((size_t)1 << 30) + 1 },
		{ __LINE__, (size_t)1 << 40 },
	};
	struct arena	*a;
	size_t		 i, used;

	(void)state;
	assert_non_null(a = arena_new(4096));
	used = arena_used(a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(cases[i].line, arena_alloc(a, cases[i].n) == NULL);
		CHECK(cases[i].line, arena_calloc(a, 1, cases[i].n) == NULL);
	}
	CHECK(__LINE__, arena_strndup(a, "abc", SIZE_MAX) == NULL);
	/* A failed allocation costs nothing and the arena still works. */
	CHECK(__LINE__, arena_used(a) == used);
	CHECK(__LINE__, arena_alloc(a, 10) != NULL);
	arena_free(a);
	/* An absurd first chunk: no arena rather than a tiny one. */
	CHECK(__LINE__, arena_new(SIZE_MAX) == NULL);
	CHECK(__LINE__, arena_new(((size_t)1 << 30) + 1) == NULL);
	DONE();
}

static void
test_zeroed_calloc(void **state)
{
	static const struct { int line; size_t nmemb, size; int ok; } cases[] = {
		{ __LINE__, 10, 10, 1 },
		{ __LINE__, 0, 10, 1 },
		{ __LINE__, 10, 0, 1 },
		{ __LINE__, SIZE_MAX, 2, 0 },		/* product overflows */
		{ __LINE__, 2, SIZE_MAX, 0 },
		{ __LINE__, SIZE_MAX / 2 + 1, 2, 0 },	/* wraps to exactly 0 */
		{ __LINE__, (size_t)1 << 32, (size_t)1 << 32, 0 },	/* wraps to 0 */
		{ __LINE__, (size_t)1 << 20, (size_t)1 << 20, 0 },	/* 1 TiB, no wrap */
		{ __LINE__, ((size_t)1 << 30) / 8 + 1, 8, 0 },		/* just over the cap */
	};
	struct arena	*a;
	unsigned char	*p;
	size_t		 i, k, n;

	(void)state;
	assert_non_null(a = arena_new(1024));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Dirty the arena first so zeroing is observable. */
		memset(arena_alloc(a, 256), 0xff, 256);
		arena_reset(a);
		p = arena_calloc(a, cases[i].nmemb, cases[i].size);
		CHECK(cases[i].line, (p != NULL) == cases[i].ok);
		if (p == NULL || !cases[i].ok)
			continue;
		CHECK(cases[i].line, aligned16(p));
		n = cases[i].nmemb * cases[i].size;
		for (k = 0; k < n; k++)
			if (p[k] != 0)
				break;
		CHECK(cases[i].line, k == n);
	}
	arena_free(a);
	DONE();
}

static void
test_strndup_strdup(void **state)
{
	static const struct {
		int line; const char *s; size_t n; const char *want; size_t wlen;
	} cases[] = {
		{ __LINE__, "hello", 5, "hello", 5 },
		{ __LINE__, "hello", 3, "hel", 3 },
		{ __LINE__, "hello", 0, "", 0 },
		{ __LINE__, "", 0, "", 0 },
		/* Embedded NUL: n bytes are copied whatever they hold. */
		{ __LINE__, "a\0b", 3, "a\0b", 3 },
	};
	struct arena	*a;
	char		*p, big[3000];
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(1024));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = arena_strndup(a, cases[i].s, cases[i].n);
		CHECK(cases[i].line, p != NULL);
		if (p == NULL)
			continue;
		CHECK(cases[i].line, memcmp(p, cases[i].want, cases[i].wlen) == 0);
		CHECK(cases[i].line, p[cases[i].n] == '\0');
	}
	/* n == 0 with a NULL source is allowed (nothing is read). */
	p = arena_strndup(a, NULL, 0);
	CHECK(__LINE__, p != NULL && p[0] == '\0');
	/* Larger than a chunk. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = arena_strdup(a, big);
	CHECK(__LINE__, p != NULL && strlen(p) == sizeof(big) - 1 && p != big);
	p = arena_strdup(a, "");
	CHECK(__LINE__, p != NULL && *p == '\0');
	arena_free(a);
	DONE();
}

static char *
vp(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
vp(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

static void
test_cat(void **state)
{
	struct arena	*a;
	char		*p, *q, big[5000];

	(void)state;
	assert_non_null(a = arena_new(64));
	assert_non_null(p = arena_cat(a, "{\"a\":1}", 6, ",\"b\":2}"));
	assert_string_equal(p, "{\"a\":1,\"b\":2}");
	/* Nothing of s, or nothing of t. */
	assert_non_null(p = arena_cat(a, "ignored", 0, "t"));
	assert_string_equal(p, "t");
	assert_non_null(p = arena_cat(a, "s!", 1, ""));
	assert_string_equal(p, "s");
	/* s need not end at n: only n bytes are read. */
	assert_non_null(p = arena_cat(a, "abc", 2, "Z"));
	assert_string_equal(p, "abZ");
	/* Past the first chunk, and earlier strings stay. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_non_null(q = arena_cat(a, big, sizeof(big) - 1, big));
	assert_int_equal(strlen(q), 2 * (sizeof(big) - 1));
	assert_string_equal(p, "abZ");
	/* An absurd length is refused, not wrapped. */
	assert_null(arena_cat(a, "x", SIZE_MAX - 2, "yz"));
	arena_free(a);
}

static void
test_printf(void **state)
{
	struct arena	*a;
	char		*p;
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(1024));
	p = arena_printf(a, "%s=%d", "x", 42);
	CHECK(__LINE__, p != NULL && strcmp(p, "x=42") == 0);
	p = arena_printf(a, "%s", "");
	CHECK(__LINE__, p != NULL && *p == '\0');
	p = vp(a, "%05.1f|%-3s|%zu", 3.14159, "ab", (size_t)7);
	CHECK(__LINE__, p != NULL && strcmp(p, "003.1|ab |7") == 0);
	/* Output larger than the first chunk. */
	p = arena_printf(a, "%5000d|", 1);
	CHECK(__LINE__, p != NULL && strlen(p) == 5001 && p[4999] == '1' &&
	    p[5000] == '|');
	/* Many small ones: each string stays intact. */
	for (i = 0; i < 500; i++) {
		p = arena_printf(a, "item-%zu", i);
		CHECK(__LINE__, p != NULL && strncmp(p, "item-", 5) == 0);
	}
	arena_free(a);
	DONE();
}

static void
test_reset(void **state)
{
	struct arena	*a;
	char		*p;
	int		 round;
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_new(2048));
	for (round = 0; round < 5; round++) {
		/* Spill over into several chunks, then reset: the extra chunks
		 * are freed (valgrind would see them leak otherwise). */
		for (i = 0; i < 50; i++)
			CHECK(__LINE__, arena_alloc(a, 700) != NULL);
		CHECK(__LINE__, arena_alloc(a, 100000) != NULL);
		CHECK(__LINE__, arena_used(a) >= 50 * 700 + 100000);
		arena_reset(a);
		CHECK(__LINE__, arena_used(a) == 0);
		p = arena_strdup(a, "after reset");
		CHECK(__LINE__, p != NULL && strcmp(p, "after reset") == 0);
		CHECK(__LINE__, p != NULL && aligned16(p));
		arena_reset(a);
	}
	arena_reset(NULL);
	arena_free(a);
	DONE();
}

static void
test_free_null(void **state)
{
	(void)state;
	arena_free(NULL);
	arena_reset(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_alignment),
		cmocka_unit_test(test_alloc_many_chunks),
		cmocka_unit_test(test_alloc_absurd),
		cmocka_unit_test(test_zeroed_calloc),
		cmocka_unit_test(test_strndup_strdup),
		cmocka_unit_test(test_cat),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
