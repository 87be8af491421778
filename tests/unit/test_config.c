/*
 * test_config: settings from an environment array and an env file
 * (src/common/config.c).  The env-file grammar (quotes, escapes, comments,
 * CRLF, BOM) and its caps; every setting's validation, named in *bad, with a
 * reason that never repeats a secret; defaults; the environment winning over
 * the file; the default env file found next to the executable's folder;
 * and config_free being safe after any failure.  Run under valgrind: every
 * path must free what it loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "unit_util.h"

#define CHECK_ERR(line, got, want) \
	CHECK_ENUM(line, enum config_err, config_strerror, got, want)

#define SECRET32	"0123456789abcdef0123456789abcdef"
#define GOOD_SECRET	"JWT_SECRET=" SECRET32

/* --- config_parse_env ------------------------------------------------------ */

/* What the callback saw: "KEY=VALUE|" for each pair, in order. */
struct seen {
	char	 buf[32768];
	size_t	 n;
	int	 calls;
	int	 fail_at;	/* return -1 on this call (1-based); 0 never */
};

static int
seen_cb(const char *key, const char *value, void *arg)
{
	struct seen	*s = arg;
	int		 w;

	s->calls++;
	if (s->fail_at != 0 && s->calls == s->fail_at)
		return -1;
	w = snprintf(s->buf + s->n, sizeof(s->buf) - s->n, "%s=%s|", key, value);
	if (w > 0 && (size_t)w < sizeof(s->buf) - s->n)
		s->n += (size_t)w;
	return 0;
}

