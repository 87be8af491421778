/*
 * json: strict parsing of request bodies with json-c and typed field access
 * that reports errors the way pydantic 2 does inside FastAPI 0.115 (see
 * json.h).  The messages and types are pydantic-core's, so a client that
 * reads FastAPI's 422 bodies reads ours.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "json.h"
#include "request.h"

static const char *const json_errs[JSON__MAX] = {
	[JSON_OK] = "ok",
	[JSON_EINVALID] = "invalid JSON",
	[JSON_ETRAILING] = "trailing data after JSON",
	[JSON_EDEPTH] = "JSON nested too deep",
	[JSON_ENOMEM] = "out of memory",
};

const char *
json_strerror(enum json_err e)
{
	return e < JSON__MAX ? json_errs[e] : "unknown error";
}

/* The byte length of the valid UTF-8 sequence at p (at most len bytes);
 * -1 when it is not one: overlong, a surrogate, past U+10FFFF, truncated. */
static int
utf8_seq(const unsigned char *p, size_t len)
{
	size_t		 n, k;
	unsigned	 cp, min;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 1; cp = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 2; cp = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 3; cp = p[0] & 0x07; min = 0x10000;
	} else
		return -1;
	if (len <= n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return (int)n + 1;
}

/*
 * The shortest digits come from printf's correctly rounded %.*e at 15, 16
 * and 17 significant digits, the first that reads back as v: any decimal
 * of at most 15 digits survives a trip through a double (DBL_DIG), so
 * when one reads back as v, the 15-digit rounding of v is it, padded with
 * zeros.  XXX next to a power of two, where a double's rounding interval
 * is lopsided, Python may find a 16-digit text where this takes 17; both
 * read back as v.  Three tries at most, where a loop over 1..17 digits
 * costs up to seventeen (a subnormal, which has fewer bits, still does).
 */
size_t
json_float_repr(double v, char buf[JSON_FLOAT_MAX])
{
	char	 e[JSON_FLOAT_MAX], digits[20], *p;
	int	 prec, k, decpt, exp10, i;
	size_t	 n = 0;

	if (isnan(v))
		return (size_t)snprintf(buf, JSON_FLOAT_MAX, "NaN");
	if (isinf(v))
		return (size_t)snprintf(buf, JSON_FLOAT_MAX, "%sInfinity", v < 0 ? "-" : "");
	/* A subnormal has fewer bits than DBL_DIG assumes: search them all. */
	for (prec = fabs(v) < DBL_MIN && v != 0 ? 1 : 15; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(e, sizeof(e), "%.16e", v);
	/* e is [-]d.ddd…e±XX: the digits without the point, then X. */
	p = e;
	if (*p == '-')
		buf[n++] = *p++;
	k = 0;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[k++] = *p;
	exp10 = atoi(p + 1);
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	decpt = exp10 + 1;		/* v = 0.digits × 10^decpt */
	/* Python's repr: an exponent below 1e-4 and from 1e16 on. */
	if (decpt <= -4 || decpt > 16) {
		buf[n++] = digits[0];
		if (k > 1) {
			buf[n++] = '.';
			memcpy(buf + n, digits + 1, (size_t)k - 1);
			n += (size_t)k - 1;
		}
		n += (size_t)snprintf(buf + n, JSON_FLOAT_MAX - n, "e%c%02d",
		    exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (decpt <= 0) {
		buf[n++] = '0';
		buf[n++] = '.';
		for (i = decpt; i < 0; i++)
			buf[n++] = '0';
		memcpy(buf + n, digits, (size_t)k);
		n += (size_t)k;
	} else if (decpt >= k) {
		memcpy(buf + n, digits, (size_t)k);
		n += (size_t)k;
		for (i = k; i < decpt; i++)
			buf[n++] = '0';
		buf[n++] = '.';
		buf[n++] = '0';
	} else {
		memcpy(buf + n, digits, (size_t)decpt);
		n += (size_t)decpt;
		buf[n++] = '.';
		memcpy(buf + n, digits + decpt, (size_t)(k - decpt));
		n += (size_t)(k - decpt);
	}
	buf[n] = '\0';
	return n;
}

struct json_object *
json_new_float_repr(double v)
{
	char	 buf[JSON_FLOAT_MAX];

	json_float_repr(v, buf);
	return json_object_new_double_s(v, buf);
}

static int
verbatim_to_string(struct json_object *o, struct printbuf *pb, int level, int flags)
{
	const char	*text = json_object_get_userdata(o);

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, text, (int)strlen(text));
}

struct json_object *
json_new_verbatim(const char *text)
{
	struct json_object	*o;

	if (text == NULL || strlen(text) > INT32_MAX ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_set_serializer(o, verbatim_to_string, (void *)(uintptr_t)text, NULL);
	return o;
}

long
utf8_length(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;
	long			 count = 0;
	int			 n;

	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) < 0)
			return -1;
		i += (size_t)n;
		count++;
	}
	return count;
}

