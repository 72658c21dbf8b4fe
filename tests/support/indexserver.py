#!/usr/bin/env python3
"""A package index on 127.0.0.1 for safepip's tests (standard library only).

    indexserver.py --root DIR [--port-file F] [--port N] [--tls CERTDIR [--client-ca [PEM]]]
                   [--auth USER:PASS] [--no-metadata] [--html-only] [--no-ranges]
                   [--ranges-from DIR] [--log F]

Serves the artifacts lying flat in DIR as a simple repository: PEP 503 HTML and
PEP 691/700 JSON chosen by the Accept header, PEP 658/714 metadata files, range
requests, basic auth, TLS with a throw-away CA made by the openssl command, and
fault injection driven over HTTP (POST /_faults). When it listens it prints one
line `READY <base-url>` and writes the port to --port-file. tests/support/README.md
is the full contract; the C tests rely on it, so change it only by adding.
"""
import argparse
import base64
import email.parser
import email.utils
import fcntl
import hashlib
import html
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz")
# Metadata files bigger than this are not read out of an archive: a hostile
# fixture served to the C code must not make the test server swallow memory.
METADATA_MAX = 16 << 20
STATS_LOG_MAX = 20000
FAULT_KINDS = {"status", "truncate", "corrupt", "slow", "hold", "redirect", "oversize",
               "bad-json", "bad-html", "swap", "content-range", "content-encoding"}


def normalize(name):
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_artifact(filename):
    """(project, version) from an artifact's file name, or None if it is not one."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) not in (5, 6):
            return None
        return parts[0], parts[1]
    for suffix in ARCHIVE_SUFFIXES[1:]:
        if filename.endswith(suffix):
            stem = filename[:-len(suffix)]
            if "-" not in stem:
                return None
            name, version = stem.rsplit("-", 1)
            return (name, version) if name and version else None
    return None


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


def iso_time(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------
# Artifacts: hashes and metadata, cached by (mtime, size) because tests add and
# replace files while the server runs.

class ArtifactInfo:
    __slots__ = ("sha256", "size", "mtime", "metadata", "requires_python")


def read_capped(fh):
    data = fh.read(METADATA_MAX + 1)
    return data if len(data) <= METADATA_MAX else None


def wheel_metadata(path, filename):
    """The bytes of the wheel's top-level *.dist-info/METADATA, or None."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist()
                     if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            if not names:
                return None
            # With several dist-info folders pick the one the file name names.
            want = filename.split("-")[0].lower() + "-"
            names.sort(key=lambda n: not n.lower().startswith(want))
            info = zf.getinfo(names[0])
            if info.file_size > METADATA_MAX:
                return None
            with zf.open(info) as fh:
                return read_capped(fh)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
        return None


def sdist_pkg_info(path):
    """The bytes of an sdist's top-level */PKG-INFO, or None."""
    try:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                for n in zf.namelist():
                    if re.fullmatch(r"[^/]+/PKG-INFO", n):
                        with zf.open(n) as fh:
                            return read_capped(fh)
            return None
        with tarfile.open(path) as tf:
            for member in tf:
                if member.isfile() and re.fullmatch(r"(\./)?[^/]+/PKG-INFO", member.name):
                    if member.size > METADATA_MAX:
                        return None
                    fh = tf.extractfile(member)
                    return read_capped(fh) if fh else None
    except (OSError, tarfile.TarError, zipfile.BadZipFile, ValueError, EOFError):
        return None
    return None


def requires_python_of(meta):
    if meta is None:
        return None
    try:
        headers = email.parser.HeaderParser().parsestr(meta.decode("utf-8", "replace"),
                                                       headersonly=True)
    except Exception:  # a malformed fixture has no Requires-Python, nothing more
        return None
    value = headers.get("Requires-Python")
    return str(value).strip() if value is not None else None


