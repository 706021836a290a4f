"""The core never imports Textual: enforced in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "import readq.store, readq.ingest, readq.cli, readq.models, readq.backup\n"
        "import importlib.util\n"
        "for name in ('readq.search', 'readq.export', 'readq.importers', 'readq.arxiv_api'):\n"
        "    if importlib.util.find_spec(name) is not None:\n"
        "        __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert 'click' not in sys.modules or 'readq.cli' in sys.modules\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
