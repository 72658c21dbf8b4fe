/*
 * pip's command line, as `safepip install`, `download` and `lock` read it:
 * one sorted table of every option pip 23.2's install command accepts,
 * each consumed (it decides what is resolved: indexes, -r, --pre, ...),
 * forwarded to the real pip (output only: -v, --progress-bar, ...), or
 * refused with the reason (--user, --target, --trusted-host, ...), plus
 * safepip's own options.
 *
 * Ownership: struct sp_pipargs points into argv (which must outlive it)
 * and owns its arrays and conf until sp_pipargs_release().
 */
#ifndef SP_CLI_PIPOPTS_H
#define SP_CLI_PIPOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "resolve/pipconf.h"

struct sp_pipargs {
	struct sp_pipconf conf;   /* pip.conf, PIP_*, then the command line */
	const char **reqs;        /* positional requirements */
	size_t nreqs;
	const char **reqfiles;    /* -r */
	size_t nreqfiles;
	const char **constraints; /* -c */
	size_t nconstraints;
	const char **forward;     /* options for the real pip, as given */
	size_t nforward;
	const char *python;       /* --python */
	const char *policy;       /* --policy */
	const char *installer;    /* --installer pip|uv */
	const char *output;       /* -o/--output (lock) */
	const char *report;       /* --report FILE */
	const char *report_format; /* --report-format json|sarif|html */
	const char *format;       /* --format for safepip's own report */
	const char *dest;         /* -d/--dest (download) */
	bool dry_run, yes, create_venv, help, json;
	int quiet, verbose;
};

/* Whether name (without dashes) is an option of pip's install command. */
bool sp_pipopt_known(const char *name);

/*
 * Reads pip's configuration (for command cmd: "install", "download"), then
 * argv (argv[0] is the subcommand). Errors name the option; a refused one
 * says why and what to do instead.
 */
int sp_pipargs_parse(struct sp_pipargs *a, const char *cmd, int argc, char **argv,
		     struct sp_diag *d);
void sp_pipargs_release(struct sp_pipargs *a);

/* The option table as help text, for `safepip install --help`. */
void sp_pipargs_help(FILE *out);

#endif
