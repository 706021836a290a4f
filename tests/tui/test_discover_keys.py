"""Pilot tests of discover's keys: "for you" in the sort cycle (a starred topic first, why in
the detail pane, a toast saying how many stars are missing before that), `m` opens related
papers where r / s work, `-` says "not interested" and the paper sinks."""

from __future__ import annotations

from pathlib import Path

from support.discoverlib import build
from support.tui_helpers import main_of, make_app, settle

from readq.models import SortKey, Status
from readq.paths import Paths
from readq.tui.app import ReadqApp
from readq.tui.screens.main import MainScreen


def _library(tmp_path: Path, stars: int) -> tuple[Paths, object, dict[str, list[int]]]:
    paths = Paths(db=tmp_path / "data" / "readq.db", config_dir=tmp_path / "config")
    store, ids = build(paths.db)
    store.set_starred(ids["power"][:stars], True)
    return paths, store, ids


async def _to_for_you(pilot: object, app: ReadqApp, screen: MainScreen) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    while screen.sort is not SortKey.RECOMMENDED:
        await pilot.press("S")
        await settle(pilot, app)


def _toasts(app: ReadqApp) -> str:
    return " ".join(str(n.message) for n in app._notifications)


async def test_for_you_puts_the_starred_topic_first_and_says_why(tmp_path: Path) -> None:
    paths, store, ids = _library(tmp_path, 3)
    app = make_app(paths, store)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await _to_for_you(pilot, app, screen)
        shown = list(screen.paper_list.ids)
        assert set(shown[:3]) == set(ids["power"][:3])  # the starred ones
        assert set(shown[3:5]) == set(ids["power"][3:])  # then the rest of their topic
        await pilot.press("g", "j", "j", "j")
        await settle(pilot, app)
        assert "For you because:" in screen.detail.plain_text()
        await pilot.press("S")  # the next sort: the reasons go
        await settle(pilot, app)
        assert "For you because:" not in screen.detail.plain_text()
        await _to_for_you(pilot, app, screen)
        shown = list(screen.paper_list.ids)
        assert "for you" in " ".join(str(w.render()) for w in screen.query("Static"))
        # A mark re-ranks in the list's worker: starring the language topic moves it up.
        language = ids["language"]
        position = shown.index(language[0])
        for pid in language[:3]:
            screen.paper_list.move_to(list(screen.paper_list.ids).index(pid))
            await pilot.press("s")
            await settle(pilot, app)
        assert list(screen.paper_list.ids).index(language[0]) < position


async def test_for_you_says_how_many_stars_it_needs(tmp_path: Path) -> None:
    paths, store, _ids = _library(tmp_path, 1)
    app = make_app(paths, store)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        added = list(screen.paper_list.ids)
        await _to_for_you(pilot, app, screen)
        assert list(screen.paper_list.ids) == added  # date order meanwhile
        assert "star 2 more papers" in _toasts(app)


async def test_m_opens_related_papers_and_triage_keys_work_there(tmp_path: Path) -> None:
    from readq.tui.screens.related import RelatedScreen

    paths, store, ids = _library(tmp_path, 0)
    app = make_app(paths, store)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        screen.paper_list.move_to(list(screen.paper_list.ids).index(ids["language"][0]))
        await settle(pilot, app)
        await pilot.press("m")
        await settle(pilot, app)
        related = app.screen
        assert isinstance(related, RelatedScreen)
        assert {s.paper.id for s in related.related[:4]} == set(ids["language"][1:])
        first = related.related[0].paper.id
        await pilot.press("r")
        await settle(pilot, app)
        await pilot.press("k", "s")
        await settle(pilot, app)
        assert store.get(first).status is Status.READ  # type: ignore[attr-defined]
        assert store.get(first).starred  # type: ignore[attr-defined]
        assert related.related[0].paper.starred
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen


async def test_minus_is_not_interested_and_again_takes_it_back(tmp_path: Path) -> None:
    paths, store, ids = _library(tmp_path, 3)
    app = make_app(paths, store)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await _to_for_you(pilot, app, screen)
        target = ids["power"][3]
        screen.paper_list.move_to(list(screen.paper_list.ids).index(target))
        await pilot.press("minus")
        await settle(pilot, app)
        assert store.dismissed_ids() == {target}  # type: ignore[attr-defined]
        assert list(screen.paper_list.ids)[-1] == target
        assert "Not interested" in _toasts(app)
        assert store.get(target).status is Status.NEW  # type: ignore[attr-defined]
        await pilot.press("u")  # undo, as for any change
        await settle(pilot, app)
        assert store.dismissed_ids() == set()  # type: ignore[attr-defined]
        assert list(screen.paper_list.ids)[-1] != target
        screen.paper_list.move_to(list(screen.paper_list.ids).index(target))
        await pilot.press("minus")
        await settle(pilot, app)
        assert store.dismissed_ids() == {target}  # type: ignore[attr-defined]
        screen.paper_list.move_to(list(screen.paper_list.ids).index(target))
        await pilot.press("minus")  # on a paper already marked: taken back
        await settle(pilot, app)
        assert store.dismissed_ids() == set()  # type: ignore[attr-defined]


def test_a_related_row_shows_hostile_text_as_text() -> None:
    from readq.models import Paper
    from readq.tui.screens.related import related_row

    paper = Paper(
        id=7,
        title="[@click=app.quit]x[/] \x1b]52;c;aGk=\x07 title",
        title_derived=False,
        abstract="",
        published=None,
        published_text=None,
        upvotes=None,
        authors=None,
        org=None,
        urls=(),
        status=Status.NEW,
        starred=False,
        note="",
        added_at="2026-01-01",
        updated_at="2026-01-01",
    )
    row = related_row(paper, ("[/usr/bin]", "author: \x1b[2Jname"))
    assert "\x1b" not in row.plain and "\x07" not in row.plain
    assert "[@click=app.quit]x[/]" in row.plain and "[/usr/bin]" in row.plain
    assert not row.spans or all(span.style == "dim" for span in row.spans)


async def test_palette_suggests_the_queue_in_the_for_you_order(tmp_path: Path) -> None:
    """The "for you" suggested queue order ranks in a worker with the loaded index, asks,
    applies, and one u puts the previous order back."""
    from readq.store import Store
    from readq.tui.screens.confirm import ConfirmScreen

    paths, store, ids = _library(tmp_path, 3)
    assert isinstance(store, Store)
    other = [ids["language"][3], ids["language"][4]]
    wanted = [ids["power"][3], ids["power"][4]]
    store.set_status([*other, *wanted], Status.TO_READ)  # power papers last in the queue
    before = store.queue_ids()
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        while app.searcher.engine is None:
            await pilot.pause(0.05)
        screen.suggest_queue("recommended")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmScreen), _toasts(app)
        assert "for you" in app.screen.question and store.queue_ids() == before
        await pilot.press("y")
        await settle(pilot, app)
        assert store.queue_ids()[:2] == wanted or set(store.queue_ids()[:2]) == set(wanted)
        await pilot.press("u")
        await settle(pilot, app)
        assert store.queue_ids() == before
