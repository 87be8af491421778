/*
 * test_migrate: the embedded migrations (src/common/migrate.c and the
 * C file cmake/embed_schema_script.cmake generates) on databases in a
 * temporary folder: up, status, down, idempotence, a database newer than
 * the build, failures that must leave no trace, the users table of
 * 0001_users.sql, and the embedder refusing malformed schema folders.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "db.h"
#include "migrate.h"
#include "unit_util.h"

struct fx {
	struct unit_tmpdb tmp;		/* first: unit_tmpdb_setup makes fx */
	char		*out;		/* what migrate printed */
	size_t		 outlen;
	FILE		*f;
};

static int
setup(void **state)
{
	return unit_tmpdb_setup(state, sizeof(struct fx),
	    "/tmp/fu-test-migrate-XXXXXX");
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	if (fx->f != NULL)
		fclose(fx->f);
	free(fx->out);
	unit_tmpdb_teardown(&fx->tmp);
	return 0;
}

/* A fresh stream for migrate's output; the last one is dropped. */
static FILE *
out_open(struct fx *fx)
{
	if (fx->f != NULL)
		fclose(fx->f);
	free(fx->out);
	fx->out = NULL;
	fx->f = open_memstream(&fx->out, &fx->outlen);
	assert_non_null(fx->f);
	return fx->f;
}

/* What was printed since out_open(). */
static const char *
out_text(struct fx *fx)
{
	assert_int_equal(fflush(fx->f), 0);
	return fx->out != NULL ? fx->out : "";
}

static int64_t
table_exists(struct db *db, const char *name)
{
	struct db_stmt	*s;
	int64_t		 v;

	assert_int_equal(db_prepare(db, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name = ?", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, name, strlen(name)), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	v = db_column_int64(s, 0);
	db_stmt_done(s);
	return v;
}

static int
current(struct db *db)
{
	int	 v = -1;

	assert_int_equal(migrate_current(db, &v), DB_OK);
	return v;
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 len;

	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) >= 0 && len < 1024 * 1024);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)len + 1));
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* Whether `text` has a status line for `migration` (padded to the longest
 * name) whose remainder starts with `rest`. */
static int
has_line(const char *text, const char *migration, const char *rest)
{
	const char	*p = text, *q;
	size_t		 n = strlen(migration);

	while ((p = strstr(p, migration)) != NULL) {
		if (p == text || p[-1] == '\n') {
			for (q = p + n; *q == ' '; q++)
				;
			if (q > p + n && strncmp(q, rest, strlen(rest)) == 0)
				return 1;
		}
		p += n;
	}
	return 0;
}

static void
test_list(void **state)
{
	const struct migration *m;
	char		 prefix[16];
	size_t		 i, n = 0;

	(void)state;
	m = migrate_list(&n);
	assert_true(n >= 1);
	assert_non_null(migrate_list(NULL));
	for (i = 0; i < n; i++) {
		assert_int_equal(m[i].version, (int)i + 1);
		snprintf(prefix, sizeof(prefix), "%04d_", m[i].version);
		assert_int_equal(strncmp(m[i].name, prefix, 5), 0);
		assert_true(strlen(m[i].name) > 5);
		assert_non_null(m[i].up);
		assert_non_null(m[i].down);
		assert_non_null(strstr(m[i].up, ";"));
	}
	assert_int_equal(migrate_latest(), m[n - 1].version);
	assert_string_equal(m[0].name, "0001_users");
}

/*
 * The names a script creates, in order, as "kind name" lines into buf:
 * tables, indexes and added columns (the keywords are found where they
 * start a statement line, so comments and column lists do not count).
 */
static void
created_names(const char *sql, char *buf, size_t len)
{
	static const char *const kinds[] = {
		"CREATE TABLE ", "CREATE UNIQUE INDEX ", "CREATE INDEX ",
		"ADD COLUMN ", "DROP TABLE IF EXISTS ", "DROP INDEX IF EXISTS ",
		"DROP COLUMN ", NULL
	};
	const char	*p, *name;
	size_t		 i, n, o = 0;

	buf[0] = '\0';
	for (p = sql; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		for (i = 0; kinds[i] != NULL; i++) {
			name = strstr(p, kinds[i]);
			if (name == NULL || name > p + strcspn(p, "\n"))
				continue;
			name += strlen(kinds[i]);
			n = strcspn(name, " (;\n\t");
			o += (size_t)snprintf(buf + o, len - o, "%s%.*s\n",
			    kinds[i], (int)n, name);
			assert_true(o < len);
			break;
		}
	}
}

