/*
 * test_mail_smtp: mail_send() over SMTP against a real SMTP server — the
 * aiosmtpd sink of smtp_sink.py (Debian's python3-aiosmtpd), started on a
 * free loopback port for each case.  Delivered messages are checked as the
 * sink saw them: the envelope, the headers, the link with the token, and
 * Python's email parser finding no defect.  Then what must fail, and fail
 * within MAIL_TIMEOUT_SECONDS: a refused recipient, a refused message, a
 * server that hangs after DATA or never greets, nothing listening, wrong
 * credentials, STARTTLS required (MAIL_SMTP_STARTTLS=true) by a server that
 * does not offer it, and smtps:// to a plain server.  No web server: the
 * test calls libcommon directly.  A failed send's log line must name the
 * recipient's domain and hold neither the token nor the link.
 * mail_send_detached() too: the call returns at once — well before a hung
 * server would let mail_send() return — having forked once and reaped
 * that child; the sender is not our child (/proc/self/task/N/children);
 * the message arrives, or the failure is logged, later, by the sender.
 * libcurl is loaded with dlopen (curl_dl.h), here and in the sender.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "log.h"
#include "mail.h"
#include "smtp_sink_util.h"

#define TOKEN		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNtdHA"
#define SECRET32	"JWT_SECRET=0123456789abcdef0123456789abcdef"

static int
teardown(void **state)
{
	(void)state;
	sink_stop(&the_sink);
	return 0;
}

/* Settings from "K=V" entries (NULL-terminated), JWT_SECRET added. */
static void
load(struct config *c, const char *const *env)
{
	char		*envp[16], why[256];
	const char	*bad;
	size_t		 n = 0;
	enum config_err	 e;

	envp[n++] = (char *)SECRET32;
	for (; *env != NULL && n < 15; env++)
		envp[n++] = (char *)*env;
	envp[n] = NULL;
	e = config_load(c, envp, &bad, why, sizeof(why));
	if (e != CONFIG_OK)
		print_error("config_load: %s %s\n", bad ? bad : "", why);
	assert_int_equal(e, CONFIG_OK);
}

/* The settings `extra` plus MAIL_SMTP_URL=<scheme>://127.0.0.1:<port>. */
static void
load_smtp(struct config *c, const char *scheme, int port,
    const char *const *extra)
{
	const char	*env[12];
	char		 url[96];
	size_t		 n = 0;

	snprintf(url, sizeof(url), "MAIL_SMTP_URL=%s://127.0.0.1:%d", scheme, port);
	env[n++] = url;
	env[n++] = "MAIL_FROM=accounts@service.example";
	env[n++] = "PUBLIC_BASE_URL=https://app.example";
	for (; extra != NULL && *extra != NULL && n < 11; extra++)
		env[n++] = *extra;
	env[n] = NULL;
	load(c, env);
}

/*
 * mail_send with the settings `env` plus MAIL_SMTP_URL=<scheme>://127.0.0.1:
 * <port>; returns the error and the milliseconds it took, and in *log (when
 * not NULL) what it wrote on stderr (caller frees).
 */
static enum mail_err
send_to(const char *scheme, int port, const char *const *extra,
    enum mail_kind kind, const char *to, int64_t *took, char **log)
{
	struct config	 c;
	struct mail_msg	 m = { kind, to, TOKEN };
	char		 logpath[] = "/tmp/test_mail_smtp.log.XXXXXX";
	int64_t		 t0;
	int		 fd = -1, saved = -1;
	enum mail_err	 e;

	load_smtp(&c, scheme, port, extra);
	if (log != NULL) {
		fd = mkstemp(logpath);
		assert_true(fd != -1);
		fflush(stderr);
		saved = dup(2);
		dup2(fd, 2);
	}
	t0 = now_ms();
	e = mail_send(&c, &m);
	*took = now_ms() - t0;
	if (log != NULL) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		close(fd);
		*log = slurp(logpath);
		unlink(logpath);
	}
	config_free(&c);
	return e;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The value of header `name` in the sink's parse, or NULL. */
static const char *
header(struct json_object *o, const char *name)
{
	struct json_object	*hs, *h;
	size_t			 i;

	if (!json_object_object_get_ex(o, "headers", &hs))
		return NULL;
	for (i = 0; i < json_object_array_length(hs); i++) {
		h = json_object_array_get_idx(hs, i);
		if (strcasecmp(json_object_get_string(json_object_array_get_idx(h, 0)),
		    name) == 0)
			return json_object_get_string(json_object_array_get_idx(h, 1));
	}
	return NULL;
}

static int
header_count(struct json_object *o)
{
	struct json_object	*hs;

	return json_object_object_get_ex(o, "headers", &hs) ?
	    (int)json_object_array_length(hs) : -1;
}

