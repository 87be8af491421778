/*
 * session: MCP sessions (Streamable HTTP "Session Management") in the
 * shared database, so that every process of every host serves every
 * session.  An id is 128 random bits as 32 lower-case hex digits; only
 * its SHA-256 is stored.  A session belongs to the user who made it: for
 * anyone else it does not exist.  Unused for MCP_SESSION_IDLE_MINUTES it
 * ends by itself; a user keeps at most SESSION_MAX_PER_USER, the oldest
 * giving way.
 */
#ifndef FCGI_USERS_MCP_SESSION_H
#define FCGI_USERS_MCP_SESSION_H

#include <stdint.h>

struct db;

#define SESSION_ID_BYTES	16			/* random bytes in an id */
#define SESSION_ID_LEN		(2 * SESSION_ID_BYTES)	/* hex digits */
#define SESSION_VERSION_MAX	16			/* bytes of a protocol version */
#define SESSION_MAX_PER_USER	64
#define SESSION_TOUCH_SECONDS	60	/* last_seen is written at most this often */

enum session_err {
	SESSION_OK,
	SESSION_NOTFOUND,	/* unknown, ended, idle too long, or another user's */
	SESSION_EDB,
	SESSION_ERANDOM,	/* the random source failed */
	SESSION__MAX
};

struct session {
	char		 id[SESSION_ID_LEN + 1];
	char		 id_hash[65];		/* hex SHA-256 of id: the key of its rows */
	char		 user_id[37];
	char		 version[SESSION_VERSION_MAX + 1];
	char		 log_level[16];		/* "" when none was set */
	int64_t		 last_seen;
	unsigned	 client_caps;		/* SESSION_CAP_* bits initialize declared */
};

/* What the client declared it can answer (initialize's params.capabilities). */
#define SESSION_CAP_SAMPLING	(1u << 0)
#define SESSION_CAP_ELICITATION	(1u << 1)
#define SESSION_CAP_ROOTS	(1u << 2)

const char	*session_strerror(enum session_err);
/* Whether s looks like an id we hand out (32 lower-case hex digits). */
int		 session_id_valid(const char *s);
/* A new session of user_id at protocol `version`, the client declaring
 * caps (SESSION_CAP_* bits); *out gets its id.  Sessions of anyone idle
 * idle_s seconds or more are removed on the way. */
enum session_err session_create(struct db *, const char *user_id,
		    const char *version, unsigned caps, int64_t now, int64_t idle_s,
		    struct session *out);
/*
 * The session `id` of user_id, as its row says; a row of another user is
 * SESSION_NOTFOUND.  Only reads: it may run inside the caller's read
 * snapshot (db_read_begin), which session_keep must not.
 */
enum session_err session_find(struct db *, const char *id, const char *user_id,
		    struct session *out);
/*
 * What using a found session writes: it is removed (SESSION_NOTFOUND,
 * *s cleared) when it has been idle idle_s seconds or more, and its
 * last_seen is touched at most once every SESSION_TOUCH_SECONDS.
 */
enum session_err session_keep(struct db *, struct session *s, int64_t now,
		    int64_t idle_s);
/* Ends the session `id` of user_id. */
enum session_err session_end(struct db *, const char *id, const char *user_id);
/* Records the level of logging/setLevel. */
enum session_err session_set_log_level(struct db *, struct session *,
		    const char *level);

#endif
