/*
 * test_stress: concurrency and faults (issue 8, label "stress"), through
 * lighttpd with three FastCGI processes per program.  32 client threads,
 * each with its own libcurl handle (harness_client), for FU_STRESS_SECONDS
 * (default 10): registrations, logins, PATCH /users/me, GET /geocode/city
 * and MCP tools/call geocode_city, on their own accounts and on a few
 * shared "quota" accounts that every thread hammers.  Afterwards, from the
 * database: every 201 registration is there exactly once and nothing else
 * is, every accepted PATCH is what the row holds, PRAGMA integrity_check
 * is "ok"; no answer was a 5xx or missing; each quota account got exactly
 * its limit of geocodings (GET and MCP share the quota) and 429s after.
 *
 * test_kill: the same load for half the time while one auth.fcgi and one
 * users.fcgi process get SIGKILL in the middle: lighttpd starts others,
 * at most the requests in flight fail (one per client at most), requests
 * after a grace period all succeed, and every acknowledged write is kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "accounts_util.h"
#include "geocoding_util.h"
#include "harness.h"
#include "mcp_util.h"
#include "stress_util.h"

#define CLIENTS		32
#define PROCS		3
#define QUOTA_USERS	4
#define QUOTA		20		/* GEOCODING_USER_RATE_LIMIT per hour */
#define QUOTA_ENV	"GEOCODING_USER_RATE_LIMIT=20/hour"
#define QUOTA_CELL_S	180		/* 20/hour frees one every 180 s */
#define USERS_MAX	4096		/* accounts one client registers */
#define GRACE_MS	3000		/* after a kill: replacements are up */
#define CALL_LONDON	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"," \
			"\"params\":{\"name\":\"geocode_city\",\"arguments\":" \
			"{\"city\":\"London\"}}}"

static struct harness	*H;
static char		 run_tag[17];
static struct au_user	 quota_u[QUOTA_USERS];
static char		*quota_tok[QUOTA_USERS];
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;

/* One account a client made: its e-mail, id and the last accepted name. */
struct acct {
	char	 email[80];
	char	 id[AU_ID_LEN + 1];
	char	 name[48];	/* "" until a PATCH was accepted */
	char	 lost[48];	/* a later PATCH whose answer was lost, or "" */
};

struct client {
	int		 n;		/* its number */
	pthread_t	 th;
	struct harness	*h;
	int64_t		 until_ms;
	int64_t		 calm_ms;	/* failures after this are counted as late */
	struct acct	*accts;		/* USERS_MAX */
	int		 naccts;
	int		 unacked_regs;	/* registrations without an answer */
	char		 tok[AU_TOKEN_MAX];
	char		*mcp_tok;
	/* counts */
	long		 requests, fails, late_fails;
	long		 quota_ok[QUOTA_USERS], quota_429[QUOTA_USERS];
	char		 first_fail[256];
};

static int
seconds(void)
{
	const char *v = getenv("FU_STRESS_SECONDS");
	int n = v != NULL ? atoi(v) : 0;

	return n > 0 && n <= 3600 ? n : 10;
}

/* Counts an answer; a missing one or a 5xx is a failure. */
static int
tally(struct client *c, const char *what, const struct http_resp *r)
{
	c->requests++;
	if (r->status != 0 && r->status < 500)
		return 0;
	c->fails++;
	if (geo_now_ms() > c->calm_ms)
		c->late_fails++;
	if (c->first_fail[0] == '\0')
		snprintf(c->first_fail, sizeof(c->first_fail), "%s: %ld %.160s",
		    what, r->status, r->body != NULL ? r->body : "");
	return -1;
}

