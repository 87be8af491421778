/*
 * geocoding_util: see geocoding_util.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "accounts_util.h"
#include "db.h"
#include "geocoding_util.h"

int64_t
geo_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
geo_sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
geo_under_valgrind(void)
{
	static int	 known = -1;
	FILE		*f;
	char		 line[512];

	if (known != -1)
		return known;
	known = 0;
	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return 0;
	while (!known && fgets(line, sizeof(line), f) != NULL)
		known = strstr(line, "vgpreload") != NULL;
	fclose(f);
	return known;
}

int64_t
geo_bound_ms(int64_t ms)
{
	/* The programs under valgrind (FU_VALGRIND) are as slow. */
	return geo_under_valgrind() || harness_valgrind() ?
	    ms * GEO_SLOW_FACTOR : ms;
}

int
geo_build_gazetteer(struct harness *h, const char *out)
{
	const char *const argv[] = { "import", "gazetteer", GEO_FIX "cities.txt",
	    "--admin1", GEO_FIX "admin1.txt", "--countries",
	    GEO_FIX "countries.json", "--out", out, NULL };
	int	 rc;

	if ((rc = harness_cli(h, argv)) != 0) {
		print_error("fcgi-users import gazetteer: exit %d (see %s)\n", rc,
		    harness_log_path(h));
		return -1;
	}
	return 0;
}

static char	 gaz_dir[64];
static char	 gaz_path[96];
static int	 gaz_built;

const char *
geo_gaz_dir(void)
{
	if (gaz_dir[0] == '\0') {
		snprintf(gaz_dir, sizeof(gaz_dir), "/tmp/fu-geo-test.XXXXXX");
		if (mkdtemp(gaz_dir) == NULL)
			fail_msg("mkdtemp: %s", strerror(errno));
		snprintf(gaz_path, sizeof(gaz_path), "%s/gazetteer.db", gaz_dir);
	}
	return gaz_dir;
}

const char *
geo_gaz_path(void)
{
	(void)geo_gaz_dir();
	return gaz_path;
}

int
geo_gaz_ensure(struct harness *h)
{
	if (gaz_built)
		return 0;
	if (geo_build_gazetteer(h, geo_gaz_path()) != 0)
		return -1;
	gaz_built = 1;
	return 0;
}

void
geo_gaz_cleanup(void)
{
	char	 cmd[128];

	if (gaz_dir[0] == '\0')
		return;
	if (getenv("FU_KEEP_TMP") != NULL)
		fprintf(stderr, "kept %s\n", gaz_dir);
	else {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gaz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", gaz_dir);
	}
	gaz_dir[0] = '\0';
	gaz_built = 0;
}

const char *
geo_city_path(char *buf, size_t len, const char *city)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *c;
	size_t	 n;

	n = (size_t)snprintf(buf, len, "/geocode/city?city=");
	for (c = (const unsigned char *)city; *c != '\0' && n + 4 < len; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL)
			buf[n++] = (char)*c;
		else {
			buf[n++] = '%';
			buf[n++] = hex[*c >> 4];
			buf[n++] = hex[*c & 15];
		}
	}
	buf[n] = '\0';
	if (*c != '\0')
		fail_msg("geo_city_path: city too long for the buffer");
	return buf;
}

void
geo_get_with(struct harness *h, const char *path, const char *hdr,
    struct http_resp *r)
{
	const char *const hs[] = { hdr, NULL };

	if (harness_request(h, "GET", path, hdr != NULL ? hs : NULL, NULL, 0, r) != 0)
		fail_msg("GET %s: no answer", path);
}

int
geo_get_city(struct harness *h, const char *city, const char *token,
    struct http_resp *r)
{
	char	 path[GEO_PATH_MAX];

	return au_get(h, geo_city_path(path, sizeof(path), city), token, r);
}

struct json_object *
geo_member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int
is_number(struct json_object *v)
{
	return v != NULL && (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int));
}

