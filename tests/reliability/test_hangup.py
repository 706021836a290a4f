"""Issue 20: readq ends, its data saved, when its terminal goes away, in every state.

Each try runs the real ``readq`` on a real pty, brings it to a state, then closes the pty's
master end as a terminal emulator or ``tmux kill-session`` does (``PtyProcess.hang_up``: the
kernel hangs the terminal up). Half of the tries run readq as the session leader (it gets
SIGHUP and SIGCONT, then EIO/EOF), half under ``sh -c`` (the shell gets the signal; readq only
sees EIO/EOF, as when a shell in the window started it). The process, and any child it
started, must be gone within 5 s; a draft being typed must be in the library or its recovery
file. 20 tries per state, four at a time.
"""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from readq.models import ScrapedPaper, Source
from readq.notes import recovery_path
from readq.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reliability.relutil import arxiv_listing
from support.ptyutil import READQ, PtyProcess, tui_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a Unix pty")

TRIES = 20
PARALLEL = 4
GONE_WITHIN = 5.0
TITLE = "Hangup paper number"
BIG_LISTING_PAPERS = 70_000
"""~10 MB of arXiv-style text (over ``PARALLEL_MIN_BYTES``): parsed by the child process,
ingesting it takes several seconds, so the terminal goes away while the worker runs."""


@dataclass
class Outcome:
    """What one try saw."""

    state: str
    attempt: int
    gone_after: float | None
    """Seconds from the hang-up until readq and its children were gone (None: still there)."""
    code: int | None
    note: str | None = None
    recovered: str | None = None
    children: int = 0
    integrity: str = "ok"
    papers: int = 0


def make_library(folder: Path) -> tuple[Path, list[int]]:
    """A small library in ``folder``; its path and the papers' ids."""
    db = folder / "data" / "readq.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db) as store:
        result = store.ingest(
            [
                ScrapedPaper(f"{TITLE} {i}", f"An abstract about terminals {i}. " * 4)
                for i in range(5)
            ],
            Source("t.txt", "/t.txt", "2026-01-01"),
            "hf",
        )
    return db, list(result.new_ids)


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (an unreaped zombie has ended)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid):
                found += [int(entry.name), *descendants(int(entry.name))]
    return found


def run_try(state: str, attempt: int, folder: Path, listing: Path) -> Outcome:
    """Start readq, bring it to ``state``, hang the terminal up, watch it go."""
    db, paper_ids = make_library(folder)
    env = tui_env(
        {
            "READQ_CONFIG_DIR": str(folder / "config"),
            "XDG_CONFIG_HOME": str(folder / "xdg-config"),
            "XDG_DATA_HOME": str(folder / "xdg-data"),
        }
    )
    env.pop("READQ_DB", None)
    command = [*READQ, "--db", str(db)]
    under_shell = attempt % 2 == 1
    if under_shell:  # `; exit $?` keeps sh from exec-ing readq: sh stays the session leader
        command = ["/bin/sh", "-c", shlex.join(command) + "; exit $?"]
    app = PtyProcess(command, env=env)
    watched: list[int] = []
    try:
        assert app.wait_for(f"{TITLE} 4", timeout=60), app.output[-2000:]
        readq = app.pid
        if under_shell:
            below = descendants(app.pid)
            assert below, "readq did not start under sh"
            readq = below[0]
        watched.append(readq)
        pause = (attempt // 2 % 5) * 0.05  # the hang-up lands at different moments
        text = f"draft {attempt} typed just before the terminal went away"
        if state == "filter":
            app.send("/")
            app.send("neural", delay=0.01)
            app.send("\x15")  # ctrl+u
            app.send("graph", delay=0.01)
            app.send("\x15")
        if state == "note-during-ingest":  # the ingest holds the library's write lock
            state = "worker+note"
        if state.startswith("worker"):
            mark = len(app.output)
            app.send("i")
            assert app.wait_for("File path", timeout=30, start=mark)
            app.send(str(listing) + "\r")
            deadline = time.monotonic() + 30
            while not descendants(readq) and time.monotonic() < deadline:
                time.sleep(0.02)  # the ingest's parser process has started
            if state == "worker":
                time.sleep(pause)
        if state in ("note", "worker+note"):
            mark = len(app.output)
            app.send("n")
            assert app.wait_for("autosaved", timeout=30, start=mark)
            app.send(text)
            assert app.wait_for(text[-12:], timeout=30, start=mark)
            time.sleep(pause)  # at most 0.2 s: inside the 300 ms autosave delay
        elif state == "quit":
            app.send("q")
            time.sleep(pause / 5)
        elif state in ("list", "filter"):
            time.sleep(pause)
        children = descendants(readq)
        hung_up = time.monotonic()
        app.hang_up()
        deadline = hung_up + GONE_WITHIN
        watched += children
        while any(map(alive, watched)) and time.monotonic() < deadline:
            time.sleep(0.02)
        gone_after = None if any(map(alive, watched)) else time.monotonic() - hung_up
        # Under sh the status is the shell's; readq's own is seen when it is the leader.
        code = app.proc.wait(timeout=30) if gone_after is not None and not under_shell else None
        outcome = Outcome(state, attempt, gone_after, code, children=len(children))
        if state in ("note", "worker+note"):  # the note of the paper under the cursor
            with Store.open(db) as store:
                notes = {store.note_state(i)[0] for i in paper_ids}
            files = [recovery_path(db.parent, i) for i in paper_ids]
            recovered = {f.read_text("utf-8") for f in files if f.exists()}
            if text in notes:
                outcome.note = "saved"
            elif text in recovered:
                outcome.note, outcome.recovered = "saved", text
            else:
                outcome.note = f"lost: notes {notes}, recovery files {recovered}"
        if gone_after is not None:
            with sqlite3.connect(db) as conn:
                outcome.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
                outcome.papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        return outcome
    finally:
        app.close()
        for pid in {*watched, *descendants(app.pid)}:
            if alive(pid):  # a survivor (the test fails): do not leave it running
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def big_listing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An arXiv-style listing big enough for the ingest's child parser (see above)."""
    path = tmp_path_factory.mktemp("hangup") / "big-listing.txt"
    path.write_text(arxiv_listing("hangup", BIG_LISTING_PAPERS), encoding="utf-8")
    return path


def run_tries(state: str, tmp_path: Path, listing: Path, tries: int = TRIES) -> list[Outcome]:
    """``tries`` tries of ``state``, ``PARALLEL`` at a time."""
    work: Callable[[int], Outcome] = lambda i: run_try(  # noqa: E731
        state, i, tmp_path / f"try-{i}", listing
    )
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(work, range(tries)))


