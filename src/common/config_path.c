/*
 * config_path: where a program finds its env file when nothing names one.
 * On shared hosting a program's environment often cannot be set at all
 * (no FcgidInitialEnv, no SetEnv that reaches a FastCGI process), so when
 * FCGI_USERS_ENV_FILE is absent from the environment, config_load() reads
 * CONFIG_DEFAULT_ENV_FILE relative to the folder of the running
 * executable: with the programs in ~/cgi-bin (or public_html/cgi-bin)
 * that is ~/fcgi-users-data/fcgi-users.env (or
 * public_html/fcgi-users-data/…, which the shipped .htaccess denies), the
 * folder that also holds the database and the keys.  The executable is
 * /proc/self/exe, symbolic links resolved, so a program linked into
 * cgi-bin from an install finds the install's data folder.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int
config_default_env_file(const char *exe, char *buf, size_t len)
{
	char		 self[PATH_MAX];
	const char	*slash;
	ssize_t		 n;
	int		 w;

	if (exe == NULL) {
		/* readlink(2) does not terminate, and cuts silently. */
		if ((n = readlink("/proc/self/exe", self, sizeof(self))) <= 0 ||
		    (size_t)n >= sizeof(self))
			return -1;
		self[n] = '\0';
		exe = self;
	}
	if (exe[0] != '/' || (slash = strrchr(exe, '/')) == NULL)
		return -1;
	w = snprintf(buf, len, "%.*s/%s", (int)(slash - exe), exe,
	    CONFIG_DEFAULT_ENV_FILE);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
