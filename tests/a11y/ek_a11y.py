"""The kiosk's accessibility tree as a screen reader sees it (AT-SPI, through pyatspi).

Shared by the `a11y` suite's scripts: finding the kiosk on the accessibility bus, walking
what is on show, the controls that lack a name or have a role no screen reader can
operate, the focused control, and key presses (XTest through xdotool: no pointer).
"""

import os
import re
import subprocess
import time

import pyatspi
from gi.repository import Atspi, GLib

# libatspi gives up on a call after 800 ms: the kiosk's main loop may be busy longer
# on a loaded machine (engaging the lockdown, starting the recorder).
Atspi.set_timeout(10000, 15000)

# Controls a candidate operates: each must have a name a screen reader can say.
INTERACTIVE = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_LINK, pyatspi.ROLE_SLIDER, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_CHECK_MENU_ITEM,
    pyatspi.ROLE_RADIO_MENU_ITEM, pyatspi.ROLE_PAGE_TAB, pyatspi.ROLE_LIST_ITEM,
}

# Roles that say nothing about what a focusable object does: a control with one of
# these is a box or a picture made clickable, which a screen reader cannot operate.
MEANINGLESS = {
    pyatspi.ROLE_FILLER, pyatspi.ROLE_PANEL, pyatspi.ROLE_UNKNOWN, pyatspi.ROLE_INVALID,
    pyatspi.ROLE_IMAGE, pyatspi.ROLE_ICON, pyatspi.ROLE_SECTION, pyatspi.ROLE_DRAWING_AREA,
    pyatspi.ROLE_CANVAS, pyatspi.ROLE_REDUNDANT_OBJECT,
}

APP_NAME = os.environ.get("EK_A11Y_APP", "exam-kiosk")


def settle(seconds):
    """Waits, delivering AT-SPI events meanwhile (libatspi's D-Bus is on GLib's default
    main context, which only runs when iterated)."""
    end = time.monotonic() + seconds
    context = GLib.MainContext.default()
    while True:
        while context.pending():
            context.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))


def find_app(timeout=40.0):
    """The kiosk's application object on the accessibility bus."""
    deadline = time.monotonic() + timeout
    while True:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == APP_NAME:
                return app
        if time.monotonic() > deadline:
            names = [a.name for a in desktop if a is not None]
            raise RuntimeError(f"{APP_NAME} is not on the accessibility bus (there: {names})")
        time.sleep(0.2)


