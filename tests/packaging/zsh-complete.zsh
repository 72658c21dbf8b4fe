# Prints the candidates the zsh completion _safepip offers for a command
# line, one per line, without an interactive shell: the completion system's
# functions that _safepip calls are replaced by stubs that collect what they
# are given, and the prefix is matched here.
#   zsh -f zsh-complete.zsh COMPLETION_DIR WORD...   (the last WORD is being completed)
# A file completion is printed as "<files>".
fpath=($1 $fpath)
shift
typeset -ga offered
compadd() {
  local a seen=
  for a in "$@"; do
    if [[ -n $seen || $a != -* ]]; then
      offered+=("$a")
    elif [[ $a == -- ]]; then
      seen=1
    fi
  done
}
_describe() { local n=${@[-1]}; offered+=("${(@)${(P)n}%%:*}") }
_files() { offered+=('<files>') }
_message() { : }
_call_program() { shift; "$@" }
compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=} }
autoload -Uz _safepip
words=("$@")
CURRENT=$#
PREFIX=$@[-1]
_safepip
for c in $offered; do
  [[ $c == '<files>' || $c == ${PREFIX}* ]] && print -r -- "$c"
done
