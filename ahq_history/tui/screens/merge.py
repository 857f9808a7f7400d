"""The merge builder (`m`): heads to join, the message, conflicts between the sides, the file to write. The
preview is Alembic's own rendering of the merge revision (a dry run of `merge-heads`); Enter writes that very
file, byte for byte, through `write.transaction.apply_plan`, and the screen returns what it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, SelectionList, Static

from ahq_history.core.display import clean, clean_lines
from ahq_history.core.plan import RebaseStep
from ahq_history.core.shell import FROM_REPOSITORY, command_chain, command_line
from ahq_history.tui import actions
from ahq_history.tui.actions import Proposal
from ahq_history.tui.host import Host, host
from ahq_history.tui.keys import KeysFirstScreen
from ahq_history.tui.state import History

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.write.files import Written as WrittenFile


@dataclass
class Proposed(Message):
    proposal: Proposal
    heads: tuple[str, ...]
    message: str | None


@dataclass(frozen=True)
class Written:
    """What a change screen returns when it wrote: `summary` says what, for a notification."""

    summary: str
    revision: str | None  # the merge revision written, or the new head after re-parenting
    next_step: str | None = None  # what to run now: `git add` (and commit), then the upgrade
    verify: str | None = None  # after a merge: the command that proves it on a scratch database


class ChangeScreen(KeysFirstScreen[Written | None]):
    """Shared by the merge builder and the re-parent screen: propose in a worker, preview, write on Enter;
    dismissed with what was written (None when cancelled), for the screen that opened it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "write", "Write it", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history
        self._proposal: Proposal | None = None
        self.nothing_asked = False  # nothing to propose (the merge builder with fewer than two heads)

    @property
    def proposal(self) -> Proposal | None:
        return self._proposal

    @proposal.setter
    def proposal(self, proposal: Proposal | None) -> None:
        self._proposal = proposal
        self.refresh_bindings()  # the footer offers Enter only when there is something to write

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`write` is hidden when there is nothing to write (refused, empty, or nothing asked); while
        the preview is prepared it stays, and Enter says so."""
        if action != "write":
            return True
        if self.proposal is None:
            return not self.nothing_asked
        return not self.refusal_reasons() and bool(self.proposal.plan.steps)

    @property
    def ahq(self) -> Host:
        return host(self.app)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(".change-status", Static)
        status.set_class(error, "error")
        status.update(text)

    def refusal_reasons(self) -> list[str]:
        return self.proposal.refusals if self.proposal else []

    def action_write(self) -> None:
        proposal = self.proposal
        if proposal is None:
            if not self.nothing_asked:  # else the status already says what is missing
                self.set_status("still preparing the preview…")
            return
        if self.refusal_reasons():
            self.set_status("refused: nothing can be written (see the reasons above)", error=True)
            return
        if not proposal.plan.steps:
            self.set_status("nothing to write")
            return
        self.set_status("writing…")
        self._write(proposal)

    def _write(self, proposal: Proposal) -> None:
        loaded = self.history.loaded

        def work() -> None:
            written = actions.write(loaded, proposal)
            summary = "; ".join(f"{w.kind} {w.revision[:12]}: {w.relpath}" for w in written)
            project = loaded.project
            marked = f"  {FROM_REPOSITORY}" if project.upgrade_from_repository else ""
            after = actions.after_write(loaded, proposal.plan, written)  # what changed, what to run
            summary = "\n".join([summary, *after.words])
            result = Written(summary, new_head(proposal, written), command_chain(*after.steps) + marked,
                             verify_line(loaded, proposal))
            self.app.call_from_thread(self.dismiss, result)

        self.ahq.background(work, "write")


def verify_line(loaded: Loaded, proposal: Proposal) -> str | None:
    """After a merge, what `merge-heads` offers too: `ahq-history verify` (with `--scratch-server URL` for
    a server database); None after a re-parent."""
    from ahq_history.write.flow import verify_offer

    if proposal.plan.mode != "merge":
        return None
    return command_line(verify_offer(loaded))


class HeadList(SelectionList[str]):
    """The heads to merge: Space toggles one; Enter is the screen's (write), so it never toggles one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "screen.write", "Write it", show=False)]


