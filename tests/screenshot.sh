#!/usr/bin/env bash
# Screenshots of the built application under Xvfb: every page of the candidate's flow, at
# 1366x768 and 1920x1080, in English and Simplified Chinese. Builds nothing.
#
# usage: tests/screenshot.sh BUILDDIR OUTDIR
# needs: Xvfb, xwd (x11-apps), convert (imagemagick), xwininfo (x11-utils), dbus-run-session,
#        gdbus; BUILDDIR configured with -Dtest_hooks=true (the pages are reached through the
#        app.test-* actions, ui/ek-test-hooks.h) and its reference server (tests/server).
#        Without test hooks only the start and "not available" pages are taken.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

# --- inner part: runs inside run-headless.sh (Xvfb, private D-Bus, keyring, HOME) ----------

shot () {
  sleep "${2:-0.8}"
  if [ "${EK_LAYOUT_CHECK:-}" = 1 ] && [ -n "${EK_SHOT_BUS:-}" ]; then
    layout_check "$1"
  fi
  if [ "${EK_A11Y_CHECK:-}" = 1 ] && [ -n "${EK_SHOT_BUS:-}" ]; then
    a11y_check "$1"
  fi
  [ "${EK_LAYOUT_ONLY:-}" = 1 ] && return 0
  xwd -root -silent | convert xwd:- "$EK_SHOT_DIR/$1-$EK_SHOT_SUFFIX.png"
  echo "$EK_SHOT_DIR/$1-$EK_SHOT_SUFFIX.png"
  # A page wider than the screen pushes its buttons off it: say so.
  if [ -n "${EK_SHOT_BUS:-}" ] && [ "${EK_SCREENSHOT_FLOW:-}" = 1 ]; then
    width=$(status 2>/dev/null | sed -n "s/.*'page-min-width': <\([0-9]*\)>.*/\1/p")
    if [ -n "$width" ] && [ "$width" -gt "${EK_TEST_SCREEN%%x*}" ]; then
      echo "screenshot: $1 is $width px wide, wider than the screen (${EK_TEST_SCREEN%%x*} px)" >&2
    fi
  fi
}

# The kiosk's own layout check of what is on show (ui/ek-layout-check.c): every problem
# goes to OUTDIR/layout-problems.txt as "PAGE SIZE-LANGUAGE: problem".
layout_check () {
  rm -f "$EK_TEST_LAYOUT_FILE"
  act test-layout
  for _ in $(seq 1 50); do [ -e "$EK_TEST_LAYOUT_FILE" ] && break; sleep 0.1; done
  if [ ! -e "$EK_TEST_LAYOUT_FILE" ]; then
    echo "$1 $EK_SHOT_SUFFIX: the layout check did not answer" >>"$EK_SHOT_DIR/layout-problems.txt"
    return 0
  fi
  sed "s/^/$1 $EK_SHOT_SUFFIX: /" "$EK_TEST_LAYOUT_FILE" >>"$EK_SHOT_DIR/layout-problems.txt"
  echo "layout: $1 $EK_SHOT_SUFFIX: $(wc -l <"$EK_TEST_LAYOUT_FILE") problem(s)"
}

# The accessibility tree of what is on show, read through AT-SPI as a screen reader does
# (tests/a11y/check-tree.py): unnamed controls go to OUTDIR/a11y-problems.txt.
a11y_check () {
  "$EK_A11Y_PYTHON" "$here/a11y/check-tree.py" "$1 $EK_SHOT_SUFFIX" >>"$EK_SHOT_DIR/a11y-problems.txt" || true
}

# The private accessibility bus of the a11y suite: the launcher owns org.a11y.Bus on the
# test's session bus; GTK's accessibility, off in every other test, is turned on.
start_a11y_bus () {
  /usr/libexec/at-spi-bus-launcher --launch-immediately >/dev/null 2>&1 &
  a11y_bus=$!
  for _ in $(seq 1 100); do
    gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
      --method org.a11y.Bus.GetAddress >/dev/null 2>&1 && break
    sleep 0.05
  done
  unset GTK_A11Y NO_AT_BRIDGE
}

call () {
  gdbus call --session --dest "$EK_SHOT_BUS" --object-path /io/github/examkiosk/Kiosk \
    --method org.gtk.Actions."$1" "${@:2}" >/dev/null
}

