/*
 * test_mail: the mail module (src/common/mail.c) without a mail server.
 * The RFC 5322 text mail_format() builds (headers, CRLF, line lengths,
 * Date, Message-ID, the link); link templating and percent-encoding;
 * refusal of anything that could inject a header (CR/LF, display names,
 * lists) in the recipient or the sender; the outbox file (JSON lines read
 * back with json-c, mode 0600, appends, symlinks, directories, a held
 * lock); what mail_send_detached() does in the caller's process — the
 * outbox line written before it returns, refusals answered at once, and
 * no fork for either (counted with pthread_atfork); the not-configured
 * answer; when SMTP insists on TLS; and the mail settings' validation
 * through config_load with envp arrays.  Run under valgrind: every path
 * must free what it took.  (Detached SMTP sends: tests/integration/
 * test_mail_smtp.c.)
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "log.h"
#include "mail.h"

#include "unit_util.h"

#define CHECK_MAIL(line, got, want) \
	CHECK_ENUM(line, enum mail_err, mail_strerror, got, want)
#define SECRET32	"JWT_SECRET=0123456789abcdef0123456789abcdef"
#define TOKEN		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
#define NOW		1700000000	/* Tue, 14 Nov 2023 22:13:20 +0000 */

static char	 tmpdir[64];

/*
 * Loads a config from env (NULL-terminated "K=V" list, JWT_SECRET added
 * first); fails the test when config_load does.
 */
static void
load(int line, struct config *c, const char *const *env)
{
	char		*envp[32], why[256];
	const char	*bad;
	size_t		 n = 0;
	enum config_err	 e;

	envp[n++] = (char *)SECRET32;
	for (; env != NULL && *env != NULL && n < NCASES(envp) - 1; env++)
		envp[n++] = (char *)*env;
	envp[n] = NULL;
	e = config_load(c, envp, &bad, why, sizeof(why));
	if (e != CONFIG_OK)
		print_error("%s:%d: config_load: %s: %s %s\n", __FILE__, line,
		    config_strerror(e), bad ? bad : "", why);
	assert_int_equal(e, CONFIG_OK);
}

/* The outbox file's whole text (NUL-terminated), or NULL; caller frees. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

static int64_t
now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* --- mail_format ----------------------------------------------------------- */

/* Every line ends in CRLF, no bare CR or LF, none over 998 bytes. */
static void
check_lines(int line, const char *buf, size_t len)
{
	size_t	 i, start = 0;

	CHECK(line, len >= 2 && buf[len - 2] == '\r' && buf[len - 1] == '\n');
	for (i = 0; i < len; i++) {
		if (buf[i] == '\r') {
			CHECK(line, i + 1 < len && buf[i + 1] == '\n');
			CHECK(line, i - start <= MAIL_LINE_MAX);
		} else if (buf[i] == '\n') {
			CHECK(line, i > 0 && buf[i - 1] == '\r');
			start = i + 1;
		} else
			CHECK(line, buf[i] != '\0');
	}
}

static void
test_format(void **state)
{
	static const char *const env[] = {
		"MAIL_OUTBOX_FILE=/nonexistent/outbox",
		"MAIL_FROM=no-reply@mail.example.org",
		"PUBLIC_BASE_URL=https://app.example.org/",
		NULL
	};
	static const struct {
		int		 line;
		enum mail_kind	 kind;
		const char	*subject;
		const char	*link;
	} cases[] = {
		{ __LINE__, MAIL_RESET, "Subject: Reset your password\r\n",
		    "\r\nhttps://app.example.org/reset-password?token=" TOKEN "\r\n" },
		{ __LINE__, MAIL_VERIFY, "Subject: Verify your e-mail address\r\n",
		    "\r\nhttps://app.example.org/verify?token=" TOKEN "\r\n" },
	};
	struct config	 c;
	struct mail_msg	 m;
	char		 buf[MAIL_MSG_MAX], first_id[128], *p, *body;
	size_t		 i, len, n;

	(void)state;
	load(__LINE__, &c, env);
	first_id[0] = '\0';
	for (i = 0; i < NCASES(cases); i++) {
		m.kind = cases[i].kind;
		m.to = "Alice.Smith+x@example.com";
		m.token = TOKEN;
		CHECK_MAIL(cases[i].line, mail_format(&c, &m, NOW, buf, sizeof(buf),
		    &len), MAIL_OK);
		CHECK_INT(cases[i].line, strlen(buf), len);
		check_lines(cases[i].line, buf, len);
		/* The headers, in this order, then an empty line. */
		CHECK(cases[i].line, strncmp(buf,
		    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
		    "From: no-reply@mail.example.org\r\n"
		    "To: Alice.Smith+x@example.com\r\n", 103) == 0);
		CHECK(cases[i].line, (p = strstr(buf, cases[i].subject)) != NULL);
		CHECK(cases[i].line, strstr(buf, "\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n") != NULL);
		CHECK(cases[i].line, (body = strstr(buf, "\r\n\r\n")) != NULL);
		CHECK(cases[i].line, p != NULL && body != NULL && p < body);
		/* Message-ID: <32 hex.now@sender's domain>, new each time. */
		p = strstr(buf, "\r\nMessage-ID: <");
		CHECK(cases[i].line, p != NULL);
		if (p != NULL) {
			p += strlen("\r\nMessage-ID: <");
			n = strspn(p, "0123456789abcdef");
			CHECK_INT(cases[i].line, n, 32);
			CHECK(cases[i].line, strncmp(p + 32,
			    ".1700000000@mail.example.org>\r\n", 31) == 0);
			CHECK(cases[i].line, strncmp(p, first_id, 32) != 0);
			snprintf(first_id, sizeof(first_id), "%.32s", p);
		}
		/* The link, alone on its line, in the body. */
		CHECK(cases[i].line, (p = strstr(buf, cases[i].link)) != NULL);
		CHECK(cases[i].line, p != NULL && body != NULL && p > body);
		CHECK(cases[i].line, strstr(buf, "\r\n.") == NULL);
		/* "Subject: " + mail_subject() + CRLF */
		n = strlen(mail_subject(cases[i].kind));
		CHECK(cases[i].line, strncmp(cases[i].subject + 9,
		    mail_subject(cases[i].kind), n) == 0 &&
		    strcmp(cases[i].subject + 9 + n, "\r\n") == 0);
	}
	CHECK_STR(__LINE__, mail_kind_name(MAIL_RESET), "reset");
	CHECK_STR(__LINE__, mail_kind_name(MAIL_VERIFY), "verify");
	CHECK_STR(__LINE__, mail_kind_name(MAIL__MAX), NULL);
	CHECK_STR(__LINE__, mail_subject(MAIL__MAX), NULL);
	CHECK_STR(__LINE__, mail_strerror(MAIL_ERR__MAX), "unknown error");
	for (i = 0; i < MAIL_ERR__MAX; i++)
		CHECK(__LINE__, mail_strerror((enum mail_err)i) != NULL);
	config_free(&c);
	DONE();
}

