/*
 * users.fcgi: /users/..., /protected, /health and /, and while
 * DOCS_ENABLED the API documentation, /openapi.json and /docs (docs.h) —
 * the Python service's app-level routes.  This file is the program's
 * route table and its small handlers; the work is in libcommon.
 */
#include <json-c/json.h>

#include "accounts.h"
#include "app.h"
#include "arena.h"
#include "authn.h"
#include "db.h"
#include "docs.h"
#include "log.h"
#include "users.h"

static void	health(struct request *, struct response *);
static void	root(struct request *, struct response *);
static void	me_get(struct request *, struct response *);
static void	me_patch(struct request *, struct response *);
static void	user_get(struct request *, struct response *);
static void	user_patch(struct request *, struct response *);
static void	user_delete(struct request *, struct response *);
static void	protected(struct request *, struct response *);
static void	protected_data(struct request *, struct response *);

static const struct route routes[] = {
	{ HTTP_GET, "/", root, ROUTE_NO_DB },
	{ HTTP_GET, "/health", health, ROUTE_NO_DB },
	{ HTTP_GET, "/users/me", me_get, 0 },
	{ HTTP_PATCH, "/users/me", me_patch, 0 },
	{ HTTP_GET, "/users/{id}", user_get, 0 },
	{ HTTP_PATCH, "/users/{id}", user_patch, 0 },
	{ HTTP_DELETE, "/users/{id}", user_delete, 0 },
	{ HTTP_GET, "/protected", protected, 0 },
	{ HTTP_GET, "/protected/data", protected_data, 0 },
	{ HTTP_GET, "/openapi.json", docs_openapi, ROUTE_NO_DB | ROUTE_DOCS },
	{ HTTP_GET, "/docs", docs_page, ROUTE_NO_DB | ROUTE_DOCS },
	{ HTTP_GET, "/docs/{file}", docs_file, ROUTE_NO_DB | ROUTE_DOCS },
};

static const struct app_def users_app = {
	"users.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1, 0, 0
};

/* GET / — the Python service's welcome. */
static void
root(struct request *req, struct response *resp)
{
	struct json_object	*o = json_object_new_object();

	(void)req;
	json_object_object_add(o, "message",
	    json_object_new_string("Welcome to FastAPI Application"));
	response_json(resp, 200, o);
}

/* GET /health — 200 when the database answers, else 503 with the reason. */
static void
health(struct request *req, struct response *resp)
{
	struct app		*app = req->app;
	struct json_object	*o = json_object_new_object();
	enum app_state		 st;
	char			 ts[48];
	int			 ok;

	st = app_db_ready(app);
	ok = st == APP_READY && db_ping(app->db) == DB_OK;
	app_isotime(ts, sizeof(ts));
	json_object_object_add(o, "status",
	    json_object_new_string(ok ? "healthy" : "unhealthy"));
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	json_object_object_add(o, "service",
	    json_object_new_string(app->config.app_name));
	json_object_object_add(o, "version",
	    json_object_new_string(FCGI_USERS_VERSION));
	if (!ok)
		json_object_object_add(o, "detail", json_object_new_string(
		    st == APP_READY ? app_state_detail(APP_DB_UNAVAILABLE) :
		    app_state_detail(st)));
	response_json(resp, ok ? 200 : 503, o);
}

/* GET /users/me */
static void
me_get(struct request *req, struct response *resp)
{
	struct principal	 p;

	if (authn_require(req, resp, 0, &p) == 0)
		response_json(resp, 200, users_to_json(&p.user));
}

/* PATCH /users/me — FastAPI-Users' safe update. */
static void
me_patch(struct request *req, struct response *resp)
{
	struct principal	 p;

	if (authn_require(req, resp, 0, &p) == 0)
		accounts_update(req, resp, &p.user, 1, &p);
}

/*
 * The user named by {id} for a superuser: 401, then 403, then 404 for an
 * unknown or malformed id (FastAPI-Users' order).  Returns 0 with *u.
 */
