/*
 * test_import_sqlite: `fcgi-users import sqlite PATH`, the move of a
 * deployment from SQLite to PostgreSQL (issue "PostgreSQL").  A first
 * server on a SQLite file makes accounts over HTTP (a superuser, a role,
 * a refresh-token family, a logged-out token); a second server, on the
 * run's database (PostgreSQL with FU_DATABASE=postgres, else another
 * SQLite file) and the same JWT_SECRET, is given them with the tool: the
 * users log in with their old passwords, keep flags and roles, the
 * refresh token rotates there, the logged-out token stays refused, and
 * the first server's tokens work; a user whose e-mail the target has
 * (in another case) is skipped with its family.  Then: a second run
 * copies nothing more,
 * --dry-run writes nothing, and bad sources and usage fail without
 * writing.  Table cases report their own line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts_util.h"
#include "db.h"
#include "harness.h"

#define LINE		__LINE__
#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define RT_MAX		128
#define CHEAP_ARGON2	"PASSWORD_ARGON2_MEMORY_KIB=8192", \
			"PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1"

static struct harness	*S, *T;		/* the SQLite source, the target */
static char		 SRC[PATH_MAX];	/* S's database file */
static struct au_user	 PLAIN, ADMIN, PREMIUM, OUT, DUP, DUP_T;
static char		 RT[RT_MAX];	/* PLAIN's refresh token */
static char		 OUT_TOKEN[AU_TOKEN_MAX];	/* OUT's, logged out on S */

static long
form(struct harness *h, const char *path, const char *body, char *rt)
{
	static const char *const hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	struct http_resp r;
	long	 st = 0;

	if (rt != NULL)
		rt[0] = '\0';
	if (harness_request(h, "POST", path, hdrs, body, strlen(body), &r) == 0) {
		st = r.status;
		if (rt != NULL && st == 200 && au_jstr(r.json, "refresh_token") != NULL)
			snprintf(rt, RT_MAX, "%s", au_jstr(r.json, "refresh_token"));
	}
	http_resp_free(&r);
	return st;
}

