"""The rules screen (from the command palette): tags that apply themselves.

It lists each rule with its number, tag, how many papers it selects now, and its query;
below, a new rule is written as a tag and a query, with a live preview (the count and the
first titles it would tag) computed in a thread as the user types, before anything is saved.
Enter saves it (the library tags every match in one transaction); ``d`` removes the
highlighted rule (the tags it gave stay). Rule text and titles are untrusted: plain ``Text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from readq.textclean import clean_line, strip_unsafe
from readq.tui.screens.base import ReadqModalScreen

if TYPE_CHECKING:
    from readq.rule_values import Rule

PREVIEW_DELAY = 0.2
"""Seconds of quiet typing before the preview is computed (a scan at 100k papers costs)."""
PREVIEW_TITLES = 8
PREVIEW_TITLE_CHARS = 90


class RulesScreen(ReadqModalScreen[bool]):
    """The rules; dismisses with whether anything changed (the list then reloads)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=True),
        Binding("d,delete", "remove", "Remove rule", show=True),
    ]

    DEFAULT_CSS = """
    RulesScreen { align: center middle; }
    RulesScreen > Vertical {
        width: 90%; height: 85%; border: round $accent; background: $panel; padding: 0 1;
    }
    RulesScreen #rules-list { height: 1fr; }
    RulesScreen Horizontal { height: auto; }
    RulesScreen #rule-tag { width: 30; }
    RulesScreen #rule-query { width: 1fr; }
    RulesScreen #rule-preview { height: auto; max-height: 10; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.changed = False
        self.numbers: list[int] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """The rules, then the new rule's fields and its preview."""
        with Vertical():
            yield Static(
                Text(
                    "Rules: each tags what its query selects, now and as papers arrive "
                    "(d: remove the highlighted rule, Esc: close)"
                ),
                id="rules-head",
            )
            yield OptionList(id="rules-list")
            yield Static(Text("New rule: a tag, a query (Tab between them, Enter saves)"))
            with Horizontal():
                yield Input(placeholder="tag", id="rule-tag")
                yield Input(placeholder='query, e.g. avatar OR "talking head"', id="rule-query")
            yield Static(Text(""), id="rule-preview")

    def on_mount(self) -> None:
        """Load the rules; typing starts in the tag field."""
        self._load()
        self.query_one("#rule-tag", Input).focus()

    def _load(self) -> None:
        self.load_rules()

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def load_rules(self) -> None:
        """Count what each rule selects (a scan each) on a reader, off the event loop."""
        found = self.rq.library.rules_job()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_rules, found)

    def _show_rules(self, found: list[tuple[Rule, int]]) -> None:
        self.numbers = [rule.id for rule, _count in found]
        options = self.query_one("#rules-list", OptionList)
        options.clear_options()
        if not found:
            options.add_option(Option(Text("no rules yet: write one below"), disabled=True))
            return
        for rule, count in found:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{rule.id:>3}  ")
            line.append("#" + strip_unsafe(rule.tag, keep_newlines=False), "bold")
            line.append(f"  {count:>7,}  ", "dim")
            line.append(strip_unsafe(rule.query, keep_newlines=False))
            options.add_option(Option(line))
        options.highlighted = 0

    # ---------------------------------------------------------------- preview
    def on_input_changed(self, event: Input.Changed) -> None:
        """Preview once typing pauses."""
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._preview)

    def _fields(self) -> tuple[str, str]:
        return self.query_one("#rule-tag", Input).value, self.query_one("#rule-query", Input).value

    def _preview(self) -> None:
        tag, query = self._fields()
        if not query.strip():
            self._show_preview(Text(""))
            return
        self.run_preview(tag or "preview", query)

    @work(thread=True, exclusive=True, group="rule-preview", exit_on_error=False)
    def run_preview(self, tag: str, query: str) -> None:
        """Count (and list the first of) what the rule would tag, on a reader connection."""
        worker = get_current_worker()
        try:
            count, papers = self.rq.library.preview_rule_job(tag, query)
        except ValueError as exc:
            text = Text(str(exc), style="italic")
        else:
            noun = "paper" if count == 1 else "papers"
            text = Text(f"would tag {count:,} {noun}" + (":" if papers else ""))
            for paper in papers[:PREVIEW_TITLES]:
                title = clean_line(strip_unsafe(paper.title, keep_newlines=False))
                text.append(f"\n  #{paper.id}  {title[:PREVIEW_TITLE_CHARS]}")
            if count > PREVIEW_TITLES:
                text.append(f"\n  … and {count - PREVIEW_TITLES:,} more")
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_preview, text)

    def _show_preview(self, text: Text) -> None:
        self.query_one("#rule-preview", Static).update(text)

    # ----------------------------------------------------------------- writes
    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter (in either field): save the rule, tagging what it selects now."""
        event.stop()
        tag, query = self._fields()
        if not tag.strip() or not query.strip():
            self.notify("A rule needs a tag and a query", severity="warning", markup=False)
            return
        self._show_preview(Text("saving the rule and tagging what it selects…", style="italic"))
        self.save_rule(tag, query)

    @work(thread=True, exclusive=True, group="rule-save", exit_on_error=False)
    def save_rule(self, tag: str, query: str) -> None:
        """Store the rule and tag its papers on a connection of its own (seconds at 1M
        papers: the screen stays responsive), then say what it did."""
        try:
            rule, count = self.rq.library.add_rule_job(tag, query)
        except ValueError as exc:
            message = str(exc)
            self.app.call_from_thread(self._not_saved, message, "warning")
            return
        except Exception as exc:  # locked past the timeout, read-only
            self.app.call_from_thread(self._not_saved, f"Rule not saved: {exc}", "error")
            return
        self.app.call_from_thread(self._saved, rule, count)

    def _not_saved(self, message: str, severity: SeverityLevel) -> None:
        self._show_preview(Text(""))
        self.notify(message, severity=severity, timeout=5, markup=False)

    def _saved(self, rule: Rule, count: int) -> None:
        self.changed = True
        noun = "paper" if count == 1 else "papers"
        name = strip_unsafe(rule.tag, keep_newlines=False)
        self.notify(f"Rule {rule.id} saved: tagged {count:,} {noun} #{name}", markup=False)
        for field in ("#rule-tag", "#rule-query"):
            self.query_one(field, Input).value = ""
        self._show_preview(Text(""))
        self._load()

    def action_remove(self) -> None:
        """Remove the highlighted rule (its tags stay on the papers)."""
        options = self.query_one("#rules-list", OptionList)
        index = options.highlighted
        if index is None or not 0 <= index < len(self.numbers):
            return
        gone = self.rq.library.remove_rule(self.numbers[index])
        if gone is not None:
            self.changed = True
            name = strip_unsafe(gone.tag, keep_newlines=False)
            self.notify(f"Rule {gone.id} removed; #{name} stays on its papers", markup=False)
        self._load()

    def action_close(self) -> None:
        """Back to the list."""
        self.dismiss(self.changed)
