"""User settings of the TUI (theme, sort, last view), saved as JSON at ``Paths.config_file``.

A missing, unreadable or malformed file gives the defaults: settings never stop readq starting.
A file that is there but cannot be used (not a regular file, too big, not UTF-8, not JSON,
nested too deep to parse) is reported once (:func:`read_settings` says why) and left as it is:
readq does not write its settings over a file it could not read.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from readq.models import SortKey

DEFAULT_THEME = "textual-dark"
VIEW_NAMES = ("inbox", "to-read", "starred", "read", "all")
CONFIG_LIMIT_BYTES = 64 * 1024
"""A settings file larger than this is not read (readq writes about 80 bytes)."""


@dataclass(slots=True)
class Settings:
    """What the TUI remembers between runs."""

    theme: str = DEFAULT_THEME
    sort: str = SortKey.ADDED.value
    view: str = "inbox"
    reverse: bool = False
    """The sort read bottom-up (oldest first for "added")."""
    to_read_sort: str = SortKey.QUEUE.value
    """The To-read view's own sort: its manual queue order unless the user picks another."""

    @property
    def sort_key(self) -> SortKey:
        """The sort as a ``SortKey`` (unknown values fall back to ``added``)."""
        try:
            return SortKey(self.sort)
        except ValueError:
            return SortKey.ADDED

    def sort_for(self, view: str) -> SortKey:
        """The sort a view opens with: the To-read view keeps its own (``queue`` unless the
        user chose another there), every other view the shared one."""
        if view != "to-read":
            return self.sort_key
        try:
            return SortKey(self.to_read_sort)
        except ValueError:
            return SortKey.QUEUE


def load_settings(path: Path) -> Settings:
    """Read settings from ``path``; anything missing or invalid takes its default."""
    return read_settings(path)[0]


def read_settings(path: Path) -> tuple[Settings, str | None]:
    """The settings in ``path`` and, when the file is there but unusable, why (one line).

    Never raises and never blocks: a FIFO is not opened for a blocking read, a huge file is
    not read, and JSON nested too deep for the parser (RecursionError) is a reason like any
    other. A missing file is no problem (the defaults, silently).
    """
    try:
        data = _read_json(path)
    except FileNotFoundError:
        return Settings(), None
    except _Unusable as exc:
        return Settings(), f"{path}: {exc}"
    except OSError as exc:
        return Settings(), f"{path}: {exc.strerror or exc}"
    if not isinstance(data, dict):
        return Settings(), f"{path}: not a JSON object"
    settings = Settings()
    for f in fields(Settings):
        value = data.get(f.name)
        if f.name == "reverse":
            settings.reverse = value is True
        elif isinstance(value, str) and value:
            setattr(settings, f.name, value)
    if settings.view not in VIEW_NAMES:
        settings.view = "inbox"
    settings.sort = settings.sort_key.value
    settings.to_read_sort = settings.sort_for("to-read").value
    return settings, None


class _Unusable(Exception):
    """The settings file is there but cannot be used (the message says why)."""


def _read_json(path: Path) -> object:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable("not a regular file")
        if info.st_size > CONFIG_LIMIT_BYTES:
            raise _Unusable(f"too big ({info.st_size} bytes, at most {CONFIG_LIMIT_BYTES})")
        raw = os.read(fd, CONFIG_LIMIT_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > CONFIG_LIMIT_BYTES:  # it grew after the stat
        raise _Unusable(f"too big (more than {CONFIG_LIMIT_BYTES} bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unusable("not UTF-8 text") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise _Unusable("nested too deeply to read") from None
    except ValueError as exc:
        raise _Unusable(f"not valid JSON ({exc})") from None


def save_settings(path: Path, settings: Settings) -> None:
    """Write settings atomically (temp file + rename); errors are swallowed (best effort)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(settings), handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, path)
    except OSError:
        return
