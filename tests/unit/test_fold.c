/*
 * test_fold: geo_fold (src/geocoding/fold.c), the match key of a name.
 * Blanks, case and accents of the Latin blocks the table covers, Greek and
 * Cyrillic lower-casing, other scripts untouched, text in decomposed form;
 * then (more of them) what must fail: every kind of ill-formed UTF-8 of
 * RFC 3629 §3/§4, control characters, NUL, an output buffer too small, bad
 * arguments.  Every good case is also checked to be a fixed point (folding
 * the key again gives the key) and no longer than its input, as the
 * gazetteer relies on both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fold.h"
#include "unit_util.h"

#define OUT_MAX	1024

struct fold_case {
	int		 line;
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;	/* NULL: geo_fold fails */
};

static void
run_cases(const struct fold_case *c, size_t n)
{
	char	 out[OUT_MAX], again[OUT_MAX];
	ssize_t	 got, got2;
	size_t	 i, len;

	for (i = 0; i < n; i++) {
		len = c[i].len != 0 ? c[i].len : strlen(c[i].in);
		memset(out, 'X', sizeof(out));
		got = geo_fold(c[i].in, len, out, sizeof(out));
		if (c[i].want == NULL) {
			CHECK_INT(c[i].line, got, -1);
			continue;
		}
		CHECK_INT(c[i].line, got, (ssize_t)strlen(c[i].want));
		if (got < 0)
			continue;
		CHECK_STR(c[i].line, out, c[i].want);
		CHECK(c[i].line, (size_t)got <= len);
		got2 = geo_fold(out, (size_t)got, again, sizeof(again));
		CHECK_INT(c[i].line, got2, got);
		CHECK_STR(c[i].line, again, out);
	}
}

static void
test_blanks_and_case(void **state)
{
	static const struct fold_case cases[] = {
		{ __LINE__, "London", 0, "london" },
		{ __LINE__, "LONDON", 0, "london" },
		{ __LINE__, "  london  ", 0, "london" },
		{ __LINE__, "\t New \n  York \r", 0, "new york" },
		{ __LINE__, "New\xc2\xa0York", 0, "new york" },		/* NBSP */
		{ __LINE__, "\xe3\x80\x80\xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x80", 0,
		    "\xe6\x9d\xb1\xe4\xba\xac" },			/* ideographic space */
		{ __LINE__, "a\xe2\x80\x83\xe2\x80\xafz", 0, "a z" },	/* em space, NNBSP */
		{ __LINE__, "\v\f x \v\f", 0, "x" },
		{ __LINE__, "", 0, "" },
		{ __LINE__, "   ", 0, "" },
		{ __LINE__, "\xc2\xa0", 0, "" },
		{ __LINE__, "Route 66", 0, "route 66" },
		{ __LINE__, "St. John's", 0, "st. john's" },
		{ __LINE__, "Winston-Salem", 0, "winston-salem" },
		{ __LINE__, "a\xc3\x97" "b", 0, "a\xc3\x97" "b" },	/* × is no letter */
		{ __LINE__, "\xc2\xbf" "Qu\xc3\xa9?", 0, "\xc2\xbf" "que?" },
	};

	(void)state;
	run_cases(cases, NCASES(cases));
	DONE();
}

