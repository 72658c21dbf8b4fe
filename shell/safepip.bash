# safepip shell integration for bash: eval "$(safepip shell-init bash)"
# pip, pip3, python -m pip, python3 -m pip and uv pip install go through
# safepip when they install or fetch packages; every other pip command runs
# the real pip unchanged. `command pip ...` always reaches the real pip.

# pip options (before the subcommand) that take a value.
__safepip_valued=" --cache-dir --cert --client-cert --exists-action \
--keyring-provider --log --log-file --local-log --proxy --python --retries \
--timeout --trusted-host --use-deprecated --use-feature "

# Finds pip's subcommand in "$@": sets __safepip_sub and __safepip_at (its
# 1-based position); succeeds when the subcommand installs or fetches.
__safepip_gated() {
    local a skip= i=0
    __safepip_sub= __safepip_at=0
    for a in "$@"; do
        i=$((i + 1))
        if [ -n "$skip" ]; then skip=; continue; fi
        case $a in
            --) return 1 ;;
            --*=*) ;;
            -*) case $__safepip_valued in *" $a "*) skip=1 ;; esac ;;
            *) __safepip_sub=$a __safepip_at=$i; break ;;
        esac
    done
    case $__safepip_sub in install|download|wheel) return 0 ;; esac
    return 1
}

# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...
# $1 is the interpreter for `python -m pip` (empty for pip and pip3).
__safepip_exec() {
    local py=$1; shift
    local -a args=("${@:1:__safepip_at-1}" "${@:__safepip_at+1}")
    if [ -n "$py" ]; then
        command safepip "$__safepip_sub" --python "$py" "${args[@]}"
    else
        command safepip "$__safepip_sub" "${args[@]}"
    fi
}

pip() {
    if __safepip_gated "$@"; then
        __safepip_exec "" "$@"
    else
        command pip "$@"
    fi
}

pip3() {
    if __safepip_gated "$@"; then
        __safepip_exec "" "$@"
    else
        command pip3 "$@"
    fi
}

# python -m pip ... and python -mpip ...; anything else runs python itself.
__safepip_python() {
    local name=$1 n=0; shift
    if [ "$1" = -m ] && [ "$2" = pip ]; then
        n=2
    elif [ "$1" = -mpip ]; then
        n=1
    fi
    if [ "$n" -gt 0 ] && __safepip_gated "${@:n+1}"; then
        __safepip_exec "$(type -P "$name")" "${@:n+1}"
    else
        command "$name" "$@"
    fi
}

python() { __safepip_python python "$@"; }
python3() { __safepip_python python3 "$@"; }

uv() {
    if [ "$1" = pip ] && [ "$2" = install ]; then
        command safepip install --installer uv "${@:3}"
    else
        command uv "$@"
    fi
}

_safepip_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} words
    if [ "$COMP_CWORD" -eq 1 ]; then
        words="advisories audit cache check config download explain freeze install list lock policy rules scan shell-init show uninstall --help --version"
    else
        case ${COMP_WORDS[1]} in
            shell-init) words="bash zsh fish" ;;
            policy) words="show check explain" ;;
            cache) words="info clean" ;;
            scan) words="--format --fail-on --output --color --quiet --help" ;;
            install) words="--python --create-venv --installer -r --requirement -c
                --constraint --help" ;;
            *) words= ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -o bashdefault -F _safepip_complete safepip
