"""Suite `a11y`: the candidate's whole written test by keyboard alone, and what a
screen reader hears on the way.

A mock written test (tests/data/exams/a11y-written.json: two parts, 40 s and 80 s)
against the reference server: the start page, the login, the details, the pledge, the
waiting room, both parts' questions and the hand-in are reached with Tab and Shift+Tab
and operated with Return, space and typing (XTest key events; the pointer never moves);
the test hooks are only read (which page is on show, the answers the kiosk holds).
Meanwhile the AT-SPI events of the kiosk are recorded: the second part's beginning (the
phase change) and its one-minute mark must arrive as a notification's name (the kiosk's
live region, ui/ek-announcer.c).
"""

import json
import re
import subprocess
import sys
import time

import pyatspi

import ek_a11y as a

BUTTONS = {pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON}

announcements = []


def on_event(event):
    text = event.any_data if isinstance(event.any_data, str) else None
    try:
        role = event.source.getRole()
        if text is None:
            text = event.source.name
    except Exception as error:  # the object went, or the kiosk was slow to answer
        role = f"unknown ({error})"
    announcements.append((role, event.type, text))


def listen():
    pyatspi.Registry.registerEventListener(on_event, "object:property-change:accessible-name")


pump = a.settle


def heard(pattern):
    """Messages matching pattern that came from a notification (the live region)."""
    return [text for role, _, text in announcements
            if text and re.search(pattern, text)
            and role in (pyatspi.ROLE_NOTIFICATION, pyatspi.ROLE_ALERT)]


def answers():
    raw = a.status_field("answers")
    return json.loads(raw) if raw else {}


def main():
    app = a.find_app()
    listen()
    a.wait_page("start")
    pump(1)

    a.press(app, r"^Mock exam$", BUTTONS)
    a.wait_page("login")
    a.focus(app, r"^Exam token$")
    a.type_text("A11Y-WRIT-7K2P")
    a.focus(app, r"^ID number$")
    a.type_text("110105199003071239")
    a.press(app, r"^Log in$", BUTTONS)
    a.wait_page("confirm")
    pump(0.5)

    a.press(app, r"^(Yes, these are my details|Continue)", BUTTONS)
    a.wait_page("pledge")
    pump(0.5)
    # Every box of the pledge ticked with space, then the pledge accepted.
    ticked = 0
    for _ in range(10):
        node = a.focused(a.active_window(app))
        if node is not None and node.getRole() == pyatspi.ROLE_CHECK_BOX \
                and not node.getState().contains(pyatspi.STATE_CHECKED):
            a.key("space")
            ticked += 1
            a.settle(0.2)
        try:
            a.focus(app, r".", {pyatspi.ROLE_CHECK_BOX}, limit=12)
        except AssertionError:
            break
        node = a.focused(a.active_window(app))
        if node.getState().contains(pyatspi.STATE_CHECKED):
            if all(n.getState().contains(pyatspi.STATE_CHECKED)
                   for n, _, _ in a.walk(a.active_window(app))
                   if n.getRole() == pyatspi.ROLE_CHECK_BOX):
                break
    assert ticked > 0, "the pledge's boxes could not be ticked by keyboard"
    a.press(app, r"^(I accept|Accept|I agree)", BUTTONS)

    # Whatever steps remain before the waiting room: each page's way on by keyboard.
    for _ in range(6):
        a.wait_for(lambda: a.status_field("page") not in ("pledge", None), "the page after the pledge")
        page = a.status_field("page")
        if page == "waiting":
            break
        if page == "device":
            a.press(app, r"^(Continue|Confirm|These devices)", BUTTONS)
            a.settle(0.5)
            continue
        raise AssertionError(f"unexpected page {page}")
    a.wait_page("waiting")

    # The waiting room: Enter the exam once the entry is open (the button is insensitive
    # until then: Return on it does nothing, and we press again).
    def reach_enter():
        try:
            a.focus(app, r"Enter the exam", BUTTONS, limit=12)
            return True
        except AssertionError:  # insensitive (so out of the Tab order) until entry opens
            return False
    a.wait_for(reach_enter, "Enter the exam, reachable by Tab", timeout=60)
    a.wait_for(lambda: (a.key("Return"), a.settle(0.5), a.status_field("page") == "exam")[2],
               "the exam page", timeout=60)
    pump(1)

    # Part one: a single choice and true/false, by Tab and space.
    a.wait_for(lambda: a.status_field("questions") == "uint32 2", "part one's questions", timeout=60)
    a.press(app, r"443$", {pyatspi.ROLE_RADIO_BUTTON}, with_key="space")
    a.key("alt+Right")  # the next question (the navigator's shortcut)
    a.press(app, r"^True$", {pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON}, with_key="space")
    a.wait_for(lambda: answers().get("k1") == "b" and answers().get("k2") is True,
               "part one's answers in the store", timeout=10)

    # Part two begins by itself: announced, and its one-minute mark too.
    a.wait_for(lambda: a.status_field("phase") == "1"
               and a.status_field("questions") == "uint32 2", "part two", timeout=60)
    a.settle(1)
    # The part's first question, wherever the navigator stood: Previous by keyboard.
    try:
        a.focus(app, r"PNG$", {pyatspi.ROLE_CHECK_BOX}, limit=10)
    except AssertionError:
        a.press(app, r"^Previous$", BUTTONS)
    a.press(app, r"PNG$", {pyatspi.ROLE_CHECK_BOX}, with_key="space")
    a.press(app, r"FLAC$", {pyatspi.ROLE_CHECK_BOX}, with_key="space")
    a.key("alt+Right")
    a.focus(app, r"", {pyatspi.ROLE_TEXT})
    a.type_text("To resume where it stopped.")
    a.wait_for(lambda: answers().get("k3") == ["a", "c"]
               and answers().get("k4") == "To resume where it stopped.",
               "part two's answers in the store", timeout=10)

    # The last minute of part two is said before the hand-in (the mark passes 20 s
    # into the part, wherever the answering above got to).
    try:
        a.wait_for(lambda: heard(r"1 minute left in Part two"), "the one-minute mark, announced",
                   timeout=60)
    except AssertionError:
        print("announced:", [(str(r), t) for r, _, t in announcements if t], file=sys.stderr)
        raise

    # Hand in: forward Tab alone from the answer (the question's last control) reaches
    # the answer sheet (a question's button on it, then its Submit), then the
    # confirmation, by keyboard.
    a.key("Escape")
    a.focus(app, r"", {pyatspi.ROLE_TEXT})
    a.focus(app, r"^Question 1\b", BUTTONS, limit=16)
    a.focus(app, r"^Submit", BUTTONS, limit=16)
    a.key("Return")
    a.settle(0.5)
    a.press(app, r"^(Submit|Hand in)", BUTTONS)
    a.wait_page("finish", timeout=30)
    pump(2)

    print("announced:", [(str(r), t) for r, _, t in announcements
                          if t and re.search("begun|left in", t)], file=sys.stderr)
    # Every phase change is said, the first part's too (the exam page is built when
    # the candidate enters, after part one began or before: its first announcement
    # is made once the page is on show).
    assert heard(r"^Part one has begun"), "the first part's beginning was not announced"
    assert heard(r"^Part two has begun"), "the phase change was not announced"
    assert heard(r"1 minute left in Part two"), "the one-minute mark was not announced"
    print("ok: the written test by keyboard alone, phases and minute marks announced")


if __name__ == "__main__":
    main()
