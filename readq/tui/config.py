"""User settings of the TUI (theme, sort, last view), saved as JSON at ``Paths.config_file``.

A missing, unreadable or malformed file gives the defaults: settings never stop readq starting.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from readq.models import SortKey

DEFAULT_THEME = "textual-dark"
VIEW_NAMES = ("inbox", "to-read", "starred", "read", "all")


@dataclass(slots=True)
class Settings:
    """What the TUI remembers between runs."""

    theme: str = DEFAULT_THEME
    sort: str = SortKey.ADDED.value
    view: str = "inbox"

    @property
    def sort_key(self) -> SortKey:
        """The sort as a ``SortKey`` (unknown values fall back to ``added``)."""
        try:
            return SortKey(self.sort)
        except ValueError:
            return SortKey.ADDED


def load_settings(path: Path) -> Settings:
    """Read settings from ``path``; anything missing or invalid takes its default."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    settings = Settings()
    for f in fields(Settings):
        value = data.get(f.name)
        if isinstance(value, str) and value:
            setattr(settings, f.name, value)
    if settings.view not in VIEW_NAMES:
        settings.view = "inbox"
    settings.sort = settings.sort_key.value
    return settings


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
