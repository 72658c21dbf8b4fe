; Code weaknesses for parity with bandit's remaining tests (the rest are
; in the other files; docs/rules.md has the table).

; B108: a fixed path in a shared temporary directory
([(argument_list (string) @match)
  (keyword_argument value: (string) @match)
  (assignment right: (string) @match)
  (default_parameter value: (string) @match)]
 (#str-match? @match "^/(tmp|var/tmp|dev/shm)(/|$)")
 (#rule! "hardcoded-tmp-path"))

; B310: urlopen of a URL that is not a constant, or of a file:// URL
((call
   function: (_) @fn
   arguments: (argument_list . (_) @u)) @match
 (#callee? @fn "urllib.request.urlopen" "urllib.request.urlretrieve"
   "urllib.request.URLopener" "urllib.request.FancyURLopener" "urllib.urlopen"
   "urllib.urlretrieve" "urllib2.urlopen" "six.moves.urllib.request.urlopen")
 (#not-literal? @u)
 (#rule! "urlopen-dynamic-url"))

((call
   function: (_) @fn
   arguments: (argument_list . (string) @u)) @match
 (#callee? @fn "urllib.request.urlopen" "urllib.request.urlretrieve" "urllib.urlopen"
   "urllib.urlretrieve" "urllib2.urlopen")
 (#str-match? @u "^[Ff][Ii][Ll][Ee]:")
 (#rule! "urlopen-dynamic-url"))

; B502/B503: old protocols asked for, by argument or by default
((call
   function: (_) @fn
   arguments: (argument_list . [(attribute) (identifier)] @v)) @match
 (#callee? @fn "ssl.SSLContext" "OpenSSL.SSL.Context")
 (#callee? @v "ssl.PROTOCOL_SSLv2" "ssl.PROTOCOL_SSLv3" "ssl.PROTOCOL_TLSv1"
   "ssl.PROTOCOL_TLSv1_1" "OpenSSL.SSL.SSLv2_METHOD" "OpenSSL.SSL.SSLv3_METHOD"
   "OpenSSL.SSL.TLSv1_METHOD" "OpenSSL.SSL.TLSv1_1_METHOD")
 (#rule! "ssl-weak-protocol"))

([(keyword_argument name: (identifier) @k value: [(attribute) (identifier)] @v)
  (default_parameter name: (identifier) @k value: [(attribute) (identifier)] @v)] @match
 (#callee? @v "ssl.PROTOCOL_SSLv2" "ssl.PROTOCOL_SSLv3" "ssl.PROTOCOL_TLSv1"
   "ssl.PROTOCOL_TLSv1_1" "OpenSSL.SSL.SSLv2_METHOD" "OpenSSL.SSL.SSLv3_METHOD"
   "OpenSSL.SSL.TLSv1_METHOD" "OpenSSL.SSL.TLSv1_1_METHOD")
 (#rule! "ssl-weak-protocol"))

; B504
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "ssl.wrap_socket")
 (#not-has-kwarg? @args "ssl_version")
 (#rule! "ssl-no-version"))

; B505: short RSA/DSA keys, weak curves
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (integer) @n))) @match
 (#callee? @fn "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key"
   "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key")
 (#eq? @k "key_size")
 (#match? @n "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")
 (#rule! "weak-crypto-key"))

((call
   function: (_) @fn
   arguments: (argument_list . (integer) @n)) @match
 (#callee? @fn "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key"
   "Crypto.PublicKey.RSA.generate" "Crypto.PublicKey.DSA.generate"
   "Cryptodome.PublicKey.RSA.generate" "Cryptodome.PublicKey.DSA.generate")
 (#match? @n "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")
 (#rule! "weak-crypto-key"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) . (integer) @n)) @match
 (#callee? @fn "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key")
 (#match? @n "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")
 (#rule! "weak-crypto-key"))

((call function: (_) @fn) @match
 (#callee? @fn "cryptography.hazmat.primitives.asymmetric.ec.SECP192R1"
   "cryptography.hazmat.primitives.asymmetric.ec.SECT163K1"
   "cryptography.hazmat.primitives.asymmetric.ec.SECT163R2")
 (#rule! "weak-crypto-key"))

; B508/B509
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (integer) @v))) @match
 (#callee? @fn "pysnmp.hlapi.CommunityData" "pysnmp.entity.rfc3413.oneliner.cmdgen.CommunityData")
 (#eq? @k "mpModel")
 (#any-of? @v "0" "1")
 (#rule! "snmp-insecure"))

((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "pysnmp.hlapi.UsmUserData" "pysnmp.entity.rfc3413.oneliner.cmdgen.UsmUserData")
 (#max-args? @args "1")
 (#not-has-kwarg? @args "authKey")
 (#rule! "snmp-insecure"))

; B601
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . (_) @c)) @match
 (#eq? @m "exec_command")
 (#not-literal? @c)
 (#rule! "paramiko-exec"))

; B604: shell=True on anything but subprocess (subprocess-shell's business)
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (true)))) @match
 (#eq? @k "shell")
 (#not-callee? @fn "subprocess.*" "asyncio.create_subprocess_shell")
 (#rule! "shell-true-kwarg"))

; B607: a program named without a path
((call
   function: (_) @fn
   arguments: (argument_list . [(string) @c (list . (string) @c)])) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput"
   "subprocess.getstatusoutput" "os.system" "os.popen" "os.execlp" "os.execlpe"
   "os.execvp" "os.execvpe" "os.spawnlp" "os.spawnlpe" "os.spawnvp" "os.spawnvpe"
   "os.startfile" "asyncio.create_subprocess_exec" "asyncio.create_subprocess_shell")
 (#str-match? @c "^[A-Za-z0-9_]")
 (#not-str-match? @c "^[A-Za-z]:[\\\\/]")
 (#rule! "process-partial-path"))

; B609
((call
   function: (_) @fn
   arguments: (argument_list . (string) @c)) @match
 (#callee? @fn "os.system" "os.popen" "os.popen2" "os.popen3" "os.popen4"
   "subprocess.run" "subprocess.call" "subprocess.check_call" "subprocess.check_output"
   "subprocess.Popen" "subprocess.getoutput" "subprocess.getstatusoutput"
   "commands.getoutput" "commands.getstatusoutput")
 (#str-match? @c "(^|[;&|[:space:]])(chown|chmod|tar|rsync)[[:space:]][^;&|]*\\*")
 (#rule! "shell-wildcard"))

; B610/B611
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list (keyword_argument name: (identifier) @k))) @match
 (#eq? @m "extra")
 (#any-of? @k "select" "where" "tables")
 (#rule! "django-raw-sql"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) @q)) @match
 (#callee? @fn "django.db.models.expressions.RawSQL" "django.db.models.RawSQL")
 (#not-literal? @q)
 (#rule! "django-raw-sql"))

; B612
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "logging.config.listen")
 (#not-has-kwarg? @args "verify")
 (#rule! "logging-config-listen"))

; B615
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . (string) @repo) @args) @match
 (#eq? @m "from_pretrained")
 (#str-match? @repo "^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
 (#not-has-kwarg? @args "revision")
 (#rule! "hf-unpinned-download"))

((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "huggingface_hub.hf_hub_download" "huggingface_hub.snapshot_download"
   "datasets.load_dataset")
 (#not-has-kwarg? @args "revision")
 (#rule! "hf-unpinned-download"))

; B702
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "mako.template.Template" "mako.lookup.TemplateLookup")
 (#not-has-kwarg? @args "default_filters")
 (#rule! "mako-template"))

; B412
((call function: (_) @fn) @match
 (#callee? @fn "wsgiref.handlers.CGIHandler" "twisted.web.twcgi.CGIScript"
   "twisted.web.twcgi.CGIDirectory")
 (#rule! "httpoxy-cgi"))

((call function: (_) @fn) @match
 (#callee? @fn "http.server.HTTPServer" "http.server.ThreadingHTTPServer"
   "http.server.test" "BaseHTTPServer.HTTPServer")
 (#rule! "http-server"))

((class_definition
   superclasses: (argument_list [(attribute) (identifier)] @b)) @match
 (#callee? @b "http.server.BaseHTTPRequestHandler" "http.server.SimpleHTTPRequestHandler"
   "BaseHTTPServer.BaseHTTPRequestHandler")
 (#rule! "http-server"))

((call function: (_) @fn) @match
 (#callee? @fn "sys.settrace" "sys.setprofile" "sys.call_tracing" "threading.settrace"
   "threading.setprofile" "threading.settrace_all_threads" "threading.setprofile_all_threads")
 (#rule! "sys-trace-hook"))

((call function: (_) @fn) @match
 (#callee? @fn "xmlrpc.client.ServerProxy" "xmlrpclib.ServerProxy"
   "xmlrpc.server.SimpleXMLRPCServer" "xmlrpc.server.DocXMLRPCServer"
   "SimpleXMLRPCServer.SimpleXMLRPCServer")
 (#rule! "xmlrpc-use"))

; Download-and-execute droppers: an executable's name as the download
; target or opened for writing.
((call
   function: (_) @fn
   arguments: (argument_list . (_) .
     [(string) @dst (call arguments: (argument_list (string) @dst .))])) @match
 (#callee? @fn "urllib.request.urlretrieve" "urllib.urlretrieve" "wget.download")
 (#str-match? @dst "\\.([Ee][Xx][Ee]|[Dd][Ll][Ll]|[Ss][Cc][Rr]|[Bb][Aa][Tt]|[Cc][Mm][Dd]|[Pp][Ss]1|[Vv][Bb][Ss]|[Mm][Ss][Ii])$")
 (#rule! "download-executable"))

((call
   function: (_) @fn
   arguments: (argument_list . (string) @dst . (string) @mode)) @match
 (#callee? @fn "open" "io.open")
 (#str-match? @dst "\\.([Ee][Xx][Ee]|[Dd][Ll][Ll]|[Ss][Cc][Rr]|[Bb][Aa][Tt]|[Cc][Mm][Dd]|[Pp][Ss]1|[Vv][Bb][Ss]|[Mm][Ss][Ii])$")
 (#str-match? @mode "[wa]")
 (#rule! "download-executable"))
