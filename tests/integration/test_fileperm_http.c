/*
 * test_fileperm_http: the programs and the admin tool refuse the files of a
 * deployment that other users may read or write (src/common/fileperm.h),
 * each with one log line naming the file and the chmod that fixes it.
 *
 * - The database, through the web server: the programs answer every
 *   request 503 {"detail":"Service misconfigured"} while it (or its -wal)
 *   is readable or writable by others, and serve again once chmod'ed and
 *   restarted; `fcgi-users` refuses it too (exit 1) and works after the
 *   chmod.  What migrate creates is not open to others, whatever the umask.
 * - The env file (named or found beside the program's folder, as on shared
 *   hosting), the private key files (JWT_, MCP_JWT_) and public key files
 *   others may write, by running the programs as plain CGI (no server
 *   needed to see a setting refused), and the admin tool with the same env.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"

#define SECRET		"fileperm-secret-fileperm-secret-0123456789"
#define REFUSED_CFG	"refusing a file open to other users"
#define REFUSED_DB	"refusing a database open to other users"

static struct harness	*H;

static int
group_setup(void **state)
{
	(void)state;
	/* What migrate creates must be private even under a lax umask. */
	(void)umask(022);
	return (H = harness_start(NULL)) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

/* <data>/name holding text, chmod'ed to mode; returns the path (caller frees). */
static char *
make_file(const char *name, const char *text, mode_t mode)
{
	char	*path;
	int	 fd;

	assert_true(asprintf(&path, "%s/%s", harness_data_dir(H), name) > 0);
	(void)unlink(path);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* An RSA key pair as PEM: *priv and *pub (caller frees). */
static void
rsa_pem(char **priv, char **pub)
{
	EVP_PKEY	*k = EVP_RSA_gen(2048);
	BIO		*b;
	char		*p;
	long		 n;

	assert_non_null(k);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &p);
	*priv = strndup(p, (size_t)n);
	BIO_free(b);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
	n = BIO_get_mem_data(b, &p);
	*pub = strndup(p, (size_t)n);
	BIO_free(b);
	EVP_PKEY_free(k);
}

/*
 * Runs `program` as plain CGI (GET path) with the harness's database and
 * the given settings (NULL-terminated; JWT_SECRET is not added: give it).
 * Checks the status; for a refusal (503) that stderr holds the log line
 * `refused`, the file `file` and the chmod, and no secret.
 */
static void
cgi_expect(int line, const char *program, const char *path,
    const char *const *settings, long status, const char *refused, const char *file)
{
	static struct harness_cgi_env e;
	char		 want[32];
	struct cgi_result c;

	harness_cgi_env(&e, H, "GET", path, 0, settings);
	if (harness_cgi(program, e.v, NULL, 0, &c) != 0) {
		au_bad(line, "%s did not run", program);
		return;
	}
	snprintf(want, sizeof(want), "Status: %ld", status);
	if (strncmp(c.out, want, strlen(want)) != 0)
		au_bad(line, "%s: want %s, got %.200s | stderr %.400s", program, want,
		    c.out, c.err);
	if (status == 503 && strstr(c.out, "Service misconfigured") == NULL)
		au_bad(line, "503 without its detail: %.200s", c.out);
	if (refused != NULL && (strstr(c.err, refused) == NULL ||
	    strstr(c.err, file) == NULL || strstr(c.err, "chmod o-rwx") == NULL))
		au_bad(line, "log line wants \"%s\", %s and the chmod: %.600s", refused,
		    file, c.err);
	if (refused == NULL && (strstr(c.err, REFUSED_CFG) != NULL ||
	    strstr(c.err, REFUSED_DB) != NULL))
		au_bad(line, "refused all the same: %.600s", c.err);
	if (strstr(c.err, SECRET) != NULL || strstr(c.err, "BEGIN") != NULL)
		au_bad(line, "a secret in the log: %.600s", c.err);
	cgi_result_free(&c);
}

/* ---- the database, through the web server and the admin tool ---- */

static const char *
db_path(void)
{
	const char *url = harness_env(H, "DATABASE_URL");

	return strncmp(url, "sqlite:///", 10) == 0 ? url + 9 : url;
}

