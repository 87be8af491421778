/*
 * test_refresh: refresh tokens (src/common/refresh.c) on a real SQLite
 * file migrated with migrate_up, with the clock injected.  Issue and
 * rotation, then what must be refused: reuse of a spent token (which kills
 * the family), expiry at the boundary, a password change, an inactive or
 * deleted user, malformed tokens (which must not reach the database),
 * revocation by the wrong user, bad arguments, a missing table.  Then the
 * storage: only hashes are stored, pruning, migrate down and up, and
 * rotations of one token racing from two connections and four processes,
 * of which exactly one may win.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "arena.h"
#include "db.h"
#include "migrate.h"
#include "refresh.h"
#include "users.h"

#define NOW	INT64_C(1800000000)
#define DAY	INT64_C(86400)
#define LIFE	(30 * DAY)
#define NOBODY	"00000000-0000-4000-8000-000000000000"

#define check_int(a, b, line) \
	_assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), \
	    __FILE__, (line))

struct fx {
	char		 dir[64];
	char		 path[128];
	struct db	*db;
	struct arena	*ar;
	char		 alice[USERS_ID_LEN + 1];
	char		 bob[USERS_ID_LEN + 1];
};

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
add_user(struct fx *fx, const char *email, char *id)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	u.email = email;
	u.hashed_password = "$argon2id$v=19$m=65536,t=3,p=4$x$y";
	u.is_active = 1;
	if (users_create(fx->db, fx->ar, &u) != USERS_OK)
		return -1;
	memcpy(id, u.id, USERS_ID_LEN + 1);
	return 0;
}

static int
setup_common(void **state, int migrated)
{
	struct fx	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fu-test-refresh-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || (fx->ar = arena_new(4096)) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/test.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, 5000, &fx->db) != DB_OK ||
	    (migrated && (migrate_up(fx->db, 0, NULL) != DB_OK ||
	    add_user(fx, "alice@example.com", fx->alice) == -1 ||
	    add_user(fx, "bob@example.com", fx->bob) == -1))) {
		db_close(fx->db);
		arena_free(fx->ar);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
setup(void **state)
{
	return setup_common(state, 1);
}

static int
setup_bare(void **state)
{
	return setup_common(state, 0);
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	db_close(fx->db);
	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	arena_free(fx->ar);
	free(fx);
	return 0;
}

static int64_t
query_int(struct db *db, const char *sql)
{
	struct db_stmt	*s;
	int64_t		 v;

	assert_int_equal(db_prepare(db, sql, &s), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	v = db_column_int64(s, 0);
	db_stmt_done(s);
	return v;
}

/* Everything a write could change, for "nothing was written". */
struct snap {
	int64_t		 tokens, spent, families, revoked, expiry;
};

static void
snap(struct db *db, struct snap *s)
{
	s->tokens = query_int(db, "SELECT count(*) FROM refresh_tokens");
	s->spent = query_int(db, "SELECT count(spent_at) FROM refresh_tokens");
	s->families = query_int(db, "SELECT count(*) FROM refresh_families");
	s->revoked = query_int(db, "SELECT count(revoked_at) FROM refresh_families");
	s->expiry = query_int(db, "SELECT coalesce(sum(expires_at), 0) FROM refresh_families");
}

static void
check_snap(struct db *db, const struct snap *want, int line)
{
	struct snap	 now;

	snap(db, &now);
	check_int(now.tokens, want->tokens, line);
	check_int(now.spent, want->spent, line);
	check_int(now.families, want->families, line);
	check_int(now.revoked, want->revoked, line);
	check_int(now.expiry, want->expiry, line);
}

static enum refresh_err
rotate(struct db *db, const char *token, int64_t now, struct refresh_grant *g)
{
	return refresh_rotate(db, token, strlen(token), now, LIFE, g);
}

