/*
 * Databases written by FastAPI-Users keep working: a row copied from a
 * FastAPI-Users 10–12 database (bcrypt $2b$ hash, passlib) or 13+ (pwdlib
 * Argon2id) logs in through the real server, and a hash of another scheme
 * or parameters is replaced by a current Argon2id one (pwdlib's
 * verify_and_update).  Hashes come from tests/vectors/password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "db.h"
#include "harness.h"

#define VECTORS	FU_SOURCE_DIR "/tests/vectors/password/"
#define CURRENT	"$argon2id$v=19$m=65536,t=3,p=4$"

struct fx {
	struct harness	*h;
	struct db	*db;
};

/* The "password=" and "hash=" lines of a vector file (static buffers). */
static void
vector(const char *name, char *pw, size_t pwlen, char *hash, size_t hashlen)
{
	char	 path[512], line[1024];
	FILE	*f;

	snprintf(path, sizeof(path), VECTORS "%s", name);
	assert_non_null(f = fopen(path, "r"));
	pw[0] = hash[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "password=", 9) == 0 && strlen(line + 9) < pwlen)
			memcpy(pw, line + 9, strlen(line + 9) + 1);
		else if (strncmp(line, "hash=", 5) == 0 && strlen(line + 5) < hashlen)
			memcpy(hash, line + 5, strlen(line + 5) + 1);
	}
	fclose(f);
	assert_true(pw[0] != '\0' && hash[0] != '\0');
}

/* A row as FastAPI-Users' SQLAlchemy table holds it: only its columns. */
static void
insert_row(struct db *db, const char *id, const char *email, const char *hash,
    int active)
{
	struct db_stmt	*st;

	assert_int_equal(db_prepare(db, "INSERT INTO users (id, email, "
	    "hashed_password, is_active, is_superuser, is_verified) "
	    "VALUES (?, ?, ?, ?, FALSE, FALSE)", &st), DB_OK);
	db_bind_text(st, 1, id, strlen(id));
	db_bind_text(st, 2, email, strlen(email));
	db_bind_text(st, 3, hash, strlen(hash));
	db_bind_int64(st, 4, active);
	assert_int_equal(db_step(st), DB_DONE);
	db_stmt_done(st);
}

static char *
stored_hash(struct db *db, const char *email)
{
	struct db_stmt	*st;
	const char	*s;
	char		*out = NULL;

	assert_int_equal(db_prepare(db, "SELECT hashed_password FROM users "
	    "WHERE email = ?", &st), DB_OK);
	db_bind_text(st, 1, email, strlen(email));
	if (db_step(st) == DB_ROW && (s = db_column_text(st, 0, NULL)) != NULL)
		out = strdup(s);
	db_stmt_done(st);
	assert_non_null(out);
	return out;
}

static char *
curl_escape_dup(const char *s)
{
	char	*e = curl_easy_escape(NULL, s, 0), *d;

	assert_non_null(e);
	d = strdup(e);
	curl_free(e);
	return d;
}

static long
login(struct fx *fx, const char *email, const char *pw, struct http_resp *r)
{
	static const char *const hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	char	 body[1024], *u, *p;

	u = curl_escape_dup(email);
	p = curl_escape_dup(pw);
	snprintf(body, sizeof(body), "username=%s&password=%s", u, p);
	free(u);
	free(p);
	assert_int_equal(harness_request(fx->h, "POST", "/auth/jwt/login", hdrs,
	    body, strlen(body), r), 0);
	return r->status;
}

