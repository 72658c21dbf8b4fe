; Cryptography: broken hashes and ciphers, non-cryptographic randomness for
; secrets, secrets written into the source.

; hashlib.md5() / sha1() without usedforsecurity=False
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "hashlib.md5" "hashlib.sha1" "_hashlib.openssl_md5" "_hashlib.openssl_sha1")
 (#not-has-kwarg? @args "usedforsecurity")
 (#rule! "weak-hash"))

; hashlib.new("md5") and friends
((call function: (_) @fn arguments: (argument_list . (string) @alg) @args) @match
 (#callee? @fn "hashlib.new")
 (#str-match? @alg "^([Mm][Dd][245]|MD[245]|[Ss][Hh][Aa]1?|SHA1?|sha-1|SHA-1)$")
 (#not-has-kwarg? @args "usedforsecurity")
 (#rule! "weak-hash"))

; ... and with usedforsecurity= anything but a false constant
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "hashlib.md5" "hashlib.sha1" "_hashlib.openssl_md5" "_hashlib.openssl_sha1")
 (#eq? @k "usedforsecurity")
 (#not-match? @v "^(False|0)$")
 (#rule! "weak-hash"))

((call
   function: (_) @fn
   arguments: (argument_list . (string) @alg
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "hashlib.new")
 (#str-match? @alg "^([Mm][Dd][245]|MD[245]|[Ss][Hh][Aa]1?|SHA1?|sha-1|SHA-1)$")
 (#eq? @k "usedforsecurity")
 (#not-match? @v "^(False|0)$")
 (#rule! "weak-hash"))

; PyCrypto / PyCryptodome / cryptography MD2, MD4, MD5, SHA-1
((call function: (_) @fn) @match
 (#callee? @fn "Crypto.Hash.MD2.*" "Crypto.Hash.MD4.*" "Crypto.Hash.MD5.*"
   "Crypto.Hash.SHA.*" "Crypto.Hash.SHA1.*"
   "Cryptodome.Hash.MD2.*" "Cryptodome.Hash.MD4.*" "Cryptodome.Hash.MD5.*"
   "Cryptodome.Hash.SHA.*" "Cryptodome.Hash.SHA1.*"
   "cryptography.hazmat.primitives.hashes.MD5" "cryptography.hazmat.primitives.hashes.SHA1")
 (#rule! "weak-hash"))

; Broken or retired ciphers.
((call function: (_) @fn) @match
 (#callee? @fn "Crypto.Cipher.ARC2.*" "Crypto.Cipher.ARC4.*" "Crypto.Cipher.Blowfish.*"
   "Crypto.Cipher.DES.*" "Crypto.Cipher.XOR.*"
   "Cryptodome.Cipher.ARC2.*" "Cryptodome.Cipher.ARC4.*" "Cryptodome.Cipher.Blowfish.*"
   "Cryptodome.Cipher.DES.*"
   "cryptography.hazmat.primitives.ciphers.algorithms.ARC4"
   "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish"
   "cryptography.hazmat.primitives.ciphers.algorithms.IDEA"
   "cryptography.hazmat.primitives.ciphers.algorithms.CAST5"
   "cryptography.hazmat.primitives.ciphers.algorithms.SEED"
   "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES"
   "cryptography.hazmat.decrepit.ciphers.algorithms.*"
   "cryptography.hazmat.primitives.ciphers.modes.ECB")
 (#rule! "weak-cipher"))

; AES.new(key, AES.MODE_ECB)
((call
   function: (_) @fn
   arguments: (argument_list (attribute attribute: (identifier) @mode))) @match
 (#callee? @fn "Crypto.Cipher.*" "Cryptodome.Cipher.*")
 (#eq? @mode "MODE_ECB")
 (#rule! "weak-cipher"))

; token = random.choice(...), password = "".join(random.choice(...) for ...)
((assignment
   left: (_) @var
   right: (call function: (_) @fn)) @match
 (#match? @var "(^|[_.])([Tt]oken|TOKEN|[Pp]ass(word|wd)?|PASS(WORD|WD)?|[Ss]ecret(_?[Kk]ey)?|SECRET(_?KEY)?|[Nn]once|NONCE|[Ss]alt|SALT|[Oo]tp|OTP|[Aa]pi_?[Kk]ey|API_?KEY|[Ss]ession_?[Ii]d|SESSION_?ID|[Cc]srf(_?[Tt]oken)?|CSRF(_?TOKEN)?)$|[a-z](Token|Password|Secret|Nonce|Salt|Otp|ApiKey|SessionId)$")
 (#callee? @fn "random.random" "random.randint" "random.randrange" "random.choice"
   "random.choices" "random.sample" "random.getrandbits" "random.randbytes" "random.uniform"
   "random.triangular")
 (#rule! "insecure-random"))

((assignment
   left: (_) @var
   right: (call
     function: (attribute object: (string) attribute: (identifier) @j)
     arguments: [
       (generator_expression body: (call function: (_) @fn))
       (argument_list . (list_comprehension body: (call function: (_) @fn)))
       (argument_list . (call function: (_) @fn))])) @match
 (#match? @var "(^|[_.])([Tt]oken|TOKEN|[Pp]ass(word|wd)?|PASS(WORD|WD)?|[Ss]ecret(_?[Kk]ey)?|SECRET(_?KEY)?|[Nn]once|NONCE|[Ss]alt|SALT|[Oo]tp|OTP|[Aa]pi_?[Kk]ey|API_?KEY|[Ss]ession_?[Ii]d|SESSION_?ID|[Cc]srf(_?[Tt]oken)?|CSRF(_?TOKEN)?)$|[a-z](Token|Password|Secret|Nonce|Salt|Otp|ApiKey|SessionId)$")
 (#eq? @j "join")
 (#callee? @fn "random.choice" "random.choices" "random.sample" "random.randint")
 (#rule! "insecure-random"))

; password = "hunter22", connect(password="hunter22"), def f(password="hunter22")
((assignment
   left: [(identifier) (attribute)] @var
   right: (string) @val) @match
 (#match? @var "(^|[_.])([Pp]ass(word|wd)?|PASS(WORD|WD)?|[Pp]wd|PWD|[Ss]ecret(_?[Kk]ey)?|SECRET(_?KEY)?|[Tt]oken|TOKEN|[Aa]pi_?[Kk]ey|API_?KEY|[Aa]ccess_?[Kk]ey|ACCESS_?KEY|[Pp]rivate_?[Kk]ey|PRIVATE_?KEY)$|[a-z](Password|Passwd|Secret|SecretKey|Token|ApiKey|AccessKey)$")
 (#str-match? @val "^[^][[:space:]{}%/<>$*]{4,128}$")
 (#not-str-match? @val "^[A-Za-z_.-]+$")
 (#not-str-match? @val "^[A-Z0-9_.-]+$")
 (#not-str-match? @val "^(.)\\1*$")
 (#rule! "hardcoded-password"))

((keyword_argument
   name: (identifier) @var
   value: (string) @val) @match
 (#match? @var "^(pass(word|wd)?|pwd|secret(_key)?|token|api_?key|access_?key|private_?key|client_secret|auth_token|access_token)$")
 (#str-match? @val "^[^][[:space:]{}%/<>$*]{4,128}$")
 (#not-str-match? @val "^[A-Za-z_.-]+$")
 (#not-str-match? @val "^[A-Z0-9_.-]+$")
 (#not-str-match? @val "^(.)\\1*$")
 (#rule! "hardcoded-password"))

([(default_parameter name: (identifier) @var value: (string) @val)
  (typed_default_parameter name: (identifier) @var value: (string) @val)] @match
 (#match? @var "^(pass(word|wd)?|pwd|secret(_key)?|token|api_?key|access_?key|private_?key|client_secret|auth_token|access_token)$")
 (#str-match? @val "^[^][[:space:]{}%/<>$*]{4,128}$")
 (#not-str-match? @val "^[A-Za-z_.-]+$")
 (#not-str-match? @val "^[A-Z0-9_.-]+$")
 (#not-str-match? @val "^(.)\\1*$")
 (#rule! "hardcoded-password"))

; config["SECRET_KEY"] = "...", settings["password"] = "..."
((assignment
   left: (subscript subscript: (string) @var)
   right: (string) @val) @match
 (#str-match? @var "^(pass(word|wd)?|PASS(WORD|WD)?|pwd|PWD|[Ss]ecret(_?[Kk]ey)?|SECRET(_?KEY)?|[Tt]oken|TOKEN|[Aa]pi_?[Kk]ey|API_?KEY|[Aa]ccess_?[Kk]ey|ACCESS_?KEY|[Pp]rivate_?[Kk]ey|PRIVATE_?KEY|[a-z_]+_(password|secret|token|api_key|secret_key)|[A-Z_]+_(PASSWORD|SECRET|TOKEN|API_KEY|SECRET_KEY))$")
 (#str-match? @val "^[^][[:space:]{}%/<>$*]{4,128}$")
 (#not-str-match? @val "^[A-Za-z_.-]+$")
 (#not-str-match? @val "^[A-Z0-9_.-]+$")
 (#not-str-match? @val "^(.)\\1*$")
 (#rule! "hardcoded-password"))