static void
test_parse_env(void **state)
{
	static const struct {
		int		 line;
		const char	*in;
		size_t		 len;
		enum config_err	 want;
		const char	*seen;		/* when OK */
		size_t		 lineno;	/* when EFILE */
	} cases[] = {
		{ __LINE__, B("A=1\nB=2\n"), CONFIG_OK, "A=1|B=2|", 0 },
		{ __LINE__, B("A=1\nB=2"), CONFIG_OK, "A=1|B=2|", 0 },
		{ __LINE__, B(""), CONFIG_OK, "", 0 },
		{ __LINE__, B("\n\n   \n\t\n \r\n"), CONFIG_OK, "", 0 },
		{ __LINE__, B("# a comment\n   # indented = comment\nA=1\n#B=2"),
		    CONFIG_OK, "A=1|", 0 },
		{ __LINE__, B("export K=V"), CONFIG_OK, "K=V|", 0 },
		{ __LINE__, B("export   K=V\nexport\tL=W"), CONFIG_OK, "K=V|L=W|", 0 },
		{ __LINE__, B("  export K=V"), CONFIG_OK, "K=V|", 0 },
		{ __LINE__, B("export=1"), CONFIG_OK, "export=1|", 0 },
		{ __LINE__, B("exportK=V"), CONFIG_OK, "exportK=V|", 0 },
		{ __LINE__, B("K = V"), CONFIG_OK, "K=V|", 0 },
		{ __LINE__, B("  K=  v w  "), CONFIG_OK, "K=v w|", 0 },
		{ __LINE__, B("K="), CONFIG_OK, "K=|", 0 },
		{ __LINE__, B("_K1=x"), CONFIG_OK, "_K1=x|", 0 },
		{ __LINE__, B("K=a=b=c"), CONFIG_OK, "K=a=b=c|", 0 },
		/* double quotes: \n and \" and \\ escapes */
		{ __LINE__, B("K=\"a\\nb \\\"q\\\" \\\\ x\""), CONFIG_OK,
		    "K=a\nb \"q\" \\ x|", 0 },
		{ __LINE__, B("K=\"  v  \""), CONFIG_OK, "K=  v  |", 0 },
		{ __LINE__, B("K=\"\""), CONFIG_OK, "K=|", 0 },
		{ __LINE__, B("K=\"a # b\""), CONFIG_OK, "K=a # b|", 0 },
		{ __LINE__, B("K=\"v\" # comment"), CONFIG_OK, "K=v|", 0 },
		{ __LINE__, B("K=\"v\"   "), CONFIG_OK, "K=v|", 0 },
		{ __LINE__, B("K=\"a'b\""), CONFIG_OK, "K=a'b|", 0 },
		/* single quotes are literal */
		{ __LINE__, B("K='a\\nb \"q\" $X'"), CONFIG_OK, "K=a\\nb \"q\" $X|", 0 },
		{ __LINE__, B("K='#x'"), CONFIG_OK, "K=#x|", 0 },
		/* unquoted: " #" starts a comment, a '#' inside a word does not */
		{ __LINE__, B("K=v # comment"), CONFIG_OK, "K=v|", 0 },
		{ __LINE__, B("K=v\t# comment"), CONFIG_OK, "K=v|", 0 },
		{ __LINE__, B("K=v#not"), CONFIG_OK, "K=v#not|", 0 },
		{ __LINE__, B("K=#x"), CONFIG_OK, "K=#x|", 0 },
		/* CRLF line ends, and a BOM */
		{ __LINE__, B("A=1\r\nB=\"2\"\r\n# c\r\n"), CONFIG_OK, "A=1|B=2|", 0 },
		{ __LINE__, B("\xef\xbb\xbf" "A=1\n"), CONFIG_OK, "A=1|", 0 },
		/* repeated keys are all handed on; the caller keeps the last */
		{ __LINE__, B("A=1\nA=2"), CONFIG_OK, "A=1|A=2|", 0 },
		/* --- refused, with the line number --- */
		{ __LINE__, B("noequals"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("A=1\nnoequals\nB=2"), CONFIG_EFILE, NULL, 2 },
		{ __LINE__, B("A=1\r\n\r\nbad line\r\n"), CONFIG_EFILE, NULL, 3 },
		{ __LINE__, B("export"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("export K"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("1X=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("A=1\n1X="), CONFIG_EFILE, NULL, 2 },
		{ __LINE__, B("A B=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B(" =1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("A-B=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("A.B=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("\xc3\xa9=1"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K=\"abc"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("A=1\nK='abc\nB=2"), CONFIG_EFILE, NULL, 2 },
		{ __LINE__, B("K=\"a\\\""), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K=\"multi\nline\""), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K=\"abc\"x"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K='a' b"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K=\"a\"\"b\""), CONFIG_EFILE, NULL, 1 },
		/* NUL bytes */
		{ __LINE__, B("A=1\nB=x\0y\n"), CONFIG_EFILE, NULL, 2 },
		{ __LINE__, B("A=1\n\0\n"), CONFIG_EFILE, NULL, 2 },
		{ __LINE__, B("# comment \0 too\n"), CONFIG_EFILE, NULL, 1 },
		{ __LINE__, B("K=\"a\0\"\n"), CONFIG_EFILE, NULL, 1 },
		/* a key longer than 128 */
		{ __LINE__, B("KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"
		    "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK=1"),
		    CONFIG_EFILE, NULL, 1 },
	};
	struct seen	*s;
	size_t		 i, lineno;
	enum config_err	 e;

	(void)state;
	assert_non_null(s = calloc(1, sizeof(*s)));
	for (i = 0; i < NCASES(cases); i++) {
		memset(s, 0, sizeof(*s));
		lineno = 999;
		e = config_parse_env(cases[i].in, cases[i].len, seen_cb, s, &lineno);
		CHECK_ERR(cases[i].line, e, cases[i].want);
		if (cases[i].want == CONFIG_OK)
			CHECK_STR(cases[i].line, s->buf, cases[i].seen);
		else
			CHECK_INT(cases[i].line, lineno, cases[i].lineno);
	}
	/* lineno may be NULL */
	CHECK_ERR(__LINE__, config_parse_env(B("bad"), seen_cb, s, NULL), CONFIG_EFILE);
	CHECK_ERR(__LINE__, config_parse_env(B("A=1"), seen_cb, s, NULL), CONFIG_OK);
	free(s);
	DONE();
}

/* A callback that fails stops the parse. */
static void
test_parse_env_cb_fails(void **state)
{
	struct seen	*s;
	size_t		 lineno = 0;

	(void)state;
	assert_non_null(s = calloc(1, sizeof(*s)));
	s->fail_at = 2;
	CHECK_ERR(__LINE__, config_parse_env(B("A=1\nB=2\nC=3\n"), seen_cb, s, &lineno),
	    CONFIG_ENOMEM);
	CHECK_INT(__LINE__, s->calls, 2);
	CHECK_STR(__LINE__, s->buf, "A=1|");
	free(s);
	DONE();
}

/* Lines and files at and over their caps. */
static void
test_parse_env_caps(void **state)
{
	static const struct {
		int		 line;
		size_t		 linelen;	/* bytes of the long line, '\n' excluded */
		size_t		 at;		/* its line number */
		int		 crlf;
		enum config_err	 want;
	} cases[] = {
		{ __LINE__, 100, 1, 0, CONFIG_OK },
		{ __LINE__, CONFIG_LINE_MAX, 1, 0, CONFIG_OK },
		{ __LINE__, CONFIG_LINE_MAX, 3, 0, CONFIG_OK },
		{ __LINE__, CONFIG_LINE_MAX + 1, 1, 0, CONFIG_EFILE },
		{ __LINE__, CONFIG_LINE_MAX + 1, 3, 0, CONFIG_EFILE },
		{ __LINE__, CONFIG_LINE_MAX * 3, 2, 0, CONFIG_EFILE },
		{ __LINE__, CONFIG_LINE_MAX * 3, 2, 1, CONFIG_EFILE },
	};
	struct seen	*s;
	char		*buf;
	size_t		 i, k, n, lineno;

	(void)state;
	assert_non_null(s = calloc(1, sizeof(*s)));
	for (i = 0; i < NCASES(cases); i++) {
		assert_non_null(buf = malloc(cases[i].linelen + 64));
		n = 0;
		for (k = 1; k < cases[i].at; k++)
			n += (size_t)sprintf(buf + n, "A%zu=1\n", k);
		/* "L=vvvv…" of exactly linelen bytes (the CR counts) */
		buf[n++] = 'L';
		buf[n++] = '=';
		for (k = 2; k < cases[i].linelen - (cases[i].crlf ? 1 : 0); k++)
			buf[n++] = 'v';
		if (cases[i].crlf)
			buf[n++] = '\r';
		buf[n++] = '\n';
		memset(s, 0, sizeof(*s));
		lineno = 0;
		CHECK_ERR(cases[i].line, config_parse_env(buf, n, seen_cb, s, &lineno),
		    cases[i].want);
		if (cases[i].want != CONFIG_OK)
			CHECK_INT(cases[i].line, lineno, cases[i].at);
		free(buf);
	}

	/* A file of exactly CONFIG_ENV_FILE_MAX bytes is read; one more is not. */
	assert_non_null(buf = malloc(CONFIG_ENV_FILE_MAX + 2));
	memset(buf, '\n', CONFIG_ENV_FILE_MAX + 1);
	memcpy(buf, "A=1\n", 4);
	memset(s, 0, sizeof(*s));
	CHECK_ERR(__LINE__, config_parse_env(buf, CONFIG_ENV_FILE_MAX, seen_cb, s,
	    &lineno), CONFIG_OK);
	CHECK_STR(__LINE__, s->buf, "A=1|");
	memset(s, 0, sizeof(*s));
	lineno = 999;
	CHECK_ERR(__LINE__, config_parse_env(buf, CONFIG_ENV_FILE_MAX + 1, seen_cb, s,
	    &lineno), CONFIG_EFILE);
	CHECK_INT(__LINE__, lineno, 0);		/* refused before any line */
	CHECK_INT(__LINE__, s->calls, 0);
	free(buf);
	free(s);
	DONE();
}

/* --- config_strtonum, config_sqlite_path ------------------------------------ */

static void
test_strtonum(void **state)
{
	static const struct {
		int		 line;
		const char	*s;
		int64_t		 min, max;
		int		 rc;
		int64_t		 want;
	} cases[] = {
		{ __LINE__, "0", 0, 10, 0, 0 },
		{ __LINE__, "10", 0, 10, 0, 10 },
		{ __LINE__, "7", 7, 7, 0, 7 },
		{ __LINE__, "-5", -5, 5, 0, -5 },
		{ __LINE__, "9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX },
		{ __LINE__, "-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN },
		{ __LINE__, "0010", 0, 100, 0, 10 },
		/* out of bounds */
		{ __LINE__, "11", 0, 10, -1, 0 },
		{ __LINE__, "-1", 0, 10, -1, 0 },
		{ __LINE__, "-6", -5, 5, -1, 0 },
		{ __LINE__, "6", 7, 7, -1, 0 },
		{ __LINE__, "9223372036854775808", INT64_MIN, INT64_MAX, -1, 0 },
		{ __LINE__, "-9223372036854775809", INT64_MIN, INT64_MAX, -1, 0 },
		{ __LINE__, "99999999999999999999999", INT64_MIN, INT64_MAX, -1, 0 },
		/* not a whole integer */
		{ __LINE__, "", 0, 10, -1, 0 },
		{ __LINE__, NULL, 0, 10, -1, 0 },
		{ __LINE__, " 1", 0, 10, -1, 0 },
		{ __LINE__, "\t1", 0, 10, -1, 0 },
		{ __LINE__, "\n1", 0, 10, -1, 0 },
		{ __LINE__, "1 ", 0, 10, -1, 0 },
		{ __LINE__, "1\n", 0, 10, -1, 0 },
		{ __LINE__, "1x", 0, 10, -1, 0 },
		{ __LINE__, "x1", 0, 10, -1, 0 },
		{ __LINE__, "1.5", 0, 10, -1, 0 },
		{ __LINE__, "1e3", 0, 10000, -1, 0 },
		{ __LINE__, "0x10", 0, 100, -1, 0 },
		{ __LINE__, "-", -10, 10, -1, 0 },
		{ __LINE__, "--1", -10, 10, -1, 0 },
	};
	size_t	 i;
	int64_t	 out;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		out = 424242;
		CHECK_INT(cases[i].line, config_strtonum(cases[i].s, cases[i].min,
		    cases[i].max, &out), cases[i].rc);
		/* *out is set on success only */
		CHECK_INT(cases[i].line, out, cases[i].rc == 0 ? cases[i].want : 424242);
	}
	DONE();
}

static void
test_sqlite_path(void **state)
{
	static const struct {
		int line; const char *url; const char *want;
	} cases[] = {
		{ __LINE__, "sqlite:///./fastapi_users.db", "./fastapi_users.db" },
		{ __LINE__, "sqlite:////tmp/a.db", "/tmp/a.db" },
		{ __LINE__, "sqlite:///rel/a.db", "rel/a.db" },
		{ __LINE__, "sqlite+aiosqlite:///./x.db", "./x.db" },
		{ __LINE__, "sqlite+aiosqlite:////abs/x.db", "/abs/x.db" },
		{ __LINE__, "sqlite+pysqlite:///y.db", "y.db" },
		{ __LINE__, "sqlite:///x.db?mode=ro", "x.db" },
		{ __LINE__, "sqlite:///:memory:", ":memory:" },
		{ __LINE__, "./plain.db", "./plain.db" },
		{ __LINE__, "/var/lib/fcgi-users/users.db", "/var/lib/fcgi-users/users.db" },
		{ __LINE__, "users.db", "users.db" },
		/* not SQLite, or no file */
		{ __LINE__, NULL, NULL },
		{ __LINE__, "", NULL },
		{ __LINE__, "sqlite:///", NULL },
		{ __LINE__, "sqlite:///?mode=ro", NULL },
		{ __LINE__, "?x", NULL },
		{ __LINE__, "sqlite://", NULL },
		{ __LINE__, "sqlite://host/x.db", NULL },
		{ __LINE__, "postgresql://user:pw@localhost/db", NULL },
		{ __LINE__, "postgresql+asyncpg://u@h/db", NULL },
		{ __LINE__, "mysql://u@h/db", NULL },
		{ __LINE__, "file:///tmp/x.db", NULL },
	};
	size_t	 i;
	char	*p;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		p = config_sqlite_path(cases[i].url);
		CHECK_STR(cases[i].line, p, cases[i].want);
		free(p);
	}
	DONE();
}

/* --- config_load ------------------------------------------------------------ */

#define MAXENV	8

struct load_case {
	int		 line;
	const char	*env[MAXENV];
	enum config_err	 want;
	const char	*bad;		/* expected *bad, or NULL */
	const char	*why_has;	/* a substring of why, or NULL */
};

/* Runs config_load on a NULL-terminated copy of env; returns its result. */
static enum config_err
load(const char *const *env, struct config *c, const char **bad, char *why,
    size_t whylen)
{
	char	*e[MAXENV + 1];
	size_t	 i;

	for (i = 0; i < MAXENV && env[i] != NULL; i++)
		e[i] = (char *)env[i];
	e[i] = NULL;
	return config_load(c, e, bad, why, whylen);
}

static void
run_load_cases(const struct load_case *cases, size_t n)
{
	struct config	 c;
	const char	*bad;
	char		 why[256];
	size_t		 i;
	enum config_err	 e;

	for (i = 0; i < n; i++) {
		bad = "unset";
		memset(why, 'X', sizeof(why));
		e = load(cases[i].env, &c, &bad, why, sizeof(why));
		CHECK_ERR(cases[i].line, e, cases[i].want);
		CHECK_STR(cases[i].line, bad, cases[i].bad);
		CHECK(cases[i].line, memchr(why, '\0', sizeof(why)) != NULL);
		if (e == CONFIG_OK)
			CHECK_STR(cases[i].line, why, "");
		else
			CHECK(cases[i].line, why[0] != '\0');
		if (cases[i].why_has != NULL && strstr(why, cases[i].why_has) == NULL) {
			print_error("%s:%d: why \"%s\" lacks \"%s\"\n", __FILE__,
			    cases[i].line, why, cases[i].why_has);
			failures++;
		}
		config_free(&c);
		config_free(&c);	/* twice is harmless */
	}
}

static void
test_load_defaults(void **state)
{
	static char	*env[] = { (char *)GOOD_SECRET, (char *)"PATH=/bin", NULL };
	struct config	 c;
	const char	*bad = "unset";
	char		 why[256];

	(void)state;
	CHECK_ERR(__LINE__, config_load(&c, env, &bad, why, sizeof(why)), CONFIG_OK);
	CHECK_STR(__LINE__, bad, NULL);
	CHECK_STR(__LINE__, c.jwt_secret, SECRET32);
	CHECK_STR(__LINE__, c.jwt_algorithm, "HS256");
	CHECK_INT(__LINE__, c.jwt_expire_minutes, 60);
	CHECK_INT(__LINE__, c.refresh_token_days, 30);
	CHECK_STR(__LINE__, c.jwt_issuer, NULL);
	CHECK_STR(__LINE__, c.database_path, "./fastapi_users.db");
	CHECK(__LINE__, c.database_url != NULL);
	CHECK_INT(__LINE__, c.db_busy_timeout_ms, 5000);
	CHECK_STR(__LINE__, c.cors_allowed_origins, "*");
	CHECK_INT(__LINE__, c.max_body_bytes, 1048576);
	CHECK_STR(__LINE__, c.base_path, "");
	CHECK_STR(__LINE__, c.app_name, "FastAPI Application");
	CHECK_INT(__LINE__, c.env, CONFIG_ENV_DEVELOPMENT);
	CHECK_STR(__LINE__, c.env_name, "development");
	CHECK_INT(__LINE__, c.log_level, LOG_LEVEL_INFO);
	CHECK_STR(__LINE__, c.log_level_name, "INFO");
	CHECK_STR(__LINE__, c.api_key, NULL);
	CHECK_STR(__LINE__, c.gazetteer_path, "./gazetteer.db");
	config_free(&c);
	CHECK(__LINE__, c.jwt_secret == NULL && c.database_path == NULL);
	config_free(NULL);
	CHECK_STR(__LINE__, config_strerror(CONFIG__MAX), "unknown error");
	CHECK(__LINE__, config_strerror(CONFIG_EFILE) != NULL);
	DONE();
}

static void
test_load_values(void **state)
{
	static const struct {
		int		 line;
		const char	*env[4];
		/* what to look at, and what it should be */
		size_t		 off;
		int		 is_int;
		const char	*s;
		int64_t		 n;
	} cases[] = {
#define OFF(f)	offsetof(struct config, f)
		{ __LINE__, { GOOD_SECRET, "JWT_ALGORITHM=hs256" }, OFF(jwt_algorithm), 0, "HS256", 0 },
		{ __LINE__, { GOOD_SECRET, "JWT_ALGORITHM=eddsa" }, OFF(jwt_algorithm), 0, "EdDSA", 0 },
		{ __LINE__, { GOOD_SECRET, "JWT_ALGORITHM=RS256" }, OFF(jwt_algorithm), 0, "RS256", 0 },
		{ __LINE__, { GOOD_SECRET, "JWT_EXPIRE_MINUTES=1" }, OFF(jwt_expire_minutes), 1, NULL, 1 },
		{ __LINE__, { GOOD_SECRET, "JWT_EXPIRE_MINUTES=525600" }, OFF(jwt_expire_minutes), 1, NULL, 525600 },
		{ __LINE__, { GOOD_SECRET, "REFRESH_TOKEN_DAYS=1" }, OFF(refresh_token_days), 1, NULL, 1 },
		{ __LINE__, { GOOD_SECRET, "REFRESH_TOKEN_DAYS=3650" }, OFF(refresh_token_days), 1, NULL, 3650 },
		{ __LINE__, { GOOD_SECRET, "JWT_ISSUER=https://id.example" }, OFF(jwt_issuer), 0, "https://id.example", 0 },
		{ __LINE__, { GOOD_SECRET, "ENV=production" }, OFF(env), 2, NULL, CONFIG_ENV_PRODUCTION },
		{ __LINE__, { GOOD_SECRET, "ENV=Staging" }, OFF(env), 2, NULL, CONFIG_ENV_STAGING },
		{ __LINE__, { GOOD_SECRET, "ENV=PRODUCTION" }, OFF(env_name), 0, "production", 0 },
		{ __LINE__, { GOOD_SECRET, "LOG_LEVEL=debug" }, OFF(log_level), 2, NULL, LOG_LEVEL_DEBUG },
		{ __LINE__, { GOOD_SECRET, "LOG_LEVEL=Warning" }, OFF(log_level_name), 0, "WARNING", 0 },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=sqlite:////tmp/a.db" }, OFF(database_path), 0, "/tmp/a.db", 0 },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=sqlite+aiosqlite:///./x.db" }, OFF(database_path), 0, "./x.db", 0 },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=/srv/u.db" }, OFF(database_path), 0, "/srv/u.db", 0 },
		/* PostgreSQL: libpq's URL, SQLAlchemy's driver names dropped */
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgresql://u:p@db:5433/fu" },
		    OFF(database_path), 0, "postgresql://u:p@db:5433/fu", 0 },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgres://db/fu?sslmode=require" },
		    OFF(database_path), 0, "postgresql://db/fu?sslmode=require", 0 },
		/* RATE_LIMIT_STORE: the zone with SQLite, the table with PostgreSQL */
		{ __LINE__, { GOOD_SECRET }, OFF(rate_limit_store), 2, NULL,
		    CONFIG_RATE_LIMIT_SHARED },
		{ __LINE__, { GOOD_SECRET, "RATE_LIMIT_STORE=Database" }, OFF(rate_limit_store), 2,
		    NULL, CONFIG_RATE_LIMIT_DATABASE },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgresql://u@h/fu" },
		    OFF(rate_limit_store), 2, NULL, CONFIG_RATE_LIMIT_DATABASE },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgres://u@h/fu",
		    "RATE_LIMIT_STORE=database" }, OFF(rate_limit_store), 2, NULL,
		    CONFIG_RATE_LIMIT_DATABASE },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=/srv/u.db",
		    "RATE_LIMIT_STORE=shared-memory" }, OFF(rate_limit_store), 2, NULL,
		    CONFIG_RATE_LIMIT_SHARED },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgresql+asyncpg://u@h/fu" },
		    OFF(database_path), 0, "postgresql://u@h/fu", 0 },
		{ __LINE__, { GOOD_SECRET, "DATABASE_URL=postgresql+psycopg2://x" },
		    OFF(database_path), 0, "postgresql://x", 0 },
		{ __LINE__, { GOOD_SECRET, "BASE_PATH=/api" }, OFF(base_path), 0, "/api", 0 },
		{ __LINE__, { GOOD_SECRET, "BASE_PATH=/api/v1" }, OFF(base_path), 0, "/api/v1", 0 },
		{ __LINE__, { GOOD_SECRET, "BASE_PATH=" }, OFF(base_path), 0, "", 0 },
		{ __LINE__, { GOOD_SECRET, "API_KEY=abcdefgh" }, OFF(api_key), 0, "abcdefgh", 0 },
		{ __LINE__, { GOOD_SECRET, "MAX_REQUEST_BODY_BYTES=1024" }, OFF(max_body_bytes), 1, NULL, 1024 },
		{ __LINE__, { GOOD_SECRET, "CORS_ALLOWED_ORIGINS=https://a.example,https://b.example" },
		    OFF(cors_allowed_origins), 0, "https://a.example,https://b.example", 0 },
		{ __LINE__, { GOOD_SECRET, "APP_NAME=Geo" }, OFF(app_name), 0, "Geo", 0 },
		{ __LINE__, { GOOD_SECRET, "GAZETTEER_PATH=/srv/geo/cities500.db" },
		    OFF(gazetteer_path), 0, "/srv/geo/cities500.db", 0 },
		/* a name is matched whole: JWT_SECRET_FILE is not JWT_SECRET */
		{ __LINE__, { "JWT_SECRET_X=short", GOOD_SECRET }, OFF(jwt_secret), 0, SECRET32, 0 },
