/*
 * test_token_mint: `fcgi-users token mint --email E [--mcp] [--minutes N]`
 * against a real server that shares its settings.  A minted access token
 * works on GET /users/me, carries the user's token generation (so a
 * password change kills it) and lives --minutes; an MCP token verifies
 * with the MCP public key and carries the Python service's claims.  The
 * token is alone on stdout and never on stderr.  Refused: unknown and
 * inactive users, a --minutes outside 1..525600, usage errors, a database
 * that is missing or behind, --mcp without an MCP key.  Table cases
 * report their own line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accounts_util.h"
#include "harness.h"
#include "jwt.h"

#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })

static struct harness	*H;
static struct jwt_key	*MCP_KEY;		/* the pair the server signs MCP tokens with */
static char		 KEYDIR[PATH_MAX];
static char		 KEYFILE[PATH_MAX + 32];
static struct au_user	 U;			/* active */
static struct au_user	 SLEEPY;		/* made inactive */

/* ---- running the tool ---- */

static void
run(int line, struct harness *h, struct cgi_result *r, const char *const *args)
{
	if (harness_cli_result(h, args, r) != 0)
		au_bad(line, "fcgi-users did not run");
	if (r->err != NULL && strstr(r->err, "eyJ") != NULL)
		au_bad(line, "something like a token on stderr: %.300s", r->err);
}

/*
 * A successful mint: exit 0, the token alone on stdout (one line), its
 * expiry on stderr.  The token into tok (cap bytes); 0, or -1 after a report.
 */
static int
mint_ok(int line, const struct cgi_result *r, char *tok, size_t cap)
{
	size_t n;

	tok[0] = '\0';
	if (r->exit_status != 0 || r->out == NULL) {
		au_bad(line, "exit %d: %.500s", r->exit_status, r->err ? r->err : "");
		return -1;
	}
	n = strcspn(r->out, "\n");
	if (n == 0 || n >= cap || r->out_len != n + 1 ||
	    !au_matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\n$", r->out)) {
		au_bad(line, "stdout is not one token line: \"%.300s\"", r->out);
		return -1;
	}
	memcpy(tok, r->out, n);
	tok[n] = '\0';
	if (r->err == NULL || strstr(r->err, "expires ") == NULL || strstr(r->err, tok) != NULL)
		au_bad(line, "stderr: %.300s", r->err ? r->err : "");
	return 0;
}

static int64_t
jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* ---- group ---- */

