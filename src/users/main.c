/*
 * users.fcgi: /users/..., /protected, /health and /.  This file is the
 * program's route table and its small handlers; the work is in libcommon.
 */
#include <json-c/json.h>

#include "app.h"
#include "db.h"

static void	health(struct request *, struct response *);
static void	root(struct request *, struct response *);

static const struct route routes[] = {
	{ HTTP_GET, "/", root, ROUTE_NO_DB },
	{ HTTP_GET, "/health", health, ROUTE_NO_DB },
};

static const struct app_def users_app = {
	"users.fcgi", routes, sizeof(routes) / sizeof(routes[0]), 1
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

int
main(int argc, char **argv)
{
	return app_main(argc, argv, &users_app);
}
