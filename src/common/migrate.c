/*
 * migrate: applies and reverts the numbered migrations of schema/sqlite/
 * and schema/postgres/ that the build embedded (cmake/EmbedSchema.cmake
 * generates migrate_list() and migrate_latest(), and their _postgres
 * twins); the connection's engine picks the folder.  Applied versions are rows of
 * schema_migrations, created here on the first migrate_up; the current
 * version is the highest row.  Each migration runs in its own transaction
 * together with its row, so a failed script leaves no trace, and the
 * version is read again inside that transaction, so two admins migrating
 * at once apply each script once.  A database newer than this build is
 * never touched: its scripts are unknown here.
 *
 * On PostgreSQL a session advisory lock is held around migrate_up and
 * migrate_down (two admins migrating at once take turns: a transaction
 * there does not lock out the other's reads as SQLite's BEGIN IMMEDIATE
 * does), and the scripts run without the statement timeout of db_open.
 *
 * XXX The migrations run inside a transaction, where SQLite ignores
 * PRAGMA foreign_keys; a later migration that rebuilds a referenced table
 * (https://sqlite.org/lang_altertable.html#otheralter) will need a
 * per-migration "no transaction" option, which the embedder refuses today.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "migrate.h"

#define MIGRATE_WHY_MAX	512	/* bytes of an engine message kept for output */

/* The statements whose text differs between the engines (db.h). */
enum msql {
	MSQL_HAS_TABLE,		/* one row: 1 when schema_migrations exists */
	MSQL_RECORD,		/* ?1 version, ?2 name, applied now */
	MSQL_LOCK,		/* NULL: no lock needed */
	MSQL_UNLOCK,
	MSQL_UNBOUNDED,		/* lifts the statement timeout; NULL: none */
	MSQL__MAX
};

#define MIGRATE_LOCK_KEY	"7366224455263413"	/* "fcgi-users migrate" */