/*
 * schema/sqlite/ and schema/postgres/ are kept in step: the same
 * migrations (numbers and names), and each creates and drops the same
 * tables, indexes and columns.  A migration added for one engine only
 * fails here.
 */
static void
test_engines_in_step(void **state)
{
	const struct migration *sq, *pg;
	char		 a[4096], b[4096];
	size_t		 i, nsq = 0, npg = 0;

	(void)state;
	sq = migrate_list(&nsq);
	pg = migrate_list_postgres(&npg);
	if (nsq != npg)
		print_error("schema/sqlite has %zu migrations, schema/postgres"
		    " %zu: add the missing one to the other folder\n", nsq, npg);
	assert_int_equal(nsq, npg);
	assert_int_equal(migrate_latest(), migrate_latest_postgres());
	for (i = 0; i < nsq; i++) {
		assert_int_equal(sq[i].version, pg[i].version);
		assert_string_equal(sq[i].name, pg[i].name);
		created_names(sq[i].up, a, sizeof(a));
		created_names(pg[i].up, b, sizeof(b));
		assert_true(a[0] != '\0');
		if (strcmp(a, b) != 0)
			print_error("%s up: sqlite creates\n%spostgres creates\n%s",
			    sq[i].name, a, b);
		assert_string_equal(a, b);
		created_names(sq[i].down, a, sizeof(a));
		created_names(pg[i].down, b, sizeof(b));
		if (strcmp(a, b) != 0)
			print_error("%s down: sqlite\n%spostgres\n%s",
			    sq[i].name, a, b);
		assert_string_equal(a, b);
	}
}

/*
 * Each embedded migration is byte for byte its file's sections: the text
 * after the "-- migrate:up" line up to the "-- migrate:down" line, and
 * after that to the end (CRLF read as LF).  This checks the escaping.
 */
static void
test_list_matches_files(void **state)
{
	const struct migration *m;
	char		 path[PATH_MAX], *text, *up, *down, *p, *q;
	struct dirent	*de;
	DIR		*d;
	size_t		 i, n, len, files = 0;

	(void)state;
	m = migrate_list(&n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/schema/sqlite/%s.sql",
		    FU_SOURCE_DIR, m[i].name);
		text = read_file(path);
		for (p = q = text; *p != '\0'; p++)	/* CRLF -> LF */
			if (!(p[0] == '\r' && p[1] == '\n'))
				*q++ = *p;
		*q = '\0';
		if (strncmp(text, "-- migrate:up\n", 14) == 0)
			up = text + 14;
		else {
			assert_non_null(up = strstr(text, "\n-- migrate:up\n"));
			up += 15;
		}
		assert_non_null(down = strstr(up, "-- migrate:down\n"));
		assert_true(down == up || down[-1] == '\n');
		*down = '\0';
		down += 16;
		assert_string_equal(m[i].up, up);
		assert_string_equal(m[i].down, down);
		free(text);
	}
	/* No .sql file of the folder was left out. */
	snprintf(path, sizeof(path), "%s/schema/sqlite", FU_SOURCE_DIR);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if ((len = strlen(de->d_name)) > 4 &&
		    strcmp(de->d_name + len - 4, ".sql") == 0)
			files++;
	closedir(d);
	assert_int_equal(files, n);
}

static void
test_fresh(void **state)
{
	struct fx	*fx = *state;
	const char	*o;
	int		 v = -1;

	assert_int_equal(migrate_current(fx->tmp.db, &v), DB_OK);
	assert_int_equal(v, 0);
	assert_int_equal(migrate_status(fx->tmp.db, out_open(fx)), DB_OK);
	o = out_text(fx);
	assert_non_null(strstr(o, "0001 users"));
	assert_non_null(strstr(o, "pending"));
	assert_null(strstr(o, "applied"));
	/* status only reads. */
	assert_int_equal(table_exists(fx->tmp.db, "schema_migrations"), 0);
	assert_int_equal(migrate_status(fx->tmp.db, NULL), DB_OK);
}

