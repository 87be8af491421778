/*
 * fuzz_io: libfcgi streams in memory for the fuzz targets that run
 * libcommon's request plumbing (fuzz_cgi, fuzz_mcprpc): the request body
 * is read from the fuzz input, and what the program writes (a streamed
 * SSE answer) is counted and dropped, as a FastCGI connection would carry
 * it.  Nothing touches stdin or stdout.
 */
#ifndef FCGI_USERS_FUZZ_IO_H
#define FCGI_USERS_FUZZ_IO_H

#include <stddef.h>

#include <fcgiapp.h>

#include "app_int.h"

struct fuzz_io {
	FCGX_Stream	 in, out;
	FCGX_Request	 fr;
	struct app_io	 io;
	unsigned char	 outbuf[512];
	size_t		 written;	/* bytes the program wrote, flushed */
};

/* Sets f up to read (body, len) (borrowed) and to drop what is written;
 * &f->io is what a struct request's io points to. */
void	 fuzz_io_init(struct fuzz_io *f, const void *body, size_t len);
/* Bytes written so far (flushed or not). */
size_t	 fuzz_io_written(const struct fuzz_io *f);

#endif
