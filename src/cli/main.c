/*
 * fcgi-users: the admin tool of a deployment.  It reads the same settings
 * as the FastCGI programs (config.h) and works on the same SQLite
 * database.  Commands are rows of cli_cmds[], so a new one is a function
 * and a line: migrate, user (user.c), keys (keys.c), token (token.c),
 * import (import.c), version, help; the
 * machinery they share is cli.c.  Output goes to stdout, errors to
 * stderr; the exit status is 0, 1 on failure, 2 on bad usage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

#define CLI_VERSION_MAX		9999			/* NNNN_name.sql */

enum cli_cmd_id {
	CLI_CMD_MIGRATE,
	CLI_CMD_USER,
	CLI_CMD_KEYS,
	CLI_CMD_TOKEN,
	CLI_CMD_IMPORT,
	CLI_CMD_VERSION,
	CLI_CMD_HELP,
	CLI_CMD__MAX
};

static int	cmd_migrate(struct cli *, int, char *[]);
static int	cmd_version(struct cli *, int, char *[]);
static int	cmd_help(struct cli *, int, char *[]);

static const struct cli_cmd cli_cmds[CLI_CMD__MAX] = {
	[CLI_CMD_MIGRATE] = { "migrate", cmd_migrate,
	    "[status | up [VERSION] | down N]",
	    "list, apply (default) or revert schema migrations",
	    "status lists every migration this build knows and when it was\n"
	    "applied; up applies the pending ones (up to VERSION); down reverts\n"
	    "the N newest.  up creates the database file when it is missing.",
	    NULL },
	[CLI_CMD_USER] = { "user", user_main,
	    "create | list | set | delete ...",
	    "manage user accounts", NULL, NULL },
	[CLI_CMD_KEYS] = { "keys", keys_main, "generate ...",
	    "make JWT signing keys", NULL, NULL },
	[CLI_CMD_TOKEN] = { "token", token_main, "mint ...",
	    "mint a token for a user (scripts, MCP clients)", NULL, NULL },
	[CLI_CMD_IMPORT] = { "import", import_main, "fastapi-users|sqlite ...",
	    "bring users over from a FastAPI-Users or fcgi-users SQLite database",
	    NULL, NULL },
	[CLI_CMD_VERSION] = { "version", cmd_version, "",
	    "print the version", NULL, NULL },
	[CLI_CMD_HELP] = { "help", cmd_help, "[COMMAND [SUBCOMMAND]]",
	    "print this help, or that of a command", NULL, NULL },
};

/* The migrate operations: argument, its bounds, how the file is opened. */
enum migrate_op_id {
	MIGRATE_OP_STATUS,
	MIGRATE_OP_UP,
	MIGRATE_OP_DOWN,
	MIGRATE_OP__MAX
};

struct migrate_op {
	const char	*name;
	const char	*arg;		/* NULL: takes no argument */
	int		 arg_required;
	int		 open_flags;	/* db_open flags */
};

static const struct migrate_op migrate_ops[MIGRATE_OP__MAX] = {
	[MIGRATE_OP_STATUS] = { "status", NULL, 0, 0 },
	[MIGRATE_OP_UP] = { "up", "VERSION", 0, DB_OPEN_CREATE },
	[MIGRATE_OP_DOWN] = { "down", "N", 1, 0 },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: %s [--database PATH] COMMAND [ARGS]\n"
	    "       %s --version | --help\n\ncommands:\n", CLI_PROG, CLI_PROG);
	cli_list(out, cli_cmds, CLI_CMD__MAX);
	fprintf(out, "\nThe database is --database PATH, else DATABASE_URL"
	    " (a path or\nsqlite:/// URL, from the environment or"
	    " FCGI_USERS_ENV_FILE),\nelse %s.  Commands other than migrate"
	    " refuse a database\nwhose schema is behind this build.\n"
	    "Run `%s COMMAND --help` for a command's options.\n",
	    CLI_DATABASE_DEFAULT, CLI_PROG);
}

