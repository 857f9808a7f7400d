"""Alembic projects for the write tests and `merge-heads`, made as a developer makes them: `alembic init`
run in the project folder, revisions with real tables (so that a round trip means something), and Alembic's
own answers to compare with. `write` applies our plan to such a project."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

from ahq_history.config.loading import load
from ahq_history.core.plan import make_plan
from ahq_history.write.transaction import apply_plan


def alembic_init(root: Path, template: str = "generic") -> Path:
    """`alembic init [--template T] migrations` in `root`."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        toml = "pyproject.toml" if template == "pyproject" else None
        command.init(Config("alembic.ini", toml_file=toml), "migrations", template=template)
    return root


def set_option(root: Path, line: str) -> None:
    """Put `name = value` at the top of alembic.ini's [alembic] section (replacing an active one)."""
    ini = root / "alembic.ini"
    name = line.split("=")[0].strip()
    text = re.sub(rf"(?m)^{re.escape(name)}\s*=.*\n", "", ini.read_text())
    ini.write_text(text.replace("[alembic]\n", f"[alembic]\n{line}\n", 1))


def python_write_hook(root: Path, name: str, code: str) -> None:
    """A `post_write_hooks` entry in alembic.ini: `python -c CODE` on every revision file Alembic writes."""
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[post_write_hooks]\n", (
        f"[post_write_hooks]\nhooks = {name}\n{name}.type = exec\n{name}.executable = {sys.executable}\n"
        f'{name}.options = -c "{code}" REVISION_SCRIPT_FILENAME\n')))


def config_for(root: Path) -> object:
    from alembic.config import Config

    toml = root / "pyproject.toml"
    return Config(str(root / "alembic.ini"), toml_file=str(toml) if toml.exists() else None,
                  stdout=io.StringIO())


def new_revision(root: Path, message: str, rev_id: str, head: str = "head", *, splice: bool = False,
                 version_path: Path | None = None, table: str | None = None,
                 branch_label: str | None = None) -> Path:
    """`alembic revision -m MESSAGE --rev-id ID --head HEAD`, with a real create_table when `table`."""
    from alembic import command

    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        script = command.revision(config_for(root), message=message, rev_id=rev_id, head=head,  # type: ignore[arg-type]
                                  splice=splice, version_path=str(version_path) if version_path else None,
                                  branch_label=branch_label)
    assert script is not None and not isinstance(script, list)
    path = Path(script.path)
    if table:
        create_table(path, table)
    return path


def create_table(path: Path, table: str) -> None:
    """Fill `upgrade()` / `downgrade()` with a real table, so that a round trip means something."""
    text = path.read_text()
    up, down = text.split("def downgrade")
    up = up[: up.rindex("pass")] + (
        f"op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True), "
        f"sa.Column('name', sa.String(50)))" + up[up.rindex("pass") + 4:])
    down = down.replace("pass", f"op.drop_table('{table}')", 1)
    path.write_text(up + "def downgrade" + down)


def add_column(path: Path, table: str, column: str) -> None:
    """Fill `upgrade()` / `downgrade()` with a real added column (two sides doing this conflict)."""
    text = path.read_text()
    up, down = text.split("def downgrade")
    up = up[: up.rindex("pass")] + (
        f"op.add_column('{table}', sa.Column('{column}', sa.String(32)))" + up[up.rindex("pass") + 4:])
    down = down.replace("pass", f"op.drop_column('{table}', '{column}')", 1)
    path.write_text(up + "def downgrade" + down)


def alembic_heads(root: Path) -> list[str]:
    """Heads as Alembic's own ScriptDirectory reads them (it executes every file)."""
    from alembic.script import ScriptDirectory

    with contextlib.chdir(root):
        return sorted(ScriptDirectory.from_config(config_for(root)).get_heads())  # type: ignore[arg-type]


def round_trip(root: Path, url: str) -> list[str]:
    """`upgrade head`, `downgrade base`, `upgrade head` on `url`; returns the tables at the end."""
    import sqlalchemy as sa
    from alembic import command

    config = config_for(root)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # type: ignore[attr-defined]
    with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
        command.upgrade(config, "head")  # type: ignore[arg-type]
        command.downgrade(config, "base")  # type: ignore[arg-type]
        command.upgrade(config, "head")  # type: ignore[arg-type]
    engine = sa.create_engine(url)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the work tree under `root` (folders as `<dir>`), to compare before and after.
    `.git/` is left out: the tool keeps its git cache there, outside the work tree."""
    found: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if key.split("/")[0] == ".git":
            continue
        found[key] = path.read_bytes() if path.is_file() else b"<dir>"
    return found


def forked(root: Path) -> Path:
    """An alembic.ini project: base, then Alice's and Bob's revisions on it (real tables)."""
    alembic_init(root)
    new_revision(root, "create users", "a0000000base", table="users")
    new_revision(root, "add audit log", "b00000000bob", table="audit_log")
    new_revision(root, "add phones", "a000000alice", head="a0000000base", splice=True, table="phones")
    return root


def write(root: Path, **options: object) -> list:  # type: ignore[type-arg]
    loaded = load(root / "alembic.ini")
    return apply_plan(loaded.project, loaded.graph, make_plan(loaded.graph), **options)  # type: ignore[arg-type]


THREE_SIDES = ("b00000000bob", "c00000carol", "d000000dave")


def three_sides(root: Path) -> Path:
    """`forked`, plus Carol's and Dave's sides on the base, with `recursive_version_locations` and Dave's
    file in a dot folder below the version folder (Alembic loads it there): `merge-heads --rebase` of
    THREE_SIDES moves them onto Alice's head, rewriting three files."""
    forked(root)
    set_option(root, "recursive_version_locations = true")
    new_revision(root, "add carts", "c00000carol", head="a0000000base", splice=True)
    dave = new_revision(root, "add invoices", "d000000dave", head="a0000000base", splice=True)
    hidden = dave.parent / ".archive"
    hidden.mkdir()
    dave.rename(hidden / dave.name)
    return root
