"""Where readq keeps its files: platformdirs defaults, overridden by ``--db`` or ``READQ_DB``.

A library named on the command line (``--db``) is never made up: a mistyped path must not
quietly start an empty library. The default location (platformdirs, or ``READQ_DB``: the
user's own configured default) is created on first use.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "readq"
DB_ENV = "READQ_DB"
CONFIG_ENV = "READQ_CONFIG_DIR"


class DataDirError(Exception):
    """The data directory does not exist and cannot be created (or, for a library named
    with ``--db``, must not be)."""


@dataclass(frozen=True, slots=True)
class Paths:
    """The files readq uses in one run."""

    db: Path
    config_dir: Path
    explicit: bool = False
    """The library was named by ``--db`` (not the default location, ``READQ_DB`` included)."""

    @property
    def data_dir(self) -> Path:
        """The directory holding the library (and its backups and logs)."""
        return self.db.parent

    @property
    def backup_dir(self) -> Path:
        """Automatic backups (before migrations) go here."""
        return self.data_dir / "backups"

    @property
    def log_file(self) -> Path:
        """Unexpected errors are logged here."""
        return self.data_dir / "readq.log"

    @property
    def config_file(self) -> Path:
        """User settings (theme, sort)."""
        return self.config_dir / "config.json"


def resolve_paths(db: str | os.PathLike[str] | None = None) -> Paths:
    """Work out the paths: an explicit ``db`` wins, then ``READQ_DB``, then platformdirs."""
    import platformdirs

    chosen = db if db is not None else os.environ.get(DB_ENV) or None
    if chosen is not None:
        db_path = Path(chosen).expanduser()
    else:
        db_path = Path(platformdirs.user_data_dir(APP_NAME)) / "readq.db"
    config_override = os.environ.get(CONFIG_ENV)
    config_dir = (
        Path(config_override) if config_override else Path(platformdirs.user_config_dir(APP_NAME))
    )
    return Paths(db=db_path.absolute(), config_dir=config_dir, explicit=db is not None)


def ensure_data_dir(paths: Paths) -> None:
    """Create the data directory if needed, or raise DataDirError with a clear message."""
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataDirError(f"cannot create data directory {paths.data_dir}: {reason}") from None
    if not paths.data_dir.is_dir():
        raise DataDirError(f"data directory {paths.data_dir} is not a directory")


def check_library_location(paths: Paths, *, write: bool) -> bool:
    """Make sure a command may open the library at ``paths``; True when it will be created.

    * The library exists: nothing to do.
    * At the default location (``READQ_DB`` or platformdirs): its directory is created
      (``DataDirError`` if it cannot be).
    * Named with ``--db`` and missing: a command that only reads (``write``
      False) is refused ("no library at ..."); one that writes may start a new library there
      only if the directory exists (a path with a typo in a directory name is refused, not
      created).
    """
    if paths.db.exists():
        return False
    if not paths.explicit:
        ensure_data_dir(paths)
        return True
    if not write:
        raise DataDirError(
            f"no library at {paths.db} (check --db; `readq ingest` or `readq import` "
            "starts a new one there)"
        )
    if not paths.data_dir.is_dir():
        what = "is not a directory" if paths.data_dir.exists() else "no such directory"
        raise DataDirError(
            f"{paths.data_dir}: {what}, so there is no library at {paths.db} (check --db; "
            "create the directory first to start a new library there)"
        )
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_undecodable(text: str) -> str:
    """``text`` with what cannot be printed or stored as UTF-8 made visible: a byte of a file
    name or argument that was not UTF-8 (Python holds it as a surrogate) as ``\\xff``, any
    other lone surrogate as ``\\udXXX``. Text that is valid UTF-8 is returned as is."""
    if _SURROGATE.search(text) is None:
        return text

    def escape(match: re.Match[str]) -> str:
        code = ord(match[0])
        if 0xDC80 <= code <= 0xDCFF:
            return f"\\x{code - 0xDC00:02x}"
        return f"\\u{code:04x}"

    return _SURROGATE.sub(escape, text)


def search_cache_path(db: Path) -> Path:
    """The persisted search index of the library at ``db`` (beside it:
    ``readq.db.search-cache``). Only a cache: it may be deleted at any time."""
    return db.with_name(db.name + ".search-cache")
