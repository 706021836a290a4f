"""Where readq keeps its files: platformdirs defaults, overridden by ``--db`` or ``READQ_DB``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "readq"
DB_ENV = "READQ_DB"
CONFIG_ENV = "READQ_CONFIG_DIR"


class DataDirError(Exception):
    """The data directory does not exist and cannot be created."""


@dataclass(frozen=True, slots=True)
class Paths:
    """The files readq uses in one run."""

    db: Path
    config_dir: Path

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
    return Paths(db=db_path.absolute(), config_dir=config_dir)


def ensure_data_dir(paths: Paths) -> None:
    """Create the data directory if needed, or raise DataDirError with a clear message."""
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataDirError(f"cannot create data directory {paths.data_dir}: {reason}") from None
    if not paths.data_dir.is_dir():
        raise DataDirError(f"data directory {paths.data_dir} is not a directory")


def search_cache_path(db: Path) -> Path:
    """The persisted search index of the library at ``db`` (beside it:
    ``readq.db.search-cache``). Only a cache: it may be deleted at any time."""
    return db.with_name(db.name + ".search-cache")
