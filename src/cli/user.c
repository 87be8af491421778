/*
 * user: `fcgi-users user create | list | set | delete` — accounts managed
 * from the shell with the rules of the HTTP API (accounts.h): the e-mail
 * validated and normalised as pydantic's EmailStr, FastAPI-Users' password
 * policy, Argon2id with the settings' parameters.  A password comes from
 * prompt.h, never from the command line, where ps and the shell's history
 * would show it.  A user is printed as one tab-separated line — id,
 * e-mail, flags, role, created_at, last_login ("-" for none) — or as
 * users_to_json(); never with its hash.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "accounts.h"
#include "arena.h"
#include "authn.h"
#include "cli.h"
#include "db.h"
#include "json.h"
#include "password.h"
#include "prompt.h"
#include "users.h"

#define USER_ARENA_FIRST	(16 * 1024)

enum user_cmd_id {
	USER_CMD_CREATE,
	USER_CMD_LIST,
	USER_CMD_SET,
	USER_CMD_DELETE,
	USER_CMD__MAX
};

enum create_opt_id {
	CREATE_OPT_EMAIL,
	CREATE_OPT_SUPERUSER,
	CREATE_OPT_VERIFIED,
	CREATE_OPT_ROLE,
	CREATE_OPT_FIRST_NAME,
	CREATE_OPT_LAST_NAME,
	CREATE_OPT__MAX
};

enum list_opt_id {
	LIST_OPT_JSON,
	LIST_OPT__MAX
};

enum set_opt_id {
	SET_OPT_SUPERUSER,
	SET_OPT_NO_SUPERUSER,
	SET_OPT_ACTIVE,
	SET_OPT_INACTIVE,
	SET_OPT_VERIFIED,
	SET_OPT_UNVERIFIED,
	SET_OPT_ROLE,
	SET_OPT_PASSWORD,
	SET_OPT__MAX
};

/* The yes/no fields of a user, as list prints them. */
enum user_flag {
	USER_FLAG_ACTIVE,
	USER_FLAG_SUPERUSER,
	USER_FLAG_VERIFIED,
	USER_FLAG__MAX
};

static const struct {
	const char	*name;
	size_t		 off;		/* of the int in struct user */
} user_flags[USER_FLAG__MAX] = {
	[USER_FLAG_ACTIVE] = { "active", offsetof(struct user, is_active) },
	[USER_FLAG_SUPERUSER] = { "superuser", offsetof(struct user, is_superuser) },
	[USER_FLAG_VERIFIED] = { "verified", offsetof(struct user, is_verified) },
};

#define USER_FLAG_GET(u, f)	(*(const int *)((const char *)(u) + user_flags[f].off))
#define USER_FLAG_SET(u, f, v)	(*(int *)((char *)(u) + user_flags[f].off) = (v))

/* What each flag option of `user set` does. */
static const struct {
	int		 is_flag;
	enum user_flag	 flag;
	int		 value;
} set_opt_flags[SET_OPT__MAX] = {
	[SET_OPT_SUPERUSER] = { 1, USER_FLAG_SUPERUSER, 1 },
	[SET_OPT_NO_SUPERUSER] = { 1, USER_FLAG_SUPERUSER, 0 },
	[SET_OPT_ACTIVE] = { 1, USER_FLAG_ACTIVE, 1 },
	[SET_OPT_INACTIVE] = { 1, USER_FLAG_ACTIVE, 0 },
	[SET_OPT_VERIFIED] = { 1, USER_FLAG_VERIFIED, 1 },
	[SET_OPT_UNVERIFIED] = { 1, USER_FLAG_VERIFIED, 0 },
};

static const struct cli_opt create_opts[CREATE_OPT__MAX + 1] = {
	[CREATE_OPT_EMAIL] = { "email", "E", "the e-mail address (required)" },
	[CREATE_OPT_SUPERUSER] = { "superuser", NULL, "make the user a superuser" },
	[CREATE_OPT_VERIFIED] = { "verified", NULL, "mark the e-mail verified" },
	[CREATE_OPT_ROLE] = { "role", "R", "user (the default), premium or admin" },
	[CREATE_OPT_FIRST_NAME] = { "first-name", "F", "at most 50 characters" },
	[CREATE_OPT_LAST_NAME] = { "last-name", "L", "at most 50 characters" },
};