/* --- delivered ------------------------------------------------------------ */

static void
test_delivers(void **state)
{
	static const struct {
		enum mail_kind	 kind;
		const char	*to, *subject, *link;
	} cases[] = {
		{ MAIL_RESET, "alice@example.com", "Reset your password",
		    "https://app.example/reset-password?token=" TOKEN },
		{ MAIL_VERIFY, "Bob.Jones+tag@mail.example.org", "Verify your e-mail address",
		    "https://app.example/verify?token=" TOKEN },
	};
	struct sink		*s;
	struct json_object	*o, *rcpt, *defects;
	char			 path[128], *raw;
	const char		*v;
	int64_t			 took;
	size_t			 i;

	(void)state;
	s = sink_start("accept", NULL, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(send_to("smtp", s->port, NULL, cases[i].kind,
		    cases[i].to, &took, NULL), MAIL_OK);
		assert_int_equal(sink_count(s), (int)i + 1);
		snprintf(path, sizeof(path), "%s/%zu.json", s->dir, i + 1);
		o = json_object_from_file(path);
		assert_non_null(o);
		/* the envelope */
		assert_string_equal(jstr(o, "mail_from"), "accounts@service.example");
		assert_true(json_object_object_get_ex(o, "rcpt_tos", &rcpt));
		assert_int_equal(json_object_array_length(rcpt), 1);
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(rcpt, 0)), cases[i].to);
		/* the message, as Python's email package reads it */
		assert_true(json_object_object_get_ex(o, "defects", &defects));
		assert_int_equal(json_object_array_length(defects), 0);
		assert_string_equal(header(o, "From"), "accounts@service.example");
		assert_string_equal(header(o, "To"), cases[i].to);
		assert_string_equal(header(o, "Subject"), cases[i].subject);
		assert_string_equal(header(o, "MIME-Version"), "1.0");
		/* Python re-renders it as charset="utf-8"; the bytes are below */
		assert_non_null(v = header(o, "Content-Type"));
		assert_non_null(strstr(v, "text/plain"));
		assert_string_equal(header(o, "Content-Transfer-Encoding"), "8bit");
		assert_string_equal(header(o, "Auto-Submitted"), "auto-generated");
		assert_non_null(v = header(o, "Date"));
		assert_non_null(strstr(v, " +0000"));
		assert_non_null(v = header(o, "Message-ID"));
		assert_non_null(strstr(v, "@service.example>"));
		assert_int_equal(header_count(o), 9);	/* no header smuggled in */
		assert_non_null(v = jstr(o, "body"));
		assert_non_null(strstr(v, cases[i].link));
		json_object_put(o);
		/* CRLF on the wire, and the link alone on its line */
		snprintf(path, sizeof(path), "%s/%zu.eml", s->dir, i + 1);
		assert_non_null(raw = slurp(path));
		assert_non_null(strstr(raw, "\r\n\r\nHello,\r\n"));
		assert_non_null(strstr(raw, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
		assert_null(strstr(raw, "\n\n"));	/* no bare LF */
		assert_non_null(v = strstr(raw, cases[i].link));
		assert_true(v[-2] == '\r' && v[-1] == '\n');
		assert_true(v[strlen(cases[i].link)] == '\r');
		free(raw);
	}
	sink_stop(s);
}

static void
test_auth(void **state)
{
	static const char *const good[] = {
		"MAIL_SMTP_USER=mailer", "MAIL_SMTP_PASSWORD=s3cret pass", NULL
	};
	static const char *const wrong[] = {
		"MAIL_SMTP_USER=mailer", "MAIL_SMTP_PASSWORD=not-it", NULL
	};
	static const char *const none[] = { NULL };
	struct sink		*s;
	struct json_object	*o;
	char			 path[128], *log = NULL;
	int64_t			 took;

	(void)state;
	s = sink_start("auth", "mailer", "s3cret pass");
	assert_int_equal(send_to("smtp", s->port, good, MAIL_RESET, "a@example.com",
	    &took, NULL), MAIL_OK);
	snprintf(path, sizeof(path), "%s/1.json", s->dir);
	assert_non_null(o = json_object_from_file(path));
	assert_string_equal(jstr(o, "login"), "mailer");
	json_object_put(o);
	/* wrong password: refused, and the password is not in the log */
	assert_int_equal(send_to("smtp", s->port, wrong, MAIL_RESET, "a@example.com",
	    &took, &log), MAIL_ESEND);
	assert_non_null(log);
	assert_null(strstr(log, "not-it"));
	free(log);
	/* no credentials where the server requires them */
	assert_int_equal(send_to("smtp", s->port, none, MAIL_RESET, "a@example.com",
	    &took, NULL), MAIL_ESEND);
	assert_int_equal(sink_count(s), 1);
	sink_stop(s);
}

