/*
 * import: `fcgi-users import fastapi-users PATH` — the accounts of a
 * FastAPI-Users SQLite database (the Python service's `users` table, or
 * FastAPI-Users' default `user`) copied into ours with their ids, hashes,
 * flags and, where the table has them, first_name, last_name, role,
 * created_at and last_login.  Hashes are copied as they are: bcrypt and
 * Argon2 ones verify (password.h) and are rehashed at the next login.
 *
 * The source is opened read-only and its columns are read with
 * pragma_table_info, so FastAPI-Users' bare table works as well as the
 * Python service's.  Each row is validated (a UUID id, an e-mail, a hash,
 * 0/1 flags, names of at most USERS_NAME_MAX characters); a bad row is
 * skipped with a message naming it by position and id.  A row whose id,
 * or whose e-mail without regard to case, is already ours (or came earlier
 * in the same import) is skipped as a duplicate, so running the import
 * again adds only what a fixed source gained.  Everything happens in one
 * transaction: a database failure leaves nothing half-imported, and
 * --dry-run is the same run rolled back, so it reports exactly what the
 * real one would do.  The write lock is held for the whole run (no hashing
 * is done, so it is short).  Messages go to stderr, the counts to stdout;
 * no hash is ever printed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arena.h"
#include "authn.h"
#include "cli.h"
#include "db.h"
#include "json.h"
#include "password.h"
#include "users.h"

#define IMPORT_ARENA_FIRST	(16 * 1024)
#define IMPORT_SQL_MAX		4096	/* the SELECT built from the columns */
#define IMPORT_TABLE_MAX	64	/* characters of a --table name */
#define IMPORT_ID_SHOWN		40	/* characters of a row's raw id in messages */
#define IMPORT_HASH_MAX		1024	/* FastAPI-Users' VARCHAR(1024) */
#define IMPORT_SRC_BUSY_MS	5000	/* while the Python service writes the source */

#define IMPORT_STR_(x)	#x
#define IMPORT_STR(x)	IMPORT_STR_(x)

enum import_cmd_id {
	IMPORT_CMD_FASTAPI_USERS,
	IMPORT_CMD_GAZETTEER,
	IMPORT_CMD_SQLITE,
	IMPORT_CMD__MAX
};

enum fu_opt_id {
	FU_OPT_DRY_RUN,
	FU_OPT_TABLE,
	FU_OPT__MAX
};

/* The columns read from the source, in the order of the SELECT. */
enum src_col {
	SRC_ID,
	SRC_EMAIL,
	SRC_HASH,
	SRC_ACTIVE,
	SRC_SUPERUSER,
	SRC_VERIFIED,
	SRC_FIRST_NAME,
	SRC_LAST_NAME,
	SRC_ROLE,
	SRC_CREATED_AT,
	SRC_LAST_LOGIN,
	SRC__MAX
};

enum src_kind {
	SRC_TEXT,	/* as stored */
	SRC_BOOL,	/* the integer 0 or 1, else -1 */
	SRC_TIME,	/* our form (ISO 8601 UTC, ms, Z), NULL when unset or unreadable */
};

static const struct {
	const char	*name;
	int		 required;	/* FastAPI-Users' own column */
	enum src_kind	 kind;
} src_cols[SRC__MAX] = {
	[SRC_ID] = { "id", 1, SRC_TEXT },
	[SRC_EMAIL] = { "email", 1, SRC_TEXT },
	[SRC_HASH] = { "hashed_password", 1, SRC_TEXT },
	[SRC_ACTIVE] = { "is_active", 1, SRC_BOOL },
	[SRC_SUPERUSER] = { "is_superuser", 1, SRC_BOOL },
	[SRC_VERIFIED] = { "is_verified", 1, SRC_BOOL },
	[SRC_FIRST_NAME] = { "first_name", 0, SRC_TEXT },
	[SRC_LAST_NAME] = { "last_name", 0, SRC_TEXT },
	[SRC_ROLE] = { "role", 0, SRC_TEXT },
	[SRC_CREATED_AT] = { "created_at", 0, SRC_TIME },
	[SRC_LAST_LOGIN] = { "last_login", 0, SRC_TIME },
};

