/*
 * gazetteer_import: builds a gazetteer file from a GeoNames dump
 * (gazetteer.h).  One pass over the dump with one line buffer
 * (geonames_reader) in one transaction of prepared statements: each place
 * goes to `places`, each of its folded names to a staging table; at the
 * end the names are copied into the WITHOUT ROWID `names` table in its
 * key order (SQLite sorts them with an external merge sort, in bounded
 * memory), which is faster and smaller than keeping an index up to date
 * during the load.  The file is a scratch file beside the target until it
 * is complete, synced and renamed over the target.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "gazetteer.h"
#include "gazetteer_int.h"
#include "geonames.h"
#include "log.h"

#define GAZ_IMPORT_CACHE	"-65536"	/* the import's page cache: 64 MiB */
#define GAZ_FILE_MODE		0644	/* public data, read by the web server's user */

#define GAZ_INSERT_PLACE						\
	"INSERT INTO places (id, name, country_code, admin1_code, lat, lon,"	\
	" population, display_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
#define GAZ_INSERT_STAGING						\
	"INSERT INTO temp.staging (key, population, place_id)"		\
	" VALUES (?1, ?2, ?3)"
#define GAZ_INSERT_META	"INSERT INTO meta (key, value) VALUES (?1, ?2)"

/* What one import works with. */
struct gaz_import {
	const struct gazetteer_import_opts *o;
	struct gazetteer_import_stats *st;
	struct gaz_regions	*regions;
	struct geonames_keys	*keys;
	struct db		*db;
	char			*tmp;		/* the scratch file's path */
	char			*why;
	size_t			 whylen;
};

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
told_skipped(struct gaz_import *im, size_t lineno, const char *why)
{
	im->st->skipped++;
	if (im->o->skipped != NULL)
		im->o->skipped(im->o->arg, im->o->dump, lineno, why);
}

/* 1 when path starts with SQLite's header string
 * (https://sqlite.org/fileformat.html §1.3.1). */
static int
sqlite_header(const char *path)
{
	char	 hdr[16];
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "rbe")) == NULL)
		return 0;
	n = fread(hdr, 1, sizeof(hdr), f);
	fclose(f);
	/* "SQLite format 3" and its NUL: 16 bytes */
	return n == sizeof(hdr) &&
	    memcmp(hdr, "SQLite format 3", sizeof(hdr)) == 0;
}

/*
 * Refuses to replace a file that is not a gazetteer: --out given the
 * users' database by mistake must not destroy it.  A missing or empty file
 * may be written.  0, or -1 with why filled.
 */
