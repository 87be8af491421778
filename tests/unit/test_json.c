/*
 * test_json: strict body parsing and the pydantic-2 style field accessors
 * (src/common/json.c).  Every error item a client could see is checked
 * field by field — type, loc, msg, input, ctx — against what FastAPI 0.115
 * with pydantic 2 answers, since clients of the Python service read them.
 * Most cases are bodies and values that must be refused.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "json.h"
#include "request.h"

/* Strings are printed in single quotes: they are mostly JSON texts. */
#define UNIT_QUOTE	"'"
#include "unit_util.h"

/* Expected-value marker: do not compare this field. */
#define ANY		"\001any"

static const char MSG_DICT[] =
    "Input should be a valid dictionary or object to extract fields from";

/* Compact JSON text of o ("null" for NULL), valid until o changes. */
static const char *
js(struct json_object *o)
{
	if (o == NULL)
		return "null";
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* A test object from JSON text (json-c's own parser, not the one under test). */
static struct json_object *
obj(const char *text)
{
	struct json_object	*o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

/*
 * Checks errs[idx] is exactly {type, loc, msg, input[, ctx]}: loc and ctx as
 * compact JSON text, ctx NULL when the item must have none, ANY to skip.
 */
static void
check_item(int line, struct json_object *errs, size_t idx, const char *type,
    const char *loc, const char *msg, const char *input, const char *ctx)
{
	struct json_object	*it, *v;
	int			 nkeys = 4;

	if (idx >= json_object_array_length(errs)) {
		print_error("%s:%d: no error item %zu in %s\n", __FILE__, line,
		    idx, js(errs));
		failures++;
		return;
	}
	it = json_object_array_get_idx(errs, idx);
	CHECK(line, json_object_is_type(it, json_type_object));
	if (!json_object_is_type(it, json_type_object))
		return;
	CHECK(line, json_object_object_get_ex(it, "type", &v) &&
	    json_object_is_type(v, json_type_string));
	CHECK_STR(line, json_object_object_get_ex(it, "type", &v) ?
	    json_object_get_string(v) : NULL, type);
	CHECK(line, json_object_object_get_ex(it, "loc", &v) &&
	    json_object_is_type(v, json_type_array));
	if (strcmp(loc, ANY) != 0)
		CHECK_STR(line, json_object_object_get_ex(it, "loc", &v) ? js(v) :
		    NULL, loc);
	CHECK(line, json_object_object_get_ex(it, "msg", &v) &&
	    json_object_is_type(v, json_type_string));
	if (strcmp(msg, ANY) != 0)
		CHECK_STR(line, json_object_object_get_ex(it, "msg", &v) ?
		    json_object_get_string(v) : NULL, msg);
	/* "input" is always present, null included. */
	CHECK(line, json_object_object_get_ex(it, "input", &v));
	if (strcmp(input, ANY) != 0)
		CHECK_STR(line, json_object_object_get_ex(it, "input", &v) ? js(v) :
		    NULL, input);
	if (ctx == NULL)
		CHECK(line, !json_object_object_get_ex(it, "ctx", NULL));
	else {
		nkeys++;
		CHECK(line, json_object_object_get_ex(it, "ctx", &v) &&
		    json_object_is_type(v, json_type_object));
		if (strcmp(ctx, ANY) != 0)
			CHECK_STR(line, json_object_object_get_ex(it, "ctx", &v) ?
			    js(v) : NULL, ctx);
	}
	CHECK_INT(line, json_object_object_length(it), nkeys);
}

/* --- json_parse ------------------------------------------------------------ */

static void
test_parse_good(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 len;
		enum json_type	 type;
		const char	*out;	/* compact re-serialisation */
	} cases[] = {
		{ __LINE__, B("{\"a\":1,\"b\":[true,null,\"x\"]}"), json_type_object,
		    "{\"a\":1,\"b\":[true,null,\"x\"]}" },
		{ __LINE__, B("123"), json_type_int, "123" },
		{ __LINE__, B("-1.5e3"), json_type_double, "-1.5e3" },
		{ __LINE__, B("0"), json_type_int, "0" },
		{ __LINE__, B("\"x\""), json_type_string, "\"x\"" },
		{ __LINE__, B("true"), json_type_boolean, "true" },
		{ __LINE__, B("[]"), json_type_array, "[]" },
		/* whitespace around the value is fine */
		{ __LINE__, B(" \t\r\n{} \n\t\r "), json_type_object, "{}" },
		{ __LINE__, B("123 \n"), json_type_int, "123" },
		/* escapes and UTF-8 */
		{ __LINE__, B("\"caf\\u00e9 \xc3\xa9 \\ud83d\\ude00\""), json_type_string,
		    "\"caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80\"" },
		{ __LINE__, B("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), json_type_string,
		    "\"\\\"\\\\/\\b\\f\\n\\r\\t\"" },
		/* duplicate keys: the last wins, as in Python */
		{ __LINE__, B("{\"a\":1,\"a\":2}"), json_type_object, "{\"a\":2}" },
	};
	struct json_object	*o;
	const char		*msg;
	size_t			 i, pos;
	enum json_err		 e;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		o = NULL;
		e = json_parse(cases[i].in, cases[i].len, &o, &pos, &msg);
		CHECK_STR(cases[i].line, json_strerror(e), json_strerror(JSON_OK));
		if (e != JSON_OK)
			continue;
		CHECK(cases[i].line, json_object_is_type(o, cases[i].type));
		CHECK_STR(cases[i].line, js(o), cases[i].out);
		json_object_put(o);
	}
	DONE();
}

/* "null" is valid JSON: OK with *out NULL (json-c's null). */
static void
test_parse_null(void **state)
{
	struct json_object	*o = (struct json_object *)&o;
	const char		*msg = NULL;
	size_t			 pos;
	enum json_err		 e;

	(void)state;
	e = json_parse(B("null"), &o, &pos, &msg);
	CHECK_STR(__LINE__, json_strerror(e), json_strerror(JSON_OK));
	CHECK(__LINE__, o == NULL);
	e = json_parse(B(" null "), &o, &pos, &msg);
	CHECK_STR(__LINE__, json_strerror(e), json_strerror(JSON_OK));
	e = json_parse(B("[null]"), &o, &pos, &msg);
	CHECK_STR(__LINE__, json_strerror(e), json_strerror(JSON_OK));
	json_object_put(o);
	DONE();
}

static void
test_parse_bad(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 len;
		enum json_err	 want;
		size_t		 pos;		/* SIZE_MAX: not checked */
		const char	*msg;		/* ANY: not checked */
	} cases[] = {
		/* nothing there: Python's "Expecting value" at the end */
		{ __LINE__, B(""), JSON_EINVALID, 0, "Expecting value" },
		{ __LINE__, B("   "), JSON_EINVALID, 3, "Expecting value" },
		{ __LINE__, B("\r\n\t"), JSON_EINVALID, 3, "Expecting value" },
		/* trailing bytes: Python's "Extra data" at the first of them */
		{ __LINE__, B("{}x"), JSON_ETRAILING, 2, "Extra data" },
		{ __LINE__, B("{} x"), JSON_ETRAILING, 3, "Extra data" },
		{ __LINE__, B("{\"a\":1} x"), JSON_ETRAILING, 8, "Extra data" },
		{ __LINE__, B("123 x"), JSON_ETRAILING, 4, "Extra data" },
		{ __LINE__, B("[1]]"), JSON_ETRAILING, 3, "Extra data" },
		{ __LINE__, B("{} {}"), JSON_ETRAILING, 3, "Extra data" },
		{ __LINE__, B("true false"), JSON_ETRAILING, 5, "Extra data" },
		/* a NUL byte anywhere */
		{ __LINE__, B("{\"a\":\"x\0\"}"), JSON_EINVALID, 7, ANY },
		{ __LINE__, B("\0{}"), JSON_EINVALID, 0, ANY },
		{ __LINE__, B("{}\0"), JSON_ETRAILING, 2, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("{\"a\0\":1}"), JSON_EINVALID, 3, ANY },
		/* invalid UTF-8, in a string or outside one */
		{ __LINE__, B("\"\xff\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\xc3\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\xc3\x28\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\xc0\xaf\""), JSON_EINVALID, SIZE_MAX, ANY },	/* overlong */
		{ __LINE__, B("\"\xe0\x80\xaf\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\xed\xa0\x80\""), JSON_EINVALID, SIZE_MAX, ANY },	/* surrogate */
		{ __LINE__, B("\"\xf4\x90\x80\x80\""), JSON_EINVALID, SIZE_MAX, ANY },	/* > U+10FFFF */
		{ __LINE__, B("{\"\xc0\xaf\":1}"), JSON_EINVALID, SIZE_MAX, ANY },	/* in a key */
		{ __LINE__, B("\xff"), JSON_EINVALID, SIZE_MAX, ANY },
		/* raw control characters inside strings (Python: strict=True) */
		{ __LINE__, B("\"a\tb\""), JSON_EINVALID, 2, ANY },
		{ __LINE__, B("\"a\nb\""), JSON_EINVALID, 2, ANY },
		{ __LINE__, B("\"\x01\""), JSON_EINVALID, 1, ANY },
		/* not JSON, even if JavaScript or json-c would take it */
		{ __LINE__, B("NaN"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("Infinity"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("-Infinity"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{\"a\":NaN}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("[Infinity]"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("'x'"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{'a':1}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{\"a\":'b'}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("[1,]"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{\"a\":1,}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("[,1]"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{a:1}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("/* c */ {}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{} // c"), JSON_ETRAILING, 3, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("1."), JSON_ETRAILING, 1, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("[1.]"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("01"), JSON_ETRAILING, 1, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("+1"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B(".5"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("1e"), JSON_ETRAILING, 1, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("0x10"), JSON_ETRAILING, 1, "Extra data" },	/* as Python: "Extra data" */
		{ __LINE__, B("True"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("nul"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\\x41\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"\\u12\""), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{\"a\"}"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("[1 2]"), JSON_EINVALID, SIZE_MAX, ANY },
		/* truncated */
		{ __LINE__, B("{"), JSON_EINVALID, 1, ANY },
		{ __LINE__, B("["), JSON_EINVALID, 1, ANY },
		{ __LINE__, B("{\"a\":"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("{\"a\":1"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("\"abc"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("tru"), JSON_EINVALID, SIZE_MAX, ANY },
		{ __LINE__, B("-"), JSON_EINVALID, SIZE_MAX, ANY },
	};
	struct json_object	*o;
	const char		*msg;
	size_t			 i, pos;
	enum json_err		 e;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		o = (struct json_object *)&o;
		msg = NULL;
		pos = SIZE_MAX;
		e = json_parse(cases[i].in, cases[i].len, &o, &pos, &msg);
		CHECK_STR(cases[i].line, json_strerror(e), json_strerror(cases[i].want));
		if (e == JSON_OK) {
			json_object_put(o);
			continue;
		}
		CHECK(cases[i].line, o == NULL);
		CHECK(cases[i].line, msg != NULL && *msg != '\0');
		CHECK(cases[i].line, pos <= cases[i].len);
		if (cases[i].pos != SIZE_MAX)
			CHECK_INT(cases[i].line, pos, cases[i].pos);
		if (strcmp(cases[i].msg, ANY) != 0)
			CHECK_STR(cases[i].line, msg, cases[i].msg);
	}
	DONE();
}

/* n nested arrays ("[[1]]" for 2), or objects ({"a":{"a":1}}), around a 1. */
static char *
nested(size_t n, int objects)
{
	char	*s, *p;

	assert_non_null(s = malloc(n * 6 + 2));
	p = s;
	for (size_t i = 0; i < n; i++) {
		if (objects) {
			memcpy(p, "{\"a\":", 5);
			p += 5;
		} else
			*p++ = '[';
	}
	*p++ = '1';
	for (size_t i = 0; i < n; i++)
		*p++ = objects ? '}' : ']';
	*p = '\0';
	return s;
}

static void
test_parse_depth(void **state)
{
	static const struct {
		int line; size_t n; int objects; enum json_err want;
	} cases[] = {
		{ __LINE__, 1, 0, JSON_OK },
		{ __LINE__, JSON_MAX_DEPTH - 1, 0, JSON_OK },
		{ __LINE__, JSON_MAX_DEPTH - 1, 1, JSON_OK },
		/* JSON_MAX_DEPTH levels are allowed: only deeper is refused */
		{ __LINE__, JSON_MAX_DEPTH, 0, JSON_OK },
		{ __LINE__, JSON_MAX_DEPTH, 1, JSON_OK },
		{ __LINE__, JSON_MAX_DEPTH + 1, 0, JSON_EDEPTH },
		{ __LINE__, JSON_MAX_DEPTH + 1, 1, JSON_EDEPTH },
		{ __LINE__, 1000, 0, JSON_EDEPTH },
		{ __LINE__, 100000, 0, JSON_EDEPTH },
		{ __LINE__, 5000, 1, JSON_EDEPTH },
	};
	struct json_object	*o;
	const char		*msg;
	size_t			 i, pos;
	char			*s;
	enum json_err		 e;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		s = nested(cases[i].n, cases[i].objects);
		e = json_parse(s, strlen(s), &o, &pos, &msg);
		CHECK_STR(cases[i].line, json_strerror(e), json_strerror(cases[i].want));
		if (e == JSON_OK)
			json_object_put(o);
		else
			CHECK(cases[i].line, o == NULL && pos <= strlen(s));
		/* Cut short, a deep document is refused too, never accepted. */
		e = json_parse(s, strlen(s) / 2, &o, &pos, &msg);
		CHECK(cases[i].line, e != JSON_OK);
		free(s);
	}
	DONE();
}

static void
test_strerror(void **state)
{
	int	 e;

	(void)state;
	for (e = 0; e < JSON__MAX; e++)
		CHECK(__LINE__, json_strerror((enum json_err)e) != NULL);
	CHECK_STR(__LINE__, json_strerror(JSON__MAX), "unknown error");
	CHECK_STR(__LINE__, json_strerror((enum json_err)77), "unknown error");
	DONE();
}

/* --- json_error_add -------------------------------------------------------- */

static void
test_error_add(void **state)
{
	struct json_object	*errs = json_object_new_array(), *in, *ctx;

	(void)state;
	in = json_object_new_string("Paris");
	ctx = json_object_new_object();
	json_object_object_add(ctx, "min_length", json_object_new_int(3));
	json_error_add(errs, "string_too_short", "m", in, ctx, "query", "city");
	json_error_add(errs, "missing", "Field required", NULL, NULL, "body", NULL);
	/* input is borrowed: still ours to drop, and intact in the item */
	json_object_put(in);
	check_item(__LINE__, errs, 0, "string_too_short", "[\"query\",\"city\"]", "m",
	    "\"Paris\"", "{\"min_length\":3}");
	check_item(__LINE__, errs, 1, "missing", "[\"body\"]", "Field required",
	    "null", NULL);
	CHECK_INT(__LINE__, json_object_array_length(errs), 2);
	json_object_put(errs);
	DONE();
}

/* --- json_body_object ------------------------------------------------------ */

static void
test_body_object(void **state)
{
	static const struct {
		int		 line;
		const char	*ct;
		const char	*body;
		size_t		 len;
		const char	*ok;		/* the object, or NULL for an error */
		const char	*type, *loc, *msg, *input, *ctx;
	} cases[] = {
		{ __LINE__, "application/json", B("{\"email\":\"a@b.c\"}"),
		    "{\"email\":\"a@b.c\"}", 0, 0, 0, 0, 0 },
		{ __LINE__, "application/json; charset=utf-8", B(" {} "), "{}", 0, 0, 0, 0, 0 },
		{ __LINE__, "application/vnd.api+json", B("{\"a\":1}"), "{\"a\":1}",
		    0, 0, 0, 0, 0 },
		/* no content type: FastAPI parses JSON anyway */
		{ __LINE__, NULL, B("{\"a\":[1]}"), "{\"a\":[1]}", 0, 0, 0, 0, 0 },
		/* an empty body: the body is missing */
		{ __LINE__, "application/json", B(""), NULL,
		    "missing", "[\"body\"]", "Field required", "null", NULL },
		{ __LINE__, NULL, B(""), NULL,
		    "missing", "[\"body\"]", "Field required", "null", NULL },
		{ __LINE__, "text/plain", B(""), NULL,
		    "missing", "[\"body\"]", "Field required", "null", NULL },
		/* a JSON null body is a missing body too (FastAPI: value is None) */
		{ __LINE__, "application/json", B("null"), NULL,
		    "missing", "[\"body\"]", "Field required", "null", NULL },
		/* another content type: the raw text goes to the model */
		{ __LINE__, "text/plain", B("hello"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "\"hello\"", NULL },
		{ __LINE__, "text/plain; charset=utf-8", B("{\"a\":1}"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "\"{\\\"a\\\":1}\"", NULL },
		{ __LINE__, "application/x-www-form-urlencoded", B("a=1"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "\"a=1\"", NULL },
		{ __LINE__, "application/jsonx", B("{}"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "\"{}\"", NULL },
		/* bad JSON: json_invalid at the byte position, input {} */
		{ __LINE__, "application/json", B("{\"email\": }"), NULL,
		    "json_invalid", "[\"body\",10]", "JSON decode error", "{}", ANY },
		{ __LINE__, "application/json", B("{"), NULL,
		    "json_invalid", "[\"body\",1]", "JSON decode error", "{}", ANY },
		{ __LINE__, "application/json", B("   "), NULL,
		    "json_invalid", "[\"body\",3]", "JSON decode error", "{}",
		    "{\"error\":\"Expecting value\"}" },
		{ __LINE__, NULL, B("{\"a\":1} x"), NULL,
		    "json_invalid", "[\"body\",8]", "JSON decode error", "{}",
		    "{\"error\":\"Extra data\"}" },
		{ __LINE__, "application/json", B("{\"a\":\"\0\"}"), NULL,
		    "json_invalid", "[\"body\",6]", "JSON decode error", "{}", ANY },
		{ __LINE__, "application/json", B("{'a':1}"), NULL,
		    "json_invalid", ANY, "JSON decode error", "{}", ANY },
		{ __LINE__, "application/json", B("{\"a\":\"\xff\"}"), NULL,
		    "json_invalid", ANY, "JSON decode error", "{}", ANY },
		/* JSON that is not an object */
		{ __LINE__, "application/json", B("[1,2]"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "[1,2]", NULL },
		{ __LINE__, "application/json", B("\"str\""), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "\"str\"", NULL },
		{ __LINE__, NULL, B("42"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "42", NULL },
		{ __LINE__, "application/json", B("true"), NULL,
		    "model_attributes_type", "[\"body\"]", MSG_DICT, "true", NULL },
	};
	struct request		 req;
	struct json_object	*errs, *o;
	size_t			 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		memset(&req, 0, sizeof(req));
		req.content_type = cases[i].ct;
		req.body = cases[i].body;
		req.body_len = cases[i].len;
		errs = json_object_new_array();
		o = json_body_object(&req, errs);
		if (cases[i].ok != NULL) {
			CHECK(cases[i].line, o != NULL);
			CHECK_STR(cases[i].line, o ? js(o) : NULL, cases[i].ok);
			CHECK_INT(cases[i].line, json_object_array_length(errs), 0);
		} else {
			CHECK(cases[i].line, o == NULL);
			CHECK_INT(cases[i].line, json_object_array_length(errs), 1);
			check_item(cases[i].line, errs, 0, cases[i].type,
			    cases[i].loc, cases[i].msg, cases[i].input, cases[i].ctx);
			if (strcmp(cases[i].type, "json_invalid") == 0) {
				/* loc is ["body", <int>]; ctx.error a non-empty string */
				struct json_object *it, *loc, *ctx, *err;

				it = json_object_array_get_idx(errs, 0);
				CHECK(cases[i].line, it != NULL &&
				    json_object_object_get_ex(it, "loc", &loc) &&
				    json_object_array_length(loc) == 2 &&
				    json_object_is_type(json_object_array_get_idx(loc, 1),
				    json_type_int));
				CHECK(cases[i].line, it != NULL &&
				    json_object_object_get_ex(it, "ctx", &ctx) &&
				    json_object_object_get_ex(ctx, "error", &err) &&
				    json_object_is_type(err, json_type_string) &&
				    json_object_get_string_len(err) > 0);
			}
		}
		json_object_put(o);
		json_object_put(errs);
	}
	DONE();
}

/* Items accumulate: a handler reports every bad field at once. */
static void
test_errors_accumulate(void **state)
{
	struct json_object	*body, *errs;
	const char		*s;
	int64_t			 n;
	int			 b;

	(void)state;
	body = obj("{\"email\":5,\"is_active\":\"maybe\",\"age\":-1}");
	errs = json_object_new_array();
	CHECK_INT(__LINE__, json_field_string(body, "email", JSON_REQUIRED, 1, 320, &s,
	    errs), -1);
	CHECK_INT(__LINE__, json_field_string(body, "password", JSON_REQUIRED, 1, 64, &s,
	    errs), -1);
	CHECK_INT(__LINE__, json_field_bool(body, "is_active", 0, &b, errs), -1);
	CHECK_INT(__LINE__, json_field_int(body, "age", 0, 0, 150, &n, errs), -1);
	CHECK_INT(__LINE__, json_object_array_length(errs), 4);
	check_item(__LINE__, errs, 0, "string_type", "[\"body\",\"email\"]",
	    "Input should be a valid string", "5", NULL);
	check_item(__LINE__, errs, 1, "missing", "[\"body\",\"password\"]",
	    "Field required", "{\"email\":5,\"is_active\":\"maybe\",\"age\":-1}", NULL);
	check_item(__LINE__, errs, 2, "bool_parsing", "[\"body\",\"is_active\"]",
	    "Input should be a valid boolean, unable to interpret input", "\"maybe\"", NULL);
	check_item(__LINE__, errs, 3, "greater_than_equal", "[\"body\",\"age\"]",
	    "Input should be greater than or equal to 0", "-1", "{\"ge\":0}");
	/* The whole list serialises as FastAPI's detail array. */
	CHECK_STR(__LINE__, js(json_object_array_get_idx(errs, 0)),
	    "{\"type\":\"string_type\",\"loc\":[\"body\",\"email\"],"
	    "\"msg\":\"Input should be a valid string\",\"input\":5}");
	json_object_put(body);
	json_object_put(errs);
	DONE();
}

/* --- field accessors ------------------------------------------------------- */

struct field_case {
	int		 line;
	const char	*body;		/* JSON object text */
	const char	*name;
	int		 flags;
	int64_t		 min, max;
	int		 rc;
	const char	*sout;		/* string accessor: expected value */
	int64_t		 nout;		/* bool/int accessors */
	const char	*type, *msg, *input, *ctx;	/* when rc == -1 */
};

#define REQ	JSON_REQUIRED
#define NUL_	JSON_NULLABLE

static const char MSG_STR[] = "Input should be a valid string";
static const char MSG_BOOL[] = "Input should be a valid boolean";
static const char MSG_BOOLP[] = "Input should be a valid boolean, unable to interpret input";
static const char MSG_INT[] = "Input should be a valid integer";
static const char MSG_INTP[] =
    "Input should be a valid integer, unable to parse string as an integer";
static const char MSG_INTF[] =
    "Input should be a valid integer, got a number with a fractional part";

/* Runs one accessor case and checks rc, value and the error item. */
static void
run_field_case(const struct field_case *c, int kind)
{
	struct json_object	*body, *errs;
	const char		*s = "unset";
	int64_t			 n = -777;
	int			 b = -777, rc = 0;
	char			 loc[160];

	body = obj(c->body);
	errs = json_object_new_array();
	switch (kind) {
	case 's':
		rc = json_field_string(body, c->name, c->flags, (size_t)c->min,
		    (size_t)c->max, &s, errs);
		break;
	case 'b':
		rc = json_field_bool(body, c->name, c->flags, &b, errs);
		break;
	case 'i':
		rc = json_field_int(body, c->name, c->flags, c->min, c->max, &n, errs);
		break;
	}
	CHECK_INT(c->line, rc, c->rc);
	if (rc == 1 && c->rc == 1) {
		if (kind == 's')
			CHECK_STR(c->line, s, c->sout);
		else if (kind == 'b')
			CHECK_INT(c->line, b, c->nout);
		else
			CHECK_INT(c->line, n, c->nout);
	}
	if (kind == 's' && rc != 1)
		CHECK(c->line, s == NULL);
	if (c->rc != -1)
		CHECK_INT(c->line, json_object_array_length(errs), 0);
	else {
		CHECK_INT(c->line, json_object_array_length(errs), 1);
		snprintf(loc, sizeof(loc), "[\"body\",\"%s\"]", c->name);
		check_item(c->line, errs, 0, c->type, loc, c->msg, c->input, c->ctx);
	}
	json_object_put(body);
	json_object_put(errs);
}

static void
test_field_string(void **state)
{
	static const struct field_case cases[] = {
		{ __LINE__, "{\"email\":\"a@b.c\"}", "email", REQ, 1, 320, 1, "a@b.c", 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"email\":\"a@b.c\"}", "email", 0, 0, 320, 1, "a@b.c", 0, NULL, NULL, NULL, NULL },
		/* lengths are code points: é is 2 bytes, 😀 is 4 */
		{ __LINE__, "{\"n\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}", "n", REQ, 3, 3, 1,
		    "\xc3\xa9\xc3\xa9\xc3\xa9", 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\"\\u00e9\\u00e9\\u00e9\"}", "n", REQ, 0, 3, 1,
		    "\xc3\xa9\xc3\xa9\xc3\xa9", 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\"\xf0\x9f\x98\x80\"}", "n", REQ, 1, 1, 1,
		    "\xf0\x9f\x98\x80", 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\"\\ud83d\\ude00\"}", "n", REQ, 1, 1, 1,
		    "\xf0\x9f\x98\x80", 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\"\"}", "n", REQ, 0, 10, 1, "", 0, NULL, NULL, NULL, NULL },
		/* absent and optional; null and nullable */
		{ __LINE__, "{}", "email", 0, 1, 320, 0, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"email\":null}", "email", NUL_, 1, 320, 0, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"email\":null}", "email", REQ | NUL_, 1, 320, 0, NULL, 0, NULL, NULL, NULL, NULL },
		/* --- refused --- */
		{ __LINE__, "{}", "email", REQ, 1, 320, -1, NULL, 0,
		    "missing", "Field required", "{}", NULL },
		{ __LINE__, "{\"password\":\"x\"}", "email", REQ, 1, 320, -1, NULL, 0,
		    "missing", "Field required", "{\"password\":\"x\"}", NULL },
		{ __LINE__, "{\"Email\":\"a@b.c\"}", "email", REQ, 1, 320, -1, NULL, 0,
		    "missing", "Field required", "{\"Email\":\"a@b.c\"}", NULL },
		{ __LINE__, "{\"email\":5}", "email", REQ, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "5", NULL },
		{ __LINE__, "{\"email\":1.5}", "email", 0, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "1.5", NULL },
		{ __LINE__, "{\"email\":true}", "email", REQ, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "true", NULL },
		{ __LINE__, "{\"email\":[\"a\"]}", "email", REQ, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "[\"a\"]", NULL },
		{ __LINE__, "{\"email\":{\"a\":1}}", "email", REQ, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "{\"a\":1}", NULL },
		{ __LINE__, "{\"email\":null}", "email", REQ, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "null", NULL },
		{ __LINE__, "{\"email\":null}", "email", 0, 1, 320, -1, NULL, 0,
		    "string_type", MSG_STR, "null", NULL },
		{ __LINE__, "{\"password\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}", "password", REQ,
		    8, 64, -1, NULL, 0, "string_too_short",
		    "String should have at least 8 characters", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"",
		    "{\"min_length\":8}" },
		{ __LINE__, "{\"n\":\"\"}", "n", REQ, 1, 10, -1, NULL, 0, "string_too_short",
		    "String should have at least 1 character", "\"\"", "{\"min_length\":1}" },
		{ __LINE__, "{\"n\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", "n", REQ, 0, 3,
		    -1, NULL, 0, "string_too_long", "String should have at most 3 characters",
		    "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"", "{\"max_length\":3}" },
		{ __LINE__, "{\"n\":\"ab\"}", "n", REQ, 0, 1, -1, NULL, 0, "string_too_long",
		    "String should have at most 1 character", "\"ab\"", "{\"max_length\":1}" },
		/* 4 bytes but 1 code point, 2 required */
		{ __LINE__, "{\"n\":\"\xf0\x9f\x98\x80\"}", "n", REQ, 2, 9, -1, NULL, 0,
		    "string_too_short", "String should have at least 2 characters",
		    "\"\xf0\x9f\x98\x80\"", "{\"min_length\":2}" },
		/* NUL, escaped */
		{ __LINE__, "{\"n\":\"a\\u0000b\"}", "n", REQ, 0, 10, -1, NULL, 0,
		    "value_error", ANY, "\"a\\u0000b\"", NULL },
		{ __LINE__, "{\"n\":\"\\u0000\"}", "n", 0, 0, 10, -1, NULL, 0,
		    "value_error", ANY, ANY, NULL },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++)
		run_field_case(&cases[i], 's');
	DONE();
}

/* A string value that is not UTF-8 (built directly, no parser in the way). */
static void
test_field_string_not_utf8(void **state)
{
	static const struct {
		int line; const char *s; size_t len;
	} cases[] = {
		{ __LINE__, B("\xc0\xaf") },
		{ __LINE__, B("\xed\xa0\x80") },
		{ __LINE__, B("abc\xff") },
		{ __LINE__, B("\xc3") },
		{ __LINE__, B("\xf4\x90\x80\x80") },
	};
	struct json_object	*body, *errs;
	const char		*s;
	size_t			 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		body = json_object_new_object();
		json_object_object_add(body, "n",
		    json_object_new_string_len(cases[i].s, (int)cases[i].len));
		errs = json_object_new_array();
		CHECK_INT(cases[i].line, json_field_string(body, "n", REQ, 0, 100, &s,
		    errs), -1);
		check_item(cases[i].line, errs, 0, "string_unicode", "[\"body\",\"n\"]",
		    ANY, ANY, NULL);
		json_object_put(body);
		json_object_put(errs);
	}
	DONE();
}

static void
test_field_bool(void **state)
{
	static const struct field_case cases[] = {
		{ __LINE__, "{\"b\":true}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":false}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"yes\"}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"OFF\"}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"True\"}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"f\"}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"1\"}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":\"0\"}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":1}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":0}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":1.0}", "b", REQ, 0, 0, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":0.0}", "b", REQ, 0, 0, 1, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{}", "b", 0, 0, 0, 0, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"b\":null}", "b", NUL_, 0, 0, 0, NULL, 0, NULL, NULL, NULL, NULL },
		/* --- refused --- */
		{ __LINE__, "{\"b\":\"maybe\"}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "\"maybe\"", NULL },
		{ __LINE__, "{\"b\":\"\"}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "\"\"", NULL },
		{ __LINE__, "{\"b\":\"yess\"}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "\"yess\"", NULL },
		{ __LINE__, "{\"b\":\"yes\\u0000\"}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, ANY, NULL },
		{ __LINE__, "{\"b\":2}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "2", NULL },
		{ __LINE__, "{\"b\":-1}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "-1", NULL },
		{ __LINE__, "{\"b\":0.5}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_parsing", MSG_BOOLP, "0.5", NULL },
		{ __LINE__, "{\"b\":[]}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_type", MSG_BOOL, "[]", NULL },
		{ __LINE__, "{\"b\":{}}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_type", MSG_BOOL, "{}", NULL },
		{ __LINE__, "{\"b\":null}", "b", REQ, 0, 0, -1, NULL, 0,
		    "bool_type", MSG_BOOL, "null", NULL },
		{ __LINE__, "{\"b\":null}", "b", 0, 0, 0, -1, NULL, 0,
		    "bool_type", MSG_BOOL, "null", NULL },
		{ __LINE__, "{}", "b", REQ, 0, 0, -1, NULL, 0,
		    "missing", "Field required", "{}", NULL },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++)
		run_field_case(&cases[i], 'b');
	DONE();
}

static void
test_field_int(void **state)
{
	static const struct field_case cases[] = {
		{ __LINE__, "{\"n\":7}", "n", REQ, 1, 100, 1, NULL, 7, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\"7\"}", "n", REQ, 1, 100, 1, NULL, 7, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":\" 7 \"}", "n", REQ, 1, 100, 1, NULL, 7, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":7.0}", "n", REQ, 1, 100, 1, NULL, 7, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":1}", "n", REQ, 1, 100, 1, NULL, 1, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":100}", "n", REQ, 1, 100, 1, NULL, 100, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":-5}", "n", REQ, INT64_MIN, INT64_MAX, 1, NULL, -5, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":9223372036854775807}", "n", REQ, INT64_MIN, INT64_MAX, 1,
		    NULL, INT64_MAX, NULL, NULL, NULL, NULL },
		{ __LINE__, "{}", "n", 0, 1, 100, 0, NULL, 0, NULL, NULL, NULL, NULL },
		{ __LINE__, "{\"n\":null}", "n", NUL_, 1, 100, 0, NULL, 0, NULL, NULL, NULL, NULL },
		/* --- refused --- */
		{ __LINE__, "{\"n\":7.5}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_from_float", MSG_INTF, "7.5", NULL },
		{ __LINE__, "{\"n\":-0.1}", "n", REQ, -10, 100, -1, NULL, 0,
		    "int_from_float", MSG_INTF, "-0.1", NULL },
		{ __LINE__, "{\"n\":\"x\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_parsing", MSG_INTP, "\"x\"", NULL },
		{ __LINE__, "{\"n\":\"\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_parsing", MSG_INTP, "\"\"", NULL },
		{ __LINE__, "{\"n\":\"7x\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_parsing", MSG_INTP, "\"7x\"", NULL },
		{ __LINE__, "{\"n\":\"0x10\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_parsing", MSG_INTP, "\"0x10\"", NULL },
		{ __LINE__, "{\"n\":\"7\\u0000\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_parsing", MSG_INTP, ANY, NULL },
		{ __LINE__, "{\"n\":0}", "n", REQ, 1, 100, -1, NULL, 0,
		    "greater_than_equal", "Input should be greater than or equal to 1", "0",
		    "{\"ge\":1}" },
		{ __LINE__, "{\"n\":\"-3\"}", "n", REQ, 1, 100, -1, NULL, 0,
		    "greater_than_equal", "Input should be greater than or equal to 1",
		    "\"-3\"", "{\"ge\":1}" },
		{ __LINE__, "{\"n\":101}", "n", REQ, 1, 100, -1, NULL, 0,
		    "less_than_equal", "Input should be less than or equal to 100", "101",
		    "{\"le\":100}" },
		{ __LINE__, "{\"n\":1e30}", "n", REQ, 1, 100, -1, NULL, 0,
		    "less_than_equal", "Input should be less than or equal to 100", ANY,
		    "{\"le\":100}" },
		{ __LINE__, "{\"n\":-1e30}", "n", REQ, 1, 100, -1, NULL, 0,
		    "greater_than_equal", "Input should be greater than or equal to 1", ANY,
		    "{\"ge\":1}" },
		{ __LINE__, "{\"n\":99999999999999999999}", "n", REQ, 1, 100, -1, NULL, 0,
		    "less_than_equal", "Input should be less than or equal to 100", ANY,
		    "{\"le\":100}" },
		{ __LINE__, "{\"n\":{}}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_type", MSG_INT, "{}", NULL },
		{ __LINE__, "{\"n\":[7]}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_type", MSG_INT, "[7]", NULL },
		{ __LINE__, "{\"n\":null}", "n", REQ, 1, 100, -1, NULL, 0,
		    "int_type", MSG_INT, "null", NULL },
		{ __LINE__, "{}", "n", REQ, 1, 100, -1, NULL, 0,
		    "missing", "Field required", "{}", NULL },
	};
	struct json_object	*body, *errs;
	int64_t			 n;
	size_t			 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++)
		run_field_case(&cases[i], 'i');
	/* A non-finite double (not from our parser, which refuses NaN). */
	body = json_object_new_object();
	json_object_object_add(body, "n", json_object_new_double(NAN));
	json_object_object_add(body, "m", json_object_new_double(INFINITY));
	errs = json_object_new_array();
	CHECK_INT(__LINE__, json_field_int(body, "n", REQ, 0, 10, &n, errs), -1);
	CHECK_INT(__LINE__, json_field_int(body, "m", REQ, 0, 10, &n, errs), -1);
	check_item(__LINE__, errs, 0, "finite_number", "[\"body\",\"n\"]",
	    "Input should be a finite number", ANY, NULL);
	check_item(__LINE__, errs, 1, "finite_number", "[\"body\",\"m\"]",
	    "Input should be a finite number", ANY, NULL);
	json_object_put(body);
	json_object_put(errs);
	DONE();
}

/* --- utf8_length ----------------------------------------------------------- */

static void
test_utf8_length(void **state)
{
	static const struct {
		int line; const char *s; size_t len; long want;
	} cases[] = {
		{ __LINE__, B(""), 0 },
		{ __LINE__, B("abc"), 3 },
		{ __LINE__, B("\0"), 1 },
		{ __LINE__, B("\x7f"), 1 },
		{ __LINE__, B("\xc2\x80"), 1 },			/* U+0080 */
		{ __LINE__, B("\xc3\xa9"), 1 },			/* é */
		{ __LINE__, B("\xdf\xbf"), 1 },			/* U+07FF */
		{ __LINE__, B("\xe0\xa0\x80"), 1 },		/* U+0800 */
		{ __LINE__, B("\xe2\x82\xac"), 1 },		/* € */
		{ __LINE__, B("\xed\x9f\xbf"), 1 },		/* U+D7FF */
		{ __LINE__, B("\xee\x80\x80"), 1 },		/* U+E000 */
		{ __LINE__, B("\xef\xbf\xbf"), 1 },		/* U+FFFF */
		{ __LINE__, B("\xf0\x90\x80\x80"), 1 },		/* U+10000 */
		{ __LINE__, B("\xf0\x9f\x98\x80"), 1 },		/* 😀 */
		{ __LINE__, B("\xf4\x8f\xbf\xbf"), 1 },		/* U+10FFFF */
		{ __LINE__, B("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), 5 },
		/* overlong */
		{ __LINE__, B("\xc0\xaf"), -1 },
		{ __LINE__, B("\xc1\xbf"), -1 },
		{ __LINE__, B("\xc0\x80"), -1 },
		{ __LINE__, B("\xe0\x80\xaf"), -1 },
		{ __LINE__, B("\xe0\x9f\xbf"), -1 },
		{ __LINE__, B("\xf0\x80\x80\xaf"), -1 },
		{ __LINE__, B("\xf0\x8f\xbf\xbf"), -1 },
		/* surrogates */
		{ __LINE__, B("\xed\xa0\x80"), -1 },
		{ __LINE__, B("\xed\xbf\xbf"), -1 },
		{ __LINE__, B("\xed\xa0\xbd\xed\xb8\x80"), -1 },	/* CESU-8 pair */
		/* truncated */
		{ __LINE__, B("\xc3"), -1 },
		{ __LINE__, B("a\xc3"), -1 },
		{ __LINE__, B("\xe2\x82"), -1 },
		{ __LINE__, B("\xf0\x9f\x98"), -1 },
		{ __LINE__, "\xc3\xa9", 1, -1 },		/* cut by len */
		/* beyond U+10FFFF, and bytes that never occur */
		{ __LINE__, B("\xf4\x90\x80\x80"), -1 },
		{ __LINE__, B("\xf5\x80\x80\x80"), -1 },
		{ __LINE__, B("\xf7\xbf\xbf\xbf"), -1 },
		{ __LINE__, B("\xf8\x88\x80\x80\x80"), -1 },
		{ __LINE__, B("\xfc\x84\x80\x80\x80\x80"), -1 },
		{ __LINE__, B("\xfe"), -1 },
		{ __LINE__, B("\xff"), -1 },
		/* a continuation byte where a lead is expected, and vice versa */
		{ __LINE__, B("\x80"), -1 },
		{ __LINE__, B("a\xbf"), -1 },
		{ __LINE__, B("\xc3\x28"), -1 },
		{ __LINE__, B("\xe2\x28\xa1"), -1 },
		{ __LINE__, B("\xf0\x9f\x28\x80"), -1 },
		{ __LINE__, B("\xc3\xc3\xa9"), -1 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++)
		CHECK_INT(cases[i].line, utf8_length(cases[i].s, cases[i].len),
		    cases[i].want);
	DONE();
}

/* Python 3's repr() of each value, which FastAPI writes for a float. */
static void
test_float_repr(void **state)
{
	static const struct {
		double		 v;
		const char	*want;
	} t[] = {
		{ 51.50853, "51.50853" },
		{ -0.12574, "-0.12574" },
		{ 0.1, "0.1" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ 1.0 / 3, "0.3333333333333333" },
		{ -2.0 / 3, "-0.6666666666666666" },
		{ 100.0, "100.0" },
		{ -0.0, "-0.0" },
		{ 0.0, "0.0" },
		{ 1e+16, "1e+16" },
		{ 1000000000000000.0, "1000000000000000.0" },
		{ 1234567890123456.8, "1234567890123456.8" },
		{ 1.2345678901234568e+16, "1.2345678901234568e+16" },
		{ 0.0001, "0.0001" },
		{ 1e-05, "1e-05" },
		{ 0.00012345, "0.00012345" },
		{ 1.5e+300, "1.5e+300" },
		{ -1.5e-300, "-1.5e-300" },
		{ 5e-324, "5e-324" },
		{ 1.7976931348623157e+308, "1.7976931348623157e+308" },
		{ 180.0, "180.0" },
		{ -90.0, "-90.0" },
		{ 48.8566969, "48.8566969" },
		{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
		{ 123456.789, "123456.789" },
		{ 9007199254740992.0, "9007199254740992.0" },
		/* json.dumps writes these (not JSON, but what Python sends). */
		{ NAN, "NaN" },
		{ INFINITY, "Infinity" },
		{ -INFINITY, "-Infinity" },
	};
	char		 buf[JSON_FLOAT_MAX];
	size_t		 i, n;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = json_float_repr(t[i].v, buf);
		assert_string_equal(buf, t[i].want);
		assert_int_equal(n, strlen(t[i].want));
	}
}

/* The significant digits of a %e or repr text (1000.0 has one). */
static int
sig_digits(const char *s)
{
	int	 n = 0, zeros = 0, lead = 1;

	for (; *s != '\0' && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (lead && *s == '0')
			continue;
		lead = 0;
		if (*s == '0') {
			zeros++;
		} else {
			n += zeros + 1;
			zeros = 0;
		}
	}
	return n;
}

/*
 * Against the search it replaces, over coordinates and random bit
 * patterns: every text reads back as the value and has no more digits
 * than the shortest %.*e that does.
 */
static void
test_float_repr_shortest(void **state)
{
	char		 buf[JSON_FLOAT_MAX], e[40];
	uint64_t	 x = 0x9e3779b97f4a7c15u, bits;
	double		 v;
	int		 i, prec;

	(void)state;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2 == 0) {
			v = (double)(x % 360000001u) / 1e6 - 180.0;
		} else {
			bits = x;
			memcpy(&v, &bits, sizeof(v));
			if (!isfinite(v))
				continue;
		}
		json_float_repr(v, buf);
		assert_true(strtod(buf, NULL) == v);
		assert_true(signbit(strtod(buf, NULL)) == signbit(v));
		for (prec = 1; prec <= 17; prec++) {
			snprintf(e, sizeof(e), "%.*e", prec - 1, v);
			if (strtod(e, NULL) == v)
				break;
		}
		if (v != 0 && sig_digits(buf) > prec)
			fail_msg("%s for %.17g: %d digits, %s has %d", buf, v,
			    sig_digits(buf), e, prec);
	}
}

/* A pre-written document placed inside another, as written. */
static void
test_verbatim(void **state)
{
	struct json_object	*o, *v, *got;
	const char		*text = "{\"city\":\"K\\u00f6ln\",\"lat\":50.9,\"n\":null}";

	(void)state;
	assert_null(json_new_verbatim(NULL));
	assert_non_null(v = json_new_verbatim(text));
	/* To the accessors it is an empty object. */
	assert_true(json_object_is_type(v, json_type_object));
	assert_int_equal(json_object_object_length(v), 0);
	assert_false(json_object_object_get_ex(v, "city", NULL));
	o = json_object_new_object();
	json_object_object_add(o, "a", json_object_new_int(1));
	json_object_object_add(o, "doc", v);
	assert_string_equal(js(o),
	    "{\"a\":1,\"doc\":{\"city\":\"K\\u00f6ln\",\"lat\":50.9,\"n\":null}}");
	/* The whole text parses back to the same members. */
	got = json_tokener_parse(js(o));
	assert_non_null(got);
	assert_true(json_object_object_get_ex(got, "doc", &v));
	assert_string_equal(json_object_get_string(json_object_object_get(v, "city")), "K\xc3\xb6ln");
	json_object_put(got);
	json_object_put(o);
	/* A float made by json_new_float_repr writes Python's text. */
	o = json_new_float_repr(100.0);
	assert_string_equal(js(o), "100.0");
	assert_true(json_object_get_double(o) == 100.0);
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_null),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_error_add),
		cmocka_unit_test(test_body_object),
		cmocka_unit_test(test_errors_accumulate),
		cmocka_unit_test(test_field_string),
		cmocka_unit_test(test_field_string_not_utf8),
		cmocka_unit_test(test_field_bool),
		cmocka_unit_test(test_field_int),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_float_repr_shortest),
		cmocka_unit_test(test_verbatim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
