/*
 * fileperm: refuses the files of a deployment that other users may read
 * or write.  The database holds password hashes and token ids; the env
 * file JWT_SECRET; the private key files sign tokens.  Any local user who
 * can read one of them can mint tokens or take accounts, and one who can
 * write the env file or a key file (public ones included) can replace the
 * keys that tokens are checked with.  So a program refuses to work with
 * such a file, and says which file and how to fix it (chmod o-rwx).
 * Owner and group are left to the administrator (the web server's group
 * often needs to read).
 */
#ifndef FCGI_USERS_FILEPERM_H
#define FCGI_USERS_FILEPERM_H

#include <stddef.h>
#include <sys/types.h>

/* What others (the world) must not do with a file; or'ed. */
#define FILEPERM_NO_READ	0x1
#define FILEPERM_NO_WRITE	0x2
#define FILEPERM_PRIVATE	(FILEPERM_NO_READ | FILEPERM_NO_WRITE)

enum fileperm_err {
	FILEPERM_OK,
	FILEPERM_EUNSAFE,	/* others may read or write it */
	FILEPERM_ESTAT,		/* it cannot be examined (missing is OK) */
	FILEPERM__MAX
};

/*
 * Checks a file's st_mode against `flags`.  On FILEPERM_EUNSAFE, `why`
 * (len bytes) says what others may do and the fix, naming `path`:
 * "/x/fcgi-users.db is readable by other users (mode 0644): run chmod
 * o-rwx /x/fcgi-users.db".
 */
enum fileperm_err	 fileperm_check_mode(mode_t mode, int flags, const char *path,
			    char *why, size_t len);
/*
 * fileperm_check_mode() on the file at `path` (stat(2), links followed).
 * A file that does not exist is FILEPERM_OK (it is created later, under
 * the umask fileperm_umask() sets); another stat failure is
 * FILEPERM_ESTAT with the reason in `why`.
 */
enum fileperm_err	 fileperm_check_path(const char *path, int flags, char *why,
			    size_t len);
/*
 * The database and the files SQLite keeps beside it (-wal, -journal: they
 * hold its pages), FILEPERM_PRIVATE.  The first unsafe one is reported.
 * A postgresql:// locator names no local file: FILEPERM_OK.
 */
enum fileperm_err	 fileperm_check_db(const char *path, char *why, size_t len);
/* Adds "others: nothing" to the process's umask, so that what it creates
 * next (database, WAL, outbox) is not open to other users; returns the
 * umask it had, for umask(2) to restore. */
mode_t			 fileperm_umask(void);
const char		*fileperm_strerror(enum fileperm_err);

#endif