#undef OFF
	};
	struct config	 c;
	const char	*bad;
	char		 why[256];
	size_t		 i;
	enum config_err	 e;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		e = load(cases[i].env, &c, &bad, why, sizeof(why));
		CHECK_ERR(cases[i].line, e, CONFIG_OK);
		if (e == CONFIG_OK) {
			if (cases[i].is_int == 1)
				CHECK_INT(cases[i].line,
				    *(int64_t *)((char *)&c + cases[i].off), cases[i].n);
			else if (cases[i].is_int == 2)
				CHECK_INT(cases[i].line,
				    *(int *)((char *)&c + cases[i].off), cases[i].n);
			else
				CHECK_STR(cases[i].line,
				    *(char **)((char *)&c + cases[i].off), cases[i].s);
		} else
			print_error("%s:%d: bad %s: %s\n", __FILE__, cases[i].line,
			    bad, why);
		config_free(&c);
	}
	DONE();
}

#define S	GOOD_SECRET

static void
test_load_errors(void **state)
{
	static const struct load_case cases[] = {
		/* JWT_SECRET */
		{ __LINE__, { NULL }, CONFIG_EMISSING, "JWT_SECRET", "required" },
		{ __LINE__, { "PATH=/bin", "JWT_SECRETX=" SECRET32 }, CONFIG_EMISSING,
		    "JWT_SECRET", NULL },
		{ __LINE__, { "JWT_SECRET=0123456789abcdef0123456789abcde" }, CONFIG_EINVALID,
		    "JWT_SECRET", "32" },
		{ __LINE__, { "JWT_SECRET=" }, CONFIG_EINVALID, "JWT_SECRET", NULL },
		{ __LINE__, { "JWT_SECRET=                                " }, CONFIG_EINVALID,
		    "JWT_SECRET", "must not be blank" },
		{ __LINE__, { "JWT_SECRET= \t\n\r \t\n\r \t\n\r \t\n\r \t\n\r \t\n\r \t\n\r \t\n\r" },
		    CONFIG_EINVALID, "JWT_SECRET", "must not be blank" },
		/* JWT_EXPIRE_MINUTES */
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=abc" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=0" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=-5" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=99999999999" }, CONFIG_EINVALID,
		    "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=525601" }, CONFIG_EINVALID,
		    "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES= 5" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=5 " }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=1.5" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=0x10" }, CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL },
		{ __LINE__, { S, "REFRESH_TOKEN_DAYS=0" }, CONFIG_EINVALID, "REFRESH_TOKEN_DAYS", NULL },
		{ __LINE__, { S, "REFRESH_TOKEN_DAYS=3651" }, CONFIG_EINVALID, "REFRESH_TOKEN_DAYS", NULL },
		{ __LINE__, { S, "REFRESH_TOKEN_DAYS=-30" }, CONFIG_EINVALID, "REFRESH_TOKEN_DAYS", NULL },
		{ __LINE__, { S, "REFRESH_TOKEN_DAYS=30d" }, CONFIG_EINVALID, "REFRESH_TOKEN_DAYS", NULL },
		/* JWT_ALGORITHM */
		{ __LINE__, { S, "JWT_ALGORITHM=none" }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=None" }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=" }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=HS256 " }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=HS1" }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=RS256x" }, CONFIG_EINVALID, "JWT_ALGORITHM", NULL },
		/* LOG_LEVEL, ENV */
		{ __LINE__, { S, "LOG_LEVEL=verbose" }, CONFIG_EINVALID, "LOG_LEVEL", NULL },
		{ __LINE__, { S, "LOG_LEVEL=" }, CONFIG_EINVALID, "LOG_LEVEL", NULL },
		{ __LINE__, { S, "ENV=prod" }, CONFIG_EINVALID, "ENV", NULL },
		{ __LINE__, { S, "ENV=" }, CONFIG_EINVALID, "ENV", NULL },
		/* DATABASE_URL */
		{ __LINE__, { S, "DATABASE_URL=postgresql://u@h/db?nosuchparam=1" }, CONFIG_EINVALID,
		    "DATABASE_URL", "not a valid PostgreSQL URL" },
		{ __LINE__, { S, "DATABASE_URL=postgresql://u@h/db?sslmode" }, CONFIG_EINVALID,
		    "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=postgresql://u@h/%zz" }, CONFIG_EINVALID,
		    "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=postgresql+://u@h/db" }, CONFIG_EINVALID,
		    "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=postgresql+Async://u@h/db" }, CONFIG_EINVALID,
		    "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=mysql://u@h/db" }, CONFIG_EINVALID, "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=sqlite://" }, CONFIG_EINVALID, "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=sqlite:///" }, CONFIG_EINVALID, "DATABASE_URL", NULL },
		{ __LINE__, { S, "DATABASE_URL=" }, CONFIG_EINVALID, "DATABASE_URL", NULL },
		/* RATE_LIMIT_STORE: a zone per host would give each host a quota */
		{ __LINE__, { S, "DATABASE_URL=postgresql://u@h/db",
		    "RATE_LIMIT_STORE=shared-memory" }, CONFIG_EINVALID, "RATE_LIMIT_STORE",
		    "per host" },
		{ __LINE__, { S, "RATE_LIMIT_STORE=postgresql://u@h/db",
		    "DATABASE_URL=postgres://u@h/db" }, CONFIG_EINVALID, "RATE_LIMIT_STORE", NULL },
		{ __LINE__, { S, "RATE_LIMIT_STORE=redis" }, CONFIG_EINVALID, "RATE_LIMIT_STORE", NULL },
		{ __LINE__, { S, "RATE_LIMIT_STORE=" }, CONFIG_EINVALID, "RATE_LIMIT_STORE", NULL },
		/* BASE_PATH */
		{ __LINE__, { S, "BASE_PATH=/api/" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		{ __LINE__, { S, "BASE_PATH=/" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		{ __LINE__, { S, "BASE_PATH=api" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		{ __LINE__, { S, "BASE_PATH=/a pi" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		{ __LINE__, { S, "BASE_PATH=/api?x=1" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		{ __LINE__, { S, "BASE_PATH=/a%70i" }, CONFIG_EINVALID, "BASE_PATH", NULL },
		/* API_KEY */
		{ __LINE__, { S, "API_KEY=short" }, CONFIG_EINVALID, "API_KEY", NULL },
		{ __LINE__, { S, "API_KEY=" }, CONFIG_EINVALID, "API_KEY", NULL },
		{ __LINE__, { S, "API_KEY=          " }, CONFIG_EINVALID, "API_KEY",
		    "must not be blank" },
		/* the rest */
		{ __LINE__, { S, "MAX_REQUEST_BODY_BYTES=1023" }, CONFIG_EINVALID,
		    "MAX_REQUEST_BODY_BYTES", NULL },
		{ __LINE__, { S, "DB_BUSY_TIMEOUT_MS=-1" }, CONFIG_EINVALID, "DB_BUSY_TIMEOUT_MS", NULL },
		{ __LINE__, { S, "APP_NAME=" }, CONFIG_EINVALID, "APP_NAME", NULL },
		{ __LINE__, { S, "GAZETTEER_PATH=" }, CONFIG_EINVALID, "GAZETTEER_PATH", NULL },
		{ __LINE__, { S, "APP_NAME=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }, CONFIG_EINVALID,
		    "APP_NAME", NULL },
		/* an error after settings that loaded: they are freed (valgrind) */
		{ __LINE__, { S, "JWT_ISSUER=https://x", "DATABASE_URL=sqlite:///ok.db",
		    "API_KEY=bad" }, CONFIG_EINVALID, "API_KEY", NULL },
	};

	(void)state;
	run_load_cases(cases, NCASES(cases));
	DONE();
}

/* The reason names what is wrong, never the value. */
static void
test_load_why_has_no_secret(void **state)
{
	static const struct {
		int line; const char *env[3]; const char *secret;
	} cases[] = {
		{ __LINE__, { "JWT_SECRET=TOPSECRET-distinctive-42" }, "TOPSECRET" },
		{ __LINE__, { S, "API_KEY=K3YSECR" }, "K3YSECR" },
		{ __LINE__, { S, "API_KEY=\t \t \t \t \t" }, NULL },
		{ __LINE__, { S, "JWT_ALGORITHM=SECRETALG" }, "SECRETALG" },
		{ __LINE__, { S, "DATABASE_URL=postgresql://admin:HUNTER2@db/x?bad=1" }, "HUNTER2" },
		{ __LINE__, { S, "DATABASE_URL=postgresql://admin:HUNTER2@db/%zz" }, "HUNTER2" },
		{ __LINE__, { S, "JWT_EXPIRE_MINUTES=PASSW0RD" }, "PASSW0RD" },
	};
	struct config	 c;
	const char	*bad, *secret;
	char		 why[512], *big;
	size_t		 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		secret = cases[i].secret != NULL ? cases[i].secret : "TOPSECRET";
		CHECK(cases[i].line, load(cases[i].env, &c, &bad, why, sizeof(why)) !=
		    CONFIG_OK);
		CHECK(cases[i].line, strstr(why, secret) == NULL);
		CHECK(cases[i].line, strstr(why, SECRET32) == NULL);
		config_free(&c);
	}
	/* A secret over the 4096-byte cap. */
	assert_non_null(big = malloc(5000 + 12));
	memcpy(big, "JWT_SECRET=", 11);
	memset(big + 11, 'Q', 5000);
	big[5011] = '\0';
	{
		const char *env[2] = { big, NULL };

		CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_EINVALID);
		CHECK(__LINE__, strstr(why, "QQQQ") == NULL);
		config_free(&c);
	}
	free(big);
	DONE();
}

/* --- env file --------------------------------------------------------------- */

/* Writes text to a fresh temporary file; returns "FCGI_USERS_ENV_FILE=<path>". */
static char *
env_file(const char *text, size_t len)
{
	char	 path[] = "/tmp/test_config.XXXXXX", *var;
	int	 fd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_true(write(fd, text, len) == (ssize_t)len);
	close(fd);
	assert_true(asprintf(&var, "FCGI_USERS_ENV_FILE=%s", path) > 0);
	return var;
}

static void
env_file_rm(char *var)
{
	unlink(strchr(var, '=') + 1);
	free(var);
}

static void
test_load_env_file(void **state)
{
	static const struct {
		int		 line;
		const char	*file;
		const char	*env[3];	/* besides FCGI_USERS_ENV_FILE */
		enum config_err	 want;
		const char	*bad;
		const char	*why_has;
		int64_t		 minutes;	/* when OK */
		const char	*secret;	/* when OK */
	} cases[] = {
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", { NULL }, CONFIG_OK, NULL, NULL,
		    60, SECRET32 },
		{ __LINE__, "# deployment\r\nexport JWT_SECRET=\"" SECRET32 "\"\r\n",
		    { NULL }, CONFIG_OK, NULL, NULL, 60, SECRET32 },
		{ __LINE__, "JWT_SECRET='" SECRET32 "' # set by ops\nOTHER_PROGRAM=1\n",
		    { NULL }, CONFIG_OK, NULL, NULL, 60, SECRET32 },
		/* the file gives, the environment overrides */
		{ __LINE__, "JWT_SECRET=" SECRET32 "\nJWT_EXPIRE_MINUTES=30\n", { NULL },
		    CONFIG_OK, NULL, NULL, 30, SECRET32 },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\nJWT_EXPIRE_MINUTES=30\n",
		    { "JWT_EXPIRE_MINUTES=15" }, CONFIG_OK, NULL, NULL, 15, SECRET32 },
		{ __LINE__, "JWT_SECRET=file-secret-file-secret-file-secret!!\n",
		    { S }, CONFIG_OK, NULL, NULL, 60, SECRET32 },
		/* the last of repeated keys wins */
		{ __LINE__, "JWT_SECRET=" SECRET32 "\nJWT_EXPIRE_MINUTES=30\n"
		    "JWT_EXPIRE_MINUTES=45\n", { NULL }, CONFIG_OK, NULL, NULL, 45, SECRET32 },
		/* a bad value in the file is reported like one in the environment */
		{ __LINE__, "JWT_SECRET=" SECRET32 "\nJWT_EXPIRE_MINUTES=abc\n", { NULL },
		    CONFIG_EINVALID, "JWT_EXPIRE_MINUTES", NULL, 0, NULL },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\nJWT_EXPIRE_MINUTES=abc\n",
		    { "JWT_EXPIRE_MINUTES=5" }, CONFIG_OK, NULL, NULL, 5, SECRET32 },
		{ __LINE__, "JWT_SECRET=short\n", { NULL }, CONFIG_EINVALID, "JWT_SECRET",
		    NULL, 0, NULL },
		{ __LINE__, "", { NULL }, CONFIG_EMISSING, "JWT_SECRET", NULL, 0, NULL },
		/* a malformed file: the line number, never the line */
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n\nthis is not a setting\n", { S },
		    CONFIG_EFILE, "FCGI_USERS_ENV_FILE", "line 3", 0, NULL },
		{ __LINE__, "JWT_SECRET=\"" SECRET32 "\n", { S },
		    CONFIG_EFILE, "FCGI_USERS_ENV_FILE", "line 1", 0, NULL },
		{ __LINE__, "A=1\nB=2\nC=3\nD=4\nJWT_SECRET=\"" SECRET32 "\"x\n", { S },
		    CONFIG_EFILE, "FCGI_USERS_ENV_FILE", "line 5", 0, NULL },
	};
	struct config	 c;
	const char	*env[5], *bad;
	char		 why[256], *var;
	size_t		 i, k;
	enum config_err	 e;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		var = env_file(cases[i].file, strlen(cases[i].file));
		env[0] = var;
		for (k = 0; k < 3 && cases[i].env[k] != NULL; k++)
			env[k + 1] = cases[i].env[k];
		env[k + 1] = NULL;
		bad = "unset";
		e = load(env, &c, &bad, why, sizeof(why));
		CHECK_ERR(cases[i].line, e, cases[i].want);
		CHECK_STR(cases[i].line, bad, cases[i].bad);
		if (cases[i].why_has != NULL && strstr(why, cases[i].why_has) == NULL) {
			print_error("%s:%d: why \"%s\" lacks \"%s\"\n", __FILE__,
			    cases[i].line, why, cases[i].why_has);
			failures++;
		}
		CHECK(cases[i].line, strstr(why, SECRET32) == NULL);
		if (e == CONFIG_OK && cases[i].want == CONFIG_OK) {
			CHECK_INT(cases[i].line, c.jwt_expire_minutes, cases[i].minutes);
			CHECK_STR(cases[i].line, c.jwt_secret, cases[i].secret);
		}
		config_free(&c);
		env_file_rm(var);
	}
	DONE();
}

static void
test_load_env_file_unreadable(void **state)
{
	struct config	 c;
	const char	*env[3], *bad;
	char		 why[256], *var, *big;
	enum config_err	 e;

	(void)state;
	/* missing */
	env[0] = "FCGI_USERS_ENV_FILE=/nonexistent/fcgi-users/test.env";
	env[1] = S;
	env[2] = NULL;
	CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_EFILE);
	CHECK_STR(__LINE__, bad, "FCGI_USERS_ENV_FILE");
	CHECK(__LINE__, why[0] != '\0');
	config_free(&c);
	/* a directory */
	env[0] = "FCGI_USERS_ENV_FILE=/tmp";
	CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_EFILE);
	CHECK_STR(__LINE__, bad, "FCGI_USERS_ENV_FILE");
	config_free(&c);
	/* a device */
	env[0] = "FCGI_USERS_ENV_FILE=/dev/zero";
	CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_EFILE);
	config_free(&c);
	/* empty: no file */
	env[0] = "FCGI_USERS_ENV_FILE=";
	CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_OK);
	config_free(&c);
	/* over CONFIG_ENV_FILE_MAX */
	assert_non_null(big = malloc(CONFIG_ENV_FILE_MAX + 1));
	memset(big, '\n', CONFIG_ENV_FILE_MAX + 1);
	memcpy(big, GOOD_SECRET, strlen(GOOD_SECRET));
	var = env_file(big, CONFIG_ENV_FILE_MAX + 1);
	env[0] = var;
	e = load(env, &c, &bad, why, sizeof(why));
	CHECK_ERR(__LINE__, e, CONFIG_EFILE);
	CHECK_STR(__LINE__, bad, "FCGI_USERS_ENV_FILE");
	config_free(&c);
	env_file_rm(var);
	/* exactly CONFIG_ENV_FILE_MAX is fine */
	var = env_file(big, CONFIG_ENV_FILE_MAX);
	env[0] = var;
	env[1] = NULL;
	CHECK_ERR(__LINE__, load(env, &c, &bad, why, sizeof(why)), CONFIG_OK);
	CHECK_STR(__LINE__, c.jwt_secret, SECRET32);
	config_free(&c);
	env_file_rm(var);
	free(big);
	DONE();
}

