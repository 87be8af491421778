/*
 * session: POST /auth/jwt/refresh and /auth/jwt/logout (session.c).
 */
#ifndef FCGI_USERS_AUTH_SESSION_H
#define FCGI_USERS_AUTH_SESSION_H

struct request;
struct response;

void	session_refresh(struct request *, struct response *);
void	session_logout(struct request *, struct response *);

#endif