/* Refusals of mail_format: every one leaves an empty buffer and no length. */
static void
test_format_refusals(void **state)
{
	static char	 long_token[MAIL_TOKEN_MAX + 2], max_token[MAIL_TOKEN_MAX + 1];
	static char	 line_token[MAIL_LINE_MAX];
	struct config	 c;
	struct mail_msg	 m;
	char		 buf[MAIL_MSG_MAX], small[64];
	size_t		 len, i;
	static const char *const env[] = {
		"MAIL_OUTBOX_FILE=/nonexistent/outbox", NULL
	};
	const struct {
		int		 line;
		int		 kind;
		const char	*token;
		int64_t		 now;
		char		*buf;
		size_t		 size;
		enum mail_err	 want;
	} cases[] = {
		{ __LINE__, MAIL_RESET, TOKEN, NOW, buf, sizeof(buf), MAIL_OK },
		{ __LINE__, MAIL__MAX, TOKEN, NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, -1, TOKEN, NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, NULL, NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "abc def", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "abc\r\nBcc: x@y.z", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "abc\n", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "abc\t", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "t\x7f", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "t\xc3\xa9", NOW, buf, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, long_token, NOW, buf, sizeof(buf), MAIL_EINVALID },
		/* a full-size token fits no 998-byte line */
		{ __LINE__, MAIL_RESET, max_token, NOW, buf, sizeof(buf), MAIL_ETOOLONG },
		{ __LINE__, MAIL_RESET, line_token, NOW, buf, sizeof(buf), MAIL_ETOOLONG },
		{ __LINE__, MAIL_RESET, TOKEN, NOW, small, sizeof(small), MAIL_ETOOLONG },
		{ __LINE__, MAIL_RESET, TOKEN, NOW, buf, 0, MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, TOKEN, NOW, NULL, sizeof(buf), MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, TOKEN, -1, buf, sizeof(buf), MAIL_EINVALID },
	};

	(void)state;
	memset(long_token, 'a', sizeof(long_token) - 1);
	memset(max_token, 'a', sizeof(max_token) - 1);
	/* 998 - strlen("http://127.0.0.1:8080/reset-password?token=") + 1 */
	memset(line_token, 'a', sizeof(line_token) - 1);
	line_token[MAIL_LINE_MAX - 43 + 1] = '\0';
	load(__LINE__, &c, env);
	for (i = 0; i < NCASES(cases); i++) {
		m.kind = (enum mail_kind)cases[i].kind;
		m.to = "user@example.com";
		m.token = cases[i].token;
		len = 99;
		if (cases[i].buf != NULL && cases[i].size > 0)
			cases[i].buf[0] = 'x';
		CHECK_MAIL(cases[i].line, mail_format(&c, &m, cases[i].now,
		    cases[i].buf, cases[i].size, &len), cases[i].want);
		if (cases[i].want != MAIL_OK) {
			CHECK_INT(cases[i].line, len, 0);
			if (cases[i].buf != NULL && cases[i].size > 0)
				CHECK_INT(cases[i].line, cases[i].buf[0], '\0');
		}
	}
	/* The longest token that still fits one line. */
	line_token[MAIL_LINE_MAX - 43] = '\0';
	m.kind = MAIL_RESET;
	m.token = line_token;
	CHECK_MAIL(__LINE__, mail_format(&c, &m, NOW, buf, sizeof(buf), &len), MAIL_OK);
	check_lines(__LINE__, buf, len);
	m.token = TOKEN;
	CHECK_MAIL(__LINE__, mail_format(NULL, &m, NOW, buf, sizeof(buf), &len), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_format(&c, NULL, NOW, buf, sizeof(buf), &len), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_format(&c, &m, NOW, buf, sizeof(buf), NULL), MAIL_EINVALID);
	config_free(&c);
	DONE();
}

/* --- mail_link ---------------------------------------------------------------- */