class Repository:
    """The artifacts of one root folder, re-read on every request."""

    def __init__(self, root, metadata):
        self.root = root
        self.serve_metadata = metadata
        self._cache = {}
        self._lock = threading.Lock()

    def index_json(self):
        path = os.path.join(self.root, "index.json")
        try:
            with open(path, "rb") as fh:
                data = json.load(fh)
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            print(f"indexserver: ignoring unreadable '{path}': {exc}", file=sys.stderr)
            return {}

    def files(self):
        """{normalised project: [(filename, display name, version)]}."""
        projects = {}
        try:
            names = sorted(os.listdir(self.root))
        except OSError:
            return projects
        for f in names:
            parsed = split_artifact(f)
            if parsed is None or not os.path.isfile(os.path.join(self.root, f)):
                continue
            projects.setdefault(normalize(parsed[0]), []).append((f, parsed[0], parsed[1]))
        return projects

    def info(self, filename):
        path = os.path.join(self.root, filename)
        st = os.stat(path)
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            cached = self._cache.get(filename)
            if cached and cached[0] == key:
                return cached[1]
        info = ArtifactInfo()
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        info.sha256 = digest.hexdigest()
        info.size = st.st_size
        info.mtime = st.st_mtime
        if filename.endswith(".whl"):
            info.metadata = wheel_metadata(path, filename)
            info.requires_python = requires_python_of(info.metadata)
        else:
            info.metadata = None
            info.requires_python = requires_python_of(sdist_pkg_info(path))
        with self._lock:
            self._cache[filename] = (key, info)
        return info

    def read(self, filename):
        with open(os.path.join(self.root, filename), "rb") as fh:
            return fh.read()

    def entries(self, project):
        """The file records of one project (a list of dicts), or None if unknown."""
        files = self.files().get(project)
        if files is None:
            return None
        extra = self.index_json()
        out = []
        for filename, display, version in files:
            try:
                info = self.info(filename)
            except OSError:
                continue
            over = extra.get(filename, {})
            if not isinstance(over, dict):
                over = {}
            rec = {"filename": filename, "display": display, "version": version,
                   "sha256": over.get("sha256", info.sha256), "size": info.size,
                   "mtime": info.mtime,
                   "requires_python": over.get("requires-python", info.requires_python),
                   "yanked": over.get("yanked", False),
                   "upload_time": over.get("upload-time", iso_time(info.mtime)),
                   "metadata_sha256": None}
            if (self.serve_metadata and info.metadata is not None
                    and over.get("metadata", True) is not False):
                rec["metadata_sha256"] = over.get("metadata-sha256",
                                                  hashlib.sha256(info.metadata).hexdigest())
            out.append(rec)
        return out

    def metadata(self, filename):
        """PEP 658 bytes for a wheel in the root, or None when not served."""
        if not self.serve_metadata or not filename.endswith(".whl"):
            return None
        over = self.index_json().get(filename, {})
        if isinstance(over, dict) and over.get("metadata", True) is False:
            return None
        try:
            return self.info(filename).metadata
        except OSError:
            return None

    def mtime(self, records):
        times = [r["mtime"] for r in records]
        try:
            times.append(os.stat(os.path.join(self.root, "index.json")).st_mtime)
        except OSError:
            pass
        return int(max(times)) if times else 0


# ---------------------------------------------------------------------------
# Pages.

def project_json(project, records):
    files = []
    for r in records:
        f = {"filename": r["filename"], "url": "../../files/" + quote(r["filename"]),
             "hashes": {"sha256": r["sha256"]}, "requires-python": r["requires_python"],
             "yanked": r["yanked"], "size": r["size"], "upload-time": r["upload_time"]}
        if r["metadata_sha256"] is not None:
            f["core-metadata"] = {"sha256": r["metadata_sha256"]}
            f["dist-info-metadata"] = {"sha256": r["metadata_sha256"]}
        else:
            f["core-metadata"] = False
            f["dist-info-metadata"] = False
        files.append(f)
    versions = sorted({r["version"] for r in records})
    doc = {"meta": {"api-version": "1.1"}, "name": project, "versions": versions,
           "files": files}
    return json.dumps(doc, indent=1).encode()


