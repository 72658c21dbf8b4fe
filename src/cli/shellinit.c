/*
 * safepip shell-init bash|zsh|fish: shell functions that send pip, pip3,
 * python -m pip, python3 -m pip and uv pip install through safepip, and
 * completions for safepip itself. Used as
 *   eval "$(safepip shell-init bash)"      (~/.bashrc)
 *   eval "$(safepip shell-init zsh)"       (~/.zshrc, after compinit)
 *   safepip shell-init fish | source       (~/.config/fish/config.fish)
 *
 * The texts live here so the binary needs no data files; shell/safepip.*
 * are this command's output, kept for packaging, and a test fails when
 * they are stale (regenerate with `safepip shell-init SHELL >
 * shell/safepip.SHELL`). "@COMMANDS@" is replaced by the words completed
 * after "safepip".
 *
 * What is gated: pip's install, download and wheel (found after pip's own
 * global options), whichever way pip is invoked; uv pip install. Everything
 * else runs the real command unchanged, so `python script.py` or
 * `pip list` behave as before. `command pip` bypasses the functions, as
 * it bypasses any shell function.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/banned.h"

/* Completed after "safepip": its commands and the pip commands it passes through. */
static const char *const commands[] = {
	"advisories", "audit", "cache", "check", "config", "download", "explain", "freeze", "install",
	"list", "lock", "policy", "rules", "scan", "shell-init", "show", "uninstall",
};

/* pip and pip3, the same in bash and zsh: gated commands go to safepip. */
#define PIP_WRAPPERS \
	"pip() {\n" \
	"    if __safepip_gated \"$@\"; then\n" \
	"        __safepip_exec \"\" \"$@\"\n" \
	"    else\n" \
	"        command pip \"$@\"\n" \
	"    fi\n" \
	"}\n" \
	"\n" \
	"pip3() {\n" \
	"    if __safepip_gated \"$@\"; then\n" \
	"        __safepip_exec \"\" \"$@\"\n" \
	"    else\n" \
	"        command pip3 \"$@\"\n" \
	"    fi\n" \
	"}\n" \
	"\n"

static const char bash_text[] =
	"# safepip shell integration for bash: eval \"$(safepip shell-init bash)\"\n"
	"# pip, pip3, python -m pip, python3 -m pip and uv pip install go through\n"
	"# safepip when they install or fetch packages; every other pip command runs\n"
	"# the real pip unchanged. `command pip ...` always reaches the real pip.\n"
	"\n"
	"# pip options (before the subcommand) that take a value.\n"
	"__safepip_valued=\" --cache-dir --cert --client-cert --exists-action \\\n"
	"--keyring-provider --log --log-file --local-log --proxy --python --retries \\\n"
	"--timeout --trusted-host --use-deprecated --use-feature \"\n"
	"\n"
	"# Finds pip's subcommand in \"$@\": sets __safepip_sub and __safepip_at (its\n"
	"# 1-based position); succeeds when the subcommand installs or fetches.\n"
	"__safepip_gated() {\n"
	"    local a skip= i=0\n"
	"    __safepip_sub= __safepip_at=0\n"
	"    for a in \"$@\"; do\n"
	"        i=$((i + 1))\n"
	"        if [ -n \"$skip\" ]; then skip=; continue; fi\n"
	"        case $a in\n"
	"            --) return 1 ;;\n"
	"            --*=*) ;;\n"
	"            -*) case $__safepip_valued in *\" $a \"*) skip=1 ;; esac ;;\n"
	"            *) __safepip_sub=$a __safepip_at=$i; break ;;\n"
	"        esac\n"
	"    done\n"
	"    case $__safepip_sub in install|download|wheel) return 0 ;; esac\n"
	"    return 1\n"
	"}\n"
	"\n"
	"# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...\n"
	"# $1 is the interpreter for `python -m pip` (empty for pip and pip3).\n"
	"__safepip_exec() {\n"
	"    local py=$1; shift\n"
	"    local -a args=(\"${@:1:__safepip_at-1}\" \"${@:__safepip_at+1}\")\n"
	"    if [ -n \"$py\" ]; then\n"
	"        command safepip \"$__safepip_sub\" --python \"$py\" \"${args[@]}\"\n"
	"    else\n"
	"        command safepip \"$__safepip_sub\" \"${args[@]}\"\n"
	"    fi\n"
	"}\n"
	"\n"
	PIP_WRAPPERS
	"# python -m pip ... and python -mpip ...; anything else runs python itself.\n"
	"__safepip_python() {\n"
	"    local name=$1 n=0; shift\n"
	"    if [ \"$1\" = -m ] && [ \"$2\" = pip ]; then\n"
	"        n=2\n"
	"    elif [ \"$1\" = -mpip ]; then\n"
	"        n=1\n"
	"    fi\n"
	"    if [ \"$n\" -gt 0 ] && __safepip_gated \"${@:n+1}\"; then\n"
	"        __safepip_exec \"$(type -P \"$name\")\" \"${@:n+1}\"\n"
	"    else\n"
	"        command \"$name\" \"$@\"\n"
	"    fi\n"
	"}\n"
	"\n"
	"python() { __safepip_python python \"$@\"; }\n"
	"python3() { __safepip_python python3 \"$@\"; }\n"
	"\n"
	"uv() {\n"
	"    if [ \"$1\" = pip ] && [ \"$2\" = install ]; then\n"
	"        command safepip install --installer uv \"${@:3}\"\n"
	"    else\n"
	"        command uv \"$@\"\n"
	"    fi\n"
	"}\n"
	"\n"
	"_safepip_complete() {\n"
	"    local cur=${COMP_WORDS[COMP_CWORD]} words\n"
	"    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	"        words=\"@COMMANDS@ --help --version\"\n"
	"    else\n"
	"        case ${COMP_WORDS[1]} in\n"
	"            shell-init) words=\"bash zsh fish\" ;;\n"
	"            policy) words=\"show check explain\" ;;\n"
	"            cache) words=\"info clean\" ;;\n"
	"            scan) words=\"--format --fail-on --output --color --quiet --help\" ;;\n"
	"            install) words=\"--python --create-venv --installer -r --requirement -c\n"
	"                --constraint --help\" ;;\n"
	"            *) words= ;;\n"
	"        esac\n"
	"    fi\n"
	"    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	"}\n"
	"complete -o default -o bashdefault -F _safepip_complete safepip\n";

