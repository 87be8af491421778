/*
 * cache: geocoding answers in the database (schema 0006_geocode_cache),
 * shared by every process of geocoding.fcgi and mcp.fcgi and kept across
 * restarts.  The key is the query with surrounding blanks dropped and
 * ASCII letters lower-cased, so "London", " london " and "LONDON" share an
 * entry, as in the Python service (lower(strip(city))).  Expired rows are
 * never returned and are pruned as new answers are stored: no cron job.
 */
#ifndef FCGI_USERS_GEO_CACHE_H
#define FCGI_USERS_GEO_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;

#define GEOCACHE_KEY_MAX	1024	/* bytes of a key */
#define GEOCACHE_ANSWER_MAX	8192	/* bytes of a stored answer */

enum geocache_err {
	GEOCACHE_OK,
	GEOCACHE_MISS,
	GEOCACHE_EINVAL,	/* key empty or too long, answer too long */
	GEOCACHE_EDB,
	GEOCACHE__MAX
};

const char	*geocache_strerror(enum geocache_err);
/* The key of a query into buf (GEOCACHE_KEY_MAX + 1 bytes); -1 when it is
 * empty after trimming or too long. */
int		 geocache_key(const char *city, char *buf, size_t len);
/* The stored answer (arena copy) unless it expired by `now` (seconds). */
enum geocache_err geocache_get(struct db *, struct arena *, const char *key,
		    int64_t now, const char **answer);
/* Stores (or replaces) an answer for ttl seconds and prunes expired rows. */
enum geocache_err geocache_put(struct db *, const char *key, const char *answer,
		    int64_t now, int64_t ttl);
/* Unexpired entries. */
enum geocache_err geocache_count(struct db *, int64_t now, int64_t *count);
/* Deletes every entry. */
enum geocache_err geocache_clear(struct db *);

#endif
