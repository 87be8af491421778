/*
 * test_fileperm: fileperm's mode checks (every "other" bit against each
 * rule), the database and its -wal/-journal companions, a missing file,
 * the umask it sets; and config_load() refusing an env file or a key file
 * that other users may read or write (CONFIG_EUNSAFE, the file and the
 * chmod in the reason), while group bits and public keys that others may
 * only read are accepted.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "config.h"
#include "db.h"		/* for unit_util.h's unit_rm_entry */
#include "fileperm.h"
#include "unit_util.h"

#define SECRET32	"0123456789abcdef0123456789abcdef"

static char	dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_fileperm.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static char	*priv_pem, *pub_pem;

static int
teardown(void **state)
{
	(void)state;
	free(priv_pem);
	free(pub_pem);
	return nftw(dir, unit_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* dir/name with `text`, then chmod'ed to mode (the umask cannot interfere). */
static char *
make_file(const char *name, const char *text, mode_t mode)
{
	char	*path;
	int	 fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	(void)unlink(path);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
test_check_mode(void **state)
{
	static const struct {
		int	 line;
		mode_t	 mode;
		int	 flags;
		int	 want;		/* FILEPERM_* */
		const char *what;	/* in why, when refused */
	} cases[] = {
		{ __LINE__, 0600, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		{ __LINE__, 0640, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		{ __LINE__, 0660, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		{ __LINE__, 0400, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		{ __LINE__, 0644, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "readable by" },
		{ __LINE__, 0604, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "readable by" },
		{ __LINE__, 0602, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "writable by" },
		{ __LINE__, 0666, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "readable and writable" },
		{ __LINE__, 0606, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "readable and writable" },
		{ __LINE__, 0777, FILEPERM_PRIVATE, FILEPERM_EUNSAFE, "readable and writable" },
		/* execute alone gives nothing away */
		{ __LINE__, 0601, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		/* set-id and sticky bits are not others' */
		{ __LINE__, 04600, FILEPERM_PRIVATE, FILEPERM_OK, NULL },
		/* public keys: anyone may read, nobody else write */
		{ __LINE__, 0644, FILEPERM_NO_WRITE, FILEPERM_OK, NULL },
		{ __LINE__, 0444, FILEPERM_NO_WRITE, FILEPERM_OK, NULL },
		{ __LINE__, 0646, FILEPERM_NO_WRITE, FILEPERM_EUNSAFE, "writable by" },
		{ __LINE__, 0662, FILEPERM_NO_WRITE, FILEPERM_EUNSAFE, "writable by" },
		{ __LINE__, 0644, FILEPERM_NO_READ, FILEPERM_EUNSAFE, "readable by" },
		{ __LINE__, 0602, FILEPERM_NO_READ, FILEPERM_OK, NULL },
		{ __LINE__, 0666, 0, FILEPERM_OK, NULL },
	};
	char	 why[512], want[128];

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++) {
		why[0] = '\0';
		CHECK_ENUM(cases[i].line, enum fileperm_err, fileperm_strerror,
		    fileperm_check_mode(cases[i].mode, cases[i].flags, "/srv/x.db",
		    why, sizeof(why)), cases[i].want);
		if (cases[i].want == FILEPERM_OK) {
			CHECK_STR(cases[i].line, why, "");
			continue;
		}
		CHECK(cases[i].line, strstr(why, cases[i].what) != NULL);
		snprintf(want, sizeof(want), "(mode %04o)", (unsigned)cases[i].mode);
		CHECK(cases[i].line, strstr(why, want) != NULL);
		CHECK(cases[i].line, strncmp(why, "/srv/x.db is ", 13) == 0);
		CHECK(cases[i].line, strstr(why, "run chmod o-rwx /srv/x.db") != NULL);
	}
	/* A short buffer is cut, never overrun. */
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_mode(0644, FILEPERM_PRIVATE, "/srv/x.db", why, 8),
	    FILEPERM_EUNSAFE);
	CHECK_INT(__LINE__, strlen(why), 7);
	DONE();
}

static void
test_check_path_and_db(void **state)
{
	char	*db, *wal, *journal, *missing, why[512];

	(void)state;
	assert_true(asprintf(&missing, "%s/nothing-here.db", dir) > 0);
	/* Missing: fine, it will be created under the umask. */
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_path(missing, FILEPERM_PRIVATE, why, sizeof(why)), FILEPERM_OK);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(missing, why, sizeof(why)), FILEPERM_OK);
	/* A path through a file is not "missing". */
	db = make_file("a.db", "x", 0600);
	free(missing);
	assert_true(asprintf(&missing, "%s/sub", db) > 0);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_path(missing, FILEPERM_PRIVATE, why, sizeof(why)),
	    FILEPERM_ESTAT);
	CHECK(__LINE__, strstr(why, "Not a directory") != NULL);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(db, why, sizeof(why)), FILEPERM_OK);
	assert_int_equal(chmod(db, 0644), 0);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(db, why, sizeof(why)), FILEPERM_EUNSAFE);
	CHECK(__LINE__, strstr(why, "a.db is readable") != NULL);
	assert_int_equal(chmod(db, 0640), 0);
	/* The WAL holds pages of the database: same rule, and named. */
	wal = make_file("a.db-wal", "", 0604);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(db, why, sizeof(why)), FILEPERM_EUNSAFE);
	CHECK(__LINE__, strstr(why, "a.db-wal is readable") != NULL);
	CHECK(__LINE__, strstr(why, "chmod o-rwx ") != NULL &&
	    strstr(why, "a.db-wal") != NULL);
	assert_int_equal(chmod(wal, 0600), 0);
	journal = make_file("a.db-journal", "", 0622);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(db, why, sizeof(why)), FILEPERM_EUNSAFE);
	CHECK(__LINE__, strstr(why, "a.db-journal is writable") != NULL);
	assert_int_equal(chmod(journal, 0660), 0);
	CHECK_ENUM(__LINE__, enum fileperm_err, fileperm_strerror,
	    fileperm_check_db(db, why, sizeof(why)), FILEPERM_OK);
	free(db);
	free(wal);
	free(journal);
	free(missing);
	DONE();
}

