"""Bandit parity: weak TLS, short keys, SNMP, paramiko, shell wrappers, Django SQL."""
import logging.config as lc
import ssl as s
import subprocess
from urllib.request import urlopen as fetch

from Crypto.PublicKey import RSA as R
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db.models.expressions import RawSQL
from invoke import run
from mako.template import Template
from pysnmp.hlapi import CommunityData

ctx = s.SSLContext(s.PROTOCOL_TLSv1)
key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
old = R.generate(1024)
snmp = CommunityData("public", mpModel=0)
lc.listen(9999)
TMP = "/tmp/app-cache"


def go(client, cmd, url, sql, text):
    client.exec_command("ls " + cmd)
    run(cmd, shell=True)
    subprocess.call("tar czf b.tgz *", shell=True)
    fetch(url)
    Template(text)
    return RawSQL(sql, ())


def fine(client, sql):
    good = s.create_default_context()
    strong = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    client.exec_command("uptime")
    subprocess.run(["/bin/ls"], shell=False)
    fetch("https://example.com/")
    Template("x", default_filters=["h"])
    return RawSQL("select 1", ()), good, strong
