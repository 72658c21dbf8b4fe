# safepip shell integration for fish: safepip shell-init fish | source
# pip, pip3, python -m pip, python3 -m pip and uv pip install go through
# safepip when they install or fetch packages; every other pip command runs
# the real pip unchanged. `command pip ...` always reaches the real pip.

# pip options (before the subcommand) that take a value.
set -g __safepip_valued --cache-dir --cert --client-cert --exists-action \
    --keyring-provider --log --log-file --local-log --proxy --python --retries \
    --timeout --trusted-host --use-deprecated --use-feature

# Finds pip's subcommand in $argv: sets __safepip_sub and __safepip_at (its
# 1-based position); succeeds when the subcommand installs or fetches.
function __safepip_gated
    set -g __safepip_sub ''
    set -g __safepip_at 0
    set -l skip 0
    set -l i 0
    for a in $argv
        set i (math $i + 1)
        if test $skip = 1
            set skip 0
            continue
        end
        switch $a
            case --
                return 1
            case '--*=*'
            case '-*'
                contains -- $a $__safepip_valued; and set skip 1
            case '*'
                set __safepip_sub $a
                set __safepip_at $i
                break
        end
    end
    contains -- "$__safepip_sub" install download wheel
end

# Runs safepip with the subcommand first: safepip SUB [--python PY] ARGS...
# $argv[1] is the interpreter for `python -m pip` (empty for pip and pip3).
function __safepip_exec
    set -l py $argv[1]
    set -l args
    set -l n (count $argv)
    for i in (seq 2 $n)
        test (math $i - 1) -ne $__safepip_at; and set -a args $argv[$i]
    end
    if test -n "$py"
        command safepip $__safepip_sub --python $py $args
    else
        command safepip $__safepip_sub $args
    end
end

function pip
    if __safepip_gated $argv
        __safepip_exec '' $argv
    else
        command pip $argv
    end
end

function pip3
    if __safepip_gated $argv
        __safepip_exec '' $argv
    else
        command pip3 $argv
    end
end

# python -m pip ... and python -mpip ...; anything else runs python itself.
function __safepip_python
    set -l name $argv[1]
    set -e argv[1]
    set -l n 0
    if test (count $argv) -ge 2; and test "$argv[1]" = -m; and test "$argv[2]" = pip
        set n 2
    else if test (count $argv) -ge 1; and test "$argv[1]" = -mpip
        set n 1
    end
    if test $n -gt 0
        set -l rest $argv
        set -e rest[1..$n]
        if __safepip_gated $rest
            __safepip_exec (command -s $name) $rest
            return
        end
    end
    command $name $argv
end

function python
    __safepip_python python $argv
end

function python3
    __safepip_python python3 $argv
end

function uv
    if test (count $argv) -ge 2; and test "$argv[1]" = pip
        and test "$argv[2]" = install
        set -l rest $argv
        set -e rest[1..2]
        command safepip install --installer uv $rest
    else
        command uv $argv
    end
end

complete -c safepip -f
complete -c safepip -n __fish_use_subcommand -a 'advisories audit cache check config download explain freeze install list lock policy rules scan shell-init show uninstall'
complete -c safepip -n __fish_use_subcommand -l help -d 'show help'
complete -c safepip -n __fish_use_subcommand -l version -d 'show the version'
complete -c safepip -n '__fish_seen_subcommand_from shell-init' -a 'bash zsh fish'
complete -c safepip -n '__fish_seen_subcommand_from policy' -a 'show check explain'
complete -c safepip -n '__fish_seen_subcommand_from cache' -a 'info clean'
complete -c safepip -n '__fish_seen_subcommand_from scan' -F
complete -c safepip -n '__fish_seen_subcommand_from scan' -l format -x \
    -a 'text json sarif html'
complete -c safepip -n '__fish_seen_subcommand_from scan' -l fail-on -x \
    -a 'info low medium high critical never'
complete -c safepip -n '__fish_seen_subcommand_from install' -F
complete -c safepip -n '__fish_seen_subcommand_from install' -l python -r
complete -c safepip -n '__fish_seen_subcommand_from install' -l create-venv
complete -c safepip -n '__fish_seen_subcommand_from install' -l installer -x -a 'pip uv'
complete -c safepip -n '__fish_seen_subcommand_from install' -s r -l requirement -r
