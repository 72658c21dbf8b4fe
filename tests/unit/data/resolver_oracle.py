#!/usr/bin/env python3
"""Random toy dependency graphs, resolved by the resolvelib that pip 23.2
vendors. test_resolver.c resolves the same graphs with safepip's resolver
and must reach the same pins, or the same conflict.

Output, one block per seed:
  case SEED
  pkg NAME VERSION REQ...      REQ is name:op:version (op: any == != >= <)
  root REQ...
  expect NAME=VERSION...       or: impossible REQ@PARENT...
  end
"""
import random
import sys

from pip._vendor.resolvelib import AbstractProvider, BaseReporter, Resolver
from pip._vendor.resolvelib.resolvers import ResolutionImpossible

OPS = ["any", "==", "!=", ">=", "<"]


def ok(op, have, want):
    return {"any": True, "==": have == want, "!=": have != want,
            ">=": have >= want, "<": have < want}[op]


class Toy(AbstractProvider):
    def __init__(self, graph):
        self.graph = graph  # {(name, version): [req, ...]}
        self.versions = {}
        for name, version in graph:
            self.versions.setdefault(name, []).append(version)

    def identify(self, requirement_or_candidate):
        return requirement_or_candidate[0]

    def get_preference(self, identifier, resolutions, candidates, information,
                       backtrack_causes):
        pinned = any(r[1] == "==" for r, _ in information[identifier])
        cause = any(c.requirement[0] == identifier for c in backtrack_causes)
        return (not pinned, not cause, identifier)

    def find_matches(self, identifier, requirements, incompatibilities):
        reqs = list(requirements[identifier])
        bad = {c[1] for c in incompatibilities[identifier]}
        return [(identifier, v) for v in sorted(self.versions.get(identifier, []), reverse=True)
                if v not in bad and all(ok(r[1], v, r[2]) for r in reqs)]

    def is_satisfied_by(self, requirement, candidate):
        return ok(requirement[1], candidate[1], requirement[2])

    def get_dependencies(self, candidate):
        return self.graph[candidate]


def fmt(req):
    return "%s:%s:%d" % req


def main():
    first, count = int(sys.argv[1]), int(sys.argv[2])
    for seed in range(first, first + count):
        rnd = random.Random(seed)
        names = ["p%d" % i for i in range(rnd.randint(3, 9))]
        graph = {}
        for name in names:
            for version in rnd.sample(range(1, 10), rnd.randint(1, 5)):
                deps = {}
                for _ in range(rnd.randint(0, 3)):
                    dep = rnd.choice(names)
                    if dep != name:
                        deps[dep] = (dep, rnd.choice(OPS), rnd.randint(1, 9))
                graph[(name, version)] = list(deps.values())
        roots = {}
        for _ in range(rnd.randint(1, 3)):
            name = rnd.choice(names)
            roots[name] = (name, rnd.choice(OPS), rnd.randint(1, 9))
        print("case %d" % seed)
        for (name, version), deps in sorted(graph.items()):
            print("pkg %s %d %s" % (name, version, " ".join(fmt(d) for d in deps)))
        print("root " + " ".join(fmt(r) for r in roots.values()))
        try:
            result = Resolver(Toy(graph), BaseReporter()).resolve(
                list(roots.values()), max_rounds=10000)
            pins = sorted("%s=%d" % (k, v[1]) for k, v in result.mapping.items())
            print("expect " + " ".join(pins))
        except ResolutionImpossible as e:
            causes = sorted("%s@%s" % (fmt(c.requirement),
                                       "%s=%d" % c.parent if c.parent else "user")
                            for c in e.causes)
            print("impossible " + " ".join(causes))
        print("end")


if __name__ == "__main__":
    main()
