/*
 * accounts_util: what the accounts integration tests (test_accounts.c,
 * test_accounts_bad_input.c) share.  Checks that report the line of a
 * table case and keep going (au_bad, au_begin, au_end); checks of the
 * contract's shapes (FastAPI errors, pydantic-2 422 items, the 401 with
 * WWW-Authenticate, the user object); requests with a Bearer token; making
 * accounts (register, login, a superuser written straight into the
 * database); and JWTs minted here, with OpenSSL, the way PyJWT mints them,
 * so that tests can craft expired, tampered, alg:none and foreign tokens
 * without the programs' own code.
 */
#ifndef FCGI_USERS_ACCOUNTS_UTIL_H
#define FCGI_USERS_ACCOUNTS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

struct json_object;

#define AU_EMAIL_MAX	256
#define AU_PASSWORD_MAX	128
#define AU_TOKEN_MAX	8192
#define AU_ID_LEN	36

/* The ten keys of the user object, in the contract's order. */
#define AU_USER_KEYS	10
extern const char *const au_user_keys[AU_USER_KEYS];

/* A lower-case hyphenated UUID (what the programs must return). */
#define AU_UUID_RE	"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#define AU_UUID4_RE	"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
/* ISO 8601, UTC ("Z" or "+00:00"; a naive time is tolerated). */
#define AU_ISO_RE	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}" \
			"(\\.[0-9]{1,9})?(Z|\\+00:00)?$"

/* ---- checks that report a case's line and keep going ---- */