act () {  # act ACTION [GVARIANT-PARAMETER]
  if [ $# -gt 1 ]; then call Activate "$1" "[<$2>]" "{}"; else call Activate "$1" "[]" "{}"; fi
}

page_act () { act test-activate "'$1'"; }

status () {
  gdbus call --session --dest "$EK_SHOT_BUS" --object-path /io/github/examkiosk/Kiosk \
    --method org.gtk.Actions.Describe test-status
}

wait_page () {
  for _ in $(seq 1 150); do
    status | grep -q "'page': <'$1'>" && return 0
    sleep 0.1
  done
  echo "screenshot: page $1 did not come; status: $(status | cut -c1-400)" >&2
  # Go on: the shots show what is on screen instead, and the run takes every page
  # it still can; the message above says what went wrong.
  return 0
}

wait_re () {
  for _ in $(seq 1 150); do
    status | grep -q "$1" && return 0
    sleep 0.1
  done
  echo "screenshot: /$1/ did not come" >&2
  # Go on: the shots show what is on screen instead, and the run takes every page
  # it still can; the message above says what went wrong.
  return 0
}

wait_text () {
  for _ in $(seq 1 150); do
    status | grep -qF "$1" && return 0
    sleep 0.1
  done
  echo "screenshot: “$1” did not come" >&2
  # Go on: the shots show what is on screen instead, and the run takes every page
  # it still can; the message above says what went wrong.
  return 0
}

admin () {  # admin METHOD PATH [JSON]
  curl -s -X "$1" -H "X-Admin-Token: shot" -H "Content-Type: application/json" \
    ${3:+--data "$3"} "$EK_SHOT_URL$2"
}

# The lockdown's own notices (a face not seen: the test camera shows none) lie over the
# exam page; acknowledge them so the page itself can be taken.
ack_notices () {
  label=$(LC_ALL=C.UTF-8 LANGUAGE="${LANGUAGE:-en}" TEXTDOMAINDIR="$EK_LOCALEDIR" \
          gettext -d exam-kiosk "_I Understand" 2>/dev/null || echo "_I Understand")
  act test-click "'$label'"
  sleep 0.3
}

session_id () { status | sed -n "s/.*'session-id': <'\([^']*\)'>.*/\1/p"; }

login () {  # login MODE TOKEN ID
  page_act "win.show-start"
  wait_page start
  page_act "win.start-mode::$1"
  wait_page login
  act test-login "('$2', '$3')"
  wait_page confirm
}

flow_shots () {
  tmp=$(mktemp -d)
  "$EK_SHOT_BUILDDIR/tests/server/ek-ref-server" --data-dir "$tmp/server" \
    --exams "$here/data/exams" --port-file "$tmp/port" --admin-token shot >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 400); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  EK_SHOT_URL="http://127.0.0.1:$(cat "$tmp/port")"
  mkdir -m 0700 "$tmp/kiosk"
  # Face login offered for e2e-face.json, the exam that allows it.
  printf '[server]\nurl=%s\n[storage]\ndata-dir=%s\n[media]\nsource=test\n[login]\nface-login-exam=e2e-face\n' \
    "$EK_SHOT_URL" "$tmp/kiosk" >"$tmp/kiosk.conf"
  # Entering an exam engages the lockdown: its probes read a clean DMI, cpuinfo and /sys
  # (this may be a virtual machine), with the injected-input filter off (ui/ek-lockdown-test.h).
  mkdir -m 0700 "$tmp/probe" "$tmp/probe/dmi" "$tmp/probe/sys" "$tmp/probe/bin"
  printf 'Example Computers Inc.\n' >"$tmp/probe/dmi/sys_vendor"
  printf 'processor\t: 0\nflags\t\t: fpu vme sse2\n' >"$tmp/probe/cpuinfo"
  printf '{"test": {"xtest_filter": false, "dmi_dir": "%s", "cpuinfo": "%s", "sys_root": "%s", "preload_path": "%s", "search_path": ["%s"]}}' \
    "$tmp/probe/dmi" "$tmp/probe/cpuinfo" "$tmp/probe/sys" "$tmp/probe/none" "$tmp/probe/bin" \
    >"$tmp/lockdown-test.json"

  a11y_bus=
  [ "${EK_A11Y_CHECK:-}" = 1 ] && start_a11y_bus
  env -u SSH_CONNECTION -u SSH_CLIENT -u SSH_TTY \
    EK_TEST_LOCKDOWN_CONFIG="$tmp/lockdown-test.json" EK_TEST_BUS_NAME="$EK_SHOT_BUS" \
    "$EK_SCREENSHOT_BINARY" --config "$tmp/kiosk.conf" >"$tmp/app.log" 2>&1 &
  app=$!
  # The kiosk's own messages go with the pictures (a warning is a defect to look at).
  trap 'kill $app $server $a11y_bus 2>/dev/null; cp "$tmp/app.log" "$EK_SHOT_DIR/app-$EK_SHOT_SUFFIX.log" 2>/dev/null; cp "$tmp/app-nocam.log" "$EK_SHOT_DIR/app-nocam-$EK_SHOT_SUFFIX.log" 2>/dev/null; rm -rf "$tmp"' EXIT
  for _ in $(seq 1 100); do status >/dev/null 2>&1 && break; sleep 0.1; done

  wait_page start
  shot start 1.5

  # Face login (e2e-face.json): the ID number, then the guided capture on the test
  # camera (a face picture when EK_TEST_CAMERA_FILE names one).
  page_act "win.start-mode::formal"; wait_page login
  wait_text "face instead"
  page_act "win.login-method::face"; wait_page face-login
  shot face-login
  act test-type "'11010519491231002X'"
  sleep 2; shot face-login-camera
  page_act "win.show-start"; wait_page start

  # A mock written test (shot-written.json: e2e-written with room for a slow machine): login
  # error, details, pledge, second view, paper, devices, waiting room, exam with a warning and
  # the chat, end, finish.
  page_act "win.start-mode::mock"; wait_page login
  act test-login "('SHOT-WRIT-4N8D', '110105199003071238')"
  wait_re "'error': <'[^']"
  shot login-error
  act test-login "('SHOT-WRIT-4N8D', '110105199003071239')"
  wait_page confirm; shot confirm
  page_act confirm.continue; wait_page pledge; shot pledge
  act test-check-all; page_act pledge.accept
  wait_page second-view
  sid=$(session_id)
  sleep 1
  shot second-view
  page_act second-view.help; shot second-view-help
  page_act second-view.no-phone; shot second-view-no-phone
  page_act second-view.show-code
  code=$(admin GET "/admin/sessions/$sid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["second_view"][0]["code"])')
  curl -s -X POST -H "Content-Type: application/json" --data "{\"code\": \"$code\", \"device\": \"Phone\"}" \
    "$EK_SHOT_URL/v1/second-view/bind" >/dev/null
  wait_page paper-check; shot paper-check
  page_act step.done
  wait_page device; shot device
  page_act devices.confirm
  wait_page waiting; shot waiting
  for _ in $(seq 1 300); do
    page_act waiting.enter
    status | grep -q "'page': <'exam'>" && break
    sleep 0.2
  done
  wait_page exam
  wait_text "'questions': <uint32 4>"
  act test-answer "('w1', '\"b\"')"
  act test-answer "('w4', '\"So that it can resume. 以便断点续传。\"')"
  ack_notices; page_act exam.end; shot exam-too-early
  page_act exam.end-cancel
  admin POST "/admin/sessions/$sid/messages" '{"kind": "chat", "text": "Hello, this is the proctor. 你好，我是监考老师。"}' >/dev/null
  wait_text "'unread': <'1'>"; ack_notices; shot exam
  page_act exam.help
  wait_text "'unread': <''>"
  ack_notices; shot exam-help
  # The hand-in confirmation with Help open: centred on the window, nothing cut off.
  for _ in $(seq 1 300); do
    page_act exam.end
    status | grep -q "'error': <''>" && break
    sleep 0.2
  done
  ack_notices; shot exam-help-submit
  page_act exam.end-cancel
  admin POST "/admin/sessions/$sid/messages" '{"kind": "warning", "text": "Please look at the screen. 请看屏幕。"}' >/dev/null
  wait_text "'warning': <true>"; shot exam-warning
  page_act exam.ack-warning
  for _ in $(seq 1 100); do
    page_act exam.end
    status | grep -q "'error': <''>" && break
    sleep 0.2
  done
  ack_notices; shot exam-end-confirm
  page_act exam.end-confirm
  wait_page finish; sleep 1; shot finish
  page_act finish.leave; wait_page start

  # "I have no phone" where the exam lets a candidate go on without it (e2e-no-phone.json).
  login mock E2E-NOPH-7K2M 110105199003071239
  page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page second-view
  page_act second-view.no-phone; shot second-view-no-phone-optional

  # A formal interview with every step (e2e-steps.json): room scan, draw, an image attachment.
  login formal E2E-STEP-5V1C 11010519491231002X
  # The device check from the flow (logged in: the report can go to the server), and back.
  page_act win.device-check
  # Pictured once every check has its row: a row that arrives while the check looks is
  # still finding its place (the build's hash comes last, after the server's answer).
  wait_page flow-device-check
  wait_re "ready for the exam\\.\\|need.* attention\\|这台电脑尚不能\\|这台电脑可以用于\\|需要注意"
  shot device-check-flow 2
  page_act win.route; wait_page confirm
  page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page room-scan; shot room-scan
  page_act step.done
  wait_page draw; page_act draw.draw; sleep 0.5; shot draw-server
  page_act draw.continue
  wait_page attachments; shot attachments-image 1.5

  # The sample interview needs a face check, which this build does not have.
  login formal FORMAL-7Q4K-2M9X 11010519491231002X
  page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page face-check; shot face-check

  # A declined pledge ends the session.
  login formal E2E-STEP-5V1C 110105199003071239
  page_act confirm.continue; wait_page pledge
  page_act pledge.decline; shot pledge-decline
  page_act pledge.decline-confirm; wait_page ended; shot ended

  # The practice interview: attachments in the user's language, draw, the reading phase.
  page_act "win.show-start"; wait_page start
  page_act "win.start-mode::practice"; wait_page practice; shot practice
  act test-activate "'win.start-practice(uint32 0)'"
  wait_page confirm; shot practice-confirm
  page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page draw; shot draw-ready
  page_act draw.draw; sleep 0.3; shot draw
  page_act draw.continue
  wait_page attachments; shot attachments
  page_act attachments.done
  wait_page device; page_act devices.confirm
  wait_page waiting; shot practice-waiting
  for _ in $(seq 1 200); do
    page_act waiting.enter
    status | grep -q "'page': <'exam'>" && break
    sleep 0.2
  done
  wait_page exam; wait_text "'questions': <uint32 3>"; shot practice-exam
  page_act exam.end; shot practice-end-confirm; page_act exam.end-confirm
  wait_page finish; shot practice-finish
  page_act finish.leave; wait_page start

  nocam_shots
}

# No camera: a kiosk with the system's own devices, of which this machine (a container, a
# virtual machine) has none. The device page of a mock exam (no way on) and of the
# practice (on, nothing recorded); its log goes with the pictures (no GObject warnings).
nocam_shots () {
  kill $app 2>/dev/null; wait $app 2>/dev/null || true
  mkdir -m 0700 "$tmp/kiosk-nocam"
  printf '[server]\nurl=%s\n[storage]\ndata-dir=%s\n' "$EK_SHOT_URL" "$tmp/kiosk-nocam" >"$tmp/nocam.conf"
  env -u SSH_CONNECTION -u SSH_CLIENT -u SSH_TTY EK_TEST_BUS_NAME="$EK_SHOT_BUS" \
    "$EK_SCREENSHOT_BINARY" --config "$tmp/nocam.conf" >"$tmp/app-nocam.log" 2>&1 &
  app=$!
  for _ in $(seq 1 100); do status >/dev/null 2>&1 && break; sleep 0.1; done
  wait_page start

  # The mock written test (second view, blank paper), as another candidate.
  login mock SHOT-WRIT-4N8D 110105198805122048
  page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page second-view
  code=$(admin GET "/admin/sessions/$(session_id)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["second_view"][0]["code"])')
  curl -s -X POST -H "Content-Type: application/json" --data "{\"code\": \"$code\", \"device\": \"Phone\"}" \
    "$EK_SHOT_URL/v1/second-view/bind" >/dev/null
  wait_page paper-check; page_act step.done
  wait_page device; shot device-no-camera 3
  page_act win.show-start; wait_page start

  page_act "win.start-mode::practice"; wait_page practice
  act test-activate "'win.start-practice(uint32 1)'"
  wait_page confirm; page_act confirm.continue; wait_page pledge
  act test-check-all; page_act pledge.accept
  wait_page device; shot practice-device-no-camera 3
}

# The candidate's display settings (EK_SHOT_STYLE, words joined by "-"): "large" doubles
# the text (Xft.dpi 192, what GNOME's text-scaling-factor 2.0 sets through XSettings; GTK 4
# on X11 reads it from the X resources when no XSettings manager runs, as here), "hc" is
# GTK's HighContrast theme (GNOME's high-contrast setting), from settings.ini in the private
# XDG_CONFIG_HOME of run-headless.sh.
display_settings () {
  case "-${EK_SHOT_STYLE:-}-" in
    *-large-*) echo "Xft.dpi: 192" | xrdb -merge -nocpp ;;
  esac
  case "-${EK_SHOT_STYLE:-}-" in
    *-hc-*)
      mkdir -p "$XDG_CONFIG_HOME/gtk-4.0"
      printf '[Settings]\ngtk-theme-name=HighContrast\n' >"$XDG_CONFIG_HOME/gtk-4.0/settings.ini" ;;
  esac
}

