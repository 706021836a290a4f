"""Changing a Line-API widget's virtual size without a layout pass.

Textual declares ``virtual_size`` as a layout reactive: every change re-arranges the whole
screen (30-80 ms at 120x40 on a loaded 2-core machine). For a widget that draws its own lines
(``ScrollView`` + ``render_line``) only its scrollbar depends on the virtual size. So unless the
scrollbar appears or disappears, we store the new size, update the scrollbar and repaint: the
list and the detail pane then change per keystroke without re-arranging the screen.
"""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(widget: ScrollView, size: Size, *, repaint: bool = True) -> None:
    """Give ``widget`` the virtual ``size``; a layout pass only if its scrollbar comes or goes.

    With ``repaint=False`` the widget's own lines are not marked for repainting (the caller
    repaints the lines that changed); its scrollbar still follows the new size."""
    old = widget.virtual_size
    if size == old:
        return
    _, container_height = widget.container_size
    overflow = widget.styles.overflow_y
    bar_changes = (old.height > container_height) != (size.height > container_height)
    needs_layout = (
        not widget.is_mounted
        or container_height <= 0
        or size.width != old.width
        or (overflow == "auto" and bar_changes)
    )
    if needs_layout:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    if widget.show_vertical_scrollbar:
        bar = widget.vertical_scrollbar
        bar.window_virtual_size = size.height
        bar.position = widget.scroll_y
    if widget.scroll_y > widget.max_scroll_y:
        widget.scroll_to(y=widget.max_scroll_y, animate=False, immediate=True)
    if repaint:
        widget.refresh()


class LineView(ScrollView):
    """A widget that draws its own lines, with ``rich_style`` cached for them: computing it
    walks every ancestor, and doing so for each drawn row was ~12% of the UI thread while
    typing a filter."""

    _base_style: Style | None = None

    @property
    def base_style(self) -> Style:
        """``rich_style``, until the styles change (theme, focus, CSS)."""
        style = self._base_style
        if style is None:
            style = self._base_style = self.rich_style
        return style

    def notify_style_update(self) -> None:
        """The styles changed: the next drawn line computes the base style again."""
        self._base_style = None
        super().notify_style_update()


__all__ = ["LineView", "set_virtual_size"]