/* The tables looked for without --table: the Python service's, then FastAPI-Users' default. */
static const char *const src_tables[] = { "users", "user" };
#define SRC_TABLES	(sizeof(src_tables) / sizeof(src_tables[0]))

/* What a row came to. */
enum outcome {
	ROW_IMPORTED,
	ROW_DUPLICATE,
	ROW_INVALID,
	ROW__MAX
};

static const struct cli_opt fu_opts[FU_OPT__MAX + 1] = {
	[FU_OPT_DRY_RUN] = { "dry-run", NULL, "report what would be imported;"
	    " write nothing" },
	[FU_OPT_TABLE] = { "table", "NAME", "the table of users (default: users"
	    " or user, whichever holds FastAPI-Users' columns)" },
};

static int	import_fastapi_users(struct cli *, int, char *[]);

static const struct cli_cmd import_cmds[IMPORT_CMD__MAX] = {
	[IMPORT_CMD_FASTAPI_USERS] = { "fastapi-users", import_fastapi_users,
	    "[--dry-run] [--table NAME] PATH",
	    "copy the users of a FastAPI-Users SQLite database into ours",
	    "PATH is opened read-only.  Copied: id, email, hashed_password,\n"
	    "is_active, is_superuser, is_verified, and first_name, last_name,\n"
	    "role, created_at, last_login where the table has them.  Hashes are\n"
	    "kept (bcrypt and Argon2 verify; they are rehashed at the next\n"
	    "login).  Rows that do not validate, and rows whose id or e-mail\n"
	    "(in any case) is taken, are skipped with a message on stderr; the\n"
	    "first of two rows differing only in the e-mail's case wins.  All\n"
	    "rows go in one transaction.  Prints \"imported N, skipped M\n"
	    "(duplicates D, invalid I)\"; exits 0 when it ran, skips or not.",
	    fu_opts },
	[IMPORT_CMD_GAZETTEER] = { "gazetteer", import_gazetteer,
	    "FILE [--admin1 FILE] [--countries FILE] [--out PATH]",
	    "build the offline gazetteer from a GeoNames dump", NULL, NULL },
	[IMPORT_CMD_SQLITE] = { "sqlite", import_sqlite, "[--dry-run] PATH",
	    "copy a fcgi-users SQLite database into ours (to PostgreSQL)",
	    NULL, NULL },
};

struct fu_args {
	const char	*path;
	const char	*table;		/* NULL: detect */
	int		 dry_run;
};

/* One import run. */
struct run {
	struct arena	*arena;		/* reset for each row */
	struct db	*src;
	struct db	*db;
	char		 table[IMPORT_TABLE_MAX + 1];
	int		 have[SRC__MAX];	/* the source has the column */
	char		 label[IMPORT_ID_SHOWN * 4 + 64];	/* "row N (id ...)" of the current row */
	long		 count[ROW__MAX];
};

int
import_main(struct cli *c, int argc, char *argv[])
{
	return cli_dispatch(c, "import", import_cmds, IMPORT_CMD__MAX, argc, argv);
}

/* [A-Za-z_][A-Za-z0-9_]*, at most IMPORT_TABLE_MAX: safe inside "…" in SQL. */
static int
table_name_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= IMPORT_TABLE_MAX && !isdigit((unsigned char)s[0]) &&
	    s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_")] == '\0';
}

