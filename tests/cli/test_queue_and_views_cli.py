"""`readq view` and `readq queue`: saved views with live counts, `list --view`, the queue in
order, moves, suggested orders (shown unless --apply), stats; bad input is one line on stderr,
exit 2, nothing changed."""

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
    return sorted(p["id"] for p in json.loads(run("list", "--json").output))


def _queue(run) -> list[int]:  # type: ignore[no-untyped-def]
    result = run("queue", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["queue_rank"] for r in rows] == list(range(1, len(rows) + 1))
    return [r["id"] for r in rows]


def test_queue_order_and_moves(run) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d, _e = _ids(run)
    assert run("mark", "to-read", str(c), str(a), str(d)).exit_code == 0
    assert _queue(run) == [c, a, d]
    shown = run("queue")
    assert shown.output.splitlines()[0].startswith(f"1. #{c} ")
    assert run("queue", "move", str(d), "--top").output == f"moved #{d} to place 1 in the queue\n"
    assert _queue(run) == [d, c, a]
    run("queue", "move", str(d), "--after", str(a))
    assert _queue(run) == [c, a, d]
    run("queue", "move", str(d), "--before", str(c))
    assert _queue(run) == [d, c, a]
    run("queue", "move", str(d), "--bottom")
    assert _queue(run) == [c, a, d]
    assert "already there" in run("queue", "move", str(d), "--bottom").output
    run("mark", "read", str(a))
    run("mark", "to-read", str(b), str(a))
    assert _queue(run) == [c, d, b, a]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["queue", "move", "{c}"], "say where to move it"),
        (["queue", "move", "{c}", "--top", "--bottom"], "say where to move it"),
        (["queue", "move", "{b}", "--top"], "is not in the to-read queue (marked new)"),
        (["queue", "move", "{c}", "--before", "{b}"], "is not in the to-read queue"),
        (["queue", "move", "999", "--top"], "no paper with id 999"),
        (["queue", "suggest"], "choose one suggested order"),
        (["queue", "suggest", "--by", "astrology"], "unknown suggested order 'astrology'"),
        (["view", "add", "broken", "org:"], "bad query for view 'broken'"),
        (["view", "add", "[x]", "owls"], "a view name cannot hold"),
        (["view", "remove", "nothing"], "no saved view called 'nothing'"),
        (["list", "--view", "nothing"], "no saved view called 'nothing'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    _a, b, c, d, _e = _ids(run)
    run("mark", "to-read", str(c), str(d))
    before = (_queue(run), run("view", "list", "--json").output)
    result = run(*[x.format(b=b, c=c) for x in args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("readq: ") and message in lines[0], lines
    assert (_queue(run), run("view", "list", "--json").output) == before


def test_suggested_orders_are_shown_then_applied(run) -> None:  # type: ignore[no-untyped-def]
    ids = _ids(run)
    run("mark", "to-read", *map(str, ids))
    before = _queue(run)
    shown = run("queue", "suggest", "--oldest")
    assert shown.exit_code == 0
    assert shown.output.startswith("suggested order: oldest first (publication date) (not applied")
    assert _queue(run) == before
    suggested = [r["id"] for r in json.loads(run("queue", "suggest", "--oldest", "--json").output)]
    applied = run("queue", "suggest", "--oldest", "--apply")
    assert applied.exit_code == 0 and "queue put in the suggested order" in applied.output
    assert _queue(run) == suggested
    assert "already" in run("queue", "suggest", "--oldest", "--apply").output


def test_views_list_count_and_run(run) -> None:  # type: ignore[no-untyped-def]
    a, b, *_rest = _ids(run)
    assert run("view", "add", "Queued", "is:to-read").exit_code == 0
    assert run("view", "add", "starred or queued", "is:starred OR is:to-read").exit_code == 0
    duplicate = run("view", "add", "queued", "x")
    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    run("mark", "to-read", str(a))
    run("star", str(b))
    listed = json.loads(run("view", "list", "--json").output)
    assert [(v["name"], v["count"]) for v in listed] == [("Queued", 1), ("starred or queued", 2)]
    text = run("view").output.splitlines()
    assert text[0].startswith("6 Queued") and text[1].startswith("7 starred or queued")
    rows = json.loads(run("list", "--view", "QUEUED", "--json").output)
    assert [r["id"] for r in rows] == [a]
    # The view's OR stays inside it: -q narrows the view, it does not widen it.
    narrowed = json.loads(
        run("list", "--view", "starred or queued", "-q", "is:starred", "--json").output
    )
    assert [r["id"] for r in narrowed] == [b]
    stats = json.loads(run("stats", "--json").output)
    assert stats["queue"] == 1
    assert stats["views"] == [
        {"name": "Queued", "count": 1},
        {"name": "starred or queued", "count": 2},
    ]
    assert "view Queued: 1" in run("stats").output
    assert run("view", "remove", "queued").output == "removed view 'Queued'\n"
    assert [v["name"] for v in json.loads(run("view", "list", "--json").output)] == [
        "starred or queued"
    ]


def test_queue_suggest_recommended_shows_the_for_you_order(run) -> None:  # type: ignore[no-untyped-def]
    a, b, c, _d, _e = _ids(run)
    assert run("mark", "to-read", str(c), str(a), str(b)).exit_code == 0
    shown = run("queue", "suggest", "--recommended")
    assert shown.exit_code == 0, shown.output
    assert "suggested order: for you" in shown.output and "not applied" in shown.output
    suggested = json.loads(run("queue", "suggest", "--recommended", "--json").output)
    assert sorted(r["id"] for r in suggested) == sorted([a, b, c])
    assert _queue(run) == [c, a, b]  # nothing applied
