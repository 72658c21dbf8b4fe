"""Long literals: encoded payloads are reported, prose and padding are not."""
import base64 as b

BLOB = 'eJzLzC3ILypRyC/myi/WK64sLknN1VDPTFHX5MokQwYAOfsad20lz3NMSaHdJz5Nj6tfW9uNEJnsBej9x8HXNHd2SKtzveIBglBF5Noy2l6WeWudMHjmRS8paczNwnEMg4aey3l5/j+h7WcsnVOIAMslFKkvk3kYGMbtU3KBtKtNnK9MJCUvNhdf0eeJP91Ez8D57+MnL4WxYn9romeruArLhm6YNAdx+3K9amW4Xfr2qnj3c5Z3Z6dTlym9foSVnTgNa6ZniFEopliFn4QW1wPQZerUtv5Dh4uTKxDTvT4PZYogCQt9sTCPKyvhOPrvPSWSgJkUfrMHwBwyx65oxHYT9odTuKXGcCMeSZftTanX6pQAMmBR5YRGM9A7TSjqo3SETUspIvF/pg4tAe9Klqnf0sEVN5ITdZAUoaccrzVHsqYiaIllZv/a4R+NsqXl/j/sgu7aXRjXqtJMFfwCM7WnzAVB/AG2UMKiC8JmYss6emhMg7CF/kla0p0HwCr6EU8XKpBwcSvELhmhGxGagGbk+5gbXLS52LOceEoajfJiqoobER1EQvUF71IEFUvp2O5wVa8='

KEY = "82b62300df0ba836540ab03541a252eddf9407e97203650d08165178455b1e60a9cdf8fa1d6a7ab5cb9abd650f73776b14a4b2120e38f59001f523a1dd3fd032cf7c4cc7f2d8c6ac58031045ed9b3e5613154f163e6fab4ff154245581d6e003f8b2cdf6d818f96864f10ec24dbf3fecf1b3341e18ea7422de47133fae00ffb4c12bde19aff2cd02942c550f2c4c06771e9a09cc8673a07c48507c2d8ba09cae60f72d8fb2073a30cf6f8a726401458294b1d030fa663bfc486b5dbbde64ffc40b0f87218db0526bb283caa4b78e3d62bf77d31d401c1565dea3b66b691074fd6d5d7e368edc1e008948114536fd44dd64ce8ef8723b90f9accd"

HELP = 'Installation notes: run the installer, accept the licence, then restart the shell so the new commands are found on PATH; nothing else is needed for a default setup. Installation notes: run the installer, accept the licence, then restart the shell so the new commands are found on PATH; nothing else is needed for a default setup. Installation notes: run the installer, accept the licence, then restart the shell so the new commands are found on PATH; nothing else is needed for a default setup. '
PAD = '=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-'
DIGEST = "82d9bd97c874dc4d379e76ff2c8586e2bf840605f21af1350760f32fbe2eef64"

def load():
    return b.b64decode(BLOB)
