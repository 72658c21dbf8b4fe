#!/usr/bin/env python3
"""Random wheel-only package indexes for the resolver's differential test.

    indexgen.py --seed N --out DIR [--size small|large]

Writes real wheels (through fixtures.py) of random dependency graphs into DIR,
DIR/index.json (yanked files, upload times), DIR/request.txt (the top-level
requirements) and DIR/meta.json:
  {"seed", "size", "solvable": true|false, "needs_backtracking": bool,
   "solution": {name: version} | null, "nodes": N}
The same seed always gives the same bytes.

The graphs mix what a resolver must get right: extras (some requested that do
not exist), environment markers (some false on any CPython 3 on Linux, some of
those naming projects that do not exist), pre-releases (skipped unless a
specifier names one, or a bare requirement finds nothing else), yanked files
(skipped unless pinned with == and nothing else matches), Requires-Python
exclusions (always false or always true on Python 3.7 and later), name
normalisation (requirements spell names with other case and separators) and
conflicts that the newest versions alone cannot satisfy.

"solvable" comes from an exhaustive search here that models pip 23.2's rules
(packaging 21.3's SpecifierSet.filter for pre-releases, PEP 592 for yanked
files, the merged specifier of every requirement on a name). A request is
kept only when the answer does not hang on the order pip meets requirements
in: it has no solution even with the rules that widen a candidate set, or it
has one without them (see pip_candidates). Requests the search cannot decide
within its node budget are drawn again; large indexes (and any draw that
fails) get a planted solvable request instead (see plant). "needs_backtracking"
is true when a newest-first search without backtracking fails. "solution" is
a valid solution: pip may pick another one. tests/support/README.md has more.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"]
# Markers whose value is the same on any CPython 3 on Linux.
TRUE_MARKERS = ['python_version >= "3"', 'os_name == "posix"', 'sys_platform == "linux"',
                'platform_python_implementation == "CPython"']
FALSE_MARKERS = ['python_version < "3"', 'sys_platform == "win32"', 'os_name == "nt"',
                 'implementation_name == "pypy"']
# Requires-Python values that hold, or fail, on every Python from 3.7 on.
RP_TRUE = [">=3.7", ">=3", "!=3.0.*,>=2.7"]
RP_FALSE = [">=4", "<3", "==2.7.*"]
PRE_KINDS = {"a": 0, "b": 1, "rc": 2}
# bare: how often a dependency has no specifier (denser constraints make big
# graphs almost never solvable).
SIZES = {"small": {"projects": (6, 9), "versions": (2, 4), "deps": (0, 2), "reach": 4,
                   "bare": 0.2},
         "large": {"projects": (28, 36), "versions": (3, 6), "deps": (0, 2), "reach": 6,
                   "bare": 0.45}}
NODE_BUDGET = 20000  # per request tried
TOTAL_BUDGET = 80000  # over all requests tried for one index, to bound the run time


# ---------------------------------------------------------------------------
# The version and specifier model (only the forms this generator writes).

class Version:
    __slots__ = ("major", "minor", "pre", "key", "is_pre")

    def __init__(self, major, minor, pre=None):
        self.major, self.minor, self.pre = major, minor, pre
        self.key = (major, minor) + ((1,) if pre is None else (0, PRE_KINDS[pre[0]], pre[1]))
        self.is_pre = pre is not None

    def __str__(self):
        return f"{self.major}.{self.minor}" + (f"{self.pre[0]}{self.pre[1]}" if self.pre else "")


class Spec:
    """One clause: op in ==, !=, >=, <=, >, <, ~=, ==* (prefix on the major)."""

    def __init__(self, op, version):
        self.op, self.v = op, version

    def __str__(self):
        if self.op == "==*":
            return f"=={self.v.major}.*"
        return f"{self.op}{self.v}"

    @property
    def names_pre(self):
        # packaging 21.3: Specifier.prereleases
        return self.op in ("==", ">=", "<=", "~=") and self.v.is_pre

    def contains(self, v, prereleases):
        if v.is_pre and not prereleases:
            return False
        k, s = v.key, self.v.key
        if self.op == "==":
            return k == s
        if self.op == "!=":
            return k != s
        if self.op == ">=":
            return k >= s
        if self.op == "<=":
            return k <= s
        if self.op == ">":
            return k > s
        if self.op == "<":
            # PEP 440: <V excludes pre-releases of V unless V is one.
            if k >= s:
                return False
            return self.v.is_pre or not (v.is_pre and (v.major, v.minor) ==
                                         (self.v.major, self.v.minor))
        if self.op == "~=":
            return k >= s and v.major == self.v.major
        if self.op == "==*":
            return v.major == self.v.major
        raise AssertionError(self.op)


class Req:
    def __init__(self, project, spelled, specs, extras=(), marker=None, marker_true=True):
        self.project, self.spelled, self.specs = project, spelled, list(specs)
        self.extras, self.marker, self.marker_true = tuple(extras), marker, marker_true

    def __str__(self):
        s = self.spelled
        if self.extras:
            s += "[" + ",".join(self.extras) + "]"
        s += ",".join(str(x) for x in self.specs)
        if self.marker:
            s += f" ; {self.marker}"
        return s


class Release:
    def __init__(self, project, version):
        self.project, self.version = project, version
        self.deps, self.extras = [], {}
        self.rp, self.rp_ok, self.yanked = None, True, False


def pip_candidates(releases, specs, strict=False):
    """The versions pip 23.2 would offer for the merged specifier `specs`.
    strict leaves out the two rules under which one more requirement can widen
    the set (a specifier naming a pre-release; an == pin on yanked files):
    pip meets requirements one at a time, so a solution that needs a widening
    may or may not be found depending on the order they come in."""
    avail = [r for r in releases if r.rp_ok]
    if not specs:
        finals = [r for r in avail if not r.version.is_pre]
        matching = finals or [r for r in avail if r.version.is_pre]
    else:
        pre = any(s.names_pre for s in specs) and not strict
        matching = [r for r in avail if all(s.contains(r.version, pre) for s in specs)]
    pinned = any(s.op == "==" for s in specs)  # pip: == without a wildcard
    if matching and all(r.yanked for r in matching) and pinned and not strict:
        return matching
    return [r for r in matching if not r.yanked]


class Solver:
    def __init__(self, projects, top, strict=False):
        self.projects = projects  # {project: [Release]} newest first
        self.top = [r for r in top if r.marker_true]
        self.strict = strict
        self.nodes = 0

    def collect(self, assign):
        """({project: [Req]}, projects in the order first required) for an assignment."""
        reqs, extras, order, work = {}, {}, [], []

        def add(req):
            if not req.marker_true:
                return
            p = req.project
            if p not in reqs:
                reqs[p], extras[p] = [], set()
                order.append(p)
            reqs[p].append(req)
            for e in req.extras:
                if e not in extras[p]:
                    extras[p].add(e)
                    if p in assign:  # extras pull in more dependencies of that release
                        work.append((p, e))

        for r in self.top:
            add(r)
        work += [(name, None) for name in assign]
        while work:
            name, extra = work.pop()
            rel = assign[name]
            for d in (rel.deps if extra is None else rel.extras.get(extra, [])):
                add(d)
        return reqs, order

    def allowed(self, name, rel, reqs):
        """Whether pip 23.2 would accept rel given every requirement on its project.
        A requirement with extras is its own identifier there (name[extras]) whose
        candidates come from the index under the merged specifier of that group;
        the plain project then only has to satisfy its specifiers."""
        groups = {}
        for r in reqs:
            if r.extras:
                groups.setdefault(frozenset(r.extras), []).extend(r.specs)
        releases = self.projects[name]
        if not groups:
            return rel in pip_candidates(releases, [s for r in reqs for s in r.specs], self.strict)
        return all(rel in pip_candidates(releases, specs, self.strict)
                   for specs in groups.values())

    def check(self, assign):
        """Whether assign is a complete solution under the solver's rules."""
        reqs, order = self.collect(assign)
        return all(n in assign and n in self.projects for n in order) and all(
            all(s.contains(rel.version, True) for r in reqs[n] for s in r.specs)
            and self.allowed(n, rel, reqs[n]) for n, rel in assign.items())

    def solve(self, greedy=False):
        self.nodes = 0
        try:
            return self._solve({}, greedy)
        except OverflowError:
            return "budget"

    def _solve(self, assign, greedy):
        self.nodes += 1
        if self.nodes > NODE_BUDGET:
            raise OverflowError
        reqs, order = self.collect(assign)
        specs = {n: [s for r in rs for s in r.specs] for n, rs in reqs.items()}
        for name, rel in assign.items():
            if not all(s.contains(rel.version, True) for s in specs[name]):
                return None
        todo = [n for n in order if n not in assign]
        if not todo:
            for name, rel in assign.items():
                if not self.allowed(name, rel, reqs[name]):
                    return None
            return dict(assign)
        # Forward checking: every project still to pick needs a release left,
        # and the one with the fewest goes first.
        best = None
        for n in todo:
            cands = [r for r in self.projects.get(n, []) if r.rp_ok and
                     all(s.contains(r.version, True) for s in specs[n])]
            if not cands:
                return None
            if best is None or len(cands) < len(best[1]):
                best = (n, cands)
        name, cands = best
        if greedy:
            cands = [r for r in cands if self.allowed(name, r, reqs[name])][:1]
        for rel in cands:
            assign[name] = rel
            found = self._solve(assign, greedy)
            if found:
                return found
            del assign[name]
        return None


