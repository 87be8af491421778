/*
 * test_interop_accounts: fcgi-users' access tokens against third-party JWT
 * libraries, through a real lighttpd (tests/integration/harness.h).
 *
 *	test_interop_accounts pyjwt	PyJWT (Debian's python3-jwt), the
 *					library FastAPI-Users mints with
 *	test_interop_accounts jose	jose (npm), a JavaScript verifier
 *
 * run-accounts.sh installs the peer and runs this with
 * FU_INTEROP_PYTHON, FU_INTEROP_PYJWT_TOOL (pyjwt) or FU_INTEROP_NODE,
 * FU_INTEROP_JOSE_TOOL (jose) set.  The peers run as child processes:
 * tests/interop/pyjwt_tool.py and jose_tool.mjs mint and verify and print
 * what they saw as JSON.
 *
 * Servers: one per algorithm, HS256 (JWT_SECRET, the harness's default)
 * and RS256, ES256, EdDSA (JWT_ALGORITHM and JWT_PRIVATE_KEY_FILE with a
 * key `openssl genpkey` made in a temporary folder), each started on first
 * use and stopped by the group teardown.  Every server gets one user
 * (POST /auth/register, then POST /auth/jwt/login).
 *
 * Each case prints "ok" or "FAIL" with what it sent, expected and got;
 * a test fails at its end when any of its cases did.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define AUDIENCE	"fastapi-users:auth"
#define OUT_MAX		(1u << 20)

enum srv { SRV_HS256, SRV_RS256, SRV_ES256, SRV_EDDSA, SRV__MAX };

static const struct {
	const char	*alg;
	const char	*genpkey[4];	/* openssl genpkey arguments */
	const char	*kty, *crv;	/* of its JWK */
} algs[SRV__MAX] = {
	[SRV_HS256] = { "HS256", { NULL }, NULL, NULL },
	[SRV_RS256] = { "RS256", { "-algorithm", "RSA", "-pkeyopt",
	    "rsa_keygen_bits:2048" }, "RSA", NULL },
	[SRV_ES256] = { "ES256", { "-algorithm", "EC", "-pkeyopt",
	    "ec_paramgen_curve:P-256" }, "EC", "P-256" },
	[SRV_EDDSA] = { "EdDSA", { "-algorithm", "ed25519" }, "OKP", "Ed25519" },
};

struct server {
	struct harness	*h;
	char		 priv[PATH_MAX];	/* private key PEM (not HS256) */
	char		 pub[PATH_MAX];		/* its public key PEM */
	char		 user_id[64];
	char		 email[128];
	char		*token;			/* the login's access token */
};

static const char	*peer;		/* "pyjwt" or "jose" */
static char		 tmpdir[PATH_MAX];
static struct server	 servers[SRV__MAX];
static int		 failures;

/* ---- cases ---- */

static void
good(const char *what)
{
	printf("  ok    %s\n", what);
	fflush(stdout);
}

static void
bad(const char *what, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("  FAIL  %s: %s\n", what, msg);
	fflush(stdout);
	failures++;
}

static void
begin(void)
{
	failures = 0;
}

static void
end(void)
{
	if (failures != 0)
		fail_msg("%d case(s) failed", failures);
}

/* ---- child processes ---- */

/*
 * Runs argv (argv[0] a path) with stdout captured into *out (NUL-terminated,
 * caller frees; may be NULL to discard) and stderr passed through.  Returns
 * the exit status, 128 + signal, or -1 when it could not run.
 */
