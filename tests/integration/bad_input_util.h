/*
 * bad_input_util: the runner the malformed-input matrices share
 * (test_accounts_bad_input.c, test_lifecycle_bad_input.c).  A table row
 * (struct bcase) names a target route, a content type, a body template
 * with placeholders ({R}, {S1M}, …, NULs allowed) and the answer wanted:
 * a status and a 422 item's type and loc, a 400 detail or {code, reason}.
 * bi_run_cases() sends each row through the harness and checks, besides
 * that answer, no 5xx, a JSON body and the time bounds; failures report
 * the row's line (accounts_util.h) and the run goes on.
 */
#ifndef FCGI_USERS_BAD_INPUT_UTIL_H
#define FCGI_USERS_BAD_INPUT_UTIL_H

#include <stddef.h>

#include "harness.h"

#define J	"application/json"
#define F	"application/x-www-form-urlencoded"
#define B(s)	s, sizeof(s) - 1
#define MIB	(1024u * 1024u)
#define CASE_MAX_MS	10000	/* every answer, hashing included (a loaded box) */
#define HUGE_MAX_MS	2000	/* refusing a huge value: no hashing, no crawling */

enum target {
	REG,		/* POST /auth/register */
	LOGIN,		/* POST /auth/jwt/login */
	ME,		/* PATCH /users/me as M */
	ME_ANON,	/* PATCH /users/me without a token */
	ID,		/* PATCH /users/{V} as the superuser */
	ID_PLAIN,	/* PATCH /users/{V} as M, a plain user */
	FORGOT,		/* POST /auth/forgot-password */
	VERIFY_REQ,	/* POST /auth/request-verify-token */
	RESET,		/* POST /auth/reset-password */
	VERIFY,		/* POST /auth/verify */
	MCP,		/* POST /auth/mcp-token with a valid access token */
	MCP_ANON,	/* POST /auth/mcp-token without a token */
	REFRESH,	/* POST /auth/jwt/refresh */
	LOGOUT,		/* POST /auth/jwt/logout with a fresh access token */
	LOGOUT_ANON,	/* POST /auth/jwt/logout without a token */
	TARGET__MAX
};

/*
 * status: the one wanted; 0: any 4xx; -1: anything but a 5xx.  A row that
 * wants 503 documents a refusal of the server's own configuration (no MCP
 * key): it is the one 5xx a row may ask for.  202 must come with the body
 * `null`, 204 with none.
 */
struct bcase {
	int		 line;
	enum target	 tgt;
	const char	*ctype;		/* NULL: no Content-Type */
	const char	*body;		/* placeholders {R} {E} {P} {S51} … (see bi_set_var) */
	size_t		 len;
	long		 status;
	const char	*type;		/* 422: item type (NULL: any) */
	const char	*loc;		/* 422: item loc (NULL: any) */
	const char	*loc2;		/* 422: a second item's loc (any type) */
	const char	*detail;	/* string detail */
	const char	*code;		/* 400 {"detail":{"code","reason"}} */
	const char	*reason;
	const char	*bearer;	/* a template sent as the Bearer token instead
					 * of the target's own (NULL: the target's) */
	const char	*error;		/* the "error" member beside the detail (OAuth) */
};

struct bi_ctx {
	struct harness	*h;
	const char	*id;		/* the {V} of /users/{V} */
	/* The Bearer token a row of target t sends (NULL: none); called
	 * before each row, may log in afresh.  The string must live until
	 * the next call. */
	const char	*(*token)(enum target t, int line);
	/* Called after each answered row with the token sent (may be NULL). */
	void		 (*after)(const struct bcase *, const struct http_resp *,
			    const char *token);
};

/* ---- placeholders ---- */

/* unit repeated n times, NUL-terminated; caller frees. */
char	*bi_repeat(const char *unit, size_t n);
/* Sets placeholder {name} to value, which it then owns (frees). */
void	 bi_set_var(const char *name, char *value);
/* The value of {name}, or NULL. */
const char *bi_var(const char *name);
/*
 * The placeholders every matrix has: {S51} {U51} (51 'é') {S4097} {S10K}
 * {S100K} {S1M} (1 MiB less 300 bytes) {S1MT} (1 MiB less 1 KiB: room
 * for a token beside it) {S2M} {L65} {D64} {LONGDOM} (a
 * domain of over 254 characters) {DEEP} (5000 nested arrays) {KEYS}
 * (10000 members, each with its comma) and the whole bodies {J1M} {J1M1}
 * (a JSON object {"x":"…"} of exactly 1 MiB, and one byte more) and {F1M}
 * {F1M1} (a form x=… of the same sizes).  {R} is a fresh random hex
 * string in each expansion.
 */
void	 bi_vars_init(void);
void	 bi_vars_free(void);
/* Expands {NAME} in body[0..len) (NULs allowed); *outlen is set; caller frees. */
char	*bi_expand(const char *body, size_t len, size_t *outlen);

/* ---- the runner ---- */

void	 bi_run_cases(const struct bi_ctx *, const struct bcase *, size_t n);

#endif