int
geo_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + len;
	unsigned		 cp, need, i;

	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			need = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			need = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			need = 3;
			cp = *p & 0x07;
		} else
			return 0;
		if ((size_t)(end - p) <= need)
			return 0;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += need + 1;
	}
	return 1;
}

void
geo_check_answer(int line, const struct http_resp *r, const char *city,
    int cached)
{
	static const char *const keys[] = { "city", "location", "display_name",
	    "place_id", "boundingbox", "timestamp", "cached" };
	struct json_object	*o = r->json, *v, *e;
	size_t			 i = 0, k;
	int			 c;

	if (r->status != 200) {
		au_bad(line, "status %ld, want 200 (body %.300s)", r->status, r->body);
		return;
	}
	if (!au_is_json(r))
		au_bad(line, "Content-Type %s, want application/json",
		    http_resp_header(r, "Content-Type"));
	if (!geo_utf8_valid(r->body, r->body_len))
		au_bad(line, "the body is not valid UTF-8: %.300s", r->body);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		au_bad(line, "body is not a JSON object: %.300s", r->body);
		return;
	}
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (i >= sizeof(keys) / sizeof(keys[0]) || strcmp(key, keys[i]) != 0) {
			au_bad(line, "key %zu is \"%s\", want the keys %s in order "
			    "(body %.300s)", i, key, "city, location, display_name, "
			    "place_id, boundingbox, timestamp, cached", r->body);
			break;
		}
		i++;
	}
	if (json_object_object_length(o) != (int)(sizeof(keys) / sizeof(keys[0])))
		au_bad(line, "%d keys, want 7 (body %.300s)",
		    json_object_object_length(o), r->body);
	if ((v = geo_member(o, "city")) == NULL ||
	    !json_object_is_type(v, json_type_string))
		au_bad(line, "city is not a string");
	else if (city != NULL && strcmp(json_object_get_string(v), city) != 0)
		au_bad(line, "city \"%s\", want \"%s\"", json_object_get_string(v), city);
	v = geo_member(o, "location");
	if (v == NULL || !json_object_is_type(v, json_type_object) ||
	    json_object_object_length(v) != 2 || !is_number(geo_member(v, "lat")) ||
	    !is_number(geo_member(v, "lon")))
		au_bad(line, "location is not {lat, lon} numbers: %.300s", r->body);
	else {
		k = 0;
		json_object_object_foreach(v, lk, lv) {
			(void)lv;
			if (strcmp(lk, k++ == 0 ? "lat" : "lon") != 0)
				au_bad(line, "location's keys are not lat, lon in order");
		}
		if (!json_object_is_type(geo_member(v, "lat"), json_type_double) ||
		    !json_object_is_type(geo_member(v, "lon"), json_type_double))
			au_bad(line, "lat/lon are not floats (Python writes 1.0, not 1)");
	}
	if ((v = geo_member(o, "display_name")) == NULL ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		au_bad(line, "display_name is not a non-empty string");
	v = geo_member(o, "place_id");
	if (!json_object_object_get_ex(o, "place_id", NULL) ||
	    (v != NULL && !json_object_is_type(v, json_type_int)))
		au_bad(line, "place_id is neither an integer nor null");
	v = geo_member(o, "boundingbox");
	if (!json_object_object_get_ex(o, "boundingbox", NULL))
		au_bad(line, "no boundingbox");
	else if (v != NULL) {
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != 4)
			au_bad(line, "boundingbox is neither 4 numbers nor null");
		else
			for (k = 0; k < 4; k++) {
				e = json_object_array_get_idx(v, k);
				if (!json_object_is_type(e, json_type_double))
					au_bad(line, "boundingbox[%zu] is not a float", k);
			}
	}
	if (!au_matches(GEO_TS_RE, geo_timestamp(r)))
		au_bad(line, "timestamp \"%s\" is not ISO 8601 with +00:00",
		    geo_timestamp(r));
	if ((c = au_jbool(o, "cached")) == -1)
		au_bad(line, "cached is not a boolean");
	else if (cached != -1 && c != cached)
		au_bad(line, "cached %s, want %s", c ? "true" : "false",
		    cached ? "true" : "false");
}

