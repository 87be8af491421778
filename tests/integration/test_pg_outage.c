/*
 * test_pg_outage: what the programs do when PostgreSQL goes away under
 * them (issue "PostgreSQL": reconnect with bounded retries; a database
 * that is down gives 503 with a clear detail, never a hang past a bound).
 * The cluster of the test run stays up; the test's database is made to
 * fail instead, through the cluster's admin connection: its connections
 * are ended (a server restart, as the programs see it), it refuses new
 * ones (down), and a table is locked (a server that does not answer in
 * time); and programs started while no server listens.  PostgreSQL only
 * (FU_DATABASE=postgres, the fixture "pg").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts_util.h"
#include "db.h"
#include "harness.h"

#define LINE		__LINE__
#define BUSY_MS		1500	/* DB_BUSY_TIMEOUT_MS: the statement timeout */
#define BOUND_MS	6000	/* an answer within this, whatever happens */
#define UNAVAILABLE	"Database unavailable"

static struct harness	*H;
static struct au_user	 U;
static char		 DBNAME[64];

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The cluster's admin connection (FU_PG_STATE/url); NULL after failing. */
static struct db *
admin_open(void)
{
	const char	*st = getenv("FU_PG_STATE");
	char		 path[1024], url[1024];
	struct db	*db = NULL;
	FILE		*f;
	size_t		 n;

	if (st == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/url", st);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(url, 1, sizeof(url) - 1, f);
	fclose(f);
	url[n] = '\0';
	url[strcspn(url, "\r\n")] = '\0';
	if (db_open(url, 0, 30000, &db) != DB_OK)
		return NULL;
	return db;
}

/* Runs a printf-made statement on the admin connection. */
static void
admin(const char *fmt, ...)
{
	struct db	*db;
	char		 sql[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_non_null(db = admin_open());
	if (db_exec(db, sql) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(db));
	db_close(db);
}

/* Ends every connection of the programs to the test's database. */
static void
end_connections(void)
{
	admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
	    " WHERE datname = '%s' AND pid <> pg_backend_pid()", DBNAME);
}

static int
group_setup(void **state)
{
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    "DB_BUSY_TIMEOUT_MS=1500", "GEOCODER=offline", NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	const char	*url, *p;

	(void)state;
	if ((H = harness_start(&o)) == NULL || au_new_user(H, "outage", &U) != 0)
		return -1;
	url = harness_env(H, "DATABASE_URL");
	if (url == NULL || strncmp(url, "postgresql://", 13) != 0 ||
	    (p = strrchr(url, '/')) == NULL || strlen(p + 1) >= sizeof(DBNAME)) {
		print_error("not on PostgreSQL: run with FU_DATABASE=postgres\n");
		return -1;
	}
	snprintf(DBNAME, sizeof(DBNAME), "%s", p + 1);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return harness_finish(&H);
}

/* GET with the user's token: the status, the time it took into *ms. */
static long
timed_get(const char *path, int64_t *ms, struct http_resp *r)
{
	int64_t	 t0 = now_ms();
	long	 st;

	st = au_get(H, path, U.token, r) == 0 ? r->status : 0;
	*ms = now_ms() - t0;
	return st;
}

/* The server ends the connections (a restart): the next requests
 * reconnect and are answered as if nothing happened. */
static void
test_reconnect(void **state)
{
	struct http_resp r;
	int64_t		 ms;
	char		*log;
	int		 i;

	(void)state;
	au_begin();
	for (i = 0; i < 3; i++) {
		end_connections();
		if (timed_get("/users/me", &ms, &r) != 200)
			au_bad(LINE, "round %d after the restart: %ld %.200s", i,
			    r.status, r.body);
		http_resp_free(&r);
		if (au_login(H, U.email, U.password, U.token, sizeof(U.token)) != 200)
			au_bad(LINE, "round %d: login after the restart", i);
	}
	log = harness_wait_log(H, "database connection re-established", 5000);
	if (log == NULL || strstr(log, "database connection re-established") == NULL)
		au_bad(LINE, "no log line says the connection came back");
	free(log);
	au_end();
}

/* The database refuses connections: every route that needs it answers
 * 503 with a detail that says so, quickly; when it is back, so are the
 * answers. */
static void
test_down_then_up(void **state)
{
	static const char *const paths[] = {
		"/users/me", "/health", "/geocode/city?city=London", "/protected",
	};
	struct http_resp r;
	int64_t		 ms;
	long		 st;
	size_t		 i;
	int		 tries;

	(void)state;
	au_begin();
	admin("ALTER DATABASE %s ALLOW_CONNECTIONS false", DBNAME);
	end_connections();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		st = timed_get(paths[i], &ms, &r);
		if (st != 503)
			au_bad(LINE, "%s while down: %ld %.200s", paths[i], st, r.body);
		else if (r.body == NULL || strstr(r.body, UNAVAILABLE) == NULL)
			au_bad(LINE, "%s while down: detail %.200s", paths[i], r.body);
		if (ms > BOUND_MS)
			au_bad(LINE, "%s while down took %lld ms", paths[i],
			    (long long)ms);
		http_resp_free(&r);
	}
	if (au_login_req(H, U.email, U.password, &r) != 0 || r.status != 503)
		au_bad(LINE, "login while down: %ld", r.status);
	http_resp_free(&r);
	admin("ALTER DATABASE %s ALLOW_CONNECTIONS true", DBNAME);
	/* Back: the first request reconnects. */
	for (tries = 0; tries < 3; tries++) {
		st = timed_get("/users/me", &ms, &r);
		http_resp_free(&r);
		if (st == 200)
			break;
	}
	if (st != 200)
		au_bad(LINE, "after the database came back: %ld", st);
	au_end();
}

