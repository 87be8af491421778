/*
 * db_pg_dl: libpq through dlopen(3) (see db_pg_dl.h), as curl_dl.c loads
 * libcurl: a table of (name, offset in struct pq_api), each resolved
 * with dlsym(3).
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "db_pg_dl.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym: function pointers are as wide as data pointers");

#define SYM(member)	{ "PQ" #member, offsetof(struct pq_api, member) }

static const struct {
	const char	*name;
	size_t		 off;
} syms[] = {
	SYM(connectdbParams), SYM(status), SYM(errorMessage),
	SYM(setNoticeProcessor), SYM(setErrorVerbosity), SYM(finish),
	SYM(reset), SYM(transactionStatus), SYM(exec), SYM(prepare),
	SYM(execPrepared), SYM(execParams), SYM(resultStatus),
	SYM(resultErrorField), SYM(resultErrorMessage), SYM(clear),
	SYM(cmdTuples), SYM(ntuples), SYM(nfields), SYM(ftype),
	SYM(getisnull), SYM(getlength), SYM(getvalue), SYM(unescapeBytea),
	SYM(freemem), SYM(conninfoParse), SYM(conninfoFree),
};

_Static_assert(sizeof(syms) / sizeof(syms[0]) * sizeof(void *) ==
    sizeof(struct pq_api), "every member of struct pq_api is in syms");

static struct pq_api	 api;
static int		 loaded;

const struct pq_api *
db_pg_dl(char *why, size_t whylen)
{
	struct pq_api	 a;
	const char	*err;
	void		*h, *p;
	size_t		 i;

	if (loaded)
		return &api;
	if ((h = dlopen(DB_PG_DL_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		if (why != NULL)
			snprintf(why, whylen, "%s", err != NULL ? err :
			    "cannot load " DB_PG_DL_SONAME);
		return NULL;
	}
	memset(&a, 0, sizeof(a));
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		(void)dlerror();
		if ((p = dlsym(h, syms[i].name)) == NULL) {
			err = dlerror();
			if (why != NULL)
				snprintf(why, whylen, "%s", err != NULL ? err :
				    "a libpq symbol is NULL");
			dlclose(h);
			return NULL;
		}
		memcpy((char *)&a + syms[i].off, &p, sizeof(p));
	}
	api = a;
	loaded = 1;
	return &api;
}
