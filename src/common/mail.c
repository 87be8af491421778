/*
 * mail: reset and verification messages (see mail.h).  A message is built
 * whole into one buffer by mail_format() — which is where every check
 * happens, so the outbox refuses exactly what SMTP would — then either
 * appended to the outbox file as one JSON line with one write(2) under an
 * flock, or handed to the SMTP transport (mail_smtp.c, libcurl loaded at
 * run time), here or in a detached sender process (mail_detach.c).
 * The kinds are a table: name, subject, the body around the link, and
 * which setting holds the path.  Buffers that held the token or the link
 * are wiped before they are freed.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "config.h"
#include "hex.h"
#include "log.h"
#include "mail.h"
#include "mail_int.h"

#define PLACEHOLDER_LEN	(sizeof(MAIL_TOKEN_PLACEHOLDER) - 1)
#define LOCK_STEP_MS	10	/* outbox flock poll interval */

static const struct {
	const char	*name;		/* outbox "kind", log field */
	const char	*subject;
	const char	*intro;		/* body before the link, CRLF lines */
	const char	*outro;		/* body after the link's line */
	size_t		 path_off;	/* char * in struct config: the path template */
} kinds[MAIL__MAX] = {
	[MAIL_RESET] = {
		"reset", "Reset your password",
		"Hello,\r\n"
		"\r\n"
		"Someone asked to reset the password of the account registered\r\n"
		"with this e-mail address. To choose a new password, open this link:\r\n"
		"\r\n",
		"\r\n"
		"If you did not ask for this, you can ignore this message:\r\n"
		"your password stays as it is.\r\n",
		offsetof(struct config, mail_reset_path),
	},
	[MAIL_VERIFY] = {
		"verify", "Verify your e-mail address",
		"Hello,\r\n"
		"\r\n"
		"Please confirm that this e-mail address belongs to you by opening\r\n"
		"this link:\r\n"
		"\r\n",
		"\r\n"
		"If you did not create an account, you can ignore this message.\r\n",
		offsetof(struct config, mail_verify_path),
	},
};

static const char *const mail_errs[MAIL_ERR__MAX] = {
	[MAIL_OK] = "ok",
	[MAIL_ENOTCONFIGURED] = "mail is not configured (MAIL_SMTP_URL or MAIL_OUTBOX_FILE)",
	[MAIL_EINVALID] = "invalid message or mail settings",
	[MAIL_EADDRESS] = "not a bare e-mail address",
	[MAIL_ETOOLONG] = "line or message too long",
	[MAIL_ESEND] = "SMTP delivery failed",
	[MAIL_EOUTBOX] = "cannot write the outbox file",
	[MAIL_ENOMEM] = "out of memory",
	[MAIL_EINTERNAL] = "internal error",
};

