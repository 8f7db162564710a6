#!/usr/bin/python3
"""Scores the proctoring signals on the labelled clips.

usage: score.py [options] CLIP_DIR SPLIT EVENTS [LOOP_EVENTS]

EVENTS is ek-proctor-harness's output on the split's clips, LOOP_EVENTS its
output with --loop-seconds on the split's clean clips (see clean_kinds()).
Prints the figures as `name = value`; the details go to stderr.

- recall, per signal: over the labelled episodes at least as long as the
  policy's threshold, the share of their seconds inside a signal of that type
  (from its back-dated start to its end);
- false alarms per exam-hour: signals of any type raised while the clean clips
  played as one long exam;
- voice on non-speech: the share of the seconds of music, beeps, typing,
  knocking, buzzing, rustling and ringing (no speech) inside a voice signal.

With --check, exits 1 when a figure misses its goal (--min-recall,
--max-false-alarms, --max-nonspeech-pct).
"""

import argparse
import os
import sys

NONSPEECH = ("music", "beeps", "typing", "knock", "buzz", "speech_music", "rustle", "phone")
FIGURES = [("absent", "face_absent"), ("multi", "multiple_faces"), ("small", "face_not_visible"),
           ("covered", "camera_covered"), ("voice", "voice")]


def clean_kinds():
    return ["clean", "music", "beeps", "typing", "knock", "buzz", "rustle", "phone"]


def read_labels(path):
    rows = []
    for line in open(path):
        if line.startswith("#"):
            continue
        s, faces, pct, covered, voice, sound = line.split()
        rows.append({"faces": int(faces), "pct": float(pct), "covered": covered == "1",
                     "voice": voice == "1", "sound": sound})
    return rows


def expected(rows, key, min_pct):
    if key == "absent":
        return [r["faces"] == 0 and not r["covered"] for r in rows]
    if key == "multi":
        return [r["faces"] >= 2 for r in rows]
    if key == "small":
        return [r["faces"] == 1 and r["pct"] < min_pct and not r["covered"] for r in rows]
    if key == "covered":
        return [r["covered"] for r in rows]
    if key == "voice":
        return [r["voice"] for r in rows]
    raise KeyError(key)


def episodes(flags):
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def read_events(path):
    events = {}
    total = {}
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "event":
            events.setdefault(parts[1], []).append((parts[2], float(parts[3]), float(parts[4])))
        elif parts[0] in ("clip", "loop"):
            total[parts[1] if parts[0] == "clip" else "loop"] = float(parts[-1])
    return events, total


def inside(evs, signal, second):
    mid = second + 0.5
    return any(s == signal and a <= mid <= b for s, a, b in evs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clip_dir")
    ap.add_argument("split")
    ap.add_argument("events")
    ap.add_argument("loop_events", nargs="?")
    ap.add_argument("--thresholds", default="absent=10,multi=3,small=15,covered=5,voice=5")
    ap.add_argument("--min-pct", type=float, default=20)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("--floors", default="", help="per-signal minimum recall, e.g. voice=0.4")
    ap.add_argument("--max-false-alarms", type=float, default=1.0)
    ap.add_argument("--max-nonspeech-pct", type=float, default=5.0)
    args = ap.parse_args()

    thresholds = {k: float(v) for k, v in (kv.split("=") for kv in args.thresholds.split(","))}
    events, played = read_events(args.events)
    clips = [line.split("\t") for line in open(os.path.join(args.clip_dir, "clips.tsv")).read().splitlines()]
    # only the clips the harness played (a short run plays a few)
    clips = [(name, kind) for split, name, kind in clips if split == args.split and name in played]
    hit = {k: 0 for k, _ in FIGURES}
    tot = {k: 0 for k, _ in FIGURES}
    ns_hit = ns_tot = 0
    for name, kind in clips:
        rows = read_labels(os.path.join(args.clip_dir, args.split, name + ".labels"))
        evs = events.get(name, [])
        for key, signal in FIGURES:
            flags = expected(rows, key, args.min_pct)
            for a, b in episodes(flags):
                if b - a < thresholds[key]:
                    continue
                n = sum(inside(evs, signal, s) for s in range(a, b))
                hit[key] += n
                tot[key] += b - a
                print("%s %s: episode %d..%d s, %d of %d s flagged" % (name, key, a, b, n, b - a), file=sys.stderr)
            # what was raised with nothing labelled to raise it (for information)
            for s, a, b in evs:
                if s == signal and not any(flags[int(x)] for x in range(max(0, int(a)), min(len(flags), int(b) + 1))):
                    print("%s: unexpected %s %.1f..%.1f s" % (name, s, a, b), file=sys.stderr)
        if kind in NONSPEECH:
            for s, r in enumerate(rows):
                if not r["voice"] and r["sound"] not in ("-", "speech"):
                    ns_tot += 1
                    ns_hit += inside(evs, "voice", s)

    figures = []
    for key, _ in FIGURES:
        figures.append(("proctor_%s_recall" % key, hit[key] / tot[key] if tot[key] else float("nan")))
    fa = float("nan")
    if args.loop_events:
        loop, total = read_events(args.loop_events)
        n = len(loop.get("loop", []))
        hours = total.get("loop", 0) / 3600.0
        for s, a, b in loop.get("loop", []):
            print("clean footage: %s %.1f..%.1f s" % (s, a, b), file=sys.stderr)
        print("clean footage: %d signals in %.2f h" % (n, hours), file=sys.stderr)
        fa = n / hours if hours > 0 else float("nan")
    figures.append(("proctor_false_alarms_per_hour", fa))
    figures.append(("proctor_voice_nonspeech_pct", 100.0 * ns_hit / ns_tot if ns_tot else float("nan")))

    floors = {k: float(v) for k, v in (kv.split("=") for kv in args.floors.split(",") if kv)}
    failed = []
    for name, value in figures:
        print("%s = %.3f" % (name, value) if "recall" in name else "%s = %.2f" % (name, value))
        key = name[len("proctor_"):-len("_recall")] if "recall" in name else None
        if key is not None and not value >= floors.get(key, args.min_recall):
            failed.append(name)
        if name.endswith("per_hour") and args.loop_events and not value <= args.max_false_alarms:
            failed.append(name)
        if name.endswith("nonspeech_pct") and not value <= args.max_nonspeech_pct:
            failed.append(name)
    if args.check and failed:
        print("missed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
