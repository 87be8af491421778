/*
 * throttle: login throttling (issue "Account lifecycle", beyond
 * FastAPI-Users).  Failed logins are counted in the database, so every
 * process of every program sees the same counts: per account (the
 * username as typed, without regard to case, for unknown e-mails too) and
 * per client address with a much higher bar, since many honest users may
 * share one address.  Once either count reaches its limit within the
 * window, throttle_check() refuses further attempts until that window
 * closes; the caller answers 429 with Retry-After and never reaches the
 * password hash.  A successful login clears the account's count.
 *
 * Windows are fixed and open at the first failure after the previous one
 * closed (schema/sqlite/0003_login_failures.sql).  So at most `max`
 * failures are counted per window, and a burst of up to 2 * max - 1 can
 * straddle two adjacent windows.  Each failure is one atomic UPSERT, so the
 * counts are exact however many processes record at once.
 */
#ifndef FCGI_USERS_THROTTLE_H
#define FCGI_USERS_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct db;

#define THROTTLE_ADDR_MAX	64	/* bytes of an address key (INET6_ADDRSTRLEN + "/64") */

enum throttle_err {
	THROTTLE_OK,		/* allowed (check) or done */
	THROTTLE_BLOCKED,	/* throttle_check: a limit is reached */
	THROTTLE_EINVAL,	/* no e-mail, or a limit below 1 */
	THROTTLE_EDB,		/* the database failed (db logs why) */
	THROTTLE__MAX
};

struct throttle_limits {
	int64_t	 account_max;	/* failures per account per window */
	int64_t	 address_max;	/* failures per client address per window */
	int64_t	 window;	/* seconds */
};

const char	*throttle_strerror(enum throttle_err);

/* The limits of a deployment: LOGIN_MAX_FAILURES,
 * LOGIN_MAX_FAILURES_PER_ADDRESS and LOGIN_FAILURE_WINDOW (seconds). */
void		 throttle_limits_from_config(struct throttle_limits *,
		    const struct config *);

/*
 * The key a client address is counted under, into buf (len bytes):
 * an IPv6 address by its /64 ("2001:db8:1:2::/64"), since one host
 * commonly holds a whole /64; an IPv4 address, IPv4-mapped IPv6 included,
 * in dotted form; anything else (a Unix socket path…) as given, cut to
 * THROTTLE_ADDR_MAX - 1 bytes.  Returns 0, or -1 when addr is NULL or
 * empty (then no address is counted).
 */
int		 throttle_address_key(const char *addr, char *buf, size_t len);

/*
 * Whether a login for `email` from `addr` (REMOTE_ADDR; NULL: count the
 * account only) may go ahead at `now` (Unix seconds).  THROTTLE_OK, or
 * THROTTLE_BLOCKED with *retry_after the seconds (1 .. window) until every
 * exhausted window has closed; or an error.  Reads only.
 */
enum throttle_err throttle_check(struct db *, const struct throttle_limits *,
		    const char *email, const char *addr, int64_t now,
		    int64_t *retry_after);
/*
 * Records one failed login for `email` and `addr` (NULL: the account
 * only) at `now`, in one transaction that also deletes rows whose window
 * closed.  THROTTLE_OK or an error.
 */
enum throttle_err throttle_fail(struct db *, const struct throttle_limits *,
		    const char *email, const char *addr, int64_t now);
/* A successful login: clears the account's count (not the address's). */
enum throttle_err throttle_success(struct db *, const char *email);
/* Deletes the rows whose window closed by `now`; throttle_fail calls it. */
enum throttle_err throttle_prune(struct db *, const struct throttle_limits *,
		    int64_t now);

#endif