/*
 * A strict RFC 8259 syntax check before json-c builds the tree: json-c's
 * strict mode still takes NaN, single-quoted keys, raw control characters
 * in strings and invalid UTF-8, and it reports trailing data as a plain
 * syntax error.  The messages and positions are those of Python's json
 * module, which FastAPI puts in ctx.error and loc.
 */
struct jscan {
	const unsigned char	*p;
	size_t			 len;
	size_t			 i;
	int			 depth;
	size_t			 errpos;
	const char		*msg;
	enum json_err		 err;
};

static int
scan_fail(struct jscan *s, size_t pos, const char *msg, enum json_err e)
{
	s->errpos = pos;
	s->msg = msg;
	s->err = e;
	return -1;
}

static void
scan_ws(struct jscan *s)
{
	while (s->i < s->len && (s->p[s->i] == ' ' || s->p[s->i] == '\t' ||
	    s->p[s->i] == '\n' || s->p[s->i] == '\r'))
		s->i++;
}

/* The hex value of \uXXXX at p (6 bytes available), or -1. */
static long
u_escape_value(const unsigned char *p)
{
	long	 v = 0;
	int	 k;

	if (p[0] != '\\' || p[1] != 'u')
		return -1;
	for (k = 2; k < 6; k++) {
		if (!isxdigit(p[k]))
			return -1;
		v = v * 16 + (isdigit(p[k]) ? p[k] - '0' : (tolower(p[k]) - 'a' + 10));
	}
	return v;
}

/*
 * A \uXXXX escape at s->i, or a surrogate pair of two; returns its length.
 * A lone surrogate is refused: json-c would turn it into U+FFFD and the
 * client's text would be stored changed.
 */
static int
scan_u_escape(struct jscan *s)
{
	long	 hi, lo;

	if (s->len - s->i < 6 || (hi = u_escape_value(s->p + s->i)) < 0)
		return scan_fail(s, s->i, "Invalid \\uXXXX escape", JSON_EINVALID);
	if (hi < 0xd800 || hi > 0xdfff)
		return 6;
	if (hi <= 0xdbff && s->len - s->i >= 12 &&
	    (lo = u_escape_value(s->p + s->i + 6)) >= 0xdc00 && lo <= 0xdfff)
		return 12;
	return scan_fail(s, s->i, "Unpaired surrogate in \\uXXXX escape",
	    JSON_EINVALID);
}

static int
scan_string(struct jscan *s)
{
	size_t		 start = s->i;
	unsigned char	 c;
	int		 n;

	s->i++;		/* the opening quote */
	for (;;) {
		if (s->i >= s->len)
			return scan_fail(s, start, "Unterminated string starting at",
			    JSON_EINVALID);
		c = s->p[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c == '\\') {
			if (s->i + 1 >= s->len)
				return scan_fail(s, start,
				    "Unterminated string starting at", JSON_EINVALID);
			c = s->p[s->i + 1];
			if (c == 'u') {
				if ((n = scan_u_escape(s)) < 0)
					return -1;
				s->i += (size_t)n;
			} else if (c != '\0' && strchr("\"\\/bfnrt", c) != NULL)
				s->i += 2;
			else
				return scan_fail(s, s->i, "Invalid \\escape",
				    JSON_EINVALID);
			continue;
		}
		if (c < 0x20)
			return scan_fail(s, s->i, "Invalid control character at",
			    JSON_EINVALID);
		if ((n = utf8_seq(s->p + s->i, s->len - s->i)) < 0)
			return scan_fail(s, s->i, "Invalid UTF-8", JSON_EINVALID);
		s->i += (size_t)n;
	}
}

/* The longest number at s->i (RFC 8259 §6); 0 when there is none. */
static int
scan_number(struct jscan *s)
{
	size_t	 i = s->i, d;

	if (i < s->len && s->p[i] == '-')
		i++;
	if (i < s->len && s->p[i] == '0')
		i++;
	else if (i < s->len && s->p[i] >= '1' && s->p[i] <= '9') {
		while (i < s->len && isdigit(s->p[i]))
			i++;
	} else
		return 0;
	if (i + 1 < s->len && s->p[i] == '.' && isdigit(s->p[i + 1])) {
		i++;
		while (i < s->len && isdigit(s->p[i]))
			i++;
	}
	if (i < s->len && (s->p[i] == 'e' || s->p[i] == 'E')) {
		d = i + 1;
		if (d < s->len && (s->p[d] == '+' || s->p[d] == '-'))
			d++;
		if (d < s->len && isdigit(s->p[d])) {
			while (d < s->len && isdigit(s->p[d]))
				d++;
			i = d;
		}
	}
	s->i = i;
	return 1;
}

