/*
 * hex: lower-case hexadecimal (see hex.h).  OpenSSL's OPENSSL_buf2hexstr
 * writes upper case, which the ids we match (RFC 9562 UUIDs as Python
 * prints them, FastAPI-Users' hex digests) do not use.
 */
#include "hex.h"

void
hex_lower(const unsigned char *b, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

void
hex_uuid(const unsigned char b[16], char out[HEX_UUID_LEN + 1])
{
	hex_lower(b, 4, out);
	out[8] = '-';
	hex_lower(b + 4, 2, out + 9);
	out[13] = '-';
	hex_lower(b + 6, 2, out + 14);
	out[18] = '-';
	hex_lower(b + 8, 2, out + 19);
	out[23] = '-';
	hex_lower(b + 10, 6, out + 24);
}
