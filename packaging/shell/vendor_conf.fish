# safepip's shell integration for interactive fish shells: `pip install`,
# `python -m pip install` and `uv pip install` go through safepip. Off until
# the administrator sets SAFEPIP_SHELL_INIT=yes in /etc/safepip/shell.conf
# (installed as share/fish/vendor_conf.d/safepip.fish; fish reads it at
# start-up, before the user's config.fish).
if status is-interactive; and test -r /etc/safepip/shell.conf
    and string match -qr '^SAFEPIP_SHELL_INIT=(yes|"yes"|\'yes\')$' </etc/safepip/shell.conf
    and command -sq safepip
    safepip shell-init fish | source
end
