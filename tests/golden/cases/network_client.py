"""Device management client."""
import ftplib
import ssl
import telnetlib
import urllib.request

import httpx
import paramiko

ssl._create_default_https_context = ssl._create_unverified_context
FIRMWARE_INDEX = urllib.request.urlopen("https://updates.example.com/index.json").read()


def ssh(host, user, key):
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(host, username=user, key_filename=key)
    return client


def legacy_login(host, user, password):
    tn = telnetlib.Telnet(host, 23, timeout=5)
    tn.write(user.encode() + b"\n" + password.encode() + b"\n")
    ftp = ftplib.FTP(host)
    ftp.login(user, password)
    return tn, ftp


def api(base):
    return httpx.Client(base_url=base, verify=False, timeout=5)


def secure_api(base):
    ctx = ssl.create_default_context()
    return httpx.Client(base_url=base, verify=ctx, timeout=5)
