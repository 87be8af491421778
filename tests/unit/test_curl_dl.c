/*
 * test_curl_dl: libcurl loaded at run time (src/common/curl_dl.c).  Run
 * twice by ctest.  As test_curl_dl: the library is not mapped until the
 * first call (this program does not link it: test_no_libcurl_needed
 * checks), then every member of the table is set, the same table comes
 * back on the next call, the version is new enough, the protocols mail
 * and the Nominatim client need are built in, and a handle takes the
 * options mail sets.  As test_curl_dl_missing, with FU_CURL_DL_EXPECT=
 * missing and LD_LIBRARY_PATH pointing at curl_stub's "libcurl.so.4",
 * which has curl_global_init alone: curl_dl() fails with dlerror's text,
 * and does again when asked again, and mail_send() over SMTP fails with
 * MAIL_ESEND and logs why, without the token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "curl_dl.h"
#include "log.h"
#include "mail.h"

#define SECRET32	"JWT_SECRET=0123456789abcdef0123456789abcdef"
#define TOKEN		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWRs"

/* A whole small file, NUL-terminated, or NULL; caller frees. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if ((buf = calloc(1, 1 << 20)) != NULL) {
		n = fread(buf, 1, (1 << 20) - 1, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* 1 when a file whose name holds "libcurl" is mapped into this process. */
static int
curl_mapped(void)
{
	char	*maps;
	int	 found;

	assert_non_null(maps = slurp("/proc/self/maps"));
	found = strstr(maps, "libcurl") != NULL;
	free(maps);
	return found;
}

/* 1 when the loaded libcurl lists protocol p. */
static int
has_protocol(const curl_version_info_data *v, const char *p)
{
	const char *const	*q;

	for (q = v->protocols; q != NULL && *q != NULL; q++)
		if (strcmp(*q, p) == 0)
			return 1;
	return 0;
}

static void
test_loads(void **state)
{
	const struct curl_api	*a, *b;
	curl_version_info_data	*v;
	struct curl_slist	*l;
	CURL			*c;
	char			 why[256];
	size_t			 i;

	(void)state;
	/* Nothing maps libcurl at start: loading it is curl_dl's job. */
	assert_false(curl_mapped());
	why[0] = '\0';
	a = curl_dl(why, sizeof(why));
	if (a == NULL)
		print_error("curl_dl: %s\n", why);
	assert_non_null(a);
	assert_true(curl_mapped());
	for (i = 0; i < sizeof(*a) / sizeof(void *); i++) {
		void	*p;

		memcpy(&p, (const char *)a + i * sizeof(void *), sizeof(p));
		assert_non_null(p);
	}
	b = curl_dl(why, sizeof(why));
	assert_ptr_equal(a, b);
	assert_non_null(v = a->version_info(CURLVERSION_NOW));
	print_message("libcurl %s\n", v->version);
	assert_true(v->version_num >= CURL_DL_MIN_VERSION);
	assert_true(has_protocol(v, "smtp"));
	assert_true(has_protocol(v, "smtps"));
	assert_true(has_protocol(v, "https"));
	/* a handle takes the options mail sets, and refuses a bad one */
	assert_non_null(c = a->easy_init());
	assert_int_equal(a->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
	    CURLE_OK);
	assert_int_not_equal(a->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,nosuch"),
	    CURLE_OK);
	assert_int_equal(a->easy_setopt(c, CURLOPT_TIMEOUT, 5L), CURLE_OK);
	assert_non_null(a->easy_strerror(CURLE_COULDNT_CONNECT));
	assert_non_null(l = a->slist_append(NULL, "<a@b.c>"));
	assert_non_null(l = a->slist_append(l, "<d@e.f>"));
	a->slist_free_all(l);
	a->easy_cleanup(c);
	a->easy_cleanup(NULL);
	a->slist_free_all(NULL);
}

static void
test_missing(void **state)
{
	struct config	 c;
	struct mail_msg	 m = { MAIL_RESET, "someone@example.net", TOKEN };
	char		 why[256], *envp[4], *log;
	char		 logpath[] = "/tmp/test_curl_dl.log.XXXXXX";
	const char	*bad;
	int		 fd, saved;
	enum mail_err	 e;

	(void)state;
	why[0] = '\0';
	assert_null(curl_dl(why, sizeof(why)));
	print_message("curl_dl: %s\n", why);
	assert_non_null(strstr(why, "curl_easy_init"));
	/* nothing kept: asked again, it tries again, and fails again */
	why[0] = '\0';
	assert_null(curl_dl(why, sizeof(why)));
	assert_non_null(strstr(why, "curl_easy_init"));
	assert_null(curl_dl(NULL, 0));

	/* a send that cannot load libcurl fails, and says why */
	envp[0] = (char *)SECRET32;
	envp[1] = (char *)"MAIL_SMTP_URL=smtp://127.0.0.1:1";
	envp[2] = (char *)"MAIL_FROM=accounts@service.example";
	envp[3] = NULL;
	assert_int_equal(config_load(&c, envp, &bad, why, sizeof(why)), CONFIG_OK);
	assert_true((fd = mkstemp(logpath)) != -1);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	e = mail_send(&c, &m);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	config_free(&c);
	log = slurp(logpath);
	unlink(logpath);
	assert_int_equal(e, MAIL_ESEND);
	assert_non_null(log);
	assert_non_null(strstr(log, "mail not sent"));
	assert_non_null(strstr(log, "cannot load libcurl"));
	assert_non_null(strstr(log, "curl_easy_init"));
	assert_non_null(strstr(log, "\"domain\":\"example.net\""));
	assert_null(strstr(log, TOKEN));
	assert_null(strstr(log, "someone"));
	free(log);
}

int
main(void)
{
	const struct CMUnitTest loads[] = {
		cmocka_unit_test(test_loads),
	};
	const struct CMUnitTest missing[] = {
		cmocka_unit_test(test_missing),
	};
	const char	*expect = getenv("FU_CURL_DL_EXPECT");

	log_init("test_curl_dl");
	if (expect != NULL && strcmp(expect, "missing") == 0)
		return cmocka_run_group_tests(missing, NULL, NULL);
	return cmocka_run_group_tests(loads, NULL, NULL);
}