static void
test_latin(void **state)
{
	static const struct fold_case cases[] = {
		{ __LINE__, "S\xc3\xa3o Paulo", 0, "sao paulo" },
		{ __LINE__, "S\xc3\x83O PAULO", 0, "sao paulo" },
		{ __LINE__, "K\xc3\xb6ln", 0, "koln" },
		{ __LINE__, "K\xc3\x96LN", 0, "koln" },
		{ __LINE__, "\xc3\x86r\xc3\xb8", 0, "aero" },			/* Ærø */
		{ __LINE__, "Stra\xc3\x9f" "e", 0, "strasse" },			/* ß */
		{ __LINE__, "\xe1\xba\x9e", 0, "ss" },				/* ẞ */
		{ __LINE__, "\xc5\x81\xc3\xb3\x64\xc5\xba", 0, "lodz" },	/* Łódź */
		{ __LINE__, "\xc3\x98resund", 0, "oresund" },			/* Ø */
		{ __LINE__, "\xc4\x90" "akovo", 0, "dakovo" },			/* Đ */
		{ __LINE__, "\xc3\x9eingvellir", 0, "thingvellir" },		/* Þ */
		{ __LINE__, "\xc3\xb0", 0, "d" },				/* ð */
		{ __LINE__, "\xc4\xb0stanbul", 0, "istanbul" },			/* İ */
		{ __LINE__, "D\xc4\xb1yarbak\xc4\xb1r", 0, "diyarbakir" },	/* ı */
		{ __LINE__, "\xc5\x92uvre", 0, "oeuvre" },			/* Œ */
		{ __LINE__, "\xc4\xa6" "amrun", 0, "hamrun" },			/* Ħ */
		{ __LINE__, "Timi\xc8\x99oara", 0, "timisoara" },		/* ș */
		{ __LINE__, "\xc8\x9a" "ara", 0, "tara" },			/* Ț */
		{ __LINE__, "\xc7\x84", 0, "dz" },				/* Ǆ */
		{ __LINE__, "\xc6\x8f", 0, "\xc9\x99" },			/* Ə -> ə */
		{ __LINE__, "H\xc3\xa0 N\xe1\xbb\x99i", 0, "ha noi" },		/* Hà Nội */
		{ __LINE__, "Vi\xe1\xbb\x87t", 0, "viet" },
		{ __LINE__, "\xc3\x85lesund", 0, "alesund" },			/* Å */
		{ __LINE__, "\xc3\xbf\xc5\xb8", 0, "yy" },			/* ÿŸ */
		{ __LINE__, "Montr\xc3\xa9" "al", 0, "montreal" },
		{ __LINE__, "Saint-\xc3\x89tienne", 0, "saint-etienne" },
		/* decomposed (NFD): the combining marks go */
		{ __LINE__, "Sa\xcc\x83o Paulo", 0, "sao paulo" },
		{ __LINE__, "Ko\xcc\x88ln", 0, "koln" },
		{ __LINE__, "\xcc\x81" "a", 0, "a" },
		{ __LINE__, "a \xcc\x81", 0, "a" },
	};

	(void)state;
	run_cases(cases, NCASES(cases));
	DONE();
}

