/*
 * tools: the tool table and tools/list, tools/call (see tools.h), and
 * geocode_city.  The list is built once per process (the table and the
 * settings it reads do not change while the process lives).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "authn.h"
#include "json.h"
#include "log.h"
#include "mcp.h"
#include "offer.h"
#include "rpc.h"
#include "service.h"
#include "tools.h"

static int	geocode_city(struct mcp_call *, struct json_object *,
		    struct json_object **, const char **);

static const struct offer_tool tools[] = {
	{ "geocode_city", "Geocode a city",
	    "Geocode a city name to get its geographic coordinates. "
	    "Returns the latitude and longitude, the place's full name, its "
	    "GeoNames or OpenStreetMap id and bounding box when known, and "
	    "whether the answer came from the cache. Accepts a city name "
	    "(\"Amsterdam\"), optionally with a region or country (\"Paris, "
	    "France\").",
	    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
	    "\"minLength\":1,\"maxLength\":200,\"description\":\"The city to "
	    "geocode, e.g. \\\"Amsterdam\\\" or \\\"Paris, France\\\"\"}},"
	    "\"required\":[\"city\"],\"additionalProperties\":false}",
	    "{\"type\":\"object\",\"properties\":{"
	    "\"city\":{\"type\":\"string\"},"
	    "\"location\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":"
	    "\"number\"},\"lon\":{\"type\":\"number\"}},\"required\":[\"lat\",\"lon\"]},"
	    "\"display_name\":{\"type\":\"string\"},"
	    "\"place_id\":{\"type\":[\"integer\",\"null\"]},"
	    "\"boundingbox\":{\"type\":[\"array\",\"null\"],\"items\":{\"type\":"
	    "\"number\"},\"minItems\":4,\"maxItems\":4},"
	    "\"timestamp\":{\"type\":\"string\"},"
	    "\"cached\":{\"type\":\"boolean\"},"
	    "\"success\":{\"type\":\"boolean\"}},"
	    "\"required\":[\"city\",\"location\",\"display_name\",\"cached\",\"success\"]}",
	    OFFER_HINTS_GEOCODE, geocode_city },
};

const struct offer tools_offer = {
	tools, sizeof(tools) / sizeof(tools[0]), NULL, 0, NULL, 0, NULL, 0, NULL
};

/* The tools of every provider in force, in one list (the same for the
 * whole life of a process: the settings do not change). */
static const struct offer_tool	*all[TOOLS_MAX];
static size_t			 n_all;
static int			 all_ready;

static void
gather(const struct config *cfg)
{
	const struct offer	*o[OFFER_MAX];
	size_t			 i, j, n;

	if (all_ready)
		return;
	n = offer_all(cfg, o);
	for (i = 0; i < n; i++)
		for (j = 0; j < o[i]->n_tools && n_all < TOOLS_MAX; j++)
			all[n_all++] = &o[i]->tools[j];
	all_ready = 1;
}

/* One per process: the gazetteer stays open between requests. */
static struct geo_service	 service;
static int			 service_ready;
static struct json_object	*listed[TOOLS_MAX];	/* each tool as tools/list shows it */

static struct geo_service *
svc(struct mcp_call *c)
{
	if (!service_ready) {
		geo_service_init(&service, &c->req->app->config);
		service_ready = 1;
	}
	return &service;
}

/* The tool as tools/list shows it; NULL when out of memory. */
static struct json_object *
tool_json(struct mcp_call *c, const struct offer_tool *t)
{
	struct json_object	*o, *a;
	struct geo_service	*s;
	int			 open_world = 0;
	size_t			 i;

	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(t->name));
	if (t->title != NULL)
		json_object_object_add(o, "title", json_object_new_string(t->title));
	json_object_object_add(o, "description", json_object_new_string(t->description));
	json_object_object_add(o, "inputSchema", json_tokener_parse(t->input_schema));
	if (t->output_schema != NULL)
		json_object_object_add(o, "outputSchema",
		    json_tokener_parse(t->output_schema));
	if (t->hints != OFFER_HINTS_GEOCODE)
		return o;
	s = svc(c);
	for (i = 0; i < s->n_chain; i++)
		open_world |= s->chain[i] == GEO_NOMINATIM;
	a = json_object_new_object();
	json_object_object_add(a, "title", json_object_new_string(t->title));
	json_object_object_add(a, "readOnlyHint", json_object_new_boolean(1));
	json_object_object_add(a, "destructiveHint", json_object_new_boolean(0));
	json_object_object_add(a, "idempotentHint", json_object_new_boolean(1));
	/* Open world only when Nominatim may be asked (GEOCODER). */
	json_object_object_add(a, "openWorldHint", json_object_new_boolean(open_world));
	json_object_object_add(o, "annotations", a);
	return o;
}

