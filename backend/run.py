"""The entry point for `flask --app backend.run ...` (and `flask` alone, through .flaskenv)."""

from __future__ import annotations

from backend.app import create_app

app = create_app()
