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

int
harness_pg_create(struct harness *h)
{
	char hex[17], url[1024], sql[128];

	if (admin_url(url, sizeof(url)) == -1 || harness_random_hex(hex, 8) == -1)
		return -1;
	if ((h->pg_db = harness_asprintf("fu_%s", hex)) == NULL)
		return -1;
	url[strlen(url) - 9] = '\0';
	if ((h->pg_url = harness_asprintf("%s/%s", url, h->pg_db)) == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0"
	    " ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", h->pg_db);
	if (admin_exec(sql) == -1) {
		free(h->pg_db);
		h->pg_db = NULL;
		return -1;
	}
	return 0;
}

void
harness_pg_drop(struct harness *h)
{
	char sql[128];

	if (h->pg_db != NULL) {
		if (getenv("FU_KEEP_TMP") != NULL)
			harness_say("kept database %s", h->pg_url);
		else {
			/* FORCE: a program the server left behind lets go. */
			snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s"
			    " WITH (FORCE)", h->pg_db);
			(void)admin_exec(sql);
		}
	}
	free(h->pg_db);
	free(h->pg_url);
	h->pg_db = h->pg_url = NULL;
}
