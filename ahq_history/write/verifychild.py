"""The child process of `ahq-history verify`: Alembic's own command line (or the project's `flask db`),
run with the user's `env.py`, watched from inside.

Run as `python -m ahq_history.write.verifychild alembic|flask ARGS...`. Before handing over to Alembic (or
Flask, whose `db` commands call Alembic in this process) it wraps two of Alembic's functions:

- `EnvironmentContext.configure`: the connection env.py passes is asked for the marker table that the
  parent created in the scratch database (`AHQ_VERIFY_MARKER`, holding `AHQ_VERIFY_TOKEN`). Any other
  connection, or none (offline mode), ends the process at once (exit REFUSED) before a revision runs, so an
  env.py that ignores the URL it is given never changes the database it opened.
- each revision step's `upgrade()`/`downgrade()`: a JSON line is written to `AHQ_VERIFY_EVENTS` before and
  after it, and Alembic's error when it raises, so the parent knows exactly which revision failed. A step
  that would run before the proof is refused too.

`AHQ_VERIFY_URL` is set as the configuration's `sqlalchemy.url` (what the generic env.py reads); the parent
also sets `DATABASE_URL` for env.py files and applications that read the environment. Standard library and
Alembic only: this is the user's environment, not ours.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from typing import Any, NoReturn

REFUSED = 86  # the exit status that means: the connection was not the scratch database
MARKER = "ahq_verify_marker"
_proven: list[bool] = []


def emit(event: str, **fields: Any) -> None:
    """One JSON line in the events file (appended and flushed: the parent reads it after we exit)."""
    with open(os.environ["AHQ_VERIFY_EVENTS"], "a", encoding="utf-8") as out:
        out.write(json.dumps({"event": event, **fields}) + "\n")


def refuse(reason: str) -> NoReturn:
    emit("refused", reason=reason)
    os._exit(REFUSED)  # no cleanup code of env.py's may run on that connection


def prove(connection: Any) -> None:
    """Refuse unless `connection` reads the token from the marker table of the scratch database."""
    if connection is None:
        refuse("env.py configured Alembic without a connection (offline mode or a URL), so the database "
               "it would change cannot be checked")
    marker = os.environ.get("AHQ_VERIFY_MARKER", MARKER)
    had_transaction = connection.in_transaction()
    try:
        token = connection.exec_driver_sql(f"SELECT token FROM {marker}").scalar()
    except Exception as error:  # any failure means: not our database
        refuse(f"the connection env.py opened has no {marker} table, so it is not the scratch database "
               f"({type(error).__name__})")
    if not had_transaction:  # our SELECT began one: end it, so Alembic's own transaction is its own
        connection.rollback()
    if token != os.environ["AHQ_VERIFY_TOKEN"]:
        refuse(f"the connection env.py opened holds another {marker} token: it is not this run's scratch "
               "database")
    _proven.append(True)
    emit("proven")


def _watch_configure() -> None:
    from alembic.runtime.environment import EnvironmentContext

    original = EnvironmentContext.configure

    def configure(self: Any, *args: Any, **kwargs: Any) -> Any:
        prove(kwargs.get("connection", args[0] if args else None))
        return original(self, *args, **kwargs)

    EnvironmentContext.configure = configure  # type: ignore[method-assign]


def _watch_steps() -> None:
    from alembic.runtime.migration import RevisionStep

    original = RevisionStep.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.migration_fn = _watched(self.migration_fn, self)

    RevisionStep.__init__ = init  # type: ignore[method-assign]


def _watched(function: Any, step: Any) -> Any:
    where = {"revision": step.revision.revision, "direction": "upgrade" if step.is_upgrade else "downgrade",
             "path": step.revision.path}

    def run(**kwargs: Any) -> Any:
        if not _proven:
            refuse("a revision was about to run before the connection was checked")
        emit("start", **where)
        try:
            result = function(**kwargs)
        except BaseException as error:
            emit("failed", error=f"{type(error).__name__}: {error}", **where)
            raise
        emit("done", **where)
        return result

    return run


def _set_url() -> None:
    from alembic.config import CommandLine

    url = os.environ.get("AHQ_VERIFY_URL")
    original = CommandLine.run_cmd

    def run_cmd(self: Any, config: Any, options: Any) -> None:
        if url:
            config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        original(self, config, options)

    CommandLine.run_cmd = run_cmd  # type: ignore[method-assign]


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("alembic", "flask"):
        sys.exit("usage: python -m ahq_history.write.verifychild alembic|flask ARGS...")
    _watch_configure()
    _watch_steps()
    _set_url()
    sys.argv = argv
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
