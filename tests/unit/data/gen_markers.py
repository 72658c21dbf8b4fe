#!/usr/bin/python3
"""Writes the PEP 508 marker tables used by tests/unit/test_marker.c.

Expected values come from packaging 23.0 (Debian's python3-packaging, run
with /usr/bin/python3). Where packaging raises instead of answering, the
row records safepip's documented rule (docs/requirements.md) computed here
with Python's own operators:
  - a version-like comparison whose other side is not a valid version
    (platform_release >= "5.0" on "5.15.0-76-generic") compares strings;
  - "===" on non-versions is case-insensitive string equality.
Extras: a marker holds when it holds for any requested extra, or for ""
when none are requested (pip evaluates it once per extra).

    /usr/bin/python3 tests/unit/data/gen_markers.py

marker-eval.txt: "@env NAME" lines with tab-separated key=value pairs,
then rows: marker, env name, extras (comma-separated, "-" for none),
expected (1, 0, or E for an evaluation error).
marker-invalid.txt: one marker per line that must not parse.
"""
import json
import operator
import os
import subprocess
import sys

from packaging.markers import InvalidMarker, Marker, UndefinedComparison
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

HERE = os.path.dirname(os.path.abspath(__file__))

ENVS = {
    "linux311": {
        "python_version": "3.11", "python_full_version": "3.11.4", "os_name": "posix",
        "sys_platform": "linux", "platform_release": "5.15.0-76-generic",
        "platform_system": "Linux", "platform_version": "#83-Ubuntu SMP Thu Jun 15 19:16:32 UTC 2023",
        "platform_machine": "x86_64", "platform_python_implementation": "CPython",
        "implementation_name": "cpython", "implementation_version": "3.11.4",
    },
    "win38": {
        "python_version": "3.8", "python_full_version": "3.8.10", "os_name": "nt",
        "sys_platform": "win32", "platform_release": "10", "platform_system": "Windows",
        "platform_version": "10.0.19045", "platform_machine": "AMD64",
        "platform_python_implementation": "CPython", "implementation_name": "cpython",
        "implementation_version": "3.8.10",
    },
    "mac312rc": {
        "python_version": "3.12", "python_full_version": "3.12.0rc1", "os_name": "posix",
        "sys_platform": "darwin", "platform_release": "22.6.0", "platform_system": "Darwin",
        "platform_version": "Darwin Kernel Version 22.6.0", "platform_machine": "arm64",
        "platform_python_implementation": "CPython", "implementation_name": "cpython",
        "implementation_version": "3.12.0rc1",
    },
    "pypy39": {
        "python_version": "3.9", "python_full_version": "3.9.16", "os_name": "posix",
        "sys_platform": "linux", "platform_release": "6.1.0-10-amd64",
        "platform_system": "Linux", "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.38-1",
        "platform_machine": "aarch64", "platform_python_implementation": "PyPy",
        "implementation_name": "pypy", "implementation_version": "7.3.12",
    },
}

