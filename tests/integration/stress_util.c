/*
 * stress_util: see stress_util.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stress_util.h"

int
st_worker_pids(struct harness *h, const char *prog, pid_t *pids, int max)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], buf[512], *p, *q;
	FILE		*f;
	size_t		 plen = strlen(prog);
	int		 n = 0, pgrp;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		/* "pid (comm) state ppid pgrp ..." */
		if (fgets(buf, sizeof(buf), f) != NULL &&
		    (q = strchr(buf, '(')) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    (size_t)(p - q - 1) == plen && strncmp(q + 1, prog, plen) == 0 &&
		    sscanf(p + 1, " %*c %*d %d", &pgrp) == 1 &&
		    pgrp == harness_pid(h))
			pids[n++] = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

const char *
st_db_path(struct harness *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/fcgi-users.db", harness_data_dir(h));
	return buf;
}

int
st_integrity(const char *path, char *msg, size_t len)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	const char	*v;
	int		 rc = -1;

	snprintf(msg, len, "cannot open the database");
	if (sqlite3_open_v2(path, &db,
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(msg, len, "%s", sqlite3_errmsg(db));
		goto out;
	}
	v = (const char *)sqlite3_column_text(st, 0);
	snprintf(msg, len, "%s", v != NULL ? v : "(null)");
	rc = v != NULL && strcmp(v, "ok") == 0 ? 0 : -1;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
