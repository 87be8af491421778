/*
 * test_stress_db: database faults under a running lighttpd (issue 8,
 * label "stress"): the database locked by another process for longer
 * than DB_BUSY_TIMEOUT_MS, made read-only (chattr +i, which binds root
 * too), missing (its folder gone, then made and migrated), and out of
 * space (a 512 KiB tmpfs filled up).  Each gives 503 {"detail":"Database
 * unavailable"} (or the documented schema answer) in bounded time and a
 * log line, never another 5xx; reads that need no write go on; and once
 * the fault is gone the same processes serve writes again, with every
 * acknowledged write kept and PRAGMA integrity_check "ok".  The read-only
 * and out-of-space cases are skipped where chattr or mount is refused
 * (not root, a file system without the flag).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "accounts_util.h"
#include "geocoding_util.h"
#include "harness.h"
#include "stress_util.h"

#define BUSY_MS		300
#define ANSWER_MS	8000	/* busy timeout + db_transaction's budget + slack */
#define UNAVAILABLE	"Database unavailable"
#define PASSWORD	"stress-password-1"

static struct harness	*H;
static char		 dbpath[4096];
static char		 mnt[64];	/* the tmpfs of test_full, or "" */
static int		 immutable;	/* test_readonly set chattr +i */

static struct harness *
start(const char *db_env, int no_migrate)
{
	const char *env[] = { "DB_BUSY_TIMEOUT_MS=300", GEO_CHEAP_ARGON2,
	    db_env, NULL };
	struct harness_opts o = { .env = env, .procs = 2, .server = "lighttpd",
	    .no_migrate = no_migrate };

	return harness_start(&o);
}

/* A register that must give 503 "Database unavailable" in bounded time. */
static void
want_503(int line, const char *method, const char *path, const char *tok,
    const char *body)
{
	struct http_resp r;
	int64_t t0 = geo_now_ms(), ms;

	au_json(H, method, path, tok, body, &r);
	ms = geo_now_ms() - t0;
	au_check_error(line, &r, 503, UNAVAILABLE);
	if (ms > geo_bound_ms(ANSWER_MS))
		au_bad(line, "the 503 took %lld ms", (long long)ms);
	http_resp_free(&r);
}

static void
register_503(int line)
{
	char email[AU_EMAIL_MAX], body[512];

	au_email(email, sizeof(email), "fault");
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PASSWORD
	    "\"}", email);
	want_503(line, "POST", "/auth/register", NULL, body);
}

/* After the fault: writes work again, u's data is all there, the file is sound. */
static void
recovered(int line, const struct au_user *u)
{
	struct au_user v;
	struct http_resp r;
	char msg[256];

	if (au_new_user(H, "after", &v) != 0)
		au_bad(line, "no registration and login after the fault");
	au_json(H, "PATCH", "/users/me", u->token, "{\"last_name\":\"after\"}", &r);
	if (r.status != 200 || strcmp(au_jstr(r.json, "last_name") ?
	    au_jstr(r.json, "last_name") : "", "after") != 0)
		au_bad(line, "PATCH after the fault: %ld %.200s", r.status, r.body);
	http_resp_free(&r);
	au_get(H, "/users/me", u->token, &r);
	if (r.status != 200 || au_jstr(r.json, "first_name") == NULL ||
	    strcmp(au_jstr(r.json, "first_name"), "before") != 0)
		au_bad(line, "the write acknowledged before the fault: %ld %.200s",
		    r.status, r.body);
	http_resp_free(&r);
	if (st_integrity(dbpath, msg, sizeof(msg)) != 0)
		au_bad(line, "integrity_check: %s", msg);
}

/* A user with a write acknowledged before the fault. */
static void
before(struct au_user *u)
{
	struct http_resp r;

	if (au_new_user(H, "before", u) != 0)
		fail_msg("cannot make a user");
	au_json(H, "PATCH", "/users/me", u->token, "{\"first_name\":\"before\"}", &r);
	assert_int_equal(r.status, 200);
	http_resp_free(&r);
}

static void
want_log(int line, const char *needle)
{
	char *log = harness_wait_log(H, needle, 3000);

	if (log == NULL || strstr(log, needle) == NULL)
		au_bad(line, "no log line \"%s\"", needle);
	free(log);
}

