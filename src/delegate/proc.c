/*
 * fork/execve with pipes, a deadline and capped capture (see proc.h).
 *
 * safepip may have scanner threads alive when it forks, so the child does
 * only async-signal-safe work between fork and execve: everything it needs
 * (argv, envp, the resolved path) is prepared by the parent. A close-on-exec
 * pipe carries errno back when execve fails, so "not found" is reported as
 * such instead of as an exit status 127 that a real program could also give.
 */
#include "delegate/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

extern char **environ;

/* Milliseconds between checks for a child that closed its pipes but runs on. */
#define WAIT_POLL_MS 10

static int cloexec_pipe(int p[2])
{
	if (pipe(p) != 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Closes every descriptor from lo up, except keep; close_range(2) when the kernel has it. */
static void close_from(int lo, int keep)
{
#ifdef SYS_close_range
	if (keep >= lo) {
		if (keep > lo)
			syscall(SYS_close_range, (unsigned)lo, (unsigned)keep - 1, 0u);
		syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u);
		return;
	}
	syscall(SYS_close_range, (unsigned)lo, ~0u, 0u);
#else
	(void)lo;
	(void)keep;
#endif
}

struct child_fds {
	int out, err, exec_err;
};

/* Only async-signal-safe calls from here to execve. */
__attribute__((noreturn)) static void child(char *const argv[], char *const *env,
					    const struct child_fds *f, bool stdin_null,
					    const struct sigaction *old_int,
					    const struct sigaction *old_quit)
{
	struct sigaction dfl;
	sigset_t none;
	int e, fd;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	/* What the user's shell set (ignored in a background job), not what safepip set. */
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGQUIT, old_quit, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (stdin_null) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0 && fd != 0) {
			dup2(fd, 0);
			close(fd);
		}
	}
	if (f->out >= 0)
		dup2(f->out, 1);
	if (f->err >= 0)
		dup2(f->err, 2);
	close_from(3, f->exec_err);
	execve(argv[0], argv, env);
	e = errno;
	while (write(f->exec_err, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Reads what is available on *fd into b; closes *fd at EOF. SP_ELIMIT when b is full. */
static int drain(int *fd, struct sp_buf *b)
{
	char chunk[65536];
	ssize_t n;

	n = read(*fd, chunk, sizeof(chunk));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : SP_EIO;
	if (n == 0) {
		close_fd(fd);
		return 0;
	}
	return sp_buf_add(b, chunk, (size_t)n);
}

static void set_status(struct sp_proc_status *st, int wstatus)
{
	if (WIFEXITED(wstatus)) {
		st->exited = true;
		st->code = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		st->signal = WTERMSIG(wstatus);
	}
}

/* Waits for pid until deadline (-1: none); kills it when the deadline passes. */
static int reap(pid_t pid, long long deadline, struct sp_proc_status *st)
{
	int wstatus = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &wstatus, deadline < 0 ? 0 : WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return SP_EIO;
		if (r == 0 && now_ms() >= deadline) {
			kill(pid, SIGKILL);
			st->timed_out = true;
			deadline = -1;
		} else if (r == 0) {
			struct timespec ts = {0, WAIT_POLL_MS * 1000000L};

			nanosleep(&ts, NULL);
		}
	}
	set_status(st, wstatus);
	return st->timed_out ? SP_ETIMEOUT : 0;
}

/* Copies child output into the capture buffers until both pipes close or something fails. */
static int pump(pid_t pid, int *out_fd, int *err_fd, const struct sp_proc_opts *o,
		long long deadline, struct sp_proc_status *st)
{
	struct pollfd pfd[2];
	int ret = 0, r, n, timeout;

	while (*out_fd >= 0 || *err_fd >= 0) {
		n = 0;
		if (*out_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = *out_fd, .events = POLLIN};
		if (*err_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = *err_fd, .events = POLLIN};
		timeout = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				kill(pid, SIGKILL);
				st->timed_out = true;
				return SP_ETIMEOUT;
			}
			timeout = left > 60000 ? 60000 : (int)left;
		}
		r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return SP_EIO;
		for (int i = 0; i < n && ret == 0; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == *out_fd)
				ret = drain(out_fd, o->out);
			else
				ret = drain(err_fd, o->err);
		}
		if (ret < 0) {
			kill(pid, SIGKILL);
			return ret;
		}
	}
	return 0;
}

