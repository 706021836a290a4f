"""Pilot tests of tags in the TUI: the picker (`l` / `#`) over one paper or a selection
(fuzzy completion, create by typing, toggling several, Enter applies as one undo step, Esc
cancels), tags in the rows and the detail pane (as plain text), a `tag:` filter answering
changes at once, and the rules screen from the palette (preview before saving, remove)."""

from __future__ import annotations

from pathlib import Path

from support.tui_helpers import build_library, main_of, make_app, settle
from textual.widgets import Input, Static

from readq.library.tagpick import Mark, TagPick, match_score
from readq.tui.screens.rules import RulesScreen
from readq.tui.screens.tag_picker import TagPickerScreen


def _tags(store: object) -> dict[int, tuple[str, ...]]:
    from readq.store import Store

    assert isinstance(store, Store)
    return {p.id: p.tags for p in store.list_papers() if p.tags}


# ------------------------------------------------------------ the picker model
def test_completion_ranks_exact_prefix_level_inside_then_letters() -> None:
    assert match_score("proj", "project/avatars") == 1
    assert match_score("av", "project/avatars") == 2
    assert match_score("ject", "project/avatars") == 3
    assert match_score("pjav", "project/avatars") == 4
    assert match_score("zz", "project/avatars") is None
    pick = TagPick({"project/avatars": 5, "avant-garde": 1, "survey": 9}, {}, 1)
    assert [c.name for c in pick.choices("av")] == ["avant-garde", "project/avatars", "av"]
    assert pick.choices("av")[-1].new
    assert [c.name for c in pick.choices("")] == ["survey", "project/avatars", "avant-garde"]


def test_toggling_a_tag_some_papers_carry_cycles_back_to_untouched() -> None:
    pick = TagPick({"a": 3, "b": 1}, {"a": 1, "b": 2}, 2)
    assert (pick.mark("a"), pick.mark("b")) == (Mark.SOME, Mark.ALL)
    pick.toggle("a")
    assert pick.changes() == (["a"], [])
    pick.toggle("a")
    assert pick.changes() == ([], ["a"])
    pick.toggle("a")
    assert pick.changes() == ([], [])
    pick.toggle("b")
    pick.toggle("New/One")
    assert pick.changes() == (["New/One"], ["b"])


# ------------------------------------------------------------------ the picker
async def test_picker_tags_the_paper_and_undo_takes_it_back(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    store.change_tags([2], ["Project/Avatars"])
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        first = main_of(app).paper_list.current_id
        assert first is not None
        await pilot.press("l")
        await settle(pilot, app)
        assert isinstance(app.screen, TagPickerScreen)
        # "av" completes to the existing tag (its count beside it); space toggles it.
        await pilot.press("a", "v", "space")
        # A new tag by typing its name; Enter toggles it and applies both.
        await pilot.press(*"reading-group", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, TagPickerScreen)
        assert store.get(first).tags == ("Project/Avatars", "reading-group")
        detail = main_of(app).detail.plain_text()
        assert "Tags: #Project/Avatars #reading-group" in detail
        await pilot.press("u")
        await settle(pilot, app)
        assert store.get(first).tags == ()
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert store.get(first).tags == ("Project/Avatars", "reading-group")


async def test_picker_over_a_selection_is_one_step_and_esc_changes_nothing(
    tmp_path: Path,
) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = main_of(app)
        await pilot.press("space", "space", "space")
        await settle(pilot, app)
        selected = set(screen.paper_list.selected)
        assert len(selected) == 3
        await pilot.press("number_sign")
        await settle(pilot, app)
        await pilot.press(*"survey", "escape")
        await settle(pilot, app)
        assert _tags(store) == {}
        await pilot.press("number_sign")
        await settle(pilot, app)
        await pilot.press(*"survey", "space", *"group", "tab", "enter")
        await settle(pilot, app)
        assert _tags(store) == {i: ("group", "survey") for i in selected}
        assert not screen.paper_list.selected
        # The filter sees the change at once (tags are read at query time).
        screen.filter_bar.input.value = "tag:survey"
        await pilot.press("enter")
        await settle(pilot, app)
        assert set(screen.paper_list.ids) == selected
        await pilot.press("u")
        await settle(pilot, app)
        assert _tags(store) == {}
        assert list(screen.paper_list.ids) == []


async def test_hostile_tag_names_are_shown_as_text(tmp_path: Path) -> None:
    """A tag from an imported backup is untrusted: markup in it stays literal."""
    paths, store = build_library(tmp_path)
    store.change_tags([1], ["x&y"])
    with store.write() as conn:  # a name readq would refuse, as a damaged backup might hold
        conn.execute("UPDATE tags SET name = '[@click=app.quit]boom[/]' WHERE key = 'x&y'")
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        main_of(app).paper_list.move_to(main_of(app).paper_list.ids.index(1))
        await settle(pilot, app)
        assert "#[@click=app.quit]boom[/]" in main_of(app).detail.plain_text()
        await pilot.press("l")
        await settle(pilot, app)
        assert isinstance(app.screen, TagPickerScreen)
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.is_running


# ------------------------------------------------------------------ rules screen
async def test_rules_screen_previews_saves_and_removes(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await app.run_action("rules", main_of(app))
        await settle(pilot, app)
        assert isinstance(app.screen, RulesScreen)
        screen = app.screen
        # A query that cannot mean anything: said in the preview, and Enter saves nothing.
        await pilot.press(*"diffusion-work", "tab", *"(diffusion")
        await pilot.pause(0.4)
        await settle(pilot, app)
        await pilot.pause(0.2)
        assert "unclosed '('" in str(screen.query_one("#rule-preview", Static).render())
        await pilot.press("enter")
        await settle(pilot, app)
        assert store.conn.execute("SELECT count(*) FROM rules").fetchone()[0] == 0
        screen.query_one("#rule-query", Input).value = ""
        await pilot.press(*"diffusion")
        await pilot.pause(0.4)
        await settle(pilot, app)
        await pilot.pause(0.2)
        preview = str(screen.query_one("#rule-preview", Static).render())
        assert "would tag 2 papers" in preview and "Diffusion Gardens" in preview
        assert _tags(store) == {}  # a preview saves nothing
        await pilot.press("enter")
        await settle(pilot, app)
        assert set(_tags(store).values()) == {("diffusion-work",)}
        assert len(_tags(store)) == 2
        assert screen.query_one("#rule-query", Input).value == ""
        screen.query_one("#rules-list").focus()
        await pilot.press("d")
        await settle(pilot, app)
        assert store.conn.execute("SELECT count(*) FROM rules").fetchone()[0] == 0
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, RulesScreen)
        assert len(_tags(store)) == 2  # the rule's tags stay


async def test_the_palette_offers_the_rules_screen(tmp_path: Path) -> None:
    paths, store = build_library(tmp_path)
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(main_of(app))]
        assert any(t.startswith("Tagging rules") for t in titles)
        assert any(t.startswith("Tag the paper or the selection") for t in titles)
