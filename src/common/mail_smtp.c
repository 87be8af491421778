/*
 * mail_smtp: the SMTP transport of mail (see mail.h for the settings and
 * their security rules): one formatted message handed to libcurl's SMTP
 * client.  The only file of mail that calls libcurl, and only through
 * curl_dl, so that linking mail does not map libcurl: the library is
 * loaded by the first send, which with mail_send_detached() happens in
 * the short-lived sender process, never in the web program.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "curl_dl.h"
#include "mail.h"
#include "mail_int.h"

_Static_assert(MAIL_WHY_MAX >= CURL_ERROR_SIZE + 64,
    "a reason holds libcurl's error buffer and our words around it");

struct reader {
	const char	*p;
	size_t		 left;
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct reader	*r = arg;
	size_t		 n = size * nmemb;

	if (n > r->left)
		n = r->left;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

/*
 * After a failed transfer libcurl keeps the connection and, in
 * curl_easy_cleanup(), sends QUIT and waits for its reply under the
 * response timeout alone, not CURLOPT_TIMEOUT: with libcurl 7.88 a server
 * silent after DATA held a send for 2 + 120 s.  The connection is of no
 * further use, so its socket is shut down first and the QUIT fails at once.
 */
static void
drop_connection(const struct curl_api *cu, CURL *c)
{
	curl_socket_t	 fd = CURL_SOCKET_BAD;

	if (cu->easy_getinfo(c, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
	    fd != CURL_SOCKET_BAD)
		shutdown(fd, SHUT_RDWR);
}

/*
 * CURLUSESSL_* for the URL and MAIL_SMTP_STARTTLS (the table in mail.h);
 * -1 when the URL does not parse.
 */
static long
smtp_tls_mode(const struct config *cfg, char *why, size_t whylen)
{
	char	 host[256];

	if (mail_check_smtp_url(cfg->mail_smtp_url, why, whylen) != 0 ||
	    mail_url_parse(cfg->mail_smtp_url, host, sizeof(host), why, whylen) != 0)
		return -1;
	if (strncmp(cfg->mail_smtp_url, "smtps://", 8) == 0)
		return (long)CURLUSESSL_ALL;
	switch (cfg->mail_smtp_starttls) {
	case CONFIG_STARTTLS_FALSE:
		return (long)CURLUSESSL_NONE;
	case CONFIG_STARTTLS_TRUE:
		return (long)CURLUSESSL_ALL;
	default:
		return mail_host_is_loopback(host) ? (long)CURLUSESSL_NONE :
		    (long)CURLUSESSL_ALL;
	}
}

int
mail_smtp_requires_tls(const struct config *cfg)
{
	char	 why[128];
	long	 tls;

	if (cfg == NULL || cfg->mail_smtp_url == NULL ||
	    (tls = smtp_tls_mode(cfg, why, sizeof(why))) == -1)
		return -1;
	return tls == (long)CURLUSESSL_ALL;
}

/*
 * Hands the formatted message (text, len) to the SMTP server of
 * MAIL_SMTP_URL (see mail_int.h).  libcurl is loaded here, by the first
 * send of the process; a failure to load it is a failed send.
 * XXX libcurl keeps its own copy of the password and frees it unwiped.
 */
enum mail_err
mail_smtp_send(const struct config *cfg, const char *to, const char *text,
    size_t len, char *why, size_t whylen)
{
	const struct curl_api	*cu;
	CURL			*c = NULL;
	struct curl_slist	*rcpt = NULL;
	struct reader		 r = { text, len };
	char			 from[MAIL_ADDRESS_MAX + 3], rcptbuf[MAIL_ADDRESS_MAX + 3];
	char			 err[CURL_ERROR_SIZE], dlwhy[CURL_ERROR_SIZE];
	long			 tls, code = 0, secs = (long)cfg->mail_timeout_seconds;
	CURLcode		 rc;
	enum mail_err		 ret = MAIL_EINVALID;

	err[0] = '\0';
	if ((tls = smtp_tls_mode(cfg, why, whylen)) == -1)
		return MAIL_EINVALID;
	if ((cu = curl_dl(dlwhy, sizeof(dlwhy))) == NULL) {
		snprintf(why, whylen, "cannot load libcurl: %s", dlwhy);
		return MAIL_ESEND;
	}
	snprintf(from, sizeof(from), "<%s>", cfg->mail_from);
	snprintf(rcptbuf, sizeof(rcptbuf), "<%s>", to);
	ret = MAIL_ENOMEM;
	if ((rcpt = cu->slist_append(NULL, rcptbuf)) == NULL ||
	    (c = cu->easy_init()) == NULL)
		goto out;
	ret = MAIL_EINVALID;
	if (cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK ||
	    cu->easy_setopt(c, CURLOPT_USE_SSL, tls) != CURLE_OK ||
	    cu->easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    cu->easy_setopt(c, CURLOPT_URL, cfg->mail_smtp_url) != CURLE_OK) {
		snprintf(why, whylen, "libcurl refused the SMTP options");
		goto out;
	}
	cu->easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu->easy_setopt(c, CURLOPT_PROXY, "");	/* no proxy from the environment */
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, secs);
	cu->easy_setopt(c, CURLOPT_TIMEOUT, secs);
	/* Caps each reply, the QUIT sent by curl_easy_cleanup() included. */
	cu->easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
	cu->easy_setopt(c, CURLOPT_MAIL_FROM, from);
	cu->easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	cu->easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cu->easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	cu->easy_setopt(c, CURLOPT_READDATA, &r);
	cu->easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if (cfg->mail_smtp_user != NULL) {
		cu->easy_setopt(c, CURLOPT_USERNAME, cfg->mail_smtp_user);
		if (cfg->mail_smtp_password != NULL)
			cu->easy_setopt(c, CURLOPT_PASSWORD, cfg->mail_smtp_password);
	}
	if ((rc = cu->easy_perform(c)) != CURLE_OK) {
		cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		snprintf(why, whylen, "%s (curl %d, smtp %ld)",
		    err[0] != '\0' ? err : cu->easy_strerror(rc), (int)rc, code);
		ret = MAIL_ESEND;
		drop_connection(cu, c);
		goto out;
	}
	ret = MAIL_OK;
out:
	cu->easy_cleanup(c);
	cu->slist_free_all(rcpt);
	return ret;
}
