/*
 * db_pg_text: what the PostgreSQL engine (db_pg.c) does with text alone:
 * statements written with SQLite's placeholders (?, ?NNN) rewritten with
 * PostgreSQL's ($1...), and libpq URLs checked and named without their
 * password for messages (see db_pg.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "db.h"
#include "db_pg.h"
#include "db_pg_dl.h"

/* ---- placeholders ---- */

/* The end of the quoted text or comment that starts at p, or NULL when it
 * does not end; p itself when nothing is quoted there. */
static const char *
skip_quoted(const char *p)
{
	char	 q;

	if (p[0] == '-' && p[1] == '-')
		return p + strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");
		return e != NULL ? e + 2 : NULL;
	}
	if (*p != '\'' && *p != '"')
		return p;
	q = *p++;
	for (;;) {
		if (*p == '\0')
			return NULL;
		if (*p == q && p[1] == q)
			p += 2;		/* '' inside '...', "" inside "..." */
		else if (*p++ == q)
			return p;
	}
}

/* Reads the placeholder at *pp ('?'), advancing past it: its SQLite
 * number, or -1 past DB_PG_PARAMS_MAX. */
static int
placeholder(const char **pp, int *last)
{
	const char	*p = *pp + 1;
	int		 n = 0;

	if (*p < '0' || *p > '9') {
		*pp = p;
		return ++*last > DB_PG_PARAMS_MAX ? -1 : *last;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > DB_PG_PARAMS_MAX)
			return -1;
	*pp = p;
	if (n < 1)
		return -1;
	if (n > *last)
		*last = n;
	return n;
}

/* One pass over sql: with out NULL it marks the numbers used in map[],
 * else it writes the translation to out using map[]. */
static int
translate_pass(const char *sql, int map[DB_PG_PARAMS_MAX + 1], char *out)
{
	const char	*p = sql, *e;
	size_t		 o = 0;
	int		 n, last = 0;

	while (*p != '\0') {
		if ((e = skip_quoted(p)) == NULL)
			return -1;
		if (e != p) {
			if (out != NULL)
				memcpy(out + o, p, (size_t)(e - p));
			o += (size_t)(e - p);
			p = e;
			continue;
		}
		if (*p != '?') {
			if (out != NULL)
				out[o] = *p;
			o++;
			p++;
			continue;
		}
		if ((n = placeholder(&p, &last)) == -1)
			return -1;
		if (out == NULL)
			map[n] = 1;
		else
			o += (size_t)sprintf(out + o, "$%d", map[n]);
	}
	if (out != NULL)
		out[o] = '\0';
	return last;
}

int
db_pg_translate(const char *sql, char **out, int map[DB_PG_PARAMS_MAX + 1],
    int *maxidx, int *nparams)
{
	size_t	 len;
	int	 i, last, k = 0;

	*out = NULL;
	*maxidx = *nparams = 0;
	memset(map, 0, sizeof(int) * (DB_PG_PARAMS_MAX + 1));
	if (sql == NULL || (last = translate_pass(sql, map, NULL)) == -1)
		return -1;
	for (i = 1; i <= last; i++)
		if (map[i])
			map[i] = ++k;
	/* "?" (1 byte) becomes at most "$99" (3); "?1" (2) at most "$1" (2). */
	len = strlen(sql);
	if (len > (SIZE_MAX - 1) / 3 || (*out = malloc(3 * len + 1)) == NULL)
		return -2;
	if (translate_pass(sql, map, *out) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*maxidx = last;
	*nparams = k;
	return 0;
}

/* ---- messages ---- */

int
db_pg_url_valid(const char *url)
{
	const struct pq_api *pq;
	PQconninfoOption *opts;
	char		*err = NULL;

	if (!db_pg_is_url(url))
		return 0;
	if ((pq = db_pg_dl(NULL, 0)) == NULL)
		return -1;
	if ((opts = pq->conninfoParse(url, &err)) == NULL) {
		pq->freemem(err);
		return 0;
	}
	pq->conninfoFree(opts);
	return 1;
}

void
db_pg_label(const char *url, char *buf, size_t len)
{
	const struct pq_api *pq;
	PQconninfoOption *opts, *o;
	const char	*user = NULL, *host = NULL, *port = NULL, *db = NULL;
	char		*err = NULL;

	if (len == 0)
		return;
	(void)snprintf(buf, len, "postgresql://?");
	if ((pq = db_pg_dl(NULL, 0)) == NULL)
		return;
	if ((opts = pq->conninfoParse(url, &err)) == NULL) {
		pq->freemem(err);
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "user") == 0)
			user = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
	}
	(void)snprintf(buf, len, "postgresql://%s%s%s%s%s/%s",
	    user != NULL ? user : "", user != NULL ? "@" : "",
	    host != NULL ? host : "", port != NULL ? ":" : "",
	    port != NULL ? port : "", db != NULL ? db : "");
	pq->conninfoFree(opts);
}