# ---------------------------------------------------------------------------
# Generation.

def spell(rng, name):
    """The name as a requirement may write it: other case and separators."""
    r = rng.random()
    if r < 0.2:
        return name.replace("-", "_").upper()
    if r < 0.35:
        return name.replace("-", ".").title()
    return name


def make_versions(rng, n):
    out, major, minor = [], rng.randint(0, 2), 0
    for _ in range(n):
        if rng.random() < 0.35:
            major, minor = major + 1, 0
        else:
            minor += rng.randint(1, 3)
        out.append(Version(major, minor))
    if rng.random() < 0.2:  # a pre-release of the next version, newer than all finals
        last = out[-1]
        out.append(Version(last.major, last.minor + 1, (rng.choice(list(PRE_KINDS)),
                                                        rng.randint(1, 3))))
    return out


def make_specs(rng, versions, bare):
    if rng.random() < bare:
        return []
    pivot = rng.choice(versions)
    ops = ["==", "!=", ">=", "<=", ">", "<", "~=", "==*"] if not pivot.is_pre else [">=", "=="]
    specs = [Spec(rng.choice(ops), pivot)]
    if rng.random() < 0.25 and specs[0].op in (">=", ">"):
        hi = [v for v in versions if v.key > pivot.key]
        if hi:
            specs.append(Spec("<", rng.choice(hi)))
    return specs


