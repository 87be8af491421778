/*
 * test_import: `fcgi-users import fastapi-users` (issue "Account
 * lifecycle", migration from FastAPI-Users).  The fixtures of
 * tests/fixtures (make_fastapi_users_db.py says what each row is and its
 * password) are imported into the database of a real server, and the
 * users they held log in through lighttpd: bcrypt and pwdlib Argon2id
 * hashes work as they are, the inactive user is refused, the superuser
 * reads another user, flags, names, role and dates survive.  Then what
 * must not happen: importing twice adds nothing, a bad source (missing,
 * a directory, not SQLite, no user table, a table without FastAPI-Users'
 * columns, a file broken half-way) writes nothing, --dry-run writes nothing,
 * usage errors exit 2, and no output ever holds a hash.  Table cases
 * report their own line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts_util.h"
#include "arena.h"
#include "db.h"
#include "harness.h"
#include "password.h"
#include "users.h"

#define FIXTURES	FU_SOURCE_DIR "/tests/fixtures/"
#define FIXTURE		FIXTURES "fastapi_users.db"
#define FIXTURE_PLAIN	FIXTURES "fastapi_users_plain.db"
#define ID(n)		"3f0c1a52-6a55-4d0e-9a51-0b1f5e6c2a" n	/* fixture row ids */
#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })

#define OUT_FIXTURE	"imported 8, skipped 7 (duplicates 1, invalid 6)\n"
#define OUT_PLAIN	"imported 2, skipped 0 (duplicates 0, invalid 0)\n"

static struct harness	*H;
static char		 DATA[PATH_MAX];	/* the harness's data folder */

/* ---- running the tool ---- */

/* What no run may print: a hash. */
static void
check_no_hash(int line, const struct cgi_result *r)
{
	const char *outs[2] = { r->out, r->err };
	size_t i;

	for (i = 0; i < 2; i++)
		if (outs[i] != NULL && (strstr(outs[i], "$2b$") != NULL ||
		    strstr(outs[i], "$argon2") != NULL ||
		    strstr(outs[i], "$pbkdf2") != NULL))
			au_bad(line, "a hash in the output: %.300s", outs[i]);
}

/* Runs the tool with the server's settings; fills r (cgi_result_free). */
static void
run(int line, struct cgi_result *r, const char *const *args)
{
	if (harness_cli_result(H, args, r) != 0)
		au_bad(line, "fcgi-users did not run");
	check_no_hash(line, r);
}

/* Exit status, stdout exactly (NULL: not checked), a piece of stderr (NULL: not checked). */
static int
expect(int line, const struct cgi_result *r, int status, const char *out_is,
    const char *err_has)
{
	int before = au_failures();

	if (r->exit_status != status)
		au_bad(line, "exit %d, want %d (stdout %.300s) (stderr %.800s)",
		    r->exit_status, status, r->out ? r->out : "", r->err ? r->err : "");
	else if (out_is != NULL && (r->out == NULL || strcmp(r->out, out_is) != 0))
		au_bad(line, "stdout \"%s\", want \"%s\"", r->out ? r->out : "", out_is);
	else if (err_has != NULL && (r->err == NULL || strstr(r->err, err_has) == NULL))
		au_bad(line, "stderr lacks \"%s\": %.800s", err_has, r->err ? r->err : "");
	return au_failures() == before ? 0 : -1;
}

/* A path in the harness's data folder; free it. */
static char *
data_path(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", DATA, name) > 0);
	return p;
}

/* A fresh, migrated database of ours at DATA/name; its path (free it). */
static char *
fresh_db(const char *name)
{
	char *p = data_path(name);

	assert_int_equal(harness_cli(H, ARGV("--database", p, "migrate", "up")), 0);
	return p;
}

/* ---- databases, read and written with libcommon ---- */

/* The number of users in the database at path (NULL: the server's). */
static int
count_users(const char *path)
{
	struct db *db = NULL;
	struct db_stmt *st;
	int n = -1;

	if (path == NULL)
		path = harness_env(H, "DATABASE_URL");
	assert_int_equal(db_open(path, DB_OPEN_READONLY, 5000, &db), DB_OK);
	assert_int_equal(db_prepare(db, "SELECT count(*) FROM users", &st), DB_OK);
	if (db_step(st) == DB_ROW)
		n = (int)db_column_int64(st, 0);
	db_stmt_done(st);
	db_close(db);
	return n;
}

