/*
 * mail: the two messages the service sends — a password-reset link and an
 * e-mail verification link — as RFC 5322 plain-text mail over SMTP through
 * libcurl (loaded at run time: curl_dl.h), or, in development, as JSON
 * lines appended to an outbox file so that no mail server is needed.  The
 * link is PUBLIC_BASE_URL followed by MAIL_RESET_PATH or MAIL_VERIFY_PATH
 * with "{token}" replaced by the token.
 *
 * Where a message goes:
 *   MAIL_OUTBOX_FILE set	one JSON line per message is appended to that
 *				file (MAIL_SMTP_URL is then ignored):
 *				{"kind":"reset"|"verify","email","token",
 *				"subject","link","sent_at"}; the file is created
 *				0600 (it holds live tokens), must be a regular
 *				file and not a symbolic link.
 *   MAIL_SMTP_URL set		SMTP through libcurl (see below).
 *   neither			mail_send() returns MAIL_ENOTCONFIGURED and logs
 *				nothing; the caller logs and carries on.
 *
 * SMTP transport security (MAIL_SMTP_URL and MAIL_SMTP_STARTTLS):
 *   smtps://host[:465]		implicit TLS, always; MAIL_SMTP_STARTTLS is
 *				ignored.
 *   smtp://host[:587], auto	(the default) STARTTLS required: the send
 *				fails when the server does not offer it or
 *				the TLS handshake fails — except to a loopback
 *				host (localhost, 127.0.0.0/8, [::1]), where
 *				plain SMTP is used, as nothing leaves the host.
 *   smtp://…, true		STARTTLS required, loopback included.
 *   smtp://…, false		plain SMTP, never STARTTLS (credentials, when
 *				set, travel in the clear: for a trusted relay).
 * TLS always verifies the certificate and the host name (the system CA
 * store), TLS 1.2 at least.  The URL's path, if any, is the EHLO name
 * (libcurl's rule).  Credentials go in MAIL_SMTP_USER/MAIL_SMTP_PASSWORD,
 * never in the URL; the password is used only together with a user.  The
 * connect and the whole transaction are each bounded by
 * MAIL_TIMEOUT_SECONDS (1..60, default 10); only smtp and smtps are
 * allowed, no redirects, no proxy from the environment.
 *
 * Addresses (MAIL_FROM and the recipient) are bare RFC 5321 addresses
 * (local@domain, dot-atom local part, LDH domain labels, ASCII, at most
 * MAIL_ADDRESS_MAX bytes); no display name.  Anything else — a CR or LF
 * above all (header injection) — is refused with MAIL_EADDRESS.
 *
 * A failed send is logged (log_error "mail not sent") with the kind, the
 * recipient's domain and the transport's reason; never the token, the
 * link or the local part of the address.
 */
#ifndef FCGI_USERS_MAIL_H
#define FCGI_USERS_MAIL_H

#include <stddef.h>
#include <stdint.h>

struct config;

#define MAIL_ADDRESS_MAX	254	/* RFC 5321 §4.5.3.1.3: path of 256 with <> */
#define MAIL_LOCAL_MAX		64	/* RFC 5321 §4.5.3.1.1 */
#define MAIL_LABEL_MAX		63	/* RFC 1035 §2.3.4 */
#define MAIL_TOKEN_MAX		1024	/* bytes in a token */
#define MAIL_BASE_URL_MAX	256	/* bytes in PUBLIC_BASE_URL */
#define MAIL_PATH_MAX		256	/* bytes in MAIL_*_PATH */
#define MAIL_LINE_MAX		998	/* RFC 5322 §2.1.1, without the CRLF */
#define MAIL_MSG_MAX		8192	/* bytes in one formatted message */
#define MAIL_TOKEN_PLACEHOLDER	"{token}"

enum mail_kind {
	MAIL_RESET,		/* "Reset your password", MAIL_RESET_PATH */
	MAIL_VERIFY,		/* "Verify your e-mail address", MAIL_VERIFY_PATH */
	MAIL__MAX
};

enum mail_err {
	MAIL_OK,
	MAIL_ENOTCONFIGURED,	/* neither MAIL_OUTBOX_FILE nor MAIL_SMTP_URL */
	MAIL_EINVALID,		/* unknown kind, missing or malformed token, bad settings */
	MAIL_EADDRESS,		/* recipient or sender is not a bare address (CR/LF included) */
	MAIL_ETOOLONG,		/* a line over 998 bytes, or the message over the buffer */
	MAIL_ESEND,		/* SMTP failed: connect, TLS, refusal, timeout */
	MAIL_EOUTBOX,		/* the outbox file cannot be opened, locked or written */
	MAIL_ENOMEM,
	MAIL_EINTERNAL,		/* the random source failed (Message-ID) */
	MAIL_ERR__MAX
};

struct mail_msg {
	enum mail_kind	 kind;
	const char	*to;		/* the recipient's address */
	const char	*token;		/* printable ASCII, 1..MAIL_TOKEN_MAX bytes */
};

