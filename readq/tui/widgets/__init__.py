"""Widgets of the TUI: the virtual paper list, the detail pane and the filter bar."""
