/*
 * response: status, headers and body of one answer (see response.h), built
 * in the request arena.  Error bodies are FastAPI's: {"detail": ...}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "arena.h"
#include "response.h"

struct reason {
	int		 status;
	const char	*text;
};

static const struct reason reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 204, "No Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
	{ 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
	{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
	{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

const char *
response_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "Unknown";
}

void
response_init(struct response *r, struct arena *a)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
}

int
response_header(struct response *r, const char *name, const char *value)
{
	if (r->n_headers >= RESPONSE_MAX_HEADERS || name == NULL || value == NULL)
		return -1;
	r->headers[r->n_headers].name = name;
	r->headers[r->n_headers].value = value;
	r->n_headers++;
	return 0;
}

int
response_set_header(struct response *r, const char *name, const char *value)
{
	size_t	 i;

	for (i = 0; i < r->n_headers; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0) {
			r->headers[i].value = value;
			return 0;
		}
	}
	return response_header(r, name, value);
}

const char *
response_get_header(const struct response *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static void
set_body(struct response *r, int status, const char *type, const char *body,
    size_t len)
{
	r->status = status;
	r->content_type = type;
	if ((r->body = arena_strndup(r->arena, body, len)) == NULL) {
		/* Out of memory: a static body still tells the client. */
		r->status = 503;
		r->content_type = "application/json";
		r->body = "{\"detail\":\"Service Unavailable\"}";
		len = strlen(r->body);
	}
	r->body_len = len;
}

void
response_json(struct response *r, int status, struct json_object *obj)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL) {
		s = "null";
		len = 4;
	}
	set_body(r, status, "application/json", s, len);
	json_object_put(obj);
}

void
response_json_text(struct response *r, int status, const char *json)
{
	set_body(r, status, "application/json", json, strlen(json));
}

void
response_error(struct response *r, int status, const char *detail)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	response_json(r, status, o);
}

void
response_errorf(struct response *r, int status, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = arena_vprintf(r->arena, fmt, ap);
	va_end(ap);
	response_error(r, status, s != NULL ? s : "Error");
}

void
response_validation(struct response *r, struct json_object *items)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "detail", items);
	response_json(r, 422, o);
}

void
response_empty(struct response *r, int status)
{
	r->status = status;
	r->content_type = NULL;
	r->body = NULL;
	r->body_len = 0;
}

void
response_text(struct response *r, int status, const char *text)
{
	set_body(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

void
response_static(struct response *r, int status, const char *type,
    const void *body, size_t len)
{
	r->status = status;
	r->content_type = type;
	r->body = body;
	r->body_len = len;
}

void
response_unauthorized(struct response *r, const char *bearer_error)
{
	const char	*h = "Bearer";

	if (bearer_error != NULL)
		h = arena_printf(r->arena, "Bearer error=\"%s\"", bearer_error);
	response_set_header(r, "WWW-Authenticate", h != NULL ? h : "Bearer");
	response_json_text(r, 401, "{\"detail\":\"Unauthorized\"}");
}
