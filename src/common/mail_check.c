/*
 * mail_check: the checks of the mail settings and addresses (see mail.h:
 * mail_check_*), and what mail.c needs of them (mail_int.h).  Kept apart
 * from mail.c because config.c runs these checks in every program, which
 * need not link the rest of mail.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "mail_int.h"

#define PLACEHOLDER_LEN	(sizeof(MAIL_TOKEN_PLACEHOLDER) - 1)

/* --- character classes (ASCII only, locale-free) ---------------------- */

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* RFC 5322 §3.2.3 atext. */
static int
is_atext(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 3986 §2.3 unreserved. */
int
mail_is_unreserved(int c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 3986 unreserved, gen-delims, sub-delims and '%'. */
static int
is_uri_char(int c)
{
	return mail_is_unreserved(c) ||
	    (c != '\0' && strchr(":/?#[]@!$&'()*+,;=%", c) != NULL);
}

/* --- addresses ---------------------------------------------------------- */

/*
 * NULL when a is a bare address (RFC 5321 Mailbox with a dot-atom local
 * part and an LDH domain), with *domain pointing into a after the '@';
 * else a reason.  No CR, LF, space, quote or angle bracket gets through.
 */
const char *
mail_address_problem(const char *a, const char **domain)
{
	const char	*at, *p, *label;
	size_t		 n;

	if (a == NULL || (n = strnlen(a, MAIL_ADDRESS_MAX + 1)) == 0)
		return "is empty";
	if (n > MAIL_ADDRESS_MAX)
		return "is longer than 254 bytes";
	if ((at = strrchr(a, '@')) == NULL)
		return "has no @";
	if (at == a || (size_t)(at - a) > MAIL_LOCAL_MAX)
		return "has an empty or over-long local part";
	for (p = a; p < at; p++) {
		if (*p == '.') {
			if (p == a || p + 1 == at || p[1] == '.')
				return "has a misplaced dot in the local part";
		} else if (!is_atext((unsigned char)*p))
			return "has a character not allowed in a bare local part";
	}
	if (at[1] == '\0')
		return "has an empty domain";
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || (size_t)(p - label) > MAIL_LABEL_MAX ||
			    *label == '-' || p[-1] == '-')
				return "has a malformed domain";
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!is_alnum((unsigned char)*p) && *p != '-')
			return "has a character not allowed in a domain";
	}
	*domain = at + 1;
	return NULL;
}

int
mail_check_address(const char *v, char *why, size_t whylen)
{
	const char	*d, *problem;

	if ((problem = mail_address_problem(v, &d)) != NULL) {
		snprintf(why, whylen, "must be a bare e-mail address like "
		    "name@example.com (ASCII, no display name): it %s", problem);
		return -1;
	}
	return 0;
}

/* --- URLs --------------------------------------------------------------- */

/* Printable ASCII without space and without <>"\^`{|}. */
static int
url_chars_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f ||
		    strchr("<>\"\\^`{|}", *v) != NULL)
			return 0;
	return 1;
}

/*
 * Checks url as scheme "://" authority [path], the authority a host (a
 * name of letters, digits, '-' and '.', or an IP literal in brackets) and
 * an optional port (RFC 3986 §3.2), with no user, password, query or
 * fragment.  On success, when host is not NULL, copies the host (IPv6 in
 * brackets) into it.  Returns 0, or -1 with a reason in why.  Written here
 * rather than with libcurl's URL parser so that the settings, which every
 * program loads, do not make every program map libcurl and its
 * dependencies.
 */
int
mail_url_parse(const char *url, char *host, size_t hostlen, char *why, size_t whylen)
{
	const char	*sep, *h, *end, *hend, *p;
	size_t		 n;
	long		 port;

	if ((sep = strstr(url, "://")) == NULL) {
		snprintf(why, whylen, "is not a well-formed URL");
		return -1;
	}
	h = sep + 3;
	end = h + strcspn(h, "/?#");
	if (memchr(h, '@', (size_t)(end - h)) != NULL) {
		snprintf(why, whylen, "must not hold a user or password");
		return -1;
	}
	if (h[0] == '[') {
		if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL ||
		    hend == h + 1) {
			snprintf(why, whylen, "is not a well-formed URL");
			return -1;
		}
		for (p = h + 1; p < hend; p++)
			if (!is_hex((unsigned char)*p) && *p != ':' && *p != '.')
				break;
		hend++;
	} else {
		hend = h + strcspn(h, ":/?#");
		for (p = h; p < hend; p++)
			if (!is_alnum((unsigned char)*p) && *p != '-' && *p != '.')
				break;
	}
	if (hend == h) {
		snprintf(why, whylen, "has no host");
		return -1;
	}
	if (p < hend - (h[0] == '[')) {
		snprintf(why, whylen, "is not a well-formed URL");
		return -1;
	}
	if (hend < end) {
		/* ":" port, 1..65535 */
		port = 0;
		for (p = hend + 1; p < end && *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (*hend != ':' || p != end || p == hend + 1 || port < 1 ||
		    port > 65535) {
			snprintf(why, whylen, "is not a well-formed URL");
			return -1;
		}
	}
	if (strpbrk(end, "?#") != NULL) {
		snprintf(why, whylen, "must not have a query or fragment");
		return -1;
	}
	if (host != NULL) {
		if ((n = (size_t)(hend - h)) >= hostlen) {
			snprintf(why, whylen, "has an over-long host");
			return -1;
		}
		memcpy(host, h, n);
		host[n] = '\0';
	}
	return 0;
}

int
mail_check_smtp_url(const char *v, char *why, size_t whylen)
{
	if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) {
		snprintf(why, whylen, "must begin with smtp:// or smtps://");
		return -1;
	}
	if (!url_chars_ok(v)) {
		snprintf(why, whylen, "must be printable ASCII without spaces");
		return -1;
	}
	return mail_url_parse(v, NULL, 0, why, whylen);
}

int
mail_check_base_url(const char *v, char *why, size_t whylen)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
		snprintf(why, whylen, "must begin with http:// or https://");
		return -1;
	}
	if (!url_chars_ok(v)) {
		snprintf(why, whylen, "must be printable ASCII without spaces or <>\"\\^`{|}");
		return -1;
	}
	return mail_url_parse(v, NULL, 0, why, whylen);
}

int
mail_check_path(const char *v, char *why, size_t whylen)
{
	const char	*ph, *p;

	if (v[0] != '/') {
		snprintf(why, whylen, "must begin with /");
		return -1;
	}
	if ((ph = strstr(v, MAIL_TOKEN_PLACEHOLDER)) == NULL ||
	    strstr(ph + PLACEHOLDER_LEN, MAIL_TOKEN_PLACEHOLDER) != NULL) {
		snprintf(why, whylen, "must hold " MAIL_TOKEN_PLACEHOLDER " exactly once");
		return -1;
	}
	for (p = v; *p != '\0'; p++) {
		if (p == ph) {
			p += PLACEHOLDER_LEN - 1;
			continue;
		}
		if (!is_uri_char((unsigned char)*p) ||
		    (*p == '%' && (!is_hex((unsigned char)p[1]) ||
		    !is_hex((unsigned char)p[2])))) {
			snprintf(why, whylen, "must hold only URI characters "
			    "(RFC 3986) besides " MAIL_TOKEN_PLACEHOLDER);
			return -1;
		}
	}
	return 0;
}

/* 1 for localhost, 127.0.0.0/8 and [::1]; names are not resolved. */
int
mail_host_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN + 1];
	size_t		 n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