static void
test_link(void **state)
{
	static const struct {
		int		 line;
		const char	*base, *reset, *verify;
		enum mail_kind	 kind;
		const char	*token;
		enum mail_err	 want;
		const char	*link;
	} cases[] = {
		{ __LINE__, NULL, NULL, NULL, MAIL_RESET, "abc", MAIL_OK,
		    "http://127.0.0.1:8080/reset-password?token=abc" },
		{ __LINE__, NULL, NULL, NULL, MAIL_VERIFY, "abc", MAIL_OK,
		    "http://127.0.0.1:8080/verify?token=abc" },
		{ __LINE__, "https://x.example/", NULL, NULL, MAIL_VERIFY, "a.b-c_d~e", MAIL_OK,
		    "https://x.example/verify?token=a.b-c_d~e" },
		{ __LINE__, "https://x.example/app", "/r/{token}/go", NULL, MAIL_RESET, "t", MAIL_OK,
		    "https://x.example/app/r/t/go" },
		{ __LINE__, "https://x.example/app/", "/#/reset?token={token}&x=1", NULL,
		    MAIL_RESET, "T", MAIL_OK, "https://x.example/app/#/reset?token=T&x=1" },
		{ __LINE__, NULL, NULL, "/v?t={token}", MAIL_VERIFY, "a+b/c=d&e#f%g\"h", MAIL_OK,
		    "http://127.0.0.1:8080/v?t=a%2Bb%2Fc%3Dd%26e%23f%25g%22h" },
		{ __LINE__, NULL, NULL, NULL, MAIL__MAX, "abc", MAIL_EINVALID, "" },
		{ __LINE__, NULL, NULL, NULL, MAIL_RESET, NULL, MAIL_EINVALID, "" },
		{ __LINE__, NULL, NULL, NULL, MAIL_RESET, "", MAIL_EINVALID, "" },
		{ __LINE__, NULL, NULL, NULL, MAIL_RESET, "a b", MAIL_EINVALID, "" },
		{ __LINE__, NULL, NULL, NULL, MAIL_RESET, "a\r\nb", MAIL_EINVALID, "" },
		{ __LINE__, NULL, NULL, NULL, MAIL_VERIFY, "\xff", MAIL_EINVALID, "" },
	};
	struct config	 c;
	char		 link[MAIL_LINE_MAX + 1], e1[300], e2[300], e3[300];
	const char	*env[4];
	size_t		 i, n;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		n = 0;
		if (cases[i].base != NULL) {
			snprintf(e1, sizeof(e1), "PUBLIC_BASE_URL=%s", cases[i].base);
			env[n++] = e1;
		}
		if (cases[i].reset != NULL) {
			snprintf(e2, sizeof(e2), "MAIL_RESET_PATH=%s", cases[i].reset);
			env[n++] = e2;
		}
		if (cases[i].verify != NULL) {
			snprintf(e3, sizeof(e3), "MAIL_VERIFY_PATH=%s", cases[i].verify);
			env[n++] = e3;
		}
		env[n] = NULL;
		load(cases[i].line, &c, env);
		strcpy(link, "junk");
		CHECK_MAIL(cases[i].line, mail_link(&c, cases[i].kind, cases[i].token,
		    link, sizeof(link)), cases[i].want);
		CHECK_STR(cases[i].line, link, cases[i].link);
		config_free(&c);
	}
	/* Too small a buffer, and no buffer. */
	load(__LINE__, &c, NULL);
	CHECK_MAIL(__LINE__, mail_link(&c, MAIL_RESET, "abc", link, 20), MAIL_ETOOLONG);
	CHECK_STR(__LINE__, link, "");
	CHECK_MAIL(__LINE__, mail_link(&c, MAIL_RESET, "abc", link, 0), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_link(&c, MAIL_RESET, "abc", NULL, 10), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_link(NULL, MAIL_RESET, "abc", link, 10), MAIL_EINVALID);
	/* A template without {token} never reaches mail_link through config;
	 * set directly, it is refused rather than sending a link without it. */
	free(c.mail_reset_path);
	c.mail_reset_path = strdup("/reset");
	CHECK_MAIL(__LINE__, mail_link(&c, MAIL_RESET, "abc", link, sizeof(link)), MAIL_EINVALID);
	config_free(&c);
	DONE();
}

/* --- addresses and header injection ------------------------------------------ */

static char	 local64[MAIL_LOCAL_MAX + 1 + 12], local65[MAIL_LOCAL_MAX + 2 + 12];
static char	 label63[MAIL_LABEL_MAX + 1 + 8], label64[MAIL_LABEL_MAX + 2 + 8];
static char	 addr254[MAIL_ADDRESS_MAX + 1], addr255[MAIL_ADDRESS_MAX + 2];

static void
make_long_addresses(void)
{
	size_t	 i, n;

	memset(local64, 'l', MAIL_LOCAL_MAX);
	strcpy(local64 + MAIL_LOCAL_MAX, "@example.com");
	memset(local65, 'l', MAIL_LOCAL_MAX + 1);
	strcpy(local65 + MAIL_LOCAL_MAX + 1, "@example.com");
	strcpy(label63, "a@");
	memset(label63 + 2, 'd', MAIL_LABEL_MAX);
	strcpy(label63 + 2 + MAIL_LABEL_MAX, ".com");
	strcpy(label64, "a@");
	memset(label64 + 2, 'd', MAIL_LABEL_MAX + 1);
	strcpy(label64 + 3 + MAIL_LABEL_MAX, ".com");
	/* a@ then labels of 49 'd' and a dot, to exactly 254 / 255 bytes */
	for (n = 0; n < 2; n++) {
		char	*a = n == 0 ? addr254 : addr255;
		size_t	 want = MAIL_ADDRESS_MAX + n;

		strcpy(a, "a@");
		for (i = 2; i < want; i++)
			a[i] = (i - 2) % 50 == 49 ? '.' : 'd';
		if (a[want - 1] == '.')
			a[want - 1] = 'd';
		a[want] = '\0';
	}
}

