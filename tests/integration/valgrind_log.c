/*
 * valgrind_log: parses memcheck's summary lines (see valgrind_log.h).
 * Every line of a log starts "==PID== "; the lines read here are
 *
 *	==PID== ERROR SUMMARY: 1,234 errors from 5 contexts (suppressed: ...)
 *	==PID==    definitely lost: 1,024 bytes in 3 blocks
 *
 * where valgrind groups the digits of large numbers with commas.
 */
#include "valgrind_log.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

/* A number as valgrind prints it ("1,234"), at *sp; advances *sp past it.
 * -1 when there is no digit there. */
static long long
vg_number(const char **sp)
{
	const char	*s = *sp;
	long long	 n = 0;
	int		 digits = 0;

	for (; isdigit((unsigned char)*s) || (*s == ',' && digits > 0 &&
	    isdigit((unsigned char)s[1])); s++) {
		if (*s == ',')
			continue;
		if (n > (LLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*s - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	*sp = s;
	return n;
}

/* The start of the line after the last preamble line, or log itself. */
static const char *
vg_body(const char *log)
{
	const char	*p, *nl;

	if ((p = strstr(log, "Parent PID:")) == NULL &&
	    (p = strstr(log, "Command:")) == NULL)
		return log;
	if ((nl = strchr(p, '\n')) == NULL)
		return p + strlen(p);
	return nl + 1;
}

enum vg_verdict
vg_log_parse(const char *log, struct vg_report *r)
{
	static const char	 esum[] = "ERROR SUMMARY: ";
	static const char	 dlost[] = "definitely lost: ";
	const char		*p;
	long long		 n;
	int			 complete = 0;

	memset(r, 0, sizeof(*r));
	r->body = vg_body(log);
	for (p = log; (p = strstr(p, esum)) != NULL; ) {
		p += sizeof(esum) - 1;
		if ((n = vg_number(&p)) < 0)
			continue;
		r->errors += n;
		complete = 1;
	}
	for (p = log; (p = strstr(p, dlost)) != NULL; ) {
		p += sizeof(dlost) - 1;
		if ((n = vg_number(&p)) < 0)
			continue;
		r->definite_bytes += n;
		if (strncmp(p, " bytes in ", 10) == 0) {
			p += 10;
			if ((n = vg_number(&p)) >= 0)
				r->definite_blocks += n;
		}
	}
	if (!complete)
		return VG_INCOMPLETE;
	return r->errors > 0 || r->definite_bytes > 0 ? VG_DIRTY : VG_CLEAN;
}
