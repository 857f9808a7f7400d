"""What a screen may ask of the app that runs it, as a Protocol the app satisfies, so that no screen imports
the app: run slow work in a worker (whose failure the app shows), load the history and a revision's detail,
and whether cursors blink."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.worker import Worker

    from ahq_history.tui.state import History


@runtime_checkable
class Host(Protocol):
    """The app's side of the screens' work; the messages it posts go back to the screen that asked."""

    cursor_blink: bool
    database_url: str | None  # --database-url; None: named as `status` names it

    def background(self, work: Callable[[], Any], name: str, *, group: str | None = None) -> Worker[Any]:
        """Run `work` in a thread; its failure becomes a dialog."""
        ...

    def start_load(self, screen: Screen[Any], *, reloaded: bool = False) -> None:
        """Scan the project; `screen` receives HistoryLoaded."""
        ...

    def after_load(self, screen: Screen[Any], history: History) -> None:
        """Ask git and the database about `history`; `screen` receives GitLoaded and DatabaseLoaded."""
        ...

    def project_name(self, config: Path) -> str | None:
        """The project's configuration as the project list shows it; None with a single project."""
        ...

    def start_detail(self, screen: Screen[Any], history: History, revision: str) -> None:
        """Read the detail of `revision`; `screen` receives DetailReady."""
        ...


def host(app: App[Any]) -> Host:
    """The app as a Host (every app that shows these screens is one)."""
    assert isinstance(app, Host)
    return app
