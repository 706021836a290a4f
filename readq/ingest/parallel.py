"""Parse a big listing in a child process while this process writes the library.

Parsing (decoding, line classification, dates) with the dedupe keys (title key and abstract
key) and storing (SQLite inserts and index updates) each take about half of an ingest's CPU
time. A thread pipeline does not help (the GIL serialises them); a child process does: it runs
exactly :func:`readq.ingest.parse.parse_source` on the same file, computes each paper's dedupe keys
(:func:`readq.textclean.dedupe_keys`), and sends papers and keys back in batches of plain
tuples, so the two halves overlap on two cores. The child is started with ``spawn`` (never
``fork``: the TUI ingests from a worker thread, and forking a threaded process is unsafe).
Small files and stdin are parsed in-process: starting a child costs ~0.2 s.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from multiprocessing.connection import Connection

from readq.ingest.errors import IngestError
from readq.ingest.reader import TextSource
from readq.store import ScrapedRow

PARALLEL_MIN_BYTES = 8 << 20
"""Files smaller than this are parsed in-process."""
BATCH = 2000


def eligible(source: TextSource) -> bool:
    """Whether ``source`` is a regular file big enough to be worth a child process."""
    if source.size < PARALLEL_MIN_BYTES or source.path == "<stdin>":
        return False
    return os.path.isfile(source.path)


def parse_in_child(
    source: TextSource,
    *,
    listing_year: int | None,
    today: date | None = None,
    find_year: Callable[[], int] | None = None,
    on_format: Callable[[str], None] | None = None,
) -> Iterator[ScrapedRow]:
    """The papers of ``source`` as :func:`readq.ingest.parse.parse_source` yields them, parsed in a
    child process, each as its :func:`readq.store.scraped_values` row (dedupe keys included,
    as :meth:`readq.store.Store.ingest_rows` takes them). Warnings the child's reader raised
    are added to ``source.warnings``.

    ``find_year`` (a Hugging Face listing without ``listing_year``) is called here while the
    child starts (it imports readq for ~0.2 s), and its answer is sent to the child: the year
    pre-scan over the whole file then costs no time before the first papers arrive.
    ``on_format`` is given the format the child read the file in (``mixed`` when it holds
    several pastes), which its first lines alone do not tell."""
    ctx = multiprocessing.get_context("spawn")
    _ensure_resource_tracker()
    receiver, sender = ctx.Pipe(duplex=False)
    year_receiver, year_sender = ctx.Pipe(duplex=False) if find_year else (None, None)
    child = ctx.Process(
        target=_child_main,
        args=(
            source.path,
            source.name,
            source.encoding,
            source.size,
            listing_year,
            (today or date.today()).isoformat(),
            sender,
            year_receiver,
            os.getpid(),
        ),
        daemon=True,
        name="readq-parse",
    )
    child.start()
    sender.close()
    if year_receiver is not None:
        year_receiver.close()  # the child has its own copy
    try:
        if find_year is not None and year_sender is not None:
            try:
                year = find_year()
            except OSError as exc:  # the file went away or cannot be read: this file fails
                raise IngestError(source.name, exc.strerror or str(exc)) from None
            year_sender.send(year)
            year_sender.close()
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise IngestError(source.name, "the parser process ended unexpectedly") from None
            if kind == "papers":
                yield from payload
            elif kind == "format":
                if on_format is not None:
                    on_format(str(payload))
            elif kind == "done":
                for warning in payload:
                    if warning not in source.warnings:
                        source.warnings.append(warning)
                return
            else:
                raise IngestError(source.name, str(payload).removeprefix(source.name + ": "))
    finally:
        receiver.close()
        if year_sender is not None:
            year_sender.close()
        if child.is_alive():
            child.terminate()
        child.join(5)


def _ensure_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr if ``sys.stderr`` has none.

    The first ``spawn`` starts the tracker and hands it ``sys.stderr.fileno()``. Under the TUI
    ``sys.stderr`` is Textual's print capture, whose ``fileno()`` is -1, so every child start
    failed ("bad value(s) in fds_to_keep") and no big file could be ingested from the TUI.
    The tracker then gets /dev/null as its stderr (it only prints leak warnings there)."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        return
    from multiprocessing import resource_tracker

    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        resource_tracker.ensure_running()


def _child_main(
    path: str,
    name: str,
    encoding: str,
    size: int,
    listing_year: int | None,
    today: str,
    sender: Connection,
    year_receiver: Connection | None = None,
    parent_pid: int | None = None,
) -> None:
    """The child: parse the file, send batches of ``scraped_values`` rows, then ("done",
    warnings). It dies with the parent (``die_with_parent``)."""
    from readq.childproc import die_with_parent

    die_with_parent(parent_pid)
    from readq.ingest.parse import parse_source
    from readq.store import scraped_values
    from readq.textclean import dedupe_keys

    def opener() -> object:
        return open(path, "rb")

    source = TextSource(name=name, path=path, encoding=encoding, size=size)
    source._opener = opener  # type: ignore[assignment]
    try:
        if year_receiver is not None:
            try:
                listing_year = int(year_receiver.recv())
            except EOFError:  # the parent could not scan the file: it reports that itself
                return
        fmt, papers = parse_source(
            source,
            listing_year=listing_year,
            today=date.fromisoformat(today),
            anchors_checked=year_receiver is not None,  # the parent's scan looked
        )
        sender.send(("format", fmt.value))
        batch: list[ScrapedRow] = []
        for paper in papers:
            batch.append(scraped_values(paper, *dedupe_keys(paper.title, paper.abstract)))
            if len(batch) >= BATCH:
                sender.send(("papers", batch))
                batch = []
        if batch:
            sender.send(("papers", batch))
        sender.send(("done", list(source.warnings)))
    except IngestError as exc:
        sender.send(("error", str(exc)))
    except Exception as exc:  # reported by the parent as one line
        sender.send(("error", f"could not parse ({exc})"))
    finally:
        sender.close()
