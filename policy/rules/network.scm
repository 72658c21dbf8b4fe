; Network: connections made when a module is imported or setup.py runs,
; network capability elsewhere, TLS verification turned off, listeners on
; every interface, clear-text protocols, requests without a timeout.

; A connection or download at module top level (import time; install time in setup.py).
((call function: (_) @fn) @match
 (#callee? @fn "urllib.request.urlopen" "urllib.request.urlretrieve"
   "urllib.urlopen" "urllib.urlretrieve" "urllib2.urlopen"
   "http.client.HTTPConnection" "http.client.HTTPSConnection"
   "httplib.HTTPConnection" "httplib.HTTPSConnection"
   "socket.create_connection" "socket.gethostbyname" "socket.getaddrinfo"
   "requests.get" "requests.post" "requests.put" "requests.patch" "requests.delete"
   "requests.head" "requests.options" "requests.request"
   "httpx.get" "httpx.post" "httpx.put" "httpx.patch" "httpx.delete" "httpx.head"
   "httpx.options" "httpx.request" "httpx.stream"
   "urllib3.request" "urllib3.connection_from_url"
   "aiohttp.request" "pycurl.Curl" "websocket.create_connection" "wget.download"
   "ftplib.FTP" "ftplib.FTP_TLS" "smtplib.SMTP" "smtplib.SMTP_SSL" "telnetlib.Telnet"
   "xmlrpc.client.ServerProxy" "xmlrpclib.ServerProxy")
 (#context? @match "toplevel")
 (#rule! "network-at-install"))

; sock.connect((host, port)) at top level
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . (tuple . (_) . (_) .))) @match
 (#any-of? @m "connect" "connect_ex")
 (#context? @match "toplevel")
 (#rule! "network-at-install"))

; ssl._create_unverified_context(), or installing it as the default.
((call function: (_) @fn) @match
 (#callee? @fn "ssl._create_unverified_context" "ssl._create_stdlib_context")
 (#rule! "insecure-tls"))

((assignment right: [(attribute) (identifier)] @v) @match
 (#callee? @v "ssl._create_unverified_context" "ssl.CERT_NONE")
 (#rule! "insecure-tls"))

; verify=False on requests / httpx, by module function or session method.
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (false)))) @match
 (#callee? @fn "requests.*" "httpx.*" "aiohttp.*" "urllib3.*")
 (#any-of? @k "verify" "verify_ssl" "ssl")
 (#rule! "insecure-tls"))

((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (false)))) @match
 (#any-of? @m "get" "post" "put" "patch" "delete" "head" "options" "request"
   "send" "stream" "Client" "AsyncClient" "Session" "TCPConnector" "ws_connect")
 (#any-of? @k "verify" "verify_ssl" "ssl")
 (#rule! "insecure-tls"))

; session.verify = False, ctx.check_hostname = False
((assignment left: (attribute attribute: (identifier) @a) right: (false)) @match
 (#any-of? @a "verify" "check_hostname")
 (#rule! "insecure-tls"))

; cert_reqs=ssl.CERT_NONE and friends
((keyword_argument value: [(attribute) (identifier)] @v) @match
 (#callee? @v "ssl.CERT_NONE" "ssl._create_unverified_context")
 (#rule! "insecure-tls"))

; paramiko: accept any host key
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . [(call function: (_) @p) (attribute) @p (identifier) @p])) @match
 (#eq? @m "set_missing_host_key_policy")
 (#callee? @p "paramiko.AutoAddPolicy" "paramiko.WarningPolicy"
   "paramiko.client.AutoAddPolicy" "paramiko.client.WarningPolicy")
 (#rule! "insecure-tls"))

; bind(("0.0.0.0", port)), bind(("", port)), bind(("::", port))
((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . (tuple . (string) @h))) @match
 (#eq? @m "bind")
 (#str-match? @h "^(0\\.0\\.0\\.0|::|)$")
 (#rule! "bind-all-interfaces"))

; host="0.0.0.0" on any call (app.run, uvicorn.run, make_server ...)
((call
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (string) @h))) @match
 (#any-of? @k "host" "bind" "hostname" "listen" "address" "bind_address")
 (#str-match? @h "^(0\\.0\\.0\\.0|::)$")
 (#rule! "bind-all-interfaces"))

; HTTPServer(("0.0.0.0", 8000), Handler), socketserver.TCPServer(("", 8000), ...)
((call
   function: (_) @fn
   arguments: (argument_list . (tuple . (string) @h))) @match
 (#callee? @fn "http.server.*" "socketserver.*" "SocketServer.*" "BaseHTTPServer.*"
   "wsgiref.simple_server.*" "xmlrpc.server.*" "asyncio.start_server" "socket.create_server")
 (#str-match? @h "^(0\\.0\\.0\\.0|::|)$")
 (#rule! "bind-all-interfaces"))

((call
   function: (_) @fn
   arguments: (argument_list . (string) @h)) @match
 (#callee? @fn "wsgiref.simple_server.make_server" "asyncio.start_server")
 (#str-match? @h "^(0\\.0\\.0\\.0|::|)$")
 (#rule! "bind-all-interfaces"))

; Telnet and plain FTP send credentials in clear text.
((call function: (_) @fn) @match
 (#callee? @fn "telnetlib.Telnet" "telnetlib3.open_connection" "ftplib.FTP")
 (#rule! "cleartext-protocol"))

; requests without timeout=: a stalled server hangs the program.
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "requests.get" "requests.post" "requests.put" "requests.patch"
   "requests.delete" "requests.head" "requests.options" "requests.request")
 (#not-has-kwarg? @args "timeout")
 (#rule! "requests-no-timeout"))

; URLs to raw IP addresses, paste/tunnel/webhook services and throw-away TLDs.
([(argument_list [(string) (binary_operator)] @match)
  (keyword_argument value: [(string) (binary_operator)] @match)
  (assignment right: [(string) (binary_operator)] @match)
  (list (string) @match)
  (pair value: (string) @match)]
 (#match? @match "https?://([^/'\"[:space:]@]*@)?([0-9]{1,3}\\.){3}[0-9]{1,3}([:/'\"]|$)|https?://[^/'\"[:space:]]*(bit\\.ly|discord(app)?\\.com/api/webhooks|workers\\.dev|transfer\\.sh|filetransfer\\.io|sendspace\\.com|paste\\.ee|pastebin\\.com/raw|ngrok\\.io|ngrok-free\\.app|termbin\\.com|localhost\\.run|webhook\\.site|oastify\\.com|burpcollaborator\\.net|interact\\.sh|api\\.telegram\\.org|rentry\\.co|oast\\.(pro|live|site|online|fun|me))|https?://[^/'\"[:space:]:]*\\.(xyz|tk|ml|ga|cf|gq|pw|top|icu|cam|sbs|quest|uno)([:/'\"]|$)")
 (#not-match? @match "https?://(127\\.|10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|0\\.0\\.0\\.0|169\\.254\\.|1\\.1\\.1\\.1|8\\.8\\.8\\.8|255\\.)")
 (#rule! "shady-links"))
