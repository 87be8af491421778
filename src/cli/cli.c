/*
 * cli: the machinery the admin tool's commands share (see cli.h) — usage
 * text from the command tables, subcommand dispatch, option parsing, the
 * settings, the Argon2 parameters and opening the database.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "cli.h"
#include "db.h"
#include "fileperm.h"
#include "migrate.h"
#include "password.h"

#define CLI_BUSY_MS_DEFAULT	5000			/* DB_BUSY_TIMEOUT_MS's default */
#define CLI_OPT_BASE		256	/* getopt vals of table options start here */

void
cli_err(const char *where, const char *fmt, ...)
{
	va_list	 ap;

	(void)fflush(stdout);
	fprintf(stderr, "%s: ", CLI_PROG);
	if (where != NULL)
		fprintf(stderr, "%s: ", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_write(int fd, const char *buf, size_t len)
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

/* --- usage ---------------------------------------------------------------- */

void
cli_list(FILE *out, const struct cli_cmd *cmds, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fprintf(out, "  %s%s%s\n\t%s\n", cmds[i].name,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args,
		    cmds[i].help);
}

void
cli_cmd_help(FILE *out, const char *prefix, const struct cli_cmd *cmd)
{
	const struct cli_opt	*o;

	fprintf(out, "usage: %s %s%s%s%s%s\n\n%s.\n", CLI_PROG,
	    prefix != NULL ? prefix : "", prefix != NULL ? " " : "", cmd->name,
	    cmd->args[0] != '\0' ? " " : "", cmd->args, cmd->help);
	if (cmd->about != NULL)
		fprintf(out, "\n%s\n", cmd->about);
	fprintf(out, "\noptions:\n");
	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		fprintf(out, "  --%s%s%s\n\t%s\n", o->name, o->arg != NULL ? " " : "",
		    o->arg != NULL ? o->arg : "", o->help);
	fprintf(out, "  -h, --help\n\tprint this help\n");
}

void
cli_cmd_usage(const char *prefix, const struct cli_cmd *cmd)
{
	const char	*p = prefix != NULL ? prefix : "", *sp = prefix != NULL ? " " : "";

	fprintf(stderr, "usage: %s %s%s%s%s%s\nRun `%s %s%s%s --help` for more.\n",
	    CLI_PROG, p, sp, cmd->name, cmd->args[0] != '\0' ? " " : "",
	    cmd->args, CLI_PROG, p, sp, cmd->name);
}

/* The usage of a group of subcommands. */
static void
group_usage(FILE *out, const char *name, const struct cli_cmd *cmds, size_t n)
{
	fprintf(out, "usage: %s %s COMMAND [ARGS]\n\ncommands:\n", CLI_PROG, name);
	cli_list(out, cmds, n);
	fprintf(out, "\nRun `%s %s COMMAND --help` for a command's options.\n",
	    CLI_PROG, name);
}

int
cli_dispatch(struct cli *c, const char *name, const struct cli_cmd *cmds,
    size_t n, int argc, char *argv[])
{
	size_t	 i;

	if (argc < 2) {
		group_usage(stderr, name, cmds, n);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		group_usage(stdout, name, cmds, n);
		return CLI_EXIT_OK;
	}
	for (i = 0; i < n; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(c, argc - 1, argv + 1);
	cli_err(name, "unknown %s \"%.*s\"", argv[1][0] == '-' ? "option" :
	    "command", (int)strcspn(argv[1], "="), argv[1]);
	group_usage(stderr, name, cmds, n);
	return CLI_EXIT_USAGE;
}

/* --- options -------------------------------------------------------------- */

void
cli_getopt_init(struct cli_getopt *g, const char *prefix,
    const struct cli_cmd *cmd)
{
	size_t	 i;

	memset(g, 0, sizeof(*g));
	g->prefix = prefix;
	g->cmd = cmd;
	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL; i++) {
		if (i == CLI_OPTS_MAX) {
			/* A table of ours too long: a bug, caught at once. */
			cli_err(cmd->name, "more than %d options", CLI_OPTS_MAX);
			abort();
		}
		g->longopts[i].name = cmd->opts[i].name;
		g->longopts[i].has_arg = cmd->opts[i].arg != NULL ?
		    required_argument : no_argument;
		g->longopts[i].val = CLI_OPT_BASE + (int)i;
	}
	g->longopts[i].name = "help";
	g->longopts[i].val = 'h';
	/* glibc: 0 re-initialises getopt entirely, for each (sub)command. */
	optind = 0;
	opterr = 0;
}

int
cli_getopt_next(struct cli_getopt *g, int argc, char *argv[])
{
	const char	*bad;
	char		 where[64];
	int		 ch;

	ch = getopt_long(argc, argv, ":h", g->longopts, NULL);
	g->arg = optarg;
	if (ch == -1)
		return CLI_OPT_END;
	if (ch >= CLI_OPT_BASE)
		return ch - CLI_OPT_BASE;
	if (ch == 'h') {
		cli_cmd_help(stdout, g->prefix, g->cmd);
		return CLI_OPT_HELP;
	}
	snprintf(where, sizeof(where), "%s%s%s", g->prefix != NULL ? g->prefix : "",
	    g->prefix != NULL ? " " : "", g->cmd->name);
	bad = optind >= 1 && optind <= argc ? argv[optind - 1] : "?";
	/* Not what follows '=': a mistyped --password=... stays unprinted. */
	if (ch == ':')
		cli_err(where, "option \"%.*s\" needs an argument",
		    (int)strcspn(bad, "="), bad);
	else if (optopt >= CLI_OPT_BASE || optopt == 'h')
		cli_err(where, "option \"%.*s\" takes no argument",
		    (int)strcspn(bad, "="), bad);
	else
		cli_err(where, "unknown option \"%.*s\"", (int)strcspn(bad, "="),
		    bad);
	cli_cmd_usage(g->prefix, g->cmd);
	return CLI_OPT_USAGE;
}

int
cli_getopt_exit(int opt)
{
	return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

/* --- settings and database ------------------------------------------------ */

const struct config *
cli_config(struct cli *c)
{
	enum config_err	 e;

	if (c->cfg_state == 0) {
		e = config_load(&c->cfg, NULL, &c->cfg_bad, c->cfg_why,
		    sizeof(c->cfg_why));
		c->cfg_state = e == CONFIG_OK ? 1 : e == CONFIG_EUNSAFE ? -2 : -1;
		/* As the programs do (app.c); said once, here. */
		if (e == CONFIG_EUNSAFE)
			cli_err(NULL, "refused: %s: %s", c->cfg_bad != NULL ?
			    c->cfg_bad : "?", c->cfg_why);
	}
	return c->cfg_state == 1 ? &c->cfg : NULL;
}

void
cli_password_params(struct cli *c, struct password_params *pp)
{
	const struct config	*cfg;

	if ((cfg = cli_config(c)) == NULL) {
		password_params_default(pp);
		cli_err(NULL, "note: settings not loaded (%s: %s): hashing with"
		    " the default Argon2 parameters", c->cfg_bad != NULL ?
		    c->cfg_bad : "?", c->cfg_why);
		return;
	}
	/* config_load bounds them. */
	pp->t_cost = (uint32_t)cfg->argon2_time_cost;
	pp->m_cost_kib = (uint32_t)cfg->argon2_memory_kib;
	pp->parallelism = (uint32_t)cfg->argon2_parallelism;
}

/*
 * The database to work on (a SQLite file or a postgresql:// URL):
 * --database, else the settings' DATABASE_URL.
 * config_load() also demands JWT_SECRET, which migrate does not need; when
 * it fails, DATABASE_URL is taken from the environment alone.
 * XXX That fallback does not read FCGI_USERS_ENV_FILE: when an env file is
 * named but cannot be loaded, we refuse rather than guess another file.
 */
static int
cli_db_path(struct cli *c)
{
	const struct config	*cfg;
	const char		*url;

	if (c->db_path != NULL)
		return 0;
	c->busy_ms = CLI_BUSY_MS_DEFAULT;
	if (c->database != NULL)
		c->db_path = strstr(c->database, "://") != NULL ?
		    config_database_locator(c->database) : strdup(c->database);
	else if ((cfg = cli_config(c)) != NULL) {
		c->busy_ms = (int)cfg->db_busy_timeout_ms;
		c->db_path = strdup(cfg->database_path);
	} else if (c->cfg_state == -2)
		return -1;	/* an env or key file open to others: said */
	else if ((url = getenv("DATABASE_URL")) != NULL && *url != '\0') {
		if ((c->db_path = config_database_locator(url)) == NULL) {
			cli_err(NULL, "DATABASE_URL is not a SQLite path, a"
			    " sqlite:/// URL or a postgresql:// URL");
			return -1;
		}
	} else if ((url = getenv("FCGI_USERS_ENV_FILE")) != NULL && *url != '\0') {
		cli_err(NULL, "settings: %s: %s; give --database PATH or"
		    " DATABASE_URL", c->cfg_bad != NULL ? c->cfg_bad : "?",
		    c->cfg_why);
		return -1;
	} else
		c->db_path = strdup(CLI_DATABASE_DEFAULT);
	if (c->db_path == NULL) {
		/* Out of memory (or a --database URL of no engine). */
		cli_err(NULL, c->database != NULL ? "--database: not a SQLite"
		    " path or a postgresql:// URL" : "out of memory");
		return -1;
	}
	/* Messages name the database without a URL's password. */
	db_label(c->db_path, c->db_label, sizeof(c->db_label));
	return 0;
}

int
cli_db_open(struct cli *c, int flags, struct db **db)
{
	char		 why[1024];
	mode_t		 old;
	enum db_err	 e;

	*db = NULL;
	if (cli_db_path(c) == -1)
		return -1;
	/* As the programs do (app.c): a database others may read or write
	 * is refused, with the chmod that fixes it. */
	if (fileperm_check_db(c->db_path, why, sizeof(why)) != FILEPERM_OK) {
		cli_err(NULL, "refused: %s", why);
		return -1;
	}
	/* A database it creates is not others' either (the gazetteer, public
	 * data, keeps the administrator's umask). */
	old = fileperm_umask();
	e = db_open(c->db_path, flags, c->busy_ms, db);
	(void)umask(old);
	if (e != DB_OK) {
		cli_err(NULL, "%s: %s%s", c->db_label, db_strerror(e),
		    e == DB_CANTOPEN && !(flags & DB_OPEN_CREATE) ?
		    " (create it with `" CLI_PROG " migrate up`)" : "");
		*db = NULL;
		return -1;
	}
	return 0;
}

int
cli_db_ready(struct cli *c, const char *where, struct db **db)
{
	enum db_err	 e;
	int		 current;

	if (cli_db_open(c, 0, db) == -1)
		return -1;
	if ((e = migrate_current(*db, &current)) != DB_OK) {
		cli_err(where, "%s: cannot read the schema version: %s",
		    c->db_label, db_strerror(e));
		goto fail;
	}
	if (current < migrate_latest()) {
		cli_err(where, "%s is at schema version %04d, this build needs"
		    " %04d: run `%s migrate up` first", c->db_label, current,
		    migrate_latest(), CLI_PROG);
		goto fail;
	}
	if (current > migrate_latest())
		cli_err(where, "warning: %s is at schema version %04d, newer"
		    " than the %04d this build knows", c->db_label, current,
		    migrate_latest());
	return 0;
fail:
	db_close(*db);
	*db = NULL;
	return -1;
}
