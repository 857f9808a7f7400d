"""The database follows the branch: `switch` and `sync` from the TUI, with the plan that `ahq-history switch
--dry-run` prints. Nothing runs until `y` is pressed on the plan screen; Escape before that changes nothing.

Planning and running are `write/switch.py`, `write/sync.py` and `write/steprun.py`, in workers; the words are
`report/dbplan.py`'s, the very lines the command line prints.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ahq_history.core.display import clean
from ahq_history.report.dbplan import Kind, outcome_lines, plan_lines
from ahq_history.tui.host import host
from ahq_history.tui.messages import PlanProgress, PlanRan, PlanReady
from ahq_history.tui.screens.dialogs import PickOne

if TYPE_CHECKING:
    from textual.worker import Worker

    from ahq_history.config.loading import Loaded
    from ahq_history.write.switch import Plan


class PickBranch(PickOne):
    """Choose the local branch to switch to (the checked-out one is not offered)."""

    def __init__(self, branches: list[str], current: str | None) -> None:
        super().__init__()
        self.branches = [name for name in branches if name != current]
        self.current = current

    def compose(self) -> ComposeResult:
        here = f" (on {clean(self.current)} now)" if self.current else " (HEAD is detached now)"
        with Vertical(id="dialog"):
            yield Static(f"Switch to which branch?{here}", id="dialog-title", markup=False)
            yield OptionList(*(Option(clean(name), id=name) for name in self.branches), id="pick-list",
                             markup=False)
            yield Static("Enter shows the plan (nothing runs yet); Escape cancels.", id="dialog-hint",
                         markup=False)


class PlanScreen(ModalScreen[str | None]):
    """The plan of `switch BRANCH` or `sync`: `y` runs it, Escape cancels (or closes once it ran).
    Dismissed with how it ended (None when nothing ran), for the main screen to say and reload."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "run", "Run it"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, loaded: Loaded, kind: Kind, branch: str | None = None) -> None:
        super().__init__()
        self.loaded, self.kind, self.branch = loaded, kind, branch
        self.plan: Plan | None = None
        self.lines: list[str] = []
        self.running: Worker[None] | None = None
        self.ended: str | None = None  # the outcome's first line, once it ran

    def compose(self) -> ComposeResult:
        title = (f"switch {self.branch}: the database follows the branch" if self.kind == "switch"
                 else "sync: bring the database back to this checkout")
        with Vertical(id="dialog"):
            yield Static(clean(title), id="dialog-title", markup=False)
            with VerticalScroll(id="plan-scroll"):
                yield Static("making the plan… (nothing is changed)", id="plan-text", markup=False)
            yield Static("", id="dialog-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from ahq_history.report.dbplan import make_plan

        loaded, kind, branch = self.loaded, self.kind, self.branch
        url = host(self.app).database_url
        self.set_hint("Escape cancels.")
        host(self.app).background(lambda: self.post_message(PlanReady(make_plan(kind, loaded, branch, url))),
                                  "plan")

    def set_hint(self, text: str) -> None:
        self.query_one("#dialog-hint", Static).update(Text(text))

    def _show(self, lines: list[str]) -> None:
        """Show `lines`; once the plan runs, keep its latest words in view."""
        self.lines = lines
        self.query_one("#plan-text", Static).update(Text(clean("\n".join(lines), multiline=True)))
        if self.running is not None:
            self.query_one("#plan-scroll", VerticalScroll).scroll_end(animate=False)

    def on_plan_ready(self, message: PlanReady) -> None:
        self.plan = message.plan
        self._show(plan_lines(message.plan))
        if message.plan.steps:
            backup = "" if message.plan.sqlite else " There is no backup of a server database."
            self.set_hint(f"y runs these steps, in order.{backup} Escape cancels: nothing is changed.")
        else:
            self.set_hint("Escape closes.")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":  # dimmed until there is a plan with steps, and once it ran
            return True if self.plan is not None and self.plan.steps and self.running is None else None
        return True

    def _busy(self) -> bool:
        return self.running is not None and self.running.is_running

    def action_run(self) -> None:
        if self.plan is None or not self.plan.steps or self.running is not None:
            return
        from ahq_history.write.steprun import execute, log_folder

        plan, project = self.plan, self.loaded.project
        self.set_hint("running… (each step is logged: `ahq-history status` says where a stopped run is)")

        def say(text: str) -> None:
            self.post_message(PlanProgress(text))

        def work() -> None:
            self.post_message(PlanRan(execute(plan, project, log_folder(project), say)))

        self.running = host(self.app).background(work, "run")
        self._show([*self.lines, ""])
        self.refresh_bindings()

    def on_plan_progress(self, message: PlanProgress) -> None:
        self._show([*self.lines, message.text])

    def on_plan_ran(self, message: PlanRan) -> None:
        words = outcome_lines(message.outcome)
        self.ended = words[0]
        self._show([*self.lines, *words])
        self.set_hint("Escape closes." if message.outcome.ok else "Escape closes; fix the cause, then run it "
                      "again (the next command above finishes it).")
        self.refresh_bindings()

    def action_close(self) -> None:
        if self._busy():
            self.notify("a step is running: wait for it to end", severity="warning", markup=False)
            return
        plan = self.plan
        if self.running is None and plan is not None and plan.scratch is not None:  # sync's copy, unused
            shutil.rmtree(plan.scratch, ignore_errors=True)
        self.dismiss(self.ended)
