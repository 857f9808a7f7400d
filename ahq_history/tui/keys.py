"""Keys as a person reads them: the footer puts the app's keys (`q` quit, `?` help) first, so that a narrow
terminal cuts off the screen's keys rather than those two, and the help lists every key a screen answers
to, read from its active bindings so that the list cannot go stale."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from textual.binding import ActiveBinding
from textual.screen import Screen, ScreenResultType

KEY_NAMES = {"slash": "/", "question_mark": "?", "up": "↑", "down": "↓", "left": "←", "right": "→",
             "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End", "escape": "Esc",
             "enter": "Enter", "space": "Space", "tab": "Tab", "shift+tab": "Shift+Tab"}


@runtime_checkable
class ExplainsKeys(Protocol):
    """A screen that can say why one of its actions cannot apply now."""

    def unavailable(self, action: str) -> str | None:
        """Why `action` cannot apply now; None when it can."""
        ...


class KeysFirstScreen(Screen[ScreenResultType]):
    """A screen whose footer shows the app's keys before its own."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        first = {key: b for key, b in bindings.items() if b.node is self.app}
        return first | {key: b for key, b in bindings.items() if key not in first}


def key_name(key: str) -> str:
    """`question_mark` as `?`, `ctrl+q` as `^q` (as the footer writes it)."""
    return KEY_NAMES.get(key) or key.replace("ctrl+", "^")


def help_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """`(keys, what they do)` for every key `screen` answers to now: the app's, the screen's, then the
    focused widget's, keys of one action together; a disabled one says why when the screen can tell."""
    grouped: dict[tuple[str, str], list[str]] = {}
    enabled: dict[tuple[str, str], bool] = {}
    for key, (_node, binding, on, _tooltip) in sorted(screen.active_bindings.items(),
                                                     key=lambda item: _rank(screen, item[1].node)):
        if binding.description and not binding.system:
            what = (binding.action, binding.description)
            grouped.setdefault(what, []).append(key)
            enabled[what] = enabled.get(what, False) or on
    keys = []
    for (action, description), names in grouped.items():
        reason = screen.unavailable(action) if isinstance(screen, ExplainsKeys) else None
        words = f"{description} (not now: {reason})" if reason and not enabled[(action, description)] \
            else description
        plain_first = sorted(names, key=lambda key: "+" in key)  # `q ^q`, not `^q q`
        keys.append((" ".join(key_name(key) for key in plain_first), words))
    return keys


def _rank(screen: Screen[Any], node: object) -> int:
    return 0 if node is screen.app else 1 if node is screen else 2
