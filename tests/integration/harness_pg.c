/*
 * harness_pg: the harness on PostgreSQL (FU_DATABASE=postgres).  Each
 * harness_start gets a database of its own, fu_<random hex>, in the one
 * throwaway cluster of the test run (tests/postgres/pg_cluster.sh, started
 * by the ctest fixture "pg"; its admin URL is the file url in FU_PG_STATE),
 * and harness_stop drops it (kept with FU_KEEP_TMP).  Through libcommon's
 * db_* like everything else: the harness itself stays engine-blind.
 */
#include "harness.h"
#include "harness_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define PG_ADMIN_BUSY_MS	30000	/* CREATE/DROP DATABASE may queue */

int
harness_pg_wanted(void)
{
	const char *v = getenv("FU_DATABASE");

	return v != NULL && strcmp(v, "postgres") == 0;
}

/* The cluster's admin URL ("postgresql://fcgi_users@127.0.0.1:PORT/postgres")
 * into buf; 0, or -1 after saying why. */
static int
admin_url(char *buf, size_t len)
{
	const char *state = getenv("FU_PG_STATE");
	char path[1024];
	FILE *f;
	size_t n;

	if (state == NULL || *state == '\0') {
		harness_say("FU_DATABASE=postgres needs FU_PG_STATE (the folder"
		    " tests/postgres/pg_cluster.sh start wrote)");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/url", state);
	if ((f = fopen(path, "r")) == NULL) {
		harness_say("%s: no cluster (run tests/postgres/pg_cluster.sh"
		    " start %s, or the ctest fixture pg_cluster_start)", path, state);
		return -1;
	}
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strncmp(buf, "postgresql://", 13) == 0 && strlen(buf) > 9 &&
	    strcmp(buf + strlen(buf) - 9, "/postgres") == 0)
		return 0;
	harness_say("%s: not an admin URL ending in /postgres", path);
	return -1;
}

/* Runs one statement on the admin database; 0 or -1 after saying why. */
static int
admin_exec(const char *sql)
{
	struct db *db = NULL;
	char url[1024];
	enum db_err e;
	int rc = -1;

	if (admin_url(url, sizeof(url)) == -1)
		return -1;
	if ((e = db_open(url, 0, PG_ADMIN_BUSY_MS, &db)) != DB_OK) {
		harness_say("%s: %s", url, db_strerror(e));
		return -1;
	}
	if ((e = db_exec(db, sql)) != DB_OK)
		harness_say("%s: %s: %s", sql, db_strerror(e), db_errmsg(db));
	else
		rc = 0;
	db_close(db);
	return rc;
}

/* A new database fu_<hex>: its name into *name and URL into *url (both
 * malloc'ed); 0, or -1 after saying why. */
static int
create_db(char **name, char **url)
{
	char hex[17], admin[1024], sql[128];

	*name = *url = NULL;
	if (admin_url(admin, sizeof(admin)) == -1 || harness_random_hex(hex, 8) == -1)
		return -1;
	admin[strlen(admin) - 9] = '\0';
	if ((*name = harness_asprintf("fu_%s", hex)) == NULL ||
	    (*url = harness_asprintf("%s/%s", admin, *name)) == NULL)
		goto fail;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0"
	    " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", *name);
	if (admin_exec(sql) == 0)
		return 0;
fail:
	free(*name);
	free(*url);
	*name = *url = NULL;
	return -1;
}

/* Drops database `name` (url for the message) unless FU_KEEP_TMP. */
static void
drop_db(const char *name, const char *url)
{
	char sql[128];

	if (getenv("FU_KEEP_TMP") != NULL) {
		harness_say("kept database %s", url);
		return;
	}
	/* FORCE: a program the server left behind lets go. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	(void)admin_exec(sql);
}

int
harness_pg_create(struct harness *h)
{
	return create_db(&h->pg_db, &h->pg_url);
}

void
harness_pg_drop(struct harness *h)
{
	if (h->pg_db != NULL)
		drop_db(h->pg_db, h->pg_url);
	free(h->pg_db);
	free(h->pg_url);
	h->pg_db = h->pg_url = NULL;
}

char *
harness_pg_database(void)
{
	char *name, *url;

	if (!harness_pg_wanted() || create_db(&name, &url) == -1)
		return NULL;
	free(name);
	return url;
}

void
harness_pg_database_drop(char *url)
{
	const char *name;

	if (url != NULL && (name = strrchr(url, '/')) != NULL &&
	    strncmp(name + 1, "fu_", 3) == 0)
		drop_db(name + 1, url);
	free(url);
}