/* Parses the options of fastapi-users; -1 to go on, else the exit status. */
static int
fu_parse(int argc, char *argv[], struct fu_args *a)
{
	const struct cli_cmd	*cmd = &import_cmds[IMPORT_CMD_FASTAPI_USERS];
	struct cli_getopt	 g;
	int			 opt;

	memset(a, 0, sizeof(*a));
	cli_getopt_init(&g, "import", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0)
		if (opt == FU_OPT_DRY_RUN)
			a->dry_run = 1;
		else
			a->table = g.arg;
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (argc - optind != 1) {
		cli_err("import fastapi-users", argc - optind < 1 ?
		    "the path of the FastAPI-Users database is required" :
		    "unexpected argument");
		cli_cmd_usage("import", cmd);
		return CLI_EXIT_USAGE;
	}
	a->path = argv[optind];
	if (a->table != NULL && !table_name_ok(a->table)) {
		cli_err("import fastapi-users", "--table: a name of letters, digits"
		    " and _ (at most %d), not \"%s\"", IMPORT_TABLE_MAX, a->table);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* --- the source ----------------------------------------------------------- */

/*
 * Opens the source read-only.  A missing path or a directory is said
 * plainly here: SQLite would only report it as "cannot open".  0, or -1
 * after printing why.
 */
static int
src_open(const char *path, struct db **src)
{
	struct stat	 st;
	enum db_err	 e;

	*src = NULL;
	if (stat(path, &st) == -1) {
		cli_err("import fastapi-users", "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_err("import fastapi-users", "%s: %s", path, S_ISDIR(st.st_mode) ?
		    "is a directory, not a SQLite database" : "not a regular file");
		return -1;
	}
	if ((e = db_open(path, DB_OPEN_READONLY, IMPORT_SRC_BUSY_MS, src)) != DB_OK) {
		cli_err("import fastapi-users", "%s: %s", path, db_strerror(e));
		return -1;
	}
	return 0;
}

/*
 * Which of src_cols table t has (have[], by name without regard to case,
 * as SQLite compares them).  *found is 0 when there is no such table.
 */
static enum db_err
src_columns(struct db *src, const char *t, int have[SRC__MAX], int *found)
{
	struct db_stmt	*st;
	const char	*name;
	enum db_err	 e;
	size_t		 i;

	*found = 0;
	memset(have, 0, sizeof(int) * SRC__MAX);
	if ((e = db_prepare(src, "SELECT name FROM pragma_table_info(?)", &st)) != DB_OK)
		return e;
	if ((e = db_bind_text(st, 1, t, strlen(t))) != DB_OK)
		goto out;
	while ((e = db_step(st)) == DB_ROW) {
		*found = 1;
		if ((name = db_column_text(st, 0, NULL)) == NULL)
			continue;
		for (i = 0; i < SRC__MAX; i++)
			if (strcasecmp(name, src_cols[i].name) == 0)
				have[i] = 1;
	}
	if (e == DB_DONE)
		e = DB_OK;
out:
	db_stmt_done(st);
	return e;
}

/* The first of FastAPI-Users' columns table t lacks, or NULL. */
static const char *
src_missing(const int have[SRC__MAX])
{
	size_t	 i;

	for (i = 0; i < SRC__MAX; i++)
		if (src_cols[i].required && !have[i])
			return src_cols[i].name;
	return NULL;
}

/*
 * Picks the table to read (r->table, r->have): --table, else users or
 * user, whichever holds FastAPI-Users' columns.  0, or -1 after printing
 * why.
 */
static int
src_table(struct run *r, const char *path, const char *want)
{
	const char	*t[SRC_TABLES], *miss;
	int		 have[SRC_TABLES][SRC__MAX], found[SRC_TABLES];
	size_t		 i, n = want != NULL ? 1 : SRC_TABLES, nfound = 0, nok = 0, pick = 0;
	enum db_err	 e;

	for (i = 0; i < n; i++) {
		t[i] = want != NULL ? want : src_tables[i];
		if ((e = src_columns(r->src, t[i], have[i], &found[i])) != DB_OK) {
			cli_err("import fastapi-users", "%s: %s", path, db_strerror(e));
			return -1;
		}
		if (!found[i])
			continue;
		if (nfound++ == 0 || (src_missing(have[pick]) != NULL &&
		    src_missing(have[i]) == NULL))
			pick = i;
		if (src_missing(have[i]) == NULL)
			nok++;
	}
	if (nfound == 0) {
		if (want != NULL)
			cli_err("import fastapi-users", "%s has no table \"%s\"",
			    path, want);
		else
			cli_err("import fastapi-users", "%s has no table \"users\""
			    " or \"user\": not a FastAPI-Users database? (name"
			    " another table with --table)", path);
		return -1;
	}
	if (nok > 1) {
		cli_err("import fastapi-users", "%s: both tables \"users\" and"
		    " \"user\" hold FastAPI-Users' columns: choose one with"
		    " --table", path);
		return -1;
	}
	if ((miss = src_missing(have[pick])) != NULL) {
		cli_err("import fastapi-users", "%s: table \"%s\" has no column"
		    " \"%s\": not a FastAPI-Users table", path, t[pick], miss);
		return -1;
	}
	snprintf(r->table, sizeof(r->table), "%s", t[pick]);
	memcpy(r->have, have[pick], sizeof(r->have));
	return 0;
}

/*
 * The SELECT over the source: one result column per src_col (NULL for
 * one the table lacks), then for each SRC_TIME column whether it held
 * anything, so an unreadable date can be told from none.  SQLite's
 * strftime reads SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" (and ISO 8601
 * with T, Z or an offset, converted to UTC); it is NULL for anything else.
 * Rows come in rowid order, the order they were written in.
 * XXX a WITHOUT ROWID table (FastAPI-Users never makes one) fails here.
 */
static int
src_select(const struct run *r, char *sql, size_t len)
{
	const char	*nm;
	size_t		 i, n = 0;
	int		 k;

	k = snprintf(sql, len, "SELECT ");
	for (i = 0; i < SRC__MAX && k >= 0 && (size_t)k < len - n; i++) {
		n += (size_t)k;
		nm = src_cols[i].name;
		if (!r->have[i])
			k = snprintf(sql + n, len - n, "NULL, ");
		else if (src_cols[i].kind == SRC_BOOL)
			k = snprintf(sql + n, len - n, "CASE WHEN typeof(\"%s\") ="
			    " 'integer' AND \"%s\" IN (0, 1) THEN \"%s\" ELSE -1"
			    " END, ", nm, nm, nm);
		else if (src_cols[i].kind == SRC_TIME)
			k = snprintf(sql + n, len - n, "CASE WHEN typeof(\"%s\") ="
			    " 'text' THEN strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ',"
			    " \"%s\") END, ", nm, nm);
		else
			k = snprintf(sql + n, len - n, "\"%s\", ", nm);
	}
	for (i = 0; i < SRC__MAX && k >= 0 && (size_t)k < len - n; i++) {
		if (src_cols[i].kind != SRC_TIME)
			continue;
		n += (size_t)k;
		k = r->have[i] ? snprintf(sql + n, len - n, "\"%s\" IS NOT NULL, ",
		    src_cols[i].name) : snprintf(sql + n, len - n, "0, ");
	}
	if (k >= 0 && (size_t)k < len - n) {
		n += (size_t)k;
		k = snprintf(sql + n, len - n, "1 FROM \"%s\" ORDER BY rowid",
		    r->table);
	}
	/* Names are bounded (table_name_ok), so this cannot happen. */
	return k < 0 || (size_t)k >= len - n ? -1 : 0;
}

/* --- one row -------------------------------------------------------------- */

/* "row N (id "…")" with the raw id escaped and cut, for messages. */
static void
row_label(struct run *r, long n, const char *id, size_t len)
{
	char	 shown[IMPORT_ID_SHOWN * 4 + 8];
	size_t	 i, o = 0;

	if (id == NULL) {
		snprintf(r->label, sizeof(r->label), "row %ld (no id)", n);
		return;
	}
	for (i = 0; i < len && i < IMPORT_ID_SHOWN; i++) {
		unsigned char	 ch = (unsigned char)id[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
			shown[o++] = (char)ch;
		else
			o += (size_t)snprintf(shown + o, sizeof(shown) - o,
			    "\\x%02x", ch);
	}
	if (i < len)
		o += (size_t)snprintf(shown + o, sizeof(shown) - o, "...");
	shown[o] = '\0';
	snprintf(r->label, sizeof(r->label), "row %ld (id \"%s\")", n, shown);
}

static void
row_skip(const struct run *r, enum outcome o, const char *why)
{
	cli_err("import fastapi-users", "%s: skipped, %s: %s", r->label,
	    o == ROW_DUPLICATE ? "duplicate" : "invalid", why);
}

static void
row_note(const struct run *r, const char *what)
{
	cli_err("import fastapi-users", "%s: note: %s", r->label, what);
}

/*
 * Column col of the current row as a NUL-terminated copy in the arena;
 * NULL for SQL NULL.  *bad is set for a value holding a NUL byte, *oom
 * when the arena is out of memory.
 */
static const char *
row_text(struct db_stmt *st, struct arena *a, int col, int *bad, int *oom)
{
	const char	*s;
	char		*d;
	size_t		 len;

	if ((s = db_column_text(st, col, &len)) == NULL)
		return NULL;
	if (memchr(s, '\0', len) != NULL) {
		*bad = 1;
		return NULL;
	}
	if ((d = arena_strndup(a, s, len)) == NULL)
		*oom = 1;
	return d;
}

/* Valid UTF-8 of at most max code points without control characters. */
static int
text_ok(const char *s, long max)
{
	long	 n;
	size_t	 i;

	if ((n = utf8_length(s, strlen(s))) < 0 || n > max)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Why a row with the values v (NULL: SQL NULL; bad[]: held a NUL byte)
 * and the flags (-1: not 0 or 1) cannot be imported, or NULL when it can;
 * its canonical id goes to id.
 */
static const char *
row_invalid(const char *const v[SRC__MAX], const int bad[SRC__MAX],
    const int flag[3], char *id)
{
	if (bad[SRC_ID] || bad[SRC_EMAIL] || bad[SRC_HASH])
		return "the id, e-mail or hash holds a NUL byte";
	if (v[SRC_ID] == NULL || users_uuid_parse(v[SRC_ID], id) == -1)
		return "the id is not a UUID";
	if (v[SRC_EMAIL] == NULL || v[SRC_EMAIL][0] == '\0')
		return "no e-mail";
	if (strlen(v[SRC_EMAIL]) > USERS_EMAIL_MAX)
		return "the e-mail is longer than " IMPORT_STR(USERS_EMAIL_MAX) " bytes";
	if (!text_ok(v[SRC_EMAIL], USERS_EMAIL_MAX) || strchr(v[SRC_EMAIL], '@') == NULL)
		return "the e-mail is not an address (UTF-8 with an @, no control"
		    " characters)";
	if (v[SRC_HASH] == NULL || v[SRC_HASH][0] == '\0')
		return "no password hash";
	if (strlen(v[SRC_HASH]) > IMPORT_HASH_MAX)
		return "the password hash is longer than " IMPORT_STR(IMPORT_HASH_MAX)
		    " bytes";
	if (flag[0] < 0)
		return "is_active is not 0 or 1";
	if (flag[1] < 0)
		return "is_superuser is not 0 or 1";
	if (flag[2] < 0)
		return "is_verified is not 0 or 1";
	if (bad[SRC_FIRST_NAME] || (v[SRC_FIRST_NAME] != NULL &&
	    !text_ok(v[SRC_FIRST_NAME], USERS_NAME_MAX)))
		return "first_name is not UTF-8 of at most " IMPORT_STR(USERS_NAME_MAX)
		    " characters";
	if (bad[SRC_LAST_NAME] || (v[SRC_LAST_NAME] != NULL &&
	    !text_ok(v[SRC_LAST_NAME], USERS_NAME_MAX)))
		return "last_name is not UTF-8 of at most " IMPORT_STR(USERS_NAME_MAX)
		    " characters";
	if (bad[SRC_ROLE] || (v[SRC_ROLE] != NULL && !text_ok(v[SRC_ROLE],
	    USERS_ROLE_MAX)))
		return "role is not UTF-8 of at most " IMPORT_STR(USERS_ROLE_MAX)
		    " characters";
	return NULL;
}

/*
 * Reads and validates the current row into u (strings in r->arena).
 * ROW_IMPORTED when it is good (notes printed for what was left out),
 * ROW_INVALID after printing why, -1 when out of memory.
 */
static int
row_read(struct run *r, struct db_stmt *st, long n, struct user *u)
{
	const char	*v[SRC__MAX], *why, *id;
	size_t		 i, idlen = 0;
	int		 bad[SRC__MAX], oom = 0, flag[3], timeset[2];

	memset(u, 0, sizeof(*u));
	memset(bad, 0, sizeof(bad));
	for (i = 0; i < SRC__MAX; i++)
		v[i] = src_cols[i].kind == SRC_BOOL ? NULL :
		    row_text(st, r->arena, (int)i, &bad[i], &oom);
	if (oom)
		return -1;
	for (i = 0; i < 3; i++)
		flag[i] = (int)db_column_int64(st, (int)(SRC_ACTIVE + i));
	/* The "held anything" columns after the SRC__MAX ones (src_select). */
	timeset[0] = db_column_int64(st, SRC__MAX) != 0;
	timeset[1] = db_column_int64(st, SRC__MAX + 1) != 0;
	id = db_column_text(st, SRC_ID, &idlen);
	row_label(r, n, id, idlen);
	if ((why = row_invalid(v, bad, flag, u->id)) != NULL) {
		row_skip(r, ROW_INVALID, why);
		return ROW_INVALID;
	}
	u->email = v[SRC_EMAIL];
	u->hashed_password = v[SRC_HASH];
	u->is_active = flag[0];
	u->is_superuser = flag[1];
	u->is_verified = flag[2];
	u->first_name = v[SRC_FIRST_NAME];
	u->last_name = v[SRC_LAST_NAME];
	u->role = v[SRC_ROLE];
	u->created_at = v[SRC_CREATED_AT];
	u->last_login = v[SRC_LAST_LOGIN];
	/* Kept, but worth knowing: none of these stops the row. */
	if (!password_hash_usable(u->hashed_password))
		row_note(r, "the password hash is not bcrypt or Argon2 (or is"
		    " past the cost caps): the user must reset the password");
	if (u->role != NULL && authn_role_parse(u->role) == ROLE__MAX)
		row_note(r, "the role is not user, premium or admin: it counts"
		    " as user");
	if (u->created_at == NULL && timeset[0])
		row_note(r, "created_at is not a date: the import time is used");
	if (u->last_login == NULL && timeset[1])
		row_note(r, "last_login is not a date: left unset");
	return ROW_IMPORTED;
}

/*
 * Whether u is a duplicate (its id, or its e-mail without regard to case,
 * already ours): ROW_DUPLICATE after saying of whom, ROW_IMPORTED when
 * not, -1 when the database failed.
 */
static int
row_duplicate(struct run *r, const struct user *u)
{
	struct user	 other;
	char		 why[USERS_EMAIL_MAX + 128];
	enum users_err	 e;

	if ((e = users_find_by_id(r->db, r->arena, u->id, &other)) == USERS_OK) {
		snprintf(why, sizeof(why), "user %s exists", other.id);
		row_skip(r, ROW_DUPLICATE, why);
		return ROW_DUPLICATE;
	}
	if (e != USERS_NOTFOUND)
		return -1;
	if ((e = users_find_by_email(r->db, r->arena, u->email, &other)) == USERS_OK) {
		snprintf(why, sizeof(why), "the e-mail \"%s\" belongs to user %s",
		    u->email, other.id);
		row_skip(r, ROW_DUPLICATE, why);
		return ROW_DUPLICATE;
	}
	return e == USERS_NOTFOUND ? ROW_IMPORTED : -1;
}

/* --- the run -------------------------------------------------------------- */

/*
 * Reads every row of the source and inserts the good ones; counts in
 * r->count.  DB_OK, or the error that stops the import (printed).
 */
static enum db_err
import_rows(struct run *r, const char *path)
{
	struct db_stmt	*st = NULL;
	struct user	 u;
	char		 sql[IMPORT_SQL_MAX];
	enum users_err	 ue;
	enum db_err	 e;
	long		 n = 0;
	int		 o;

	if (src_select(r, sql, sizeof(sql)) == -1)
		return DB_ERROR;
	if ((e = db_prepare(r->src, sql, &st)) != DB_OK) {
		cli_err("import fastapi-users", "%s: cannot read table \"%s\": %s",
		    path, r->table, db_strerror(e));
		return e;
	}
	while ((e = db_step(st)) == DB_ROW) {
		arena_reset(r->arena);
		if ((o = row_read(r, st, ++n, &u)) == ROW_IMPORTED)
			o = row_duplicate(r, &u);
		if (o == ROW_IMPORTED) {
			ue = users_insert(r->db, r->arena, &u);
			if (ue == USERS_EXISTS) {
				row_skip(r, ROW_DUPLICATE, "the id or e-mail is taken");
				o = ROW_DUPLICATE;
			} else if (ue != USERS_OK)
				o = -1;
		}
		if (o == -1) {
			cli_err("import fastapi-users", "%s: %s", r->label,
			    "the database failed");
			e = DB_ERROR;
			goto out;
		}
		r->count[o]++;
	}
	if (e == DB_DONE)
		e = DB_OK;
	else
		cli_err("import fastapi-users", "%s: reading row %ld: %s", path,
		    n + 1, db_strerror(e));
out:
	db_stmt_done(st);
	return e;
}

/* fcgi-users import fastapi-users [--dry-run] [--table NAME] PATH */
static int
import_fastapi_users(struct cli *c, int argc, char *argv[])
{
	struct fu_args	 a;
	struct run	 r;
	enum db_err	 e;
	int		 ret, began = 0;

	if ((ret = fu_parse(argc, argv, &a)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	if ((r.arena = arena_new(IMPORT_ARENA_FIRST)) == NULL) {
		/* Out of memory: the command can only give up. */
		cli_err("import fastapi-users", "out of memory");
		goto out;
	}
	/* The source first: a bad one leaves our database untouched. */
	if (src_open(a.path, &r.src) == -1 || src_table(&r, a.path, a.table) == -1 ||
	    cli_db_ready(c, "import fastapi-users", &r.db) == -1)
		goto out;
	if ((e = db_begin(r.db)) != DB_OK) {
		cli_err("import fastapi-users", "%s: %s", c->db_label, db_strerror(e));
		goto out;
	}
	began = 1;
	if (import_rows(&r, a.path) != DB_OK)
		goto out;
	if (a.dry_run)
		e = db_rollback(r.db);
	else
		e = db_commit(r.db);
	began = 0;
	if (e != DB_OK) {
		cli_err("import fastapi-users", "%s: %s", c->db_label, db_strerror(e));
		goto out;
	}
	printf("%s%s %ld, %s %ld (duplicates %ld, invalid %ld)%s\n",
	    a.dry_run ? "dry run: " : "", a.dry_run ? "would import" : "imported",
	    r.count[ROW_IMPORTED], a.dry_run ? "skip" : "skipped",
	    r.count[ROW_DUPLICATE] + r.count[ROW_INVALID],
	    r.count[ROW_DUPLICATE], r.count[ROW_INVALID],
	    a.dry_run ? "; nothing was written" : "");
	ret = CLI_EXIT_OK;
out:
	if (began) {
		(void)db_rollback(r.db);
		cli_err("import fastapi-users", "nothing was imported");
	}
	db_close(r.db);
	db_close(r.src);
	arena_free(r.arena);
	return ret;
}