static const char zsh_text[] =
	"# safepip shell integration for zsh: eval \"$(safepip shell-init zsh)\"\n"
	"# pip, pip3, python -m pip, python3 -m pip and uv pip install go through\n"
	"# safepip when they install or fetch packages; every other pip command runs\n"
	"# the real pip unchanged. `command pip ...` always reaches the real pip.\n"
	"\n"
	"# pip options (before the subcommand) that take a value.\n"
	"typeset -ga __safepip_valued\n"
	"__safepip_valued=(--cache-dir --cert --client-cert --exists-action --keyring-provider\n"
	"    --log --log-file --local-log --proxy --python --retries --timeout --trusted-host\n"
	"    --use-deprecated --use-feature)\n"
	"\n"
	"# Finds pip's subcommand in \"$@\": sets __safepip_sub and __safepip_at (its\n"
	"# 1-based position); succeeds when the subcommand installs or fetches.\n"
	"__safepip_gated() {\n"
	"    emulate -L zsh\n"
	"    local a skip= i=0\n"
	"    typeset -g __safepip_sub= __safepip_at=0\n"
	"    for a in \"$@\"; do\n"
	"        (( i++ ))\n"
	"        if [[ -n $skip ]]; then skip=; continue; fi\n"
	"        case $a in\n"
	"            --) return 1 ;;\n"
	"            --*=*) ;;\n"
	"            -*) (( ${__safepip_valued[(Ie)$a]} )) && skip=1 ;;\n"
	"            *) __safepip_sub=$a __safepip_at=$i; break ;;\n"
	"        esac\n"
	"    done\n"
	"    [[ $__safepip_sub == (install|download|wheel) ]]\n"
	"}\n"
	"\n"
	"# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...\n"
	"# $1 is the interpreter for `python -m pip` (empty for pip and pip3).\n"
	"__safepip_exec() {\n"
	"    emulate -L zsh\n"
	"    local py=$1; shift\n"
	"    local -a args\n"
	"    args=(\"${(@)argv[1,__safepip_at-1]}\" \"${(@)argv[__safepip_at+1,-1]}\")\n"
	"    if [[ -n $py ]]; then\n"
	"        command safepip $__safepip_sub --python $py \"${args[@]}\"\n"
	"    else\n"
	"        command safepip $__safepip_sub \"${args[@]}\"\n"
	"    fi\n"
	"}\n"
	"\n"
	PIP_WRAPPERS
	"# python -m pip ... and python -mpip ...; anything else runs python itself.\n"
	"__safepip_python() {\n"
	"    emulate -L zsh\n"
	"    local name=$1 n=0; shift\n"
	"    if [[ $1 == -m && $2 == pip ]]; then n=2; elif [[ $1 == -mpip ]]; then n=1; fi\n"
	"    if (( n > 0 )) && __safepip_gated \"${(@)argv[n+1,-1]}\"; then\n"
	"        __safepip_exec \"$(whence -p $name)\" \"${(@)argv[n+1,-1]}\"\n"
	"    else\n"
	"        command $name \"$@\"\n"
	"    fi\n"
	"}\n"
	"\n"
	"python() { __safepip_python python \"$@\"; }\n"
	"python3() { __safepip_python python3 \"$@\"; }\n"
	"\n"
	"uv() {\n"
	"    if [[ $1 == pip && $2 == install ]]; then\n"
	"        command safepip install --installer uv \"${(@)argv[3,-1]}\"\n"
	"    else\n"
	"        command uv \"$@\"\n"
	"    fi\n"
	"}\n"
	"\n"
	"_safepip() {\n"
	"    local -a cands\n"
	"    if (( CURRENT == 2 )); then\n"
	"        cands=(@COMMANDS@ --help --version)\n"
	"    else\n"
	"        case $words[2] in\n"
	"            shell-init) cands=(bash zsh fish) ;;\n"
	"            policy) cands=(show check explain) ;;\n"
	"            cache) cands=(info clean) ;;\n"
	"            scan) cands=(--format --fail-on --output --color --quiet --help) ;;\n"
	"            install) cands=(--python --create-venv --installer -r --requirement\n"
	"                            -c --constraint --help) ;;\n"
	"            *) _files; return ;;\n"
	"        esac\n"
	"    fi\n"
	"    compadd -a cands\n"
	"}\n"
	"# Only when the completion system is loaded (compinit); the functions work without.\n"
	"if (( $+functions[compdef] )); then\n"
	"    compdef _safepip safepip\n"
	"fi\n";