void	 au_bad(int line, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 au_begin(void);
/* Fails the current cmocka test when a check failed since au_begin(). */
void	 au_end(void);
int	 au_failures(void);

int	 au_matches(const char *re, const char *s);
int	 au_is_json(const struct http_resp *);
/* The string `key` of an object, or NULL. */
const char *au_jstr(struct json_object *, const char *key);
/* 1/0 for a JSON boolean `key`, -1 when it is absent or not a boolean. */
int	 au_jbool(struct json_object *, const char *key);
/* 1 when `key` is present and JSON null. */
int	 au_jnull(struct json_object *, const char *key);

/* Status, a JSON content type and {"detail": detail} (NULL: not checked). */
void	 au_check_error(int line, const struct http_resp *, long status,
	    const char *detail);
/* 400 {"detail":{"code": code, "reason": reason}} (reason NULL: any string). */
void	 au_check_code(int line, const struct http_resp *, const char *code,
	    const char *reason);
/* No 5xx, and an answer at all. */
void	 au_check_no_5xx(int line, const struct http_resp *);
/* Any 4xx (and so no 5xx). */
void	 au_check_4xx(int line, const struct http_resp *);
/*
 * 401 {"detail":"Unauthorized"} with a WWW-Authenticate header whose scheme
 * is Bearer.  invalid_token 1: the header holds error="invalid_token" (a
 * token was sent but refused); 0: it does not (no credentials); -1: either.
 */
void	 au_check_401(int line, const struct http_resp *, int invalid_token);
/*
 * A 422 whose detail is a list of pydantic-2 items ({type, loc, msg,
 * input}) holding one with `type` (NULL: any) and `loc` (dot-separated,
 * "body.email"; "#" stands for an integer: "body.#"; NULL: any).
 */
void	 au_check_422(int line, const struct http_resp *, const char *type,
	    const char *loc);
/* Whether such an item is there (no report). */
int	 au_has_422(const struct http_resp *, const char *type, const char *loc);
/*
 * A user object: exactly the ten keys with their types, a lower-case
 * UUID id, no password material in `raw` (the whole body, may be NULL);
 * email compared when not NULL.
 */
void	 au_check_user(int line, struct json_object *, const char *raw,
	    const char *email);

/* ---- requests ---- */

/*
 * One request: `token` (NULL: none) as "Authorization: Bearer <token>",
 * `ctype` (NULL: no Content-Type), `extra` one more header line (or NULL),
 * body of len bytes (NULL: none).
 */
int	 au_send(struct harness *, const char *method, const char *path,
	    const char *token, const char *ctype, const char *extra,
	    const char *body, size_t len, struct http_resp *);
/* GET with a Bearer token (NULL: none). */
int	 au_get(struct harness *, const char *path, const char *token,
	    struct http_resp *);
/* `method` with an application/json body (a C string). */
int	 au_json(struct harness *, const char *method, const char *path,
	    const char *token, const char *json, struct http_resp *);
/* POST /auth/jwt/login, urlencoded username and password (NULL: left out). */
int	 au_login_req(struct harness *, const char *username,
	    const char *password, struct http_resp *);
/* Percent-encodes for application/x-www-form-urlencoded; caller frees. */
char	*au_form_encode(const char *);
/* A JSON string literal for s, quotes included; caller frees. */
char	*au_json_str(const char *);

/* ---- accounts ---- */

struct au_user {
	char	email[AU_EMAIL_MAX];
	char	password[AU_PASSWORD_MAX];
	char	id[AU_ID_LEN + 1];
	char	token[AU_TOKEN_MAX];
};

/* "<tag>-<16 hex>@example.com" into buf. */
void	 au_email(char *buf, size_t len, const char *tag);
/* POST /auth/register {"email","password"}. */
int	 au_register(struct harness *, const char *email, const char *password,
	    struct http_resp *);
/* POST /auth/jwt/login with scope=offline_access: the refresh token into
 * rt (rtmax bytes; "" when none came).  The HTTP status, 0 when no answer. */
long	 au_login_offline(struct harness *, const char *email,
	    const char *password, char *rt, size_t rtmax);
/* Logs in; the token into tok (tokmax bytes).  Returns the HTTP status
 * (200 on success), 0 when no answer. */
long	 au_login(struct harness *, const char *email, const char *password,
	    char *tok, size_t tokmax);
/* Registers a fresh account (au_email(tag), a random password) and logs
 * it in.  0, or -1 after printing why. */
int	 au_new_user(struct harness *, const char *tag, struct au_user *);
/* Runs SQL on the harness's database (its DATABASE_URL, SQLite or
 * PostgreSQL, through libcommon's db_*; busy timeout 5 s); 0 or -1.  fmt
 * is sqlite3_mprintf's: %Q quotes a string (as both engines read it).
 * Write booleans TRUE/FALSE: PostgreSQL's BOOLEAN takes no 0/1 literal. */
int	 au_db_exec(struct harness *, const char *fmt, ...);
/* The first column of the first row of a query (sqlite3_mprintf's format:
 * %Q quotes), or -1 (said on stderr). */
int64_t	 au_db_int(struct harness *, const char *fmt, ...);
struct db;
/* The harness's database, opened with db_open flags; NULL after printing
 * why.  Close with db_close(). */
struct db *au_db_open(struct harness *, int flags);
/* Makes the account a superuser in the database; 0 or -1. */
int	 au_make_superuser(struct harness *, const struct au_user *);
/* GET /users/me with the token: the status (200: works). */
long	 au_me_status(struct harness *, const char *token);

/* ---- mail (the outbox file the harness sets by default) ---- */

/*
 * Reads <data>/outbox.jsonl: the number of lines of `kind` ("reset",
 * "verify") to `email` (NULL: any), and the token of the last of them into
 * tok (tokmax bytes; "" when none).  -1 when a line is not a JSON object
 * with the outbox's keys.
 */
int	 au_outbox(const struct harness *, const char *kind, const char *email,
	    char *tok, size_t tokmax);

/* ---- tokens ---- */

/* Unpadded base64url; caller frees. */
char	*au_b64url(const void *, size_t);
/* Decodes unpadded base64url; NULL when it is not.  Caller frees; the
 * result is NUL-terminated, its length in *outlen. */
unsigned char *au_b64url_decode(const char *, size_t, size_t *outlen);
/*
 * How au_jws signs: with HMAC-`digest` ("SHA256", "SHA384", "SHA512") and
 * the secret when digest is set; else with the private key pkey, SHA-256
 * (RS256 for an RSA key, ES256 with the JWS form r||s for a P-256 key);
 * else not at all (an empty signature).
 */
struct au_signer {
	const char	*digest;
	const void	*secret;
	size_t		 secret_len;
	struct evp_pkey_st *pkey;
};
/* The raw signature of (in, len), *siglen bytes; caller frees.  NULL on error. */
unsigned char *au_jws_sign(const struct au_signer *, const void *in, size_t len,
	    size_t *siglen);
/*
 * A compact JWS b64(header).b64(payload).b64(signature) over the bytes given
 * (they may hold NULs or be no JSON at all).  Caller frees.
 */
char	*au_jws(const struct au_signer *, const void *header, size_t hlen,
	    const void *payload, size_t plen);
/*
 * au_jws over the given JSON texts: HMAC with `digest` and key, or with
 * digest NULL an empty signature.  Caller frees.
 */
char	*au_jwt_hmac(const char *digest, const void *key, size_t keylen,
	    const char *header, const char *payload);
/* The same with the harness's JWT_SECRET and HS256's header. */
char	*au_jwt_hs256(const struct harness *, const char *payload);
/* Part 0 (header) or 1 (payload) of a token, parsed; NULL when not JSON.
 * Caller puts. */
struct json_object *au_jwt_part(const char *token, int part);
int64_t	 au_now(void);
/* A monotonic clock in milliseconds, for timing answers. */
int64_t	 au_now_ms(void);

/* ---- templates ---- */

/* Expands "{NAME}" placeholders of fmt with vars (NULL-terminated pairs
 * of name and value); unknown names stay as they are.  Caller frees. */
char	*au_expand(const char *fmt, const char *const *vars);
/* A random UUID version 4, lower case, into out (37 bytes). */
void	 au_uuid4(char *out);

/* ---- key pairs (made with OpenSSL, for servers given JWT_PRIVATE_KEY_FILE) ---- */

/* A fresh key for "RS256" (RSA 2048) or "ES256" (P-256); NULL otherwise.
 * Free with EVP_PKEY_free. */
struct evp_pkey_st *au_key_new(const char *alg);
/* Writes the private key as PEM to a new file `path`, mode 0600; 0 or -1. */
int	 au_key_write_private(struct evp_pkey_st *, const char *path);
/* The public key as SPKI PEM text, or DER bytes (*len); caller frees
 * (the DER with OPENSSL_free). */
char	*au_key_public_pem(struct evp_pkey_st *);
unsigned char *au_key_public_der(struct evp_pkey_st *, size_t *len);
/* The public JWK with only its required members, sorted (RFC 7638 §3.2);
 * and its thumbprint, the kid the programs name the key by.  Caller frees. */
char	*au_key_jwk(struct evp_pkey_st *);
char	*au_key_kid(struct evp_pkey_st *);

#endif
