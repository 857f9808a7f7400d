"""The writers: merge revisions rendered by Alembic's own template machinery, re-parenting as a text edit of
two header lines, a plan written whole or not at all (atomic writes, undo on any failure), and the steps from
a loaded history to a plan that the CLI and the TUI share. Imports `core`, `config`, `git`, `db` and Alembic;
never Textual.
"""
