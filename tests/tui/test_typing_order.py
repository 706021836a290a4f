"""Typing is never lost, reordered or rewritten (readq/tui/widgets/text_input.py).

The real TUI on a pseudo-terminal, read back through a terminal emulator (pyte): keys are sent
in bursts (0-30 ms apart, or in one write) mixing ctrl+u, ctrl+w, Backspace runs and bracketed
pastes with text, and both the filter input's value and the query that ran (the header's
``filter:``) must equal what the keystrokes spell, every time.
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest
from support.ptyutil import READQ, PtyProcess, tui_env

from readq.models import ScrapedPaper, Source
from readq.store import Store

pytestmark = pytest.mark.slow  # ~1 min: 200 bursts typed into a real terminal

TRIES = int(os.environ.get("READQ_TYPING_TRIES", "50"))
COLS, ROWS = 120, 40
CTRL_U, CTRL_W, BACKSPACE = "\x15", "\x17", "\x7f"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
WORDS = ["panohead", "diffusion", "lantern", "quill", "sparse", "avatar", "video", "osei"]


class Screen:
    """A pty running readq, with the screen it shows kept by a terminal emulator."""

    def __init__(self, db: Path) -> None:
        self.app = PtyProcess(
            [*READQ, "--db", str(db)], env=tui_env({"READQ_DB": str(db)}), rows=ROWS, cols=COLS
        )
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.fed = 0

    def lines(self) -> list[str]:
        """The screen's rows as text, after feeding everything written so far."""
        output = self.app.output
        self.stream.feed(output[self.fed :])
        self.fed = len(output)
        return list(self.screen.display)

    def wait(self, ok: Callable[[list[str]], bool], timeout: float = 10.0) -> list[str]:
        """Wait until ``ok(lines)`` holds; the last lines seen either way."""
        deadline = time.monotonic() + timeout
        lines = self.lines()
        while not ok(lines) and time.monotonic() < deadline:
            time.sleep(0.02)
            lines = self.lines()
        return lines

    def type(self, keys: list[str], rng: random.Random) -> None:
        """Send each key (a character, a control, or a whole paste) 0-30 ms apart, or all in
        one write one time in four."""
        if rng.random() < 0.25:
            self.app.send("".join(keys))
            return
        for key in keys:
            self.app.send(key)
            time.sleep(rng.uniform(0, 0.03))


def filter_state(lines: list[str]) -> tuple[str, str]:
    """(the filter input's text, the query shown as running in the header)."""
    match = re.search(r"filter: (.*?)(?: \([\d,]+\))?\s*$", lines[0])
    return lines[1].strip(), match.group(1) if match else ""


def spell(keys: list[str]) -> str:
    """What ``keys`` leave in a one-line input whose cursor stays at the end."""
    text = ""
    for key in keys:
        if key == CTRL_U:
            text = ""
        elif key == CTRL_W:
            stripped = text.rstrip(" ")
            text = stripped[: len(stripped) - len(stripped.split(" ")[-1])]
        elif key == BACKSPACE:
            text = text[:-1]
        elif key.startswith(PASTE_START):
            text += key[len(PASTE_START) : -len(PASTE_END)]
        else:
            text += key
    return text


def chars(word: str) -> list[str]:
    return list(word)


SCENARIOS: dict[str, Callable[[random.Random], list[str]]] = {
    "ctrl+u then a word": lambda rng: [CTRL_U, *chars(rng.choice(WORDS))],
    "a word, ctrl+w, another": lambda rng: [
        CTRL_U,
        *chars(f"{rng.choice(WORDS)} {rng.choice(WORDS)}"),
        CTRL_W,
        *chars(rng.choice(WORDS)),
    ],
    "backspace burst then a word": lambda rng: [
        CTRL_U,
        *chars("trasnformer"),
        *[BACKSPACE] * rng.randint(3, 11),
        *chars(rng.choice(WORDS)),
    ],
    "paste after ctrl+u": lambda rng: [
        CTRL_U,
        PASTE_START + f"{rng.choice(WORDS)} {rng.choice(WORDS)}" + PASTE_END,
        *chars(" x"),
    ],
}