static void
test_up_status_down(void **state)
{
	struct fx	*fx = *state;
	struct db_stmt	*s;
	const char	*o, *at;
	size_t		 n, len;
	int		 latest = migrate_latest();

	(void)migrate_list(&n);
	assert_int_equal(migrate_up(fx->tmp.db, 0, out_open(fx)), DB_OK);
	assert_true(has_line(out_text(fx), "0001 users", "applied\n"));
	assert_int_equal(current(fx->tmp.db), latest);
	assert_int_equal(table_exists(fx->tmp.db, "users"), 1);
	assert_int_equal(query_int(fx->tmp.db,
	    "SELECT count(*) FROM schema_migrations"), (int64_t)n);

	/* applied_at is UTC ISO 8601 to the second. */
	assert_int_equal(db_prepare(fx->tmp.db, "SELECT applied_at FROM"
	    " schema_migrations WHERE version = 1", &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	at = db_column_text(s, 0, &len);
	assert_int_equal(len, 20);
	assert_true(at[4] == '-' && at[10] == 'T' && at[19] == 'Z');
	db_stmt_done(s);

	/* status */
	assert_int_equal(migrate_status(fx->tmp.db, out_open(fx)), DB_OK);
	o = out_text(fx);
	assert_true(has_line(o, "0001 users", "applied 20"));
	assert_null(strstr(o, "pending"));

	/* up again: nothing to do, nothing changed */
	assert_int_equal(migrate_up(fx->tmp.db, 0, out_open(fx)), DB_OK);
	assert_non_null(strstr(out_text(fx), "nothing to apply"));
	assert_null(strstr(out_text(fx), "applied"));
	assert_int_equal(current(fx->tmp.db), latest);
	assert_int_equal(query_int(fx->tmp.db,
	    "SELECT count(*) FROM schema_migrations"), (int64_t)n);

	/* down 1, then everything */
	assert_int_equal(migrate_down(fx->tmp.db, 1, out_open(fx)), DB_OK);
	assert_non_null(strstr(out_text(fx), "reverted"));
	assert_int_equal(current(fx->tmp.db), latest - 1);
	assert_int_equal(migrate_down(fx->tmp.db, INT_MAX, out_open(fx)), DB_OK);
	assert_non_null(strstr(out_text(fx), "no applied migration left"));
	assert_int_equal(current(fx->tmp.db), 0);
	assert_int_equal(table_exists(fx->tmp.db, "users"), 0);
	assert_int_equal(query_int(fx->tmp.db,
	    "SELECT count(*) FROM schema_migrations"), 0);
	assert_int_equal(migrate_status(fx->tmp.db, out_open(fx)), DB_OK);
	assert_true(has_line(out_text(fx), "0001 users", "pending"));
	/* down on nothing is not an error */
	assert_int_equal(migrate_down(fx->tmp.db, 1, NULL), DB_OK);

	/* and up again after down */
	assert_int_equal(migrate_up(fx->tmp.db, 1, NULL), DB_OK);
	assert_int_equal(current(fx->tmp.db), 1);
	assert_int_equal(table_exists(fx->tmp.db, "users"), 1);
}

static void
test_bad_arguments(void **state)
{
	struct fx	*fx = *state;
	static const struct {
		int	 line;
		int	 down;		/* 0: up(arg), 1: down(arg) */
		int	 arg;
	} cases[] = {
		{ __LINE__, 0, -1 },
		{ __LINE__, 0, INT_MIN },
		{ __LINE__, 0, INT_MAX },
		{ __LINE__, 0, 10000 },
		{ __LINE__, 1, 0 },
		{ __LINE__, 1, -1 },
		{ __LINE__, 1, INT_MIN },
	};
	size_t		 i;
	int		 v;

	/* The latest version + 1 is beyond this build, too. */
	assert_int_equal(migrate_up(fx->tmp.db, migrate_latest() + 1, NULL), DB_ERROR);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_int(cases[i].down ?
		    migrate_down(fx->tmp.db, cases[i].arg, out_open(fx)) :
		    migrate_up(fx->tmp.db, cases[i].arg, out_open(fx)),
		    DB_ERROR, cases[i].line);
		check_int(strlen(out_text(fx)) > 0, 1, cases[i].line);
		check_int(table_exists(fx->tmp.db, "schema_migrations"), 0,
		    cases[i].line);
	}
	assert_int_equal(migrate_current(NULL, &v), DB_ERROR);
	assert_int_equal(migrate_current(fx->tmp.db, NULL), DB_ERROR);
	assert_int_equal(migrate_up(NULL, 0, NULL), DB_ERROR);
	assert_int_equal(migrate_down(NULL, 1, NULL), DB_ERROR);
	assert_int_equal(migrate_status(NULL, NULL), DB_ERROR);
}

static void
test_newer_database(void **state)
{
	struct fx	*fx = *state;
	char		 sql[256];
	const char	*o;
	int		 latest = migrate_latest(), v = 0;

	assert_int_equal(migrate_up(fx->tmp.db, 0, NULL), DB_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES"
	    " (%d, '%04d_future', '2030-01-01T00:00:00Z')", latest + 1,
	    latest + 1);
	assert_int_equal(db_exec(fx->tmp.db, sql), DB_OK);
	assert_int_equal(migrate_current(fx->tmp.db, &v), DB_OK);
	assert_int_equal(v, latest + 1);

	assert_int_equal(migrate_up(fx->tmp.db, 0, out_open(fx)), DB_ERROR);
	assert_non_null(strstr(out_text(fx), "newer"));
	assert_int_equal(migrate_down(fx->tmp.db, 1, out_open(fx)), DB_ERROR);
	assert_non_null(strstr(out_text(fx), "newer"));
	assert_int_equal(migrate_status(fx->tmp.db, out_open(fx)), DB_ERROR);
	o = out_text(fx);
	assert_non_null(strstr(o, "future"));
	assert_non_null(strstr(o, "unknown to this build"));
	assert_non_null(strstr(o, "newer"));
	assert_true(has_line(o, "0001 users", "applied"));
	/* Nothing was reverted. */
	assert_int_equal(table_exists(fx->tmp.db, "users"), 1);
	assert_int_equal(current(fx->tmp.db), latest + 1);
}

static void
test_not_a_database(void **state)
{
	struct fx	*fx = *state;
	static const struct {
		int		 line;
		const char	*text;
	} cases[] = {
		{ __LINE__, "this is not a database, it is a text file that is "
		    "long enough to have a header of 100 bytes, which SQLite "
		    "reads first when it opens a database file.\n" },
		{ __LINE__, "SQLite format 3" },	/* with its NUL: 16 bytes */
	};
	struct db	*db;
	FILE		*f;
	char		 path[256];
	size_t		 i;
	int		 k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad%zu.db", fx->tmp.dir, i);
		write_file(path, cases[i].text);
		if (i == 1) {	/* complete the magic, then garbage */
			assert_non_null(f = fopen(path, "ab"));
			for (k = 0; k < 300; k++)
				fputc(k == 0 ? 0 : 0xa5, f);
			assert_int_equal(fclose(f), 0);
		}
		db = (struct db *)&db;
		check_int(db_open(path, 0, 100, &db), DB_CORRUPT, cases[i].line);
		check_int(db == NULL, 1, cases[i].line);
	}
}