static void
test_addresses(void **state)
{
	struct {
		int		 line;
		const char	*to;
		enum mail_err	 want;
	} cases[] = {
		{ __LINE__, "a@b", MAIL_OK },
		{ __LINE__, "first.last+tag@mail.example.co.uk", MAIL_OK },
		{ __LINE__, "o'brien_x-y=z@x-1.io", MAIL_OK },
		{ __LINE__, "UPPER@EXAMPLE.COM", MAIL_OK },
		{ __LINE__, local64, MAIL_OK },
		{ __LINE__, label63, MAIL_OK },
		{ __LINE__, addr254, MAIL_OK },
		/* header injection */
		{ __LINE__, "a@b.c\r\nBcc: victim@evil.example", MAIL_EADDRESS },
		{ __LINE__, "a@b.c\nBcc: victim@evil.example", MAIL_EADDRESS },
		{ __LINE__, "a@b.c\rBcc: victim@evil.example", MAIL_EADDRESS },
		{ __LINE__, "a@b.c\r\n\r\nbody", MAIL_EADDRESS },
		{ __LINE__, "a@b.c\r\n", MAIL_EADDRESS },
		{ __LINE__, "\r\na@b.c", MAIL_EADDRESS },
		{ __LINE__, "a\r\n@b.c", MAIL_EADDRESS },
		/* not a bare address */
		{ __LINE__, "Alice <a@b.c>", MAIL_EADDRESS },
		{ __LINE__, "<a@b.c>", MAIL_EADDRESS },
		{ __LINE__, "a@b.c, d@e.f", MAIL_EADDRESS },
		{ __LINE__, "a@b.c,d@e.f", MAIL_EADDRESS },
		{ __LINE__, "a@b.c;d@e.f", MAIL_EADDRESS },
		{ __LINE__, "\"a b\"@b.c", MAIL_EADDRESS },
		{ __LINE__, "a b@c.d", MAIL_EADDRESS },
		{ __LINE__, "a@b c.d", MAIL_EADDRESS },
		{ __LINE__, "a@b.c ", MAIL_EADDRESS },
		{ __LINE__, " a@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b.c\t", MAIL_EADDRESS },
		{ __LINE__, "a(comment)@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@[127.0.0.1]", MAIL_EADDRESS },
		{ __LINE__, "\xc3\xa4@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b\xc3\xbc.c", MAIL_EADDRESS },
		{ __LINE__, "a\x01@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b\x7f.c", MAIL_EADDRESS },
		/* malformed */
		{ __LINE__, "", MAIL_EADDRESS },
		{ __LINE__, NULL, MAIL_EADDRESS },
		{ __LINE__, "ab.c", MAIL_EADDRESS },
		{ __LINE__, "@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@", MAIL_EADDRESS },
		{ __LINE__, "a@@b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b@c.d", MAIL_EADDRESS },
		{ __LINE__, ".a@b.c", MAIL_EADDRESS },
		{ __LINE__, "a.@b.c", MAIL_EADDRESS },
		{ __LINE__, "a..b@c.d", MAIL_EADDRESS },
		{ __LINE__, "a@.b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b.c.", MAIL_EADDRESS },
		{ __LINE__, "a@b..c", MAIL_EADDRESS },
		{ __LINE__, "a@-b.c", MAIL_EADDRESS },
		{ __LINE__, "a@b-.c", MAIL_EADDRESS },
		{ __LINE__, "a@b_c.d", MAIL_EADDRESS },
		{ __LINE__, local65, MAIL_EADDRESS },
		{ __LINE__, label64, MAIL_EADDRESS },
		{ __LINE__, addr255, MAIL_EADDRESS },
	};
	static const char *const env[] = {
		"MAIL_OUTBOX_FILE=/nonexistent/outbox", NULL
	};
	struct config	 c;
	struct mail_msg	 m;
	char		 buf[MAIL_MSG_MAX], why[256];
	size_t		 i, len;

	(void)state;
	make_long_addresses();
	CHECK_INT(__LINE__, strlen(addr254), MAIL_ADDRESS_MAX);
	CHECK_INT(__LINE__, strlen(addr255), MAIL_ADDRESS_MAX + 1);
	load(__LINE__, &c, env);
	for (i = 0; i < NCASES(cases); i++) {
		/* as the recipient */
		m.kind = MAIL_VERIFY;
		m.to = cases[i].to;
		m.token = TOKEN;
		CHECK_MAIL(cases[i].line, mail_format(&c, &m, NOW, buf, sizeof(buf),
		    &len), cases[i].want);
		if (cases[i].want == MAIL_OK)
			check_lines(cases[i].line, buf, len);
		else
			CHECK_INT(cases[i].line, buf[0], '\0');
		/* as the sender, set behind config's back */
		if (cases[i].to != NULL) {
			free(c.mail_from);
			c.mail_from = strdup(cases[i].to);
			m.to = "user@example.com";
			CHECK_MAIL(cases[i].line, mail_format(&c, &m, NOW, buf,
			    sizeof(buf), &len), cases[i].want);
			/* and config's check of MAIL_FROM agrees */
			CHECK_INT(cases[i].line, mail_check_address(cases[i].to, why,
			    sizeof(why)), cases[i].want == MAIL_OK ? 0 : -1);
			if (cases[i].want != MAIL_OK)
				CHECK(cases[i].line, strpbrk(why, "\r\n") == NULL &&
				    (strlen(cases[i].to) < 5 ||
				    strstr(why, cases[i].to) == NULL));
		}
	}
	config_free(&c);
	DONE();
}

/* mail_send refuses an injected recipient before the outbox is touched. */
static void
test_send_refuses_injection(void **state)
{
	static const char *const bad[] = {
		"a@b.c\r\nBcc: victim@evil.example",
		"Alice <a@b.c>",
		"a@b.c\n",
		"",
	};
	struct config	 c;
	struct mail_msg	 m;
	struct stat	 st;
	char		 path[128], env1[160];
	const char	*env[] = { env1, NULL };
	size_t		 i;

	(void)state;
	snprintf(path, sizeof(path), "%s/refused.jsonl", tmpdir);
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", path);
	load(__LINE__, &c, env);
	for (i = 0; i < NCASES(bad); i++) {
		m.kind = MAIL_RESET;
		m.to = bad[i];
		m.token = TOKEN;
		CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EADDRESS);
	}
	m.to = "a@b.c";
	m.token = "bad token";
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EINVALID);
	m.kind = MAIL__MAX;
	m.token = TOKEN;
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_send(&c, NULL), MAIL_EINVALID);
	CHECK_MAIL(__LINE__, mail_send(NULL, &m), MAIL_EINVALID);
	CHECK(__LINE__, stat(path, &st) == -1 && errno == ENOENT);
	config_free(&c);
	DONE();
}

/* --- outbox ------------------------------------------------------------------ */

/* Parses one JSON line (s, n) strictly: an object, nothing after it. */
static struct json_object *
parse_line(int line, const char *s, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, s, (int)n);
	CHECK(line, o != NULL && json_object_is_type(o, json_type_object));
	CHECK_INT(line, json_tokener_get_parse_end(tok), n);
	json_tokener_free(tok);
	return o;
}

