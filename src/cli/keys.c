/*
 * keys: `fcgi-users keys generate` — a fresh signing key pair for
 * JWT_ALGORITHM RS256, ES256 or EdDSA (jwt_key_generate(): RSA 2048, P-256,
 * Ed25519).  With --out DIR it writes DIR/jwt-private.pem (mode 0600) and
 * DIR/jwt-public.pem (0644), never over an existing file, and prints the
 * kid (the RFC 7638 thumbprint the JWKS will show) and the settings to
 * use as env-file lines, so the output can be appended to the env file.
 * Without --out both PEMs go to stdout, private first, and the kid to
 * stderr.  The private PEM is written with write(2), not through a stdio
 * buffer, and wiped from memory after use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "jwt.h"

enum keys_cmd_id {
	KEYS_CMD_GENERATE,
	KEYS_CMD__MAX
};

enum gen_opt_id {
	GEN_OPT_ALG,
	GEN_OPT_OUT,
	GEN_OPT__MAX
};

enum key_file {
	KEY_FILE_PRIVATE,
	KEY_FILE_PUBLIC,
	KEY_FILE__MAX
};

static const struct {
	const char	*name;
	const char	*setting;
	mode_t		 mode;
} key_files[KEY_FILE__MAX] = {
	[KEY_FILE_PRIVATE] = { "jwt-private.pem", "JWT_PRIVATE_KEY_FILE", 0600 },
	[KEY_FILE_PUBLIC] = { "jwt-public.pem", "JWT_PUBLIC_KEY_FILE", 0644 },
};

static const struct cli_opt gen_opts[GEN_OPT__MAX + 1] = {
	[GEN_OPT_ALG] = { "alg", "ALG", "RS256 (RSA 2048), ES256 (P-256) or"
	    " EdDSA (Ed25519); required" },
	[GEN_OPT_OUT] = { "out", "DIR", "write jwt-private.pem and"
	    " jwt-public.pem there (never over existing files)" },
};

static int	keys_generate(struct cli *, int, char *[]);

static const struct cli_cmd keys_cmds[KEYS_CMD__MAX] = {
	[KEYS_CMD_GENERATE] = { "generate", keys_generate,
	    "--alg RS256|ES256|EdDSA [--out DIR]",
	    "make a signing key pair for JWT_ALGORITHM",
	    "With --out, prints the kid as a comment and the settings lines\n"
	    "(JWT_ALGORITHM, JWT_PRIVATE_KEY_FILE, JWT_PUBLIC_KEY_FILE) to add\n"
	    "to the env file; without it, prints the private then the public\n"
	    "PEM to stdout, and the kid to stderr.  HS256/384/512 use\n"
	    "JWT_SECRET instead, not a key pair.", gen_opts },
};

struct gen_args {
	enum jwt_alg	 alg;
	const char	*out;		/* NULL: stdout */
};

int
keys_main(struct cli *c, int argc, char *argv[])
{
	return cli_dispatch(c, "keys", keys_cmds, KEYS_CMD__MAX, argc, argv);
}