/* The cursor of a page starting at `start`: "t" and the index. */
static const char *
cursor_make(struct arena *a, size_t start)
{
	return arena_printf(a, "t%zu", start);
}

/* The index a cursor names, or -1 when it is not one we handed out. */
static long
cursor_parse(struct json_object *cur, size_t n)
{
	const char	*s;
	int64_t		 v;

	if (!json_object_is_type(cur, json_type_string))
		return -1;
	s = json_object_get_string(cur);
	if ((size_t)json_object_get_string_len(cur) > 12 || s[0] != 't' ||
	    strlen(s) != (size_t)json_object_get_string_len(cur) ||
	    n < 2 || config_strtonum(s + 1, 1, (int64_t)n - 1, &v) != 0 ||
	    s[1] == '0' || s[1] == '+' || s[1] == '-')
		return -1;
	return (long)v;
}

int
tools_list(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	struct json_object	*cur = NULL, *arr;
	size_t			 start = 0, i;
	long			 v;

	gather(&c->req->app->config);
	if (params != NULL && json_object_object_get_ex(params, "cursor", &cur) &&
	    cur != NULL) {
		if ((v = cursor_parse(cur, n_all)) < 0) {
			*msg = "Invalid cursor";
			return RPC_INVALID_PARAMS;
		}
		start = (size_t)v;
	}
	arr = json_object_new_array();
	for (i = start; i < n_all && i < start + TOOLS_PAGE_SIZE; i++) {
		if (listed[i] == NULL && (listed[i] = tool_json(c, all[i])) == NULL) {
			json_object_put(arr);
			*msg = "Out of memory";
			return RPC_INTERNAL_ERROR;
		}
		json_object_array_add(arr, json_object_get(listed[i]));
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "tools", arr);
	if (i < n_all)
		json_object_object_add(*result, "nextCursor",
		    json_object_new_string(cursor_make(c->req->arena, i)));
	return 0;
}

struct json_object *
tools_text_result(const char *text, int is_error)
{
	struct json_object	*o = json_object_new_object(), *a, *t;

	a = json_object_new_array();
	t = json_object_new_object();
	json_object_object_add(t, "type", json_object_new_string("text"));
	json_object_object_add(t, "text", json_object_new_string(text));
	json_object_array_add(a, t);
	json_object_object_add(o, "content", a);
	if (is_error)
		json_object_object_add(o, "isError", json_object_new_boolean(1));
	return o;
}

int
tools_call(struct mcp_call *c, struct json_object *params,
    struct json_object **result, const char **msg)
{
	struct json_object	*name, *args = NULL;
	size_t			 i;