static const char *
field(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void
test_outbox(void **state)
{
	static const struct {
		int		 line;
		enum mail_kind	 kind;
		const char	*to, *token, *subject, *link;
	} cases[] = {
		{ __LINE__, MAIL_RESET, "alice@example.com", TOKEN, "Reset your password",
		    "https://app.example/reset-password?token=" TOKEN },
		{ __LINE__, MAIL_VERIFY, "bob+x@example.org", "t.1", "Verify your e-mail address",
		    "https://app.example/verify?token=t.1" },
		/* JSON escaping of what the token may hold */
		{ __LINE__, MAIL_VERIFY, "c@d.e", "q\"b\\s/</script>", "Verify your e-mail address",
		    "https://app.example/verify?token=q%22b%5Cs%2F%3C%2Fscript%3E" },
	};
	struct config		 c;
	struct mail_msg		 m;
	struct stat		 st;
	struct json_object	*o;
	char			 path[128], env1[160], *text, *line, *nl;
	const char		*env[] = { env1, "PUBLIC_BASE_URL=https://app.example",
				    "MAIL_SMTP_URL=smtp://127.0.0.1:1", NULL };
	const char		*sent_at;
	size_t			 i, len;
	int			 fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/outbox.jsonl", tmpdir);
	/* A line already there is kept: the outbox appends. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "{\"old\":1}\n", 10), 10);
	close(fd);
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", path);
	load(__LINE__, &c, env);
	for (i = 0; i < NCASES(cases); i++) {
		m.kind = cases[i].kind;
		m.to = cases[i].to;
		m.token = cases[i].token;
		/* the outbox wins over MAIL_SMTP_URL (port 1: nothing there) */
		CHECK_MAIL(cases[i].line, mail_send(&c, &m), MAIL_OK);
	}
	text = slurp(path, &len);
	assert_non_null(text);
	line = text;
	CHECK(__LINE__, strncmp(line, "{\"old\":1}\n", 10) == 0);
	line += 10;
	for (i = 0; i < NCASES(cases); i++) {
		nl = strchr(line, '\n');
		CHECK(cases[i].line, nl != NULL);
		if (nl == NULL)
			break;
		o = parse_line(cases[i].line, line, (size_t)(nl - line));
		CHECK_STR(cases[i].line, field(o, "kind"), mail_kind_name(cases[i].kind));
		CHECK_STR(cases[i].line, field(o, "email"), cases[i].to);
		CHECK_STR(cases[i].line, field(o, "token"), cases[i].token);
		CHECK_STR(cases[i].line, field(o, "subject"), cases[i].subject);
		CHECK_STR(cases[i].line, field(o, "link"), cases[i].link);
		sent_at = field(o, "sent_at");
		CHECK(cases[i].line, sent_at != NULL && strlen(sent_at) == 20 &&
		    sent_at[4] == '-' && sent_at[10] == 'T' && sent_at[19] == 'Z');
		CHECK_INT(cases[i].line, json_object_object_length(o), 6);
		json_object_put(o);
		line = nl + 1;
	}
	CHECK_STR(__LINE__, line, "");
	free(text);
	/* Created 0600 when it was not there. */
	unlink(path);
	m.kind = MAIL_RESET;
	m.to = "a@b.c";
	m.token = TOKEN;
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_OK);
	CHECK(__LINE__, stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	unlink(path);
	config_free(&c);
	DONE();
}

static void
test_outbox_refusals(void **state)
{
	struct config	 c;
	struct mail_msg	 m = { MAIL_RESET, "a@b.c", TOKEN };
	char		 path[128], target[128], env1[160];
	const char	*env[] = { env1, "MAIL_TIMEOUT_SECONDS=1", NULL };
	int64_t		 t0, took;
	int		 fd;

	(void)state;
	/* A directory. */
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", tmpdir);
	load(__LINE__, &c, env);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EOUTBOX);
	config_free(&c);
	/* A folder that does not exist. */
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s/no/such/outbox", tmpdir);
	load(__LINE__, &c, env);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EOUTBOX);
	config_free(&c);
	/* A symbolic link, even to a regular file: nothing written. */
	snprintf(target, sizeof(target), "%s/target", tmpdir);
	snprintf(path, sizeof(path), "%s/link.jsonl", tmpdir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(symlink(target, path), 0);
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", path);
	load(__LINE__, &c, env);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EOUTBOX);
	config_free(&c);
	{
		struct stat	 st;

		CHECK(__LINE__, stat(target, &st) == 0 && st.st_size == 0);
	}
	unlink(path);
	/* A device. */
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=/dev/null");
	load(__LINE__, &c, env);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EOUTBOX);
	config_free(&c);
	/* Held locked by someone else: gives up after MAIL_TIMEOUT_SECONDS. */
	fd = open(target, O_WRONLY);
	assert_true(fd != -1);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", target);
	load(__LINE__, &c, env);
	t0 = now_ms();
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_EOUTBOX);
	took = now_ms() - t0;
	CHECK(__LINE__, took >= 900 && took < 3000);
	/* and succeeds once it is released */
	flock(fd, LOCK_UN);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_OK);
	close(fd);
	config_free(&c);
	unlink(target);
	DONE();
}

/* --- mail_send_detached: what stays in the caller's process ------------------ */

/* fork(2)s this process made (a pthread_atfork handler, in the parent). */
static int	 forks;

static void
count_fork(void)
{
	forks++;
}

