"""``readq related``, ``readq list --sort recommended`` and ``readq dismiss`` as a user runs
them: JSON with ``because``, the line saying how many stars are missing, one clear line and
no change for bad input, and "not interested" kept through a JSON backup."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support.discoverlib import build

from readq.cli import cli
from readq.store import Store

Run = Callable[..., Result]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Run, dict[str, list[int]], Path]:
    db = tmp_path / "cli" / "readq.db"
    store, ids = build(db)
    store.close()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    return invoke, ids, db


def test_related_prints_json_with_because(setup) -> None:  # type: ignore[no-untyped-def]
    run, ids, _ = setup
    done = run("related", str(ids["language"][0]), "--limit", "4", "--json")
    assert done.exit_code == 0, done.output
    items = json.loads(done.stdout)
    assert {i["id"] for i in items} == set(ids["language"][1:])
    assert all(i["because"] and isinstance(i["score"], float) for i in items)
    table = run("related", str(ids["language"][0]), "--limit", "2")
    assert table.exit_code == 0 and "because: " in table.output


def test_related_of_an_unknown_paper_is_one_line(setup) -> None:  # type: ignore[no-untyped-def]
    run, _, _ = setup
    done = run("related", "999")
    assert done.exit_code != 0
    assert done.stderr.strip() == "readq: no paper with id 999"
    assert "Traceback" not in done.output


def test_recommended_waits_for_stars_then_ranks(setup) -> None:  # type: ignore[no-untyped-def]
    run, ids, _ = setup
    before = run("list", "--sort", "recommended", "--json")
    assert before.exit_code == 0
    assert "star 3 more papers" in before.stderr
    added = json.loads(run("list", "--sort", "added", "--json").stdout)
    assert [p["id"] for p in json.loads(before.stdout)] == [p["id"] for p in added]
    assert run("star", *map(str, ids["power"][:3])).exit_code == 0
    assert run("mark", "read", *map(str, ids["birds"][:2])).exit_code == 0
    after = run("list", "--sort", "recommended", "--status", "new", "--not-starred", "--json")
    assert after.exit_code == 0 and after.stderr == ""
    papers = json.loads(after.stdout)
    assert {p["id"] for p in papers[:2]} == set(ids["power"][3:])
    assert papers[0]["because"]
    assert {p["id"] for p in papers[-3:]} == set(ids["birds"][2:])  # read topic sinks
    limited = json.loads(run("list", "--sort", "recommended", "--limit", "1", "--json").stdout)
    assert len(limited) == 1


def test_dismiss_sinks_a_paper_and_undo_takes_it_back(setup) -> None:  # type: ignore[no-untyped-def]
    run, ids, db = setup
    run("star", *map(str, ids["power"][:3]))
    target = ids["power"][3]
    done = run("dismiss", str(target))
    assert done.exit_code == 0 and done.output.startswith("not interested in 1 paper")
    again = run("dismiss", str(target))
    assert "already not interested in" in again.output
    order = [p["id"] for p in json.loads(run("list", "--sort", "recommended", "--json").stdout)]
    assert order[-1] == target
    with Store.open(db) as store:
        assert store.get(target).status.value == "new"  # status untouched
    assert run("dismiss", "--undo", str(target)).exit_code == 0
    order = [p["id"] for p in json.loads(run("list", "--sort", "recommended", "--json").stdout)]
    assert order[-1] != target
    bad = run("dismiss", "4242")
    assert bad.exit_code != 0 and "no paper with id 4242" in bad.stderr


def test_not_interested_survives_a_json_backup(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, ids, _ = setup
    target = ids["birds"][0]
    run("dismiss", str(target))
    backup = tmp_path / "backup.json"
    assert run("export", "-f", "json", "-o", str(backup)).exit_code == 0
    records = json.loads(backup.read_text())["papers"]
    marked = [r["id"] for r in records if r["not_interested_at"]]
    assert marked == [target]
    other = tmp_path / "other" / "readq.db"
    other.parent.mkdir()
    done = CliRunner().invoke(cli, ["--db", str(other), "import", str(backup)])
    assert done.exit_code == 0, done.output
    with Store.open(other) as store:
        assert store.dismissed_ids() == {target}
    # Merged into a library holding the same papers: added, never taken away.
    merged = tmp_path / "merged" / "readq.db"
    store, _ = build(merged)
    store.set_dismissed([ids["power"][0]], True)
    store.close()
    done = CliRunner().invoke(cli, ["--db", str(merged), "import", str(backup)])
    assert done.exit_code == 0, done.output
    with Store.open(merged) as store:
        assert store.dismissed_ids() == {target, ids["power"][0]}


def test_export_follows_the_recommended_order(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run, ids, _ = setup
    run("star", *map(str, ids["birds"][:3]))
    listed = json.loads(run("list", "--sort", "recommended", "--json").stdout)
    out = tmp_path / "ranked.csv"
    done = run("export", "-f", "csv", "--sort", "recommended", "-o", str(out))
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [int(r["id"]) for r in rows] == [p["id"] for p in listed]
    assert {p["id"] for p in listed[:5]} == set(ids["birds"])
