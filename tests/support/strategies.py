"""Hypothesis strategies shared by the graph tests and the file-level agreement tests, and the hostile
projects (revision files, alembic.ini, pyproject.toml, env.py, database URLs) of the read-only fuzz test."""

from __future__ import annotations

import json
import os

from hypothesis import strategies as st

from ahq_history.core.model import Revision


@st.composite
def histories(draw: st.DrawFn, max_size: int = 25) -> list[Revision]:
    """Random acyclic histories: forks, N-way merges, several labelled bases, depends_on."""
    count = draw(st.integers(min_value=1, max_value=max_size))
    revisions: list[Revision] = []
    for index in range(count):
        rid = f"{index:04x}{draw(st.integers(0, 0xFFFFFFFF)):08x}"
        earlier = [r.id for r in revisions]
        parents: tuple[str, ...] = ()
        if earlier and draw(st.integers(0, 9)) > 0:
            parents = tuple(draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=3, unique=True)))
        labels = (f"lbl{index}",) if not parents and draw(st.booleans()) else ()
        candidates = [e for e in earlier if e not in parents]
        depends: tuple[str, ...] = ()
        if candidates and draw(st.integers(0, 5)) == 0:
            depends = (draw(st.sampled_from(candidates)),)
        revisions.append(Revision(id=rid, parents=parents, branch_labels=labels, depends_on=depends,
                                  path=f"versions/{rid}.py", line=10, parents_line=11))
    return revisions


# -- hostile projects: what tests/cli/test_fuzz_readonly.py feeds to every read-only command -----------------

PASSWORD = "s3cr3tPW"  # the password of every generated database URL: no output may ever show it
# Bits that run commands when pasted, rewrite a terminal, read as Rich markup, or trip a reader.
HOSTILE_BITS = ("$(touch pwned)", "`touch pwned`", ";touch pwned", "\x1b[31m", "\x1b]0;title\x07",
                "\x1b]8;;evil.example\x07", "[/]", "[bold]", "\u202e", "\u2066", "\x9b31m", "\x7f", "\r",
                "\t", "\n", "\x00", "\x85", "\u2028", "\u200b", "\ud800", "%(here)s", "%", "'", '"', "\\",
                "{}", "é")
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_BITS), st.text(max_size=3)),
                        min_size=1, max_size=4).map("".join)
_hex_ids = st.text("0123456789abcdef", min_size=12, max_size=12)
revision_ids = st.one_of(_hex_ids, _hex_ids, _hex_ids, st.tuples(_hex_ids, hostile_text).map("".join))


def render_revision(rid: object, down: object, labels: object, depends: object, message: str,
                    body: str = "pass") -> str:
    """A revision file as Alembic's generic `script.py.mako` writes it (values rendered with `repr`)."""
    revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
    return (f'"""{message}\n\nRevision ID: {rid}\nRevises: {revises}\nCreate Date: 2026-01-01 12:00:00.000000'
            f'\n\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n# revision identifiers, used by '
            f"Alembic.\nrevision = {rid!r}\ndown_revision = {down!r}\nbranch_labels = {labels!r}\n"
            f"depends_on = {depends!r}\n\n\ndef upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n")


BODIES = ("pass", "op.create_table('users', sa.Column('id', sa.Integer))",
          "op.add_column('users', sa.Column('phone', sa.String(20)))", "op.drop_table('users')",
          "op.execute('DROP TABLE users; -- $(touch pwned)')", "op.add_column('\\x1b[31m', sa.Column('[/]'))",
          "op.alter_column(*args, **kwargs)", "op.rename_table('a', 'b')\n    op.f('x')")
NESTING = (50, 300, 5000, 100_000)


def _nested(depth: int, kind: str) -> str:
    return {"paren": "(" * depth + "'a'" + ")" * depth, "list": "[" * depth + "]" * depth,
            "unary": "-" * depth + "1", "sum": "1" + "+1" * depth}[kind]


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _replace_line(text: str, start: str, new: str) -> str:
    return "\n".join(new if line.startswith(start) else line for line in text.split("\n"))


