"""Re-parenting (`r`): move local, unapplied sides on top of the published head, with the diffs first.

The same plan and refusals as `merge-heads --rebase`: a published or applied side, or a divergence whose
publication is unknown, is refused with the reason, and Enter writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static

from ahq_history.core.display import clean, clean_lines
from ahq_history.core.plan import RebaseStep
from ahq_history.tui import actions
from ahq_history.tui.screens.merge import ChangeScreen, Proposed, conflicts_text, preview_renderable
from ahq_history.tui.state import History


class ReparentScreen(ChangeScreen):
    """`named` empty: every divergence as `merge-heads --rebase`; else the sides of those heads move."""

    def __init__(self, history: History, named: Sequence[str] = ()) -> None:
        super().__init__(history)
        self.named = tuple(named)

    def compose(self) -> ComposeResult:
        which = f" {', '.join(h[:12] for h in self.named)}" if self.named else " the local sides"
        yield Static(clean(f"Re-parent{which}"), classes="change-title", markup=False)
        with Vertical(classes="change-body"):
            yield Static("preparing…", id="reparent-plan")
            yield Static(id="reparent-conflicts", classes="change-conflicts")
            yield Static(id="reparent-notes", classes="change-notes", markup=False)
            with VerticalScroll(classes="change-preview"):
                yield Static(id="reparent-preview")
        yield Static("", classes="change-status")
        yield Footer()

    def on_mount(self) -> None:
        loaded, named = self.history.loaded, self.named

        def work() -> None:
            self.post_message(Proposed(actions.propose_reparent(loaded, named), named, None))

        self.set_status("reading git and the database…")
        self.ahq.background(work, "propose")

    def on_proposed(self, message: Proposed) -> None:
        proposal = message.proposal
        self.proposal = proposal
        self.query_one("#reparent-plan", Static).update(plan_text(self.history, proposal.plan.steps))
        self.query_one("#reparent-conflicts", Static).update(conflicts_text(proposal))
        self.query_one("#reparent-notes", Static).update(clean_lines(proposal.notes))
        self.query_one("#reparent-preview", Static).update(preview_renderable(proposal))
        if proposal.refusals:
            self.set_status("refused: nothing will be written · Escape goes back", error=True)
        elif proposal.plan.steps:
            self.set_status("Enter writes these changes · Escape cancels")
        else:
            self.set_status("nothing to re-parent")


def plan_text(history: History, steps: Sequence[object]) -> Text:
    graph = history.graph
    text = Text()
    for step in steps:
        if not isinstance(step, RebaseStep):
            continue
        for move in step.moves:
            text.append(clean(f"move {move.revision[:12]} "), style="bold")
            text.append(clean(f"({graph.revisions[move.revision].message}) from {move.old_parent[:12]} onto "
                              f"{move.new_parent[:12]}"))
            if len(move.chain) > 1:
                text.append(f", with {len(move.chain) - 1} revision(s) above it")
            text.append("\n")
        text.append(clean(f"new head: {step.new_head[:12]}") + "\n")
    return text or Text("nothing will move (the reasons are below)", style="bold")
