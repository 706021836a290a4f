"""Pilot tests of the main screen's keys, checking the library after each."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import TITLES, build_library, make_app, settle

from readq.library import Library
from readq.library.outcomes import short_title
from readq.models import Status
from readq.store import Store
from readq.tui.screens.main import MainScreen


def main_screen(app: object) -> MainScreen:
    from readq.tui.app import ReadqApp

    assert isinstance(app, ReadqApp)
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


async def test_list_shows_inbox_newest_first(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        ids = list(screen.paper_list.ids)
        assert len(ids) == len(TITLES)
        assert store.get(ids[0]).title == TITLES[0]
        assert screen.counts[screen.view] == len(TITLES)
        assert screen.detail.paper is not None and screen.detail.paper.id == ids[0]


async def test_r_marks_read_and_leaves_inbox(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        first, second = plist.ids[0], plist.ids[1]
        await pilot.press("r")
        await settle(pilot, app)
        assert store.get(first).status is Status.READ
        assert first not in list(plist.ids)
        assert plist.current_id == second  # the paper that took its place
        await pilot.press("t")
        assert store.get(second).status is Status.TO_READ
        assert main_screen(app).counts[main_screen(app).view] == len(TITLES) - 2


async def test_marks_in_all_view_move_cursor_down(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        first, second, third = plist.ids[0], plist.ids[1], plist.ids[2]
        await pilot.press("r")
        assert store.get(first).status is Status.READ
        assert plist.current_id == second
        await pilot.press("t")
        assert store.get(second).status is Status.TO_READ
        assert plist.current_id == third
        await pilot.press("k", "k", "N")
        assert store.get(first).status is Status.NEW
        await pilot.press("k", "s")
        assert store.get(first).starred
        await pilot.press("k", "s")
        assert not store.get(first).starred


async def test_undo_and_redo(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        first, second = plist.ids[0], plist.ids[1]
        await pilot.press("r", "s")
        assert store.get(first).status is Status.READ
        assert store.get(second).starred
        await pilot.press("u")
        await settle(pilot, app)
        assert not store.get(second).starred
        await pilot.press("u")
        await settle(pilot, app)
        assert store.get(first).status is Status.NEW
        assert first in list(plist.ids)
        assert plist.current_id == first
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert store.get(first).status is Status.READ
        await pilot.press("u")
        await settle(pilot, app)
        assert store.get(first).status is Status.NEW


async def test_undo_note_save(tmp_path: Path) -> None:
    from readq.library.undo import NoteChange

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        pid = main_screen(app).paper_list.ids[0]
        store.save_note(pid, "first")
        store.save_note(pid, "second", base_revision=store.note_state(pid)[1])
        app.undo.record(NoteChange("Save note", pid, "first"))
        await pilot.press("u")
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "first"
        await pilot.press("ctrl+r")
        assert store.note_state(pid)[0] == "second"


async def test_movement_keys(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [f"Paper {i}" for i in range(100)])
    app = make_app(paths, store)
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        await pilot.press("j", "j", "down")
        assert plist.cursor == 3
        await pilot.press("k", "up")
        assert plist.cursor == 1
        await pilot.press("G")
        assert plist.cursor == 99
        await pilot.press("g")
        assert plist.cursor == 0
        await pilot.press("pagedown")
        assert plist.cursor > 5
        await pilot.press("pageup")
        assert plist.cursor == 0
        await pilot.press("end")
        assert plist.cursor == 99 and plist.scroll_y > 0
        await pilot.press("home")
        assert plist.cursor == 0


async def test_mouse_click_selects_row_and_wheel_scrolls(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path, [f"Paper {i}" for i in range(100)])
    app = make_app(paths, store)
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        assert plist.row_height == 2
        await pilot.click("#papers", offset=(10, 9))  # the second line of the fifth row
        assert plist.cursor == 4
        assert main_screen(app).detail.paper is not None
        assert main_screen(app).detail.paper.id == plist.ids[4]
        await pilot.mouse_down("#papers", offset=(10, 4))
        plist.scroll_down(animate=False)
        await pilot.pause()
        assert plist.scroll_y > 0


async def test_views_switch_with_number_keys(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    ids = [p.id for p in store.list_papers()]
    store.set_status(ids[:2], Status.READ)
    store.set_status(ids[2:3], Status.TO_READ)
    store.set_starred(ids[3:4], True)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        expected = {"1": len(TITLES) - 3, "2": 1, "3": 1, "4": 2, "5": len(TITLES)}
        for key, count in expected.items():
            await pilot.press(key)
            await settle(pilot, app)
            assert len(screen.paper_list.ids) == count, key
        assert screen.counts == {v: expected[str(i)] for i, v in enumerate(screen.counts, 1)}


async def test_filter_keys(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        await pilot.press("j", "j", "slash")  # cursor down the list first
        assert app.focused is screen.filter_bar.input
        await pilot.press(*"diffusion")
        await settle(pilot, app)
        titles = {store.get(i).title for i in screen.paper_list.ids}
        assert titles == {TITLES[1], TITLES[3]}
        assert screen.paper_list.cursor == 0  # a new filter starts at its best match
        paper = store.get(screen.paper_list.ids[0])
        spans = screen.paper_list._title_spans(paper, paper.title)
        assert spans and paper.title[spans[0][0] : spans[0][1]].lower() == "diffusion"
        await pilot.press("enter")
        assert app.focused is screen.paper_list
        assert screen.filter_text == "diffusion"
        await pilot.press("r")  # keys now go to the list
        assert store.get(paper.id).status is Status.READ
        await pilot.press("slash", "escape")
        await settle(pilot, app)
        assert screen.filter_text == ""
        assert app.focused is screen.paper_list
        assert len(screen.paper_list.ids) == len(TITLES) - 1
        # Esc in the list (no selection) clears a kept filter too.
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot, app)
        assert screen.filter_text == "diffusion" and app.focused is screen.paper_list
        await pilot.press("escape")
        await settle(pilot, app)
        assert screen.filter_text == "" and screen.filter_bar.input.value == ""
        assert len(screen.paper_list.ids) == len(TITLES) - 1


async def test_filter_typo_and_query_error(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        if app.searcher.engine is None:
            return  # the core engine is not available: nothing more to check here
        await pilot.press("slash", *"difusion")
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == 2
        # Pasted in one piece: typed key by key, "difusion i" would be the previous list
        # (and "difusion is:" is itself an error, a filter without a value).
        screen.filter_bar.input.insert_text_at_cursor(" is:bogus")
        await settle(pilot, app)
        message = screen.filter_bar.query_one("#filter-message")
        assert message.has_class("-error")
        assert len(screen.paper_list.ids) == 2  # the previous list stays


async def test_stale_results_are_dropped(tmp_path: Path) -> None:
    from readq.library.searcher import ListRequest, ListResult
    from readq.models import SortKey
    from readq.search.selection import Selection
    from readq.tui.messages import ListReady

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        before = list(screen.paper_list.ids)
        stale = ListRequest(screen._seq - 1, Selection(screen.view, "x", SortKey.ADDED))
        screen.post_message(ListReady(ListResult(stale, [before[0]])))
        await pilot.pause()
        assert list(screen.paper_list.ids) == before


async def test_a_reload_in_flight_does_not_pull_the_cursor_back(tmp_path: Path) -> None:
    """Another process changes the library; the user moves before the reloaded list lands.

    The reload was asked for with the cursor on row 1; the user then went to row 0. When the
    list arrives the cursor stays on row 0 (it used to jump back to the paper of row 1). Then
    another process adds 500 papers above the cursor and the user moves one row down while
    the reload runs: the paper moved to is 500 rows further down, out of the cheap window
    around the cursor, and is found one row after the requested paper.
    """
    from support.tui_helpers import make_papers

    from readq.models import Source

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        await pilot.press("j")
        await settle(pilot, app)
        top = screen.paper_list.ids[0]
        assert screen.paper_list.cursor == 1
        # No await between these two: the reloaded list cannot land in between.
        screen.reload()
        screen.paper_list.action_cursor_up()
        assert screen.paper_list.current_id == top
        await settle(pilot, app)
        assert screen.paper_list.current_id == top
        assert screen.detail.paper is not None and screen.detail.paper.id == top
        # An explicit keep (the paper an undo brings back) still wins over the cursor.
        second = screen.paper_list.ids[1]
        screen.request_list(keep_id=second)
        await settle(pilot, app)
        assert screen.paper_list.current_id == second
        # The list shifts by 500 rows while the user moves from row 1 to row 2.
        moved_to = screen.paper_list.ids[2]
        with Store.open(paths.db) as other:  # newest first: these go above the cursor
            added = make_papers([f"Newer paper number {i}" for i in range(500)])
            other.ingest(added, Source("more", "/more", "2025-02-01T00:00:00"), "hf")
        app._data_version = app.library.store.data_version()  # this test reloads, not the poll
        screen.reload()  # asks to keep the paper of row 1, near row 1
        screen.paper_list.action_cursor_down()  # no await: before the list lands
        assert screen.paper_list.current_id == moved_to
        await settle(pilot, app)
        assert len(screen.paper_list.ids) == len(TITLES) + 500
        assert screen.paper_list.current_id == moved_to
        assert screen.paper_list.cursor == 502


async def test_selection_and_bulk_confirm(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        ids = list(plist.ids)
        await pilot.press("space", "space")
        assert plist.selected == {ids[0], ids[1]}
        await pilot.press("s")
        assert store.get(ids[0]).starred and store.get(ids[1]).starred
        assert not plist.selected
        await pilot.press("g", *["space"] * 7, "r")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert all(store.get(i).status is Status.NEW for i in ids[:7])
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert all(store.get(i).status is Status.READ for i in ids[:7])
        await pilot.press("u")
        await settle(pilot, app)
        assert all(store.get(i).status is Status.NEW for i in ids[:7])


async def test_open_copy_and_arxiv(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    opened: list[str] = []
    from readq.tui.app import ReadqApp

    app = ReadqApp(paths, library=Library(store), url_opener=opened.append)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        paper = store.get(main_screen(app).paper_list.ids[0])
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == [paper.urls[0]]
        await pilot.press("O")
        await settle(pilot, app)
        assert opened[1].startswith("https://arxiv.org/search/?query=Sparse+Lanterns")
        assert opened[1].endswith("&searchtype=all")
        await pilot.press("y")
        assert app.clipboard == f"{paper.title} — {paper.urls[0]}"


async def test_sort_cycles_and_is_remembered(tmp_path: Path) -> None:
    from readq.library.settings import load_settings

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        await pilot.press("S", "S")
        await settle(pilot, app)
        assert screen.sort.value == "upvotes"
        votes = [store.get(i).upvotes or 0 for i in screen.paper_list.ids]
        assert votes == sorted(votes, reverse=True)
        await pilot.press("S")
        await settle(pilot, app)
        titles = [store.get(i).title.lower() for i in screen.paper_list.ids]
        assert titles == sorted(titles)
        await pilot.press("3")
    settings = load_settings(paths.config_file)
    assert settings.sort == "title" and settings.view == "starred"


async def test_help_note_and_quit(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is not app.screen_stack[0]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0  # q really quits (exit was requested)
    assert app.return_code == 0


async def test_theme_is_remembered(tmp_path: Path) -> None:
    from readq.library.settings import load_settings

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        app.theme = "nord"
        await pilot.pause()
    assert load_settings(paths.config_file).theme == "nord"
    app2 = make_app(paths, store)
    async with app2.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app2.theme == "nord"


async def test_command_palette_lists_readq_commands(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any("Mark read" in t for t in titles)
        assert any("Theme" in t for t in titles)
        assert any("Undo" in t for t in titles)


async def test_keys_typed_in_one_burst_all_reach_the_filter(tmp_path: Path) -> None:
    """`/` and a query arriving at once (a fast typist, a paste): every letter goes to the
    filter, none to the list (where `r` would mark a paper read and `i` open ingest)."""
    from textual import events

    def burst(keys: list[tuple[str, str]]) -> None:
        for key, char in keys:
            event = events.Key(key, char)
            event.set_sender(app)
            assert app._driver is not None
            app._driver.send_message(event)

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        for _ in range(2):
            burst([("slash", "/")] + [(c, c) for c in "lora rit"])
            await settle(pilot, app)
            assert screen.filter_bar.input.value == "lora rit"
            assert isinstance(app.screen, MainScreen)
            burst([("escape", "\x1b"), ("j", "j")])
            await settle(pilot, app)
            assert screen.filter_text == "" and app.focused is screen.paper_list
        assert all(p.status is Status.NEW for p in store.list_papers())


async def test_a_mark_during_another_writer_is_shown_at_once_and_saved_later(
    tmp_path: Path,
) -> None:
    """Another process holds the write lock (a long ingest): `r` does not freeze the UI; the
    paper leaves the inbox at once and is stored as soon as the lock is free. Undo waits for
    queued writes instead of reordering them."""
    import sqlite3
    import time

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        first, second = plist.ids[0], plist.ids[1]
        blocker = sqlite3.connect(paths.db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        await pilot.press("r")
        assert time.monotonic() - started < 2.0  # the UI did not wait for the lock
        assert first not in list(plist.ids) and plist.current_id == second
        assert store.get(first).status is Status.NEW  # not stored yet
        assert any("busy" in str(n.message) for n in app._notifications)
        await pilot.press("u")  # refused while the write is still queued
        await pilot.pause()
        assert any("Still waiting" in str(n.message) for n in app._notifications)
        blocker.execute("ROLLBACK")
        blocker.close()
        assert app.writer.wait_idle(10.0)
        assert store.get(first).status is Status.READ
        await pilot.press("u")
        await settle(pilot, app)
        assert store.get(first).status is Status.NEW
        assert app.is_running


async def test_a_mark_the_library_refuses_changes_nothing(tmp_path: Path) -> None:
    """A write that fails for good (here: a read-only connection) is one error message; the
    paper stays where it was, and the app keeps running."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        plist = main_screen(app).paper_list
        first = plist.current_id
        store.conn.execute("PRAGMA query_only = ON")
        await pilot.press("r")
        await settle(pilot, app)
        store.conn.execute("PRAGMA query_only = OFF")
        assert store.get(first).status is Status.NEW
        assert first in list(plist.ids) and plist.current_id == first
        assert any("not saved" in str(n.message) for n in app._notifications)
        await pilot.press("u")
        await settle(pilot, app)
        assert any("Nothing to undo" in str(n.message) for n in app._notifications)
        await pilot.press("r")
        await settle(pilot, app)
        assert store.get(first).status is Status.READ and app.is_running