struct stored {
	struct arena	*arena;
	struct db	*db;
	struct user	 u;
	int		 found;
};

static void
stored_get(const char *path, const char *email, struct stored *s)
{
	memset(s, 0, sizeof(*s));
	if (path == NULL)
		path = harness_env(H, "DATABASE_URL");
	assert_non_null(s->arena = arena_new(4096));
	assert_int_equal(db_open(path, 0, 5000, &s->db), DB_OK);
	s->found = users_find_by_email(s->db, s->arena, email, &s->u) == USERS_OK;
}

static void
stored_free(struct stored *s)
{
	db_close(s->db);
	arena_free(s->arena);
	memset(s, 0, sizeof(*s));
}

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Writes n times (buf, len) to a new file DATA/name. */
static void
write_file(const char *name, const char *buf, size_t len, int n)
{
	char *p = data_path(name);
	int fd;

	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) != -1);
	while (n-- > 0)
		assert_true(write(fd, buf, len) == (ssize_t)len);
	close(fd);
	free(p);
}

/*
 * Makes a SQLite file at DATA/name holding the script sql (rollback
 * journal, as FastAPI-Users' databases are); its path (free it).
 */
static char *
make_source(const char *name, const char *sql)
{
	char *p = data_path(name);
	struct db *db = NULL;

	assert_int_equal(db_open(p, DB_OPEN_CREATE, 5000, &db), DB_OK);
	assert_int_equal(db_exec(db, "PRAGMA journal_mode=DELETE"), DB_OK);
	assert_int_equal(db_exec(db, sql), DB_OK);
	db_close(db);
	return p;
}

/* ---- HTTP ---- */

static long
login(const char *email, const char *pw, char *tok, size_t cap)
{
	return au_login(H, email, pw, tok, cap);
}

/* GET path with a token; the body parsed into *json (put it) when 200. */
static long
get(const char *path, const char *tok, struct json_object **json)
{
	struct http_resp r;
	long status;

	if (json != NULL)
		*json = NULL;
	if (au_get(H, path, tok, &r) != 0)
		return 0;
	status = r.status;
	if (json != NULL && status == 200 && r.json != NULL)
		*json = json_object_get(r.json);
	http_resp_free(&r);
	return status;
}

/* ---- group ---- */

static int
group_setup(void **state)
{
	static const char *const env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1", NULL };
	struct harness_opts o = { .env = env, .procs = 1 };

	(void)state;
	if ((H = harness_start(&o)) == NULL)
		return -1;
	snprintf(DATA, sizeof(DATA), "%s", harness_data_dir(H));
	return 0;
}

static int
group_teardown(void **state)
{
	int rc = harness_check_log(H);

	(void)state;
	harness_stop(H);
	return rc;
}

/* ---- the fixture into the server's database ---- */

struct login_case {
	int		 line;
	const char	*email;
	const char	*password;
	long		 status;
};

