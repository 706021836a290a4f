"""The TUI's frame rate: how soon after a change Textual paints it.

Why: Textual paints at most ``TEXTUAL_FPS`` frames a second (60 by default). A filter
keystroke paints twice: the input's echo takes one frame slot, and the new list (ready ~10 ms
later) waits for the next one. A timeline of keystrokes at 100k papers showed 18-31 ms spent
waiting for that slot, more than the search and the row rendering together. At 240 frames a
second the wait is at most ~4 ms: in interleaved end-to-end runs at 100k papers (load ~1) the
keystroke → list figure went from 35 / 44 ms (p50 / p95) at 60 to 16 / 24 ms at 240. Frames
are only painted when something changed, so an idle TUI costs nothing more.

A user's own ``TEXTUAL_FPS`` is respected. The variable is set only while Textual reads it,
so programs readq starts (an editor, a browser) do not inherit it.
"""

from __future__ import annotations

import os
import sys

FRAMES_PER_SECOND = 240
"""Readq's default for Textual's frame rate limit."""


def prefer_frame_rate(fps: int = FRAMES_PER_SECOND) -> bool:
    """Have Textual paint up to ``fps`` frames a second, unless the user set
    ``TEXTUAL_FPS``. Call before anything imports Textual (it reads the variable once);
    returns False if it was too late or the user's setting stands."""
    if "textual.constants" in sys.modules or "TEXTUAL_FPS" in os.environ:
        return False
    os.environ["TEXTUAL_FPS"] = str(fps)
    try:
        import textual.constants  # noqa: F401  (reads TEXTUAL_FPS now)
    finally:
        os.environ.pop("TEXTUAL_FPS", None)
    return True
