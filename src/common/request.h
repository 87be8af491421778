/*
 * request: one HTTP request as the web server handed it over (CGI/FastCGI
 * params and a body), decoded at the boundary: the public path, the query,
 * urlencoded and multipart forms, with a cap on every length.  Decoders take
 * (buf, len) and reject malformed percent-encoding and NUL bytes instead of
 * returning a truncated string.  All memory comes from the request arena.
 */
#ifndef FCGI_USERS_REQUEST_H
#define FCGI_USERS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct app;

#define REQUEST_MAX_FIELDS	1000	/* query or form fields (Starlette's max_fields) */
#define REQUEST_MAX_PATH	4096	/* bytes of REQUEST_URI */
#define REQUEST_MAX_PATH_PARAMS	4
#define REQUEST_MAX_PART_HEADERS 8192	/* bytes of one multipart part's headers */

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD__MAX	/* anything else */
};

enum request_err {
	REQUEST_OK,
	REQUEST_ENOMEM,
	REQUEST_EENCODING,	/* malformed percent-encoding */
	REQUEST_ENUL,		/* a NUL byte in a decoded value */
	REQUEST_ETOOMANY,	/* more than REQUEST_MAX_FIELDS fields */
	REQUEST_EMALFORMED,	/* a form or multipart body that does not parse */
	REQUEST_ETOOLARGE,	/* over a length cap */
	REQUEST__MAX
};

struct kv {
	const char	*name;
	const char	*value;
	size_t		 value_len;
	int		 is_file;	/* a multipart part with a filename */
};

struct kvlist {
	struct kv	*items;
	size_t		 n;
	size_t		 cap;
};

struct request {
	struct arena	*arena;
	struct app	*app;
	char		**params;		/* CGI/FastCGI params, NAME=VALUE */
	enum http_method method;
	const char	*method_name;
	const char	*path;			/* decoded public path, begins with '/' */
	const char	*raw_query;		/* "" when there is none */
	struct kvlist	 query;
	const char	*content_type;		/* NULL when absent */
	const char	*body;			/* NUL-terminated copy, body_len bytes */
	size_t		 body_len;
	const char	*request_id;
	const char	*path_params[REQUEST_MAX_PATH_PARAMS];
	size_t		 n_path_params;
	const char	*user_id;		/* set by authn, for the access log */
	void		*io;			/* private to app.c */
	/* private to request.c */
	struct param_ref *pidx;			/* request_index_params */
	size_t		 n_pidx;
	struct kvlist	 form;
	int		 form_state;		/* 0 unparsed, 1 ok, -1 failed */
	enum request_err form_err;
	/* private to app */
	int		 body_state;		/* 0 unread, 1 read, -1 failed */
};

const char	*request_strerror(enum request_err);
enum http_method request_method_parse(const char *);
const char	*request_method_name(enum http_method);

/*
 * Indexes params (NAME=VALUE, as the server gave them) by name length in
 * the request's arena: each lookup then compares lengths, not a strncmp
 * per param (libfcgi's FCGX_GetParam).  Without it, or when it fails,
 * lookups scan.  The first of a repeated name wins, either way.
 */
void		 request_index_params(struct request *);
/* A CGI param ("REQUEST_METHOD", "HTTP_HOST"); NULL when absent. */
const char	*request_param(const struct request *, const char *name);
/* An HTTP header by its name ("Mcp-Session-Id"); Authorization also
 * through REDIRECT_HTTP_AUTHORIZATION (Apache rewrite rules). */
const char	*request_header(const struct request *, const char *name);

/* The last value of a query field, or NULL. */
const char	*request_query(const struct request *, const char *name);
/*
 * Parses the body as a form (application/x-www-form-urlencoded or
 * multipart/form-data) once; 0 and *out on success, else the error.  A body
 * of another content type yields REQUEST_OK with an empty list.
 */
enum request_err request_form(struct request *, const struct kvlist **out);
/* The last value of a form field, or NULL (also when the form failed). */
const struct kv	*request_form_field(struct request *, const char *name);
/* Whether the Content-Type is a JSON one (application/json, application/…+json). */
int		 request_is_json(const struct request *);

/* Decoders, exposed for the tests and the fuzzers. */
/* Percent-decodes (src, len) into a fresh arena string; '+' → ' ' when plus_space. */
enum request_err url_decode(struct arena *, const char *src, size_t len,
		    int plus_space, char **out, size_t *outlen);
/* a=b&c=d into `out` (appended), at most max_fields fields. */
enum request_err request_parse_urlencoded(struct arena *, const char *buf,
		    size_t len, size_t max_fields, struct kvlist *out);
/* multipart/form-data with the boundary from `content_type`. */
enum request_err request_parse_multipart(struct arena *, const char *content_type,
		    const char *buf, size_t len, size_t max_fields, struct kvlist *out);
/* The public path from REQUEST_URI (else SCRIPT_NAME + PATH_INFO), less `base`. */
enum request_err request_parse_path(struct arena *, const char *request_uri,
		    const char *script_name, const char *path_info, const char *base,
		    const char **path, const char **raw_query);
/* Looks up the last value of `name` in a list. */
const struct kv	*kvlist_get(const struct kvlist *, const char *name);

#endif
