/*
 * ratelimit_zone: the GCRA buckets of ratelimit_hit() in shared memory,
 * for limits checked on every request (the geocoding quota), as nginx
 * keeps limit_req's state in a shared zone.  A write transaction in
 * SQLite costs a dozen system calls (locks, WAL frames, pages re-read
 * after another process's commit); a bucket here is one lookup under a
 * process-shared mutex, no system call unless two processes meet.
 *
 * The zone is a file next to the database (DATABASE_URL's path plus
 * "-limits", mode 0600), mapped MAP_SHARED by every process of the host,
 * so the limit is exact across processes as the SQLite store's is, and a
 * restart keeps the buckets.  Layout: a header (magic, layout sizes, the
 * robust process-shared mutex) and ZONE_SLOTS slots of {id, tat}.  A
 * key's id is the first 16 bytes of its SHA-256 (no key is stored, so a
 * slot has a fixed size); it lives in one of ZONE_PROBE slots from
 * id % nslots.  A slot whose tat is not after now holds a full bucket,
 * the same as none, and is free for any key.  When all ZONE_PROBE slots
 * of a key hold live buckets of other keys, ratelimit_zone_hit answers
 * RATELIMIT_EFULL and the caller uses the database for that request.
 *
 * Within the lock, time never goes back (see ratelimit_zone_hit).
 *
 * A process killed while holding the mutex leaves it to the next locker
 * (PTHREAD_MUTEX_ROBUST: EOWNERDEAD); a slot is written tat first, id
 * second, so a half-claimed slot holds a full bucket.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "ratelimit.h"
#include "ratelimit_int.h"

#define ZONE_MAGIC	"fu-rlz1"	/* 8 bytes with the NUL */
#define ZONE_VERSION	1
#define ZONE_PROBE	64		/* slots a key may live in */
#define ZONE_OPEN_TRIES	4

struct zone_slot {
	uint64_t	 id[2];		/* 0, 0: never used */
	int64_t		 tat_us;
	int64_t		 spare;
};

struct zone_hdr {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 hdr_size;
	uint32_t	 slot_size;
	uint32_t	 nslots;
	uint32_t	 mutex_size;
	uint32_t	 spare;
	uint64_t	 overflows;	/* hits answered RATELIMIT_EFULL */
	int64_t		 last_now;	/* the latest now of a decision */
	pthread_mutex_t	 mu;
};

/* The slots start on a cache line after the header. */
#define ZONE_HDR_SIZE	((sizeof(struct zone_hdr) + 63) & ~(size_t)63)

struct rl_zone {
	struct zone_hdr		*hdr;
	struct zone_slot	*slots;
	size_t			 size;
	uint32_t		 nslots;
	EVP_MD			*sha256;	/* fetched once, not per hit */
};

static size_t
zone_size(uint32_t nslots)
{
	return ZONE_HDR_SIZE + (size_t)nslots * sizeof(struct zone_slot);
}

/* Whether a mapped file is a zone of this layout with nslots slots. */
static int
zone_valid(const struct zone_hdr *h, uint32_t nslots)
{
	return memcmp(h->magic, ZONE_MAGIC, sizeof(h->magic)) == 0 &&
	    h->version == ZONE_VERSION && h->hdr_size == ZONE_HDR_SIZE &&
	    h->slot_size == sizeof(struct zone_slot) && h->nslots == nslots &&
	    h->mutex_size == sizeof(pthread_mutex_t);
}

static void *
zone_map(int fd, size_t size)
{
	void	*p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * Writes a new zone into a temporary file beside path and puts it in
 * place: with link(), which fails if another process put one there first
 * (then *raced is set and nothing changes), or, when `replace`, with
 * rename() over a file that is not a valid zone.  0 or -1.
 */
static int
zone_create(const char *path, uint32_t nslots, int replace, int *raced)
{
	pthread_mutexattr_t	 attr;
	struct zone_hdr		*h = NULL;
	char			 tmp[4096];
	size_t			 size = zone_size(nslots);
	int			 fd = -1, ret = -1, attr_ok = 0;

	*raced = 0;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		log_error("cannot create the rate limit zone", "path", path,
		    "error", strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) == -1 || ftruncate(fd, (off_t)size) == -1 ||
	    (h = zone_map(fd, size)) == NULL)
		goto out;
	/* ftruncate gave zeroes: only the header needs writing. */
	if (pthread_mutexattr_init(&attr) != 0)
		goto out;
	attr_ok = 1;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&h->mu, &attr) != 0)
		goto out;
	h->version = ZONE_VERSION;
	h->hdr_size = ZONE_HDR_SIZE;
	h->slot_size = sizeof(struct zone_slot);
	h->nslots = nslots;
	h->mutex_size = sizeof(pthread_mutex_t);
	memcpy(h->magic, ZONE_MAGIC, sizeof(h->magic));	/* last: now valid */
	if (replace) {
		if (rename(tmp, path) == -1)
			goto out;
		tmp[0] = '\0';
	} else if (link(tmp, path) == -1) {
		if (errno == EEXIST)
			*raced = 1;
		goto out;
	}
	ret = 0;
out:
	if (ret == -1 && !*raced)
		log_error("cannot create the rate limit zone", "path", path,
		    "error", strerror(errno));
	if (attr_ok)
		pthread_mutexattr_destroy(&attr);
	if (h != NULL)
		munmap(h, size);
	if (tmp[0] != '\0')
		unlink(tmp);
	close(fd);
	return ret;
}

