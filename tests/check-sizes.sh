#!/usr/bin/env bash
# Keeps the code a newcomer can read (issue 12): no product .c file (client/, platform/,
# ui/) over 1500 lines, no function over 150 lines except a class_init. A function is
# counted, GNU style, from its name at the start of a line to the "}" that closes it in
# the first column.
set -u
src=${1:?source root}
max_file=${EK_MAX_FILE_LINES:-1500}
max_function=${EK_MAX_FUNCTION_LINES:-150}

mapfile -t files < <(find "$src/client" "$src/platform" "$src/ui" -name '*.c' | sort)
awk -v max_file="$max_file" \
    -v max_function="$max_function" -v src="^$src/" '
FNR == 1 {
  if (file != "" && lines > max_file) { printf "sizes: %s has %d lines (at most %d)\n", file, lines, max_file; bad = 1 }
  file = FILENAME; sub(src, "", file); name = ""
}
{ lines = FNR }
/^[a-z_][a-z0-9_]* *\(/ && prev !~ /[;,]$/ && prev !~ /^#/ { name = $1; sub(/\(.*/, "", name); start = FNR }
/^}/ && name != "" {
  if (FNR - start + 1 > max_function && name !~ /_class_init$/) {
    printf "sizes: %s: %s() has %d lines (at most %d)\n", file, name, FNR - start + 1, max_function; bad = 1
  }
  name = ""
}
{ prev = $0 }
END {
  if (file != "" && lines > max_file) { printf "sizes: %s has %d lines (at most %d)\n", file, lines, max_file; bad = 1 }
  exit bad
}' "${files[@]}"
