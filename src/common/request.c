/*
 * request: decoding at the boundary (see request.h).  Every decoder takes
 * (buf, len), checks its caps before it allocates, and fails on malformed
 * percent-encoding or NUL bytes rather than handing on a truncated string
 * (RFC 3986 §2.1; WHATWG application/x-www-form-urlencoded; RFC 7578).
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "arena.h"
#include "request.h"

static const char *const method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_PATCH] = "PATCH",
	[HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

static const char *const request_errs[REQUEST__MAX] = {
	[REQUEST_OK] = "OK",
	[REQUEST_ENOMEM] = "Out of memory",
	[REQUEST_EENCODING] = "Invalid percent-encoding",
	[REQUEST_ENUL] = "NUL byte not allowed",
	[REQUEST_ETOOMANY] = "Too many fields",
	[REQUEST_EMALFORMED] = "Malformed form body",
	[REQUEST_ETOOLARGE] = "Request too large",
};

const char *
request_strerror(enum request_err e)
{
	return e < REQUEST__MAX ? request_errs[e] : "Bad request";
}

enum http_method
request_method_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return HTTP_METHOD__MAX;
	for (i = 0; i < HTTP_METHOD__MAX; i++)
		if (strcmp(s, method_names[i]) == 0)
			return i;
	return HTTP_METHOD__MAX;
}

const char *
request_method_name(enum http_method m)
{
	return m < HTTP_METHOD__MAX ? method_names[m] : "UNKNOWN";
}

struct param_ref {
	const char	*s;		/* NAME=VALUE */
	size_t		 len;		/* of NAME */
};