static int	scan_value(struct jscan *);

static int
scan_container(struct jscan *s, unsigned char close)
{
	if (++s->depth > JSON_MAX_DEPTH)
		return scan_fail(s, s->i, "Maximum nesting depth exceeded", JSON_EDEPTH);
	s->i++;
	scan_ws(s);
	if (s->i < s->len && s->p[s->i] == close) {
		s->i++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->i >= s->len || s->p[s->i] != '"')
				return scan_fail(s, s->i, "Expecting property name "
				    "enclosed in double quotes", JSON_EINVALID);
			if (scan_string(s) != 0)
				return -1;
			scan_ws(s);
			if (s->i >= s->len || s->p[s->i] != ':')
				return scan_fail(s, s->i, "Expecting ':' delimiter",
				    JSON_EINVALID);
			s->i++;
			scan_ws(s);
		}
		if (scan_value(s) != 0)
			return -1;
		scan_ws(s);
		if (s->i < s->len && s->p[s->i] == close) {
			s->i++;
			s->depth--;
			return 0;
		}
		if (s->i >= s->len || s->p[s->i] != ',')
			return scan_fail(s, s->i, "Expecting ',' delimiter", JSON_EINVALID);
		s->i++;
		scan_ws(s);
	}
}

static int
scan_value(struct jscan *s)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t	 k, n;

	if (s->i >= s->len)
		return scan_fail(s, s->i, "Expecting value", JSON_EINVALID);
	switch (s->p[s->i]) {
	case '{':
		return scan_container(s, '}');
	case '[':
		return scan_container(s, ']');
	case '"':
		return scan_string(s);
	default:
		break;
	}
	for (k = 0; k < 3; k++) {
		n = strlen(words[k]);
		if (s->len - s->i >= n && memcmp(s->p + s->i, words[k], n) == 0) {
			s->i += n;
			return 0;
		}
	}
	if (scan_number(s))
		return 0;
	return scan_fail(s, s->i, "Expecting value", JSON_EINVALID);
}

enum json_err
json_parse(const char *buf, size_t len, struct json_object **out,
    size_t *errpos, const char **errmsg)
{
	struct json_tokener		*tok = NULL;
	struct json_object		*o = NULL;
	enum json_tokener_error		 te;
	struct jscan			 s;
	long				 cps;
	enum json_err			 ret = JSON_EINVALID;

	*out = NULL;
	*errpos = 0;
	*errmsg = "Expecting value";
	/* Python decodes bytes with utf-8-sig: a leading BOM is dropped. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (len > INT32_MAX) {
		*errmsg = "Document too large";
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)buf;
	s.len = len;
	scan_ws(&s);
	if (scan_value(&s) == 0) {
		scan_ws(&s);
		if (s.i < len)
			scan_fail(&s, s.i, "Extra data", JSON_ETRAILING);
	}
	if (s.msg != NULL) {
		/* Python counts characters, not bytes; the prefix is valid UTF-8. */
		cps = utf8_length(buf, s.errpos);
		*errpos = cps >= 0 ? (size_t)cps : s.errpos;
		*errmsg = s.msg;
		ret = s.err;
		goto out;
	}
	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH + 2)) == NULL) {
		ret = JSON_ENOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if ((te = json_tokener_get_error(tok)) == json_tokener_continue) {
		/* A top-level number needs a delimiter to end. */
		o = json_tokener_parse_ex(tok, " ", 1);
		te = json_tokener_get_error(tok);
	}
	if (te != json_tokener_success) {
		/* The check above passed, so this is json-c's own limit. */
		*errmsg = json_tokener_error_desc(te);
		ret = JSON_EINVALID;
		goto out;
	}
	*out = o;	/* NULL for the JSON literal null */
	o = NULL;
	ret = JSON_OK;
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return ret;
}

static struct json_object *
loc_new(const char *loc0, const char *loc1)
{
	struct json_object	*loc = json_object_new_array();

	json_object_array_add(loc, json_object_new_string(loc0));
	if (loc1 != NULL)
		json_object_array_add(loc, json_object_new_string(loc1));
	return loc;
}

