"""Appending failures to ``readq.log`` beside the library.

A failure shown to the user as one line (a toast in the TUI) also needs its details somewhere
for a bug report: the log keeps the time, what was being done, and the traceback. Writing the
log is best effort: a log that cannot be written never turns into a second failure.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path


def log_failure(log_file: Path, what: str, exc: BaseException | None = None) -> bool:
    """Append ``what`` (one line) and ``exc``'s traceback, if any, to ``log_file``.

    Returns whether the entry was written.
    """
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    entry = f"[{stamp}] {' '.join(what.split())}\n"
    if exc is not None:
        entry += "".join(traceback.format_exception(exc))
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(entry)
    except OSError:
        return False
    return True