MARKERS = [
    'python_version >= "3.8"', 'python_version < "3.9"', 'python_version == "3.11"',
    'python_version != "3.11"', 'python_version > "3.8"', 'python_version <= "3.8"',
    'python_version ~= "3.8"', 'python_version ~= "3.11"', 'python_version == "3.*"',
    'python_version != "3.1*"', 'python_version === "3.11"', 'python_version in "3.8 3.9"',
    'python_version not in "3.8 3.9"', '"3.9" > python_version', '"3.10" <= python_version',
    'python_full_version >= "3.11.0"', 'python_full_version < "3.12"',
    'python_full_version >= "3.12.0"', 'python_full_version >= "3.12.0rc1"',
    'python_full_version == "3.12.*"', 'python_full_version > "3.8.9"',
    'python_full_version ~= "3.8.0"', 'python_full_version === "3.12.0RC1"',
    'os_name == "posix"', 'os_name == "nt"', 'os_name != "nt"', "os.name == 'posix'",
    'sys_platform == "linux"', 'sys_platform == "win32"', 'sys_platform != "darwin"',
    '"linux" in sys_platform', '"lin" in sys_platform', "sys.platform == 'darwin'",
    'sys_platform < "m"', 'sys_platform >= "linux2"',
    'platform_release >= "5.0"', 'platform_release < "6"', 'platform_release == "10"',
    'platform_release == "5.15.0-76-generic"', 'platform_release > "22"',
    'platform_release ~= "22.6"', 'platform_release === "10"',
    'platform_system == "Linux"', 'platform_system == "Windows"', 'platform_system != "Darwin"',
    'platform_version >= "10.0"', '"SMP" in platform_version', '"Debian" not in platform_version',
    "platform.version == '10.0.19045'",
    'platform_machine == "x86_64"', 'platform_machine in "x86_64 AMD64"',
    'platform_machine == "arm64" or platform_machine == "aarch64"', "platform.machine != 'arm64'",
    'platform_python_implementation == "CPython"', 'platform_python_implementation != "PyPy"',
    "platform.python_implementation == 'PyPy'", 'python_implementation == "CPython"',
    'implementation_name == "cpython"', 'implementation_name == "pypy"',
    'implementation_version >= "3.9"', 'implementation_version < "7"',
    'implementation_version ~= "7.3"', 'implementation_version == "3.12.0rc1"',
    'extra == "test"', 'extra == "Test"', 'extra == "TEST_extra"', 'extra != "test"',
    '"test" == extra', 'extra == "doc.s"', 'extra in "test docs"', 'extra == ""',
    'extra not in "test"',
    'python_version >= "3.8" and sys_platform == "linux"',
    'python_version >= "3.8" and sys_platform == "linux" and platform_machine == "x86_64"',
    'python_version < "3.9" or sys_platform == "darwin"',
    'python_version < "3.9" or sys_platform == "darwin" or implementation_name == "pypy"',
    'python_version >= "3.9" and (sys_platform == "linux" or sys_platform == "darwin")',
    '(python_version >= "3.9" and sys_platform == "linux") or sys_platform == "darwin"',
    'python_version >= "3.9" and sys_platform == "linux" or sys_platform == "darwin"',
    'sys_platform == "darwin" or python_version >= "3.9" and sys_platform == "linux"',
    '((python_version >= "3.9"))', '(extra == "test") and python_version > "3.8"',
    'extra == "test" or extra == "docs"', 'extra == "test" and extra == "docs"',
    'extra != "test" and extra != "docs"', '(extra == "test" or extra == "docs") and os_name == "nt"',
    'python_version>"3.8"and os_name=="posix"', "python_version\t>=\t'3.8'",
    '  os_name == "posix"  ', 'python_version=="3.11"or os_name=="nt"',
    "sys_platform == 'linux' and 'x86' in platform_machine",
    'os_name == "posix" and (implementation_name == "cpython" and (python_version >= "3.9" or extra == "legacy"))',
    'platform_release >= "5.15" and platform_release < "6"',
    'python_full_version != "3.12.0rc1"', 'python_full_version < "3.12.0"',
    'implementation_version > "3.12.0"', 'implementation_version > "3.12.0a1"',
    'python_version > "3.11.0"', 'python_version >= "3.11.post1"', 'python_version == "3.11.0"',
    'python_version != "3.11.0+local"', 'python_version == "3.11+local"',
    'python_version < "3.11.dev0"', 'os_name ~= "posix"', 'sys_platform ~= "1.0"',
    'python_version ~= "3"', 'platform_machine === "X86_64"', 'platform_version === "10.0.19045"',
    'os_name === "POSIX"', '"a\'b" == os_name', "'say \"hi\"' != os_name",
]

INVALID = [
    '', 'python_version', 'python_version >=', '>= "3.8"', 'python_version >= 3.8',
    'python_version >= "3.8', "python_version >= '3.8\"", 'python_version => "3.8"',
    'python_version = "3.8"', 'python_version >= "3.8" and', 'and python_version >= "3.8"',
    'python_version >= "3.8" or or os_name == "nt"', '(python_version >= "3.8"',
    'python_version >= "3.8")', '()', 'python_versions >= "3.8"', 'foo == "bar"',
    'python_version not "3.8"', 'python_version not  "3"', 'python_version notin "3.8"',
    'os_name is "nt"', 'python_version >= "3.8" && os_name == "nt"',
    'os_name == "nt" AND python_version > "3"', 'OS_NAME == "nt"', 'os_name == "nt" ;',
    'python_version >= "3.8" os_name == "nt"', 'extrax == "a"',
    'os_nam == "nt"', 'os_name == nt', 'python_version >= u"3.8"', 'python_version <> "3.8"',
    'platform.release == "5"', 'os_name in', '"a" in', 'os_name !== "nt"',
]
# Accepted by packaging's grammar, refused by safepip: nothing to evaluate.
STRICTER = ['"a" == "a"', '"3.8" < "3.9"', 'os_name == sys_platform',
            'python_version >= python_full_version', '"a" in "abc"',
            'os_name == "nt" andpython_version > "3"']

