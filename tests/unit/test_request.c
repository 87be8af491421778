/*
 * test_request: the decoders at the HTTP boundary (src/common/request.c):
 * percent-decoding, urlencoded and multipart forms, the public path from
 * CGI params, methods, header lookup and the JSON content-type test.  Each
 * table case carries its own line; most cases are malformed, truncated,
 * oversized or smuggling input that must be refused, not half-decoded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "request.h"
#include "unit_util.h"

#define CHECK_ERR(line, got, want) \
	CHECK_ENUM(line, enum request_err, request_strerror, got, want)

/* --- url_decode ---------------------------------------------------------- */

static void
test_url_decode(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 len;
		int		 plus;
		enum request_err want;
		const char	*out;
		size_t		 outlen;
	} cases[] = {
		/* good */
		{ __LINE__, B("abc"), 0, REQUEST_OK, B("abc") },
		{ __LINE__, B(""), 0, REQUEST_OK, B("") },
		{ __LINE__, B(""), 1, REQUEST_OK, B("") },
		{ __LINE__, B("a+b"), 1, REQUEST_OK, B("a b") },
		{ __LINE__, B("a+b"), 0, REQUEST_OK, B("a+b") },
		{ __LINE__, B("%2B"), 1, REQUEST_OK, B("+") },	/* an encoded + is a + */
		{ __LINE__, B("%41"), 0, REQUEST_OK, B("A") },
		{ __LINE__, B("%4a%4A"), 0, REQUEST_OK, B("JJ") },
		{ __LINE__, B("%c3%A9t%C3%a9"), 0, REQUEST_OK, B("\xc3\xa9t\xc3\xa9") },
		{ __LINE__, B("%25"), 0, REQUEST_OK, B("%") },
		{ __LINE__, B("%2541"), 0, REQUEST_OK, B("%41") },	/* decoded once */
		{ __LINE__, B("a%20b%20"), 0, REQUEST_OK, B("a b ") },
		/* len is honoured: the bytes past it are never read */
		{ __LINE__, "abc%41", 3, 0, REQUEST_OK, B("abc") },
		/* malformed */
		{ __LINE__, B("%"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("abc%"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%4"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("abc%4"), 1, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, "%41", 2, 0, REQUEST_EENCODING, NULL, 0 },	/* cut by len */
		{ __LINE__, B("%zz"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%g0"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%0g"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%%41"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("% 41"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%+1"), 1, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%-1"), 0, REQUEST_EENCODING, NULL, 0 },
		{ __LINE__, B("%\xc3\xa9"), 0, REQUEST_EENCODING, NULL, 0 },
		/* NUL, encoded or raw */
		{ __LINE__, B("%00"), 0, REQUEST_ENUL, NULL, 0 },
		{ __LINE__, B("a%00b"), 1, REQUEST_ENUL, NULL, 0 },
		{ __LINE__, B("a\0b"), 0, REQUEST_ENUL, NULL, 0 },
		{ __LINE__, B("\0"), 1, REQUEST_ENUL, NULL, 0 },
	};
	struct arena	*a = *state;
	char		*out;
	size_t		 i, outlen;
	enum request_err e;

	for (i = 0; i < NCASES(cases); i++) {
		outlen = 12345;
		e = url_decode(a, cases[i].in, cases[i].len, cases[i].plus,
		    &out, &outlen);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		if (cases[i].want != REQUEST_OK) {
			CHECK(cases[i].line, out == NULL);
			continue;
		}
		if (e != REQUEST_OK || out == NULL)
			continue;
		CHECK(cases[i].line, outlen == cases[i].outlen);
		CHECK(cases[i].line, memcmp(out, cases[i].out, cases[i].outlen) == 0);
		CHECK(cases[i].line, out[cases[i].outlen] == '\0');
	}
	/* outlen may be NULL */
	CHECK_ERR(__LINE__, url_decode(a, B("x%41"), 0, &out, NULL), REQUEST_OK);
	CHECK_STR(__LINE__, out, "xA");
	/* A length that cannot be allocated is refused, not wrapped. */
	CHECK_ERR(__LINE__, url_decode(a, "x", SIZE_MAX, 0, &out, NULL), REQUEST_ENOMEM);
	DONE();
}

/* --- urlencoded ------------------------------------------------------------ */

struct want_kv {
	const char	*name;
	const char	*value;
	size_t		 vlen;
	int		 is_file;
};

/* Compares a parsed list with the expected fields, in order. */
static void
check_list(int line, const struct kvlist *l, size_t n, const struct want_kv *w)
{
	size_t	 i;

	CHECK(line, l->n == n);
	if (l->n != n)
		return;
	for (i = 0; i < n; i++) {
		CHECK_STR(line, l->items[i].name, w[i].name);
		CHECK(line, l->items[i].value_len == w[i].vlen);
		CHECK(line, l->items[i].value != NULL &&
		    memcmp(l->items[i].value, w[i].value, w[i].vlen) == 0 &&
		    l->items[i].value[w[i].vlen] == '\0');
		CHECK(line, l->items[i].is_file == w[i].is_file);
	}
}

static void
test_urlencoded(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 len;
		size_t		 max;
		enum request_err want;
		size_t		 n;
		struct want_kv	 kv[3];
	} cases[] = {
		{ __LINE__, B("a=1&b=2"), 10, REQUEST_OK, 2,
		    { { "a", B("1"), 0 }, { "b", B("2"), 0 } } },
		{ __LINE__, B(""), 10, REQUEST_OK, 0, { { 0 } } },
		{ __LINE__, B("&&"), 10, REQUEST_OK, 0, { { 0 } } },
		{ __LINE__, B("&a=1&&b=2&"), 10, REQUEST_OK, 2,
		    { { "a", B("1"), 0 }, { "b", B("2"), 0 } } },
		{ __LINE__, B("a"), 10, REQUEST_OK, 1, { { "a", B(""), 0 } } },
		{ __LINE__, B("a="), 10, REQUEST_OK, 1, { { "a", B(""), 0 } } },
		{ __LINE__, B("a&b=2"), 10, REQUEST_OK, 2,
		    { { "a", B(""), 0 }, { "b", B("2"), 0 } } },
		{ __LINE__, B("a=b=c"), 10, REQUEST_OK, 1, { { "a", B("b=c"), 0 } } },
		{ __LINE__, B("a+b=c+d%2B"), 10, REQUEST_OK, 1,
		    { { "a b", B("c d+"), 0 } } },
		{ __LINE__, B("%61%3D=%26"), 10, REQUEST_OK, 1,
		    { { "a=", B("&"), 0 } } },
		{ __LINE__, B("email=a%40b.c&password=p%C3%A4ss"), 10, REQUEST_OK, 2,
		    { { "email", B("a@b.c"), 0 }, { "password", B("p\xc3\xa4ss"), 0 } } },
		{ __LINE__, "a=1&b=2", 3, 10, REQUEST_OK, 1, { { "a", B("1"), 0 } } },
		{ __LINE__, B("x=1&x=2&x=3"), 3, REQUEST_OK, 3,
		    { { "x", B("1"), 0 }, { "x", B("2"), 0 }, { "x", B("3"), 0 } } },
		/* too many */
		{ __LINE__, B("a&b&c"), 2, REQUEST_ETOOMANY, 0, { { 0 } } },
		{ __LINE__, B("a=1"), 0, REQUEST_ETOOMANY, 0, { { 0 } } },
		/* bad encoding in the name or the value */
		{ __LINE__, B("%zz=1"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		{ __LINE__, B("a%=1"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		{ __LINE__, B("a=%z"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		{ __LINE__, B("a=1&b=%"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		{ __LINE__, B("a=%4&b=2"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		{ __LINE__, B("a%"), 10, REQUEST_EENCODING, 0, { { 0 } } },
		/* NUL */
		{ __LINE__, B("a=%00"), 10, REQUEST_ENUL, 0, { { 0 } } },
		{ __LINE__, B("%00=1"), 10, REQUEST_ENUL, 0, { { 0 } } },
		{ __LINE__, B("a=x\0y"), 10, REQUEST_ENUL, 0, { { 0 } } },
		{ __LINE__, B("a\0=1"), 10, REQUEST_ENUL, 0, { { 0 } } },
		{ __LINE__, B("a=1&b%00c"), 10, REQUEST_ENUL, 0, { { 0 } } },
	};
	struct arena	*a = *state;
	struct kvlist	 l;
	size_t		 i;
	enum request_err e;

	for (i = 0; i < NCASES(cases); i++) {
		memset(&l, 0, sizeof(l));
		e = request_parse_urlencoded(a, cases[i].in, cases[i].len,
		    cases[i].max, &l);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		if (e == REQUEST_OK && cases[i].want == REQUEST_OK)
			check_list(cases[i].line, &l, cases[i].n, cases[i].kv);
	}
	DONE();
}

static void
test_urlencoded_last_wins_and_append(void **state)
{
	struct arena	*a = *state;
	struct kvlist	 l;
	const struct kv	*kv;

	memset(&l, 0, sizeof(l));
	CHECK_ERR(__LINE__, request_parse_urlencoded(a, B("k=1&j=x&k=2"), 100, &l),
	    REQUEST_OK);
	kv = kvlist_get(&l, "k");
	CHECK(__LINE__, kv != NULL);
	CHECK_STR(__LINE__, kv ? kv->value : NULL, "2");
	CHECK(__LINE__, kvlist_get(&l, "K") == NULL);	/* names are case-sensitive */
	CHECK(__LINE__, kvlist_get(&l, "") == NULL);
	CHECK(__LINE__, kvlist_get(&l, "missing") == NULL);
	/* A second parse appends to the same list. */
	CHECK_ERR(__LINE__, request_parse_urlencoded(a, B("k=3"), 100, &l), REQUEST_OK);
	CHECK(__LINE__, l.n == 4);
	kv = kvlist_get(&l, "k");
	CHECK_STR(__LINE__, kv ? kv->value : NULL, "3");
	/* The cap counts what the list already holds. */
	CHECK_ERR(__LINE__, request_parse_urlencoded(a, B("z=1"), 4, &l),
	    REQUEST_ETOOMANY);
	/* An empty list finds nothing. */
	memset(&l, 0, sizeof(l));
	CHECK(__LINE__, kvlist_get(&l, "k") == NULL);
	DONE();
}

/* Builds "f0=0&f1=1&…" with n fields. */
static char *
many_fields(size_t n, size_t *len)
{
	char	*buf;
	size_t	 i, o = 0, cap = n * 16 + 1;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%sf%zu=%zu",
		    i > 0 ? "&" : "", i, i);
	*len = o;
	return buf;
}

static void
test_urlencoded_max_fields(void **state)
{
	static const struct {
		int line; size_t n; enum request_err want;
	} cases[] = {
		{ __LINE__, REQUEST_MAX_FIELDS - 1, REQUEST_OK },
		{ __LINE__, REQUEST_MAX_FIELDS, REQUEST_OK },
		{ __LINE__, REQUEST_MAX_FIELDS + 1, REQUEST_ETOOMANY },
		{ __LINE__, REQUEST_MAX_FIELDS * 5, REQUEST_ETOOMANY },
	};
	struct arena	*a = *state;
	struct kvlist	 l;
	const struct kv	*kv;
	char		*buf;
	size_t		 i, len = 0;

	for (i = 0; i < NCASES(cases); i++) {
		assert_non_null(buf = many_fields(cases[i].n, &len));
		memset(&l, 0, sizeof(l));
		CHECK_ERR(cases[i].line, request_parse_urlencoded(a, buf, len,
		    REQUEST_MAX_FIELDS, &l), cases[i].want);
		if (cases[i].want == REQUEST_OK) {
			CHECK(cases[i].line, l.n == cases[i].n);
			kv = kvlist_get(&l, "f0");
			CHECK_STR(cases[i].line, kv ? kv->value : NULL, "0");
		} else
			CHECK(cases[i].line, l.n <= REQUEST_MAX_FIELDS);
		free(buf);
		arena_reset(a);
	}
	/* Empty pieces do not count as fields. */
	memset(&l, 0, sizeof(l));
	CHECK_ERR(__LINE__, request_parse_urlencoded(a, B("&&&&&&&&a=1&&&&&&"), 1, &l),
	    REQUEST_OK);
	DONE();
}

/* --- multipart ------------------------------------------------------------- */

#define CT_CURL	"multipart/form-data; boundary=------------------------d74496d66958873e"
#define D_CURL	"--------------------------d74496d66958873e"

static void
test_multipart(void **state)
{
	static const struct {
		int		 line;
		const char	*ct;
		const char	*body;
		size_t		 len;
		size_t		 max;
		enum request_err want;
		size_t		 n;
		struct want_kv	 kv[3];
	} cases[] = {
		/* curl -F username=alice -F password=s3cret */
		{ __LINE__, CT_CURL, B(
		    D_CURL "\r\n"
		    "Content-Disposition: form-data; name=\"username\"\r\n"
		    "\r\n"
		    "alice\r\n"
		    D_CURL "\r\n"
		    "Content-Disposition: form-data; name=\"password\"\r\n"
		    "\r\n"
		    "s3cret\r\n"
		    D_CURL "--\r\n"), 10, REQUEST_OK, 2,
		    { { "username", B("alice"), 0 }, { "password", B("s3cret"), 0 } } },
		/* curl -F avatar=@a.txt -F note=hi */
		{ __LINE__, CT_CURL, B(
		    D_CURL "\r\n"
		    "Content-Disposition: form-data; name=\"avatar\"; filename=\"a.txt\"\r\n"
		    "Content-Type: text/plain\r\n"
		    "\r\n"
		    "hello\r\nworld\r\n"
		    D_CURL "\r\n"
		    "Content-Disposition: form-data; name=\"note\"\r\n"
		    "\r\n"
		    "hi\r\n"
		    D_CURL "--\r\n"), 10, REQUEST_OK, 2,
		    { { "avatar", B("hello\r\nworld"), 1 }, { "note", B("hi"), 0 } } },
		/* a NUL byte is fine in a file */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"f\"; filename=\"b.bin\"\r\n"
		    "\r\n"
		    "\0\1\2\0\r\n"
		    "--xyz--"), 10, REQUEST_OK, 1, { { "f", B("\0\1\2\0"), 1 } } },
		/* boundary quoted, other parameters, any case */
		{ __LINE__, "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"", B(
		    "--a b:c\r\n"
		    "content-disposition: form-data; name=x\r\n"
		    "\r\n"
		    "1\r\n"
		    "--a b:c--"), 10, REQUEST_OK, 1, { { "x", B("1"), 0 } } },
		/* a preamble before the first delimiter and an epilogue after the last */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "This is the preamble.\r\nIt is ignored.\r\n"
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--\r\n"
		    "This is the epilogue."), 10, REQUEST_OK, 1, { { "a", B("1"), 0 } } },
		/* transport padding (RFC 2046 §5.1.1) after a delimiter */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz \t \r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz\t\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n"
		    "\r\n"
		    "2\r\n"
		    "--xyz--"), 10, REQUEST_OK, 2,
		    { { "a", B("1"), 0 }, { "b", B("2"), 0 } } },
		/* an empty value; a value that looks almost like a delimiter */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"e\"\r\n"
		    "\r\n"
		    "\r\n"
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"v\"\r\n"
		    "\r\n"
		    "--xy\r\n--xz\r\n"
		    "--xyz--"), 10, REQUEST_OK, 2,
		    { { "e", B(""), 0 }, { "v", B("--xy\r\n--xz"), 0 } } },
		/* only the closing delimiter: no fields */
		{ __LINE__, "multipart/form-data; boundary=xyz", B("--xyz--\r\n"),
		    10, REQUEST_OK, 0, { { 0 } } },
		/* escaped quote in a quoted name */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\\\"b\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_OK, 1, { { "a\"b", B("1"), 0 } } },
		/*
		 * Parameters are found outside quoted strings only: a filename
		 * that holds ";name=" must not rename the field (RFC 7578 §4.2,
		 * RFC 2045 §5.1 quoted-string).
		 */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; filename=\"x;name=evil\"; name=\"real\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_OK, 1, { { "real", B("1"), 1 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a;filename=b\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_OK, 1, { { "a;filename=b", B("1"), 0 } } },

		/* --- refused --- */
		/* no boundary, empty boundary, unterminated quoted boundary */
		{ __LINE__, "multipart/form-data", B("--\r\n"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=", B("--\r\n\r\n--"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=\"\"", B("--\r\n\r\n--"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=\"xyz", B("--xyz--"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; xboundary=xyz", B("--xyz--"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		/* boundary of 71 characters (RFC 2046 §5.1.1 allows 70) */
		{ __LINE__, "multipart/form-data; boundary="
		    "12345678901234567890123456789012345678901234567890123456789012345678901",
		    B("--12345678901234567890123456789012345678901234567890123456789012345678901--"),
		    10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* empty body; no delimiter anywhere */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(""), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B("a=1&b=2"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B("--xy"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		/* no closing delimiter: body cut after the value, or after the delimiter */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz-"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* headers cut before the blank line */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B("--xyz\r\n"), 10,
		    REQUEST_EMALFORMED, 0, { { 0 } } },
		/* garbage after a delimiter */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyzGARBAGE\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* bare LF line ends */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\n"
		    "Content-Disposition: form-data; name=\"a\"\n"
		    "\n"
		    "1\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* a part without Content-Disposition */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Type: text/plain\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* a part without a name */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; filename=\"a.txt\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* the second part is bad: the whole form fails */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz\r\n"
		    "X-Other: 1\r\n"
		    "\r\n"
		    "2\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* unterminated quoted name */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"abc\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
		/* NUL in a value that is not a file */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "x\0y\r\n"
		    "--xyz--"), 10, REQUEST_ENUL, 0, { { 0 } } },
		/* NUL in a name */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\0b\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz--"), 10, REQUEST_ENUL, 0, { { 0 } } },
		/* more parts than allowed */
		{ __LINE__, "multipart/form-data; boundary=xyz", B(
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"a\"\r\n"
		    "\r\n"
		    "1\r\n"
		    "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n"
		    "\r\n"
		    "2\r\n"
		    "--xyz--"), 1, REQUEST_ETOOMANY, 0, { { 0 } } },
		/* no content type at all */
		{ __LINE__, NULL, B("--xyz--"), 10, REQUEST_EMALFORMED, 0, { { 0 } } },
	};
	struct arena	*a = *state;
	struct kvlist	 l;
	size_t		 i;
	enum request_err e;

	for (i = 0; i < NCASES(cases); i++) {
		memset(&l, 0, sizeof(l));
		e = request_parse_multipart(a, cases[i].ct, cases[i].body,
		    cases[i].len, cases[i].max, &l);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		if (e == REQUEST_OK && cases[i].want == REQUEST_OK)
			check_list(cases[i].line, &l, cases[i].n, cases[i].kv);
		arena_reset(a);
	}
	DONE();
}

/* The boundary length limit, on both sides, built with its body. */
static void
test_multipart_boundary_length(void **state)
{
	static const struct {
		int line; size_t blen; enum request_err want;
	} cases[] = {
		{ __LINE__, 1, REQUEST_OK },
		{ __LINE__, 70, REQUEST_OK },
		{ __LINE__, 71, REQUEST_EMALFORMED },
		{ __LINE__, 200, REQUEST_EMALFORMED },
		{ __LINE__, 5000, REQUEST_EMALFORMED },
	};
	struct arena	*a = *state;
	struct kvlist	 l;
	char		*bnd, *ct, *body;
	size_t		 i;

	for (i = 0; i < NCASES(cases); i++) {
		assert_non_null(bnd = calloc(1, cases[i].blen + 1));
		memset(bnd, 'b', cases[i].blen);
		assert_non_null(ct = arena_printf(a, "multipart/form-data; boundary=%s", bnd));
		assert_non_null(body = arena_printf(a, "--%s\r\n"
		    "Content-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--%s--\r\n",
		    bnd, bnd));
		memset(&l, 0, sizeof(l));
		CHECK_ERR(cases[i].line, request_parse_multipart(a, ct, body,
		    strlen(body), 10, &l), cases[i].want);
		if (cases[i].want == REQUEST_OK)
			CHECK(cases[i].line, l.n == 1);
		free(bnd);
		arena_reset(a);
	}
	DONE();
}

/* One part's headers against REQUEST_MAX_PART_HEADERS. */
static void
test_multipart_header_cap(void **state)
{
	static const struct {
		int line; size_t pad; enum request_err want;
	} cases[] = {
		{ __LINE__, 100, REQUEST_OK },
		{ __LINE__, REQUEST_MAX_PART_HEADERS / 2, REQUEST_OK },
		{ __LINE__, REQUEST_MAX_PART_HEADERS, REQUEST_ETOOLARGE },
		{ __LINE__, REQUEST_MAX_PART_HEADERS * 4, REQUEST_ETOOLARGE },
	};
	struct arena	*a = *state;
	struct kvlist	 l;
	char		*pad, *body;
	size_t		 i;

	for (i = 0; i < NCASES(cases); i++) {
		assert_non_null(pad = calloc(1, cases[i].pad + 1));
		memset(pad, 'p', cases[i].pad);
		assert_non_null(body = arena_printf(a, "--xyz\r\n"
		    "Content-Disposition: form-data; name=\"k\"\r\n"
		    "X-Pad: %s\r\n\r\nv\r\n--xyz--\r\n", pad));
		memset(&l, 0, sizeof(l));
		CHECK_ERR(cases[i].line, request_parse_multipart(a,
		    "multipart/form-data; boundary=xyz", body, strlen(body), 10, &l),
		    cases[i].want);
		free(pad);
		arena_reset(a);
	}
	DONE();
}

/* Every prefix of a good body is refused, and nothing reads past len. */
static void
test_multipart_truncated(void **state)
{
	static const char body[] =
	    "--xyz\r\n"
	    "Content-Disposition: form-data; name=\"a\"; filename=\"f\"\r\n"
	    "\r\n"
	    "data\r\n"
	    "--xyz--";
	struct arena	*a = *state;
	struct kvlist	 l;
	char		*copy;
	size_t		 n;

	for (n = 0; n < sizeof(body) - 1; n++) {
		/* An exact-size heap copy: valgrind sees any read past n. */
		assert_non_null(copy = malloc(n + 1));
		memcpy(copy, body, n);
		memset(&l, 0, sizeof(l));
		if (request_parse_multipart(a, "multipart/form-data; boundary=xyz",
		    copy, n, 10, &l) == REQUEST_OK) {
			print_error("%s:%d: a prefix of %zu bytes parsed as a form\n",
			    __FILE__, __LINE__, n);
			failures++;
		}
		free(copy);
		arena_reset(a);
	}
	memset(&l, 0, sizeof(l));
	CHECK_ERR(__LINE__, request_parse_multipart(a,
	    "multipart/form-data; boundary=xyz", B(body), 10, &l), REQUEST_OK);
	DONE();
}

/* --- path -------------------------------------------------------------------- */

static void
test_parse_path(void **state)
{
	static const struct {
		int		 line;
		const char	*uri, *script, *pinfo, *base;
		enum request_err want;
		const char	*path, *query;
	} cases[] = {
		{ __LINE__, "/health", NULL, NULL, NULL, REQUEST_OK, "/health", NULL },
		{ __LINE__, "/", NULL, NULL, "", REQUEST_OK, "/", NULL },
		{ __LINE__, "/users/me?x=1&y=2", NULL, NULL, "", REQUEST_OK,
		    "/users/me", "x=1&y=2" },
		{ __LINE__, "/a?", NULL, NULL, NULL, REQUEST_OK, "/a", "" },
		{ __LINE__, "/a#frag", NULL, NULL, NULL, REQUEST_OK, "/a", NULL },
		{ __LINE__, "/a?q=1#frag", NULL, NULL, NULL, REQUEST_OK, "/a", "q=1" },
		{ __LINE__, "/a#f?x=1", NULL, NULL, NULL, REQUEST_OK, "/a", NULL },
		/* the query is passed on raw, the path decoded */
		{ __LINE__, "/a%20b?c=%20", NULL, NULL, NULL, REQUEST_OK, "/a b", "c=%20" },
		{ __LINE__, "/users/%41b%63", NULL, NULL, NULL, REQUEST_OK, "/users/Abc", NULL },
		{ __LINE__, "/a+b", NULL, NULL, NULL, REQUEST_OK, "/a+b", NULL },
		{ __LINE__, "/caf%C3%A9", NULL, NULL, NULL, REQUEST_OK, "/caf\xc3\xa9", NULL },
		/* REQUEST_URI wins over SCRIPT_NAME + PATH_INFO */
		{ __LINE__, "/users/me", "/x", "/y", NULL, REQUEST_OK, "/users/me", NULL },
		/* no REQUEST_URI: lighttpd's SCRIPT_NAME + PATH_INFO */
		{ __LINE__, NULL, "/auth", "/jwt/login", NULL, REQUEST_OK,
		    "/auth/jwt/login", NULL },
		/* Apache: the whole path in SCRIPT_NAME, or in PATH_INFO */
		{ __LINE__, NULL, "/users/me", NULL, NULL, REQUEST_OK, "/users/me", NULL },
		{ __LINE__, NULL, "", "/users/me", NULL, REQUEST_OK, "/users/me", NULL },
		{ __LINE__, NULL, "/cgi-bin/users.fcgi", "/users/me", "/cgi-bin/users.fcgi",
		    REQUEST_OK, "/users/me", NULL },
		/* a REQUEST_URI that is not origin-form is not used */
		{ __LINE__, "", "/auth", "/jwt/login", NULL, REQUEST_OK,
		    "/auth/jwt/login", NULL },
		{ __LINE__, "http://evil/x", "/health", NULL, NULL, REQUEST_OK,
		    "/health", NULL },
		/* params are taken as the server decoded them */
		{ __LINE__, NULL, "/a%41", NULL, NULL, REQUEST_OK, "/a%41", NULL },
		/* empty results become "/" */
		{ __LINE__, NULL, NULL, NULL, NULL, REQUEST_OK, "/", NULL },
		{ __LINE__, NULL, "", "", "", REQUEST_OK, "/", NULL },
		{ __LINE__, NULL, "auth", NULL, NULL, REQUEST_OK, "/auth", NULL },
		/* base path */
		{ __LINE__, "/api/health", NULL, NULL, "/api", REQUEST_OK, "/health", NULL },
		{ __LINE__, "/apihealth", NULL, NULL, "/api", REQUEST_OK, "/apihealth", NULL },
		{ __LINE__, "/api", NULL, NULL, "/api", REQUEST_OK, "/", NULL },
		{ __LINE__, "/api/", NULL, NULL, "/api", REQUEST_OK, "/", NULL },
		{ __LINE__, "/api?x=1", NULL, NULL, "/api", REQUEST_OK, "/", "x=1" },
		{ __LINE__, "/API/health", NULL, NULL, "/api", REQUEST_OK, "/API/health", NULL },
		{ __LINE__, "/health", NULL, NULL, "/api", REQUEST_OK, "/health", NULL },
		{ __LINE__, "/ap", NULL, NULL, "/api", REQUEST_OK, "/ap", NULL },
		{ __LINE__, "/api/api/x", NULL, NULL, "/api", REQUEST_OK, "/api/x", NULL },
		{ __LINE__, NULL, "/api/auth", "/jwt/login", "/api", REQUEST_OK,
		    "/auth/jwt/login", NULL },
		/* refused */
		{ __LINE__, "/a%00", NULL, NULL, NULL, REQUEST_ENUL, NULL, NULL },
		{ __LINE__, "/a%00b?x=1", NULL, NULL, NULL, REQUEST_ENUL, NULL, NULL },
		{ __LINE__, "/a%zz", NULL, NULL, NULL, REQUEST_EENCODING, NULL, NULL },
		{ __LINE__, "/a%", NULL, NULL, NULL, REQUEST_EENCODING, NULL, NULL },
		{ __LINE__, "/a%4?x", NULL, NULL, NULL, REQUEST_EENCODING, NULL, NULL },
		{ __LINE__, "/a%4#x", NULL, NULL, NULL, REQUEST_EENCODING, NULL, NULL },
		{ __LINE__, "/%G1", NULL, NULL, "/api", REQUEST_EENCODING, NULL, NULL },
	};
	struct arena	*a = *state;
	const char	*path, *query;
	size_t		 i;
	enum request_err e;

	for (i = 0; i < NCASES(cases); i++) {
		path = query = "unset";
		e = request_parse_path(a, cases[i].uri, cases[i].script,
		    cases[i].pinfo, cases[i].base, &path, &query);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		if (cases[i].want != REQUEST_OK) {
			CHECK(cases[i].line, path == NULL);
			continue;
		}
		CHECK_STR(cases[i].line, path, cases[i].path);
		CHECK_STR(cases[i].line, query, cases[i].query);
	}
	DONE();
}

static void
test_parse_path_length(void **state)
{
	static const struct {
		int		 line;
		int		 where;		/* 0 uri, 1 script, 2 path_info, 3 query */
		size_t		 len;
		enum request_err want;
	} cases[] = {
		{ __LINE__, 0, REQUEST_MAX_PATH, REQUEST_OK },
		{ __LINE__, 0, REQUEST_MAX_PATH + 1, REQUEST_ETOOLARGE },
		{ __LINE__, 0, REQUEST_MAX_PATH * 10, REQUEST_ETOOLARGE },
		{ __LINE__, 1, REQUEST_MAX_PATH, REQUEST_OK },
		{ __LINE__, 1, REQUEST_MAX_PATH + 1, REQUEST_ETOOLARGE },
		{ __LINE__, 2, REQUEST_MAX_PATH + 1, REQUEST_ETOOLARGE },
		{ __LINE__, 2, REQUEST_MAX_PATH * 3, REQUEST_ETOOLARGE },
		/* a long query is the caller's to cap, not the path's */
		{ __LINE__, 3, REQUEST_MAX_PATH * 2, REQUEST_OK },
	};
	struct arena	*a = *state;
	const char	*path, *query;
	char		*s;
	size_t		 i;

	for (i = 0; i < NCASES(cases); i++) {
		assert_non_null(s = malloc(cases[i].len + 1));
		memset(s, 'a', cases[i].len);
		s[0] = '/';
		s[cases[i].len] = '\0';
		if (cases[i].where == 3)
			s[1] = '?';
		CHECK_ERR(cases[i].line, request_parse_path(a,
		    cases[i].where == 0 || cases[i].where == 3 ? s : NULL,
		    cases[i].where == 1 ? s : NULL, cases[i].where == 2 ? s : NULL,
		    NULL, &path, &query), cases[i].want);
		if (cases[i].want == REQUEST_OK && cases[i].where != 3)
			CHECK(cases[i].line, path != NULL && strlen(path) == cases[i].len);
		free(s);
		arena_reset(a);
	}
	DONE();
}

/* --- methods, params, headers, content types ------------------------------ */

static void
test_method_parse(void **state)
{
	static const struct {
		int line; const char *s; enum http_method want;
	} cases[] = {
		{ __LINE__, "GET", HTTP_GET },
		{ __LINE__, "HEAD", HTTP_HEAD },
		{ __LINE__, "POST", HTTP_POST },
		{ __LINE__, "PUT", HTTP_PUT },
		{ __LINE__, "PATCH", HTTP_PATCH },
		{ __LINE__, "DELETE", HTTP_DELETE },
		{ __LINE__, "OPTIONS", HTTP_OPTIONS },
		/* methods are case-sensitive (RFC 9110 §9.1) */
		{ __LINE__, "get", HTTP_METHOD__MAX },
		{ __LINE__, "Post", HTTP_METHOD__MAX },
		{ __LINE__, "", HTTP_METHOD__MAX },
		{ __LINE__, NULL, HTTP_METHOD__MAX },
		{ __LINE__, "GE", HTTP_METHOD__MAX },
		{ __LINE__, "GETX", HTTP_METHOD__MAX },
		{ __LINE__, "GET ", HTTP_METHOD__MAX },
		{ __LINE__, " GET", HTTP_METHOD__MAX },
		{ __LINE__, "TRACE", HTTP_METHOD__MAX },
		{ __LINE__, "CONNECT", HTTP_METHOD__MAX },
		{ __LINE__, "PROPFIND", HTTP_METHOD__MAX },
	};
	size_t	 i;
	int	 m;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		CHECK(cases[i].line, request_method_parse(cases[i].s) == cases[i].want);
		if (cases[i].want != HTTP_METHOD__MAX)
			CHECK_STR(cases[i].line, request_method_name(cases[i].want),
			    cases[i].s);
	}
	CHECK_STR(__LINE__, request_method_name(HTTP_METHOD__MAX), "UNKNOWN");
	CHECK_STR(__LINE__, request_method_name((enum http_method)99), "UNKNOWN");
	for (m = 0; m < REQUEST__MAX; m++)
		CHECK(__LINE__, request_strerror((enum request_err)m) != NULL);
	CHECK_STR(__LINE__, request_strerror(REQUEST__MAX), "Bad request");
	CHECK_STR(__LINE__, request_strerror((enum request_err)1000), "Bad request");
	DONE();
}

/* -Wwrite-strings: CGI params are char *, as libfcgi hands them over. */
#define P(s)	((char *)(s))

/* A request of params in arena a, indexed or not (scanned as libfcgi does). */
static void
req_params(struct request *req, struct arena *a, char **params, int indexed)
{
	memset(req, 0, sizeof(*req));
	req->arena = a;
	req->params = params;
	if (indexed)
		request_index_params(req);
}

static void
test_header(void **state)
{
	static char *params[] = {
		P("HTTP_MCP_SESSION=short"),
		P("HTTP_MCP_SESSION_ID=x"),
		P("CONTENT_TYPE=application/json; charset=utf-8"),
		P("CONTENT_LENGTH=12"),
		P("REDIRECT_HTTP_AUTHORIZATION=Bearer t"),
		P("HTTP_X_API_KEY=k"),
		P("HTTP_HOST=example.org"),
		P("HTTP_EMPTY="),
		P("REQUEST_METHOD=GET"),
		NULL
	};
	static char *params_direct[] = {
		P("HTTP_AUTHORIZATION=Bearer direct"),
		P("REDIRECT_HTTP_AUTHORIZATION=Bearer redirected"),
		NULL
	};
	static char *params_none[] = { NULL };
	static const struct {
		int line; char **params; const char *name; const char *want;
	} cases[] = {
		{ __LINE__, params, "Mcp-Session-Id", "x" },
		{ __LINE__, params, "mcp-session-id", "x" },
		{ __LINE__, params, "MCP-SESSION-ID", "x" },
		{ __LINE__, params, "Mcp-Session", "short" },
		{ __LINE__, params, "Authorization", "Bearer t" },
		{ __LINE__, params, "authorization", "Bearer t" },
		{ __LINE__, params_direct, "Authorization", "Bearer direct" },
		{ __LINE__, params, "Content-Type", "application/json; charset=utf-8" },
		{ __LINE__, params, "content-type", "application/json; charset=utf-8" },
		{ __LINE__, params, "Content-Length", "12" },
		{ __LINE__, params, "X-API-KEY", "k" },
		{ __LINE__, params, "X-Api-Key", "k" },
		{ __LINE__, params, "Host", "example.org" },
		{ __LINE__, params, "Empty", "" },
		/* absent */
		{ __LINE__, params, "Mcp-Session-I", NULL },
		{ __LINE__, params, "Mcp-Session-Id-X", NULL },
		{ __LINE__, params, "X-Request-ID", NULL },
		{ __LINE__, params, "", NULL },
		/* a CGI param is not a header: no HTTP_ prefix lookups */
		{ __LINE__, params, "Request-Method", NULL },
		/* only Authorization falls back to REDIRECT_ */
		{ __LINE__, params, "Redirect-Http-Authorization", NULL },
		{ __LINE__, params_none, "Authorization", NULL },
		{ __LINE__, params_none, "Content-Type", NULL },
		{ __LINE__, NULL, "Authorization", NULL },
		{ __LINE__, NULL, "Host", NULL },
		/* a name too long for any real header */
		{ __LINE__, params,
		    "Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    NULL },
	};
	/* A repeated name (the first wins), a param with no '=', a prefix. */
	static char *params_odd[] = {
		P("NOEQUALS"),
		P("HTTP_HOST=first"),
		P("HTTP_HOST=second"),
		P("HTTP_HOSTX=x"),
		P("=nameless"),
		NULL
	};
	struct arena	*a = *state;
	struct request	 req;
	size_t		 i;
	int		 indexed;

	/* Scanned as libfcgi does, then through request_index_params. */
	for (indexed = 0; indexed < 2; indexed++) {
		for (i = 0; i < NCASES(cases); i++) {
			req_params(&req, a, cases[i].params, indexed);
			CHECK_STR(cases[i].line, request_header(&req, cases[i].name),
			    cases[i].want);
		}
		req_params(&req, a, params, indexed);
		CHECK_STR(__LINE__, request_param(&req, "REQUEST_METHOD"), "GET");
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST"), "example.org");
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOS"), NULL);
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST_"), NULL);
		CHECK_STR(__LINE__, request_param(&req, "PATH_INFO"), NULL);
		CHECK_STR(__LINE__, request_param(&req, "HTTP_EMPTY"), "");
		req_params(&req, a, params_odd, indexed);
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST"), "first");
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOSTX"), "x");
		CHECK_STR(__LINE__, request_param(&req, "NOEQUALS"), NULL);
		CHECK_STR(__LINE__, request_param(&req, "NOEQUAL"), NULL);
		CHECK_STR(__LINE__, request_param(&req, ""), "nameless");
		req.params = NULL;
		CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST"), NULL);
	}
	/* The index of no params, and without an arena: lookups still work. */
	req_params(&req, a, params_none, 1);
	CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST"), NULL);
	req_params(&req, NULL, params, 1);
	CHECK_STR(__LINE__, request_param(&req, "HTTP_HOST"), "example.org");
	DONE();
}

static void
test_is_json(void **state)
{
	static const struct {
		int line; const char *ct; int want;
	} cases[] = {
		{ __LINE__, "application/json", 1 },
		{ __LINE__, "application/json; charset=utf-8", 1 },
		{ __LINE__, "application/json;charset=UTF-8", 1 },
		{ __LINE__, "Application/JSON", 1 },
		{ __LINE__, " application/json", 1 },
		{ __LINE__, "application/vnd.api+json", 1 },
		{ __LINE__, "application/problem+json; charset=utf-8", 1 },
		{ __LINE__, "application/json-patch+json", 1 },
		/* not JSON */
		{ __LINE__, "text/plain", 0 },
		{ __LINE__, "text/json", 0 },
		{ __LINE__, "application/jsonx", 0 },
		{ __LINE__, "application/json-seq", 0 },
		{ __LINE__, "application/jso", 0 },
		{ __LINE__, "application/", 0 },
		{ __LINE__, "application", 0 },
		{ __LINE__, "application/x-www-form-urlencoded", 0 },
		{ __LINE__, "multipart/form-data; boundary=x+json", 0 },
		{ __LINE__, "text/plain+json", 0 },
		{ __LINE__, "application/json+xml", 0 },
		{ __LINE__, "json", 0 },
		{ __LINE__, "+json", 0 },
		{ __LINE__, "", 0 },
		{ __LINE__, NULL, 0 },
	};
	struct request	 req;
	size_t		 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		memset(&req, 0, sizeof(req));
		req.content_type = cases[i].ct;
		CHECK(cases[i].line, request_is_json(&req) == cases[i].want);
	}
	DONE();
}

/* --- request_form ------------------------------------------------------------ */

static void
test_form(void **state)
{
	static const char mp_body[] =
	    "--xyz\r\n"
	    "Content-Disposition: form-data; name=\"username\"\r\n"
	    "\r\n"
	    "a@b.c\r\n"
	    "--xyz\r\n"
	    "Content-Disposition: form-data; name=\"password\"\r\n"
	    "\r\n"
	    "x y\r\n"
	    "--xyz--\r\n";
	static const struct {
		int		 line;
		const char	*ct;
		const char	*body;
		size_t		 len;
		enum request_err want;
		size_t		 n;
		const char	*password;	/* expected value, NULL: absent */
	} cases[] = {
		{ __LINE__, "application/x-www-form-urlencoded",
		    B("username=a%40b.c&password=x+y"), REQUEST_OK, 2, "x y" },
		{ __LINE__, "application/x-www-form-urlencoded; charset=UTF-8",
		    B("password=1&password=2"), REQUEST_OK, 2, "2" },
		{ __LINE__, "Application/X-WWW-Form-Urlencoded", B("password="),
		    REQUEST_OK, 1, "" },
		{ __LINE__, "application/x-www-form-urlencoded", B(""), REQUEST_OK, 0, NULL },
		{ __LINE__, "multipart/form-data; boundary=xyz", B(mp_body),
		    REQUEST_OK, 2, "x y" },
		/* other content types: an empty form, not an error */
		{ __LINE__, "application/json", B("{\"password\":\"x\"}"), REQUEST_OK, 0, NULL },
		{ __LINE__, NULL, B("password=x"), REQUEST_OK, 0, NULL },
		{ __LINE__, "text/plain", B("password=x"), REQUEST_OK, 0, NULL },
		{ __LINE__, "application/x-www-form-urlencodedx", B("password=x"),
		    REQUEST_OK, 0, NULL },
		/* malformed */
		{ __LINE__, "application/x-www-form-urlencoded", B("password=%zz"),
		    REQUEST_EENCODING, 0, NULL },
		{ __LINE__, "application/x-www-form-urlencoded", B("a=1&password=%00"),
		    REQUEST_ENUL, 0, NULL },
		{ __LINE__, "application/x-www-form-urlencoded", B("password=x\0"),
		    REQUEST_ENUL, 0, NULL },
		{ __LINE__, "multipart/form-data; boundary=xyz", "--xyz\r\n", 7,
		    REQUEST_EMALFORMED, 0, NULL },
		{ __LINE__, "multipart/form-data", B(mp_body), REQUEST_EMALFORMED, 0, NULL },
		{ __LINE__, "multipart/form-data; boundary=other", B(mp_body),
		    REQUEST_EMALFORMED, 0, NULL },
		/* a multipart body cut short: the good first part is not kept */
		{ __LINE__, "multipart/form-data; boundary=xyz", mp_body, 80,
		    REQUEST_EMALFORMED, 0, NULL },
	};
	struct arena		*a = *state;
	struct request		 req;
	const struct kvlist	*l, *l2;
	const struct kv		*kv;
	size_t			 i;
	enum request_err	 e;

	for (i = 0; i < NCASES(cases); i++) {
		memset(&req, 0, sizeof(req));
		req.arena = a;
		req.content_type = cases[i].ct;
		req.body = cases[i].body;
		req.body_len = cases[i].len;
		l = NULL;
		e = request_form(&req, &l);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		CHECK(cases[i].line, l != NULL);
		if (l == NULL)
			continue;
		CHECK(cases[i].line, l->n == cases[i].n);
		/* Parsed once: the second call answers the same. */
		l2 = NULL;
		CHECK_ERR(cases[i].line, request_form(&req, &l2), cases[i].want);
		CHECK(cases[i].line, l2 == l && l2->n == cases[i].n);
		kv = request_form_field(&req, "password");
		CHECK_STR(cases[i].line, kv ? kv->value : NULL, cases[i].password);
		CHECK(cases[i].line, request_form_field(&req, "nope") == NULL);
		arena_reset(a);
	}
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)
		T(test_url_decode),
		T(test_urlencoded),
		T(test_urlencoded_last_wins_and_append),
		T(test_urlencoded_max_fields),
		T(test_multipart),
		T(test_multipart_boundary_length),
		T(test_multipart_header_cap),
		T(test_multipart_truncated),
		T(test_parse_path),
		T(test_parse_path_length),
		T(test_method_parse),
		T(test_header),
		T(test_is_json),
		T(test_form),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
