/*
 * mcp_util: requests, tokens and answer shapes of the MCP tests (see
 * mcp_util.h).  Tokens are signed with libcommon's jwt (the tests link
 * it), with claims written here, never by the server under test.
 */
#include "mcp_util.h"

#include <json-c/json.h>
#include <openssl/crypto.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jwt.h"

struct jwt_key	*mu_key;
static char	 keydir[PATH_MAX];
static char	 keyfile[PATH_MAX + 32];

int
mu_send(struct harness *h, const struct mu_req *r, struct http_resp *out)
{
	char		*hs[10], *p;
	const char	*ch[11];
	size_t		 n = 0, i;
	int		 rc;

#define ADD(fmt, v)	do { if (asprintf(&p, fmt, v) < 0) goto fail; hs[n++] = p; } while (0)
	if (r->auth != NULL)
		ADD("Authorization: %s", r->auth);
	else if (r->token != NULL)
		ADD("Authorization: Bearer %s", r->token);
	if (r->accept == NULL)
		ADD("Accept: %s", MU_ACCEPT);
	else if (*r->accept != '\0')
		ADD("Accept: %s", r->accept);
	else
		ADD("%s", "Accept:");	/* curl: remove its default */
	if (r->body != NULL) {
		if (r->ctype == NULL)
			ADD("Content-Type: %s", "application/json");
		else if (*r->ctype != '\0')
			ADD("Content-Type: %s", r->ctype);
	}
	if (r->session != NULL)
		ADD("Mcp-Session-Id: %s", r->session);
	if (r->version != NULL)
		ADD("MCP-Protocol-Version: %s", r->version);
	if (r->origin != NULL)
		ADD("Origin: %s", r->origin);
	if (r->host != NULL)
		ADD("Host: %s", r->host);
	if (r->last_event != NULL)
		ADD("Last-Event-ID: %s", r->last_event);
#undef ADD
	for (i = 0; i < n; i++)
		ch[i] = hs[i];
	ch[n] = NULL;
	rc = harness_request(h, r->method != NULL ? r->method : "POST",
	    r->path != NULL ? r->path : MU_PATH, ch, r->body,
	    r->body == NULL ? 0 : r->body_len != 0 ? r->body_len : strlen(r->body), out);
	for (i = 0; i < n; i++)
		free(hs[i]);
	return rc;
fail:
	for (i = 0; i < n; i++)
		free(hs[i]);
	memset(out, 0, sizeof(*out));
	return -1;
}