static void
test_other_scripts(void **state)
{
	static const struct fold_case cases[] = {
		/* Greek: lower case, no tonos or dialytika, final sigma */
		{ __LINE__, "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1", 0,
		    "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1" },	/* Αθήνα */
		{ __LINE__, "\xce\x91\xce\x98\xce\x89\xce\x9d\xce\x91", 0,
		    "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1" },	/* ΑΘΉΝΑ */
		{ __LINE__, "\xcf\x82", 0, "\xcf\x83" },			/* ς -> σ */
		{ __LINE__, "\xce\x90", 0, "\xce\xb9" },			/* ΐ -> ι */
		{ __LINE__, "\xcf\x90", 0, "\xce\xb2" },			/* ϐ -> β */
		/* Cyrillic: lower case, ё -> е, й kept */
		{ __LINE__, "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90", 0,
		    "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0" },	/* МОСКВА */
		{ __LINE__, "\xd0\x9e\xd1\x80\xd1\x91\xd0\xbb", 0,
		    "\xd0\xbe\xd1\x80\xd0\xb5\xd0\xbb" },			/* Орёл */
		{ __LINE__, "\xd0\x81", 0, "\xd0\xb5" },			/* Ё */
		{ __LINE__, "\xd0\x99", 0, "\xd0\xb9" },			/* Й -> й */
		{ __LINE__, "\xd0\x87", 0, "\xd1\x97" },			/* Ї -> ї */
		{ __LINE__, "\xd0\x8e", 0, "\xd1\x9e" },			/* Ў -> ў */
		{ __LINE__, "\xd2\x92", 0, "\xd2\x93" },			/* Ғ -> ғ */
		{ __LINE__, "\xd4\x80", 0, "\xd4\x81" },			/* Ԁ -> ԁ */
		/* everything else as it is */
		{ __LINE__, "\xe6\x9d\xb1\xe4\xba\xac", 0,
		    "\xe6\x9d\xb1\xe4\xba\xac" },				/* 東京 */
		{ __LINE__, "\xec\x84\x9c\xec\x9a\xb8", 0,
		    "\xec\x84\x9c\xec\x9a\xb8" },				/* 서울 */
		{ __LINE__, "\xd8\xa7\xd9\x84\xd9\x82\xd8\xa7\xd9\x87\xd8\xb1\xd8\xa9",
		    0, "\xd8\xa7\xd9\x84\xd9\x82\xd8\xa7\xd9\x87\xd8\xb1\xd8\xa9" },
		{ __LINE__, "\xd7\xa7\xd7\x9c\xd7\x9f", 0, "\xd7\xa7\xd7\x9c\xd7\x9f" },
		{ __LINE__, "\xd5\x94", 0, "\xd5\x94" },			/* Armenian Ք */
		{ __LINE__, "\xe1\xbc\x88", 0, "\xe1\xbc\x88" },		/* Greek Extended */
		{ __LINE__, "\xf0\x9f\x8f\x99", 0, "\xf0\x9f\x8f\x99" },	/* 4 bytes */
		{ __LINE__, "\xef\xbf\xbe", 0, "\xef\xbf\xbe" },		/* a noncharacter */
		{ __LINE__, "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf" },	/* U+10FFFF */
		{ __LINE__, "\xed\x9f\xbf", 0, "\xed\x9f\xbf" },		/* U+D7FF */
		{ __LINE__, "\xee\x80\x80", 0, "\xee\x80\x80" },		/* U+E000 */
		{ __LINE__, "T\xc5\x8dky\xc5\x8d \xe6\x9d\xb1\xe4\xba\xac", 0,
		    "tokyo \xe6\x9d\xb1\xe4\xba\xac" },
	};

	(void)state;
	run_cases(cases, NCASES(cases));
	DONE();
}

static void
test_invalid(void **state)
{
	static const struct fold_case cases[] = {
		{ __LINE__, "\xff", 0, NULL },
		{ __LINE__, "\xfe", 0, NULL },
		{ __LINE__, "\x80", 0, NULL },				/* lone continuation */
		{ __LINE__, "a\xbf" "b", 0, NULL },
		{ __LINE__, "\xc3", 0, NULL },				/* truncated */
		{ __LINE__, "Lon\xe2\x82", 0, NULL },
		{ __LINE__, "\xf0\x9f\x8f", 0, NULL },
		{ __LINE__, "\xc3\x28", 0, NULL },			/* bad continuation */
		{ __LINE__, "\xe2\x28\xa1", 0, NULL },
		{ __LINE__, "\xe2\x82\x28", 0, NULL },
		{ __LINE__, "\xf0\x90\x28\xbc", 0, NULL },
		{ __LINE__, "\xc0\xaf", 0, NULL },			/* overlong '/' */
		{ __LINE__, "\xc1\xbf", 0, NULL },
		{ __LINE__, "\xe0\x80\xaf", 0, NULL },
		{ __LINE__, "\xe0\x9f\xbf", 0, NULL },
		{ __LINE__, "\xf0\x80\x80\xaf", 0, NULL },
		{ __LINE__, "\xf0\x8f\xbf\xbf", 0, NULL },
		{ __LINE__, "\xed\xa0\x80", 0, NULL },			/* surrogates */
		{ __LINE__, "\xed\xbf\xbf", 0, NULL },
		{ __LINE__, "\xed\xa0\xbd\xed\xb2\xa9", 0, NULL },	/* CESU-8 */
		{ __LINE__, "\xf4\x90\x80\x80", 0, NULL },		/* > U+10FFFF */
		{ __LINE__, "\xf5\x80\x80\x80", 0, NULL },
		{ __LINE__, "\xf8\x88\x80\x80\x80", 0, NULL },		/* 5 bytes */
		{ __LINE__, "\xfc\x84\x80\x80\x80\x80", 0, NULL },
		{ __LINE__, "S\xe3o Paulo", 0, NULL },			/* Latin-1 */
		/* control characters, NUL among them */
		{ __LINE__, "a\0b", 3, NULL },
		{ __LINE__, "\0", 1, NULL },
		{ __LINE__, "London\0", 7, NULL },
		{ __LINE__, "a\x01" "b", 0, NULL },
		{ __LINE__, "\x1b[31m", 0, NULL },
		{ __LINE__, "\x7f", 0, NULL },
		{ __LINE__, "\xc2\x85", 0, NULL },			/* NEL, C1 */
		{ __LINE__, "\xc2\x9f", 0, NULL },
	};

	(void)state;
	run_cases(cases, NCASES(cases));
	DONE();
}

