/*
 * docs_assets: the files of the API documentation, built into users.fcgi
 * at compile time (docs_assets.c): openapi.json (docs/openapi.yaml
 * converted by docs/openapi_json.py), Swagger UI's page and start-up
 * script (docs_ui/), and swagger-ui-dist's bundle and style sheet (npm,
 * pinned in docs/package.json) when the build found them.
 */
#ifndef FCGI_USERS_DOCS_ASSETS_H
#define FCGI_USERS_DOCS_ASSETS_H

#include <stdint.h>

struct docs_asset {
	const char		*name;	/* "swagger-ui.css"; "" for the page itself */
	const char		*type;	/* Content-Type */
	const unsigned char	*data;
	const uint64_t		*len;	/* bytes of data (set by the assembler) */
};

/* The OpenAPI document as JSON (always built in). */
const struct docs_asset	*docs_asset_openapi(void);
/*
 * Swagger UI's files by name: "" is the page (/docs), the others are
 * served under /docs/.  NULL for an unknown name, and for every name when
 * the build had no swagger-ui-dist (docs_ui_built() is then 0).
 */
const struct docs_asset	*docs_asset_find(const char *name);
int			 docs_ui_built(void);

#endif
