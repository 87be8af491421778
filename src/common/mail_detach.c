/*
 * mail_detach: mail_send_detached() (see mail.h), how the web programs
 * send without waiting for SMTP and without mapping libcurl: checks in
 * the caller, then a double fork, and mail_send() in the grandchild,
 * which init reaps.  Apart from mail.c because it is about processes,
 * descriptors and signals, not about messages.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "mail.h"
#include "mail_int.h"

/* Seconds the sender may outlive 2 × MAIL_TIMEOUT_SECONDS (see sender_run). */
#define SENDER_GRACE_SECONDS	10

/*
 * Signals the web program or the web server may have given a handler
 * (a stop flag for the accept loop, a reload): meaningless in the sender,
 * which takes the default action instead, so that a SIGTERM ends it.
 */
static const int sender_default_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD,
};

/*
 * The sender, a grandchild of the web program that is no longer its
 * child: sends msg with mail_send(), which logs the outcome, and leaves
 * with _exit(), never exit(): no atexit handler, no flush of stdio
 * buffers copied from the parent, no close of its SQLite connection or
 * FastCGI state, all of which belong to the parent.  Never returns.
 */
static void __attribute__((__noreturn__))
sender_run(const struct config *cfg, const struct mail_msg *msg)
{
	struct sigaction	 sa;
	sigset_t		 none;
	size_t			 i;
	unsigned int		 limit;
	int			 fd;
	char			 why[MAIL_WHY_MAX];

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof(sender_default_signals) /
	    sizeof(sender_default_signals[0]); i++)
		(void)sigaction(sender_default_signals[i], &sa, NULL);
	/* A closed peer or error log is an error to report, not a death. */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	/*
	 * Nothing of the parent's stays open but stderr (the web server's
	 * error log): not the request's connection, which must close when
	 * the parent answers, nor its database.  fd 0 of a FastCGI program
	 * is the listening socket, fd 1 of a CGI program the response: both
	 * become /dev/null, so that neither stays held and no socket of ours
	 * lands on 0 or 1.  closefrom(3) is close_range(2), or glibc's walk
	 * of /proc/self/fd where the kernel lacks it.
	 */
	closefrom(3);
	if ((fd = open("/dev/null", O_RDWR)) == -1 || dup2(fd, 0) == -1 ||
	    dup2(fd, 1) == -1) {
		snprintf(why, sizeof(why), "/dev/null: %s", strerror(errno));
		mail_log_outcome(msg, "smtp", MAIL_ESEND, why);
		_exit(1);
	}
	if (fd > 2)
		close(fd);

	/*
	 * mail_send() is bounded by about 2 × MAIL_TIMEOUT_SECONDS (the
	 * transaction, then the reply to QUIT); the alarm bounds the process
	 * should libcurl overstay, as it once did (mail_smtp.c,
	 * drop_connection).  XXX a sender killed by it leaves no log line.
	 */
	limit = 2U * (unsigned int)cfg->mail_timeout_seconds + SENDER_GRACE_SECONDS;
	alarm(limit);
	_exit(mail_send(cfg, msg) == MAIL_OK ? 0 : 1);
}

/*
 * Starts sender_run() in a grandchild: the child forks it and exits at
 * once, and is reaped here, so that the sender, orphaned, is reparented
 * to init (or the nearest subreaper), which reaps it: no zombie, no
 * SIGCHLD for the parent to handle.  MAIL_OK once the sender is forked,
 * else MAIL_ESEND with the reason in why.
 */
static enum mail_err
sender_start(const struct config *cfg, const struct mail_msg *msg,
    char *why, size_t whylen)
{
	pid_t	 pid, w;
	int	 status = 0;

	if ((pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return MAIL_ESEND;
	}
	if (pid == 0) {
		/* The child: its exit status is the errno of a failed fork. */
		switch (fork()) {
		case -1:
			_exit(errno > 0 && errno < 256 ? errno : 255);
		case 0:
			sender_run(cfg, msg);
		default:
			_exit(0);
		}
	}
	do
		w = waitpid(pid, &status, 0);
	while (w == -1 && errno == EINTR);
	if (w == -1) {
		/*
		 * ECHILD: SIGCHLD is ignored, so the kernel reaped the child
		 * and its status is lost.  XXX taken as started; none of our
		 * programs ignores SIGCHLD.
		 */
		if (errno == ECHILD)
			return MAIL_OK;
		snprintf(why, whylen, "waitpid: %s", strerror(errno));
		return MAIL_ESEND;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return MAIL_OK;
	if (WIFEXITED(status))
		snprintf(why, whylen, "fork: %s", strerror(WEXITSTATUS(status)));
	else
		snprintf(why, whylen, "the forking child died of signal %d",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return MAIL_ESEND;
}

enum mail_err
mail_send_detached(const struct config *cfg, const struct mail_msg *msg)
{
	char		*text = NULL, why[MAIL_WHY_MAX];
	size_t		 len = 0;
	enum mail_err	 ret;

	if (cfg == NULL || msg == NULL)
		return MAIL_EINVALID;
	/* A local append, done here: the line is written when we return. */
	if (cfg->mail_outbox_file != NULL)
		return mail_send(cfg, msg);
	if (cfg->mail_smtp_url == NULL)
		return MAIL_ENOTCONFIGURED;
	why[0] = '\0';
	/*
	 * What the sender would refuse is refused here, synchronously, and
	 * logged as mail_send() would: the message must format, and the URL
	 * parse.  The text is wiped and freed before the fork, so that no
	 * process holds a copy it does not need.
	 */
	if ((text = malloc(MAIL_MSG_MAX)) == NULL) {
		ret = MAIL_ENOMEM;
		goto out;
	}
	ret = mail_format(cfg, msg, (int64_t)time(NULL), text, MAIL_MSG_MAX, &len);
	OPENSSL_cleanse(text, MAIL_MSG_MAX);
	free(text);
	if (ret != MAIL_OK)
		goto out;
	if (mail_smtp_requires_tls(cfg) == -1) {
		snprintf(why, sizeof(why), "MAIL_SMTP_URL does not parse");
		ret = MAIL_EINVALID;
		goto out;
	}
	ret = sender_start(cfg, msg, why, sizeof(why));
out:
	if (ret != MAIL_OK)
		mail_log_outcome(msg, "smtp", ret, why);
	return ret;
}
