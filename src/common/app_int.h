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
	size_t		 consumed;	/* body bytes read so far */
};

/* Reads up to n bytes of the body; returns how many came. */
size_t	 app_io_read(struct app_io *, char *buf, size_t n);
/*
 * CGI mode, once the answer is written: reads and drops what is left of a
 * body of CONTENT_LENGTH bytes (at most APP_CGI_DRAIN_MAX), so that the
 * web server is not cut off while it still writes it (RFC 3875 §4.2
 * lets a script leave it; Apache's mod_cgid then loses the answer).
 */
#define APP_CGI_DRAIN_MAX	(64u * 1024 * 1024)
void	 app_io_cgi_drain(struct app_io *, const char *content_length);
/* Writes the answer of a request that was not streamed. */
void	 app_write_response(struct app_io *, struct request *, struct response *);
/* Adds what every answer carries: CORS (when the Origin is allowed) and
 * X-Request-ID.  Called once, just before the head is written. */
void	 app_final_headers(struct request *, struct response *);

#endif