def active_window(app, timeout=5.0):
    """The kiosk's window on show (the active one, else the first showing one); waits
    while it has none (the lockdown maps the window anew when it engages)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _active_window(app)
        except Exception:
            if time.monotonic() > deadline:
                desktop = pyatspi.Registry.getDesktop(0)
                raise RuntimeError(
                    f"the kiosk shows no window: its {app.childCount} children "
                    f"{[(w.getRoleName(), w.name) for w in app if w is not None]}; "
                    f"the applications {[x.name for x in desktop if x is not None]}")
            settle(0.2)


def _active_window(app):
    showing = None
    for window in app:
        if window is None:
            continue
        states = window.getState()
        if states.contains(pyatspi.STATE_ACTIVE):
            return window
        if showing is None and states.contains(pyatspi.STATE_SHOWING):
            showing = window
    if showing is None:
        # Without a window manager the window may be neither active nor showing for a
        # moment (the lockdown raises and refocuses it): the first window then.
        for window in app:
            if window is not None:
                return window
        raise RuntimeError("the kiosk shows no window")
    return showing


def extents(node):
    """(x, y, width, height) on the screen, or None for an object that is no widget."""
    try:
        box = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except Exception:
        return None
    return (box.x, box.y, box.width, box.height)


def walk(node, depth=0, path=()):
    """Every object on show under node, with its path of roles (for the report).

    GTK 4.8 sets no `showing` state below the window, and keeps the pages a stack does
    not show in the tree: what is not on show is what has no size on the screen (a
    page never shown) or lies outside the window's area (a stack page shown before is
    moved nowhere, but its extents then are those of the page on show: see on_show()).
    """
    try:
        states = node.getState()
        box = extents(node)
    except Exception:  # gone while we looked: the page changed
        return
    if depth > 0 and box is not None and (box[2] <= 0 or box[3] <= 0):
        return
    here = path + (node.getRoleName(),)
    yield node, states, here
    if depth > 60:
        return
    for i in range(node.childCount):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            yield from walk(child, depth + 1, here)


def describe(node, path):
    """One line that lets a developer find the object: role, name, text, where."""
    bits = [node.getRoleName()]
    if node.name:
        bits.append(f"named “{node.name}”")
    try:
        if node.description:
            bits.append(f"description “{node.description}”")
    except Exception:
        pass
    texts = []
    for child, _, _ in walk(node):
        if child is not node and name_of(child) and len(texts) < 6:
            texts.append(name_of(child))
    if texts:
        bits.append("children " + ", ".join(f"“{t}”" for t in texts))
    bits.append("in " + " > ".join(path[-5:-1]))
    return " ".join(bits)


# GTK 4.8 names an object that has no name by its type ("GtkButton"): that is no name.
TYPE_NAME = re.compile(r"^(Gtk|Ek|Adw)[A-Z][A-Za-z]*$")
# A mnemonic's underscore read out ("_Log in Log in", GTK 4.8 with use-underline).
MNEMONIC = re.compile(r"(^|\s)_\w")


def name_of(node):
    """The accessible name a screen reader says, "" for none."""
    name = (node.name or "").strip()
    return "" if TYPE_NAME.match(name) else name


def problems(window):
    """The showing controls of window without an accessible name or with a meaningless role."""
    found = []
    for node, states, path in walk(window):
        role = node.getRole()
        name = name_of(node)
        if role in INTERACTIVE and MNEMONIC.search(name):
            found.append("a mnemonic's underscore in the name: " + describe(node, path))
        if role in INTERACTIVE and not name:
            found.append("unnamed control: " + describe(node, path))
        elif role == pyatspi.ROLE_TEXT and states.contains(pyatspi.STATE_EDITABLE) and not name:
            found.append("unnamed text field: " + describe(node, path))
        elif role in MEANINGLESS and states.contains(pyatspi.STATE_FOCUSABLE) \
                and not any(r in ("push button", "combo box") for r in path[:-1]):
            # (GtkDropDown's item inside its button is GTK's: the button takes the focus.)
            found.append("focusable without a control's role: " + describe(node, path))
    return found


def focused(window):
    """The object that has the keyboard focus, or None."""
    for node, states, _ in walk(window):
        if states.contains(pyatspi.STATE_FOCUSED):
            return node
    return None


def key(*keys):
    """Key presses through XTest (xdotool): what a keyboard does, no pointer."""
    subprocess.run(["xdotool", "key", "--delay", "60"] + list(keys), check=True)


def type_text(text):
    subprocess.run(["xdotool", "type", "--delay", "30", text], check=True)


# --- the kiosk's test hooks (reading only: where it is; the driving is by keys) ---------

def _hooks(method, *args):
    bus = os.environ["EK_A11Y_BUS"]
    return subprocess.run(
        ["gdbus", "call", "--session", "--dest", bus, "--object-path",
         "/io/github/examkiosk/Kiosk", "--method", "org.gtk.Actions." + method] + list(args),
        capture_output=True, text=True).stdout


def status():
    """app.test-status as text (a GVariant a{sv} printed by gdbus)."""
    return _hooks("Describe", "test-status")


def status_field(name, text=None):
    import re
    match = re.search(r"'%s': <([^>]*)>" % re.escape(name), text if text is not None else status())
    if match is None:
        return None
    value = match.group(1)
    return value[1:-1] if value.startswith("'") else value


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        settle(0.2)
    raise AssertionError(f"{what} did not come within {timeout:.0f} s; status: {status()[:400]}")


def wait_page(page, timeout=20.0):
    wait_for(lambda: status_field("page") == page, f"page {page}", timeout)


def dump(window):
    for node, states, path in walk(window):
        flags = "F" if states.contains(pyatspi.STATE_FOCUSED) else (
            "f" if states.contains(pyatspi.STATE_FOCUSABLE) else " ")
        print(f"{'  ' * (len(path) - 1)}{flags} {node.getRoleName()} “{node.name}”")


_focus = {"node": None, "serial": 0, "tracking": False}


def _on_focus(event):
    if event.detail1:
        _focus["node"] = event.source
        _focus["serial"] += 1


def track_focus():
    """Follows the focus by AT-SPI's focus events, as a screen reader does (cheaper than
    walking the tree after every key)."""
    if not _focus["tracking"]:
        pyatspi.Registry.registerEventListener(_on_focus, "object:state-changed:focused")
        _focus["tracking"] = True


def current_focus(app):
    settle(0.05)
    node = _focus["node"]
    if node is not None:
        try:
            if node.getState().contains(pyatspi.STATE_FOCUSED):
                return node
        except Exception:
            pass
    node = focused(active_window(app))
    _focus["node"] = node
    return node


def focus(app, pattern, roles=None, limit=60, backwards=False):
    """Tab (or Shift+Tab) until the focused control's name matches pattern (a regular
    expression, searched) and, when given, its role is one of roles. Returns it."""
    track_focus()
    seen = []
    for _ in range(limit):
        node = current_focus(app)
        if node is not None:
            try:
                name = name_of(node)
                if re.search(pattern, name) and (roles is None or node.getRole() in roles):
                    return node
                seen.append(f"{node.getRoleName()} “{name}”")
            except Exception:  # gone: the question or the page changed under the focus
                _focus["node"] = None
                continue
        serial = _focus["serial"]
        key("shift+Tab" if backwards else "Tab")
        deadline = time.monotonic() + 1.0
        while _focus["serial"] == serial and time.monotonic() < deadline:
            settle(0.05)
    raise AssertionError(f"no control “{pattern}” reached by Tab on {status()[:300]}; went through: "
                         + "; ".join(seen[:40]))


def press(app, pattern, roles=None, with_key="Return"):
    """Reaches the control by Tab and presses it with a key (Return, space)."""
    node = focus(app, pattern, roles)
    key(with_key)
    settle(0.3)
    return node