int
mu_keys(const char **setting)
{
	static char	 set[PATH_MAX + 64];
	const char	*t = getenv("TMPDIR");
	char		*pem;
	int		 fd, ok;

	snprintf(keydir, sizeof(keydir), "%s/fu-mcp-XXXXXX",
	    t != NULL && *t != '\0' && strlen(t) < 64 ? t : "/tmp");
	if (mkdtemp(keydir) == NULL || (mu_key = jwt_key_generate(JWT_RS256)) == NULL ||
	    (pem = jwt_key_pem_private(mu_key)) == NULL)
		return -1;
	snprintf(keyfile, sizeof(keyfile), "%s/mcp-private.pem", keydir);
	if ((fd = open(keyfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		free(pem);
		return -1;
	}
	ok = write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem);
	close(fd);
	OPENSSL_cleanse(pem, strlen(pem));
	free(pem);
	snprintf(set, sizeof(set), "MCP_JWT_PRIVATE_KEY_FILE=%s", keyfile);
	*setting = set;
	return ok ? 0 : -1;
}

void
mu_keys_free(void)
{
	jwt_key_free(mu_key);
	mu_key = NULL;
	if (keyfile[0] != '\0')
		unlink(keyfile);
	if (keydir[0] != '\0')
		rmdir(keydir);
}

char *
mu_token(const struct jwt_key *key, const char *sub, const char *aud,
    const char *iss, const char *scope, int64_t ttl)
{
	struct json_object	*o = json_object_new_object();
	int64_t			 now = (int64_t)time(NULL);
	char			*tok = NULL;

	if (iss != NULL)
		json_object_object_add(o, "iss", json_object_new_string(iss));
	json_object_object_add(o, "sub", json_object_new_string(sub));
	json_object_object_add(o, "iat", json_object_new_int64(now - 5));
	json_object_object_add(o, "exp", json_object_new_int64(now + ttl));
	if (aud != NULL)
		json_object_object_add(o, "aud", json_object_new_string(aud));
	if (scope != NULL)
		json_object_object_add(o, "scope", json_object_new_string(scope));
	json_object_object_add(o, "jti", json_object_new_string("0123456789abcdef"));
	if (jwt_sign(key != NULL ? key : mu_key, o, &tok) != JWT_OK)
		tok = NULL;
	json_object_put(o);
	return tok;
}

char *
mu_good_token(const char *sub)
{
	return mu_token(NULL, sub, "mcp-server", "personal-server", "mcp-access", 600);
}

int
mu_post(struct harness *h, const char *token, const char *sid, const char *body,
    struct http_resp *out)
{
	struct mu_req	 r;

	memset(&r, 0, sizeof(r));
	r.token = token;
	r.session = sid;
	r.body = body;
	return mu_send(h, &r, out);
}

int
mu_initialize(struct harness *h, const char *token, const char *v, char *sid,
    size_t sidlen)
{
	return mu_initialize_caps(h, token, v, "{}", sid, sidlen);
}

int
mu_initialize_caps(struct harness *h, const char *token, const char *v,
    const char *caps, char *sid, size_t sidlen)
{
	struct http_resp	 r;
	const char		*s;
	char			*body;
	int			 rc = -1;

	if (asprintf(&body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":%s,"
	    "\"clientInfo\":{\"name\":\"test_mcp\",\"version\":\"1\"}}}",
	    v != NULL ? v : "2025-11-25", caps) < 0)
		return -1;
	if (mu_post(h, token, NULL, body, &r) != 0 || r.status != 200 ||
	    (s = http_resp_header(&r, "Mcp-Session-Id")) == NULL || strlen(s) >= sidlen)
		fprintf(stderr, "mu_initialize: %ld %.300s\n", r.status,
		    r.body != NULL ? r.body : "");
	else {
		snprintf(sid, sidlen, "%s", s);
		rc = 0;
	}
	http_resp_free(&r);
	free(body);
	return rc;
}

struct json_object *
mu_result(const struct http_resp *r)
{
	struct json_object	*v;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "result", &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

int
mu_error_code(const struct http_resp *r)
{
	struct json_object	*e, *c;

	if (r->json == NULL || !json_object_object_get_ex(r->json, "error", &e) ||
	    !json_object_object_get_ex(e, "code", &c))
		return 0;
	return json_object_get_int(c);
}

int
mu_error_without_id(const struct http_resp *r)
{
	struct json_object	*v;

	return mu_error_code(r) != 0 && !json_object_object_get_ex(r->json, "id", NULL) &&
	    json_object_object_get_ex(r->json, "jsonrpc", &v) &&
	    strcmp(json_object_get_string(v), "2.0") == 0;
}

struct json_object **
mu_events(const struct http_resp *r)
{
	struct json_object	**ev;
	const char		*ct = http_resp_header(r, "Content-Type"), *p, *e;
	size_t			 n = 0;

	if (ct == NULL || strncmp(ct, "text/event-stream", 17) != 0 || r->body == NULL)
		return NULL;
	if ((ev = calloc(r->body_len / 8 + 2, sizeof(*ev))) == NULL)
		return NULL;
	for (p = r->body; (p = strstr(p, "data: ")) != NULL; p = e) {
		p += 6;
		e = p + strcspn(p, "\n");
		if (e == p)
			continue;	/* a priming event: an id, no message */
		char *d = strndup(p, (size_t)(e - p));

		if (d == NULL)
			break;
		ev[n++] = json_tokener_parse(d);
		free(d);
	}
	return ev;
}

void
mu_events_free(struct json_object **ev)
{
	size_t	 i;

	for (i = 0; ev != NULL && ev[i] != NULL; i++)
		json_object_put(ev[i]);
	free(ev);
}
