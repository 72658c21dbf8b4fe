#!/usr/bin/env python3
"""Real wheels and sdists from a short JSON description (standard library only).

    fixtures.py --out DIR SPEC.json        # SPEC: a list of package descriptions
    fixtures.py --out DIR --build-tools    # setuptools and wheel wheels, for setup.py sdists

Each description is an object (only "name" and "version" are required):
  name, version        as they should appear in the metadata
  kind                 "wheel" (default) or "sdist"
  requires             PEP 508 strings (Requires-Dist)
  extras               {"extra": [PEP 508 strings]} (Provides-Extra + `extra == "x"` markers)
  requires_python      Requires-Python
  tag                  wheel tag, default py3-none-any (Root-Is-Purelib follows from it)
  files                {"pkg/mod.py": "source"}; default: <name>/__init__.py with __version__
  metadata_version     default "2.1"
  dynamic              sdists: fields listed as Dynamic in PKG-INFO (needs metadata_version
                       "2.2" or later); a dynamic Requires-Dist is left out of PKG-INFO and of
                       pyproject.toml's [project] and appears only in the built wheel
  build_requires       sdists: [build-system] requires
  canary               absolute PATH; any code of the package that runs (its in-tree build
                       backend, its setup.py, any of its modules on import) appends a line
                       "<name> <phase>" to PATH
  setup_py             sdists: true (a generated setuptools setup.py) or its text; such an
                       sdist has no pyproject.toml unless "pyproject_toml" gives one
  entry_points         {"console_scripts": {"cmd": "mod:func"}} (or a list of "cmd = mod:func")
  pyproject_toml       sdists: the exact text of pyproject.toml
  project_table        sdists: false leaves [project] out of pyproject.toml (default true)
  summary              Summary; metadata_extra: more "Header: value" lines for the metadata

Sdists by default carry an in-tree PEP 517 backend (`_fixture_backend.py`, standard
library only, `backend-path = ["."]`, `requires = []`), so that
`pip install --no-index --find-links DIR` builds them with nothing else and offline.

setup.py sdists need setuptools and wheel, and this machine has no index. What works
offline here: `--build-tools DIR` writes a setuptools wheel (the copy that the running
CPython's ensurepip bundles, else Debian's /usr/share/python-wheels/setuptools-*.whl from
python3-setuptools-whl, which only works with Debian's own python3: it is patched for
Debian's install_layout) and a wheel of `wheel` (Debian's python3-wheel-whl if present,
else one repacked from an installed `wheel` module such as Debian's python3-wheel in
/usr/lib/python3/dist-packages, with the distutils.commands entry point that gives
setuptools its bdist_wheel). Add DIR to pip's --find-links and pip's isolated build finds
both there. Without any of those sources --build-tools fails and says what to install.
"""
import argparse
import glob
import gzip
import io
import json
import os
import re
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkpkg  # noqa: E402  (shares RECORD and zip writing with the older CLI)

SDIST_MTIME = 1704067200
KNOWN_KEYS = {"name", "version", "kind", "requires", "extras", "requires_python", "tag",
              "files", "metadata_version", "dynamic", "build_requires", "canary", "setup_py",
              "entry_points", "pyproject_toml", "project_table", "summary", "metadata_extra"}


class SpecError(ValueError):
    pass


def dist_name(name):
    """The file-name form of a project name (PEP 427 / PEP 625)."""
    return mkpkg.normalize(name)


def import_name(name):
    ident = re.sub(r"\W", "_", dist_name(name))
    return ident if not ident[0].isdigit() else "_" + ident


def with_marker(req, marker):
    """req with `marker` and-ed onto its own marker, if any."""
    if ";" in req:
        base, own = req.split(";", 1)
        return f"{base.rstrip()} ; ({own.strip()}) and {marker}"
    return f"{req} ; {marker}"


def requires_dist(spec):
    lines = list(spec.get("requires", []))
    for extra, reqs in spec.get("extras", {}).items():
        lines += [with_marker(r, f'extra == "{extra}"') for r in reqs]
    return lines


