/*
 * keys: `fcgi-users keys generate` — a fresh signing key pair for
 * JWT_ALGORITHM RS256, ES256 or EdDSA (jwt_key_generate(): RSA 2048, P-256,
 * Ed25519).  With --out DIR it writes DIR/jwt-private.pem (mode 0600) and
 * DIR/jwt-public.pem (0644), never over an existing file, and prints the
 * kid (the RFC 7638 thumbprint the JWKS will show) and the settings to
 * use as env-file lines, so the output can be appended to the env file.
 * Without --out both PEMs go to stdout, private first, and the kid to
 * stderr.  The private PEM is written with write(2), not through a stdio
 * buffer, and wiped from memory after use.  With --mcp the pair is for MCP
 * tokens instead: mcp-private.pem and mcp-public.pem, the MCP_JWT_*
 * settings, and RS256 unless --alg says otherwise (the Python service
 * signs MCP tokens with RS256 only).
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
	GEN_OPT_MCP,
	GEN_OPT__MAX
};

/* Whose key pair: the access tokens' or the MCP tokens'. */
enum key_use {
	KEY_USE_JWT,
	KEY_USE_MCP,
	KEY_USE__MAX
};

enum key_file {
	KEY_FILE_PRIVATE,
	KEY_FILE_PUBLIC,
	KEY_FILE__MAX
};

static const mode_t key_modes[KEY_FILE__MAX] = {
	[KEY_FILE_PRIVATE] = 0600,
	[KEY_FILE_PUBLIC] = 0644,
};

static const struct {
	const char	*alg_setting;
	struct {
		const char	*name;
		const char	*setting;
	} files[KEY_FILE__MAX];
} key_uses[KEY_USE__MAX] = {
	[KEY_USE_JWT] = { "JWT_ALGORITHM", {
		[KEY_FILE_PRIVATE] = { "jwt-private.pem", "JWT_PRIVATE_KEY_FILE" },
		[KEY_FILE_PUBLIC] = { "jwt-public.pem", "JWT_PUBLIC_KEY_FILE" },
	} },
	[KEY_USE_MCP] = { "MCP_JWT_ALGORITHM", {
		[KEY_FILE_PRIVATE] = { "mcp-private.pem", "MCP_JWT_PRIVATE_KEY_FILE" },
		[KEY_FILE_PUBLIC] = { "mcp-public.pem", "MCP_JWT_PUBLIC_KEY_FILE" },
	} },
};

static const struct cli_opt gen_opts[GEN_OPT__MAX + 1] = {
	[GEN_OPT_ALG] = { "alg", "ALG", "RS256 (RSA 2048), ES256 (P-256) or"
	    " EdDSA (Ed25519); required, except with --mcp (RS256)" },
	[GEN_OPT_OUT] = { "out", "DIR", "write jwt-private.pem and"
	    " jwt-public.pem (with --mcp, mcp-*.pem) there, never over existing"
	    " files" },
	[GEN_OPT_MCP] = { "mcp", NULL, "a pair for MCP tokens: mcp-private.pem,"
	    " mcp-public.pem and the MCP_JWT_* settings" },
};

static int	keys_generate(struct cli *, int, char *[]);

static const struct cli_cmd keys_cmds[KEYS_CMD__MAX] = {
	[KEYS_CMD_GENERATE] = { "generate", keys_generate,
	    "--alg RS256|ES256|EdDSA [--out DIR] | --mcp [--alg ALG] [--out DIR]",
	    "make a signing key pair for JWT_ALGORITHM (or MCP tokens)",
	    "With --out, prints the kid as a comment and the settings lines\n"
	    "(JWT_ALGORITHM, JWT_PRIVATE_KEY_FILE, JWT_PUBLIC_KEY_FILE) to add\n"
	    "to the env file; without it, prints the private then the public\n"
	    "PEM to stdout, and the kid to stderr.  HS256/384/512 use\n"
	    "JWT_SECRET instead, not a key pair.  --mcp makes the pair that\n"
	    "signs MCP tokens (/auth/mcp-token, `token mint --mcp`): files\n"
	    "mcp-private.pem and mcp-public.pem, settings MCP_JWT_ALGORITHM,\n"
	    "MCP_JWT_PRIVATE_KEY_FILE and MCP_JWT_PUBLIC_KEY_FILE, RS256 by\n"
	    "default as the Python service.", gen_opts },
};

struct gen_args {
	enum jwt_alg	 alg;
	const char	*out;		/* NULL: stdout */
	enum key_use	 use;
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
	a->use = KEY_USE_JWT;
	cli_getopt_init(&g, "keys", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0)
		if (opt == GEN_OPT_ALG)
			alg = g.arg;
		else if (opt == GEN_OPT_OUT)
			a->out = g.arg;
		else
			a->use = KEY_USE_MCP;
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (alg == NULL && a->use == KEY_USE_MCP)
		alg = "RS256";
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

/*
 * Creates DIR/jwt-private.pem and DIR/jwt-public.pem (or the MCP pair;
 * O_EXCL, no symbolic link followed) with their modes and PEM text.  0, or
 * -1 after printing why; then no file of ours is left behind.
 */
static int
keys_write(const char *dir, enum key_use use, char *const pem[KEY_FILE__MAX])
{
	int	 dfd, fd[KEY_FILE__MAX] = { -1, -1 }, made[KEY_FILE__MAX] = { 0, 0 };
	int	 ret = -1;
	size_t	 i;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		cli_err("keys generate", "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < KEY_FILE__MAX; i++) {
		fd[i] = openat(dfd, key_uses[use].files[i].name, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, key_modes[i]);
		if (fd[i] == -1) {
			cli_err("keys generate", errno == EEXIST ? "%s/%s exists:"
			    " refusing to overwrite it" : "%s/%s: %s", dir,
			    key_uses[use].files[i].name, strerror(errno));
			goto out;
		}
		made[i] = 1;
	}
	for (i = 0; i < KEY_FILE__MAX; i++) {
		/* The umask may have narrowed the public key's mode. */
		if (fchmod(fd[i], key_modes[i]) == -1 ||
		    cli_write(fd[i], pem[i], strlen(pem[i])) == -1 ||
		    fsync(fd[i]) == -1 || close(fd[i]) == -1) {
			cli_err("keys generate", "%s/%s: %s", dir,
			    key_uses[use].files[i].name, strerror(errno));
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
			(void)unlinkat(dfd, key_uses[use].files[i].name, 0);
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
keys_settings(const char *dir, enum key_use use, enum jwt_alg alg,
    const char *kid)
{
	char	*abs;
	size_t	 i;

	abs = realpath(dir, NULL);
	printf("# kid: %s\n", kid);
	keys_setting(key_uses[use].alg_setting, jwt_alg_name(alg), NULL);
	for (i = 0; i < KEY_FILE__MAX; i++)
		keys_setting(key_uses[use].files[i].setting, abs != NULL ? abs :
		    dir, key_uses[use].files[i].name);
	free(abs);
}

/* fcgi-users keys generate [--mcp] --alg ALG [--out DIR] */
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
		if (keys_write(a.out, a.use, pem) == -1)
			goto out;
		keys_settings(a.out, a.use, a.alg, jwt_key_kid(k));
	} else {
		(void)fflush(stdout);
		if (cli_write(STDOUT_FILENO, pem[KEY_FILE_PRIVATE],
		    strlen(pem[KEY_FILE_PRIVATE])) == -1 ||
		    cli_write(STDOUT_FILENO, pem[KEY_FILE_PUBLIC],
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
