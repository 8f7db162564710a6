#!/usr/bin/env python3
"""Every GStreamer element the code names is provided by a package the kiosk's Debian
package depends on.

    tests/install/check-gst-depends.py SRCDIR [BINARY]

Element names come from gst_element_factory_make()/_find() arguments and from the pipeline
descriptions (string literals, adjacent ones joined as the compiler joins them) in client/
and ui/: in gst-launch syntax a bare word is an element; key=value, caps, pad references
and printf conversions are not. A property whose value is an element factory
(splitmuxsink's muxer=, sink=) names one too. gst-inspect-1.0 finds each element's plugin
file and dpkg -S the package that ships it; that package must be in debian/control's
Depends of exam-kiosk, or be a library the binary links (what ${shlibs:Depends} brings).
Exit 77 (skip) without gst-inspect-1.0 or dpkg.
"""

import os
import re
import shutil
import subprocess
import sys

WORD = re.compile(r"^[a-z][a-z0-9_-]*[a-z0-9]$")
ELEMENT_PROPERTIES = ("muxer", "sink", "video-sink", "audio-sink", "video-filter")


def c_sources(root):
    for folder in ("client", "ui"):
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if name.endswith(".c"):
                    yield os.path.join(dirpath, name)


def strip_comments(text):
    # Keeps string literals intact: a comment opener inside a literal is not a comment.
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


LITERAL_RUN = re.compile(r'(?:"(?:[^"\\\n]|\\.)*"(?:\s*(?:G_G[UI]*INT64_FORMAT|G_GSIZE_FORMAT)\s*)?\s*)+')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def literal_runs(code):
    """The string literals, adjacent ones joined (format macros in between as %d)."""
    for match in LITERAL_RUN.finditer(code):
        yield "%d".join(LITERAL.findall(match.group(0))) if re.search(
            r"G_G[UI]*INT64_FORMAT|G_GSIZE_FORMAT", match.group(0)) else "".join(
            LITERAL.findall(match.group(0))), match.start()


PROPERTY = re.compile(r"^[a-z][a-z0-9-]*=\S+$")


def is_description(text):
    """A link ("!" on its own), or one element with its properties ("ximagesrc a=b")."""
    tokens = text.split()
    if "!" in tokens:
        return True
    return (len(tokens) > 1 and WORD.match(tokens[0]) is not None
            and all(PROPERTY.match(t) for t in tokens[1:]))


def elements_in_description(text):
    found = set()
    text = re.sub(r'\\"[^"\\]*\\"', "X", text)  # quoted property values
    for token in text.split():
        if token == "!" or "%" in token:
            continue
        if "=" in token:
            key, _, value = token.partition("=")
            if key in ELEMENT_PROPERTIES and WORD.match(value):
                found.add(value)
            continue
        if WORD.match(token):
            found.add(token)
    return found


def named_elements(root):
    found = {}
    factory = re.compile(r'gst_element_factory_(?:make|make_full|find)\s*\(\s*"([a-z0-9_-]+)"')
    for path in c_sources(root):
        with open(path, encoding="utf-8") as f:
            code = strip_comments(f.read())
        rel = os.path.relpath(path, root)
        for name in factory.findall(code):
            found.setdefault(name, rel)
        for text, _ in literal_runs(code):
            if is_description(text):
                for name in elements_in_description(text):
                    found.setdefault(name, rel)
    return found


def control_depends(root):
    with open(os.path.join(root, "debian", "control"), encoding="utf-8") as f:
        paragraphs = f.read().split("\n\n")
    for para in paragraphs:
        if re.search(r"^Package:\s*exam-kiosk\s*$", para, re.M):
            lines = [l for l in para.splitlines() if not l.startswith("#")]
            text = "\n".join(lines)
            m = re.search(r"^Depends:(.*?)(?=^\S|\Z)", text, re.M | re.S)
            packages = set()
            for alternative in m.group(1).replace("\n", " ").split(","):
                for choice in alternative.split("|"):
                    name = choice.strip().split(" ")[0]
                    if name and not name.startswith("${"):
                        packages.add(name.split(":")[0])
            return packages
    sys.exit("check-gst-depends: no exam-kiosk package in debian/control")


def dpkg_owners(paths):
    """{path: set of packages} in one dpkg -S call (each call costs a second or so)."""
    queries = {}
    for path in paths:
        for candidate in {path, os.path.realpath(path),
                          re.sub(r"^/usr/lib/", "/lib/", os.path.realpath(path)),
                          re.sub(r"^/lib/", "/usr/lib/", path)}:
            queries.setdefault(candidate, path)
    r = subprocess.run(["dpkg", "-S", *queries], capture_output=True, text=True)
    owners = {path: set() for path in paths}
    for line in r.stdout.splitlines():
        packages, _, found = line.partition(": ")
        if found in queries:
            owners[queries[found]] |= {p.strip().split(":")[0] for p in packages.split(",")}
    return owners


def linked_packages(binary):
    """The packages of the shared libraries the binary links: ${shlibs:Depends}."""
    if binary is None or not os.path.exists(binary):
        return set()
    r = subprocess.run(["ldd", binary], capture_output=True, text=True)
    libraries = [m.group(1) for m in (re.search(r"=>\s*(/\S+)", l) for l in r.stdout.splitlines()) if m]
    packages = set()
    for found in dpkg_owners(libraries).values():
        packages |= found
    return packages


def main():
    root = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else None
    if shutil.which("gst-inspect-1.0") is None or shutil.which("dpkg") is None:
        print("check-gst-depends: gst-inspect-1.0 or dpkg not found")
        return 77

    depends = control_depends(root)
    linked = linked_packages(binary)
    elements = named_elements(root)
    if not elements:
        print("check-gst-depends: no element found in the code: the scanner is broken")
        return 1

    failures = 0
    plugin_files = {}
    for name in sorted(elements):
        r = subprocess.run(["gst-inspect-1.0", name], capture_output=True, text=True)
        m = re.search(r"^\s*Filename\s+(\S+)", r.stdout, re.M)
        if r.returncode != 0 or not m:
            print(f"FAIL {name} ({elements[name]}): no installed plugin provides it")
            failures += 1
        else:
            plugin_files[name] = m.group(1)

    owners_of = dpkg_owners(sorted(set(plugin_files.values())))
    for name, path in sorted(plugin_files.items()):
        owners = owners_of[path]
        if not owners:
            print(f"FAIL {name}: {path} belongs to no Debian package")
            failures += 1
        elif owners & depends:
            print(f"ok   {name}: {path} from {', '.join(sorted(owners & depends))} (Depends)")
        elif owners & linked:
            print(f"ok   {name}: {path} from {', '.join(sorted(owners & linked))} (shlibs)")
        else:
            print(f"FAIL {name} ({elements[name]}): {path} is in "
                  f"{', '.join(sorted(owners))}, which debian/control's Depends do not list")
            failures += 1

    print(f"{len(elements)} elements, {failures} not covered by the package's dependencies")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
