# safepip's shell integration for interactive bash and zsh login shells:
# `pip install`, `python -m pip install` and `uv pip install` go through
# safepip. Off until the administrator sets SAFEPIP_SHELL_INIT=yes in
# /etc/safepip/shell.conf. Sourced by /etc/profile (POSIX sh, so no bashisms
# here); for non-login shells source it from /etc/bash.bashrc or
# /etc/zsh/zshrc (docs/team.md).
# shellcheck shell=sh
if [ -r /etc/safepip/shell.conf ]; then
    case $- in
    *i*)
        __safepip_on=no
        # Read, not sourced: the file is configuration, not code.
        while IFS='=' read -r __safepip_k __safepip_v; do
            if [ "$__safepip_k" = SAFEPIP_SHELL_INIT ]; then
                case $__safepip_v in
                yes | \"yes\" | \'yes\') __safepip_on=yes ;;
                *) __safepip_on=no ;;
                esac
            fi
        done </etc/safepip/shell.conf
        if [ "$__safepip_on" = yes ] && command -v safepip >/dev/null 2>&1; then
            if [ -n "${BASH_VERSION-}" ]; then
                eval "$(safepip shell-init bash)"
            elif [ -n "${ZSH_VERSION-}" ]; then
                eval "$(safepip shell-init zsh)"
            fi
        fi
        unset __safepip_on __safepip_k __safepip_v
        ;;
    esac
fi