static int
target_ok(struct gaz_import *im)
{
	struct stat	 st;
	struct db	*db = NULL;
	struct db_stmt	*s = NULL;
	int		 ret = -1;

	if (stat(im->o->out, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(im->why, im->whylen, "%s: %s", im->o->out,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(im->why, im->whylen, "%s: %s", im->o->out,
		    S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		return -1;
	}
	if (st.st_size == 0)
		return 0;
	/* sqlite_schema answers for any database without an error line;
	 * what is no database at all is not opened (that would log one). */
	if (sqlite_header(im->o->out) &&
	    db_open(im->o->out, DB_OPEN_READONLY, 1000, &db) == DB_OK &&
	    db_prepare(db, "SELECT count(*) FROM sqlite_schema WHERE"
	    " type = 'table' AND name = 'meta'", &s) == DB_OK &&
	    db_step(s) == DB_ROW && db_column_int64(s, 0) == 1)
		ret = 0;
	db_stmt_done(s);
	s = NULL;
	if (ret == 0) {
		ret = -1;
		if (db_prepare(db, "SELECT count(*) FROM meta WHERE key = '"
		    GAZ_META_LICENCE "'", &s) == DB_OK &&
		    db_step(s) == DB_ROW && db_column_int64(s, 0) == 1)
			ret = 0;
		db_stmt_done(s);
	}
	db_close(db);
	if (ret == -1)
		snprintf(im->why, im->whylen, "%s exists and is not a gazetteer:"
		    " refusing to replace it", im->o->out);
	return ret;
}

/* Creates the scratch file beside the target, mode GAZ_FILE_MODE. */
static int
scratch_create(struct gaz_import *im)
{
	int	 fd;

	if (asprintf(&im->tmp, "%s.tmp-XXXXXX", im->o->out) == -1) {
		im->tmp = NULL;
		snprintf(im->why, im->whylen, "out of memory");
		return -1;
	}
	if ((fd = mkostemp(im->tmp, O_CLOEXEC)) == -1) {
		snprintf(im->why, im->whylen, "cannot create a file beside %s:"
		    " %s", im->o->out, strerror(errno));
		free(im->tmp);
		im->tmp = NULL;
		return -1;
	}
	(void)fchmod(fd, GAZ_FILE_MODE);
	(void)close(fd);
	return 0;
}

/* Deletes the scratch file and what SQLite may have put beside it. */
static void
scratch_remove(struct gaz_import *im)
{
	static const char *const sfx[] = { "", "-journal", "-wal", "-shm" };
	char	 p[4096];
	size_t	 i;

	if (im->tmp == NULL)
		return;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if ((size_t)snprintf(p, sizeof(p), "%s%s", im->tmp, sfx[i]) <
		    sizeof(p))
			(void)unlink(p);
}

/* fsync(2) of a file or folder by its path; 0 or -1 with errno. */
static int
sync_path(const char *path, int flags)
{
	int	 fd, rc;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	(void)close(fd);
	return rc;
}

/*
 * Syncs the complete scratch file, renames it over the target and syncs
 * the folder, so that after a crash the target is the old file or the new
 * one, never a part.
 */
static int
scratch_commit(struct gaz_import *im)
{
	char		*copy;
	struct stat	 st;

	if (sync_path(im->tmp, O_RDONLY) == -1 ||
	    rename(im->tmp, im->o->out) == -1) {
		snprintf(im->why, im->whylen, "%s: %s", im->o->out,
		    strerror(errno));
		return -1;
	}
	free(im->tmp);
	im->tmp = NULL;
	if ((copy = strdup(im->o->out)) != NULL)
		(void)sync_path(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (stat(im->o->out, &st) == 0)
		im->st->bytes = st.st_size;
	return 0;
}

/* Region and country tables, when given. */
static enum geocode_err
load_regions(struct gaz_import *im)
{
	size_t	 loaded, skipped;

	if ((im->regions = gaz_regions_new()) == NULL)
		return GEOCODE_ENOMEM;
	if (im->o->admin1 != NULL) {
		if (gaz_regions_load_admin1(im->regions, im->o->admin1, &loaded,
		    &skipped, im->why, im->whylen) == -1)
			return GEOCODE_EINVAL;
		im->st->admin1 = (int64_t)loaded;
		im->st->admin1_skipped = (int64_t)skipped;
	}
	if (im->o->countries != NULL) {
		if (gaz_regions_load_countries(im->regions, im->o->countries,
		    &loaded, im->why, im->whylen) == -1)
			return GEOCODE_EINVAL;
		im->st->countries = (int64_t)loaded;
	}
	return GEOCODE_OK;
}

/* The scratch file is gone when why is read: name the target. */
static enum geocode_err
db_err_why(struct gaz_import *im, enum db_err e, const char *what)
{
	snprintf(im->why, im->whylen, "%s: %s: %s", im->o->out, what,
	    db_strerror(e));
	return e == DB_NOMEM ? GEOCODE_ENOMEM : GEOCODE_EDB;
}

/*
 * Stores one place and its names.  GEOCODE_OK; GEOCODE_EINVAL when its
 * geonameid was seen before (skipped); else the database's error.
 */
static enum geocode_err
store_place(struct gaz_import *im, const struct geonames_row *r)
{
	struct geonames_keys	*k = im->keys;
	struct db_stmt		*s;
	const char		*region, *country;
	char			 dn[GEOCODE_DISPLAY_MAX];
	size_t			 dlen, i;
	enum db_err		 e;

	region = gaz_regions_admin1(im->regions, r->cc, r->admin1,
	    r->admin1_len);
	if ((country = gaz_regions_country(im->regions, r->cc)) == NULL)
		country = r->cc;
	dlen = gaz_display_name(dn, sizeof(dn), r->name, r->name_len, region,
	    country);
	if ((e = db_prepare(im->db, GAZ_INSERT_PLACE, &s)) != DB_OK)
		return db_err_why(im, e, "insert place");
	if ((e = db_bind_int64(s, 1, r->id)) == DB_OK &&
	    (e = db_bind_text(s, 2, r->name, r->name_len)) == DB_OK &&
	    (e = db_bind_text(s, 3, r->cc, strlen(r->cc))) == DB_OK &&
	    (e = db_bind_text(s, 4, r->admin1, r->admin1_len)) == DB_OK &&
	    (e = db_bind_double(s, 5, r->lat)) == DB_OK &&
	    (e = db_bind_double(s, 6, r->lon)) == DB_OK &&
	    (e = db_bind_int64(s, 7, r->population)) == DB_OK &&
	    (e = db_bind_text(s, 8, dn, dlen)) == DB_OK)
		e = db_step(s);
	db_stmt_done(s);
	if (e == DB_CONSTRAINT)
		return GEOCODE_EINVAL;
	if (e != DB_DONE)
		return db_err_why(im, e, "insert place");
	if ((e = db_prepare(im->db, GAZ_INSERT_STAGING, &s)) != DB_OK)
		return db_err_why(im, e, "insert name");
	for (i = 0; i < k->n; i++) {
		if ((e = db_bind_text(s, 1, k->key[i], k->len[i])) == DB_OK &&
		    (e = db_bind_int64(s, 2, r->population)) == DB_OK &&
		    (e = db_bind_int64(s, 3, r->id)) == DB_OK)
			e = db_step(s);
		db_stmt_done(s);
		if (e != DB_DONE)
			return db_err_why(im, e, "insert name");
	}
	im->st->places++;
	im->st->names += (int64_t)k->n;
	im->st->names_dropped += (int64_t)k->dropped;
	return GEOCODE_OK;
}

static void
progress(struct gaz_import *im, int last)
{
	if (im->o->progress == NULL)
		return;
	fprintf(im->o->progress, "\r%lld lines, %lld places, %lld skipped%s",
	    (long long)im->st->lines, (long long)im->st->places,
	    (long long)im->st->skipped, last ? "\n" : "");
	(void)fflush(im->o->progress);
}

/* One line of the dump, already read: parsed, checked and stored. */
static enum geocode_err
import_line(struct gaz_import *im, const char *line, size_t len,
    size_t lineno)
{
	struct geonames_row	 r;
	enum geonames_err	 e;
	enum geocode_err	 ge;
	char			 msg[128];

	if ((e = geonames_parse(line, len, &r)) == GEONAMES_EBLANK) {
		im->st->ignored++;
		return GEOCODE_OK;
	}
	if (e == GEONAMES_ECOLUMNS) {
		snprintf(msg, sizeof(msg), "%zu tab-separated columns, want %d",
		    r.columns, GEONAMES_COLUMNS);
		told_skipped(im, lineno, msg);
		return GEOCODE_OK;
	}
	if (e == GEONAMES_OK)
		e = geonames_keys(&r, im->keys);
	if (e != GEONAMES_OK) {
		told_skipped(im, lineno, geonames_strerror(e));
		return GEOCODE_OK;
	}
	/* Mountains, rivers and admin areas: a city query wants none of
	 * them, and a region would outnumber its capital ("New York"). */
	if (r.fclass != 'P') {
		im->st->ignored++;
		return GEOCODE_OK;
	}
	if ((ge = store_place(im, &r)) == GEOCODE_EINVAL) {
		told_skipped(im, lineno, "geonameid seen on an earlier line");
		return GEOCODE_OK;
	}
	return ge;
}

/* Reads the whole dump into the open transaction. */
static enum geocode_err
import_dump(struct gaz_import *im, FILE *f)
{
	struct geonames_reader	*rd = NULL;
	enum geonames_err	 e;
	enum geocode_err	 ret = GEOCODE_ENOMEM;
	const char		*line;
	size_t			 len, lineno;

	if (geonames_reader_new(f, &rd) != GEONAMES_OK)
		goto out;
	while ((e = geonames_reader_next(rd, &line, &len, &lineno)) !=
	    GEONAMES_EOF) {
		if (e == GEONAMES_EIO) {
			snprintf(im->why, im->whylen, "%s: line %zu: %s",
			    im->o->dump, lineno, strerror(errno));
			ret = GEOCODE_EINVAL;
			goto out;
		}
		im->st->lines++;
		if (e == GEONAMES_ETOOLONG)
			told_skipped(im, lineno, geonames_strerror(e));
		else if ((ret = import_line(im, line, len, lineno)) != GEOCODE_OK)
			goto out;
		if (im->st->lines % GAZETTEER_PROGRESS_LINES == 0)
			progress(im, 0);
	}
	progress(im, 1);
	ret = GEOCODE_OK;
out:
	geonames_reader_free(rd);
	return ret;
}

/* The meta rows (gazetteer_int.h). */
static enum geocode_err
write_meta(struct gaz_import *im)
{
	char		 when[40], n[5][24], *src = NULL, *a1 = NULL, *cc = NULL;
	struct db_stmt	*s;
	enum db_err	 e = DB_NOMEM;
	size_t		 i;
	const char	*kv[][2] = {
		{ GAZ_META_SCHEMA, GAZETTEER_SCHEMA },
		{ GAZ_META_SOURCE, NULL },
		{ GAZ_META_LICENCE, GAZETTEER_LICENCE },
		{ GAZ_META_IMPORTED_AT, when },
		{ GAZ_META_PLACES, n[0] },
		{ GAZ_META_NAMES, n[1] },
		{ "skipped", n[2] },
		{ "ignored", n[3] },
		{ "lines", n[4] },
		{ "admin1_source", "" },
		{ "countries_source", "" },
	};

	if ((src = strdup(im->o->dump)) == NULL ||
	    (im->o->admin1 != NULL && (a1 = strdup(im->o->admin1)) == NULL) ||
	    (im->o->countries != NULL && (cc = strdup(im->o->countries)) == NULL))
		goto out;
	kv[1][1] = basename(src);
	if (a1 != NULL)
		kv[9][1] = basename(a1);
	if (cc != NULL)
		kv[10][1] = basename(cc);
	log_timestamp(when, sizeof(when), LOG_TIME_US_OFFSET);
	snprintf(n[0], sizeof(n[0]), "%lld", (long long)im->st->places);
	snprintf(n[1], sizeof(n[1]), "%lld", (long long)im->st->names);
	snprintf(n[2], sizeof(n[2]), "%lld", (long long)im->st->skipped);
	snprintf(n[3], sizeof(n[3]), "%lld", (long long)im->st->ignored);
	snprintf(n[4], sizeof(n[4]), "%lld", (long long)im->st->lines);
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		if ((e = db_prepare(im->db, GAZ_INSERT_META, &s)) != DB_OK)
			goto out;
		if ((e = db_bind_text(s, 1, kv[i][0], strlen(kv[i][0]))) ==
		    DB_OK && (e = db_bind_text(s, 2, kv[i][1],
		    strlen(kv[i][1]))) == DB_OK)
			e = db_step(s);
		db_stmt_done(s);
		if (e != DB_DONE)
			goto out;
	}
	e = DB_OK;
out:
	free(src);
	free(a1);
	free(cc);
	return e == DB_OK ? GEOCODE_OK : db_err_why(im, e, "meta");
}

/* The scratch database: tables, the load, the names in key order, meta. */
static enum geocode_err
build(struct gaz_import *im, FILE *f)
{
	enum geocode_err	 ret;
	enum db_err		 e;

	if ((e = db_open(im->tmp, DB_OPEN_SCRATCH, 0, &im->db)) != DB_OK)
		return db_err_why(im, e, "open");
	if ((e = db_exec(im->db, "PRAGMA cache_size=" GAZ_IMPORT_CACHE ";"
	    GAZ_SCHEMA_SQL
	    "CREATE TEMP TABLE staging (key TEXT NOT NULL,"
	    " population INTEGER NOT NULL, place_id INTEGER NOT NULL);")) !=
	    DB_OK)
		return db_err_why(im, e, "create tables");
	if ((e = db_begin(im->db)) != DB_OK)
		return db_err_why(im, e, "begin");
	if ((ret = import_dump(im, f)) != GEOCODE_OK)
		return ret;
	if (im->st->places == 0) {
		snprintf(im->why, im->whylen, "%s: no valid populated place in"
		    " %lld lines (%lld skipped, %lld ignored)", im->o->dump,
		    (long long)im->st->lines, (long long)im->st->skipped,
		    (long long)im->st->ignored);
		return GEOCODE_EINVAL;
	}
	if ((e = db_exec(im->db, "INSERT INTO names (key, population,"
	    " place_id) SELECT key, population, place_id FROM temp.staging"
	    " ORDER BY key, population DESC, place_id;"
	    "DROP TABLE temp.staging;")) != DB_OK)
		return db_err_why(im, e, "sort names");
	if ((ret = write_meta(im)) != GEOCODE_OK)
		return ret;
	if ((e = db_commit(im->db)) != DB_OK)
		return db_err_why(im, e, "commit");
	return GEOCODE_OK;
}

enum geocode_err
gazetteer_import(const struct gazetteer_import_opts *o,
    struct gazetteer_import_stats *st, char *why, size_t whylen)
{
	struct gaz_import	 im;
	enum geocode_err	 ret = GEOCODE_EINVAL;
	FILE			*f = NULL;
	double			 t0 = now_s();

	memset(st, 0, sizeof(*st));
	memset(&im, 0, sizeof(im));
	im.o = o;
	im.st = st;
	im.why = why;
	im.whylen = whylen;
	why[0] = '\0';
	if (o->dump == NULL || *o->dump == '\0' || o->out == NULL ||
	    *o->out == '\0') {
		snprintf(why, whylen, "a dump file and an output path are needed");
		goto out;
	}
	if ((ret = load_regions(&im)) != GEOCODE_OK)
		goto out;
	ret = GEOCODE_EINVAL;
	if ((f = gaz_open_regular(o->dump, NULL, why, whylen)) == NULL ||
	    target_ok(&im) == -1)
		goto out;
	ret = GEOCODE_ENOMEM;
	if ((im.keys = malloc(sizeof(*im.keys))) == NULL)
		goto out;
	ret = GEOCODE_EDB;
	if (scratch_create(&im) == -1)
		goto out;
	if ((ret = build(&im, f)) != GEOCODE_OK)
		goto out;
	db_close(im.db);
	im.db = NULL;
	ret = GEOCODE_EDB;
	if (scratch_commit(&im) == -1)
		goto out;
	ret = GEOCODE_OK;
out:
	/* Closing rolls an open transaction back; the file goes anyway. */
	db_close(im.db);
	scratch_remove(&im);
	free(im.tmp);
	free(im.keys);
	gaz_regions_free(im.regions);
	if (f != NULL)
		fclose(f);
	st->seconds = now_s() - t0;
	return ret;
}
