/*
 * fuzz_mcprpc: the whole of a POST to the MCP endpoint as mcp.fcgi serves
 * it (src/mcp/transport.c transport_post): the headers through
 * app_request_parse, Origin/Host, the Bearer token (an access token of a
 * real user, MCP_ACCEPT_ACCESS_TOKENS), Accept and Content-Type, the body
 * read from a libfcgi stream, JSON-RPC classification, the protocol
 * version and the session, and the dispatch to initialize, ping,
 * tools/list, tools/call (geocode_city, offline, without a gazetteer, so
 * it answers from the quota and error paths) and logging/setLevel, single
 * or in a 2025-03-26 batch, in JSON or as a streamed SSE answer.  fuzz_mcp
 * covers the classifier and the guards alone.
 *
 * The database is a migrated SQLite file in a fresh temporary folder
 * (removed at exit) with one user and one open session.  Input: the first
 * byte picks the MCP-Protocol-Version header (bits 0-2: none, 2025-11-25,
 * 2025-06-18, 2025-03-26, 2024-11-05, 1999-01-01, none, none) and the
 * session (bits 3-4: none, the open one, an unknown one, none) and with
 * bit 5 a writable stream (so SSE can begin); the rest is the body.
 * Checks: never a 5xx and only the statuses transport.h documents; a 200
 * is strict JSON (valid UTF-8), a JSON-RPC response with the request's id
 * or an array of them, or a streamed answer; a 202 has no body; an error
 * at the HTTP level is a JSON-RPC error without id.  Violations abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "db.h"
#include "fuzz_io.h"
#include "json.h"
#include "log.h"
#include "migrate.h"
#include "session.h"
#include "tokens.h"
#include "transport.h"
#include "users.h"

#define CLEAN_EVERY	4096	/* runs between two purges of new sessions */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct app	 app;
static char		 dir[64], dbpath[96], *bearer, session_id[SESSION_ID_LEN + 1];
static char		 user_id[37];
static unsigned long	 runs;

/* At exit: what init made, and the temporary folder. */
static void
cleanup(void)
{
	char	 p[128];

	db_close(app.db);
	app.db = NULL;
	tokens_free(&app.tokens);
	mcp_tokens_free(&app.mcp);
	config_free(&app.config);
	free(bearer);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	unlink(dbpath);
	rmdir(dir);
}

/* A fresh session for the user; its id into session_id. */
static void
open_session(void)
{
	struct session	 s;

	if (session_create(app.db, user_id, "2025-11-25", 0, (int64_t)time(NULL),
	    app.config.mcp_session_idle_minutes * 60, &s) != SESSION_OK)
		abort();
	memcpy(session_id, s.id, sizeof(session_id));
}

static void
init(void)
{
	static char	 secret[] = "JWT_SECRET=fuzz-secret-0123456789abcdef-0123456789abcdef",
			 base[] = "PUBLIC_BASE_URL=https://mcp.example.com",
			 geo[] = "GEOCODER=offline",
			 gaz[] = "GAZETTEER_PATH=/nonexistent/gazetteer.db",
			 level[] = "LOG_LEVEL=CRITICAL";
	char		 env_db[128], why[256];
	char *const	 env[] = { env_db, secret, base, geo, gaz, level, NULL };
	const char	*bad = NULL;
	struct arena	*a;
	struct user	 u;
	struct access_claims ac;
	const char	*t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fuzz-mcprpc-XXXXXX",
	    t != NULL && *t == '/' && strlen(t) < 32 ? t : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(dbpath, sizeof(dbpath), "%s/fcgi-users.db", dir);
	snprintf(env_db, sizeof(env_db), "DATABASE_URL=%s", dbpath);
	memset(&app, 0, sizeof(app));
	if (config_load(&app.config, env, &bad, why, sizeof(why)) != CONFIG_OK ||
	    tokens_init(&app.tokens, &app.config, why, sizeof(why)) != TOKENS_OK ||
	    mcp_tokens_init(&app.mcp, &app.config, why, sizeof(why)) != TOKENS_OK) {
		fprintf(stderr, "fuzz_mcprpc: %s %s\n", bad ? bad : "", why);
		abort();
	}
	log_set_level(app.config.log_level);
	if (db_open(dbpath, DB_OPEN_CREATE, 1000, &app.db) != DB_OK ||
	    db_exec(app.db, "PRAGMA synchronous=OFF") != DB_OK ||
	    migrate_up(app.db, 0, NULL) != DB_OK)
		abort();
	app.state = APP_READY;
	if ((a = arena_new(4096)) == NULL)
		abort();
	memset(&u, 0, sizeof(u));
	u.email = "fuzz@example.com";
	u.hashed_password = "x";
	u.is_active = 1;
	if (users_create(app.db, a, &u) != USERS_OK ||
	    tokens_issue(&app.tokens, u.id, 0, (int64_t)time(NULL), &bearer, &ac) != TOKENS_OK)
		abort();
	memcpy(user_id, u.id, sizeof(user_id));
	arena_free(a);
	open_session();
}

/* Whether id (from the answer) is the request's id. */
static int
same_id(struct json_object *a, struct json_object *b)
{
	return a != NULL && b != NULL && json_object_equal(a, b);
}

