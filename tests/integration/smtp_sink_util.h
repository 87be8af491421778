/*
 * smtp_sink_util: starting and reading smtp_sink.py (Debian's
 * python3-aiosmtpd on a free loopback port) from a cmocka test.  One sink
 * at a time, the_sink, so a teardown can stop it after a failed assert.
 * Saved messages are <dir>/N.eml and N.json (see smtp_sink.py).
 */
#ifndef FCGI_USERS_SMTP_SINK_UTIL_H
#define FCGI_USERS_SMTP_SINK_UTIL_H

#include <stdint.h>
#include <sys/types.h>

#define PYTHON		"/usr/bin/python3"	/* Debian's, where python3-aiosmtpd lives */
#define SINK		FU_SOURCE_DIR "/tests/integration/smtp_sink.py"
#define SINK_START_MS	10000

struct sink {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
};

extern struct sink	 the_sink;

int64_t		 now_ms(void);
void		 sleep_ms(long ms);
/* 1 under valgrind, where upper time bounds must widen. */
int		 under_valgrind(void);
/* A whole small file (up to 1 MiB), NUL-terminated, or NULL; caller frees. */
char		*slurp(const char *path);
/* Starts the sink in `mode` (accept, auth, refuse-rcpt, …); fails the
 * test when it cannot. */
struct sink	*sink_start(const char *mode, const char *user, const char *pass);
void		 sink_stop(struct sink *);
/* How many messages the sink saved. */
int		 sink_count(const struct sink *);

#endif
