"""The base of readq's screens: the app, typed, without importing it."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from readq.tui.services import AppServices

ResultT = TypeVar("ResultT")


class ReadqScreen(Screen[ResultT]):
    """A screen of the readq app."""

    @property
    def rq(self) -> AppServices:
        """The app, as the services screens may use (``ReadqApp`` provides them all)."""
        return cast("AppServices", self.app)


class ReadqModalScreen(ModalScreen[ResultT]):
    """A dialog of the readq app (over the screen below it)."""

    @property
    def rq(self) -> AppServices:
        """The app, as the services screens may use (``ReadqApp`` provides them all)."""
        return cast("AppServices", self.app)
