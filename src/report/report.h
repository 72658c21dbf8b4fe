/*
 * Reports of scanned artifacts. Writers take the FILE the command line
 * chose (stdout or -o FILE); they never open files themselves. Everything
 * from a package (paths, snippets, names) is treated as hostile: control
 * bytes are neutralised and invalid UTF-8 replaced.
 */
#ifndef SP_REPORT_REPORT_H
#define SP_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"
#include "scan/scan.h"

struct sp_vcache_stats;

struct sp_report {
	struct sp_artifact **artifacts;
	size_t nartifacts;
	const struct sp_catalog *catalog;
	enum sp_severity min_severity; /* findings below are counted, not listed */
	int fail_on;                   /* severity that fails the run, -1 never */
	bool color;                    /* ANSI colors (text only) */
	/*
	 * The policy's verdicts, one per artifact (both NULL when no policy
	 * was evaluated); fail_on_verdict, when not SP_ACTION_UNSET, fails
	 * the run when a verdict reaches it, instead of fail_on.
	 */
	const struct sp_policy *policy;
	const struct sp_verdict *verdicts;
	enum sp_action fail_on_verdict;
	/* The verdict cache's counts for this run; NULL when it was off. */
	const struct sp_vcache_stats *cache;
};

/* Counts of findings per severity over every artifact. */
void sp_report_counts(const struct sp_report *r, size_t counts[5]);
/*
 * Whether any finding reaches fail_on (or any verdict fail_on_verdict), or
 * any artifact could not be read.
 */
bool sp_report_failed(const struct sp_report *r);
/* The strictest verdict over every artifact; ALLOW without verdicts. */
enum sp_action sp_report_verdict(const struct sp_report *r);

int sp_report_text(FILE *out, const struct sp_report *r);
int sp_report_json(FILE *out, const struct sp_report *r);

#endif
