#!/usr/bin/env python3
"""Checks the kiosk window on show through AT-SPI: every control named, no control
without a control's role. Writes one line per problem to stdout, prefixed with PAGE.

usage: check-tree.py PAGE
Exit status 0 (problems are the caller's to count), 2 when the tree cannot be read.
"""

import sys

import ek_a11y


def main():
    page = sys.argv[1]
    try:
        window = ek_a11y.active_window(ek_a11y.find_app())
        found = ek_a11y.problems(window)
        count = sum(1 for _ in ek_a11y.walk(window))
    except Exception as error:  # the bus or the kiosk is gone: say so, do not pass
        print(f"{page}: the accessibility tree could not be read: {error}")
        return 2
    if count < 5:
        print(f"{page}: only {count} accessible objects on show: is the tree exported?")
    for problem in found:
        print(f"{page}: {problem}")
    sys.stderr.write(f"a11y: {page}: {count} objects, {len(found)} problem(s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
