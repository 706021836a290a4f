"""Readq's TUI paints up to 240 frames a second unless the user set ``TEXTUAL_FPS``, and
programs it starts do not inherit the setting (see ``readq/tui/frame_rate.py`` for why)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import os\n"
    "from readq.tui.frame_rate import prefer_frame_rate\n"
    "applied = prefer_frame_rate()\n"
    "from textual import constants\n"
    "from textual.screen import UPDATE_PERIOD\n"
    "print(applied, constants.MAX_FPS, round(1 / UPDATE_PERIOD), os.environ.get('TEXTUAL_FPS'))\n"
)


def probe(env_fps: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    if env_fps is not None:
        env["TEXTUAL_FPS"] = env_fps
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_tui_paints_up_to_240_frames_a_second_without_leaking_the_setting() -> None:
    assert probe(None) == ["True", "240", "240", "None"]


def test_a_users_own_frame_rate_stands() -> None:
    assert probe("30") == ["False", "30", "30", "30"]


def test_readq_without_a_command_chooses_the_frame_rate_before_starting_the_tui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import readq.tui.app
    from readq.cli import cli
    from readq.tui import frame_rate

    calls: list[str] = []

    def prefer_frame_rate() -> bool:
        calls.append("fps")
        return True

    monkeypatch.setattr(frame_rate, "prefer_frame_rate", prefer_frame_rate)

    def run_app(paths: object) -> int:
        calls.append("run_app")
        return 0

    monkeypatch.setattr(readq.tui.app, "run_app", run_app)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "readq.db")])
    assert result.exit_code == 0, result.output
    assert calls == ["fps", "run_app"]
