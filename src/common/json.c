/*
 * json: strict parsing of request bodies with json-c and typed field access
 * that reports errors the way pydantic 2 does inside FastAPI 0.115 (see
 * json.h).  The messages and types are pydantic-core's, so a client that
 * reads FastAPI's 422 bodies reads ours.
 */
#include <ctype.h>
#include <errno.h>
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

long
utf8_length(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	long			 count = 0;
	unsigned		 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			count++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1; cp = p[i] & 0x1f; min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2; cp = p[i] & 0x0f; min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3; cp = p[i] & 0x07; min = 0x10000;
		} else
			return -1;
		if (len - i <= n)
			return -1;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;	/* overlong, out of range, or a surrogate */
		i += n + 1;
		count++;
	}
	return count;
}

static int
all_space(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return 0;
	return 1;
}

enum json_err
json_parse(const char *buf, size_t len, struct json_object **out,
    size_t *errpos, const char **errmsg)
{
	struct json_tokener		*tok = NULL;
	struct json_object		*o = NULL;
	enum json_tokener_error		 te;
	const char			*nul;
	size_t				 end;
	enum json_err			 ret = JSON_EINVALID;

	*out = NULL;
	*errpos = 0;
	*errmsg = "Expecting value";
	if (len > INT32_MAX) {
		*errmsg = "Document too large";
		goto out;
	}
	/* A raw NUL is never valid JSON; json-c would stop at it. */
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		*errpos = nul - buf;
		*errmsg = "Invalid control character";
		goto out;
	}
	if (all_space(buf, len)) {
		*errpos = len;
		goto out;
	}
	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL) {
		ret = JSON_ENOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	te = json_tokener_get_error(tok);
	if (o == NULL && te == json_tokener_continue) {
		/* A top-level number needs a delimiter to end. */
		o = json_tokener_parse_ex(tok, " ", 1);
		te = json_tokener_get_error(tok);
		end = len;
	} else
		end = json_tokener_get_parse_end(tok);
	if (o == NULL) {
		*errpos = end > len ? len : end;
		if (te == json_tokener_error_depth) {
			*errmsg = "Maximum nesting depth exceeded";
			ret = JSON_EDEPTH;
		} else if (te == json_tokener_continue)
			*errmsg = "Expecting value";	/* truncated */
		else
			*errmsg = json_tokener_error_desc(te);
		goto out;
	}
	if (end < len && !all_space(buf + end, len - end)) {
		*errpos = end;
		*errmsg = "Extra data";
		ret = JSON_ETRAILING;
		goto out;
	}
	*out = o;
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
