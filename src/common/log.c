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

void
log_init(const char *program)
{
	if (program != NULL)
		log_program = program;
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

void
log_timestamp(char *buf, size_t len, enum log_timefmt fmt)
{
	struct timespec	 ts;
	struct tm	 tm;
	int		 us = fmt == LOG_TIME_US_OFFSET;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%0*ld%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, us ? 6 : 3,
	    us ? ts.tv_nsec / 1000 : ts.tv_nsec / 1000000, us ? "+00:00" : "Z");
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

void
log_access(const struct log_access *a)
{
	struct json_object	*o;

	if (LOG_LEVEL_INFO < log_level)
		return;
	if ((o = log_head("INFO")) == NULL)
		return;
	json_object_object_add(o, "msg", json_object_new_string("access"));
	json_object_object_add(o, "request_id",
	    json_object_new_string(a->request_id ? a->request_id : ""));
	json_object_object_add(o, "method",
	    json_object_new_string(a->method ? a->method : ""));
	json_object_object_add(o, "path",
	    json_object_new_string(a->path ? a->path : ""));
	json_object_object_add(o, "status", json_object_new_int(a->status));
	json_object_object_add(o, "duration_us",
	    json_object_new_int64(a->duration_us));
	json_object_object_add(o, "user_id", a->user_id == NULL ? NULL :
	    json_object_new_string(a->user_id));
	log_emit(o);
	json_object_put(o);
}