static int
group_setup(void **state)
{
	static char setting[PATH_MAX + 64];
	static const char *env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1",
	    setting, NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	const char *t = getenv("TMPDIR");
	char *pem = NULL;
	int fd, ok;

	(void)state;
	snprintf(KEYDIR, sizeof(KEYDIR), "%s/fu-mint-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(KEYDIR) == NULL || (MCP_KEY = jwt_key_generate(JWT_RS256)) == NULL ||
	    (pem = jwt_key_pem_private(MCP_KEY)) == NULL)
		return -1;
	snprintf(KEYFILE, sizeof(KEYFILE), "%s/mcp-private.pem", KEYDIR);
	if ((fd = open(KEYFILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		return -1;
	ok = write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem);
	close(fd);
	free(pem);
	snprintf(setting, sizeof(setting), "MCP_JWT_PRIVATE_KEY_FILE=%s", KEYFILE);
	if (!ok || (H = harness_start(&o)) == NULL)
		return -1;
	if (au_new_user(H, "mint", &U) != 0 || au_new_user(H, "sleepy", &SLEEPY) != 0 ||
	    au_db_exec(H, "UPDATE users SET is_active = FALSE WHERE id = %Q", SLEEPY.id) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	int rc = H != NULL ? harness_check_log(H) : 0;

	(void)state;
	harness_stop(H);
	jwt_key_free(MCP_KEY);
	unlink(KEYFILE);
	rmdir(KEYDIR);
	return rc;
}

/* ---- access tokens ---- */

static void
test_mint_access(void **state)
{
	static const struct {
		int		 line;
		const char	*minutes;	/* NULL: the default, JWT_EXPIRE_MINUTES (60) */
		int64_t		 lifetime;
	} cases[] = {
		{ __LINE__, NULL, 3600 },
		{ __LINE__, "1", 60 },
		{ __LINE__, "5", 300 },
		{ __LINE__, "525600", 525600 * 60 },
	};
	char tok[AU_TOKEN_MAX], upper[AU_EMAIL_MAX];
	struct json_object *p, *aud;
	struct cgi_result r;
	size_t i;

	(void)state;
	au_begin();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;

		if (cases[i].minutes != NULL)
			run(line, H, &r, ARGV("token", "mint", "--email", U.email,
			    "--minutes", cases[i].minutes));
		else
			run(line, H, &r, ARGV("token", "mint", "--email", U.email));
		if (mint_ok(line, &r, tok, sizeof(tok)) == 0) {
			if (au_me_status(H, tok) != 200)
				au_bad(line, "the minted token is refused on /users/me");
			p = au_jwt_part(tok, 1);
			if (p == NULL || !json_object_object_get_ex(p, "aud", &aud) ||
			    !json_object_is_type(aud, json_type_array) ||
			    json_object_array_length(aud) != 1 ||
			    strcmp(json_object_get_string(json_object_array_get_idx(aud, 0)),
			    "fastapi-users:auth") != 0 ||
			    au_jstr(p, "sub") == NULL || strcmp(au_jstr(p, "sub"), U.id) != 0 ||
			    jint(p, "exp") - jint(p, "iat") != cases[i].lifetime ||
			    llabs((long long)(jint(p, "iat") - au_now())) > 60)
				au_bad(line, "payload %s, want sub %s and a lifetime of %lld s",
				    p ? json_object_to_json_string(p) : "(none)", U.id,
				    (long long)cases[i].lifetime);
			json_object_put(p);
		}
		cgi_result_free(&r);
	}
	/* the e-mail in any case */
	snprintf(upper, sizeof(upper), "%s", U.email);
	for (i = 0; upper[i] != '\0'; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] -= 'a' - 'A';
	run(__LINE__, H, &r, ARGV("token", "mint", "--email", upper));
	if (mint_ok(__LINE__, &r, tok, sizeof(tok)) == 0 && au_me_status(H, tok) != 200)
		au_bad(__LINE__, "the token minted for %s is refused", upper);
	cgi_result_free(&r);
	/* the user's token generation is in it: a password change kills it */
	assert_int_equal(au_db_exec(H, "UPDATE users SET token_generation ="
	    " token_generation + 1 WHERE id = %Q", U.id), 0);
	if (au_me_status(H, tok) != 401)
		au_bad(__LINE__, "a minted token survived a new token generation");
	run(__LINE__, H, &r, ARGV("token", "mint", "--email", U.email));
	if (mint_ok(__LINE__, &r, tok, sizeof(tok)) == 0) {
		if (au_me_status(H, tok) != 200)
			au_bad(__LINE__, "a token minted after the change is refused");
		p = au_jwt_part(tok, 1);
		if (jint(p, "gen") != 1)
			au_bad(__LINE__, "gen %lld, want 1", (long long)jint(p, "gen"));
		json_object_put(p);
	}
	cgi_result_free(&r);
	au_end();
}

/* ---- MCP tokens ---- */

static void
test_mint_mcp(void **state)
{
	static const char *const keys[] = { "iss", "sub", "iat", "exp", "aud",
	    "email", "scope", "jti", NULL };
	const struct jwt_key *const ks[1] = { MCP_KEY };
	struct jwt_verify_opts vo = { .keys = ks, .n_keys = 1, .audience = "mcp-server",
	    .issuer = "personal-server" };
	struct json_object *claims, *hdr;
	struct cgi_result r;
	char tok[AU_TOKEN_MAX];
	size_t i;

	(void)state;
	au_begin();
	run(__LINE__, H, &r, ARGV("token", "mint", "--mcp", "--email", U.email));
	if (mint_ok(__LINE__, &r, tok, sizeof(tok)) == 0) {
		claims = NULL;
		if (jwt_verify(tok, strlen(tok), &vo, &claims) != JWT_OK)
			au_bad(__LINE__, "the MCP token does not verify with the MCP key");
		else {
			for (i = 0; keys[i] != NULL; i++)
				if (!json_object_object_get_ex(claims, keys[i], NULL))
					au_bad(__LINE__, "no claim %s", keys[i]);
			if (json_object_object_length(claims) != 8 ||
			    strcmp(au_jstr(claims, "sub"), U.id) != 0 ||
			    strcmp(au_jstr(claims, "email"), U.email) != 0 ||
			    strcmp(au_jstr(claims, "scope"), "mcp-access") != 0 ||
			    jint(claims, "exp") - jint(claims, "iat") != 3600)
				au_bad(__LINE__, "claims %s", json_object_to_json_string(claims));
		}
		json_object_put(claims);
		hdr = au_jwt_part(tok, 0);
		if (au_jstr(hdr, "alg") == NULL || strcmp(au_jstr(hdr, "alg"), "RS256") != 0 ||
		    au_jstr(hdr, "kid") == NULL || strcmp(au_jstr(hdr, "kid"), jwt_key_kid(MCP_KEY)) != 0)
			au_bad(__LINE__, "header %s", json_object_to_json_string(hdr));
		json_object_put(hdr);
		/* not an access token */
		if (au_me_status(H, tok) != 401)
			au_bad(__LINE__, "an MCP token opens /users/me");
	}
	cgi_result_free(&r);
	run(__LINE__, H, &r, ARGV("token", "mint", "--email", U.email, "--minutes", "15",
	    "--mcp"));
	if (mint_ok(__LINE__, &r, tok, sizeof(tok)) == 0) {
		claims = au_jwt_part(tok, 1);
		if (jint(claims, "exp") - jint(claims, "iat") != 900)
			au_bad(__LINE__, "--minutes 15: %s", json_object_to_json_string(claims));
		json_object_put(claims);
	}
	cgi_result_free(&r);
	au_end();
}

/* ---- refused ---- */

struct neg {
	int		 line;
	const char	*args[10];	/* "@U", "@SLEEPY": those users' e-mails; "@DATA/x": a path */
	int		 status;
	const char	*err_has;
};

static void
run_negatives(struct harness *h, const struct neg *cases, size_t n)
{
	const char *args[12];
	char *paths[12];
	struct cgi_result r;
	size_t i, j;

	for (i = 0; i < n; i++) {
		memset(paths, 0, sizeof(paths));
		for (j = 0; j < 10 && cases[i].args[j] != NULL; j++) {
			const char *a = cases[i].args[j];

			if (strcmp(a, "@U") == 0)
				a = U.email;
			else if (strcmp(a, "@SLEEPY") == 0)
				a = SLEEPY.email;
			else if (strncmp(a, "@DATA/", 6) == 0) {
				assert_true(asprintf(&paths[j], "%s/%s",
				    harness_data_dir(h), a + 6) > 0);
				a = paths[j];
			}
			args[j] = a;
		}
		args[j] = NULL;
		run(cases[i].line, h, &r, args);
		if (r.exit_status != cases[i].status)
			au_bad(cases[i].line, "exit %d, want %d: %.500s", r.exit_status,
			    cases[i].status, r.err ? r.err : "");
		else if (r.out == NULL || r.out_len != 0)
			au_bad(cases[i].line, "a refused mint printed on stdout: %.300s",
			    r.out ? r.out : "");
		else if (r.err == NULL || strstr(r.err, cases[i].err_has) == NULL)
			au_bad(cases[i].line, "stderr lacks \"%s\": %.500s",
			    cases[i].err_has, r.err ? r.err : "");
		cgi_result_free(&r);
		for (j = 0; j < 12; j++)
			free(paths[j]);
	}
}

static void
test_mint_refused(void **state)
{
	static const struct neg cases[] = {
		/* the user */
		{ __LINE__, { "token", "mint", "--email", "nobody@example.com" }, 1,
		    "no user with the e-mail \"nobody@example.com\"" },
		{ __LINE__, { "token", "mint", "--email", "not-an-email" }, 1,
		    "no user with the e-mail" },
		{ __LINE__, { "token", "mint", "--email", "" }, 1, "no user with the e-mail" },
		{ __LINE__, { "token", "mint", "--email", "@SLEEPY" }, 1, "is inactive: no token" },
		{ __LINE__, { "token", "mint", "--mcp", "--email", "@SLEEPY" }, 1,
		    "is inactive: no token" },
		{ __LINE__, { "token", "mint", "--email", "@SLEEPY", "--minutes", "5" }, 1,
		    "is inactive" },
		/* --minutes */
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "0" }, 2,
		    "--minutes must be a whole number from 1 to 525600, not \"0\"" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "-5" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "abc" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "999999999" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "525601" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "1.5" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes", "5m" }, 2,
		    "--minutes must be" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes",
		    "99999999999999999999999" }, 2, "--minutes must be" },
		{ __LINE__, { "token", "mint", "--mcp", "--email", "@U", "--minutes", "0" }, 2,
		    "--minutes must be" },
		/* usage */
		{ __LINE__, { "token", "mint" }, 2, "--email is required" },
		{ __LINE__, { "token", "mint", "--mcp" }, 2, "--email is required" },
		{ __LINE__, { "token", "mint", "--email" }, 2, "needs an argument" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--minutes" }, 2,
		    "needs an argument" },
		{ __LINE__, { "token", "mint", "--email", "@U", "extra" }, 2,
		    "unexpected argument" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--mcp=yes" }, 2,
		    "takes no argument" },
		{ __LINE__, { "token", "mint", "--email", "@U", "--lifetime", "5" }, 2,
		    "unknown option" },
		{ __LINE__, { "token" }, 2, "usage: fcgi-users token" },
		{ __LINE__, { "token", "burn" }, 2, "unknown command" },
		/* the database */
		{ __LINE__, { "--database", "@DATA/missing.db", "token", "mint", "--email",
		    "@U" }, 1, "cannot open database file" },
		{ __LINE__, { "--database", "@DATA/", "token", "mint", "--email",
		    "@U" }, 1, "cannot open database file" },
	};

	(void)state;
	au_begin();
	run_negatives(H, cases, sizeof(cases) / sizeof(cases[0]));
	au_end();
}

