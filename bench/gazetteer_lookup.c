/*
 * gazetteer_lookup: the cost of one offline lookup (gazetteer_lookup(),
 * src/geocoding/gazetteer.h) on a real gazetteer, without HTTP around it:
 *
 *	gazetteer_lookup GAZETTEER [ROUNDS [LOOKUPS]]
 *
 * Opens the file once, as geocoding.fcgi does, looks a few names up once
 * unmeasured (page faults, the statement's preparation), then runs ROUNDS
 * rounds (default 7) of LOOKUPS lookups (default 200000) cycling through
 * a list of hits (the Python service's examples, accents, case, alternate
 * names, other scripts) and misses, and prints each round's mean time per
 * lookup and the median of the rounds, in microseconds.  Read it next to
 * bench/README.md's floor: one request of the floor costs its 1 / rate.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "gazetteer.h"

#define ROUNDS_DEFAULT		7
#define LOOKUPS_DEFAULT		200000
#define ROUNDS_MAX		99

static const char *const queries[] = {
	"London", "New York", "Tokyo", "São Paulo", "sao paulo", "Köln",
	"Cologne", "PEKING", "  paris  ", "Zürich", "Łódź", "Москва",
	"Αθήνα", "東京", "Springfield", "Frankfurt am Main",
	"no such place at all", "xyzzy", "Atlantis", "qwertyuiop",
};
#define NQUERIES	(sizeof(queries) / sizeof(queries[0]))

static double
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct gazetteer	*g = NULL;
	struct geocode_place	 p;
	enum geocode_err	 e;
	double			 t0, us[ROUNDS_MAX];
	int64_t			 rounds = ROUNDS_DEFAULT, lookups = LOOKUPS_DEFAULT;
	size_t			 i, hits = 0;
	int64_t			 r, n;

	if (argc < 2 || argc > 4 ||
	    (argc > 2 && config_strtonum(argv[2], 1, ROUNDS_MAX, &rounds) != 0) ||
	    (argc > 3 && config_strtonum(argv[3], 1, 100000000, &lookups) != 0)) {
		fprintf(stderr, "usage: gazetteer_lookup GAZETTEER [ROUNDS"
		    " (1..%d) [LOOKUPS]]\n", ROUNDS_MAX);
		return 2;
	}
	if ((e = gazetteer_open(argv[1], &g)) != GEOCODE_OK) {
		fprintf(stderr, "gazetteer_lookup: %s: %s\n", argv[1],
		    geocode_strerror(e));
		return 1;
	}
	for (i = 0; i < NQUERIES; i++) {
		e = gazetteer_lookup(g, queries[i], &p);
		if (e == GEOCODE_OK)
			hits++;
		printf("%-22s %s\n", queries[i], e == GEOCODE_OK ?
		    p.display_name : geocode_strerror(e));
	}
	for (r = 0; r < rounds; r++) {
		t0 = now_us();
		for (n = 0; n < lookups; n++)
			(void)gazetteer_lookup(g, queries[n % NQUERIES], &p);
		us[r] = (now_us() - t0) / (double)lookups;
		printf("round %lld: %.2f us per lookup\n", (long long)r + 1, us[r]);
	}
	qsort(us, (size_t)rounds, sizeof(us[0]), cmp_double);
	printf("median: %.2f us per lookup (%zu of %zu queries hit)\n",
	    us[rounds / 2], hits, NQUERIES);
	gazetteer_close(g);
	return 0;
}
