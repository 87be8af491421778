/*
 * import_sqlite: `fcgi-users import sqlite [--dry-run] PATH` — moves a
 * deployment from SQLite to PostgreSQL (issue "PostgreSQL"): the accounts
 * of fcgi-users' own SQLite database at PATH, with their hashes, flags,
 * roles, names, times and token generations, their refresh-token families
 * and tokens, and the revoked access-token ids that have not expired yet
 * (so a logged-out token stays out), copied into the database of the
 * settings (DATABASE_URL; PostgreSQL, or another SQLite file).
 *
 * The source is opened read-only and must be at this build's schema
 * version, as must the target (`fcgi-users migrate up` on both).  Rows go
 * in as they are, in one transaction: a user whose id or e-mail (in any
 * case) the target has already is skipped, and so are the families of a
 * user that is not in the target, so running it again adds only what is
 * new.  Each INSERT is ON CONFLICT DO NOTHING: on PostgreSQL a violated
 * constraint would end the transaction.  Not copied: failed-login
 * counters, rate-limit buckets, MCP sessions (clients start a new one on
 * 404) and the geocoding cache, which all rebuild themselves.  --dry-run
 * is the same run rolled back.  Nothing secret is printed: users are
 * named by id.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "db.h"
#include "migrate.h"

#define IS_WHERE	"import sqlite"
#define IS_BUSY_MS	5000	/* while the programs still write the source */
#define IS_COLS_MAX	16

enum is_opt_id {
	IS_OPT_DRY_RUN,
	IS_OPT__MAX
};

static const struct cli_opt is_opts[IS_OPT__MAX + 1] = {
	[IS_OPT_DRY_RUN] = { "dry-run", NULL, "report what would be copied;"
	    " write nothing" },
};

const struct cli_cmd import_sqlite_cmd = {
	"sqlite", import_sqlite, "[--dry-run] PATH",
	"copy a fcgi-users SQLite database into ours (to PostgreSQL)",
	"PATH is fcgi-users' own SQLite database, opened read-only, at this\n"
	"build's schema version.  Copied into DATABASE_URL's database: users\n"
	"(hashes, flags, roles, names, times, token generations), their\n"
	"refresh-token families and tokens, and the revoked access-token ids\n"
	"not yet expired.  A user whose id or e-mail is taken is skipped, with\n"
	"its families; all rows go in one transaction.  Prints what was\n"
	"copied; exits 0 when it ran.",
	is_opts,
};

/* A column's kind: how a value is carried from source to target. */
enum is_kind {
	IS_TEXT,
	IS_INT,		/* integers and booleans (db reads both as 0/1) */
};

/* One table to copy: the SELECT on the source, the INSERT on the target
 * (?1.. the SELECT's columns in order), the columns' kinds. */
struct is_table {
	const char	*name;
	const char	*select;
	const char	*insert;
	int		 ncols;
	enum is_kind	 kinds[IS_COLS_MAX];
	int		 since;		/* ?1 of the SELECT is now (Unix seconds) */
};

enum is_table_id {
	IS_USERS,
	IS_FAMILIES,
	IS_TOKENS,
	IS_REVOKED,
	IS__MAX
};

/*
 * The statements are written once for both engines of the target: CASTs
 * tell PostgreSQL the type of a parameter in a SELECT list, which it
 * could not infer from there; TRUE/FALSE and 0/1 both go into BOOLEAN
 * columns as text.
 */
