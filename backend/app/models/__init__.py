"""AutomateHQ backend (being built)."""
