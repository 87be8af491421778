/*
 * harness_valgrind: FU_VALGRIND=1 (harness.h).  The programs lighttpd
 * starts, and the admin tool, run under valgrind's memcheck, each process
 * logging to <data>/valgrind-<pid>.log; harness_stop() reads those logs
 * once every process has exited (so the leak summaries are written) and
 * counts the ones that are not clean (valgrind_log.h); the cmocka group
 * then fails (the wrap of _cmocka_run_group_tests in harness.c).
 */
#include "harness.h"
#include "harness_int.h"
#include "valgrind_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef FU_VALGRIND_PATH
#define FU_VALGRIND_PATH "/usr/bin/valgrind"
#endif

/* How much longer the harness waits for anything under FU_VALGRIND:
 * memcheck runs code 10 to 50 times slower, start-up (symbol reading)
 * takes seconds, and two cores carry eight programs. */
#define VALGRIND_SLOWDOWN	10
#define VALGRIND_LOG_MAX	(4u * 1024 * 1024)
#define VALGRIND_EXCERPT	6000	/* bytes of a bad log printed */

/* FU_VALGRIND_OPTIONS and FU_VALGRIND_SUPP come from CMake: those of
 * ctest -T memcheck, without --error-exitcode (tests/integration/CMakeLists.txt). */

static int	 vg_failures;	/* bad logs seen by harness_valgrind_check() */

int
harness_valgrind(void)
{
	const char	*v = getenv("FU_VALGRIND");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

int
harness_slow_ms(int ms)
{
	return harness_valgrind() ? ms * VALGRIND_SLOWDOWN : ms;
}

int
harness_valgrind_failures(void)
{
	return vg_failures;
}

char *
harness_valgrind_cmd(const char *dir)
{
	const char	*extra = getenv("FU_VALGRIND_OPTS");
	char		*cmd, *next;

	if (access(FU_VALGRIND_PATH, X_OK) != 0) {
		harness_say("FU_VALGRIND: no valgrind at %s", FU_VALGRIND_PATH);
		return NULL;
	}
	/* lighttpd splits its bin-path at blanks, and so does cli_run. */
	if (strpbrk(dir, " \t") != NULL || strpbrk(FU_VALGRIND_SUPP, " \t") != NULL) {
		harness_say("FU_VALGRIND: %s or %s holds a blank", dir, FU_VALGRIND_SUPP);
		return NULL;
	}
	if ((cmd = harness_asprintf("%s --suppressions=%s --log-file=%s/valgrind-%%p.log "
	    "%s", FU_VALGRIND_PATH, FU_VALGRIND_SUPP, dir, FU_VALGRIND_OPTIONS)) == NULL)
		return NULL;
	if (extra != NULL && *extra != '\0') {
		next = harness_asprintf("%s %s", cmd, extra);
		free(cmd);
		cmd = next;
	}
	return cmd;
}

/* What harness_valgrind_check() found in one folder. */
struct tally {
	int		 logs, bad;
	long long	 errors, definite_bytes;
};

/* One log: 0 when clean, else -1 after printing why and an excerpt. */
static int
check_one(const char *path, struct tally *t)
{
	struct timespec		 pause = { 0, 100 * 1000000L };
	struct vg_report	 r;
	enum vg_verdict		 v = VG_INCOMPLETE;
	char			*log = NULL;
	int			 waited;

	/* A process that outlived the server's group (a detached mail
	 * sender) may still be writing its summary. */
	for (waited = 0; waited <= harness_slow_ms(1000); waited += 100) {
		free(log);
		if ((log = harness_read_file(path, VALGRIND_LOG_MAX, NULL)) == NULL) {
			harness_say("%s: %s", path, strerror(errno));
			return -1;
		}
		if ((v = vg_log_parse(log, &r)) != VG_INCOMPLETE)
			break;
		nanosleep(&pause, NULL);
	}
	t->errors += r.errors;
	t->definite_bytes += r.definite_bytes;
	if (v == VG_CLEAN) {
		free(log);
		return 0;
	}
	if (v == VG_INCOMPLETE)
		harness_say("valgrind: %s has no ERROR SUMMARY (the process was "
		    "killed, or still runs):", path);
	else
		harness_say("valgrind: %s: %lld errors, %lld bytes in %lld blocks "
		    "definitely lost:", path, r.errors, r.definite_bytes,
		    r.definite_blocks);
	fprintf(stderr, "%.*s\n", VALGRIND_EXCERPT, v == VG_INCOMPLETE ? log : r.body);
	free(log);
	return -1;
}

/*
 * FU_VALGRIND_TALLY names a file that gets one line per folder checked,
 * "valgrind: LOGS logs, BAD not clean, ERRORS errors, BYTES bytes
 * definitely lost", appended in one write (tests run in parallel):
 * scripts/memcheck adds them up.
 */
static void
tally_write(const struct tally *t)
{
	const char	*path = getenv("FU_VALGRIND_TALLY");
	char		 line[160];
	int		 fd, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof(line), "valgrind: %d logs, %d not clean, "
	    "%lld errors, %lld bytes definitely lost\n", t->logs, t->bad,
	    t->errors, t->definite_bytes);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		harness_say("FU_VALGRIND_TALLY %s: %s", path, strerror(errno));
		return;
	}
	if (write(fd, line, (size_t)n) != n)
		harness_say("FU_VALGRIND_TALLY %s: short write", path);
	close(fd);
}

int
harness_valgrind_check(const char *dir)
{
	struct tally	 t = { 0, 0, 0, 0 };
	DIR		*d;
	struct dirent	*e;
	char		*path;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (fnmatch("valgrind-*.log", e->d_name, 0) != 0)
			continue;
		t.logs++;
		if ((path = harness_asprintf("%s/%s", dir, e->d_name)) == NULL ||
		    check_one(path, &t) == -1)
			t.bad++;
		free(path);
	}
	closedir(d);
	tally_write(&t);
	vg_failures += t.bad;
	return t.bad;
}