OPS = {"<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
       ">=": operator.ge, ">": operator.gt}


def fallback(m, env):
    """Evaluates m with safepip's rule where packaging raises."""
    def ev(node):
        if isinstance(node, list):
            groups = [[]]
            for item in node:
                if item == "and":
                    continue
                if item == "or":
                    groups.append([])
                    continue
                groups[-1].append(ev(item))
            return any(all(g) for g in groups)
        lhs, op, rhs = node
        var_left = lhs.__class__.__name__ == "Variable"
        if var_left:
            lv, rv, key = env[lhs.value], rhs.value, lhs.value
        else:
            lv, rv, key = lhs.value, env[rhs.value], rhs.value
        if key == "extra":
            lv, rv = canonicalize_name(lv), canonicalize_name(rv)
        o = op.value
        if o == "in":
            return lv in rv
        if o == "not in":
            return lv not in rv
        try:
            spec = Specifier(o + rv)
            return spec.contains(Version(lv), prereleases=True)
        except (InvalidSpecifier, InvalidVersion):
            pass
        if o in OPS:
            return OPS[o](lv, rv)
        if o == "===" and rv and not any(c.isspace() for c in rv):
            return lv.lower() == rv.lower()
        raise UndefinedComparison(o)
    return ev(m._markers)


def evaluate(text, env, extras):
    m = Marker(text)
    results = []
    for extra in (extras or [""]):
        e = dict(env, extra=extra)
        try:
            results.append(m.evaluate(e))
        except InvalidVersion:
            results.append(fallback(m, e))
        if results[-1]:
            break
    return any(results)


rows = []
for text in MARKERS:
    for name, env in ENVS.items():
        for extras in ([], ["test"], ["Docs", "TEST"]) if "extra" in text else ([],):
            try:
                want = "1" if evaluate(text, env, extras) else "0"
            except UndefinedComparison:
                want = "E"
            rows.append("\t".join([text.replace("\t", "\\t"), name,
                                   ",".join(extras) or "-", want]))

# packaging 23.0 ignores text after a complete marker (a bug fixed later),
# so invalid markers are checked against the packaging 21.3 pip 23.2 vendors.
probe = """
import json, sys
from pip._vendor.packaging.markers import InvalidMarker, Marker
ok = []
for t in json.load(sys.stdin):
    try:
        Marker(t); ok.append(t)
    except InvalidMarker:
        pass
print(json.dumps(ok))
"""
res = subprocess.run([os.environ.get("PIP_PYTHON", "python3"), "-c", probe],
                     capture_output=True, text=True, input=json.dumps(INVALID))
if res.returncode != 0:
    sys.exit("gen: pip's vendored packaging is needed (set PIP_PYTHON): " + res.stderr)
if json.loads(res.stdout):
    sys.exit(f"gen: markers valid after all: {json.loads(res.stdout)}")
for text in STRICTER:
    Marker(text)

HEADER = "# Generated by gen_markers.py from the packaging library; do not edit.\n"
with open(os.path.join(HERE, "marker-eval.txt"), "w") as f:
    f.write(HEADER)
    for name, env in ENVS.items():
        f.write("@env\t" + name + "\t" + "\t".join(f"{k}={v}" for k, v in env.items()) + "\n")
    for r in rows:
        f.write(r + "\n")
with open(os.path.join(HERE, "marker-invalid.txt"), "w") as f:
    f.write(HEADER)
    f.write("# The last lines parse in packaging but have no variable or two of them.\n")
    for text in INVALID + STRICTER:
        f.write(text + "\n")
print(f"gen: {len(rows)} marker rows, {len(INVALID) + len(STRICTER)} invalid", file=sys.stderr)
