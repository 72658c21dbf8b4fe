; Capabilities: what a package can do, as INFO findings (category
; "capability"); the engine keeps one per file, rule and detail. URL, host
; and IP literals (capability-destination) and telemetry endpoints are found
; by the engine itself; the SDK imports are here.

((call function: (_) @fn) @match
 (#callee? @fn "urllib.request.urlopen" "urllib.request.urlretrieve"
   "urllib.request.build_opener" "urllib.request.Request" "urllib.urlopen"
   "urllib.urlretrieve" "urllib2.urlopen" "urllib2.Request"
   "http.client.HTTPConnection" "http.client.HTTPSConnection"
   "httplib.HTTPConnection" "httplib.HTTPSConnection"
   "socket.socket" "socket.create_connection" "socket.create_server"
   "socket.gethostbyname" "socket.getaddrinfo" "socket.socketpair"
   "requests.get" "requests.post" "requests.put" "requests.patch" "requests.delete"
   "requests.head" "requests.options" "requests.request" "requests.Session"
   "requests.session"
   "httpx.get" "httpx.post" "httpx.put" "httpx.patch" "httpx.delete" "httpx.head"
   "httpx.options" "httpx.request" "httpx.stream" "httpx.Client" "httpx.AsyncClient"
   "urllib3.PoolManager" "urllib3.ProxyManager" "urllib3.request"
   "urllib3.connection_from_url" "urllib3.HTTPConnectionPool" "urllib3.HTTPSConnectionPool"
   "aiohttp.request" "aiohttp.ClientSession" "pycurl.Curl" "websocket.create_connection"
   "websocket.WebSocketApp" "websockets.connect" "wget.download" "asyncio.open_connection"
   "asyncio.start_server" "ftplib.FTP" "ftplib.FTP_TLS" "smtplib.SMTP" "smtplib.SMTP_SSL"
   "telnetlib.Telnet" "poplib.POP3" "poplib.POP3_SSL" "imaplib.IMAP4" "imaplib.IMAP4_SSL"
   "xmlrpc.client.ServerProxy" "xmlrpclib.ServerProxy" "paramiko.SSHClient"
   "paramiko.Transport" "dns.resolver.resolve" "dns.resolver.query"
   "http.server.HTTPServer" "http.server.ThreadingHTTPServer"
   "socketserver.TCPServer" "socketserver.UDPServer" "socketserver.ThreadingTCPServer")
 (#rule! "capability-network"))

((call function: (_) @fn) @match
 (#callee? @fn "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput"
   "subprocess.getstatusoutput" "os.system" "os.popen" "os.popen2" "os.popen3" "os.popen4"
   "os.exec*" "os.spawn*" "os.posix_spawn" "os.posix_spawnp" "os.fork" "os.forkpty"
   "os.startfile" "pty.spawn" "pty.fork" "asyncio.create_subprocess_exec"
   "asyncio.create_subprocess_shell" "commands.getoutput" "commands.getstatusoutput"
   "popen2.*" "win32api.ShellExecute" "win32process.CreateProcess")
 (#rule! "capability-process"))

; open(p, "w"), open(p, mode="a")
((call
   function: (_) @fn
   arguments: (argument_list . (_) . (string) @mode)) @match
 (#callee? @fn "open" "io.open" "codecs.open" "os.fdopen" "gzip.open" "bz2.open" "lzma.open")
 (#str-match? @mode "[wax+]")
 (#rule! "capability-file-write"))

((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (string) @mode))) @match
 (#callee? @fn "open" "io.open" "codecs.open" "os.fdopen" "gzip.open" "bz2.open" "lzma.open")
 (#eq? @k "mode")
 (#str-match? @mode "[wax+]")
 (#rule! "capability-file-write"))

((call
   function: (attribute attribute: (identifier) @m)) @match
 (#any-of? @m "write_text" "write_bytes")
 (#detail! @m)
 (#rule! "capability-file-write"))

((call function: (_) @fn) @match
 (#callee? @fn "shutil.copy" "shutil.copy2" "shutil.copyfile" "shutil.copytree"
   "shutil.copyfileobj" "shutil.move" "shutil.rmtree" "shutil.chown"
   "os.remove" "os.unlink" "os.rename" "os.renames" "os.replace" "os.rmdir"
   "os.removedirs" "os.makedirs" "os.mkdir" "os.mkfifo" "os.mknod" "os.symlink" "os.link"
   "os.chmod" "os.lchmod" "os.chown" "os.lchown" "os.truncate" "os.write" "os.writev"
   "os.utime")
 (#rule! "capability-file-write"))

; os.getenv("NAME"): the name is the detail
((call
   function: (_) @fn
   arguments: (argument_list . (_) @k)) @match
 (#callee? @fn "os.getenv" "os.getenvb" "os.environ.get" "os.environ.setdefault"
   "os.environ.pop" "os.environb.get" "posix.environ.get")
 (#literal? @k)
 (#detail! @k)
 (#rule! "capability-env"))

((call
   function: (_) @fn
   arguments: (argument_list . (_) @k)) @match
 (#callee? @fn "os.getenv" "os.getenvb" "os.environ.get" "os.environ.setdefault"
   "os.environ.pop" "os.environb.get" "posix.environ.get")
 (#not-literal? @k)
 (#rule! "capability-env"))

((subscript value: (_) @v subscript: (string) @k) @match
 (#callee? @v "os.environ" "os.environb")
 (#literal? @k)
 (#detail! @k)
 (#rule! "capability-env"))

((call function: (_) @fn) @match
 (#callee? @fn "os.environ.copy" "os.environ.items" "os.environ.keys" "os.environ.values"
   "os.environ.__iter__" "os.environ.__repr__")
 (#rule! "capability-env"))

((call function: (_) @fn) @match
 (#callee? @fn "keyring.get_password" "keyring.get_credential" "keyring.get_keyring"
   "netrc.netrc" "browser_cookie3.*" "win32crypt.CryptUnprotectData"
   "secretstorage.get_default_collection" "pykeepass.PyKeePass")
 (#rule! "capability-credentials"))

((call function: (_) @fn) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "__import__" "importlib.import_module"
   "importlib.__import__" "importlib.util.spec_from_file_location"
   "importlib.util.module_from_spec" "importlib.machinery.SourceFileLoader"
   "imp.load_source" "imp.load_module" "imp.load_compiled" "runpy.run_path"
   "runpy.run_module" "types.FunctionType" "types.CodeType" "marshal.loads" "marshal.load")
 (#rule! "capability-dynamic-code"))

((call function: (_) @fn) @match
 (#callee? @fn "ctypes.CDLL" "ctypes.WinDLL" "ctypes.OleDLL" "ctypes.PyDLL"
   "ctypes.LibraryLoader" "ctypes.cdll.*" "ctypes.windll.*" "ctypes.oledll.*"
   "ctypes.pydll.*" "_ctypes.dlopen" "_ctypes.LoadLibrary")
 (#rule! "capability-native-code"))

((call
   function: (attribute attribute: (identifier) @m)) @match
 (#eq? @m "dlopen")
 (#detail! @m)
 (#rule! "capability-native-code"))

; Analytics, tracking and error-reporting SDKs
((import_statement
   name: [(dotted_name) @m (aliased_import name: (dotted_name) @m)]) @match
 (#match? @m "^(sentry_sdk|raven|posthog|mixpanel|analytics|segment|amplitude|ddtrace|datadog|bugsnag|rollbar|newrelic|honeybadger|scarf|snowplow_tracker|statsig|applicationinsights|opencensus\\.ext\\.azure|opentelemetry\\.exporter|google\\.analytics)(\\.|$)")
 (#detail! @m)
 (#rule! "capability-telemetry"))

((import_from_statement module_name: (dotted_name) @m) @match
 (#match? @m "^(sentry_sdk|raven|posthog|mixpanel|analytics|segment|amplitude|ddtrace|datadog|bugsnag|rollbar|newrelic|honeybadger|scarf|snowplow_tracker|statsig|applicationinsights|opencensus\\.ext\\.azure|opentelemetry\\.exporter|google\\.analytics)(\\.|$)")
 (#detail! @m)
 (#rule! "capability-telemetry"))