/* With the outbox, the line is written before the call returns; no fork. */
static void
test_detached_outbox(void **state)
{
	static const struct {
		int		 line;
		enum mail_kind	 kind;
		const char	*to;
	} cases[] = {
		{ __LINE__, MAIL_RESET, "alice@example.com" },
		{ __LINE__, MAIL_VERIFY, "bob+x@example.org" },
		{ __LINE__, MAIL_RESET, "carol@mail.example.net" },
	};
	struct config		 c;
	struct mail_msg		 m;
	struct json_object	*o;
	char			 path[128], env1[160], *text, *last, *nl;
	const char		*env[] = { env1, "MAIL_SMTP_URL=smtp://127.0.0.1:1", NULL };
	size_t			 i, len, lines;
	int			 f0;

	(void)state;
	snprintf(path, sizeof(path), "%s/detached.jsonl", tmpdir);
	snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", path);
	load(__LINE__, &c, env);
	for (i = 0; i < NCASES(cases); i++) {
		m.kind = cases[i].kind;
		m.to = cases[i].to;
		m.token = TOKEN;
		f0 = forks;
		CHECK_MAIL(cases[i].line, mail_send_detached(&c, &m), MAIL_OK);
		CHECK_INT(cases[i].line, forks - f0, 0);
		/* already there: line i + 1 is this message */
		text = slurp(path, &len);
		CHECK(cases[i].line, text != NULL);
		if (text == NULL)
			continue;
		for (lines = 0, last = text; (nl = strchr(last, '\n')) != NULL &&
		    nl[1] != '\0'; last = nl + 1)
			lines++;
		CHECK_INT(cases[i].line, lines + 1, i + 1);
		CHECK(cases[i].line, nl != NULL);
		if (nl != NULL) {
			o = parse_line(cases[i].line, last, (size_t)(nl - last));
			CHECK_STR(cases[i].line, field(o, "email"), cases[i].to);
			CHECK_STR(cases[i].line, field(o, "kind"),
			    mail_kind_name(cases[i].kind));
			CHECK_STR(cases[i].line, field(o, "token"), TOKEN);
			json_object_put(o);
		}
		free(text);
	}
	unlink(path);
	config_free(&c);
	/* Neither setting: not configured, nothing started. */
	load(__LINE__, &c, NULL);
	m.kind = MAIL_RESET;
	m.to = "a@b.c";
	m.token = TOKEN;
	f0 = forks;
	CHECK_MAIL(__LINE__, mail_send_detached(&c, &m), MAIL_ENOTCONFIGURED);
	CHECK_INT(__LINE__, forks - f0, 0);
	config_free(&c);
	DONE();
}

/*
 * A message the sender would refuse is refused by the call itself, with
 * SMTP as with the outbox, and no sender is forked for it.
 */
static void
test_detached_refusals(void **state)
{
	static char	 long_token[401];
	const struct {
		int		 line;
		enum mail_kind	 kind;
		const char	*to, *token;
		enum mail_err	 want;
	} cases[] = {
		{ __LINE__, MAIL_RESET, "a@b.c\r\nBcc: victim@evil.example", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "a@b.c\nBcc: victim@evil.example", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_VERIFY, "a@b.c\r", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "\r\na@b.c", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "Alice <a@b.c>", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "a@b.c, c@d.e", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "", TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, NULL, TOKEN, MAIL_EADDRESS },
		{ __LINE__, MAIL_RESET, "a@b.c", "bad token", MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "a@b.c", "tok\r\nen", MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "a@b.c", "", MAIL_EINVALID },
		{ __LINE__, MAIL_RESET, "a@b.c", NULL, MAIL_EINVALID },
		{ __LINE__, MAIL__MAX, "a@b.c", TOKEN, MAIL_EINVALID },
		/* 400 '/' are 1200 bytes percent-encoded: a link over 998 */
		{ __LINE__, MAIL_RESET, "a@b.c", long_token, MAIL_ETOOLONG },
	};
	static const char *const outbox[] = { "outbox", "smtp" };
	struct config	 c;
	struct mail_msg	 m;
	struct stat	 st;
	char		 path[128], env1[160];
	const char	*env[] = { env1, NULL };
	size_t		 i, j;
	int		 f0;

	(void)state;
	memset(long_token, '/', sizeof(long_token) - 1);
	snprintf(path, sizeof(path), "%s/never.jsonl", tmpdir);
	for (j = 0; j < NCASES(outbox); j++) {
		if (j == 0)
			snprintf(env1, sizeof(env1), "MAIL_OUTBOX_FILE=%s", path);
		else
			snprintf(env1, sizeof(env1), "MAIL_SMTP_URL=smtp://127.0.0.1:1");
		load(__LINE__, &c, env);
		for (i = 0; i < NCASES(cases); i++) {
			m.kind = cases[i].kind;
			m.to = cases[i].to;
			m.token = cases[i].token;
			f0 = forks;
			CHECK_MAIL(cases[i].line, mail_send_detached(&c, &m),
			    cases[i].want);
			CHECK_INT(cases[i].line, forks - f0, 0);
		}
		f0 = forks;
		CHECK_MAIL(__LINE__, mail_send_detached(&c, NULL), MAIL_EINVALID);
		CHECK_MAIL(__LINE__, mail_send_detached(NULL, &m), MAIL_EINVALID);
		CHECK_INT(__LINE__, forks - f0, 0);
		config_free(&c);
	}
	CHECK(__LINE__, stat(path, &st) == -1 && errno == ENOENT);
	DONE();
}

/* --- not configured; when TLS is insisted on -------------------------------- */

static void
test_not_configured(void **state)
{
	struct config	 c;
	struct mail_msg	 m = { MAIL_RESET, "a@b.c", TOKEN };

	(void)state;
	load(__LINE__, &c, NULL);
	CHECK_STR(__LINE__, c.mail_smtp_url, NULL);
	CHECK_STR(__LINE__, c.mail_outbox_file, NULL);
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_ENOTCONFIGURED);
	/* Even a bad message: the answer is "not configured", nothing is checked. */
	m.to = "a@b.c\r\nBcc: x@y.z";
	CHECK_MAIL(__LINE__, mail_send(&c, &m), MAIL_ENOTCONFIGURED);
	CHECK_INT(__LINE__, mail_smtp_requires_tls(&c), -1);
	config_free(&c);
	DONE();
}

