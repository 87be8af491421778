/*
 * curl_stub: a "libcurl.so.4" that lacks every function but
 * curl_global_init, for test_curl_dl_missing: found first through
 * LD_LIBRARY_PATH, it loads, and curl_dl() must then fail on the first
 * symbol it does not have, with dlerror's text, and mail must fail the
 * send (MAIL_ESEND) with that reason.
 */
int	curl_global_init(long);

int
curl_global_init(long flags)
{
	(void)flags;
	return 0;
}