static void
test_umask(void **state)
{
	mode_t	 before, old, now;
	char	*path;
	struct stat st;
	int	 fd;

	(void)state;
	before = umask(022);
	old = fileperm_umask();
	CHECK_INT(__LINE__, old, 022);
	now = umask(0);
	CHECK_INT(__LINE__, now, 027);
	(void)umask(now);
	assert_true(asprintf(&path, "%s/created", dir) > 0);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666)) != -1);
	assert_int_equal(fstat(fd, &st), 0);
	CHECK_INT(__LINE__, st.st_mode & 0777, 0640);
	close(fd);
	/* Group bits the administrator masked stay masked. */
	(void)umask(077);
	CHECK_INT(__LINE__, fileperm_umask(), 077);
	now = umask(before);
	CHECK_INT(__LINE__, now, 077);
	free(path);
	DONE();
}

/* --- config_load ------------------------------------------------------- */

/* One RSA pair as PEM text (priv_pem, pub_pem), made once: key
 * generation is slow. */
static void
make_pems(void)
{
	EVP_PKEY	*k;
	BIO		*b;
	char		*p;
	long		 n;

	if (priv_pem != NULL)
		return;
	assert_non_null(k = EVP_RSA_gen(2048));
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &p);
	priv_pem = strndup(p, (size_t)n);
	BIO_free(b);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
	n = BIO_get_mem_data(b, &p);
	pub_pem = strndup(p, (size_t)n);
	BIO_free(b);
	EVP_PKEY_free(k);
}

/* The pair in dir/stem.key and dir/stem.pub with the modes given. */
static void
make_keys(const char *stem, mode_t priv_mode, mode_t pub_mode, char **priv,
    char **pub)
{
	char	 name[64];

	make_pems();
	snprintf(name, sizeof(name), "%s.key", stem);
	*priv = make_file(name, priv_pem, priv_mode);
	snprintf(name, sizeof(name), "%s.pub", stem);
	*pub = make_file(name, pub_pem, pub_mode);
}

static void
test_config_files(void **state)
{
	static const struct {
		int		 line;
		const char	*file;		/* the env file */
		mode_t		 mode;
		enum config_err	 want;
		const char	*what;		/* in why, when refused */
	} cases[] = {
		/* holding JWT_SECRET: nobody else may read or write it */
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0600, CONFIG_OK, NULL },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0640, CONFIG_OK, NULL },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0644, CONFIG_EUNSAFE, "readable by" },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0604, CONFIG_EUNSAFE, "readable by" },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0666, CONFIG_EUNSAFE,
		    "readable and writable" },
		{ __LINE__, "JWT_SECRET=" SECRET32 "\n", 0602, CONFIG_EUNSAFE, "writable by" },
		/* other secrets count the same */
		{ __LINE__, "API_KEY=legacy-key-1\n", 0644, CONFIG_EUNSAFE, "readable by" },
		{ __LINE__, "MAIL_SMTP_PASSWORD=pw\n", 0644, CONFIG_EUNSAFE, "readable by" },
		{ __LINE__, "DATABASE_URL=sqlite:////srv/x.db\n", 0644, CONFIG_EUNSAFE,
		    "readable by" },
		/* no secret in it: others may read, never write */
		{ __LINE__, "LOG_LEVEL=DEBUG\nAPP_NAME=x\n", 0644, CONFIG_OK, NULL },
		{ __LINE__, "LOG_LEVEL=DEBUG\n", 0646, CONFIG_EUNSAFE, "writable by" },
		{ __LINE__, "# nothing\n", 0666, CONFIG_EUNSAFE, "writable by" },
	};
	const char	*env[4], *bad;
	char		 why[1024], *file, *var;
	struct config	 c;
	enum config_err	 e;

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++) {
		file = make_file("test.env", cases[i].file, cases[i].mode);
		assert_true(asprintf(&var, "FCGI_USERS_ENV_FILE=%s", file) > 0);
		env[0] = var;
		env[1] = "JWT_SECRET=" SECRET32;	/* the environment wins, the file is still read */
		env[2] = NULL;
		e = config_load(&c, (char *const *)env, &bad, why, sizeof(why));
		CHECK_ENUM(cases[i].line, enum config_err, config_strerror, e, cases[i].want);
		if (cases[i].want != CONFIG_OK) {
			CHECK_STR(cases[i].line, bad, "FCGI_USERS_ENV_FILE");
			CHECK(cases[i].line, strstr(why, cases[i].what) != NULL);
			CHECK(cases[i].line, strstr(why, file) != NULL);
			CHECK(cases[i].line, strstr(why, "chmod o-rwx") != NULL);
			/* never a value of the file */
			CHECK(cases[i].line, strstr(why, SECRET32) == NULL);
		}
		config_free(&c);
		free(var);
		free(file);
	}
	DONE();
}

