"""Run code in a fresh interpreter: what readq does at import or at exit shows only there."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def python_in_subprocess(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (dedented) in a fresh interpreter that imports this checkout's readq."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
