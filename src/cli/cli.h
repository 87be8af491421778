/*
 * cli: what the commands of the admin tool share (cli.c).  A command is a
 * row of a struct cli_cmd table: its function, synopsis, help and option
 * table; commands with subcommands (user, keys) dispatch through a table
 * of their own with cli_dispatch().  Options are parsed with getopt_long
 * from a fresh optind per (sub)command (cli_getopt_*), so `--help`, an
 * unknown option or a missing argument behave the same everywhere.
 * Exit status: 0, 1 on failure, 2 on bad usage (unknown command or option,
 * missing or extra argument, a value outside its choices).
 */
#ifndef FCGI_USERS_CLI_H
#define FCGI_USERS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "config.h"

struct db;
struct password_params;

#define CLI_PROG		"fcgi-users"
#define CLI_DATABASE_DEFAULT	"./fastapi_users.db"	/* DATABASE_URL's default */
#define CLI_OPTS_MAX		16	/* options of one (sub)command, --help aside */

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,
	CLI_EXIT_USAGE = 2,
};

/* What every command may need; filled lazily. */
struct cli {
	const char	*database;	/* --database PATH, or NULL */
	char		*db_path;	/* resolved by cli_db_open() */
	char		 db_label[256];	/* db_path for messages (db_label()) */
	int		 busy_ms;
	int		 cfg_state;	/* 0: not loaded yet, 1: loaded, -1: failed,
				   -2: refused (a file open to other users) */
	struct config	 cfg;
	const char	*cfg_bad;	/* the setting at fault when it failed */
	char		 cfg_why[1024];
};

struct cli_opt {
	const char	*name;		/* long name, without "--" */
	const char	*arg;		/* the argument's name in the help; NULL: a flag */
	const char	*help;
};

struct cli_cmd {
	const char		*name;
	int			(*fn)(struct cli *, int argc, char *argv[]);
	const char		*args;	/* synopsis after the name */
	const char		*help;	/* one line */
	const char		*about;	/* more, for its --help; may be NULL */
	const struct cli_opt	*opts;	/* ends with a NULL name; NULL: none */
};

/* fn of the top-level table (user.c, keys.c, token.c, import.c): argv[0]
 * is the command. */
int		 user_main(struct cli *, int argc, char *argv[]);
int		 keys_main(struct cli *, int argc, char *argv[]);
int		 token_main(struct cli *, int argc, char *argv[]);
int		 import_main(struct cli *, int argc, char *argv[]);

struct arena;
struct user;
/*
 * The user with e-mail `email` (normalised when it is a valid address,
 * else as given; the lookup ignores case) into u, its strings in the
 * arena (user.c).  0, or -1 after printing why.
 */
int		 user_lookup(struct db *, struct arena *, const char *where,
		    const char *email, struct user *u);
/* `import gazetteer FILE ...` (gazetteer.c): argv[0] is the subcommand. */
int		 import_gazetteer(struct cli *, int argc, char *argv[]);
/* `import sqlite PATH` (import_sqlite.c), and its command row for --help. */
int		 import_sqlite(struct cli *, int argc, char *argv[]);
extern const struct cli_cmd import_sqlite_cmd;

/* "fcgi-users: where: message\n" on stderr. */
void		 cli_err(const char *where, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Writes all of (buf, len) to fd with write(2), past no stdio buffer (for
 * secrets: keys, tokens); 0, or -1 with errno. */
int		 cli_write(int fd, const char *buf, size_t len);
/* The commands of a table, two lines each (synopsis, help). */
void		 cli_list(FILE *, const struct cli_cmd *, size_t n);
/* The --help of one command; prefix is its group ("user") or NULL. */
void		 cli_cmd_help(FILE *, const char *prefix, const struct cli_cmd *);
/* After a usage error: the command's synopsis and where its help is, on stderr. */
void		 cli_cmd_usage(const char *prefix, const struct cli_cmd *);
/*
 * Runs the subcommand argv[1] of group `name` from cmds (n rows) with
 * argv shifted by one.  No subcommand: the group's usage on stderr, 2;
 * "--help", "-h" or "help": on stdout, 0; an unknown one: 2.
 */
int		 cli_dispatch(struct cli *, const char *name,
		    const struct cli_cmd *cmds, size_t n, int argc, char *argv[]);

struct cli_getopt {
	const char		*prefix;
	const struct cli_cmd	*cmd;
	struct option		 longopts[CLI_OPTS_MAX + 2];
	const char		*arg;	/* the argument of the option just returned */
};

#define CLI_OPT_END	(-1)	/* no more options: optind is the first operand */
#define CLI_OPT_HELP	(-2)	/* --help: the usage went to stdout */
#define CLI_OPT_USAGE	(-3)	/* bad option: the error and usage went to stderr */

/* Prepares parsing the options of cmd (from a fresh optind). */
void		 cli_getopt_init(struct cli_getopt *, const char *prefix,
		    const struct cli_cmd *);
/* The index in cmd->opts of the next option, or a CLI_OPT_* value. */
int		 cli_getopt_next(struct cli_getopt *, int argc, char *argv[]);
/* CLI_EXIT_OK for CLI_OPT_HELP, else CLI_EXIT_USAGE. */
int		 cli_getopt_exit(int opt);

/*
 * The settings (config_load), loaded once; NULL when they cannot load,
 * with c->cfg_bad and c->cfg_why saying why.
 */
const struct config *cli_config(struct cli *);
/* The Argon2 parameters of the settings; pwdlib's defaults (with a note on
 * stderr) when the settings cannot load. */
void		 cli_password_params(struct cli *, struct password_params *);
/* Opens the database (see main.c's usage); prints why not.  0 or -1. */
int		 cli_db_open(struct cli *, int flags, struct db **);
/*
 * Opens the database for a command other than migrate: it must exist and
 * its schema must not be behind this build.  0, or -1 after printing why
 * (*db is then NULL).  Close with db_close().
 */
int		 cli_db_ready(struct cli *, const char *where, struct db **);

#endif