def make_req(rng, project, releases, extras_known, bare=0.2):
    versions = [r.version for r in releases]
    extras = ()
    if extras_known and rng.random() < 0.3:
        extras = (rng.choice(sorted(extras_known)),)
    elif rng.random() < 0.05:
        extras = ("nosuchextra",)
    marker, truth = None, True
    if rng.random() < 0.15:
        marker, truth = rng.choice(TRUE_MARKERS), True
    elif rng.random() < 0.1:
        marker, truth = rng.choice(FALSE_MARKERS), False
    return Req(project, spell(rng, project), make_specs(rng, versions, bare), extras,
               marker, truth)


def generate(seed, size):
    rng = random.Random(f"safepip-indexgen-{seed}-{size}")
    cfg = SIZES[size]
    n = rng.randint(*cfg["projects"])
    words = rng.sample(WORDS, min(n, len(WORDS)))
    names = [(words[i % len(words)] + ("" if i < len(words) else f"-{i}")) for i in range(n)]
    names = [f"{w}-{'lib' if i % 3 == 0 else 'pkg'}" for i, w in enumerate(names)]
    projects = {}
    for name in names:
        count = rng.randint(*cfg["versions"])
        projects[name] = [Release(name, v) for v in make_versions(rng, count)]
    for name in names:
        if rng.random() < 0.08:  # a project with pre-releases only
            for r in projects[name]:
                if not r.version.is_pre:
                    r.version = Version(r.version.major, r.version.minor, ("rc", 1))
    extras_of = {}
    for i, name in enumerate(names):
        rels = projects[name]
        for r in rels:
            if rng.random() < 0.25:
                extras_of.setdefault(name, set()).add("feat")
        below = names[i + 1:i + 1 + cfg["reach"]]
        for r in rels:
            for dep in rng.sample(below, min(len(below), rng.randint(*cfg["deps"]))):
                r.deps.append(make_req(rng, dep, projects[dep], set(), cfg["bare"]))
            if rng.random() < 0.08:
                r.deps.append(Req("no-such-project", "no-such-project", [], (),
                                  rng.choice(FALSE_MARKERS), False))
            if rng.random() < 0.2:
                r.rp = rng.choice(RP_TRUE)
    # Extras are given to releases after all plain dependencies exist.
    for i, name in enumerate(names):
        below = names[i + 1:i + 1 + cfg["reach"]]
        for r in projects[name]:
            if name in extras_of and below and rng.random() < 0.7:
                dep = rng.choice(below)
                r.extras["feat"] = [make_req(rng, dep, projects[dep], set(), cfg["bare"])]
            if r.deps and rng.random() < 0.3:
                d = rng.choice(r.deps)
                if d.project in extras_of and d.marker_true:
                    d.extras = ("feat",)
    # The newest releases are where exclusions hurt: yanked, or for another Python.
    for name in names:
        rels = sorted(projects[name], key=lambda r: r.version.key, reverse=True)
        projects[name] = rels
        for r in rels[:2]:
            x = rng.random()
            if x < 0.15:
                r.yanked = rng.choice([True, "broken build"])
            elif x < 0.3:
                r.rp, r.rp_ok = rng.choice(RP_FALSE), False
    return rng, names, projects, extras_of


