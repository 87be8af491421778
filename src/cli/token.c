/*
 * token: `fcgi-users token mint --email E [--mcp] [--minutes N]` — a token
 * for one user, for scripts and for the configuration of MCP clients: an
 * access token as POST /auth/jwt/login gives it (tokens_issue, carrying
 * the user's token generation, so a password change revokes it like any
 * other), or with --mcp an MCP token as POST /auth/mcp-token gives it
 * (mcp_tokens_issue).  Both are signed with the deployment's settings and
 * keys, so its programs accept them.  Unknown and inactive users get none.
 * The token alone goes to stdout, through write(2) and wiped afterwards,
 * so `$(fcgi-users token mint ...)` captures exactly it; stderr gets only
 * its expiry, never the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "arena.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "tokens.h"
#include "users.h"

#define TOKEN_ARENA_FIRST	(8 * 1024)
#define TOKEN_MINUTES_MAX	525600		/* a year */

enum token_cmd_id {
	TOKEN_CMD_MINT,
	TOKEN_CMD__MAX
};

enum mint_opt_id {
	MINT_OPT_EMAIL,
	MINT_OPT_MCP,
	MINT_OPT_MINUTES,
	MINT_OPT__MAX
};

static const struct cli_opt mint_opts[MINT_OPT__MAX + 1] = {
	[MINT_OPT_EMAIL] = { "email", "E", "the user's e-mail address, in any"
	    " case (required)" },
	[MINT_OPT_MCP] = { "mcp", NULL, "an MCP token (MCP_JWT_* settings)"
	    " instead of an access token" },
	[MINT_OPT_MINUTES] = { "minutes", "N", "lifetime from 1 to 525600"
	    " minutes (default: JWT_EXPIRE_MINUTES, or MCP_JWT_EXPIRE_MINUTES"
	    " with --mcp)" },
};

static int	token_mint(struct cli *, int, char *[]);

static const struct cli_cmd token_cmds[TOKEN_CMD__MAX] = {
	[TOKEN_CMD_MINT] = { "mint", token_mint,
	    "--email E [--mcp] [--minutes N]",
	    "print a token for the user with e-mail E",
	    "An access token (Authorization: Bearer, as POST /auth/jwt/login\n"
	    "gives) or, with --mcp, an MCP token (as POST /auth/mcp-token\n"
	    "gives), signed with this deployment's settings.  The token alone\n"
	    "goes to stdout, its expiry to stderr.  Refused for unknown and\n"
	    "inactive users.  An access token dies with the user's next\n"
	    "password change; an MCP token lives until it expires.",
	    mint_opts },
};

struct mint_args {
	const char	*email;
	int		 mcp;
	int64_t		 minutes;	/* 0: the configured lifetime */
};

int
token_main(struct cli *c, int argc, char *argv[])
{
	return cli_dispatch(c, "token", token_cmds, TOKEN_CMD__MAX, argc, argv);
}

