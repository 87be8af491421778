/*
 * fake_nominatim_util: see fake_nominatim_util.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fake_nominatim_util.h"

#define STOP_MS	5000

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* A whole file of at most max bytes, NUL-terminated, length in *len; NULL
 * when it cannot be read or is longer.  Caller frees. */
static char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		fprintf(stderr, "fake_nominatim: %s is over %zu bytes\n", path, max);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

int
fakenom_start(struct fakenom *f)
{
	char		 path[128], *text, *end;
	int64_t		 t0;
	long		 port;
	int		 status;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fu-fake-nominatim.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		fprintf(stderr, "fake_nominatim: mkdtemp: %s\n", strerror(errno));
		f->dir[0] = '\0';
		return -1;
	}
	if ((f->pid = fork()) == -1) {
		fprintf(stderr, "fake_nominatim: fork: %s\n", strerror(errno));
		return -1;
	}
	if (f->pid == 0) {
		execl(FAKENOM_PYTHON, FAKENOM_PYTHON, FAKENOM_SCRIPT, "--dir", f->dir,
		    (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", FAKENOM_PYTHON, strerror(errno));
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/port", f->dir);
	for (t0 = mono_ms(); mono_ms() - t0 < FAKENOM_START_MS; nap_ms(20)) {
		if ((text = read_file(path, 64, NULL)) != NULL) {
			port = strtol(text, &end, 10);
			if (port < 1 || port > 65535 || (*end != '\n' && *end != '\0')) {
				fprintf(stderr, "fake_nominatim: bad port file: \"%s\"\n",
				    text);
				free(text);
				return -1;
			}
			free(text);
			f->port = (int)port;
			snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
			return 0;
		}
		if (waitpid(f->pid, &status, WNOHANG) == f->pid) {
			fprintf(stderr, "fake_nominatim.py exited at start (status %d)\n",
			    status);
			f->pid = -1;
			return -1;
		}
	}
	fprintf(stderr, "fake_nominatim.py did not start within %d ms\n",
	    FAKENOM_START_MS);
	return -1;
}

void
fakenom_stop(struct fakenom *f)
{
	char	 cmd[128];
	int64_t	 t0;

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		for (t0 = mono_ms(); waitpid(f->pid, NULL, WNOHANG) == 0; nap_ms(20))
			if (mono_ms() - t0 > STOP_MS) {
				kill(f->pid, SIGKILL);
				waitpid(f->pid, NULL, 0);
				break;
			}
	}
	f->pid = -1;
	if (f->dir[0] != '\0') {
		if (getenv("FU_KEEP_TMP") != NULL)
			fprintf(stderr, "fake_nominatim: kept %s\n", f->dir);
		else {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
			if (system(cmd) != 0)
				fprintf(stderr, "fake_nominatim: cannot remove %s\n", f->dir);
		}
	}
	f->dir[0] = '\0';
}

int
fakenom_set_mode(struct fakenom *f, const char *mode)
{
	char	 path[128], tmp[128];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/mode", f->dir);
	if (mode == NULL) {
		if (unlink(path) == -1 && errno != ENOENT) {
			fprintf(stderr, "fake_nominatim: %s: %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s/mode.tmp", f->dir);
	if ((fp = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "fake_nominatim: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(fp, "%s\n", mode);
	if (fclose(fp) != 0 || rename(tmp, path) == -1) {
		fprintf(stderr, "fake_nominatim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct json_object *
fakenom_requests(const struct fakenom *f)
{
	struct json_object	*arr, *o;
	char			 path[128], *text, *line, *nl;
	size_t			 len;

	snprintf(path, sizeof(path), "%s/requests.jsonl", f->dir);
	if ((text = read_file(path, FAKENOM_LOG_MAX, &len)) == NULL) {
		fprintf(stderr, "fake_nominatim: cannot read %s\n", path);
		return NULL;
	}
	arr = json_object_new_array();
	for (line = text; *line != '\0'; line = nl + 1) {
		/* A line being written has no newline yet: not counted. */
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		o = json_tokener_parse(line);
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "fake_nominatim: not a JSON object: %.200s\n", line);
			json_object_put(o);
			json_object_put(arr);
			free(text);
			return NULL;
		}
		json_object_array_add(arr, o);
	}
	free(text);
	return arr;
}

int
fakenom_count(const struct fakenom *f)
{
	struct json_object	*a = fakenom_requests(f);
	int			 n;

	if (a == NULL)
		return -1;
	n = (int)json_object_array_length(a);
	json_object_put(a);
	return n;
}

int
fakenom_refused_port(int *fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	*fd = -1;
	if ((*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "socket: %s\n", strerror(errno));
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &len) == -1) {
		fprintf(stderr, "bind: %s\n", strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	return ntohs(sin.sin_port);
}
