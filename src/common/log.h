/*
 * log: JSON lines on stderr, which the web server keeps in its error log.
 * One access line per request and error lines with a message and fields.
 * Nothing secret is ever passed here: no password, token, hash, key or
 * Authorization header (callers log ids and reasons, never values).
 */
#ifndef FCGI_USERS_LOG_H
#define FCGI_USERS_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_CRITICAL,
	LOG_LEVEL__MAX
};

/* Program name put in every line ("users.fcgi"); the string must outlive the log. */
void		 log_init(const char *program);
void		 log_set_level(enum log_level);
enum log_level	 log_get_level(void);
/* "DEBUG".."CRITICAL" (any case) → level; -1 when unknown. */
int		 log_level_parse(const char *);
const char	*log_level_name(enum log_level);
/* The request id added to error lines until the next call (NULL clears it). */
void		 log_set_request_id(const char *);

/*
 * Now as ISO 8601 UTC into buf: with 3 fractional digits and "Z"
 * ("2026-11-26T22:55:44.123Z", the log's and the database's form) or with
 * 6 and "+00:00" (Python's datetime.now(timezone.utc).isoformat()).
 */
enum log_timefmt {
	LOG_TIME_MS_Z,
	LOG_TIME_US_OFFSET,
};
void		 log_timestamp(char *buf, size_t len, enum log_timefmt);

/*
 * A line at `level` with message `msg` and optional extra fields given as
 * pairs of (key, string value) ending with NULL: log_msg(LOG_LEVEL_ERROR,
 * "database unavailable", "setting", "DATABASE_URL", "reason", why, NULL).
 */
void		 log_msg(enum log_level, const char *msg, ...)
		    __attribute__((sentinel));

struct log_access {
	const char	*request_id;
	const char	*method;
	const char	*path;		/* without the query */
	int		 status;
	int64_t		 duration_us;
	const char	*user_id;	/* NULL when nobody was authenticated */
};
void		 log_access(const struct log_access *);

#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__, (char *)NULL)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__, (char *)NULL)
#define log_warn(...)	log_msg(LOG_LEVEL_WARNING, __VA_ARGS__, (char *)NULL)
#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__, (char *)NULL)

#endif
