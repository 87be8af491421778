/*
 * config: settings from the environment and an optional env file (see
 * config.h).  The settings are a table — name, kind, default, bounds, and
 * where the value lands in struct config — so adding one is one line, and
 * validation is the same code for all.  Values never reach a log line;
 * reasons name the setting and what was wrong with it, not the value.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "db.h"
#include "db_pg.h"
#include "fileperm.h"
#include "log.h"
#include "mail.h"
#include "mail_int.h"
#include "ratelimit.h"

extern char **environ;

enum setting_kind {
	SET_STRING,	/* length in [min, max] */
	SET_INT,	/* integer in [min, max] */
	SET_CHOICE,	/* one of choices[], stored as its index */
};

struct setting {
	const char		*name;
	enum setting_kind	 kind;
	const char		*def;		/* NULL: unset unless given */
	int			 required;
	int			 secret;	/* wiped when freed */
	int64_t			 min, max;
	size_t			 str_off;	/* char * field */
	size_t			 int_off;	/* int64_t / int field, or SIZE_MAX */
	const char *const	*choices;	/* SET_CHOICE, NULL-terminated */
	/* extra check after the generic ones; returns 0 or fills why */
	int			(*check)(const char *, char *, size_t);
};

#define NO_INT	SIZE_MAX
#define S(f)	offsetof(struct config, f)

static const char *const jwt_algorithms[] = {
	"HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA", NULL
};
static const char *const env_names[] = {
	[CONFIG_ENV_DEVELOPMENT] = "development",
	[CONFIG_ENV_STAGING] = "staging",
	[CONFIG_ENV_PRODUCTION] = "production",
	NULL
};
static const char *const starttls_names[] = {
	[CONFIG_STARTTLS_AUTO] = "auto",
	[CONFIG_STARTTLS_TRUE] = "true",
	[CONFIG_STARTTLS_FALSE] = "false",
	NULL
};
/* pydantic's bool words; a value's index & 1 is its truth. */
static const char *const bool_names[] = {
	"false", "true", "0", "1", "no", "yes", "off", "on", NULL
};
static const char *const rate_limit_stores[] = {
	[CONFIG_RATE_LIMIT_SHARED] = "shared-memory",
	[CONFIG_RATE_LIMIT_DATABASE] = "database",
	NULL
};
static const char *const mcp_algorithms[] = {
	"RS256", "ES256", "EdDSA", NULL
};
static const char *const log_levels[] = {
	"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", NULL
};

static int	check_not_blank(const char *, char *, size_t);
static int	check_database_url(const char *, char *, size_t);
static const char *pg_url_rest(const char *);
static int	check_base_path(const char *, char *, size_t);
static int	check_pem(const char *, char *, size_t);
static int	check_rate_limit(const char *, char *, size_t);
static int	check_rate_limit_or_unlimited(const char *, char *, size_t);
static int	check_geocoder(const char *, char *, size_t);
static int	check_nominatim_url(const char *, char *, size_t);