/* A JSON-RPC response object: "2.0", exactly one of result and error. */
static void
check_message(struct json_object *m, struct json_object *want_id)
{
	struct json_object	*v, *id;
	int			 r, e;

	if (!json_object_is_type(m, json_type_object) ||
	    !json_object_object_get_ex(m, "jsonrpc", &v) ||
	    strcmp(json_object_get_string(v), "2.0") != 0)
		abort();
	r = json_object_object_get_ex(m, "result", NULL);
	e = json_object_object_get_ex(m, "error", NULL);
	if (r == e)
		abort();
	if (want_id != NULL && (!json_object_object_get_ex(m, "id", &id) ||
	    !same_id(id, want_id)))
		abort();
}

/* The request's id when the body is one JSON object with an id, else NULL. */
static struct json_object *
request_id_of(struct json_object *body)
{
	struct json_object	*id;

	if (json_object_is_type(body, json_type_object) &&
	    json_object_object_get_ex(body, "id", &id))
		return id;
	return NULL;
}

static void
check_answer(const struct response *resp, const struct fuzz_io *fio,
    const uint8_t *body, size_t blen)
{
	struct json_object	*out = NULL, *in = NULL;
	const char		*msg;
	size_t			 pos, i;

	if (resp->streamed) {
		if (resp->status != 200 || fuzz_io_written(fio) == 0)
			abort();
		return;
	}
	switch (resp->status) {
	case 202:
		if (resp->body_len != 0)
			abort();
		return;
	case 200:
	case 400:
	case 401:
	case 403:
	case 404:
	case 406:
	case 413:
	case 415:
		break;
	default:
		abort();	/* 5xx, or a status nobody documents */
	}
	/* our own output is strict JSON, UTF-8 included */
	if (resp->body == NULL ||
	    json_parse(resp->body, resp->body_len, &out, &pos, &msg) != JSON_OK)
		abort();
	if (resp->status != 200) {
		check_message(out, NULL);
		if (json_object_object_get_ex(out, "id", NULL))
			abort();
	} else {
		if (json_parse((const char *)body, blen, &in, &pos, &msg) != JSON_OK)
			abort();	/* answered 200 to a body that is no JSON */
		if (json_object_is_type(out, json_type_array)) {
			if (!json_object_is_type(in, json_type_array) ||
			    json_object_array_length(out) > json_object_array_length(in))
				abort();
			for (i = 0; i < json_object_array_length(out); i++)
				check_message(json_object_array_get_idx(out, i), NULL);
		} else
			check_message(out, request_id_of(in));
	}
	json_object_put(in);
	json_object_put(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[8] = { NULL, "2025-11-25", "2025-06-18",
	    "2025-03-26", "2024-11-05", "1999-01-01", NULL, NULL };
	static char	 p_method[] = "REQUEST_METHOD=POST",
			 p_uri[] = "REQUEST_URI=/mcp-server/mcp",
			 p_host[] = "HTTP_HOST=127.0.0.1:8080",
			 p_accept[] = "HTTP_ACCEPT=application/json, text/event-stream",
			 p_ctype[] = "CONTENT_TYPE=application/json";
	char		 p_auth[1024], p_len[48], p_ver[64], p_sid[96], *params[12];
	struct arena	*a;
	struct request	 req;
	struct response	 resp;
	struct fuzz_io	 fio;
	size_t		 n = 0;
	uint8_t		 flags;

	if (app.db == NULL)
		init();
	if (size == 0)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (++runs % CLEAN_EVERY == 0) {
		/* what initialize made piles up: start over with one session */
		if (db_exec(app.db, "DELETE FROM mcp_sessions; DELETE FROM rate_limits") != DB_OK)
			abort();
		open_session();
	}
	snprintf(p_auth, sizeof(p_auth), "HTTP_AUTHORIZATION=Bearer %s", bearer);
	snprintf(p_len, sizeof(p_len), "CONTENT_LENGTH=%zu", size);
	params[n++] = p_method;
	params[n++] = p_uri;
	params[n++] = p_host;
	params[n++] = p_accept;
	params[n++] = p_ctype;
	params[n++] = p_auth;
	params[n++] = p_len;
	if (versions[flags & 7] != NULL) {
		snprintf(p_ver, sizeof(p_ver), "HTTP_MCP_PROTOCOL_VERSION=%s",
		    versions[flags & 7]);
		params[n++] = p_ver;
	}
	if ((flags >> 3 & 3) == 1 || (flags >> 3 & 3) == 2) {
		snprintf(p_sid, sizeof(p_sid), "HTTP_MCP_SESSION_ID=%s",
		    (flags >> 3 & 3) == 1 ? session_id : "0123456789abcdef0123456789abcdef");
		params[n++] = p_sid;
	}
	params[n] = NULL;

	if ((a = arena_new(8192)) == NULL)
		abort();
	fuzz_io_init(&fio, data, size);
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.app = &app;
	req.params = params;
	req.io = (flags & 0x20) ? &fio.io : NULL;
	response_init(&resp, a);
	if (app_request_parse(&app, &req, &resp) != 0)
		abort();
	if (req.io == NULL) {
		/* no stream: the body as app_read_body leaves it */
		char *b = arena_alloc(a, size + 1);

		if (b == NULL)
			abort();
		memcpy(b, data, size);
		b[size] = '\0';
		req.body = b;
		req.body_len = size;
		req.body_state = 1;
	}
	transport_post(&req, &resp);
	check_answer(&resp, &fio, data, size);
	log_set_request_id(NULL);
	arena_free(a);
	return 0;
}