/* `fcgi-users migrate status`: its exit status; stderr checked when it fails. */
static void
cli_expect(int line, const char *const *argv, int want, const char *file)
{
	struct cgi_result r;

	if (harness_cli_result(H, argv, &r) != 0) {
		au_bad(line, "fcgi-users did not run");
		return;
	}
	if (r.exit_status != want)
		au_bad(line, "fcgi-users %s: exit %d, want %d: %.400s", argv[0],
		    r.exit_status, want, r.err);
	if (want != 0 && (strstr(r.err, "refused") == NULL ||
	    strstr(r.err, file) == NULL || strstr(r.err, "chmod o-rwx") == NULL))
		au_bad(line, "stderr should name %s and the chmod: %.400s", file, r.err);
	cgi_result_free(&r);
}

static void
test_db_created_private(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat(db_path(), &st), 0);
	if (st.st_mode & 0007)
		fail_msg("migrate up made %s mode %04o under umask 022", db_path(),
		    (unsigned)(st.st_mode & 07777));
}

static void
test_db_cli(void **state)
{
	static const char *const status[] = { "migrate", "status", NULL };
	static const char *const list[] = { "user", "list", NULL };
	static const mode_t bad[] = { 0644, 0604, 0602, 0666 };
	char	*wal;

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chmod(db_path(), bad[i]), 0);
		cli_expect(__LINE__, status, 1, db_path());
		cli_expect(__LINE__, list, 1, db_path());
	}
	assert_int_equal(chmod(db_path(), 0640), 0);
	/* A program of the harness's server that opened the database while
	 * it was open to others (one still starting, slow under the
	 * sanitizers) made the -wal with the database's mode, as SQLite does:
	 * the fix is then to chmod both, as the refusal says. */
	assert_true(asprintf(&wal, "%s-wal", db_path()) > 0);
	if (access(wal, F_OK) == 0)
		assert_int_equal(chmod(wal, 0600), 0);
	cli_expect(__LINE__, status, 0, NULL);
	/* A WAL others may read holds the database's pages. */
	if (access(wal, F_OK) != 0)
		free(make_file("fcgi-users.db-wal", "", 0600));
	assert_int_equal(chmod(wal, 0644), 0);
	cli_expect(__LINE__, status, 1, wal);
	assert_int_equal(chmod(wal, 0600), 0);
	cli_expect(__LINE__, list, 0, NULL);
	free(wal);
	au_end();
}

/* Starts a server on a database of mode `mode` (made by migrate, then
 * chmod'ed), GETs /health: returns the status, checks the log. */
static long
server_on_db(int line, const char *db, mode_t mode)
{
	char	 setting[600], *log;
	const char *env[] = { setting, NULL };
	struct harness_opts o = { .env = env, .no_migrate = 1 };
	struct harness *h;
	struct http_resp r;
	long	 status;

	assert_int_equal(chmod(db, mode), 0);
	snprintf(setting, sizeof(setting), "DATABASE_URL=%s", db);
	if ((h = harness_start(&o)) == NULL) {
		au_bad(line, "the server did not start");
		return 0;
	}
	assert_int_equal(harness_get(h, "/health", &r), 0);
	status = r.status;
	if (status == 503) {
		if (http_resp_detail(&r) == NULL ||
		    strcmp(http_resp_detail(&r), "Service misconfigured") != 0)
			au_bad(line, "503 body: %.200s", r.body);
		log = harness_wait_log(h, REFUSED_DB, 3000);
		if (log == NULL || strstr(log, REFUSED_DB) == NULL ||
		    strstr(log, "chmod o-rwx") == NULL || strstr(log, db) == NULL)
			au_bad(line, "no log line naming %s and the chmod", db);
		free(log);
	}
	http_resp_free(&r);
	/* Another program refuses it too (each opens the database itself). */
	assert_int_equal(harness_get(h, "/users/me", &r), 0);
	if (r.status != (status == 503 ? 503 : 401))
		au_bad(line, "/users/me: %ld after /health %ld", r.status, status);
	http_resp_free(&r);
	if (harness_finish(&h) != 0)
		au_bad(line, "sanitizer report");
	return status;
}

static void
test_db_programs(void **state)
{
	static const char *const up[] = { "--database", NULL, "migrate", "up", NULL };
	const char *argv[5];
	char	*db;

	(void)state;
	au_begin();
	assert_true(asprintf(&db, "%s/other.db", harness_data_dir(H)) > 0);
	memcpy(argv, up, sizeof(argv));
	argv[1] = db;
	assert_int_equal(harness_cli(H, argv), 0);
	if (server_on_db(__LINE__, db, 0644) != 503)
		au_bad(__LINE__, "a world-readable database was served");
	if (server_on_db(__LINE__, db, 0602) != 503)
		au_bad(__LINE__, "a world-writable database was served");
	if (server_on_db(__LINE__, db, 0660) != 200)
		au_bad(__LINE__, "a private database was refused");
	free(db);
	au_end();
}