static const char *const msql[DB_ENGINE__MAX][MSQL__MAX] = {
	[DB_ENGINE_SQLITE] = {
		/* https://sqlite.org/schematab.html */
		[MSQL_HAS_TABLE] = "SELECT count(*) FROM sqlite_master"
		    " WHERE type = 'table' AND name = 'schema_migrations'",
		[MSQL_RECORD] = "INSERT INTO schema_migrations (version, name,"
		    " applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	},
	[DB_ENGINE_POSTGRES] = {
		[MSQL_HAS_TABLE] = "SELECT count(*) FROM pg_catalog.pg_tables"
		    " WHERE schemaname = current_schema()"
		    " AND tablename = 'schema_migrations'",
		[MSQL_RECORD] = "INSERT INTO schema_migrations (version, name,"
		    " applied_at) VALUES (?, ?, to_char(now() AT TIME ZONE 'UTC',"
		    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
		[MSQL_LOCK] = "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
		[MSQL_UNLOCK] = "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
		[MSQL_UNBOUNDED] = "SET statement_timeout = 0",
	},
};

#define MSQL(db, id)	(msql[db_engine(db)][id])

struct migrate_step {
	const struct migration	*m;
	int			 down;		/* revert instead of apply */
	int			 done;		/* 0: someone else already did it */
	char			 why[MIGRATE_WHY_MAX];
};

static void	migrate_say(FILE *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* printf to out, which may be NULL. */
static void
migrate_say(FILE *out, const char *fmt, ...)
{
	va_list	 ap;

	if (out == NULL)
		return;
	va_start(ap, fmt);
	(void)vfprintf(out, fmt, ap);
	va_end(ap);
}

/* "users" for "0001_users". */
static const char *
migrate_short(const char *name)
{
	const char	*p;

	if (name == NULL)
		return "?";
	return (p = strchr(name, '_')) != NULL ? p + 1 : name;
}

/* The migrations of db's engine. */
static const struct migration *
migrate_engine_list(struct db *db, size_t *n)
{
	return db_engine(db) == DB_ENGINE_POSTGRES ? migrate_list_postgres(n) :
	    migrate_list(n);
}

static int
migrate_engine_latest(struct db *db)
{
	return db_engine(db) == DB_ENGINE_POSTGRES ? migrate_latest_postgres() :
	    migrate_latest();
}

static int
migrate_width(struct db *db)
{
	const struct migration *list;
	size_t		 i, n, len, w = 0;

	list = migrate_engine_list(db, &n);
	for (i = 0; i < n; i++)
		if ((len = strlen(migrate_short(list[i].name))) > w)
			w = len;
	return w > 64 ? 64 : (int)w;
}

static const struct migration *
migrate_find(struct db *db, int version)
{
	const struct migration *list;
	size_t		 i, n;

	list = migrate_engine_list(db, &n);
	for (i = 0; i < n; i++)
		if (list[i].version == version)
			return &list[i];
	return NULL;
}

/* Whether a script holds nothing but white space. */
static int
migrate_blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Whether table schema_migrations exists. */
static enum db_err
migrate_has_table(struct db *db, int *yes)
{
	struct db_stmt	*s;
	enum db_err	 ret;

	*yes = 0;
	if ((ret = db_prepare(db, MSQL(db, MSQL_HAS_TABLE), &s)) != DB_OK)
		return ret;
	if ((ret = db_step(s)) == DB_ROW) {
		*yes = db_column_int64(s, 0) > 0;
		ret = DB_OK;
	}
	db_stmt_done(s);
	return ret;
}

/* The highest applied version; the table must exist. */
static enum db_err
migrate_max(struct db *db, int *version)
{
	struct db_stmt	*s;
	enum db_err	 ret;
	int64_t		 v;

	*version = 0;
	if ((ret = db_prepare(db, "SELECT COALESCE(MAX(version), 0)"
	    " FROM schema_migrations", &s)) != DB_OK)
		return ret;
	if ((ret = db_step(s)) == DB_ROW) {
		v = db_column_int64(s, 0);
		if (v < 0 || v > INT_MAX)
			ret = DB_CORRUPT;
		else {
			*version = (int)v;
			ret = DB_OK;
		}
	}
	db_stmt_done(s);
	return ret;
}

enum db_err
migrate_current(struct db *db, int *version)
{
	enum db_err	 ret;
	int		 yes;

	if (version == NULL)
		return DB_ERROR;
	*version = 0;
	if (db == NULL)
		return DB_ERROR;
	if ((ret = migrate_has_table(db, &yes)) != DB_OK || !yes)
		return ret;
	return migrate_max(db, version);
}

/* Refuses a database whose version this build does not know. */
static int
migrate_too_new(struct db *db, int current, FILE *out)
{
	if (current <= migrate_engine_latest(db))
		return 0;
	migrate_say(out, "database schema is at version %04d, newer than the"
	    " %04d this build of fcgi-users knows: upgrade fcgi-users\n",
	    current, migrate_engine_latest(db));
	return 1;
}

/* Takes (on) or gives back (off) the engine's migration lock, and lifts
 * the statement timeout for the scripts; nothing on SQLite. */
static enum db_err
migrate_exclusive(struct db *db, int on)
{
	const char	*lock = MSQL(db, on ? MSQL_LOCK : MSQL_UNLOCK);
	const char	*unbounded = MSQL(db, MSQL_UNBOUNDED);
	enum db_err	 ret;

	if (lock != NULL && (ret = db_exec(db, lock)) != DB_OK)
		return ret;
	if (on && unbounded != NULL)
		return db_exec(db, unbounded);
	return DB_OK;
}

static enum db_err
migrate_create_tx(struct db *db, void *arg)
{
	(void)arg;
	return db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	    " applied_at TEXT NOT NULL)");
}

/* Records (or forgets) st->m after running its script. */
static enum db_err
migrate_record(struct db *db, const struct migrate_step *st)
{
	struct db_stmt	*s;
	const char	*sql;
	enum db_err	 ret;

	sql = st->down ? "DELETE FROM schema_migrations WHERE version = ?" :
	    MSQL(db, MSQL_RECORD);
	if ((ret = db_prepare(db, sql, &s)) != DB_OK)
		return ret;
	ret = db_bind_int64(s, 1, st->m->version);
	if (ret == DB_OK && !st->down)
		ret = db_bind_text(s, 2, st->m->name, strlen(st->m->name));
	if (ret == DB_OK && (ret = db_step(s)) == DB_DONE)
		ret = DB_OK;
	db_stmt_done(s);
	return ret;
}

/*
 * One migration, inside db_transaction (which may call it again after
 * DB_BUSY).  The version is read again under the write lock: when another
 * process got there first, nothing is done.  The engine's message is kept
 * in st->why before the rollback replaces it.
 */
static enum db_err
migrate_step_tx(struct db *db, void *arg)
{
	struct migrate_step *st = arg;
	enum db_err	 ret;
	int		 current;

	st->done = 0;
	st->why[0] = '\0';
	if ((ret = migrate_max(db, &current)) != DB_OK)
		goto out;
	if (st->down ? current != st->m->version : current >= st->m->version)
		goto out;
	if (!st->down && current != st->m->version - 1) {
		(void)snprintf(st->why, sizeof(st->why),
		    "version %04d is missing", st->m->version - 1);
		ret = DB_ERROR;
		goto out;
	}
	if ((ret = db_exec(db, st->down ? st->m->down : st->m->up)) != DB_OK)
		goto out;
	if ((ret = migrate_record(db, st)) != DB_OK)
		goto out;
	st->done = 1;
out:
	if (ret != DB_OK && st->why[0] == '\0')
		(void)snprintf(st->why, sizeof(st->why), "%s", db_errmsg(db));
	return ret;
}

/* Runs one step and reports it on out. */
static enum db_err
migrate_run(struct db *db, struct migrate_step *st, FILE *out)
{
	enum db_err	 ret;

	ret = db_transaction(db, migrate_step_tx, st);
	if (ret != DB_OK)
		migrate_say(out, "%04d %-*s  failed: %s (%s)\n", st->m->version,
		    migrate_width(db), migrate_short(st->m->name),
		    db_strerror(ret), st->why);
	else if (st->done)
		migrate_say(out, "%04d %-*s  %s\n", st->m->version,
		    migrate_width(db), migrate_short(st->m->name),
		    st->down ? "reverted" : "applied");
	return ret;
}

/* migrate_up under the migration lock. */
static enum db_err
migrate_up_locked(struct db *db, int target, FILE *out)
{
	const struct migration *list;
	struct migrate_step st;
	enum db_err	 ret;
	size_t		 i, n;
	int		 current, latest = migrate_engine_latest(db);

	if (target < 0 || target > latest) {
		migrate_say(out, "no migration %04d in this build (latest %04d)\n",
		    target, latest);
		return DB_ERROR;
	}
	if (target == 0)
		target = latest;
	if ((ret = migrate_current(db, &current)) != DB_OK)
		return ret;
	if (migrate_too_new(db, current, out))
		return DB_ERROR;
	if (current >= target) {
		migrate_say(out, "database is at version %04d: nothing to apply\n",
		    current);
		return DB_OK;
	}
	if ((ret = db_transaction(db, migrate_create_tx, NULL)) != DB_OK)
		return ret;
	list = migrate_engine_list(db, &n);
	for (i = 0; i < n; i++) {
		if (list[i].version <= current || list[i].version > target)
			continue;
		memset(&st, 0, sizeof(st));
		st.m = &list[i];
		if ((ret = migrate_run(db, &st, out)) != DB_OK)
			return ret;
	}
	return DB_OK;
}

enum db_err
migrate_up(struct db *db, int target, FILE *out)
{
	enum db_err	 ret;

	if (db == NULL)
		return DB_ERROR;
	if ((ret = migrate_exclusive(db, 1)) != DB_OK)
		return ret;
	ret = migrate_up_locked(db, target, out);
	(void)migrate_exclusive(db, 0);
	return ret;
}

/* migrate_down under the migration lock. */
static enum db_err
migrate_down_locked(struct db *db, int steps, FILE *out)
{
	struct migrate_step st;
	enum db_err	 ret;
	int		 current, i;

	if ((ret = migrate_current(db, &current)) != DB_OK)
		return ret;
	if (migrate_too_new(db, current, out))
		return DB_ERROR;
	for (i = 0; i < steps; i++) {
		if (current == 0) {
			migrate_say(out, "no applied migration left to revert\n");
			break;
		}
		memset(&st, 0, sizeof(st));
		st.down = 1;
		if ((st.m = migrate_find(db, current)) == NULL)
			return DB_ERROR;	/* not reached: too_new */
		if (migrate_blank(st.m->down)) {
			migrate_say(out, "%04d %s cannot be reverted: it has no"
			    " \"-- migrate:down\" script\n", st.m->version,
			    migrate_short(st.m->name));
			return DB_ERROR;
		}
		if ((ret = migrate_run(db, &st, out)) != DB_OK)
			return ret;
		if ((ret = migrate_max(db, &current)) != DB_OK)
			return ret;
	}
	return DB_OK;
}

enum db_err
migrate_down(struct db *db, int steps, FILE *out)
{
	enum db_err	 ret;

	if (db == NULL)
		return DB_ERROR;
	if (steps < 1) {
		migrate_say(out, "the number of migrations to revert must be"
		    " at least 1\n");
		return DB_ERROR;
	}
	if ((ret = migrate_exclusive(db, 1)) != DB_OK)
		return ret;
	ret = migrate_down_locked(db, steps, out);
	(void)migrate_exclusive(db, 0);
	return ret;
}

/* The status line of one known migration. */
static enum db_err
migrate_status_one(struct db *db, int table, const struct migration *m,
    FILE *out)
{
	struct db_stmt	*s;
	const char	*name, *at;
	enum db_err	 ret;

	if (!table) {
		migrate_say(out, "%04d %-*s  pending\n", m->version,
		    migrate_width(db), migrate_short(m->name));
		return DB_OK;
	}
	if ((ret = db_prepare(db, "SELECT name, applied_at FROM"
	    " schema_migrations WHERE version = ?", &s)) != DB_OK)
		return ret;
	if ((ret = db_bind_int64(s, 1, m->version)) != DB_OK)
		goto out;
	if ((ret = db_step(s)) == DB_DONE) {
		migrate_say(out, "%04d %-*s  pending\n", m->version,
		    migrate_width(db), migrate_short(m->name));
		ret = DB_OK;
	} else if (ret == DB_ROW) {
		name = db_column_text(s, 0, NULL);
		at = db_column_text(s, 1, NULL);
		migrate_say(out, "%04d %-*s  applied %s", m->version,
		    migrate_width(db), migrate_short(m->name), at ? at : "?");
		if (name == NULL || strcmp(name, m->name) != 0)
			migrate_say(out, " (recorded as %s)", name ? name : "?");
		migrate_say(out, "\n");
		ret = DB_OK;
	}
out:
	db_stmt_done(s);
	return ret;
}

/* Lines for applied versions this build does not know. */
static enum db_err
migrate_status_unknown(struct db *db, FILE *out)
{
	struct db_stmt	*s;
	const char	*name, *at;
	enum db_err	 ret;

	if ((ret = db_prepare(db, "SELECT version, name, applied_at FROM"
	    " schema_migrations WHERE version > ? ORDER BY version", &s)) != DB_OK)
		return ret;
	if ((ret = db_bind_int64(s, 1, migrate_engine_latest(db))) != DB_OK)
		goto out;
	while ((ret = db_step(s)) == DB_ROW) {
		name = db_column_text(s, 1, NULL);
		at = db_column_text(s, 2, NULL);
		migrate_say(out, "%04lld %-*s  applied %s (unknown to this"
		    " build)\n", (long long)db_column_int64(s, 0),
		    migrate_width(db), migrate_short(name), at ? at : "?");
	}
	if (ret == DB_DONE)
		ret = DB_OK;
out:
	db_stmt_done(s);
	return ret;
}

/*
 * "0001 users  applied 2026-11-26T22:00:00Z" or "... pending" for each
 * migration of the build, then any newer applied one; reading only.
 * Returns DB_ERROR, after the lines, when the database is newer.
 */
enum db_err
migrate_status(struct db *db, FILE *out)
{
	const struct migration *list;
	enum db_err	 ret;
	size_t		 i, n;
	int		 table, current = 0;

	if (db == NULL)
		return DB_ERROR;
	if ((ret = migrate_has_table(db, &table)) != DB_OK)
		return ret;
	if (table && (ret = migrate_max(db, &current)) != DB_OK)
		return ret;
	list = migrate_engine_list(db, &n);
	for (i = 0; i < n; i++)
		if ((ret = migrate_status_one(db, table, &list[i], out)) != DB_OK)
			return ret;
	if (table && (ret = migrate_status_unknown(db, out)) != DB_OK)
		return ret;
	return migrate_too_new(db, current, out) ? DB_ERROR : DB_OK;
}
