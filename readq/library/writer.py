"""Marks that must wait for another process's write lock are saved by a background thread.

The TUI writes on its own connection with a short busy timeout. When another process (a
``readq ingest`` of a big file, say) holds the write lock longer than that, the change is shown
at once and queued here instead: one thread, its own connection, a long busy timeout, jobs in
order. A job that finally fails is reported back, and the TUI undoes it on screen. No Textual
import: callbacks are delivered through the ``deliver`` function the app passes in.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readq.store import Store

QUEUED_BUSY_TIMEOUT_MS = 10 * 60 * 1000
FAST_BUSY_TIMEOUT_MS = 150


@dataclass(frozen=True, slots=True)
class _Job:
    work: Callable[[Store], Any]
    failed: Callable[[Exception], None]


class BackgroundWriter:
    """A queue of writes applied in order by one thread on its own connection."""

    def __init__(self, db_path: Path, deliver: Callable[[Callable[[], None]], None]) -> None:
        self._db_path = db_path
        self.deliver = deliver
        """Runs a callback on the front end's thread (set again by a front end made after it)."""
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Jobs queued or running."""
        return self._jobs.unfinished_tasks

    def submit(self, work: Callable[[Store], Any], failed: Callable[[Exception], None]) -> None:
        """Queue ``work(store)``; ``failed(exc)`` is delivered if it finally fails."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="readq-writer", daemon=True)
                self._thread.start()
        self._jobs.put(_Job(work, failed))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued job is done; False if they are still waiting after
        ``timeout`` seconds."""
        import time

        deadline = time.monotonic() + timeout
        while self._jobs.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float) -> bool:
        """Finish the queue (up to ``timeout`` seconds) and stop the thread."""
        done = self.wait_idle(timeout)
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=0.5)
        return done

    def _run(self) -> None:
        store: Store | None = None
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                try:
                    if store is None:
                        store = Store.open(self._db_path, migrate=False)
                        store.set_busy_timeout(QUEUED_BUSY_TIMEOUT_MS)
                    job.work(store)
                except Exception as exc:  # reported to the UI, which reverts the change
                    self.deliver(functools.partial(job.failed, exc))
            finally:
                self._jobs.task_done()
