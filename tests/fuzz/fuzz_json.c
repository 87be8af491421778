/*
 * fuzz_json: json_parse and the typed field accessors of json.c, as a
 * request body reaches them (POST /auth/register, PATCH /users/me).
 * Checks:
 *  - json_parse: a result code in range; on success a value no deeper
 *    than JSON_MAX_DEPTH that serialises and parses again (to the same
 *    type; the literal null is a NULL object); on failure no
 *    object, a message and an error offset within the input; input with a
 *    raw NUL, a raw control character inside a string (RFC 8259 §7;
 *    Python's json.loads: "Invalid control character") or invalid UTF-8
 *    (RFC 3629, as utf8_length sees it) never parses;
 *  - utf8_length agrees with a strict reference validator written here;
 *  - on an object, json_field_string/bool/int on fixed names and on the
 *    object's own keys, under each flag combination: 1 only with a good
 *    value (a NUL-free string of min..max code points, a 0/1 bool, an int
 *    in range), 0 only when absent or null-and-nullable and without a new
 *    error item, -1 only with exactly one new pydantic item.
 * Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "json.h"

#define FUZZ_MAX_KEYS	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fixed_names[] = {
	"email", "password", "is_active", "is_superuser", "is_verified",
	"first_name", "role", "limit", "",
};

static const int flag_sets[] = {
	0, JSON_REQUIRED, JSON_NULLABLE, JSON_REQUIRED | JSON_NULLABLE,
};

/*
 * Strict UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
 * Returns the number of code points, or -1.
 */
static long
ref_utf8_length(const uint8_t *s, size_t len)
{
	size_t		 i = 0, k, need;
	long		 n = 0;
	uint32_t	 cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			n++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return -1;
		if (len - i - 1 < need)
			return -1;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += need + 1;
		n++;
	}
	return n;
}

/*
 * Whether JSON text (s, len) has a control character (< 0x20) where RFC 8259
 * allows none: inside a string, or outside one other than blank space.
 */
static int
has_bad_control(const uint8_t *s, size_t len)
{
	size_t	 i;
	int	 in_string = 0;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] < 0x20)
				return 1;
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = 0;
		} else if (s[i] == '"')
			in_string = 1;
		else if (s[i] < 0x20 && s[i] != ' ' && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r')
			return 1;
	}
	return 0;
}

/* Nesting depth of containers (a scalar is 0, [] is 1). */
static int
depth_of(struct json_object *o)
{
	int	 d = 0, c;
	size_t	 i, n;

	switch (json_object_get_type(o)) {
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if ((c = depth_of(json_object_array_get_idx(o, i))) > d)
				d = c;
		return d + 1;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if ((c = depth_of(val)) > d)
				d = c;
		}
		return d + 1;
	}
	default:
		return 0;
	}
}