static void
op_register(struct client *c)
{
	struct http_resp r;
	struct acct *a;
	char tok[AU_TOKEN_MAX];

	if (c->naccts >= USERS_MAX)
		return;
	a = &c->accts[c->naccts];
	memset(a, 0, sizeof(*a));
	snprintf(a->email, sizeof(a->email), "st-%s-%d-%d@example.com", run_tag,
	    c->n, c->naccts);
	au_register(c->h, a->email, "stress-password-1", &r);
	if (tally(c, "register", &r) != 0 || r.status != 201) {
		if (r.status == 0 || r.status >= 500)
			c->unacked_regs++;
		else if (c->first_fail[0] == '\0')
			snprintf(c->first_fail, sizeof(c->first_fail),
			    "register: %ld %.160s", r.status, r.body);
		http_resp_free(&r);
		return;
	}
	snprintf(a->id, sizeof(a->id), "%s", au_jstr(r.json, "id") != NULL ?
	    au_jstr(r.json, "id") : "");
	http_resp_free(&r);
	c->naccts++;
	c->requests++;
	c->tok[0] = '\0';	/* the token is the newest account's, or none */
	if (au_login(c->h, a->email, "stress-password-1", tok, sizeof(tok)) != 200) {
		c->fails++;
		if (geo_now_ms() > c->calm_ms)
			c->late_fails++;
		return;
	}
	memcpy(c->tok, tok, sizeof(tok));
	pthread_mutex_lock(&lock);
	free(c->mcp_tok);
	c->mcp_tok = mu_good_token(a->id);
	pthread_mutex_unlock(&lock);
}

static void
op_patch(struct client *c, int i)
{
	struct http_resp r;
	struct acct *a;
	char body[96], name[48];

	if (c->naccts == 0 || c->tok[0] == '\0')
		return;
	a = &c->accts[c->naccts - 1];
	snprintf(name, sizeof(name), "n%d-%d", c->n, i);
	snprintf(body, sizeof(body), "{\"first_name\":\"%s\"}", name);
	au_json(c->h, "PATCH", "/users/me", c->tok, body, &r);
	if (tally(c, "patch", &r) == 0 && r.status == 200) {
		memcpy(a->name, name, sizeof(name));
		a->lost[0] = '\0';
	} else if (r.status == 0 || r.status >= 500)
		memcpy(a->lost, name, sizeof(name));	/* may have been written */
	else if (r.status != 0 && r.status < 500 && c->first_fail[0] == '\0')
		snprintf(c->first_fail, sizeof(c->first_fail), "patch: %ld %.160s",
		    r.status, r.body);
	http_resp_free(&r);
}

/* GET /geocode/city or tools/call as quota user q (-1: the client's own
 * account, which stays under the limit). */
static void
op_geocode(struct client *c, int q, int mcp)
{
	struct http_resp r;
	const char *tok = q >= 0 ? quota_u[q].token : c->tok;
	const char *mtok = q >= 0 ? quota_tok[q] : c->mcp_tok;
	struct json_object *res;
	int ok = 0, limited = 0;

	if (tok[0] == '\0' || mtok == NULL)
		return;
	if (mcp) {
		mu_post(c->h, mtok, NULL, CALL_LONDON, &r);
		if (tally(c, "mcp", &r) != 0)
			goto out;
		res = mu_result(&r);
		if (r.status == 200 && res != NULL &&
		    json_object_object_get_ex(res, "structuredContent", NULL))
			ok = 1;
		else if (r.status == 200 && res != NULL &&
		    strstr(r.body, "ate limit") != NULL)
			limited = 1;
	} else {
		geo_get_city(c->h, "London", tok, &r);
		if (tally(c, "geocode", &r) != 0)
			goto out;
		ok = r.status == 200;
		limited = r.status == 429;
	}
	if (q >= 0) {
		c->quota_ok[q] += ok;
		c->quota_429[q] += limited;
	}
	if (!ok && (q < 0 || !limited) && c->first_fail[0] == '\0')
		snprintf(c->first_fail, sizeof(c->first_fail), "%s: %ld %.160s",
		    mcp ? "mcp" : "geocode", r.status, r.body);
out:
	http_resp_free(&r);
}

static void *
client_main(void *arg)
{
	struct client *c = arg;
	int i;

	for (i = 0; geo_now_ms() < c->until_ms; i++) {
		switch (i % 8) {
		case 0:
			op_register(c);
			break;
		case 1:
		case 4:
			op_patch(c, i);
			break;
		case 2:
			op_geocode(c, -1, 0);
			break;
		case 3:
			op_geocode(c, -1, 1);
			break;
		default:
			op_geocode(c, (c->n + i) % QUOTA_USERS, i % 2);
			break;
		}
	}
	return NULL;
}

struct totals {
	long	 requests, fails, late_fails, users, unacked;
};

/*
 * Runs CLIENTS clients for ms; with `kill_at` > 0, SIGKILLs one auth.fcgi
 * and one users.fcgi process kill_at ms in.  Checks the database after.
 */
