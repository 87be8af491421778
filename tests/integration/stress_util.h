/*
 * stress_util: what the stress tests (test_stress.c, test_stress_db.c)
 * share: the FastCGI processes of a program under the harness's server,
 * and SQLite's own check of a database file.
 */
#ifndef FCGI_USERS_STRESS_UTIL_H
#define FCGI_USERS_STRESS_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

/* The pids of `prog`'s processes ("auth.fcgi") in the server's process
 * group, at most max of them; their number, or -1. */
int	 st_worker_pids(struct harness *, const char *prog, pid_t *pids, int max);
/* PRAGMA integrity_check of the database at path: 0 when "ok", else -1
 * with the first line of the answer (or the error) in msg. */
int	 st_integrity(const char *path, char *msg, size_t len);
/* <data>/fcgi-users.db into buf. */
const char *st_db_path(struct harness *, char *buf, size_t len);

#endif
