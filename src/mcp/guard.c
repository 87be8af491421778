/*
 * guard: Origin, Host, Accept and Content-Type of MCP requests (see
 * guard.h).  Header values are attacker-controlled: every one is
 * length-capped before it is looked at, and compared without copying.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "guard.h"
#include "mcp.h"
#include "rpc.h"

#define ORIGIN_MAX	512	/* bytes of an Origin header */
#define ACCEPT_MAX	2048	/* bytes of an Accept header */

static const char *const loopback[] = { "localhost", "127.0.0.1", "[::1]", NULL };

/* The host of "scheme://host[:port][/…]" as (*h, *hn), the port as (*p, *pn)
 * (pn 0 when absent); the scheme's length in *sn.  -1 when not such a URL. */
static int
split_url(const char *u, size_t len, size_t *sn, const char **h, size_t *hn,
    const char **p, size_t *pn)
{
	const char	*s, *e = u + len, *q;

	if ((s = memchr(u, ':', len)) == NULL || e - s < 3 || s[1] != '/' ||
	    s[2] != '/')
		return -1;
	*sn = (size_t)(s - u);
	*h = s + 3;
	for (q = *h; q < e && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	e = q;
	if (**h == '[') {
		if ((q = memchr(*h, ']', (size_t)(e - *h))) == NULL)
			return -1;
		q++;
	} else
		for (q = *h; q < e && *q != ':'; q++)
			;
	*hn = (size_t)(q - *h);
	*p = q < e && *q == ':' ? q + 1 : e;
	*pn = (size_t)(e - *p);
	return *hn > 0 && *hn <= GUARD_HOST_MAX ? 0 : -1;
}

/* The host part of a Host header (port dropped), its length in *n. */
static const char *
host_name(const char *host, size_t *n)
{
	const char	*q;

	if (host[0] == '[') {
		q = strchr(host, ']');
		*n = q != NULL ? (size_t)(q - host) + 1 : 0;
	} else
		*n = strcspn(host, ":");
	return host;
}

static int
same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && strncasecmp(a, b, an) == 0;
}

/* Calls fn on each trimmed entry of a comma list until it returns 1. */
static int
each(const char *list, int (*fn)(const char *, size_t, const void *),
    const void *arg)
{
	const char	*p = list, *e;
	size_t		 n, count = 0;

	while (*p != '\0' && count++ < GUARD_LIST_MAX) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (fn(p, n, arg))
			return 1;
		p = e;
	}
	return 0;
}

struct want {
	const char	*s;	/* the host name, or the origin */
	size_t		 n;
};

static int
host_entry(const char *e, size_t n, const void *arg)
{
	const struct want	*w = arg;

	return (n == 1 && *e == '*') || same(e, n, w->s, w->n);
}

int
guard_host_allowed(const char *list, const char *base, const char *host)
{
	struct want	 w;
	const char	*h, *p;
	size_t		 sn, hn, pn, i;

	if (host == NULL || strlen(host) > GUARD_HOST_MAX + 7)
		return 0;
	w.s = host_name(host, &w.n);
	if (w.n == 0)
		return 0;
	if (list != NULL)
		return each(list, host_entry, &w);
	for (i = 0; loopback[i] != NULL; i++)
		if (same(loopback[i], strlen(loopback[i]), w.s, w.n))
			return 1;
	return base != NULL && split_url(base, strlen(base), &sn, &h, &hn, &p,
	    &pn) == 0 && same(h, hn, w.s, w.n);
}

/* Origin o against an entry "scheme://host[:port]" (no port: any). */
static int
origin_match(const char *e, size_t en, const struct want *o)
{
	const char	*eh, *ep, *oh, *op;
	size_t		 esn, ehn, epn, osn, ohn, opn;

	if (split_url(e, en, &esn, &eh, &ehn, &ep, &epn) != 0 ||
	    split_url(o->s, o->n, &osn, &oh, &ohn, &op, &opn) != 0)
		return 0;
	/* An Origin is scheme://host[:port] and nothing after. */
	if (op + opn != o->s + o->n)
		return 0;
	return same(e, esn, o->s, osn) && same(eh, ehn, oh, ohn) &&
	    (epn == 0 || same(ep, epn, op, opn));
}

static int
origin_entry(const char *e, size_t n, const void *arg)
{
	return (n == 1 && *e == '*') || origin_match(e, n, arg);
}

int
guard_origin_allowed(const char *list, const char *base, const char *origin)
{
	static const char *const schemes[] = { "http://", "https://", NULL };
	struct want	 w;
	const char	*h, *p;
	char		 e[GUARD_HOST_MAX + 16];
	size_t		 sn, hn, pn, i, j;

	if (origin == NULL || (w.n = strlen(origin)) > ORIGIN_MAX)
		return 0;
	w.s = origin;
	if (list != NULL)
		return each(list, origin_entry, &w);
	for (i = 0; loopback[i] != NULL; i++)
		for (j = 0; schemes[j] != NULL; j++) {
			snprintf(e, sizeof(e), "%s%s", schemes[j], loopback[i]);
			if (origin_match(e, strlen(e), &w))
				return 1;
		}
	/* PUBLIC_BASE_URL's origin, port and all. */
	if (base == NULL || split_url(base, strlen(base), &sn, &h, &hn, &p, &pn) != 0)
		return 0;
	return origin_match(base, (size_t)(p + pn - base), &w);
}

int
guard_origin_host(struct request *req, struct response *resp)
{
	const struct config	*c = &req->app->config;
	const char		*origin = request_header(req, "Origin");

	/* Transports §Security: an Origin present and invalid gets 403. */
	if (origin != NULL && !guard_origin_allowed(c->mcp_allowed_origins,
	    c->public_base_url, origin)) {
		rpc_http_error(resp, 403, RPC_SERVER_ERROR, "Forbidden: Origin not allowed");
		return -1;
	}
	if (!guard_host_allowed(c->mcp_allowed_hosts, c->public_base_url,
	    request_param(req, "HTTP_HOST"))) {
		rpc_http_error(resp, 403, RPC_SERVER_ERROR, "Forbidden: Host not allowed");
		return -1;
	}
	return 0;
}

/* Whether the media range (p, n) of an Accept or Content-Type, parameters
 * aside, is `type`. */
static int
media_is(const char *p, size_t n, const char *type)
{
	size_t	 m = strcspn(p, ";");

	if (m > n)
		m = n;
	while (m > 0 && (p[m - 1] == ' ' || p[m - 1] == '\t'))
		m--;
	return same(p, m, type, strlen(type));
}

static int
accept_entry(const char *e, size_t n, const void *arg)
{
	int	*bits = (int *)(uintptr_t)arg;

	if (media_is(e, n, "application/json"))
		*bits |= GUARD_ACCEPT_JSON;
	else if (media_is(e, n, "text/event-stream"))
		*bits |= GUARD_ACCEPT_SSE;
	return 0;
}

int
guard_accept(const struct request *req)
{
	const char	*a = request_header(req, "Accept");
	int		 bits = 0;

	if (a == NULL || strlen(a) > ACCEPT_MAX)
		return 0;
	/* XXX "q=0" is not read: a client that lists a type refuses it seldom. */
	(void)each(a, accept_entry, (const void *)(uintptr_t)&bits);
	return bits;
}

int
guard_content_type_json(const struct request *req)
{
	const char	*t = req->content_type;

	return t != NULL && strlen(t) <= ACCEPT_MAX &&
	    media_is(t, strlen(t), "application/json");
}
