/* interop_mcp: the MCP interop tests' server (interop_mcp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "interop_mcp.h"
#include "mcp_util.h"

#define IU_MCP_EXTRA_MAX	8

int
iu_mcp_start(struct iu_mcp *m, const char *const *extra, int procs,
    int gazetteer)
{
	const char		*env[IU_MCP_EXTRA_MAX + 6];
	struct harness_opts	 o;
	const char		*keys;
	size_t			 n = 0;

	memset(m, 0, sizeof(*m));
	env[n++] = "PASSWORD_ARGON2_MEMORY_KIB=8192";
	env[n++] = "PASSWORD_ARGON2_TIME_COST=1";
	env[n++] = "PASSWORD_ARGON2_PARALLELISM=1";
	if (mu_keys(&keys) != 0)
		return -1;
	env[n++] = keys;
	if (gazetteer && (env[n++] = iu_gazetteer_setting()) == NULL)
		return -1;
	for (; extra != NULL && *extra != NULL; extra++) {
		if (n >= IU_MCP_EXTRA_MAX + 5)
			return -1;
		env[n++] = *extra;
	}
	env[n] = NULL;
	memset(&o, 0, sizeof(o));
	o.env = env;
	o.procs = procs;
	if ((m->h = harness_start(&o)) == NULL ||
	    (gazetteer && iu_gazetteer_import(m->h) != 0) ||
	    iu_user_new(m->h, &m->user) != 0)
		return -1;
	snprintf(m->url, sizeof(m->url), "%s/mcp-server/mcp", harness_url(m->h));
	return (m->token = iu_mcp_token(m->h, &m->user)) != NULL ? 0 : -1;
}

int
iu_mcp_stop(struct iu_mcp *m)
{
	int	 rc = m->h != NULL ? harness_check_log(m->h) : 0;

	harness_stop(m->h);
	m->h = NULL;
	iu_user_free(&m->user);
	free(m->token);
	m->token = NULL;
	mu_keys_free();
	return rc;
}