/* --- refused, hung, absent ------------------------------------------------- */

/*
 * One failing case: the mode of the sink (NULL: nothing listening), the
 * scheme, extra settings, and the bounds on how long it may take.
 */
static const char *const timeout2[] = { "MAIL_TIMEOUT_SECONDS=2", NULL };

static void
check_fails(const char *mode, const char *scheme, const char *const *extra,
    int64_t min_ms, int64_t max_ms)
{
	struct sink	*s = NULL;
	struct sockaddr_in sa;
	socklen_t	 salen = sizeof(sa);
	char		*log = NULL;
	int64_t		 took;
	int		 fd, port;

	if (under_valgrind())
		max_ms *= 4;
	if (mode != NULL) {
		s = sink_start(mode, NULL, NULL);
		port = s->port;
	} else {
		/* a port that was free a moment ago and has no listener */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd != -1);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &salen), 0);
		port = ntohs(sa.sin_port);
		close(fd);
	}
	assert_int_equal(send_to(scheme, port, extra, MAIL_RESET,
	    "victim@example.net", &took, &log), MAIL_ESEND);
	print_message("%s:// to %s%s: %s in %lld ms (want %lld..%lld)\n", scheme,
	    mode ? mode : "nothing listening", extra != timeout2 ? " (+settings)" : "",
	    mail_strerror(MAIL_ESEND), (long long)took,
	    (long long)min_ms, (long long)max_ms);
	assert_true(took >= min_ms && took <= max_ms);
	/* logged: kind, domain, reason; never the token, link or local part */
	assert_non_null(log);
	assert_non_null(strstr(log, "mail not sent"));
	assert_non_null(strstr(log, "\"domain\":\"example.net\""));
	assert_non_null(strstr(log, "\"kind\":\"reset\""));
	assert_null(strstr(log, TOKEN));
	assert_null(strstr(log, "token="));
	assert_null(strstr(log, "victim"));
	free(log);
	if (mode != NULL) {
		assert_int_equal(sink_count(s), 0);
		sink_stop(s);
	}
}

static void
test_refuse_rcpt(void **state)
{
	(void)state;
	check_fails("refuse-rcpt", "smtp", timeout2, 0, 1500);
}

static void
test_refuse_data(void **state)
{
	(void)state;
	check_fails("refuse-data", "smtp", timeout2, 0, 1500);
}

static void
test_hang_data(void **state)
{
	(void)state;
	check_fails("hang-data", "smtp", timeout2, 1500, 3000);
}

static void
test_hang_greeting(void **state)
{
	(void)state;
	check_fails("hang-greeting", "smtp", timeout2, 1500, 3000);
}

static void
test_nothing_listening(void **state)
{
	(void)state;
	check_fails(NULL, "smtp", timeout2, 0, 1000);
}

/* The security default holds: STARTTLS required and not offered → no send. */
static void
test_starttls_required(void **state)
{
	static const char *const env[] = {
		"MAIL_TIMEOUT_SECONDS=2", "MAIL_SMTP_STARTTLS=true", NULL
	};

	(void)state;
	check_fails("accept", "smtp", env, 0, 2500);
}

/* Implicit TLS against a plain server fails the handshake; nothing sent. */
static void
test_smtps_to_plain(void **state)
{
	(void)state;
	check_fails("accept", "smtps", timeout2, 0, 3000);
}

/* --- detached ---------------------------------------------------------------- */

/* fork(2)s this process made (a pthread_atfork handler, in the parent). */
static int	 forks;

static void
count_fork(void)
{
	forks++;
}

/*
 * How many children this process has other than `except`, from the
 * kernel's list (/proc/self/task/<tid>/children, the main thread's): a
 * sender still our child, or a zombie not reaped, would be counted.
 */
static int
other_children(pid_t except)
{
	char	 path[64], *text, *p, *end;
	long	 pid;
	int	 n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
	assert_non_null(text = slurp(path));
	for (p = text; ; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid != (long)except)
			n++;
	}
	free(text);
	return n;
}

/*
 * Waits until the file at path holds `needle`; returns its text (caller
 * frees), or NULL when deadline_ms passed first.
 */
static char *
wait_for_log(const char *path, const char *needle, int64_t deadline_ms)
{
	char	*text;
	int64_t	 t0 = now_ms();

	for (;;) {
		if ((text = slurp(path)) != NULL && strstr(text, needle) != NULL)
			return text;
		free(text);
		if (now_ms() - t0 > deadline_ms)
			return NULL;
		sleep_ms(20);
	}
}

