/*
 * fuzz_path: request_parse_path, which turns the web server's CGI params
 * into the public path and raw query.  The input is split at NUL bytes into
 * up to four C strings: REQUEST_URI, SCRIPT_NAME, PATH_INFO and the base
 * path (BASE_PATH); a missing piece, or a piece that is the single byte
 * 0xff, is passed as NULL (a param the server did not set).  On success the
 * path is non-NULL, begins with '/' and is no longer than the input; the raw
 * query is NULL (app then takes QUERY_STRING) unless REQUEST_URI is an
 * origin-form path with a '?' before any '#', and then it is exactly what
 * lies between that '?' and the '#' (or the end).  The same params always
 * give the same answer.  Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "request.h"

#define FUZZ_PIECES	4

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	char		*copy, *piece[FUZZ_PIECES] = { NULL, NULL, NULL, NULL };
	const char	*path = NULL, *query = NULL, *path2 = NULL, *query2 = NULL;
	const char	*q;
	enum request_err rc, rc2;
	size_t		 i, n, start, np = 0;

	if ((a = arena_new(1024)) == NULL)
		abort();
	/* one exact-size allocation per piece, so ASan bounds each string */
	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (start = 0, i = 0; i <= size && np < FUZZ_PIECES; i++) {
		if (i < size && copy[i] != '\0')
			continue;
		if (!(i - start == 1 && (uint8_t)copy[start] == 0xff)) {
			if ((piece[np] = malloc(i - start + 1)) == NULL)
				abort();
			memcpy(piece[np], copy + start, i - start);
			piece[np][i - start] = '\0';
		}
		np++;
		start = i + 1;
	}
	free(copy);

	rc = request_parse_path(a, piece[0], piece[1], piece[2], piece[3],
	    &path, &query);
	if ((int)rc < 0 || rc >= REQUEST__MAX || request_strerror(rc) == NULL)
		abort();
	if (rc == REQUEST_OK) {
		if (path == NULL || path[0] != '/' || strlen(path) > size + 1)
			abort();
		/* the query REQUEST_URI carries, if any */
		q = NULL;
		if (piece[0] != NULL && piece[0][0] == '/') {
			n = strcspn(piece[0], "?#");
			if (piece[0][n] == '?')
				q = piece[0] + n + 1;
		}
		if ((q == NULL) != (query == NULL))
			abort();
		if (q != NULL && (strlen(query) != strcspn(q, "#") ||
		    strncmp(query, q, strlen(query)) != 0))
			abort();
	}

	rc2 = request_parse_path(a, piece[0], piece[1], piece[2], piece[3],
	    &path2, &query2);
	if (rc2 != rc)
		abort();
	if (rc == REQUEST_OK && (strcmp(path, path2) != 0 ||
	    (query == NULL) != (query2 == NULL) ||
	    (query != NULL && strcmp(query, query2) != 0)))
		abort();

	for (i = 0; i < FUZZ_PIECES; i++)
		free(piece[i]);
	arena_free(a);
	return 0;
}
