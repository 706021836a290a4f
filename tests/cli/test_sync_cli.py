"""``readq sync``: first folder remembered, --status, --json, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from readq.cli import cli


def _invoke(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def _library(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    db = tmp_path / name / "readq.db"
    listing = tmp_path / f"{name}.txt"
    listing.write_text(
        "arXiv:2612.10001\nTitle: Gradient Lanterns for Tiny Fictional Models\n"
        "Authors: Ada Quill, Ben Sparrow\nAbstract: We invent a lantern that lights fictional "
        "gradients and measure nothing real at all in this made-up study.\n",
        encoding="utf-8",
    )
    result = _invoke(db, "ingest", str(listing))
    assert result.exit_code == 0, result.output
    return db


def test_sync_remembers_the_folder_and_reports(tmp_path: Path) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a, b = _library(tmp_path, "a"), tmp_path / "b" / "readq.db"
    (tmp_path / "b").mkdir()
    first = _invoke(a, "sync", str(folder), "--name", "laptop")
    assert first.exit_code == 0, first.output
    assert "synced with" in first.output and "as laptop" in first.output
    joined = _invoke(b, "sync", str(folder), "--name", "desktop", "--json")
    assert joined.exit_code == 0, joined.output
    summary = json.loads(joined.output[joined.output.index("{") :])
    assert summary["joined"] and summary["received"] >= 1 and summary["backup"]
    assert Path(summary["backup"]).exists()
    found = _invoke(b, "list", "--query", "lanterns")  # searchable at once on the new device
    assert "We invent a lantern" in found.output
    again = _invoke(a, "sync")  # the folder is remembered
    assert again.exit_code == 0, again.output
    status = _invoke(a, "sync", "--status")
    assert status.exit_code == 0
    assert f"folder: {folder.resolve()}" in status.output
    assert "this device: laptop" in status.output
    assert "other device: desktop" in status.output
    as_json = json.loads(_invoke(a, "sync", "--status", "--json").output)
    assert as_json["device"]["name"] == "laptop" and as_json["pending"] == 0
    assert [d["name"] for d in as_json["devices"]] == ["desktop"]


def test_sync_errors_are_one_line(tmp_path: Path) -> None:
    a = _library(tmp_path, "a")
    nothing = _invoke(a, "sync")
    assert nothing.exit_code == 1
    assert nothing.output.strip().startswith("readq: no sync folder yet")
    missing = _invoke(a, "sync", str(tmp_path / "nope"))
    assert missing.exit_code == 1 and "no such folder" in missing.output
    assert "Traceback" not in missing.output
    newer = tmp_path / "Newer"
    (newer / "readq-sync").mkdir(parents=True)
    (newer / "readq-sync" / "format.json").write_text('{"format": 7}\n')
    refused = _invoke(a, "sync", str(newer))
    assert refused.exit_code == 1 and "newer readq" in refused.output
    other = tmp_path / "Other"
    other.mkdir()
    assert _invoke(a, "sync", str(tmp_path)).exit_code == 0
    switched = _invoke(a, "sync", str(other))
    assert switched.exit_code == 1 and "already syncs through" in switched.output


def test_a_corrupt_entry_exits_1_and_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "Shared"
    folder.mkdir()
    a = _library(tmp_path, "a")
    assert _invoke(a, "sync", str(folder)).exit_code == 0
    (log,) = folder.glob("readq-sync/v1/devices/*/log-000001.jsonl")
    log.write_bytes(log.read_bytes() + b"\x1b]52;c;evil\x07 not json\n")
    (tmp_path / "b").mkdir()
    result = _invoke(tmp_path / "b" / "readq.db", "sync", str(folder))
    assert result.exit_code == 1
    assert f"{log.parent.name}/log-000001.jsonl:2: not JSON; skipped" in result.output
    assert "\x1b" not in result.output


def test_tags_rules_views_and_queue_set_by_the_cli_travel(tmp_path: Path) -> None:
    """Every CLI write path of issue 17 is seen by the next sync: ``readq tag``, ``readq
    rule``, ``readq view``, ``readq queue move`` on one device show on the other."""
    folder = tmp_path / "Shared"
    folder.mkdir()
    a = _library(tmp_path, "a")
    (tmp_path / "b").mkdir()
    b = tmp_path / "b" / "readq.db"
    assert _invoke(a, "sync", str(folder)).exit_code == 0
    assert _invoke(b, "sync", str(folder)).exit_code == 0
    for args in (
        ("tag", "add", "lanterns/tiny", "1"),
        ("rule", "add", "gradients", "gradient"),
        ("view", "add", "Lit", "tag:lanterns"),
        ("mark", "to-read", "1"),
    ):
        result = _invoke(a, *args)
        assert result.exit_code == 0, (args, result.output)
    assert _invoke(a, "sync").exit_code == 0
    assert _invoke(b, "sync").exit_code == 0
    shown = json.loads(_invoke(b, "show", "1", "--json").output)
    assert sorted(shown["tags"]) == ["gradients", "lanterns/tiny"]
    assert "Lit" in _invoke(b, "view", "list").output
    assert "gradient" in _invoke(b, "rule", "list").output
    queue = json.loads(_invoke(b, "queue", "--json").output)
    assert len(queue) == 1
    # Back: a removal by hand and a removed view on b reach a.
    assert _invoke(b, "tag", "remove", "gradients", "1").exit_code == 0
    assert _invoke(b, "view", "remove", "Lit").exit_code == 0
    assert _invoke(b, "sync").exit_code == 0
    assert _invoke(a, "sync").exit_code == 0
    shown = json.loads(_invoke(a, "show", "1", "--json").output)
    assert shown["tags"] == ["lanterns/tiny"]
    assert "Lit" not in _invoke(a, "view", "list").output