static int
is_b64url(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* ---- the happy path ---- */

static void
test_issue_rotate(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g1, g2, g3;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g1),
	    REFRESH_OK);
	assert_int_equal(strlen(g1.token), REFRESH_TOKEN_LEN);
	assert_true(is_b64url(g1.token));
	assert_string_equal(g1.user_id, fx->alice);
	assert_int_equal(g1.generation, 0);
	assert_int_equal(g1.expires_at, NOW + LIFE);

	assert_int_equal(rotate(fx->db, g1.token, NOW + 60, &g2), REFRESH_OK);
	assert_string_not_equal(g2.token, g1.token);
	assert_int_equal(strlen(g2.token), REFRESH_TOKEN_LEN);
	assert_string_equal(g2.user_id, fx->alice);
	assert_int_equal(g2.expires_at, NOW + 60 + LIFE);
	assert_int_equal(rotate(fx->db, g2.token, NOW + 120, &g3), REFRESH_OK);
	assert_string_not_equal(g3.token, g2.token);
	assert_string_not_equal(g3.token, g1.token);

	/* One family, three tokens, two of them spent. */
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 3);
	assert_int_equal(query_int(fx->db, "SELECT count(spent_at) FROM refresh_tokens"), 2);
	assert_int_equal(query_int(fx->db, "SELECT count(DISTINCT family_id) "
	    "FROM refresh_tokens"), 1);
	refresh_grant_clear(&g1);
	refresh_grant_clear(&g2);
	refresh_grant_clear(&g3);
}

/* A client loop: the grant's own token presented, the grant refilled. */
static void
test_rotate_in_place(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g;
	char			 prev[REFRESH_TOKEN_LEN + 1];
	int			 i;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g), REFRESH_OK);
	for (i = 1; i <= 5; i++) {
		memcpy(prev, g.token, sizeof(prev));
		assert_int_equal(refresh_rotate(fx->db, g.token, strlen(g.token),
		    NOW + i, LIFE, &g), REFRESH_OK);
		assert_string_not_equal(g.token, prev);
		assert_string_equal(g.user_id, fx->alice);
	}
	/* A refusal in place clears the grant as well. */
	assert_int_equal(refresh_rotate(fx->db, prev, strlen(prev), NOW + 9, LIFE, &g),
	    REFRESH_EREUSED);
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 6);
}

/* Each use renews the lifetime; a shorter lifetime never shortens the
 * family's row below a token's. */
static void
test_sliding_expiry(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g, g2;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g),
	    REFRESH_OK);
	assert_int_equal(rotate(fx->db, g.token, NOW + LIFE - 1, &g2), REFRESH_OK);
	assert_int_equal(g2.expires_at, NOW + 2 * LIFE - 1);
	assert_int_equal(query_int(fx->db, "SELECT expires_at FROM refresh_families"),
	    NOW + 2 * LIFE - 1);
	/* Past the first token's expiry, the second still works. */
	assert_int_equal(rotate(fx->db, g2.token, NOW + 2 * LIFE - 2, &g),
	    REFRESH_OK);
	assert_int_equal(refresh_rotate(fx->db, g.token, strlen(g.token),
	    NOW + 2 * LIFE, DAY, &g2), REFRESH_OK);
	assert_int_equal(g2.expires_at, NOW + 2 * LIFE + DAY);
	assert_int_equal(query_int(fx->db, "SELECT expires_at FROM refresh_families"),
	    NOW + 3 * LIFE - 2);
}

static void
test_families_apart(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a1, a2, b, g;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a1), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a2), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->bob, 0, NOW, LIFE, &b), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 3);
	assert_int_equal(rotate(fx->db, a1.token, NOW + 1, &g), REFRESH_OK);
	/* Killing a1's family leaves a2's and Bob's alone. */
	assert_int_equal(rotate(fx->db, a1.token, NOW + 2, &g), REFRESH_EREUSED);
	assert_int_equal(rotate(fx->db, a2.token, NOW + 3, &g), REFRESH_OK);
	assert_string_equal(g.user_id, fx->alice);
	assert_int_equal(rotate(fx->db, b.token, NOW + 3, &g), REFRESH_OK);
	assert_string_equal(g.user_id, fx->bob);
}

/* ---- refusals ---- */

/* RFC 9700 §4.14.2: a spent token presented again revokes the family,
 * the rightful latest token included, and the revocation is committed. */
static void
test_reuse_kills_family(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g1, g2, g;
	struct db		*db2;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g1), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g1.token, NOW + 10, &g2), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g1.token, NOW + 20, &g), REFRESH_EREUSED);
	/* Nothing handed out on a refusal. */
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(g.user_id[0], '\0');
	assert_int_equal(rotate(fx->db, g2.token, NOW + 30, &g), REFRESH_EREUSED);
	assert_int_equal(rotate(fx->db, g1.token, NOW + 40, &g), REFRESH_EREUSED);
	/* Seen from another connection: committed. */
	assert_int_equal(db_open(fx->path, 0, 5000, &db2), DB_OK);
	assert_int_equal(query_int(db2, "SELECT count(revoked_at) FROM refresh_families"), 1);
	assert_int_equal(query_int(db2, "SELECT revoked_at FROM refresh_families"), NOW + 20);
	assert_int_equal(rotate(db2, g2.token, NOW + 50, &g), REFRESH_EREUSED);
	db_close(db2);
	/* No token was added by the refusals. */
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 2);
}

