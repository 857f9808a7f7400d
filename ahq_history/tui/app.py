"""`ahq-history tui`: browse the revision DAG and build merges (Textual).

Slow work (scanning, git, the database, Alembic's templates) runs in thread workers that only post
messages (`tui/messages.py`). Every worker failure reaches `on_worker_state_changed`, the one place
where an error becomes a dialog; the screen never shows a traceback.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import Worker, WorkerState

from ahq_history.core.errors import AhqError
from ahq_history.tui.keys import help_keys
from ahq_history.tui.messages import DatabaseLoaded, DetailReady, FilesChanged, GitLoaded, HistoryLoaded
from ahq_history.tui.screens.dialogs import HelpScreen, MessageDialog
from ahq_history.tui.screens.main import MainScreen
from ahq_history.tui.watch import FileWatch
from ahq_history.tui.widgets.graph_view import LEGEND

if TYPE_CHECKING:
    from textual.screen import Screen

    from ahq_history.tui.state import History

POLL_SECONDS = 1.0  # how often revision files are checked for changes


class HistoryApp(App[int]):
    """The TUI. `config` as `-c`; `watch` polls revision files; `git`/`database` read those facts."""

    CSS_PATH = "app.tcss"
    TITLE = "ahq-history"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("P", "projects", "Projects"),  # only with several projects, on the main screen
    ]
    # Screens get `-narrow` below this width: the detail pane moves below the graph, the builder's
    # columns share the width, the help's columns stack (app.tcss). (Textual declares it as an instance
    # variable, so a ClassVar annotation here would not type-check.)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012

    def __init__(self, config: str | Path | None = None, *, watch: bool = True, git: bool = True,
                 database: bool = True, cursor_blink: bool = True, database_url: str | None = None,
                 projects: Sequence[tuple[str, Path]] = ()) -> None:
        super().__init__()
        self.config = config
        self.projects = tuple(projects)  # (shown, configuration): the repository's projects, when several
        self.cursor_blink = cursor_blink  # off in snapshot tests, so every screenshot is the same
        self.watch_files = watch
        self.read_git = git
        self.read_database = database
        self.database_url = database_url  # --database-url; None: named as `status` names it
        self._watch: FileWatch | None = None  # what the revision files looked like at the last load

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
        if self.watch_files:
            self.set_timer(POLL_SECONDS, self._poll)

    def action_help(self) -> None:
        """Every key of the screen on top, and on the main screen what the marks on a line mean."""
        screen = self.screen
        self.push_screen(HelpScreen(help_keys(screen), LEGEND if isinstance(screen, MainScreen) else ()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `P` is neither shown nor answered unless there is another project to open from the main screen.
        return action != "projects" or (len(self.projects) > 1 and isinstance(self.screen, MainScreen))

    def action_projects(self) -> None:
        """`P`: the repository's projects; the chosen one is loaded as `-c` would load it."""
        from ahq_history.tui.screens.projects import ProjectsScreen

        screen = self.screen
        current = Path(self.config) if self.config is not None else None
        self.push_screen(ProjectsScreen(self.projects, current),
                         lambda chosen: self._open_project(screen, chosen))

    def _open_project(self, screen: Screen[Any], config: Path | None) -> None:
        if config is not None:
            self.config, self._watch = config, None  # the old project's files are no longer watched
            self.start_load(screen)

    def project_name(self, config: Path) -> str | None:
        """The project's configuration as the project list shows it, when there are several."""
        several = len(self.projects) > 1
        return next((shown for shown, path in self.projects if several and path == config), None)

    # -- workers --------------------------------------------------------------------------------

    def background(self, work: Callable[[], Any], name: str, *, group: str | None = None) -> Worker[Any]:
        """Run `work` in a thread; its failure is shown by `on_worker_state_changed`."""
        return self.run_worker(work, name=name, group=group or name, thread=True, exclusive=True,
                               exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failure becomes words: a dialog, never a traceback."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, AhqError):
            self.push_screen(MessageDialog(_title(event.worker.name), error.message, hint=error.hint))
        else:
            self.push_screen(MessageDialog(_title(event.worker.name), f"{type(error).__name__}: {error}",
                                           hint="this is a bug in ahq-history; please report it"))

    def start_load(self, screen: Screen[Any], *, reloaded: bool = False) -> None:
        def work() -> None:
            from ahq_history.config.loading import load
            from ahq_history.tui.state import build_history

            history = build_history(load(self.config))
            _post(screen, HistoryLoaded(history, reloaded))
            if self.watch_files:  # after posting: the screen need not wait for it
                self._watch = FileWatch(history.loaded.project)

        self.background(work, "load")

    def after_load(self, screen: Screen[Any], history: History) -> None:
        """First facts are on screen: now ask git and the database (slower)."""
        if self.read_git:
            self.background(lambda: _post(screen, GitLoaded(*_git(history))), "git")
        else:
            _post(screen, GitLoaded(None, "git not read (--no-git)"))
        if self.read_database:
            # The worker thread keeps this one's context (flask ahq tui names the URL's source there).
            context, url = contextvars.copy_context(), self.database_url
            self.background(lambda: _post(screen, DatabaseLoaded(*context.run(_database, history, url))),
                            "database")

    def start_detail(self, screen: Screen[Any], history: History, revision: str) -> None:
        def work() -> None:
            from ahq_history.report.detail import revision_detail

            git = (history.git or {}).get(revision)
            _post(screen, DetailReady(revision_detail(history.loaded, revision, git)))

        self.background(work, "detail")

    def _poll(self) -> None:
        """Ask the watch (in a worker) whether revision files changed, then poll again."""
        screen = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        watch = self._watch
        if watch is None or screen is None:
            self.set_timer(POLL_SECONDS, self._poll)
            return

        def work() -> None:
            if watch.changed() and watch is self._watch:
                self._watch = None  # until the reload has looked again
                _post(screen, FilesChanged())
            with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
                self.call_from_thread(self.set_timer, POLL_SECONDS, self._poll)

        self.background(work, "watch")


def _post(target: Screen[Any], message: Message) -> None:
    """Post from a worker unless it was cancelled (a newer one replaced it)."""
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        if get_current_worker().is_cancelled:
            return
    except NoActiveWorker:  # called on the app's own thread
        pass
    target.post_message(message)


def _git(history: History) -> tuple[Any, str | None]:
    from ahq_history.report.history import git_columns

    return git_columns(history.loaded)


def _database(history: History, url: str | None = None
              ) -> tuple[frozenset[str] | None, str | None, tuple[str, ...]]:
    """Applied revisions, read as `status` reads them, and the rows the database is at (marked `[db]`);
    no URL is not an error here, just no badges."""
    from ahq_history.core.errors import ConfigError
    from ahq_history.db.status import read_applied

    try:
        found = read_applied(history.loaded.project, history.graph, database_url=url)
    except ConfigError as error:  # a URL that cannot be used: its form, or a driver not installed
        return None, f"database: {error.message}", ()
    if found.error is not None:
        return None, f"database: {found.error.message}", ()
    if found.rows is None:
        return None, None, ()
    return (found.revisions, f"database: {len(found.rows.revisions)} row(s), ✓ = applied, [db] = at",
            found.rows.revisions)


def _title(worker_name: str) -> str:
    return {
        "load": "Cannot load the history",
        "git": "Cannot read git history",
        "database": "Cannot read the database",
        "detail": "Cannot show this revision",
        "propose": "Cannot prepare the change",
        "write": "Nothing was written",
        "watch": "Cannot watch the revision files",
        "branches": "Cannot list the branches",
        "projects": "Cannot list the projects",
        "plan": "No plan: nothing was changed",
        "run": "The plan stopped",
    }.get(worker_name, "Something went wrong")