if [ "${EK_SCREENSHOT_INNER:-}" = 1 ]; then
  display_settings
  if [ "${EK_SCREENSHOT_FLOW:-}" = 1 ]; then
    flow_shots
    exit 0
  fi
  # Without test hooks: one shot; args: NAME [APP ARGS]
  name=$1; shift
  "$EK_SCREENSHOT_BINARY" "$@" &
  app=$!
  for _ in $(seq 1 100); do
    xwininfo -root -tree 2>/dev/null | grep -q '"ExamKiosk"' && break
    sleep 0.1
  done
  shot "$name" 1.5
  kill "$app"
  wait "$app" 2>/dev/null || true
  exit 0
fi

# --- outer part ------------------------------------------------------------------------------

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILDDIR OUTDIR" >&2
  exit 2
fi

builddir=$(cd "$1" && pwd)
mkdir -p "$2"
outdir=$(cd "$2" && pwd)
binary="$builddir/exam-kiosk"

for tool in xwd convert xwininfo gdbus curl; do
  command -v "$tool" >/dev/null || { echo "screenshot: $tool not found" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "screenshot: $binary not built" >&2; exit 1; }

hooks=0
grep -q "^#define EK_ENABLE_TEST_HOOKS" "$builddir/config.h" 2>/dev/null && hooks=1

