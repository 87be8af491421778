/*
 * docs: the API documentation users.fcgi serves while DOCS_ENABLED (unset:
 * on unless ENV=production, as the Python service's /docs) — GET
 * /openapi.json, Swagger UI's page at GET /docs and its files at GET
 * /docs/{file}.  Their routes carry ROUTE_DOCS: with the setting off they
 * do not exist (404 {"detail":"Not Found"}), and docs/openapi.yaml does
 * not describe them (tests/docs checks the other routes against it).
 */
#ifndef FCGI_USERS_DOCS_H
#define FCGI_USERS_DOCS_H

struct request;
struct response;

void	 docs_openapi(struct request *, struct response *);
void	 docs_page(struct request *, struct response *);
void	 docs_file(struct request *, struct response *);

#endif
