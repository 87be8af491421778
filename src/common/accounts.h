/*
 * accounts: the account rules FastAPI-Users applies, shared by the auth
 * and users programs — e-mail validation and normalisation as pydantic's
 * EmailStr (email-validator), the password policy of FastAPI-Users'
 * documentation, registration, login and the user update of PATCH
 * /users/me and /users/{id}.  Each function answers the response itself
 * on failure with FastAPI-Users' status and error code.
 */
#ifndef FCGI_USERS_ACCOUNTS_H
#define FCGI_USERS_ACCOUNTS_H

#include <stddef.h>

struct arena;
struct json_object;
struct principal;
struct request;
struct response;
struct user;

#define ACCOUNTS_PASSWORD_MIN	8	/* characters, FastAPI-Users' documented policy */
#define ACCOUNTS_PASSWORD_MAX	1024	/* characters; longer ones never reach the hash */

/*
 * Validates and normalises an e-mail address: surrounding blanks and a
 * "Name <addr>" wrapper dropped, the domain lower-cased, the local part kept.
 * Returns the normalised address (arena), or NULL with *reason set to
 * email-validator's sentence.
 */
const char	*accounts_email_normalize(struct arena *, const char *in,
		    const char **reason);
/* NULL when the password is acceptable for that e-mail, else the reason. */
const char	*accounts_password_reason(const char *password, const char *email);

/*
 * The body field "email" of obj as EmailStr: a string, then the checks
 * above.  1 with *out the normalised address (arena), 0 when absent (and
 * not required), -1 with a 422 item added to errs.  flags as json.h's.
 */
int	 accounts_email_field(struct request *, struct json_object *obj, int flags,
	    struct json_object *errs, const char **out);
/* 400 {"detail": {"code": code, "reason": reason}} */
void	 accounts_detail_reason(struct response *, const char *code,
	    const char *reason);
/* A failed user store: logged, 503 "Database unavailable"; returns -1. */
int	 accounts_store_error(struct response *, int users_err);

/* POST /auth/register */
void	 accounts_register(struct request *, struct response *);
/* POST /auth/jwt/login */
void	 accounts_login(struct request *, struct response *);
/*
 * Applies a PATCH body to `u` and answers with the updated user.  `safe`
 * (PATCH /users/me) ignores is_active, is_superuser, is_verified and role;
 * `self` is the caller when it changes its own password (its token stays
 * valid), NULL otherwise.
 */
void	 accounts_update(struct request *, struct response *, struct user *u,
	    int safe, const struct principal *self);

#endif
