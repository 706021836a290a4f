"""The triage TUI (Textual). Everything that imports ``textual`` lives under this package."""
