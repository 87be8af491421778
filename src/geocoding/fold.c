/*
 * fold: the match key of a name (see fold.h).  A hand-written UTF-8
 * decoder (RFC 3629 §4's table of well-formed byte sequences) feeds each
 * code point through the blank rule, the case and accent tables of
 * fold_tables.h, or a plain copy.  No locale, no iconv, no towlower():
 * the key of a name must be the same on every machine and in every
 * process, or a gazetteer built on one would not answer on another.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "fold.h"
#include "fold_tables.h"

/*
 * Decodes one code point at s (n > 0 bytes left).  Returns its length in
 * bytes with *cp set, or 0 for an ill-formed sequence (RFC 3629 §4).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char	 c = s[0];
	uint32_t	 v;
	size_t		 len, i;
	unsigned char	 lo = 0x80, hi = 0xbf;	/* the second byte's range */

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;	/* a continuation byte, C0, C1, F5..FF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (i = 2; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Unicode White_Space, less what is a control character anyway. */
static int
is_blank(uint32_t cp)
{
	switch (cp) {
	case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
	case 0x00a0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

/* The table entry for cp ("" or up to two bytes), or NULL when none. */
static const char *
fold_entry(uint32_t cp)
{
	if (cp >= FOLD_LATIN1_FIRST && cp < FOLD_LATIN1_END)
		return fold_latin1[cp - FOLD_LATIN1_FIRST];
	if (cp >= FOLD_GREEK_FIRST && cp < FOLD_GREEK_END)
		return fold_greek[cp - FOLD_GREEK_FIRST];
	if (cp >= FOLD_CYRILLIC_FIRST && cp < FOLD_CYRILLIC_END)
		return fold_cyrillic[cp - FOLD_CYRILLIC_FIRST];
	if (cp >= FOLD_LATIN_EXT_FIRST && cp < FOLD_LATIN_EXT_END)
		return fold_latin_ext[cp - FOLD_LATIN_EXT_FIRST];
	return NULL;
}

/*
 * The loop keeps `space` pending while blanks come and writes it only
 * before the next character that is not one, and only when something was
 * written already: that trims both ends and collapses the inner runs.
 */
ssize_t
geo_fold(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	const char	*rep;
	size_t		 i = 0, o = 0, k, rlen;
	uint32_t	 cp;
	int		 space = 0;

	if (out == NULL || outlen == 0 || (in == NULL && len > 0))
		return -1;
	out[0] = '\0';
	while (i < len) {
		if ((k = utf8_decode(p + i, len - i, &cp)) == 0)
			return -1;
		if (is_blank(cp)) {
			space = o > 0;
			i += k;
			continue;
		}
		/* Controls: C0, DEL, C1.  Nothing a name holds. */
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return -1;
		if (cp >= 0x0300 && cp <= 0x036f) {
			/* A combining mark: dropped with the accent it is. */
			i += k;
			continue;
		}
		if (cp >= 'A' && cp <= 'Z') {
			rep = NULL;
			cp += 'a' - 'A';
		} else if ((rep = fold_entry(cp)) != NULL && rep[0] == '\0')
			rep = NULL;
		rlen = rep != NULL ? strlen(rep) : k;
		/* Room for the pending space, the bytes and the NUL. */
		if (rlen + space >= outlen - o)
			return -1;
		if (space)
			out[o++] = ' ';
		space = 0;
		if (rep != NULL)
			memcpy(out + o, rep, rlen);
		else if (k == 1)
			out[o] = (char)cp;
		else
			memcpy(out + o, p + i, k);
		o += rlen;
		i += k;
	}
	out[o] = '\0';
	return (ssize_t)o;
}
