/*
 * events: resumable SSE answers (MCP 2025-11-25 Transports, "Resumability
 * and Redelivery"), kept in the shared database (mcp_stream_events,
 * schema/sqlite/0009) so that any process of any host can redeliver them.
 *
 * An SSE answer to a POST made in a session is a stream: it opens with a
 * priming event (an id, "retry: EVENTS_RETRY_MS", empty data) and every
 * later event carries the id "<stream>-<seq>" (16 random hex digits, then
 * a counter) and is stored, the answer to the request marked final.  The
 * server may stop writing a stream before its answer (mcp_stream_close);
 * the client then comes back with GET, Mcp-Session-Id and Last-Event-ID
 * and gets the events after that one, of that stream only, up to its
 * answer.  When the answer is not there yet (the call still runs in some
 * process) the GET waits for it, polling, at most
 * MCP_CLIENT_REQUEST_TIMEOUT_SECONDS.
 *
 * Bounds: a message over EVENTS_MESSAGE_MAX is sent but not stored; a
 * session keeps at most EVENTS_PER_SESSION_MAX events (the oldest go);
 * events older than EVENTS_TTL_SECONDS are gone; one GET replays at most
 * EVENTS_REPLAY_MAX events and EVENTS_REPLAY_BYTES bytes, then ends (the
 * client resumes again from the last id it got).  Events go with their
 * session (DELETE, idle end, the user's removal).
 */
#ifndef FCGI_USERS_MCP_EVENTS_H
#define FCGI_USERS_MCP_EVENTS_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct mcp_call;

#define EVENTS_RETRY_MS		500		/* the client's wait before it resumes */
#define EVENTS_STREAM_LEN	16		/* hex digits of a stream id */
#define EVENTS_ID_MAX		(EVENTS_STREAM_LEN + 1 + 9)	/* "<stream>-<seq>" */
#define EVENTS_SEQ_MAX		999999999
#define EVENTS_MESSAGE_MAX	(256 * 1024)	/* bytes of one stored message */
#define EVENTS_PER_SESSION_MAX	256
#define EVENTS_TTL_SECONDS	600
#define EVENTS_REPLAY_MAX	64		/* events per GET */
#define EVENTS_REPLAY_BYTES	(1024 * 1024)	/* message bytes per GET */

enum events_err {
	EVENTS_OK,
	EVENTS_EBADID,		/* Last-Event-ID is not one of ours */
	EVENTS_ENOTFOUND,	/* no such event in the session (or expired) */
	EVENTS_EDB,
	EVENTS__MAX
};

struct events_pos {
	char		 stream[EVENTS_STREAM_LEN + 1];
	int64_t		 seq;
};

const char	*events_strerror(enum events_err);
/* Parses an event id: EVENTS_OK or EVENTS_EBADID. */
enum events_err	 events_parse_id(const char *, struct events_pos *);
/*
 * Begins the stream of the call (a session's SSE answer): picks its id,
 * stores and writes the priming event.  -1 when the stream cannot be
 * resumable (no session, the database): its events then carry no id.
 */
int		 events_begin(struct mcp_call *);
/*
 * The next event of the call's stream: its id into id (EVENTS_ID_MAX + 1
 * bytes) once text (len bytes) is stored, final when it answers the
 * request.  0, or -1 (the event is then sent without an id).
 */
int		 events_store(struct mcp_call *, const char *text, size_t len,
		    int final, char *id);
/*
 * GET with Last-Event-ID: checks that the event exists in the call's
 * session (EVENTS_ENOTFOUND otherwise, nothing written), then begins the
 * SSE answer and writes the events after it, waiting for the final one.
 */
enum events_err	 events_replay(struct mcp_call *, const struct events_pos *);

#endif
