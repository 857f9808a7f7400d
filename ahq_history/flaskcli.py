"""`flask ahq ...`: the ahq-history commands inside a Flask app, with what the app knows.

Flask loads this module (the `flask.commands` entry point) for every `flask` command, `flask db upgrade`
included, so when it loads it imports click alone; Flask, the app and the tool are imported only when
`flask ahq` runs. Each command is `ahq-history`'s own (`cli/main.py`'s `main`: same options, output and
exit codes), given what the app context adds unless the words already say it:
- `-c DIR/alembic.ini`, DIR being `Migrate(directory=...)` (`current_app.extensions["migrate"]`);
- `--database-url`, the app's engine URL (Flask-SQLAlchemy's, as `flask db` connects), for `status`,
  `merge-heads` and `tui`, said to come from the Flask app (not from `--database-url`). With
  Flask-Migrate's multi-database template (`flask db init --multidb`) each bind has its own
  `alembic_version`, and `status` reports each one (exit code: the worst of them).
This module sits outside the layers: the one place of the tool that imports Flask.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

DEFAULT_BIND = ""  # the app's SQLALCHEMY_DATABASE_URI, as the multi-database template names it
_READS_DATABASE = ("status", "merge-heads", "tui")
_COMMANDS = {
    "check": "summary of the history: heads, divergences, problems, next step",
    "status": "compare each database's alembic_version with this checkout",
    "merge-heads": "resolve a divergence: merge revision or re-parent local revisions",
    "history": "draw the revision graph as lanes, newest first",
    "tui": "browse the revision graph in the terminal",
    "hooks": "install, uninstall or inspect the git hooks",
}
_PASS_ON = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@dataclass(frozen=True)
class AppFacts:
    """What the running app says: its migrations' ini (None without Flask-Migrate), each engine's URL by
    bind key (DEFAULT_BIND first) and whether the migrations use the multi-database template."""

    config: Path | None
    urls: dict[str, str] = field(default_factory=dict)
    multidb: bool = False


@click.group("ahq", help="ahq-history with the app's database and migrations folder (ahq-history --help).")
def ahq() -> None:
    """The group; each command below hands its words to `ahq-history`."""


def _add(name: str, help_text: str) -> None:
    @ahq.command(name, help=help_text + " (ahq-history " + name + " --help)", context_settings=_PASS_ON,
                 add_help_option=False)
    @click.argument("words", nargs=-1, type=click.UNPROCESSED)
    def command(words: tuple[str, ...]) -> None:
        click.get_current_context().exit(run(name, list(words), app_facts()))


for _name, _help in _COMMANDS.items():
    _add(_name, _help)


def run(name: str, words: list[str], facts: AppFacts) -> int:
    """`ahq-history NAME WORDS`, with the app's facts added where the words leave them out."""
    from ahq_history.cli.main import main

    given = set(words)
    extra: list[str] = []
    if facts.config is not None and not given & {"-c", "--config"}:
        extra += ["-c", str(facts.config)]
    told = "--database-url" in given or any(w.startswith("--database-url=") for w in words)
    if name not in _READS_DATABASE or told or DEFAULT_BIND not in facts.urls:
        return main([name, *extra, *words])
    if name == "status" and facts.multidb and len(facts.urls) > 1:
        return _status_per_bind([*extra, *words], facts.urls)
    with _from_the_app(DEFAULT_BIND):
        return main([name, *extra, "--database-url", facts.urls[DEFAULT_BIND], *words])


def _from_the_app(bind: str) -> contextlib.AbstractContextManager[None]:
    """Within it, the URL passed as --database-url is said to come from the app's setting for `bind`."""
    from ahq_history.db.applied import explicit_source

    setting = f"SQLALCHEMY_BINDS[{bind!r}]" if bind else "SQLALCHEMY_DATABASE_URI"
    return explicit_source(f"the Flask app's {setting}")


def _status_per_bind(words: list[str], urls: dict[str, str]) -> int:
    """`status` for each bind's database, one after the other (or one JSON object holding each)."""
    from ahq_history.cli.main import main

    as_json = "--json" in words
    codes: list[int] = []
    payloads: dict[str, dict[str, Any]] = {}
    for bind, url in urls.items():
        argv = ["status", "--database-url", url, *words]
        if not as_json:
            click.echo(("\n" if codes else "") + f"bind {bind or '(default)'}:")
            with _from_the_app(bind):
                codes.append(main(argv))
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out), _from_the_app(bind):
            codes.append(main(argv))
        payloads[bind] = _without_version(out.getvalue())
    worst = max(codes)
    if as_json:
        from ahq_history.cli.options import json_text

        click.echo(json_text({"binds": payloads, "exit_code": worst}))
    return worst


def _without_version(text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(text)
    payload.pop("schema_version", None)
    return payload


def app_facts() -> AppFacts:
    """The facts of the app `flask` loaded (its context is pushed here when the group has not)."""
    from flask import current_app
    from flask.cli import ScriptInfo

    if not current_app:
        context = click.get_current_context()
        context.with_resource(context.ensure_object(ScriptInfo).load_app().app_context())
    migrate = current_app.extensions.get("migrate")
    directory = Path(migrate.directory) if migrate is not None else None
    database = getattr(migrate, "db", None) or current_app.extensions.get("sqlalchemy")
    config = directory / "alembic.ini" if directory is not None else None
    return AppFacts(config, _engine_urls(database, current_app.config), _is_multidb(directory))


def _engine_urls(database: Any, settings: Any) -> dict[str, str]:
    """Each engine's URL as the engine renders it (Flask-SQLAlchemy makes a relative SQLite path absolute,
    under the instance folder), or the configuration's when there is no engine to ask."""
    engines = getattr(database, "engines", None)
    if engines:
        return {key or DEFAULT_BIND: engine.url.render_as_string(hide_password=False)
                for key, engine in sorted(engines.items(), key=lambda item: item[0] or "")}
    uri = settings.get("SQLALCHEMY_DATABASE_URI")
    return {DEFAULT_BIND: str(uri)} if uri else {}


def _is_multidb(directory: Path | None) -> bool:
    """Whether env.py is Flask-Migrate's multi-database template (read as text, never run)."""
    if directory is None:
        return False
    try:
        return "bind_names" in (directory / "env.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
