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
/* "wheel", "sdist", "zip", "tar", "directory", "file" or "unknown". */
const char *sp_report_kind_name(enum sp_source_kind k);

/*
 * The writers. Each returns 0, or SP_EIO when out reports a write error.
 * They allocate nothing the caller frees.
 */
int sp_report_text(FILE *out, const struct sp_report *r);
int sp_report_json(FILE *out, const struct sp_report *r);
/* SARIF 2.1.0: one run; see docs/report.md for how safepip's model maps onto it. */
int sp_report_sarif(FILE *out, const struct sp_report *r);
/* One self-contained HTML page: no external asset, no script, a strict CSP. */
int sp_report_html(FILE *out, const struct sp_report *r);

enum sp_report_format {
	SP_REPORT_TEXT,
	SP_REPORT_JSON,
	SP_REPORT_SARIF,
	SP_REPORT_HTML,
};

/* "text", "json", "sarif", "html" -> *out; SP_EINVAL for anything else. */
int sp_report_format_parse(const char *name, enum sp_report_format *out);
/* What a report file's name implies: .sarif (or .sarif.json), .html or .htm, else JSON. */
enum sp_report_format sp_report_format_for_path(const char *path);
/* Dispatches to the writer of fmt. */
int sp_report_write(FILE *out, enum sp_report_format fmt, const struct sp_report *r);

/*
 * Package text made safe for HTML element content and quoted attribute
 * values: invalid UTF-8 becomes U+FFFD; & < > " ' become character
 * references; control bytes other than tab and newline, and the Unicode
 * bidirectional controls a package could use to reorder what a reader sees,
 * become visible escapes (\x01, \u202e). Returns a new string; free() it.
 */
char *sp_report_html_escape(const char *s, size_t len);

#endif
