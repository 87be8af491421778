/*
 * valgrind_log: the verdict on one memcheck log file (valgrind
 * --log-file=...), which the harness reads after a program run under
 * FU_VALGRIND has exited (harness.h).  A log is clean when every ERROR
 * SUMMARY in it counts 0 errors and no LEAK SUMMARY has bytes
 * "definitely lost"; "indirectly lost", "possibly lost" and "still
 * reachable" do not count (a FastCGI program stopped by SIGTERM still
 * holds its live state, which is reachable).  A log without an ERROR
 * SUMMARY is incomplete: the process was killed (SIGKILL) or still runs.
 * Pure text parsing, no I/O, so that tests/integration/
 * test_valgrind_log.c checks it on sample logs.
 */
#ifndef FCGI_USERS_VALGRIND_LOG_H
#define FCGI_USERS_VALGRIND_LOG_H

enum vg_verdict {
	VG_CLEAN,		/* no error, no definite leak */
	VG_DIRTY,		/* errors, or bytes definitely lost */
	VG_INCOMPLETE		/* no ERROR SUMMARY line */
};

struct vg_report {
	long long	 errors;		/* sum of the ERROR SUMMARY counts */
	long long	 definite_bytes;	/* sum of "definitely lost: N bytes" */
	long long	 definite_blocks;	/* ... "in M blocks" */
	/* Where the report proper starts in the log: the first line after
	 * valgrind's preamble (banner, Command, Parent PID). */
	const char	*body;
};

/* Parses the NUL-terminated text of a log into *r; returns the verdict. */
enum vg_verdict	 vg_log_parse(const char *log, struct vg_report *r);

#endif
