; Signs of malicious packages: reverse shells, environment exfiltration,
; download-and-run shell commands, process injection, persistence,
; credential stores, clipboard access, setup.py install hooks.
;
; Shell runners ("sinks" below): os.system, os.popen, subprocess.*,
; os.exec*, os.spawn*, pty.spawn, commands.getoutput.

; pty.spawn("/bin/sh"): an interactive shell on whatever stdin/stdout are.
((call
   function: (_) @fn
   arguments: (argument_list . [(string) @sh (list . (string) @sh)])) @match
 (#callee? @fn "pty.spawn")
 (#str-match? @sh "^(/usr)?(/bin/)?(ba|z|da|k|c|tc|fi|a)?sh$|^(/usr)?(/bin/)?(ba|z|da|k)?sh[[:space:]]+-i$|cmd(\\.exe)?$|powershell(\\.exe)?$")
 (#rule! "reverse-shell"))

; os.dup2(sock.fileno(), 0): standard streams handed to a socket (the
; receiver's name must look like a socket: s, sock, conn, client ...).
((call
   function: (_) @fn
   arguments: (argument_list .
     (call function: (attribute object: (_) @sock attribute: (identifier) @fno)))) @match
 (#callee? @fn "os.dup2")
 (#eq? @fno "fileno")
 (#match? @sock "([Ss]ock|SOCK|[Cc]onn|CONN|[Cc]lient|^s$|^so$|^sk$|^c$)")
 (#rule! "reverse-shell"))

; subprocess.call(["/bin/sh", "-i"]): an interactive shell
((call
   function: (_) @fn
   arguments: (argument_list . (list . (string) @sh . (string) @i))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "os.exec*" "os.spawn*")
 (#str-match? @sh "^(/usr)?(/bin/)?(ba|z|da|k|c|tc|a)?sh$")
 (#str-match? @i "^-i$")
 (#rule! "reverse-shell"))

; The one-liners: bash -i >& /dev/tcp/h/p, nc -e /bin/sh, socat exec:
([(argument_list [(string) (binary_operator)] @match)
  (argument_list (list (string) @match))
  (keyword_argument value: [(string) (binary_operator)] @match)
  (assignment right: [(string) (binary_operator)] @match)]
 (#match? @match "/dev/(tcp|udp)/|(^|[^A-Za-z])(nc|ncat|netcat)([[:space:]]+[^[:space:]]+)*[[:space:]]+-[ec][[:space:]]+/?(bin/)?(ba|z|da)?sh|socat[[:space:]].*exec:|(ba|z)?sh[[:space:]]+-i[[:space:]]*[>&]+[[:space:]]*/dev/")
 (#rule! "reverse-shell"))

; The whole environment sent over the network: os.environ itself as an
; argument (resolved through imports), or wrapped (dict(os.environ),
; json.dumps(...), str(...).encode(), os.environ.copy()) as seen in the text
; of the arguments, which must not index it (os.environ["X"], .get("X")).
; The text form needs "os.environ": a bare "environ" is usually a WSGI environ.
((call
   function: (_) @fn
   arguments: (argument_list [
     (attribute) @env
     (identifier) @env
     (keyword_argument value: [(attribute) (identifier)] @env)])) @match
 (#callee? @fn "requests.*" "httpx.*" "urllib.request.urlopen" "urllib2.urlopen"
   "urllib.urlopen" "urllib3.request" "aiohttp.request" "socket.create_connection")
 (#callee? @env "os.environ" "os.environb" "posix.environ" "nt.environ")
 (#rule! "env-exfil"))

((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list [
     (attribute) @env
     (identifier) @env
     (keyword_argument value: [(attribute) (identifier)] @env)])) @match
 (#any-of? @m "send" "sendall" "sendto" "post" "put" "patch" "request" "urlopen" "sendmail"
   "send_message" "publish" "emit")
 (#callee? @env "os.environ" "os.environb" "posix.environ" "nt.environ")
 (#rule! "env-exfil"))

((call
   function: (_) @fn
   arguments: (argument_list) @args) @match
 (#callee? @fn "requests.*" "httpx.*" "urllib.request.urlopen" "urllib2.urlopen"
   "urllib.urlopen" "urllib3.request" "aiohttp.request" "socket.create_connection")
 (#match? @args "os\\.environb?(\\)|,|\\.(copy|items)\\(\\))")
 (#rule! "env-exfil"))

; req = Request(url, data=...environ...): a request built for a later urlopen(req)
((assignment
   right: (call function: (_) @fn arguments: (argument_list) @args)) @match
 (#callee? @fn "urllib.request.Request" "urllib2.Request")
 (#match? @args "os\\.environb?(\\)|,|\\.(copy|items)\\(\\))")
 (#rule! "env-exfil"))

((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list) @args) @match
 (#any-of? @m "send" "sendall" "sendto" "post" "put" "patch" "request" "urlopen" "sendmail"
   "send_message" "publish" "emit")
 (#match? @args "os\\.environb?(\\)|,|\\.(copy|items)\\(\\))")
 (#rule! "env-exfil"))

; curl ... | sh, wget -O x && chmod +x x, powershell -enc / IEX / DownloadString, certutil -urlcache
((call
   function: (_) @fn
   arguments: (argument_list . [(list (_) @s) (_) @s])) @match
 (#callee? @fn "os.system" "os.popen" "subprocess.run" "subprocess.call"
   "subprocess.check_call" "subprocess.check_output" "subprocess.Popen"
   "subprocess.getoutput" "subprocess.getstatusoutput" "commands.getoutput"
   "asyncio.create_subprocess_shell" "asyncio.create_subprocess_exec"
   "os.exec*" "os.spawn*" "os.posix_spawn*" "pty.spawn")
 (#match? @s "(curl|wget)[^|;&]*\\|[[:space:]]*(sudo[[:space:]]+(-[A-Za-z]+[[:space:]]+)*)?((ba|z|da|k)?sh|python[0-9.]*|perl|ruby|node)([^A-Za-z0-9_.]|$)|(curl|wget)[^;&|]*(&&|;)[^;&|]*(chmod[[:space:]]+[+0-7]*x?|\\./)|[Pp]ower[Ss]hell.*(-[Ee][Nn][Cc]|IEX|[Ii]nvoke-[Ee]xpression|DownloadString|DownloadFile)|certutil.*-urlcache|bitsadmin.*/transfer|mshta[[:space:]]+[\"']?https?:|pythonw?[0-9.]*(\\.exe)?[[:space:]]+-c[[:space:]].*(urlopen|urlretrieve|requests\\.get)")
 (#rule! "shell-download-exec"))

((assignment right: [(string) (binary_operator)] @match)
 (#match? @match "(curl|wget)[^|;&]*\\|[[:space:]]*(sudo[[:space:]]+(-[A-Za-z]+[[:space:]]+)*)?((ba|z|da|k)?sh|python[0-9.]*|perl|ruby|node)([^A-Za-z0-9_.]|$)|(curl|wget)[^;&|]*(&&|;)[^;&|]*(chmod[[:space:]]+[+0-7]*x?|\\./)|[Pp]ower[Ss]hell.*(-[Ee][Nn][Cc]|IEX|[Ii]nvoke-[Ee]xpression|DownloadString|DownloadFile)|certutil.*-urlcache|bitsadmin.*/transfer|mshta[[:space:]]+[\"']?https?:|pythonw?[0-9.]*(\\.exe)?[[:space:]]+-c[[:space:]].*(urlopen|urlretrieve|requests\\.get)")
 (#rule! "shell-download-exec"))

; ["powershell", "-enc", ...] / ["powershell", "-c", "IEX(...)"]
((call
   function: (_) @fn
   arguments: (argument_list . (list . (string) @ps (string) @arg))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "os.exec*" "os.spawn*")
 (#str-match? @ps "[Pp]ower[Ss]hell(\\.exe)?$|pwsh(\\.exe)?$")
 (#str-match? @arg "^-([Ee]|[Ee][Cc]|[Ee][Nn][Cc]|[Ee]ncoded[Cc]ommand)$|IEX|[Ii]nvoke-[Ee]xpression|DownloadString|DownloadFile")
 (#rule! "shell-download-exec"))

; Win32 calls that write into or start threads in memory: shellcode loaders and injectors.
((call function: (attribute attribute: (identifier) @api)) @match
 (#any-of? @api "VirtualAlloc" "VirtualAllocEx" "VirtualProtect" "VirtualProtectEx"
   "WriteProcessMemory" "NtWriteVirtualMemory" "CreateRemoteThread" "CreateRemoteThreadEx"
   "NtCreateThreadEx" "RtlCreateUserThread" "QueueUserAPC" "NtQueueApcThread" "CreateThread"
   "RtlMoveMemory" "SetWindowsHookExA" "SetWindowsHookExW")
 (#rule! "process-injection"))

; Autostart locations: Run keys, Startup folder, autostart/LaunchAgents/systemd/cron, authorized_keys.
([(argument_list (string) @match)
  (argument_list (list (string) @match))
  (keyword_argument value: (string) @match)
  (binary_operator left: (string) @match)
  (binary_operator right: (string) @match)
  (assignment right: (string) @match)
  (assignment right: (list (string) @match))
  (assignment right: (tuple (string) @match))]
 (#match? @match "CurrentVersion(\\\\)+Run|CurrentVersion/Run|Image File Execution Options|Start Menu.{1,4}Programs.{1,4}Startup|shell:startup|\\.config/autostart|/etc/xdg/autostart|Library/Launch(Agents|Daemons)|\\.config/systemd/user|/etc/systemd/system|/etc/rc\\.local|/etc/init\\.d/|/etc/cron\\.(d|hourly|daily|weekly|monthly)|/etc/crontab|/var/spool/cron|\\|[[:space:]]*crontab|schtasks(\\.exe)?[[:space:]]+/[Cc][Rr][Ee][Aa][Tt][Ee]|\\.ssh/authorized_keys|/etc/ld\\.so\\.preload")
 (#rule! "autostart-persistence"))

; subprocess.run(["schtasks", "/create", ...]), ["crontab", file]
((call
   function: (_) @fn
   arguments: (argument_list . (list . (string) @a (string) @b))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "os.exec*" "os.spawn*")
 (#str-match? @a "^(schtasks(\\.exe)?|reg(\\.exe)?)$")
 (#str-match? @b "^/[Cc][Rr][Ee][Aa][Tt][Ee]$|^[Aa][Dd][Dd]$")
 (#rule! "autostart-persistence"))

; winreg.SetValueEx under a Run key is caught by the path; CreateKey(HKCU, ...Run) as well.

; Browser password and cookie stores, Discord tokens, wallets, /etc/shadow.
([(argument_list (string) @match)
  (argument_list (list (string) @match))
  (keyword_argument value: (string) @match)
  (binary_operator left: (string) @match)
  (binary_operator right: (string) @match)
  (assignment right: (string) @match)
  (assignment right: (list (string) @match))
  (assignment right: (tuple (string) @match))
  (pair value: (string) @match)]
 (#match? @match "Login Data['\"]|Local State['\"]|Network.{1,2}Cookies|Web Data['\"]|key[34]\\.db|logins\\.json|cookies\\.sqlite|signons\\.sqlite|wallet\\.dat|Local Storage.{1,2}leveldb|[Dd]iscord(canary|ptb)?.{1,2}Local Storage|Electrum.{1,2}wallets|Exodus.{1,2}exodus\\.wallet|nkbihfbeogaeaoehlefnkodbefgpgknn|dQw4w9WgXcQ|\\{24\\}\\\\\\.\\[|mfa\\\\\\.\\[|/etc/shadow")
 (#rule! "credential-store-access"))

; Developer credentials: cloud, SSH keys, PyPI, git, Docker, Kubernetes.
([(argument_list (string) @match)
  (argument_list (list (string) @match))
  (keyword_argument value: (string) @match)
  (binary_operator left: (string) @match)
  (binary_operator right: (string) @match)
  (assignment right: (string) @match)
  (assignment right: (list (string) @match))
  (assignment right: (tuple (string) @match))
  (pair value: (string) @match)]
 (#match? @match "\.aws/credentials|\.ssh/id_(rsa|dsa|ecdsa|ed25519)['\"]|\.git-credentials|\.pypirc|\.docker/config\.json|\.kube/config['\"]|\.config/gh/hosts\.yml|\.npmrc")
 (#rule! "dev-credential-access"))

; Clipboard read or write.
((call function: (_) @fn) @match
 (#callee? @fn "pyperclip.paste" "pyperclip.copy" "pandas.read_clipboard"
   "win32clipboard.GetClipboardData" "win32clipboard.SetClipboardData"
   "win32clipboard.SetClipboardText" "clipboard.paste" "clipboard.copy"
   "xerox.paste" "xerox.copy" "pyclip.paste" "pyclip.copy" "klembord.get" "klembord.set")
 (#rule! "clipboard-access"))

((call function: (attribute attribute: (identifier) @m)) @match
 (#any-of? @m "clipboard_get" "clipboard_append" "to_clipboard" "GetClipboardData" "SetClipboardData")
 (#rule! "clipboard-access"))

; setup(cmdclass={"install": ...}): code of the package's choosing runs inside pip install.
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument
       name: (identifier) @k
       value: (dictionary (pair key: (string) @cmd))))) @match
 (#callee? @fn "setup" "setuptools.setup" "distutils.core.setup")
 (#eq? @k "cmdclass")
 (#str-match? @cmd "^(install|develop|egg_info|install_lib|install_scripts|install_egg_info|easy_install)$")
 (#rule! "setup-cmdclass-install"))

((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument
       name: (identifier) @k
       value: (call
         function: (_) @d
         arguments: (argument_list (keyword_argument name: (identifier) @cmd)))))) @match
 (#callee? @fn "setup" "setuptools.setup" "distutils.core.setup")
 (#eq? @k "cmdclass")
 (#callee? @d "dict")
 (#any-of? @cmd "install" "develop" "egg_info" "install_lib" "install_scripts" "install_egg_info" "easy_install")
 (#rule! "setup-cmdclass-install"))
