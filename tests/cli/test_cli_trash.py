"""`readq delete` and `readq trash` (list, restore, empty): one line per outcome, a clear
error and no change for bad input, and the trash hidden from list, stats and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from readq.cli import cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "cli" / "readq.db"
    db.parent.mkdir()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    assert invoke("ingest", str(FIXTURES / "hf_daily.txt")).exit_code == 0
    return invoke


def _ids(run) -> list[int]:  # type: ignore[no-untyped-def]
    return [p["id"] for p in json.loads(run("list", "--json").output)]


def test_delete_hides_and_restore_brings_back(run) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(run)
    assert len(ids) == 5
    result = run("delete", str(ids[0]), str(ids[1]))
    assert result.exit_code == 0, result.output
    assert result.output == f"moved 2 papers to the trash: #{ids[0]} #{ids[1]}\n"
    assert sorted(_ids(run)) == sorted(ids[2:])
    assert json.loads(run("stats", "--json").output)["total"] == 3
    listed = run("trash", "list")
    assert listed.exit_code == 0
    assert f"{ids[0]}  deleted " in listed.output and f"{ids[1]}  deleted " in listed.output
    trash_json = json.loads(run("trash", "list", "--json").output)
    assert {p["id"] for p in trash_json} == {ids[0], ids[1]}
    assert all(p["deleted_at"] for p in trash_json)
    again = run("delete", str(ids[0]))
    assert again.exit_code == 0 and again.output == f"already in the trash: #{ids[0]}\n"
    back = run("trash", "restore", str(ids[0]), str(ids[2]))
    assert back.exit_code == 0
    assert back.output == f"restored 1 paper: #{ids[0]}\nnot in the trash: #{ids[2]}\n"
    assert sorted(_ids(run)) == sorted([ids[0], *ids[2:]])


def test_reingest_of_a_deleted_paper_says_it_stays_in_the_trash(run) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(run)
    run("delete", str(ids[0]))
    again = run("ingest", str(FIXTURES / "hf_daily.txt"))
    assert again.exit_code == 0
    assert "0 new, 5 already known (0 updated), 1 in the trash (not restored" in again.output
    assert len(_ids(run)) == 4


def test_unknown_id_is_one_line_and_changes_nothing(run) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(run)
    result = run("delete", str(ids[0]), "999")
    assert result.exit_code != 0
    assert "999" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert len(_ids(run)) == 5


def test_empty_needs_yes_and_deletes_for_good(run) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(run)
    run("delete", str(ids[0]), str(ids[1]))
    refused = run("trash", "empty")
    assert refused.exit_code != 0
    assert "2 paper(s)" in refused.output and "--yes" in refused.output
    assert len(json.loads(run("trash", "list", "--json").output)) == 2
    one = run("trash", "empty", "--yes", str(ids[0]))
    assert one.exit_code == 0 and one.output == "deleted 1 paper for good\n"
    assert run("show", str(ids[0])).exit_code != 0
    assert run("trash", "empty", "--yes").output == "deleted 1 paper for good\n"
    assert run("trash").output == "the trash is empty\n"
    nothing = run("trash", "empty")
    assert nothing.exit_code == 0 and nothing.output == "the trash is empty\n"