def project_html(project, records):
    out = ["<!DOCTYPE html>", "<html>", "<head>",
           '<meta name="pypi:repository-version" content="1.1">',
           f"<title>Links for {html.escape(project)}</title>", "</head>", "<body>",
           f"<h1>Links for {html.escape(project)}</h1>"]
    for r in records:
        attrs = [f'href="../../files/{html.escape(quote(r["filename"]))}#sha256={r["sha256"]}"']
        if r["requires_python"]:
            attrs.append(f'data-requires-python="{html.escape(r["requires_python"])}"')
        if r["yanked"] is not False and r["yanked"] is not None:
            reason = "" if r["yanked"] is True else str(r["yanked"])
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        if r["metadata_sha256"] is not None:
            attrs.append(f'data-core-metadata="sha256={r["metadata_sha256"]}"')
            attrs.append(f'data-dist-info-metadata="sha256={r["metadata_sha256"]}"')
        out.append(f'<a {" ".join(attrs)}>{html.escape(r["filename"])}</a><br/>')
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode()


def root_json(projects):
    doc = {"meta": {"api-version": "1.1"},
           "projects": [{"name": p} for p in sorted(projects)]}
    return json.dumps(doc, indent=1).encode()


def root_html(projects):
    out = ["<!DOCTYPE html>", "<html>", "<head>",
           '<meta name="pypi:repository-version" content="1.1">',
           "<title>Simple index</title>", "</head>", "<body>"]
    out += [f'<a href="{html.escape(p)}/">{html.escape(p)}</a><br/>' for p in sorted(projects)]
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode()


BAD_JSON = b'{"meta": {"api-version": "1.1"}, "name": "broken", "files": [{"filename": "x-1'
BAD_HTML = (b'<!DOCTYPE html><html><body><a href="../../files/x-1.0.tar.gz#sha256=<a '
            b'data-yanked=\'\x00\xff\xfe<<</a</body')


def negotiate(accept, html_only):
    """'json', 'html' (with the content type to answer) or None for 406 (PEP 691)."""
    if html_only:
        return "html", "text/html; charset=utf-8"
    if not accept or not accept.strip():
        return "html", "text/html; charset=utf-8"
    offers = []
    for order, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mtype = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        offers.append((q, -order, mtype))
    offers.sort(reverse=True)
    table = {JSON_V1: ("json", JSON_V1),
             "application/vnd.pypi.simple.latest+json": ("json", JSON_V1),
             HTML_V1: ("html", HTML_V1),
             "application/vnd.pypi.simple.latest+html": ("html", HTML_V1),
             "text/html": ("html", "text/html; charset=utf-8"),
             "text/*": ("html", "text/html; charset=utf-8"),
             "*/*": ("html", "text/html; charset=utf-8")}
    for q, _, mtype in offers:
        if q > 0 and mtype in table:
            return table[mtype]
    return None


# ---------------------------------------------------------------------------
# Faults, statistics and the server.

class Response:
    def __init__(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=None):
        self.status = status
        self.body = body
        self.headers = [("Content-Type", ctype)] if ctype else []
        self.headers += headers or []
        self.content_length = None  # None: len(body)
        self.truncate = False
        self.slow = 0.0
        self.fmt = None
        self.fault = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))


def text(status, message, headers=None):
    return Response(status, (message + "\n").encode(), headers=headers)


