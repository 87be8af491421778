/*
 * argon2_once: the yardstick of bench/login.  Times libcommon's
 * password_hash() and password_verify() -- the very functions a login runs
 * -- with the parameters the programs use (pwdlib's defaults t=3,
 * m=65536 KiB, p=4, or PASSWORD_ARGON2_TIME_COST, _MEMORY_KIB and
 * _PARALLELISM from the environment, with the bounds config.c puts on
 * them), and prints each run and the medians in milliseconds:
 *
 *   argon2_once [N]          N runs, N in [1, 1000], default 5
 *   argon2_once -            one run per line read on standard input,
 *                            answered at once, until end of file
 *
 *   run 1 hash 251.204 ms verify 249.871 ms
 *   ...
 *   argon2id t=3 m=65536 p=4 n=5 hash_median_ms=250.112 verify_median_ms=249.990
 *
 * A run is one hash, then one verification of it.  One unmeasured run
 * comes first: a fresh process pays once for OpenSSL's random generator,
 * the first page faults and lazy symbol binding (about 10 ms), which a
 * FastCGI program that has served a login no longer pays.  Each run still
 * allocates and touches the m KiB afresh, as each login does.  With "-",
 * bench/login keeps one warm process and asks for a run between two
 * logins.  The password is a constant (nothing secret is involved).
 * Exits 0, or 1 on a bad argument or a failed hash.  Not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "password.h"

#define RUNS_DEFAULT	5
#define RUNS_MAX	1000

static const char bench_pw[] = "benchpassword1";

/* Monotonic time in milliseconds. */
static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n-1] (n >= 1); sorts v in place. */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Overrides *dst with the environment variable name when it is set; the
 * bounds are config.c's.  Returns 0, or -1 when it is set but invalid.
 */
static int
env_param(const char *name, int64_t min, int64_t max, uint32_t *dst)
{
	const char	*s = getenv(name);
	int64_t		 v;

	if (s == NULL || *s == '\0')
		return 0;
	if (config_strtonum(s, min, max, &v) != 0) {
		fprintf(stderr, "argon2_once: %s: not a number in [%lld, %lld]\n",
		    name, (long long)min, (long long)max);
		return -1;
	}
	*dst = (uint32_t)v;
	return 0;
}

/*
 * One run: a hash of the constant password, then its verification; their
 * times in *th and *tv (ms).  Returns 0, or -1 (printed) on a failure.
 */
static int
run_once(const struct password_params *pp, double *th, double *tv)
{
	char			 hash[PASSWORD_HASH_MAX];
	enum password_result	 pr;
	double			 t0;

	t0 = now_ms();
	if (password_hash(pp, bench_pw, strlen(bench_pw), hash, sizeof(hash)) != 0) {
		fprintf(stderr, "argon2_once: password_hash failed\n");
		return -1;
	}
	*th = now_ms() - t0;
	t0 = now_ms();
	pr = password_verify(pp, bench_pw, strlen(bench_pw), hash);
	*tv = now_ms() - t0;
	if (pr != PASSWORD_OK) {
		fprintf(stderr, "argon2_once: password_verify gave %d, want OK\n", (int)pr);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct password_params	 pp;
	double			*th = NULL, *tv = NULL, wh, wv;
	int64_t			 n = RUNS_DEFAULT;
	size_t			 i;
	int			 ret = 1, from_stdin = 0, c;

	if (argc == 2 && strcmp(argv[1], "-") == 0) {
		from_stdin = 1;
		n = RUNS_MAX;
	} else if (argc > 2 || (argc == 2 &&
	    config_strtonum(argv[1], 1, RUNS_MAX, &n) != 0)) {
		fprintf(stderr, "usage: argon2_once [N | -]   (1 <= N <= %d)\n", RUNS_MAX);
		goto out;
	}
	password_params_default(&pp);
	if (env_param("PASSWORD_ARGON2_TIME_COST", 1, 64, &pp.t_cost) != 0 ||
	    env_param("PASSWORD_ARGON2_MEMORY_KIB", 1024, 1048576, &pp.m_cost_kib) != 0 ||
	    env_param("PASSWORD_ARGON2_PARALLELISM", 1, 64, &pp.parallelism) != 0)
		goto out;
	if ((th = calloc((size_t)n, sizeof(*th))) == NULL ||
	    (tv = calloc((size_t)n, sizeof(*tv))) == NULL) {
		fprintf(stderr, "argon2_once: out of memory\n");
		goto out;
	}
	if (run_once(&pp, &wh, &wv) != 0)	/* warm-up, not counted */
		goto out;
	for (i = 0; i < (size_t)n; i++) {
		if (from_stdin) {
			/* One line, one run; end of file ends the runs. */
			while ((c = getchar()) != EOF && c != '\n')
				continue;
			if (c == EOF)
				break;
		}
		if (run_once(&pp, &th[i], &tv[i]) != 0)
			goto out;
		printf("run %zu hash %.3f ms verify %.3f ms\n", i + 1, th[i], tv[i]);
		fflush(stdout);
	}
	if (i == 0) {
		fprintf(stderr, "argon2_once: no run\n");
		goto out;
	}
	printf("argon2id t=%u m=%u p=%u n=%zu hash_median_ms=%.3f verify_median_ms=%.3f\n",
	    pp.t_cost, pp.m_cost_kib, pp.parallelism, i,
	    median(th, i), median(tv, i));
	ret = 0;
out:
	free(th);
	free(tv);
	return ret;
}
