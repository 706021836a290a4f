"""Screens of the TUI: one screen per module."""