def check_fault(fault):
    if not isinstance(fault, dict) or fault.get("kind") not in FAULT_KINDS:
        raise ValueError(f"unknown fault {fault!r} (kinds: {', '.join(sorted(FAULT_KINDS))})")
    kind = fault["kind"]
    need = {"status": "code", "redirect": "location", "slow": "seconds", "hold": "seconds",
            "oversize": "bytes", "swap": "file", "content-range": "value",
            "content-encoding": "value"}.get(kind)
    if need and need not in fault:
        raise ValueError(f"fault '{kind}' needs '{need}'")
    if "times" in fault and (not isinstance(fault["times"], int) or fault["times"] < 0):
        raise ValueError("'times' must be a non-negative integer")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = {}
        self.reset()

    def reset(self):
        with self.lock:
            self.requests = 0
            self.in_flight = 0
            self.max_concurrent = 0
            self.log = []

    def enter(self):
        with self.lock:
            self.in_flight += 1
            self.max_concurrent = max(self.max_concurrent, self.in_flight)

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def record(self, entry):
        with self.lock:
            self.requests += 1
            if len(self.log) < STATS_LOG_MAX:
                self.log.append(entry)

    def take_fault(self, path):
        """The fault for this path, counting one use of it, or None."""
        with self.lock:
            fault = self.faults.get(path)
            if fault is None:
                return None
            if "times" in fault:
                if fault.get("_used", 0) >= fault["times"]:
                    return None
                fault["_used"] = fault.get("_used", 0) + 1
            return fault

    def snapshot(self):
        with self.lock:
            return {"requests": self.requests, "max_concurrent": self.max_concurrent,
                    "in_flight": self.in_flight, "log": list(self.log)}


