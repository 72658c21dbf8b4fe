/*
 * The report options of scan and audit, and the value parsers they and
 * others share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/reportopts.h"
#include "core/banned.h"

int cli_severity_opt(const char *prog, const char *opt, const char *v, int *out, bool allow_never)
{
	enum sp_severity s;

	if (allow_never && strcmp(v, "never") == 0) {
		*out = -1;
		return 0;
	}
	if (sp_severity_parse(v, &s)) {
		fprintf(stderr, "%s: invalid %s '%s' (expected info, low, medium, high, critical%s)\n",
			prog, opt, v, allow_never ? ", never, warn or block" : "");
		return -1;
	}
	*out = (int)s;
	return 0;
}

bool cli_want_color(const char *when, FILE *out)
{
	const char *term = getenv("TERM");

	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never") || getenv("NO_COLOR"))
		return false;
	return isatty(fileno(out)) && term && strcmp(term, "dumb") != 0;
}

void cli_report_opts_init(struct cli_report_opts *o, const char *prog, int fail_on,
			  enum sp_action fail_on_verdict)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->format = "text";
	o->fmt = SP_REPORT_TEXT;
	o->color = "auto";
	o->fail_on = fail_on;
	o->fail_on_verdict = fail_on_verdict;
	o->min_sev = SP_SEV_LOW;
}

int cli_report_opt(struct cli_report_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'f':
		o->format = arg;
		return 1;
	case 'o':
		o->output = arg;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case CLI_OPT_POLICY:
		o->policy = arg;
		return 1;
	case CLI_OPT_FAIL_ON:
		/* A verdict, or a severity: the last one given wins. */
		o->fail_on = -1;
		o->fail_on_verdict = !strcmp(arg, "block") ? SP_ACTION_BLOCK
				     : !strcmp(arg, "warn") ? SP_ACTION_WARN
							    : SP_ACTION_UNSET;
		if (o->fail_on_verdict == SP_ACTION_UNSET &&
		    cli_severity_opt(o->prog, "--fail-on", arg, &o->fail_on, true))
			return -1;
		return 1;
	case CLI_OPT_MIN_SEV:
		return cli_severity_opt(o->prog, "--min-severity", arg, &o->min_sev, false) ? -1 : 1;
	case CLI_OPT_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")) {
			fprintf(stderr, "%s: invalid --color '%s' (expected auto, always or never)\n",
				o->prog, arg);
			return -1;
		}
		o->color = arg;
		return 1;
	case CLI_OPT_NO_COLOR:
		o->color = "never";
		return 1;
	}
	return 0;
}

int cli_report_opts_finish(struct cli_report_opts *o)
{
	if (sp_report_format_parse(o->format, &o->fmt)) {
		fprintf(stderr, "%s: unknown format '%s' (expected text, json, sarif or html)\n",
			o->prog, o->format);
		return -1;
	}
	return 0;
}

int cli_report_status(const struct cli_report_opts *o, const struct sp_report *rep)
{
	int rc = SP_EXIT_OK;
	size_t i;

	for (i = 0; i < rep->nartifacts; i++) {
		if (rep->artifacts[i]->error) {
			fprintf(stderr, "%s: cannot scan '%s': %s\n", o->prog,
				rep->artifacts[i]->target, rep->artifacts[i]->error_msg);
			rc = SP_EXIT_ERROR;
		}
	}
	if (rc == SP_EXIT_OK && sp_report_failed(rep))
		rc = SP_EXIT_FINDINGS;
	return rc;
}
