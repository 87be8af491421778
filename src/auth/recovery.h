/*
 * recovery: FastAPI-Users' reset-password and verify routes (recovery.c).
 */
#ifndef FCGI_USERS_AUTH_RECOVERY_H
#define FCGI_USERS_AUTH_RECOVERY_H

struct request;
struct response;

void	recovery_forgot(struct request *, struct response *);
void	recovery_reset(struct request *, struct response *);
void	recovery_request_verify(struct request *, struct response *);
void	recovery_verify(struct request *, struct response *);

#endif