/* With envp NULL the process environment is read. */
static void
test_load_environ(void **state)
{
	struct config	 c;
	const char	*bad;
	char		 why[256];

	(void)state;
	unsetenv("FCGI_USERS_ENV_FILE");
	setenv("JWT_SECRET", SECRET32, 1);
	setenv("JWT_EXPIRE_MINUTES", "17", 1);
	CHECK_ERR(__LINE__, config_load(&c, NULL, &bad, why, sizeof(why)), CONFIG_OK);
	CHECK_INT(__LINE__, c.jwt_expire_minutes, 17);
	config_free(&c);
	unsetenv("JWT_SECRET");
	CHECK_ERR(__LINE__, config_load(&c, NULL, &bad, why, sizeof(why)),
	    CONFIG_EMISSING);
	config_free(&c);
	unsetenv("JWT_EXPIRE_MINUTES");
	DONE();
}

/* --- the default env file ------------------------------------------------ */

static void
test_default_env_file_path(void **state)
{
	static const struct {
		int		 line;
		const char	*exe;
		size_t		 len;		/* of the buffer */
		int		 rc;
		const char	*want;
	} cases[] = {
		{ __LINE__, "/home/u/cgi-bin/users.fcgi", 256, 0,
		    "/home/u/cgi-bin/../fcgi-users-data/fcgi-users.env" },
		{ __LINE__, "/users.fcgi", 256, 0, "/../fcgi-users-data/fcgi-users.env" },
		{ __LINE__, "/a/b/", 256, 0, "/a/b/../fcgi-users-data/fcgi-users.env" },
		/* exactly the room it needs (with the NUL), and one byte less */
		{ __LINE__, "/a/p", sizeof("/a/../fcgi-users-data/fcgi-users.env"), 0,
		    "/a/../fcgi-users-data/fcgi-users.env" },
		{ __LINE__, "/a/p", sizeof("/a/../fcgi-users-data/fcgi-users.env") - 1, -1,
		    NULL },
		{ __LINE__, "/a/p", 0, -1, NULL },
		/* not an absolute path */
		{ __LINE__, "users.fcgi", 256, -1, NULL },
		{ __LINE__, "cgi-bin/users.fcgi", 256, -1, NULL },
		{ __LINE__, "", 256, -1, NULL },
	};
	char	 buf[256], self[PATH_MAX], want[PATH_MAX + 64], *slash;
	ssize_t	 n;
	size_t	 i;

	(void)state;
	for (i = 0; i < NCASES(cases); i++) {
		CHECK_INT(cases[i].line, config_default_env_file(cases[i].exe, buf,
		    cases[i].len), cases[i].rc);
		if (cases[i].rc == 0)
			CHECK_STR(cases[i].line, buf, cases[i].want);
	}
	/* NULL: this very program's folder. */
	assert_true((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0);
	self[n] = '\0';
	assert_non_null(slash = strrchr(self, '/'));
	*slash = '\0';
	snprintf(want, sizeof(want), "%s/%s", self, CONFIG_DEFAULT_ENV_FILE);
	CHECK_INT(__LINE__, config_default_env_file(NULL, buf, sizeof(buf)),
	    strlen(want) < sizeof(buf) ? 0 : -1);
	if (strlen(want) < sizeof(buf))
		CHECK_STR(__LINE__, buf, want);
	DONE();
}

/*
 * config_load() reads the default file only for the running executable,
 * and every unit test in this build folder would find the same one.  So a
 * copy of this program is run from a folder of its own, T/bin, next to
 * T/fcgi-users-data: `T/bin/test_config --load VAR=VALUE...` loads with
 * that environment and prints what came of it (see main()).
 */
static void
child_load(char *const *envp)
{
	struct config	 c;
	const char	*bad = NULL;
	char		 why[512];
	enum config_err	 e;

	e = config_load(&c, envp, &bad, why, sizeof(why));
	printf("%s|%s|%lld|%s\n", config_strerror(e), bad != NULL ? bad : "-",
	    e == CONFIG_OK ? (long long)c.jwt_expire_minutes : -1LL,
	    e == CONFIG_OK ? "" : why);
	config_free(&c);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Copies the file at `from` to `to` with mode 0700. */
static void
copy_exe(const char *from, const char *to)
{
	char	 buf[65536];
	ssize_t	 n;
	int	 in, out;

	assert_true((in = open(from, O_RDONLY | O_CLOEXEC)) != -1);
	assert_true((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700)) != -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_true(write(out, buf, (size_t)n) == n);
	assert_true(n == 0);
	close(in);
	assert_int_equal(close(out), 0);
}

/* Runs the copy with `env` (NULL-terminated); its one output line in out. */
static void
run_copy(const char *exe, const char *const *env, char *out, size_t len)
{
	const char	*argv[16] = { exe, "--load" };
	int		 p[2], status;
	size_t		 n = 2, got = 0;
	ssize_t		 r;
	pid_t		 pid;

	for (size_t i = 0; env[i] != NULL && n < 15; i++)
		argv[n++] = env[i];
	argv[n] = NULL;
	assert_int_equal(pipe(p), 0);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		static char *const none[] = { NULL };

		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execve(exe, (char *const *)argv, none);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (r = read(p[0], out + got, len - got - 1)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (got > 0 && out[got - 1] == '\n')
		out[got - 1] = '\0';
}

static void
test_load_default_env_file(void **state)
{
#define F_OK_MIN33	GOOD_SECRET "\nJWT_EXPIRE_MINUTES=33\n"
	static const struct {
		int		 line;
		const char	*file;		/* the default file; NULL: none */
		const char	*env[4];	/* the program's whole environment */
		const char	*want;		/* "error|bad|minutes|why" */
	} cases[] = {
		/* found and read when FCGI_USERS_ENV_FILE is absent */
		{ __LINE__, F_OK_MIN33, { NULL }, "ok|-|33|" },
		{ __LINE__, F_OK_MIN33, { "PATH=/bin" }, "ok|-|33|" },
		/* the environment wins over it, as over any env file */
		{ __LINE__, F_OK_MIN33, { "JWT_EXPIRE_MINUTES=7" }, "ok|-|7|" },
		/* set but empty: no env file at all */
		{ __LINE__, F_OK_MIN33, { "FCGI_USERS_ENV_FILE=" },
		    "required setting missing|JWT_SECRET|-1|is required" },
		{ __LINE__, F_OK_MIN33, { "FCGI_USERS_ENV_FILE=", GOOD_SECRET }, "ok|-|60|" },
		/* named: that file and not the default (it does not exist) */
		{ __LINE__, F_OK_MIN33, { "FCGI_USERS_ENV_FILE=/nonexistent/x.env" },
		    "unreadable or malformed env file|FCGI_USERS_ENV_FILE|-1|"
		    "cannot open: No such file or directory" },
		/* absent: nothing read, and no error */
		{ __LINE__, NULL, { GOOD_SECRET }, "ok|-|60|" },
		{ __LINE__, NULL, { NULL },
		    "required setting missing|JWT_SECRET|-1|is required" },
		/* malformed: reported with the line and the file it was */
		{ __LINE__, GOOD_SECRET "\nnot a setting\n", { NULL },
		    "unreadable or malformed env file|FCGI_USERS_ENV_FILE|-1|"
		    "malformed line 2 (@/fcgi-users-data/fcgi-users.env, read because "
		    "FCGI_USERS_ENV_FILE is unset)" },
		{ __LINE__, "JWT_SECRET=short\n", { NULL },
		    "invalid setting|JWT_SECRET|-1|must be 32 to 4096 characters long (got 5)" },
	};
	char	 dir[] = "/tmp/test_config_exe.XXXXXX", self[PATH_MAX];
	char	 exe[128], data[128], file[160], out[1024], want[1024];
	ssize_t	 n;
	size_t	 i;
	int	 fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(exe, sizeof(exe), "%s/bin", dir);
	snprintf(data, sizeof(data), "%s/fcgi-users-data", dir);
	snprintf(file, sizeof(file), "%s/fcgi-users.env", data);
	assert_int_equal(mkdir(exe, 0700), 0);
	assert_int_equal(mkdir(data, 0700), 0);
	strcat(exe, "/test_config");
	assert_true((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0);
	self[n] = '\0';
	copy_exe(self, exe);
	for (i = 0; i < NCASES(cases); i++) {
		const char *at;

		(void)unlink(file);
		if (cases[i].file != NULL) {
			assert_true((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
			assert_true(write(fd, cases[i].file, strlen(cases[i].file)) ==
			    (ssize_t)strlen(cases[i].file));
			close(fd);
		}
		run_copy(exe, cases[i].env, out, sizeof(out));
		/* '@' in a want stands for T/bin/.. */
		if ((at = strchr(cases[i].want, '@')) != NULL)
			snprintf(want, sizeof(want), "%.*s%s/bin/..%s",
			    (int)(at - cases[i].want), cases[i].want, dir, at + 1);
		else
			snprintf(want, sizeof(want), "%s", cases[i].want);
		CHECK_STR(cases[i].line, out, want);
		CHECK(cases[i].line, strstr(out, SECRET32) == NULL);
	}
	(void)nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	DONE();
#undef F_OK_MIN33
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_env),
		cmocka_unit_test(test_parse_env_cb_fails),
		cmocka_unit_test(test_parse_env_caps),
		cmocka_unit_test(test_strtonum),
		cmocka_unit_test(test_sqlite_path),
		cmocka_unit_test(test_load_defaults),
		cmocka_unit_test(test_load_values),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_why_has_no_secret),
		cmocka_unit_test(test_load_env_file),
		cmocka_unit_test(test_load_env_file_unreadable),
		cmocka_unit_test(test_load_environ),
		cmocka_unit_test(test_default_env_file_path),
		cmocka_unit_test(test_load_default_env_file),
	};

	/* A copy of this program run by test_load_default_env_file. */
	if (argc >= 2 && strcmp(argv[1], "--load") == 0) {
		child_load(argv + 2);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
