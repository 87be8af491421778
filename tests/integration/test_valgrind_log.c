/*
 * test_valgrind_log: the verdict FU_VALGRIND's harness gives a memcheck
 * log (valgrind_log.c), on logs as valgrind 3.19 writes them: clean
 * (freed, or stopped by SIGTERM holding reachable and "possibly lost"
 * memory), suppressed errors only; and the ones that must fail the test:
 * errors, a definite leak (with or without --errors-for-leak-kinds), big
 * numbers with thousands separators, a second process's dirty summary in
 * the same file, a log cut before its summary (SIGKILL), an empty log.
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

static void
test_clean(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(clean_freed, &r), VG_CLEAN);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.definite_bytes, 0);
	assert_string_equal(r.body, clean_freed + sizeof(PRE) - 1 - strlen("==4242== \n"));
}

/* "possibly lost" and "still reachable" are the state of a program
 * stopped by SIGTERM; suppressed errors are known third-party noise. */
static void
test_possibly_lost_only(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(clean_sigterm, &r), VG_CLEAN);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.definite_bytes, 0);
	assert_int_equal(r.definite_blocks, 0);
}

static void
test_errors(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(errors_only, &r), VG_DIRTY);
	assert_int_equal(r.errors, 2);
	assert_int_equal(r.definite_bytes, 0);
	/* The excerpt printed starts at the first report, not the banner. */
	assert_non_null(strstr(r.body, "Invalid read of size 1"));
	assert_null(strstr(r.body, "Memcheck, a memory error detector"));
}

static void
test_definite_leak(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(definite_leak, &r), VG_DIRTY);
	assert_int_equal(r.errors, 1);
	assert_int_equal(r.definite_bytes, 300);
	assert_int_equal(r.definite_blocks, 3);
}

static void
test_leak_without_error_count(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(leak_not_error, &r), VG_DIRTY);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.definite_bytes, 48);
}

static void
test_thousands_separators(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(big_numbers, &r), VG_DIRTY);
	assert_int_equal(r.errors, 1500);
	assert_int_equal(r.definite_bytes, 1234567);
	assert_int_equal(r.definite_blocks, 1002);
}

static void
test_second_summary_dirty(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(second_dirty, &r), VG_DIRTY);
	assert_int_equal(r.errors, 1);
}

static void
test_incomplete(void **state)
{
	struct vg_report	 r;

	(void)state;
	assert_int_equal(vg_log_parse(killed, &r), VG_INCOMPLETE);
	assert_int_equal(vg_log_parse(garbled, &r), VG_INCOMPLETE);
	assert_int_equal(vg_log_parse("", &r), VG_INCOMPLETE);
	assert_string_equal(r.body, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_possibly_lost_only),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_definite_leak),
		cmocka_unit_test(test_leak_without_error_count),
		cmocka_unit_test(test_thousands_separators),
		cmocka_unit_test(test_second_summary_dirty),
		cmocka_unit_test(test_incomplete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