static void
test_import_fixture(void **state)
{
	static const char *const skipped[] = {
		"row 9 (id \"" ID("09") "\"): skipped, duplicate: the e-mail"
		    " \"Alice.Bcrypt@example.com\" belongs to user " ID("01"),
		"row 10 (id \"not-a-uuid\"): skipped, invalid: the id is not a UUID",
		"row 11 (id \"" ID("11") "\"): skipped, invalid: no password hash",
		"row 12 (id \"" ID("12") "\"): skipped, invalid: no e-mail",
		"row 13 (id \"" ID("13") "\"): skipped, invalid: the e-mail is longer",
		"row 14 (id \"" ID("14") "\"): skipped, invalid: is_superuser is not 0 or 1",
		"row 15 (id \"" ID("15") "\"): skipped, invalid: the e-mail is not an address",
		"row 6 (id \"3F0C1A526A554D0E9A510B1F5E6C2A06\"): note: created_at is not a date",
		"row 8 (id \"" ID("08") "\"): note: the password hash is not bcrypt or Argon2",
	};
	static const char *const quiet[] = { "row 1 (", "row 2 (", "row 3 (",
	    "row 4 (", "row 5 (", "row 7 (" };
	static const struct login_case logins[] = {
		{ __LINE__, "alice.bcrypt@example.com", "Bcrypt-pass-123", 200 },
		{ __LINE__, "ALICE.BCRYPT@EXAMPLE.COM", "Bcrypt-pass-123", 200 },
		{ __LINE__, "bob.argon2@example.com", "Argon2-pass-123", 200 },
		{ __LINE__, "admin@example.com", "Admin-pass-123", 200 },
		{ __LINE__, "dave.verified@example.com", "Verified-pass-123", 200 },
		{ __LINE__, "erin.hex@example.com", "Hexid-pass-123", 200 },
		{ __LINE__, "frank.old@example.com", "Oldrow-pass-123", 200 },
		/* refused */
		{ __LINE__, "carol.inactive@example.com", "Inactive-pass-123", 400 },
		{ __LINE__, "bob.argon2@example.com", "Argon2-pass-124", 400 },
		{ __LINE__, "alice.bcrypt@example.com", "Collide-pass-123", 400 },
		{ __LINE__, "Alice.Bcrypt@example.com", "Collide-pass-123", 400 },
		{ __LINE__, "grace.pbkdf2@example.com", "Pbkdf2-pass-123", 400 },
		{ __LINE__, "bad.id@example.com", "Badid-pass-123", 400 },
		{ __LINE__, "nohash@example.com", "Nohash-pass-123", 400 },
		{ __LINE__, "textbool@example.com", "Textbool-pass-123", 400 },
	};
	char tok_admin[AU_TOKEN_MAX], tok_alice[AU_TOKEN_MAX], tok_dave[AU_TOKEN_MAX];
	struct json_object *me;
	struct cgi_result r;
	struct stored s;
	struct http_resp hr;
	size_t i;

	(void)state;
	au_begin();
	assert_int_equal(count_users(NULL), 0);
	run(__LINE__, &r, ARGV("import", "fastapi-users", FIXTURE));
	expect(__LINE__, &r, 0, OUT_FIXTURE, NULL);
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (r.err == NULL || strstr(r.err, skipped[i]) == NULL)
			au_bad(__LINE__, "stderr lacks \"%s\": %.2000s", skipped[i], r.err);
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (r.err != NULL && strstr(r.err, quiet[i]) != NULL)
			au_bad(__LINE__, "a message about a good row (%s): %.2000s",
			    quiet[i], r.err);
	cgi_result_free(&r);
	if (count_users(NULL) != 8)
		au_bad(__LINE__, "%d users, want 8", count_users(NULL));

	/* what was stored, before any login changes last_login or the hash */
	stored_get(NULL, "dave.verified@example.com", &s);
	if (!s.found || strcmp(s.u.id, ID("05")) != 0 || !s.u.is_active ||
	    s.u.is_superuser || !s.u.is_verified ||
	    !str_eq(s.u.first_name, "Dave") ||
	    !str_eq(s.u.last_name, "M\xc3\xbcller-\xc5\x8ctsuka") ||
	    !str_eq(s.u.role, "premium") ||
	    !str_eq(s.u.created_at, "2025-03-04T05:06:07.089Z") ||
	    !str_eq(s.u.last_login, "2025-07-01T18:45:12.000Z") ||
	    strncmp(s.u.hashed_password, "$argon2id$v=19$m=65536,t=3,p=4$", 31) != 0)
		au_bad(__LINE__, "dave stored wrong: %s %s %s %s %s", s.u.id,
		    s.u.role, s.u.created_at, s.u.last_login,
		    s.u.first_name ? s.u.first_name : "(null)");
	stored_free(&s);
	stored_get(NULL, "admin@example.com", &s);
	if (!s.found || !s.u.is_superuser || !s.u.is_verified ||
	    !str_eq(s.u.role, "admin") || !str_eq(s.u.first_name, "Ada") ||
	    !str_eq(s.u.created_at, "2024-10-01T12:00:00.000Z") ||
	    !str_eq(s.u.last_login, "2025-07-10T07:00:01.999Z") ||
	    strncmp(s.u.hashed_password, "$2b$12$", 7) != 0)
		au_bad(__LINE__, "admin stored wrong");
	stored_free(&s);
	stored_get(NULL, "carol.inactive@example.com", &s);
	if (!s.found || s.u.is_active || !s.u.is_verified)
		au_bad(__LINE__, "carol stored wrong");
	stored_free(&s);
	/* a 32-hex upper-case id is stored canonical; an unreadable date is now */
	stored_get(NULL, "erin.hex@example.com", &s);
	if (!s.found || strcmp(s.u.id, ID("06")) != 0 || s.u.created_at == NULL ||
	    strncmp(s.u.created_at, "2025-", 5) == 0 ||
	    !au_matches(AU_ISO_RE, s.u.created_at))
		au_bad(__LINE__, "erin stored wrong: %s %s", s.u.id,
		    s.u.created_at ? s.u.created_at : "(null)");
	stored_free(&s);
	/* a row from before the extra columns: role user, no names, created now */
	stored_get(NULL, "frank.old@example.com", &s);
	if (!s.found || !str_eq(s.u.role, "user") || s.u.first_name != NULL ||
	    s.u.last_login != NULL || s.u.created_at == NULL ||
	    !au_matches(AU_ISO_RE, s.u.created_at))
		au_bad(__LINE__, "frank stored wrong");
	stored_free(&s);
	/* the first of the two case-colliding rows won: alice's own hash */
	stored_get(NULL, "ALICE.bcrypt@example.com", &s);
	if (!s.found || strcmp(s.u.id, ID("01")) != 0 || s.u.is_superuser ||
	    strcmp(s.u.email, "alice.bcrypt@example.com") != 0)
		au_bad(__LINE__, "the wrong alice was kept: %s", s.u.id);
	stored_free(&s);

	/* through the server */
	for (i = 0; i < sizeof(logins) / sizeof(logins[0]); i++) {
		const struct login_case *c = &logins[i];
		long st;

		if (c->status == 400) {
			if (au_login_req(H, c->email, c->password, &hr) != 0 ||
			    hr.status != 400 || http_resp_detail(&hr) == NULL ||
			    strcmp(http_resp_detail(&hr), "LOGIN_BAD_CREDENTIALS") != 0)
				au_bad(c->line, "%s: %ld %s, want 400 LOGIN_BAD_CREDENTIALS",
				    c->email, hr.status, hr.body ? hr.body : "");
			http_resp_free(&hr);
		} else if ((st = login(c->email, c->password, NULL, 0)) != c->status)
			au_bad(c->line, "%s: login %ld, want %ld", c->email, st, c->status);
	}
	if (login("admin@example.com", "Admin-pass-123", tok_admin, sizeof(tok_admin)) != 200 ||
	    login("alice.bcrypt@example.com", "Bcrypt-pass-123", tok_alice,
	    sizeof(tok_alice)) != 200 ||
	    login("dave.verified@example.com", "Verified-pass-123", tok_dave,
	    sizeof(tok_dave)) != 200) {
		au_bad(__LINE__, "an imported user cannot log in");
		au_end();
		return;
	}
	/* the superuser reads another user; a plain one may not */
	if (get("/users/" ID("05"), tok_admin, &me) != 200 ||
	    !str_eq(au_jstr(me, "email"), "dave.verified@example.com"))
		au_bad(__LINE__, "the imported superuser cannot GET /users/{id}");
	json_object_put(me);
	if (get("/users/" ID("05"), tok_alice, NULL) != 403)
		au_bad(__LINE__, "a plain imported user reads another user");
	if (get("/users/" ID("03"), tok_admin, &me) != 200 || au_jbool(me, "is_active") != 0)
		au_bad(__LINE__, "the inactive user is not there, inactive");
	json_object_put(me);
	/* flags, names and role on /users/me */
	if (get("/users/me", tok_dave, &me) != 200)
		au_bad(__LINE__, "GET /users/me with the imported user's token");
	else {
		au_check_user(__LINE__, me, NULL, "dave.verified@example.com");
		if (!str_eq(au_jstr(me, "id"), ID("05")) ||
		    !str_eq(au_jstr(me, "first_name"), "Dave") ||
		    !str_eq(au_jstr(me, "last_name"), "M\xc3\xbcller-\xc5\x8ctsuka") ||
		    !str_eq(au_jstr(me, "role"), "premium") ||
		    au_jbool(me, "is_verified") != 1 || au_jbool(me, "is_superuser") != 0 ||
		    au_jstr(me, "created_at") == NULL ||
		    strncmp(au_jstr(me, "created_at"), "2025-03-04T05:06:07", 19) != 0)
			au_bad(__LINE__, "dave on /users/me: %s",
			    json_object_to_json_string(me));
	}
	json_object_put(me);
	if (get("/users/me", tok_admin, &me) != 200 || au_jbool(me, "is_superuser") != 1 ||
	    !str_eq(au_jstr(me, "role"), "admin") || !str_eq(au_jstr(me, "last_name"), "Admin"))
		au_bad(__LINE__, "admin on /users/me: %s", json_object_to_json_string(me));
	json_object_put(me);
	/* the login rehashed the legacy hash to our parameters */
	stored_get(NULL, "alice.bcrypt@example.com", &s);
	if (!s.found || strncmp(s.u.hashed_password, "$argon2id$v=19$m=8192,t=1,p=1$", 30) != 0)
		au_bad(__LINE__, "alice's bcrypt hash was not upgraded at login");
	stored_free(&s);

	/* FastAPI-Users' bare table: "user", no extra columns */
	run(__LINE__, &r, ARGV("import", "fastapi-users", FIXTURE_PLAIN));
	expect(__LINE__, &r, 0, OUT_PLAIN, NULL);
	if (r.err != NULL && r.err[0] != '\0')
		au_bad(__LINE__, "messages for good rows: %.500s", r.err);
	cgi_result_free(&r);
	if (login("plain.argon2@example.com", "Plain-pass-123", NULL, 0) != 200 ||
	    login("plain.hex@example.com", "Plainhex-pass-123", NULL, 0) != 200)
		au_bad(__LINE__, "a user of the bare table cannot log in");
	stored_get(NULL, "plain.hex@example.com", &s);
	if (!s.found || strcmp(s.u.id, "7a1e0c9d-2b4f-4c61-8d3e-5f6a7b8c9d02") != 0 ||
	    !s.u.is_verified || !str_eq(s.u.role, "user") || s.u.first_name != NULL ||
	    s.u.created_at == NULL || !au_matches(AU_ISO_RE, s.u.created_at))
		au_bad(__LINE__, "plain.hex stored wrong: %s", s.u.id);
	stored_free(&s);
	au_end();
}