static void
test_foreign_schema_migrations(void **state)
{
	struct fx	*fx = *state;
	int		 v = -1;

	/* A table of that name, made by something else. */
	assert_int_equal(db_exec(fx->tmp.db,
	    "CREATE TABLE schema_migrations (x TEXT)"), DB_OK);
	assert_int_equal(migrate_current(fx->tmp.db, &v), DB_ERROR);
	assert_int_equal(v, 0);
	assert_int_equal(migrate_up(fx->tmp.db, 0, out_open(fx)), DB_ERROR);
	assert_int_equal(migrate_down(fx->tmp.db, 1, out_open(fx)), DB_ERROR);
	assert_int_equal(migrate_status(fx->tmp.db, out_open(fx)), DB_ERROR);
	assert_int_equal(table_exists(fx->tmp.db, "users"), 0);

	/* A version out of int range. */
	assert_int_equal(db_exec(fx->tmp.db, "DROP TABLE schema_migrations;"
	    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
	    " name TEXT NOT NULL, applied_at TEXT NOT NULL);"
	    "INSERT INTO schema_migrations VALUES (4294967296, 'x', 'y')"),
	    DB_OK);
	assert_int_equal(migrate_current(fx->tmp.db, &v), DB_CORRUPT);
	assert_int_equal(migrate_up(fx->tmp.db, 0, NULL), DB_CORRUPT);
}

