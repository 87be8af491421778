/*
 * mcp_token: POST /auth/mcp-token (mcp_token.c).
 */
#ifndef FCGI_USERS_AUTH_MCP_TOKEN_H
#define FCGI_USERS_AUTH_MCP_TOKEN_H

struct request;
struct response;

void	mcp_token_issue(struct request *, struct response *);

#endif
