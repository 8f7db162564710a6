#!/usr/bin/env bash
# Generates the labelled clips (once) and scores the proctoring signals on a split.
#
# usage: run.sh BUILD_DIR SPLIT [LOOP_SECONDS [CLIP_NAMES...]]
#
# BUILD_DIR holds tests/ek-proctor-harness; the pictures go to BUILD_DIR/tests/face-data
# (tests/fetch-face-data.sh) and the clips to BUILD_DIR/tests/proctor-clips. SPLIT is
# `tuning`, `heldout`, `heldout2` (all three tuning material now) or `heldout3` (the
# held-out split: see generate.py). LOOP_SECONDS (default 3600) is how long the clean clips play
# as one exam for the false alarms (0: skip). CLIP_NAMES limits the labelled clips
# scored (default: all of the split). Prints the figures (score.py); EK_PROCTOR_CHECK=1
# makes a missed goal an exit status of 1, with EK_PROCTOR_SCORE_ARGS passed to score.py.
set -euo pipefail

build=$(cd "${1:?usage: run.sh BUILD_DIR SPLIT [LOOP_SECONDS [CLIP_NAMES...]]}" && pwd)
split=${2:?}
loop=${3:-3600}
shift 3 2>/dev/null || shift $#
here=$(cd "$(dirname "$0")" && pwd)
data=$build/tests/face-data
clips=$build/tests/proctor-clips
harness=$build/tests/ek-proctor-harness

sh "$here/../fetch-face-data.sh" "$data"
mkdir -p "$clips"
(
  flock 9
  /usr/bin/python3 "$here/generate.py" "$data" "$clips" "$split"
) 9>"$clips.lock"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <(awk -F'\t' -v s="$split" '$1 == s { print $2 }' "$clips/clips.tsv")
fi
clean=()
while IFS=$'\t' read -r s name kind; do
  [ "$s" = "$split" ] || continue
  case $kind in clean|music|beeps|typing|knock|buzz|rustle|phone) clean+=("$clips/$split/$name") ;; esac
done < "$clips/clips.tsv"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the labelled clips and the long exam side by side (each on a core of its own)
loop_events=()
if [ "$loop" != 0 ]; then
  "$harness" --loop-seconds "$loop" "${clean[@]}" > "$work/loop" 2>"$work/loop.log" &
  loop_pid=$!
  loop_events=("$work/loop")
fi
"$harness" "${names[@]/#/$clips/$split/}" > "$work/events" 2>"$work/harness.log" ||
  { tail -5 "$work/harness.log" >&2; exit 2; }
if [ "$loop" != 0 ]; then
  wait "$loop_pid" || { tail -5 "$work/loop.log" >&2; exit 2; }
fi
[ -n "${EK_PROCTOR_KEEP:-}" ] && cp "$work/events" "$EK_PROCTOR_KEEP.events" && { [ "$loop" = 0 ] || cp "$work/loop" "$EK_PROCTOR_KEEP.loop"; }

check=()
[ "${EK_PROCTOR_CHECK:-0}" = 1 ] && check=(--check)
# shellcheck disable=SC2086
/usr/bin/python3 "$here/score.py" "${check[@]}" ${EK_PROCTOR_SCORE_ARGS:-} "$clips" "$split" "$work/events" "${loop_events[@]}"
