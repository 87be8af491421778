/*
 * fake_nominatim_util: starting, steering and reading fake_nominatim.py (a
 * stand-in for Nominatim's /search on a free loopback port, Debian
 * python3's http.server) from a C test.  Each fake has its own temporary
 * folder: port (written once it listens), mode (the answer for every
 * request while it exists; see fake_nominatim.py for the modes) and
 * requests.jsonl (one JSON line per request, written on arrival, before
 * the answer).  Several fakes may run at once.  Nothing here uses cmocka:
 * a function that fails prints one line saying why on stderr and returns
 * -1 or NULL, so the geocoding and the MCP tests can share it.
 */
#ifndef FCGI_USERS_FAKE_NOMINATIM_UTIL_H
#define FCGI_USERS_FAKE_NOMINATIM_UTIL_H

#include <stddef.h>
#include <sys/types.h>

struct json_object;

#define FAKENOM_PYTHON		"/usr/bin/python3"
#define FAKENOM_SCRIPT		FU_SOURCE_DIR "/tests/integration/fake_nominatim.py"
#define FAKENOM_START_MS	10000	/* until it wrote its port */
#define FAKENOM_LOG_MAX		(4u * 1024 * 1024)	/* bytes of requests.jsonl read */

struct fakenom {
	pid_t	 pid;		/* -1: not running */
	int	 port;
	char	 dir[64];
	char	 url[64];	/* "http://127.0.0.1:PORT": NOMINATIM_URL */
};

/* Starts a fake with a fresh folder; 0 once it listens, else -1. */
int	 fakenom_start(struct fakenom *);
/* Stops it (SIGTERM, then SIGKILL) and removes its folder unless
 * FU_KEEP_TMP is set.  Accepts a fake that never started or stopped. */
void	 fakenom_stop(struct fakenom *);
/* Answers every request in `mode` from now on; NULL: by the query again.
 * 0 or -1. */
int	 fakenom_set_mode(struct fakenom *, const char *mode);
/* The recorded requests, an array of objects in arrival order (caller
 * puts), or NULL when the log cannot be read or a line is not JSON. */
struct json_object *fakenom_requests(const struct fakenom *);
/* How many requests it recorded, or -1. */
int	 fakenom_count(const struct fakenom *);

/*
 * A loopback port where nothing listens and connections are refused at
 * once: a TCP socket bound to 127.0.0.1:0 and never listening, so the port
 * cannot be taken by anyone else while *fd stays open.  Returns the port,
 * or -1; the caller closes *fd when done.
 */
int	 fakenom_refused_port(int *fd);

#endif
