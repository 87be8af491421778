/*
 * offer: the providers in force and what they add up to (see offer.h).
 */
#include <string.h>

#include "config.h"
#include "fixtures.h"
#include "offer.h"
#include "tools.h"

#define SEGMENT_MAX	64	/* bytes of a template's {x} */

size_t
offer_all(const struct config *cfg, const struct offer *out[OFFER_MAX])
{
	size_t	 n = 0;

	out[n++] = &tools_offer;
	/* The bool words' odd indexes are the true ones (config.c). */
	if (cfg->mcp_conformance_fixtures & 1)
		out[n++] = &fixtures_offer;
	return n;
}

void
offer_summarize(const struct config *cfg, struct offer_summary *s)
{
	const struct offer	*o[OFFER_MAX];
	size_t			 i, j, n = offer_all(cfg, o);

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		s->tools += o[i]->n_tools;
		s->resources += o[i]->n_resources + o[i]->n_templates;
		s->prompts += o[i]->n_prompts;
		s->complete |= o[i]->complete != NULL;
		for (j = 0; j < o[i]->n_resources; j++)
			s->subscribe |= o[i]->resources[j].subscribable;
	}
}

int
offer_template_match(const char *t, const char *uri, const char **seg,
    size_t *seglen)
{
	const char	*open = strchr(t, '{'), *close, *suffix;
	size_t		 plen, slen, ulen = strlen(uri), n;

	if (open == NULL || (close = strchr(open, '}')) == NULL)
		return 0;
	plen = (size_t)(open - t);
	suffix = close + 1;
	slen = strlen(suffix);
	if (ulen <= plen + slen || strncmp(uri, t, plen) != 0 ||
	    strcmp(uri + ulen - slen, suffix) != 0)
		return 0;
	n = ulen - plen - slen;
	if (n > SEGMENT_MAX || memchr(uri + plen, '/', n) != NULL)
		return 0;
	*seg = uri + plen;
	*seglen = n;
	return 1;
}