def header_text(app: object) -> str:
    from textual.widgets import Static

    tabs = main_screen(app).query_one("#tabs", Static)
    return str(tabs.render())


async def test_a_filter_change_clears_the_selection_so_marks_never_reach_hidden_papers(
    tmp_path: Path,
) -> None:
    """Issue 12 item 4: select two papers, filter to others, press `s`: before, the two
    hidden papers were starred and the one under the cursor was not."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        ids = list(screen.paper_list.ids)
        await pilot.press("space", "j", "space")  # TITLES[0] and TITLES[2]
        assert screen.paper_list.selected == {ids[0], ids[2]}
        assert header_text(app).startswith(" 2 selected ")  # first: a narrow header keeps it
        await pilot.press("slash", *"diffusion", "enter")
        await settle(pilot, app)
        shown = list(screen.paper_list.ids)
        assert len(shown) == 2 and ids[0] not in shown and ids[2] not in shown
        assert not screen.paper_list.selected
        assert "selected" not in header_text(app)
        toasts = [n.message for n in app._notifications]
        assert toasts.count("Selection cleared (2 papers)") == 1, toasts
        await pilot.press("s")
        await settle(pilot, app)
        assert store.get(shown[0]).starred
        assert not store.get(ids[0]).starred and not store.get(ids[2]).starred
        # A view change clears it the same way, with the toast.
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("space")
        await pilot.press("5")
        await settle(pilot, app)
        assert not screen.paper_list.selected
        assert [n.message for n in app._notifications].count("Selection cleared (1 paper)") == 1


async def test_selected_papers_that_leave_the_view_are_unselected(tmp_path: Path) -> None:
    """Issue 12 item 4: another readq marks a selected Inbox paper read; the reload takes it
    out of the view and out of the selection, so `r` reaches only what is shown."""
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        screen = main_screen(app)
        ids = list(screen.paper_list.ids)
        await pilot.press("space", "space")
        assert screen.paper_list.selected == {ids[0], ids[1]}
        with Store.open(paths.db, migrate=False) as other:
            other.set_starred([ids[0]], True)
            other.set_status([ids[0]], Status.READ)
        for _ in range(30):
            await pilot.pause(0.1)
            await settle(pilot, app)
            if ids[0] not in list(screen.paper_list.ids):
                break
        assert ids[0] not in list(screen.paper_list.ids)
        assert screen.paper_list.selected == {ids[1]}
        assert any("left this view" in n.message for n in app._notifications)
        assert header_text(app).startswith(" 1 selected ")
        await pilot.press("s")
        await settle(pilot, app)
        assert store.get(ids[1]).starred
        assert store.get(ids[0]).status is Status.READ


async def test_u_undoes_a_note_editing_session_and_ctrl_r_redoes_it(tmp_path: Path) -> None:
    """Issue 12 item 5: the README's `u` undoes note saves. One step per editing session
    (not per autosave), restored as a new revision (history never rewritten); redo too."""
    from readq.notes import AUTOSAVE_DELAY

    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        pid = main_screen(app).paper_list.ids[0]
        store.save_note(pid, "Original note.")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*" first")
        await pilot.pause(AUTOSAVE_DELAY + 0.3)  # an autosave
        assert store.note_state(pid)[0] == "Original note. first"
        await pilot.press(*" second")
        await pilot.pause(AUTOSAVE_DELAY + 0.3)  # another autosave, same session
        await pilot.press("escape")
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "Original note. first second"
        history = [r.text for r in store.note_revisions(pid)]
        await pilot.press("u")
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "Original note."
        after_undo = store.note_revisions(pid)
        assert [r.text for r in after_undo][1:] == history  # newest first; none rewritten
        assert after_undo[0].kind == "restore" and after_undo[0].text == "Original note."
        title = short_title(store.get(pid).title)
        undid = f"Undid Edited the note: {title} — ctrl+r redoes"
        assert any(n.message == undid for n in app._notifications)
        await pilot.press("u")  # one step per session: nothing more to undo for the note
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "Original note."
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "Original note. first second"
        # Opening a note and leaving without a change records nothing to undo.
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert store.note_state(pid)[0] == "Original note."