static void
test_requires_tls(void **state)
{
	static const struct {
		int		 line;
		const char	*url, *starttls;
		int		 want;
	} cases[] = {
		/* auto: required except to loopback */
		{ __LINE__, "smtp://mail.example.com:587", NULL, 1 },
		{ __LINE__, "smtp://10.0.0.1:25", NULL, 1 },
		{ __LINE__, "smtp://128.0.0.1", NULL, 1 },
		{ __LINE__, "smtp://[::2]:25", NULL, 1 },
		{ __LINE__, "smtp://[::ffff:127.0.0.1]:25", NULL, 1 },
		{ __LINE__, "smtp://localhost.example.com", NULL, 1 },
		{ __LINE__, "smtp://127.0.0.1.example.com", NULL, 1 },
		{ __LINE__, "smtp://0.0.0.0:25", NULL, 1 },
		{ __LINE__, "smtp://127.0.0.1:2525", NULL, 0 },
		{ __LINE__, "smtp://127.9.8.7", "auto", 0 },
		{ __LINE__, "smtp://localhost:25", NULL, 0 },
		{ __LINE__, "smtp://LocalHost:25", NULL, 0 },
		{ __LINE__, "smtp://[::1]:25", NULL, 0 },
		/* true: loopback included */
		{ __LINE__, "smtp://127.0.0.1:2525", "true", 1 },
		{ __LINE__, "smtp://localhost", "TRUE", 1 },
		/* false: plain */
		{ __LINE__, "smtp://mail.example.com:587", "false", 0 },
		/* smtps: always */
		{ __LINE__, "smtps://mail.example.com:465", NULL, 1 },
		{ __LINE__, "smtps://127.0.0.1:465", NULL, 1 },
		{ __LINE__, "smtps://127.0.0.1:465", "false", 1 },
	};
	struct config	 c;
	char		 e1[200], e2[200];
	const char	*env[3];
	size_t		 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		snprintf(e1, sizeof(e1), "MAIL_SMTP_URL=%s", cases[i].url);
		env[0] = e1;
		env[1] = NULL;
		if (cases[i].starttls != NULL) {
			snprintf(e2, sizeof(e2), "MAIL_SMTP_STARTTLS=%s", cases[i].starttls);
			env[1] = e2;
		}
		env[2] = NULL;
		load(cases[i].line, &c, env);
		CHECK_INT(cases[i].line, mail_smtp_requires_tls(&c), cases[i].want);
		config_free(&c);
	}
	CHECK_INT(__LINE__, mail_smtp_requires_tls(NULL), -1);
	DONE();
}

/* --- settings ------------------------------------------------------------------ */

static void
test_settings_defaults(void **state)
{
	static const char *const env[] = {
		"MAIL_SMTP_URL=smtps://mail.example.com:465",
		"MAIL_FROM=accounts@example.com",
		"MAIL_SMTP_USER=accounts",
		"MAIL_SMTP_PASSWORD=hunter2 hunter2",
		"MAIL_SMTP_STARTTLS=False",
		"MAIL_TIMEOUT_SECONDS=60",
		"PUBLIC_BASE_URL=https://example.com/app/",
		"MAIL_RESET_PATH=/#/reset?token={token}",
		"MAIL_VERIFY_PATH=/verify/{token}",
		NULL
	};
	struct config	 c;

	(void)state;
	load(__LINE__, &c, NULL);
	CHECK_STR(__LINE__, c.mail_smtp_url, NULL);
	CHECK_STR(__LINE__, c.mail_from, "fcgi-users@localhost");
	CHECK_STR(__LINE__, c.mail_smtp_user, NULL);
	CHECK_STR(__LINE__, c.mail_smtp_password, NULL);
	CHECK_INT(__LINE__, c.mail_smtp_starttls, CONFIG_STARTTLS_AUTO);
	CHECK_STR(__LINE__, c.mail_smtp_starttls_name, "auto");
	CHECK_INT(__LINE__, c.mail_timeout_seconds, 10);
	CHECK_STR(__LINE__, c.mail_outbox_file, NULL);
	CHECK_STR(__LINE__, c.public_base_url, "http://127.0.0.1:8080");
	CHECK_STR(__LINE__, c.mail_reset_path, "/reset-password?token={token}");
	CHECK_STR(__LINE__, c.mail_verify_path, "/verify?token={token}");
	config_free(&c);
	load(__LINE__, &c, env);
	CHECK_STR(__LINE__, c.mail_smtp_url, "smtps://mail.example.com:465");
	CHECK_STR(__LINE__, c.mail_from, "accounts@example.com");
	CHECK_STR(__LINE__, c.mail_smtp_user, "accounts");
	CHECK_STR(__LINE__, c.mail_smtp_password, "hunter2 hunter2");
	CHECK_INT(__LINE__, c.mail_smtp_starttls, CONFIG_STARTTLS_FALSE);
	CHECK_STR(__LINE__, c.mail_smtp_starttls_name, "false");
	CHECK_INT(__LINE__, c.mail_timeout_seconds, 60);
	CHECK_STR(__LINE__, c.public_base_url, "https://example.com/app/");
	CHECK_STR(__LINE__, c.mail_reset_path, "/#/reset?token={token}");
	CHECK_STR(__LINE__, c.mail_verify_path, "/verify/{token}");
	config_free(&c);
	DONE();
}