static void
test_expired(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g1, g2, g;
	struct snap		 s;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g1), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g2), REFRESH_OK);
	snap(fx->db, &s);
	/* exp is "on or after" (RFC 7519 §4.1.4): NOW + LIFE is too late. */
	assert_int_equal(rotate(fx->db, g1.token, NOW + LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(rotate(fx->db, g1.token, NOW + 10 * LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(rotate(fx->db, g1.token, INT64_C(4000000000), &g),
	    REFRESH_EINVALID);
	check_snap(fx->db, &s, __LINE__);	/* expiry writes nothing */
	assert_int_equal(rotate(fx->db, g2.token, NOW + LIFE - 1, &g), REFRESH_OK);
	/* A spent token is reuse even past its expiry (until pruned). */
	assert_int_equal(rotate(fx->db, g2.token, NOW + LIFE + 1, &g), REFRESH_EREUSED);
}

/* A password change (users_set_password + users_update) retires every
 * family of the older generation, and revokes it on first sight. */
static void
test_generation(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 old, stale, fresh, g;
	struct user		 u;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &old), REFRESH_OK);
	assert_int_equal(users_find_by_id(fx->db, fx->ar, fx->alice, &u), USERS_OK);
	users_set_password(&u, "$argon2id$v=19$m=65536,t=3,p=4$new$hash", NULL);
	assert_int_equal(users_update(fx->db, &u), USERS_OK);
	assert_int_equal(u.token_generation, 1);

	assert_int_equal(rotate(fx->db, old.token, NOW + 1, &g), REFRESH_EINVALID);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 1);
	assert_int_equal(rotate(fx->db, old.token, NOW + 2, &g), REFRESH_EREUSED);
	/* Issued after the change, but with the generation read before it. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW + 3, LIFE, &stale), REFRESH_OK);
	assert_int_equal(rotate(fx->db, stale.token, NOW + 4, &g), REFRESH_EINVALID);
	/* A newer generation than the user's is refused as well. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 2, NOW + 3, LIFE, &stale), REFRESH_OK);
	assert_int_equal(rotate(fx->db, stale.token, NOW + 4, &g), REFRESH_EINVALID);
	/* The current generation works, and says so. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 1, NOW + 5, LIFE, &fresh), REFRESH_OK);
	assert_int_equal(rotate(fx->db, fresh.token, NOW + 6, &g), REFRESH_OK);
	assert_int_equal(g.generation, 1);
}

static void
test_inactive_user(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, g;
	struct user		 u;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	assert_int_equal(users_find_by_id(fx->db, fx->ar, fx->alice, &u), USERS_OK);
	u.is_active = 0;
	assert_int_equal(users_update(fx->db, &u), USERS_OK);
	assert_int_equal(rotate(fx->db, a.token, NOW + 1, &g), REFRESH_EINVALID);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 1);
	/* Active again: that family stays dead. */
	u.is_active = 1;
	assert_int_equal(users_update(fx->db, &u), USERS_OK);
	assert_int_equal(rotate(fx->db, a.token, NOW + 2, &g), REFRESH_EREUSED);
	assert_int_equal(query_int(fx->db, "SELECT count(spent_at) FROM refresh_tokens"), 0);
}

/* Deleting a user deletes its families (foreign keys are on). */
static void
test_deleted_user(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, b, g;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->bob, 0, NOW, LIFE, &b), REFRESH_OK);
	assert_int_equal(users_delete(fx->db, fx->alice), USERS_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 1);
	assert_int_equal(rotate(fx->db, a.token, NOW + 1, &g), REFRESH_EINVALID);
	assert_int_equal(rotate(fx->db, b.token, NOW + 1, &g), REFRESH_OK);
	/* A family for a user that does not exist cannot be started. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g),
	    REFRESH_EINVALID);
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(refresh_issue(fx->db, NOBODY, 0, NOW, LIFE, &g),
	    REFRESH_EINVALID);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 1);
}

/*
 * Malformed tokens are EINVALID without a write; those that are not
 * base64url characters, or of no allowed length, without even a read:
 * they are also EINVALID (not EDB) on a database without the tables.
 */
struct malformed {
	int		 line;
	char		 buf[REFRESH_TOKEN_MAX + 8];
	size_t		 len;
	int		 reads;		/* reaches the database (a lookup) */
};

