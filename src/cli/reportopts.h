/*
 * The options 'safepip scan' and 'safepip audit' share: the report's
 * format and destination, colors, the policy file, and what fails the run.
 */
#ifndef SP_CLI_REPORTOPTS_H
#define SP_CLI_REPORTOPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "policy/policy.h"
#include "report/report.h"

enum {
	CLI_OPT_FAIL_ON = 256,
	CLI_OPT_MIN_SEV,
	CLI_OPT_COLOR,
	CLI_OPT_NO_COLOR,
	CLI_OPT_POLICY,
	CLI_OPT_FIRST_FREE, /* a command's own long options start here */
};

/* The shared entries of a getopt_long table; short options "f:o:q". */
#define CLI_REPORT_LONGOPTS                                                   \
	{"format", required_argument, NULL, 'f'},                             \
	{"output", required_argument, NULL, 'o'},                             \
	{"fail-on", required_argument, NULL, CLI_OPT_FAIL_ON},                \
	{"min-severity", required_argument, NULL, CLI_OPT_MIN_SEV},           \
	{"color", required_argument, NULL, CLI_OPT_COLOR},                    \
	{"no-color", no_argument, NULL, CLI_OPT_NO_COLOR},                    \
	{"quiet", no_argument, NULL, 'q'},                                    \
	{"policy", required_argument, NULL, CLI_OPT_POLICY}

struct cli_report_opts {
	const char *prog;   /* "safepip scan", for messages */
	const char *format; /* as given; fmt once finished */
	enum sp_report_format fmt;
	const char *output; /* NULL: standard output */
	const char *color;  /* auto, always, never */
	const char *policy; /* --policy FILE or NULL */
	int fail_on;        /* a severity, or -1 for none */
	enum sp_action fail_on_verdict; /* SP_ACTION_UNSET for none */
	int min_sev;
	bool quiet;
};

/* Defaults: text to stdout, colors on a terminal, the given fail-on. */
void cli_report_opts_init(struct cli_report_opts *o, const char *prog, int fail_on,
			  enum sp_action fail_on_verdict);

/*
 * Takes getopt's c and optarg when c is one of the shared options: 1 taken,
 * 0 not a shared option, -1 a bad value (the message is printed).
 */
int cli_report_opt(struct cli_report_opts *o, int c, const char *arg);

/* After parsing: checks --format; -1 (printed) when it names no format. */
int cli_report_opts_finish(struct cli_report_opts *o);

/*
 * The exit status once the report is out: 3 when an artifact could not be
 * read at all (each is named on stderr), 1 when the report fails the run
 * (--fail-on), else 0.
 */
int cli_report_status(const struct cli_report_opts *o, const struct sp_report *rep);

#endif
