/*
 * safepip rules: the rule catalog, as a table, Markdown (docs/rules.md is
 * this output, and a test keeps it so) or JSON; safepip explain RULE-ID:
 * the entries of the rules named.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "scan/scan.h"
#include "core/banned.h"

static void usage(FILE *out, bool explain)
{
	if (explain)
		fputs("usage: safepip explain [--format text|markdown|json] RULE-ID...\n"
		      "\n"
		      "Everything about the rules named: what each looks for, why it matters,\n"
		      "what to do, its CWE and the peers' checks it covers. The same as\n"
		      "'safepip rules RULE-ID...'; a package's verdict is 'safepip policy explain'.\n",
		      out);
	else
		fputs("usage: safepip rules [--format text|markdown|json] [RULE-ID...]\n"
		      "\n"
		      "List the checks safepip runs: id, severity, confidence, category and title,\n"
		      "or, with rule ids, everything about those rules (why and what to do).\n",
		      out);
	fputs("\n"
	      "options:\n"
	      "  -f, --format FORMAT  text (default), markdown (docs/rules.md, or the rules'\n"
	      "                       sections) or json (with examples and peers' ids)\n"
	      "  -h, --help           show this help\n",
	      out);
}

static void peers_md(FILE *out, const struct sp_rule *r)
{
	bool any = false;

	if (r->bandit) {
		fprintf(out, "bandit %s", r->bandit);
		any = true;
	}
	if (r->pycodeaudit) {
		fprintf(out, "%sPCA %s", any ? "; " : "", r->pycodeaudit);
		any = true;
	}
	if (r->guarddog) {
		fprintf(out, "%sGuardDog %s", any ? "; " : "", r->guarddog);
		any = true;
	}
	if (!any)
		fputs("—", out);
}

/* Markdown table cells must not contain a bare '|' or a newline. */
static void cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void examples(FILE *out, const char *heading, const char **list)
{
	size_t j, n;

	if (!list[0])
		return;
	fprintf(out, "%s:\n\n```python\n", heading);
	for (j = 0; list[j]; j++) {
		n = strlen(list[j]);
		/* A blank line between examples: each is a file of its own. */
		fprintf(out, "%s%s%s", j ? "\n" : "", list[j],
			n && list[j][n - 1] == '\n' ? "" : "\n");
	}
	fputs("```\n\n", out);
}

static const char *const peer_names[][2] = {
	{"bandit", "bandit"},
	{"pycodeaudit", "Python Code Audit"},
	{"guarddog", "GuardDog (PyPI)"},
};

/*
 * The parity table: every check of every peer (policy/rules/peers.tsv),
 * with the rules that cover it or the reason none does.
 */
