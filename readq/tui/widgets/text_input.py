"""Text inputs whose editing keys take effect in the order they were typed.

Textual 8.2.8 inserts a printable key in the focused ``Input``/``TextArea`` as soon as the
widget reads it, but a key bound to an editing action (ctrl+u, ctrl+w, backspace, delete,
ctrl+k...) is run only after the key event has bubbled up to the app, which checks the
bindings there. The bubbling goes through the message queues of the screen and the app, and
meanwhile the widget reads the keys queued behind it. So when keys arrive together (a fast
typist, a paste, a terminal sending a burst), ``ctrl+u`` then ``panohead`` inserted
"panohead" first and then deleted everything, and a burst of Backspaces followed by new text
deleted the new text. Measured in a real terminal (tmux ``send-keys C-u panohead``): the text
was lost 8 times in 8, in a plain Textual ``Input`` as well.

The widgets here run their *own* bindings (the editing actions the widget defines) at once, in
order, before reading the next key; bindings of the screen and the app keep Textual's path.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run ``widget``'s own non-priority binding for ``event`` now; True if one ran.

    The same lookup as Textual's ``App._check_bindings`` does later for the focused widget
    (the first binding of the key whose action runs wins), done before the next key is read.
    """
    if event.is_printable:
        return False
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


class OrderedInput(Input):
    """An ``Input`` whose editing keys apply in typing order (see the module docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        if await run_own_binding(self, event):
            return
        await super()._on_key(event)


class OrderedTextArea(TextArea):
    """A ``TextArea`` whose editing keys apply in typing order (see the module docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        if await run_own_binding(self, event):
            return
        await super()._on_key(event)