int sp_proc_run(char *const argv[], const struct sp_proc_opts *o, struct sp_proc_status *st,
		struct sp_diag *d)
{
	static const struct sp_proc_opts defaults;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, execp[2] = {-1, -1};
	struct sigaction ign, old_int, old_quit;
	struct child_fds fds;
	long long deadline;
	bool ignoring = false;
	pid_t pid = -1;
	int ret = 0, e = 0, r;
	ssize_t n;

	if (!o)
		o = &defaults;
	memset(st, 0, sizeof(*st));
	if ((o->out && cloexec_pipe(outp)) || (o->err && cloexec_pipe(errp)) ||
	    cloexec_pipe(execp)) {
		ret = sp_diag_set(d, SP_EIO, "cannot run '%s': %s", argv[0], strerror(errno));
		goto out;
	}
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGQUIT, NULL, &old_quit);
	if (o->ignore_interrupts) {
		memset(&ign, 0, sizeof(ign));
		ign.sa_handler = SIG_IGN;
		sigaction(SIGINT, &ign, NULL);
		sigaction(SIGQUIT, &ign, NULL);
		ignoring = true;
	}
	fflush(NULL);
	deadline = o->timeout_ms ? now_ms() + o->timeout_ms : -1;
	fds = (struct child_fds){.out = outp[1], .err = errp[1], .exec_err = execp[1]};
	pid = fork();
	if (pid == 0)
		child(argv, o->env ? o->env : environ, &fds, o->stdin_null, &old_int, &old_quit);
	if (pid < 0) {
		ret = sp_diag_set(d, SP_EIO, "cannot run '%s': %s", argv[0], strerror(errno));
		goto out;
	}
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&execp[1]);
	do
		n = read(execp[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		reap(pid, -1, st);
		ret = sp_diag_set(d, e == ENOENT ? SP_ENOENT : SP_EIO, "cannot run '%s': %s",
				  argv[0], strerror(e));
		goto out;
	}
	ret = pump(pid, &outp[0], &errp[0], o, deadline, st);
	r = reap(pid, st->timed_out ? -1 : deadline, st);
	if (ret == 0)
		ret = r;
	if (ret == SP_ELIMIT)
		sp_diag_set(d, ret, "'%s' printed too much output (killed)", argv[0]);
	else if (ret == SP_ETIMEOUT)
		sp_diag_set(d, ret, "'%s' did not finish in %u s (killed)", argv[0],
			    o->timeout_ms / 1000);
	else if (ret < 0)
		sp_diag_set(d, ret, "cannot read the output of '%s': %s", argv[0], strerror(errno));
out:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&execp[0]);
	close_fd(&execp[1]);
	if (ignoring) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
	}
	return ret;
}

int sp_proc_exit_code(const struct sp_proc_status *st)
{
	if (st->exited)
		return st->code;
	if (st->signal)
		return 128 + st->signal;
	return 127;
}

void sp_proc_describe(const struct sp_proc_status *st, char *buf, size_t size)
{
	if (st->timed_out)
		snprintf(buf, size, "timed out");
	else if (st->exited)
		snprintf(buf, size, "exited with status %d", st->code);
	else if (st->signal)
		snprintf(buf, size, "was killed by signal %d (%s)", st->signal,
			 strsignal(st->signal));
	else
		snprintf(buf, size, "ended in an unknown way");
}

static bool is_executable_file(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && access(p, X_OK) == 0;
}

char *sp_proc_which(const char *name, const char *path)
{
	const char *p, *end;
	char *cand;

	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return is_executable_file(name) ? xstrdup(name) : NULL;
	if (!path)
		path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		/* An empty entry means the current directory, which is never searched here. */
		if (end > p) {
			cand = xasprintf("%.*s/%s", (int)(end - p), p, name);
			if (is_executable_file(cand))
				return cand;
			free(cand);
		}
		if (!*end)
			return NULL;
	}
}

void sp_strv_init(struct sp_strv *s)
{
	s->v = xcalloc(1, sizeof(*s->v));
	s->n = 0;
	s->cap = 1;
}

void sp_strv_push(struct sp_strv *s, const char *str)
{
	SP_GROW(s->v, s->n + 2, s->cap);
	s->v[s->n++] = xstrdup(str);
	s->v[s->n] = NULL;
}

void sp_strv_pushf(struct sp_strv *s, const char *fmt, ...)
{
	va_list ap;
	char *str;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	str = xmalloc((size_t)len + 1);
	va_start(ap, fmt);
	vsnprintf(str, (size_t)len + 1, fmt, ap);
	va_end(ap);
	SP_GROW(s->v, s->n + 2, s->cap);
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void sp_strv_release(struct sp_strv *s)
{
	if (!s->v)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
