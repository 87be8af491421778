/*
 * geocode: the error strings of libgeocode, and the UTF-8-safe copy its
 * providers fill display_name with (geocode.h).
 */
#include <string.h>

#include "geocode.h"

static const char *const geocode_errs[GEOCODE__MAX] = {
	[GEOCODE_OK] =		"ok",
	[GEOCODE_NOTFOUND] =	"not found",
	[GEOCODE_EUPSTREAM] =	"geocoding provider failed",
	[GEOCODE_EINVAL] =	"invalid input",
	[GEOCODE_EDB] =		"database error",
	[GEOCODE_ENOMEM] =	"out of memory",
};

const char *
geocode_strerror(enum geocode_err e)
{
	if ((unsigned)e >= GEOCODE__MAX)
		return "unknown error";
	return geocode_errs[e];
}

size_t
geocode_copy_utf8(char *buf, size_t len, const char *s, size_t n)
{
	if (n >= len) {
		/* s[n] is the first byte left out: back up to its lead byte. */
		n = len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}
