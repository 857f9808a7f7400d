"""Small modal screens: an error or broken-graph dialog, a picker for jumps, and the help."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, Vertical, VerticalGroup, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from ahq_history.core.display import clean


class MessageDialog(ModalScreen[None]):
    """A titled message with details; Enter or Escape closes it. Used for every error the TUI shows, so
    the texts (errors quote paths, ids and database messages) are cleaned of escapes here, and shown
    without markup."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close"),
    ]

    def __init__(self, title: str, message: str, details: Sequence[str] = (), hint: str | None = None,
                 *, kind: str = "error") -> None:
        super().__init__(classes=kind)
        self.title_text = clean(title)
        self.message = clean(message, multiline=True)
        self.details = [clean(detail) for detail in details]
        self.hint = clean(hint, multiline=True) if hint else None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title", markup=False)
            yield Static(self.message, id="dialog-message", markup=False)
            if self.details:
                with VerticalScroll(id="dialog-details"):
                    yield Static("\n".join(self.details), markup=False)
            if self.hint:
                yield Static(f"hint: {self.hint}", id="dialog-hint", markup=False)
            yield Button("OK", id="dialog-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class PickOne(ModalScreen[str | None]):
    """A list to choose one entry from: Enter dismisses with the entry's id, Escape with None. Subclasses
    compose the list (id `pick-list`) with their own title."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickRevision(PickOne):
    """Choose one of several revisions (a merge's parents, a branch point's children)."""

    def __init__(self, title: str, choices: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = clean(title)
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-title", markup=False)
            options = (Option(clean(f"{rid[:12]}  {message}"), id=rid) for rid, message in self.choices)
            yield OptionList(*options, id="pick-list", markup=False)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below it, read from its bindings so the list cannot go stale, and what
    the marks on its lines mean (`legend`)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: Sequence[tuple[str, str]], legend: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.keys = list(keys)
        self.legend = list(legend)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            with VerticalScroll(id="dialog-details"), HorizontalGroup(id="help-columns"):
                with VerticalGroup(classes="help-column"):
                    yield Static("Keys", classes="help-heading")
                    yield Static(_columns(self.keys), id="help-keys", markup=False)
                if self.legend:
                    with VerticalGroup(classes="help-column"):
                        yield Static("Marks on a line", classes="help-heading")
                        yield Static(_columns(self.legend), id="help-legend", markup=False)
            yield Static("Escape closes this help.", id="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


def _columns(pairs: Sequence[tuple[str, str]]) -> str:
    """`name  words` lines, the words lined up."""
    width = max((len(name) for name, _ in pairs), default=0)
    return "\n".join(f"{name:<{width}}  {words}" for name, words in pairs)