static void
test_config_keys(void **state)
{
	static const struct {
		int		 line;
		const char	*setting;	/* which file is given */
		mode_t		 priv, pub;
		enum config_err	 want;
		const char	*bad;
	} cases[] = {
		{ __LINE__, "JWT_PRIVATE_KEY_FILE", 0600, 0644, CONFIG_OK, NULL },
		{ __LINE__, "JWT_PRIVATE_KEY_FILE", 0640, 0644, CONFIG_OK, NULL },
		{ __LINE__, "JWT_PRIVATE_KEY_FILE", 0644, 0644, CONFIG_EUNSAFE,
		    "JWT_PRIVATE_KEY_FILE" },
		{ __LINE__, "JWT_PRIVATE_KEY_FILE", 0602, 0644, CONFIG_EUNSAFE,
		    "JWT_PRIVATE_KEY_FILE" },
		{ __LINE__, "JWT_PUBLIC_KEY_FILE", 0600, 0644, CONFIG_OK, NULL },
		{ __LINE__, "JWT_PUBLIC_KEY_FILE", 0600, 0646, CONFIG_EUNSAFE,
		    "JWT_PUBLIC_KEY_FILE" },
		{ __LINE__, "JWT_PREVIOUS_PUBLIC_KEYS_FILE", 0600, 0444, CONFIG_OK, NULL },
		{ __LINE__, "JWT_PREVIOUS_PUBLIC_KEYS_FILE", 0600, 0666, CONFIG_EUNSAFE,
		    "JWT_PREVIOUS_PUBLIC_KEYS_FILE" },
		{ __LINE__, "MCP_JWT_PRIVATE_KEY_FILE", 0600, 0644, CONFIG_OK, NULL },
		{ __LINE__, "MCP_JWT_PRIVATE_KEY_FILE", 0604, 0644, CONFIG_EUNSAFE,
		    "MCP_JWT_PRIVATE_KEY_FILE" },
		{ __LINE__, "MCP_JWT_PUBLIC_KEY_FILE", 0600, 0644, CONFIG_OK, NULL },
		{ __LINE__, "MCP_JWT_PUBLIC_KEY_FILE", 0600, 0642, CONFIG_EUNSAFE,
		    "MCP_JWT_PUBLIC_KEY_FILE" },
	};
	const char	*env[4], *bad;
	char		 why[1024], *priv, *pub, *var;
	struct config	 c;
	enum config_err	 e;
	int		 is_priv;

	(void)state;
	for (size_t i = 0; i < NCASES(cases); i++) {
		make_keys("k", cases[i].priv, cases[i].pub, &priv, &pub);
		is_priv = strstr(cases[i].setting, "PRIVATE") != NULL;
		assert_true(asprintf(&var, "%s=%s", cases[i].setting,
		    is_priv ? priv : pub) > 0);
		env[0] = "JWT_SECRET=" SECRET32;
		env[1] = var;
		env[2] = NULL;
		e = config_load(&c, (char *const *)env, &bad, why, sizeof(why));
		CHECK_ENUM(cases[i].line, enum config_err, config_strerror, e, cases[i].want);
		if (cases[i].want != CONFIG_OK) {
			CHECK_STR(cases[i].line, bad, cases[i].bad);
			CHECK(cases[i].line, strstr(why, is_priv ? priv : pub) != NULL);
			CHECK(cases[i].line, strstr(why, "chmod o-rwx") != NULL);
			CHECK(cases[i].line, strstr(why, "BEGIN") == NULL);
		}
		config_free(&c);
		free(var);
		free(priv);
		free(pub);
	}
	DONE();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_mode),
		cmocka_unit_test(test_check_path_and_db),
		cmocka_unit_test(test_umask),
		cmocka_unit_test(test_config_files),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