static const char fish_text[] =
	"# safepip shell integration for fish: safepip shell-init fish | source\n"
	"# pip, pip3, python -m pip, python3 -m pip and uv pip install go through\n"
	"# safepip when they install or fetch packages; every other pip command runs\n"
	"# the real pip unchanged. `command pip ...` always reaches the real pip.\n"
	"\n"
	"# pip options (before the subcommand) that take a value.\n"
	"set -g __safepip_valued --cache-dir --cert --client-cert --exists-action \\\n"
	"    --keyring-provider --log --log-file --local-log --proxy --python --retries \\\n"
	"    --timeout --trusted-host --use-deprecated --use-feature\n"
	"\n"
	"# Finds pip's subcommand in $argv: sets __safepip_sub and __safepip_at (its\n"
	"# 1-based position); succeeds when the subcommand installs or fetches.\n"
	"function __safepip_gated\n"
	"    set -g __safepip_sub ''\n"
	"    set -g __safepip_at 0\n"
	"    set -l skip 0\n"
	"    set -l i 0\n"
	"    for a in $argv\n"
	"        set i (math $i + 1)\n"
	"        if test $skip = 1\n"
	"            set skip 0\n"
	"            continue\n"
	"        end\n"
	"        switch $a\n"
	"            case --\n"
	"                return 1\n"
	"            case '--*=*'\n"
	"            case '-*'\n"
	"                contains -- $a $__safepip_valued; and set skip 1\n"
	"            case '*'\n"
	"                set __safepip_sub $a\n"
	"                set __safepip_at $i\n"
	"                break\n"
	"        end\n"
	"    end\n"
	"    contains -- \"$__safepip_sub\" install download wheel\n"
	"end\n"
	"\n"
	"# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...\n"
	"# $argv[1] is the interpreter for `python -m pip` (empty for pip and pip3).\n"
	"function __safepip_exec\n"
	"    set -l py $argv[1]\n"
	"    set -l args\n"
	"    set -l n (count $argv)\n"
	"    for i in (seq 2 $n)\n"
	"        test (math $i - 1) -ne $__safepip_at; and set -a args $argv[$i]\n"
	"    end\n"
	"    if test -n \"$py\"\n"
	"        command safepip $__safepip_sub --python $py $args\n"
	"    else\n"
	"        command safepip $__safepip_sub $args\n"
	"    end\n"
	"end\n"
	"\n"
	"function pip\n"
	"    if __safepip_gated $argv\n"
	"        __safepip_exec '' $argv\n"
	"    else\n"
	"        command pip $argv\n"
	"    end\n"
	"end\n"
	"\n"
	"function pip3\n"
	"    if __safepip_gated $argv\n"
	"        __safepip_exec '' $argv\n"
	"    else\n"
	"        command pip3 $argv\n"
	"    end\n"
	"end\n"
	"\n"
	"# python -m pip ... and python -mpip ...; anything else runs python itself.\n"
	"function __safepip_python\n"
	"    set -l name $argv[1]\n"
	"    set -e argv[1]\n"
	"    set -l n 0\n"
	"    if test (count $argv) -ge 2; and test \"$argv[1]\" = -m; and test \"$argv[2]\" = pip\n"
	"        set n 2\n"
	"    else if test (count $argv) -ge 1; and test \"$argv[1]\" = -mpip\n"
	"        set n 1\n"
	"    end\n"
	"    if test $n -gt 0\n"
	"        set -l rest $argv\n"
	"        set -e rest[1..$n]\n"
	"        if __safepip_gated $rest\n"
	"            __safepip_exec (command -s $name) $rest\n"
	"            return\n"
	"        end\n"
	"    end\n"
	"    command $name $argv\n"
	"end\n"
	"\n"
	"function python\n"
	"    __safepip_python python $argv\n"
	"end\n"
	"\n"
	"function python3\n"
	"    __safepip_python python3 $argv\n"
	"end\n"
	"\n"
	"function uv\n"
	"    if test (count $argv) -ge 2; and test \"$argv[1]\" = pip\n"
	"        and test \"$argv[2]\" = install\n"
	"        set -l rest $argv\n"
	"        set -e rest[1..2]\n"
	"        command safepip install --installer uv $rest\n"
	"    else\n"
	"        command uv $argv\n"
	"    end\n"
	"end\n"
	"\n"
	"complete -c safepip -f\n"
	"complete -c safepip -n __fish_use_subcommand -a '@COMMANDS@'\n"
	"complete -c safepip -n __fish_use_subcommand -l help -d 'show help'\n"
	"complete -c safepip -n __fish_use_subcommand -l version -d 'show the version'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from shell-init' -a 'bash zsh fish'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from policy' -a 'show check explain'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from cache' -a 'info clean'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from scan' -F\n"
	"complete -c safepip -n '__fish_seen_subcommand_from scan' -l format -x \\\n"
	"    -a 'text json sarif html'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from scan' -l fail-on -x \\\n"
	"    -a 'info low medium high critical never'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from install' -F\n"
	"complete -c safepip -n '__fish_seen_subcommand_from install' -l python -r\n"
	"complete -c safepip -n '__fish_seen_subcommand_from install' -l create-venv\n"
	"complete -c safepip -n '__fish_seen_subcommand_from install' -l installer -x -a 'pip uv'\n"
	"complete -c safepip -n '__fish_seen_subcommand_from install' -s r -l requirement -r\n";