/* A bounded migration number or count. */
static int
cli_number(const char *what, const char *s, int min, int *out)
{
	int64_t	 v;

	if (config_strtonum(s, min, CLI_VERSION_MAX, &v) != 0) {
		fprintf(stderr, "%s: migrate: %s must be a number from %d to %d,"
		    " not \"%s\"\n", CLI_PROG, what, min, CLI_VERSION_MAX, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * The operation and its argument; -1 to go on, else the exit status
 * (--help anywhere prints the help).
 */
static int
migrate_parse(int argc, char *argv[], const struct migrate_op **opp, int *arg)
{
	const struct migrate_op *op = &migrate_ops[MIGRATE_OP_UP];
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_cmd_help(stdout, NULL, &cli_cmds[CLI_CMD_MIGRATE]);
			return CLI_EXIT_OK;
		}
	if (argc > 1 && argv[1][0] == '-') {
		cli_err("migrate", "unknown option \"%.*s\"",
		    (int)strcspn(argv[1], "="), argv[1]);
		cli_cmd_usage(NULL, &cli_cmds[CLI_CMD_MIGRATE]);
		return CLI_EXIT_USAGE;
	}
	if (argc > 1) {
		for (op = NULL, i = 0; i < MIGRATE_OP__MAX; i++)
			if (strcmp(argv[1], migrate_ops[i].name) == 0)
				op = &migrate_ops[i];
		if (op == NULL) {
			cli_err("migrate", "unknown operation \"%s\"", argv[1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (argc > 3 || (argc == 3 && op->arg == NULL) ||
	    (argc < 3 && op->arg_required)) {
		fprintf(stderr, "usage: %s migrate %s%s%s\n", CLI_PROG, op->name,
		    op->arg != NULL ? " " : "", op->arg != NULL ? op->arg : "");
		return CLI_EXIT_USAGE;
	}
	*arg = 0;
	if (argc == 3 && cli_number(op->arg, argv[2], 1, arg) == -1)
		return CLI_EXIT_USAGE;
	if (op == &migrate_ops[MIGRATE_OP_UP] && *arg > migrate_latest()) {
		cli_err("migrate", "no migration %04d in this build (the latest"
		    " is %04d)", *arg, migrate_latest());
		return CLI_EXIT_USAGE;
	}
	*opp = op;
	return -1;
}

/* fcgi-users migrate [status | up [VERSION] | down N] */
static int
cmd_migrate(struct cli *c, int argc, char *argv[])
{
	const struct migrate_op *op = NULL;
	struct db	*db = NULL;
	enum db_err	 e = DB_OK;
	int		 arg = 0, current, ret;

	if ((ret = migrate_parse(argc, argv, &op, &arg)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	if (cli_db_open(c, op->open_flags, &db) == -1)
		goto out;
	if ((e = migrate_current(db, &current)) != DB_OK)
		goto fail;
	/* A newer schema: status still lists it (and says so); nothing else runs. */
	if (current > migrate_latest()) {
		if (op == &migrate_ops[MIGRATE_OP_STATUS])
			(void)migrate_status(db, stdout);
		else
			fprintf(stderr, "%s: %s is at schema version %04d, newer"
			    " than the %04d this build knows: upgrade %s\n",
			    CLI_PROG, c->db_label, current, migrate_latest(),
			    CLI_PROG);
		goto out;
	}
	if (op == &migrate_ops[MIGRATE_OP_STATUS])
		e = migrate_status(db, stdout);
	else if (op == &migrate_ops[MIGRATE_OP_UP])
		e = migrate_up(db, arg, stdout);
	else
		e = migrate_down(db, arg, stdout);
	if (e == DB_OK) {
		ret = CLI_EXIT_OK;
		goto out;
	}
fail:
	(void)fflush(stdout);
	fprintf(stderr, "%s: migrate %s: %s: %s\n", CLI_PROG, op->name,
	    c->db_label, db_strerror(e));
out:
	db_close(db);
	return ret;
}

static int
cmd_version(struct cli *c, int argc, char *argv[])
{
	(void)c;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		cli_cmd_help(stdout, NULL, &cli_cmds[CLI_CMD_VERSION]);
		return CLI_EXIT_OK;
	}
	if (argc > 1) {
		cli_cmd_usage(NULL, &cli_cmds[CLI_CMD_VERSION]);
		return CLI_EXIT_USAGE;
	}
	printf("%s %s\n", CLI_PROG, FCGI_USERS_VERSION);
	return CLI_EXIT_OK;
}

/* fcgi-users help [COMMAND [SUBCOMMAND]]: that command's --help. */
static int
cmd_help(struct cli *c, int argc, char *argv[])
{
	char	*args[4];
	size_t	 i;

	if (argc < 2 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return argc <= 3 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	for (i = 0; i < CLI_CMD__MAX; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			break;
	if (i == CLI_CMD__MAX || argc > 3) {
		cli_err("help", i == CLI_CMD__MAX ? "unknown command \"%s\"" :
		    "too many arguments after \"%s\"", argv[1]);
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	args[0] = argv[1];
	args[1] = argc == 3 ? argv[2] : (char *)"--help";
	args[2] = argc == 3 ? (char *)"--help" : NULL;
	args[3] = NULL;
	return cli_cmds[i].fn(c, argc == 3 ? 3 : 2, args);
}

int
main(int argc, char *argv[])
{
	struct cli	 c;
	const char	*opt;
	size_t		 i;
	int		 ret = CLI_EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	log_init(CLI_PROG);
	/* As the programs (app.c): past a file-size limit a write fails with
	 * EFBIG and the command says so, rather than dying of SIGXFSZ. */
	(void)signal(SIGXFSZ, SIG_IGN);
	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		opt = argv[0];
		if (strcmp(opt, "--version") == 0 || strcmp(opt, "-V") == 0)
			return cmd_version(&c, 1, argv);
		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
			return cmd_help(&c, 1, argv);
		if (strcmp(opt, "--database") == 0) {
			if (argc < 2) {
				fprintf(stderr, "%s: --database needs a path\n",
				    CLI_PROG);
				goto out;
			}
			c.database = argv[1];
			argc--, argv++;
		} else if (strncmp(opt, "--database=", 11) == 0)
			c.database = opt + 11;
		else if (strcmp(opt, "--") == 0) {
			argc--, argv++;
			break;
		} else {
			/* Not what follows '=', which may be a secret. */
			cli_err(NULL, "unknown option \"%.*s\"",
			    (int)strcspn(opt, "="), opt);
			usage(stderr);
			goto out;
		}
		if (*c.database == '\0') {
			fprintf(stderr, "%s: --database needs a path\n", CLI_PROG);
			goto out;
		}
	}
	if (argc == 0) {
		usage(stderr);
		goto out;
	}
	for (i = 0; i < CLI_CMD__MAX; i++)
		if (strcmp(argv[0], cli_cmds[i].name) == 0)
			break;
	if (i == CLI_CMD__MAX) {
		fprintf(stderr, "%s: unknown command \"%s\"\n", CLI_PROG, argv[0]);
		usage(stderr);
		goto out;
	}
	ret = cli_cmds[i].fn(&c, argc, argv);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_err(NULL, "standard output: write error");
		ret = CLI_EXIT_FAIL;
	}
out:
	free(c.db_path);
	if (c.cfg_state != 0)
		config_free(&c.cfg);
	return ret;
}