	if (params == NULL || !json_object_object_get_ex(params, "name", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		*msg = "Invalid params: name must be a string";
		return RPC_INVALID_PARAMS;
	}
	gather(&c->req->app->config);
	for (i = 0; i < n_all; i++)
		if (strcmp(all[i]->name, json_object_get_string(name)) == 0 &&
		    strlen(all[i]->name) == (size_t)json_object_get_string_len(name))
			break;
	if (i == n_all) {
		/* The name is not echoed: it could be anything. */
		*msg = "Unknown tool";
		return RPC_INVALID_PARAMS;
	}
	(void)json_object_object_get_ex(params, "arguments", &args);
	if (args != NULL && !json_object_is_type(args, json_type_object)) {
		*result = tools_text_result("Input validation error: arguments must be "
		    "an object", 1);
		return 0;
	}
	return all[i]->run(c, args, result, msg);
}

/* --- geocode_city ------------------------------------------------------ */

/* Checks the arguments against the input schema; the city (trimmed) into
 * *city, or NULL with *why (the isError text). */
static void
city_argument(struct mcp_call *c, struct json_object *args, const char **city,
    const char **why)
{
	struct json_object	*v;
	const char		*s, *e;
	long			 n;

	*city = NULL;
	*why = NULL;
	if (args != NULL) {
		json_object_object_foreach(args, key, val) {
			(void)val;
			if (strcmp(key, "city") != 0) {
				*why = "Input validation error: Additional "
				    "properties are not allowed (only 'city')";
				return;
			}
		}
	}
	if (args == NULL || !json_object_object_get_ex(args, "city", &v)) {
		*why = "Input validation error: 'city' is a required property";
		return;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*why = "Input validation error: 'city' is not of type 'string'";
		return;
	}
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s) ||
	    (n = utf8_length(s, strlen(s))) < 0) {
		*why = "Input validation error: 'city' is not a valid string";
		return;
	}
	if (n < 1) {
		*why = "Input validation error: 'city' should have at least 1 character";
		return;
	}
	if (n > GEOCODE_CITY_MAX) {
		*why = "Input validation error: 'city' should have at most 200 characters";
		return;
	}
	/* The Python tool trims first; blank is its "Invalid input". */
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (e == s) {
		*why = "Invalid input: City name cannot be empty";
		return;
	}
	*city = arena_strndup(c->req->arena, s, (size_t)(e - s));
	if (*city == NULL)
		*why = "Out of memory";
}

static int
geocode_city(struct mcp_call *c, struct json_object *args,
    struct json_object **result, const char **msg)
{
	struct geo_service	*s = svc(c);
	struct principal	*p = c->who;
	struct geo_quota	 q;
	struct geo_result	 r;
	struct json_object	*o, *d;
	const char		*city, *why, *text;

	city_argument(c, args, &city, &why);
	if (city == NULL) {
		*result = tools_text_result(why, 1);
		return 0;
	}
	if (geo_quota_spend(s, c->req->app->db, p->user.role, p->user.id, &q) != 0) {
		*msg = "Database unavailable";
		return RPC_INTERNAL_ERROR;
	}
	if (!q.r.allowed) {
		*result = tools_text_result(arena_printf(c->req->arena, "Rate limit "
		    "exceeded: %s. Retry after %lld seconds.", q.describe,
		    (long long)q.r.retry_after_s), 1);
		return 0;
	}
	mcp_progress(c, 0, 1, "Looking up the city");
	geo_lookup(s, c->req->app->db, c->req->arena, city, &r);
	switch (r.err) {
	case GEOCODE_OK:
		break;
	case GEOCODE_NOTFOUND:
		mcp_log(c, MCP_LOG_INFO, "geocode_city",
		    json_object_new_string("No place found"));
		*result = tools_text_result(arena_printf(c->req->arena, "City not found: "
		    "no geocoding results for '%s'", city), 1);
		return 0;
	case GEOCODE_EUPSTREAM:
		log_warn("geocoding failed", "reason", r.why);
		mcp_log(c, MCP_LOG_WARNING, "geocode_city",
		    json_object_new_string("The geocoding provider failed"));
		*result = tools_text_result("Geocoding service temporarily unavailable: "
		    "the provider did not answer. Try again later.", 1);
		return 0;
	default:
		log_error("geocoding failed", "error", geocode_strerror(r.err));
		*msg = "Geocoding service failed";
		return RPC_INTERNAL_ERROR;
	}
	/*
	 * The REST answer (an object json-c wrote; geo_answer_json's text
	 * ends in '}') with the Python tool's success marker: the text
	 * content, and the structured content written out as the same text,
	 * unparsed.
	 */
	if ((text = geo_answer_json(c->req->arena, &r)) == NULL ||
	    (text = arena_cat(c->req->arena, text, strlen(text) - 1,
	    ",\"success\":true}")) == NULL ||
	    (d = json_new_verbatim(text)) == NULL) {
		*msg = "Geocoding service failed";
		return RPC_INTERNAL_ERROR;
	}
	o = tools_text_result(text, 0);
	json_object_object_add(o, "structuredContent", d);
	mcp_log(c, MCP_LOG_INFO, "geocode_city", json_object_new_string(r.cached ?
	    "Answered from the cache" : "Answered by the provider"));
	mcp_progress(c, 1, 1, "Done");
	*result = o;
	return 0;
}