int
ratelimit_zone_open(const char *path, uint32_t nslots, struct rl_zone **out)
{
	struct rl_zone	*z;
	struct stat	 st;
	size_t		 size = zone_size(nslots);
	void		*p;
	int		 fd, tries, raced, replace;

	*out = NULL;
	if (path == NULL || *path == '\0' || nslots < ZONE_PROBE ||
	    nslots > RATELIMIT_ZONE_SLOTS_MAX)
		return -1;
	for (tries = 0; tries < ZONE_OPEN_TRIES; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd == -1 && errno != ENOENT) {
			log_error("cannot open the rate limit zone", "path", path,
			    "error", strerror(errno));
			return -1;
		}
		replace = 0;
		if (fd != -1) {
			p = NULL;
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (st.st_mode & 077) == 0 && (size_t)st.st_size == size &&
			    (p = zone_map(fd, size)) != NULL && zone_valid(p, nslots)) {
				close(fd);
				if ((z = calloc(1, sizeof(*z))) == NULL ||
				    (z->sha256 = EVP_MD_fetch(NULL, "SHA256",
				    NULL)) == NULL) {
					free(z);
					munmap(p, size);
					return -1;
				}
				z->hdr = p;
				z->slots = (struct zone_slot *)((char *)p + ZONE_HDR_SIZE);
				z->size = size;
				z->nslots = nslots;
				*out = z;
				return 0;
			}
			if (p != NULL)
				munmap(p, size);
			close(fd);
			/* Not ours, another layout, or open to others: a new one.
			 * Processes still mapping the old file keep it until they
			 * restart. */
			log_warn("replacing the rate limit zone", "path", path,
			    "reason", "not a zone of this version and size, or "
			    "not mode 0600");
			replace = 1;
		}
		if (zone_create(path, nslots, replace, &raced) == -1 && !raced)
			return -1;
	}
	return -1;
}

void
ratelimit_zone_close(struct rl_zone *z)
{
	if (z == NULL)
		return;
	munmap(z->hdr, z->size);
	EVP_MD_free(z->sha256);
	free(z);
}

/* The key's id: 16 bytes of SHA-256, never 0, 0. */
static int
zone_id(const struct rl_zone *z, const char *key, size_t len, uint64_t id[2])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (EVP_Digest(key, len, md, &mdlen, z->sha256, NULL) != 1)
		return -1;
	memcpy(id, md, 2 * sizeof(uint64_t));
	if (id[0] == 0 && id[1] == 0)
		id[1] = 1;
	return 0;
}

int
ratelimit_zone_lock(struct rl_zone *z)
{
	int	 rc;

	rc = pthread_mutex_lock(&z->hdr->mu);
	if (rc == EOWNERDEAD) {
		log_warn("rate limit zone: a process died holding the lock");
		rc = pthread_mutex_consistent(&z->hdr->mu);
	}
	return rc == 0 ? 0 : -1;
}

void
ratelimit_zone_unlock(struct rl_zone *z)
{
	pthread_mutex_unlock(&z->hdr->mu);
}

/* The slot of id, or a free one for it (its tat set to a full bucket's),
 * or NULL.  Under the lock. */
static struct zone_slot *
zone_slot(struct rl_zone *z, const uint64_t id[2], int64_t now)
{
	struct zone_slot	*s, *free_slot = NULL;
	uint32_t		 i, at = (uint32_t)(id[0] % z->nslots);

	for (i = 0; i < ZONE_PROBE; i++) {
		s = &z->slots[(at + i) % z->nslots];
		if (s->id[0] == id[0] && s->id[1] == id[1])
			return s;
		if (free_slot == NULL && s->tat_us <= now)
			free_slot = s;
	}
	if (free_slot != NULL) {
		free_slot->tat_us = now;
		free_slot->id[0] = id[0];
		free_slot->id[1] = id[1];
	}
	return free_slot;
}

enum ratelimit_err
ratelimit_zone_hit(struct rl_zone *z, const char *key,
    const struct rate_limit *l, int64_t now_us, struct ratelimit_result *r)
{
	struct zone_slot	*s;
	struct ratelimit_gcra	 g;
	uint64_t		 id[2];

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if (z == NULL || r == NULL ||
	    ratelimit_gcra_init(&g, key, l, now_us) != 0)
		return RATELIMIT_EINVAL;
	if (zone_id(z, key, g.keylen, id) != 0 || ratelimit_zone_lock(z) != 0)
		return RATELIMIT_EDB;
	/*
	 * Decisions are made in lock order: a process that read its clock
	 * before another but took the lock after it decides at the later
	 * time, so that tat - now, and with it Remaining, never goes back
	 * (and a clock stepped back freezes the buckets, not refills them).
	 */
	if (g.now < z->hdr->last_now)
		g.now = z->hdr->last_now;
	z->hdr->last_now = g.now;
	if ((s = zone_slot(z, id, g.now)) == NULL) {
		z->hdr->overflows++;
		ratelimit_zone_unlock(z);
		return RATELIMIT_EFULL;
	}
	g.tat = (s->tat_us > g.now ? s->tat_us : g.now) + g.t;
	if (g.tat - g.now <= g.burst) {
		s->tat_us = g.tat;
		g.allowed = 1;
	} else
		g.tat = s->tat_us;
	ratelimit_zone_unlock(z);
	ratelimit_gcra_result(&g, l, r);
	return RATELIMIT_OK;
}
