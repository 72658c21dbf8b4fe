import base64, zlib
exec(zlib.decompress(base64.b64decode(b'eJw=')))
class A:
    def f(self):
        return eval(self.x)
lambda: (yield)
