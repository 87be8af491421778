/*
 * curl_dl: libcurl through dlopen(3) (see curl_dl.h).  The symbols are a
 * table of (name, offset in struct curl_api); each is resolved with
 * dlsym(3) and stored into its member.  Storing a data pointer into a
 * function pointer is what POSIX promises dlsym's callers (XSH dlsym,
 * "Application Usage"); the static assertions hold us to it.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "curl_dl.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym: function pointers are as wide as data pointers");

#define SYM(name, member)	{ name, offsetof(struct curl_api, member) }

static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
	SYM("curl_global_init", global_init),
	SYM("curl_easy_init", easy_init),
	SYM("curl_easy_setopt", easy_setopt),
	SYM("curl_easy_perform", easy_perform),
	SYM("curl_easy_getinfo", easy_getinfo),
	SYM("curl_easy_cleanup", easy_cleanup),
	SYM("curl_easy_strerror", easy_strerror),
	SYM("curl_slist_append", slist_append),
	SYM("curl_slist_free_all", slist_free_all),
	SYM("curl_version_info", version_info),
	SYM("curl_easy_escape", easy_escape),
	SYM("curl_free", free_mem),
};

_Static_assert(sizeof(syms) / sizeof(syms[0]) * sizeof(void *) ==
    sizeof(struct curl_api), "every member of struct curl_api is in syms");

/* Filled once; `loaded` says it is whole (curl_dl.h: not thread-safe). */
static struct curl_api	 api;
static int		 loaded;

/* Resolves every symbol of syms into *a; 0, or -1 with why. */
static int
resolve(void *h, struct curl_api *a, char *why, size_t whylen)
{
	const char	*err;
	void		*p;
	size_t		 i;

	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		(void)dlerror();
		if ((p = dlsym(h, syms[i].name)) == NULL) {
			err = dlerror();
			snprintf(why, whylen, "%s", err != NULL ? err :
			    "a libcurl symbol is NULL");
			return -1;
		}
		memcpy((char *)a + syms[i].off, &p, sizeof(p));
	}
	return 0;
}

const struct curl_api *
curl_dl(char *why, size_t whylen)
{
	struct curl_api		 a;
	curl_version_info_data	*v;
	const char		*err;
	void			*h = NULL;
	CURLcode		 rc;

	if (loaded)
		return &api;
	if ((h = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		snprintf(why, whylen, "%s", err != NULL ? err :
		    "cannot load " CURL_DL_SONAME);
		return NULL;
	}
	memset(&a, 0, sizeof(a));
	if (resolve(h, &a, why, whylen) == -1)
		goto fail;
	if ((v = a.version_info(CURLVERSION_NOW)) == NULL ||
	    v->version_num < CURL_DL_MIN_VERSION) {
		snprintf(why, whylen, "libcurl %s is older than 7.85.0",
		    v != NULL && v->version != NULL ? v->version : "(unknown)");
		goto fail;
	}
	/* Once per process (libcurl's rule); never cleaned up. */
	if ((rc = a.global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		snprintf(why, whylen, "curl_global_init: %s", a.easy_strerror(rc));
		goto fail;
	}
	api = a;
	loaded = 1;
	return &api;
fail:
	dlclose(h);
	return NULL;
}