const char *
geo_timestamp(const struct http_resp *r)
{
	const char	*s = au_jstr(r->json, "timestamp");

	return s != NULL ? s : "";
}

void
geo_check_place(int line, const struct http_resp *r, double lat, double lon,
    int64_t place_id, const char *display_name, const double *bbox)
{
	struct json_object	*loc = geo_member(r->json, "location"), *v;
	const char		*dn;
	size_t			 i;

	if (r->status != 200)
		return;		/* geo_check_answer said so */
	if (fabs(json_object_get_double(geo_member(loc, "lat")) - lat) > 1e-9 ||
	    fabs(json_object_get_double(geo_member(loc, "lon")) - lon) > 1e-9)
		au_bad(line, "location %.300s, want lat %.9g lon %.9g",
		    json_object_to_json_string(loc), lat, lon);
	v = geo_member(r->json, "place_id");
	if (place_id < 0 ? v != NULL : (v == NULL ||
	    json_object_get_int64(v) != place_id))
		au_bad(line, "place_id %s, want %lld", v != NULL ?
		    json_object_to_json_string(v) : "null", (long long)place_id);
	dn = au_jstr(r->json, "display_name");
	if (display_name != NULL && (dn == NULL || strcmp(dn, display_name) != 0))
		au_bad(line, "display_name \"%s\", want \"%s\"", dn != NULL ? dn :
		    "(none)", display_name);
	v = geo_member(r->json, "boundingbox");
	if (bbox == NULL) {
		if (v != NULL)
			au_bad(line, "boundingbox %s, want null",
			    json_object_to_json_string(v));
		return;
	}
	if (v == NULL || !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 4) {
		au_bad(line, "boundingbox is not 4 numbers");
		return;
	}
	for (i = 0; i < 4; i++)
		if (fabs(json_object_get_double(json_object_array_get_idx(v, i)) -
		    bbox[i]) > 1e-9)
			au_bad(line, "boundingbox %s, want [%.9g, %.9g, %.9g, %.9g]",
			    json_object_to_json_string(v), bbox[0], bbox[1],
			    bbox[2], bbox[3]);
}

void
geo_check_404(int line, const struct http_resp *r, const char *city)
{
	char	 want[1024];

	snprintf(want, sizeof(want), "City '%s' not found", city);
	au_check_error(line, r, 404, want);
}

void
geo_check_503(int line, const struct http_resp *r)
{
	au_check_error(line, r, 503, GEO_UNAVAILABLE);
}

int64_t
geo_cache_rows(struct harness *h, const char *key)
{
	if (key == NULL)
		return au_db_int(h, "SELECT count(*) FROM geocode_cache");
	return au_db_int(h, "SELECT count(*) FROM geocode_cache WHERE key = %Q", key);
}

/* ---- many requests at once ---- */

struct grow {
	char	*p;
	size_t	 len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct grow	*g = arg;
	size_t		 len = size * n;
	char		*np;

	if (g->len + len > HARNESS_BODY_MAX ||
	    (np = realloc(g->p, g->len + len + 1)) == NULL)
		return 0;
	memcpy(np + g->len, p, len);
	g->p = np;
	g->len += len;
	g->p[g->len] = '\0';
	return len;
}

/* The header callback: keeps only the last response's block. */
static size_t
on_header_line(char *p, size_t size, size_t n, void *arg)
{
	struct grow	*g = arg;

	if (n * size >= 5 && strncmp(p, "HTTP/", 5) == 0)
		g->len = 0;
	return on_data(p, size, n, arg);
}