/*
 * mail_send_detached to the sink in `mode` with MAIL_TIMEOUT_SECONDS=5,
 * stderr caught in a file that the sender, once forked, keeps writing to.
 * The call must return OK in well under a second, with one fork and its
 * child reaped, the sender not our child; then either the message arrives
 * and "mail sent" is logged (deliver), or, after the server was waited on
 * for the timeout, "mail not sent" is logged without the token, the link
 * or the local part.
 */
static void
check_detached(const char *mode, int deliver)
{
	static const char *const timeout5[] = { "MAIL_TIMEOUT_SECONDS=5", NULL };
	struct config		 c;
	struct mail_msg		 m = { MAIL_RESET, "victim@example.net", TOKEN };
	struct sink		*s;
	struct json_object	*o, *rcpt;
	char			 logpath[] = "/tmp/test_mail_smtp.log.XXXXXX", path[128];
	char			*log;
	int64_t			 t0, took, logged, slow = under_valgrind() ? 4 : 1;
	int			 fd, saved, f0, status;
	enum mail_err		 e;

	s = sink_start(mode, NULL, NULL);
	load_smtp(&c, "smtp", s->port, timeout5);
	fd = mkstemp(logpath);
	assert_true(fd != -1);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	f0 = forks;
	t0 = now_ms();
	e = mail_send_detached(&c, &m);
	took = now_ms() - t0;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	config_free(&c);
	print_message("detached to %s: %s in %lld ms\n", mode, mail_strerror(e),
	    (long long)took);
	assert_int_equal(e, MAIL_OK);
	assert_true(took < 1000 * slow);
	/* one fork, its child reaped; the sender is not our child */
	assert_int_equal(forks - f0, 1);
	assert_int_equal(waitpid(-1, &status, WNOHANG), 0);	/* the sink lives */
	assert_int_equal(other_children(s->pid), 0);
	if (deliver) {
		log = wait_for_log(logpath, "mail sent", 10000 * slow);
		assert_non_null(log);
		assert_int_equal(sink_count(s), 1);
		snprintf(path, sizeof(path), "%s/1.json", s->dir);
		assert_non_null(o = json_object_from_file(path));
		assert_true(json_object_object_get_ex(o, "rcpt_tos", &rcpt));
		assert_string_equal(json_object_get_string(
		    json_object_array_get_idx(rcpt, 0)), "victim@example.net");
		json_object_put(o);
	} else {
		log = wait_for_log(logpath, "mail not sent", 20000 * slow);
		logged = now_ms() - t0;
		assert_non_null(log);
		print_message("  the sender logged its failure after %lld ms\n",
		    (long long)logged);
		/* the sender, not the caller, waited for the hung server */
		assert_true(logged >= 4500);
		assert_int_equal(sink_count(s), 0);
		assert_non_null(strstr(log, "\"via\":\"smtp\""));
		assert_null(strstr(log, "mail sent"));
	}
	assert_non_null(strstr(log, "\"domain\":\"example.net\""));
	assert_non_null(strstr(log, "\"kind\":\"reset\""));
	assert_null(strstr(log, TOKEN));
	assert_null(strstr(log, "token="));
	assert_null(strstr(log, "victim"));
	free(log);
	unlink(logpath);
	/* still no zombie, and no child but the sink */
	assert_int_equal(waitpid(-1, &status, WNOHANG), 0);
	assert_int_equal(other_children(s->pid), 0);
	sink_stop(s);
}

static void
test_detached_delivers(void **state)
{
	(void)state;
	check_detached("accept", 1);
}

static void
test_detached_hang_data(void **state)
{
	(void)state;
	check_detached("hang-data", 0);
}

static void
test_detached_hang_greeting(void **state)
{
	(void)state;
	check_detached("hang-greeting", 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_delivers, teardown),
		cmocka_unit_test_teardown(test_auth, teardown),
		cmocka_unit_test_teardown(test_refuse_rcpt, teardown),
		cmocka_unit_test_teardown(test_refuse_data, teardown),
		cmocka_unit_test_teardown(test_hang_data, teardown),
		cmocka_unit_test_teardown(test_hang_greeting, teardown),
		cmocka_unit_test_teardown(test_nothing_listening, teardown),
		cmocka_unit_test_teardown(test_starttls_required, teardown),
		cmocka_unit_test_teardown(test_smtps_to_plain, teardown),
		cmocka_unit_test_teardown(test_detached_delivers, teardown),
		cmocka_unit_test_teardown(test_detached_hang_data, teardown),
		cmocka_unit_test_teardown(test_detached_hang_greeting, teardown),
	};

	log_init("test_mail_smtp");
	signal(SIGPIPE, SIG_IGN);
	if (pthread_atfork(NULL, count_fork, NULL) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
