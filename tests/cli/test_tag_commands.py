"""The tag and rule commands as a user types them: output, JSON, errors (one line on stderr,
non-zero exit, nothing changed), ``show``, ``stats`` and ``list --json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readq.cli import cli
from readq.models import ScrapedPaper, Source
from readq.store import Store

TITLES = ["Avatar Kettles in the Wild", "Talking Head Teapots", "Velvet Routers in Orbit"]


@pytest.fixture
def db(db_path: Path) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db_path) as store:
        store.ingest(
            [ScrapedPaper(t, f"A fictional abstract about {t.lower()}.") for t in TITLES],
            Source("hf.txt", "/l/hf.txt", "2026-01-01"),
            "hf",
        )
    return db_path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def test_tag_add_list_remove_and_json(db: Path) -> None:
    assert run(db, "tag", "add", "Project/Avatars", "1", "2") == (
        0,
        "tagged 2 papers #Project/Avatars\n",
        "",
    )
    assert run(db, "tag", "add", "survey", "2")[0] == 0
    code, out, _err = run(db, "tag", "list")
    assert code == 0 and out.split() == ["Project/Avatars", "2", "survey", "1"]
    assert json.loads(run(db, "tag", "list", "--json")[1]) == [
        {"name": "Project/Avatars", "count": 2},
        {"name": "survey", "count": 1},
    ]
    assert (
        run(db, "tag", "remove", "project/avatars", "1")[1] == "untagged 1 paper #project/avatars\n"
    )
    papers = json.loads(run(db, "list", "--json")[1])
    assert {p["id"]: p["tags"] for p in papers} == {1: [], 2: ["Project/Avatars", "survey"], 3: []}
    assert "tags: #Project/Avatars #survey" in run(db, "show", "2")[1]
    assert json.loads(run(db, "show", "2", "--json")[1])["tags"] == ["Project/Avatars", "survey"]
    stats = json.loads(run(db, "stats", "--json")[1])
    assert stats["tags"] == {"Project/Avatars": 1, "survey": 1}
    assert "#survey" in run(db, "stats")[1]


def test_tag_rename_merges_into_an_existing_tag(db: Path) -> None:
    run(db, "tag", "add", "faces", "1")
    run(db, "tag", "add", "heads", "1", "2")
    assert run(db, "tag", "rename", "faces", "Heads") == (
        0,
        "merged into #Heads: #faces (2 papers)\n",
        "",
    )
    assert json.loads(run(db, "tag", "list", "--json")[1]) == [{"name": "heads", "count": 2}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tag", "add", "two words", "1"), "bad tag name 'two words'"),
        (("tag", "add", "ok", "1", "99"), "no paper with id 99"),
        (("tag", "rename", "missing", "x"), "no tag 'missing'"),
        (("tag", "rename", "kept", "a,b"), "bad tag name 'a,b'"),
        (("rule", "add", "ok", "(avatar"), "bad rule query: unclosed '('"),
        (("rule", "add", "ok", ""), "a rule needs a query"),
        (("rule", "add", "ok", "foo:bar"), "unknown filter 'foo:'"),
        (("rule", "remove", "7"), "no rule 7"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    db: Path, args: tuple[str, ...], message: str
) -> None:
    run(db, "tag", "add", "kept", "3")
    before = run(db, "list", "--json")[1], run(db, "rule", "list", "--json")[1]
    code, out, err = run(db, *args)
    assert code != 0 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert (run(db, "list", "--json")[1], run(db, "rule", "list", "--json")[1]) == before


def test_rule_add_list_remove(db: Path) -> None:
    code, out, err = run(db, "rule", "add", "faces", 'avatar OR "talking head"')
    assert (code, err) == (0, "")
    assert out == "rule 1: #faces for 'avatar OR \"talking head\"'; tagged 2 papers now\n"
    assert run(db, "rule", "list")[1].split() == [
        "1",
        "#faces",
        "2",
        "avatar",
        "OR",
        '"talking',
        'head"',
    ]
    assert json.loads(run(db, "rule", "list", "--json")[1])[0]["count"] == 2
    assert json.loads(run(db, "list", "--json", "-q", "tag:faces")[1])[0]["id"] in (1, 2)
    assert run(db, "rule", "remove", "1")[1] == "removed rule 1 (#faces)\n"
    assert json.loads(run(db, "rule", "list", "--json")[1]) == []
    assert json.loads(run(db, "tag", "list", "--json")[1]) == [{"name": "faces", "count": 2}]


def test_a_tag_removed_by_hand_stays_removed_for_its_rule(db: Path) -> None:
    run(db, "rule", "add", "faces", "avatar")
    run(db, "tag", "remove", "faces", "1")
    run(db, "rule", "add", "faces", "kettles")  # matches #1 again
    assert json.loads(run(db, "list", "--json", "-q", "has:tag")[1]) == []
