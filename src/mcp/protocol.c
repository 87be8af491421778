/*
 * protocol: the MCP methods (see protocol.h).  The session a request
 * belongs to was checked by transport.c before; here initialize makes one
 * and logging/setLevel writes to it.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "log.h"
#include "mcp.h"
#include "offer.h"
#include "prompts.h"
#include "protocol.h"
#include "resources.h"
#include "rpc.h"
#include "session.h"
#include "tools.h"

static const char *const versions[] = {
	PROTOCOL_LATEST, "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

static const char *const level_names[MCP_LOG__MAX] = {
	[MCP_LOG_DEBUG] = "debug",
	[MCP_LOG_INFO] = "info",
	[MCP_LOG_NOTICE] = "notice",
	[MCP_LOG_WARNING] = "warning",
	[MCP_LOG_ERROR] = "error",
	[MCP_LOG_CRITICAL] = "critical",
	[MCP_LOG_ALERT] = "alert",
	[MCP_LOG_EMERGENCY] = "emergency",
};

enum mcp_log_level
mcp_log_level_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return MCP_LOG__MAX;
	for (i = 0; i < MCP_LOG__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return MCP_LOG__MAX;
}

const char *
mcp_log_level_name(enum mcp_log_level l)
{
	return l < MCP_LOG__MAX ? level_names[l] : "none";
}

int
protocol_supported(const char *v)
{
	size_t	 i;

	for (i = 0; versions[i] != NULL; i++)
		if (strcmp(v, versions[i]) == 0)
			return 1;
	return 0;
}

typedef int (*method_fn)(struct mcp_call *, struct json_object *,
    struct json_object **, const char **);


/* What the client can answer (SESSION_CAP_*): the members of
 * initialize's params.capabilities that are objects. */
static unsigned
client_caps(struct json_object *caps)
{
	static const struct { const char *name; unsigned bit; } known[] = {
		{ "sampling", SESSION_CAP_SAMPLING },
		{ "elicitation", SESSION_CAP_ELICITATION },
		{ "roots", SESSION_CAP_ROOTS },
	};
	struct json_object	*v;
	unsigned		 bits = 0;
	size_t			 i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (json_object_object_get_ex(caps, known[i].name, &v) &&
		    json_object_is_type(v, json_type_object))
			bits |= known[i].bit;
	return bits;
}

/* The server's capabilities: what the providers in force offer. */
static struct json_object *
server_caps(const struct config *cfg)
{
	struct offer_summary	 o;
	struct json_object	*caps = json_object_new_object(), *v;

	offer_summarize(cfg, &o);
	v = json_object_new_object();
	json_object_object_add(v, "listChanged", json_object_new_boolean(0));
	json_object_object_add(caps, "tools", v);
	json_object_object_add(caps, "logging", json_object_new_object());
	if (o.resources > 0) {
		v = json_object_new_object();
		json_object_object_add(v, "subscribe", json_object_new_boolean(o.subscribe));
		json_object_object_add(v, "listChanged", json_object_new_boolean(0));
		json_object_object_add(caps, "resources", v);
	}
	if (o.prompts > 0) {
		v = json_object_new_object();
		json_object_object_add(v, "listChanged", json_object_new_boolean(0));
		json_object_object_add(caps, "prompts", v);
	}
	if (o.complete)
		json_object_object_add(caps, "completions", json_object_new_object());
	return caps;
}

