"""Helpers for the reliability suite: run ``readq`` for real, make listings, inspect libraries."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
READQ = [sys.executable, "-m", "readq"]
"""The real CLI, with the test's interpreter (same venv and code)."""


def run_readq(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 60.0,
    preexec_fn: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``readq ARGS`` in a subprocess; text output, never raises on a non-zero status."""
    return subprocess.run(
        [*READQ, *args],
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else None,
        timeout=timeout,
        preexec_fn=preexec_fn,
        cwd=str(cwd or REPO),
        check=False,
    )


def arxiv_listing(prefix: str, count: int) -> str:
    """An arXiv-style listing of ``count`` papers whose abstracts are unique to ``prefix``."""
    return "".join(
        f"Abstract:We study {prefix} problem number {i} and report that method {prefix}-{i} "
        f"improves the baseline by {i % 97} points on a made-up benchmark.\n"
        for i in range(count)
    )


def write_listing(path: Path, prefix: str, count: int) -> Path:
    """Write :func:`arxiv_listing` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(arxiv_listing(prefix, count), encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` of a library, on a connection of its own."""
    conn = sqlite3.connect(str(db))
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(r[0]) for r in rows)


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on a library, on a connection of its own."""
    conn = sqlite3.connect(str(db))
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def child_env(**extra: str) -> dict[str, str]:
    """The test's environment (READQ_DB etc. from conftest) plus ``extra``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env
