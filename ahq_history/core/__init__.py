"""The pure core: revision values, the `RevisionGraph` and every graph question, what a revision file's
`upgrade()` and `downgrade()` do (read from its text with `ast`, never run), where the sides of a divergence
clash, the lint rules, the merge plan, git facts reconciled, the one advisor every face prints, what a
database has applied (or why that is unknown), where env.py connects, errors that carry exit codes, and the
wordings every face shares. Imports the standard library and networkx only (no git, Alembic, SQLAlchemy,
Textual, rich or Mako), so that it is tested with values written inline.
"""
