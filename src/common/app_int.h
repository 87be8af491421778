/*
 * app_int: what app.c and app_io.c share inside libcommon — where a
 * request came from and where its answer goes, and the headers every
 * answer carries.  Not for programs: they use app.h.
 */
#ifndef FCGI_USERS_APP_INT_H
#define FCGI_USERS_APP_INT_H

#include <stddef.h>

#include <fcgiapp.h>

struct request;
struct response;

/* Where a request came from and where its answer goes. */
struct app_io {
	FCGX_Request	*fcgi;		/* NULL in CGI mode: stdin/stdout */
};

/* Reads up to n bytes of the body; returns how many came. */
size_t	 app_io_read(struct app_io *, char *buf, size_t n);
/* Writes the answer of a request that was not streamed. */
void	 app_write_response(struct app_io *, struct request *, struct response *);
/* Adds what every answer carries: CORS (when the Origin is allowed) and
 * X-Request-ID.  Called once, just before the head is written. */
void	 app_final_headers(struct request *, struct response *);

#endif
