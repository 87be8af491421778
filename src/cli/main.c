/*
 * fcgi-users: the admin tool of a deployment.  It reads the same settings
 * as the FastCGI programs (config.h) and works on the same SQLite
 * database.  Commands are rows of cli_cmds[], so a new one is a function
 * and a line; today: migrate, version, help.  Output goes to stdout,
 * errors to stderr; the exit status is 0, 1 on failure, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

#define CLI_PROG		"fcgi-users"
#define CLI_DATABASE_DEFAULT	"./fastapi_users.db"	/* DATABASE_URL's default */
#define CLI_BUSY_MS_DEFAULT	5000			/* DB_BUSY_TIMEOUT_MS's default */
#define CLI_VERSION_MAX		9999			/* NNNN_name.sql */

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,
	CLI_EXIT_USAGE = 2,
};

/* What every command may need; filled lazily. */
struct cli {
	const char	*database;	/* --database PATH, or NULL */
	char		*db_path;	/* resolved by cli_db_path() */
	int		 busy_ms;
};

enum cli_cmd_id {
	CLI_CMD_MIGRATE,
	CLI_CMD_VERSION,
	CLI_CMD_HELP,
	CLI_CMD__MAX
};

struct cli_cmd {
	const char	*name;
	int		(*fn)(struct cli *, int argc, char *argv[]);
	const char	*args;
	const char	*help;
};

static int	cmd_migrate(struct cli *, int, char *[]);
static int	cmd_version(struct cli *, int, char *[]);
static int	cmd_help(struct cli *, int, char *[]);

static const struct cli_cmd cli_cmds[CLI_CMD__MAX] = {
	[CLI_CMD_MIGRATE] = { "migrate", cmd_migrate,
	    "[status | up [VERSION] | down N]",
	    "list, apply (default) or revert schema migrations" },
	[CLI_CMD_VERSION] = { "version", cmd_version, "",
	    "print the version" },
	[CLI_CMD_HELP] = { "help", cmd_help, "",
	    "print this help" },
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
	size_t	 i;

	fprintf(out, "usage: %s [--database PATH] COMMAND [ARGS]\n"
	    "       %s --version | --help\n\ncommands:\n", CLI_PROG, CLI_PROG);
	for (i = 0; i < CLI_CMD__MAX; i++)
		fprintf(out, "  %s%s%s\n\t%s\n", cli_cmds[i].name,
		    cli_cmds[i].args[0] != '\0' ? " " : "", cli_cmds[i].args,
		    cli_cmds[i].help);
	fprintf(out, "\nThe database is --database PATH, else DATABASE_URL"
	    " (a path or\nsqlite:/// URL, from the environment or"
	    " FCGI_USERS_ENV_FILE),\nelse %s.\n", CLI_DATABASE_DEFAULT);
}

/*
 * The SQLite file to work on: --database, else the settings' DATABASE_URL.
 * config_load() also demands JWT_SECRET, which migrate does not need; when
 * it fails, DATABASE_URL is taken from the environment alone.
 * XXX That fallback does not read FCGI_USERS_ENV_FILE: when an env file is
 * named but cannot be loaded, we refuse rather than guess another file.
 */