def core_metadata(spec, version_field=None, dynamic=()):
    """Metadata text (METADATA or PKG-INFO); fields named in dynamic that
    cannot be known statically are left out."""
    mv = version_field or spec.get("metadata_version", "2.1")
    lines = [f"Metadata-Version: {mv}", f"Name: {spec['name']}", f"Version: {spec['version']}",
             f"Summary: {spec.get('summary', 'test fixture built by safepip tests')}",
             "License: MIT"]
    dyn = {d.lower() for d in dynamic}
    if spec.get("requires_python") and "requires-python" not in dyn:
        lines.append(f"Requires-Python: {spec['requires_python']}")
    if "provides-extra" not in dyn:
        lines += [f"Provides-Extra: {e}" for e in spec.get("extras", {})]
    if "requires-dist" not in dyn:
        lines += [f"Requires-Dist: {r}" for r in requires_dist(spec)]
    lines += [f"Dynamic: {d}" for d in dynamic]
    lines += list(spec.get("metadata_extra", []))
    return "\n".join(lines) + "\n\n"


def entry_points_text(spec):
    eps = spec.get("entry_points") or {}
    if not eps:
        return None
    out = []
    for group, items in eps.items():
        out.append(f"[{group}]")
        if isinstance(items, dict):
            out += [f"{k} = {v}" for k, v in items.items()]
        else:
            out += [str(i) for i in items]
        out.append("")
    return "\n".join(out)


def canary_code(path, name, phase):
    return (f"import os as _sp_os\n"
            f"with open({path!r}, 'a') as _sp_fh:\n"
            f"    _sp_fh.write({name + ' ' + phase!r} + ' pid=' + str(_sp_os.getpid()) + '\\n')\n")


def package_files(spec):
    """{archive path: bytes} of the package's own files, canary included."""
    files = spec.get("files")
    if not files:
        files = {f"{import_name(spec['name'])}/__init__.py":
                 f"__version__ = {spec['version']!r}\n"}
    out = {}
    for rel, source in files.items():
        if rel.startswith("/") or ".." in rel.split("/"):
            raise SpecError(f"file path '{rel}' leaves the package")
        data = source if isinstance(source, str) else json.dumps(source)
        if spec.get("canary") and rel.endswith(".py"):
            data = canary_code(spec["canary"], spec["name"], "import") + data
        out[rel] = data.encode()
    return out


def purelib(tag):
    parts = tag.split("-")
    return len(parts) == 3 and parts[1] == "none" and parts[2] == "any"


def wheel_entries(spec):
    dist = f"{dist_name(spec['name'])}-{spec['version']}"
    info = f"{dist}.dist-info"
    tag = spec.get("tag", "py3-none-any")
    entries = sorted(package_files(spec).items())
    entries.append((f"{info}/METADATA", core_metadata(spec).encode()))
    entries.append((f"{info}/WHEEL", (
        f"Wheel-Version: 1.0\nGenerator: safepip-tests\n"
        f"Root-Is-Purelib: {'true' if purelib(tag) else 'false'}\n"
        + "".join(f"Tag: {t}\n" for t in expand_tag(tag)) + "\n").encode()))
    eps = entry_points_text(spec)
    if eps:
        entries.append((f"{info}/entry_points.txt", eps.encode()))
    entries.append((f"{info}/RECORD", mkpkg.record_for(info, entries)))
    return f"{dist}-{tag}.whl", entries


def expand_tag(tag):
    """The Tag: lines of a compressed tag set (py2.py3-none-any -> two)."""
    py, abi, plat = tag.split("-")
    return [f"{a}-{b}-{c}" for a in py.split(".") for b in abi.split(".") for c in plat.split(".")]


def build_wheel(spec, out_dir):
    filename, entries = wheel_entries(spec)
    out = os.path.join(out_dir, filename)
    mkpkg.write_zip(out, entries)
    return out


