/*
 * config: the settings of one deployment, read once per process from the
 * environment and an optional env file (FCGI_USERS_ENV_FILE, KEY=VALUE
 * lines; when that variable is absent, CONFIG_DEFAULT_ENV_FILE next to the
 * program's folder if it exists).  The environment wins over the file.
 * Names are the Python service's.  Every value is validated at load; the
 * first bad one is reported by name so app can log one clear line and
 * answer 503.
 */
#ifndef FCGI_USERS_CONFIG_H
#define FCGI_USERS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_ENV_FILE_MAX	(64 * 1024)	/* bytes in an env file */
#define CONFIG_LINE_MAX		8192		/* bytes in one line of it */
#define CONFIG_VALUE_MAX	8192		/* bytes in one value */
/* The env file read when FCGI_USERS_ENV_FILE is not in the environment at
 * all (set but empty: no env file), relative to the executable's folder;
 * read only when it exists.  See config_path.c. */
#define CONFIG_DEFAULT_ENV_FILE	"../fcgi-users-data/fcgi-users.env"

enum config_err {
	CONFIG_OK,
	CONFIG_EMISSING,	/* a required setting is absent */
	CONFIG_EINVALID,	/* a value does not parse or is out of range */
	CONFIG_EFILE,		/* the env file cannot be read or is malformed */
	CONFIG_ENOMEM,
	CONFIG_EUNSAFE,		/* the env file or a key file is open to other users (fileperm.h) */
	CONFIG__MAX
};

/* MAIL_SMTP_STARTTLS: see mail.h for what each one allows. */
enum config_starttls {
	CONFIG_STARTTLS_AUTO,	/* required, except to a loopback host */
	CONFIG_STARTTLS_TRUE,	/* required, loopback included */
	CONFIG_STARTTLS_FALSE,	/* not used: plain SMTP */
	CONFIG_STARTTLS__MAX
};

/* Where the per-request quotas (geocoding) keep their buckets. */
enum config_rate_limit_store {
	CONFIG_RATE_LIMIT_SHARED,	/* a shared-memory zone beside the database */
	CONFIG_RATE_LIMIT_DATABASE,	/* table rate_limits */
};

enum config_env {
	CONFIG_ENV_DEVELOPMENT,
	CONFIG_ENV_STAGING,
	CONFIG_ENV_PRODUCTION,
	CONFIG_ENV__MAX
};

