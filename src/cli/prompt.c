/*
 * prompt: reading a new password for the admin tool (see prompt.h).  While
 * echo is off, the usual terminating signals first put the terminal back
 * as it was, then end the program as they would have.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "prompt.h"

#define PROMPT_FIRST	"New password: "
#define PROMPT_AGAIN	"Repeat the password: "
#define STR(x)		STR1(x)
#define STR1(x)		#x

static const char *const prompt_errs[PROMPT__MAX] = {
	[PROMPT_OK] = "ok",
	[PROMPT_EEMPTY] = "no password on standard input",
	[PROMPT_ETOOLONG] = "the password is longer than " STR(PASSWORD_MAX_BYTES) " bytes",
	[PROMPT_ENUL] = "the password contains a NUL byte",
	[PROMPT_EMISMATCH] = "the passwords do not match",
	[PROMPT_EIO] = "cannot read the password",
};

static const int prompt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define PROMPT_NSIGNALS	(sizeof(prompt_signals) / sizeof(prompt_signals[0]))

static struct termios		 prompt_saved;
static volatile sig_atomic_t	 prompt_quiet;	/* echo is off */

const char *
prompt_strerror(enum prompt_err e)
{
	return e < PROMPT__MAX ? prompt_errs[e] : "unknown error";
}

void
prompt_wipe(struct prompt_secret *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* A signal while echo is off: restore the terminal, then die of it. */
static void
prompt_restore(int sig)
{
	if (prompt_quiet)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_saved);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);	/* delivered when the handler returns */
}

/*
 * One line of standard input into s: up to a newline or the end of
 * input; a CR before the newline is dropped.  On failure s is wiped.
 */
static enum prompt_err
read_line(struct prompt_secret *s)
{
	enum prompt_err	 ret = PROMPT_OK;
	ssize_t		 n;
	char		 ch = '\0';
	int		 any = 0;

	s->len = 0;
	for (;;) {
		if ((n = read(STDIN_FILENO, &ch, 1)) == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == -1)
				ret = PROMPT_EIO;
			else if (!any)
				ret = PROMPT_EEMPTY;
			break;
		}
		any = 1;
		if (ch == '\n')
			break;
		/* One byte more than the maximum, for a CR before the newline. */
		if (s->len == PASSWORD_MAX_BYTES + 1) {
			ret = PROMPT_ETOOLONG;
			break;
		}
		s->buf[s->len++] = ch;
	}
	OPENSSL_cleanse(&ch, sizeof(ch));
	if (ret == PROMPT_OK && s->len > 0 && s->buf[s->len - 1] == '\r')
		s->len--;
	if (ret == PROMPT_OK && s->len > PASSWORD_MAX_BYTES)
		ret = PROMPT_ETOOLONG;
	if (ret == PROMPT_OK && memchr(s->buf, '\0', s->len) != NULL)
		ret = PROMPT_ENUL;
	if (ret != PROMPT_OK)
		prompt_wipe(s);
	else
		s->buf[s->len] = '\0';
	return ret;
}

/* Prompts on stderr and reads one line from the terminal with echo off. */
static enum prompt_err
read_tty(const char *prompt, struct prompt_secret *s)
{
	struct sigaction	 sa, old[PROMPT_NSIGNALS];
	struct termios		 quiet;
	enum prompt_err		 ret = PROMPT_EIO;
	size_t			 i;

	if (tcgetattr(STDIN_FILENO, &prompt_saved) == -1)
		return PROMPT_EIO;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = prompt_restore;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PROMPT_NSIGNALS; i++)
		(void)sigaction(prompt_signals[i], &sa, &old[i]);
	quiet = prompt_saved;
	quiet.c_lflag &= ~(ECHO | ECHONL);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1)
		goto out;
	prompt_quiet = 1;
	/* Echo is off before the prompt shows. */
	fputs(prompt, stderr);
	(void)fflush(stderr);
	if ((ret = read_line(s)) == PROMPT_ETOOLONG)
		(void)tcflush(STDIN_FILENO, TCIFLUSH);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_saved);
	prompt_quiet = 0;
	fputc('\n', stderr);
out:
	for (i = 0; i < PROMPT_NSIGNALS; i++)
		(void)sigaction(prompt_signals[i], &old[i], NULL);
	return ret;
}

enum prompt_err
prompt_password(struct prompt_secret *s)
{
	struct prompt_secret	 again;
	enum prompt_err		 ret;

	s->len = 0;
	if (!isatty(STDIN_FILENO))
		return read_line(s);
	if ((ret = read_tty(PROMPT_FIRST, s)) != PROMPT_OK)
		return ret;
	if ((ret = read_tty(PROMPT_AGAIN, &again)) == PROMPT_OK &&
	    (again.len != s->len ||
	    CRYPTO_memcmp(again.buf, s->buf, s->len) != 0))
		ret = PROMPT_EMISMATCH;
	prompt_wipe(&again);
	if (ret != PROMPT_OK)
		prompt_wipe(s);
	return ret;
}