/* Runs after test_import_fixture: everything is already there. */
static void
test_import_twice(void **state)
{
	struct cgi_result r;
	int before = count_users(NULL);

	(void)state;
	au_begin();
	run(__LINE__, &r, ARGV("import", "fastapi-users", FIXTURE));
	expect(__LINE__, &r, 0, "imported 0, skipped 15 (duplicates 9, invalid 6)\n",
	    "row 1 (id \"" ID("01") "\"): skipped, duplicate: user " ID("01") " exists");
	cgi_result_free(&r);
	run(__LINE__, &r, ARGV("import", "fastapi-users", FIXTURE_PLAIN));
	expect(__LINE__, &r, 0, "imported 0, skipped 2 (duplicates 2, invalid 0)\n", NULL);
	cgi_result_free(&r);
	run(__LINE__, &r, ARGV("import", "fastapi-users", "--dry-run", FIXTURE));
	expect(__LINE__, &r, 0, "dry run: would import 0, skip 15 (duplicates 9,"
	    " invalid 6); nothing was written\n", NULL);
	cgi_result_free(&r);
	if (count_users(NULL) != before)
		au_bad(__LINE__, "%d users after importing again, want %d",
		    count_users(NULL), before);
	au_end();
}

/* --dry-run reports exactly what the real run then does, and writes nothing. */
static void
test_import_dry_run(void **state)
{
	char *db = fresh_db("dry.db");
	struct cgi_result r;

	(void)state;
	au_begin();
	run(__LINE__, &r, ARGV("--database", db, "import", "fastapi-users",
	    "--dry-run", FIXTURE));
	expect(__LINE__, &r, 0, "dry run: would import 8, skip 7 (duplicates 1,"
	    " invalid 6); nothing was written\n", "row 10 (id \"not-a-uuid\")");
	cgi_result_free(&r);
	if (count_users(db) != 0)
		au_bad(__LINE__, "--dry-run wrote %d users", count_users(db));
	run(__LINE__, &r, ARGV("--database", db, "import", "--dry-run"));
	expect(__LINE__, &r, 2, "", "unknown option");
	cgi_result_free(&r);
	run(__LINE__, &r, ARGV("--database", db, "import", "fastapi-users",
	    FIXTURE_PLAIN, "--dry-run"));
	expect(__LINE__, &r, 0, "dry run: would import 2, skip 0 (duplicates 0,"
	    " invalid 0); nothing was written\n", NULL);
	cgi_result_free(&r);
	if (count_users(db) != 0)
		au_bad(__LINE__, "--dry-run wrote %d users", count_users(db));
	run(__LINE__, &r, ARGV("--database", db, "import", "fastapi-users", FIXTURE));
	expect(__LINE__, &r, 0, OUT_FIXTURE, NULL);
	cgi_result_free(&r);
	if (count_users(db) != 8)
		au_bad(__LINE__, "%d users after the real run, want 8", count_users(db));
	free(db);
	au_end();
}

