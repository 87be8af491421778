/*
 * json: json-c helpers at the boundary.  Bodies are parsed with an explicit
 * length (strict, UTF-8 checked, depth capped, no trailing bytes), and
 * fields are read with typed accessors that append pydantic-2 error items
 * ({"type","loc","msg","input"[,"ctx"]}) to a list the handler answers
 * with 422, so handlers get typed values and never parse raw strings.
 */
#ifndef FCGI_USERS_JSON_H
#define FCGI_USERS_JSON_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct request;

#define JSON_MAX_DEPTH	32

enum json_err {
	JSON_OK,
	JSON_EINVALID,		/* not valid JSON */
	JSON_ETRAILING,		/* bytes after the value */
	JSON_EDEPTH,		/* nested deeper than JSON_MAX_DEPTH */
	JSON_ENOMEM,
	JSON__MAX
};

/*
 * Parses (buf, len) as one JSON value (RFC 8259, strictly: no NaN, no
 * control characters in strings, valid UTF-8; a leading BOM is skipped as
 * Python does).  On success *out holds a new reference, NULL for the
 * literal null; on failure *errpos is the position of the error in
 * characters and *errmsg Python's json message ("Expecting value",
 * "Extra data" …), as FastAPI reports them.
 */
enum json_err	 json_parse(const char *buf, size_t len, struct json_object **out,
		    size_t *errpos, const char **errmsg);
const char	*json_strerror(enum json_err);

/* Appends a pydantic-2 item to `errs`.  `input` is borrowed (NULL → null);
 * `ctx` is taken (may be NULL).  loc is ("body"|"query"|…, field or NULL). */
void		 json_error_add(struct json_object *errs, const char *type,
		    const char *msg, struct json_object *input,
		    struct json_object *ctx, const char *loc0, const char *loc1);

/*
 * The request body as a JSON object for a pydantic model.  Returns the
 * object (a new reference) or NULL with items appended to errs:
 * json_invalid (with the byte position) for bad JSON, missing for an empty
 * body, model_attributes_type for a non-object.
 */
struct json_object *json_body_object(const struct request *, struct json_object *errs);

enum json_field_flags {
	JSON_REQUIRED	= 1 << 0,
	JSON_NULLABLE	= 1 << 1,	/* null is allowed and reads as absent */
};

/*
 * Typed accessors on a body object.  Each returns 1 when the field was
 * present with a good value, 0 when it was absent (or null and nullable),
 * -1 after appending an error item to errs (loc ["body", name]).
 */
/* A string of min..max code points, without NUL bytes. */
int	 json_field_string(struct json_object *obj, const char *name, int flags,
	    size_t min, size_t max, const char **out, struct json_object *errs);
/* A boolean, coerced as pydantic does (true/false, 0/1, "yes", "off" …). */
int	 json_field_bool(struct json_object *obj, const char *name, int flags,
	    int *out, struct json_object *errs);
/* An integer in [min, max] (integral floats and numeric strings as pydantic). */
int	 json_field_int(struct json_object *obj, const char *name, int flags,
	    int64_t min, int64_t max, int64_t *out, struct json_object *errs);

/*
 * A double as Python's repr() writes it, which is what FastAPI sends: the
 * shortest text that reads back as the same value (51.50853, not
 * 51.508530000000001), with ".0" when it would read as an integer (100.0),
 * the exponent from 1e+16 and below 1e-04 up.  NaN and the infinities
 * come out as json.dumps writes them.  Returns the length (at most
 * JSON_FLOAT_MAX - 1), with buf NUL-terminated.
 */
#define JSON_FLOAT_MAX	32
size_t	 json_float_repr(double v, char buf[JSON_FLOAT_MAX]);
/* A json-c double that serializes as json_float_repr writes it. */
struct json_object *json_new_float_repr(double v);

/*
 * A json-c value that serializes as `text`, verbatim: a JSON document the
 * program has already written (with json-c) and places inside another
 * without parsing it again.  `text` must be valid JSON and must outlive
 * the value (an arena string for the request's answer).  The value is an
 * empty object to every accessor; only serializing shows the text.
 */
struct json_object *json_new_verbatim(const char *text);

/* The number of Unicode code points in valid UTF-8 (s, len); -1 when invalid. */
long	 utf8_length(const char *s, size_t len);

#endif