static int
run(const char *const *argv, char **out)
{
	int	 fd[2], status;
	pid_t	 pid;
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if (out != NULL)
		*out = NULL;
	if ((buf = malloc(OUT_MAX + 1)) == NULL)
		return -1;
	if (pipe(fd) != 0) {
		free(buf);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		n = read(fd[0], buf + len, OUT_MAX - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == OUT_MAX)
			break;
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	buf[len] = '\0';
	/* One line of output is what the tools print: drop its newline. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run this through "
		    "tests/interop/run-accounts.sh (ctest -L interop)\n", name);
		exit(1);
	}
	return v;
}

#define MAXARGS 32

/* Runs the peer's tool with the NULL-terminated arguments that follow. */
static int
tool(char **out, const char *first, ...)
{
	const char	*argv[MAXARGS];
	size_t		 n = 0;
	va_list		 ap;
	const char	*a;

	if (strcmp(peer, "pyjwt") == 0) {
		argv[n++] = need_env("FU_INTEROP_PYTHON");
		argv[n++] = need_env("FU_INTEROP_PYJWT_TOOL");
	} else {
		argv[n++] = need_env("FU_INTEROP_NODE");
		argv[n++] = need_env("FU_INTEROP_JOSE_TOOL");
	}
	va_start(ap, first);
	for (a = first; a != NULL && n < MAXARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return run(argv, out);
}

/* ---- JSON ---- */

static struct json_object *
jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static const char *
jtext(struct json_object *o)
{
	return o == NULL ? "(none)" : json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- HTTP ---- */

static int
bearer_get(struct harness *h, const char *path, const char *token,
    struct http_resp *r)
{
	char		*auth = NULL;
	const char	*hdrs[2] = { NULL, NULL };
	int		 rc;

	if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
		return -1;
	hdrs[0] = auth;
	rc = harness_request(h, "GET", path, hdrs, NULL, 0, r);
	free(auth);
	return rc;
}

/* GET /users/me with the token: 200 and the user's id, or 401. */
static void
expect_me(struct server *s, const char *what, const char *token, long want)
{
	struct http_resp	 r;
	const char		*id, *detail;

	if (token == NULL || *token == '\0') {
		bad(what, "no token was minted");
		return;
	}
	if (bearer_get(s->h, "/users/me", token, &r) != 0) {
		bad(what, "GET /users/me: no HTTP answer");
		return;
	}
	if (r.status != want) {
		bad(what, "token %s: GET /users/me expected %ld, got %ld %.300s",
		    token, want, r.status, r.body);
	} else if (want == 200) {
		id = jstr(r.json, "id");
		if (id == NULL || strcmp(id, s->user_id) != 0)
			bad(what, "GET /users/me 200 but id %s, expected %s",
			    id ? id : "(none)", s->user_id);
		else
			good(what);
	} else {
		detail = http_resp_detail(&r);
		if (detail == NULL || strcmp(detail, "Unauthorized") != 0 ||
		    http_resp_header(&r, "WWW-Authenticate") == NULL ||
		    strncasecmp(http_resp_header(&r, "WWW-Authenticate"),
		    "Bearer", 6) != 0)
			bad(what, "401 but not {\"detail\":\"Unauthorized\"} with "
			    "WWW-Authenticate: Bearer: %.300s", r.body);
		else
			good(what);
	}
	http_resp_free(&r);
}

/* ---- servers ---- */

static int
make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return 0;
	snprintf(tmpdir, sizeof(tmpdir), "%s/fu-interop-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		tmpdir[0] = '\0';
		return -1;
	}
	return 0;
}

static const char *
openssl_path(void)
{
	static const char *const paths[] = { "/usr/bin/openssl",
	    "/usr/local/bin/openssl", "/bin/openssl" };
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return "/usr/bin/openssl";
}

static int
make_keys(enum srv which, struct server *s)
{
	const char	*argv[12];
	size_t		 n = 0, i;

	if (make_tmpdir() != 0)
		return -1;
	snprintf(s->priv, sizeof(s->priv), "%s/%s-private.pem", tmpdir,
	    algs[which].alg);
	snprintf(s->pub, sizeof(s->pub), "%s/%s-public.pem", tmpdir,
	    algs[which].alg);
	argv[n++] = openssl_path();
	argv[n++] = "genpkey";
	for (i = 0; i < 4 && algs[which].genpkey[i] != NULL; i++)
		argv[n++] = algs[which].genpkey[i];
	argv[n++] = "-out";
	argv[n++] = s->priv;
	argv[n] = NULL;
	if (run(argv, NULL) != 0) {
		fprintf(stderr, "openssl genpkey for %s failed\n", algs[which].alg);
		return -1;
	}
	{
		const char *pv[] = { openssl_path(), "pkey", "-in", s->priv,
		    "-pubout", "-out", s->pub, NULL };

		if (run(pv, NULL) != 0) {
			fprintf(stderr, "openssl pkey -pubout failed\n");
			return -1;
		}
	}
	return 0;
}

/* Registers a user and logs in; fills s->user_id, s->token. */
static int
make_user(struct server *s)
{
	char			 rnd[17], *body = NULL;
	const char		*json_hdr[] = { "Content-Type: application/json", NULL };
	const char		*form_hdr[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	const char		*password = "interop-Passw0rd!";
	struct http_resp	 r;
	const char		*v;
	int			 rc = -1;

	if (harness_random_hex(rnd, 8) != 0)
		return -1;
	snprintf(s->email, sizeof(s->email), "interop-%s@example.com", rnd);
	if (asprintf(&body, "{\"email\":\"%s\",\"password\":\"%s\"}", s->email,
	    password) < 0)
		return -1;
	if (harness_request(s->h, "POST", "/auth/register", json_hdr, body,
	    strlen(body), &r) != 0 || r.status != 201 ||
	    (v = jstr(r.json, "id")) == NULL) {
		fprintf(stderr, "POST /auth/register: expected 201 with an id, "
		    "got %ld %.300s\n", r.status, r.body ? r.body : "");
		http_resp_free(&r);
		goto out;
	}
	snprintf(s->user_id, sizeof(s->user_id), "%s", v);
	http_resp_free(&r);
	free(body);
	/* The e-mail is [a-z0-9-@.] and the password needs only "!" encoded. */
	if (asprintf(&body, "username=%s&password=interop-Passw0rd%%21",
	    s->email) < 0) {
		body = NULL;
		goto out;
	}
	if (harness_request(s->h, "POST", "/auth/jwt/login", form_hdr, body,
	    strlen(body), &r) != 0 || r.status != 200 ||
	    (v = jstr(r.json, "access_token")) == NULL) {
		fprintf(stderr, "POST /auth/jwt/login: expected 200 with an "
		    "access_token, got %ld %.300s\n", r.status, r.body ? r.body : "");
		http_resp_free(&r);
		goto out;
	}
	if ((v = jstr(r.json, "token_type")) == NULL || strcmp(v, "bearer") != 0)
		fprintf(stderr, "note: login token_type is %s, not \"bearer\"\n",
		    v ? v : "(none)");
	s->token = strdup(jstr(r.json, "access_token"));
	http_resp_free(&r);
	rc = s->token != NULL ? 0 : -1;
out:
	free(body);
	return rc;
}

/* The server for an algorithm, started on first use; NULL after failing. */
static struct server *
server(enum srv which)
{
	struct server		*s = &servers[which];
	struct harness_opts	 o;
	char			 alg[64], keyfile[PATH_MAX + 32];
	const char		*env[8];
	size_t			 n = 0;

	if (s->h != NULL)
		return s->token != NULL ? s : NULL;
	env[n++] = "PASSWORD_ARGON2_MEMORY_KIB=8192";
	env[n++] = "PASSWORD_ARGON2_TIME_COST=1";
	env[n++] = "PASSWORD_ARGON2_PARALLELISM=1";
	if (which != SRV_HS256) {
		if (make_keys(which, s) != 0)
			return NULL;
		snprintf(alg, sizeof(alg), "JWT_ALGORITHM=%s", algs[which].alg);
		snprintf(keyfile, sizeof(keyfile), "JWT_PRIVATE_KEY_FILE=%s", s->priv);
		env[n++] = alg;
		env[n++] = keyfile;
	}
	env[n] = NULL;
	memset(&o, 0, sizeof(o));
	o.env = env;
	o.procs = 1;
	if ((s->h = harness_start(&o)) == NULL) {
		fprintf(stderr, "cannot start the %s server\n", algs[which].alg);
		return NULL;
	}
	if (make_user(s) != 0)
		return NULL;
	printf("  (%s server at %s, user %s)\n", algs[which].alg,
	    harness_url(s->h), s->user_id);
	return s;
}

static char *
jwks_url(struct server *s)
{
	char *u = NULL;

	if (asprintf(&u, "%s/.well-known/jwks.json", harness_url(s->h)) < 0)
		return NULL;
	return u;
}

/* ---- what a verifier saw ---- */

/*
 * Checks the JSON a tool printed after verifying the server's token:
 * header alg (and typ for HS256, kid for the others), the claims
 * FastAPI-Users puts there.  `jwk` is the key jose picked (jose only).
 */
static void
check_verified(struct server *s, enum srv which, const char *what,
    const char *out)
{
	struct json_object	*o = json_tokener_parse(out), *hdr, *pl, *aud, *v;
	const char		*hkey = strcmp(peer, "pyjwt") == 0 ? "header" :
	    "protectedHeader";
	const char		*a, *kid;
	int64_t			 exp, now = (int64_t)time(NULL);

	hdr = jget(o, hkey);
	pl = jget(o, "payload");
	if (hdr == NULL || pl == NULL) {
		bad(what, "the verifier printed no header or payload: %.300s", out);
		goto out;
	}
	if ((a = jstr(hdr, "alg")) == NULL || strcmp(a, algs[which].alg) != 0) {
		bad(what, "header alg: expected %s, got %s", algs[which].alg,
		    jtext(hdr));
		goto out;
	}
	kid = jstr(hdr, "kid");
	if (which == SRV_HS256) {
		/* FastAPI-Users' header is exactly {"alg":"HS256","typ":"JWT"}. */
		if ((a = jstr(hdr, "typ")) == NULL || strcmp(a, "JWT") != 0 ||
		    json_object_object_length(hdr) != 2) {
			bad(what, "header: expected {\"alg\":\"HS256\",\"typ\":\"JWT\"}, "
			    "got %s", jtext(hdr));
			goto out;
		}
	} else if (kid == NULL || *kid == '\0') {
		bad(what, "header has no kid: %s", jtext(hdr));
		goto out;
	}
	if ((a = jstr(pl, "sub")) == NULL || strcmp(a, s->user_id) != 0) {
		bad(what, "sub: expected %s, got %s", s->user_id, jtext(pl));
		goto out;
	}
	aud = jget(pl, "aud");
	if (aud == NULL || !json_object_is_type(aud, json_type_array) ||
	    json_object_array_length(aud) != 1 ||
	    (v = json_object_array_get_idx(aud, 0)) == NULL ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), AUDIENCE) != 0) {
		bad(what, "aud: expected [\"%s\"] (a list, as FastAPI-Users), got %s",
		    AUDIENCE, jtext(pl));
		goto out;
	}
	v = jget(pl, "exp");
	if (v == NULL || !json_object_is_type(v, json_type_int) ||
	    (exp = json_object_get_int64(v)) < now + 3600 - 120 ||
	    exp > now + 3600 + 5) {
		bad(what, "exp: expected an integer about now + 3600 (%lld), got %s",
		    (long long)(now + 3600), jtext(pl));
		goto out;
	}
	if (strcmp(peer, "jose") == 0 && which != SRV_HS256) {
		struct json_object *jwk = jget(o, "jwk");

		if (jwk == NULL || (a = jstr(jwk, "kid")) == NULL ||
		    strcmp(a, kid) != 0) {
			bad(what, "the JWK jose used has kid %s, the header %s",
			    jtext(jwk), kid);
			goto out;
		}
		if ((a = jstr(jwk, "alg")) != NULL &&
		    strcmp(a, algs[which].alg) != 0) {
			bad(what, "the JWK's alg is %s, the token's %s", a,
			    algs[which].alg);
			goto out;
		}
	}
	good(what);
out:
	json_object_put(o);
}

/* GET /.well-known/jwks.json: no key for HS256; one public JWK otherwise. */
static void
check_jwks(struct server *s, enum srv which)
{
	static const char *const private_members[] = { "d", "p", "q", "dp",
	    "dq", "qi", "k", "oth" };
	struct http_resp	 r;
	struct json_object	*keys, *k;
	const char		*a, *what = "GET /.well-known/jwks.json";
	size_t			 i;

	if (harness_get(s->h, "/.well-known/jwks.json", &r) != 0) {
		bad(what, "no HTTP answer");
		return;
	}
	keys = jget(r.json, "keys");
	if (r.status != 200 || keys == NULL ||
	    !json_object_is_type(keys, json_type_array)) {
		bad(what, "expected 200 {\"keys\":[...]}, got %ld %.300s",
		    r.status, r.body);
		goto out;
	}
	if (which == SRV_HS256) {
		if (json_object_array_length(keys) != 0)
			bad(what, "an HS256 server must publish no key, got %.300s",
			    r.body);
		else
			good("GET /.well-known/jwks.json of an HS256 server: no keys");
		goto out;
	}
	if (json_object_array_length(keys) != 1) {
		bad(what, "expected one key, got %.600s", r.body);
		goto out;
	}
	k = json_object_array_get_idx(keys, 0);
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++)
		if (jget(k, private_members[i]) != NULL) {
			bad(what, "the JWK holds private member \"%s\"",
			    private_members[i]);
			goto out;
		}
	if ((a = jstr(k, "kty")) == NULL || strcmp(a, algs[which].kty) != 0 ||
	    (algs[which].crv != NULL && ((a = jstr(k, "crv")) == NULL ||
	    strcmp(a, algs[which].crv) != 0)) ||
	    (a = jstr(k, "kid")) == NULL || *a == '\0' ||
	    (a = jstr(k, "alg")) == NULL || strcmp(a, algs[which].alg) != 0) {
		bad(what, "expected kty %s%s%s, a kid and alg %s, got %s",
		    algs[which].kty, algs[which].crv ? " crv " : "",
		    algs[which].crv ? algs[which].crv : "", algs[which].alg,
		    jtext(k));
		goto out;
	}
	good("GET /.well-known/jwks.json: one public JWK, kty/crv/kid/alg, no "
	    "private members");
out:
	http_resp_free(&r);
}

/* ---- PyJWT ---- */

static char *
pyjwt_mint(const char *what, const char *const *args)
{
	const char	*argv[MAXARGS];
	char		*out = NULL;
	size_t		 n = 0;
	int		 rc;

	argv[n++] = need_env("FU_INTEROP_PYTHON");
	argv[n++] = need_env("FU_INTEROP_PYJWT_TOOL");
	argv[n++] = "mint";
	while (*args != NULL && n < MAXARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	if ((rc = run(argv, &out)) != 0 || out == NULL || *out == '\0') {
		bad(what, "pyjwt_tool.py mint exited %d", rc);
		free(out);
		return NULL;
	}
	return out;
}

/* Mints with the arguments and expects GET /users/me to answer `want`. */
static void
pyjwt_case(struct server *s, const char *what, long want, const char *const *args)
{
	char *t = pyjwt_mint(what, args);

	if (t != NULL)
		expect_me(s, what, t, want);
	free(t);
}

static void
pyjwt_hs256(void **state)
{
	struct server	*s;
	const char	*secret;
	char		*out = NULL, other[65];
	int		 rc;

	(void)state;
	begin();
	assert_non_null(s = server(SRV_HS256));
	secret = harness_env(s->h, "JWT_SECRET");
	assert_non_null(secret);
	assert_int_equal(harness_random_hex(other, 32), 0);

	/* 1. FastAPI-Users' own tokens, minted by PyJWT, are accepted. */
	pyjwt_case(s, "PyJWT HS256 {sub, aud:[\"fastapi-users:auth\"], exp} "
	    "(FastAPI-Users' token) -> 200", 200, (const char *const[]){
	    "--sub", s->user_id, "--secret", secret, NULL });
	pyjwt_case(s, "PyJWT HS256 with aud as a string -> 200", 200,
	    (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--aud-str", AUDIENCE, NULL });

	/* 2. Our token verifies with PyJWT. */
	rc = tool(&out, "verify", "--token", s->token, "--secret", secret,
	    "--alg", "HS256", "--audience", AUDIENCE, NULL);
	if (rc != 0)
		bad("server HS256 token verifies with PyJWT jwt.decode()",
		    "token %s: PyJWT exited %d (see its reason above)", s->token, rc);
	else
		check_verified(s, SRV_HS256, "server HS256 token verifies with "
		    "PyJWT jwt.decode(audience=\"fastapi-users:auth\")", out);
	free(out);

	/* 4. Refused. */
	pyjwt_case(s, "PyJWT HS256 signed with another secret -> 401", 401,
	    (const char *const[]){ "--sub", s->user_id, "--secret", other, NULL });
	pyjwt_case(s, "PyJWT alg none (jwt.encode(..., None, algorithm=\"none\")) "
	    "-> 401", 401, (const char *const[]){ "--sub", s->user_id, "--none",
	    NULL });
	pyjwt_case(s, "PyJWT HS384 with the right secret -> 401 (HS256 only)",
	    401, (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--alg", "HS384", NULL });
	pyjwt_case(s, "PyJWT HS256 expired 10 s ago -> 401", 401,
	    (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--exp-in", "-10", NULL });
	pyjwt_case(s, "PyJWT HS256 with aud [\"fastapi-users:reset\"] -> 401",
	    401, (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--aud-list", "fastapi-users:reset", NULL });
	pyjwt_case(s, "PyJWT HS256 without aud -> 401", 401,
	    (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--no-aud", NULL });
	check_jwks(s, SRV_HS256);
	end();
}

static void
pyjwt_asym(enum srv which)
{
	struct server	*s;
	const char	*alg = algs[which].alg, *secret;
	char		*out = NULL, *url, what[256];
	int		 rc;

	begin();
	assert_non_null(s = server(which));
	secret = harness_env(s->h, "JWT_SECRET");
	assert_non_null(url = jwks_url(s));
	check_jwks(s, which);

	/* 3. Our token verifies with PyJWT: the public key PEM, and the JWKS. */
	snprintf(what, sizeof(what), "server %s token verifies with PyJWT "
	    "jwt.decode() and the public key PEM", alg);
	rc = tool(&out, "verify", "--token", s->token, "--key-file", s->pub,
	    "--alg", alg, "--audience", AUDIENCE, NULL);
	if (rc != 0)
		bad(what, "token %s: PyJWT exited %d", s->token, rc);
	else
		check_verified(s, which, what, out);
	free(out);
	out = NULL;
	snprintf(what, sizeof(what), "server %s token verifies with PyJWT "
	    "PyJWKClient(jwks.json)", alg);
	rc = tool(&out, "verify", "--token", s->token, "--jwks-url", url,
	    "--alg", alg, "--audience", AUDIENCE, NULL);
	if (rc != 0)
		bad(what, "token %s: PyJWT exited %d", s->token, rc);
	else
		check_verified(s, which, what, out);
	free(out);

	/* FastAPI-Users' JWTStrategy(algorithm=alg, secret=private key):
	 * PyJWT signs with the private key, no kid. */
	snprintf(what, sizeof(what), "PyJWT %s with the server's private key, "
	    "no kid (FastAPI-Users' JWTStrategy) -> 200", alg);
	pyjwt_case(s, what, 200, (const char *const[]){ "--sub", s->user_id,
	    "--key-file", s->priv, "--alg", alg, NULL });

	/* 4. Refused. */
	snprintf(what, sizeof(what), "key confusion: HS256 HMAC keyed with the "
	    "server's public key PEM, against the %s server -> 401", alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->user_id,
	    "--key-file", s->pub, "--alg", "HS256", "--raw-hmac", NULL });
	snprintf(what, sizeof(what), "HS256 with JWT_SECRET against the %s "
	    "server -> 401", alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->user_id,
	    "--secret", secret, NULL });
	snprintf(what, sizeof(what), "PyJWT alg none against the %s server -> 401",
	    alg);
	pyjwt_case(s, what, 401, (const char *const[]){ "--sub", s->user_id,
	    "--none", NULL });
	free(url);
	end();
}

static void pyjwt_rs256(void **state) { (void)state; pyjwt_asym(SRV_RS256); }
static void pyjwt_es256(void **state) { (void)state; pyjwt_asym(SRV_ES256); }
static void pyjwt_eddsa(void **state) { (void)state; pyjwt_asym(SRV_EDDSA); }

/* ---- jose ---- */

static void
jose_case(struct server *s, const char *what, long want, const char *const *args)
{
	const char	*argv[MAXARGS];
	char		*t = NULL;
	size_t		 n = 0;
	int		 rc;

	argv[n++] = need_env("FU_INTEROP_NODE");
	argv[n++] = need_env("FU_INTEROP_JOSE_TOOL");
	argv[n++] = "mint";
	while (*args != NULL && n < MAXARGS - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	if ((rc = run(argv, &t)) != 0 || t == NULL || *t == '\0')
		bad(what, "jose_tool.mjs mint exited %d", rc);
	else
		expect_me(s, what, t, want);
	free(t);
}

static void
jose_hs256(void **state)
{
	struct server	*s;
	const char	*secret;
	char		*out = NULL;
	int		 rc;

	(void)state;
	begin();
	assert_non_null(s = server(SRV_HS256));
	assert_non_null(secret = harness_env(s->h, "JWT_SECRET"));

	rc = tool(&out, "verify", "--token", s->token, "--secret", secret,
	    "--alg", "HS256", NULL);
	if (rc != 0)
		bad("server HS256 token verifies with jose jwtVerify(secret)",
		    "token %s: jose exited %d", s->token, rc);
	else
		check_verified(s, SRV_HS256, "server HS256 token verifies with jose "
		    "jwtVerify(Uint8Array secret, audience, algorithms [HS256])", out);
	free(out);

	jose_case(s, "jose SignJWT HS256 aud list -> 200", 200,
	    (const char *const[]){ "--sub", s->user_id, "--secret", secret, NULL });
	jose_case(s, "jose SignJWT HS256 aud string -> 200", 200,
	    (const char *const[]){ "--sub", s->user_id, "--secret", secret,
	    "--aud-str", NULL });
	end();
}

/* The kid of the server's one JWK, or NULL (caller frees). */
static char *
server_kid(struct server *s)
{
	struct http_resp	 r;
	struct json_object	*keys;
	const char		*kid = NULL;
	char			*ret = NULL;

	if (harness_get(s->h, "/.well-known/jwks.json", &r) != 0)
		return NULL;
	keys = jget(r.json, "keys");
	if (keys != NULL && json_object_is_type(keys, json_type_array) &&
	    json_object_array_length(keys) > 0)
		kid = jstr(json_object_array_get_idx(keys, 0), "kid");
	if (kid != NULL)
		ret = strdup(kid);
	http_resp_free(&r);
	return ret;
}

static void
jose_asym(enum srv which)
{
	struct server	*s;
	const char	*alg = algs[which].alg;
	char		*out = NULL, *url, *kid, what[256];
	int		 rc;

	begin();
	assert_non_null(s = server(which));
	assert_non_null(url = jwks_url(s));
	check_jwks(s, which);

	snprintf(what, sizeof(what), "server %s token verifies with jose "
	    "createRemoteJWKSet(jwks.json) and importJWK(kid's key)", alg);
	rc = tool(&out, "verify", "--token", s->token, "--jwks-url", url,
	    "--alg", alg, NULL);
	if (rc != 0)
		bad(what, "token %s: jose exited %d", s->token, rc);
	else
		check_verified(s, which, what, out);
	free(out);

	snprintf(what, sizeof(what), "jose SignJWT %s with the server's private "
	    "key and its kid -> 200", alg);
	kid = server_kid(s);
	jose_case(s, what, 200, (const char *const[]){ "--sub", s->user_id,
	    "--key-file", s->priv, "--alg", alg, "--kid", kid ? kid : "", NULL });
	free(kid);
	snprintf(what, sizeof(what), "jose SignJWT %s with the server's private "
	    "key, no kid -> 200", alg);
	jose_case(s, what, 200, (const char *const[]){ "--sub", s->user_id,
	    "--key-file", s->priv, "--alg", alg, NULL });
	free(url);
	end();
}

static void jose_rs256(void **state) { (void)state; jose_asym(SRV_RS256); }
static void jose_es256(void **state) { (void)state; jose_asym(SRV_ES256); }
static void jose_eddsa(void **state) { (void)state; jose_asym(SRV_EDDSA); }

/* ---- group ---- */

static void
print_version(void)
{
	char *out = NULL;

	if (tool(&out, "version", NULL) == 0 && out != NULL)
		printf("peer: %s\n", out);
	else {
		fprintf(stderr, "the %s tool does not run\n", peer);
		exit(1);
	}
	free(out);
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < SRV__MAX; i++) {
		if (servers[i].h != NULL) {
			if (harness_check_log(servers[i].h) != 0)
				fprintf(stderr, "the %s server's log holds a "
				    "sanitizer report\n", algs[i].alg);
			harness_stop(servers[i].h);
		}
		free(servers[i].token);
		memset(&servers[i], 0, sizeof(servers[i]));
	}
	if (tmpdir[0] != '\0' && getenv("FU_KEEP_TMP") == NULL) {
		const char *argv[] = { "/bin/rm", "-rf", tmpdir, NULL };

		(void)run(argv, NULL);
	} else if (tmpdir[0] != '\0')
		fprintf(stderr, "keys kept in %s\n", tmpdir);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct CMUnitTest pyjwt_tests[] = {
		cmocka_unit_test(pyjwt_hs256),
		cmocka_unit_test(pyjwt_rs256),
		cmocka_unit_test(pyjwt_es256),
		cmocka_unit_test(pyjwt_eddsa),
	};
	static const struct CMUnitTest jose_tests[] = {
		cmocka_unit_test(jose_hs256),
		cmocka_unit_test(jose_rs256),
		cmocka_unit_test(jose_es256),
		cmocka_unit_test(jose_eddsa),
	};

	if (argc != 2 || (strcmp(argv[1], "pyjwt") != 0 &&
	    strcmp(argv[1], "jose") != 0)) {
		fprintf(stderr, "usage: %s pyjwt|jose\n", argv[0]);
		return 2;
	}
	peer = argv[1];
	print_version();
	if (strcmp(peer, "pyjwt") == 0)
		return cmocka_run_group_tests_name("interop_accounts_pyjwt",
		    pyjwt_tests, NULL, group_teardown);
	return cmocka_run_group_tests_name("interop_accounts_jose", jose_tests,
	    NULL, group_teardown);
}