/* ---- the env file and the key files (plain CGI) ---- */

static void
test_env_file(void **state)
{
	static const struct {
		int	 line;
		const char *text;
		mode_t	 mode;
		long	 status;
	} cases[] = {
		{ __LINE__, "JWT_SECRET=" SECRET "\n", 0600, 200 },
		{ __LINE__, "JWT_SECRET=" SECRET "\n", 0640, 200 },
		{ __LINE__, "JWT_SECRET=" SECRET "\n", 0644, 503 },
		{ __LINE__, "JWT_SECRET=" SECRET "\n", 0606, 503 },
		{ __LINE__, "JWT_SECRET=" SECRET "\n", 0620 | 0002, 503 },
		{ __LINE__, "API_KEY=legacy-api-key\nJWT_SECRET=" SECRET "\n", 0604, 503 },
		/* no secret in it (JWT_SECRET in the environment): others may
		 * read it, never write it */
		{ __LINE__, "LOG_LEVEL=INFO\n", 0644, 200 },
		{ __LINE__, "LOG_LEVEL=INFO\n", 0646, 503 },
	};
	char	 setting[600], *file;

	(void)state;
	au_begin();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *env[] = { setting, NULL, NULL };

		file = make_file("prog.env", cases[i].text, cases[i].mode);
		snprintf(setting, sizeof(setting), "FCGI_USERS_ENV_FILE=%s", file);
		if (strstr(cases[i].text, "JWT_SECRET") == NULL)
			env[1] = "JWT_SECRET=" SECRET;
		cgi_expect(cases[i].line, "users.fcgi", "/health", env, cases[i].status,
		    cases[i].status == 503 ? REFUSED_CFG : NULL, file);
		free(file);
	}
	au_end();
}

/* The admin tool with an env file others may read: refused, not
 * bypassed through DATABASE_URL in the environment.  harness_cgi runs a
 * program with exactly the environment given, so through a script that
 * runs the tool with its arguments. */
static void
test_env_file_cli(void **state)
{
	char	*file, *script, text[700], setting[600], db[600];
	const char *env[] = { setting, db, "PATH=/usr/bin:/bin", NULL };
	struct cgi_result r;

	(void)state;
	au_begin();
	snprintf(text, sizeof(text), "#!/bin/sh\nexec %s/bin/fcgi-users user list\n",
	    FU_BINARY_DIR);
	script = make_file("cli.sh", text, 0700);
	snprintf(db, sizeof(db), "DATABASE_URL=%s", harness_env(H, "DATABASE_URL"));
	for (int pass = 0; pass < 2; pass++) {
		file = make_file("cli.env", "JWT_SECRET=" SECRET "\n", pass ? 0600 : 0644);
		snprintf(setting, sizeof(setting), "FCGI_USERS_ENV_FILE=%s", file);
		if (harness_cgi(script, env, NULL, 0, &r) != 0) {
			au_bad(__LINE__, "fcgi-users did not run");
			free(file);
			continue;
		}
		if (r.exit_status != (pass ? 0 : 1))
			au_bad(__LINE__, "pass %d: exit %d: %.400s", pass, r.exit_status, r.err);
		if (!pass && (strstr(r.err, "refused") == NULL || strstr(r.err, file) == NULL ||
		    strstr(r.err, "chmod o-rwx") == NULL))
			au_bad(__LINE__, "stderr should name %s and the chmod: %.400s", file,
			    r.err);
		if (strstr(r.err, SECRET) != NULL)
			au_bad(__LINE__, "the secret on stderr");
		cgi_result_free(&r);
		free(file);
	}
	free(script);
	au_end();
}

/* Shared hosting: no FCGI_USERS_ENV_FILE, the program in <host>/cgi-bin
 * finds <host>/fcgi-users-data/fcgi-users.env itself (config_path.c); a
 * world-readable one is refused by its full path. */
