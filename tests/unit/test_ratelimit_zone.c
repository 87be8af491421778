/*
 * The shared-memory store of the rate limits (ratelimit_zone.c): it
 * decides exactly as the SQLite store does for the same hits, holds the
 * limit across processes, gives a key no room when its slots are live
 * and takes them back once expired, replaces a file that is not a zone of
 * its layout or is open to others, refuses what is not a file, and
 * survives a process that dies holding its lock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"
#include "ratelimit.h"
#include "ratelimit_int.h"
#include "unit_util.h"

#define US		INT64_C(1000000)
#define T0		(INT64_C(1800000000) * US)
#define SLOTS		64	/* the fewest a zone may have: one probe window */

struct fx {
	struct unit_tmpdb	 t;	/* first: unit_tmpdb_setup */
	char			 zpath[160];
	struct rl_zone		*z;
};

static int
setup(void **state)
{
	struct fx	*fx;

	if (unit_tmpdb_setup(state, sizeof(*fx), "/tmp/fu-test-rlzone-XXXXXX") != 0)
		return -1;
	fx = *state;
	snprintf(fx->zpath, sizeof(fx->zpath), "%s%s", fx->t.path,
	    RATELIMIT_ZONE_SUFFIX);
	if (migrate_up(fx->t.db, 0, NULL) != DB_OK ||
	    ratelimit_zone_open(fx->zpath, SLOTS, &fx->z) != 0) {
		unit_tmpdb_teardown(&fx->t);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	ratelimit_zone_close(fx->z);
	unit_tmpdb_teardown(&fx->t);
	return 0;
}

static struct rate_limit
limit(const char *spec)
{
	struct rate_limit	 l;

	assert_int_equal(ratelimit_parse(spec, &l), 0);
	return l;
}

/* Random hits on a few keys and limits, the clock moving on by 0 .. 3 s:
 * both stores give the same verdicts and the same header figures. */
static void
test_same_as_database(void **state)
{
	struct fx		*fx = *state;
	static const char *const specs[] = { "10/minute", "3 per 2 seconds",
	    "1/second", "100/hour" };
	struct ratelimit_result	 rz, rd;
	struct rate_limit	 l[4];
	char			 key[64];
	int64_t			 now = T0;
	unsigned		 seed = 12345, i, k, allowed = 0;

	for (i = 0; i < 4; i++)
		l[i] = limit(specs[i]);
	for (i = 0; i < 3000; i++) {
		k = (unsigned)rand_r(&seed) % 12;
		now += (int64_t)(rand_r(&seed) % 4) * ((rand_r(&seed) % 8) == 0 ?
		    US : US / 50);
		snprintf(key, sizeof(key), "geocode:user%u:%s", k % 3, specs[k / 3]);
		assert_int_equal(ratelimit_zone_hit(fx->z, key, &l[k / 3], now, &rz),
		    RATELIMIT_OK);
		assert_int_equal(ratelimit_hit(fx->t.db, key, &l[k / 3], now, &rd),
		    RATELIMIT_OK);
		assert_int_equal(rz.allowed, rd.allowed);
		assert_int_equal(rz.limit, rd.limit);
		assert_int_equal(rz.remaining, rd.remaining);
		assert_int_equal(rz.reset_s, rd.reset_s);
		assert_int_equal(rz.retry_after_s, rd.retry_after_s);
		allowed += (unsigned)rz.allowed;
	}
	/* Both verdicts came up, many times. */
	assert_true(allowed > 100 && allowed < 2900);
}

/* Eight processes, 40 hits each at once on one key of 100 per hour: 100
 * allowed in all, not one more, with the real clock. */
static void
test_exact_across_processes(void **state)
{
	struct fx		*fx = *state;
	struct rate_limit	 l = limit("100/hour");
	pid_t			 pids[8];
	int			 i, st, total = 0, fds[2];

	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < 8; i++) {
		assert_true((pids[i] = fork()) != -1);
		if (pids[i] == 0) {
			struct rl_zone		*z;
			struct ratelimit_result	 r;
			int			 n = 0, j;
			struct timespec		 ts;
			unsigned char		 b;

			close(fds[0]);
			if (ratelimit_zone_open(fx->zpath, SLOTS, &z) != 0)
				_exit(255);
			for (j = 0; j < 40; j++) {
				clock_gettime(CLOCK_REALTIME, &ts);
				if (ratelimit_zone_hit(z, "one", &l,
				    (int64_t)ts.tv_sec * US + ts.tv_nsec / 1000,
				    &r) != RATELIMIT_OK)
					_exit(254);
				n += r.allowed;
			}
			b = (unsigned char)n;
			_exit(write(fds[1], &b, 1) == 1 ? 0 : 253);
		}
	}
	close(fds[1]);
	for (i = 0; i < 8; i++) {
		unsigned char	 b;

		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
		assert_int_equal(read(fds[0], &b, 1), 1);
		total += b;
	}
	close(fds[0]);
	assert_int_equal(total, 100);
}