/* A lock nobody lets go of: the request gives up at the statement
 * timeout (DB_BUSY_TIMEOUT_MS) with a 503, not when the lock is gone. */
static void
test_lock_bounded(void **state)
{
	struct http_resp r;
	struct db	*locker;
	char		 url[1024];
	int64_t		 ms;
	long		 st;

	(void)state;
	au_begin();
	snprintf(url, sizeof(url), "%s", harness_env(H, "DATABASE_URL"));
	assert_int_equal(db_open(url, 0, 30000, &locker), DB_OK);
	assert_int_equal(db_begin(locker), DB_OK);
	assert_int_equal(db_exec(locker, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE"),
	    DB_OK);
	st = timed_get("/users/me", &ms, &r);
	if (st != 503 || r.body == NULL || strstr(r.body, UNAVAILABLE) == NULL)
		au_bad(LINE, "behind a lock: %ld %.200s", st, r.body);
	if (ms < BUSY_MS - 200 || ms > BOUND_MS)
		au_bad(LINE, "behind a lock for %lld ms, want about %d",
		    (long long)ms, BUSY_MS);
	http_resp_free(&r);
	assert_int_equal(db_rollback(locker), DB_OK);
	db_close(locker);
	if ((st = timed_get("/users/me", &ms, &r)) != 200)
		au_bad(LINE, "after the lock: %ld", st);
	http_resp_free(&r);
	au_end();
}

/* A server that is not there when the programs start (nothing listens
 * on the port): they start all the same and answer 503 at once. */
static void
test_down_at_start(void **state)
{
	static const char *env[] = { "DATABASE_URL=postgresql://fu@127.0.0.1:1/fu",
	    "DB_BUSY_TIMEOUT_MS=1500", NULL };
	struct harness_opts o = { .env = env, .procs = 1, .no_migrate = 1 };
	struct harness	*h;
	struct http_resp r;
	int64_t		 t0, ms;
	size_t		 i;
	const char	*paths[] = { "/health", "/users/me", "/protected" };

	(void)state;
	au_begin();
	assert_non_null(h = harness_start(&o));
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		t0 = now_ms();
		if (au_get(h, paths[i], U.token, &r) != 0 || r.status != 503 ||
		    r.body == NULL || strstr(r.body, UNAVAILABLE) == NULL)
			au_bad(LINE, "%s with no server: %ld %.200s", paths[i],
			    r.status, r.body);
		ms = now_ms() - t0;
		if (ms > BOUND_MS)
			au_bad(LINE, "%s with no server took %lld ms", paths[i],
			    (long long)ms);
		http_resp_free(&r);
	}
	if (harness_finish(&h) != 0)
		au_bad(LINE, "sanitizer report");
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_down_then_up),
		cmocka_unit_test(test_lock_bounded),
		cmocka_unit_test(test_down_at_start),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
