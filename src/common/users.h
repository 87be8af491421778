/*
 * users: the repository over table `users` (DESIGN.md "Storage").  E-mails
 * are unique and looked up without regard to case; ids are UUID v4 from
 * OpenSSL's RNG, lower-case with hyphens.  Strings of a loaded user live in
 * the arena given to the call.
 */
#ifndef FCGI_USERS_USERS_H
#define FCGI_USERS_USERS_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct json_object;

#define USERS_ID_LEN		36
#define USERS_EMAIL_MAX		320
#define USERS_NAME_MAX		50
#define USERS_ROLE_MAX		20

enum users_err {
	USERS_OK,
	USERS_NOTFOUND,
	USERS_EXISTS,		/* the e-mail belongs to another account */
	USERS_EDB,		/* the database failed (logged) */
	USERS_ENOMEM,
	USERS__MAX
};

struct user {
	char		 id[USERS_ID_LEN + 1];
	const char	*email;
	const char	*hashed_password;
	int		 is_active;
	int		 is_superuser;
	int		 is_verified;
	const char	*first_name;		/* NULL when unset */
	const char	*last_name;		/* NULL when unset */
	const char	*role;
	const char	*created_at;		/* ISO 8601 UTC */
	const char	*last_login;		/* NULL until the first login */
	int64_t		 token_generation;	/* access tokens of another generation are refused… */
	const char	*tokens_exempt_jti;	/* …except this one (NULL: none) */
};

const char	*users_strerror(enum users_err);
/* A fresh lower-case UUID v4 into out (USERS_ID_LEN + 1 bytes); -1 on RNG failure. */
int		 users_uuid4(char *out);
/* Canonical lower-case hyphenated form of a UUID in any form Python's
 * uuid.UUID() takes (hyphens or 32 hex, any case, optional braces/urn);
 * -1 when it is not one. */
int		 users_uuid_parse(const char *in, char *out);

enum users_err	 users_find_by_id(struct db *, struct arena *, const char *id,
		    struct user *);
enum users_err	 users_find_by_email(struct db *, struct arena *, const char *email,
		    struct user *);
/*
 * The user a token names, and in the same statement (one read lock, one
 * step) whether the token's jti was revoked: *revoked is 1 or 0.  This is
 * the lookup of every authenticated request.
 */
enum users_err	 users_find_for_token(struct db *, struct arena *, const char *id,
		    const char *jti, struct user *, int *revoked);
/* Inserts u (u->id is filled in); USERS_EXISTS for a taken e-mail. */
enum users_err	 users_create(struct db *, struct arena *, struct user *);
/*
 * Inserts u as it is, with its own id (canonical form), created_at (NULL:
 * now, set in u from arena a) and last_login: a user brought over from
 * another database.  USERS_EXISTS when the id or the e-mail is taken.
 */
enum users_err	 users_insert(struct db *, struct arena *, struct user *);
/* Writes every column of u back; USERS_EXISTS for a taken e-mail. */
enum users_err	 users_update(struct db *, const struct user *);
enum users_err	 users_delete(struct db *, const char *id);
enum users_err	 users_touch_login(struct db *, const char *id);
/* Every user, ordered by e-mail, to cb; stops when cb returns non-zero.
 * The user passed to cb is valid only during the call. */
enum users_err	 users_each(struct db *, struct arena *,
		    int (*cb)(const struct user *, void *), void *);

/*
 * A new password hash for u (written by users_update): every access token
 * of the user issued before stops working (a new token generation), except
 * the one whose jti is keep_jti (NULL: none), the token that made the change.
 */
void		 users_set_password(struct user *, const char *hash,
		    const char *keep_jti);

/* The public user object: id, email, is_active, is_superuser, is_verified,
 * first_name, last_name, role, created_at, last_login.  Never the hash. */
struct json_object *users_to_json(const struct user *);
/* The Python service's full_name: "first last", whichever is set, or
 * NULL (JSON null). */
struct json_object *users_full_name(const struct user *);

#endif
