"""ahq-history: a multi-developer head-merge and history manager for Alembic."""

__version__ = "0.1.0"
