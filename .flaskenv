# Read by the flask command (python-dotenv), so that `flask db upgrade` needs no --app.
FLASK_APP=backend.run