/* initialize: negotiate (Lifecycle §Version Negotiation), make a session. */
static int
m_initialize(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	struct json_object	*v, *caps, *info, *o;
	struct session		 s;
	const char		*want, *ver = PROTOCOL_LATEST, *base;
	size_t			 i, n;
	enum session_err	 e;

	if (params == NULL || !json_object_object_get_ex(params, "protocolVersion", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_object_get_ex(params, "capabilities", &caps) ||
	    !json_object_is_type(caps, json_type_object) ||
	    !json_object_object_get_ex(params, "clientInfo", &info) ||
	    !json_object_is_type(info, json_type_object)) {
		*msg = "Invalid params: initialize needs protocolVersion, "
		    "capabilities and clientInfo";
		return RPC_INVALID_PARAMS;
	}
	/* Echo a version we speak; otherwise offer our latest. */
	want = json_object_get_string(v);
	for (i = 0; versions[i] != NULL; i++)
		if (strcmp(want, versions[i]) == 0 &&
		    strlen(versions[i]) == (size_t)json_object_get_string_len(v))
			ver = versions[i];
	e = session_create(c->req->app->db, c->who->user.id, ver, client_caps(caps),
	    (int64_t)time(NULL), c->req->app->config.mcp_session_idle_minutes * 60, &s);
	if (e != SESSION_OK) {
		log_error("cannot create an MCP session", "error", session_strerror(e));
		*msg = "Cannot create a session";
		return RPC_INTERNAL_ERROR;
	}
	c->new_session = arena_strdup(c->req->arena, s.id);
	c->version = ver;
	o = json_object_new_object();
	json_object_object_add(o, "protocolVersion", json_object_new_string(ver));
	json_object_object_add(o, "capabilities", server_caps(&c->req->app->config));
	info = json_object_new_object();
	json_object_object_add(info, "name", json_object_new_string(MCP_SERVER_NAME));
	json_object_object_add(info, "title", json_object_new_string("Geocoding"));
	json_object_object_add(info, "version", json_object_new_string(FCGI_USERS_VERSION));
	json_object_object_add(o, "serverInfo", info);
	base = c->req->app->config.public_base_url;
	n = base != NULL ? strlen(base) : 0;
	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((base = arena_strndup(c->req->arena, base != NULL ? base : "", n)) != NULL &&
	    (base = arena_printf(c->req->arena,
    "Geocoding for MCP clients: the tool geocode_city turns a city name "
    "into coordinates. Every HTTP request needs the header "
    "'Authorization: Bearer <token>'. To get a token: log in with POST "
    "%s/auth/jwt/login (form fields username and password) for an access "
    "token, then POST %s/auth/mcp-token with 'Authorization: Bearer "
    "<access token>' and the JSON body {} for an MCP token (scope "
    "mcp-access); use that one here. An administrator can mint one with "
    "`fcgi-users token mint --mcp --email EMAIL`. Tokens expire: fetch a "
    "new one when the server answers 401.", base, base)) != NULL)
		json_object_object_add(o, "instructions", json_object_new_string(base));
	*result = o;
	return 0;
}

static int
m_ping(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	(void)c;
	(void)params;
	(void)msg;
	*result = json_object_new_object();
	return 0;
}

/* logging/setLevel (Utilities §Logging): remembered by the session. */
static int
m_set_level(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	struct json_object	*v;
	enum mcp_log_level	 l;

	if (params == NULL || !json_object_object_get_ex(params, "level", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (l = mcp_log_level_parse(json_object_get_string(v))) == MCP_LOG__MAX) {
		*msg = "Invalid params: level must be one of debug, info, notice, "
		    "warning, error, critical, alert, emergency";
		return RPC_INVALID_PARAMS;
	}
	if (c->sess != NULL && session_set_log_level(c->req->app->db, c->sess,
	    level_names[l]) != SESSION_OK) {
		*msg = "Cannot store the level";
		return RPC_INTERNAL_ERROR;
	}
	/* Without a session the level holds for this request only. */
	c->log_level = l;
	*result = json_object_new_object();
	return 0;
}

/* What a method needs offered, beside itself. */
enum need {
	NEED_NOTHING,
	NEED_RESOURCES,
	NEED_SUBSCRIBE,
	NEED_PROMPTS,
	NEED_COMPLETE,
	NEED__MAX
};

static const struct {
	const char	*name;
	method_fn	 fn;
	enum need	 need;
} methods[] = {
	{ "initialize", m_initialize, NEED_NOTHING },
	{ "ping", m_ping, NEED_NOTHING },
	{ "tools/list", tools_list, NEED_NOTHING },
	{ "tools/call", tools_call, NEED_NOTHING },
	{ "logging/setLevel", m_set_level, NEED_NOTHING },
	{ "resources/list", resources_list, NEED_RESOURCES },
	{ "resources/templates/list", resources_templates_list, NEED_RESOURCES },
	{ "resources/read", resources_read, NEED_RESOURCES },
	{ "resources/subscribe", resources_subscribe, NEED_SUBSCRIBE },
	{ "resources/unsubscribe", resources_subscribe, NEED_SUBSCRIBE },
	{ "prompts/list", prompts_list, NEED_PROMPTS },
	{ "prompts/get", prompts_get, NEED_PROMPTS },
	{ "completion/complete", prompts_complete, NEED_COMPLETE },
};

/* Whether what the method needs is offered (else it does not exist). */
static int
offered(const struct config *cfg, enum need n)
{
	struct offer_summary	 o;

	if (n == NEED_NOTHING)
		return 1;
	offer_summarize(cfg, &o);
	return (n == NEED_RESOURCES && o.resources > 0) ||
	    (n == NEED_SUBSCRIBE && o.subscribe) ||
	    (n == NEED_PROMPTS && o.prompts > 0) ||
	    (n == NEED_COMPLETE && o.complete);
}

struct json_object *
protocol_request(struct mcp_call *c, const char *method, struct json_object *params)
{
	struct json_object	*result = NULL, *meta, *tok;
	const char		*msg = "Internal error";
	size_t			 i;
	int			 code;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			break;
	if (i == sizeof(methods) / sizeof(methods[0]) ||
	    !offered(&c->req->app->config, methods[i].need))
		return rpc_error(c->id, RPC_METHOD_NOT_FOUND, "Method not found");
	/* params._meta.progressToken: a string or an integer. */
	if (params != NULL && json_object_object_get_ex(params, "_meta", &meta) &&
	    json_object_is_type(meta, json_type_object) &&
	    json_object_object_get_ex(meta, "progressToken", &tok) &&
	    (json_object_is_type(tok, json_type_string) ||
	    json_object_is_type(tok, json_type_int)) &&
	    json_object_get_string_len(tok) <= RPC_ID_MAX)
		c->progress = tok;
	if ((code = methods[i].fn(c, params, &result, &msg)) != 0)
		return rpc_error(c->id, code, msg);
	return rpc_result(c->id, result);
}

void
protocol_notification(struct mcp_call *c, const char *method,
    struct json_object *params)
{
	(void)params;
	/*
	 * notifications/initialized: nothing to do, a session is usable at
	 * once.  notifications/cancelled: every request is answered within
	 * its own POST, so there is nothing in flight to stop here (Utilities
	 * §Cancellation lets a receiver ignore it).  Others: ignored.
	 */
	if (strcmp(method, "notifications/initialized") != 0 &&
	    strcmp(method, "notifications/cancelled") != 0)
		log_debug("MCP notification ignored", "method", method);
	(void)c;
}