static const struct cli_opt list_opts[LIST_OPT__MAX + 1] = {
	[LIST_OPT_JSON] = { "json", NULL, "a JSON array of user objects, as GET"
	    " /users/{id} answers them" },
};

static const struct cli_opt set_opts[SET_OPT__MAX + 1] = {
	[SET_OPT_SUPERUSER] = { "superuser", NULL, "make the user a superuser" },
	[SET_OPT_NO_SUPERUSER] = { "no-superuser", NULL, "make it a plain user" },
	[SET_OPT_ACTIVE] = { "active", NULL, "let the user log in" },
	[SET_OPT_INACTIVE] = { "inactive", NULL, "refuse its logins and tokens" },
	[SET_OPT_VERIFIED] = { "verified", NULL, "mark the e-mail verified" },
	[SET_OPT_UNVERIFIED] = { "unverified", NULL, "mark it unverified" },
	[SET_OPT_ROLE] = { "role", "R", "user, premium or admin" },
	[SET_OPT_PASSWORD] = { "password", NULL, "set a new password (read as"
	    " for create); the user's access tokens stop working" },
};

#define USER_PASSWORD_ABOUT \
	"The password is read from standard input when it is not a terminal\n" \
	"(one line; its newline is dropped), else asked for twice without\n" \
	"echo.  It must have 8 to 1024 characters and not contain the e-mail."

static int	user_create(struct cli *, int, char *[]);
static int	user_list(struct cli *, int, char *[]);
static int	user_set(struct cli *, int, char *[]);
static int	user_delete(struct cli *, int, char *[]);

static const struct cli_cmd user_cmds[USER_CMD__MAX] = {
	[USER_CMD_CREATE] = { "create", user_create, "--email E [--superuser]"
	    " [--verified] [--role R] [--first-name F] [--last-name L]",
	    "create a user and print its id and e-mail",
	    USER_PASSWORD_ABOUT, create_opts },
	[USER_CMD_LIST] = { "list", user_list, "[--json]",
	    "list the users: id, e-mail, flags, role, created_at, last_login",
	    NULL, list_opts },
	[USER_CMD_SET] = { "set", user_set, "E [--superuser | --no-superuser]"
	    " [--active | --inactive] [--verified | --unverified] [--role R]"
	    " [--password]",
	    "change the user with e-mail E (any case); print it",
	    "At least one change is required.\n" USER_PASSWORD_ABOUT, set_opts },
	[USER_CMD_DELETE] = { "delete", user_delete, "E",
	    "delete the user with e-mail E (any case)", NULL, NULL },
};

/* What `user create` was asked for. */
struct create_args {
	const char	*email;
	const char	*role;
	const char	*first_name;
	const char	*last_name;
	int		 superuser;
	int		 verified;
};

/* What `user set` was asked for; -1: unchanged. */
struct set_args {
	const char	*email;
	int		 flags[USER_FLAG__MAX];
	const char	*role;
	int		 password;
};

int
user_main(struct cli *c, int argc, char *argv[])
{
	return cli_dispatch(c, "user", user_cmds, USER_CMD__MAX, argc, argv);
}

/* --- helpers -------------------------------------------------------------- */

/* The canonical name of role s, or NULL after printing why. */
static const char *
user_role(const char *where, const char *s)
{
	enum role	 r;

	if ((r = authn_role_parse(s)) == ROLE__MAX) {
		cli_err(where, "unknown role \"%s\" (user, premium or admin)", s);
		return NULL;
	}
	return authn_role_name(r);
}

/* Checks that the operand count is `want`; prints the usage when not. */
static int
user_operands(const char *where, const struct cli_cmd *cmd, int argc, int want)
{
	if (argc - optind == want)
		return 0;
	cli_err(where, argc - optind < want ? "an e-mail address is required" :
	    "unexpected argument");
	cli_cmd_usage("user", cmd);
	return -1;
}

static void
user_store_err(const char *where, enum users_err e)
{
	if (e == USERS_EXISTS)
		cli_err(where, "a user with that e-mail already exists");
	else if (e == USERS_NOTFOUND)
		cli_err(where, "the user is gone");
	else
		cli_err(where, "the database failed: %s", users_strerror(e));
}

