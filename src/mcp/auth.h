/*
 * auth: who calls the MCP endpoint (MCP 2025-11-25 "Authorization", RFC
 * 6750, RFC 9728, RFC 8707).  Every request carries `Authorization:
 * Bearer <token>`: an MCP token of POST /auth/mcp-token (the MCP key,
 * MCP_JWT_ISSUER, audience MCP_JWT_AUDIENCE or the canonical URL
 * PUBLIC_BASE_URL + /mcp-server/mcp, scope holding mcp-access), or, unless
 * MCP_ACCEPT_ACCESS_TOKENS=false, an ordinary access token (the account's
 * own, so it carries every scope).  The user must exist and be active.
 *
 * Refusals carry the RFC 9728 discovery hint: 401 `WWW-Authenticate:
 * Bearer resource_metadata="<PRM URL>", scope="mcp-access"` (with
 * error="invalid_token" when a token was sent), 403 with
 * error="insufficient_scope"; the body is a JSON-RPC error without id.
 */
#ifndef FCGI_USERS_MCP_AUTH_H
#define FCGI_USERS_MCP_AUTH_H

struct principal;
struct request;
struct response;

#define AUTH_PRM_PATH	"/.well-known/oauth-protected-resource"

/* 0 with *p, or -1 after answering resp (401, 403, 503). */
int	 auth_require(struct request *, struct response *, struct principal *p);
/* GET of the Protected Resource Metadata (RFC 9728 §3), at AUTH_PRM_PATH
 * and AUTH_PRM_PATH + the endpoint's path. */
void	 auth_metadata(struct request *, struct response *);
/* The URL of that metadata for PUBLIC_BASE_URL (RFC 9728 §3.1: the
 * well-known part goes between the host and the path); request arena. */
const char *auth_metadata_url(struct request *);

#endif