static int
cli_db_path(struct cli *c)
{
	struct config	 cfg;
	const char	*bad = NULL, *url;
	char		 why[256];
	int		 ret = -1;

	memset(&cfg, 0, sizeof(cfg));
	if (c->db_path != NULL)
		return 0;
	c->busy_ms = CLI_BUSY_MS_DEFAULT;
	if (c->database != NULL) {
		if ((c->db_path = strdup(c->database)) == NULL)
			goto nomem;
		return 0;
	}
	if (config_load(&cfg, NULL, &bad, why, sizeof(why)) == CONFIG_OK) {
		c->busy_ms = (int)cfg.db_busy_timeout_ms;
		if ((c->db_path = strdup(cfg.database_path)) == NULL)
			goto nomem;
		ret = 0;
		goto out;
	}
	if ((url = getenv("DATABASE_URL")) != NULL && *url != '\0') {
		if ((c->db_path = config_sqlite_path(url)) == NULL) {
			fprintf(stderr, "%s: DATABASE_URL is not a SQLite path"
			    " or sqlite:/// URL\n", CLI_PROG);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if ((url = getenv("FCGI_USERS_ENV_FILE")) != NULL && *url != '\0') {
		fprintf(stderr, "%s: settings: %s: %s; give --database PATH or"
		    " DATABASE_URL\n", CLI_PROG, bad != NULL ? bad : "?", why);
		goto out;
	}
	if ((c->db_path = strdup(CLI_DATABASE_DEFAULT)) == NULL)
		goto nomem;
	ret = 0;
	goto out;
nomem:
	fprintf(stderr, "%s: out of memory\n", CLI_PROG);
out:
	config_free(&cfg);
	return ret;
}

/* Opens the database for a command; prints why not. */
static int
cli_db_open(struct cli *c, int flags, struct db **db)
{
	enum db_err	 e;

	*db = NULL;
	if (cli_db_path(c) == -1)
		return -1;
	if ((e = db_open(c->db_path, flags, c->busy_ms, db)) != DB_OK) {
		fprintf(stderr, "%s: %s: %s%s\n", CLI_PROG, c->db_path,
		    db_strerror(e), e == DB_CANTOPEN && !(flags & DB_OPEN_CREATE) ?
		    " (create it with `" CLI_PROG " migrate up`)" : "");
		return -1;
	}
	return 0;
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

/* fcgi-users migrate [status | up [VERSION] | down N] */
static int
cmd_migrate(struct cli *c, int argc, char *argv[])
{
	const struct migrate_op *op = &migrate_ops[MIGRATE_OP_UP];
	struct db	*db = NULL;
	enum db_err	 e = DB_OK;
	size_t		 i;
	int		 arg = 0, current, ret = CLI_EXIT_USAGE;

	if (argc > 1) {
		for (op = NULL, i = 0; i < MIGRATE_OP__MAX; i++)
			if (strcmp(argv[1], migrate_ops[i].name) == 0)
				op = &migrate_ops[i];
		if (op == NULL) {
			fprintf(stderr, "%s: migrate: unknown operation \"%s\"\n",
			    CLI_PROG, argv[1]);
			goto out;
		}
	}
	if (argc > 3 || (argc == 3 && op->arg == NULL) ||
	    (argc < 3 && op->arg_required)) {
		fprintf(stderr, "usage: %s migrate %s%s%s\n", CLI_PROG, op->name,
		    op->arg != NULL ? " " : "", op->arg != NULL ? op->arg : "");
		goto out;
	}
	if (argc == 3 && cli_number(op->arg, argv[2], 1, &arg) == -1)
		goto out;
	if (op == &migrate_ops[MIGRATE_OP_UP] && arg > migrate_latest()) {
		fprintf(stderr, "%s: migrate: no migration %04d in this build"
		    " (the latest is %04d)\n", CLI_PROG, arg, migrate_latest());
		goto out;
	}
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
			    CLI_PROG, c->db_path, current, migrate_latest(),
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
	    c->db_path, db_strerror(e));
out:
	db_close(db);
	return ret;
}

static int
cmd_version(struct cli *c, int argc, char *argv[])
{
	(void)c;
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: %s version\n", CLI_PROG);
		return CLI_EXIT_USAGE;
	}
	printf("%s %s\n", CLI_PROG, FCGI_USERS_VERSION);
	return CLI_EXIT_OK;
}

static int
cmd_help(struct cli *c, int argc, char *argv[])
{
	(void)c;
	(void)argc;
	(void)argv;
	usage(stdout);
	return CLI_EXIT_OK;
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
			fprintf(stderr, "%s: unknown option \"%s\"\n", CLI_PROG, opt);
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
out:
	free(c.db_path);
	return ret;
}
