/*
 * smtp_sink_util: see smtp_sink_util.h.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "smtp_sink_util.h"

/* The one sink a case runs; teardown stops it even after a failed assert. */
struct sink	 the_sink = { -1, 0, "" };

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * 1 under valgrind (ctest -T memcheck), where loading the CA store alone
 * takes seconds: upper time bounds are then widened.
 */
int
under_valgrind(void)
{
	FILE	*f;
	char	 line[512];
	int	 found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, "vgpreload") != NULL;
	fclose(f);
	return found;
}

/* A whole small file, NUL-terminated, or NULL; caller frees. */
char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if ((buf = calloc(1, 1 << 20)) != NULL) {
		n = fread(buf, 1, (1 << 20) - 1, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * Starts smtp_sink.py in `mode` with a fresh folder and waits until it
 * wrote its port.  Fails the test (with why) when it cannot start.
 */
struct sink *
sink_start(const char *mode, const char *user, const char *pass)
{
	struct sink	*s = &the_sink;
	char		 portfile[96], *text;
	int64_t		 t0;
	int		 status;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(s->dir, sizeof(s->dir), "/tmp/fu-smtp-sink.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	s->pid = fork();
	assert_true(s->pid != -1);
	if (s->pid == 0) {
		execl(PYTHON, PYTHON, SINK, "--dir", s->dir, "--mode", mode,
		    "--user", user != NULL ? user : "", "--password",
		    pass != NULL ? pass : "", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", PYTHON, strerror(errno));
		_exit(127);
	}
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	for (t0 = now_ms(); now_ms() - t0 < SINK_START_MS; sleep_ms(20)) {
		if ((text = slurp(portfile)) != NULL) {
			s->port = atoi(text);
			free(text);
			return s;
		}
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			print_error("smtp_sink.py exited (status %d): is python3-aiosmtpd "
			    "installed?\n", status);
			s->pid = -1;
			fail();
		}
	}
	print_error("smtp_sink.py did not start within %d ms\n", SINK_START_MS);
	fail();
	return NULL;
}

void
sink_stop(struct sink *s)
{
	char	 cmd[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
	}
	if (s->dir[0] != '\0' && getenv("FU_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			print_error("cannot remove %s\n", s->dir);
	}
	s->dir[0] = '\0';
}

/* How many messages the sink saved. */
int
sink_count(const struct sink *s)
{
	char		 path[128];
	struct stat	 st;
	int		 n;

	for (n = 0;; n++) {
		snprintf(path, sizeof(path), "%s/%d.json", s->dir, n + 1);
		if (stat(path, &st) == -1)
			return n;
	}
}

