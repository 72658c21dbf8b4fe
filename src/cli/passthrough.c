/*
 * pip commands safepip does not gate: they install nothing, so the target's
 * own pip runs them unchanged (`safepip list` is `PY -m pip list`, with the
 * user's environment as it is). The target is found as for install
 * (--python is left to pip itself; $VIRTUAL_ENV, ./.venv, else python3),
 * without the refusals, so `safepip list` shows what `safepip install`
 * would install into.
 *
 * `pip wheel` fetches and builds (a build runs package code) outside the
 * gate: refused until safepip can do it itself. `download` is gated
 * (src/cli/install.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "delegate/run.h"
#include "delegate/venv.h"
#include "core/banned.h"

/* Sorted. "cache" is safepip's own command (cli/cache.c); pip's is 'python -m pip cache'. */
static const char *const passed[] = {
	"check", "completion", "config", "debug", "freeze", "hash", "index", "inspect",
	"list", "show", "uninstall",
};

static const char *const refused[] = {"wheel"};

static bool in(const char *const *list, size_t n, const char *cmd)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], cmd) == 0)
			return true;
	return false;
}

bool cli_is_pip_command(const char *cmd)
{
	return in(passed, sizeof(passed) / sizeof(passed[0]), cmd) ||
	       in(refused, sizeof(refused) / sizeof(refused[0]), cmd);
}

int cli_pip_passthrough(int argc, char **argv)
{
	struct sp_venv_opts vo = {.allow_system = true, .allow_root = true};
	struct sp_diag d;
	struct sp_venv v;
	int ret;

	sp_diag_clear(&d);
	if (in(refused, sizeof(refused) / sizeof(refused[0]), argv[0])) {
		fprintf(stderr,
			"safepip: refusing 'pip %s': it would %s packages without scanning them "
			"(use 'safepip lock' for pinned, scanned files; 'command pip %s' runs "
			"pip without safepip)\n", argv[0],
			strcmp(argv[0], "wheel") == 0 ? "fetch and build" : "fetch", argv[0]);
		return SP_EXIT_USAGE;
	}
	ret = sp_venv_find(&vo, &v, &d);
	if (ret < 0) {
		fprintf(stderr, "safepip: %s\n", d.msg);
		return SP_EXIT_ERROR;
	}
	ret = sp_run_passthrough(v.python, argc, argv, &d);
	fprintf(stderr, "safepip: %s\n", d.msg);
	sp_venv_release(&v);
	return ret == SP_ENOENT ? 127 : SP_EXIT_ERROR;
}