def toml_str(s):
    # JSON string escapes are a subset of TOML basic-string escapes.
    return json.dumps(s)


def toml_list(items):
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def pyproject(spec, backend):
    dyn = {d.lower() for d in spec.get("dynamic", [])}
    lines = ["[build-system]", f"requires = {toml_list(spec.get('build_requires', []))}"]
    if backend:
        lines += ['build-backend = "_fixture_backend"', 'backend-path = ["."]']
    if spec.get("project_table", True):
        lines += ["", "[project]", f"name = {toml_str(spec['name'])}",
                  f"version = {toml_str(spec['version'])}"]
        dynamic = []
        if "requires-dist" in dyn:
            dynamic.append("dependencies")
        else:
            lines.append(f"dependencies = {toml_list(spec.get('requires', []))}")
        if spec.get("requires_python") and "requires-python" not in dyn:
            lines.append(f"requires-python = {toml_str(spec['requires_python'])}")
        if "provides-extra" in dyn or "requires-dist" in dyn:
            dynamic.append("optional-dependencies")
        if dynamic:
            lines.append(f"dynamic = {toml_list(dynamic)}")
        if spec.get("extras") and "optional-dependencies" not in dynamic:
            lines += ["", "[project.optional-dependencies]"]
            lines += [f"{toml_str(k)} = {toml_list(v)}" for k, v in spec["extras"].items()]
    return "\n".join(lines) + "\n"


def generated_setup_py(spec):
    packages = sorted({rel.split("/")[0] for rel in package_files(spec)
                       if "/" in rel and rel.endswith(".py")})
    modules = sorted(rel[:-3] for rel in package_files(spec) if "/" not in rel
                     and rel.endswith(".py") and rel != "setup.py")
    args = [f"name={spec['name']!r}", f"version={spec['version']!r}",
            f"packages={packages!r}", f"py_modules={modules!r}",
            f"install_requires={list(spec.get('requires', []))!r}",
            f"extras_require={dict(spec.get('extras', {}))!r}"]
    if spec.get("requires_python"):
        args.append(f"python_requires={spec['requires_python']!r}")
    eps = spec.get("entry_points")
    if eps:
        norm = {g: ([f"{k} = {v}" for k, v in items.items()] if isinstance(items, dict)
                    else list(items)) for g, items in eps.items()}
        args.append(f"entry_points={norm!r}")
    return "from setuptools import setup\n\nsetup(\n" + "".join(f"    {a},\n" for a in args) + ")\n"


# The in-tree PEP 517 backend every default sdist carries. It builds the wheel
# from the sdist's own tree and _fixture_wheel.json, with the standard library.
BACKEND = r'''"""In-tree PEP 517 backend of a safepip test fixture (standard library only)."""
import base64
import hashlib
import io
import json
import os
import tarfile
import zipfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_SKIP = {"PKG-INFO", "pyproject.toml", "setup.py", "setup.cfg", "_fixture_backend.py",
         "_fixture_wheel.json"}


def _spec():
    with open(os.path.join(_HERE, "_fixture_wheel.json")) as fh:
        return json.load(fh)


def _dist(spec):
    return spec["dist"] + "-" + spec["version"]


def _files():
    out = []
    for root, dirs, files in os.walk(_HERE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.endswith(".egg-info"))
        for f in sorted(files):
            full = os.path.join(root, f)
            rel = os.path.relpath(full, _HERE).replace(os.sep, "/")
            if rel in _SKIP or f.endswith(".pyc"):
                continue
            with open(full, "rb") as fh:
                out.append((rel, fh.read()))
    return out


def _info_entries(spec):
    info = _dist(spec) + ".dist-info"
    entries = [(info + "/METADATA", spec["metadata"].encode()),
               (info + "/WHEEL", spec["wheel"].encode())]
    if spec.get("entry_points"):
        entries.append((info + "/entry_points.txt", spec["entry_points"].encode()))
    return info, entries


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info, entries = _info_entries(_spec())
    for rel, data in entries:
        path = os.path.join(metadata_directory, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    spec = _spec()
    info, meta = _info_entries(spec)
    entries = _files() + meta
    record = io.StringIO()
    for rel, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.write("%s,sha256=%s,%d\n" % (rel, digest.decode(), len(data)))
    record.write(info + "/RECORD,,\n")
    entries.append((info + "/RECORD", record.getvalue().encode()))
    name = _dist(spec) + "-" + spec["tag"] + ".whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in entries:
            zi = zipfile.ZipInfo(rel, (2024, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    spec = _spec()
    name = _dist(spec) + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        tf.add(_HERE, arcname=_dist(spec),
               filter=lambda ti: None if "__pycache__" in ti.name else ti)
    return name
'''


