"""Everything git says: each git question a small typed function in `repo`, and the facts built from the
answers (the history of the version folders by commit and its cache under `.git/`, who added each revision
and whether it is published, what a hook says after a pull, what merging a ref would leave, where a revision
this checkout lacks lives). Imports `core`, `config` and GitPython (inside functions, so that importing a
module stays cheap); never Alembic, SQLAlchemy, Textual or rich.
"""