struct config {
	/* accounts */
	char		*jwt_secret;		/* JWT_SECRET, >= 32 chars */
	char		*jwt_algorithm;		/* JWT_ALGORITHM [HS256] */
	int64_t		 jwt_expire_minutes;	/* JWT_EXPIRE_MINUTES [60] */
	char		*jwt_issuer;		/* JWT_ISSUER [unset] */
	char		*jwt_audience;		/* JWT_AUDIENCE [unset: fastapi-users:auth] */
	int64_t		 refresh_token_days;	/* REFRESH_TOKEN_DAYS [30], 1..3650 (refresh.h) */
	/* storage */
	char		*database_url;		/* DATABASE_URL [./fastapi_users.db] */
	char		*database_path;		/* derived: the SQLite file, or a
						 * postgresql:// URL (db_open) */
	int64_t		 db_busy_timeout_ms;	/* DB_BUSY_TIMEOUT_MS [5000] */
	/* HTTP */
	char		*cors_allowed_origins;	/* CORS_ALLOWED_ORIGINS [*] */
	int64_t		 max_body_bytes;	/* MAX_REQUEST_BODY_BYTES [1 MiB] */
	char		*base_path;		/* BASE_PATH [""]: prefix stripped from REQUEST_URI */
	/* service */
	char		*app_name;		/* APP_NAME [FastAPI Application] */
	int		 env;			/* ENV [development] */
	char		*env_name;
	int		 log_level;		/* LOG_LEVEL [INFO] */
	char		*log_level_name;
	char		*api_key;		/* API_KEY [unset]: legacy X-API-KEY */
	/* signing keys (PEM text, or *_FILE with a path to it) */
	char		*jwt_private_key;	/* JWT_PRIVATE_KEY[_FILE] */
	char		*jwt_private_key_file;
	char		*jwt_public_key;	/* JWT_PUBLIC_KEY[_FILE] */
	char		*jwt_public_key_file;
	char		*jwt_previous_public_keys;	/* JWT_PREVIOUS_PUBLIC_KEYS[_FILE]: PEMs, for rotation */
	char		*jwt_previous_public_keys_file;
	int64_t		 jwt_leeway_seconds;	/* JWT_LEEWAY_SECONDS [0] */
	/* MCP tokens: their own key pair (falling back to JWT_PRIVATE_KEY) */
	char		*mcp_jwt_private_key;	/* MCP_JWT_PRIVATE_KEY[_FILE] */
	char		*mcp_jwt_private_key_file;
	char		*mcp_jwt_public_key;	/* MCP_JWT_PUBLIC_KEY[_FILE] */
	char		*mcp_jwt_public_key_file;
	char		*mcp_jwt_algorithm;	/* MCP_JWT_ALGORITHM [RS256]: RS256, ES256, EdDSA */
	int64_t		 mcp_jwt_expire_minutes;	/* MCP_JWT_EXPIRE_MINUTES [unset: JWT_EXPIRE_MINUTES] */
	char		*mcp_jwt_issuer;	/* MCP_JWT_ISSUER [personal-server] */
	char		*mcp_jwt_audience;	/* MCP_JWT_AUDIENCE [mcp-server] */
	/* the MCP endpoint (src/mcp) */
	char		*mcp_allowed_hosts;	/* MCP_ALLOWED_HOSTS [unset: loopback and PUBLIC_BASE_URL's host] */
	char		*mcp_allowed_origins;	/* MCP_ALLOWED_ORIGINS [unset: loopback and PUBLIC_BASE_URL's origin] */
	int		 mcp_accept_access_tokens;	/* MCP_ACCEPT_ACCESS_TOKENS [true]: index in the bool words */
	char		*mcp_accept_access_tokens_name;
	int64_t		 mcp_session_idle_minutes;	/* MCP_SESSION_IDLE_MINUTES [1440] */
	int64_t		 mcp_client_request_timeout_seconds;	/* MCP_CLIENT_REQUEST_TIMEOUT_SECONDS [60] */
	int		 mcp_conformance_fixtures;	/* MCP_CONFORMANCE_FIXTURES [false]: index in the bool words */
	char		*mcp_conformance_fixtures_name;
	/* e-mail verification */
	int		 require_verified_login;	/* REQUIRE_VERIFIED_LOGIN [false]: index in the bool words */
	char		*require_verified_login_name;
	/* password hashing (pwdlib's Argon2id parameters) */
	int64_t		 argon2_time_cost;	/* PASSWORD_ARGON2_TIME_COST [3] */
	int64_t		 argon2_memory_kib;	/* PASSWORD_ARGON2_MEMORY_KIB [65536] */
	int64_t		 argon2_parallelism;	/* PASSWORD_ARGON2_PARALLELISM [4] */
	/* mail (mail.h): reset and verification messages */
	char		*mail_smtp_url;		/* MAIL_SMTP_URL [unset]: smtp://host:587, smtps://host:465 */
	char		*mail_from;		/* MAIL_FROM [fcgi-users@localhost]: a bare address */
	char		*mail_smtp_user;	/* MAIL_SMTP_USER [unset] */
	char		*mail_smtp_password;	/* MAIL_SMTP_PASSWORD [unset], secret */
	int		 mail_smtp_starttls;	/* MAIL_SMTP_STARTTLS [auto]: enum config_starttls */
	char		*mail_smtp_starttls_name;
	int64_t		 mail_timeout_seconds;	/* MAIL_TIMEOUT_SECONDS [10], 1..60 */
	char		*mail_outbox_file;	/* MAIL_OUTBOX_FILE [unset]: JSON lines instead of SMTP */
	char		*public_base_url;	/* PUBLIC_BASE_URL [http://127.0.0.1:8080] */
	char		*mail_reset_path;	/* MAIL_RESET_PATH [/reset-password?token={token}] */
	char		*mail_verify_path;	/* MAIL_VERIFY_PATH [/verify?token={token}] */
	char		*mail_rate_limit;	/* MAIL_RATE_LIMIT [5/hour]: mails per recipient */
	/* geocoding (src/geocoding) */
	char		*geocoder;		/* GEOCODER [offline]: offline, nominatim, offline,nominatim */
	char		*nominatim_url;		/* NOMINATIM_URL [https://nominatim.openstreetmap.org] */
	int64_t		 nominatim_timeout_seconds;	/* NOMINATIM_TIMEOUT_SECONDS [10] */
	int64_t		 nominatim_max_wait_ms;	/* NOMINATIM_MAX_WAIT_MS [5000]: queue for the 1/s policy */
	char		*geocoding_user_agent;	/* GEOCODING_USER_AGENT [unset: "<APP_NAME>/1.0"] */
	int64_t		 geocoding_cache_ttl_hours;	/* GEOCODING_CACHE_TTL_HOURS [24] */
	char		*geocoding_rate_limit_user;	/* GEOCODING_USER_RATE_LIMIT [10/minute] */
	char		*geocoding_rate_limit_premium;	/* GEOCODING_RATE_LIMIT_PREMIUM [unset: the user's] */
	char		*geocoding_rate_limit_admin;	/* GEOCODING_RATE_LIMIT_ADMIN [unlimited] */
	int		 rate_limit_store;	/* RATE_LIMIT_STORE [shared-memory; database with PostgreSQL]: enum config_rate_limit_store */
	char		*rate_limit_store_name;
	/* login throttling (throttle.h) */
	int64_t		 login_max_failures;	/* LOGIN_MAX_FAILURES [10]: per account */
	int64_t		 login_failure_window;	/* LOGIN_FAILURE_WINDOW [900]: seconds */
	int64_t		 login_max_failures_per_address;	/* LOGIN_MAX_FAILURES_PER_ADDRESS [100] */
	/* geocoding */
	char		*gazetteer_path;	/* GAZETTEER_PATH [./gazetteer.db]: the offline gazetteer file */
	/* API documentation (users.fcgi: /docs, /openapi.json) */
	int		 docs_enabled;		/* DOCS_ENABLED [unset: true unless ENV=production]: 0 or 1 after load */
	char		*docs_enabled_name;
};

