/*
 * tokens_int: what the token kinds (tokens.c, tokens_mcp.c,
 * tokens_recovery.c) share to read a verified payload.  Not for other
 * modules.
 */
#ifndef FCGI_USERS_TOKENS_INT_H
#define FCGI_USERS_TOKENS_INT_H

#include <stddef.h>

struct json_object;

/*
 * The string claim `name`: 1 with *out pointing into claims when it is a
 * string of min..max bytes without NUL, 0 when absent, -1 otherwise.
 */
int	 tokens_claim_str(struct json_object *claims, const char *name,
	    size_t min, size_t max, const char **out);
/* "sub" as a UUID in any form Python's uuid.UUID() takes, canonical into
 * out (37 bytes); 0, or -1 when absent or not one. */
int	 tokens_claim_sub(struct json_object *claims, char *out);

#endif