/* Accounts already there: the same id, or the same e-mail in another case. */
static void
test_import_existing(void **state)
{
	char *db = fresh_db("existing.db");
	char hash[PASSWORD_HASH_MAX];
	struct password_params pp = { 1, 8192, 1 };
	struct arena *ar;
	struct db *h = NULL;
	struct user u;
	struct stored s;
	struct cgi_result r;

	(void)state;
	au_begin();
	assert_int_equal(password_hash(&pp, "Existing-pass-123", 17, hash, sizeof(hash)), 0);
	assert_non_null(ar = arena_new(4096));
	assert_int_equal(db_open(db, 0, 5000, &h), DB_OK);
	memset(&u, 0, sizeof(u));
	u.email = "BOB.ARGON2@example.com";
	u.hashed_password = hash;
	u.is_active = 1;
	assert_int_equal(users_create(h, ar, &u), USERS_OK);
	memset(&u, 0, sizeof(u));
	snprintf(u.id, sizeof(u.id), "%s", ID("03"));
	u.email = "someone.else@example.com";
	u.hashed_password = hash;
	u.is_active = 1;
	assert_int_equal(users_insert(h, ar, &u), USERS_OK);
	db_close(h);
	arena_free(ar);

	run(__LINE__, &r, ARGV("--database", db, "import", "fastapi-users", FIXTURE));
	expect(__LINE__, &r, 0, "imported 6, skipped 9 (duplicates 3, invalid 6)\n",
	    "row 2 (id \"" ID("02") "\"): skipped, duplicate: the e-mail"
	    " \"bob.argon2@example.com\" belongs to user ");
	expect(__LINE__, &r, 0, NULL, "row 3 (id \"" ID("03") "\"): skipped,"
	    " duplicate: user " ID("03") " exists");
	cgi_result_free(&r);
	if (count_users(db) != 8)
		au_bad(__LINE__, "%d users, want 2 + 6", count_users(db));
	/* the existing accounts are untouched */
	stored_get(db, "bob.argon2@example.com", &s);
	if (!s.found || strcmp(s.u.email, "BOB.ARGON2@example.com") != 0 ||
	    strcmp(s.u.hashed_password, hash) != 0 || strcmp(s.u.id, ID("02")) == 0)
		au_bad(__LINE__, "the existing bob was changed");
	stored_free(&s);
	stored_get(db, "someone.else@example.com", &s);
	if (!s.found || strcmp(s.u.id, ID("03")) != 0 || strcmp(s.u.hashed_password, hash) != 0)
		au_bad(__LINE__, "the existing user with carol's id was changed");
	stored_free(&s);
	stored_get(db, "carol.inactive@example.com", &s);
	if (s.found)
		au_bad(__LINE__, "carol was imported over an existing id");
	stored_free(&s);
	free(db);
	au_end();
}

