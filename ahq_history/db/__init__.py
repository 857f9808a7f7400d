"""The database, read-only: which one the tool can name (or why none), its `alembic_version` read with
SQLAlchemy under a short timeout, compared with this checkout, joined with where git keeps a revision the
checkout lacks, the post-checkout warning, and the one renderer that shows a database URL with its secrets
masked. Imports `core`, `config`, `git` and SQLAlchemy (inside functions); never Alembic, Textual or rich.
"""
