/*
 * arena: a bump allocator for per-request memory (see arena.h).  Chunks are
 * chained; reset keeps the first one so a steady request load allocates
 * nothing from malloc once the first chunk is large enough.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_ALIGN	16

/*
 * Under AddressSanitizer the unused part of every chunk stays poisoned and
 * each allocation is followed by a poisoned red zone, so an overrun into
 * the next allocation of the same chunk is reported as it would be with
 * malloc.
 */
#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define ARENA_ASAN 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__)
# define ARENA_ASAN 1
#endif
#ifdef ARENA_ASAN
# include <sanitizer/asan_interface.h>
# define ARENA_REDZONE		ARENA_ALIGN
# define ARENA_POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
# define ARENA_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#ifndef ARENA_REDZONE
# define ARENA_REDZONE		0
# define ARENA_POISON(p, n)	((void)(p), (void)(n))
# define ARENA_UNPOISON(p, n)	((void)(p), (void)(n))
#endif
#define ARENA_MAX_ALLOC	((size_t)1 << 30)	/* no single request needs more */

struct chunk {
	struct chunk	*next;
	size_t		 size;
	size_t		 used;
	/* data follows, aligned */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct chunk	*head;		/* the chunk being filled */
	struct chunk	*first;		/* kept across resets */
	size_t		 total;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;

	if (size > ARENA_MAX_ALLOC)
		return NULL;
	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	ARENA_POISON(c->data, size);
	return c;
}

struct arena *
arena_new(size_t first)
{
	struct arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if (first < 1024)
		first = 1024;
	if ((a->first = chunk_new(first)) == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	return a;
}

static void
chunks_free(struct chunk *c, const struct chunk *keep)
{
	struct chunk	*next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (c != keep) {
			ARENA_UNPOISON(c->data, c->size);
			free(c);
		}
	}
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	chunks_free(a->head, NULL);
	free(a);
}

void
arena_reset(struct arena *a)
{
	if (a == NULL)
		return;
	/* The chain runs from head back to first (newest first). */
	chunks_free(a->head, a->first);
	a->first->next = NULL;
	a->first->used = 0;
	ARENA_POISON(a->first->data, a->first->size);
	a->head = a->first;
	a->total = 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*c;
	size_t		 need, size;
	void		*p;

	if (n > ARENA_MAX_ALLOC)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	need += ARENA_REDZONE;
	c = a->head;
	if (c->size - c->used < need) {
		size = c->size * 2;
		if (size < need)
			size = need;
		if (size > ARENA_MAX_ALLOC)
			size = need;
		if ((c = chunk_new(size)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	ARENA_UNPOISON(p, n);
	c->used += need;
	a->total += need;
	return p;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((p = arena_alloc(a, nmemb * size)) != NULL)
		memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_cat(struct arena *a, const char *s, size_t n, const char *t)
{
	size_t	 m = strlen(t);
	char	*p;

	if (n > ARENA_MAX_ALLOC || m > ARENA_MAX_ALLOC ||
	    (p = arena_alloc(a, n + m + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	memcpy(p + n, t, m + 1);
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