static size_t
malformed_cases(const char *tok, struct malformed *m)
{
	size_t	 n = 0, t = strlen(tok);

#define ADD(reads_, len_) do {						\
		m[n].line = __LINE__;					\
		m[n].len = (len_);					\
		m[n].reads = (reads_);					\
		n++;							\
	} while (0)
	memset(m, 0, 24 * sizeof(*m));
	ADD(0, 0);					/* empty */
	memset(m[n].buf, 'A', REFRESH_TOKEN_MAX + 1);	/* one too long */
	ADD(0, REFRESH_TOKEN_MAX + 1);
	memset(m[n].buf, 'A', REFRESH_TOKEN_MAX);	/* longest: unknown */
	ADD(1, REFRESH_TOKEN_MAX);
	memcpy(m[n].buf, tok, t);			/* with its NUL */
	ADD(0, t + 1);
	memcpy(m[n].buf, tok, t);			/* NUL inside */
	m[n].buf[20] = '\0';
	ADD(0, t);
	memcpy(m[n].buf, tok, t);			/* padding */
	m[n].buf[t] = '=';
	ADD(0, t + 1);
	memcpy(m[n].buf, tok, t);			/* standard base64 */
	m[n].buf[5] = '+';
	ADD(0, t);
	memcpy(m[n].buf, tok, t);
	m[n].buf[t - 1] = '/';
	ADD(0, t);
	memcpy(m[n].buf, tok, t);			/* a newline */
	m[n].buf[t] = '\n';
	ADD(0, t + 1);
	m[n].buf[0] = ' ';				/* a blank first */
	memcpy(m[n].buf + 1, tok, t);
	ADD(0, t + 1);
	memcpy(m[n].buf, tok, t);			/* not ASCII */
	m[n].buf[7] = (char)0xc3;
	ADD(0, t);
	memcpy(m[n].buf, "Bearer ", 7);			/* a header value */
	memcpy(m[n].buf + 7, tok, t);
	ADD(0, t + 7);
	memcpy(m[n].buf, "%41", 3);			/* still URL-encoded */
	ADD(0, 3);
	memcpy(m[n].buf, tok, t);			/* one short: unknown */
	ADD(1, t - 1);
	memcpy(m[n].buf, tok, t);			/* one more: unknown */
	m[n].buf[t] = 'A';
	ADD(1, t + 1);
	memcpy(m[n].buf, tok, t);			/* one changed: unknown */
	m[n].buf[10] = m[n].buf[10] == 'x' ? 'y' : 'x';
	ADD(1, t);
	memcpy(m[n].buf, tok, t);			/* case flipped: unknown */
	m[n].buf[0] = m[n].buf[0] == 'a' ? 'A' : 'a';
	ADD(1, t);
	m[n].buf[0] = 'A';				/* one character: unknown */
	ADD(1, 1);
#undef ADD
	return n;
}

static void
test_malformed(void **state)
{
	struct fx		*fx = *state;
	struct malformed	 m[24];
	struct refresh_grant	 a, g;
	struct snap		 s;
	size_t			 i, n;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	n = malformed_cases(a.token, m);
	snap(fx->db, &s);
	for (i = 0; i < n; i++) {
		check_int(refresh_rotate(fx->db, m[i].buf, m[i].len, NOW + 1, LIFE,
		    &g), REFRESH_EINVALID, m[i].line);
		check_int(g.token[0], '\0', m[i].line);
		/* Logout with garbage is not an error, and changes nothing. */
		check_int(refresh_revoke_family(fx->db, m[i].buf, m[i].len,
		    fx->alice, NOW + 1), REFRESH_OK, m[i].line);
		check_snap(fx->db, &s, m[i].line);
	}
	check_int(refresh_rotate(fx->db, NULL, 0, NOW + 1, LIFE, &g),
	    REFRESH_EINVALID, __LINE__);
	check_int(refresh_rotate(fx->db, NULL, 43, NOW + 1, LIFE, &g),
	    REFRESH_EINVALID, __LINE__);
	check_int(refresh_revoke_family(fx->db, NULL, 43, fx->alice, NOW),
	    REFRESH_OK, __LINE__);
	check_snap(fx->db, &s, __LINE__);
	/* Still the real one works. */
	assert_int_equal(rotate(fx->db, a.token, NOW + 2, &g), REFRESH_OK);
}