/* A new arena and the database for a command; 0, or -1 after printing why. */
static int
user_open(struct cli *c, const char *where, struct arena **ar, struct db **db)
{
	*db = NULL;
	if ((*ar = arena_new(USER_ARENA_FIRST)) == NULL) {
		/* Out of memory: the command can only give up. */
		cli_err(where, "out of memory");
		return -1;
	}
	return cli_db_ready(c, where, db);
}

/* One line: id, e-mail, flags, role, created_at, last_login. */
static void
user_print(const struct user *u)
{
	char	 flags[64];
	size_t	 f, n = 0;

	flags[0] = '\0';
	for (f = 0; f < USER_FLAG__MAX; f++)
		if (USER_FLAG_GET(u, f))
			n += (size_t)snprintf(flags + n, sizeof(flags) - n, "%s%s",
			    n > 0 ? "," : "", user_flags[f].name);
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", u->id, u->email,
	    n > 0 ? flags : "-", u->role != NULL ? u->role : "-",
	    u->created_at != NULL ? u->created_at : "-",
	    u->last_login != NULL ? u->last_login : "-");
}

/* See cli.h. */
int
user_lookup(struct db *db, struct arena *a, const char *where,
    const char *email, struct user *u)
{
	const char	*norm, *reason;
	enum users_err	 e;

	if ((norm = accounts_email_normalize(a, email, &reason)) == NULL)
		norm = email;
	if ((e = users_find_by_email(db, a, norm, u)) == USERS_OK)
		return 0;
	if (e == USERS_NOTFOUND)
		cli_err(where, "no user with the e-mail \"%s\"", email);
	else
		user_store_err(where, e);
	return -1;
}

/*
 * Reads a new password (prompt.h), checks it against FastAPI-Users' policy
 * for `email` and hashes it into hash (PASSWORD_HASH_MAX bytes) with the
 * settings' Argon2 parameters.  0, or -1 after printing why.  The password
 * is wiped; the caller wipes the hash.
 */
static int
user_password(struct cli *c, const char *where, const char *email, char *hash)
{
	struct prompt_secret	 s;
	struct password_params	 pp;
	const char		*reason;
	enum prompt_err		 pe;
	long			 n;
	int			 ret = -1;

	if ((pe = prompt_password(&s)) != PROMPT_OK)
		cli_err(where, "%s", prompt_strerror(pe));
	else if ((n = utf8_length(s.buf, s.len)) < 0)
		cli_err(where, "the password is not valid UTF-8");
	else if (n > ACCOUNTS_PASSWORD_MAX)
		cli_err(where, "the password is longer than %d characters",
		    ACCOUNTS_PASSWORD_MAX);
	else if ((reason = accounts_password_reason(s.buf, email)) != NULL)
		cli_err(where, "invalid password: %s", reason);
	else {
		cli_password_params(c, &pp);
		if (password_hash(&pp, s.buf, s.len, hash, PASSWORD_HASH_MAX) != 0)
			cli_err(where, "cannot hash the password");
		else
			ret = 0;
	}
	prompt_wipe(&s);
	return ret;
}

/* --- create --------------------------------------------------------------- */

/* Parses the options of create; -1 to go on, else the exit status. */
static int
create_parse(int argc, char *argv[], struct create_args *a)
{
	const struct cli_cmd	*cmd = &user_cmds[USER_CMD_CREATE];
	struct cli_getopt	 g;
	int			 opt;

	memset(a, 0, sizeof(*a));
	a->role = "user";
	cli_getopt_init(&g, "user", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0) {
		switch (opt) {
		case CREATE_OPT_EMAIL:
			a->email = g.arg;
			break;
		case CREATE_OPT_SUPERUSER:
			a->superuser = 1;
			break;
		case CREATE_OPT_VERIFIED:
			a->verified = 1;
			break;
		case CREATE_OPT_ROLE:
			if ((a->role = user_role("user create", g.arg)) == NULL)
				return CLI_EXIT_USAGE;
			break;
		case CREATE_OPT_FIRST_NAME:
			a->first_name = g.arg;
			break;
		case CREATE_OPT_LAST_NAME:
			a->last_name = g.arg;
			break;
		}
	}
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (a->email == NULL) {
		cli_err("user create", "--email is required");
		cli_cmd_usage("user", cmd);
		return CLI_EXIT_USAGE;
	}
	if (user_operands("user create", cmd, argc, 0) == -1)
		return CLI_EXIT_USAGE;
	return -1;
}

