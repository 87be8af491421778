/*
 * harness_apache: what the harness does for Apache (apache/test-httpd.conf
 * with mod_fcgid) that it does not do for lighttpd.  mod_fcgid gives a
 * FastCGI program none of Apache's environment but PATH and
 * LD_LIBRARY_PATH, so the programs' environment is written out as
 * FcgidInitialEnv lines in <data>/fcgid-env.conf, which the configuration
 * includes (settings too long for that, PEM keys, in an env file); the
 * empty document root <data>/htdocs is made, or for harness_opts.htaccess
 * a shared host's document root; and the binary and module folder are
 * found (FU_APACHE, FU_APACHE_MODULES, else what CMake found).
 */
#include "harness.h"
#include "harness_int.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FU_SOURCE_DIR
#error "FU_SOURCE_DIR must be defined"
#endif
#ifndef FU_BINARY_DIR
#error "FU_BINARY_DIR must be defined"
#endif
#ifndef FU_APACHE
#define FU_APACHE "/usr/sbin/apache2"
#endif
#ifndef FU_APACHE_MODULES
#define FU_APACHE_MODULES "/usr/lib/apache2/modules"
#endif

/*
 * mod_fcgid's limits on FcgidInitialEnv (fcgid_conf.h: INITENV_CNT,
 * INITENV_KEY_LEN, INITENV_VAL_LEN, each with its NUL): past them it
 * drops variables or cuts values without a word, so the harness refuses.
 */
#define FCGID_ENV_MAX		64
#define FCGID_ENV_NAME_MAX	63
#define FCGID_ENV_VALUE_MAX	127

/* Not passed with FcgidInitialEnv: mod_fcgid passes Apache's own. */
static const char *const inherited[] = { "PATH", "LD_LIBRARY_PATH", NULL };

const char *
harness_apache_path(void)
{
	const char *p = getenv("FU_APACHE");

	return p != NULL && *p != '\0' ? p : FU_APACHE;
}

static const char *
modules_dir(void)
{
	const char *p = getenv("FU_APACHE_MODULES");

	return p != NULL && *p != '\0' ? p : FU_APACHE_MODULES;
}

