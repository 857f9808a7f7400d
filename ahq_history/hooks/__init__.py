"""The git hooks: where git runs them from, our script, installing it beside a hook that was already there
(chained, restored on uninstall), and what `check --hook NAME` does (a warning, and exit 0 whatever happens).
Imports the layers below (`report`, `write`, `db`, `git`, `config`, `core`); never Textual.
"""
