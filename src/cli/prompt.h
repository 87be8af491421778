/*
 * prompt: reading a new password for the admin tool.  From a terminal it
 * is asked for twice with echo off (termios); otherwise standard input
 * holds it, one line whose trailing newline (and a CR before it) is
 * dropped.  Input is read with read(2) a byte at a time into a fixed
 * buffer, so no stdio buffer keeps a copy; the caller wipes the result.
 */
#ifndef FCGI_USERS_PROMPT_H
#define FCGI_USERS_PROMPT_H

#include <stddef.h>

#include "password.h"

enum prompt_err {
	PROMPT_OK,
	PROMPT_EEMPTY,		/* end of input before any byte */
	PROMPT_ETOOLONG,	/* over PASSWORD_MAX_BYTES bytes */
	PROMPT_ENUL,		/* a NUL byte in it */
	PROMPT_EMISMATCH,	/* the two entries at the terminal differ */
	PROMPT_EIO,		/* reading or the terminal failed */
	PROMPT__MAX
};

struct prompt_secret {
	char	 buf[PASSWORD_MAX_BYTES + 2];	/* NUL-terminated on PROMPT_OK */
	size_t	 len;
};

const char	*prompt_strerror(enum prompt_err);
/*
 * Reads a password into *s (see above); the prompts go to stderr.  On
 * failure s holds nothing.  The caller calls prompt_wipe() either way.
 */
enum prompt_err	 prompt_password(struct prompt_secret *s);
void		 prompt_wipe(struct prompt_secret *s);

#endif
