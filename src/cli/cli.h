/*
 * The command line: the only code that reads argv or writes to stdout.
 */
#ifndef SP_CLI_CLI_H
#define SP_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes, documented in docs/exit-codes.md. */
enum {
	SP_EXIT_OK = 0,
	SP_EXIT_FINDINGS = 1, /* scan: findings at or above --fail-on */
	SP_EXIT_USAGE = 2,    /* bad command line, or a malformed policy file */
	SP_EXIT_ERROR = 3,    /* a target could not be read, or an internal error */
	/* install and download; pip uses 0-4 and 23, so these cannot be confused */
	SP_EXIT_BLOCKED = 10,  /* the policy blocked a package: nothing installed */
	SP_EXIT_DECLINED = 11, /* the user answered no to the warnings */
	SP_EXIT_REFUSED = 12,  /* the environment was refused (root, no venv, policy) */
};

int cli_main(int argc, char **argv);
int cli_policy(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_cache(int argc, char **argv);
int cli_download(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_install(int argc, char **argv);
int cli_lock(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_explain_rule(int argc, char **argv);
int cli_scan(int argc, char **argv);
/* scan NAME==VERSION: resolve, fetch and scan packages from the index (install.c). */
int cli_scan_requirements(int argc, char **argv);
int cli_shell_init(int argc, char **argv);
/* pip commands safepip passes to the target's pip (or refuses): list, show, freeze... */
bool cli_is_pip_command(const char *cmd);
int cli_pip_passthrough(int argc, char **argv);

/*
 * A severity option's value into *out (an enum sp_severity, or -1 for
 * "never" when allow_never); prints the error as prog and returns -1 when
 * it is not one.
 */
int cli_severity_opt(const char *prog, const char *opt, const char *v, int *out, bool allow_never);
/* --color WHEN (auto, always, never) for out; auto is a terminal without NO_COLOR or TERM=dumb. */
bool cli_want_color(const char *when, FILE *out);

struct sp_policy;
/*
 * Loads the effective policy (built-in, system, user, project, then
 * cli_file when not NULL) into p, printing its warnings to stderr prefixed
 * by prog. On error the message is printed, p is released, and the SP_E*
 * code is returned; cli_policy_exit() turns it into an exit code.
 */
int cli_load_policy(struct sp_policy *p, const char *cli_file, const char *prog);
int cli_policy_exit(int err);

#endif