static void
test_malformed_no_db(void **state)
{
	struct fx		*fx = *state;
	struct malformed	 m[24];
	struct refresh_grant	 g;
	size_t			 i, n;

	n = malformed_cases("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", m);
	for (i = 0; i < n; i++) {
		check_int(refresh_rotate(fx->db, m[i].buf, m[i].len, NOW, LIFE, &g),
		    m[i].reads ? REFRESH_EDB : REFRESH_EINVALID, m[i].line);
		check_int(refresh_revoke_family(fx->db, m[i].buf, m[i].len,
		    NOBODY, NOW), m[i].reads ? REFRESH_EDB : REFRESH_OK, m[i].line);
	}
	/* And the valid-looking calls report the missing table. */
	assert_int_equal(refresh_issue(fx->db, NOBODY, 0, NOW, LIFE, &g), REFRESH_EDB);
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(refresh_revoke_user(fx->db, NOBODY, NOW), REFRESH_EDB);
	assert_int_equal(refresh_prune(fx->db, NOW), REFRESH_EDB);
}

static void
test_bad_arguments(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, g;
	const char		*t;
	size_t			 len;
	struct snap		 s;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	t = a.token;
	len = strlen(t);
	snap(fx->db, &s);
	/* issue */
	assert_int_equal(refresh_issue(NULL, fx->alice, 0, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, NULL, 0, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, "", 0, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, "alice", 0, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, NOBODY "0", 0, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, NULL), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, -1, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, REFRESH_NOW_MAX + 1, LIFE, &g),
	    REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, 0, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, -LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW,
	    REFRESH_LIFETIME_MAX + 1, &g), REFRESH_EINVALID);
	/* rotate */
	assert_int_equal(refresh_rotate(NULL, t, len, NOW, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_rotate(fx->db, t, len, NOW, LIFE, NULL), REFRESH_EINVALID);
	assert_int_equal(refresh_rotate(fx->db, t, len, -1, LIFE, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_rotate(fx->db, t, len, INT64_MAX, LIFE, &g),
	    REFRESH_EINVALID);
	assert_int_equal(refresh_rotate(fx->db, t, len, NOW, 0, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_rotate(fx->db, t, len, NOW, INT64_MAX, &g),
	    REFRESH_EINVALID);
	/* revoke and prune */
	assert_int_equal(refresh_revoke_family(NULL, t, len, fx->alice, NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_family(fx->db, t, len, NULL, NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_family(fx->db, t, len, "bob", NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_family(fx->db, t, len, fx->alice, -1), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_user(NULL, fx->alice, NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_user(fx->db, NULL, NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_user(fx->db, "", NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_revoke_user(fx->db, fx->alice, -1), REFRESH_EINVALID);
	assert_int_equal(refresh_prune(NULL, NOW), REFRESH_EINVALID);
	assert_int_equal(refresh_prune(fx->db, -1), REFRESH_EINVALID);
	assert_int_equal(refresh_prune(fx->db, INT64_MAX), REFRESH_EINVALID);
	check_snap(fx->db, &s, __LINE__);
	assert_int_equal(rotate(fx->db, t, NOW + 1, &g), REFRESH_OK);
}

/* ---- revocation ---- */

static void
test_revoke_family(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a1, a2, next, g;
	struct snap		 s;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a1), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a2), REFRESH_OK);
	assert_int_equal(rotate(fx->db, a1.token, NOW + 1, &next), REFRESH_OK);
	snap(fx->db, &s);
	/* Bob cannot log Alice out, nor can an unknown token. */
	assert_int_equal(refresh_revoke_family(fx->db, next.token,
	    strlen(next.token), fx->bob, NOW + 2), REFRESH_OK);
	assert_int_equal(refresh_revoke_family(fx->db, next.token,
	    strlen(next.token), NOBODY, NOW + 2), REFRESH_OK);
	assert_int_equal(refresh_revoke_family(fx->db, "unknownunknown", 14,
	    fx->alice, NOW + 2), REFRESH_OK);
	check_snap(fx->db, &s, __LINE__);
	/* Alice logs out with a spent token of her family: it counts. */
	assert_int_equal(refresh_revoke_family(fx->db, a1.token, strlen(a1.token),
	    fx->alice, NOW + 3), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 1);
	assert_int_equal(rotate(fx->db, next.token, NOW + 4, &g), REFRESH_EREUSED);
	/* Twice is fine, and keeps the first time. */
	assert_int_equal(refresh_revoke_family(fx->db, next.token, strlen(next.token),
	    fx->alice, NOW + 5), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT max(revoked_at) FROM refresh_families"),
	    NOW + 3);
	/* Her other session goes on. */
	assert_int_equal(rotate(fx->db, a2.token, NOW + 6, &g), REFRESH_OK);
}

static void
test_revoke_user(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a1, a2, a3, b, g;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a1), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a2), REFRESH_OK);
	assert_int_equal(rotate(fx->db, a2.token, NOW + 1, &a3), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->bob, 0, NOW, LIFE, &b), REFRESH_OK);
	assert_int_equal(refresh_revoke_user(fx->db, NOBODY, NOW + 2), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 0);
	assert_int_equal(refresh_revoke_user(fx->db, fx->alice, NOW + 2), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 2);
	assert_int_equal(rotate(fx->db, a1.token, NOW + 3, &g), REFRESH_EREUSED);
	assert_int_equal(rotate(fx->db, a3.token, NOW + 3, &g), REFRESH_EREUSED);
	assert_int_equal(rotate(fx->db, b.token, NOW + 3, &g), REFRESH_OK);
	/* A new login after it works. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW + 4, LIFE, &a1), REFRESH_OK);
	assert_int_equal(rotate(fx->db, a1.token, NOW + 5, &g), REFRESH_OK);
}

/* ---- storage ---- */

static void
sha256_hex(const char *s, char *out)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;

	assert_int_equal(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* No column of either table holds a token, or a piece of one. */
static void
scan_for(struct db *db, const char *sql, int ncol, const char *token)
{
	struct db_stmt	*s;
	const char	*v;
	char		 piece[17];
	enum db_err	 e;
	int		 c;

	memcpy(piece, token + 10, 16);
	piece[16] = '\0';
	assert_int_equal(db_prepare(db, sql, &s), DB_OK);
	while ((e = db_step(s)) == DB_ROW)
		for (c = 0; c < ncol; c++)
			if ((v = db_column_text(s, c, NULL)) != NULL) {
				assert_null(strstr(v, token));
				assert_null(strstr(v, piece));
			}
	assert_int_equal(e, DB_DONE);
	db_stmt_done(s);
}

static void
test_only_hashes_stored(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g1, g2;
	struct db_stmt		*s;
	char			 hex[65];

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g1), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g1.token, NOW + 1, &g2), REFRESH_OK);
	scan_for(fx->db, "SELECT * FROM refresh_tokens", 5, g1.token);
	scan_for(fx->db, "SELECT * FROM refresh_tokens", 5, g2.token);
	scan_for(fx->db, "SELECT * FROM refresh_families", 6, g1.token);
	scan_for(fx->db, "SELECT * FROM refresh_families", 6, g2.token);
	/* The key is the lower-case hex SHA-256 of the token's text. */
	sha256_hex(g2.token, hex);
	assert_int_equal(db_prepare(fx->db, "SELECT spent_at FROM refresh_tokens "
	    "WHERE token_hash = ?", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, hex, 64), DB_OK);
	assert_int_equal(db_step(s), DB_ROW);
	assert_true(db_column_is_null(s, 0));
	db_stmt_done(s);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens "
	    "WHERE length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'"), 2);
}