void
request_index_params(struct request *r)
{
	size_t		 n, i;
	const char	*eq;

	r->pidx = NULL;
	r->n_pidx = 0;
	if (r->params == NULL || r->arena == NULL)
		return;
	for (n = 0; r->params[n] != NULL; n++)
		;
	if (n == 0 || (r->pidx = arena_calloc(r->arena, n, sizeof(*r->pidx))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		/* A param without '=' names nothing (FCGX_GetParam skips it). */
		if ((eq = strchr(r->params[i], '=')) == NULL)
			continue;
		r->pidx[r->n_pidx].s = r->params[i];
		r->pidx[r->n_pidx].len = (size_t)(eq - r->params[i]);
		r->n_pidx++;
	}
}

const char *
request_param(const struct request *r, const char *name)
{
	size_t	 len, i;

	if (r->params == NULL)
		return NULL;
	if (r->pidx == NULL)
		return FCGX_GetParam(name, r->params);
	len = strlen(name);
	for (i = 0; i < r->n_pidx; i++)
		if (r->pidx[i].len == len && memcmp(r->pidx[i].s, name, len) == 0)
			return r->pidx[i].s + len + 1;
	return NULL;
}

const char *
request_header(const struct request *r, const char *name)
{
	char		 buf[128];
	size_t		 i, o;
	const char	*v;

	if (strcasecmp(name, "Content-Type") == 0)
		return request_param(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return request_param(r, "CONTENT_LENGTH");
	memcpy(buf, "HTTP_", 5);
	for (i = 0, o = 5; name[i] != '\0'; i++, o++) {
		if (o >= sizeof(buf) - 1)
			return NULL;
		buf[o] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	}
	buf[o] = '\0';
	v = request_param(r, buf);
	/* Apache rewrite rules pass it on as REDIRECT_HTTP_AUTHORIZATION. */
	if (v == NULL && strcmp(buf, "HTTP_AUTHORIZATION") == 0)
		v = request_param(r, "REDIRECT_HTTP_AUTHORIZATION");
	return v;
}

const struct kv *
kvlist_get(const struct kvlist *l, const char *name)
{
	size_t	 i;

	for (i = l->n; i > 0; i--)
		if (strcmp(l->items[i - 1].name, name) == 0)
			return &l->items[i - 1];
	return NULL;
}

const char *
request_query(const struct request *r, const char *name)
{
	const struct kv	*kv = kvlist_get(&r->query, name);

	return kv != NULL ? kv->value : NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum request_err
url_decode(struct arena *a, const char *src, size_t len, int plus_space,
    char **out, size_t *outlen)
{
	char	*d;
	size_t	 i, o = 0;
	int	 hi, lo;

	*out = NULL;
	if (len == SIZE_MAX || (d = arena_alloc(a, len + 1)) == NULL)
		return REQUEST_ENOMEM;
	for (i = 0; i < len; i++) {
		if (src[i] == '%') {
			if (len - i < 3)
				return REQUEST_EENCODING;
			if ((hi = hexval((unsigned char)src[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)src[i + 2])) < 0)
				return REQUEST_EENCODING;
			d[o] = (char)(hi << 4 | lo);
			i += 2;
		} else if (src[i] == '+' && plus_space)
			d[o] = ' ';
		else
			d[o] = src[i];
		if (d[o] == '\0')
			return REQUEST_ENUL;
		o++;
	}
	d[o] = '\0';
	*out = d;
	if (outlen != NULL)
		*outlen = o;
	return REQUEST_OK;
}

static enum request_err
kvlist_add(struct arena *a, struct kvlist *l, size_t max, const char *name,
    const char *value, size_t value_len, int is_file)
{
	struct kv	*n;
	size_t		 cap;

	if (l->n >= max)
		return REQUEST_ETOOMANY;
	if (l->n == l->cap) {
		cap = l->cap == 0 ? 8 : l->cap * 2;
		if (cap > max)
			cap = max;
		if ((n = arena_calloc(a, cap, sizeof(*n))) == NULL)
			return REQUEST_ENOMEM;
		if (l->n > 0)
			memcpy(n, l->items, l->n * sizeof(*n));
		l->items = n;
		l->cap = cap;
	}
	l->items[l->n].name = name;
	l->items[l->n].value = value;
	l->items[l->n].value_len = value_len;
	l->items[l->n].is_file = is_file;
	l->n++;
	return REQUEST_OK;
}

enum request_err
request_parse_urlencoded(struct arena *a, const char *buf, size_t len,
    size_t max_fields, struct kvlist *out)
{
	const char	*p, *end, *amp, *eq;
	char		*name, *value;
	size_t		 vlen;
	enum request_err e;

	for (p = buf, end = buf + len; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if (amp == p)
			continue;	/* empty piece: "a=1&&b=2" */
		if ((eq = memchr(p, '=', amp - p)) == NULL)
			eq = amp;
		if ((e = url_decode(a, p, eq - p, 1, &name, NULL)) != REQUEST_OK)
			return e;
		if (eq == amp)
			e = url_decode(a, "", 0, 1, &value, &vlen);
		else
			e = url_decode(a, eq + 1, amp - eq - 1, 1, &value, &vlen);
		if (e != REQUEST_OK)
			return e;
		if ((e = kvlist_add(a, out, max_fields, name, value, vlen, 0)) != REQUEST_OK)
			return e;
	}
	return REQUEST_OK;
}

/* --- multipart/form-data (RFC 7578, RFC 2046 §5.1.1) ----------------- */

/* Skips a quoted-string (RFC 9110 §5.6.4) starting at p; returns the
 * position after the closing quote, or end when it is unterminated. */
static const char *
skip_quoted(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	return p < end ? p + 1 : end;
}

/*
 * The value of parameter `param` in a header value like
 * `form-data; name="x"; filename="y"` (RFC 7578 §4.2); *out is NULL when
 * absent.  Parameters are split at semicolons outside quoted strings.
 */
static enum request_err
header_param(struct arena *a, const char *h, size_t hlen, const char *param,
    char **out)
{
	const char	*p = h, *end = h + hlen, *name, *v;
	size_t		 plen = strlen(param), nlen, n;
	char		*d;

	*out = NULL;
	/* Skip the first item (the disposition type or media type). */
	while (p < end && *p != ';')
		p = *p == '"' ? skip_quoted(p, end) : p + 1;
	while (p < end) {
		p++;	/* the ';' */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		name = p;
		while (p < end && *p != '=' && *p != ';')
			p++;
		nlen = p - name;
		while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			nlen--;
		if (p >= end || *p == ';')
			continue;	/* a parameter without a value */
		p++;	/* the '=' */
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		v = p;
		if (p < end && *p == '"')
			p = skip_quoted(p, end);
		else
			while (p < end && *p != ';')
				p++;
		if (nlen != plen || strncasecmp(name, param, plen) != 0) {
			while (p < end && *p != ';')
				p++;
			continue;
		}
		if (*v == '"') {
			if (p == v + 1 || p[-1] != '"' || p - v < 2)
				return REQUEST_EMALFORMED;	/* unterminated */
			if ((d = arena_alloc(a, p - v)) == NULL)
				return REQUEST_ENOMEM;
			for (n = 0, v++; v < p - 1; v++) {
				if (*v == '\\' && v + 1 < p - 1)
					v++;
				d[n++] = *v;
			}
			d[n] = '\0';
		} else {
			n = p - v;
			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if ((d = arena_strndup(a, v, n)) == NULL)
				return REQUEST_ENOMEM;
		}
		if (memchr(d, '\0', n) != NULL)
			return REQUEST_ENUL;
		*out = d;
		return REQUEST_OK;
	}
	return REQUEST_OK;
}

static const char *
memmem_bounded(const char *h, size_t hlen, const char *n, size_t nlen)
{
	return hlen < nlen ? NULL : memmem(h, hlen, n, nlen);
}

enum request_err
request_parse_multipart(struct arena *a, const char *content_type,
    const char *buf, size_t len, size_t max_fields, struct kvlist *out)
{
	char		*boundary, *delim, *name, *filename, *value;
	const char	*p, *end = buf + len, *hend, *next, *line, *eol;
	size_t		 dlen, blen;
	enum request_err e;
	int		 have_cd;

	if (content_type == NULL)
		return REQUEST_EMALFORMED;
	if ((e = header_param(a, content_type, strlen(content_type), "boundary",
	    &boundary)) != REQUEST_OK)
		return e;
	if (boundary == NULL || (blen = strlen(boundary)) == 0 || blen > 70)
		return REQUEST_EMALFORMED;
	/* Delimiter "\r\n--boundary"; the first may stand at the very start. */
	if ((delim = arena_printf(a, "\r\n--%s", boundary)) == NULL)
		return REQUEST_ENOMEM;
	dlen = blen + 4;
	if (len >= dlen - 2 && memcmp(buf, delim + 2, dlen - 2) == 0)
		p = buf + dlen - 2;
	else if ((p = memmem_bounded(buf, len, delim, dlen)) != NULL)
		p += dlen;
	else
		return REQUEST_EMALFORMED;
	for (;;) {
		/* After a delimiter: "--" closes, else CRLF starts a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return REQUEST_OK;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;	/* transport padding */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return REQUEST_EMALFORMED;
		p += 2;
		/* A part without headers has no name: malformed below. */
		if ((hend = memmem_bounded(p, end - p, "\r\n\r\n", 4)) == NULL)
			return REQUEST_EMALFORMED;
		if (hend + 2 - p > REQUEST_MAX_PART_HEADERS)
			return REQUEST_ETOOLARGE;
		name = filename = NULL;
		have_cd = 0;
		for (line = p; line < hend + 2; line = eol + 2) {
			eol = memmem_bounded(line, hend + 2 - line, "\r\n", 2);
			if (eol == NULL)
				break;
			if ((size_t)(eol - line) > 20 &&
			    strncasecmp(line, "Content-Disposition:", 20) == 0) {
				have_cd = 1;
				if ((e = header_param(a, line, eol - line, "name",
				    &name)) != REQUEST_OK)
					return e;
				if ((e = header_param(a, line, eol - line,
				    "filename", &filename)) != REQUEST_OK)
					return e;
			}
		}
		if (!have_cd || name == NULL)
			return REQUEST_EMALFORMED;
		p = hend + 4;
		if ((next = memmem_bounded(p, end - p, delim, dlen)) == NULL)
			return REQUEST_EMALFORMED;
		if (filename == NULL && memchr(p, '\0', next - p) != NULL)
			return REQUEST_ENUL;
		if ((value = arena_strndup(a, p, next - p)) == NULL)
			return REQUEST_ENOMEM;
		if ((e = kvlist_add(a, out, max_fields, name, value, next - p,
		    filename != NULL)) != REQUEST_OK)
			return e;
		p = next + dlen;
	}
}

/* --- path ------------------------------------------------------------- */

enum request_err
request_parse_path(struct arena *a, const char *request_uri,
    const char *script_name, const char *path_info, const char *base,
    const char **path, const char **raw_query)
{
	const char	*q;
	char		*d;
	size_t		 n, blen, dlen;
	enum request_err e;

	*path = NULL;
	*raw_query = NULL;
	if (request_uri != NULL && request_uri[0] == '/') {
		n = strcspn(request_uri, "?#");
		if (n > REQUEST_MAX_PATH)
			return REQUEST_ETOOLARGE;
		if (request_uri[n] == '?') {
			q = request_uri + n + 1;
			if ((*raw_query = arena_strndup(a, q, strcspn(q, "#"))) == NULL)
				return REQUEST_ENOMEM;
		}
		if ((e = url_decode(a, request_uri, n, 0, &d, &dlen)) != REQUEST_OK)
			return e;
	} else {
		if (script_name == NULL)
			script_name = "";
		if (path_info == NULL)
			path_info = "";
		if (strlen(script_name) > REQUEST_MAX_PATH ||
		    strlen(path_info) > REQUEST_MAX_PATH)
			return REQUEST_ETOOLARGE;
		if ((d = arena_printf(a, "%s%s", script_name, path_info)) == NULL)
			return REQUEST_ENOMEM;
		dlen = strlen(d);
	}
	if (base != NULL && (blen = strlen(base)) > 0 && dlen >= blen &&
	    strncmp(d, base, blen) == 0 && (d[blen] == '/' || d[blen] == '\0')) {
		d += blen;
		dlen -= blen;
	}
	if (dlen == 0 || d[0] != '/') {
		if ((d = arena_printf(a, "/%s", d)) == NULL)
			return REQUEST_ENOMEM;
	}
	*path = d;
	return REQUEST_OK;
}

/* --- body forms --------------------------------------------------------- */

/* Compares the media type of a Content-Type (before ';', trimmed). */
static int
media_type_is(const char *ct, const char *type)
{
	size_t	 n, tl = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	return n == tl && strncasecmp(ct, type, n) == 0;
}

int
request_is_json(const struct request *r)
{
	const char	*ct = r->content_type;
	size_t		 n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	/* application/<anything>+json, as FastAPI accepts */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

enum request_err
request_form(struct request *r, const struct kvlist **out)
{
	enum request_err e = REQUEST_OK;

	*out = &r->form;
	if (r->form_state != 0)
		return r->form_state > 0 ? REQUEST_OK : r->form_err;
	if (media_type_is(r->content_type, "application/x-www-form-urlencoded"))
		e = request_parse_urlencoded(r->arena, r->body, r->body_len,
		    REQUEST_MAX_FIELDS, &r->form);
	else if (media_type_is(r->content_type, "multipart/form-data"))
		e = request_parse_multipart(r->arena, r->content_type, r->body,
		    r->body_len, REQUEST_MAX_FIELDS, &r->form);
	r->form_state = e == REQUEST_OK ? 1 : -1;
	r->form_err = e;
	if (e != REQUEST_OK)
		r->form.n = 0;
	return e;
}

const struct kv *
request_form_field(struct request *r, const char *name)
{
	const struct kvlist	*l;

	if (request_form(r, &l) != REQUEST_OK)
		return NULL;
	return kvlist_get(l, name);
}