/* ---- what is refused, and writes nothing ---- */

struct neg {
	int		 line;
	const char	*args[10];	/* "@name": DATA/name */
	int		 status;
	const char	*err_has;
};

static void
run_negatives(const struct neg *cases, size_t n, const char *target)
{
	const char *args[12];
	char *paths[12];
	struct cgi_result r;
	int before = count_users(NULL), before_t = count_users(target);
	size_t i, j;

	for (i = 0; i < n; i++) {
		memset(paths, 0, sizeof(paths));
		for (j = 0; j < 10 && cases[i].args[j] != NULL; j++)
			args[j] = cases[i].args[j][0] == '@' ?
			    (paths[j] = data_path(cases[i].args[j] + 1)) : cases[i].args[j];
		args[j] = NULL;
		run(cases[i].line, &r, args);
		if (expect(cases[i].line, &r, cases[i].status, "", cases[i].err_has) == 0 &&
		    count_users(NULL) != before)
			au_bad(cases[i].line, "the server's database changed");
		if (count_users(target) != before_t)
			au_bad(cases[i].line, "the target database changed");
		cgi_result_free(&r);
		for (j = 0; j < 12; j++)
			free(paths[j]);
	}
}

static void
test_import_refused(void **state)
{
	static const char cols[] = "id CHAR(36), email VARCHAR(320),"
	    " hashed_password VARCHAR(1024), is_active BOOLEAN, is_superuser BOOLEAN,"
	    " is_verified BOOLEAN";
	char *target = fresh_db("refused.db"), *dir = data_path("dir.db"), sql[1024];
	const struct neg cases[] = {
		/* the source */
		{ __LINE__, { "import", "fastapi-users", "@missing.db" }, 1,
		    "missing.db: No such file or directory" },
		{ __LINE__, { "import", "fastapi-users", "@" }, 1,
		    "is a directory, not a SQLite database" },
		{ __LINE__, { "import", "fastapi-users", "@dir.db" }, 1, "is a directory" },
		{ __LINE__, { "import", "fastapi-users", "/dev/null" }, 1,
		    "not a regular file" },
		{ __LINE__, { "import", "fastapi-users", "@text.db" }, 1,
		    "not a database" },
		{ __LINE__, { "import", "fastapi-users", "@random.db" }, 1,
		    "not a database" },
		{ __LINE__, { "import", "fastapi-users", "@empty.db" }, 1,
		    "has no table \"users\" or \"user\"" },
		{ __LINE__, { "import", "fastapi-users", "@other.db" }, 1,
		    "has no table \"users\" or \"user\"" },
		{ __LINE__, { "import", "fastapi-users", "@nohash.db" }, 1,
		    "table \"users\" has no column \"hashed_password\"" },
		{ __LINE__, { "import", "fastapi-users", "@noflag.db" }, 1,
		    "table \"user\" has no column \"is_verified\"" },
		{ __LINE__, { "import", "fastapi-users", "@both.db" }, 1,
		    "choose one with --table" },
		{ __LINE__, { "import", "fastapi-users", "--table", "accounts", "@both.db" }, 1,
		    "has no table \"accounts\"" },
		{ __LINE__, { "import", "fastapi-users", "--table", "items", "@other.db" }, 1,
		    "table \"items\" has no column \"email\"" },
		/* the target */
		{ __LINE__, { "--database", "@nowhere.db", "import", "fastapi-users",
		    FIXTURE }, 1, "migrate up" },
		{ __LINE__, { "--database", "@empty.db", "import", "fastapi-users",
		    FIXTURE }, 1, "run `fcgi-users migrate up` first" },
		/* usage */
		{ __LINE__, { "import" }, 2, "usage: fcgi-users import" },
		{ __LINE__, { "import", "bogus", FIXTURE }, 2, "unknown command" },
		{ __LINE__, { "import", "fastapi-users" }, 2,
		    "the path of the FastAPI-Users database is required" },
		{ __LINE__, { "import", "fastapi-users", FIXTURE, FIXTURE }, 2,
		    "unexpected argument" },
		{ __LINE__, { "import", "fastapi-users", "--force", FIXTURE }, 2,
		    "unknown option" },
		{ __LINE__, { "import", "fastapi-users", "--dry-run=yes", FIXTURE }, 2,
		    "takes no argument" },
		{ __LINE__, { "import", "fastapi-users", FIXTURE, "--table" }, 2,
		    "needs an argument" },
		{ __LINE__, { "import", "fastapi-users", "--table", "", FIXTURE }, 2,
		    "--table: a name" },
		{ __LINE__, { "import", "fastapi-users", "--table", "users\"; DROP TABLE users; --",
		    FIXTURE }, 2, "--table: a name" },
		{ __LINE__, { "import", "fastapi-users", "--table", "1users", FIXTURE }, 2,
		    "--table: a name" },
	};

	(void)state;
	au_begin();
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("text.db", "id,email,hashed_password\n1,a@example.com,x\n", 43, 1);
	write_file("random.db", "SQLi\xff\x00\x13\x37", 8, 512);
	write_file("empty.db", "", 0, 0);
	free(make_source("other.db", "CREATE TABLE items (id INTEGER, name TEXT);"
	    "INSERT INTO items VALUES (1, 'x');"));
	free(make_source("nohash.db", "CREATE TABLE users (id CHAR(36), email TEXT,"
	    " is_active BOOLEAN, is_superuser BOOLEAN, is_verified BOOLEAN);"));
	free(make_source("noflag.db", "CREATE TABLE user (id CHAR(36), email TEXT,"
	    " hashed_password TEXT, is_active BOOLEAN, is_superuser BOOLEAN);"));
	snprintf(sql, sizeof(sql), "CREATE TABLE users (%s); CREATE TABLE user (%s);",
	    cols, cols);
	free(make_source("both.db", sql));
	run_negatives(cases, sizeof(cases) / sizeof(cases[0]), target);
	free(dir);
	free(target);
	au_end();
}

