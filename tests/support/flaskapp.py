"""A Flask-Migrate project made by `flask db` itself, run as a subprocess in the app's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitcli import bare_origin_and_clones, commit_all, git
from tests.support.mergeproject import create_table

FLASK_APP = """\
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///app.db"
db = SQLAlchemy(app)
migrate = Migrate(app, db)
"""


MULTIDB_APP = """\
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///main.db"
app.config["SQLALCHEMY_BINDS"] = {"audit": "sqlite:///audit.db"}
db = SQLAlchemy(app)
migrate = Migrate(app, db, directory="db_migrations")
"""


def run_flask(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`flask ARGS` in `root` (FLASK_APP=app.py unless `env` says otherwise), whatever its exit code."""
    full = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full = {**full, "FLASK_APP": "app.py", **(env or {})}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=root, env=full, capture_output=True,
                          text=True)


def flask(root: Path, *args: str) -> str:
    done = run_flask(root, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def flask_multidb(root: Path) -> Path:
    """`flask db init --multidb` in an app with a default database and an `audit` bind, migrations in
    `db_migrations/` (Migrate(directory=...)); both upgraded to m0000000base, then the default one to
    m00000second while the audit database is put back at m0000000base (Alembic wrote both files)."""
    root.mkdir()
    (root / "app.py").write_text(MULTIDB_APP)
    flask(root, "db", "init", "--multidb")
    flask(root, "db", "revision", "-m", "create users", "--rev-id", "m0000000base")
    flask(root, "db", "upgrade")
    audit = root / "instance" / "audit.db"
    at_base = audit.read_bytes()
    flask(root, "db", "revision", "-m", "add audit", "--rev-id", "m00000second")
    flask(root, "db", "upgrade")
    audit.write_bytes(at_base)
    return root


def flask_forked(root: Path) -> Path:
    """`flask db init` in a tiny Flask app at `root`, then a base and two revisions on it (real tables)."""
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP)
    flask(root, "db", "init")
    flask(root, "db", "revision", "-m", "create users", "--rev-id", "f0000000base")
    flask(root, "db", "revision", "-m", "add phones", "--rev-id", "f00000000one")
    flask(root, "db", "revision", "-m", "add audit", "--rev-id", "f00000000two", "--head", "f0000000base",
          "--splice")
    for path in (root / "migrations" / "versions").glob("f*.py"):
        create_table(path, path.name.split("_", 1)[1].removesuffix(".py"))
    return root


def flask_team(tmp: Path) -> tuple[Path, Path]:
    """A Flask-Migrate app (`flask db init`, a base revision creating users) in a bare origin, and Alice's and
    Bob's clones. The database URL is only in the app's config (`sqlite:///app.db`, which Flask-SQLAlchemy
    puts in the instance folder); `migrations/alembic.ini` has none."""
    seed = tmp / "seed"
    seed.mkdir()
    (seed / "app.py").write_text(FLASK_APP)
    (seed / ".gitignore").write_text("__pycache__/\ninstance/\n")
    flask(seed, "db", "init")
    flask(seed, "db", "revision", "-m", "create users", "--rev-id", "f0000000base")
    (base,) = (seed / "migrations" / "versions").glob("f0000000base_*.py")
    create_table(base, "users")
    git(seed, "init", "-q", "-b", "main")
    commit_all(seed, "create users")
    alice, bob = bare_origin_and_clones(tmp, seed)
    return alice, bob