int
geo_par_get(struct harness *h, size_t n, const char *const *paths,
    const char *const *hdrs, long timeout_ms, struct geo_par *out)
{
	CURLM			*m = NULL;
	CURL			*e[GEO_PAR_MAX] = { 0 };
	struct curl_slist	*sl[GEO_PAR_MAX] = { 0 };
	struct grow		 body[GEO_PAR_MAX], head[GEO_PAR_MAX];
	char			 url[GEO_PATH_MAX + 64];
	CURLMsg			*msg;
	int64_t			 t0;
	size_t			 i;
	int			 running = 0, left, ret = -1;

	if (n > GEO_PAR_MAX)
		return -1;
	memset(out, 0, n * sizeof(*out));
	memset(body, 0, sizeof(body));
	memset(head, 0, sizeof(head));
	if ((m = curl_multi_init()) == NULL)
		return -1;
	/* No connection reuse and no pipelining: one connection each. */
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	for (i = 0; i < n; i++) {
		if ((e[i] = curl_easy_init()) == NULL)
			goto out;
		snprintf(url, sizeof(url), "%s%s", harness_url(h), paths[i]);
		if (hdrs != NULL && hdrs[i] != NULL &&
		    (sl[i] = curl_slist_append(NULL, hdrs[i])) == NULL)
			goto out;
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_PATH_AS_IS, 1L);
		curl_easy_setopt(e[i], CURLOPT_PROXY, "");
		curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e[i], CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(e[i], CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e[i], CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, sl[i]);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &body[i]);
		curl_easy_setopt(e[i], CURLOPT_HEADERFUNCTION, on_header_line);
		curl_easy_setopt(e[i], CURLOPT_HEADERDATA, &head[i]);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, (char *)(uintptr_t)i);
		if (curl_multi_add_handle(m, e[i]) != CURLM_OK)
			goto out;
	}
	t0 = geo_now_ms();
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			goto out;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			char	*priv;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			i = (size_t)(uintptr_t)priv;
			out[i].total_ms = geo_now_ms() - t0;
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(msg->easy_handle,
				    CURLINFO_RESPONSE_CODE, &out[i].status);
		}
		if (running > 0 && curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
			goto out;
	} while (running > 0);
	for (i = 0; i < n; i++) {
		out[i].body = body[i].p != NULL ? body[i].p : strdup("");
		out[i].headers = head[i].p != NULL ? head[i].p : strdup("");
		body[i].p = head[i].p = NULL;
		if (out[i].body != NULL && out[i].body[0] != '\0')
			out[i].json = json_tokener_parse(out[i].body);
	}
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		if (e[i] != NULL) {
			curl_multi_remove_handle(m, e[i]);
			curl_easy_cleanup(e[i]);
		}
		curl_slist_free_all(sl[i]);
		free(body[i].p);
		free(head[i].p);
	}
	curl_multi_cleanup(m);
	return ret;
}

void
geo_par_free(struct geo_par *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(p[i].body);
		free(p[i].headers);
		json_object_put(p[i].json);
	}
	memset(p, 0, n * sizeof(*p));
}

const char *
geo_par_header(const struct geo_par *p, const char *name, char *buf, size_t len)
{
	const char	*line, *eol, *v;
	size_t		 nlen = strlen(name), vlen;
	const char	*found = NULL;

	if (p->headers == NULL)
		return NULL;
	for (line = p->headers; *line != '\0'; line = *eol != '\0' ? eol + 1 : eol) {
		eol = line + strcspn(line, "\n");
		if ((size_t)(eol - line) > nlen && strncasecmp(line, name, nlen) == 0 &&
		    line[nlen] == ':') {
			v = line + nlen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			vlen = (size_t)(eol - v);
			while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
				vlen--;
			snprintf(buf, len, "%.*s", (int)vlen, v);
			found = buf;
		}
	}
	return found;
}

const char *
geo_par_detail(const struct geo_par *p)
{
	struct json_object	*d = geo_member(p->json, "detail");

	return d != NULL && json_object_is_type(d, json_type_string) ?
	    json_object_get_string(d) : NULL;
}
