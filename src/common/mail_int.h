/*
 * mail_int: what the files of mail (mail.c, mail_check.c, mail_smtp.c,
 * mail_detach.c) use of each other.  Not part of the API.
 */
#ifndef FCGI_USERS_MAIL_INT_H
#define FCGI_USERS_MAIL_INT_H

#include <stddef.h>

#include "mail.h"

struct config;

/* Bytes in a failure's reason: libcurl's error buffer and more. */
#define MAIL_WHY_MAX	512

/* RFC 3986 unreserved: letters, digits, - . _ ~ */
int		 mail_is_unreserved(int c);
/* NULL when a is a bare ASCII address, else why not; *domain points into a. */
const char	*mail_address_problem(const char *a, const char **domain);
/* See mail_check.c. */
int		 mail_url_parse(const char *url, char *host, size_t hostlen,
		    char *why, size_t whylen);
/* 1 for localhost, 127.0.0.0/8 and [::1]. */
int		 mail_host_is_loopback(const char *host);

/*
 * mail.c: the one log line of an attempt, "mail sent" (ret MAIL_OK) or
 * "mail not sent" with the error and why; via is "smtp" or "outbox".
 * Never the token, the link or the address's local part.
 */
void		 mail_log_outcome(const struct mail_msg *, const char *via,
		    enum mail_err, const char *why);

/*
 * mail_smtp.c: hands the formatted message (text, len) for `to` to the
 * SMTP server of MAIL_SMTP_URL; MAIL_OK when it accepted it (250 after
 * DATA), else the error with the reason in why.  Loads libcurl
 * (curl_dl) on the first call: MAIL_ESEND when it cannot.
 */
enum mail_err	 mail_smtp_send(const struct config *, const char *to,
		    const char *text, size_t len, char *why, size_t whylen);

#endif
