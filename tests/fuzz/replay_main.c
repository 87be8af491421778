/*
 * replay_main: the main() a fuzz target is linked with when the build is not
 * a libFuzzer build (FCGI_USERS_FUZZ off).  It runs LLVMFuzzerTestOneInput
 * once over every file named on the command line, and over every file in a
 * named directory and in its immediate subdirectories (one level down), so
 * ctest replays the seed corpus and every kept crash on each plain or
 * sanitizer build.  Dotfiles (.gitkeep) are skipped.  Each input is copied
 * into a buffer of exactly its size, so a sanitizer build catches a decoder
 * that reads one byte past the end.  Each file is named on stderr before it
 * runs, so the last name printed is the one that crashed.  Exits 0 when every input ran, 1 when a
 * path could not be read; a bad input aborts inside the target.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_INPUT	(16 * 1024 * 1024)	/* bytes of one input file */
#define REPLAY_MAX_DEPTH	1			/* subdirectory levels */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	replayed;

/* Reads the whole of `path` into a fresh exact-size buffer; NULL on error. */
static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE		*f = NULL;
	uint8_t		*buf = NULL, *ret = NULL;
	struct stat	 st;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size < 0 || st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path,
		    REPLAY_MAX_INPUT);
		goto out;
	}
	n = (size_t)st.st_size;
	/* malloc(0) may return NULL; keep a 1-byte allocation but pass len 0 */
	if ((buf = malloc(n ? n : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (n && fread(buf, 1, n, f) != n) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	*len = n;
	ret = buf;
	buf = NULL;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return ret;
}

static int
replay_file(const char *path)
{
	uint8_t	*buf;
	size_t	 len = 0;

	if ((buf = read_file(path, &len)) == NULL)
		return -1;
	/* named first: a target that aborts leaves the culprit on stderr */
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
	return 0;
}

/* Replays a file, or a directory's entries down to REPLAY_MAX_DEPTH. */
static int
replay_path(const char *path, int depth)
{
	struct stat	 st;
	DIR		*d;
	struct dirent	*de;
	char		*child;
	int		 rc = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return replay_file(path);
	if (!S_ISDIR(st.st_mode) || depth > REPLAY_MAX_DEPTH)
		return 0;
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&child, "%s/%s", path, de->d_name) == -1) {
			rc = -1;
			break;
		}
		if (replay_path(child, depth + 1) == -1)
			rc = -1;
		free(child);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	int	 i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], 0) == -1)
			rc = 1;
	printf("replay: %zu inputs ran\n", replayed);
	return rc;
}