static const struct setting settings[] = {
	{ "JWT_SECRET", SET_STRING, NULL, 1, 1, 32, 4096,
	    S(jwt_secret), NO_INT, NULL, check_not_blank },
	{ "JWT_ALGORITHM", SET_CHOICE, "HS256", 0, 0, 0, 0,
	    S(jwt_algorithm), NO_INT, jwt_algorithms, NULL },
	{ "JWT_EXPIRE_MINUTES", SET_INT, "60", 0, 0, 1, 525600,
	    0, S(jwt_expire_minutes), NULL, NULL },
	{ "JWT_ISSUER", SET_STRING, NULL, 0, 0, 1, 512,
	    S(jwt_issuer), NO_INT, NULL, NULL },
	{ "JWT_AUDIENCE", SET_STRING, NULL, 0, 0, 1, 512,
	    S(jwt_audience), NO_INT, NULL, NULL },
	{ "REFRESH_TOKEN_DAYS", SET_INT, "30", 0, 0, 1, 3650,
	    0, S(refresh_token_days), NULL, NULL },
	{ "DATABASE_URL", SET_STRING, "sqlite:///./fastapi_users.db", 0, 1, 1, 4096,
	    S(database_url), NO_INT, NULL, check_database_url },
	{ "DB_BUSY_TIMEOUT_MS", SET_INT, "5000", 0, 0, 0, 60000,
	    0, S(db_busy_timeout_ms), NULL, NULL },
	{ "CORS_ALLOWED_ORIGINS", SET_STRING, "*", 0, 0, 0, 4096,
	    S(cors_allowed_origins), NO_INT, NULL, NULL },
	{ "MAX_REQUEST_BODY_BYTES", SET_INT, "1048576", 0, 0, 1024, 64 << 20,
	    0, S(max_body_bytes), NULL, NULL },
	{ "BASE_PATH", SET_STRING, "", 0, 0, 0, 256,
	    S(base_path), NO_INT, NULL, check_base_path },
	{ "APP_NAME", SET_STRING, "FastAPI Application", 0, 0, 1, 100,
	    S(app_name), NO_INT, NULL, NULL },
	{ "ENV", SET_CHOICE, "development", 0, 0, 0, 0,
	    S(env_name), S(env), env_names, NULL },
	{ "LOG_LEVEL", SET_CHOICE, "INFO", 0, 0, 0, 0,
	    S(log_level_name), S(log_level), log_levels, NULL },
	{ "API_KEY", SET_STRING, NULL, 0, 1, 8, 512,
	    S(api_key), NO_INT, NULL, check_not_blank },
	{ "JWT_PRIVATE_KEY", SET_STRING, NULL, 0, 1, 1, CONFIG_VALUE_MAX,
	    S(jwt_private_key), NO_INT, NULL, check_pem },
	{ "JWT_PRIVATE_KEY_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(jwt_private_key_file), NO_INT, NULL, NULL },
	{ "JWT_PUBLIC_KEY", SET_STRING, NULL, 0, 0, 1, CONFIG_VALUE_MAX,
	    S(jwt_public_key), NO_INT, NULL, check_pem },
	{ "JWT_PUBLIC_KEY_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(jwt_public_key_file), NO_INT, NULL, NULL },
	{ "JWT_PREVIOUS_PUBLIC_KEYS", SET_STRING, NULL, 0, 0, 1, CONFIG_VALUE_MAX,
	    S(jwt_previous_public_keys), NO_INT, NULL, check_pem },
	{ "JWT_PREVIOUS_PUBLIC_KEYS_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(jwt_previous_public_keys_file), NO_INT, NULL, NULL },
	{ "JWT_LEEWAY_SECONDS", SET_INT, "0", 0, 0, 0, 300,
	    0, S(jwt_leeway_seconds), NULL, NULL },
	/* MCP tokens (tokens.h): the Python service's MCP_JWT_* settings. */
	{ "MCP_JWT_PRIVATE_KEY", SET_STRING, NULL, 0, 1, 1, CONFIG_VALUE_MAX,
	    S(mcp_jwt_private_key), NO_INT, NULL, check_pem },
	{ "MCP_JWT_PRIVATE_KEY_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(mcp_jwt_private_key_file), NO_INT, NULL, NULL },
	{ "MCP_JWT_PUBLIC_KEY", SET_STRING, NULL, 0, 0, 1, CONFIG_VALUE_MAX,
	    S(mcp_jwt_public_key), NO_INT, NULL, check_pem },
	{ "MCP_JWT_PUBLIC_KEY_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(mcp_jwt_public_key_file), NO_INT, NULL, NULL },
	{ "MCP_JWT_ALGORITHM", SET_CHOICE, "RS256", 0, 0, 0, 0,
	    S(mcp_jwt_algorithm), NO_INT, mcp_algorithms, NULL },
	{ "MCP_JWT_EXPIRE_MINUTES", SET_INT, NULL, 0, 0, 1, 525600,
	    0, S(mcp_jwt_expire_minutes), NULL, NULL },
	{ "MCP_JWT_ISSUER", SET_STRING, "personal-server", 0, 0, 1, 512,
	    S(mcp_jwt_issuer), NO_INT, NULL, check_not_blank },
	{ "MCP_JWT_AUDIENCE", SET_STRING, "mcp-server", 0, 0, 1, 512,
	    S(mcp_jwt_audience), NO_INT, NULL, check_not_blank },
	/* The MCP endpoint (src/mcp): DNS-rebinding protection (comma lists;
	 * "*" allows any), which tokens it takes, how long a session lives
	 * unused. */
	{ "MCP_ALLOWED_HOSTS", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(mcp_allowed_hosts), NO_INT, NULL, check_not_blank },
	{ "MCP_ALLOWED_ORIGINS", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(mcp_allowed_origins), NO_INT, NULL, check_not_blank },
	{ "MCP_ACCEPT_ACCESS_TOKENS", SET_CHOICE, "true", 0, 0, 0, 0,
	    S(mcp_accept_access_tokens_name), S(mcp_accept_access_tokens), bool_names,
	    NULL },
	{ "MCP_SESSION_IDLE_MINUTES", SET_INT, "1440", 0, 0, 1, 525600,
	    0, S(mcp_session_idle_minutes), NULL, NULL },
	/* How long a tool waits for the client's answer to a server-to-client
	 * request (sampling, elicitation), holding its process meanwhile. */
	{ "MCP_CLIENT_REQUEST_TIMEOUT_SECONDS", SET_INT, "60", 0, 0, 1, 600,
	    0, S(mcp_client_request_timeout_seconds), NULL, NULL },
	/* The conformance suite's fixture tools, resources and prompts
	 * (src/mcp/fixtures.c): for the interop test only, never in production. */
	{ "MCP_CONFORMANCE_FIXTURES", SET_CHOICE, "false", 0, 0, 0, 0,
	    S(mcp_conformance_fixtures_name), S(mcp_conformance_fixtures), bool_names,
	    NULL },
	/* Login of an unverified user: 400 LOGIN_USER_NOT_VERIFIED. */
	{ "REQUIRE_VERIFIED_LOGIN", SET_CHOICE, "false", 0, 0, 0, 0,
	    S(require_verified_login_name), S(require_verified_login), bool_names,
	    NULL },
	{ "PASSWORD_ARGON2_TIME_COST", SET_INT, "3", 0, 0, 1, 64,
	    0, S(argon2_time_cost), NULL, NULL },
	{ "PASSWORD_ARGON2_MEMORY_KIB", SET_INT, "65536", 0, 0, 1024, 1048576,
	    0, S(argon2_memory_kib), NULL, NULL },
	{ "PASSWORD_ARGON2_PARALLELISM", SET_INT, "4", 0, 0, 1, 64,
	    0, S(argon2_parallelism), NULL, NULL },
	/* Mail (mail.h); the checks live there, beside what they protect. */
	{ "MAIL_SMTP_URL", SET_STRING, NULL, 0, 0, 1, 2048,
	    S(mail_smtp_url), NO_INT, NULL, mail_check_smtp_url },
	{ "MAIL_FROM", SET_STRING, "fcgi-users@localhost", 0, 0, 3, MAIL_ADDRESS_MAX,
	    S(mail_from), NO_INT, NULL, mail_check_address },
	{ "MAIL_SMTP_USER", SET_STRING, NULL, 0, 0, 1, 512,
	    S(mail_smtp_user), NO_INT, NULL, NULL },
	{ "MAIL_SMTP_PASSWORD", SET_STRING, NULL, 0, 1, 1, 1024,
	    S(mail_smtp_password), NO_INT, NULL, NULL },
	{ "MAIL_SMTP_STARTTLS", SET_CHOICE, "auto", 0, 0, 0, 0,
	    S(mail_smtp_starttls_name), S(mail_smtp_starttls), starttls_names, NULL },
	{ "MAIL_TIMEOUT_SECONDS", SET_INT, "10", 0, 0, 1, 60,
	    0, S(mail_timeout_seconds), NULL, NULL },
	{ "MAIL_OUTBOX_FILE", SET_STRING, NULL, 0, 0, 1, 4096,
	    S(mail_outbox_file), NO_INT, NULL, NULL },
	{ "PUBLIC_BASE_URL", SET_STRING, "http://127.0.0.1:8080", 0, 0, 8, MAIL_BASE_URL_MAX,
	    S(public_base_url), NO_INT, NULL, mail_check_base_url },
	{ "MAIL_RESET_PATH", SET_STRING, "/reset-password?token={token}", 0, 0, 8,
	    MAIL_PATH_MAX, S(mail_reset_path), NO_INT, NULL, mail_check_path },
	{ "MAIL_VERIFY_PATH", SET_STRING, "/verify?token={token}", 0, 0, 8,
	    MAIL_PATH_MAX, S(mail_verify_path), NO_INT, NULL, mail_check_path },
	/* Reset and verification mails per recipient: no mail bombing
	 * through forgot-password. */
	{ "MAIL_RATE_LIMIT", SET_STRING, "5/hour", 0, 0, 1, RATELIMIT_SPEC_MAX,
	    S(mail_rate_limit), NO_INT, NULL, check_rate_limit },
	/* Login throttling: failures per account, and per client address,
	 * within LOGIN_FAILURE_WINDOW seconds (the issue's 15 minutes). */
	/* Geocoding (src/geocoding): providers, cache, per-user limits. */
	{ "GEOCODER", SET_STRING, "offline", 0, 0, 1, 64,
	    S(geocoder), NO_INT, NULL, check_geocoder },
	{ "NOMINATIM_URL", SET_STRING, "https://nominatim.openstreetmap.org", 0, 0,
	    8, 512, S(nominatim_url), NO_INT, NULL, check_nominatim_url },
	{ "NOMINATIM_TIMEOUT_SECONDS", SET_INT, "10", 0, 0, 1, 60,
	    0, S(nominatim_timeout_seconds), NULL, NULL },
	{ "NOMINATIM_MAX_WAIT_MS", SET_INT, "5000", 0, 0, 0, 60000,
	    0, S(nominatim_max_wait_ms), NULL, NULL },
	{ "GEOCODING_USER_AGENT", SET_STRING, NULL, 0, 0, 1, 256,
	    S(geocoding_user_agent), NO_INT, NULL, check_not_blank },
	{ "GEOCODING_CACHE_TTL_HOURS", SET_INT, "24", 0, 0, 1, 8760,
	    0, S(geocoding_cache_ttl_hours), NULL, NULL },
	{ "GEOCODING_USER_RATE_LIMIT", SET_STRING, "10/minute", 0, 0, 1,
	    RATELIMIT_SPEC_MAX, S(geocoding_rate_limit_user), NO_INT, NULL,
	    check_rate_limit_or_unlimited },
	{ "GEOCODING_RATE_LIMIT_PREMIUM", SET_STRING, NULL, 0, 0, 1,
	    RATELIMIT_SPEC_MAX, S(geocoding_rate_limit_premium), NO_INT, NULL,
	    check_rate_limit_or_unlimited },
	{ "GEOCODING_RATE_LIMIT_ADMIN", SET_STRING, "unlimited", 0, 0, 1,
	    RATELIMIT_SPEC_MAX, S(geocoding_rate_limit_admin), NO_INT, NULL,
	    check_rate_limit_or_unlimited },
	{ "RATE_LIMIT_STORE", SET_CHOICE, NULL, 0, 0, 0, 0,
	    S(rate_limit_store_name), S(rate_limit_store), rate_limit_stores,
	    NULL },
	{ "LOGIN_MAX_FAILURES", SET_INT, "10", 0, 0, 1, 10000,
	    0, S(login_max_failures), NULL, NULL },
	{ "LOGIN_FAILURE_WINDOW", SET_INT, "900", 0, 0, 1, 86400,
	    0, S(login_failure_window), NULL, NULL },
	{ "LOGIN_MAX_FAILURES_PER_ADDRESS", SET_INT, "100", 0, 0, 1, 1000000,
	    0, S(login_max_failures_per_address), NULL, NULL },
	/* The offline gazetteer (geocoding), built by `fcgi-users import gazetteer`. */
	{ "GAZETTEER_PATH", SET_STRING, "./gazetteer.db", 0, 0, 1, 4096,
	    S(gazetteer_path), NO_INT, NULL, NULL },
	/* /docs and /openapi.json (users.fcgi); unset: on unless ENV is
	 * production, as the Python service's docs_url. */
	{ "DOCS_ENABLED", SET_CHOICE, NULL, 0, 0, 0, 0,
	    S(docs_enabled_name), S(docs_enabled), bool_names, NULL },
};

/* Settings that may instead name a file holding their value. */
static const struct {
	size_t		 value_off;
	size_t		 file_off;
	const char	*file_name;
	int		 perm;		/* what others may not do with it (fileperm.h) */
} file_pairs[] = {
	{ S(jwt_private_key), S(jwt_private_key_file), "JWT_PRIVATE_KEY_FILE",
	    FILEPERM_PRIVATE },
	/* Public keys may be read by anyone; one that others could replace
	 * would let them choose the key tokens are checked with. */
	{ S(jwt_public_key), S(jwt_public_key_file), "JWT_PUBLIC_KEY_FILE",
	    FILEPERM_NO_WRITE },
	{ S(jwt_previous_public_keys), S(jwt_previous_public_keys_file),
	    "JWT_PREVIOUS_PUBLIC_KEYS_FILE", FILEPERM_NO_WRITE },
	{ S(mcp_jwt_private_key), S(mcp_jwt_private_key_file),
	    "MCP_JWT_PRIVATE_KEY_FILE", FILEPERM_PRIVATE },
	{ S(mcp_jwt_public_key), S(mcp_jwt_public_key_file),
	    "MCP_JWT_PUBLIC_KEY_FILE", FILEPERM_NO_WRITE },
};
#define N_SETTINGS	(sizeof(settings) / sizeof(settings[0]))

static const char *const config_errs[CONFIG__MAX] = {
	[CONFIG_OK] = "ok",
	[CONFIG_EMISSING] = "required setting missing",
	[CONFIG_EINVALID] = "invalid setting",
	[CONFIG_EFILE] = "unreadable or malformed env file",
	[CONFIG_ENOMEM] = "out of memory",
	[CONFIG_EUNSAFE] = "file open to other users",
};

const char *
config_strerror(enum config_err e)
{
	return e < CONFIG__MAX ? config_errs[e] : "unknown error";
}

int
config_setting_at(size_t i, const char **name, const char **def)
{
	if (i >= N_SETTINGS)
		return -1;
	*name = settings[i].name;
	*def = settings[i].def;
	return 0;
}

int
config_strtonum(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
check_not_blank(const char *v, char *why, size_t len)
{
	for (; *v != '\0'; v++)
		if (!isspace((unsigned char)*v))
			return 0;
	snprintf(why, len, "must not be blank");
	return -1;
}

static int
check_database_url(const char *v, char *why, size_t len)
{
	char	*p;
	int	 ok;

	if ((p = config_database_locator(v)) == NULL) {
		snprintf(why, len, "must be a SQLite path, a sqlite:/// URL or a"
		    " postgresql:// URL");
		return -1;
	}
	/* libpq's message may quote part of the URL: not repeated here. */
	ok = pg_url_rest(v) == NULL ? 1 : db_url_valid(p);
	free(p);
	if (ok == -1) {
		snprintf(why, len, "a PostgreSQL URL needs libpq (libpq.so.5;"
		    " Debian: libpq5), which cannot be loaded");
		return -1;
	}
	if (!ok) {
		snprintf(why, len, "is not a valid PostgreSQL URL (libpq's form:"
		    " postgresql://user:password@host:port/dbname?param=value)");
		return -1;
	}
	return 0;
}

static int
check_base_path(const char *v, char *why, size_t len)
{
	size_t	 n = strlen(v);

	if (n == 0)
		return 0;
	if (v[0] != '/' || v[n - 1] == '/' || strpbrk(v, "?#% ") != NULL) {
		snprintf(why, len, "must be empty or a path like /api without a trailing slash");
		return -1;
	}
	return 0;
}

static int
check_rate_limit(const char *v, char *why, size_t len)
{
	struct rate_limit	 rl;

	if (ratelimit_parse(v, &rl) == 0)
		return 0;
	snprintf(why, len, "must be a rate such as \"5/hour\" or \"2 per 30 seconds\"");
	return -1;
}

static int
check_rate_limit_or_unlimited(const char *v, char *why, size_t len)
{
	if (strcasecmp(v, "unlimited") == 0)
		return 0;
	return check_rate_limit(v, why, len);
}

/* A comma-separated chain of offline and nominatim, each at most once. */
static int
check_geocoder(const char *v, char *why, size_t len)
{
	const char	*p = v;
	size_t		 n;
	int		 seen_offline = 0, seen_nominatim = 0;

	for (;;) {
		n = strcspn(p, ",");
		if (n == 7 && strncmp(p, "offline", 7) == 0 && !seen_offline)
			seen_offline = 1;
		else if (n == 9 && strncmp(p, "nominatim", 9) == 0 && !seen_nominatim)
			seen_nominatim = 1;
		else {
			snprintf(why, len, "must be offline, nominatim, or both in "
			    "order, comma-separated (offline,nominatim)");
			return -1;
		}
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

/* https://…, or http:// to a loopback host (a local Nominatim, tests). */
static int
check_nominatim_url(const char *v, char *why, size_t len)
{
	char	 host[256];

	if (mail_check_base_url(v, why, len) != 0)
		return -1;
	if (strncmp(v, "http://", 7) != 0)
		return 0;
	if (mail_url_parse(v, host, sizeof(host), why, len) != 0)
		return -1;
	if (!mail_host_is_loopback(host)) {
		snprintf(why, len, "must use https:// unless the host is loopback");
		return -1;
	}
	return 0;
}

static int
check_pem(const char *v, char *why, size_t len)
{
	if (strstr(v, "-----BEGIN ") == NULL) {
		snprintf(why, len, "must be PEM text (-----BEGIN …)");
		return -1;
	}
	return 0;
}

char *
config_sqlite_path(const char *url)
{
	static const char *const schemes[] = {
		"sqlite+aiosqlite:///", "sqlite+pysqlite:///", "sqlite:///", NULL
	};
	const char	*p = NULL;
	size_t		 i, n;

	if (url == NULL || *url == '\0')
		return NULL;
	for (i = 0; schemes[i] != NULL; i++) {
		n = strlen(schemes[i]);
		if (strncmp(url, schemes[i], n) == 0) {
			p = url + n;
			break;
		}
	}
	if (p == NULL) {
		if (strstr(url, "://") != NULL)
			return NULL;	/* another engine */
		p = url;
	}
	n = strcspn(p, "?");
	if (n == 0)
		return NULL;
	return strndup(p, n);
}

/* What follows the scheme of a PostgreSQL URL: postgresql://, postgres://
 * or SQLAlchemy's postgresql+DRIVER:// (asyncpg, psycopg...); else NULL. */
static const char *
pg_url_rest(const char *url)
{
	const char	*p;

	if (strncmp(url, "postgresql://", 13) == 0)
		return url + 13;
	if (strncmp(url, "postgres://", 11) == 0)
		return url + 11;
	if (strncmp(url, "postgresql+", 11) != 0)
		return NULL;
	for (p = url + 11; islower((unsigned char)*p) ||
	    isdigit((unsigned char)*p) || *p == '_'; p++)
		continue;
	if (p == url + 11 || strncmp(p, "://", 3) != 0)
		return NULL;
	return p + 3;
}

char *
config_database_locator(const char *url)
{
	const char	*rest;
	char		*loc;

	if (url == NULL)
		return NULL;
	if ((rest = pg_url_rest(url)) == NULL)
		return config_sqlite_path(url);
	if (asprintf(&loc, "postgresql://%s", rest) == -1)
		return NULL;
	return loc;
}

/* --- env file ------------------------------------------------------- */

static int
key_valid(const char *k, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 128 || isdigit((unsigned char)k[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)k[i]) || k[i] == '_'))
			return 0;
	return 1;
}

/*
 * Parses one value at (p, n) into out (size CONFIG_VALUE_MAX + 1).
 * Double quotes take \n \" \\ escapes; single quotes are literal; an
 * unquoted value ends at " #" and loses trailing blanks.
 */
static int
parse_value(const char *p, size_t n, char *out)
{
	size_t	 i, o = 0;
	char	 q;

	if (n > 0 && (p[0] == '"' || p[0] == '\'')) {
		q = p[0];
		for (i = 1; i < n && p[i] != q; i++) {
			if (o >= CONFIG_VALUE_MAX)
				return -1;
			if (q == '"' && p[i] == '\\' && i + 1 < n) {
				i++;
				out[o++] = p[i] == 'n' ? '\n' : p[i];
			} else
				out[o++] = p[i];
		}
		if (i >= n)
			return -1;	/* unterminated */
		for (i++; i < n; i++) {
			if (p[i] == '#')
				break;
			if (!isspace((unsigned char)p[i]))
				return -1;	/* garbage after the quote */
		}
	} else {
		for (i = 0; i < n; i++) {
			if (p[i] == '#' && i > 0 && isspace((unsigned char)p[i - 1]))
				break;
			if (o >= CONFIG_VALUE_MAX)
				return -1;
			out[o++] = p[i];
		}
		while (o > 0 && isspace((unsigned char)out[o - 1]))
			o--;
	}
	out[o] = '\0';
	return 0;
}

enum config_err
config_parse_env(const char *buf, size_t len, config_kv_cb cb, void *arg,
    size_t *lineno)
{
	char		 key[129], *value = NULL;
	const char	*line, *end, *eq, *k;
	size_t		 llen, klen, no = 0;
	enum config_err	 ret = CONFIG_EFILE;

	if (len > CONFIG_ENV_FILE_MAX)
		goto out;
	if ((value = malloc(CONFIG_VALUE_MAX + 1)) == NULL) {
		ret = CONFIG_ENOMEM;
		goto out;
	}
	/* A UTF-8 byte order mark is tolerated. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	for (line = buf; line < buf + len; line = end + 1) {
		no++;
		if ((end = memchr(line, '\n', buf + len - line)) == NULL)
			end = buf + len;
		llen = end - line;
		if (llen > CONFIG_LINE_MAX || memchr(line, '\0', llen) != NULL)
			goto out;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		while (llen > 0 && isspace((unsigned char)*line)) {
			line++;
			llen--;
		}
		if (llen == 0 || line[0] == '#')
			continue;
		if (llen > 7 && strncmp(line, "export", 6) == 0 &&
		    isspace((unsigned char)line[6])) {
			line += 7;
			llen -= 7;
			while (llen > 0 && isspace((unsigned char)*line)) {
				line++;
				llen--;
			}
		}
		if ((eq = memchr(line, '=', llen)) == NULL)
			goto out;
		k = line;
		klen = eq - line;
		while (klen > 0 && isspace((unsigned char)k[klen - 1]))
			klen--;
		if (!key_valid(k, klen))
			goto out;
		memcpy(key, k, klen);
		key[klen] = '\0';
		eq++;
		llen -= eq - line;
		while (llen > 0 && (*eq == ' ' || *eq == '\t')) {
			eq++;
			llen--;
		}
		if (parse_value(eq, llen, value) == -1)
			goto out;
		if (cb(key, value, arg) != 0) {
			ret = CONFIG_ENOMEM;
			goto out;
		}
	}
	ret = CONFIG_OK;
out:
	if (lineno != NULL)
		*lineno = no;
	if (value != NULL) {
		OPENSSL_cleanse(value, CONFIG_VALUE_MAX + 1);
		free(value);
	}
	return ret;
}

/* --- loading -------------------------------------------------------- */

struct file_values {
	char	*v[N_SETTINGS];
};

static int
file_value_cb(const char *key, const char *value, void *arg)
{
	struct file_values	*fv = arg;
	size_t			 i;

	for (i = 0; i < N_SETTINGS; i++) {
		if (strcmp(settings[i].name, key) != 0)
			continue;
		if (fv->v[i] != NULL) {
			OPENSSL_cleanse(fv->v[i], strlen(fv->v[i]));
			free(fv->v[i]);
		}
		if ((fv->v[i] = strdup(value)) == NULL)
			return -1;
		return 0;
	}
	return 0;	/* settings of other programs are ignored */
}

static const char *
env_lookup(char *const *envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/*
 * Reads a regular file of at most max bytes into a fresh NUL-terminated
 * buffer (*out, *outlen); the caller wipes and frees it.  *mode is the
 * file's, from the descriptor read (fileperm checks the file it read).
 */
static enum config_err
read_small_file(const char *path, size_t max, char **out, size_t *outlen,
    mode_t *mode, char *why, size_t whylen)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd = -1;
	enum config_err	 ret = CONFIG_EFILE;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		snprintf(why, whylen, "not a regular file of at most %zu bytes", max);
		goto out;
	}
	*mode = st.st_mode;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = CONFIG_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	ret = CONFIG_OK;
out:
	if (fd != -1)
		close(fd);
	return ret;
}

/* Whether an env file's values hold a secret setting (JWT_SECRET ...). */
static int
holds_secret(const struct file_values *fv)
{
	size_t	 i;

	for (i = 0; i < N_SETTINGS; i++)
		if (fv->v[i] != NULL && settings[i].secret)
			return 1;
	return 0;
}

/*
 * Reads an env file into fv.  Others may never write it (they would choose
 * the keys), nor read it when it holds a secret: CONFIG_EUNSAFE, with the
 * file and the fix in why.
 */
static enum config_err
read_env_file(const char *path, struct file_values *fv, char *why, size_t whylen)
{
	char		*buf = NULL;
	size_t		 len = 0, lineno = 0;
	mode_t		 mode = 0;
	enum config_err	 ret;

	if ((ret = read_small_file(path, CONFIG_ENV_FILE_MAX, &buf, &len, &mode,
	    why, whylen)) != CONFIG_OK)
		return ret;
	ret = config_parse_env(buf, len, file_value_cb, fv, &lineno);
	if (ret == CONFIG_EFILE)
		snprintf(why, whylen, "malformed line %zu", lineno);
	else if (ret == CONFIG_OK && fileperm_check_mode(mode, holds_secret(fv) ?
	    FILEPERM_PRIVATE : FILEPERM_NO_WRITE, path, why, whylen) != FILEPERM_OK)
		ret = CONFIG_EUNSAFE;
	OPENSSL_cleanse(buf, len);
	free(buf);
	return ret;
}

/* Fills a value from its *_FILE setting when only the file was given. */
static enum config_err
read_file_pairs(struct config *c, const char **bad, char *why, size_t whylen)
{
	char		**val, **file, *buf;
	size_t		 i, len;
	mode_t		 mode = 0;
	enum config_err	 ret;

	for (i = 0; i < sizeof(file_pairs) / sizeof(file_pairs[0]); i++) {
		val = (char **)((char *)c + file_pairs[i].value_off);
		file = (char **)((char *)c + file_pairs[i].file_off);
		if (*file == NULL || *val != NULL)
			continue;
		*bad = file_pairs[i].file_name;
		if ((ret = read_small_file(*file, CONFIG_PEM_MAX, &buf, &len, &mode,
		    why, whylen)) != CONFIG_OK)
			return ret;
		ret = CONFIG_OK;
		if (fileperm_check_mode(mode, file_pairs[i].perm, *file, why,
		    whylen) != FILEPERM_OK)
			ret = CONFIG_EUNSAFE;
		else if (check_pem(buf, why, whylen) != 0)
			ret = CONFIG_EINVALID;
		if (ret != CONFIG_OK) {
			OPENSSL_cleanse(buf, len);
			free(buf);
			return ret;
		}
		*val = buf;
	}
	*bad = NULL;
	return CONFIG_OK;
}

static enum config_err
apply(struct config *c, const struct setting *s, const char *v, char *why,
    size_t whylen)
{
	char		**sp = s->kind == SET_INT ? NULL :
			    (char **)((char *)c + s->str_off);
	int64_t		 n;
	size_t		 len, i;

	if (v == NULL) {
		if (s->required) {
			snprintf(why, whylen, "is required");
			return CONFIG_EMISSING;
		}
		return CONFIG_OK;
	}
	switch (s->kind) {
	case SET_STRING:
		len = strlen(v);
		if ((int64_t)len < s->min || (int64_t)len > s->max) {
			snprintf(why, whylen, "must be %lld to %lld characters long (got %zu)",
			    (long long)s->min, (long long)s->max, len);
			return CONFIG_EINVALID;
		}
		if (s->check != NULL && s->check(v, why, whylen) != 0)
			return CONFIG_EINVALID;
		break;
	case SET_INT:
		if (config_strtonum(v, s->min, s->max, &n) != 0) {
			snprintf(why, whylen, "must be an integer from %lld to %lld",
			    (long long)s->min, (long long)s->max);
			return CONFIG_EINVALID;
		}
		*(int64_t *)((char *)c + s->int_off) = n;
		return CONFIG_OK;
	case SET_CHOICE:
		for (i = 0; s->choices[i] != NULL; i++)
			if (strcasecmp(v, s->choices[i]) == 0)
				break;
		if (s->choices[i] == NULL) {
			snprintf(why, whylen, "must be one of the documented values");
			return CONFIG_EINVALID;
		}
		if (s->int_off != NO_INT)
			*(int *)((char *)c + s->int_off) = (int)i;
		v = s->choices[i];	/* canonical spelling */
		break;
	}
	if (sp != NULL && (*sp = strdup(v)) == NULL)
		return CONFIG_ENOMEM;
	return CONFIG_OK;
}

enum config_err
config_load(struct config *c, char *const *envp, const char **bad, char *why,
    size_t whylen)
{
	struct file_values	 fv;
	const struct setting	*s;
	const char		*v, *path;
	char			 found[PATH_MAX];
	size_t			 i, n;
	int			 pg;
	enum config_err		 ret = CONFIG_OK;

	memset(c, 0, sizeof(*c));
	memset(&fv, 0, sizeof(fv));
	*bad = NULL;
	why[0] = '\0';
	if (envp == NULL)
		envp = environ;
	if ((path = env_lookup(envp, "FCGI_USERS_ENV_FILE")) != NULL) {
		if (*path != '\0' &&
		    (ret = read_env_file(path, &fv, why, whylen)) != CONFIG_OK) {
			*bad = "FCGI_USERS_ENV_FILE";
			goto out;
		}
	} else if (config_default_env_file(NULL, found, sizeof(found)) == 0 &&
	    access(found, F_OK) == 0 &&
	    (ret = read_env_file(found, &fv, why, whylen)) != CONFIG_OK) {
		/* Say which file: nothing in the environment names it (a
		 * refusal for its mode names it already). */
		*bad = "FCGI_USERS_ENV_FILE";
		n = strlen(why);
		if (ret != CONFIG_EUNSAFE)
			snprintf(why + n, whylen - n, " (%s, read because "
			    "FCGI_USERS_ENV_FILE is unset)", found);
		goto out;
	}
	for (i = 0; i < N_SETTINGS; i++) {
		s = &settings[i];
		if ((v = env_lookup(envp, s->name)) == NULL && (v = fv.v[i]) == NULL)
			v = s->def;
		if ((ret = apply(c, s, v, why, whylen)) != CONFIG_OK) {
			*bad = s->name;
			goto out;
		}
	}
	if ((ret = read_file_pairs(c, bad, why, whylen)) != CONFIG_OK)
		goto out;
	/* The index in bool_names when given (odd: true), else ENV decides. */
	c->docs_enabled = c->docs_enabled_name != NULL ? c->docs_enabled & 1 :
	    c->env != CONFIG_ENV_PRODUCTION;
	if ((c->database_path = config_database_locator(c->database_url)) == NULL) {
		ret = CONFIG_ENOMEM;
		goto out;
	}
	/* Quotas: a zone shared by the processes of one host, which is all of
	 * them with SQLite; hosts that share a PostgreSQL database share its
	 * table instead, and a zone there would give each host a quota. */
	pg = db_pg_is_url(c->database_path);
	if (c->rate_limit_store_name == NULL)
		c->rate_limit_store = pg ? CONFIG_RATE_LIMIT_DATABASE :
		    CONFIG_RATE_LIMIT_SHARED;
	else if (c->rate_limit_store == CONFIG_RATE_LIMIT_SHARED && pg) {
		*bad = "RATE_LIMIT_STORE";
		snprintf(why, whylen, "shared-memory keeps a quota per host: "
		    "with a PostgreSQL DATABASE_URL it must be database");
		ret = CONFIG_EINVALID;
		goto out;
	}
out:
	for (i = 0; i < N_SETTINGS; i++) {
		if (fv.v[i] != NULL) {
			OPENSSL_cleanse(fv.v[i], strlen(fv.v[i]));
			free(fv.v[i]);
		}
	}
	return ret;
}

void
config_free(struct config *c)
{
	size_t	 i;
	char	**sp;

	if (c == NULL)
		return;
	for (i = 0; i < N_SETTINGS; i++) {
		if (settings[i].kind == SET_INT)
			continue;
		sp = (char **)((char *)c + settings[i].str_off);
		if (*sp == NULL)
			continue;
		if (settings[i].secret)
			OPENSSL_cleanse(*sp, strlen(*sp));
		free(*sp);
		*sp = NULL;
	}
	free(c->database_path);
	c->database_path = NULL;
}