static int
group_setup(void **state)
{
	static char db[PATH_MAX + 16], secret[128];
	static const char *senv[] = { CHEAP_ARGON2, db, NULL };
	static const char *tenv[] = { CHEAP_ARGON2, secret, NULL };
	struct harness_opts so = { .env = senv, .procs = 1 };
	struct harness_opts to = { .env = tenv, .procs = 1 };
	struct http_resp r;
	char	*p, tmp[] = "/tmp/fu-imp-XXXXXX";

	(void)state;
	/* The source is SQLite whatever the run's engine. */
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(SRC, sizeof(SRC), "%s/old.db", tmp);
	snprintf(db, sizeof(db), "DATABASE_URL=%s", SRC);
	if ((S = harness_start(&so)) == NULL)
		return -1;
	if (au_new_user(S, "plain", &PLAIN) != 0 || au_new_user(S, "admin", &ADMIN) != 0 ||
	    au_new_user(S, "dup", &DUP) != 0 ||
	    au_new_user(S, "premium", &PREMIUM) != 0 || au_new_user(S, "out", &OUT) != 0 ||
	    au_make_superuser(S, &ADMIN) != 0 ||
	    au_db_exec(S, "UPDATE users SET role = 'premium', first_name = 'Pré'"
	    " WHERE id = %Q", PREMIUM.id) != 0)
		return -1;
	if (au_login_offline(S, PLAIN.email, PLAIN.password, RT, sizeof(RT)) != 200 ||
	    RT[0] == '\0')
		return -1;
	/* DUP has a family too; its e-mail will be taken on the target. */
	if (au_login_offline(S, DUP.email, DUP.password, NULL, 0) != 200)
		return -1;
	/* OUT logs out one of its tokens: revoked, and must stay so. */
	snprintf(OUT_TOKEN, sizeof(OUT_TOKEN), "%s", OUT.token);
	if (au_send(S, "POST", "/auth/jwt/logout", OUT_TOKEN, NULL, NULL, "", 0,
	    &r) != 0 || r.status != 204) {
		http_resp_free(&r);
		return -1;
	}
	http_resp_free(&r);
	snprintf(secret, sizeof(secret), "JWT_SECRET=%s", harness_env(S, "JWT_SECRET"));
	if ((T = harness_start(&to)) == NULL)
		return -1;
	/* The target has DUP's e-mail already, in upper case, another id. */
	snprintf(DUP_T.email, sizeof(DUP_T.email), "%s", DUP.email);
	for (p = DUP_T.email; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	snprintf(DUP_T.password, sizeof(DUP_T.password), "Target-side-pw-9");
	if (au_register(T, DUP_T.email, DUP_T.password, &r) != 0 || r.status != 201) {
		http_resp_free(&r);
		return -1;
	}
	http_resp_free(&r);
	return 0;
}

static int
group_teardown(void **state)
{
	char	 dir[PATH_MAX], *slash;
	int	 bad;

	(void)state;
	bad = harness_finish(&T);
	bad |= harness_finish(&S);
	snprintf(dir, sizeof(dir), "%s", SRC);
	if ((slash = strrchr(dir, '/')) != NULL && getenv("FU_KEEP_TMP") == NULL) {
		char	 f[PATH_MAX + 8];

		snprintf(f, sizeof(f), "%s-wal", SRC);
		unlink(f);
		snprintf(f, sizeof(f), "%s-shm", SRC);
		unlink(f);
		unlink(SRC);
		*slash = '\0';
		rmdir(dir);
	}
	return bad;
}

/* Runs the tool on T; exit status, stdout and stderr in *r. */
static int
run(const char *const *argv, struct cgi_result *r)
{
	assert_int_equal(harness_cli_result(T, argv, r), 0);
	return r->exit_status;
}

static long
count_users(void)
{
	struct db	*db;
	struct db_stmt	*s;
	long		 n = -1;

	assert_non_null(db = au_db_open(T, DB_OPEN_READONLY));
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM users", &s), DB_OK);
	if (db_step(s) == DB_ROW)
		n = (long)db_column_int64(s, 0);
	db_stmt_done(s);
	db_close(db);
	return n;
}

static long
me(struct harness *h, const char *token, struct http_resp *r)
{
	return au_get(h, "/users/me", token, r) == 0 ? r->status : 0;
}

/* Bad sources and usage: nothing is written, and the exit says which. */
static void
test_refused(void **state)
{
	const struct {
		int		 line;
		const char *const *argv;
		int		 status;
		const char	*err;
	} cases[] = {
		{ LINE, ARGV("import", "sqlite"), 2, "required" },
		{ LINE, ARGV("import", "sqlite", "a.db", "b.db"), 2, "unexpected" },
		{ LINE, ARGV("import", "sqlite", "--nope", "a.db"), 2, NULL },
		{ LINE, ARGV("import", "sqlite", "postgresql://u:SECRETPW@h/db"), 2,
		    "not a postgresql URL" },
		{ LINE, ARGV("import", "sqlite", "/nonexistent/x.db"), 1, "not a file" },
		{ LINE, ARGV("import", "sqlite", "/tmp"), 1, "not a file" },
		{ LINE, ARGV("import", "sqlite", FU_SOURCE_DIR "/README.md"), 1, NULL },
		/* FastAPI-Users' own database: not ours, no schema version */
		{ LINE, ARGV("import", "sqlite", FU_SOURCE_DIR
		    "/tests/fixtures/fastapi_users.db"), 1, "migrate up" },
	};
	struct cgi_result r;
	long	 before = count_users();
	size_t	 i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = run(cases[i].argv, &r);

		if (st != cases[i].status)
			au_bad(cases[i].line, "exit %d, want %d (%s)", st,
			    cases[i].status, r.err);
		if (cases[i].err != NULL && strstr(r.err, cases[i].err) == NULL)
			au_bad(cases[i].line, "stderr lacks \"%s\": %s", cases[i].err,
			    r.err);
		if (strstr(r.out, "SECRETPW") != NULL || strstr(r.err, "SECRETPW") != NULL)
			au_bad(cases[i].line, "a password of a URL was printed");
		cgi_result_free(&r);
	}
	if (count_users() != before)
		au_bad(LINE, "a refused run wrote users");
	au_end();
}

