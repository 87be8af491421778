/*
 * fuzz_io: memory streams behind libfcgi's FCGX_Stream (see fuzz_io.h).
 * libfcgi calls fillBuffProc when a reader has used its buffer and
 * emptyBuffProc when a writer's buffer is full or flushed; here the
 * reader's one buffer is the whole body, and the writer's is emptied.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_io.h"

static void
fill(FCGX_Stream *s)
{
	s->isClosed = 1;	/* the body has been read whole: end of stream */
}

static void
empty(FCGX_Stream *s, int doClose)
{
	struct fuzz_io *f = s->data;

	f->written += (size_t)(s->wrNext - f->outbuf);
	s->wrNext = f->outbuf;
	if (doClose)
		s->isClosed = 1;
}

void
fuzz_io_init(struct fuzz_io *f, const void *body, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->in.rdNext = f->in.stopUnget = (unsigned char *)(uintptr_t)body;
	f->in.stop = f->in.wrNext = f->in.rdNext + len;
	f->in.isReader = 1;
	f->in.fillBuffProc = fill;
	f->in.data = f;
	f->out.wrNext = f->out.rdNext = f->outbuf;
	f->out.stop = f->outbuf + sizeof(f->outbuf);
	f->out.emptyBuffProc = empty;
	f->out.data = f;
	f->fr.in = &f->in;
	f->fr.out = &f->out;
	f->io.fcgi = &f->fr;
}

size_t
fuzz_io_written(const struct fuzz_io *f)
{
	return f->written + (size_t)(f->out.wrNext - f->outbuf);
}
