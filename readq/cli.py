"""The ``readq`` command line: scriptable access to the library; ``readq`` alone opens the TUI.

User errors print one line on stderr and exit non-zero: 2 for a bad argument (unknown id,
bad status, a number out of range, text that is not UTF-8), 1 for a file or library problem.
Never a traceback for a user error.

Every line readq prints for people goes through :func:`say` (file names, titles and warnings
come from outside: no escape sequence or control character reaches the terminal). Exports to
standard output are cleaned the same way when it is a terminal; files and pipes get the text
verbatim.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, cast

import click

from readq import __version__
from readq.models import SortKey, Status
from readq.paths import (
    DataDirError,
    Paths,
    check_library_location,
    escape_undecodable,
    resolve_paths,
)
from readq.search.selection import Selection
from readq.textclean import strip_unsafe

if TYPE_CHECKING:
    from readq.importers import ImportReport
    from readq.library import Library
    from readq.models import Paper
    from readq.store import Store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILURE = 1
EXIT_USAGE = 2


_current_context: Context | None = None
"""The running command's context (for reporting a library found damaged mid-command)."""


class Context:
    """What the commands share: resolved paths and a lazily opened store."""

    def __init__(self, db: str | None) -> None:
        self.db_option = db
        self._paths: Paths | None = None
        self._store: Store | None = None
        self._library: Library | None = None

    @property
    def paths(self) -> Paths:
        """The paths in use (``--db``, ``READQ_DB`` or platformdirs)."""
        if self._paths is None:
            self._paths = resolve_paths(self.db_option)
        return self._paths

    def store(self, *, write: bool = False) -> Store:
        """Open the library.

        ``write``: the command changes it. It is then verified first (``readq.recovery``): a
        damaged library is moved aside, untouched, and the user told how to restore a
        backup. A library at the default location is created on first use; one named by
        ``--db`` must exist for a command that only reads, and its directory for one that
        writes (a mistyped path is said, not made: ``readq.paths``). A command
        that only reads a library that cannot be written (disk full, read-only directory)
        opens it read-only and says so.
        """
        if self._store is None:
            from readq.recovery import open_library
            from readq.store import StoreError

            try:
                created = check_library_location(self.paths, write=write)
                self._store = open_library(self.paths, check=write, read_only_ok=not write)
            except (DataDirError, StoreError) as exc:
                fail(str(exc), EXIT_FAILURE)
            except OSError as exc:
                fail(f"{self.paths.db}: {exc.strerror or exc}", EXIT_FAILURE)
            if created and self.paths.explicit:  # the default location is made silently
                say(f"readq: started a new library at {self.paths.db}", err=True)
            reason = self._store.opened_read_only_because
            if reason is not None:
                say(
                    f"readq: {reason}: library opened read-only ({self.paths.db}; nothing "
                    "can be changed until that is fixed)",
                    err=True,
                )
        return self._store

    def library(self, *, write: bool = False) -> Library:
        """The library as the application layer sees it (opened as :meth:`store` does)."""
        from readq.library import Library

        if self._library is None or self._library.store is not self._store:
            self._library = Library(self.store(write=write))
        return self._library

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