/* Parses the options of mint; -1 to go on, else the exit status. */
static int
mint_parse(int argc, char *argv[], struct mint_args *a)
{
	const struct cli_cmd	*cmd = &token_cmds[TOKEN_CMD_MINT];
	struct cli_getopt	 g;
	int			 opt;

	memset(a, 0, sizeof(*a));
	cli_getopt_init(&g, "token", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0) {
		switch (opt) {
		case MINT_OPT_EMAIL:
			a->email = g.arg;
			break;
		case MINT_OPT_MCP:
			a->mcp = 1;
			break;
		case MINT_OPT_MINUTES:
			if (config_strtonum(g.arg, 1, TOKEN_MINUTES_MAX,
			    &a->minutes) != 0) {
				cli_err("token mint", "--minutes must be a whole"
				    " number from 1 to %d, not \"%s\"",
				    TOKEN_MINUTES_MAX, g.arg);
				cli_cmd_usage("token", cmd);
				return CLI_EXIT_USAGE;
			}
			break;
		}
	}
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (a->email == NULL || optind < argc) {
		cli_err("token mint", a->email == NULL ? "--email is required" :
		    "unexpected argument");
		cli_cmd_usage("token", cmd);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* An access token for u into *out (malloc'ed); its expiry in *exp. */
static int
mint_access(const struct config *cfg, const struct user *u, int64_t minutes,
    int64_t now, char **out, int64_t *exp)
{
	struct tokens		 t;
	struct access_claims	 ac;
	char			 why[256] = "";
	enum tokens_err		 e;

	if ((e = tokens_init(&t, cfg, why, sizeof(why))) != TOKENS_OK) {
		cli_err("token mint", "the signing key: %s", why[0] != '\0' ? why :
		    tokens_strerror(e));
		return -1;
	}
	if (minutes > 0)
		t.lifetime = minutes * 60;
	e = tokens_issue(&t, u->id, u->token_generation, now, out, &ac);
	tokens_free(&t);
	if (e != TOKENS_OK) {
		cli_err("token mint", "cannot sign the token: %s", tokens_strerror(e));
		return -1;
	}
	*exp = ac.exp;
	return 0;
}

/* An MCP token for u into *out (malloc'ed); its expiry in *exp. */
static int
mint_mcp(const struct config *cfg, const struct user *u, int64_t minutes,
    int64_t now, char **out, int64_t *exp)
{
	struct mcp_tokens	 m;
	struct mcp_claims	 mc;
	char			 why[256] = "";
	enum tokens_err		 e;

	if ((e = mcp_tokens_init(&m, cfg, why, sizeof(why))) != TOKENS_OK) {
		cli_err("token mint", "the MCP signing key: %s", why[0] != '\0' ?
		    why : tokens_strerror(e));
		return -1;
	}
	if (m.sign == NULL) {
		/* m.why names the setting to fix (tokens_mcp.c). */
		cli_err("token mint", "%s", m.why[0] != '\0' ? m.why :
		    "no MCP signing key");
		mcp_tokens_free(&m);
		return -1;
	}
	e = mcp_tokens_issue(&m, u, now, minutes * 60, out, &mc);
	mcp_tokens_free(&m);
	if (e != TOKENS_OK) {
		cli_err("token mint", "cannot sign the MCP token: %s",
		    tokens_strerror(e));
		return -1;
	}
	*exp = mc.exp;
	return 0;
}

/* fcgi-users token mint --email E [--mcp] [--minutes N] */
static int
token_mint(struct cli *c, int argc, char *argv[])
{
	const struct config	*cfg;
	struct mint_args	 a;
	struct arena		*ar = NULL;
	struct db		*db = NULL;
	struct user		 u;
	struct tm		 tm;
	time_t			 t;
	char			*tok = NULL, when[64];
	int64_t			 exp = 0;
	int			 ret;

	if ((ret = mint_parse(argc, argv, &a)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	/* Without the settings there is no key to sign with. */
	if ((cfg = cli_config(c)) == NULL) {
		cli_err("token mint", "settings: %s: %s", c->cfg_bad != NULL ?
		    c->cfg_bad : "?", c->cfg_why);
		goto out;
	}
	if ((ar = arena_new(TOKEN_ARENA_FIRST)) == NULL) {
		/* Out of memory: the command can only give up. */
		cli_err("token mint", "out of memory");
		goto out;
	}
	if (cli_db_ready(c, "token mint", &db) == -1 ||
	    user_lookup(db, ar, "token mint", a.email, &u) == -1)
		goto out;
	if (!u.is_active) {
		cli_err("token mint", "%s is inactive: no token (`%s user set %s"
		    " --active` first)", u.email, CLI_PROG, u.email);
		goto out;
	}
	t = time(NULL);
	if ((a.mcp ? mint_mcp : mint_access)(cfg, &u, a.minutes, (int64_t)t,
	    &tok, &exp) == -1)
		goto out;
	(void)fflush(stdout);
	if (cli_write(STDOUT_FILENO, tok, strlen(tok)) == -1 ||
	    cli_write(STDOUT_FILENO, "\n", 1) == -1) {
		cli_err("token mint", "standard output: write error");
		goto out;
	}
	t = (time_t)exp;
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		fprintf(stderr, "%s: %s token for %s (%s), expires %s\n", CLI_PROG,
		    a.mcp ? "MCP" : "access", u.email, u.id, when);
	ret = CLI_EXIT_OK;
out:
	if (tok != NULL) {
		OPENSSL_cleanse(tok, strlen(tok));
		free(tok);
	}
	db_close(db);
	arena_free(ar);
	return ret;
}
