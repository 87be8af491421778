/*
 * mail_int: what mail.c uses of mail_check.c.  Not part of the API.
 */
#ifndef FCGI_USERS_MAIL_INT_H
#define FCGI_USERS_MAIL_INT_H

#include <stddef.h>

/* RFC 3986 unreserved: letters, digits, - . _ ~ */
int		 mail_is_unreserved(int c);
/* NULL when a is a bare ASCII address, else why not; *domain points into a. */
const char	*mail_address_problem(const char *a, const char **domain);
/* See mail_check.c. */
int		 mail_url_parse(const char *url, char *host, size_t hostlen,
		    char *why, size_t whylen);
/* 1 for localhost, 127.0.0.0/8 and [::1]. */
int		 mail_host_is_loopback(const char *host);

#endif