@pytest.fixture
def tui(tmp_path: Path) -> Iterator[Screen]:
    """readq on a 120x40 pty over a small library, the cursor in the filter."""
    db = tmp_path / "readq.db"
    papers = [ScrapedPaper(f"{word.title()} paper", f"About {word}.") for word in WORDS]
    with Store.open(db) as store:
        store.ingest(papers, Source("t.txt", "/t.txt", "2026-01-01"), "hf")
    screen = Screen(db)
    try:
        assert screen.app.wait_for("Panohead paper", 30), screen.app.output[-2000:]
        screen.app.send("/")
        screen.wait(lambda lines: "Enter: keep" in "".join(lines))
        yield screen
    finally:
        screen.app.close()


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_typed_text_is_what_the_filter_holds_and_runs(tui: Screen, scenario: str) -> None:
    rng = random.Random(scenario)
    failures: list[tuple[list[str], str, tuple[str, str]]] = []
    for _ in range(TRIES):
        keys = SCENARIOS[scenario](rng)
        expected = spell(keys)
        tui.type(keys, rng)
        want = (expected, " ".join(expected.split()))
        lines = tui.wait(lambda lines, want=want: filter_state(lines) == want, timeout=5.0)
        if filter_state(lines) != want:
            failures.append((keys, expected, filter_state(lines)))
    assert not failures, failures[:3]


def test_note_editor_keeps_every_burst_in_order(tui: Screen, tmp_path: Path) -> None:
    """The note editor (a TextArea) gets the same bursts; the saved note is what was typed."""
    rng = random.Random("note")
    tui.app.send("\x1b")  # leave the filter: the list has the focus
    tui.wait(lambda lines: "Enter: keep" not in "".join(lines))
    tui.app.send("n")
    tui.wait(lambda lines: "autosaved" in "".join(lines))
    typed: list[str] = []
    for _ in range(TRIES // 5):
        keys = [
            *chars(f"{rng.choice(WORDS)} {rng.choice(WORDS)}"),
            CTRL_W,
            *chars(rng.choice(WORDS)),
            *[BACKSPACE] * rng.randint(1, 3),
            *chars(rng.choice(WORDS)),
        ]
        tui.type([*keys, "\r"], rng)
        typed.append(spell(keys))
    expected = "\n".join(typed) + "\n"
    tui.app.send("\x1b")  # leave the editor: the note is saved at once
    db = tmp_path / "readq.db"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with Store.open(db, migrate=False) as store:
            note = "".join(paper.note for paper in store.list_papers(with_sources=False))
        if note == expected:
            break
        time.sleep(0.1)
    assert note == expected


def test_keys_typed_right_after_enter_reach_the_list(tui: Screen) -> None:
    """`/word⏎V` in one burst: the word filters, Enter goes back to the list, and `V` (save as a
    view) opens its dialog instead of landing in the filter as "wordV" (the priority Enter
    asked the input's ``has_focus``, set only once its Focus event is handled, so Enter went
    to the input while `V` was already queued there)."""
    rng = random.Random("enter")
    tui.app.send("\x1b")  # the list has the focus
    tui.wait(lambda lines: "Enter: keep" not in "".join(lines))
    failures: list[tuple[str, tuple[str, str]]] = []
    for word in WORDS * 2:
        tui.type(["/", "\x15", *chars(word), "\r", "V"], rng)
        lines = tui.wait(lambda lines: "Save as a view" in "".join(lines), timeout=5.0)
        if "Save as a view" not in "".join(lines):
            failures.append((word, filter_state(lines)))
        tui.app.send("\x1b")  # close the dialog (nothing saved)
        tui.wait(lambda lines: "Save as a view" not in "".join(lines))
    assert not failures, failures[:3]