static const struct is_table is_tables[IS__MAX] = {
	[IS_USERS] = { "users",
	    "SELECT id, email, hashed_password, is_active, is_superuser,"
	    " is_verified, first_name, last_name, role, created_at, last_login,"
	    " token_generation, tokens_exempt_jti FROM users ORDER BY created_at, id",
	    "INSERT INTO users (id, email, hashed_password, is_active,"
	    " is_superuser, is_verified, first_name, last_name, role, created_at,"
	    " last_login, token_generation, tokens_exempt_jti)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	    13, { IS_TEXT, IS_TEXT, IS_TEXT, IS_INT, IS_INT, IS_INT, IS_TEXT,
	    IS_TEXT, IS_TEXT, IS_TEXT, IS_TEXT, IS_INT, IS_TEXT }, 0 },
	[IS_FAMILIES] = { "refresh_families",
	    "SELECT id, user_id, generation, created_at, expires_at, revoked_at"
	    " FROM refresh_families ORDER BY created_at, id",
	    "INSERT INTO refresh_families (id, user_id, generation, created_at,"
	    " expires_at, revoked_at) SELECT ?1, ?2, CAST(?3 AS BIGINT),"
	    " CAST(?4 AS BIGINT), CAST(?5 AS BIGINT), CAST(?6 AS BIGINT)"
	    " WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)"
	    " ON CONFLICT DO NOTHING",
	    6, { IS_TEXT, IS_TEXT, IS_INT, IS_INT, IS_INT, IS_INT }, 0 },
	[IS_TOKENS] = { "refresh_tokens",
	    "SELECT token_hash, family_id, issued_at, expires_at, spent_at"
	    " FROM refresh_tokens ORDER BY issued_at, token_hash",
	    "INSERT INTO refresh_tokens (token_hash, family_id, issued_at,"
	    " expires_at, spent_at) SELECT ?1, ?2, CAST(?3 AS BIGINT),"
	    " CAST(?4 AS BIGINT), CAST(?5 AS BIGINT)"
	    " WHERE EXISTS (SELECT 1 FROM refresh_families WHERE id = ?2)"
	    " ON CONFLICT DO NOTHING",
	    5, { IS_TEXT, IS_TEXT, IS_INT, IS_INT, IS_INT }, 0 },
	[IS_REVOKED] = { "revoked_tokens",
	    "SELECT jti, user_id, expires_at FROM revoked_tokens"
	    " WHERE expires_at > ?1 ORDER BY expires_at, jti",
	    "INSERT INTO revoked_tokens (jti, user_id, expires_at)"
	    " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	    3, { IS_TEXT, IS_TEXT, IS_INT }, 1 },
};

struct is_run {
	struct db	*src;
	struct db	*db;
	long		 copied[IS__MAX];
	long		 skipped[IS__MAX];
};

/* Options and the one operand (a path, or a sqlite:/// URL read as
 * DATABASE_URL is: *path, caller frees); -1 to go on, else the exit
 * status. */
static int
is_parse(int argc, char *argv[], char **path, int *dry_run)
{
	const char		*arg;
	struct cli_getopt	 g;
	int			 opt;

	*path = NULL;
	*dry_run = 0;
	cli_getopt_init(&g, "import", &import_sqlite_cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0)
		*dry_run = 1;		/* IS_OPT_DRY_RUN, the only one */
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (argc - optind != 1) {
		cli_err(IS_WHERE, argc - optind < 1 ? "the path of the SQLite"
		    " database is required" : "unexpected argument");
		cli_cmd_usage("import", &import_sqlite_cmd);
		return CLI_EXIT_USAGE;
	}
	arg = argv[optind];
	if (strstr(arg, "://") == NULL)
		*path = strdup(arg);
	else if ((*path = config_sqlite_path(arg)) == NULL) {
		/* The scheme only: the rest may hold a password. */
		cli_err(IS_WHERE, "PATH is a SQLite file or sqlite:/// URL, not"
		    " a %.*s URL", (int)(strstr(arg, "://") - arg), arg);
		return CLI_EXIT_USAGE;
	}
	if (*path == NULL) {
		cli_err(IS_WHERE, "out of memory");
		return CLI_EXIT_FAIL;
	}
	return -1;
}

/* The source: a readable SQLite file of our schema at this build's
 * version.  0, or -1 after printing why. */
static int
is_src_open(const char *path, struct db **src)
{
	struct stat	 st;
	enum db_err	 e;
	int		 v = 0;

	*src = NULL;
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		cli_err(IS_WHERE, "%s: not a file", path);
		return -1;
	}
	if ((e = db_open(path, DB_OPEN_READONLY, IS_BUSY_MS, src)) != DB_OK) {
		cli_err(IS_WHERE, "%s: %s", path, db_strerror(e));
		*src = NULL;
		return -1;
	}
	if ((e = migrate_current(*src, &v)) != DB_OK || v != migrate_latest()) {
		if (e != DB_OK)
			cli_err(IS_WHERE, "%s: cannot read the schema version: %s",
			    path, db_strerror(e));
		else
			cli_err(IS_WHERE, "%s is at schema version %04d, this build"
			    " copies from %04d: run `%s --database %s migrate up`"
			    " first", path, v, migrate_latest(), CLI_PROG, path);
		db_close(*src);
		*src = NULL;
		return -1;
	}
	return 0;
}