static void
test_prune(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g1, g2, b, g;
	const int64_t		 g1_gone = NOW + LIFE + REFRESH_PRUNE_GRACE + 1;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g1), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g1.token, NOW + DAY, &g2), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->bob, 0, NOW, LIFE, &b), REFRESH_OK);
	/* Within the grace, nothing goes. */
	assert_int_equal(refresh_prune(fx->db, g1_gone - 1), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 3);
	/* Then the spent g1 and Bob's family go; g2's family stays. */
	assert_int_equal(refresh_prune(fx->db, g1_gone), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 1);
	/* g1 is now merely unknown: no reuse detection, no revocation. */
	assert_int_equal(rotate(fx->db, g1.token, g1_gone, &g), REFRESH_EINVALID);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 0);
	assert_int_equal(refresh_prune(fx->db, NOW + DAY + LIFE + REFRESH_PRUNE_GRACE + 1),
	    REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 0);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 0);
	assert_int_equal(refresh_prune(fx->db, NOW), REFRESH_OK);	/* nothing: fine */
}

/* refresh_issue prunes as it goes. */
static void
test_prune_from_issue(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 b, g;

	assert_int_equal(refresh_issue(fx->db, fx->bob, 0, 0, 1, &b), REFRESH_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, REFRESH_PRUNE_GRACE, LIFE,
	    &g), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 2);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, REFRESH_PRUNE_GRACE + 2,
	    LIFE, &g), REFRESH_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_families"), 2);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 2);
	assert_int_equal(rotate(fx->db, b.token, REFRESH_PRUNE_GRACE + 3, &g),
	    REFRESH_EINVALID);
}

