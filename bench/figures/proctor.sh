#!/usr/bin/env bash
# proctor: the live proctoring signals on the held-out split of the labelled clips,
# heldout2 (tests/proctor-clips: generated from Debian-shipped pictures and voices;
# heldout2 has people, rooms, voices, sentences and sounds the tuning splits never
# had, and was not looked at while tuning: see generate.py). Each clip plays through the
# recorder's face-monitor and audio-analysis branches into EkProctorSignals with the
# default policy, in media time. Prints seven figures:
#   proctor_{absent,multi,small,covered,voice}_recall: share of the seconds of the
#     labelled episodes (as long as the policy's threshold or longer) inside a
#     signal of that type, from its back-dated start (goal >= 0.95);
#   proctor_false_alarms_per_hour: signals raised while the clean clips play as one
#     exam of EK_PROCTOR_LOOP_SECONDS (default 3600) (goal <= 1);
#   proctor_voice_nonspeech_pct: share of the seconds of music, beeps, typing,
#     knocking, buzzing, rustling and ringing inside a voice signal (goal <= 5).
# The first run fetches the pictures (apt-get download) and generates the clips
# (a few minutes); a run takes 5-15 minutes on an idle machine.
set -euo pipefail

"$EK_SRCDIR/tests/proctor-clips/run.sh" "$EK_BUILDDIR" heldout2 "${EK_PROCTOR_LOOP_SECONDS:-3600}"