@pytest.mark.parametrize("state", ["list", "filter", "note", "worker", "quit"])
def test_readq_is_gone_within_5_s_of_its_terminal_in_every_state(
    state: str, tmp_path: Path, big_listing: Path
) -> None:
    outcomes = run_tries(state, tmp_path, big_listing)
    stuck = [o for o in outcomes if o.gone_after is None]
    assert not stuck, f"{len(stuck)}/{TRIES} tries outlived their terminal: {stuck}"
    assert all(o.integrity == "ok" for o in outcomes), outcomes
    if state == "note":
        lost = [o for o in outcomes if o.note != "saved"]
        assert not lost, f"drafts lost in {len(lost)}/{TRIES} tries: {lost}"
    if state == "worker":
        assert all(o.children >= 1 for o in outcomes), "the hang-up missed the ingest"
        # One transaction per file: an ingest cut short leaves nothing of the file behind.
        assert {o.papers for o in outcomes} <= {5, 5 + BIG_LISTING_PAPERS}, outcomes
    if state != "quit":  # the terminal's loss ends readq as SIGHUP does (a quit may win)
        assert {o.code for o in outcomes} <= {129, None}, [o.code for o in outcomes]
    slowest = max(o.gone_after or 0.0 for o in outcomes)
    in_files = sum(o.recovered is not None for o in outcomes)
    print(f"{state}: {TRIES}/{TRIES} gone, slowest after {slowest:.2f} s", end="")
    print(f", {in_files} drafts in recovery files" if state == "note" else "")


def test_a_draft_typed_during_an_ingest_is_kept_when_the_terminal_goes(
    tmp_path: Path, big_listing: Path
) -> None:
    """The ingest holds the write lock for the whole file: the draft cannot reach the library
    before readq must be gone, so it is in its recovery file (offered at the next start), and
    the exit guard ends the process although the ingest's worker thread cannot be stopped."""
    outcomes = run_tries("note-during-ingest", tmp_path, big_listing, tries=6)
    assert all(o.gone_after is not None for o in outcomes), outcomes
    assert all(o.note == "saved" for o in outcomes), outcomes
    assert all(o.children >= 1 for o in outcomes), "the hang-up missed the ingest"
    assert all(o.integrity == "ok" for o in outcomes), outcomes
    in_files = sum(o.recovered is not None for o in outcomes)
    print(f"note during ingest: 6/6 gone, {in_files} drafts in recovery files")