/* The migration's constraints. */
static void
test_schema_checks(void **state)
{
	struct fx	*fx = *state;
	char		 sql[512];

	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_families (id, user_id, "
	    "generation, created_at, expires_at) VALUES ('f', '" NOBODY "', 0, 1, 2)"),
	    DB_CONSTRAINT);
	snprintf(sql, sizeof(sql), "INSERT INTO refresh_families (id, user_id, "
	    "generation, created_at, expires_at) VALUES ('f', '%s', 0, 1, 2)", fx->alice);
	assert_int_equal(db_exec(fx->db, sql), DB_OK);
	assert_int_equal(db_exec(fx->db, sql), DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_tokens (token_hash, "
	    "family_id, issued_at, expires_at) VALUES ('h', 'nofamily', 1, 2)"),
	    DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_tokens (token_hash, "
	    "family_id, issued_at, expires_at) VALUES ('h', 'f', 2, 2)"),
	    DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_tokens (token_hash, "
	    "family_id, issued_at, expires_at) VALUES ('h', 'f', 1, 2)"), DB_OK);
	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_tokens (token_hash, "
	    "family_id, issued_at, expires_at) VALUES ('h', 'f', 1, 3)"),
	    DB_CONSTRAINT);
	assert_int_equal(db_exec(fx->db, "INSERT INTO refresh_tokens (token_hash, "
	    "family_id, issued_at) VALUES ('i', 'f', 1)"), DB_CONSTRAINT);
	/* The cascade, family to tokens. */
	assert_int_equal(db_exec(fx->db, "DELETE FROM refresh_families"), DB_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 0);
}

static int
table_exists(struct db *db, const char *name)
{
	struct db_stmt	*s;
	int		 found;

	assert_int_equal(db_prepare(db, "SELECT 1 FROM sqlite_master "
	    "WHERE type = 'table' AND name = ?", &s), DB_OK);
	assert_int_equal(db_bind_text(s, 1, name, strlen(name)), DB_OK);
	found = db_step(s) == DB_ROW;
	db_stmt_done(s);
	return found;
}

/* "fcgi-users migrate down" back to 0004 with tokens in the tables, then
 * up again. */
static void
test_migrate_down_up(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 g, g2;
	int			 v = 0;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g.token, NOW + 1, &g2), REFRESH_OK);
	assert_true(migrate_latest() >= 5);
	assert_int_equal(migrate_down(fx->db, migrate_latest() - 4, NULL), DB_OK);
	assert_int_equal(migrate_current(fx->db, &v), DB_OK);
	assert_int_equal(v, 4);
	assert_int_equal(table_exists(fx->db, "refresh_tokens"), 0);
	assert_int_equal(table_exists(fx->db, "refresh_families"), 0);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name LIKE 'ix_refresh%'"), 0);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM users"), 2);
	assert_int_equal(rotate(fx->db, g2.token, NOW + 2, &g), REFRESH_EDB);
	assert_int_equal(migrate_up(fx->db, 0, NULL), DB_OK);
	assert_int_equal(migrate_current(fx->db, &v), DB_OK);
	assert_int_equal(v, migrate_latest());
	/* Empty again: the old token is unknown, a new login works. */
	assert_int_equal(rotate(fx->db, g2.token, NOW + 3, &g), REFRESH_EINVALID);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &g), REFRESH_OK);
	assert_int_equal(rotate(fx->db, g.token, NOW + 4, &g2), REFRESH_OK);
}

/* ---- concurrency ---- */

/* Two connections, as two processes have: the second to present the
 * token loses, and that revokes the family for both. */
static void
test_two_connections(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, win, g;
	struct db		*db2, *db3;
	struct snap		 s;

	assert_int_equal(db_open(fx->path, 0, 5000, &db2), DB_OK);
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	assert_int_equal(rotate(db2, a.token, NOW + 1, &win), REFRESH_OK);
	assert_int_equal(rotate(fx->db, a.token, NOW + 1, &g), REFRESH_EREUSED);
	assert_int_equal(rotate(db2, win.token, NOW + 2, &g), REFRESH_EREUSED);

	/* A rotation that cannot get the write lock spends nothing. */
	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	assert_int_equal(db_open(fx->path, 0, 20, &db3), DB_OK);
	snap(fx->db, &s);
	assert_int_equal(db_begin(db2), DB_OK);
	assert_int_equal(rotate(db3, a.token, NOW + 3, &g), REFRESH_EDB);
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(db_rollback(db2), DB_OK);
	check_snap(fx->db, &s, __LINE__);
	assert_int_equal(rotate(db3, a.token, NOW + 4, &g), REFRESH_OK);
	db_close(db3);
	db_close(db2);
}