/* --dry-run says what it would copy and copies nothing. */
static void
test_dry_run(void **state)
{
	struct cgi_result r;
	long	 before = count_users();

	(void)state;
	au_begin();
	if (run(ARGV("import", "sqlite", "--dry-run", SRC), &r) != 0 ||
	    strstr(r.out, "dry run: would copy 4 users (skipped 1), 1 refresh"
	    " families (skipped 1), 1 refresh tokens, 1 revoked token ids;"
	    " nothing was written") == NULL)
		au_bad(LINE, "dry run: %s %s", r.out, r.err);
	cgi_result_free(&r);
	if (count_users() != before)
		au_bad(LINE, "the dry run wrote");
	au_end();
}

/* The copy, and the accounts at work on the target. */
static void
test_copy(void **state)
{
	struct cgi_result r;
	struct http_resp h;
	char	 tok[AU_TOKEN_MAX], body[256], rt2[RT_MAX];

	(void)state;
	au_begin();
	if (run(ARGV("import", "sqlite", SRC), &r) != 0 ||
	    strcmp(r.out, "copied 4 users (skipped 1), 1 refresh families"
	    " (skipped 1), 1 refresh tokens, 1 revoked token ids\n") != 0)
		au_bad(LINE, "import: %s %s", r.out, r.err);
	if (strstr(r.err, DUP.id) == NULL || strstr(r.err, "e-mail is taken") == NULL)
		au_bad(LINE, "the skipped user is not named by id: %s", r.err);
	if (strstr(r.out, "$argon2") != NULL || strstr(r.err, "$argon2") != NULL)
		au_bad(LINE, "a hash was printed");
	cgi_result_free(&r);
	/* Old passwords, and the source's tokens (same secret). */
	if (au_login(T, PLAIN.email, PLAIN.password, tok, sizeof(tok)) != 200)
		au_bad(LINE, "the old password on the target");
	if (me(T, PLAIN.token, &h) != 200 || strcmp(au_jstr(h.json, "id"),
	    PLAIN.id) != 0)
		au_bad(LINE, "a token of the source on the target: %ld", h.status);
	http_resp_free(&h);
	if (me(T, ADMIN.token, &h) != 200 || au_jbool(h.json, "is_superuser") != 1)
		au_bad(LINE, "the superuser: %ld %.200s", h.status, h.body);
	http_resp_free(&h);
	if (me(T, PREMIUM.token, &h) != 200 ||
	    strcmp(au_jstr(h.json, "role") ? au_jstr(h.json, "role") : "", "premium") != 0 ||
	    strcmp(au_jstr(h.json, "first_name") ? au_jstr(h.json, "first_name") : "",
	    "Pré") != 0)
		au_bad(LINE, "role and name: %.200s", h.body);
	http_resp_free(&h);
	/* The e-mail taken on the target stays the target's account. */
	if (me(T, DUP.token, &h) != 401)
		au_bad(LINE, "the skipped user's token on the target: %ld", h.status);
	http_resp_free(&h);
	if (au_login(T, DUP.email, DUP.password, tok, sizeof(tok)) != 400 ||
	    au_login(T, DUP.email, DUP_T.password, tok, sizeof(tok)) != 200)
		au_bad(LINE, "the target's own account for the taken e-mail");
	/* Logged out on the source: still refused. */
	if (me(T, OUT_TOKEN, &h) != 401)
		au_bad(LINE, "a logged-out token on the target: %ld", h.status);
	http_resp_free(&h);
	/* The family goes on: the refresh token rotates on the target. */
	snprintf(body, sizeof(body), "grant_type=refresh_token&refresh_token=%s", RT);
	if (form(T, "/auth/jwt/refresh", body, rt2) != 200 || rt2[0] == '\0')
		au_bad(LINE, "the refresh token on the target");
	/* and it was spent there, not on the source: reuse ends the family */
	if (form(T, "/auth/jwt/refresh", body, NULL) != 400)
		au_bad(LINE, "the spent refresh token again");
	/* Again: all there already. */
	if (run(ARGV("import", "sqlite", SRC), &r) != 0 ||
	    strcmp(r.out, "copied 0 users (skipped 5), 0 refresh families"
	    " (skipped 2), 0 refresh tokens, 0 revoked token ids\n") != 0)
		au_bad(LINE, "second run: %s %s", r.out, r.err);
	cgi_result_free(&r);
	if (count_users() != 5)
		au_bad(LINE, "%ld users on the target, want 5", count_users());
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
