; Code execution: eval/exec/compile, os.system and friends, subprocess.
;
; The subprocess rules split one call into exactly one finding:
;   shell=<truthy or unknown>            subprocess-shell
;   a string command, no shell=          subprocess-string-command
;   anything else (a list, a variable)   subprocess-call (capability only)
; "String-ish" is decided on the argument's source text: it starts with a
; string literal (plain, f-, r- or b-string, "..." % x, "...".format(),
; "..." + x), unless it is "...".split().

; eval/exec/compile of anything but a constant.
; Left out: the setup.py idioms that read the package's own version file,
;   exec(open(os.path.join(here, "pkg", "version.py")).read())
;   exec(compile(open("pkg/__about__.py").read(), ...))
;   exec(Path("pkg/_version.py").read_text())
;   with open(p) as f: exec(f.read(), about)       (a globals dict given)
;   version = eval(line.split("=")[1])
; The .py file they run is part of the artifact and scanned itself.
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg .)) @match
 (#callee? @fn "eval" "exec" "compile" "execfile")
 (#not-literal? @arg)
 (#not-match? @arg "^(compile\\()?(io\\.|codecs\\.)?open\\(.*\\.py['\"].*\\)\\.read\\(\\)|^(compile\\()?(pathlib\\.)?Path\\(.*\\.py['\"].*\\)\\.read_text\\([^()]*\\)")
 (#not-match? @arg "\\.split\\([^()]*\\)\\[-?[0-9]+\\](\\.strip\\(\\))?$")
 (#rule! "eval-dynamic"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg . (_))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile")
 (#not-literal? @arg)
 (#not-match? @arg "^(compile\\()?(io\\.|codecs\\.)?open\\(.*\\.py['\"].*\\)\\.read\\(\\)|^(compile\\()?(pathlib\\.)?Path\\(.*\\.py['\"].*\\)\\.read_text\\([^()]*\\)")
 (#not-match? @arg "^(compile\\()?[A-Za-z_][A-Za-z0-9_.]*\\.read(_text)?\\(\\)")
 (#rule! "eval-dynamic"))

; os.system, os.popen and the other spellings of "run this through /bin/sh".
; Left out: a constant release chore with no shell syntax, the "setup.py
; publish" shortcut of many setup.py files (if sys.argv[-1] == "publish":
; os.system("python setup.py sdist bdist_wheel"); os.system("twine upload dist/*")).
((call function: (_) @fn arguments: (argument_list . (_) @arg)) @match
 (#callee? @fn "os.system" "os.popen" "os.popen2" "os.popen3" "os.popen4"
   "posix.system" "posix.popen" "nt.system" "nt.popen"
   "popen2.popen2" "popen2.popen3" "popen2.popen4" "popen2.Popen3" "popen2.Popen4"
   "commands.getoutput" "commands.getstatusoutput"
   "subprocess.getoutput" "subprocess.getstatusoutput" "platform.popen")
 (#not-str-match? @arg "^((python[0-9.]*|py)[[:space:]]+setup\\.py([[:space:]]+[A-Za-z0-9_=.-]+)+|twine[[:space:]]+(upload|check)([[:space:]]+[A-Za-z0-9_=./*-]+)+|git[[:space:]]+(tag|push)([[:space:]]+[A-Za-z0-9_=./-]+)*|rm[[:space:]]+-r?f?r?([[:space:]]+(build|dist|[A-Za-z0-9_.*-]+\\.egg-info)/?)+)$")
 (#rule! "os-system"))

; os.exec*, os.spawn*, os.posix_spawn*, os.startfile: a program without a shell.
((call function: (_) @fn) @match
 (#callee? @fn "os.exec*" "os.spawn*" "os.posix_spawn*" "os.startfile"
   "posix.exec*" "posix.spawn*" "posix.posix_spawn*" "nt.spawn*" "nt.startfile")
 (#rule! "os-exec"))

; subprocess with shell= anything but a false constant.
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#eq? @k "shell")
 (#not-match? @v "^(False|None|0|''|\"\")$")
 (#rule! "subprocess-shell"))

; asyncio's shell variant always uses a shell.
((call function: (_) @fn) @match
 (#callee? @fn "asyncio.create_subprocess_shell")
 (#rule! "subprocess-shell"))

; A string command and no shell= at all.
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg) @args) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#match? @arg "^[rRbBuUfF]{0,2}['\"]")
 (#not-match? @arg "\\.split\\(")
 (#not-has-kwarg? @args "shell")
 (#rule! "subprocess-string-command"))

; A string command with an explicit false shell=: still a string.
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#match? @arg "^[rRbBuUfF]{0,2}['\"]")
 (#not-match? @arg "\\.split\\(")
 (#eq? @k "shell")
 (#match? @v "^(False|None|0)$")
 (#rule! "subprocess-string-command"))

; Everything else that starts a process through subprocess: a list, a
; variable, "...".split(); no shell= or a false one.
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg) @args) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "asyncio.create_subprocess_exec")
 (#not-match? @arg "^[rRbBuUfF]{0,2}['\"]")
 (#not-has-kwarg? @args "shell")
 (#rule! "subprocess-call"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg) @args) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "asyncio.create_subprocess_exec")
 (#match? @arg "^[rRbBuUfF]{0,2}['\"]")
 (#match? @arg "\\.split\\(")
 (#not-has-kwarg? @args "shell")
 (#rule! "subprocess-call"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#not-match? @arg "^[rRbBuUfF]{0,2}['\"]")
 (#eq? @k "shell")
 (#match? @v "^(False|None|0)$")
 (#rule! "subprocess-call"))

; subprocess.run(cmd, **options): shell= may hide in the dict; report the capability.
((call
   function: (_) @fn
   arguments: (argument_list (dictionary_splat))) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#rule! "subprocess-call"))

; stdin, stdout and stderr all thrown away: a process meant to go unnoticed.
((call
   function: (_) @fn
   arguments: (argument_list) @args) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen")
 (#match? @args "stdin[[:space:]]*=[^,)]*(DEVNULL|devnull)")
 (#match? @args "stdout[[:space:]]*=[^,)]*(DEVNULL|devnull)")
 (#match? @args "stderr[[:space:]]*=[^,)]*(DEVNULL|devnull)")
 (#rule! "silent-process-execution"))

; __import__ / importlib.import_module of a name computed at run time.
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg)) @match
 (#callee? @fn "__import__" "importlib.import_module" "importlib.__import__")
 (#not-literal? @arg)
 (#rule! "dynamic-import"))

; Loading a native library through ctypes.
((call function: (_) @fn) @match
 (#callee? @fn "ctypes.CDLL" "ctypes.WinDLL" "ctypes.OleDLL" "ctypes.PyDLL"
   "ctypes.LibraryLoader" "ctypes.cdll.*" "ctypes.windll.*" "ctypes.oledll.*"
   "ctypes.pydll.*" "_ctypes.dlopen" "_ctypes.LoadLibrary")
 (#rule! "ctypes-load"))
