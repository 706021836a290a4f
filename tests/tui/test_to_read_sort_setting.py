"""The To-read view's sort is its own setting (``queue`` unless the user picks another
there); the other views share one; an unknown value falls back to ``queue``."""

from __future__ import annotations

import json
from pathlib import Path

from readq.library.settings import Settings, read_settings, save_settings
from readq.models import SortKey


def test_the_to_read_view_keeps_its_own_sort(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.sort_for("to-read") is SortKey.QUEUE
    assert settings.sort_for("inbox") is SortKey.ADDED
    settings.to_read_sort = "title"
    path = tmp_path / "config.json"
    save_settings(path, settings)
    loaded, problem = read_settings(path)
    assert problem is None and loaded.sort_for("to-read") is SortKey.TITLE
    path.write_text(json.dumps({"to_read_sort": "bogus"}), encoding="utf-8")
    assert read_settings(path)[0].sort_for("to-read") is SortKey.QUEUE