static void
test_settings_invalid(void **state)
{
	static char	 long_password[1100], long_base[MAIL_BASE_URL_MAX + 40];
	static const char *const good[] = {
		"MAIL_SMTP_URL=smtp://mail.example.com:587",
		"MAIL_SMTP_URL=smtp://mail.example.com",
		"MAIL_SMTP_URL=smtps://mail.example.com:465/client.example",
		"MAIL_SMTP_URL=smtp://127.0.0.1:2525",
		"MAIL_SMTP_URL=smtp://[::1]:25",
		"MAIL_FROM=a@b",
		"MAIL_SMTP_STARTTLS=true",
		"MAIL_SMTP_STARTTLS=AUTO",
		"MAIL_TIMEOUT_SECONDS=1",
		"PUBLIC_BASE_URL=http://localhost",
		"PUBLIC_BASE_URL=https://[::1]:8443/x",
		"MAIL_RESET_PATH=/{token}",
		"MAIL_VERIFY_PATH=/v?a=%20b&t={token}",
	};
	const struct {
		int		 line;
		const char	*env;
		const char	*bad;
	} cases[] = {
		{ __LINE__, "MAIL_SMTP_URL=", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=mail.example.com:587", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=http://mail.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=SMTP://mail.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp:mail.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtps://", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp:///path", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://user:pw@mail.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://user@mail.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://mail.example.com?x=1", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://mail.example.com#f", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://mail example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://mail.example.com\r\n", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://mail.example.com:99999", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_SMTP_URL=smtp://ma\xc3\xafl.example.com", "MAIL_SMTP_URL" },
		{ __LINE__, "MAIL_FROM=", "MAIL_FROM" },
		{ __LINE__, "MAIL_FROM=nobody", "MAIL_FROM" },
		{ __LINE__, "MAIL_FROM=Accounts <a@example.com>", "MAIL_FROM" },
		{ __LINE__, "MAIL_FROM=a@example.com\r\nBcc: x@evil.example", "MAIL_FROM" },
		{ __LINE__, "MAIL_FROM=a@example.com\n", "MAIL_FROM" },
		{ __LINE__, "MAIL_FROM=a@example.com,b@example.com", "MAIL_FROM" },
		{ __LINE__, "MAIL_SMTP_USER=", "MAIL_SMTP_USER" },
		{ __LINE__, "MAIL_SMTP_PASSWORD=", "MAIL_SMTP_PASSWORD" },
		{ __LINE__, long_password, "MAIL_SMTP_PASSWORD" },
		{ __LINE__, "MAIL_SMTP_STARTTLS=yes", "MAIL_SMTP_STARTTLS" },
		{ __LINE__, "MAIL_SMTP_STARTTLS=", "MAIL_SMTP_STARTTLS" },
		{ __LINE__, "MAIL_SMTP_STARTTLS=1", "MAIL_SMTP_STARTTLS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=0", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=61", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=-1", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=10s", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_TIMEOUT_SECONDS=99999999999999999999", "MAIL_TIMEOUT_SECONDS" },
		{ __LINE__, "MAIL_OUTBOX_FILE=", "MAIL_OUTBOX_FILE" },
		{ __LINE__, "PUBLIC_BASE_URL=", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=example.com", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=127.0.0.1:8080", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=ftp://example.com", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=javascript:alert(1)", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=HTTPS://example.com", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=http://", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https:///x", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://u:p@example.com", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/?a=1", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/#f", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/a b", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/<x>", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/\"", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://example.com/\r\nX: y", "PUBLIC_BASE_URL" },
		{ __LINE__, "PUBLIC_BASE_URL=https://ex\xc3\xa4mple.com", "PUBLIC_BASE_URL" },
		{ __LINE__, long_base, "PUBLIC_BASE_URL" },
		{ __LINE__, "MAIL_RESET_PATH=", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/reset-password", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=reset?token={token}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=https://evil.example/{token}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={token}&u={token}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={tok}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={TOKEN}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={token} ", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={token}\r\nBcc: x@y.z", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t=<{token}>", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={{token}}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r%zz?t={token}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r?t={token}%", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_RESET_PATH=/r\xc3\xa9?t={token}", "MAIL_RESET_PATH" },
		{ __LINE__, "MAIL_VERIFY_PATH=/verify", "MAIL_VERIFY_PATH" },
		{ __LINE__, "MAIL_VERIFY_PATH=verify/{token}", "MAIL_VERIFY_PATH" },
		{ __LINE__, "MAIL_VERIFY_PATH=/v|{token}", "MAIL_VERIFY_PATH" },
	};
	struct config	 c;
	char		*envp[3], why[256];
	const char	*bad;
	size_t		 i;
	enum config_err	 e;

	(void)state;
	snprintf(long_password, sizeof(long_password), "MAIL_SMTP_PASSWORD=");
	memset(long_password + 19, 'p', 1025);
	snprintf(long_base, sizeof(long_base), "PUBLIC_BASE_URL=https://e.com/");
	memset(long_base + 30, 'a', sizeof(long_base) - 31);
	envp[0] = (char *)SECRET32;
	envp[2] = NULL;
	for (i = 0; i < NCASES(good); i++) {
		envp[1] = (char *)good[i];
		e = config_load(&c, envp, &bad, why, sizeof(why));
		if (e != CONFIG_OK)
			print_error("%s: %s %s\n", good[i], bad ? bad : "", why);
		CHECK_INT(__LINE__, e, CONFIG_OK);
		config_free(&c);
	}
	for (i = 0; i < NCASES(cases); i++) {
		envp[1] = (char *)cases[i].env;
		bad = NULL;
		e = config_load(&c, envp, &bad, why, sizeof(why));
		CHECK_INT(cases[i].line, e, CONFIG_EINVALID);
		CHECK_STR(cases[i].line, bad, cases[i].bad);
		CHECK(cases[i].line, why[0] != '\0');
		/* The reason never repeats the value. */
		CHECK(cases[i].line, strlen(strchr(cases[i].env, '=') + 1) < 3 ||
		    strstr(why, strchr(cases[i].env, '=') + 1) == NULL);
		config_free(&c);
	}
	DONE();
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_mail.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_refusals),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_send_refuses_injection),
		cmocka_unit_test(test_outbox),
		cmocka_unit_test(test_outbox_refusals),
		cmocka_unit_test(test_detached_outbox),
		cmocka_unit_test(test_detached_refusals),
		cmocka_unit_test(test_not_configured),
		cmocka_unit_test(test_requires_tls),
		cmocka_unit_test(test_settings_defaults),
		cmocka_unit_test(test_settings_invalid),
	};

	log_init("test_mail");
	log_set_level(LOG_LEVEL_CRITICAL);	/* the refusals log errors */
	if (pthread_atfork(NULL, count_fork, NULL) != 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
