/*
 * db_pg_dl: libpq, loaded at run time with dlopen(3) the first time a
 * postgresql:// URL is used, never linked (as curl_dl.h does for
 * libcurl).  Linked, libpq and its dependency tree (Kerberos, GSSAPI,
 * LDAP, SASL) are mapped into every FastCGI process at start, SQLite
 * deployments included: about 3.7 MiB resident more, past bench/memory's
 * budget of 8 MiB.  Part of the db module: only db_pg*.c include it.
 *
 * Members are typed as libpq-fe.h declares the functions and drop the
 * "PQ" prefix.  Not thread-safe: the programs are single-threaded.
 */
#ifndef FCGI_USERS_DB_PG_DL_H
#define FCGI_USERS_DB_PG_DL_H

#include <stddef.h>

#include <libpq-fe.h>

#define DB_PG_DL_SONAME		"libpq.so.5"

struct pq_api {
	__typeof__(PQconnectdbParams)		*connectdbParams;
	__typeof__(PQstatus)			*status;
	__typeof__(PQerrorMessage)		*errorMessage;
	__typeof__(PQsetNoticeProcessor)	*setNoticeProcessor;
	__typeof__(PQsetErrorVerbosity)		*setErrorVerbosity;
	__typeof__(PQfinish)			*finish;
	__typeof__(PQreset)			*reset;
	__typeof__(PQtransactionStatus)		*transactionStatus;
	__typeof__(PQexec)			*exec;
	__typeof__(PQprepare)			*prepare;
	__typeof__(PQexecPrepared)		*execPrepared;
	__typeof__(PQexecParams)		*execParams;
	__typeof__(PQresultStatus)		*resultStatus;
	__typeof__(PQresultErrorField)		*resultErrorField;
	__typeof__(PQresultErrorMessage)	*resultErrorMessage;
	__typeof__(PQclear)			*clear;
	__typeof__(PQcmdTuples)			*cmdTuples;
	__typeof__(PQntuples)			*ntuples;
	__typeof__(PQnfields)			*nfields;
	__typeof__(PQftype)			*ftype;
	__typeof__(PQgetisnull)			*getisnull;
	__typeof__(PQgetlength)			*getlength;
	__typeof__(PQgetvalue)			*getvalue;
	__typeof__(PQunescapeBytea)		*unescapeBytea;
	__typeof__(PQfreemem)			*freemem;
	__typeof__(PQconninfoParse)		*conninfoParse;
	__typeof__(PQconninfoFree)		*conninfoFree;
};

/*
 * The table, after loading DB_PG_DL_SONAME (RTLD_NOW | RTLD_LOCAL) and
 * resolving every member on the first successful call; later calls
 * return the same table at once.  Never unloaded.  NULL when the library
 * or a symbol is missing, with dlerror's text in why (which may be NULL);
 * nothing is kept then, so the next call tries again.
 */
const struct pq_api	*db_pg_dl(char *why, size_t whylen);

#endif