/* Parses the options of generate; -1 to go on, else the exit status. */
static int
gen_parse(int argc, char *argv[], struct gen_args *a)
{
	const struct cli_cmd	*cmd = &keys_cmds[KEYS_CMD_GENERATE];
	struct cli_getopt	 g;
	const char		*alg = NULL;
	int			 opt;

	a->out = NULL;
	cli_getopt_init(&g, "keys", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0)
		if (opt == GEN_OPT_ALG)
			alg = g.arg;
		else
			a->out = g.arg;
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (alg == NULL || optind < argc || (a->out != NULL && *a->out == '\0')) {
		cli_err("keys generate", alg == NULL ? "--alg is required" :
		    optind < argc ? "unexpected argument" : "--out needs a folder");
		cli_cmd_usage("keys", cmd);
		return CLI_EXIT_USAGE;
	}
	a->alg = jwt_alg_parse(alg);
	if (a->alg == JWT_ALG__MAX || a->alg <= JWT_HS512) {
		cli_err("keys generate", a->alg == JWT_ALG__MAX ?
		    "unknown algorithm \"%s\" (RS256, ES256 or EdDSA)" :
		    "%s signs with JWT_SECRET, not a key pair (RS256, ES256 or"
		    " EdDSA)", alg);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* Writes all of (buf, len) to fd; 0, or -1 with errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Creates DIR/jwt-private.pem and DIR/jwt-public.pem (O_EXCL, no symbolic
 * link followed) with their modes and PEM text.  0, or -1 after printing
 * why; then no file of ours is left behind.
 */
static int
keys_write(const char *dir, char *const pem[KEY_FILE__MAX])
{
	int	 dfd, fd[KEY_FILE__MAX] = { -1, -1 }, made[KEY_FILE__MAX] = { 0, 0 };
	int	 ret = -1;
	size_t	 i;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		cli_err("keys generate", "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < KEY_FILE__MAX; i++) {
		fd[i] = openat(dfd, key_files[i].name, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, key_files[i].mode);
		if (fd[i] == -1) {
			cli_err("keys generate", errno == EEXIST ? "%s/%s exists:"
			    " refusing to overwrite it" : "%s/%s: %s", dir,
			    key_files[i].name, strerror(errno));
			goto out;
		}
		made[i] = 1;
	}
	for (i = 0; i < KEY_FILE__MAX; i++) {
		/* The umask may have narrowed the public key's mode. */
		if (fchmod(fd[i], key_files[i].mode) == -1 ||
		    write_all(fd[i], pem[i], strlen(pem[i])) == -1 ||
		    fsync(fd[i]) == -1 || close(fd[i]) == -1) {
			cli_err("keys generate", "%s/%s: %s", dir,
			    key_files[i].name, strerror(errno));
			fd[i] = -1;
			goto out;
		}
		fd[i] = -1;
	}
	ret = 0;
out:
	for (i = 0; i < KEY_FILE__MAX; i++) {
		if (fd[i] != -1)
			(void)close(fd[i]);
		if (ret != 0 && made[i])
			(void)unlinkat(dfd, key_files[i].name, 0);
	}
	(void)close(dfd);
	return ret;
}

/* One env-file line NAME=VALUE[/FILE]; in double quotes unless plain. */
static void
keys_setting(const char *name, const char *value, const char *file)
{
	const char	*p;
	char		 path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s%s%s", value, file != NULL ? "/" : "",
	    file != NULL ? file : "");
	if (path[strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/._-+,@:%=~")] == '\0') {
		printf("%s=%s\n", name, path);
		return;
	}
	/* config_parse_env: double quotes take \n, \" and \\ escapes. */
	printf("%s=\"", name);
	for (p = path; *p != '\0'; p++)
		if (*p == '\n')
			fputs("\\n", stdout);
		else
			printf("%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
	printf("\"\n");
}

/* Prints the kid and the settings for keys written to dir. */
static void
keys_settings(const char *dir, enum jwt_alg alg, const char *kid)
{
	char	*abs;
	size_t	 i;

	abs = realpath(dir, NULL);
	printf("# kid: %s\n", kid);
	keys_setting("JWT_ALGORITHM", jwt_alg_name(alg), NULL);
	for (i = 0; i < KEY_FILE__MAX; i++)
		keys_setting(key_files[i].setting, abs != NULL ? abs : dir,
		    key_files[i].name);
	free(abs);
}

/* fcgi-users keys generate --alg ALG [--out DIR] */
static int
keys_generate(struct cli *c, int argc, char *argv[])
{
	struct gen_args	 a;
	struct jwt_key	*k = NULL;
	char		*pem[KEY_FILE__MAX] = { NULL, NULL };
	int		 ret;

	(void)c;
	if ((ret = gen_parse(argc, argv, &a)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	if ((k = jwt_key_generate(a.alg)) == NULL ||
	    (pem[KEY_FILE_PRIVATE] = jwt_key_pem_private(k)) == NULL ||
	    (pem[KEY_FILE_PUBLIC] = jwt_key_pem_public(k)) == NULL) {
		cli_err("keys generate", "cannot make a %s key pair",
		    jwt_alg_name(a.alg));
		goto out;
	}
	if (a.out != NULL) {
		if (keys_write(a.out, pem) == -1)
			goto out;
		keys_settings(a.out, a.alg, jwt_key_kid(k));
	} else {
		(void)fflush(stdout);
		if (write_all(STDOUT_FILENO, pem[KEY_FILE_PRIVATE],
		    strlen(pem[KEY_FILE_PRIVATE])) == -1 ||
		    write_all(STDOUT_FILENO, pem[KEY_FILE_PUBLIC],
		    strlen(pem[KEY_FILE_PUBLIC])) == -1) {
			cli_err("keys generate", "standard output: %s",
			    strerror(errno));
			goto out;
		}
		fprintf(stderr, "kid: %s\n", jwt_key_kid(k));
	}
	ret = CLI_EXIT_OK;
out:
	if (pem[KEY_FILE_PRIVATE] != NULL)
		OPENSSL_cleanse(pem[KEY_FILE_PRIVATE], strlen(pem[KEY_FILE_PRIVATE]));
	free(pem[KEY_FILE_PRIVATE]);
	free(pem[KEY_FILE_PUBLIC]);
	jwt_key_free(k);
	return ret;
}