def _conflict(draw: st.DrawFn, text: str, ids: list[str]) -> str:
    other = f"down_revision = {draw(st.sampled_from([*ids, 'zzzz']))!r}"
    lines = text.split("\n")
    down = next(i for i, line in enumerate(lines) if line.startswith("down_revision"))
    lines[down:down + 1] = ["<<<<<<< HEAD", lines[down], "=======", other, ">>>>>>> theirs"]
    return "\n".join(lines)


def _syntax(draw: st.DrawFn, text: str, ids: list[str]) -> str:
    start = draw(st.sampled_from(["def upgrade", "revision", "down_revision"]))
    broken = draw(st.sampled_from(["def upgrade(:", "revision = 'abc", "down_revision = (", ")))", "\tx"]))
    return _replace_line(text, start, broken)


def _encoded(draw: st.DrawFn, text: str, ids: list[str]) -> bytes:
    """Latin-1 with a coding cookie, without one, with one naming no codec, after a UTF-8 BOM; UTF-16."""
    cookie = draw(st.sampled_from(["", "# -*- coding: latin-1 -*-\n", "# coding: klingon\n",
                                   "\ufeff# coding: latin-1\n", "utf-16"]))
    if cookie == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    return (cookie + text.replace("\n", " é\n", 1)).encode("latin-1", "replace")


def _nesting(draw: st.DrawFn, text: str, ids: list[str]) -> str:
    depth = draw(st.sampled_from(NESTING))
    if draw(st.booleans()):
        return _replace_line(text, "down_revision", f"down_revision = {_nested(depth, 'paren')}")
    return text + "x = " + _nested(depth, draw(st.sampled_from(["paren", "list", "unary", "sum"]))) + "\n"


def _not_a_string(draw: st.DrawFn, text: str, ids: list[str]) -> str:
    value = draw(st.sampled_from(["123", "None", "f'{x}'", "'a' 'b'", "('a', None)", "[[]]", "{'a': 1}",
                                  "b'abc'", "...", "x", "'a' if y else 'b'", "('a',) * 3"]))
    name = draw(st.sampled_from(["revision", "down_revision", "branch_labels", "depends_on"]))
    return _replace_line(text, f"{name} =", f"{name} = {value}")


def _cut(draw: st.DrawFn, text: str, ids: list[str]) -> bytes:
    """A NUL byte, bytes that are not UTF-8, or the end cut off, at some place."""
    at = draw(st.integers(0, len(text)))
    insert = draw(st.sampled_from([b"\x00", b"\xff\xfe\xc3", None]))
    return _utf8(text[:at]) + (insert + _utf8(text[at:]) if insert is not None else b"")


ATTACKS = {
    "conflict-markers": _conflict, "syntax-error": _syntax, "encoding": _encoded, "nesting": _nesting,
    "not-a-string": _not_a_string, "cut": _cut,
    "no-revision": lambda draw, text, ids: "\n".join(line for line in text.split("\n")
                                                      if not line.startswith("revision =")),
    "empty": lambda draw, text, ids: b"",
    "huge": lambda draw, text, ids: text + "#" + "x" * 3_000_000 + "\n",
    "crlf": lambda draw, text, ids: text.replace("\n", "\r\n"),
}


@st.composite
def mutated(draw: st.DrawFn, text: str, ids: list[str]) -> bytes:
    """`text` with one attack of ATTACKS on it (or, two times in three, none): a revision file's bytes."""
    if draw(st.integers(0, 2)):
        return _utf8(text)
    attacked = ATTACKS[draw(st.sampled_from(sorted(ATTACKS)))](draw, text, ids)
    return attacked if isinstance(attacked, bytes) else _utf8(attacked)


def _file_name(rid: str, slug: str) -> bytes:
    name = f"{rid}_{slug}".replace("/", "_").replace("\x00", "_")[:120]
    return name.encode("utf-8", "replace") + b".py"


