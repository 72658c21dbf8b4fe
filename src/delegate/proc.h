/*
 * Running other programs (the target interpreter, pip, uv, python -m venv):
 * fork and execve with an argument vector, never a shell or system(), so
 * no argument is ever parsed as shell syntax.
 *
 * The caller owns argv, env and the capture buffers; nothing is kept after
 * a call returns. Strings returned by sp_proc_which() and vectors from
 * sp_strv_*() are the caller's, freed with free() and sp_strv_free().
 */
#ifndef SP_DELEGATE_PROC_H
#define SP_DELEGATE_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

struct sp_proc_opts {
	char *const *env;    /* the child's environment; NULL: safepip's own */
	struct sp_buf *out;  /* capture stdout (up to out->max); NULL: inherit */
	struct sp_buf *err;  /* capture stderr (up to err->max); NULL: inherit */
	bool stdin_null;     /* stdin from /dev/null instead of safepip's */
	unsigned timeout_ms; /* kill the child after this long; 0: wait forever */
	/*
	 * Ignore SIGINT and SIGQUIT in safepip while the child runs, as
	 * system() does: Ctrl-C reaches the child (same process group), which
	 * decides how to stop, and safepip lives to clean up and report.
	 */
	bool ignore_interrupts;
};

/* How a child ended. */
struct sp_proc_status {
	bool exited;  /* exit code in code */
	int code;
	int signal;   /* when killed by a signal */
	bool timed_out;
};

/*
 * Runs argv[0] (an absolute or relative path, not searched in PATH: use
 * sp_proc_which()) and waits for it. Returns 0 when it ran, whatever its
 * exit status (in *st); SP_ENOENT or SP_EIO when it could not be started,
 * SP_ELIMIT when it printed more than a capture buffer holds and
 * SP_ETIMEOUT when it ran too long (in both cases it was killed, and *st
 * says how it ended). The child gets default signal dispositions and no
 * file descriptors but 0, 1 and 2.
 */
int sp_proc_run(char *const argv[], const struct sp_proc_opts *o, struct sp_proc_status *st,
		struct sp_diag *d);

/*
 * The exit code a shell would give for st: the code, or 128 + signal.
 */
int sp_proc_exit_code(const struct sp_proc_status *st);

/*
 * Describes how a child ended, for a message: "exited with status 2",
 * "was killed by signal 9 (Killed)", "timed out". Into buf (>= 64 bytes).
 */
void sp_proc_describe(const struct sp_proc_status *st, char *buf, size_t size);

/*
 * Finds an executable: a name containing '/' is returned as is (if it is an
 * executable file); otherwise each directory of path (a PATH value; NULL:
 * $PATH) is tried. Returns a new string or NULL.
 */
char *sp_proc_which(const char *name, const char *path);

/* NULL-terminated string vectors (argv, envp). */
struct sp_strv {
	char **v;
	size_t n, cap;
};

void sp_strv_init(struct sp_strv *s);
/* Appends a copy of str. */
void sp_strv_push(struct sp_strv *s, const char *str);
void sp_strv_pushf(struct sp_strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the strings and the vector. */
void sp_strv_release(struct sp_strv *s);

#endif