static const char day_names[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

const char *
mail_strerror(enum mail_err e)
{
	return (unsigned)e < MAIL_ERR__MAX ? mail_errs[e] : "unknown error";
}

const char *
mail_kind_name(enum mail_kind k)
{
	return (unsigned)k < MAIL__MAX ? kinds[k].name : NULL;
}

const char *
mail_subject(enum mail_kind k)
{
	return (unsigned)k < MAIL__MAX ? kinds[k].subject : NULL;
}

/* --- building the message ---------------------------------------------- */

/* An appender into a fixed buffer; overflow is sticky. */
struct out {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 overflow;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n >= o->size - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* NULL when the token is 1..MAIL_TOKEN_MAX printable ASCII bytes. */
static const char *
token_problem(const char *t)
{
	size_t	 n, i;

	if (t == NULL || (n = strnlen(t, MAIL_TOKEN_MAX + 1)) == 0)
		return "empty token";
	if (n > MAIL_TOKEN_MAX)
		return "over-long token";
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return "token holds a byte that is not printable ASCII";
	return NULL;
}

enum mail_err
mail_link(const struct config *cfg, enum mail_kind kind, const char *token,
    char *buf, size_t size)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct out		 o = { buf, size, 0, 0 };
	const char		*base, *path, *ph, *t;
	char			 pct[3];
	size_t			 blen;

	if (buf == NULL || size == 0)
		return MAIL_EINVALID;
	buf[0] = '\0';
	if (cfg == NULL || (unsigned)kind >= MAIL__MAX)
		return MAIL_EINVALID;
	base = cfg->public_base_url;
	path = *(char *const *)((const char *)cfg + kinds[kind].path_off);
	if (base == NULL || path == NULL || token_problem(token) != NULL ||
	    (ph = strstr(path, MAIL_TOKEN_PLACEHOLDER)) == NULL)
		return MAIL_EINVALID;
	blen = strlen(base);
	if (blen > 0 && base[blen - 1] == '/' && path[0] == '/')
		blen--;
	out_put(&o, base, blen);
	out_put(&o, path, (size_t)(ph - path));
	for (t = token; *t != '\0'; t++) {
		if (mail_is_unreserved((unsigned char)*t)) {
			out_put(&o, t, 1);
			continue;
		}
		pct[0] = '%';
		pct[1] = hex[(unsigned char)*t >> 4];
		pct[2] = hex[(unsigned char)*t & 0xf];
		out_put(&o, pct, 3);
	}
	out_str(&o, ph + PLACEHOLDER_LEN);
	if (o.overflow) {
		OPENSSL_cleanse(buf, size);
		buf[0] = '\0';
		return MAIL_ETOOLONG;
	}
	return MAIL_OK;
}

/*
 * One header field "Name: value" CRLF.  A CR or LF in the value would
 * start a header of the sender's choosing (RFC 5322 §2.2): refused, as is
 * a line over MAIL_LINE_MAX (we never fold).
 */
static enum mail_err
out_header(struct out *o, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL)
		return MAIL_EINVALID;
	if (strlen(name) + 2 + strlen(value) > MAIL_LINE_MAX)
		return MAIL_ETOOLONG;
	out_str(o, name);
	out_str(o, ": ");
	out_str(o, value);
	out_str(o, "\r\n");
	return MAIL_OK;
}