static int
setup(void **state)
{
	struct fx	*fx = calloc(1, sizeof(*fx));
	const char	*url;

	if (fx == NULL || (fx->h = harness_start(NULL)) == NULL)
		return -1;
	url = harness_env(fx->h, "DATABASE_URL");
	if (url == NULL || db_open(url, 0, 5000, &fx->db) != DB_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;
	int		 bad = harness_check_log(fx->h);

	db_close(fx->db);
	harness_stop(fx->h);
	free(fx);
	return bad;
}

struct legacy_case {
	int		 line;
	const char	*vector;
	const char	*email;
	int		 rehashed;	/* the stored hash must change to CURRENT */
};

static void
test_legacy_rows_log_in(void **state)
{
	static const struct legacy_case cases[] = {
		{ __LINE__, "bcrypt_2b_12.txt", "bcrypt12@example.com", 1 },
		{ __LINE__, "bcrypt_2b_4.txt", "bcrypt4@example.com", 1 },
		{ __LINE__, "bcrypt_2a_4.txt", "bcrypt2a@example.com", 1 },
		{ __LINE__, "bcrypt_2y_4.txt", "bcrypt2y@example.com", 1 },
		{ __LINE__, "argon2i_low.txt", "argon2i@example.com", 1 },
		{ __LINE__, "argon2id_t2_low.txt", "argon2t2@example.com", 1 },
		{ __LINE__, "argon2id_pwdlib.txt", "pwdlib@example.com", 0 },
	};
	struct fx	*fx = *state;
	struct http_resp r;
	char		 pw[512], hash[512], id[40], *before, *after;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct legacy_case *c = &cases[i];

		vector(c->vector, pw, sizeof(pw), hash, sizeof(hash));
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zx", i + 1);
		insert_row(fx->db, id, c->email, hash, 1);
		before = stored_hash(fx->db, c->email);

		/* A wrong password is refused and changes nothing. */
		if (login(fx, c->email, "not the password", &r) != 400)
			fail_msg("line %d: wrong password gave %ld", c->line, r.status);
		assert_string_equal(http_resp_detail(&r), "LOGIN_BAD_CREDENTIALS");
		http_resp_free(&r);
		after = stored_hash(fx->db, c->email);
		assert_string_equal(before, after);
		free(after);

		if (login(fx, c->email, pw, &r) != 200)
			fail_msg("line %d: login gave %ld: %s", c->line, r.status, r.body);
		http_resp_free(&r);
		after = stored_hash(fx->db, c->email);
		if (c->rehashed) {
			if (strncmp(after, CURRENT, strlen(CURRENT)) != 0)
				fail_msg("line %d: hash not upgraded", c->line);
		} else if (strcmp(before, after) != 0)
			fail_msg("line %d: a current hash was rewritten", c->line);
		free(after);
		free(before);

		/* And the upgraded hash works the next time. */
		if (login(fx, c->email, pw, &r) != 200)
			fail_msg("line %d: second login gave %ld", c->line, r.status);
		http_resp_free(&r);
	}
}

/* The access line of an authenticated request names its user. */
static void
test_access_log_names_user(void **state)
{
	struct fx		*fx = *state;
	struct http_resp	 r;
	struct json_object	*tok;
	char			 pw[512], hash[512], hdr[2048], *log, *line, *end;
	const char		*hdrs[2];

	vector("bcrypt_2b_4.txt", pw, sizeof(pw), hash, sizeof(hash));
	insert_row(fx->db, "00000000-0000-4000-b000-00000000abcd",
	    "logged@example.com", hash, 1);
	assert_int_equal(login(fx, "logged@example.com", pw, &r), 200);
	assert_true(json_object_object_get_ex(r.json, "access_token", &tok));
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s",
	    json_object_get_string(tok));
	http_resp_free(&r);
	hdrs[0] = hdr;
	hdrs[1] = NULL;
	assert_int_equal(harness_request(fx->h, "GET", "/users/me?trace=user-log",
	    hdrs, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	http_resp_free(&r);
	log = harness_wait_log(fx->h, "\"path\":\"/users/me\"", 5000);
	assert_non_null(log);
	line = strstr(log, "\"path\":\"/users/me\"");
	assert_non_null(line);
	if ((end = strchr(line, '\n')) != NULL)
		*end = '\0';
	if (strstr(line, "\"user_id\":\"00000000-0000-4000-b000-00000000abcd\"") == NULL)
		fail_msg("access line without the user: %s", line);
	free(log);
}

static void
test_unusable_rows_refused(void **state)
{
	static const char *const hashes[] = {
		"", "*", "!", "plain text", "$2b$12$short",
		"$argon2id$v=19$m=4294967295,t=3,p=4$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
		"$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
	};
	struct fx	*fx = *state;
	struct http_resp r;
	char		 id[40], email[64];
	size_t		 i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		snprintf(id, sizeof(id), "00000000-0000-4000-9000-%012zx", i + 1);
		snprintf(email, sizeof(email), "odd%zu@example.com", i);
		insert_row(fx->db, id, email, hashes[i], 1);
		if (login(fx, email, "whatever-password", &r) != 400)
			fail_msg("hash %zu: login gave %ld", i, r.status);
		assert_string_equal(http_resp_detail(&r), "LOGIN_BAD_CREDENTIALS");
		http_resp_free(&r);
	}
}

static void
test_inactive_legacy_row(void **state)
{
	struct fx	*fx = *state;
	struct http_resp r;
	char		 pw[512], hash[512], *before, *after;

	vector("bcrypt_2b_4.txt", pw, sizeof(pw), hash, sizeof(hash));
	insert_row(fx->db, "00000000-0000-4000-a000-000000000001",
	    "inactive@example.com", hash, 0);
	before = stored_hash(fx->db, "inactive@example.com");
	assert_int_equal(login(fx, "inactive@example.com", pw, &r), 400);
	assert_string_equal(http_resp_detail(&r), "LOGIN_BAD_CREDENTIALS");
	http_resp_free(&r);
	after = stored_hash(fx->db, "inactive@example.com");
	assert_string_equal(before, after);	/* no rehash for a refused login */
	free(before);
	free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_rows_log_in),
		cmocka_unit_test(test_unusable_rows_refused),
		cmocka_unit_test(test_inactive_legacy_row),
		cmocka_unit_test(test_access_log_names_user),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