@st.composite
def version_files(draw: st.DrawFn) -> tuple[list[tuple[bytes, bytes]], list[str]]:
    """A versions folder: (file name, content) pairs of a generated history, some of them attacked (forks,
    merges, dangling and duplicate parents, cycles, labels, depends_on and hostile ids), and the ids."""
    count = draw(st.integers(1, 6))
    ids: list[str] = []
    files: list[tuple[bytes, bytes]] = []
    for index in range(count):
        rid = draw(st.one_of(revision_ids, st.sampled_from(ids))) if ids else draw(revision_ids)
        down: object = None
        if ids:
            down = draw(st.one_of(st.sampled_from(ids), st.sampled_from(ids),
                                  st.lists(st.sampled_from(ids), min_size=2, max_size=3).map(tuple),
                                  st.sampled_from(["zzzz", "", "head", rid, None])))
        labels = draw(st.sampled_from([None, None, "feature", ("a", "b"), "[/]\x1b[31m",
                                       ids[0] if ids else "x"]))
        depends = draw(st.sampled_from([None, None, "nowhere", *ids[:1], tuple(ids[:2])]))
        message = draw(st.one_of(st.just(f"step {index}"), hostile_text))
        text = render_revision(rid, down, labels, depends, message, draw(st.sampled_from(BODIES)))
        ids.append(rid)
        name = draw(st.sampled_from([_file_name(rid, "step"), _file_name(rid, message),
                                     b"\xff\xfe_" + str(index).encode() + b".py",
                                     b"--help.py" if index else b"x.py"]))
        files.append((name, draw(mutated(text, ids))))
    return files, ids


# -- configuration files ------------------------------------------------------------------------------

SEPARATORS = ("space", "newline", "os", ":", ";", "comma", "", "SPACE", "\x1b[31m")
_LOCATIONS = ("%(here)s/migrations/versions", "%(here)s/other", "%(here)s/nowhere", "migrations/versions",
              "%(here)s/\x1b]0;t\x07", "/dev/null", "%(undefined)s/x", "%")
_SCRIPT_LOCATIONS = ("%(here)s/migrations", "%(here)s/migrations", "migrations", "%(here)s/nowhere", "",
                     "%(undefined)s/x", "%", "%(here)s/alembic.ini", "/dev/null", "%(here)s/\x1b[31mmig")
_INI_JUNK = ("[alembic]", "script_location = again", "a line without an equals sign", "    continued",
             "[unclosed", "%(", "\x00",
             "[post_write_hooks]\nhooks = x\nx.type = exec\nx.executable = /bin/false",
             "revision_environment = true", "file_template = %%(nonexistent)s", "sourceless = maybe",
             "recursive_version_locations = yes", "prepend_sys_path = $(touch pwned)")


@st.composite
def alembic_inis(draw: st.DrawFn, urls: st.SearchStrategy[str]) -> bytes:
    """An alembic.ini: its script and version locations, path separators, a database URL, sometimes junk
    lines or another encoding than UTF-8."""
    lines = ["[alembic]" if draw(st.integers(0, 9)) else draw(st.sampled_from(["[other]", ""]))]
    script = _SCRIPT_LOCATIONS[0] if draw(st.integers(0, 2)) else draw(st.sampled_from(_SCRIPT_LOCATIONS))
    lines.append(f"script_location = {script}")
    separator = draw(st.sampled_from([None, *SEPARATORS]))
    if separator is not None:
        lines.append(f"{draw(st.sampled_from(['path_separator', 'version_path_separator']))} = {separator}")
    if draw(st.booleans()):
        joiner = draw(st.sampled_from([" ", ",", ":", ";", "\n    ", os.pathsep]))
        lines.append("version_locations = " + joiner.join(draw(st.lists(st.sampled_from(_LOCATIONS),
                                                                        min_size=1, max_size=3))))
    lines.append(f"sqlalchemy.url = {draw(st.one_of(st.just('driver://user:pass@localhost/dbname'), urls))}")
    if draw(st.integers(0, 2)) == 0:
        lines.append(draw(st.sampled_from(_INI_JUNK)))
    text = "\n".join(lines) + "\n"
    odd = draw(st.sampled_from(["utf-8-sig", "latin-1", "utf-16"]))
    encoding = "utf-8" if draw(st.integers(0, 5)) else odd
    return text.encode(encoding, "replace")


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string (a lone surrogate makes it invalid TOML)