/* RFC 5322 §3.3 date-time in UTC, locale-free; -1 when out of range. */
static int
format_date(int64_t now, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 t = (time_t)now;
	int		 n;

	if (now < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999)
		return -1;
	n = snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    day_names[tm.tm_wday], tm.tm_mday, month_names[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* RFC 5322 §3.6.4 msg-id: <32 random hex digits.unix time@sender domain>. */
static int
format_message_id(int64_t now, const char *domain, char *buf, size_t size)
{
	unsigned char	 r[16];
	char		 hex[33];
	int		 n;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	hex_lower(r, sizeof(r), hex);
	n = snprintf(buf, size, "<%s.%lld@%s>", hex, (long long)now, domain);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

enum mail_err
mail_format(const struct config *cfg, const struct mail_msg *msg, int64_t now,
    char *buf, size_t size, size_t *len)
{
	struct out	 o = { buf, size, 0, 0 };
	char		 link[MAIL_LINE_MAX + 1], date[64];
	char		 msgid[64 + MAIL_ADDRESS_MAX];
	const char	*rdomain, *fdomain;
	enum mail_err	 ret = MAIL_EINVALID;

	if (len != NULL)
		*len = 0;
	if (buf == NULL || size == 0)
		return MAIL_EINVALID;
	buf[0] = '\0';
	if (cfg == NULL || msg == NULL || len == NULL ||
	    (unsigned)msg->kind >= MAIL__MAX)
		return MAIL_EINVALID;
	if (mail_address_problem(msg->to, &rdomain) != NULL ||
	    mail_address_problem(cfg->mail_from, &fdomain) != NULL)
		return MAIL_EADDRESS;
	if ((ret = mail_link(cfg, msg->kind, msg->token, link, sizeof(link))) != MAIL_OK)
		goto out;
	if (format_date(now, date, sizeof(date)) == -1) {
		ret = MAIL_EINVALID;
		goto out;
	}
	if (format_message_id(now, fdomain, msgid, sizeof(msgid)) == -1) {
		ret = MAIL_EINTERNAL;
		goto out;
	}
	/* RFC 5322 §3.6; RFC 2045 §4, §5, §6; RFC 3834 §5 Auto-Submitted. */
	if ((ret = out_header(&o, "Date", date)) != MAIL_OK ||
	    (ret = out_header(&o, "From", cfg->mail_from)) != MAIL_OK ||
	    (ret = out_header(&o, "To", msg->to)) != MAIL_OK ||
	    (ret = out_header(&o, "Subject", kinds[msg->kind].subject)) != MAIL_OK ||
	    (ret = out_header(&o, "Message-ID", msgid)) != MAIL_OK ||
	    (ret = out_header(&o, "Auto-Submitted", "auto-generated")) != MAIL_OK ||
	    (ret = out_header(&o, "MIME-Version", "1.0")) != MAIL_OK ||
	    (ret = out_header(&o, "Content-Type", "text/plain; charset=utf-8")) != MAIL_OK ||
	    (ret = out_header(&o, "Content-Transfer-Encoding", "8bit")) != MAIL_OK)
		goto out;
	out_str(&o, "\r\n");
	out_str(&o, kinds[msg->kind].intro);
	out_str(&o, link);	/* at most MAIL_LINE_MAX bytes: mail_link checked */
	out_str(&o, "\r\n");
	out_str(&o, kinds[msg->kind].outro);
	if (o.overflow) {
		ret = MAIL_ETOOLONG;
		goto out;
	}
	*len = o.len;
	ret = MAIL_OK;
out:
	OPENSSL_cleanse(link, sizeof(link));
	if (ret != MAIL_OK) {
		OPENSSL_cleanse(buf, size);
		buf[0] = '\0';
	}
	return ret;
}

/* --- outbox --------------------------------------------------------------- */

/* flock(LOCK_EX), waiting at most timeout_ms; 0 or -1. */
static int
lock_bounded(int fd, int64_t timeout_ms)
{
	struct timespec	 step = { 0, LOCK_STEP_MS * 1000000L };
	int64_t		 waited = 0;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || waited >= timeout_ms)
			return -1;
		nanosleep(&step, NULL);
		waited += LOCK_STEP_MS;
	}
}

static int
json_add_str(struct json_object *o, const char *key, const char *value)
{
	struct json_object	*v;

	if ((v = json_object_new_string(value)) == NULL)
		return -1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/*
 * Appends the message as one JSON line.  One write(2) of the whole line on
 * an O_APPEND descriptor, under an exclusive flock, so lines of concurrent
 * processes never interleave.  XXX json-c's own copy of the token inside
 * the object is freed without being wiped (no hook for it); the outbox is
 * for development.
 */
static enum mail_err
outbox_write(const struct config *cfg, const struct mail_msg *msg,
    const char *link, int64_t now, char *why, size_t whylen)
{
	struct json_object	*o = NULL;
	struct stat		 st;
	struct tm		 tm;
	time_t			 t = (time_t)now;
	const char		*s;
	char			*line = NULL, when[32];
	size_t			 n = 0;
	ssize_t			 w;
	int			 fd = -1;
	enum mail_err		 ret = MAIL_ENOMEM;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		ret = MAIL_EINVALID;
		goto out;
	}
	if ((o = json_object_new_object()) == NULL ||
	    json_add_str(o, "kind", kinds[msg->kind].name) != 0 ||
	    json_add_str(o, "email", msg->to) != 0 ||
	    json_add_str(o, "token", msg->token) != 0 ||
	    json_add_str(o, "subject", kinds[msg->kind].subject) != 0 ||
	    json_add_str(o, "link", link) != 0 ||
	    json_add_str(o, "sent_at", when) != 0)
		goto out;
	if ((s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		goto out;
	n = strlen(s) + 1;
	if ((line = malloc(n)) == NULL)
		goto out;
	memcpy(line, s, n - 1);
	line[n - 1] = '\n';
	ret = MAIL_EOUTBOX;
	/* 0600: the file holds live tokens.  No symlink, no device, no tty. */
	if ((fd = open(cfg->mail_outbox_file, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0600)) == -1) {
		snprintf(why, whylen, "cannot open the outbox: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "the outbox is not a regular file");
		goto out;
	}
	if (lock_bounded(fd, cfg->mail_timeout_seconds * 1000) == -1) {
		snprintf(why, whylen, "cannot lock the outbox: %s",
		    errno == EWOULDBLOCK ? "timed out" : strerror(errno));
		goto out;
	}
	do
		w = write(fd, line, n);
	while (w == -1 && errno == EINTR);
	if (w == -1 || (size_t)w != n) {
		snprintf(why, whylen, "cannot write the outbox: %s",
		    w == -1 ? strerror(errno) : "short write");
		goto out;
	}
	ret = MAIL_OK;
out:
	if (fd != -1)
		close(fd);	/* releases the lock */
	if (line != NULL) {
		OPENSSL_cleanse(line, n);
		free(line);
	}
	json_object_put(o);
	return ret;
}

/* --- sending ---------------------------------------------------------------- */

/*
 * The one log line of an attempt, "mail sent" or "mail not sent": the
 * kind, the recipient's domain (only of a well-formed address), the
 * transport and, on failure, the reason; never the token, the link or the
 * local part.
 */
void
mail_log_outcome(const struct mail_msg *msg, const char *via,
    enum mail_err ret, const char *why)
{
	const char	*domain = "", *kind;

	if ((kind = mail_kind_name(msg->kind)) == NULL)
		kind = "unknown";
	if (mail_address_problem(msg->to, &domain) != NULL)
		domain = "";
	if (ret == MAIL_OK)
		log_info("mail sent", "kind", kind, "domain", domain, "via", via);
	else
		log_error("mail not sent", "kind", kind, "domain", domain,
		    "via", via, "error", mail_strerror(ret), "reason", why);
}

enum mail_err
mail_send(const struct config *cfg, const struct mail_msg *msg)
{
	char		*text = NULL, link[MAIL_LINE_MAX + 1], why[MAIL_WHY_MAX];
	const char	*via;
	size_t		 len = 0;
	int64_t		 now = (int64_t)time(NULL);
	enum mail_err	 ret = MAIL_EINVALID;

	link[0] = why[0] = '\0';
	if (cfg == NULL || msg == NULL)
		return MAIL_EINVALID;
	if (cfg->mail_outbox_file == NULL && cfg->mail_smtp_url == NULL)
		return MAIL_ENOTCONFIGURED;
	via = cfg->mail_outbox_file != NULL ? "outbox" : "smtp";
	if ((text = malloc(MAIL_MSG_MAX)) == NULL) {
		ret = MAIL_ENOMEM;	/* logged below; the caller carries on */
		goto out;
	}
	if ((ret = mail_format(cfg, msg, now, text, MAIL_MSG_MAX, &len)) != MAIL_OK)
		goto out;
	if (cfg->mail_outbox_file != NULL) {
		if ((ret = mail_link(cfg, msg->kind, msg->token, link,
		    sizeof(link))) == MAIL_OK)
			ret = outbox_write(cfg, msg, link, now, why, sizeof(why));
	} else
		ret = mail_smtp_send(cfg, msg->to, text, len, why, sizeof(why));
out:
	mail_log_outcome(msg, via, ret, why);
	OPENSSL_cleanse(link, sizeof(link));
	if (text != NULL) {
		OPENSSL_cleanse(text, MAIL_MSG_MAX);
		free(text);
	}
	return ret;
}
