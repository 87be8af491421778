/*
 * gazetteer: the reading side of the offline provider (gazetteer.h).  The
 * file is opened read-only once per process; the lookup is one prepared
 * statement on the names table's primary key (gazetteer_int.h), so its
 * cost does not grow with the number of places.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "fold.h"
#include "gazetteer.h"
#include "gazetteer_int.h"
#include "json.h"
#include "log.h"

#define GAZ_BUSY_MS	1000
/*
 * Pages are read through a shared memory map: the processes of one
 * deployment then share one copy of the file in the page cache instead of
 * one page cache each (https://sqlite.org/mmap.html).
 */
#define GAZ_MMAP_BYTES	"1073741824"

struct gazetteer {
	struct db	*db;
};

/*
 * Nobody writes a gazetteer in place (an import renames a new file over
 * it), so the connection takes its shared lock once and keeps it
 * (locking_mode=EXCLUSIVE on a read-only connection): no lock, unlock or
 * change check per lookup, and the page cache stays valid.
 */
static const char gaz_pragmas[] =
	"PRAGMA query_only=1;"
	"PRAGMA locking_mode=EXCLUSIVE;"
	"PRAGMA mmap_size=" GAZ_MMAP_BYTES ";";

/* The meta value for key into buf; 0, or -1 when missing or on error. */
static int
gaz_meta(struct db *db, const char *key, char *buf, size_t len)
{
	struct db_stmt	*s;
	const char	*v;
	size_t		 n;
	int		 ret = -1;

	buf[0] = '\0';
	if (db_prepare(db, "SELECT value FROM meta WHERE key = ?1", &s) != DB_OK)
		return -1;
	if (db_bind_text(s, 1, key, strlen(key)) == DB_OK &&
	    db_step(s) == DB_ROW && (v = db_column_text(s, 0, &n)) != NULL) {
		snprintf(buf, len, "%.*s", (int)n, v);
		ret = 0;
	}
	db_stmt_done(s);
	return ret;
}

enum geocode_err
gazetteer_open(const char *path, struct gazetteer **out)
{
	struct gazetteer	*g = NULL;
	enum geocode_err	 ret = GEOCODE_EDB;
	enum db_err		 e;
	char			 schema[16];

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return GEOCODE_ENOMEM;
	if ((e = db_open(path, DB_OPEN_READONLY, GAZ_BUSY_MS, &g->db)) != DB_OK) {
		log_error("cannot open the gazetteer", "path", path,
		    "reason", db_strerror(e));
		ret = e == DB_NOMEM ? GEOCODE_ENOMEM : GEOCODE_EDB;
		goto out;
	}
	if (db_exec(g->db, gaz_pragmas) != DB_OK)
		goto out;
	if (gaz_meta(g->db, GAZ_META_SCHEMA, schema, sizeof(schema)) == -1 ||
	    strcmp(schema, GAZETTEER_SCHEMA) != 0) {
		log_error("not a gazetteer of this version", "path", path,
		    "schema", schema, "want", GAZETTEER_SCHEMA);
		goto out;
	}
	*out = g;
	g = NULL;
	ret = GEOCODE_OK;
out:
	gazetteer_close(g);
	return ret;
}

void
gazetteer_close(struct gazetteer *g)
{
	if (g == NULL)
		return;
	db_close(g->db);
	free(g);
}

enum geocode_err
gazetteer_lookup(struct gazetteer *g, const char *city,
    struct geocode_place *p)
{
	struct db_stmt	*s;
	const char	*dn;
	char		 key[GAZETTEER_KEY_MAX + 1];
	size_t		 n, dlen;
	long		 chars;
	ssize_t		 klen;
	enum db_err	 e;
	enum geocode_err ret = GEOCODE_EDB;

	if (g == NULL || city == NULL || p == NULL)
		return GEOCODE_EINVAL;
	/* More bytes than GEOCODE_CITY_MAX characters can take: too long. */
	if ((n = strnlen(city, GAZETTEER_KEY_MAX + 1)) > GAZETTEER_KEY_MAX)
		return GEOCODE_EINVAL;
	chars = utf8_length(city, n);
	if (chars < 1 || chars > GEOCODE_CITY_MAX)
		return GEOCODE_EINVAL;
	if ((klen = geo_fold(city, n, key, sizeof(key))) <= 0)
		return GEOCODE_EINVAL;
	if (db_prepare(g->db, GAZ_LOOKUP_SQL, &s) != DB_OK)
		return GEOCODE_EDB;
	if (db_bind_text(s, 1, key, (size_t)klen) != DB_OK)
		goto out;
	if ((e = db_step(s)) == DB_DONE) {
		ret = GEOCODE_NOTFOUND;
		goto out;
	}
	if (e != DB_ROW)
		goto out;
	memset(p, 0, sizeof(*p));
	p->place_id = db_column_int64(s, 0);
	p->has_place_id = 1;
	p->lat = db_column_double(s, 1);
	p->lon = db_column_double(s, 2);
	if ((dn = db_column_text(s, 3, &dlen)) == NULL) {
		dn = "";
		dlen = 0;
	}
	(void)geocode_copy_utf8(p->display_name, sizeof(p->display_name), dn, dlen);
	p->provider = "offline";
	ret = GEOCODE_OK;
out:
	db_stmt_done(s);
	return ret;
}

enum geocode_err
gazetteer_info(struct gazetteer *g, struct gazetteer_info *info)
{
	char	 num[32];

	if (g == NULL || info == NULL)
		return GEOCODE_EINVAL;
	memset(info, 0, sizeof(*info));
	if (gaz_meta(g->db, GAZ_META_SOURCE, info->source,
	    sizeof(info->source)) == -1 ||
	    gaz_meta(g->db, GAZ_META_LICENCE, info->licence,
	    sizeof(info->licence)) == -1 ||
	    gaz_meta(g->db, GAZ_META_IMPORTED_AT, info->imported_at,
	    sizeof(info->imported_at)) == -1 ||
	    gaz_meta(g->db, GAZ_META_PLACES, num, sizeof(num)) == -1 ||
	    config_strtonum(num, 0, INT64_MAX, &info->places) != 0 ||
	    gaz_meta(g->db, GAZ_META_NAMES, num, sizeof(num)) == -1 ||
	    config_strtonum(num, 0, INT64_MAX, &info->names) != 0)
		return GEOCODE_EDB;
	return GEOCODE_OK;
}