/* A key whose whole probe window holds live buckets of other keys gets
 * RATELIMIT_EFULL; once they expire, their slots serve new keys. */
static void
test_full_then_expired(void **state)
{
	struct fx		*fx = *state;
	struct rate_limit	 day = limit("1/day"), sec = limit("1/second");
	struct ratelimit_result	 r;
	char			 key[32];
	int			 i;

	/* SLOTS keys fill the zone (one window is the whole zone here). */
	for (i = 0; i < SLOTS; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(ratelimit_zone_hit(fx->z, key, &day, T0, &r),
		    RATELIMIT_OK);
		assert_int_equal(r.allowed, 1);
	}
	assert_int_equal(ratelimit_zone_hit(fx->z, "newcomer", &sec, T0, &r),
	    RATELIMIT_EFULL);
	assert_int_equal(r.allowed, 0);
	/* The keys that have a slot still decide: k0's bucket is spent. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "k0", &day, T0 + US, &r),
	    RATELIMIT_OK);
	assert_int_equal(r.allowed, 0);
	assert_int_equal(r.retry_after_s, 86400 - 1);
	/* A day later every bucket is full again: the slots are free. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "newcomer", &sec,
	    T0 + 86400 * US, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(ratelimit_zone_hit(fx->z, "newcomer", &sec,
	    T0 + 86400 * US, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 0);
	/* ... and k0 starts afresh, as it would with no row in the database. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "k0", &day, T0 + 86400 * US, &r),
	    RATELIMIT_OK);
	assert_int_equal(r.allowed, 1);
}

/* A clock read before another process's but used after it decides at the
 * later time: Remaining never goes up between two hits of a burst. */
static void
test_time_never_goes_back(void **state)
{
	struct fx		*fx = *state;
	struct rate_limit	 l = limit("10/minute");
	struct ratelimit_result	 r;

	assert_int_equal(ratelimit_zone_hit(fx->z, "x", &l, T0 + 1000, &r),
	    RATELIMIT_OK);
	assert_int_equal(r.remaining, 9);
	assert_int_equal(ratelimit_zone_hit(fx->z, "x", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(r.remaining, 8);
	/* A clock stepped back a minute: the buckets do not refill. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "y", &l, T0 - 60 * US, &r),
	    RATELIMIT_OK);
	assert_int_equal(r.remaining, 9);
}

/* Writes `len` bytes of `c` to path with `mode`, replacing it. */
static void
write_file(const char *path, int c, size_t len, mode_t mode)
{
	char	 buf[4096];
	int	 fd;
	size_t	 n;

	unlink(path);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) != -1);
	assert_int_equal(fchmod(fd, mode), 0);
	memset(buf, c, sizeof(buf));
	while (len > 0) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		len -= n;
	}
	close(fd);
}

/* Opens path as a zone and checks it is a fresh, working one of mode 0600. */
static void
check_fresh(const char *path, uint32_t slots)
{
	struct rl_zone		*z;
	struct rate_limit	 l = limit("2/minute");
	struct ratelimit_result	 r;
	struct stat		 sb;

	assert_int_equal(ratelimit_zone_open(path, slots, &z), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ratelimit_zone_hit(z, "fresh", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(r.remaining, 1);
	ratelimit_zone_close(z);
}

/* What is at the path and is not a zone of this layout and size, or is
 * open to others, is replaced; what is not a file is refused. */
static void
test_files(void **state)
{
	struct fx		*fx = *state;
	struct rl_zone		*z = (struct rl_zone *)&z;
	struct rate_limit	 l = limit("2/minute");
	struct ratelimit_result	 r;
	char			 p[200], q[200];
	int			 i;
	static const struct {
		int	 byte;
		size_t	 len;
		mode_t	 mode;
	} junk[] = {
		{ 0, 0, 0600 },			/* empty */
		{ 'x', 100, 0600 },		/* short, not a zone */
		{ 'x', 64 * 32 + 4096, 0600 },	/* long enough, wrong magic */
		{ 0, 1 << 20, 0600 },		/* zeroes */
	};

	for (i = 0; i < (int)(sizeof(junk) / sizeof(junk[0])); i++) {
		snprintf(p, sizeof(p), "%s/junk%d", fx->t.dir, i);
		write_file(p, junk[i].byte, junk[i].len, junk[i].mode);
		check_fresh(p, SLOTS);
	}
	/* A zone of another size is replaced by one of this size. */
	snprintf(p, sizeof(p), "%s/resized", fx->t.dir);
	check_fresh(p, SLOTS * 2);
	check_fresh(p, SLOTS);
	/* A zone others may read is replaced, its buckets gone. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "kept", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(chmod(fx->zpath, 0644), 0);
	check_fresh(fx->zpath, SLOTS);
	/* A directory, a symbolic link, a folder that does not exist. */
	snprintf(p, sizeof(p), "%s/dir", fx->t.dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(ratelimit_zone_open(p, SLOTS, &z), -1);
	assert_null(z);
	snprintf(q, sizeof(q), "%s/link", fx->t.dir);
	assert_int_equal(symlink(fx->zpath, q), 0);
	assert_int_equal(ratelimit_zone_open(q, SLOTS, &z), -1);
	snprintf(p, sizeof(p), "%s/none/zone", fx->t.dir);
	assert_int_equal(ratelimit_zone_open(p, SLOTS, &z), -1);
	/* Sizes out of range. */
	snprintf(p, sizeof(p), "%s/sizes", fx->t.dir);
	assert_int_equal(ratelimit_zone_open(p, SLOTS - 1, &z), -1);
	assert_int_equal(ratelimit_zone_open(p, RATELIMIT_ZONE_SLOTS_MAX + 1, &z), -1);
	assert_int_equal(ratelimit_zone_open("", SLOTS, &z), -1);
	assert_int_equal(ratelimit_zone_open(NULL, SLOTS, &z), -1);
	assert_int_equal(access(p, F_OK), -1);
}

/* A process that dies holding the lock: the next hit goes through and
 * decides right. */
static void
test_dead_holder(void **state)
{
	struct fx		*fx = *state;
	struct rate_limit	 l = limit("2/minute");
	struct ratelimit_result	 r;
	pid_t			 pid;
	int			 st;

	assert_int_equal(ratelimit_zone_hit(fx->z, "d", &l, T0, &r), RATELIMIT_OK);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		struct rl_zone	*z;

		if (ratelimit_zone_open(fx->zpath, SLOTS, &z) != 0 ||
		    ratelimit_zone_lock(z) != 0)
			_exit(1);
		_exit(0);	/* the lock still held */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(ratelimit_zone_hit(fx->z, "d", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 1);
	assert_int_equal(r.remaining, 0);
	assert_int_equal(ratelimit_zone_hit(fx->z, "d", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(r.allowed, 0);
}

static void
test_bad_arguments(void **state)
{
	struct fx		*fx = *state;
	struct rate_limit	 l = limit("2/minute"), bad = l;
	struct ratelimit_result	 r;
	char			 big[RATELIMIT_KEY_MAX + 1];

	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad.count = 0;
	assert_int_equal(ratelimit_zone_hit(NULL, "k", &l, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, NULL, &l, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, "", &l, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, big, &l, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, "k", &bad, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, "k", NULL, T0, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, "k", &l, -1, &r), RATELIMIT_EINVAL);
	assert_int_equal(ratelimit_zone_hit(fx->z, "k", &l, T0, NULL), RATELIMIT_EINVAL);
	/* None of them spent anything. */
	assert_int_equal(ratelimit_zone_hit(fx->z, "k", &l, T0, &r), RATELIMIT_OK);
	assert_int_equal(r.remaining, 1);
	ratelimit_zone_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_across_processes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_then_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_never_goes_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
