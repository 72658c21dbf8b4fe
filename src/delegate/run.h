/*
 * Running the real installer, offline, on exactly the scanned files:
 *
 *   pip: PY -I -m pip install --no-index --find-links DIR --require-hashes
 *        --disable-pip-version-check --no-input [FORWARDED...] -r LOCK
 *   uv:  UV pip install --offline --no-index --find-links DIR --require-hashes
 *        [FORWARDED...] -r LOCK --python PY
 *
 * in an environment from which every PIP_* and UV_* variable that could add
 * a package source or weaken a check is gone (see run.c for the list kept),
 * with pip's configuration files switched off. And the pass-through for pip
 * commands that install nothing (list, show, freeze...): the target's own
 * pip, run unchanged in the user's unchanged environment.
 *
 * Vectors built here are the caller's (sp_strv_release()).
 */
#ifndef SP_DELEGATE_RUN_H
#define SP_DELEGATE_RUN_H

#include <stdbool.h>

#include "core/error.h"
#include "delegate/proc.h"

enum sp_installer {
	SP_INSTALLER_PIP,
	SP_INSTALLER_UV,
};

struct sp_run_opts {
	enum sp_installer installer;
	const char *python;     /* the target interpreter */
	const char *uv;         /* the uv executable; NULL: uv from PATH */
	const char *wheelhouse; /* from sp_lock_prepare() */
	const char *lock_path;
	char *const *forward;   /* installer options from the command line, NULL-terminated */
	char *const *env;       /* the environment to clean; NULL: safepip's own */
};

/*
 * Whether opt (one argv word, "--opt=value" allowed) is an installer
 * option that changes how output looks but not what is installed, and so
 * may be forwarded to installer. *takes_value: the next word is its value.
 */
bool sp_run_forwardable(enum sp_installer installer, const char *opt, bool *takes_value);

/* Checks a whole forwarded list (options and their values); SP_EUSAGE naming the first bad one. */
int sp_run_check_forward(enum sp_installer installer, char *const *forward, struct sp_diag *d);

/* The installer's argv (argv[0] an absolute path). */
int sp_run_install_argv(const struct sp_run_opts *o, struct sp_strv *argv, struct sp_diag *d);

/*
 * The installer's environment: env (NULL: safepip's) without the PIP_* and
 * UV_* variables not on the keep list, plus PIP_CONFIG_FILE=/dev/null,
 * PIP_NO_INDEX=1, PIP_DISABLE_PIP_VERSION_CHECK=1, PIP_NO_INPUT=1 and
 * UV_NO_CONFIG=1.
 */
void sp_run_install_env(char *const *env, struct sp_strv *out);

/*
 * Runs the installer with its output on safepip's terminal and waits.
 * Returns 0 when it ran (its status in *st, whatever it was), or an error
 * when it could not be started. Ctrl-C goes to the installer; safepip
 * waits for it to stop.
 */
int sp_run_install(const struct sp_run_opts *o, struct sp_proc_status *st, struct sp_diag *d);

/* argv for the pass-through: PY -m pip ARGS... */
void sp_run_passthrough_argv(const char *python, int argc, char *const *args,
			     struct sp_strv *out);

/*
 * Replaces safepip with `PY -m pip ARGS...` (execv, environment untouched),
 * so pip's exit status and signals are safepip's. Returns only on failure.
 */
int sp_run_passthrough(const char *python, int argc, char *const *args, struct sp_diag *d);

#endif