def parse_range(value, size):
    """(start, end) inclusive, 'unsatisfiable', or None to ignore the header."""
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", value or "")
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None  # absent, malformed or several ranges: the whole body (RFC 9110)
    if m.group(1) == "":
        n = int(m.group(2))
        if n == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - n), size - 1
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "safepip-testindex/1"
    timeout = 60  # an idle keep-alive connection frees its thread after this

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                return
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            pass

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    # -- plumbing ----------------------------------------------------------

    def dispatch(self):
        srv = self.server
        path = urlsplit(self.path).path
        control = path.startswith("/_")
        auth_header = self.headers.get("Authorization")
        auth_ok = auth_header is not None and srv.auth is not None and \
            auth_header.strip() == "Basic " + base64.b64encode(srv.auth.encode()).decode()
        if not control:
            srv.state.enter()
        resp = None
        try:
            if control:
                resp = self.control(path)
            elif srv.auth is not None and not auth_ok:
                resp = text(401, "authentication required",
                            [("WWW-Authenticate", 'Basic realm="safepip-test"')])
            else:
                fault = srv.state.take_fault(path)
                if fault and fault["kind"] == "hold":
                    time.sleep(float(fault["seconds"]))
                resp = self.route(path, fault)
            self.send(resp)
        finally:
            if not control:
                srv.state.leave()
                rng = self.headers.get("Range")
                srv.state.record({"method": self.command, "path": path,
                                  "status": resp.status if resp else 0,
                                  "auth": auth_header is not None, "auth_ok": auth_ok,
                                  "range": rng, "accept": self.headers.get("Accept"),
                                  "format": resp.fmt if resp else None,
                                  "bytes": len(resp.body) if resp and self.command != "HEAD"
                                  else 0,
                                  "fault": resp.fault if resp else None})
            if srv.log_file:
                with srv.log_lock, open(srv.log_file, "a") as fh:
                    fh.write(f"{self.command} {self.path} {resp.status if resp else 0}\n")

    def send(self, resp):
        body = b"" if self.command == "HEAD" else resp.body
        length = resp.content_length if resp.content_length is not None else len(resp.body)
        self.send_response(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        if resp.truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if resp.truncate:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if resp.slow > 0 and body:
            pieces = 20
            step = max(1, -(-len(body) // pieces))
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(resp.slow / pieces)
            return
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # -- control routes ----------------------------------------------------

    def control(self, path):
        srv = self.server
        if path == "/_stats" and self.command in ("GET", "HEAD"):
            return Response(200, json.dumps(srv.state.snapshot()).encode(), "application/json")
        if path == "/_reset" and self.command == "POST":
            self.read_body()
            srv.state.reset()
            return text(200, "reset")
        if path == "/_faults" and self.command == "POST":
            try:
                table = json.loads(self.read_body() or b"{}")
                if not isinstance(table, dict):
                    raise ValueError("the fault table must be a JSON object")
                for fault in table.values():
                    check_fault(fault)
            except ValueError as exc:
                return text(400, f"bad fault table: {exc}")
            with srv.state.lock:
                srv.state.faults = table
            return text(200, f"{len(table)} faults")
        if path == "/_faults" and self.command in ("GET", "HEAD"):
            with srv.state.lock:
                return Response(200, json.dumps(srv.state.faults).encode(), "application/json")
        return text(404, f"no control route '{path}'")

    # -- the index ---------------------------------------------------------

    def route(self, path, fault):
        if self.command == "POST":
            return text(405, "method not allowed", [("Allow", "GET, HEAD")])
        repo = self.server.repo
        if fault and fault["kind"] == "redirect":
            resp = Response(int(fault.get("code", 302)), b"", None,
                            [("Location", fault["location"])])
            resp.fault = "redirect"
            return resp
        if fault and fault["kind"] == "status":
            headers = []
            if "retry_after" in fault:
                headers.append(("Retry-After", str(fault["retry_after"])))
            resp = text(int(fault["code"]), f"injected status {fault['code']}", headers)
            resp.fault = "status"
            return resp
        if fault and fault["kind"] in ("bad-json", "bad-html"):
            js = fault["kind"] == "bad-json"
            resp = Response(200, BAD_JSON if js else BAD_HTML,
                            JSON_V1 if js else "text/html; charset=utf-8", [("Vary", "Accept")])
            resp.fmt = "json" if js else "html"
            resp.fault = fault["kind"]
            return resp

        if path == "/simple" or path == "/":
            return Response(301, b"", None, [("Location", "/simple/")])
        if path == "/simple/":
            resp = self.page(None, repo.files(), None)
        elif path.startswith("/simple/"):
            rest = unquote(path[len("/simple/"):])
            name = rest[:-1] if rest.endswith("/") else rest
            if not name or "/" in name:
                return text(404, f"no project page '{path}'")
            norm = normalize(name)
            if norm != name or not rest.endswith("/"):
                return Response(301, b"", None, [("Location", f"/simple/{quote(norm)}/")])
            records = repo.entries(norm)
            if records is None:
                return text(404, f"no project '{norm}'")
            resp = self.page(norm, None, records)
        elif path.startswith("/files/"):
            resp = self.file(unquote(path[len("/files/"):]))
        else:
            return text(404, f"no route '{path}'")
        if resp.status == 200:
            resp = self.conditional(resp)
        if resp.status in (200, 206) and fault:
            resp = self.apply_body_fault(resp, fault)
        if resp.status == 200 and resp.header("Accept-Ranges") == "bytes":
            resp = self.ranged(resp, path)
        if fault and fault["kind"] == "content-range" and resp.status == 206:
            resp.set_header("Content-Range", str(fault["value"]))
        elif fault and fault["kind"] == "content-encoding" and resp.status in (200, 206):
            resp.set_header("Content-Encoding", str(fault["value"]))
        return resp

    def page(self, project, projects, records):
        choice = negotiate(self.headers.get("Accept"), self.server.html_only)
        if choice is None:
            return text(406, f"no acceptable type; offered {JSON_V1}, {HTML_V1}, text/html",
                        [("Vary", "Accept")])
        fmt, ctype = choice
        if project is None:
            body = root_json(projects) if fmt == "json" else root_html(projects)
            mtime = int(time.time())
        else:
            body = project_json(project, records) if fmt == "json" else \
                project_html(project, records)
            mtime = self.server.repo.mtime(records)
        etag = '"' + hashlib.sha256(ctype.encode() + b"\0" + body).hexdigest()[:32] + '"'
        resp = Response(200, body, ctype, [("Vary", "Accept"), ("ETag", etag),
                                           ("Last-Modified", http_date(mtime)),
                                           ("Cache-Control", "max-age=0")])
        resp.fmt = fmt
        return resp

    def file(self, name):
        repo = self.server.repo
        if "/" in name or name.startswith("."):
            return text(404, f"no file '{name}'")
        if name.endswith(".metadata"):
            artifact = name[:-len(".metadata")]
            if not os.path.isfile(os.path.join(repo.root, artifact)):
                return text(404, f"no file '{artifact}'")
            meta = repo.metadata(artifact)
            if meta is None:
                return text(404, f"no metadata served for '{artifact}'")
            etag = '"' + hashlib.sha256(meta).hexdigest() + '"'
            return Response(200, meta, "text/plain; charset=utf-8",
                            [("ETag", etag)] + self.accept_ranges())
        if split_artifact(name) is None or not os.path.isfile(os.path.join(repo.root, name)):
            return text(404, f"no file '{name}'")
        info = repo.info(name)
        ctype = "application/zip" if name.endswith((".whl", ".zip")) else \
            "application/octet-stream"
        return Response(200, repo.read(name), ctype,
                        [("ETag", f'"{info.sha256}"'),
                         ("Last-Modified", http_date(int(info.mtime)))] + self.accept_ranges())

    def accept_ranges(self):
        """Without it a Range header is ignored and the whole body goes out (--no-ranges)."""
        return [("Accept-Ranges", "bytes")] if self.server.ranges else []

    def conditional(self, resp):
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        etag = resp.header("ETag")
        hit = False
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            hit = "*" in tags or (etag is not None and
                                  (etag in tags or "W/" + etag in tags))
        elif ims is not None and resp.header("Last-Modified"):
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                modified = email.utils.parsedate_to_datetime(
                    resp.header("Last-Modified")).timestamp()
                hit = modified <= since
            except (TypeError, ValueError):
                hit = False
        if not hit:
            return resp
        out = Response(304, b"", None,
                       [(k, v) for k, v in resp.headers
                        if k in ("ETag", "Last-Modified", "Vary", "Cache-Control")])
        out.fmt = resp.fmt
        return out

    def apply_body_fault(self, resp, fault):
        kind = fault["kind"]
        resp.fault = kind
        if kind == "swap":
            other = str(fault["file"])
            try:
                resp.body = self.server.repo.read(os.path.basename(other))
            except OSError:
                return text(500, f"swap fault: no file '{other}' in the root")
        elif kind == "corrupt" and resp.body:
            mid = len(resp.body) // 2
            resp.body = resp.body[:mid] + bytes([resp.body[mid] ^ 0x01]) + resp.body[mid + 1:]
        elif kind == "oversize":
            resp.body = resp.body + b"X" * int(fault["bytes"])
        elif kind == "truncate":
            resp.truncate = True
        elif kind == "slow":
            resp.slow = float(fault["seconds"])
        return resp

    def ranged(self, resp, path):
        rng = parse_range(self.headers.get("Range"), len(resp.body))
        if rng is None:
            return resp
        alt = self.server.ranges_from
        if alt and path.startswith("/files/"):
            # A server mixing copies: parts come from another file of the same name.
            other = os.path.join(alt, unquote(path[len("/files/"):]))
            if os.path.isfile(other):
                with open(other, "rb") as fh:
                    resp.body = fh.read()
                rng = parse_range(self.headers.get("Range"), len(resp.body))
        size = len(resp.body)
        if rng == "unsatisfiable":
            out = text(416, "range not satisfiable", [("Content-Range", f"bytes */{size}")])
            out.fault = resp.fault
            return out
        start, end = rng
        resp.status = 206
        resp.body = resp.body[start:end + 1]
        resp.set_header("Content-Range", f"bytes {start}-{end}/{size}")
        return resp


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many parallel clients connect at once in the tests

    def __init__(self, addr, repo, args, tls_context):
        self.repo = repo
        self.auth = args.auth
        self.html_only = args.html_only
        self.ranges = not args.no_ranges
        self.ranges_from = args.ranges_from
        self.log_file = args.log
        self.log_lock = threading.Lock()
        self.state = State()
        self.tls_context = tls_context
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls_context is not None:
            # The handshake runs in the connection's own thread (Handler.handle)
            # so that a stalled client cannot block the accept loop.
            sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


# ---------------------------------------------------------------------------
# TLS material, made once per CERTDIR with the openssl command.

def openssl(*args, cwd):
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"indexserver: openssl {args[0]} failed: {proc.stderr.strip()}")


def issue(certdir, stem, subject, ext_lines):
    with open(os.path.join(certdir, f"{stem}.ext"), "w") as fh:
        fh.write("\n".join(ext_lines) + "\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{stem}.key", "-out", f"{stem}.csr", "-subj", subject,
            cwd=certdir)
    openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "3650", "-sha256", "-extfile", f"{stem}.ext",
            "-out", f"{stem}.pem", cwd=certdir)
    os.remove(os.path.join(certdir, f"{stem}.csr"))
    os.remove(os.path.join(certdir, f"{stem}.ext"))


def ensure_certs(certdir):
    """Creates ca.pem/ca.key, server.pem/server.key and client.pem/client.key
    unless they exist; a lock keeps servers started together from racing."""
    os.makedirs(certdir, exist_ok=True)
    with open(os.path.join(certdir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = ["ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key"]
        if all(os.path.exists(os.path.join(certdir, f)) for f in wanted):
            return
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-sha256",
                "-subj", "/CN=safepip test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=certdir)
        common = ["basicConstraints=critical,CA:FALSE", "subjectKeyIdentifier=hash",
                  "authorityKeyIdentifier=keyid,issuer"]
        issue(certdir, "server", "/CN=127.0.0.1",
              common + ["keyUsage=critical,digitalSignature,keyEncipherment",
                        "extendedKeyUsage=serverAuth",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        issue(certdir, "client", "/CN=safepip test client",
              common + ["keyUsage=critical,digitalSignature",
                        "extendedKeyUsage=clientAuth"])


def tls_context(certdir, client_ca):
    ensure_certs(certdir)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(certdir, "server.pem"), os.path.join(certdir, "server.key"))
    if client_ca is not None:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(client_ca or os.path.join(certdir, "ca.pem"))
    return ctx


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--root", required=True, help="folder of artifacts (and index.json)")
    p.add_argument("--port", type=int, default=0, help="default: an ephemeral port")
    p.add_argument("--port-file", help="the port number is written here when listening")
    p.add_argument("--tls", metavar="CERTDIR", help="serve HTTPS; certificates made if absent")
    p.add_argument("--client-ca", nargs="?", const="", default=None, metavar="PEM",
                   help="require a client certificate signed by PEM (default CERTDIR/ca.pem)")
    p.add_argument("--auth", metavar="USER:PASS", help="require basic auth outside /_*")
    p.add_argument("--no-metadata", action="store_true", help="serve no PEP 658 metadata")
    p.add_argument("--html-only", action="store_true",
                   help="answer every page with PEP 503 HTML, whatever the Accept header")
    p.add_argument("--no-ranges", action="store_true",
                   help="ignore Range headers: whole bodies, no Accept-Ranges (an old server)")
    p.add_argument("--ranges-from", metavar="DIR",
                   help="answer range requests from the file of the same name in DIR "
                        "(a server serving mixed copies)")
    p.add_argument("--log", help="append one line per request to this file")
    args = p.parse_args()
    if args.client_ca is not None and not args.tls:
        p.error("--client-ca needs --tls")
    if args.auth is not None and ":" not in args.auth:
        p.error("--auth takes USER:PASS")
    if not os.path.isdir(args.root):
        p.error(f"no folder '{args.root}'")

    ctx = tls_context(args.tls, args.client_ca) if args.tls else None
    repo = Repository(os.path.abspath(args.root), not args.no_metadata)
    server = Server(("127.0.0.1", args.port), repo, args, ctx)
    port = server.server_address[1]

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    scheme = "https" if ctx else "http"
    print(f"READY {scheme}://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
