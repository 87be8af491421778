/*
 * hex: bytes as lower-case hexadecimal, the form ids and digests take in
 * the database, the logs and the headers (session ids, token hashes,
 * request ids).
 */
#ifndef FCGI_USERS_HEX_H
#define FCGI_USERS_HEX_H

#include <stddef.h>

/* The n bytes at b as 2n hex digits at out, then a NUL (2n + 1 bytes). */
void	 hex_lower(const unsigned char *b, size_t n, char *out);
/* 16 bytes as a UUID's 8-4-4-4-12 digits at out, then a NUL. */
#define HEX_UUID_LEN	36
void	 hex_uuid(const unsigned char b[16], char out[HEX_UUID_LEN + 1]);

#endif