static const struct {
	const char *name;
	const char *text;
} shells[] = {
	{"bash", bash_text},
	{"fish", fish_text},
	{"zsh", zsh_text},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: safepip shell-init bash|zsh|fish\n"
		"\n"
		"Print shell functions that send pip, pip3, python -m pip, python3 -m pip\n"
		"and uv pip install through safepip (install, download and wheel are\n"
		"gated; other pip commands run the real pip), and completions for safepip.\n"
		"\n"
		"  bash  add to ~/.bashrc:   eval \"$(safepip shell-init bash)\"\n"
		"  zsh   add to ~/.zshrc:    eval \"$(safepip shell-init zsh)\"\n"
		"  fish  add to config.fish: safepip shell-init fish | source\n"
		"\n"
		"'command pip ...' still runs the real pip.\n");
}

/* Writes text with "@COMMANDS@" replaced by the command list. */
static void emit(const char *text)
{
	static const char mark[] = "@COMMANDS@";
	const char *p = text, *at;

	while ((at = strstr(p, mark))) {
		fwrite(p, 1, (size_t)(at - p), stdout);
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			printf("%s%s", i ? " " : "", commands[i]);
		p = at + sizeof(mark) - 1;
	}
	fputs(p, stdout);
}

int cli_shell_init(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return SP_EXIT_OK;
	}
	if (argc != 2) {
		usage(stderr);
		return SP_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
		if (strcmp(argv[1], shells[i].name) == 0) {
			emit(shells[i].text);
			return fflush(stdout) == 0 ? SP_EXIT_OK : SP_EXIT_ERROR;
		}
	}
	fprintf(stderr, "safepip: unknown shell '%s' (use bash, zsh or fish)\n", argv[1]);
	return SP_EXIT_USAGE;
}