class MergeScreen(ChangeScreen):
    """Pick the heads (the divergence's are selected), edit the message, read the preview, Enter."""

    def __init__(self, history: History, heads: Sequence[str], *, all_divergences: bool = True) -> None:
        super().__init__(history)
        self.default_heads = tuple(heads)
        self.all_divergences = all_divergences  # the heads are the one divergence: plan as `merge-heads`
        self.rev_id = actions.new_rev_id()
        self._typed_message: str | None = None

    def compose(self) -> ComposeResult:
        graph = self.history.graph
        yield Static("Merge heads", classes="change-title")
        with Horizontal(classes="change-body"):
            with Vertical(classes="change-side"):
                yield Static("Heads to merge (space toggles)", classes="change-label")
                yield HeadList(  # Content: the prompts are plain text, never markup
                    *((Content(clean(f"{h[:12]} {graph.revisions[h].message}")), h, h in self.default_heads)
                      for h in graph.heads), id="merge-heads")
                yield Static("Message (Tab; empty keeps the default)", classes="change-label")
                yield Input(id="merge-message", placeholder="the default message")
                yield Static(id="merge-conflicts", classes="change-conflicts")
                yield Static(id="merge-notes", classes="change-notes", markup=False)
            with VerticalScroll(classes="change-preview"):
                yield Static("preparing the preview…", id="merge-preview")
        yield Static("", classes="change-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#merge-message", Input).cursor_blink = self.ahq.cursor_blink
        self.query_one("#merge-heads", SelectionList).focus()  # Space toggles a head, never types
        self._propose()

    def _message(self) -> str | None:
        """What the user typed, or None for the default message."""
        return (self._typed_message or "").strip() or None

    def _selected_heads(self) -> tuple[str, ...]:
        return tuple(self.query_one("#merge-heads", SelectionList).selected)

    def _propose(self) -> None:
        heads = self._selected_heads()
        self.nothing_asked = len(heads) < 2
        if self.nothing_asked:
            self.proposal = None
            self.set_status("select at least two heads to merge", error=True)
            for part in ("#merge-conflicts", "#merge-notes"):  # what they said was about other heads
                self.query_one(part, Static).update("")
            self.query_one("#merge-preview", Static).update(Text("nothing to merge", style="dim"))
            return
        as_default = self.all_divergences and set(heads) == set(self.default_heads)
        named: tuple[str, ...] = () if as_default else heads
        message = self._message()
        loaded, rev_id = self.history.loaded, self.rev_id
        self.proposal = None

        def work() -> None:
            proposal = actions.propose_merge(loaded, named, message, rev_id)
            self.post_message(Proposed(proposal, heads, message))

        self.set_status("preparing the preview…")
        self.ahq.background(work, "propose")

    def on_proposed(self, message: Proposed) -> None:
        if message.heads != self._selected_heads() or message.message != self._message():
            return  # the user changed something meanwhile; a newer proposal is on its way
        self.proposal = message.proposal
        step = next(iter(message.proposal.plan.steps), None)
        if step is not None and getattr(step, "message", None):  # what an empty message writes
            self.query_one("#merge-message", Input).placeholder = clean(step.message)  # type: ignore[union-attr]
        self.query_one("#merge-conflicts", Static).update(conflicts_text(message.proposal))
        self.query_one("#merge-notes", Static).update(clean_lines(message.proposal.notes))
        self.query_one("#merge-preview", Static).update(preview_renderable(message.proposal))
        if message.proposal.refusals:  # conflicting sides among them: the TUI never writes across one
            self.set_status("refused: nothing will be written (the reason is above) · Escape goes back",
                            error=True)
        else:
            self.set_status("Enter writes this file · Escape cancels" if step else "nothing to merge")

    def on_selection_list_selected_changed(self) -> None:
        self._propose()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._typed_message = event.value
        self.proposal = None
        self.set_timer(0.4, self._propose_if_still(event.value))

    def _propose_if_still(self, value: str):  # type: ignore[no-untyped-def]
        def check() -> None:
            if self._typed_message == value:
                self._propose()
        return check

    def on_input_submitted(self) -> None:
        self.action_write()


def new_head(proposal: Proposal, written: Sequence[WrittenFile]) -> str | None:
    """The revision to show after writing: the merge revision, or the head the re-parenting left."""
    for step in proposal.plan.steps:
        if isinstance(step, RebaseStep):
            return step.new_head
    return next((w.revision for w in written), None)


def conflicts_text(proposal: Proposal) -> Text:
    if not proposal.conflicts:
        return Text("No conflicts between the sides' operations.", style="green")
    text = Text(f"{len(proposal.conflicts)} conflict(s) between the sides:\n", style="bold red")
    for conflict in proposal.conflicts:
        text.append(f"• {clean(conflict.message)}\n")
    return text


def preview_renderable(proposal: Proposal) -> RenderableType:
    """The merge file (Python) or the re-parent diffs, highlighted; refusals instead when refused."""
    parts: list[RenderableType] = []
    for reason in proposal.refusals:
        parts.append(Text(clean(f"refused: {reason}"), style="bold red"))
    for item in proposal.preview:
        parts.append(Text(clean(item.relpath), style="bold"))
        code, lexer = (item.diff, "diff") if item.diff else (item.text, "python")
        parts.append(Syntax(clean(code or "", multiline=True), lexer, theme="ansi_dark",
                            background_color="default", line_numbers=lexer == "python", word_wrap=False))
    if not parts:
        parts.append(Text("nothing to write", style="dim"))
    return Group(*parts)