/* The output buffer: the key and its NUL must fit, else -1. */
static void
test_output_size(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 outlen;
		ssize_t		 want;
	} cases[] = {
		{ __LINE__, "London", 7, 6 },
		{ __LINE__, "London", 6, -1 },
		{ __LINE__, "London", 1, -1 },
		{ __LINE__, "  London  ", 7, 6 },	/* blanks need no room */
		{ __LINE__, "a b", 3, -1 },		/* the inner space does */
		{ __LINE__, "a b", 4, 3 },
		{ __LINE__, "\xc3\x86", 3, 2 },		/* Æ -> ae */
		{ __LINE__, "\xc3\x86", 2, -1 },
		{ __LINE__, "\xe6\x9d\xb1", 4, 3 },
		{ __LINE__, "\xe6\x9d\xb1", 3, -1 },
		{ __LINE__, "", 1, 0 },
		{ __LINE__, "   ", 1, 0 },
	};
	char		 out[16], big[OUT_MAX * 2], *in;
	size_t		 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++)
		CHECK_INT(cases[i].line, geo_fold(cases[i].in,
		    strlen(cases[i].in), out, cases[i].outlen), cases[i].want);
	/* An overlong input: 1,500 letters into OUT_MAX bytes. */
	assert_non_null(in = malloc(1500));
	memset(in, 'A', 1500);
	CHECK_INT(__LINE__, geo_fold(in, 1500, big, OUT_MAX), -1);
	CHECK_INT(__LINE__, geo_fold(in, 1500, big, sizeof(big)), 1500);
	free(in);
	/* Bad arguments. */
	CHECK_INT(__LINE__, geo_fold("a", 1, NULL, 8), -1);
	CHECK_INT(__LINE__, geo_fold("a", 1, out, 0), -1);
	CHECK_INT(__LINE__, geo_fold(NULL, 1, out, sizeof(out)), -1);
	CHECK_INT(__LINE__, geo_fold(NULL, 0, out, sizeof(out)), 0);
	DONE();
}

/* Every 1..3-byte code point: fold(fold(x)) == fold(x), never longer. */
static void
test_fixed_point(void **state)
{
	unsigned char	 in[8];
	char		 out[16], again[16];
	ssize_t		 n, m;
	uint32_t	 cp;
	size_t		 len;

	(void)state;
	for (cp = 0x20; cp < 0x10000; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			in[0] = (unsigned char)cp;
			len = 1;
		} else if (cp < 0x800) {
			in[0] = (unsigned char)(0xc0 | cp >> 6);
			in[1] = (unsigned char)(0x80 | (cp & 0x3f));
			len = 2;
		} else {
			in[0] = (unsigned char)(0xe0 | cp >> 12);
			in[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			in[2] = (unsigned char)(0x80 | (cp & 0x3f));
			len = 3;
		}
		if ((n = geo_fold((char *)in, len, out, sizeof(out))) == -1) {
			/* only the controls fail */
			CHECK(__LINE__, cp == 0x7f || (cp >= 0x80 && cp < 0xa0));
			continue;
		}
		CHECK(__LINE__, (size_t)n <= len);
		m = geo_fold(out, (size_t)n, again, sizeof(again));
		if (m != n || memcmp(out, again, (size_t)n) != 0) {
			print_error("U+%04X is not a fixed point\n", (unsigned)cp);
			failures++;
		}
	}
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blanks_and_case),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_output_size),
		cmocka_unit_test(test_fixed_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