/*
 * A source that breaks in the middle (the later pages of its table
 * zeroed; a truncated file is refused when it is opened): the rows read
 * before the break are not kept either.
 */
static void
test_import_broken(void **state)
{
	char *target = fresh_db("broken-target.db"), *src, zero[4096];
	struct cgi_result r;
	struct stat st;
	off_t off;
	int fd;

	(void)state;
	au_begin();
	src = make_source("broken.db", "CREATE TABLE users (email VARCHAR(320) NOT NULL,"
	    " hashed_password VARCHAR(1024) NOT NULL, is_active BOOLEAN NOT NULL,"
	    " is_superuser BOOLEAN NOT NULL, is_verified BOOLEAN NOT NULL,"
	    " id CHAR(36) NOT NULL, PRIMARY KEY (id));"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 400) INSERT INTO users SELECT printf('user%03d@example.com', i),"
	    " '$2b$04$' || substr(printf('%0100d', 0), 1, 53), 1, 0, 0,"
	    " printf('00000000-0000-4000-8000-%012d', i) FROM n;");
	/* whole, it imports */
	run(__LINE__, &r, ARGV("--database", target, "import", "fastapi-users",
	    "--dry-run", src));
	expect(__LINE__, &r, 0, "dry run: would import 400, skip 0 (duplicates 0,"
	    " invalid 0); nothing was written\n", NULL);
	cgi_result_free(&r);
	assert_int_equal(stat(src, &st), 0);
	assert_true(st.st_size > 8 * 4096);
	memset(zero, 0, sizeof(zero));
	assert_true((fd = open(src, O_WRONLY | O_CLOEXEC)) != -1);
	for (off = st.st_size / 2 / 4096 * 4096; off < st.st_size; off += 4096)
		assert_true(pwrite(fd, zero, sizeof(zero), off) == (ssize_t)sizeof(zero));
	close(fd);
	run(__LINE__, &r, ARGV("--database", target, "import", "fastapi-users", src));
	expect(__LINE__, &r, 1, "", "nothing was imported");
	expect(__LINE__, &r, 1, NULL, "reading row ");
	cgi_result_free(&r);
	if (count_users(target) != 0)
		au_bad(__LINE__, "%d users kept from a source that broke half-way",
		    count_users(target));
	free(src);
	free(target);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_fixture),
		cmocka_unit_test(test_import_twice),
		cmocka_unit_test(test_import_dry_run),
		cmocka_unit_test(test_import_existing),
		cmocka_unit_test(test_import_refused),
		cmocka_unit_test(test_import_broken),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