static void
test_default_env_file(void **state)
{
	char	*host, *from, *to, *file, *text;
	const char *none[] = { NULL };
	FILE	*in, *out;
	char	 buf[65536];
	size_t	 n;

	(void)state;
	au_begin();
	assert_true(asprintf(&host, "%s/host", harness_data_dir(H)) > 0);
	assert_true(mkdir(host, 0755) == 0);
	assert_true(asprintf(&to, "%s/cgi-bin", host) > 0);
	assert_true(mkdir(to, 0755) == 0);
	free(to);
	assert_true(asprintf(&to, "%s/fcgi-users-data", host) > 0);
	assert_true(mkdir(to, 0700) == 0);
	free(to);
	/* A copy, not a link: the program finds the file from its own folder. */
	assert_true(asprintf(&from, "%s/cgi-bin/users.fcgi", FU_BINARY_DIR) > 0);
	assert_true(asprintf(&to, "%s/cgi-bin/users.fcgi", host) > 0);
	assert_non_null(in = fopen(from, "rb"));
	assert_non_null(out = fopen(to, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_true(fwrite(buf, 1, n, out) == n);
	fclose(in);
	assert_int_equal(fchmod(fileno(out), 0755), 0);
	fclose(out);
	assert_true(asprintf(&text, "JWT_SECRET=%s\nDATABASE_URL=%s\n", SECRET,
	    harness_env(H, "DATABASE_URL")) > 0);
	file = make_file("host/fcgi-users-data/fcgi-users.env", text, 0644);
	/* Named as the program found it: <host>/cgi-bin/../fcgi-users-data/… */
	cgi_expect(__LINE__, to, "/health", none, 503, REFUSED_CFG,
	    "/host/cgi-bin/../fcgi-users-data/fcgi-users.env is readable");
	assert_int_equal(chmod(file, 0600), 0);
	cgi_expect(__LINE__, to, "/health", none, 200, NULL, NULL);
	free(text);
	free(file);
	free(from);
	free(to);
	free(host);
	au_end();
}

static void
test_key_files(void **state)
{
	static const struct {
		int	 line;
		const char *program, *path;
		const char *setting;	/* which file */
		int	 priv;		/* the file holds the private key */
		mode_t	 mode;
		long	 status;
	} cases[] = {
		{ __LINE__, "auth.fcgi", "/.well-known/jwks.json", "JWT_PRIVATE_KEY_FILE",
		    1, 0600, 200 },
		{ __LINE__, "auth.fcgi", "/.well-known/jwks.json", "JWT_PRIVATE_KEY_FILE",
		    1, 0640, 200 },
		{ __LINE__, "auth.fcgi", "/.well-known/jwks.json", "JWT_PRIVATE_KEY_FILE",
		    1, 0644, 503 },
		{ __LINE__, "users.fcgi", "/health", "JWT_PRIVATE_KEY_FILE", 1, 0602, 503 },
		{ __LINE__, "users.fcgi", "/health", "JWT_PUBLIC_KEY_FILE", 0, 0644, 200 },
		{ __LINE__, "users.fcgi", "/health", "JWT_PUBLIC_KEY_FILE", 0, 0646, 503 },
		{ __LINE__, "mcp.fcgi", "/.well-known/oauth-protected-resource",
		    "MCP_JWT_PRIVATE_KEY_FILE", 1, 0604, 503 },
		{ __LINE__, "mcp.fcgi", "/.well-known/oauth-protected-resource",
		    "MCP_JWT_PUBLIC_KEY_FILE", 0, 0644, 200 },
		{ __LINE__, "mcp.fcgi", "/.well-known/oauth-protected-resource",
		    "MCP_JWT_PUBLIC_KEY_FILE", 0, 0666, 503 },
	};
	char	*priv_pem, *pub_pem, *file, setting[600];
	const char *alg;

	(void)state;
	au_begin();
	rsa_pem(&priv_pem, &pub_pem);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *env[] = { "JWT_SECRET=" SECRET, setting, NULL, NULL };

		alg = strncmp(cases[i].setting, "JWT_PRIVATE", 11) == 0 ?
		    "JWT_ALGORITHM=RS256" : NULL;
		env[2] = alg;
		file = make_file("key.pem", cases[i].priv ? priv_pem : pub_pem,
		    cases[i].mode);
		snprintf(setting, sizeof(setting), "%s=%s", cases[i].setting, file);
		cgi_expect(cases[i].line, cases[i].program, cases[i].path, env,
		    cases[i].status, cases[i].status == 503 ? REFUSED_CFG : NULL, file);
		free(file);
	}
	free(priv_pem);
	free(pub_pem);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_created_private),
		cmocka_unit_test(test_db_cli),
		cmocka_unit_test(test_db_programs),
		cmocka_unit_test(test_env_file),
		cmocka_unit_test(test_env_file_cli),
		cmocka_unit_test(test_default_env_file),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