static void
run_load(int64_t ms, int64_t kill_at, struct totals *t)
{
	static struct client cl[CLIENTS];
	int64_t start = geo_now_ms();
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char dbpath[4096], msg[256];
	long quota_ok[QUOTA_USERS] = { 0 }, quota_429[QUOTA_USERS] = { 0 };
	int i, j, q, n, killed = 0;
	int64_t dbusers = -1;
	pid_t pids[16];

	memset(t, 0, sizeof(*t));
	au_begin();
	assert_int_equal(harness_random_hex(run_tag, 8), 0);	/* this run's e-mails */
	for (i = 0; i < CLIENTS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].n = i;
		cl[i].until_ms = start + ms;
		cl[i].calm_ms = kill_at > 0 ? start + kill_at + GRACE_MS : start;
		cl[i].h = harness_client(H);
		cl[i].accts = calloc(USERS_MAX, sizeof(struct acct));
		assert_non_null(cl[i].h);
		assert_non_null(cl[i].accts);
		assert_int_equal(pthread_create(&cl[i].th, NULL, client_main, &cl[i]), 0);
	}
	if (kill_at > 0) {
		geo_sleep_ms(kill_at);
		n = st_worker_pids(H, "auth.fcgi", pids, 16);
		if (n > 0 && kill(pids[0], SIGKILL) == 0)
			killed++;
		n = st_worker_pids(H, "users.fcgi", pids, 16);
		if (n > 0 && kill(pids[0], SIGKILL) == 0)
			killed++;
		if (killed != 2)
			au_bad(__LINE__, "killed %d workers, want 2", killed);
	}
	for (i = 0; i < CLIENTS; i++)
		pthread_join(cl[i].th, NULL);

	if (sqlite3_open_v2(st_db_path(H, dbpath, sizeof(dbpath)), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		au_bad(__LINE__, "cannot open %s", dbpath);
	sqlite3_busy_timeout(db, 5000);
	sqlite3_prepare_v2(db, "SELECT count(*), max(id), max(first_name) FROM users "
	    "WHERE email = ?", -1, &st, NULL);
	for (i = 0; i < CLIENTS; i++) {
		struct client *c = &cl[i];

		t->requests += c->requests;
		t->fails += c->fails;
		t->late_fails += c->late_fails;
		t->users += c->naccts;
		t->unacked += c->unacked_regs;
		if (c->first_fail[0] != '\0')
			fprintf(stderr, "client %d: first failure %s\n", i, c->first_fail);
		for (q = 0; q < QUOTA_USERS; q++) {
			quota_ok[q] += c->quota_ok[q];
			quota_429[q] += c->quota_429[q];
		}
		for (j = 0; j < c->naccts && st != NULL; j++) {
			struct acct *a = &c->accts[j];
			const char *id, *nm;

			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, a->email, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_ROW ||
			    sqlite3_column_int(st, 0) != 1) {
				au_bad(__LINE__, "%s: %d rows, want 1", a->email,
				    sqlite3_column_int(st, 0));
				continue;
			}
			id = (const char *)sqlite3_column_text(st, 1);
			nm = (const char *)sqlite3_column_text(st, 2);
			if (id == NULL || strcasecmp(id, a->id) != 0)
				au_bad(__LINE__, "%s: id %s, answered %s", a->email,
				    id != NULL ? id : "(null)", a->id);
			if (a->name[0] != '\0' &&
			    (nm == NULL || (strcmp(nm, a->name) != 0 &&
			    strcmp(nm, a->lost) != 0)))
				au_bad(__LINE__, "%s: first_name %s, last accepted %s",
				    a->email, nm != NULL ? nm : "(null)", a->name);
		}
		harness_client_free(c->h);
		free(c->accts);
		free(c->mcp_tok);
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Nothing but the acknowledged ones (and those whose answer was lost). */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users WHERE email LIKE ?",
	    -1, &st, NULL) == SQLITE_OK) {
		char like[64];

		snprintf(like, sizeof(like), "st-%s-%%", run_tag);
		sqlite3_bind_text(st, 1, like, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			dbusers = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (dbusers < t->users || dbusers > t->users + t->unacked)
		au_bad(__LINE__, "%lld accounts in the database, %ld acknowledged, "
		    "%ld unanswered", (long long)dbusers, t->users, t->unacked);
	sqlite3_close(db);
	if (st_integrity(dbpath, msg, sizeof(msg)) != 0)
		au_bad(__LINE__, "integrity_check: %s", msg);

	/* Exact quotas: a run shorter than a cell allows exactly QUOTA. */
	for (q = 0; q < QUOTA_USERS; q++) {
		long most = QUOTA + (geo_now_ms() - start) / 1000 / QUOTA_CELL_S + 1;

		if (quota_ok[q] + quota_429[q] <= QUOTA)
			au_bad(__LINE__, "quota user %d: only %ld tries", q,
			    quota_ok[q] + quota_429[q]);
		else if (ms / 1000 < QUOTA_CELL_S ? quota_ok[q] != QUOTA :
		    quota_ok[q] < QUOTA || quota_ok[q] > most)
			au_bad(__LINE__, "quota user %d: %ld allowed, %ld limited; "
			    "want %d allowed", q, quota_ok[q], quota_429[q], QUOTA);
	}
	fprintf(stderr, "stress: %lld ms, %d clients, %ld requests, %ld users, "
	    "%ld failed (%ld after the grace), %ld registrations unanswered, "
	    "quota %ld/%ld/%ld/%ld allowed\n", (long long)(geo_now_ms() - start),
	    CLIENTS, t->requests, t->users, t->fails, t->late_fails, t->unacked,
	    quota_ok[0], quota_ok[1], quota_ok[2], quota_ok[3]);
}

/* Fresh quota accounts (each run starts with full buckets). */
static void
quota_accounts(const char *tag)
{
	int q;

	for (q = 0; q < QUOTA_USERS; q++) {
		free(quota_tok[q]);
		if (au_new_user(H, tag, &quota_u[q]) != 0)
			fail_msg("cannot make quota account %d", q);
		quota_tok[q] = mu_good_token(quota_u[q].id);
		assert_non_null(quota_tok[q]);
	}
}

static void
test_load(void **state)
{
	struct totals t;

	(void)state;
	quota_accounts("quota");
	run_load((int64_t)seconds() * 1000, 0, &t);
	if (t.fails != 0)
		au_bad(__LINE__, "%ld of %ld requests failed or gave a 5xx",
		    t.fails, t.requests);
	if (t.users < CLIENTS)
		au_bad(__LINE__, "only %ld registrations", t.users);
	au_end();
}

static void
test_kill(void **state)
{
	struct totals t;
	pid_t pids[16];
	int64_t ms = (int64_t)seconds() * 1000 / 2;

	(void)state;
	if (ms < 2 * GRACE_MS)
		ms = 2 * GRACE_MS;
	quota_accounts("quota2");
	run_load(ms, ms / 4, &t);
	/* At most what was in flight: one request per client. */
	if (t.fails > CLIENTS)
		au_bad(__LINE__, "%ld requests failed around the kill, want at most %d",
		    t.fails, CLIENTS);
	if (t.late_fails != 0)
		au_bad(__LINE__, "%ld requests failed after the grace period",
		    t.late_fails);
	if (st_worker_pids(H, "auth.fcgi", pids, 16) != PROCS ||
	    st_worker_pids(H, "users.fcgi", pids, 16) != PROCS)
		au_bad(__LINE__, "the killed workers were not replaced");
	au_end();
}

static int
group_setup(void **state)
{
	static char gaz_env[300];
	const char *set;
	static const char *env[] = { "GEOCODER=offline", gaz_env, QUOTA_ENV,
	    GEO_CHEAP_ARGON2, NULL, NULL };
	struct harness_opts o = { .env = env, .procs = PROCS, .server = "lighttpd" };

	(void)state;
	if (mu_keys(&set) != 0)
		return -1;
	snprintf(gaz_env, sizeof(gaz_env), "GAZETTEER_PATH=%s", geo_gaz_path());
	env[6] = set;
	if ((H = harness_start(&o)) == NULL || geo_gaz_ensure(H) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int rc, q;

	(void)state;
	rc = harness_finish(&H);
	for (q = 0; q < QUOTA_USERS; q++)
		free(quota_tok[q]);
	mu_keys_free();
	geo_gaz_cleanup();
	return rc;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_kill),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
