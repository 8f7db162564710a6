#!/bin/sh
# Prints the first python3 that has pyatspi (Debian's python3-pyatspi is for the
# system's interpreter, which another python3 earlier in PATH may not be).
for py in /usr/bin/python3 python3; do
  if "$py" -c 'import pyatspi' 2>/dev/null; then
    command -v "$py"
    exit 0
  fi
done
exit 1