def sdist_files(spec):
    """{relative path: bytes} inside NAME-VERSION/ of the sdist."""
    files = dict(package_files(spec))
    dynamic = spec.get("dynamic", [])
    if dynamic and spec.get("metadata_version", "2.1") in ("1.0", "1.1", "1.2", "2.0", "2.1"):
        raise SpecError(f"'{spec['name']}': dynamic needs metadata_version 2.2 or later")
    files["PKG-INFO"] = core_metadata(spec, dynamic=dynamic).encode()
    canary = spec.get("canary")
    setup_py = spec.get("setup_py")
    if setup_py:
        text = generated_setup_py(spec) if setup_py is True else str(setup_py)
        if canary:
            text = canary_code(canary, spec["name"], "setup.py") + text
        files["setup.py"] = text.encode()
        if spec.get("pyproject_toml"):
            files["pyproject.toml"] = spec["pyproject_toml"].encode()
        return files
    backend = BACKEND
    if canary:
        backend = canary_code(canary, spec["name"], "build") + backend
    tag = spec.get("tag", "py3-none-any")
    files["_fixture_backend.py"] = backend.encode()
    wheel_spec = {"dist": dist_name(spec["name"]), "version": spec["version"], "tag": tag,
                  "metadata": core_metadata(spec, version_field="2.1"),
                  "wheel": (f"Wheel-Version: 1.0\nGenerator: safepip-tests-backend\n"
                            f"Root-Is-Purelib: {'true' if purelib(tag) else 'false'}\n"
                            + "".join(f"Tag: {t}\n" for t in expand_tag(tag)) + "\n"),
                  "entry_points": entry_points_text(spec)}
    files["_fixture_wheel.json"] = (json.dumps(wheel_spec, indent=1) + "\n").encode()
    files["pyproject.toml"] = (spec.get("pyproject_toml") or pyproject(spec, True)).encode()
    return files