_TOML_VALUES = ("1", "true", "[]", "[1, 2]", '["a", 1]', "{ a = 1 }", '""', "1979-05-27", "inf", '"x"')


@st.composite
def _deep_toml(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([10, 300, 3000]))
    return draw(st.sampled_from([f"deep = {'[' * depth}{']' * depth}",
                                 f"deep = {'{ a = ' * depth}1{' }' * depth}",
                                 f"{'a.' * depth}b = 1"]))


@st.composite
def pyprojects(draw: st.DrawFn, urls: st.SearchStrategy[str]) -> bytes:
    """A pyproject.toml (or None): `[tool.alembic]` and `[tool.ahq-history]` with right, wrong-typed, unknown
    and deeply nested values, and TOML that does not parse."""
    any_value = st.one_of(st.sampled_from(_TOML_VALUES), hostile_text.map(_toml_string))
    alembic = {"script_location": st.one_of(st.just('"%(here)s/migrations"'), any_value),
               "version_locations": st.one_of(st.just('["%(here)s/migrations/versions"]'), any_value),
               "path_separator": st.one_of(st.sampled_from(SEPARATORS).map(_toml_string), any_value),
               "recursive_version_locations": any_value, "file_template": any_value, "unknown_key": any_value}
    ours = {"database-url": st.one_of(urls.map(_toml_string), any_value), "version-table": any_value,
            "version-table-schema": any_value, "upgrade-command": any_value, "heads-file": any_value,
            "lint": st.one_of(st.sampled_from(['{ disable = ["AHQ002"] }', '{ disable = "AHQ002" }',
                                               "{ unknown = 1 }", "{ disable = [1] }"]), any_value),
            "projects": any_value, "hook-budget": any_value, "upgrade-after-pull": any_value,
            "exec-unresolved": any_value, "databse-url": any_value}
    parts = []
    for table, keys in (("tool.alembic", alembic), ("tool.ahq-history", ours)):
        if draw(st.integers(0, 2)):
            chosen = draw(st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=3))
            lines = [f"{key} = {draw(keys[key])}\n" for key in chosen]
            if table == "tool.alembic" and "script_location" not in chosen and draw(st.integers(0, 3)):
                lines.insert(0, 'script_location = "%(here)s/migrations"\n')
            parts.append(f"[{table}]\n" + "".join(lines))
    if draw(st.integers(0, 3)) == 0:
        parts.append(draw(st.one_of(_deep_toml(), st.sampled_from(["[tool", "x = = 1", "[tool.alembic]",
                                                                   "\x00", "a = 'unclosed"]))))
    return "\n".join(parts).encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1"])), "surrogatepass")


# -- database URLs ------------------------------------------------------------------------------------

# Nothing listens on port 1 here: a URL that reaches for a server is refused at once. `{tmp}` stands for a
# scratch folder the test fills (an SQLite file, or garbage, or nothing).
_HOSTS = ("127.0.0.1:1", "localhost:1", "[::1]:1")
_OPTIONS = ("charset=utf8mb4", "connect_timeout=0", "connect_timeout=abc", "read_timeout=-1", "ssl=true",
            "ssl_ca=/nonexistent", "ssl_disabled=maybe", "local_infile=1", "unix_socket=/nonexistent/sock",
            "sslmode=require", "sslmode=bogus", "application_name=\x1b[31m", "client_flag=x",
            "init_command=x", f"password={PASSWORD}", f"sslpassword={PASSWORD}", f"pwd={PASSWORD}",
            "options=-c%20x", "host=/tmp")


