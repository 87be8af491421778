/*
 * app_io: the bytes of one exchange with the web server (see app.h and
 * app_int.h): the request body per CONTENT_LENGTH (RFC 3875 §4.2) with
 * the MAX_REQUEST_BODY_BYTES cap, read before the handler or, for a
 * ROUTE_DEFER_BODY route, when the handler asks; the answer as a CGI
 * response (RFC 3875 §6: Status, then headers, then the body), written
 * whole, or streamed: head first, then each piece of the body flushed to
 * the web server as it is written (FastCGI §5.3: one FCGI_STDOUT record
 * per flush), for Server-Sent Events.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app_int.h"
#include "arena.h"
#include "log.h"

#define HEAD_MAX	8192	/* bytes of the status line and headers */

size_t
app_io_read(struct app_io *io, char *buf, size_t n)
{
	size_t	 got = 0;
	int	 r;
	size_t	 chunk;

	while (got < n) {
		chunk = n - got > (1 << 30) ? (1 << 30) : n - got;
		if (io->fcgi != NULL)
			r = FCGX_GetStr(buf + got, (int)chunk, io->fcgi->in);
		else
			r = (int)fread(buf + got, 1, chunk, stdin);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	io->consumed += got;
	return got;
}

void
app_io_cgi_drain(struct app_io *io, const char *content_length)
{
	char	 buf[16384];
	int64_t	 len;
	size_t	 left, n;

	if (io->fcgi != NULL || content_length == NULL ||
	    config_strtonum(content_length, 0, INT64_MAX, &len) != 0 ||
	    (uint64_t)len <= io->consumed)
		return;
	left = (uint64_t)len - io->consumed;
	if (left > APP_CGI_DRAIN_MAX)
		left = APP_CGI_DRAIN_MAX;
	while (left > 0) {
		n = fread(buf, 1, left < sizeof(buf) ? left : sizeof(buf), stdin);
		if (n == 0)
			break;
		left -= n;
	}
}

/* Writes n bytes; -1 when the web server is gone. */
static int
io_write(struct app_io *io, const char *buf, size_t n)
{
	if (n == 0)
		return 0;
	if (io->fcgi != NULL)
		return FCGX_PutStr(buf, (int)n, io->fcgi->out) == (int)n ? 0 : -1;
	return fwrite(buf, 1, n, stdout) == n ? 0 : -1;
}

static int
io_flush(struct app_io *io)
{
	if (io->fcgi != NULL)
		return FCGX_FFlush(io->fcgi->out) == 0 ? 0 : -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

int
app_read_body(struct request *req, struct response *resp)
{
	const char	*cl;
	int64_t		 len, max;
	char		*buf;

	if (req->body_state != 0)
		return req->body_state > 0 ? 0 : -1;
	req->body_state = -1;
	req->body = "";
	req->body_len = 0;
	max = req->app != NULL ? req->app->config.max_body_bytes : 0;
	if (max <= 0)
		max = 1 << 20;
	if ((cl = request_param(req, "CONTENT_LENGTH")) == NULL || *cl == '\0') {
		req->body_state = 1;
		return 0;
	}
	if (config_strtonum(cl, 0, INT64_MAX, &len) != 0) {
		response_error(resp, 400, "Invalid Content-Length");
		return -1;
	}
	if (len > max) {
		response_error(resp, 413, "Request body too large");
		return -1;
	}
	if ((buf = arena_alloc(req->arena, (size_t)len + 1)) == NULL) {
		response_error(resp, 503, "Service Unavailable");
		return -1;
	}
	if (req->io == NULL || app_io_read(req->io, buf, (size_t)len) != (size_t)len) {
		response_error(resp, 400, "Incomplete request body");
		return -1;
	}
	buf[len] = '\0';
	req->body = buf;
	req->body_len = (size_t)len;
	req->body_state = 1;
	return 0;
}

/*
 * The status line and headers into head (HEAD_MAX bytes); with_length
 * adds Content-Type and Content-Length for a body written whole, else
 * only Content-Type.  Returns the length.
 */
static size_t
format_head(const struct response *resp, char *head, int with_length)
{
	size_t	 i, n;
	int	 w;

	w = snprintf(head, HEAD_MAX, "Status: %d %s\r\n", resp->status,
	    response_reason(resp->status));
	n = (size_t)w;
	if (resp->content_type != NULL) {
		if (with_length)
			w = snprintf(head + n, HEAD_MAX - n,
			    "Content-Type: %s\r\nContent-Length: %zu\r\n",
			    resp->content_type, resp->body_len);
		else
			w = snprintf(head + n, HEAD_MAX - n, "Content-Type: %s\r\n",
			    resp->content_type);
		if (w > 0 && (size_t)w < HEAD_MAX - n)
			n += (size_t)w;
	} else if (resp->status != 204 && resp->status != 304) {
		w = snprintf(head + n, HEAD_MAX - n, "Content-Length: 0\r\n");
		n += (size_t)w;
	}
	for (i = 0; i < resp->n_headers; i++) {
		/* Header values are ours or checked; CR/LF never get through. */
		if (strpbrk(resp->headers[i].value, "\r\n") != NULL)
			continue;
		w = snprintf(head + n, HEAD_MAX - n, "%s: %s\r\n",
		    resp->headers[i].name, resp->headers[i].value);
		if (w < 0 || (size_t)w >= HEAD_MAX - n - 2)
			break;		/* XXX headers past 8 KiB are dropped */
		n += (size_t)w;
	}
	head[n++] = '\r';
	head[n++] = '\n';
	return n;
}

void
app_write_response(struct app_io *io, struct request *req, struct response *resp)
{
	char	 head[HEAD_MAX];
	size_t	 n;

	n = format_head(resp, head, 1);
	(void)io_write(io, head, n);
	if (req->method != HTTP_HEAD && resp->body != NULL)
		(void)io_write(io, resp->body, resp->body_len);
}

int
app_stream_begin(struct request *req, struct response *resp, int status,
    const char *content_type)
{
	char	 head[HEAD_MAX];
	size_t	 n;

	if (resp->streamed || req->io == NULL)
		return -1;
	resp->status = status;
	resp->content_type = content_type;
	resp->body = NULL;
	resp->body_len = 0;
	resp->streamed = 1;
	app_final_headers(req, resp);
	n = format_head(resp, head, 0);
	if (io_write(req->io, head, n) != 0 || io_flush(req->io) != 0) {
		resp->stream_failed = 1;
		return -1;
	}
	return 0;
}

int
app_stream_write(struct request *req, struct response *resp, const char *buf,
    size_t len)
{
	if (!resp->streamed || resp->stream_failed)
		return -1;
	if (req->method == HTTP_HEAD)
		return 0;
	if (io_write(req->io, buf, len) != 0 || io_flush(req->io) != 0) {
		/* The client went away; the handler may stop early. */
		resp->stream_failed = 1;
		return -1;
	}
	resp->body_len += len;
	return 0;
}