static void
error_add_loc(struct json_object *errs, const char *type, const char *msg,
    struct json_object *input, struct json_object *ctx, struct json_object *loc)
{
	struct json_object	*e = json_object_new_object();

	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "loc", loc);
	json_object_object_add(e, "msg", json_object_new_string(msg));
	json_object_object_add(e, "input", json_object_get(input));
	if (ctx != NULL)
		json_object_object_add(e, "ctx", ctx);
	json_object_array_add(errs, e);
}

void
json_error_add(struct json_object *errs, const char *type, const char *msg,
    struct json_object *input, struct json_object *ctx, const char *loc0,
    const char *loc1)
{
	error_add_loc(errs, type, msg, input, ctx, loc_new(loc0, loc1));
}

static const char MSG_DICT[] =
    "Input should be a valid dictionary or object to extract fields from";

struct json_object *
json_body_object(const struct request *r, struct json_object *errs)
{
	struct json_object	*o = NULL, *loc, *ctx, *in;
	const char		*msg;
	size_t			 pos;

	if (r->body_len == 0) {
		json_error_add(errs, "missing", "Field required", NULL, NULL,
		    "body", NULL);
		return NULL;
	}
	if (r->content_type != NULL && !request_is_json(r)) {
		/* FastAPI hands the raw bytes to the model. */
		in = json_object_new_string_len(r->body, (int)r->body_len);
		json_error_add(errs, "model_attributes_type", MSG_DICT, in, NULL,
		    "body", NULL);
		json_object_put(in);
		return NULL;
	}
	if (json_parse(r->body, r->body_len, &o, &pos, &msg) != JSON_OK) {
		loc = json_object_new_array();
		json_object_array_add(loc, json_object_new_string("body"));
		json_object_array_add(loc, json_object_new_int64((int64_t)pos));
		ctx = json_object_new_object();
		json_object_object_add(ctx, "error", json_object_new_string(msg));
		in = json_object_new_object();
		error_add_loc(errs, "json_invalid", "JSON decode error", in, ctx, loc);
		json_object_put(in);
		return NULL;
	}
	if (o == NULL) {
		/* A body of `null` is FastAPI's "no body". */
		json_error_add(errs, "missing", "Field required", NULL, NULL,
		    "body", NULL);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_error_add(errs, "model_attributes_type", MSG_DICT, o, NULL,
		    "body", NULL);
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * Common start of the accessors: 0 absent (or nullable null), 1 present
 * with *v set, -1 error added.
 */
static int
field_get(struct json_object *obj, const char *name, int flags,
    struct json_object **v, struct json_object *errs, const char *null_type,
    const char *null_msg)
{
	*v = NULL;
	if (!json_object_object_get_ex(obj, name, v)) {
		if (flags & JSON_REQUIRED) {
			json_error_add(errs, "missing", "Field required", obj,
			    NULL, "body", name);
			return -1;
		}
		return 0;
	}
	if (*v == NULL) {	/* JSON null */
		if (flags & JSON_NULLABLE)
			return 0;
		json_error_add(errs, null_type, null_msg, NULL, NULL, "body", name);
		return -1;
	}
	return 1;
}

static struct json_object *
ctx_int(const char *key, int64_t v)
{
	struct json_object	*c = json_object_new_object();

	json_object_object_add(c, key, json_object_new_int64(v));
	return c;
}

int
json_field_string(struct json_object *obj, const char *name, int flags,
    size_t min, size_t max, const char **out, struct json_object *errs)
{
	struct json_object	*v;
	const char		*s;
	size_t			 len;
	long			 cps;
	char			 msg[96];
	int			 rc;

	*out = NULL;
	if ((rc = field_get(obj, name, flags, &v, errs, "string_type",
	    "Input should be a valid string")) != 1)
		return rc;
	if (!json_object_is_type(v, json_type_string)) {
		json_error_add(errs, "string_type", "Input should be a valid string",
		    v, NULL, "body", name);
		return -1;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', len) != NULL) {
		json_error_add(errs, "value_error",
		    "Value error, NUL characters are not allowed", v, NULL,
		    "body", name);
		return -1;
	}
	if ((cps = utf8_length(s, len)) < 0) {
		json_error_add(errs, "string_unicode",
		    "Input should be a valid string, unable to parse raw data as a unicode string",
		    v, NULL, "body", name);
		return -1;
	}
	if ((size_t)cps < min) {
		snprintf(msg, sizeof(msg), "String should have at least %zu character%s",
		    min, min == 1 ? "" : "s");
		json_error_add(errs, "string_too_short", msg, v,
		    ctx_int("min_length", (int64_t)min), "body", name);
		return -1;
	}
	if ((size_t)cps > max) {
		snprintf(msg, sizeof(msg), "String should have at most %zu character%s",
		    max, max == 1 ? "" : "s");
		json_error_add(errs, "string_too_long", msg, v,
		    ctx_int("max_length", (int64_t)max), "body", name);
		return -1;
	}
	*out = s;
	return 1;
}

int
json_field_bool(struct json_object *obj, const char *name, int flags, int *out,
    struct json_object *errs)
{
	static const char *const yes[] = { "1", "on", "t", "true", "y", "yes", NULL };
	static const char *const no[] = { "0", "off", "f", "false", "n", "no", NULL };
	struct json_object	*v;
	const char		*s;
	int			 rc, i;
	int64_t			 n;
	double			 d;

	if ((rc = field_get(obj, name, flags, &v, errs, "bool_type",
	    "Input should be a valid boolean")) != 1)
		return rc;
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		*out = json_object_get_boolean(v);
		return 1;
	case json_type_int:
		n = json_object_get_int64(v);
		if (n == 0 || n == 1) {
			*out = (int)n;
			return 1;
		}
		break;
	case json_type_double:
		d = json_object_get_double(v);
		if (d == 0.0 || d == 1.0) {
			*out = d == 1.0;
			return 1;
		}
		break;
	case json_type_string:
		s = json_object_get_string(v);
		if ((size_t)json_object_get_string_len(v) == strlen(s)) {
			for (i = 0; yes[i] != NULL; i++)
				if (strcasecmp(s, yes[i]) == 0) {
					*out = 1;
					return 1;
				}
			for (i = 0; no[i] != NULL; i++)
				if (strcasecmp(s, no[i]) == 0) {
					*out = 0;
					return 1;
				}
		}
		json_error_add(errs, "bool_parsing",
		    "Input should be a valid boolean, unable to interpret input",
		    v, NULL, "body", name);
		return -1;
	default:
		break;
	}
	json_error_add(errs, json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double) ? "bool_parsing" : "bool_type",
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double) ?
	    "Input should be a valid boolean, unable to interpret input" :
	    "Input should be a valid boolean", v, NULL, "body", name);
	return -1;
}