#define CONFIG_PEM_MAX		(64 * 1024)	/* bytes in a key file */

/*
 * Loads the settings from `envp` (the process environment; NULL means
 * `environ`) and the env file it names.  On failure returns the error,
 * with `*bad` set to the setting (or file) at fault and `why` filled with
 * a one-line reason that holds no secret value.  The config is always
 * initialised, so config_free() is safe after a failure.
 */
enum config_err	 config_load(struct config *, char *const *envp,
		    const char **bad, char *why, size_t whylen);
void		 config_free(struct config *);
const char	*config_strerror(enum config_err);

/*
 * Parses an env file's text (buf, len) and calls `cb` for each KEY=VALUE;
 * blank lines and # comments are skipped, "export " is allowed, values may
 * be quoted with ' or ".  Returns CONFIG_OK or CONFIG_EFILE with the line
 * number in *lineno.  Exposed for the tests and the fuzzer.
 */
typedef int (*config_kv_cb)(const char *key, const char *value, void *arg);
enum config_err	 config_parse_env(const char *buf, size_t len,
		    config_kv_cb cb, void *arg, size_t *lineno);

/*
 * The default env file's path for the executable `exe` (an absolute path;
 * NULL: this process's, from /proc/self/exe): its folder, a '/', then
 * CONFIG_DEFAULT_ENV_FILE.  Written into buf (len bytes); 0, or -1 when
 * exe is not absolute, cannot be read, or the path does not fit.
 */
int		 config_default_env_file(const char *exe, char *buf, size_t len);

/* The SQLite file named by a DATABASE_URL (a path, sqlite:///rel, sqlite:////abs,
 * sqlite+aiosqlite:///…); NULL for what is not a SQLite URL.  Caller frees. */
char		*config_sqlite_path(const char *url);
/* What db_open takes for a DATABASE_URL: the SQLite file, or for
 * postgresql://, postgres:// and SQLAlchemy's postgresql+DRIVER:// the URL
 * as postgresql://…; NULL for anything else.  Caller frees. */
char		*config_database_locator(const char *url);

/*
 * The settings table, for documentation and its tests: the name and the
 * default (NULL: unset unless given, or derived from another setting) of
 * setting i.  Returns 0, or -1 past the last one.
 */
int		 config_setting_at(size_t i, const char **name, const char **def);

/* Bounded integer conversion: the whole string, in [min, max]; 0 on success. */
int		 config_strtonum(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
