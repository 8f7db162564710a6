#!/usr/bin/env python3
"""asan-pass-targets.py BUILDDIR SUITE...: what the sanitizer pass of scripts/test.sh builds and runs.

Writes BUILDDIR/asan-pass.targets (ninja outputs, relative to BUILDDIR: the compiled
tests of the suites, what they depend on, and the data files every test may read) and
BUILDDIR/asan-pass.tests (those tests' names). The suites' script tests (layering,
sizes, po style, file validators) are left out: a sanitizer changes nothing for them and
the whole suite has run them already.
"""
import json
import os
import subprocess
import sys


def introspect(builddir, what):
    out = subprocess.run(["meson", "introspect", builddir, what], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    builddir, suites = sys.argv[1], set(sys.argv[2:])
    root = os.path.realpath(builddir)
    targets = introspect(builddir, "--targets")
    by_id = {t["id"]: t for t in targets}
    outputs, names = [], []

    def add(target):
        for filename in target["filename"]:
            rel = os.path.relpath(os.path.realpath(filename), root)
            if rel not in outputs:
                outputs.append(rel)

    for test in introspect(builddir, "--tests"):
        if not {s.split(":")[-1] for s in test["suite"]} & suites:
            continue
        if not os.path.realpath(test["cmd"][0]).startswith(root + os.sep):
            continue
        names.append(test["name"])
        for dep in test["depends"]:
            if dep in by_id:
                add(by_id[dep])
    for target in targets:
        if target["type"] == "custom" and target["build_by_default"]:
            add(target)

    with open(os.path.join(builddir, "asan-pass.targets"), "w") as f:
        f.write("\n".join(outputs) + "\n")
    with open(os.path.join(builddir, "asan-pass.tests"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{len(names)} tests, {len(outputs)} outputs")


if __name__ == "__main__":
    main()
