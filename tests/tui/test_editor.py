"""The external editor: the temporary file it is given, and what comes back."""

from __future__ import annotations

import pytest

from readq.editor import edit_text


def test_the_temp_file_ends_with_a_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12 item 20: an editor script appending a line starts it on its own line."""
    monkeypatch.setenv("VISUAL", "sh -c 'echo appended >> \"$1\"' sh")
    assert edit_text("first line\nlast line") == "first line\nlast line\nappended\n"


@pytest.mark.parametrize("text", ["no newline", "with newline\n", ""])
def test_a_file_saved_unchanged_gives_the_note_back_as_it_was(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("VISUAL", "true")
    assert edit_text(text) == text