/* A first or last name: valid UTF-8 of at most USERS_NAME_MAX characters. */
static int
create_name(const char *what, const char *s)
{
	long	 n;

	if (s == NULL)
		return 0;
	if ((n = utf8_length(s, strlen(s))) >= 0 && n <= USERS_NAME_MAX)
		return 0;
	cli_err("user create", "the %s must be UTF-8 of at most %d characters",
	    what, USERS_NAME_MAX);
	return -1;
}

/* Validates the arguments into a new user u; 0, or -1 after printing why. */
static int
create_check(struct arena *ar, const struct create_args *a, struct user *u)
{
	const char	*reason = NULL;

	memset(u, 0, sizeof(*u));
	if ((u->email = accounts_email_normalize(ar, a->email, &reason)) == NULL) {
		cli_err("user create", "invalid e-mail \"%s\": %s", a->email,
		    reason != NULL ? reason : "?");
		return -1;
	}
	if (create_name("first name", a->first_name) == -1 ||
	    create_name("last name", a->last_name) == -1)
		return -1;
	u->first_name = a->first_name;
	u->last_name = a->last_name;
	u->role = a->role;
	u->is_active = 1;
	u->is_superuser = a->superuser;
	u->is_verified = a->verified;
	return 0;
}

/* fcgi-users user create --email E [...] */
static int
user_create(struct cli *c, int argc, char *argv[])
{
	struct create_args	 a;
	struct arena		*ar = NULL;
	struct db		*db = NULL;
	struct user		 u, other;
	char			 hash[PASSWORD_HASH_MAX];
	enum users_err		 e;
	int			 ret;

	if ((ret = create_parse(argc, argv, &a)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	memset(hash, 0, sizeof(hash));
	if ((ar = arena_new(USER_ARENA_FIRST)) == NULL) {
		cli_err("user create", "out of memory");
		goto out;
	}
	if (create_check(ar, &a, &u) == -1 ||
	    cli_db_ready(c, "user create", &db) == -1)
		goto out;
	/* Before asking for a password that could not be used. */
	if ((e = users_find_by_email(db, ar, u.email, &other)) != USERS_NOTFOUND) {
		user_store_err("user create", e == USERS_OK ? USERS_EXISTS : e);
		goto out;
	}
	if (user_password(c, "user create", u.email, hash) == -1)
		goto out;
	u.hashed_password = hash;
	if ((e = users_create(db, ar, &u)) != USERS_OK) {
		user_store_err("user create", e);
		goto out;
	}
	printf("%s\t%s\n", u.id, u.email);
	ret = CLI_EXIT_OK;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	db_close(db);
	arena_free(ar);
	return ret;
}

/* --- list ----------------------------------------------------------------- */

struct list_ctx {
	struct arena		*arena;
	struct json_object	*array;		/* --json; else lines */
};

static int
list_one(const struct user *u, void *arg)
{
	struct list_ctx	*l = arg;

	if (l->array != NULL)
		json_object_array_add(l->array, users_to_json(u));
	else
		user_print(u);
	/* The user's strings are not needed any more. */
	arena_reset(l->arena);
	return 0;
}

/* fcgi-users user list [--json] */
static int
user_list(struct cli *c, int argc, char *argv[])
{
	const struct cli_cmd	*cmd = &user_cmds[USER_CMD_LIST];
	struct cli_getopt	 g;
	struct list_ctx		 l;
	struct db		*db = NULL;
	enum users_err		 e;
	int			 opt, json = 0, ret = CLI_EXIT_FAIL;

	memset(&l, 0, sizeof(l));
	cli_getopt_init(&g, "user", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) == LIST_OPT_JSON)
		json = 1;
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (user_operands("user list", cmd, argc, 0) == -1)
		return CLI_EXIT_USAGE;
	if ((l.arena = arena_new(USER_ARENA_FIRST)) == NULL ||
	    (json && (l.array = json_object_new_array()) == NULL)) {
		cli_err("user list", "out of memory");
		goto out;
	}
	if (cli_db_ready(c, "user list", &db) == -1)
		goto out;
	if ((e = users_each(db, l.arena, list_one, &l)) != USERS_OK) {
		user_store_err("user list", e);
		goto out;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(l.array,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	ret = CLI_EXIT_OK;
out:
	db_close(db);
	json_object_put(l.array);
	arena_free(l.arena);
	return ret;
}

/* --- set ------------------------------------------------------------------ */

/* Parses the options of set; -1 to go on, else the exit status. */
static int
set_parse(int argc, char *argv[], struct set_args *s)
{
	const struct cli_cmd	*cmd = &user_cmds[USER_CMD_SET];
	struct cli_getopt	 g;
	int			 opt, f, v, change = 0;

	memset(s, 0, sizeof(*s));
	for (f = 0; f < USER_FLAG__MAX; f++)
		s->flags[f] = -1;
	cli_getopt_init(&g, "user", cmd);
	while ((opt = cli_getopt_next(&g, argc, argv)) >= 0) {
		change = 1;
		if (set_opt_flags[opt].is_flag) {
			f = set_opt_flags[opt].flag;
			v = set_opt_flags[opt].value;
			if (s->flags[f] == !v) {
				cli_err("user set", "--%s contradicts an earlier"
				    " option", set_opts[opt].name);
				return CLI_EXIT_USAGE;
			}
			s->flags[f] = v;
		} else if (opt == SET_OPT_ROLE) {
			if ((s->role = user_role("user set", g.arg)) == NULL)
				return CLI_EXIT_USAGE;
		} else
			s->password = 1;
	}
	if (opt != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (user_operands("user set", cmd, argc, 1) == -1)
		return CLI_EXIT_USAGE;
	s->email = argv[optind];
	if (!change) {
		cli_err("user set", "nothing to change: give at least one option");
		cli_cmd_usage("user", cmd);
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* Applies s to u; a new password goes to hash.  0, or -1 after printing why. */
static int
set_apply(struct cli *c, const struct set_args *s, struct user *u, char *hash)
{
	size_t	 f;

	for (f = 0; f < USER_FLAG__MAX; f++)
		if (s->flags[f] != -1)
			USER_FLAG_SET(u, f, s->flags[f]);
	if (s->role != NULL)
		u->role = s->role;
	if (s->password) {
		if (user_password(c, "user set", u->email, hash) == -1)
			return -1;
		/* Every access token issued before stops working. */
		users_set_password(u, hash, NULL);
	}
	return 0;
}

/* fcgi-users user set E [...] */
static int
user_set(struct cli *c, int argc, char *argv[])
{
	struct set_args	 s;
	struct arena	*ar = NULL;
	struct db	*db = NULL;
	struct user	 u;
	char		 hash[PASSWORD_HASH_MAX];
	enum users_err	 e;
	int		 ret;

	if ((ret = set_parse(argc, argv, &s)) != -1)
		return ret;
	ret = CLI_EXIT_FAIL;
	memset(hash, 0, sizeof(hash));
	if (user_open(c, "user set", &ar, &db) == -1 ||
	    user_lookup(db, ar, "user set", s.email, &u) == -1 ||
	    set_apply(c, &s, &u, hash) == -1)
		goto out;
	if ((e = users_update(db, &u)) != USERS_OK) {
		user_store_err("user set", e);
		goto out;
	}
	user_print(&u);
	ret = CLI_EXIT_OK;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	db_close(db);
	arena_free(ar);
	return ret;
}

/* --- delete --------------------------------------------------------------- */

/* fcgi-users user delete E */
static int
user_delete(struct cli *c, int argc, char *argv[])
{
	const struct cli_cmd	*cmd = &user_cmds[USER_CMD_DELETE];
	struct cli_getopt	 g;
	struct arena		*ar = NULL;
	struct db		*db = NULL;
	struct user		 u;
	enum users_err		 e;
	int			 opt, ret = CLI_EXIT_FAIL;

	cli_getopt_init(&g, "user", cmd);
	if ((opt = cli_getopt_next(&g, argc, argv)) != CLI_OPT_END)
		return cli_getopt_exit(opt);
	if (user_operands("user delete", cmd, argc, 1) == -1)
		return CLI_EXIT_USAGE;
	if (user_open(c, "user delete", &ar, &db) == -1 ||
	    user_lookup(db, ar, "user delete", argv[optind], &u) == -1)
		goto out;
	if ((e = users_delete(db, u.id)) != USERS_OK) {
		user_store_err("user delete", e);
		goto out;
	}
	printf("%s\t%s\n", u.id, u.email);
	ret = CLI_EXIT_OK;
out:
	db_close(db);
	arena_free(ar);
	return ret;
}
