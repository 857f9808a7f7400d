"""The main screen: divergence banner, the graph, the detail pane, search and status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Input, Static

from ahq_history.core.display import clean
from ahq_history.report.dbplan import Kind
from ahq_history.tui.host import Host, host
from ahq_history.tui.keys import KeysFirstScreen
from ahq_history.tui.messages import (
    BranchesLoaded,
    DatabaseLoaded,
    DetailReady,
    FilesChanged,
    GitLoaded,
    HistoryLoaded,
)
from ahq_history.tui.screens.dbplan import PickBranch, PlanScreen
from ahq_history.tui.screens.dialogs import MessageDialog, PickRevision
from ahq_history.tui.state import (
    FILTERS,
    Filter,
    History,
    banner_lines,
    filter_unavailable_reason,
    find,
    merge_unavailable,
    problem_line,
)
from ahq_history.tui.widgets.detail import DetailPane, from_link_token
from ahq_history.tui.widgets.graph_view import GraphView

if TYPE_CHECKING:
    from textual.timer import Timer

    from ahq_history.tui.screens.merge import Written

DETAIL_DELAY = 0.06  # seconds the cursor rests before the detail pane follows it


class MainScreen(KeysFirstScreen[None]):
    """Browse the history; `m` and `r` open the merge builder and the re-parent screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "merge", "Merge heads"),
        Binding("r", "reparent", "Re-parent"),
        Binding("slash", "search", "Search"),
        Binding("n", "search_next", "Next match", show=False),
        Binding("N", "search_previous", "Previous match", show=False),
        Binding("f", "cycle_filter", "Filter"),
        Binding("H", "next_head", "Next head"),
        Binding("p", "jump('parents')", "Parent", show=False),
        Binding("c", "jump('children')", "Child", show=False),
        Binding("d", "toggle_detail", "Detail", show=False),
        Binding("R", "reload", "Reload"),
        Binding("s", "switch", "Switch branch"),
        Binding("S", "sync", "Sync database", show=False),
        Binding("escape", "clear", "Clear search and filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.history: History | None = None
        self.filter: Filter = "all"
        self.needle = ""
        self._head_turn = -1
        self._select_next_load: str | None = None  # a revision just written: show it once reloaded
        self._detail_timer: Timer | None = None

    @property
    def ahq(self) -> Host:
        return host(self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="banner", markup=False)
        with Horizontal(id="body"):
            yield GraphView(id="graph")
            yield DetailPane(id="detail")
        yield Input(placeholder="search id, message or author; Enter finds, Escape closes", id="search")
        yield Static("loading…", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        search = self.query_one("#search", Input)
        search.display = False
        search.cursor_blink = self.ahq.cursor_blink
        self.query_one(GraphView).focus()
        self.ahq.start_load(self)

    @property
    def graph_view(self) -> GraphView:
        return self.query_one(GraphView)

    # -- facts arrive ---------------------------------------------------------------------------

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        keep = self._select_next_load or (self.graph_view.selected if message.reloaded else None)
        self._select_next_load = None
        old = self.history
        self.history = message.history
        if old is not None and message.reloaded:  # keep what git and the database said until they re-answer
            self.history = self.history.with_git(old.git, old.git_note).with_database(
                old.applied, old.database_note, old.database_at)
        self._show_rows(keep)
        self._update_banner()
        if self.history.errors:
            self.show_broken(self.history)
        self.refresh_bindings()  # `m` and `r` apply only to a divergence in a whole graph
        self.ahq.after_load(self, self.history)

    def on_git_loaded(self, message: GitLoaded) -> None:
        if self.history is not None:
            self.history = self.history.with_git(message.git, message.note)
            self.graph_view.refresh_facts(self.history)
            self._update_banner()
            self._update_status()
            self._request_detail(self.graph_view.selected)

    def on_database_loaded(self, message: DatabaseLoaded) -> None:
        if self.history is not None:
            self.history = self.history.with_database(message.applied, message.note, message.at)
            self.graph_view.refresh_facts(self.history)
            self._update_status()
            self._request_detail(self.graph_view.selected)  # its `[db]` line

    def on_files_changed(self, _message: FilesChanged) -> None:
        self.action_reload()

    def _changed(self, written: Written | None) -> None:
        """What the merge builder or the re-parent screen returns: what it wrote, or None (cancelled)."""
        if written is None:
            return
        next_step = f"\nNext: {written.next_step}" if written.next_step else ""
        next_step += f"\nVerify: {written.verify}" if written.verify else ""
        self.notify(clean(written.summary + next_step, multiline=True), title="Written", timeout=8,
                    markup=False)
        self._select_next_load = written.revision
        self.action_reload()

    def _show_rows(self, select: str | None) -> None:
        from ahq_history.tui.state import view_rows

        assert self.history is not None
        rows = view_rows(self.history, self.filter)
        if rows is None:
            reason = filter_unavailable_reason(self.history, self.filter)
            self.notify(clean(f"filter '{self.filter}' unavailable: {reason}"), severity="warning",
                        markup=False)
            self.filter = "all"
            rows = self.history.rows
        self.graph_view.show(self.history, rows, select)
        if not rows:
            self.query_one(DetailPane).clear("no revision to show")
        self._update_status()

    def _update_banner(self) -> None:
        banner = self.query_one("#banner", Static)
        assert self.history is not None
        lines = banner_lines(self.history)
        banner.display = bool(lines)
        if lines:
            banner.update("\n".join(lines))

    def _update_status(self) -> None:
        if self.history is None:
            return
        graph = self.history.graph
        heads = f"{len(graph.heads)} head{'s' if len(graph.heads) != 1 else ''}"
        if len(graph.heads) == 1:
            heads += " (nothing to merge)"
        parts = [f"{len(graph)} revisions", heads, f"filter: {self.filter}"]
        if name := self.ahq.project_name(self.history.loaded.project.config_path):
            parts.insert(0, f"project: {name}")
        if self.needle:
            parts.append(f"search: {self.needle}")
        if self.history.errors:
            parts.append(f"BROKEN: {len(self.history.errors)} problem(s)")
        for note in (self.history.git_note, self.history.database_note):
            if note:
                parts.append(note)
        self.query_one("#status", Static).update(clean("  ·  ".join(parts)))

    # -- selection and detail -------------------------------------------------------------------

    @on(GraphView.Selected)
    def _selected(self, message: GraphView.Selected) -> None:
        # While a key is held the cursor moves every few milliseconds: show the detail once it rests.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, lambda: self._request_detail(message.revision))

    def _request_detail(self, revision: str | None) -> None:
        if revision is not None and self.history is not None and self.query_one(DetailPane).display:
            self.ahq.start_detail(self, self.history, revision)

    def on_detail_ready(self, message: DetailReady) -> None:
        if self.history is not None and message.detail.revision.id == self.graph_view.selected:
            here = message.detail.revision.id in self.history.database_at
            self.query_one(DetailPane).show(message.detail, self.history.graph, database_here=here)

    def action_jump(self, what: str) -> None:
        """`p`/`c`: go to the parent or child; a picker when there are several."""
        if self.history is None or self.graph_view.selected is None:
            return
        graph = self.history.graph
        rid = self.graph_view.selected
        named = what if what in graph else from_link_token(what)
        if named in graph:  # a link in the detail pane names the revision itself
            self._go(named)
            return
        found = graph.parents(rid) if what == "parents" else graph.children(rid)
        if not found:
            self.notify(clean(f"{rid[:12]} has no {what}"), severity="warning", markup=False)
        elif len(found) == 1:
            self._go(found[0])
        else:
            choices = [(r, graph.revisions[r].message) for r in found]
            self.app.push_screen(PickRevision(f"Go to which of its {what}?", choices),
                                 lambda chosen: self._go(chosen) if chosen else None)

    def _go(self, revision: str) -> None:
        if not self.graph_view.select(revision):
            self.filter = "all"
            self._show_rows(revision)

    def action_next_head(self) -> None:
        if self.history is None or not self.history.graph.heads:
            return
        heads = self.history.graph.heads
        self._head_turn = (self._head_turn + 1) % len(heads)
        self._go(heads[self._head_turn])

    def action_toggle_detail(self) -> None:
        pane = self.query_one(DetailPane)
        pane.display = not pane.display
        self._request_detail(self.graph_view.selected)

    # -- search and filters ---------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.value = self.needle
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, message: Input.Submitted) -> None:
        self.needle = message.value.strip()
        message.input.display = False
        self.graph_view.focus()
        self._find(1, from_cursor=True)
        self._update_status()

    def action_search_next(self) -> None:
        self._find(1)

    def action_search_previous(self) -> None:
        self._find(-1)

    def _find(self, step: int, *, from_cursor: bool = False) -> None:
        view = self.graph_view
        if self.history is None or not self.needle or not view.rows:
            return
        start = view.cursor - 1 if from_cursor and step > 0 else view.cursor
        index = find(self.history, view.rows, self.needle, start, step)
        if index is None:
            self.notify(clean(f"no revision matches '{self.needle}'"), severity="warning", markup=False)
        else:
            view.cursor = index

    def action_cycle_filter(self) -> None:
        if self.history is None:
            return
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._show_rows(self.graph_view.selected)

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.display = False
            self.graph_view.focus()
            return
        self.needle = ""
        if self.filter != "all":
            self.filter = "all"
            self._show_rows(self.graph_view.selected)
        self._update_status()

    # -- actions on the history -----------------------------------------------------------------

    def action_reload(self) -> None:
        self.ahq.start_load(self, reloaded=True)

    def unavailable(self, action: str) -> str | None:
        """Why `m` or `r` cannot apply now (the footer dims them, the help says why); None when they can."""
        if action not in ("merge", "reparent"):
            return None
        return merge_unavailable(self.history)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.unavailable(action) else True

    def action_merge(self) -> None:
        from ahq_history.tui.screens.merge import MergeScreen

        if self.history is None or self._cannot("merge"):
            return
        divergences = self.history.graph.divergences
        selected = self.graph_view.selected
        chosen = next((d for d in divergences if selected in d.heads), divergences[0])
        self.app.push_screen(MergeScreen(self.history, chosen.heads, all_divergences=len(divergences) == 1),
                             self._changed)

    def action_reparent(self) -> None:
        from ahq_history.tui.screens.reparent import ReparentScreen

        if self.history is None or self._cannot("reparent"):
            return
        selected = self.graph_view.selected
        named = (selected,) if selected in self.history.diverged_heads else ()
        self.app.push_screen(ReparentScreen(self.history, named), self._changed)

    def action_switch(self) -> None:
        """`s`: pick a local branch, then the plan of `switch BRANCH` (nothing runs before its `y`)."""
        if self.history is None:
            return
        root = self.history.loaded.project.root

        def work() -> None:
            from ahq_history.report.dbplan import local_branches

            self.post_message(BranchesLoaded(*local_branches(root)))

        self.ahq.background(work, "branches")

    def on_branches_loaded(self, message: BranchesLoaded) -> None:
        if self.history is None:
            return
        if not [name for name in message.branches if name != message.current]:
            self.notify("no other local branch to switch to", severity="warning", markup=False)
            return
        self.app.push_screen(PickBranch(message.branches, message.current),
                             lambda branch: self._plan("switch", branch) if branch else None)

    def action_sync(self) -> None:
        """`S`: the plan of `sync` (the database is at a revision this checkout lacks)."""
        self._plan("sync", None)

    def _plan(self, kind: Kind, branch: str | None) -> None:
        if self.history is not None:
            self.app.push_screen(PlanScreen(self.history.loaded, kind, branch), self._ran)

    def _ran(self, ended: str | None) -> None:
        """What the plan screen returns: how the run ended (None: nothing ran). The checkout and the
        database may have changed: look again."""
        if ended is None:
            return
        self.notify(clean(ended), title="switch / sync", timeout=8, markup=False)
        self.action_reload()

    def _cannot(self, action: str) -> bool:
        """An action run while its key is disabled (from code): say why (True), as the help does."""
        reason = self.unavailable(action)
        if reason:
            self.notify(reason, severity="warning", markup=False)
        return reason is not None

    def show_broken(self, history: History) -> None:
        errors = history.errors
        self.app.push_screen(MessageDialog(
            "The revision graph is broken", f"{len(errors)} problem(s); what can be drawn is shown.",
            [problem_line(p) for p in errors], hint="fix the files named here, then press R to reload",
            kind="broken"))