@st.composite
def database_urls(draw: st.DrawFn) -> str:
    """A database URL whose password (in the userinfo, the query or an ODBC string) is PASSWORD: the forms
    of PostgreSQL, MySQL/MariaDB with options, SQLite, ODBC, and text that does not parse."""
    password = PASSWORD + draw(st.sampled_from(["", "", "@x", ":/?#%", "%40", " x", "\x1b[31m"]))
    user = draw(st.sampled_from(["bob", "", "\x1b]0;t\x07", "a b", "$(touch pwned)"]))
    host = draw(st.sampled_from(_HOSTS))
    query = "&".join(draw(st.lists(st.sampled_from(_OPTIONS), max_size=3)))
    query = f"?{query}" if query else ""
    server = draw(st.sampled_from(["postgresql", "postgresql+psycopg2", "postgresql+asyncpg",
                                   "postgresql+pg8000",
                                   "mysql+pymysql", "mariadb+pymysql", "mysql", "mysql+mysqldb",
                                   "mariadb+mariadbconnector", "oracle+oracledb", "mssql+pymssql"]))
    forms = [f"{server}://{user}:{password}@{host}/app{query}",
             f"{server}://{user}@{host}/app?password={password}",
             f"sqlite:///{{tmp}}/app.db{query}", "sqlite:///{tmp}/missing/app.db", "sqlite://",
             "sqlite:////dev/null",
             "sqlite:///{tmp}", f"sqlite://{user}:{password}@/{{tmp}}/app.db",
             "sqlite+pysqlite:///file:{tmp}/app.db?mode=ro&uri=true",
             f"mssql+pyodbc:///?odbc_connect=DRIVER={{x}};SERVER=127.0.0.1,1;UID=sa;PWD={{{password}}}",
             f"mssql+pyodbc://sa:{password}@dsnname", f"DRIVER={{x}};UID=sa;PWD={password}",
             f"not a url {password}", f"postgresql://bob:{password}@127.0.0.1:54x2/app",
             f"postgresql://bob:s3c@{password}@127.0.0.1:1/app", f"://{password}",
             f"postgresql://bob:{password}@[::1/app", f" postgresql://bob:{password}@127.0.0.1:1/app\n"]
    return draw(st.sampled_from(forms))


@st.composite
def sqlite_files(draw: st.DrawFn) -> tuple[str, tuple[str, ...]] | bytes | None:
    """What `{tmp}/app.db` holds: nothing, garbage, or a database whose alembic_version holds these rows."""
    kind = draw(st.sampled_from(["none", "garbage", "rows", "rows"]))
    if kind == "none":
        return None
    if kind == "garbage":
        return draw(st.sampled_from([b"", b"SQLite format 3\x00" + b"\xff" * 200, b"\x1b[31mnot a db"]))
    journal = draw(st.sampled_from(["delete", "wal"]))
    return journal, tuple(draw(st.lists(st.one_of(revision_ids, hostile_text), max_size=3)))


ENV_PYS = (
    "x = " + "-" * 100_000 + "1", "x = 1" + "+1" * 100_000, "import os\x00\n", "def run(:\n",
    '"""\\\x1b]0;pwned\x07"""\nfrom alembic import context\n'
    'url = context.config.get_main_option("sqlalchemy.url")\n',
    'import os\nurl = os.environ["\\x1b]0;t\\x07X"]\n',
    f'import os\nurl = os.environ.get("AHQ_FUZZ_UNSET", "postgresql://bob:{PASSWORD}@127.0.0.1:1/app")\n',
    "from flask import current_app\nurl = current_app.extensions['migrate'].db.engine.url\n",
    "# " + "x" * (1 << 21) + "\n",
)


def env_pys() -> st.SearchStrategy[bytes | None]:
    """An env.py (None: the one `alembic init` wrote): what `status` reads as text to find the database."""
    return st.one_of(st.none(), st.sampled_from(ENV_PYS).map(str.encode),
                     st.just("# é\nimport os\n".encode("latin-1")))
