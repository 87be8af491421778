/*
 * test_valgrind_log: the verdict FU_VALGRIND's harness gives a memcheck
 * log (valgrind_log.c), on logs as valgrind 3.19 writes them: clean
 * (freed, or stopped by SIGTERM holding reachable and "possibly lost"
 * memory), suppressed errors only; and the ones that must fail the test:
 * errors, a definite leak (with or without --errors-for-leak-kinds), big
 * numbers with thousands separators, a second process's dirty summary in
 * the same file, a log cut before its summary (SIGKILL), an empty log;
 * one table, each sample with the verdict and the counts it must give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "valgrind_log.h"

#define PRE \
	"==4242== Memcheck, a memory error detector\n" \
	"==4242== Copyright (C) 2002-2022, and GNU GPL'd, by Julian Seward et al.\n" \
	"==4242== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info\n" \
	"==4242== Command: /build/cgi-bin/users.fcgi\n" \
	"==4242== Parent PID: 4200\n" \
	"==4242== \n"

#define LEAKS(def, defb, poss, reach) \
	"==4242== LEAK SUMMARY:\n" \
	"==4242==    definitely lost: " def " bytes in " defb " blocks\n" \
	"==4242==    indirectly lost: 0 bytes in 0 blocks\n" \
	"==4242==      possibly lost: " poss " bytes in 1 blocks\n" \
	"==4242==    still reachable: " reach " bytes in 9 blocks\n" \
	"==4242==         suppressed: 0 bytes in 0 blocks\n"

#define ESUM(n, supp) \
	"==4242== ERROR SUMMARY: " n " errors from " n " contexts " \
	"(suppressed: " supp " from " supp ")\n"

static const char clean_freed[] = PRE
	"==4242== HEAP SUMMARY:\n"
	"==4242==     in use at exit: 0 bytes in 0 blocks\n"
	"==4242==   total heap usage: 120 allocs, 120 frees, 80,112 bytes allocated\n"
	"==4242== \n"
	"==4242== All heap blocks were freed -- no leaks are possible\n"
	"==4242== \n" ESUM("0", "0");

static const char clean_sigterm[] = PRE
	"==4242== Process terminating with default action of signal 15 (SIGTERM)\n"
	"==4242==    at 0x4B2F7A7: accept (accept.c:26)\n"
	"==4242== \n"
	"==4242== HEAP SUMMARY:\n"
	"==4242==     in use at exit: 131,592 bytes in 45 blocks\n"
	"==4242== \n" LEAKS("0", "0", "304", "131,288") "==4242== \n" ESUM("0", "3");

static const char errors_only[] = PRE
	"==4242== Invalid read of size 1\n"
	"==4242==    at 0x10919D: json_get (json.c:40)\n"
	"==4242==  Address 0x4a42040 is 0 bytes after a block of size 4 alloc'd\n"
	"==4242== \n"
	"==4242== Conditional jump or move depends on uninitialised value(s)\n"
	"==4242==    at 0x1091CD: route (app.c:4)\n"
	"==4242== \n"
	"==4242== All heap blocks were freed -- no leaks are possible\n"
	"==4242== \n" ESUM("2", "0");

static const char definite_leak[] = PRE
	"==4242== 300 bytes in 3 blocks are definitely lost in loss record 1 of 1\n"
	"==4242==    at 0x48417B4: malloc (vgpreload_memcheck-amd64-linux.so)\n"
	"==4242==    by 0x1091B2: token_new (tokens.c:4)\n"
	"==4242== \n" LEAKS("300", "3", "0", "0") "==4242== \n" ESUM("1", "0");

/* Without --errors-for-leak-kinds=definite the leak is not an error. */
static const char leak_not_error[] = PRE LEAKS("48", "1", "0", "0")
	"==4242== \n" ESUM("0", "0");

static const char big_numbers[] = PRE LEAKS("1,234,567", "1,002", "0", "0")
	"==4242== \n" ESUM("1,500", "0");

static const char second_dirty[] = PRE
	"==4242== All heap blocks were freed -- no leaks are possible\n"
	ESUM("0", "0")
	"==4243== Invalid free() / delete / delete[] / realloc()\n"
	"==4243== ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)\n";

static const char killed[] = PRE
	"==4242== Warning: set address range perms: large range\n";

static const char garbled[] = PRE "==4242== ERROR SUMMARY: many errors\n";

/* The verdict and the counts each sample must give. */
static const struct sample {
	const char	*name;
	const char	*log;
	enum vg_verdict	 verdict;
	long long	 errors, definite_bytes, definite_blocks;
} samples[] = {
	{ "clean_freed", clean_freed, VG_CLEAN, 0, 0, 0 },
	/* "possibly lost" and "still reachable" are the state of a program
	 * stopped by SIGTERM; suppressed errors are known third-party noise. */
	{ "clean_sigterm", clean_sigterm, VG_CLEAN, 0, 0, 0 },
	{ "errors_only", errors_only, VG_DIRTY, 2, 0, 0 },
	{ "definite_leak", definite_leak, VG_DIRTY, 1, 300, 3 },
	{ "leak_not_error", leak_not_error, VG_DIRTY, 0, 48, 1 },
	{ "big_numbers", big_numbers, VG_DIRTY, 1500, 1234567, 1002 },
	{ "second_dirty", second_dirty, VG_DIRTY, 1, 0, 0 },
	{ "killed", killed, VG_INCOMPLETE, 0, 0, 0 },
	{ "garbled", garbled, VG_INCOMPLETE, 0, 0, 0 },
	{ "empty", "", VG_INCOMPLETE, 0, 0, 0 },
};

static void
test_samples(void **state)
{
	struct vg_report	 r;
	int			 bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		enum vg_verdict v = vg_log_parse(s->log, &r);

		if (v != s->verdict || r.errors != s->errors ||
		    r.definite_bytes != s->definite_bytes ||
		    r.definite_blocks != s->definite_blocks) {
			print_error("%s: verdict %d errors %lld bytes %lld blocks "
			    "%lld, want %d %lld %lld %lld\n", s->name, v, r.errors,
			    r.definite_bytes, r.definite_blocks, s->verdict,
			    s->errors, s->definite_bytes, s->definite_blocks);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The excerpt printed starts after valgrind's banner, at the first report. */
static void
test_body(void **state)
{
	struct vg_report	 r;

	(void)state;
	vg_log_parse(clean_freed, &r);
	assert_string_equal(r.body, clean_freed + sizeof(PRE) - 1 - strlen("==4242== \n"));
	vg_log_parse(errors_only, &r);
	assert_non_null(strstr(r.body, "Invalid read of size 1"));
	assert_null(strstr(r.body, "Memcheck, a memory error detector"));
	vg_log_parse("", &r);
	assert_string_equal(r.body, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