/* One pydantic item: {"type": str, "loc": ["body", …], "msg": str, "input"}. */
static void
check_item(struct json_object *it)
{
	struct json_object	*v, *loc0;

	if (!json_object_is_type(it, json_type_object))
		abort();
	if (!json_object_object_get_ex(it, "type", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		abort();
	if (!json_object_object_get_ex(it, "msg", &v) ||
	    !json_object_is_type(v, json_type_string))
		abort();
	if (!json_object_object_get_ex(it, "loc", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) < 1 ||
	    (loc0 = json_object_array_get_idx(v, 0)) == NULL ||
	    strcmp(json_object_get_string(loc0), "body") != 0)
		abort();
	if (!json_object_object_get_ex(it, "input", &v))
		abort();
}

/* Checks what an accessor's return says against errs and the field itself. */
static void
check_outcome(struct json_object *obj, const char *name, int flags, int rv,
    struct json_object *errs, size_t nbefore)
{
	struct json_object	*v = NULL;
	size_t			 nafter = json_object_array_length(errs);
	int			 present;

	present = json_object_object_get_ex(obj, name, &v);
	switch (rv) {
	case 1:
		if (!present || v == NULL || nafter != nbefore)
			abort();
		break;
	case 0:
		if (nafter != nbefore)
			abort();
		if (present && !(v == NULL && (flags & JSON_NULLABLE)))
			abort();
		if (!present && (flags & JSON_REQUIRED))
			abort();
		break;
	case -1:
		if (nafter != nbefore + 1)
			abort();
		check_item(json_object_array_get_idx(errs, nafter - 1));
		break;
	default:
		abort();
	}
}

static void
check_fields(struct json_object *obj, const char *name, struct json_object *errs)
{
	struct json_object	*v = NULL;
	const char		*s;
	size_t			 f, n, len;
	int64_t			 i64;
	int			 rv, b, flags;
	long			 cps;

	for (f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
		flags = flag_sets[f];

		n = json_object_array_length(errs);
		s = NULL;
		rv = json_field_string(obj, name, flags, 1, 64, &s, errs);
		check_outcome(obj, name, flags, rv, errs, n);
		if (rv == 1) {
			if (s == NULL ||
			    !json_object_object_get_ex(obj, name, &v) ||
			    !json_object_is_type(v, json_type_string))
				abort();
			len = strlen(s);
			/* no NUL inside: the C string is the whole value */
			if ((int)len != json_object_get_string_len(v))
				abort();
			cps = utf8_length(s, len);
			if (cps < 1 || cps > 64 ||
			    cps != ref_utf8_length((const uint8_t *)s, len))
				abort();
		}

		n = json_object_array_length(errs);
		b = -7;
		rv = json_field_bool(obj, name, flags, &b, errs);
		check_outcome(obj, name, flags, rv, errs, n);
		if (rv == 1 && b != 0 && b != 1)
			abort();

		n = json_object_array_length(errs);
		rv = json_field_int(obj, name, flags, -5, 1000, &i64, errs);
		check_outcome(obj, name, flags, rv, errs, n);
		if (rv == 1 && (i64 < -5 || i64 > 1000))
			abort();

		n = json_object_array_length(errs);
		rv = json_field_int(obj, name, flags, INT64_MIN, INT64_MAX,
		    &i64, errs);
		check_outcome(obj, name, flags, rv, errs, n);
	}
}

static void
check_object(struct json_object *obj)
{
	struct json_object	*errs;
	const char		*keys[FUZZ_MAX_KEYS];
	size_t			 i, nkeys = 0;

	if ((errs = json_object_new_array()) == NULL)
		abort();
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (nkeys < FUZZ_MAX_KEYS)
			keys[nkeys++] = key;
	}
	for (i = 0; i < nkeys; i++)
		check_fields(obj, keys[i], errs);
	for (i = 0; i < sizeof(fixed_names) / sizeof(fixed_names[0]); i++)
		check_fields(obj, fixed_names[i], errs);
	json_object_put(errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*obj = NULL, *again = NULL;
	struct arena		*a;
	enum json_err		 rc;
	const char		*msg = NULL, *text;
	size_t			 pos = (size_t)-1, tlen;
	long			 n;

	/* the harness's contract: every target gets an arena */
	if ((a = arena_new(1024)) == NULL)
		abort();

	n = utf8_length((const char *)data, size);
	if (n != ref_utf8_length(data, size))
		abort();

	rc = json_parse((const char *)data, size, &obj, &pos, &msg);
	if ((int)rc < 0 || rc >= JSON__MAX || json_strerror(rc) == NULL)
		abort();
	if (rc != JSON_OK) {
		if (obj != NULL || msg == NULL || pos > size)
			abort();
		goto out;
	}
	/* JSON text holds no raw NUL */
	if (memchr(data, '\0', size) != NULL)
		abort();
	/*
	 * json-c 0.16 alone (JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8)
	 * lets raw control characters in strings, overlong forms, UTF-8
	 * surrogates and code points past U+10FFFF through: regressions/json/.
	 */
	if (n < 0 || has_bad_control(data, size))
		abort();
	if (depth_of(obj) > JSON_MAX_DEPTH)
		abort();

	/* what json-c writes back parses again, to the same type (the JSON
	 * literal null is a NULL object) */
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	if (text == NULL)
		abort();
	tlen = strlen(text);
	if (json_parse(text, tlen, &again, &pos, &msg) != JSON_OK ||
	    json_object_get_type(again) != json_object_get_type(obj))
		abort();
	json_object_put(again);

	if (json_object_is_type(obj, json_type_object))
		check_object(obj);
out:
	json_object_put(obj);
	arena_free(a);
	return 0;
}