static int
target_user(struct request *req, struct response *resp, struct principal *p,
    struct user *u)
{
	char		 id[USERS_ID_LEN + 1];
	enum users_err	 e;

	if (authn_require(req, resp, AUTHN_SUPERUSER, p) != 0)
		return -1;
	if (users_uuid_parse(req->path_params[0], id) != 0) {
		response_error(resp, 404, "Not Found");
		return -1;
	}
	if ((e = users_find_by_id(req->app->db, req->arena, id, u)) == USERS_NOTFOUND) {
		response_error(resp, 404, "Not Found");
		return -1;
	}
	if (e != USERS_OK) {
		response_error(resp, 503, "Database unavailable");
		return -1;
	}
	return 0;
}

static void
user_get(struct request *req, struct response *resp)
{
	struct principal	 p;
	struct user		 u;

	if (target_user(req, resp, &p, &u) == 0)
		response_json(resp, 200, users_to_json(&u));
}

static void
user_patch(struct request *req, struct response *resp)
{
	struct principal	 p;
	struct user		 u;

	if (target_user(req, resp, &p, &u) == 0)
		accounts_update(req, resp, &u, 0, &p);
}

/* DELETE /users/{id} — 204; the user's tokens die with the row. */
static void
user_delete(struct request *req, struct response *resp)
{
	struct principal	 p;
	struct user		 u;
	enum users_err		 e;

	if (target_user(req, resp, &p, &u) != 0)
		return;
	if ((e = users_delete(req->app->db, u.id)) != USERS_OK &&
	    e != USERS_NOTFOUND) {
		response_error(resp, 503, "Database unavailable");
		return;
	}
	log_info("user deleted", "user_id", u.id, "by", p.user.id);
	response_empty(resp, 204);
}

/*
 * The principal as the Python service's /protected named it: {id, email,
 * full_name, role}, or null for the legacy key holder.
 */
static struct json_object *
principal_json(const struct principal *p)
{
	struct json_object	*u;

	if (p->is_api_key)
		return NULL;
	u = json_object_new_object();
	json_object_object_add(u, "id", json_object_new_string(p->user.id));
	json_object_object_add(u, "email", json_object_new_string(p->user.email));
	json_object_object_add(u, "full_name", users_full_name(&p->user));
	json_object_object_add(u, "role", json_object_new_string(p->user.role));
	return u;
}

/*
 * GET /protected — Bearer, or the legacy X-API-KEY while it is configured.
 * "message" is FastAPI-Users' (the contract); "user" and
 * "timestamp" are what the Python service added beside it.
 */
static void
protected(struct request *req, struct response *resp)
{
	struct principal	 p;
	struct json_object	*o;
	char			 now[40];

	if (authn_require(req, resp, AUTHN_API_KEY, &p) != 0)
		return;
	log_timestamp(now, sizeof(now), LOG_TIME_US_OFFSET);
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(
	    p.is_api_key ? "Access granted to API key holder" :
	    arena_printf(req->arena, "Access granted to %s", p.user.email)));
	json_object_object_add(o, "user", principal_json(&p));
	json_object_object_add(o, "timestamp", json_object_new_string(now));
	response_json(resp, 200, o);
}

/* GET /protected/data — the Python service's example data, same access. */
static void
protected_data(struct request *req, struct response *resp)
{
	static const char *const items[] = { "item1", "item2", "item3" };
	struct principal	 p;
	struct json_object	*o, *d, *a;
	size_t			 i;

	if (authn_require(req, resp, AUTHN_API_KEY, &p) != 0)
		return;
	d = json_object_new_object();
	json_object_object_add(d, "id", json_object_new_int(1));
	json_object_object_add(d, "info",
	    json_object_new_string("This is protected information"));
	a = json_object_new_array();
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	json_object_object_add(d, "items", a);
	json_object_object_add(d, "accessible_by", json_object_new_string(
	    p.is_api_key ? "API key holder" : p.user.email));
	o = json_object_new_object();
	json_object_object_add(o, "data", d);
	response_json(resp, 200, o);
}

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &users_app);
}
