# bash completion for safepip                             -*- shell-script -*-
# Installed as share/bash-completion/completions/safepip; bash-completion
# loads it the first time `safepip <TAB>` is pressed. It only completes: the
# pip-wrapping functions are `safepip shell-init bash`, which the user or
# the administrator turns on (docs/shell.md).
#
# Commands and options are read from the installed binary's own --help, so
# they cannot drift from it; only the values some options take are listed
# here. Each help text is read once per shell.

declare -gA __safepip_help_cache 2>/dev/null || true

# Prints the options (long, and short where there is one) that
# `safepip "$@" --help` lists at the start of its lines, less the pip
# options safepip refuses.
__safepip_options()
{
    local key="opts $*" line re='^ +(-[A-Za-z0-9], +)?(--[a-z][a-z0-9-]*)'
    if [[ -z ${__safepip_help_cache[$key]+set} ]]; then
        local out= skip=
        while IFS= read -r line; do
            if [[ $line == *'safepip refuses:' ]]; then
                skip=1
            elif [[ -z $line ]]; then
                skip=
            elif [[ -z $skip && $line =~ $re ]]; then
                out+="${BASH_REMATCH[2]} "
                [[ -n ${BASH_REMATCH[1]} ]] && out+="${BASH_REMATCH[1]%%,*} "
            fi
        done < <(command safepip "$@" --help 2>/dev/null)
        __safepip_help_cache[$key]=$out
    fi
    printf '%s\n' "${__safepip_help_cache[$key]}"
}

# Prints safepip's commands (from `safepip --help`) and the pip commands it
# passes through.
__safepip_commands()
{
    if [[ -z ${__safepip_help_cache[cmds]+set} ]]; then
        local line out= in=
        while IFS= read -r line; do
            if [[ $line == commands: ]]; then
                in=1
            elif [[ -n $in && $line =~ ^\ \ ([a-z][a-z-]*)\  ]]; then
                out+="${BASH_REMATCH[1]} "
            elif [[ -n $in && -z $line ]]; then
                in=
            fi
        done < <(command safepip --help 2>/dev/null)
        out+="list show freeze uninstall check config cache index inspect hash debug completion"
        __safepip_help_cache[cmds]=$out
    fi
    printf '%s\n' "${__safepip_help_cache[cmds]}"
}

# Prints the rule ids of the catalog (first column of `safepip rules`).
__safepip_rule_ids()
{
    if [[ -z ${__safepip_help_cache[rules]+set} ]]; then
        local id rest out=
        while read -r id rest; do
            out+="$id "
        done < <(command safepip rules 2>/dev/null)
        __safepip_help_cache[rules]=$out
    fi
    printf '%s\n' "${__safepip_help_cache[rules]}"
}

# COMPREPLY from compgen's arguments, one candidate per line (paths may have spaces).
__safepip_reply()
{
    mapfile -t COMPREPLY < <(compgen "$@")
}

_safepip()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev= i sub= subat=0 action= words=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # `--opt=value`: bash splits at '=' (COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur= prev=${COMP_WORDS[COMP_CWORD - 1]}
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    COMPREPLY=()

    # safepip has no global options but --help and --version, so the first
    # word that is not an option is the command.
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} != -* ]]; then
            sub=${COMP_WORDS[i]} subat=$i
            break
        fi
    done
    if [[ -z $sub ]]; then
        words="$(__safepip_commands) --help --version"
        __safepip_reply -W "$words" -- "$cur"
        return
    fi
    if [[ $sub == policy ]]; then
        if ((COMP_CWORD == subat + 1)) && [[ $cur != -* ]]; then
            __safepip_reply -W "show check explain" -- "$cur"
            return
        fi
        action=${COMP_WORDS[subat + 1]}
    fi

    # Values of the options that take a known set.
    case $prev in
    --format | -f)
        case $sub in
        scan) words="text json" ;;
        rules | explain) words="text markdown json" ;;
        # In the gate's option table -f is pip's --find-links.
        policy) [[ $action != explain || $prev == --format ]] && words="text json" ;;
        *) [[ $prev == --format ]] && words="text json" ;;
        esac
        if [[ -n $words ]]; then
            __safepip_reply -W "$words" -- "$cur"
            return
        fi
        ;;
    --fail-on)
        __safepip_reply -W "info low medium high critical never warn block" -- "$cur"
        return
        ;;
    --min-severity)
        __safepip_reply -W "info low medium high critical" -- "$cur"
        return
        ;;
    --color)
        __safepip_reply -W "auto always never" -- "$cur"
        return
        ;;
    --installer)
        __safepip_reply -W "pip uv" -- "$cur"
        return
        ;;
    --policy)
        mapfile -t COMPREPLY < <(compgen -W "builtin:default builtin:strict builtin:permissive" \
            -- "$cur"; compgen -f -- "$cur")
        return
        ;;
    --jobs | -j | --retries | --timeout | --default-timeout | --upgrade-strategy | \
        --progress-bar | --exists-action | --root-user-action)
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        case $sub in
        policy)
            if [[ $action == explain ]]; then
                words=$(__safepip_options policy explain)
            else
                words=$(__safepip_options policy)
            fi
            ;;
        *) words=$(__safepip_options "$sub") ;;
        esac
        __safepip_reply -W "$words" -- "$cur"
        return
    fi
    case $sub in
    shell-init)
        ((COMP_CWORD == subat + 1)) && __safepip_reply -W "bash zsh fish" -- "$cur"
        ;;
    rules | explain)
        __safepip_reply -W "$(__safepip_rule_ids)" -- "$cur"
        ;;
    esac
    # Anything else (targets, requirement files, paths): -o default completes files.
}
complete -o default -o bashdefault -F _safepip safepip
