/*
 * geocode: the error strings of libgeocode (geocode.h).
 */
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
