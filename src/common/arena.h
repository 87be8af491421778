/*
 * arena: a bump allocator for per-request memory.  Everything a request
 * needs (decoded strings, parameter lists, response bodies) comes from one
 * arena that app resets after the response is written, so handlers never
 * free individual allocations.
 */
#ifndef FCGI_USERS_ARENA_H
#define FCGI_USERS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new arena whose first chunk holds `first` bytes; NULL when out of memory. */
struct arena	*arena_new(size_t first);
/* Frees the arena and all it handed out; accepts NULL. */
void		 arena_free(struct arena *);
/* Forgets every allocation; keeps the first chunk for the next request. */
void		 arena_reset(struct arena *);
/* Total bytes handed out since the last reset. */
size_t		 arena_used(const struct arena *);

/* 16-byte aligned memory, or NULL when out of memory or n is absurd. */
void		*arena_alloc(struct arena *, size_t n);
/* Zeroed nmemb * size bytes; NULL on overflow or out of memory. */
void		*arena_calloc(struct arena *, size_t nmemb, size_t size);
/* Copies n bytes of s and adds a NUL. */
char		*arena_strndup(struct arena *, const char *s, size_t n);
char		*arena_strdup(struct arena *, const char *s);
/* The first n bytes of s, then all of t, and a NUL: a text's end
 * replaced without printf's cost over a long %.*s. */
char		*arena_cat(struct arena *, const char *s, size_t n, const char *t);
char		*arena_printf(struct arena *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *, const char *fmt, va_list);

#endif