def build_sdist(spec, out_dir):
    base = f"{dist_name(spec['name'])}-{spec['version']}"
    out = os.path.join(out_dir, f"{base}.tar.gz")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()
        for rel, data in sorted(sdist_files(spec).items()):
            parts = rel.split("/")
            for i in range(len(parts) - 1):
                d = "/".join(parts[:i + 1])
                if d not in dirs:
                    dirs.add(d)
                    ti = tarfile.TarInfo(f"{base}/{d}")
                    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, SDIST_MTIME
                    tf.addfile(ti)
            ti = tarfile.TarInfo(f"{base}/{rel}")
            ti.size, ti.mode, ti.mtime = len(data), 0o644, SDIST_MTIME
            tf.addfile(ti, io.BytesIO(data))
    # gzip with a fixed header time, so that the same spec gives the same bytes.
    with open(out, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out


def check_spec(spec):
    if not isinstance(spec, dict):
        raise SpecError(f"a package description must be an object, not {spec!r}")
    for key in ("name", "version"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise SpecError(f"package description lacks '{key}': {json.dumps(spec)[:80]}")
    unknown = set(spec) - KNOWN_KEYS
    if unknown:
        raise SpecError(f"'{spec['name']}': unknown keys {sorted(unknown)} "
                        f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    if spec.get("kind", "wheel") not in ("wheel", "sdist"):
        raise SpecError(f"'{spec['name']}': kind must be 'wheel' or 'sdist'")
    if spec.get("canary") and not os.path.isabs(spec["canary"]):
        raise SpecError(f"'{spec['name']}': canary must be an absolute path")
    if len(spec.get("tag", "py3-none-any").split("-")) != 3:
        raise SpecError(f"'{spec['name']}': tag must be PY-ABI-PLATFORM")


def build_one(spec, out_dir):
    """Writes one artifact into out_dir and returns its path."""
    check_spec(spec)
    os.makedirs(out_dir, exist_ok=True)
    if spec.get("kind", "wheel") == "sdist":
        return build_sdist(spec, out_dir)
    return build_wheel(spec, out_dir)


def build(specs, out_dir):
    if not isinstance(specs, list):
        raise SpecError("the spec file must hold a JSON list of package descriptions")
    return [build_one(s, out_dir) for s in specs]


# ---------------------------------------------------------------------------
# Build tools for setup.py sdists, found on this machine (see the docstring).

def find_setuptools_wheel():
    import ensurepip
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    # The interpreter's own bundled copy first: Debian's is patched for Debian's
    # Python (its install_lib wants an install_layout option others lack).
    for pattern in (os.path.join(bundled, "setuptools-*.whl"),
                    "/usr/share/python-wheels/setuptools-*.whl"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[-1]
    return None


def repack_wheel_module(out_dir):
    """A wheel of an installed `wheel` package, or None if none is installed."""
    for base in sys.path + ["/usr/lib/python3/dist-packages"]:
        pkg = os.path.join(base or ".", "wheel")
        if not os.path.isfile(os.path.join(pkg, "bdist_wheel.py")):
            continue
        with open(os.path.join(pkg, "__init__.py")) as fh:
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", fh.read())
        version = m.group(1) if m else "0"
        spec = {"name": "wheel", "version": version, "files": {},
                "summary": "repacked from " + pkg,
                "entry_points": {
                    "console_scripts": {"wheel": "wheel.cli:main"},
                    "distutils.commands": {"bdist_wheel": "wheel.bdist_wheel:bdist_wheel"}}}
        for root, dirs, files in os.walk(pkg):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for f in sorted(files):
                if f.endswith(".py"):
                    rel = os.path.relpath(os.path.join(root, f), base).replace(os.sep, "/")
                    with open(os.path.join(root, f)) as fh:
                        spec["files"][rel] = fh.read()
        return build_wheel(spec, out_dir)
    return None


def build_tools(out_dir):
    """Writes setuptools and wheel wheels into out_dir; returns their paths."""
    import shutil
    os.makedirs(out_dir, exist_ok=True)
    st = find_setuptools_wheel()
    if st is None:
        raise SpecError("cannot find a setuptools wheel (install python3-setuptools-whl)")
    out = [shutil.copy(st, out_dir)]
    whl = sorted(glob.glob("/usr/share/python-wheels/wheel-*.whl"))
    if whl:
        out.append(shutil.copy(whl[-1], out_dir))
    else:
        made = repack_wheel_module(out_dir)
        if made is None:
            raise SpecError("cannot find the 'wheel' package "
                            "(install python3-wheel-whl or python3-wheel)")
        out.append(made)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--build-tools", action="store_true",
                   help="write setuptools and wheel wheels for offline setup.py builds")
    p.add_argument("spec", nargs="?", help="JSON file: a list of package descriptions")
    args = p.parse_args()
    if not args.spec and not args.build_tools:
        p.error("give SPEC.json or --build-tools")
    try:
        paths = []
        if args.spec:
            with open(args.spec) as fh:
                paths += build(json.load(fh), args.out)
        if args.build_tools:
            paths += build_tools(args.out)
    except (SpecError, OSError, ValueError) as exc:
        print(f"fixtures: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
