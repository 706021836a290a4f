"""Shared fixtures: temporary libraries, fixture listings, the real seeds when present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from readq.store import Store

pytest_plugins = ["support.fakeapi"]  # the `api` fixture: a local stand-in for the arXiv API

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's data or config: point both into the test's tmp dir."""
    monkeypatch.setenv("READQ_DB", str(tmp_path / "data" / "readq.db"))
    monkeypatch.setenv("READQ_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A library path inside the test's tmp dir (not created yet)."""
    return tmp_path / "lib" / "readq.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """An empty, migrated library."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    opened = Store.open(db_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def seeds() -> list[Path]:
    """The five real listings beside the repo (skips the test when they are absent)."""
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        pytest.skip("../shared/seeds not present")
    return files
