; Obfuscation: code hidden behind an encoding, fetched from the network, or
; reached through builtins by a computed name.
;
; Sinks (things that run what they are given): eval, exec, compile,
; execfile, types.FunctionType, os.system, os.popen, subprocess.*,
; pickle.loads and its relatives.

; sink(decoder(...))
((call
   function: (_) @fn
   arguments: (argument_list . (call function: (_) @dec))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "types.FunctionType"
   "os.system" "os.popen" "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput"
   "subprocess.getstatusoutput")
 (#callee? @dec "base64.b64decode" "base64.b32decode" "base64.b32hexdecode"
   "base64.b16decode" "base64.a85decode" "base64.b85decode" "base64.z85decode"
   "base64.decodebytes" "base64.decodestring" "base64.urlsafe_b64decode"
   "base64.standard_b64decode" "bytes.fromhex" "bytearray.fromhex"
   "binascii.unhexlify" "binascii.a2b_*" "zlib.decompress" "bz2.decompress"
   "lzma.decompress" "gzip.decompress" "codecs.decode" "marshal.loads")
 (#rule! "exec-decoded"))

; sink(decoder(...).decode(...)), sink(Fernet(key).decrypt(blob))
((call
   function: (_) @fn
   arguments: (argument_list .
     (call function: (attribute
       object: (call function: (_) @dec)
       attribute: (identifier) @m)))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "types.FunctionType"
   "os.system" "os.popen" "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput"
   "subprocess.getstatusoutput")
 (#any-of? @m "decode" "tobytes" "decrypt")
 (#callee? @dec "cryptography.fernet.Fernet" "fernet.Fernet" "base64.b64decode" "base64.b32decode" "base64.b32hexdecode"
   "base64.b16decode" "base64.a85decode" "base64.b85decode" "base64.z85decode"
   "base64.decodebytes" "base64.decodestring" "base64.urlsafe_b64decode"
   "base64.standard_b64decode" "bytes.fromhex" "bytearray.fromhex"
   "binascii.unhexlify" "binascii.a2b_*" "zlib.decompress" "bz2.decompress"
   "lzma.decompress" "gzip.decompress" "codecs.decode" "marshal.loads")
 (#rule! "exec-decoded"))

; sink(wrapper(decoder(...))): str(b64decode(x), "utf-8"), bytes(...), ...
((call
   function: (_) @fn
   arguments: (argument_list .
     (call arguments: (argument_list . (call function: (_) @dec))))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "types.FunctionType"
   "os.system" "os.popen" "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput"
   "subprocess.getstatusoutput")
 (#callee? @dec "base64.b64decode" "base64.b32decode" "base64.b32hexdecode"
   "base64.b16decode" "base64.a85decode" "base64.b85decode" "base64.z85decode"
   "base64.decodebytes" "base64.decodestring" "base64.urlsafe_b64decode"
   "base64.standard_b64decode" "bytes.fromhex" "bytearray.fromhex"
   "binascii.unhexlify" "binascii.a2b_*" "zlib.decompress" "bz2.decompress"
   "lzma.decompress" "gzip.decompress" "codecs.decode" "marshal.loads")
 (#rule! "exec-decoded"))

; Python 2 codecs: exec(s.decode("base64")), exec(s.decode("rot13")), ...
((call
   function: (_) @fn
   arguments: (argument_list .
     (call
       function: (attribute attribute: (identifier) @m)
       arguments: (argument_list . (string) @codec)))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile"
   "os.system" "os.popen" "subprocess.run" "subprocess.call" "subprocess.check_call"
   "subprocess.check_output" "subprocess.Popen" "subprocess.getoutput" "marshal.loads")
 (#any-of? @m "decode" "encode")
 (#str-match? @codec "^(base64|base_64|base-64|hex|hex_codec|base64_codec|rot13|rot_13|rot-13|zlib|zlib_codec|zip|bz2|bz2_codec|uu|uu_codec)$")
 (#rule! "exec-decoded"))

; pickle.loads(b64decode("gASV...")): a pickle payload shipped in the source.
; (Unpickling decoded data that comes from a database or a cookie is the
; pickle-load rule's business, not this one's.)
((call
   function: (_) @fn
   arguments: (argument_list .
     (call
       function: (_) @dec
       arguments: (argument_list . [(string) (concatenated_string)])))) @match
 (#callee? @fn "pickle.loads" "cPickle.loads" "_pickle.loads" "dill.loads" "cloudpickle.loads")
 (#callee? @dec "base64.b64decode" "base64.b32decode" "base64.b16decode" "base64.a85decode"
   "base64.b85decode" "base64.decodebytes" "base64.decodestring" "base64.urlsafe_b64decode"
   "base64.standard_b64decode" "bytes.fromhex" "binascii.unhexlify" "binascii.a2b_base64"
   "binascii.a2b_hex" "zlib.decompress" "bz2.decompress" "lzma.decompress" "gzip.decompress"
   "codecs.decode")
 (#rule! "exec-decoded"))

; sink(fetch(url).text), sink(fetch(url).content)
((call
   function: (_) @fn
   arguments: (argument_list .
     (attribute object: (call function: (_) @net)))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "os.system" "os.popen"
   "subprocess.run" "subprocess.call" "subprocess.check_call" "subprocess.check_output"
   "subprocess.Popen" "subprocess.getoutput" "pickle.loads" "cPickle.loads"
   "marshal.loads" "dill.loads")
 (#callee? @net "urllib.request.urlopen" "urllib.urlopen" "urllib2.urlopen"
   "requests.get" "requests.post" "requests.request" "httpx.get" "httpx.post"
   "httpx.request" "urllib3.request")
 (#rule! "exec-remote-code"))

; sink(fetch(url).read())
((call
   function: (_) @fn
   arguments: (argument_list .
     (call function: (attribute object: (call function: (_) @net))))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "os.system" "os.popen"
   "subprocess.run" "subprocess.call" "subprocess.check_call" "subprocess.check_output"
   "subprocess.Popen" "subprocess.getoutput" "pickle.loads" "cPickle.loads"
   "marshal.loads" "dill.loads")
 (#callee? @net "urllib.request.urlopen" "urllib.urlopen" "urllib2.urlopen"
   "requests.get" "requests.post" "requests.request" "httpx.get" "httpx.post"
   "httpx.request" "urllib3.request")
 (#rule! "exec-remote-code"))

; sink(fetch(url).read().decode()), sink(fetch(url).content.decode())
((call
   function: (_) @fn
   arguments: (argument_list .
     (call function: (attribute object: [
       (call function: (attribute object: (call function: (_) @net)))
       (attribute object: (call function: (_) @net))])))) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "os.system" "os.popen"
   "subprocess.run" "subprocess.call" "subprocess.check_call" "subprocess.check_output"
   "subprocess.Popen" "subprocess.getoutput" "pickle.loads" "cPickle.loads"
   "marshal.loads" "dill.loads")
 (#callee? @net "urllib.request.urlopen" "urllib.urlopen" "urllib2.urlopen"
   "requests.get" "requests.post" "requests.request" "httpx.get" "httpx.post"
   "httpx.request" "urllib3.request")
 (#rule! "exec-remote-code"))

; getattr(builtins, <computed or "eval">)(...): a builtin called by a hidden name.
; Only the called (or assigned, two-argument) form: code that inspects
; builtins by name (getattr(builtins, name, None)) is common and harmless.
((call
   function: (call
     function: (_) @fn
     arguments: (argument_list . (_) @obj . (_) @name .))) @match
 (#callee? @fn "getattr")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#not-literal? @name)
 (#rule! "getattr-builtins-obfuscation"))

((assignment
   right: (call
     function: (_) @fn
     arguments: (argument_list . (_) @obj . (_) @name .))) @match
 (#callee? @fn "getattr")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#not-literal? @name)
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (call
     function: (_) @fn
     arguments: (argument_list . (_) @obj . (string) @name))) @match
 (#callee? @fn "getattr")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#str-match? @name "^(eval|exec|execfile|compile|__import__)$")
 (#rule! "getattr-builtins-obfuscation"))

; builtins.__dict__[name](...), vars(builtins)[name](...), __builtins__[name](...)
((call
   function: (subscript
     value: (attribute object: (_) @obj attribute: (identifier) @d)
     subscript: (_) @key)) @match
 (#eq? @d "__dict__")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#not-str-match? @key "^[A-Za-z][A-Za-z0-9_]*$")
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (subscript
     value: (attribute object: (_) @obj attribute: (identifier) @d)
     subscript: (string) @key)) @match
 (#eq? @d "__dict__")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#str-match? @key "^(eval|exec|execfile|compile|__import__)$")
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (subscript
     value: (call function: (_) @v arguments: (argument_list . (_) @obj))
     subscript: (_) @key)) @match
 (#callee? @v "vars")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#not-str-match? @key "^[A-Za-z][A-Za-z0-9_]*$")
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (subscript
     value: (call function: (_) @v arguments: (argument_list . (_) @obj))
     subscript: (string) @key)) @match
 (#callee? @v "vars")
 (#callee? @obj "builtins" "__builtins__" "__builtin__")
 (#str-match? @key "^(eval|exec|execfile|compile|__import__)$")
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (subscript
     value: (identifier) @b
     subscript: (_) @key)) @match
 (#eq? @b "__builtins__")
 (#not-str-match? @key "^[A-Za-z][A-Za-z0-9_]*$")
 (#rule! "getattr-builtins-obfuscation"))

((call
   function: (subscript
     value: (identifier) @b
     subscript: (string) @key)) @match
 (#eq? @b "__builtins__")
 (#str-match? @key "^(eval|exec|execfile|compile|__import__)$")
 (#rule! "getattr-builtins-obfuscation"))

; globals()["eval"](...), locals()["exec"](...)
((subscript
   value: (call function: (identifier) @g arguments: (argument_list))
   subscript: (string) @key) @match
 (#any-of? @g "globals" "locals")
 (#str-match? @key "^(eval|exec|execfile|compile|__import__|__builtins__)$")
 (#rule! "getattr-builtins-obfuscation"))

; "".join(chr(c) for c in [104, 105, ...]) and the list-comprehension form
((call
   function: (attribute object: (string) attribute: (identifier) @j)
   arguments: (generator_expression
     body: (call function: (_) @chr)
     (for_in_clause right: [(list) (tuple)]))) @match
 (#eq? @j "join")
 (#callee? @chr "chr")
 (#rule! "chr-join-obfuscation"))

((call
   function: (attribute object: (string) attribute: (identifier) @j)
   arguments: (argument_list . (list_comprehension
     body: (call function: (_) @chr)
     (for_in_clause right: [(list) (tuple)])))) @match
 (#eq? @j "join")
 (#callee? @chr "chr")
 (#rule! "chr-join-obfuscation"))

; "".join(map(chr, [...]))
((call
   function: (attribute object: (string) attribute: (identifier) @j)
   arguments: (argument_list .
     (call function: (_) @map arguments: (argument_list . (_) @chr . [(list) (tuple)])))) @match
 (#eq? @j "join")
 (#callee? @map "map")
 (#callee? @chr "chr")
 (#rule! "chr-join-obfuscation"))

; "".join(chr(c ^ key) for c in data): an XOR decoder
((call
   function: (attribute object: (string) attribute: (identifier) @j)
   arguments: [
     (generator_expression body: (call function: (_) @chr
       arguments: (argument_list . (binary_operator operator: "^"))))
     (argument_list . (list_comprehension body: (call function: (_) @chr
       arguments: (argument_list . (binary_operator operator: "^")))))]) @match
 (#eq? @j "join")
 (#callee? @chr "chr")
 (#rule! "chr-join-obfuscation"))

; decompress(b64decode(BLOB)): a compressed, encoded blob unpacked in the code.
; Only a literal or a plain name as the innermost argument: decoding a field
; of an API response (item.value, resp["data"]) is ordinary.
((call
   function: (_) @fn
   arguments: (argument_list .
     (call
       function: (_) @dec
       arguments: (argument_list . [(string) (concatenated_string) (identifier)])))) @match
 (#callee? @fn "zlib.decompress" "bz2.decompress" "lzma.decompress" "gzip.decompress"
   "marshal.loads" "codecs.decode")
 (#callee? @dec "base64.b64decode" "base64.b32decode" "base64.b16decode"
   "base64.a85decode" "base64.b85decode" "base64.decodebytes" "base64.decodestring"
   "base64.urlsafe_b64decode" "base64.standard_b64decode" "bytes.fromhex"
   "bytearray.fromhex" "binascii.unhexlify" "binascii.a2b_base64" "binascii.a2b_hex"
   "codecs.decode")
 (#rule! "encoded-payload"))

; b64decode(s[::-1]): the reversed-string trick of Python obfuscators
((call
   function: (_) @fn
   arguments: (argument_list . (subscript subscript: (slice) @sl))) @match
 (#callee? @fn "base64.b64decode" "base64.b32decode" "base64.b16decode"
   "base64.a85decode" "base64.b85decode" "base64.decodebytes" "base64.urlsafe_b64decode"
   "zlib.decompress" "bytes.fromhex" "binascii.unhexlify" "codecs.decode" "marshal.loads")
 (#match? @sl "^::[[:space:]]*-1$")
 (#rule! "encoded-payload"))
