"""Every way this code base spells a dangerous call: aliases, from-imports,
__import__, importlib and getattr."""
import builtins as bi
import importlib
import os as operating_system
import pickle as pk
import subprocess as sp
from os import popen
from os import system as run_shell
from subprocess import Popen as P, check_output
from yaml import Loader as YL, load as yload

shell = __import__("os")
marshaller = importlib.import_module("marshal")
spawn = getattr(operating_system, "spawnlp")


def build(target):
    run_shell("make " + target)
    popen("uname -a").read()
    sp.call("make install", shell=True)
    P(["cc", "-o", target, target + ".c"])
    check_output("git log -1")
    shell.system("true")
    spawn(operating_system.P_WAIT, "ls", "ls")
    operating_system.execvp("true", ["true"])


def restore(blob, text):
    state = pk.loads(blob)
    code = marshaller.loads(state["code"])
    cfg = yload(text, Loader=YL)
    bi.exec(code)
    return cfg


def plugin(name):
    return importlib.import_module("plugins." + name)