def display(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` as it may reach a terminal: escape sequences and control characters out
    (``strip_unsafe``), bytes of a file name that are not UTF-8 shown as ``\\xff``."""
    return escape_undecodable(strip_unsafe(text, keep_newlines=keep_newlines))


def say(text: str, *, err: bool = False, nl: bool = True, keep_newlines: bool = True) -> None:
    """Print a line for people (every such line of readq goes through here, cleaned)."""
    click.echo(display(text, keep_newlines=keep_newlines), err=err, nl=nl)


def warn(message: str) -> None:
    """One ``readq: warning: ...`` line on stderr."""
    say(f"readq: warning: {message}", err=True, keep_newlines=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one clean line on stderr and exit with ``code``."""
    say(f"readq: {message}", err=True, keep_newlines=False)
    sys.exit(code)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw that a terminal acts on (C0 controls it
escapes itself): DEL, C1 controls (8-bit CSI, NEL), bidi overrides and isolates."""


def json_for_terminal(text: str) -> str:
    """JSON text with every character a terminal acts on written as a ``\\u`` escape: the
    same JSON value, nothing raw (such characters only occur inside JSON strings)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def say_json(data: object, *, indent: int | None = 2) -> None:
    """Print ``data`` as JSON (to a terminal with its control characters escaped)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    click.echo(json_for_terminal(text) if _stdout_is_terminal() else text)


def _stderr_is_terminal() -> bool:
    """Whether progress lines may be drawn on stderr."""
    return sys.stderr is not None and sys.stderr.isatty()


def _stdout_is_terminal() -> bool:
    stream = sys.stdout
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # closed
        return False


class _TerminalSafeStream(io.TextIOBase):
    """A text stream that cleans what is written before it reaches the terminal."""

    def __init__(self, out: IO[str], clean: Callable[[str], str]) -> None:
        super().__init__()
        self._out = out
        self._clean = clean
        self.name = getattr(out, "name", "<stdout>")

    def write(self, text: str) -> int:
        """Write ``text`` cleaned; returns the length given (as a text stream does)."""
        self._out.write(self._clean(text))
        return len(text)

    def flush(self) -> None:
        """Flush the terminal's stream."""
        self._out.flush()

    def writable(self) -> bool:
        """A write-only stream."""
        return True


def export_stdout(fmt: str) -> TextIO | None:
    """Where an export to standard output goes: None (stdout as is) for a file or a pipe;
    for a terminal, a stream that keeps escape sequences and controls from it (JSON escapes
    them, so the JSON stays the same value; the other formats drop them)."""
    if not _stdout_is_terminal():
        return None
    if fmt == "json":
        clean = json_for_terminal
    else:

        def clean(text: str) -> str:
            return strip_unsafe(text, keep_newlines=True)

    return cast(TextIO, _TerminalSafeStream(sys.stdout, clean))


# ------------------------------------------------------------ argument types
class _OneLineBadParameter(click.BadParameter):
    """A bad argument said in one line (click's default adds usage and a help hint)."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``readq: <what is wrong>`` on stderr."""
        say(f"readq: {self.format_message()}", err=True, keep_newlines=False)


SQLITE_MAX_INT = 2**63 - 1
"""The largest integer SQLite stores (a bigger one raised OverflowError in the driver)."""


class BoundedInt(click.ParamType[int]):
    """A whole number between ``low`` and ``high`` (paper ids, --limit, --year): anything else
    is one line and exit 2, before the library is touched."""

    name = "integer"

    def __init__(self, low: int, high: int, what: str) -> None:
        self.low = low
        self.high = high
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a one-line error."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if re.fullmatch("[+-]?[0-9]+", text) is None:
                raise _OneLineBadParameter(f"{value!r} is not a whole number", ctx, param)
            digits = text.lstrip("+-").lstrip("0")
            number = int(text) if len(digits) <= 30 else (self.high + 1)
        if not self.low <= number <= self.high:
            raise _OneLineBadParameter(
                f"{value} is out of range ({self.what} goes from {self.low} to {self.high})",
                ctx,
                param,
            )
        return number


class Utf8Text(click.ParamType[str]):
    """Text given on the command line that must be UTF-8 (a query, a title, a note): bytes that
    are not UTF-8 are one line and exit 2, never a search for garbage or a traceback."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The text, or a one-line error naming the first bad byte."""
        text = str(value)
        bad = re.search("[\ud800-\udfff]", text)
        if bad is not None:
            raise _OneLineBadParameter(
                f"'{escape_undecodable(text)}' is not UTF-8 (the byte "
                f"{escape_undecodable(bad[0])} at character {bad.start() + 1}); give UTF-8 text",
                ctx,
                param,
            )
        return text


PAPER_ID = BoundedInt(1, SQLITE_MAX_INT, "a paper id")
LIMIT = BoundedInt(0, SQLITE_MAX_INT, "--limit")
YEAR = BoundedInt(1000, 9999, "--year")
TEXT = Utf8Text()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected errors (unknown id, bad value, locked or read-only library) into one line."""
    import sqlite3

    from readq.store import StoreError, UnknownPaperError

    try:
        yield
    except UnknownPaperError as exc:
        fail(str(exc), EXIT_USAGE)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    except StoreError as exc:
        fail(str(exc), EXIT_FAILURE)
    except sqlite3.OperationalError as exc:
        from readq.dberrors import describe_sqlite_error

        fail(f"the library could not be written: {describe_sqlite_error(exc)}", EXIT_FAILURE)
    except BrokenPipeError:
        raise  # the reader went away (readq list | head): click exits quietly
    except OSError as exc:
        fail(exc.strerror or str(exc), EXIT_FAILURE)


pass_context = click.make_pass_decorator(Context)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Library file to use (default: READQ_DB, else readq.db in the user data dir).",
)
@click.version_option(__version__, prog_name="readq")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """readq: a keyboard-driven reading queue for research papers.

    Run without a command to open the TUI.
    """
    from readq.holders import set_role

    ctx.obj = Context(db)
    ctx.call_on_close(ctx.obj.close)
    global _current_context
    _current_context = ctx.obj
    # Said by `readq restore` if it finds the library open in this process.
    set_role("the TUI" if ctx.invoked_subcommand is None else f"`readq {ctx.invoked_subcommand}`")
    if ctx.invoked_subcommand is None:
        launch_tui(ctx.obj)


def launch_tui(context: Context) -> None:
    """Open the TUI on the library (imported lazily: the CLI stays fast)."""
    try:
        check_library_location(context.paths, write=True)
    except DataDirError as exc:
        fail(str(exc), EXIT_FAILURE)
    try:
        from readq.tui import frame_rate

        frame_rate.prefer_frame_rate()  # before Textual loads: it reads the limit once
        from readq.tui.app import run_app
    except ImportError as exc:  # pragma: no cover - only before the TUI exists
        fail(f"the TUI is not available: {exc}", EXIT_FAILURE)
    code = run_app(context.paths)
    sys.exit(code)


# ------------------------------------------------------------------ index upkeep
def _update_index(library: Library, *, show_progress: bool) -> None:
    """After a command committed papers: the saved search index is brought up to date in the
    same command (the Library does it), with a progress line on a terminal."""
    if show_progress:
        say("updating the search index…", err=True, nl=False)
    library.update_index()
    if show_progress:
        click.echo("\r\033[K", err=True, nl=False)  # readq's own erase of the progress line


# ---------------------------------------------------------------------- ingest
@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--year", type=YEAR, default=None, help="Year of dates given without one.")
@pass_context
def ingest(context: Context, paths: tuple[str, ...], year: int | None) -> None:
    """Read listings (Hugging Face papers pages, arXiv abstracts) into the library.

    PATH may be - for standard input. Each file is one transaction.
    """
    library = context.library(write=True)
    show_progress = sys.stderr is not None and sys.stderr.isatty()

    def progress(name: str, count: int) -> None:
        if show_progress:
            click.echo("\r", err=True, nl=False)  # back to the start of the progress line
            say(f"{name}: {count:,} papers…", err=True, nl=False, keep_newlines=False)

    failed = False
    library.prepare_index()
    with user_errors():
        reports = library.ingest(list(paths), listing_year=year, progress=progress)
    if show_progress:
        click.echo("\r\033[K", err=True, nl=False)  # readq's own erase of the progress line
    for report in reports:
        for warning in report.warnings:
            warn(f"{report.name}: {warning}")
        if report.error is not None:
            failed = True
            say(f"readq: {report.error}", err=True, keep_newlines=False)
            continue
        assert report.result is not None
        result = report.result
        known = f", {result.merged} already known" if result.merged else ""
        updated = f" ({result.updated} updated)" if result.merged else ""
        dupes = len(result.possible_duplicates)
        dupes_text = f"; {dupes} possible duplicates (same title, other arXiv id)" if dupes else ""
        say(
            f"{report.name}: {result.papers} papers ({report.format}): "
            f"{result.new} new{known}{updated}{_trash_note(result.in_trash)}{dupes_text}",
            keep_newlines=False,
        )
        _report_duplicates(result.possible_duplicates)
    # After the summary: what was stored is said before the seconds the index takes.
    if any(report.result is not None and report.result.papers for report in reports):
        _update_index(library, show_progress=show_progress)
    if failed:
        sys.exit(EXIT_FAILURE)


# ------------------------------------------------------------------------ list
def _status_option(value: str | None) -> Status | None:
    if value is None:
        return None
    try:
        return Status.parse(value)
    except ValueError as exc:
        fail(str(exc))


@cli.command(name="list")
@click.option("--status", "status_name", default=None, help="new, to-read or read.")
@click.option("--starred/--not-starred", default=None, help="Only starred (or unstarred) papers.")
@click.option(
    "--sort",
    type=click.Choice([s.value for s in SortKey]),
    default=None,
    help="Paper order [default: relevance with --query, else added].",
)
@click.option(
    "--reverse",
    "-r",
    is_flag=True,
    help="The order read bottom-up (oldest first, A-Z becomes Z-A, ...).",
)
@click.option("--limit", type=LIMIT, default=None)
@click.option("--query", "-q", type=TEXT, default=None, help="A search query (see README).")
@click.option(
    "--view", "view_name", type=TEXT, default=None, help="Only the papers of a saved view."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_context
def list_command(
    context: Context,
    status_name: str | None,
    starred: bool | None,
    sort: str | None,
    reverse: bool,
    limit: int | None,
    query: str | None,
    view_name: str | None,
    as_json: bool,
) -> None:
    """List papers as a table (or JSON)."""
    status = _status_option(status_name)
    store = context.store()
    if view_name is not None:
        with user_errors():
            saved = context.library().find_view(view_name)
        # The view's query and -q both apply (the view's grouped: its OR stays inside).
        query = f"({saved.query}) {query or ''}".strip()
    has_query = query is not None and query.strip() != ""
    sort_key = SortKey(sort) if sort else SortKey.RELEVANCE if has_query else SortKey.ADDED
    if sort_key is SortKey.RECOMMENDED:
        _list_recommended(context, status, starred, reverse, limit, query, as_json)
        return
    selection = Selection(query=query or "", sort=sort_key, reverse=reverse)
    with user_errors():
        papers = _select_papers(store, selection, status, starred, limit)
    if as_json:
        say_json([p.to_json() for p in papers])
        return
    _print_table(papers)


def _list_recommended(
    context: Context,
    status: Status | None,
    starred: bool | None,
    reverse: bool,
    limit: int | None,
    query: str | None,
    as_json: bool,
) -> None:
    """``list --sort recommended``: ranked by the user's stars, each paper with ``because``;
    until enough papers are starred, date added order and one line on stderr saying so."""
    from readq.search import QueryError

    library = context.library()
    with user_errors():
        try:
            outcome = library.recommended(
                status=status, starred=starred, query=query, limit=None if reverse else limit
            )
        except QueryError as exc:
            fail(f"bad query: {exc}")
    papers = list(outcome.papers)
    if reverse:
        papers = papers[::-1][:limit] if limit is not None else papers[::-1]
    if outcome.message:
        say(outcome.message, err=True)
    if as_json:
        say_json([s.to_json() for s in papers])
        return
    _print_table([s.paper for s in papers], [s.because for s in papers])


def _select_papers(
    store: Store,
    selection: Selection,
    status: Status | None,
    starred: bool | None,
    limit: int | None,
) -> list[Paper]:
    """The papers of ``selection`` with ``--status``/``--starred`` as clauses of its query
    (one evaluation, shared with ``readq export``)."""
    from readq.search import QueryError
    from readq.search.select import select_ids

    try:
        ids = select_ids(store, selection.with_state(status=status, starred=starred), limit=limit)
    except QueryError as exc:
        fail(f"bad query: {exc}")
    return store.get_many(ids)


def _print_table(papers: list[Paper], because: Sequence[tuple[str, ...]] | None = None) -> None:
    """The papers as a table under a header line; the status column uses the TUI's symbols
    (• new, » to read, ✓ read), then ★ starred and ✎ has a note. ``because``: a line under
    each paper naming what weighs most for it (related and recommended papers)."""
    from readq.models import STATUS_GLYPHS

    width = shutil.get_terminal_size((100, 24)).columns
    id_width = max([len(str(p.id)) for p in papers] + [2])
    fixed = id_width + 1 + 2 + 2 + 11 + 6 + 2
    title_width = max(20, width - fixed)
    if papers:
        say(f"{'ID':>{id_width}} {'S★✎'} {'PUBLISHED':<10} {'VOTES':>5} TITLE")
    for index, paper in enumerate(papers):
        star = "★" if paper.starred else " "
        note = "✎" if paper.note else " "
        date = paper.published or "          "
        votes = f"{paper.upvotes:>5}" if paper.upvotes is not None else "     "
        title = strip_unsafe(paper.title, keep_newlines=False)
        if len(title) > title_width:
            title = title[: title_width - 1] + "…"
        say(
            f"{paper.id:>{id_width}} {STATUS_GLYPHS[paper.status]}{star}{note} {date:<10} {votes} "
            f"{title}",
            keep_newlines=False,
        )
        reasons = because[index] if because is not None else ()
        if reasons:
            line = "because: " + ", ".join(strip_unsafe(r, keep_newlines=False) for r in reasons)
            say(f"{'':>{id_width + 5}}{line[: title_width + 18]}", keep_newlines=False)


# ------------------------------------------------------------------------ show
@cli.command()
@click.argument("paper_id", type=PAPER_ID)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_context
def show(context: Context, paper_id: int, as_json: bool) -> None:
    """Show one paper."""
    from readq.sources import describe_all, file_names, human_time

    store = context.store()
    with user_errors():
        paper = store.get(paper_id)
    if as_json:
        say_json(paper.to_json())
        return
    clean = strip_unsafe
    lines = [
        f"#{paper.id}  {clean(paper.title)}" + ("  (derived title)" if paper.title_derived else ""),
        f"status: {paper.status.value}" + ("  ★ starred" if paper.starred else ""),
    ]
    if paper.org:
        lines.append(f"organisation: {clean(paper.org)}")
    if paper.author_names:
        lines.append(f"authors: {clean(', '.join(paper.author_names))}")
    elif paper.authors is not None:
        lines.append(f"authors: {paper.authors}")
    if paper.arxiv_id:
        version = f"v{paper.arxiv_version}" if paper.arxiv_version else ""
        categories = f"  [{', '.join(paper.categories)}]" if paper.categories else ""
        lines.append(f"arXiv: {clean(paper.arxiv_id)}{version}{clean(categories)}")
    for label, value in (
        ("doi", paper.doi),
        ("journal", paper.journal_ref),
        ("comments", paper.comments),
    ):
        if value:
            lines.append(f"{label}: {clean(value)}")
    if paper.published:
        shown_as = f"  ({clean(paper.published_text)})" if paper.published_text else ""
        lines.append(f"published: {paper.published}{shown_as}")
    if paper.upvotes is not None:
        lines.append(f"upvotes: {paper.upvotes}")
    lines.append("from: " + "; ".join(clean(d) for d in describe_all(paper.sources)))
    files = file_names(paper.sources)
    if files:
        lines.append("files: " + "  ".join(clean(f) for f in files))
    times = f"added: {human_time(paper.added_at)}   changed: {human_time(paper.updated_at)}"
    if paper.status is Status.READ:
        times += f"   read: {human_time(paper.read_at) if paper.read_at else 'date unknown'}"
    lines.append(times)
    if paper.tags:
        lines.append("tags: " + " ".join("#" + clean(t) for t in paper.tags))
    if paper.urls:
        lines.append("urls: " + " ".join(clean(u) for u in paper.urls))
    lines.append("")
    lines.append(
        clean(paper.abstract)
        + ("  (a preview: the page showed only its start)" if paper.abstract_partial else "")
    )
    if paper.note:
        lines += ["", "note:", clean(paper.note)]
    say("\n".join(lines))


# -------------------------------------------------------------------- discover
@cli.command()
@click.argument("paper_id", type=PAPER_ID)
@click.option("--limit", type=LIMIT, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (with because).")
@pass_context
def related(context: Context, paper_id: int, limit: int, as_json: bool) -> None:
    """Papers most like PAPER_ID (title, abstract, authors, categories), best first."""
    library = context.library()
    with user_errors():
        outcome = library.related(paper_id, limit)
    found = list(outcome.related)
    if as_json:
        say_json([s.to_json() for s in found])
        return
    if not found:
        say(f"no paper shares enough with #{paper_id}", err=True)
        return
    _print_table([s.paper for s in found], [s.because for s in found])


@cli.command()
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@click.option("--undo", is_flag=True, help='Take "not interested" back.')
@pass_context
def dismiss(context: Context, paper_ids: tuple[int, ...], undo: bool) -> None:
    """Not interested: a negative label for the recommended order (status and star stay)."""
    with user_errors():
        done = context.library(write=True).dismiss(paper_ids, not undo)
    what = "interested again in" if undo else "not interested in"
    if done.ids:
        noun = "paper" if len(done.ids) == 1 else "papers"
        say(f"{what} {len(done.ids)} {noun}: {_id_list(done.ids)}")
    if done.skipped:
        say(f"already {what}: {_id_list(done.skipped)}")


# ------------------------------------------------------------- status and stars
@cli.command()
@click.argument("status_name", metavar="{new,to-read,read}")
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def mark(context: Context, status_name: str, paper_ids: tuple[int, ...]) -> None:
    """Set the status of papers."""
    status = _status_option(status_name)
    assert status is not None
    with user_errors():
        done = context.library(write=True).mark(paper_ids, status)
    say(f"marked {len(done.ids)} {status.value}")


@cli.command()
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def star(context: Context, paper_ids: tuple[int, ...]) -> None:
    """Star papers."""
    with user_errors():
        done = context.library(write=True).star(paper_ids, True)
    say(f"starred {len(done.ids)}")


@cli.command()
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def unstar(context: Context, paper_ids: tuple[int, ...]) -> None:
    """Unstar papers."""
    with user_errors():
        done = context.library(write=True).star(paper_ids, False)
    say(f"unstarred {len(done.ids)}")


@cli.command()
@click.argument("paper_id", type=PAPER_ID)
@click.argument("title", type=TEXT)
@pass_context
def rename(context: Context, paper_id: int, title: str) -> None:
    """Give a paper a new title (for instance one whose title was derived)."""
    with user_errors():
        context.library(write=True).rename(paper_id, title)
    say(f"renamed #{paper_id}")


# ----------------------------------------------------------------------- trash
@cli.command()
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def delete(context: Context, paper_ids: tuple[int, ...]) -> None:
    """Move papers to the trash (readq trash restore ID brings them back; their state and
    note are kept until readq trash empty)."""
    with user_errors():
        done = context.library(write=True).delete(paper_ids)
    if done.ids:
        noun = "paper" if len(done.ids) == 1 else "papers"
        say(f"moved {len(done.ids)} {noun} to the trash: {_id_list(done.ids)}")
    if done.skipped:
        say(f"already in the trash: {_id_list(done.skipped)}")


@cli.group(invoke_without_command=True)
@click.pass_context
def trash(ctx: click.Context) -> None:
    """The deleted papers: list them (the default), restore some, or empty the trash."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(trash_list)


@trash.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_context
def trash_list(context: Context, as_json: bool) -> None:
    """List the papers in the trash, most recently deleted first."""
    library = context.library()
    with user_errors():
        papers = library.trash()
        deleted = {p.id: library.deleted_at(p.id) for p in papers}
    if as_json:
        say_json([{**p.to_json(), "deleted_at": deleted[p.id]} for p in papers])
        return
    if not papers:
        say("the trash is empty")
        return
    id_width = max(len(str(p.id)) for p in papers)
    for paper in papers:
        when = (deleted[paper.id] or "")[:16].replace("T", " ")
        title = strip_unsafe(paper.title, keep_newlines=False)
        say(f"{paper.id:>{id_width}}  deleted {when}  {title}", keep_newlines=False)


@trash.command(name="restore")
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def trash_restore(context: Context, paper_ids: tuple[int, ...]) -> None:
    """Bring papers back from the trash, with their state and note."""
    with user_errors():
        done = context.library(write=True).restore(paper_ids)
    if done.ids:
        noun = "paper" if len(done.ids) == 1 else "papers"
        say(f"restored {len(done.ids)} {noun}: {_id_list(done.ids)}")
    if done.skipped:
        say(f"not in the trash: {_id_list(done.skipped)}")


@trash.command(name="empty")
@click.argument("paper_ids", type=PAPER_ID, nargs=-1)
@click.option("--yes", is_flag=True, help="Really delete them for good (required).")
@pass_context
def trash_empty(context: Context, paper_ids: tuple[int, ...], yes: bool) -> None:
    """Delete the papers in the trash for good (only PAPER_IDS when given), with their notes
    and note history. This cannot be undone: --yes is required."""
    library = context.library(write=yes)
    waiting = len(library.store.trashed_ids(paper_ids or None))
    if not waiting:
        say("the trash is empty" if not paper_ids else "none of these papers is in the trash")
        return
    if not yes:
        fail(
            f"this deletes {waiting} paper(s) and their notes for good; "
            "run again with --yes to do it"
        )
    with user_errors():
        gone = library.empty_trash(paper_ids or None)
    noun = "paper" if gone == 1 else "papers"
    say(f"deleted {gone} {noun} for good")


def _trash_note(in_trash: int) -> str:
    from readq.library.outcomes import trash_note

    return trash_note(in_trash)


def _id_list(ids: Sequence[int]) -> str:
    return " ".join(f"#{i}" for i in ids)


# ------------------------------------------------------------------------ tags
@cli.group()
def tag() -> None:
    """Tags: add or remove them, list them with counts, rename (or merge) one."""


@tag.command(name="add")
@click.argument("name", type=TEXT, metavar="TAG")
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def tag_add(context: Context, name: str, paper_ids: tuple[int, ...]) -> None:
    """Tag papers with TAG (case-insensitive; / makes a hierarchy: project/avatars)."""
    with user_errors():
        done = context.library(write=True).tag(paper_ids, add=[name])
    _say_tagged(done.ids, "tagged", name)


@tag.command(name="remove")
@click.argument("name", type=TEXT, metavar="TAG")
@click.argument("paper_ids", type=PAPER_ID, nargs=-1, required=True)
@pass_context
def tag_remove(context: Context, name: str, paper_ids: tuple[int, ...]) -> None:
    """Remove TAG from papers (no rule will put it back on them)."""
    with user_errors():
        done = context.library(write=True).tag(paper_ids, remove=[name])
    _say_tagged(done.ids, "untagged", name)


def _say_tagged(ids: Sequence[int], verb: str, name: str) -> None:
    from readq.tags import clean_tag

    noun = "paper" if len(ids) == 1 else "papers"
    say(f"{verb} {len(ids)} {noun} #{strip_unsafe(clean_tag(name), keep_newlines=False)}")


@tag.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_context
def tag_list(context: Context, as_json: bool) -> None:
    """Every tag with its number of papers."""
    with user_errors():
        found = context.library().tag_counts()
    if as_json:
        say_json([{"name": t.name, "count": t.count} for t in found])
        return
    if not found:
        say("no tags yet (readq tag add NAME ID...)")
        return
    width = max(len(t.name) for t in found)
    for item in found:
        say(f"{strip_unsafe(item.name, keep_newlines=False):<{width}}  {item.count:>8,}")


@tag.command(name="rename")
@click.argument("old", type=TEXT)
@click.argument("new", type=TEXT)
@pass_context
def tag_rename(context: Context, old: str, new: str) -> None:
    """Rename tag OLD to NEW; when NEW exists the two are merged. Rules follow."""
    with user_errors():
        count, merged = context.library(write=True).rename_tag(old, new)
    what = "merged into" if merged else "renamed to"
    shown_old, shown_new = (strip_unsafe(t, keep_newlines=False) for t in (old, new))
    say(f"{what} #{shown_new}: #{shown_old} ({count} papers)")


# ----------------------------------------------------------------------- rules
@cli.group()
def rule() -> None:
    """Rules: a tag given to every paper a query selects, now and as papers arrive."""


@rule.command(name="add")
@click.argument("name", type=TEXT, metavar="TAG")
@click.argument("query", type=TEXT)
@pass_context
def rule_add(context: Context, name: str, query: str) -> None:
    """Tag with TAG every paper QUERY selects now, and each one ingested, imported or added
    later (e.g. readq rule add avatars 'avatar OR "talking head"')."""
    with user_errors():
        found, count = context.library(write=True).add_rule(name, query)
    noun = "paper" if count == 1 else "papers"
    tag_name = strip_unsafe(found.tag, keep_newlines=False)
    say(f"rule {found.id}: #{tag_name} for {found.query!r}; tagged {count} {noun} now")


@rule.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_context
def rule_list(context: Context, as_json: bool) -> None:
    """Every rule with its number and how many papers it selects now."""
    with user_errors():
        found = context.library().rules()
    if as_json:
        say_json(
            [
                {
                    "id": r.id,
                    "tag": r.tag,
                    "query": r.query,
                    "count": n,
                    "created_at": r.created_at,
                }
                for r, n in found
            ]
        )
        return
    if not found:
        say("no rules yet (readq rule add TAG QUERY)")
        return
    for item, count in found:
        tag_name = strip_unsafe(item.tag, keep_newlines=False)
        query = strip_unsafe(item.query, keep_newlines=False)
        say(f"{item.id:>3}  #{tag_name}  {count:>8,}  {query}", keep_newlines=False)


@rule.command(name="remove")
@click.argument("number", type=PAPER_ID, metavar="N")
@pass_context
def rule_remove(context: Context, number: int) -> None:
    """Delete rule N (see readq rule list); the tags it gave stay."""
    with user_errors():
        gone = context.library(write=True).remove_rule(number)
    if gone is None:
        fail(f"no rule {number} (readq rule list shows them)")
    say(f"removed rule {number} (#{strip_unsafe(gone.tag, keep_newlines=False)})")


# ------------------------------------------------------------------------ note
@cli.command()
@click.argument("paper_id", type=PAPER_ID)
@click.option("--set", "set_text", type=TEXT, default=None, help="Replace the note with TEXT.")
@click.option(
    "--append", "append_text", type=TEXT, default=None, help="Append TEXT as a new paragraph."
)
@click.option("--edit", is_flag=True, help="Edit the note in $VISUAL / $EDITOR.")
@click.option("--history", is_flag=True, help="List the note's revisions.")
@pass_context
def note(
    context: Context,
    paper_id: int,
    set_text: str | None,
    append_text: str | None,
    edit: bool,
    history: bool,
) -> None:
    """Print a paper's note, or change it (every change is kept as a revision)."""
    chosen = (set_text is not None) + (append_text is not None) + edit
    if chosen > 1:
        fail("use only one of --set, --append and --edit")
    library = context.library(write=chosen > 0)
    with user_errors():
        text, revision = library.note(paper_id)
        if history:
            for rev in library.note_history(paper_id):
                first = strip_unsafe(rev.text, keep_newlines=False)[:60]
                say(f"{rev.id:>6}  {rev.created_at[:19]}  {rev.kind:<8}  {first}")
            return
        if set_text is not None:
            library.save_note(paper_id, set_text, base_revision=revision)
        elif append_text is not None:
            library.append_note(paper_id, append_text)
        elif edit:
            from readq.editor import EditorError, edit_text

            try:
                edited = edit_text(text, suffix=f"-paper-{paper_id}.md")
            except EditorError as exc:
                fail(str(exc), EXIT_FAILURE)
            result = library.save_note(paper_id, edited, base_revision=revision)
            if result.conflict:
                say(
                    "readq: the note changed while you edited it; the other text was kept as "
                    f"revision {result.conflict_revision_id}",
                    err=True,
                )
        else:
            say(text, nl=not text.endswith("\n"))


# ----------------------------------------------------------------- saved views
@cli.group(invoke_without_command=True)
@click.pass_context
def view(ctx: click.Context) -> None:
    """Saved views: named queries, shown as tabs in the TUI (keys 6-9). Lists them by default."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(view_list)


@view.command(name="add")
@click.argument("name", type=TEXT)
@click.argument("query", type=TEXT)
@pass_context
def view_add(context: Context, name: str, query: str) -> None:
    """Save QUERY (the search language, see README) as a view called NAME."""
    from readq.search import QueryError

    with user_errors():
        try:
            saved = context.library(write=True).add_view(name, query)
        except QueryError as exc:
            fail(f"bad query for view {name!r}: {exc}")
    say(f"saved view {saved.name!r}: {saved.query}", keep_newlines=False)


@view.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_context
def view_list(context: Context, as_json: bool) -> None:
    """List the saved views in tab order, with how many papers each shows now."""
    with user_errors():
        counted = context.library().view_counts()
    if as_json:
        say_json([{**v.to_json(), "count": n} for v, n in counted])
        return
    if not counted:
        say("no saved views (readq view add NAME QUERY saves one)")
        return
    width = max(len(v.name) for v, _n in counted)
    for number, (saved, n) in enumerate(counted, start=6):
        key = str(number) if number <= 9 else " "
        shown = f"{n:>6,}" if n >= 0 else "     ?"
        say(f"{key} {saved.name:<{width}} {shown}  {saved.query}", keep_newlines=False)


@view.command(name="remove")
@click.argument("name", type=TEXT)
@pass_context
def view_remove(context: Context, name: str) -> None:
    """Forget the saved view called NAME (its papers are not touched)."""
    with user_errors():
        gone = context.library(write=True).remove_view(name)
    say(f"removed view {gone.name!r}", keep_newlines=False)


# ----------------------------------------------------------------------- queue
@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def queue(ctx: click.Context, as_json: bool) -> None:
    """The to-read queue in its order, next up first (move papers with `queue move`)."""
    if ctx.invoked_subcommand is None:
        context = ctx.find_object(Context)
        assert context is not None
        with user_errors():
            papers = context.library().queue()
        _print_queue(papers, as_json)


def _print_queue(papers: Sequence[Paper], as_json: bool, label: str | None = None) -> None:
    """The queue (or a suggested order of it) as numbered lines, or JSON with each
    paper's ``queue_rank`` (1: next up)."""
    if as_json:
        say_json([{"queue_rank": n, **p.to_json()} for n, p in enumerate(papers, start=1)])
        return
    if label is not None:
        say(label)
    if not papers:
        say("the to-read queue is empty (readq mark to-read ID adds a paper)")
        return
    rank_width = len(str(len(papers)))
    id_width = max(len(str(p.id)) for p in papers)
    for n, paper in enumerate(papers, start=1):
        title = strip_unsafe(paper.title, keep_newlines=False)
        say(f"{n:>{rank_width}}. #{paper.id:<{id_width}} {title}", keep_newlines=False)


@queue.command(name="move")
@click.argument("paper_id", type=PAPER_ID)
@click.option("--top", is_flag=True, help="To the top (next up).")
@click.option("--bottom", is_flag=True, help="To the bottom.")
@click.option("--before", "before", type=PAPER_ID, default=None, help="Just before paper ID.")
@click.option("--after", "after", type=PAPER_ID, default=None, help="Just after paper ID.")
@pass_context
def queue_move(
    context: Context,
    paper_id: int,
    top: bool,
    bottom: bool,
    before: int | None,
    after: int | None,
) -> None:
    """Move a to-read paper in the queue: --top, --bottom, --before ID or --after ID."""
    given = {"top": top, "bottom": bottom, "before": before, "after": after}
    chosen = [place for place, value in given.items() if value]
    if len(chosen) != 1:
        fail("say where to move it: one of --top, --bottom, --before ID, --after ID")
    where = chosen[0]
    anchor = before if where == "before" else after if where == "after" else None
    with user_errors():
        library = context.library(write=True)
        done = library.queue_move(paper_id, where, anchor)
        rank = library.rank_in_queue([paper_id]).get(paper_id)
    if not done.ids:
        say(f"#{paper_id} is already there (place {rank} in the queue)")
        return
    say(f"moved #{paper_id} to place {rank} in the queue")


@queue.command(name="suggest")
@click.option("--oldest", "name", flag_value="oldest", help="Oldest first (publication date).")
@click.option(
    "--shortest", "name", flag_value="shortest", help="Shortest first (pages, else abstract)."
)
@click.option(
    "--recommended",
    "name",
    flag_value="recommended",
    help="For you: ranked by your stars (as list --sort recommended).",
)
@click.option("--by", "by", type=TEXT, default=None, help="Another suggested order, by name.")
@click.option("--apply", "apply_it", is_flag=True, help="Put the queue in this order.")
@click.option("--json", "as_json", is_flag=True, help="Print the suggested order as JSON.")
@pass_context
def queue_suggest(
    context: Context, name: str | None, by: str | None, apply_it: bool, as_json: bool
) -> None:
    """Show a suggested order of the queue (a suggestion: nothing changes without --apply;
    the TUI's u undoes an applied order in one step)."""
    if (name is None) == (by is None):
        fail("choose one suggested order: --oldest, --shortest, --recommended or --by NAME")
    with user_errors():
        library = context.library(write=apply_it)
        suggestion = library.suggest_queue(name or by or "")
        papers = library.papers_in_order(suggestion.ids)
        if apply_it:
            done = library.apply_queue_order(suggestion)
    label = f"suggested order: {suggestion.label} (not applied; --apply puts the queue in it)"
    if not apply_it:
        _print_queue(papers, as_json, label)
        return
    if not done.ids:
        say(f"the queue is already {suggestion.label}")
        return
    say(f"queue put in the suggested order: {suggestion.label} ({len(papers)} papers)")


# ----------------------------------------------------------------------- stats
@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_context
def stats(context: Context, as_json: bool) -> None:
    """Counts by status, starred, and with notes."""
    with user_errors():
        library = context.library()
        counts = library.stats()
        views = library.view_counts()
        tag_counts = library.tag_counts()
    data: dict[str, Any] = {
        "total": counts.total,
        **{status.value: n for status, n in counts.by_status.items()},
        "starred": counts.starred,
        "with_notes": counts.with_notes,
        # Every to-read paper is in the queue: its length is the to-read count.
        "queue": counts.by_status[Status.TO_READ],
    }
    if as_json:
        say_json(
            {
                **data,
                "views": [{"name": v.name, "count": n} for v, n in views],
                "tags": {t.name: t.count for t in tag_counts},
            },
            indent=None,
        )
        return
    for key, value in data.items():
        say(f"{key:<11}{value:>8,}")
    for view, n in views:
        shown = f"{n:>8,}" if n >= 0 else "  (query no longer valid)"
        say(f"view {view.name}: {shown.strip()}", keep_newlines=False)
    if tag_counts:
        say("tags:")
        names = ["#" + strip_unsafe(t.name, keep_newlines=False) for t in tag_counts]
        width = max(len(n) for n in names)
        for name, item in zip(names, tag_counts, strict=True):
            say(f"  {name:<{width}}  {item.count:>8,}")


@cli.command()
@pass_context
def locate(context: Context) -> None:
    """Print the paths readq uses (every row of the README's "Where files live")."""
    from readq.holders import holders_dir, lock_path
    from readq.notes import recovery_dir
    from readq.paths import search_cache_path

    paths = context.paths
    for label, path in (
        ("library", paths.db),
        ("data", paths.data_dir),
        ("backups", paths.backup_dir),
        ("log", paths.log_file),
        ("lock", lock_path(paths.db)),
        ("holders", holders_dir(paths.db)),
        ("search cache", search_cache_path(paths.db)),
        ("drafts", recovery_dir(paths.data_dir)),
        ("config", paths.config_file),
    ):
        say(f"{label + ':':<14}{path}", keep_newlines=False)
    if not paths.db.exists():
        say(f"readq: no library at {paths.db} yet", err=True, keep_newlines=False)


# ---------------------------------------------------------- export and import
EXPORT_FORMATS = ("json", "bibtex", "markdown", "obsidian", "csv")
IMPORT_FORMATS = ("json", "bibtex", "atom")


@cli.command(name="export")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Format."
)
@click.option(
    "--output",
    "-o",
    default=None,
    help="File to write (default: standard output); for obsidian, a directory.",
)
@click.option("--status", "status_name", default=None, help="Only papers of this status.")
@click.option("--starred", is_flag=True, default=False, help="Only starred papers.")
@click.option("--query", "-q", type=TEXT, default=None, help="Only the result of a search query.")
@click.option(
    "--sort", type=click.Choice([s.value for s in SortKey]), default=None, help="Paper order."
)
@pass_context
def export_command(
    context: Context,
    fmt: str,
    output: str | None,
    status_name: str | None,
    starred: bool,
    query: str | None,
    sort: str | None,
) -> None:
    """Export the library (or part of it) as json, bibtex, markdown, obsidian or csv.

    json is the complete backup format: `readq import` restores it.
    """
    status = _status_option(status_name)
    if fmt == "obsidian" and (output is None or output == "-"):
        fail("--format obsidian writes one file per paper: give a directory with -o DIR")
    store = context.store()
    from readq.export import select_ids

    has_query = query is not None and query.strip() != ""
    default_sort = SortKey.RELEVANCE if has_query else SortKey.ADDED
    to_stdout = output is None or output == "-"
    with user_errors():
        from readq.search import QueryError

        selection = Selection(query=query or "", sort=SortKey(sort) if sort else default_sort)
        try:
            ids = select_ids(
                store, selection.with_state(status=status, starred=True if starred else None)
            )
        except QueryError as exc:
            fail(f"bad query: {exc}")
        try:
            target = (export_stdout(fmt) if to_stdout else None) or output
            result = context.library().export(ids, fmt, target)
        except BrokenPipeError:
            raise  # `readq export | head`: click exits quietly
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}", EXIT_FAILURE)
    if result.papers == 0 and not result.kept:
        fail("no papers to export: nothing written", EXIT_FAILURE)
    _report_kept_files(result.target, result.kept)
    for name in result.copies[:KEPT_SHOWN]:
        warn(
            f"{os.path.join(result.target, name)}: left as it is: another file has the same "
            "readq_id (a copy?) and this one holds your text; remove its readq_id line to keep "
            "it as your own note"
        )
    if not to_stdout:
        say(f"exported {result.papers} papers ({fmt}) to {result.target}", err=True)
    for name in result.removed:
        say(f"removed {os.path.join(result.target, name)} (the paper was renamed)", err=True)


KEPT_SHOWN = 10
"""At most this many kept vault files are named one per line; the rest are counted."""


def _report_kept_files(directory: str, kept: Sequence[str]) -> None:
    """Name the vault files an Obsidian export left alone because the user edited them."""
    for name in kept[:KEPT_SHOWN]:
        warn(
            f"{os.path.join(directory, name)}: not updated: you changed the part readq writes "
            "(between the readq:begin and readq:end lines); move your text outside it, or "
            "delete the file to export it again"
        )
    if len(kept) > KEPT_SHOWN:
        warn(f"{len(kept) - KEPT_SHOWN} more files not updated for the same reason")


@cli.command(name="import")
@click.argument("path")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default=None,
    help="Skip detection (default: from the content and extension).",
)
@pass_context
def import_command(context: Context, path: str, fmt: str | None) -> None:
    """Import a readq JSON export, a BibTeX file or an arXiv Atom feed (PATH may be -).

    The whole file is one transaction. Into an empty library a JSON export is restored as it
    was; otherwise papers are merged with the ingest dedupe rules and your state is kept.
    """
    from readq.importers import IngestError

    library = context.library(write=True)
    library.prepare_index()
    with user_errors():
        try:
            report = library.import_file(path, fmt)
        except IngestError as exc:
            fail(str(exc), EXIT_FAILURE)
    try:
        _report_import(report)
    finally:
        # After the summary: what was stored is said before the seconds the index takes.
        _update_index(library, show_progress=_stderr_is_terminal())


def _report_import(report: ImportReport) -> None:
    """The summary of ``readq import``: warnings on stderr, one line of counts on stdout."""
    for warning in report.warnings:
        warn(f"{report.name}: {warning}")
    result = report.result
    if result.restored:
        say(f"{report.name}: restored {result.papers} papers ({result.format})")
        return
    conflicts = (
        f"; {result.conflicts} differing notes kept as conflict revisions"
        if result.conflicts
        else ""
    )
    dupes = len(result.possible_duplicates)
    dupes_text = f"; {dupes} possible duplicates (same title, other arXiv id)" if dupes else ""
    say(
        f"{report.name}: {result.papers} papers ({result.format}): {result.new} new, "
        f"{result.merged} already known ({result.updated} updated){conflicts}{dupes_text}",
        keep_newlines=False,
    )
    _report_duplicates(result.possible_duplicates)


# ------------------------------------------------------------------------- add
def _report_duplicates(pairs: tuple[tuple[int, int], ...], limit: int = 5) -> None:
    """Name the possible duplicates a summary line counted (the first few, on stderr)."""
    for new_id, other in pairs[:limit]:
        say(
            f"readq: possible duplicate: #{new_id} has the title of #{other} "
            "but another arXiv id (kept apart)",
            err=True,
        )
    if len(pairs) > limit:
        say(f"readq: … and {len(pairs) - limit} more possible duplicates", err=True)


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="ID-or-URL...")
@click.option(
    "--refetch",
    is_flag=True,
    help="Fetch papers already in the library again (fills and upgrades their fields).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=20.0,
    show_default=True,
    help="Seconds to wait for the arXiv API.",
)
@pass_context
def add(context: Context, refs: tuple[str, ...], refetch: bool, timeout: float) -> None:
    """Add papers by arXiv id or link (2612.04011, arXiv:2612.04011v2, arxiv.org/abs/...,
    huggingface.co/papers/...), fetching title, authors, abstract, categories and dates from
    the arXiv API (READQ_ARXIV_API overrides its URL). All of them are added, or none.
    """
    from readq.arxiv_api import ArxivApiError, add_papers, parse_refs

    try:
        parse_refs(refs)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    library = context.library(write=True)
    library.prepare_index()
    with user_errors():
        try:
            report = add_papers(library.store, refs, refetch=refetch, timeout=timeout)
        except ArxivApiError as exc:
            fail(str(exc), EXIT_FAILURE)
    if report.result is not None:
        _update_index(library, show_progress=_stderr_is_terminal())
    for arxiv_id, paper_id in report.known.items():
        if arxiv_id not in report.fetched:
            say(f"{arxiv_id}: already in the library (#{paper_id}); --refetch to update it")
    result = report.result
    if result is None:
        return
    known = f", {result.merged} already known ({result.updated} updated)" if result.merged else ""
    say(f"arXiv API: {result.papers} papers: {result.new} new{known}{_trash_note(result.in_trash)}")
    _report_duplicates(result.possible_duplicates)


# ------------------------------------------------------------------------ sync
@cli.command("sync")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--status", "show_status", is_flag=True, help="Show the sync setup; sync nothing.")
@click.option("--name", "device_name", type=TEXT, help="This device's name (default: host name).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_context
def sync_command(
    context: Context, folder: str | None, show_status: bool, device_name: str | None, as_json: bool
) -> None:
    """Sync the library through FOLDER, a folder Syncthing, Dropbox, iCloud or git carries.

    The first FOLDER given is remembered: later, `readq sync` alone syncs there. This device
    writes only its own files under FOLDER/readq-sync and reads the other devices' files.
    Exit 1 when an entry in the folder could not be read (it is named and skipped).
    """
    from readq.sync import SyncError
    from readq.sync.folder import SyncFolderError

    if show_status:
        if folder is not None:
            fail("--status takes no FOLDER", EXIT_USAGE)
        status = context.library().sync_status()
        if as_json:
            say_json(status.to_json())
            return
        if status.folder is None:
            say("sync: not set up (run `readq sync FOLDER` once)")
            return
        say(f"folder: {status.folder}", keep_newlines=False)
        say(f"this device: {status.device_name} ({status.device})", keep_newlines=False)
        say(f"last sync: {status.last_sync or 'never'}", keep_newlines=False)
        if status.last_problem:
            say(f"last problem: {status.last_problem}", keep_newlines=False)
        say(f"changes not sent yet: {status.pending} (papers, saved views, rules)")
        if not status.devices:
            say("other devices: none seen yet")
        for device in status.devices:
            say(
                f"other device: {device.name} ({device.id}), last read "
                f"{device.last_seen or 'never'}, newest change {device.last_change or 'unknown'}",
                keep_newlines=False,
            )
        return
    library = context.library(write=True)
    library.prepare_index()
    with user_errors():
        try:
            result = library.sync(
                folder, backup_dir=context.paths.backup_dir, device_name=device_name
            )
        except (SyncError, SyncFolderError) as exc:
            fail(str(exc), EXIT_FAILURE)
    if as_json:
        say_json(result.to_json())
    else:
        if result.backup:
            say(f"joined a folder other devices use: library backed up to {result.backup}")
        say(
            f"synced with {result.folder} as {result.device_name}: sent {result.sent}, "
            f"received {result.received}, {result.changed} papers changed here "
            f"({result.seconds:.2f} s)",
            keep_newlines=False,
        )
        for title in result.conflicts:
            say(
                f"note edited on two devices: {title} (both kept; the other is a conflict "
                "revision in its history)",
                keep_newlines=False,
            )
        for title in result.revived:
            say(f"deleted elsewhere but edited later, kept: {title}", keep_newlines=False)
    for problem in result.problems:
        say(f"readq: {problem}", err=True, keep_newlines=False)
    if result.changed:  # papers came in: the saved search index follows, as after an ingest
        _update_index(library, show_progress=_stderr_is_terminal() and not as_json)
    if result.problems:
        sys.exit(EXIT_FAILURE)


# ---------------------------------------------------------------------- backup
@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@pass_context
def backup(context: Context, path: str | None) -> None:
    """Write a verified, consistent copy of the library (SQLite backup API).

    PATH defaults to the backups directory (see `readq locate`) / readq-TIMESTAMP.db.
    """
    from datetime import UTC, datetime
    from pathlib import Path

    from readq.backup import BackupError

    if not context.paths.db.exists():
        fail(f"no library at {context.paths.db}", EXIT_FAILURE)
    library = context.library()  # a backup only reads: it works on a full disk, to another one
    if path is not None:
        target = Path(path).expanduser()
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = context.paths.backup_dir / f"readq-{stamp}.db"
        n = 1
        while target.exists():
            n += 1
            target = context.paths.backup_dir / f"readq-{stamp}-{n}.db"
    with user_errors():
        try:
            written, papers = library.backup(target)
        except BackupError as exc:
            fail(str(exc), EXIT_FAILURE)
    say(f"backed up {papers} papers to {written}", keep_newlines=False)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@pass_context
def restore(context: Context, path: str) -> None:
    """Replace the library with a verified backup (the current one is moved aside, not deleted).

    The backup is checked with quick_check, copied with SQLite's backup API and checked again.
    """
    from pathlib import Path

    from readq.recovery import RestoreError, restore_backup

    try:
        check_library_location(context.paths, write=True)
        result = restore_backup(context.paths, Path(path))
    except (DataDirError, RestoreError) as exc:
        fail(str(exc), EXIT_FAILURE)
    moved = (
        f"; the previous library was moved to {result.previous_moved_to}"
        if result.previous_moved_to
        else ""
    )
    say(f"restored {result.papers} papers from {result.restored_from}{moved}", keep_newlines=False)


def main() -> None:
    """Console-script entry point (a library found damaged mid-command is reported, moved
    aside and never written again)."""
    import sqlite3

    try:
        cli(prog_name="readq")
    except sqlite3.DatabaseError as exc:
        from readq.recovery import is_corruption, quick_check, report_damage

        context = _current_context
        if context is None or not is_corruption(exc):
            raise
        context.close()
        detail = quick_check(context.paths.db) or str(exc)
        fail(str(report_damage(context.paths, detail)), EXIT_FAILURE)
