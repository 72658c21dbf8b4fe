/*
 * Top-level dispatch: global options, then one subcommand per file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/advisories.h"
#include "cli/cli.h"
#include "core/banned.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Sorted by name. */
static const struct command commands[] = {
	{"advisories", cli_advisories, "known vulnerabilities and malware: sync, info, show"},
	{"audit", cli_audit, "verify and scan an installed environment, or a requirements file"},
	{"cache", cli_cache, "show, clean or prune the download, page and verdict caches"},
	{"download", cli_download, "resolve, fetch and scan, then save the allowed files"},
	{"explain", cli_explain_rule, "what a rule looks for, why it matters, what to do"},
	{"install", cli_install, "resolve, fetch, scan and judge, then run the real pip offline"},
	{"lock", cli_lock, "resolve to a pinned, hashed requirements file; install nothing"},
	{"policy", cli_policy, "show the effective policy and its layers, or check policy files"},
	{"rules", cli_rules, "list the checks safepip runs, and why each matters"},
	{"scan", cli_scan, "scan wheels, sdists, directories or .py files; install nothing"},
	{"shell-init", cli_shell_init, "shell functions that send pip installs through safepip"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: safepip [--version] [--help] <command> [<args>]\n"
		"\n"
		"safepip puts a gate in front of pip: it resolves, downloads and scans\n"
		"Python packages without running any of their code.\n"
		"\n"
		"commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-10s %s\n", "list...",
		"pip's list, show, freeze, uninstall, check, config... run the real pip");
	fprintf(out, "\n'safepip <command> --help' describes a command and its options.\n"
		     "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or malformed\n"
		     "policy, 3 error.\n");
}

int cli_main(int argc, char **argv)
{
	size_t i;
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return SP_EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return SP_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
		printf("safepip %s\n", SP_VERSION);
		return SP_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (cli_is_pip_command(cmd))
		return cli_pip_passthrough(argc - 1, argv + 1);
	fprintf(stderr, "safepip: unknown command '%s' (see 'safepip --help')\n", cmd);
	return SP_EXIT_USAGE;
}
