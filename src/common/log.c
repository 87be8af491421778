/*
 * log: JSON lines on stderr (see log.h).  Each line is built whole and
 * written with one write(2), so lines of concurrent processes sharing the
 * web server's error log do not interleave.  json-c does the escaping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"

static const char	*log_program = "fcgi-users";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static char		 log_request_id[129];

static const char *const level_names[LOG_LEVEL__MAX] = {
	[LOG_LEVEL_DEBUG] = "DEBUG",
	[LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_WARNING] = "WARNING",
	[LOG_LEVEL_ERROR] = "ERROR",
	[LOG_LEVEL_CRITICAL] = "CRITICAL",
};

enum {
	LOG_ACCESS_TIME, LOG_ACCESS_LEVEL, LOG_ACCESS_PROGRAM, LOG_ACCESS_MSG,
	LOG_ACCESS_REQUEST_ID, LOG_ACCESS_METHOD, LOG_ACCESS_PATH,
	LOG_ACCESS_STATUS, LOG_ACCESS_DURATION, LOG_ACCESS_USER,
	LOG_ACCESS__FIELDS
};

/*
 * The access line's object, made once: its keys and their order stay,
 * and each request sets the values in place, which spares a dozen
 * allocations and a hash table per request.
 */
static struct json_object	*access_line;
static struct json_object	*access_val[LOG_ACCESS__FIELDS];

static const char *const access_keys[LOG_ACCESS__FIELDS] = {
	"time", "level", "program", "msg", "request_id", "method", "path",
	"status", "duration_us", "user_id",
};

static void	access_set(int, const char *);

void
log_init(const char *program)
{
	if (program != NULL)
		log_program = program;
	if (access_line != NULL)
		access_set(LOG_ACCESS_PROGRAM, log_program);
}

void
log_set_level(enum log_level l)
{
	if (l < LOG_LEVEL__MAX)
		log_level = l;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return -1;
	if (strcasecmp(s, "WARN") == 0)
		return LOG_LEVEL_WARNING;
	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(enum log_level l)
{
	return l < LOG_LEVEL__MAX ? level_names[l] : "UNKNOWN";
}

void
log_set_request_id(const char *id)
{
	if (id == NULL)
		log_request_id[0] = '\0';
	else
		snprintf(log_request_id, sizeof(log_request_id), "%s", id);
}

/* v (0 <= v < 10^w) as exactly w digits at p; returns p + w. */
static char *
put_digits(char *p, long v, int w)
{
	int	 i;

	for (i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + w;
}

/* Written by hand: snprintf's seven conversions cost more than the rest of
 * an access line's formatting (callgrind), and every request writes two. */
void
log_timestamp(char *buf, size_t len, enum log_timefmt fmt)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[40], *p = t;
	int		 us = fmt == LOG_TIME_US_OFFSET;
	size_t		 n;

	if (len == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		snprintf(buf, len, "%s", us ? "0000-01-01T00:00:00.000000+00:00" :
		    "0000-01-01T00:00:00.000Z");
		return;
	}
	p = put_digits(p, tm.tm_year + 1900, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon + 1, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	*p++ = '.';
	if (us) {
		p = put_digits(p, ts.tv_nsec / 1000, 6);
		memcpy(p, "+00:00", 6);
		p += 6;
	} else {
		p = put_digits(p, ts.tv_nsec / 1000000, 3);
		*p++ = 'Z';
	}
	n = (size_t)(p - t);
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

static void
log_emit(struct json_object *o)
{
	const char	*s;
	size_t		 len;
	char		 line[8192];
	ssize_t		 w;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;		/* XXX a cut line is not JSON; lines are short */
	memcpy(line, s, len);
	line[len++] = '\n';
	w = write(STDERR_FILENO, line, len);
	(void)w;
}

static struct json_object *
log_head(const char *level)
{
	struct json_object	*o;
	char			 t[64];

	log_timestamp(t, sizeof(t), LOG_TIME_MS_Z);
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string(t));
	json_object_object_add(o, "level", json_object_new_string(level));
	json_object_object_add(o, "program", json_object_new_string(log_program));
	return o;
}

void
log_msg(enum log_level level, const char *msg, ...)
{
	struct json_object	*o;
	va_list			 ap;
	const char		*k, *v;

	if (level < log_level || level >= LOG_LEVEL__MAX)
		return;
	if ((o = log_head(level_names[level])) == NULL)
		return;
	if (log_request_id[0] != '\0')
		json_object_object_add(o, "request_id",
		    json_object_new_string(log_request_id));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		json_object_object_add(o, k,
		    v == NULL ? NULL : json_object_new_string(v));
	}
	va_end(ap);
	log_emit(o);
	json_object_put(o);
}

static int
access_line_make(void)
{
	struct json_object	*o, *v;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	for (i = 0; i < LOG_ACCESS__FIELDS; i++) {
		switch (i) {
		case LOG_ACCESS_STATUS:
			v = json_object_new_int(0);
			break;
		case LOG_ACCESS_DURATION:
			v = json_object_new_int64(0);
			break;
		default:
			v = json_object_new_string("");
			break;
		}
		if (v == NULL || json_object_object_add(o, access_keys[i], v) != 0) {
			json_object_put(v);
			json_object_put(o);
			return -1;
		}
		access_val[i] = v;
	}
	json_object_set_string(access_val[LOG_ACCESS_LEVEL], "INFO");
	json_object_set_string(access_val[LOG_ACCESS_MSG], "access");
	json_object_set_string(access_val[LOG_ACCESS_PROGRAM], log_program);
	access_line = o;
	return 0;
}

/*
 * Sets field i to s (NULL: "").  An empty string gets a new value object:
 * json-c 0.16's json_object_set_string loses a string's heap buffer when
 * it is set to "" (0.17 frees it).
 */
static void
access_set(int i, const char *s)
{
	struct json_object	*v;

	if (s != NULL && *s != '\0') {
		json_object_set_string(access_val[i], s);
		return;
	}
	if ((v = json_object_new_string("")) == NULL)
		return;
	json_object_object_add(access_line, access_keys[i], v);
	access_val[i] = v;
}

void
log_access(const struct log_access *a)
{
	char	 t[64];

	if (LOG_LEVEL_INFO < log_level)
		return;
	if (access_line == NULL && access_line_make() != 0)
		return;
	log_timestamp(t, sizeof(t), LOG_TIME_MS_Z);
	access_set(LOG_ACCESS_TIME, t);
	access_set(LOG_ACCESS_REQUEST_ID, a->request_id);
	access_set(LOG_ACCESS_METHOD, a->method);
	access_set(LOG_ACCESS_PATH, a->path);
	json_object_set_int(access_val[LOG_ACCESS_STATUS], a->status);
	json_object_set_int64(access_val[LOG_ACCESS_DURATION], a->duration_us);
	if (a->user_id != NULL) {
		access_set(LOG_ACCESS_USER, a->user_id);
		log_emit(access_line);
		return;
	}
	/* null for no user: the key keeps its place, null stands in for the
	 * string while the line is written (the reference kept here). */
	json_object_get(access_val[LOG_ACCESS_USER]);
	json_object_object_add(access_line, "user_id", NULL);
	log_emit(access_line);
	json_object_object_add(access_line, "user_id", access_val[LOG_ACCESS_USER]);
}