/* Another process holds the write lock past the busy timeout. */
static void
test_locked(void **state)
{
	struct au_user u;
	sqlite3 *db = NULL;

	(void)state;
	assert_non_null(H = start(NULL, 0));
	st_db_path(H, dbpath, sizeof(dbpath));
	before(&u);
	au_begin();
	assert_int_equal(sqlite3_open(st_db_path(H, dbpath, sizeof(dbpath)), &db),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	register_503(__LINE__);
	want_503(__LINE__, "PATCH", "/users/me", u.token, "{\"first_name\":\"lost\"}");
	/* WAL: readers are not blocked by a writer. */
	if (au_me_status(H, u.token) != 200)
		au_bad(__LINE__, "GET /users/me under the lock is not 200");
	want_log(__LINE__, "\"msg\":\"database is locked\"");
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	recovered(__LINE__, &u);
	assert_int_equal(harness_finish(&H), 0);
	au_end();
}

/* chattr on the database and its WAL; 0, or -1 when refused. */
static int
chattr(const char *flag)
{
	char cmd[2 * sizeof(dbpath) + 64];

	snprintf(cmd, sizeof(cmd), "chattr %s '%s' '%s-wal' 2>/dev/null", flag,
	    dbpath, dbpath);
	return system(cmd) == 0 ? 0 : -1;
}

/* The database file and its WAL cannot be written, root or not. */
static void
test_readonly(void **state)
{
	struct au_user u;

	(void)state;
	assert_non_null(H = start(NULL, 0));
	st_db_path(H, dbpath, sizeof(dbpath));
	before(&u);
	if (chattr("+i") != 0) {
		harness_finish(&H);
		skip();
	}
	immutable = 1;
	au_begin();
	register_503(__LINE__);
	want_503(__LINE__, "PATCH", "/users/me", u.token, "{\"first_name\":\"lost\"}");
	if (au_me_status(H, u.token) != 200)
		au_bad(__LINE__, "GET /users/me on a read-only database is not 200");
	want_log(__LINE__, "\"detail\":\"disk I/O error\"");
	assert_int_equal(chattr("-i"), 0);
	immutable = 0;
	recovered(__LINE__, &u);
	assert_int_equal(harness_finish(&H), 0);
	au_end();
}

/* The database's folder does not exist; then it does and is migrated. */
static void
test_missing(void **state)
{
	static char dir[] = "/tmp/fu-missing-XXXXXX";
	char env[4200], sub[64];
	const char *const up[] = { "migrate", "up", NULL };
	struct http_resp r;
	struct au_user u;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/data", dir);
	snprintf(env, sizeof(env), "DATABASE_URL=%s/x.db", sub);
	assert_non_null(H = start(env, 1));
	snprintf(dbpath, sizeof(dbpath), "%s/x.db", sub);
	au_begin();
	register_503(__LINE__);
	assert_int_equal(harness_get(H, "/health", &r), 0);
	au_check_error(__LINE__, &r, 503, UNAVAILABLE);
	http_resp_free(&r);
	want_log(__LINE__, "cannot open the database");
	assert_int_equal(mkdir(sub, 0700), 0);
	if (harness_cli(H, up) != 0)
		au_bad(__LINE__, "migrate up failed");
	/* The same processes, no restart. */
	assert_int_equal(harness_get(H, "/health", &r), 0);
	if (r.status != 200)
		au_bad(__LINE__, "/health after the fix: %ld %.200s", r.status, r.body);
	http_resp_free(&r);
	if (au_new_user(H, "found", &u) != 0)
		au_bad(__LINE__, "no registration after the fix");
	assert_int_equal(harness_finish(&H), 0);
	snprintf(env, sizeof(env), "rm -rf '%s'", dir);
	if (system(env) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	au_end();
}

/* Fills the file system of path until it is full; the filler's path. */
static int
fill(const char *path)
{
	static char block[4096];
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	while (write(fd, block, sizeof(block)) > 0)
		;
	close(fd);
	return errno == ENOSPC ? 0 : -1;
}

/* The database on a 512 KiB tmpfs that fills up. */
static void
test_full(void **state)
{
	char env[200], filler[128];
	struct au_user u, ok[64];
	struct http_resp r;
	int i, nok = 0, n503 = 0;

	(void)state;
	snprintf(mnt, sizeof(mnt), "/tmp/fu-full-XXXXXX");
	assert_non_null(mkdtemp(mnt));
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=512k,mode=0700") != 0) {
		fprintf(stderr, "mount tmpfs: %s: skipped\n", strerror(errno));
		rmdir(mnt);
		mnt[0] = '\0';
		skip();
	}
	snprintf(env, sizeof(env), "DATABASE_URL=%s/x.db", mnt);
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	assert_non_null(H = start(env, 0));
	snprintf(dbpath, sizeof(dbpath), "%s/x.db", mnt);
	before(&u);
	au_begin();
	assert_int_equal(fill(filler), 0);
	/* The WAL may still have room: register until the space is gone. */
	for (i = 0; i < 64 && n503 < 3; i++) {
		char email[AU_EMAIL_MAX];

		au_email(email, sizeof(email), "full");
		au_register(H, email, PASSWORD, &r);
		if (r.status == 201)
			snprintf(ok[nok++].email, AU_EMAIL_MAX, "%s", email);
		else if (r.status == 503) {
			au_check_error(__LINE__, &r, 503, UNAVAILABLE);
			n503++;
		} else
			au_bad(__LINE__, "register on a full disk: %ld %.200s",
			    r.status, r.body);
		http_resp_free(&r);
	}
	if (n503 == 0)
		au_bad(__LINE__, "%d registrations on a full disk, no 503", nok);
	want_log(__LINE__, "\"detail\":\"database or disk is full\"");
	assert_int_equal(unlink(filler), 0);
	recovered(__LINE__, &u);
	for (i = 0; i < nok; i++)
		if (au_login(H, ok[i].email, PASSWORD, ok[i].token,
		    sizeof(ok[i].token)) != 200)
			au_bad(__LINE__, "%s, registered on the full disk, is lost",
			    ok[i].email);
	fprintf(stderr, "full disk: %d registrations went through, then %d 503\n",
	    nok, n503);
	assert_int_equal(harness_finish(&H), 0);
	au_end();
}

/*
 * A file-size limit (RLIMIT_FSIZE, as some hosts set for CGI): a write
 * past it raises SIGXFSZ, whose default action kills the process.  The
 * programs ignore it, so the write fails with EFBIG, SQLite reports the
 * error and the request gets its 503.  Run as plain CGI, which inherits
 * the limit from this process (the web server of H, started before,
 * does not).
 */
static void
test_file_size_limit(void **state)
{
	static struct harness_cgi_env e;
	char		 len[48], body[512], email[AU_EMAIL_MAX];
	const char	*extra[] = { "CONTENT_TYPE=application/json", len, NULL };
	struct rlimit	 old, lim;
	struct cgi_result c;
	struct au_user	 u;
	char		 tok[AU_TOKEN_MAX];
	int		 ran;

	(void)state;
	assert_non_null(H = start(NULL, 0));
	st_db_path(H, dbpath, sizeof(dbpath));
	before(&u);
	au_begin();
	au_email(email, sizeof(email), "fsize");
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PASSWORD
	    "\"}", email);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	harness_cgi_env(&e, H, "POST", "/auth/register", 1, extra);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 8192;	/* below the database's size: every page write fails */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ran = harness_cgi("auth.fcgi", e.v, body, strlen(body), &c);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	if (ran != 0)
		au_bad(__LINE__, "auth.fcgi did not run");
	else {
		if (c.exit_status != 0)
			au_bad(__LINE__, "auth.fcgi ended with status %d (SIGXFSZ is "
			    "%d + 128): %.300s", c.exit_status, SIGXFSZ, c.err);
		if (strncmp(c.out, "Status: 503", 11) != 0 ||
		    strstr(c.out, UNAVAILABLE) == NULL)
			au_bad(__LINE__, "register past the limit: %.300s | %.300s",
			    c.out, c.err);
		cgi_result_free(&c);
	}
	/* Nothing of it was kept, and the server works as before. */
	if (au_login(H, email, PASSWORD, tok, sizeof(tok)) != 400)
		au_bad(__LINE__, "the refused registration logs in");
	recovered(__LINE__, &u);
	assert_int_equal(harness_finish(&H), 0);
	au_end();
}

static int
teardown(void **state)
{
	(void)state;
	if (immutable) {
		(void)chattr("-i");
		immutable = 0;
	}
	harness_finish(&H);
	if (mnt[0] != '\0') {
		(void)umount2(mnt, MNT_DETACH);
		(void)rmdir(mnt);
		mnt[0] = '\0';
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_locked, teardown),
		cmocka_unit_test_teardown(test_readonly, teardown),
		cmocka_unit_test_teardown(test_missing, teardown),
		cmocka_unit_test_teardown(test_full, teardown),
		cmocka_unit_test_teardown(test_file_size_limit, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
