/*
 * harness_http: the HTTP side of the harness (see harness.h): one request
 * through libcurl exactly as the test gives it (any method, path bytes
 * untouched, raw body, only the headers asked for, no redirects followed,
 * bounded time), the answer kept whole (at most HARNESS_BODY_MAX bytes) and
 * parsed into headers and, when it is one, a JSON text, with accessors for
 * both.  One curl handle per harness, made at the first request and freed
 * by harness_stop().
 */
#include "harness.h"
#include "harness_int.h"

#include <curl/curl.h>
#include <json-c/json.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 over;	/* more than HARNESS_BODY_MAX came */
};

static int
buf_add(struct buf *b, const char *data, size_t n)
{
	if (n > HARNESS_BODY_MAX - b->len) {
		b->over = 1;
		return -1;
	}
	if (b->cap - b->len < n + 1) {
		size_t cap = b->cap == 0 ? 4096 : b->cap;
		char *np;

		while (cap - b->len < n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	return buf_add(arg, data, size * nmemb) == 0 ? size * nmemb : 0;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	/* A new status line (after "100 Continue"): keep only the last block. */
	if (nmemb >= 5 && strncmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	return buf_add(b, data, size * nmemb) == 0 ? size * nmemb : 0;
}

/* Splits the raw header block into out->hdr. */
static int
parse_headers(struct http_resp *out)
{
	char *copy, *line, *save = NULL;
	size_t n = 0;
	int ret = -1;

	if (out->headers == NULL)
		return 0;
	if ((copy = strdup(out->headers)) == NULL)
		return -1;
	for (const char *p = copy; *p != '\0'; p++)
		n += *p == '\n';
	if ((out->hdr = calloc(n + 1, sizeof(*out->hdr))) == NULL)
		goto out;
	for (line = strtok_r(copy, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':'), *v, *e;

		if (colon == NULL || strncmp(line, "HTTP/", 5) == 0)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		if ((out->hdr[out->n_hdr].name = strdup(line)) == NULL ||
		    (out->hdr[out->n_hdr].value = strdup(v)) == NULL) {
			free(out->hdr[out->n_hdr].name);
			goto out;
		}
		out->n_hdr++;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

/* out->json when the body is one whole JSON text (blanks around allowed). */
static void
parse_json(struct http_resp *out)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	if (out->body_len == 0 || out->body_len > INT_MAX)
		return;
	if ((tok = json_tokener_new()) == NULL)
		return;
	obj = json_tokener_parse_ex(tok, out->body, (int)out->body_len);
	if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
		while (end < out->body_len && strchr(" \t\r\n", out->body[end]) != NULL)
			end++;
		if (end == out->body_len) {
			out->json = obj;
			obj = NULL;
		}
	}
	json_object_put(obj);
	json_tokener_free(tok);
}

static int
has_header(const char *const *headers, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		if (strncasecmp(headers[i], name, len) == 0 && headers[i][len] == ':')
			return 1;
	return 0;
}

/*
 * The request headers for curl: `headers` as given, then an empty
 * "Expect:" and, with a body, "Content-Type:" unless given, so that curl
 * adds neither.  Returns 0, or -1 when out of memory; *list (caller frees)
 * holds what was added either way.
 */
static int
header_list(const char *const *headers, int with_body, struct curl_slist **list)
{
	struct curl_slist *nl;

	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		if ((nl = curl_slist_append(*list, headers[i])) == NULL)
			return -1;
		*list = nl;
	}
	/* What the caller did not ask for is not sent. */
	if (!has_header(headers, "Expect") &&
	    (nl = curl_slist_append(*list, "Expect:")) != NULL)
		*list = nl;
	if (with_body && !has_header(headers, "Content-Type") &&
	    (nl = curl_slist_append(*list, "Content-Type:")) != NULL)
		*list = nl;
	return 0;
}

/*
 * Fills out from a transfer that came back: the status, the body and
 * header buffers (taken over; an empty string when nothing came), the
 * parsed headers and JSON.  Returns 0, or -1 when out of memory.
 */
static int
take_answer(CURL *curl, struct buf *b, struct buf *hb, struct http_resp *out)
{
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = b->p != NULL ? b->p : strdup("");
	out->body_len = b->len;
	out->headers = hb->p != NULL ? hb->p : strdup("");
	b->p = hb->p = NULL;
	if (out->body == NULL || out->headers == NULL || parse_headers(out) == -1)
		return -1;
	parse_json(out);
	return 0;
}

int
harness_http_request(struct harness *h, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    long timeout_ms, int quiet, struct http_resp *out)
{
	struct curl_slist *list = NULL;
	struct buf b = { 0 }, hb = { 0 };
	char *url = NULL;
	CURLcode cc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (h->curl == NULL && (h->curl = curl_easy_init()) == NULL) {
		harness_say("curl_easy_init failed");
		return -1;
	}
	curl_easy_reset(h->curl);
	if ((url = harness_asprintf("%s%s", h->url, path)) == NULL)
		goto out;
	if (header_list(headers, body != NULL, &list) == -1)
		goto out;
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_PROXY, "");
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &hb);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body != NULL)
		curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body_len);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	}
	if ((cc = curl_easy_perform(h->curl)) != CURLE_OK) {
		if (!quiet)
			harness_say("%s %s%s: %s%s", method, h->url, path,
			    curl_easy_strerror(cc),
			    b.over ? " (body over HARNESS_BODY_MAX)" : "");
		goto out;
	}
	if (take_answer(h->curl, &b, &hb, out) == -1)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		out->status = 0;
	curl_slist_free_all(list);
	free(b.p);
	free(hb.p);
	free(url);
	return ret;
}

int
harness_request(struct harness *h, const char *method, const char *path,
    const char *const *headers, const char *body, size_t body_len,
    struct http_resp *out)
{
	return harness_http_request(h, method, path, headers, body, body_len,
	    harness_slow_ms(HARNESS_REQUEST_TIMEOUT_MS), 0, out);
}

int
harness_get(struct harness *h, const char *path, struct http_resp *out)
{
	return harness_request(h, "GET", path, NULL, NULL, 0, out);
}

const char *
http_resp_header(const struct http_resp *r, const char *name)
{
	const char *v = NULL;

	for (size_t i = 0; i < r->n_hdr; i++)
		if (strcasecmp(r->hdr[i].name, name) == 0)
			v = r->hdr[i].value;
	return v;
}

size_t
http_resp_header_count(const struct http_resp *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_hdr; i++)
		n += strcasecmp(r->hdr[i].name, name) == 0;
	return n;
}

int
http_resp_header_has_token(const struct http_resp *r, const char *name,
    const char *token)
{
	size_t tlen = strlen(token);

	for (size_t i = 0; i < r->n_hdr; i++) {
		const char *p = r->hdr[i].value;

		if (strcasecmp(r->hdr[i].name, name) != 0)
			continue;
		while (*p != '\0') {
			size_t len;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			len = strcspn(p, ",");
			while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			if (len == tlen && strncasecmp(p, token, tlen) == 0)
				return 1;
			p += strcspn(p, ",");
		}
	}
	return 0;
}

const char *
http_resp_detail(const struct http_resp *r)
{
	struct json_object *d;

	if (r->json == NULL || !json_object_is_type(r->json, json_type_object) ||
	    !json_object_object_get_ex(r->json, "detail", &d) ||
	    !json_object_is_type(d, json_type_string))
		return NULL;
	return json_object_get_string(d);
}

void
http_resp_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_hdr; i++) {
		free(r->hdr[i].name);
		free(r->hdr[i].value);
	}
	free(r->hdr);
	json_object_put(r->json);
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}
