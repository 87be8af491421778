/*
 * test_stress_timing: a login does not tell whether an e-mail has an
 * account (issue 8, label "stress").  With Argon2id at 16 MiB, 2 passes,
 * 1 lane (the defaults, 64 MiB x 3 x 4, take over a second a login on a
 * busy 2-core CI machine: 100 of them do not fit; the dummy hash takes
 * the configured parameters either way), the median time of 50
 * logins of unknown e-mails and of 50 wrong passwords for a known one
 * differ by less than 10% (the unknown ones verify against a dummy hash,
 * src/common/password.c password_dummy_verify).  The two kinds alternate,
 * so that a change of the machine's load touches both; the login limits
 * are raised so that neither kind is throttled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts_util.h"
#include "harness.h"

#define ROUNDS		50
#define MAX_DIFF	0.10
#define ATTEMPTS	3	/* sets of ROUNDS pairs at most */

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One failed login: its time in microseconds; the answer must be 400
 * LOGIN_BAD_CREDENTIALS. */
static int64_t
timed_login(struct harness *h, const char *email, const char *pw)
{
	struct http_resp r;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	au_login_req(h, email, pw, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	au_check_error(__LINE__, &r, 400, "LOGIN_BAD_CREDENTIALS");
	http_resp_free(&r);
	return (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
}

static void
test_login_timing(void **state)
{
	static const char *const env[] = { "PASSWORD_ARGON2_MEMORY_KIB=16384",
	    "PASSWORD_ARGON2_TIME_COST=2", "PASSWORD_ARGON2_PARALLELISM=1",
	    "LOGIN_MAX_FAILURES=10000",
	    "LOGIN_MAX_FAILURES_PER_ADDRESS=1000000", NULL };
	struct harness_opts o = { .env = env, .procs = 1, .server = "lighttpd" };
	struct harness *h;
	struct au_user u;
	int64_t unknown[ROUNDS], wrong[ROUNDS], mu, mw;
	char email[AU_EMAIL_MAX];
	double diff = 1;
	int i, attempt;

	(void)state;
	assert_non_null(h = harness_start(&o));
	assert_int_equal(au_new_user(h, "timing", &u), 0);
	au_begin();
	/* Warm up: the process's first Argon2 runs allocate its memory. */
	for (i = 0; i < 3; i++) {
		au_email(email, sizeof(email), "nobody");
		(void)timed_login(h, email, "wrong-password-1");
		(void)timed_login(h, u.email, "wrong-password-1");
	}
	/*
	 * Up to ATTEMPTS sets of ROUNDS pairs: a real difference (a login
	 * that skips the hash for an unknown e-mail is 98% faster) shows in
	 * every set, while a loaded machine can skew one set's medians.
	 */
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		for (i = 0; i < ROUNDS; i++) {
			au_email(email, sizeof(email), "nobody");
			unknown[i] = timed_login(h, email, "wrong-password-1");
			wrong[i] = timed_login(h, u.email, "wrong-password-1");
		}
		mu = median(unknown, ROUNDS);
		mw = median(wrong, ROUNDS);
		diff = (double)(mu > mw ? mu - mw : mw - mu) /
		    (double)(mu > mw ? mw : mu);
		fprintf(stderr, "login timing, set %d: median unknown e-mail %lld "
		    "us, wrong password %lld us, difference %.1f%%\n", attempt + 1,
		    (long long)mu, (long long)mw, diff * 100);
		if (diff < MAX_DIFF)
			break;
	}
	if (diff >= MAX_DIFF)
		au_bad(__LINE__, "medians differ by %.1f%% in each of %d sets (last: "
		    "unknown %lld us, wrong %lld us)", diff * 100, ATTEMPTS,
		    (long long)mu, (long long)mw);
	/* No timing without the work: each took an Argon2 verification. */
	if (mu < 1000 || mw < 1000)
		au_bad(__LINE__, "a login took under 1 ms: no Argon2 ran");
	assert_int_equal(harness_finish(&h), 0);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_timing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
