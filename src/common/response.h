/*
 * response: what a handler answers — status, headers and a body — built in
 * the request arena and written by app.  Helpers produce FastAPI's error
 * bodies: {"detail": "..."} and pydantic-2 style 422 lists.
 */
#ifndef FCGI_USERS_RESPONSE_H
#define FCGI_USERS_RESPONSE_H

#include <stddef.h>

struct arena;
struct json_object;

#define RESPONSE_MAX_HEADERS	24

struct response_header {
	const char	*name;
	const char	*value;
};

struct response {
	struct arena		*arena;
	int			 status;	/* 0 until a handler sets one */
	const char		*content_type;	/* NULL: no body */
	const char		*body;
	size_t			 body_len;
	struct response_header	 headers[RESPONSE_MAX_HEADERS];
	size_t			 n_headers;
	int			 streamed;	/* app_stream_begin wrote the head */
	int			 stream_failed;	/* a streamed write failed: client gone */
};

void	 response_init(struct response *, struct arena *);
/* Adds a header (both strings must outlive the response: arena or static).
 * Returns -1 when the table is full. */
int	 response_header(struct response *, const char *name, const char *value);
/* Replaces a header of that name (case-insensitive) or adds it. */
int	 response_set_header(struct response *, const char *name, const char *value);
const char *response_get_header(const struct response *, const char *name);

/* Serialises `obj` as compact JSON with status; drops the caller's reference. */
void	 response_json(struct response *, int status, struct json_object *obj);
/* A raw JSON text (copied into the arena). */
void	 response_json_text(struct response *, int status, const char *json);
/* {"detail": detail} */
void	 response_error(struct response *, int status, const char *detail);
void	 response_errorf(struct response *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* 422 {"detail": items}; takes the caller's reference to the array. */
void	 response_validation(struct response *, struct json_object *items);
/* A status with no body (204, 202, 307 …). */
void	 response_empty(struct response *, int status);
/* A plain-text body. */
void	 response_text(struct response *, int status, const char *text);
/*
 * A body of any type that is not copied: `body` (len bytes) must outlive
 * the response, as data built into the program does (users.fcgi's /docs).
 */
void	 response_static(struct response *, int status, const char *type,
	    const void *body, size_t len);
/* 401 {"detail":"Unauthorized"} with WWW-Authenticate: Bearer (+ error=…). */
void	 response_unauthorized(struct response *, const char *bearer_error);

/* The reason phrase of a status ("Not Found"); "Unknown" for others. */
const char *response_reason(int status);

#endif
