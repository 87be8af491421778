/*
 * test_log: the JSON log lines (src/common/log.c).  The access line is an
 * object made once and refilled per request, so the cases check that each
 * line carries that request's values and none of the previous one's, in
 * the documented key order, and the hand-written timestamps against the
 * clock and their formats.  Lines are read back from stderr, which each
 * case points at a temporary file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "log.h"

#include "unit_util.h"

static FILE	*capture;
static int	 saved_stderr = -1;

static int
setup(void **state)
{
	(void)state;
	if ((capture = tmpfile()) == NULL)
		return -1;
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(capture), STDERR_FILENO) < 0)
		return -1;
	log_init("test_log");
	log_set_level(LOG_LEVEL_INFO);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(capture);
	log_set_level(LOG_LEVEL_INFO);
	return 0;
}

/* The lines written since the last call, as a JSON array of objects. */
static struct json_object *
lines(void)
{
	static long		 off;
	struct json_object	*a = json_object_new_array(), *o;
	char			 buf[9000];

	fseek(capture, off, SEEK_SET);
	while (fgets(buf, sizeof(buf), capture) != NULL) {
		assert_true(strlen(buf) > 0 && buf[strlen(buf) - 1] == '\n');
		o = json_tokener_parse(buf);
		assert_non_null(o);
		json_object_array_add(a, o);
	}
	off = ftell(capture);
	return a;
}

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("no %s", k);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* "YYYY-MM-DDTHH:MM:SS." and the rest, checked digit by digit. */
static void
check_stamp(const char *t, int us)
{
	static const char	 ms_fmt[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	static const char	 us_fmt[] = "dddd-dd-ddTdd:dd:dd.dddddd+00:00";
	const char		*f = us ? us_fmt : ms_fmt;
	struct tm		 tm;
	time_t			 now = time(NULL), then;
	size_t			 i;

	assert_int_equal(strlen(t), strlen(f));
	for (i = 0; f[i] != '\0'; i++) {
		if (f[i] == 'd')
			assert_true(t[i] >= '0' && t[i] <= '9');
		else
			assert_int_equal(t[i], f[i]);
	}
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(t, "%Y-%m-%dT%H:%M:%S", &tm));
	then = timegm(&tm);
	/* The clock's time, UTC, not local time. */
	assert_true(then <= now && now - then <= 2);
}

static void
test_timestamp(void **state)
{
	char	 t[64], small[8];

	(void)state;
	log_timestamp(t, sizeof(t), LOG_TIME_MS_Z);
	check_stamp(t, 0);
	log_timestamp(t, sizeof(t), LOG_TIME_US_OFFSET);
	check_stamp(t, 1);
	/* Short buffers are cut, still terminated; none is not written. */
	memset(small, 'x', sizeof(small));
	log_timestamp(small, sizeof(small), LOG_TIME_MS_Z);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, t, sizeof(small) - 1);
	small[0] = 'x';
	log_timestamp(small, 1, LOG_TIME_MS_Z);
	assert_int_equal(small[0], '\0');
	small[0] = 'x';
	log_timestamp(small, 0, LOG_TIME_MS_Z);
	assert_int_equal(small[0], 'x');
}

static void
test_access_lines(void **state)
{
	static const char *const keys[] = {
		"time", "level", "program", "msg", "request_id", "method",
		"path", "status", "duration_us", "user_id",
	};
	struct log_access	 a1 = { "req-1", "GET", "/users/me", 200, 1234,
				    "3f0c1d2e-user" };
	struct log_access	 a2 = { "req-2-longer-than-the-first", "POST",
				    "/auth/jwt/login", 400, 9876543210LL, NULL };
	struct log_access	 a3 = { NULL, NULL, NULL, 503, 0, "u\"2\n" };
	struct json_object	*a, *o, *v;
	size_t			 i;

	(void)state;
	json_object_put(lines());
	log_access(&a1);
	log_access(&a2);
	log_access(&a3);
	log_access(&a1);
	a = lines();
	assert_int_equal(json_object_array_length(a), 4);
	for (i = 0; i < 4; i++) {
		size_t	 k = 0;

		o = json_object_array_get_idx(a, i);
		json_object_object_foreach(o, key, val) {
			(void)val;
			assert_true(k < sizeof(keys) / sizeof(keys[0]));
			assert_string_equal(key, keys[k]);
			k++;
		}
		assert_int_equal(k, sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(str(o, "level"), "INFO");
		assert_string_equal(str(o, "program"), "test_log");
		assert_string_equal(str(o, "msg"), "access");
		check_stamp(str(o, "time"), 0);
	}
	o = json_object_array_get_idx(a, 0);
	assert_string_equal(str(o, "request_id"), "req-1");
	assert_string_equal(str(o, "method"), "GET");
	assert_string_equal(str(o, "path"), "/users/me");
	assert_int_equal(json_object_get_int(json_object_object_get(o, "status")), 200);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "duration_us")), 1234);
	assert_string_equal(str(o, "user_id"), "3f0c1d2e-user");
	/* Nobody authenticated: null, not the previous line's user. */
	o = json_object_array_get_idx(a, 1);
	assert_string_equal(str(o, "request_id"), "req-2-longer-than-the-first");
	assert_string_equal(str(o, "path"), "/auth/jwt/login");
	assert_int_equal(json_object_get_int(json_object_object_get(o, "status")), 400);
	assert_true(json_object_get_int64(json_object_object_get(o, "duration_us")) ==
	    9876543210LL);
	assert_true(json_object_object_get_ex(o, "user_id", &v));
	assert_null(v);
	/* Missing strings are empty; quotes and newlines stay escaped. */
	o = json_object_array_get_idx(a, 2);
	assert_string_equal(str(o, "request_id"), "");
	assert_string_equal(str(o, "method"), "");
	assert_string_equal(str(o, "path"), "");
	assert_string_equal(str(o, "user_id"), "u\"2\n");
	/* The first request again: nothing of the others left over. */
	o = json_object_array_get_idx(a, 3);
	assert_string_equal(str(o, "request_id"), "req-1");
	assert_string_equal(str(o, "user_id"), "3f0c1d2e-user");
	json_object_put(a);
}

/* Above INFO, no access line; messages keep their own shape. */
static void
test_access_level(void **state)
{
	struct log_access	 acc = { "r", "GET", "/", 200, 1, NULL };
	struct json_object	*a, *o;

	(void)state;
	json_object_put(lines());
	log_set_level(LOG_LEVEL_WARNING);
	log_access(&acc);
	log_info("not written");
	log_warn("written", "reason", "because");
	a = lines();
	assert_int_equal(json_object_array_length(a), 1);
	o = json_object_array_get_idx(a, 0);
	assert_string_equal(str(o, "msg"), "written");
	assert_string_equal(str(o, "level"), "WARNING");
	assert_string_equal(str(o, "reason"), "because");
	check_stamp(str(o, "time"), 0);
	json_object_put(a);
	log_set_level(LOG_LEVEL_INFO);
	log_access(&acc);
	a = lines();
	assert_int_equal(json_object_array_length(a), 1);
	json_object_put(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_access_lines),
		cmocka_unit_test(test_access_level),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