int
json_field_int(struct json_object *obj, const char *name, int flags,
    int64_t min, int64_t max, int64_t *out, struct json_object *errs)
{
	struct json_object	*v;
	const char		*s;
	char			*end, msg[96];
	int64_t			 n = 0;
	double			 d;
	int			 rc;
	long long		 ll;

	if ((rc = field_get(obj, name, flags, &v, errs, "int_type",
	    "Input should be a valid integer")) != 1)
		return rc;
	switch (json_object_get_type(v)) {
	case json_type_int:
		/* json-c clamps values past ±2^63; the range check catches them. */
		n = json_object_get_int64(v);
		break;
	case json_type_boolean:
		n = json_object_get_boolean(v);
		break;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d)) {
			json_error_add(errs, "finite_number",
			    "Input should be a finite number", v, NULL, "body", name);
			return -1;
		}
		if (d != floor(d)) {
			json_error_add(errs, "int_from_float",
			    "Input should be a valid integer, got a number with a fractional part",
			    v, NULL, "body", name);
			return -1;
		}
		if (d < -9.2e18 || d > 9.2e18) {
			n = d < 0 ? INT64_MIN : INT64_MAX;
			break;
		}
		n = (int64_t)d;
		break;
	case json_type_string:
		s = json_object_get_string(v);
		while (isspace((unsigned char)*s))
			s++;
		errno = 0;
		ll = strtoll(s, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*s == '\0' || *end != '\0' || errno != 0 ||
		    (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v))) {
			json_error_add(errs, "int_parsing",
			    "Input should be a valid integer, unable to parse string as an integer",
			    v, NULL, "body", name);
			return -1;
		}
		n = ll;
		break;
	default:
		json_error_add(errs, "int_type", "Input should be a valid integer",
		    v, NULL, "body", name);
		return -1;
	}
	if (n < min) {
		snprintf(msg, sizeof(msg), "Input should be greater than or equal to %lld",
		    (long long)min);
		json_error_add(errs, "greater_than_equal", msg, v, ctx_int("ge", min),
		    "body", name);
		return -1;
	}
	if (n > max) {
		snprintf(msg, sizeof(msg), "Input should be less than or equal to %lld",
		    (long long)max);
		json_error_add(errs, "less_than_equal", msg, v, ctx_int("le", max),
		    "body", name);
		return -1;
	}
	*out = n;
	return 1;
}
