/*
 * curl_dl: libcurl, loaded at run time with dlopen(3) the first time it is
 * needed, never linked.  A program linked against libcurl maps it and its
 * whole dependency tree (on Debian: GnuTLS, Kerberos, LDAP, nghttp2, ssh2,
 * rtmp …) at start, about 4.7 MiB resident in every FastCGI process,
 * against a budget of 8 MiB (bench/memory).  Only the code that really
 * talks to the network pays for it: the SMTP sender (mail_smtp.c, in the
 * short-lived process of mail_send_detached() or in the admin tool) and,
 * later, the Nominatim client.
 *
 * The table holds the functions libcommon calls, each typed as curl.h
 * declares it, so a call through the table is checked like a direct one
 * (except curl_easy_setopt/getinfo's variadic argument, whose type
 * curl.h's typecheck-gcc.h macros no longer see: pass long, char *,
 * curl_off_t and function pointers exactly as libcurl's manual says).
 * Members drop the "curl_" prefix, as curl.h may define function-like
 * macros of the full names.
 *
 * Not thread-safe: the first call loads the library and runs
 * curl_global_init(), which must not race another thread (the programs
 * are single-threaded).
 */
#ifndef FCGI_USERS_CURL_DL_H
#define FCGI_USERS_CURL_DL_H

#include <stddef.h>

#include <curl/curl.h>

#define CURL_DL_SONAME		"libcurl.so.4"
/* 7.85.0: CURLOPT_PROTOCOLS_STR, the protocol allow-list STYLE.md asks for. */
#define CURL_DL_MIN_VERSION	0x075500

struct curl_api {
	__typeof__(curl_global_init)		*global_init;
	__typeof__(curl_easy_init)		*easy_init;
	__typeof__(curl_easy_setopt)		*easy_setopt;
	__typeof__(curl_easy_perform)		*easy_perform;
	__typeof__(curl_easy_getinfo)		*easy_getinfo;
	__typeof__(curl_easy_cleanup)		*easy_cleanup;
	__typeof__(curl_easy_strerror)		*easy_strerror;
	__typeof__(curl_slist_append)		*slist_append;
	__typeof__(curl_slist_free_all)		*slist_free_all;
	__typeof__(curl_version_info)		*version_info;
	__typeof__(curl_easy_escape)		*easy_escape;
	__typeof__(curl_free)			*free_mem;
};

/*
 * The table, after loading CURL_DL_SONAME (RTLD_NOW | RTLD_LOCAL),
 * resolving every member, checking the version (CURL_DL_MIN_VERSION) and
 * running curl_global_init(CURL_GLOBAL_DEFAULT), all on the first
 * successful call; later calls return the same table at once.  The
 * library is never unloaded.  NULL when the library or a symbol is
 * missing, the library is too old or its global init fails, with the
 * reason (dlerror's text, or ours) in why; nothing is kept then, so the
 * next call tries again.
 */
const struct curl_api	*curl_dl(char *why, size_t whylen);

#endif