/* --mcp without an MCP key (none set, and no JWT_PRIVATE_KEY to fall back on). */
static void
test_mint_mcp_no_key(void **state)
{
	static const char *const env[] = { "PASSWORD_ARGON2_MEMORY_KIB=8192",
	    "PASSWORD_ARGON2_TIME_COST=1", "PASSWORD_ARGON2_PARALLELISM=1", NULL };
	struct harness_opts o = { .env = env, .procs = 1 };
	struct harness *x;
	struct au_user u;
	struct cgi_result r;
	char tok[AU_TOKEN_MAX];
	const struct neg cases[] = {
		{ __LINE__, { "token", "mint", "--mcp", "--email", u.email }, 1,
		    "no MCP signing key" },
		{ __LINE__, { "token", "mint", "--mcp", "--minutes", "5", "--email",
		    u.email }, 1, "MCP_JWT_PRIVATE_KEY_FILE" },
	};

	(void)state;
	au_begin();
	assert_non_null(x = harness_start(&o));
	assert_int_equal(au_new_user(x, "nokey", &u), 0);
	run_negatives(x, cases, sizeof(cases) / sizeof(cases[0]));
	/* access tokens need no key pair */
	run(__LINE__, x, &r, ARGV("token", "mint", "--email", u.email));
	if (mint_ok(__LINE__, &r, tok, sizeof(tok)) == 0 && au_me_status(x, tok) != 200)
		au_bad(__LINE__, "the access token is refused");
	cgi_result_free(&r);
	/* a database behind this build */
	assert_int_equal(harness_cli(x, ARGV("migrate", "down", "1")), 0);
	run(__LINE__, x, &r, ARGV("token", "mint", "--email", u.email));
	if (r.exit_status != 1 || r.out_len != 0 || r.err == NULL ||
	    strstr(r.err, "migrate up") == NULL)
		au_bad(__LINE__, "a database behind: exit %d %.300s", r.exit_status,
		    r.err ? r.err : "");
	cgi_result_free(&r);
	if (harness_check_log(x) != 0)
		au_bad(__LINE__, "sanitizer report");
	harness_stop(x);
	au_end();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mint_access),
		cmocka_unit_test(test_mint_mcp),
		cmocka_unit_test(test_mint_refused),
		cmocka_unit_test(test_mint_mcp_no_key),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
