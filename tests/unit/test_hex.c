/*
 * test_hex: lower-case hex and the UUID layout (src/common/hex.c), which
 * session ids, token digests, jtis and request ids are written with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hex.h"

static void
test_hex_lower(void **state)
{
	unsigned char	 all[256];
	char		 out[2 * 256 + 2];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	memset(out, 'x', sizeof(out));
	hex_lower(all, sizeof(all), out);
	assert_int_equal(strlen(out), 512);
	assert_memory_equal(out, "000102030405060708090a0b0c0d0e0f10", 34);
	assert_string_equal(out + 2 * 0xf0, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
	assert_int_equal(out[513], 'x');	/* one NUL, nothing after */
	/* Nothing: only the NUL. */
	out[0] = 'x';
	hex_lower(all, 0, out);
	assert_string_equal(out, "");
	hex_lower((const unsigned char *)"\xde\xad\xbe\xef", 4, out);
	assert_string_equal(out, "deadbeef");
}

static void
test_hex_uuid(void **state)
{
	static const unsigned char b[16] = {
		0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x42, 0xd3,
		0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00,
	};
	unsigned char	 z[16], f[16];
	char		 out[HEX_UUID_LEN + 2];

	(void)state;
	memset(out, 'x', sizeof(out));
	hex_uuid(b, out);
	assert_string_equal(out, "123e4567-e89b-42d3-a456-426614174000");
	assert_int_equal(out[HEX_UUID_LEN + 1], 'x');
	memset(z, 0, sizeof(z));
	hex_uuid(z, out);
	assert_string_equal(out, "00000000-0000-0000-0000-000000000000");
	memset(f, 0xff, sizeof(f));
	hex_uuid(f, out);
	assert_string_equal(out, "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_lower),
		cmocka_unit_test(test_hex_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