const char	*mail_strerror(enum mail_err);
/* "reset", "verify"; NULL for an unknown kind. */
const char	*mail_kind_name(enum mail_kind);
/* The Subject of a kind; NULL for an unknown kind. */
const char	*mail_subject(enum mail_kind);

/*
 * Sends one message as the settings say (see above).  Returns MAIL_OK when
 * the SMTP server accepted it or the outbox line was written.  Every error
 * but MAIL_ENOTCONFIGURED is logged here, without the token or the link.
 * Blocks for at most about MAIL_TIMEOUT_SECONDS (the SMTP transaction, or
 * the wait for the outbox lock); after a failure the SMTP connection is
 * dropped without waiting for QUIT, after a success the reply to QUIT is
 * awaited at most MAIL_TIMEOUT_SECONDS more.  The first SMTP send of the
 * process loads libcurl (curl_dl.h; not for several threads at once); when
 * it cannot be loaded the send fails with MAIL_ESEND and the reason is
 * logged.  For the admin tool and the tests; the web programs use
 * mail_send_detached().
 */
enum mail_err	 mail_send(const struct config *, const struct mail_msg *);

/*
 * mail_send() for the web programs, which must not wait for SMTP:
 *   - the HTTP response never waits for the SMTP server: forgot-password
 *     answers 202 at once whether or not the account exists, and its
 *     timing must not reveal which;
 *   - the web program never maps libcurl (about 4.7 MiB resident, against
 *     8 MiB per process: bench/memory), only the sender does;
 *   - a hung SMTP server costs a short-lived process, bounded by
 *     MAIL_TIMEOUT_SECONDS (and killed by an alarm at 2 × that + 10 s),
 *     not a web process.
 * With MAIL_OUTBOX_FILE the line is written here, synchronously, as
 * mail_send() does: it is in the file when this returns.  With
 * MAIL_SMTP_URL the message is checked here (mail_format), and what is
 * malformed — a CR or LF in the recipient above all — is refused at once
 * and no process is started; then a sender is double-forked: the child
 * forks it and exits at once, and is reaped here (no zombie, nothing for
 * a SIGCHLD handler), and the sender, reparented to init, closes every
 * descriptor but stderr (fds 0 and 1 become /dev/null: the listening
 * socket and the request's connection are not held), restores default
 * signal handling, calls mail_send() — which logs the outcome — and
 * _exit()s.
 * Returns MAIL_OK when the sender was started (whether the mail goes out
 * is then only in the log) or the outbox line written;
 * MAIL_ENOTCONFIGURED when neither setting is set (not logged); any other
 * error is logged, a failed fork as MAIL_ESEND.
 */
enum mail_err	 mail_send_detached(const struct config *, const struct mail_msg *);

/*
 * Builds the whole message — headers (From, To, Subject, Date, Message-ID,
 * MIME-Version, Content-Type, Content-Transfer-Encoding) and the text body
 * with the link — into buf (size bytes), CRLF line ends, each line at most
 * MAIL_LINE_MAX bytes; `now` is the Date (Unix seconds).  *len gets the
 * length; buf is NUL-terminated.  Validates everything mail_send() would
 * send; on error buf holds nothing useful.  Exposed for the tests.
 */
enum mail_err	 mail_format(const struct config *, const struct mail_msg *,
		    int64_t now, char *buf, size_t size, size_t *len);

/*
 * The link for a message: base URL (one trailing '/' dropped) + the kind's
 * path with {token} replaced by the token, percent-encoded where it is not
 * RFC 3986 unreserved.  Into buf (size bytes, NUL-terminated).
 */
enum mail_err	 mail_link(const struct config *, enum mail_kind, const char *token,
		    char *buf, size_t size);

/*
 * Whether an SMTP send with these settings insists on TLS (implicit with
 * smtps://, STARTTLS with smtp://): 1 yes, 0 plain allowed, -1 when
 * MAIL_SMTP_URL is unset or malformed.  Exposed for the tests.
 */
int		 mail_smtp_requires_tls(const struct config *);

/*
 * Setting checks used by config's table: 0 when the value is good, else
 * -1 with a reason in why that does not repeat the value.
 *   mail_check_address	a bare address as above (MAIL_FROM)
 *   mail_check_smtp_url	smtp:// or smtps:// with a host; no user or
 *				password, query or fragment
 *   mail_check_base_url	http:// or https:// with a host; no user, query
 *				or fragment; printable ASCII, none of <>"\^`{|}
 *   mail_check_path	begins with '/', holds "{token}" exactly once, and
 *				otherwise only RFC 3986 URI characters
 */
int		 mail_check_address(const char *, char *why, size_t whylen);
int		 mail_check_smtp_url(const char *, char *why, size_t whylen);
int		 mail_check_base_url(const char *, char *why, size_t whylen);
int		 mail_check_path(const char *, char *why, size_t whylen);

#endif
