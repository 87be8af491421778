/*
 * interop_mcp: the server the MCP interop tests (the SDK client, the
 * Inspector CLI, the conformance suite) talk to: a harness with cheap
 * Argon2, MCP signing keys (mcp_util.c), `extra` settings, the fixture
 * gazetteer when asked, a registered user and an MCP token from
 * /auth/mcp-token, the flow the server's instructions give.
 */
#ifndef FCGI_USERS_INTEROP_MCP_H
#define FCGI_USERS_INTEROP_MCP_H

#include <stddef.h>

#include "interop_util.h"

struct harness;

struct iu_mcp {
	struct harness	*h;
	struct iu_user	 user;
	char		*token;		/* the user's MCP token */
	char		 url[256];	/* .../mcp-server/mcp */
};

/* NULL-terminated extra settings (may be NULL), `procs` FastCGI processes,
 * the gazetteer imported when `gazetteer`.  0, or -1 (then stop it). */
int	iu_mcp_start(struct iu_mcp *, const char *const *extra, int procs,
	    int gazetteer);
/* Stops it all; harness_check_log's verdict (0 when nothing was wrong). */
int	iu_mcp_stop(struct iu_mcp *);

#endif
