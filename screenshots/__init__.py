"""Screenshots of the TUI for the README (``python -m screenshots.make``)."""
