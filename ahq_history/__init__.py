"""ahq-history: a multi-developer head-merge and history manager for Alembic.

Its subpackages are layers, each importing only those below it; docs/ARCHITECTURE.md is their map.
"""

__version__ = "0.1.0"