/* Binds column i of the source row to ?i+1 of the INSERT. */
static enum db_err
is_bind(struct db_stmt *src, struct db_stmt *ins, int i, enum is_kind k)
{
	const char	*t;
	size_t		 len;

	if (db_column_is_null(src, i))
		return db_bind_null(ins, i + 1);
	if (k == IS_INT)
		return db_bind_int64(ins, i + 1, db_column_int64(src, i));
	t = db_column_text(src, i, &len);
	return db_bind_text(ins, i + 1, t, len);
}

/* Copies one table; counts into r.  DB_OK or the error (printed). */
static enum db_err
is_copy(struct is_run *r, enum is_table_id id, int64_t now)
{
	const struct is_table *t = &is_tables[id];
	struct db_stmt	*sel = NULL, *ins = NULL;
	enum db_err	 e;
	const char	*uid;
	int		 i;

	if ((e = db_prepare(r->src, t->select, &sel)) != DB_OK ||
	    (t->since && (e = db_bind_int64(sel, 1, now)) != DB_OK)) {
		cli_err(IS_WHERE, "reading %s: %s", t->name, db_errmsg(r->src));
		goto out;
	}
	while ((e = db_step(sel)) == DB_ROW) {
		if ((e = db_prepare(r->db, t->insert, &ins)) != DB_OK)
			break;
		for (i = 0; i < t->ncols && e == DB_OK; i++)
			e = is_bind(sel, ins, i, t->kinds[i]);
		if (e == DB_OK && (e = db_step(ins)) == DB_DONE)
			e = DB_OK;
		db_stmt_done(ins);
		if (e != DB_OK)
			break;
		if (db_changes(r->db) > 0)
			r->copied[id]++;
		else {
			r->skipped[id]++;
			if (id == IS_USERS && (uid = db_column_text(sel, 0,
			    NULL)) != NULL)
				cli_err(IS_WHERE, "user %.36s: skipped, the id or"
				    " e-mail is taken", uid);
		}
	}
	if (e == DB_DONE)
		e = DB_OK;
	else
		cli_err(IS_WHERE, "copying %s: %s (%s)", t->name, db_strerror(e),
		    db_errmsg(r->db));
out:
	db_stmt_done(sel);
	return e;
}

/* fcgi-users import sqlite [--dry-run] PATH */
int
import_sqlite(struct cli *c, int argc, char *argv[])
{
	struct is_run	 r;
	char		*path = NULL, a[PATH_MAX], b[PATH_MAX];
	enum db_err	 e;
	int64_t		 now = (int64_t)time(NULL);
	int		 ret, dry_run, began = 0, i;

	if ((ret = is_parse(argc, argv, &path, &dry_run)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	if (is_src_open(path, &r.src) == -1 ||
	    cli_db_ready(c, IS_WHERE, &r.db) == -1)
		goto out;
	if (db_engine(r.db) == DB_ENGINE_SQLITE && realpath(path, a) != NULL &&
	    realpath(c->db_path, b) != NULL && strcmp(a, b) == 0) {
		cli_err(IS_WHERE, "%s is the database of the settings itself", path);
		goto out;
	}
	if ((e = db_begin(r.db)) != DB_OK) {
		cli_err(IS_WHERE, "%s: %s", c->db_label, db_strerror(e));
		goto out;
	}
	began = 1;
	for (i = 0; i < IS__MAX; i++)
		if (is_copy(&r, (enum is_table_id)i, now) != DB_OK)
			goto out;
	e = dry_run ? db_rollback(r.db) : db_commit(r.db);
	began = 0;
	if (e != DB_OK) {
		cli_err(IS_WHERE, "%s: %s", c->db_label, db_strerror(e));
		goto out;
	}
	printf("%s%s %ld users (skipped %ld), %ld refresh families (skipped"
	    " %ld), %ld refresh tokens, %ld revoked token ids%s\n",
	    dry_run ? "dry run: " : "", dry_run ? "would copy" : "copied",
	    r.copied[IS_USERS], r.skipped[IS_USERS], r.copied[IS_FAMILIES],
	    r.skipped[IS_FAMILIES], r.copied[IS_TOKENS], r.copied[IS_REVOKED],
	    dry_run ? "; nothing was written" : "");
	ret = CLI_EXIT_OK;
out:
	if (began) {
		(void)db_rollback(r.db);
		cli_err(IS_WHERE, "nothing was copied");
	}
	db_close(r.db);
	db_close(r.src);
	free(path);
	return ret;
}