static void parity(FILE *out, const struct sp_catalog *cat)
{
	size_t k, i, j;

	fputs("## Parity with bandit, Python Code Audit and GuardDog\n\n"
	      "Every check of the three peers, with the safepip rules that cover it (a rule "
	      "names the checks it covers in its `equivalents`) or why none does. The list is "
	      "`policy/rules/peers.tsv`; `tests/unit/test_catalog.c` fails when a check is "
	      "neither covered nor explained.\n\n",
	      out);
	for (k = 0; k < sizeof(peer_names) / sizeof(peer_names[0]); k++) {
		size_t total = 0, covered = 0;

		for (i = 0; i < cat->npeers; i++) {
			const struct sp_peer_check *pc = &cat->peers[i];

			if (strcmp(pc->peer, peer_names[k][0]))
				continue;
			total++;
			for (j = 0; j < cat->nrules; j++)
				if (sp_rule_covers(&cat->rules[j], pc->peer, pc->id))
					break;
			covered += j < cat->nrules;
		}
		fprintf(out, "### %s\n\n%zu checks: %zu covered by rules, %zu explained.\n\n"
			"| check | what it looks for | safepip |\n|---|---|---|\n",
			peer_names[k][1], total, covered, total - covered);
		for (i = 0; i < cat->npeers; i++) {
			const struct sp_peer_check *pc = &cat->peers[i];
			bool any = false;

			if (strcmp(pc->peer, peer_names[k][0]))
				continue;
			fputs("| `", out);
			cell(out, pc->id);
			fputs("` | ", out);
			cell(out, pc->title);
			fputs(" | ", out);
			for (j = 0; j < cat->nrules; j++) {
				if (!sp_rule_covers(&cat->rules[j], pc->peer, pc->id))
					continue;
				fprintf(out, "%s[`%s`](#%s)", any ? ", " : "", cat->rules[j].id,
					cat->rules[j].id);
				any = true;
			}
			if (!any) {
				fputs("not covered: ", out);
				cell(out, pc->reason ? pc->reason : "(no reason given)");
			}
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
}

static const char *bandit_title(const struct sp_catalog *cat, const char *id)
{
	size_t i;

	for (i = 0; i < cat->npeers; i++)
		if (!strcmp(cat->peers[i].peer, "bandit") && !strcmp(cat->peers[i].id, id))
			return cat->peers[i].title;
	return "?";
}

static void bandit_rules(FILE *out, const struct sp_catalog *cat, const char *id)
{
	bool any = false;
	size_t j;

	for (j = 0; j < cat->nrules; j++) {
		if (!sp_rule_covers(&cat->rules[j], "bandit", id))
			continue;
		fprintf(out, "%s[`%s`](#%s)", any ? ", " : "", cat->rules[j].id, cat->rules[j].id);
		any = true;
	}
	if (!any)
		fputs("none", out);
}

/*
 * The measured comparison with bandit (bench/compare-bandit.sh, recorded in
 * policy/rules/bandit-compare-run.tsv) and why the two disagree, per test
 * (policy/rules/bandit-compare.tsv). Nothing when neither was loaded.
 */
static void bandit_compare(FILE *out, const struct sp_catalog *cat)
{
	const struct sp_bandit_run *run = &cat->bandit_run;
	unsigned long tot[5] = {0};
	size_t i, j;

	if (!run->ncounts && !cat->nbandit_notes)
		return;
	fputs("## Where safepip and bandit disagree\n\n"
	      "`bench/compare-bandit.sh TREE` runs bandit and safepip on the same tree and counts, "
	      "per bandit test, the findings of each: *both* when they are in the same file on the "
	      "same line (or safepip's line is inside the lines of the node bandit reports), else "
	      "*bandit only* or *safepip only*. A safepip rule counts for the bandit tests in its "
	      "`equivalents`; two rules covering one test on one line count once. Only files both "
	      "tools read are compared (bandit does not open archives). The script prints sample "
	      "locations of every disagreement with their source line; the explanations below come "
	      "from reading them. The counts are `policy/rules/bandit-compare-run.tsv`, written by "
	      "the script; the explanations are `policy/rules/bandit-compare.tsv`, and "
	      "`tests/unit/test_catalog.c` fails when a test the run disagrees on has none.\n\n",
	      out);
	if (run->ncounts) {
		fprintf(out, "The recorded run: `%s` on %s, %s; %s; %s.\n\n", run->command,
			run->tree, run->date, run->bandit, run->safepip);
		fputs("| bandit test | what it looks for | bandit | safepip | both | bandit only | "
		      "safepip only | safepip rules |\n|---|---|---:|---:|---:|---:|---:|---|\n",
		      out);
	}
	for (i = 0; i < run->ncounts; i++) {
		const struct sp_bandit_count *c = &run->counts[i];
		unsigned long v[5] = {c->bandit, c->safepip, c->both, c->bandit_only,
				      c->safepip_only};

		fprintf(out, "| `%s` | ", c->id);
		cell(out, bandit_title(cat, c->id));
		for (j = 0; j < 5; j++) {
			fprintf(out, " | %lu", v[j]);
			tot[j] += v[j];
		}
		fputs(" | ", out);
		bandit_rules(out, cat, c->id);
		fputs(" |\n", out);
	}
	if (run->ncounts)
		fprintf(out, "| total | | %lu | %lu | %lu | %lu | %lu | |\n\n", tot[0], tot[1],
			tot[2], tot[3], tot[4]);
	if (!cat->nbandit_notes)
		return;
	fputs("### Why they disagree\n\n", out);
	for (i = 0; i < cat->nbandit_notes; i++) {
		const struct sp_bandit_note *n = &cat->bandit_notes[i];

		fprintf(out, "**%s** `%s` (safepip: ", n->id, bandit_title(cat, n->id));
		bandit_rules(out, cat, n->id);
		fprintf(out, "). %s\n\n", n->text);
	}
}

static size_t count(const char **list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

/* One rule's section of docs/rules.md. */
static void markdown_entry(FILE *out, const struct sp_rule *r)
{
	fprintf(out, "## %s\n\n**%s** — %s, %s confidence, %s%s.\n\n", r->id, r->title,
		sp_severity_name(r->severity), sp_confidence_name(r->confidence), r->category,
		r->builtin ? ", built in" : "");
	fprintf(out, "%s\n\n*What to do:* %s\n\n", r->rationale, r->remediation);
	examples(out, "Flagged", r->positive);
	examples(out, "Not flagged", r->negative);
	if (r->alias_note)
		fprintf(out, "*Aliased cases:* %s.\n\n", r->alias_note);
	examples(out, "Flagged through an alias", r->aliased);
	examples(out, "Known gaps: alias forms not flagged yet", r->aliased_gap);
}

static void markdown(FILE *out, const struct sp_catalog *cat)
{
	size_t i, n_query = 0, n_aliased = 0, n_gaps = 0;

	for (i = 0; i < cat->nrules; i++) {
		n_query += !cat->rules[i].builtin;
		n_aliased += count(cat->rules[i].aliased);
		n_gaps += count(cat->rules[i].aliased_gap);
	}
	fprintf(out,
		"# Rules\n\n"
		"<!-- Generated by `safepip rules --format markdown`; do not edit. "
		"A test fails when this file is stale: regenerate it with "
		"`build/safepip rules --format markdown > docs/rules.md`. -->\n\n"
		"%zu rules: %zu matched by tree-sitter queries on Python code, %zu built into the "
		"scanner (archives, metadata, integrity). Severity is the rule's base; rules marked "
		"*escalates* rise one level when the code runs at install time (top level of "
		"`setup.py`, a `.pth` line) or import time (top level of `__init__.py`).\n\n"
		"Every query rule comes with examples that must raise it, examples that must "
		"not, and examples that must raise it although the dangerous name is reached "
		"through an alias (`import m as x`, `from m import f as g`, `__import__(\"m\")`, "
		"`importlib.import_module(\"m\")`, `getattr(m, \"f\")`); "
		"`tests/unit/test_catalog.c` runs all of them through the scanner. "
		"%zu aliased examples; %zu alias forms the scanner does not resolve yet are "
		"listed as known gaps under their rules.\n\n"
		"Catalog hash: `%s`\n\n",
		cat->nrules, n_query, cat->nrules - n_query, n_aliased, n_gaps, cat->hash);
	fputs("| id | severity | confidence | category | title | CWE | peers |\n"
	      "|---|---|---|---|---|---|---|\n",
	      out);
	for (i = 0; i < cat->nrules; i++) {
		const struct sp_rule *r = &cat->rules[i];

		fprintf(out, "| [`%s`](#%s) | %s%s | %s | %s | ", r->id, r->id,
			sp_severity_name(r->severity), r->escalate ? " (escalates)" : "",
			sp_confidence_name(r->confidence), r->category);
		cell(out, r->title);
		if (r->cwe)
			fprintf(out, " | [%d](https://cwe.mitre.org/data/definitions/%d.html) | ", r->cwe,
				r->cwe);
		else
			fputs(" | — | ", out);
		peers_md(out, r);
		fputs(" |\n", out);
	}
	fputc('\n', out);
	parity(out, cat);
	bandit_compare(out, cat);
	for (i = 0; i < cat->nrules; i++)
		markdown_entry(out, &cat->rules[i]);
}

/* Whether a rule is among the ids asked for (all of them when none are). */
static bool selected(const struct sp_rule *r, char **ids, int nids)
{
	int k;

	for (k = 0; k < nids; k++)
		if (strcmp(ids[k], r->id) == 0)
			return true;
	return nids == 0;
}

static void text(FILE *out, const struct sp_catalog *cat, char **ids, int nids)
{
	size_t i;

	for (i = 0; i < cat->nrules; i++) {
		const struct sp_rule *r = &cat->rules[i];

		if (!selected(r, ids, nids))
			continue;
		fprintf(out, "%-28s %-8s %-6s %-16s %s\n", r->id, sp_severity_name(r->severity),
			sp_confidence_name(r->confidence), r->category, r->title);
		if (nids) {
			fprintf(out, "\n  %s\n\n  what to do: %s\n", r->rationale, r->remediation);
			if (r->cwe)
				fprintf(out, "  CWE-%d\n", r->cwe);
			if (r->bandit || r->pycodeaudit || r->guarddog) {
				fputs("  covers: ", out);
				peers_md(out, r);
				fputc('\n', out);
			}
			fputc('\n', out);
		}
	}
}

static void add_list(cJSON *o, const char *key, const char **list)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	size_t j;

	for (j = 0; list[j]; j++)
		cJSON_AddItemToArray(a, cJSON_CreateString(list[j]));
}

static void add_peer(cJSON *o, const char *key, const char *ids)
{
	if (ids)
		cJSON_AddStringToObject(o, key, ids);
	else
		cJSON_AddNullToObject(o, key);
}

/* The catalog, or the rules asked for, with their peers' ids and examples. */
static void json(FILE *out, const struct sp_catalog *cat, char **ids, int nids)
{
	cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "rules");
	size_t i;
	char *s;

	cJSON_AddStringToObject(root, "catalog", cat->hash);
	for (i = 0; i < cat->nrules; i++) {
		const struct sp_rule *r = &cat->rules[i];
		cJSON *o, *peers, *ex;

		if (!selected(r, ids, nids))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "title", r->title);
		cJSON_AddStringToObject(o, "category", r->category);
		cJSON_AddStringToObject(o, "severity", sp_severity_name(r->severity));
		cJSON_AddStringToObject(o, "confidence", sp_confidence_name(r->confidence));
		cJSON_AddNumberToObject(o, "cwe", r->cwe);
		cJSON_AddBoolToObject(o, "escalate", r->escalate);
		cJSON_AddBoolToObject(o, "builtin", r->builtin);
		cJSON_AddStringToObject(o, "rationale", r->rationale);
		cJSON_AddStringToObject(o, "remediation", r->remediation);
		peers = cJSON_AddObjectToObject(o, "equivalents");
		add_peer(peers, "bandit", r->bandit);
		add_peer(peers, "pycodeaudit", r->pycodeaudit);
		add_peer(peers, "guarddog", r->guarddog);
		ex = cJSON_AddObjectToObject(o, "examples");
		add_list(ex, "flagged", r->positive);
		add_list(ex, "not_flagged", r->negative);
		add_list(ex, "aliased", r->aliased);
		add_list(ex, "aliased_gaps", r->aliased_gap);
		cJSON_AddItemToArray(list, o);
	}
	s = cJSON_Print(root);
	if (s)
		fprintf(out, "%s\n", s);
	free(s);
	cJSON_Delete(root);
}

