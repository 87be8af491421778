/*
 * interop_util: what the interop test programs (test_interop_accounts.c,
 * test_interop_mcp.c) share.  Cases that print "ok" or "FAIL" with what
 * was sent, expected and got, and fail the cmocka test at its end
 * (iu_good, iu_bad, iu_begin, iu_end); the peer's tool run as a child
 * process (pyjwt_tool.py or jose_tool.mjs, found through the variables
 * run-accounts.sh exports); JSON lookups; a temporary folder for keys; and
 * a user registered and logged in on a harness server.
 */
#ifndef FCGI_USERS_INTEROP_UTIL_H
#define FCGI_USERS_INTEROP_UTIL_H

#include <stddef.h>

#include "harness.h"

struct json_object;

#define IU_OUT_MAX	(1u << 20)	/* bytes of a tool's stdout kept */
#define IU_MAXARGS	32		/* arguments of one tool run */

/* "pyjwt" or "jose": set by main() before anything else runs. */
extern const char *iu_peer;

/* ---- cases ---- */

void	 iu_good(const char *what);
void	 iu_bad(const char *what, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 iu_begin(void);
/* Fails the current cmocka test when a case failed since iu_begin(). */
void	 iu_end(void);

/* ---- child processes ---- */

/*
 * Runs argv (argv[0] a path) with stdout captured into *out (NUL-terminated,
 * trailing newlines dropped, at most IU_OUT_MAX bytes; caller frees; out
 * may be NULL to discard) and stderr passed through.  Returns the exit
 * status, 128 + signal, or -1 when it could not run.
 */
int	 iu_run(const char *const *argv, char **out);
/* getenv(name), or exit(1) saying to run through run-accounts.sh. */
const char *iu_need_env(const char *name);
/* Runs the peer's tool with the NULL-terminated arguments that follow; as iu_run. */
int	 iu_tool(char **out, const char *first, ...) __attribute__((sentinel));
/* The same with the arguments in a NULL-terminated array after `cmd`. */
int	 iu_tool_argv(char **out, const char *cmd, const char *const *args);
/* Prints the peer's version line ("peer: …"); exit(1) when the tool does not run. */
void	 iu_print_version(void);

/* ---- JSON ---- */

/* The member `key` of an object, or NULL (o may be NULL). */
struct json_object *iu_jget(struct json_object *o, const char *key);
/* The string member `key`, or NULL. */
const char *iu_jstr(struct json_object *o, const char *key);
/* o as plain JSON text for messages ("(none)" for NULL); json-c owns it. */
const char *iu_jtext(struct json_object *o);

/* ---- files ---- */

/* A temporary folder made on first use ($TMPDIR/fu-interop-XXXXXX), or NULL. */
const char *iu_tmpdir(void);
/* Removes it (kept, and its path printed, with FU_KEEP_TMP). */
void	 iu_tmpdir_remove(void);
/* The whole file (NUL-terminated, at most max bytes; caller frees), or NULL
 * after printing why. */
char	*iu_read_file(const char *path, size_t max);
/* Writes len bytes to a new file path (mode 0600); 0, or -1 after printing why. */
int	 iu_write_file(const char *path, const char *data, size_t len);

/* ---- HTTP ---- */

struct iu_user {
	char	 id[64];
	char	 email[128];
	char	*token;		/* the login's access token; iu_user_free() */
};

/* Registers a user (POST /auth/register) and logs in (POST /auth/jwt/login).
 * 0, or -1 after printing why. */
int	 iu_user_new(struct harness *, struct iu_user *);
void	 iu_user_free(struct iu_user *);
/* The user's MCP token, from POST /auth/mcp-token with its access token
 * (caller frees); NULL after printing why. */
char	*iu_mcp_token(struct harness *, const struct iu_user *);
/* "GAZETTEER_PATH=<temporary folder>/gazetteer.db" (static) for the
 * server's settings, and the import of tests/fixtures/geonames into that
 * file once the server runs (0 or -1). */
const char *iu_gazetteer_setting(void);
int	 iu_gazetteer_import(struct harness *);
/* A request with "Authorization: Bearer token" and, when body is not NULL,
 * a JSON body; as harness_request. */
int	 iu_bearer(struct harness *, const char *method, const char *path,
	    const char *token, const char *json_body, struct http_resp *);
/*
 * GET /users/me with the token, as the case `what`: want 200 and the
 * user's id `user_id`, or want 401 and {"detail":"Unauthorized"} with
 * WWW-Authenticate: Bearer.
 */
void	 iu_expect_me(struct harness *, const char *user_id, const char *what,
	    const char *token, long want);

#endif
