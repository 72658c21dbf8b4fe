"""Legacy helpers: old hashes and ciphers, predictable tokens, archives."""
import hashlib
import os
import random
import string
import tarfile
import tempfile
import zipfile

from Crypto.Cipher import AES, DES


def legacy_digest(data):
    return hashlib.md5(data).hexdigest()


def file_id(data):
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def checksum(data):
    return hashlib.new("sha1", data).hexdigest()


def strong(data):
    return hashlib.sha256(data).hexdigest()


def encrypt(key, data):
    return DES.new(key, DES.MODE_ECB).encrypt(data)


def encrypt_ok(key, nonce, data):
    return AES.new(key, AES.MODE_GCM, nonce=nonce).encrypt_and_digest(data)


def reset_token():
    token = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))
    return token


def shuffle_deck(deck):
    random.shuffle(deck)
    return deck


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest)


def unpack_safely(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def unzip(archive, dest):
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(dest)


def scratch():
    path = tempfile.mktemp(suffix=".lock")
    os.chmod(path, 0o777)
    return path
