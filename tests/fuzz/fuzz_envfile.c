/*
 * fuzz_envfile: config_parse_env on the text of an env file
 * (FCGI_USERS_ENV_FILE: KEY=VALUE lines, # comments, "export ", quotes).
 * The callback checks that every key and value is a C string that ends
 * inside the input's bounds (a key is non-empty, at most one line, without
 * '=' or a line break; a value at most CONFIG_VALUE_MAX bytes), that no more
 * pairs come than there are lines, and a second parse gives the same pairs.
 * A failure reports a line number within the file.  Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct seen {
	size_t		 size;		/* bytes of the input */
	size_t		 calls;
	uint64_t	 hash;		/* FNV-1a over the pairs, in order */
	int		 stop_after;	/* returns non-zero at this call; -1 never */
};

static uint64_t
fnv(uint64_t h, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff;		/* separator: "ab","c" ≠ "a","bc" */
	return h * 0x100000001b3ULL;
}

static int
cb(const char *key, const char *value, void *arg)
{
	struct seen	*st = arg;
	size_t		 klen, vlen;

	if (key == NULL || value == NULL)
		abort();
	klen = strlen(key);
	vlen = strlen(value);
	if (klen == 0 || klen > st->size || klen > CONFIG_LINE_MAX)
		abort();
	if (vlen > st->size || vlen > CONFIG_VALUE_MAX)
		abort();
	if (strpbrk(key, "=\n\r") != NULL)
		abort();
	st->hash = fnv(fnv(st->hash, key, klen), value, vlen);
	st->calls++;
	if (st->stop_after >= 0 && st->calls > (size_t)st->stop_after)
		abort();	/* a non-zero return must stop the parse */
	return st->stop_after >= 0 && st->calls == (size_t)st->stop_after;
}

/* Lines in (s, len): a last line without '\n' counts. */
static size_t
count_lines(const uint8_t *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	return n + (len > 0 && s[len - 1] != '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a;
	struct seen	 s1, s2, s3;
	enum config_err	 rc1, rc2;
	size_t		 line1 = 0, line2 = 0, line3 = 0, lines;

	if ((a = arena_new(256)) == NULL)
		abort();
	lines = count_lines(data, size);

	memset(&s1, 0, sizeof(s1));
	s1.size = size;
	s1.stop_after = -1;
	rc1 = config_parse_env((const char *)data, size, cb, &s1, &line1);
	if ((int)rc1 < 0 || rc1 >= CONFIG__MAX || config_strerror(rc1) == NULL)
		abort();
	if (rc1 != CONFIG_OK && rc1 != CONFIG_EFILE && rc1 != CONFIG_ENOMEM)
		abort();
	if (s1.calls > lines)
		abort();
	/* the line at fault; 0 only for a file over the size cap */
	if (rc1 == CONFIG_EFILE && (line1 > lines + 1 ||
	    (line1 == 0 && size <= CONFIG_ENV_FILE_MAX)))
		abort();

	s2 = s1;
	s2.calls = 0;
	s2.hash = 0;
	rc2 = config_parse_env((const char *)data, size, cb, &s2, &line2);
	if (rc2 != rc1 || s2.calls != s1.calls || s2.hash != s1.hash ||
	    (rc1 == CONFIG_EFILE && line2 != line1))
		abort();

	/* a callback that says stop is obeyed: no call after it */
	if (s1.calls > 1) {
		memset(&s3, 0, sizeof(s3));
		s3.size = size;
		s3.stop_after = 1;
		(void)config_parse_env((const char *)data, size, cb, &s3, &line3);
		if (s3.calls != 1)
			abort();
	}

	arena_free(a);
	return 0;
}
