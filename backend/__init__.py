"""AutomateHQ backend: the Flask application whose schema history ahq-history manages."""