int
harness_apache_check(int cgi)
{
	char path[4096];

	if (access(harness_apache_path(), X_OK) != 0) {
		harness_say("Apache not found at %s (set FU_APACHE)", harness_apache_path());
		return -1;
	}
	snprintf(path, sizeof(path), "%s/mod_fcgid.so", modules_dir());
	if (access(path, R_OK) != 0) {
		harness_say("mod_fcgid not found at %s (set FU_APACHE_MODULES)", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/mod_cgi.so", modules_dir());
	if (cgi && access(path, R_OK) != 0) {
		harness_say("mod_cgi not found at %s (set FU_APACHE_MODULES)", path);
		return -1;
	}
	return 0;
}

/*
 * Whether a value can be one FcgidInitialEnv argument as it is: Apache
 * reads the line after expanding "${...}", a double-quoted word ends at
 * the next '"' and takes '\' escapes, and a line ends at a newline.
 */
static int
value_fits(const char *v)
{
	return strlen(v) <= FCGID_ENV_VALUE_MAX && strpbrk(v, "\"\\$\r\n") == NULL;
}

FILE *
harness_open_private(const char *path)
{
	FILE *f;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		harness_say("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	return f;
}

void
harness_put_env_line(FILE *f, const char *name, size_t nlen, const char *v)
{
	fprintf(f, "%.*s=\"", (int)nlen, name);
	for (; *v != '\0'; v++) {
		if (*v == '\n')
			fputs("\\n", f);
		else if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else
			fputc(*v, f);
	}
	fputs("\"\n", f);
}

int
harness_close_checked(FILE *f, const char *path)
{
	int bad = fflush(f) != 0 || ferror(f);

	if (fclose(f) != 0 || bad) {
		harness_say("%s: cannot write it", path);
		return -1;
	}
	return 0;
}

/*
 * Writes <data>/fcgid-env.conf from h->env: a FcgidInitialEnv line per
 * variable, except those mod_fcgid passes itself.  A value that
 * FcgidInitialEnv cannot carry (a PEM key: longer than 127 bytes, or with
 * a newline) goes into <data>/fcgid-overflow.env instead, which the
 * programs read through FCGI_USERS_ENV_FILE; only settings are read from
 * an env file, so only settings may be that long, and not when the test
 * names an env file of its own.  0, or -1 after saying why; the message
 * names a variable, never its value (it may be a secret).
 */
static int
write_env_conf(struct harness *h)
{
	char *path = NULL, *over_path = NULL;
	FILE *f = NULL, *over = NULL;
	const char *own_file = NULL;
	size_t n = 0;
	int ret = -1;

	if ((path = harness_asprintf("%s/fcgid-env.conf", h->tmpdir)) == NULL ||
	    (over_path = harness_asprintf("%s/fcgid-overflow.env", h->tmpdir)) == NULL ||
	    (f = harness_open_private(path)) == NULL)
		goto out;
	fputs("# The programs' environment, written by the test harness.\n", f);
	for (size_t i = 0; i < h->env.n; i++) {
		const char *e = h->env.v[i], *eq = strchr(e, '=');
		size_t klen = (size_t)(eq - e), k;

		for (k = 0; inherited[k] != NULL; k++)
			if (strlen(inherited[k]) == klen && strncmp(e, inherited[k], klen) == 0)
				break;
		if (inherited[k] != NULL)
			continue;
		if (klen == strlen("FCGI_USERS_ENV_FILE") &&
		    strncmp(e, "FCGI_USERS_ENV_FILE", klen) == 0)
			own_file = e;
		if (klen > FCGID_ENV_NAME_MAX) {
			harness_say("%.*s: too long a name for FcgidInitialEnv", (int)klen, e);
			goto out;
		}
		if (!value_fits(eq + 1)) {
			if (over == NULL && (over = harness_open_private(over_path)) == NULL)
				goto out;
			harness_put_env_line(over, e, klen, eq + 1);
			continue;
		}
		if (++n > FCGID_ENV_MAX - 1) {
			harness_say("more than %d variables for mod_fcgid's FcgidInitialEnv",
			    FCGID_ENV_MAX - 1);
			goto out;
		}
		fprintf(f, "FcgidInitialEnv %.*s \"%s\"\n", (int)klen, e, eq + 1);
	}
	if (over != NULL) {
		if (own_file != NULL) {
			harness_say("a setting is too long for FcgidInitialEnv, and the test "
			    "names its own env file: use a *_FILE setting");
			goto out;
		}
		if (harness_close_checked(over, over_path) == -1) {
			over = NULL;
			goto out;
		}
		over = NULL;
		fprintf(f, "FcgidInitialEnv FCGI_USERS_ENV_FILE \"%s\"\n", over_path);
	}
	ret = harness_close_checked(f, path);
	f = NULL;
out:
	if (over != NULL)
		fclose(over);
	if (f != NULL)
		fclose(f);
	free(over_path);
	free(path);
	return ret;
}

/* Copies the file `from` to `to` (made with `mode`); 0, or -1 after saying why. */
static int
copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n = 0;
	int in = -1, out = -1, ret = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) == -1) {
		harness_say("copy %s to %s: %s", from, to, strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n < 0)
		harness_say("copy %s to %s: %s", from, to, strerror(errno));
	else
		ret = 0;
out:
	if (in != -1)
		close(in);
	if (out != -1 && close(out) == -1)
		ret = -1;
	return ret;
}

/*
 * The shared host's document root (harness_opts.htaccess):
 * <data>/public_html with apache/htaccess as .htaccess, cgi-bin/ with
 * copies of the programs (copies: a program finds its env file from its
 * own folder, links resolved), and fcgi-users-data/fcgi-users.env with
 * every variable of the programs' environment (the programs take the
 * settings and ignore the rest).
 */
static int
make_docroot(struct harness *h)
{
	static const char *const programs[] = {
		"auth.fcgi", "users.fcgi", "geocoding.fcgi", "mcp.fcgi", NULL
	};
	char *root = NULL, *from = NULL, *to = NULL;
	FILE *f = NULL;
	int ret = -1;

	if ((root = harness_asprintf("%s/public_html", h->tmpdir)) == NULL ||
	    (to = harness_asprintf("%s/cgi-bin", root)) == NULL)
		goto out;
	if ((mkdir(root, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(to, 0755) == -1 && errno != EEXIST)) {
		harness_say("%s: %s", to, strerror(errno));
		goto out;
	}
	for (size_t i = 0; programs[i] != NULL; i++) {
		free(from);
		free(to);
		to = NULL;
		if ((from = harness_asprintf("%s/cgi-bin/%s", FU_BINARY_DIR,
		    programs[i])) == NULL ||
		    (to = harness_asprintf("%s/cgi-bin/%s", root, programs[i])) == NULL ||
		    copy_file(from, to, 0755) == -1)
			goto out;
	}
	free(from);
	free(to);
	to = NULL;
	if ((from = harness_asprintf("%s/apache/htaccess", FU_SOURCE_DIR)) == NULL ||
	    (to = harness_asprintf("%s/.htaccess", root)) == NULL ||
	    copy_file(from, to, 0644) == -1)
		goto out;
	free(to);
	if ((to = harness_asprintf("%s/fcgi-users-data", root)) == NULL)
		goto out;
	if (mkdir(to, 0700) == -1 && errno != EEXIST) {
		harness_say("%s: %s", to, strerror(errno));
		goto out;
	}
	free(to);
	if ((to = harness_asprintf("%s/fcgi-users-data/fcgi-users.env", root)) == NULL ||
	    (f = harness_open_private(to)) == NULL)
		goto out;
	for (size_t i = 0; i < h->env.n; i++) {
		const char *eq = strchr(h->env.v[i], '=');

		harness_put_env_line(f, h->env.v[i], (size_t)(eq - h->env.v[i]), eq + 1);
	}
	ret = harness_close_checked(f, to);
out:
	free(root);
	free(from);
	free(to);
	return ret;
}

int
harness_apache_prepare(struct harness *h)
{
	char *docroot;
	int ret = -1;

	if (h->htaccess)
		return make_docroot(h);
	if ((docroot = harness_asprintf("%s/htdocs", h->tmpdir)) == NULL)
		return -1;
	if (mkdir(docroot, 0700) == -1 && errno != EEXIST)
		harness_say("%s: %s", docroot, strerror(errno));
	else if (h->server == SERVER_APACHE_CGI ? harness_apache_cgi_env(h) == 0 :
	    write_env_conf(h) == 0)
		ret = 0;
	free(docroot);
	return ret;
}

const char *
harness_apache_modules(void)
{
	return modules_dir();
}
