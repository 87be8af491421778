#!/usr/bin/env python3
"""check_routes.py SPEC.yaml PROGRAM...: the API description and the
programs' route tables name the same operations.

Every "METHOD PATTERN" line a program prints with --routes (src/common/app.h:
its route table, less the documentation's own ROUTE_DOCS routes) must be an
operation of SPEC (paths./pattern.method, the pattern character for
character, path parameter names included), and every operation of SPEC must
be routed by exactly one program.  Prints one line per difference and exits
1; 0 when they agree; 2 when a program or the spec cannot be read.
Needs PyYAML (Debian's python3-yaml)."""
import subprocess
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ROUTES_TIMEOUT_S = 30


class CheckError(Exception):
    """A program or the spec could not be read."""


def program_routes(program):
    """{(METHOD, pattern)} from `program --routes`; CheckError on anything odd."""
    try:
        r = subprocess.run([program, "--routes"], capture_output=True,
                           timeout=ROUTES_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CheckError(f"{program}: cannot run it: {e}") from e
    if r.returncode != 0:
        raise CheckError(f"{program} --routes exited {r.returncode}: "
                         f"{r.stderr.decode(errors='replace').strip()}")
    routes = set()
    for n, line in enumerate(r.stdout.decode("utf-8").splitlines(), 1):
        parts = line.split(" ")
        if (len(parts) != 2 or parts[0].lower() not in METHODS or
                not parts[1].startswith("/")):
            raise CheckError(f"{program} --routes, line {n}: not "
                             f"\"METHOD /path\": {line!r}")
        if (parts[0], parts[1]) in routes:
            raise CheckError(f"{program} routes {line} twice")
        routes.add((parts[0], parts[1]))
    if not routes:
        raise CheckError(f"{program} --routes printed no route")
    return routes


def spec_operations(doc):
    """{(METHOD, path)} of an OpenAPI document (a dict)."""
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict) or not paths:
        raise CheckError("the spec has no paths")
    ops = set()
    for path, item in paths.items():
        if not isinstance(item, dict):
            raise CheckError(f"paths.{path} is not a Path Item")
        for m in METHODS:
            if m in item:
                ops.add((m.upper(), path))
    return ops


def compare(by_program, ops, spec_name="openapi.yaml"):
    """The differences, as sentences: by_program maps a program's name to
    its routes, ops are the spec's operations."""
    problems = []
    owner = {}
    for prog in sorted(by_program):
        for route in by_program[prog]:
            if route in owner:
                problems.append(f"{route[0]} {route[1]} is routed by both "
                                f"{owner[route]} and {prog}")
            else:
                owner[route] = prog
    for route in sorted(set(owner) - ops):
        problems.append(f"{route[0]} {route[1]} ({owner[route]}) is not "
                        f"described in {spec_name}")
    for op in sorted(ops - set(owner)):
        problems.append(f"{op[0]} {op[1]} is described in {spec_name} but "
                        f"no program routes it")
    return problems


def load_spec(path):
    try:
        with open(path, encoding="utf-8") as f:
            # libyaml's parser when python3-yaml has it: 10x quicker.
            return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as e:
        raise CheckError(f"{path}: {e}") from e


def main(argv):
    if len(argv) < 3:
        print("usage: check_routes.py SPEC.yaml PROGRAM...", file=sys.stderr)
        return 2
    spec, programs = argv[1], argv[2:]
    try:
        ops = spec_operations(load_spec(spec))
        by_program = {p.rsplit("/", 1)[-1]: program_routes(p) for p in programs}
    except CheckError as e:
        print(f"check_routes.py: {e}", file=sys.stderr)
        return 2
    problems = compare(by_program, ops, spec.rsplit("/", 1)[-1])
    for p in problems:
        print(p)
    if problems:
        print(f"check_routes.py: {len(problems)} difference(s) between "
              f"{spec} and the route tables", file=sys.stderr)
        return 1
    n = sum(len(r) for r in by_program.values())
    print(f"check_routes.py: {n} routes of {len(programs)} programs, "
          f"{len(ops)} operations: they agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
