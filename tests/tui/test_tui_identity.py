"""The TUI uses a paper's identity: `o` opens its arXiv page, `P` its PDF, `y` copies a
citation line, the detail pane shows authors and ids, the list shows the first author.

The store does not keep the identity fields on this branch yet: ``give_identity`` makes it
return them (tests/support/identitylib.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.identitylib import LANTERN, give_identity, paper
from support.tui_helpers import build_library, main_of, make_app, settle

from readq.library.urls import citation_line, page_url, pdf_link
from readq.models import Paper
from readq.tui.app import ReadqApp
from readq.tui.keys import MAIN_KEYS
from readq.tui.widgets.detail import author_line

HOSTILE_NAMES = (
    "[red]Mallory[/red] [@click=app.quit]Quit[/]",
    "Eve \x1b]52;c;ZXZpbA==\x07Evil\u202eReversed",
    "Oscar [/usr/bin]",
)


def plain_paper(**fields: object) -> Paper:
    return paper(1, "Lantern", **fields)


def notices(app: ReadqApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def row_text(app: ReadqApp, row: int) -> str:
    """What row ``row`` of the list shows, as plain text (all its lines, joined by a newline)."""
    plist = main_of(app).paper_list
    lines = range(row * plist.row_height, (row + 1) * plist.row_height)
    return "\n".join(plist.render_line(y).text for y in lines)


def test_the_pdf_key_is_free_and_bound_once() -> None:
    keys = [k for key in MAIN_KEYS for k in key.keys.split(",")]
    assert keys.count("P") == 1 and len(keys) == len(set(keys))
    assert next(k for k in MAIN_KEYS if k.keys == "P").action == "open_pdf"


@pytest.mark.parametrize(
    ("fields", "page", "pdf"),
    [
        (
            {"arxiv_id": "2612.04011", "urls": ("https://github.com/x/y",)},
            "https://arxiv.org/abs/2612.04011",
            "https://arxiv.org/pdf/2612.04011",
        ),
        (
            {"arxiv_id": "hep-th/9901001"},
            "https://arxiv.org/abs/hep-th/9901001",
            "https://arxiv.org/pdf/hep-th/9901001",
        ),
        (
            {"urls": ("javascript:alert(1)", "https://x.org/a", "https://x.org/a.pdf")},
            "https://x.org/a",
            "https://x.org/a.pdf",
        ),
        ({"urls": ("https://x.org/a",)}, "https://x.org/a", None),
        ({"arxiv_id": "not an id; rm -rf"}, None, None),
        (
            {"urls": ("https://openreview.net/pdf/abc?id=1",)},
            "https://openreview.net/pdf/abc?id=1",
            "https://openreview.net/pdf/abc?id=1",
        ),
    ],
)
def test_page_and_pdf_urls(fields: dict[str, object], page: str | None, pdf: str | None) -> None:
    shown = plain_paper(**fields)
    assert page_url(shown) == page
    assert pdf_link(shown) == pdf


def test_citation_line() -> None:
    assert (
        citation_line("Lantern", plain_paper(arxiv_id="2612.04011"))
        == "Lantern — https://arxiv.org/abs/2612.04011"
    )
    assert citation_line("Lantern", plain_paper(urls=("https://x.org/a",))) == (
        "Lantern — https://x.org/a"
    )
    assert citation_line("Lantern", plain_paper()) == "Lantern"


async def test_o_opens_the_abs_page_p_the_pdf_and_y_copies_title_and_abs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    top = store.list_papers(limit=1)[0]  # the first row of the inbox (newest first)
    second = store.list_papers(limit=2)[1]
    give_identity(monkeypatch, {top.id: {**LANTERN, "urls": top.urls}})
    app = make_app(paths, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, app)
        assert main_of(app).paper_list.current_id == top.id
        await pilot.press("o")
        await settle(pilot, app)
        assert app.opened_urls == ["https://arxiv.org/abs/2612.04011"]
        await pilot.press("P")
        await settle(pilot, app)
        assert app.opened_urls[-1] == "https://arxiv.org/pdf/2612.04011"
        await pilot.press("y")
        assert app.clipboard == f"{top.title} — https://arxiv.org/abs/2612.04011"

        # A paper without an id: its first link, as before; no PDF to open.
        await pilot.press("j")
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert app.opened_urls[-1] == second.urls[0]
        await pilot.press("P")
        await settle(pilot, app)
        assert len(app.opened_urls) == 3
        assert "No PDF known for this paper." in notices(app)
        await pilot.press("y")
        assert app.clipboard == f"{second.title} — {second.urls[0]}"


async def test_detail_pane_shows_authors_and_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    top = store.list_papers(limit=1)[0]
    give_identity(monkeypatch, {top.id: {**LANTERN, "abstract_partial": True}})
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        text = main_of(app).detail.plain_text()
        assert text.splitlines()[1] == "Ada Quill, Bram Osei, Chen Varga"  # under the title
        shown = " ".join(text.split())  # the pane is narrow here: lines wrap
        assert "arXiv:2612.04011v2 · cs.LG cs.AI · DOI 10.5555/lantern.2026.7" in shown
        assert "Journal ref: Proc. Fictional Conf. on Lanterns 2026" in shown
        assert "Comments: 12 pages, 4 figures; code at this https URL" in shown
        assert "(preview: the page showed only the start)" in shown  # a truncated abstract
        assert "et al." not in shown


async def test_authors_are_all_shown_and_cut_only_past_a_screenful(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    first, second = (p.id for p in store.list_papers(limit=2))
    thirty = tuple(f"Author{i} Family{i}" for i in range(30))
    crowd = tuple(f"Author{i} Family{i}" for i in range(400))
    give_identity(monkeypatch, {first: {"author_names": thirty}, second: {"author_names": crowd}})
    app = make_app(paths, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        detail = main_of(app).detail
        shown = " ".join(detail.plain_text().split())
        assert ", ".join(thirty) in shown and "et al." not in shown  # wrapped, all of them
        await pilot.press("j")
        await settle(pilot, app)
        lines = detail.plain_text().splitlines()
        shown = " ".join(" ".join(lines).split())
        assert shown.startswith(f"{lines[0]} Author0 Family0, Author1 Family1, ")
        cut = next(i for i, line in enumerate(lines) if "more)" in line)
        hidden = int(shown.split("et al. (")[1].split(" more)")[0])
        assert 0 < hidden < 400
        assert f"Family{400 - hidden - 1}, et al. ({hidden} more)" in shown
        assert f"Family{400 - hidden}," not in shown
        # The names fill at most a screenful: the facts follow on the next lines.
        assert cut < detail.scrollable_content_region.height
        assert lines[cut + 1] == "" and lines[cut + 2].startswith(f"#{second} ·")


def test_author_line_without_a_budget_is_every_name() -> None:
    names = tuple(f"N{i} S{i}" for i in range(1000))
    assert author_line(names) == ", ".join(names)
    assert author_line(names, 100_000) == ", ".join(names)
    assert author_line(("", " ", "Ada Quill")) == "Ada Quill"


async def test_author_names_and_comments_are_untrusted_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, store = build_library(tmp_path)
    top = store.list_papers(limit=1)[0]
    give_identity(
        monkeypatch,
        {
            top.id: {
                "author_names": HOSTILE_NAMES,
                "comments": "[bold]x[/bold] \x1b[2J cleared?",
                "journal_ref": "[link=file:///etc/passwd]J[/link]",
                "categories": ("cs.LG\x1b[31m",),
            }
        },
    )
    app = make_app(paths, store)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot, app)
        text = main_of(app).detail.plain_text()
        shown = " ".join(text.split())
        assert "[red]Mallory[/red] [@click=app.quit]Quit[/]" in shown
        assert "Oscar [/usr/bin]" in shown
        assert "Comments: [bold]x[/bold]" in shown and "cleared?" in shown
        assert "Journal ref: [link=file:///etc/passwd]J[/link]" in shown
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        two_lines = row_text(app, 0).splitlines()[1]  # the authors line, literally
        assert "[red]Mallory[/red] [@click=app.quit]Quit[/]" in two_lines
        main_of(app).paper_list.set_row_height(1)
        row = row_text(app, 0)
        assert f"[@click=app.q… {top.published}" in row  # the surname column, literally
        screenshot = app.export_screenshot()
        assert "\x1b]52" not in screenshot and "\u202e" not in screenshot
        await pilot.click("#detail", offset=(5, 1))  # on the author line
        await pilot.pause()
        assert app.is_running and app.opened_urls == []


@pytest.mark.parametrize(
    ("size", "shown"),
    # 80 columns: the one-column layout gives the list the full width, so the name fits.
    [((60, 24), False), ((80, 24), True), ((120, 40), True), ((200, 50), True)],
)
async def test_list_row_shows_the_first_authors_surname_where_it_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], shown: bool
) -> None:
    paths, store = build_library(tmp_path)
    top, second = store.list_papers(limit=2)
    give_identity(
        monkeypatch,
        {top.id: {"author_names": ("Jan van der Berg", "Ada Quill")}},
    )
    app = make_app(paths, store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        main_of(app).paper_list.set_row_height(1)  # the surname column is the one-line layout's
        first, other = row_text(app, 0), row_text(app, 1)
        assert ("van der Berg" in first) is shown
        date = top.published or ""
        assert date in first
        if shown:
            # The surname sits right before the date; a row without names has none.
            assert first.index("van der Berg") < first.index(date)
            assert first.index(date) == other.index(second.published or "")
        assert "Quill" not in first and "Quill" not in other