static void
test_failed_migration_leaves_no_trace(void **state)
{
	struct fx	*fx = *state;

	/* 0001 creates users, which already exists: its script fails. */
	assert_int_equal(db_exec(fx->tmp.db, "CREATE TABLE users (x TEXT)"), DB_OK);
	assert_int_equal(migrate_up(fx->tmp.db, 0, out_open(fx)), DB_ERROR);
	assert_true(has_line(out_text(fx), "0001 users", "failed"));
	assert_non_null(strstr(out_text(fx), "already exists"));
	assert_int_equal(current(fx->tmp.db), 0);
	assert_int_equal(query_int(fx->tmp.db,
	    "SELECT count(*) FROM schema_migrations"), 0);
	assert_int_equal(query_int(fx->tmp.db, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'ix_users_email_lower'"), 0);
	/* Once the obstacle is gone, it applies. */
	assert_int_equal(db_exec(fx->tmp.db, "DROP TABLE users"), DB_OK);
	assert_int_equal(migrate_up(fx->tmp.db, 0, NULL), DB_OK);
	assert_int_equal(current(fx->tmp.db), migrate_latest());
}

static void
test_users_table(void **state)
{
	struct fx	*fx = *state;
	static const struct {
		int		 line;
		const char	*sql;
		enum db_err	 want;
	} cases[] = {
		{ __LINE__, "INSERT INTO users (id, email, hashed_password) VALUES"
		    " ('00000000-0000-4000-8000-000000000001', 'Ann@Example.com', 'h')",
		    DB_OK },
		{ __LINE__, "INSERT INTO users (id, email, hashed_password) VALUES"
		    " ('00000000-0000-4000-8000-000000000002', 'ann@example.com', 'h')",
		    DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (id, email, hashed_password) VALUES"
		    " ('00000000-0000-4000-8000-000000000003', 'ANN@EXAMPLE.COM', 'h')",
		    DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (id, email, hashed_password) VALUES"
		    " ('00000000-0000-4000-8000-000000000001', 'bob@example.com', 'h')",
		    DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (id, hashed_password) VALUES"
		    " ('00000000-0000-4000-8000-000000000004', 'h')", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (id, email) VALUES"
		    " ('00000000-0000-4000-8000-000000000005', 'c@example.com')",
		    DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (email, hashed_password) VALUES"
		    " ('d@example.com', 'h')", DB_CONSTRAINT },
		{ __LINE__, "INSERT INTO users (id, email, hashed_password, role)"
		    " VALUES ('00000000-0000-4000-8000-000000000006', 'e@example.com',"
		    " 'h', NULL)", DB_CONSTRAINT },
		{ __LINE__, "UPDATE users SET email = 'ANN@example.COM'", DB_OK },
	};
	struct db_stmt	*s;
	const char	*t;
	size_t		 i, len;

	assert_int_equal(migrate_up(fx->tmp.db, 1, NULL), DB_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_int(db_exec(fx->tmp.db, cases[i].sql), cases[i].want,
		    cases[i].line);
	assert_int_equal(query_int(fx->tmp.db, "SELECT count(*) FROM users"), 1);
	/* FastAPI-Users' defaults and ours. */
	assert_int_equal(db_prepare(fx->tmp.db, "SELECT is_active, is_superuser,"
	    " is_verified, role, created_at, first_name, last_name, last_login"
	    " FROM users", &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 1);
	assert_int_equal(db_column_int64(s, 1), 0);
	assert_int_equal(db_column_int64(s, 2), 0);
	assert_string_equal(db_column_text(s, 3, NULL), "user");
	t = db_column_text(s, 4, &len);
	assert_int_equal(len, 24);	/* 2026-11-26T22:00:00.000Z */
	assert_true(t[10] == 'T' && t[19] == '.' && t[23] == 'Z');
	assert_true(db_column_is_null(s, 5));
	assert_true(db_column_is_null(s, 6));
	assert_true(db_column_is_null(s, 7));
	db_stmt_done(s);
}

/* Runs the embedder on a folder; returns its exit status. */
static int
embed(const char *dir, const char *out)
{
	char	 cmd[2048];
	int	 st;

	snprintf(cmd, sizeof(cmd), "'%s' -DSCHEMA_DIR='%s' -DOUTPUT_C='%s'"
	    " -P '%s/cmake/embed_schema_script.cmake' >/dev/null 2>&1",
	    FU_CMAKE_COMMAND, dir, out, FU_SOURCE_DIR);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_embedder(void **state)
{
	struct fx	*fx = *state;
#define UPDOWN	"-- migrate:up\nCREATE TABLE a (x);\n-- migrate:down\nDROP TABLE a;\n"
	static const struct {
		int		 line;
		const char	*files[3][2];	/* name, text */
		int		 ok;
	} cases[] = {
		{ __LINE__, { { "0001_a.sql", UPDOWN },
		    { "0002_b.sql", "-- header\r\n-- migrate:up\r\nSELECT '\"\\?\?(';\r\n"
		    "-- migrate:down\r\n" } }, 1 },
		{ __LINE__, { { "0001_a.sql", "CREATE TABLE a (x);\n-- migrate:down\n" } }, 0 },
		{ __LINE__, { { "0001_a.sql", "-- migrate:up\nCREATE TABLE a (x);\n" } }, 0 },
		{ __LINE__, { { "0001_a.sql", "" } }, 0 },
		{ __LINE__, { { "0001_a.sql", UPDOWN }, { "0001_b.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "0001_a.sql", UPDOWN }, { "0003_c.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "0002_b.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "0000_a.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "1_a.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "0001_A-b.sql", UPDOWN } }, 0 },
		{ __LINE__, { { "0001_a.sql", "-- migrate:down\nX;\n-- migrate:up\nY;\n" } }, 0 },
		{ __LINE__, { { "0001_a.sql", UPDOWN "-- migrate:up\nZ;\n" } }, 0 },
		{ __LINE__, { { "0001_a.sql", "-- migrate:up transaction:false\nX;\n"
		    "-- migrate:down\n" } }, 0 },
		{ __LINE__, { { "0001_a.sql", "-- migrate:up\n \n\t\n-- migrate:down\nX;\n" } }, 0 },
	};
	char		 dir[256], path[512], out[512], *c;
	struct stat	 sb;
	size_t		 i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/schema%zu", fx->tmp.dir, i);
		check_int(mkdir(dir, 0700), 0, cases[i].line);
		for (j = 0; j < 3 && cases[i].files[j][0] != NULL; j++) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    cases[i].files[j][0]);
			write_file(path, cases[i].files[j][1]);
		}
		snprintf(out, sizeof(out), "%s/out%zu.c", fx->tmp.dir, i);
		check_int(embed(dir, out) == 0, cases[i].ok, cases[i].line);
		check_int(stat(out, &sb) == 0, cases[i].ok, cases[i].line);
	}
	/* The good one: escaped quote, backslash and trigraph. */
	snprintf(out, sizeof(out), "%s/out0.c", fx->tmp.dir);
	c = read_file(out);
	assert_non_null(strstr(c, "\"SELECT '\\\"\\\\\\?\\?(';\\n\""));
	assert_non_null(strstr(c, "migrate_latest(void)\n{\n\treturn 2;"));
	free(c);
#undef UPDOWN
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_matches_files),
		cmocka_unit_test(test_engines_in_step),
		cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_up_status_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_schema_migrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration_leaves_no_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedder, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
