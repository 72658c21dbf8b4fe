/*
 * What the user asked for, as `lock`, `install` and `download` read it:
 * the command line's requirements, the requirement and constraint files
 * (whose options join pip's configuration as pip merges them), and the
 * target interpreter. Then the resolution itself, with its messages.
 *
 * Ownership: struct sp_request owns the files read, the parsed
 * requirements and the session until sp_request_release().
 */
#ifndef SP_CLI_REQUEST_H
#define SP_CLI_REQUEST_H

#include <stdbool.h>

#include "cli/pipopts.h"
#include "core/arena.h"
#include "delegate/venv.h"
#include "req/reqfile.h"
#include "resolve/session.h"

struct sp_request {
	struct sp_pipargs args;
	struct sp_reqfile rf;
	struct sp_arena arena;
	struct sp_sreq *roots;
	size_t nroots;
	const struct sp_requirement **constraints;
	size_t nconstraints;
	struct sp_venv venv;
	bool have_venv;
	struct sp_session session;
	bool have_session;
};

/*
 * Parses argv for command cmd, reads every -r/-c file, and finds the
 * target: --python, $VIRTUAL_ENV, ./.venv, else (when outside_venv_ok)
 * python3 from PATH.
 */
int sp_request_load(struct sp_request *r, const char *cmd, int argc, char **argv,
		    bool outside_venv_ok, struct sp_diag *d);
/* Opens the session (allow_http from the policy) and resolves. */
int sp_request_resolve(struct sp_request *r, bool allow_http, bool ignore_installed,
		       struct sp_diag *d);
void sp_request_release(struct sp_request *r);

/* The policy's version matcher: PEP 440 specifiers (text) against a version. */
bool sp_request_version_matches(const char *specifiers, const char *version, void *ctx);

/* "safepip CMD: [file:line: ]message" on stderr, credentials redacted. */
void sp_request_print_error(const char *cmd, const struct sp_diag *d);

#endif