/*
 * The guard of the spend (UPDATE ... WHERE spent_at IS NULL, changes
 * checked): SQLite's BEGIN IMMEDIATE never lets a second rotation in
 * between the lookup and the spend, so a trigger that drops the UPDATE
 * plays the rotation that came first, as on an engine that would.
 */
static void
test_lost_race(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, g;

	assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a), REFRESH_OK);
	assert_int_equal(db_exec(fx->db, "CREATE TEMP TRIGGER lose BEFORE UPDATE "
	    "OF spent_at ON main.refresh_tokens BEGIN SELECT RAISE(IGNORE); END"), DB_OK);
	assert_int_equal(rotate(fx->db, a.token, NOW + 1, &g), REFRESH_EREUSED);
	assert_int_equal(g.token[0], '\0');
	assert_int_equal(db_exec(fx->db, "DROP TRIGGER temp.lose"), DB_OK);
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 1);
	assert_int_equal(rotate(fx->db, a.token, NOW + 2, &g), REFRESH_EREUSED);
}

#define PROCS	4

/* A child: its own connection; rotates `token` once the parent says go
 * (the pipe closes) and exits with the refresh_err it got. */
static int
child(const char *path, const char *token, int go)
{
	struct refresh_grant	 g;
	struct db		*db = NULL;
	char			 c;
	int			 rc = 100;

	if (db_open(path, 0, 5000, &db) != DB_OK)
		goto out;
	if (read(go, &c, 1) == -1)	/* 0 (EOF) is the signal */
		goto out;
	rc = (int)rotate(db, token, NOW + 1, &g);
out:
	db_close(db);
	return rc;
}

static void
test_concurrent_processes(void **state)
{
	struct fx		*fx = *state;
	struct refresh_grant	 a, g;
	pid_t			 pids[PROCS];
	int			 fds[2], i, round, status, ok, reused;

	for (round = 0; round < 3; round++) {
		assert_int_equal(refresh_issue(fx->db, fx->alice, 0, NOW, LIFE, &a),
		    REFRESH_OK);
		assert_int_equal(pipe(fds), 0);
		fflush(NULL);
		for (i = 0; i < PROCS; i++) {
			assert_true((pids[i] = fork()) >= 0);
			if (pids[i] == 0) {
				close(fds[1]);
				_exit(child(fx->path, a.token, fds[0]));
			}
		}
		close(fds[0]);
		close(fds[1]);		/* go */
		ok = reused = 0;
		for (i = 0; i < PROCS; i++) {
			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			assert_true(WIFEXITED(status));
			if (WEXITSTATUS(status) == REFRESH_OK)
				ok++;
			else if (WEXITSTATUS(status) == REFRESH_EREUSED)
				reused++;
		}
		assert_int_equal(ok, 1);
		assert_int_equal(reused, PROCS - 1);
		/* The losers revoked the family: the winner's token is dead. */
		assert_int_equal(rotate(fx->db, a.token, NOW + 2, &g), REFRESH_EREUSED);
	}
	assert_int_equal(query_int(fx->db, "SELECT count(revoked_at) FROM refresh_families"), 3);
	/* One spend per family, one new token per family. */
	assert_int_equal(query_int(fx->db, "SELECT count(spent_at) FROM refresh_tokens"), 3);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM refresh_tokens"), 6);
}

/* ---- the rest ---- */

static void
test_strerror_clear(void **state)
{
	struct refresh_grant	 g;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < REFRESH__MAX; i++) {
		assert_non_null(refresh_strerror((enum refresh_err)i));
		assert_string_not_equal(refresh_strerror((enum refresh_err)i),
		    "unknown error");
		for (j = 0; j < i; j++)
			assert_string_not_equal(refresh_strerror((enum refresh_err)i),
			    refresh_strerror((enum refresh_err)j));
	}
	assert_string_equal(refresh_strerror(REFRESH__MAX), "unknown error");
	assert_string_equal(refresh_strerror((enum refresh_err)-1), "unknown error");
	memset(&g, 'x', sizeof(g));
	refresh_grant_clear(&g);
	for (i = 0; i < sizeof(g); i++)
		assert_int_equal(((unsigned char *)&g)[i], 0);
	refresh_grant_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_clear),
		cmocka_unit_test_setup_teardown(test_issue_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sliding_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_families_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse_kills_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_no_db, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_hashes_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_from_issue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_down_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_processes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
