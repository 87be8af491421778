/*
 * fileperm: the mode checks of fileperm.h.  Only the "other" bits are
 * looked at: who owns the file, and what its group may do, is the
 * administrator's choice (Debian's www-data group reads the env file).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "fileperm.h"

static const char *const fileperm_errs[FILEPERM__MAX] = {
	[FILEPERM_OK] = "ok",
	[FILEPERM_EUNSAFE] = "file open to other users",
	[FILEPERM_ESTAT] = "cannot examine the file",
};

/* The files SQLite writes beside a database, holding its pages. */
static const char *const db_companions[] = { "", "-wal", "-journal", NULL };

const char *
fileperm_strerror(enum fileperm_err e)
{
	return e < FILEPERM__MAX ? fileperm_errs[e] : "unknown error";
}

enum fileperm_err
fileperm_check_mode(mode_t mode, int flags, const char *path, char *why,
    size_t len)
{
	const char	*what;
	int		 r, w;

	r = (flags & FILEPERM_NO_READ) && (mode & S_IROTH);
	w = (flags & FILEPERM_NO_WRITE) && (mode & S_IWOTH);
	if (!r && !w)
		return FILEPERM_OK;
	what = r && w ? "readable and writable" : r ? "readable" : "writable";
	snprintf(why, len, "%s is %s by other users (mode %04o): run chmod o-rwx %s",
	    path, what, (unsigned)(mode & 07777), path);
	return FILEPERM_EUNSAFE;
}

enum fileperm_err
fileperm_check_path(const char *path, int flags, char *why, size_t len)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return FILEPERM_OK;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return FILEPERM_ESTAT;
	}
	return fileperm_check_mode(st.st_mode, flags, path, why, len);
}

enum fileperm_err
fileperm_check_db(const char *path, char *why, size_t len)
{
	char			 p[4096];
	enum fileperm_err	 e;
	size_t			 i;
	int			 n;

	if (!db_locator_is_file(path))
		return FILEPERM_OK;	/* a PostgreSQL server's, no file here */
	for (i = 0; db_companions[i] != NULL; i++) {
		n = snprintf(p, sizeof(p), "%s%s", path, db_companions[i]);
		if (n < 0 || (size_t)n >= sizeof(p)) {
			snprintf(why, len, "database path too long");
			return FILEPERM_ESTAT;
		}
		if ((e = fileperm_check_path(p, FILEPERM_PRIVATE, why, len)) !=
		    FILEPERM_OK)
			return e;
	}
	return FILEPERM_OK;
}

mode_t
fileperm_umask(void)
{
	mode_t	 old = umask(0);

	(void)umask(old | S_IRWXO);
	return old;
}
