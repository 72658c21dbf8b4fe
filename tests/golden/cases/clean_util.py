"""Small helpers for reading project configuration and fetching release metadata."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import requests
import yaml

log = logging.getLogger(__name__)

PYPI_JSON = "https://pypi.org/pypi/{name}/json"


def load_config(path: Path) -> dict:
    with path.open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def release_info(name: str, session: requests.Session | None = None) -> dict:
    http = session or requests.Session()
    resp = http.get(PYPI_JSON.format(name=name), timeout=10)
    resp.raise_for_status()
    return resp.json()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def git_revision(repo: Path) -> str | None:
    if shutil.which("git") is None:
        return None
    out = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or None


def write_atomic(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    os.replace(tmp, path)
    log.debug("wrote %s", path)