def plant(rng, names, projects, extras_of):
    """A request with a solution by construction: one final, unyanked, installable
    release per project is chosen, and every requirement the chosen releases
    (and the request) make is adjusted to admit the chosen version of its
    target. The other releases keep their random, often conflicting, needs."""
    plants = {}
    for name in names:
        ok = [r for r in projects[name] if not r.version.is_pre and not r.yanked and r.rp_ok]
        if ok:
            plants[name] = rng.choice(ok)

    def fit(req):
        if req.project not in plants:  # nothing installable there: keep it out
            req.marker, req.marker_true = rng.choice(FALSE_MARKERS), False
            return
        chosen = plants[req.project].version
        if not all(s.contains(chosen, False) for s in req.specs):
            req.specs = [Spec(rng.choice([">=", "<=", "==", "==*", "~="]), chosen)]

    pool = [n for n in names[:max(4, len(names) // 2)] if n in plants]
    k = min(len(pool), rng.randint(2, 4) if len(names) < 20 else rng.randint(3, 6))
    top = [make_req(rng, c, projects[c], extras_of.get(c, set()), 0.4)
           for c in rng.sample(pool, k)]
    assign, extras, work = {}, {}, []

    def reach(req):
        if not req.marker_true:
            return
        fit(req)
        if not req.marker_true:
            return
        p = req.project
        if p not in assign:
            assign[p] = plants[p]
            extras[p] = set()
            work.append((p, None))
        for e in req.extras:
            if e not in extras[p]:
                extras[p].add(e)
                work.append((p, e))

    for r in top:
        reach(r)
    while work:
        name, extra = work.pop()
        rel = assign[name]
        for d in (rel.deps if extra is None else rel.extras.get(extra, [])):
            reach(d)
    return top, assign


def pick_request(rng, names, projects, extras_of, size):
    """Top-level requirements; solvable most of the time, preferably needing backtracking."""
    want_solvable = rng.random() < 0.8
    best = None
    spent = 0
    # Big random graphs rarely give a decidable solvable request: plant one.
    for attempt in range(0 if want_solvable and size == "large" else 60):
        if spent > TOTAL_BUDGET and best is not None:
            break
        k = rng.randint(2, 4) if size == "small" else rng.randint(3, 6)
        chosen = rng.sample(names[:max(k, len(names) // 2)], k)
        top = [make_req(rng, c, projects[c], extras_of.get(c, set()), 0.4) for c in chosen]
        solver = Solver(projects, top)
        sol = solver.solve()
        spent += solver.nodes
        if sol == "budget":
            continue
        nodes = solver.nodes
        greedy = None
        if sol is not None:
            # Solvable only through a widening rule: pip's answer depends on order.
            solver = Solver(projects, top, strict=True)
            sol = solver.solve()
            spent += solver.nodes
            if sol is None or sol == "budget":
                continue
            nodes += solver.nodes
            greedy = solver.solve(greedy=True)
            spent += solver.nodes
        cand = (top, sol, greedy, nodes)
        if want_solvable == (sol is not None):
            if sol is None or greedy is None or attempt >= 40:
                return cand
            best = best or cand
        elif best is None and (attempt >= 50 or spent > TOTAL_BUDGET):
            best = cand
    if best is not None:
        return best
    top, sol = plant(rng, names, projects, extras_of)
    solver = Solver(projects, top, strict=True)
    if not solver.check(sol):
        raise SystemExit("indexgen: internal error: the planted solution does not hold")
    greedy = solver.solve(greedy=True)
    return top, sol, (None if greedy == "budget" else greedy), solver.nodes


def release_spec(rel):
    spec = {"name": rel.project.replace("-", "_").title() if len(rel.project) % 2 else rel.project,
            "version": str(rel.version),
            "requires": [str(d) for d in rel.deps],
            "files": {f"{fixtures.import_name(rel.project)}/__init__.py":
                      f"__version__ = {str(rel.version)!r}\n"}}
    if rel.extras:
        spec["extras"] = {e: [str(d) for d in ds] for e, ds in rel.extras.items()}
    if rel.rp:
        spec["requires_python"] = rel.rp
    return spec


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--size", choices=sorted(SIZES), default="small")
    args = p.parse_args()
    rng, names, projects, extras_of = generate(args.seed, args.size)
    top, sol, greedy, nodes = pick_request(rng, names, projects, extras_of, args.size)
    os.makedirs(args.out, exist_ok=True)
    index = {}
    for i, name in enumerate(names):
        for j, rel in enumerate(projects[name]):
            path = fixtures.build_one(release_spec(rel), args.out)
            entry = {"upload-time": f"2024-{1 + i % 12:02d}-{1 + j:02d}T03:04:05Z"}
            if rel.yanked:
                entry["yanked"] = rel.yanked
            index[os.path.basename(path)] = entry
    with open(os.path.join(args.out, "index.json"), "w") as fh:
        json.dump(index, fh, indent=1, sort_keys=True)
        fh.write("\n")
    with open(os.path.join(args.out, "request.txt"), "w") as fh:
        fh.write(f"# indexgen seed {args.seed} size {args.size}\n")
        fh.write("".join(f"{r}\n" for r in top))
    meta = {"seed": args.seed, "size": args.size, "solvable": sol is not None,
            "needs_backtracking": sol is not None and greedy is None,
            "solution": ({k: str(v.version) for k, v in sorted(sol.items())}
                         if sol is not None else None),
            "nodes": nodes}
    with open(os.path.join(args.out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
