/*
 * migrate: the numbered SQL migrations of schema/sqlite/ and
 * schema/postgres/ (kept in step: the same numbers and names, which
 * test_migrate checks), compiled into every program; the connection's
 * engine picks the folder.  Each file NNNN_name.sql holds "-- migrate:up" and
 * "-- migrate:down" sections.  Applied versions are recorded in table
 * schema_migrations; a program compares them with the newest it knows and
 * refuses to serve (503) while the database is behind.
 */
#ifndef FCGI_USERS_MIGRATE_H
#define FCGI_USERS_MIGRATE_H

#include <stdio.h>

#include "db.h"

struct migration {
	int		 version;
	const char	*name;	/* "0001_users" */
	const char	*up;
	const char	*down;
};

/* The migrations this build knows, in ascending version order: SQLite's,
 * and PostgreSQL's. */
const struct migration	*migrate_list(size_t *n);
const struct migration	*migrate_list_postgres(size_t *n);
/* The newest version this build knows (the same for both engines). */
int		 migrate_latest(void);
int		 migrate_latest_postgres(void);

/* The highest applied version (0 when none, including no table yet). */
enum db_err	 migrate_current(struct db *, int *version);
/* Applies every pending migration up to `target` (0: all), each in its own
 * transaction; prints one line per migration to `out` when not NULL. */
enum db_err	 migrate_up(struct db *, int target, FILE *out);
/* Reverts the `steps` newest applied migrations. */
enum db_err	 migrate_down(struct db *, int steps, FILE *out);
/* One line per known migration: version, name, applied at or "pending". */
enum db_err	 migrate_status(struct db *, FILE *out);

#endif