/* rules and explain: the same options; explain needs rule ids. */
static int run(int argc, char **argv, bool explain)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *cmd = explain ? "explain" : "rules";
	struct sp_catalog cat;
	struct sp_diag d;
	int c, k;
	size_t i;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		if (c == 'f') {
			format = optarg;
		} else if (c == 'h') {
			usage(stdout, explain);
			return SP_EXIT_OK;
		} else {
			fprintf(stderr, "safepip %s: option '%s' is unknown or needs a value "
				"(see 'safepip %s --help')\n", cmd, argv[optind - 1], cmd);
			return SP_EXIT_USAGE;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "markdown") && strcmp(format, "json")) {
		fprintf(stderr, "safepip %s: unknown format '%s' (expected text, markdown or json)\n",
			cmd, format);
		return SP_EXIT_USAGE;
	}
	if (explain && optind >= argc) {
		fputs("safepip explain: which rule? (e.g. 'safepip explain eval-dynamic'; "
		      "'safepip rules' lists them; 'safepip policy explain PKG' explains a "
		      "package's verdict)\n", stderr);
		return SP_EXIT_USAGE;
	}
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d)) {
		fprintf(stderr, "safepip %s: cannot load the rule catalog: %s\n", cmd, d.msg);
		return SP_EXIT_ERROR;
	}
	for (k = optind; k < argc; k++) {
		if (!sp_catalog_find(&cat, argv[k])) {
			fprintf(stderr, "safepip %s: no rule '%s' (see 'safepip rules')\n", cmd,
				argv[k]);
			sp_catalog_release(&cat);
			return SP_EXIT_USAGE;
		}
	}
	if (!strcmp(format, "markdown") && optind == argc) {
		markdown(stdout, &cat);
	} else if (!strcmp(format, "markdown")) {
		for (i = 0; i < cat.nrules; i++)
			if (selected(&cat.rules[i], argv + optind, argc - optind))
				markdown_entry(stdout, &cat.rules[i]);
	} else if (!strcmp(format, "json")) {
		json(stdout, &cat, argv + optind, argc - optind);
	} else {
		text(stdout, &cat, argv + optind, argc - optind);
	}
	sp_catalog_release(&cat);
	return fflush(stdout) ? SP_EXIT_ERROR : SP_EXIT_OK;
}

int cli_rules(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cli_explain_rule(int argc, char **argv)
{
	return run(argc, argv, true);
}
