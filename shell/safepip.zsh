# safepip shell integration for zsh: eval "$(safepip shell-init zsh)"
# pip, pip3, python -m pip, python3 -m pip and uv pip install go through
# safepip when they install or fetch packages; every other pip command runs
# the real pip unchanged. `command pip ...` always reaches the real pip.

# pip options (before the subcommand) that take a value.
typeset -ga __safepip_valued
__safepip_valued=(--cache-dir --cert --client-cert --exists-action --keyring-provider
    --log --log-file --local-log --proxy --python --retries --timeout --trusted-host
    --use-deprecated --use-feature)

# Finds pip's subcommand in "$@": sets __safepip_sub and __safepip_at (its
# 1-based position); succeeds when the subcommand installs or fetches.
__safepip_gated() {
    emulate -L zsh
    local a skip= i=0
    typeset -g __safepip_sub= __safepip_at=0
    for a in "$@"; do
        (( i++ ))
        if [[ -n $skip ]]; then skip=; continue; fi
        case $a in
            --) return 1 ;;
            --*=*) ;;
            -*) (( ${__safepip_valued[(Ie)$a]} )) && skip=1 ;;
            *) __safepip_sub=$a __safepip_at=$i; break ;;
        esac
    done
    [[ $__safepip_sub == (install|download|wheel) ]]
}

# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...
# $1 is the interpreter for `python -m pip` (empty for pip and pip3).
__safepip_exec() {
    emulate -L zsh
    local py=$1; shift
    local -a args
    args=("${(@)argv[1,__safepip_at-1]}" "${(@)argv[__safepip_at+1,-1]}")
    if [[ -n $py ]]; then
        command safepip $__safepip_sub --python $py "${args[@]}"
    else
        command safepip $__safepip_sub "${args[@]}"
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
    emulate -L zsh
    local name=$1 n=0; shift
    if [[ $1 == -m && $2 == pip ]]; then n=2; elif [[ $1 == -mpip ]]; then n=1; fi
    if (( n > 0 )) && __safepip_gated "${(@)argv[n+1,-1]}"; then
        __safepip_exec "$(whence -p $name)" "${(@)argv[n+1,-1]}"
    else
        command $name "$@"
    fi
}

python() { __safepip_python python "$@"; }
python3() { __safepip_python python3 "$@"; }

uv() {
    if [[ $1 == pip && $2 == install ]]; then
        command safepip install --installer uv "${(@)argv[3,-1]}"
    else
        command uv "$@"
    fi
}

_safepip() {
    local -a cands
    if (( CURRENT == 2 )); then
        cands=(advisories audit cache check config download explain freeze install list lock policy rules scan shell-init show uninstall --help --version)
    else
        case $words[2] in
            shell-init) cands=(bash zsh fish) ;;
            policy) cands=(show check explain) ;;
            cache) cands=(info clean) ;;
            scan) cands=(--format --fail-on --output --color --quiet --help) ;;
            install) cands=(--python --create-venv --installer -r --requirement
                            -c --constraint --help) ;;
            *) _files; return ;;
        esac
    fi
    compadd -a cands
}
# Only when the completion system is loaded (compinit); the functions work without.
if (( $+functions[compdef] )); then
    compdef _safepip safepip
fi
