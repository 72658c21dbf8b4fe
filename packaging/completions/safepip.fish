# fish completion for safepip, installed as
# share/fish/vendor_completions.d/safepip.fish. It only completes: the
# pip-wrapping functions are `safepip shell-init fish` (docs/shell.md).
#
# Commands and options, with their descriptions, are read from the binary's
# own --help, so they cannot drift from it; only the values some options
# take are listed here.

# The command (first word after safepip that is not an option), or nothing.
function __safepip_command
    for w in (commandline -opc)[2..-1]
        if not string match -q -- '-*' $w
            echo $w
            return 0
        end
    end
    return 1
end

# The word after "policy" (show, check, explain), or nothing.
function __safepip_policy_action
    set -l words (commandline -opc)
    set -l at (contains -i -- policy $words)
    and test (count $words) -gt $at
    and echo $words[(math $at + 1)]
end

# True when no command has been typed yet.
function __safepip_needs_command
    not __safepip_command >/dev/null
end

# True when the command is one of $argv.
function __safepip_using
    set -l c (__safepip_command)
    and contains -- $c $argv
end

# True when the word before the cursor is one of $argv (an option's value comes next).
function __safepip_after
    set -l words (commandline -opc)
    contains -- $words[-1] $argv
end

# safepip's commands from `safepip --help`, then the pip commands it passes on.
function __safepip_commands
    safepip --help 2>/dev/null | string replace -rf '^  ([a-z][a-z-]*) +(.+)$' '$1\t$2'
    for c in list show freeze uninstall check config cache index inspect hash debug completion
        printf '%s\tpip %s, run by the real pip\n' $c $c
    end
end

# Options of the current command from its --help, less the pip options
# safepip refuses, as "option<TAB>description".
function __safepip_options
    set -l cmd (__safepip_command)
    set -l args $cmd
    set -l action (__safepip_policy_action)
    if test "$cmd" = policy; and test "$action" = explain
        set args policy explain
    end
    set -l skip 0
    safepip $args --help 2>/dev/null | while read -l line
        if string match -q -- '*safepip refuses:' $line
            set skip 1
        else if test -z "$line"
            set skip 0
        else if test $skip = 0
            string replace -rf -- '^ +(-[A-Za-z0-9], +)?(--[a-z][a-z0-9-]*)( [A-Z]+)? *(.*)$' \
                '$2\t$4' $line
        end
    end
end

# The values option $argv[1] takes in the current command, if a known set.
function __safepip_values
    set -l cmd (__safepip_command)
    set -l action (__safepip_policy_action)
    switch $argv[1]
        case -f --format
            if contains -- "$cmd" rules explain
                printf '%s\n' text markdown json
            else if test $argv[1] = --format; or contains -- "$cmd" scan policy
                and test "$action" != explain
                printf '%s\n' text json
            else
                return 1 # the gate's -f is pip's --find-links
            end
        case --fail-on
            printf '%s\n' info low medium high critical never warn block
        case --min-severity
            printf '%s\n' info low medium high critical
        case --color
            printf '%s\n' auto always never
        case --installer
            printf '%s\n' pip uv
        case --policy
            printf '%s\n' builtin:default builtin:strict builtin:permissive
            __fish_complete_path (commandline -ct | string replace -r '^--policy=' '')
        case '*'
            return 1
    end
end

# True when the word before the cursor is an option whose values are known.
function __safepip_value_pending
    set -l words (commandline -opc)
    __safepip_values $words[-1] >/dev/null
end

# For a word "--opt=partial": "--opt=value" for each value of --opt.
function __safepip_inline_values
    set -l tok (commandline -ct)
    set -l opt (string replace -r '=.*' '' -- $tok)
    for v in (__safepip_values $opt)
        echo "$opt=$v"
    end
end

complete -c safepip -f
complete -c safepip -n __safepip_needs_command -a '(__safepip_commands)'
complete -c safepip -n __safepip_needs_command -l help -d 'show help'
complete -c safepip -n __safepip_needs_command -l version -d 'show the version'

# An option's value: after the option, or after "--option=".
complete -c safepip -n __safepip_value_pending -x -a '(__safepip_values (commandline -opc)[-1])'
complete -c safepip -n 'string match -q -- "--*=*" (commandline -ct)' -x \
    -a '(__safepip_inline_values)'

# Options of the command, when the word being completed starts with a dash.
complete -c safepip -n 'not __safepip_needs_command; and not __safepip_value_pending
    and string match -qr -- "^-[^=]*\$" (commandline -ct)' -a '(__safepip_options)'

complete -c safepip -n '__safepip_using shell-init; and not __safepip_value_pending' \
    -a 'bash zsh fish'
complete -c safepip -n '__safepip_using policy; and not __safepip_policy_action >/dev/null' \
    -a 'show\t"the effective policy" check\t"validate policy files" explain\t"why a verdict"'
complete -c safepip -n '__safepip_using rules explain; and not __safepip_value_pending' \
    -a '(safepip rules 2>/dev/null | string replace -r " .*" "")'

# Targets, requirement files and other paths.
complete -c safepip -n '__safepip_using scan install download lock audit
    and not __safepip_value_pending' -F
complete -c safepip -n '__safepip_using policy; and __safepip_policy_action >/dev/null
    and not __safepip_value_pending' -F