# EK_SHOT_STYLES: the display settings to walk in (display_settings above), "default" for
# none; e.g. "default large-hc".
for style in ${EK_SHOT_STYLES:-default}; do
for size in ${EK_SHOT_SIZES:-1366x768 1920x1080}; do
  for lang in ${EK_SHOT_LANGS:-en zh_CN}; do
    suffix="$size-$lang"
    [ "$style" != default ] && suffix="$suffix-$style"
    common=(EK_SCREENSHOT_INNER=1 EK_SCREENSHOT_BINARY="$binary" EK_SHOT_DIR="$outdir"
            EK_SHOT_SUFFIX="$suffix" EK_SHOT_STYLE="$style" EK_SHOT_BUILDDIR="$builddir" EK_TEST_SCREEN="${size}x24"
            EK_LOCALEDIR="${EK_SHOT_LOCALEDIR:-$builddir/po}" LC_ALL=C.UTF-8 LANGUAGE="$lang"
            EK_SHOT_BUS="io.github.examkiosk.Shot$$" EK_TEST_LAYOUT_FILE="$outdir/.layout-$$")
    if [ "$hooks" = 1 ]; then
      env "${common[@]}" EK_SCREENSHOT_FLOW=1 "$here/run-headless.sh" "$here/screenshot.sh" \
        2> >(grep -v 'Failed to set fd limit' >&2)
    else
      env "${common[@]}" "$here/run-headless.sh" "$here/screenshot.sh" start \
        2> >(grep -v 'Failed to set fd limit' >&2)
      env "${common[@]}" "$here/run-headless.sh" "$here/screenshot.sh" practice --practice \
        2> >(grep -v 'Failed to set fd limit' >&2)
    fi
  done
done
done
