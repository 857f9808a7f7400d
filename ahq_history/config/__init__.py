"""Find and read the Alembic layout without importing Alembic: `alembic.ini`, Flask-Migrate's
`migrations/alembic.ini`, `[tool.alembic]` and our own `[tool.ahq-history]` in pyproject.toml; which files
of the work tree are revisions (their text is read by `core.source`); and `loading`, the one way from a
project to its graph. Imports `core` and the standard library only: no git, Alembic (importing it costs
0.4 s), SQLAlchemy, Textual or rich.
"""
