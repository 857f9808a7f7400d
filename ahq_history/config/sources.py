"""Reading the two kinds of configuration file, alembic.ini and pyproject.toml, into one view of the
options, with errors that name the file and line (standard library only)."""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ahq_history.config.safefile import read_regular_file, reason
from ahq_history.core.errors import ConfigError


@dataclass(frozen=True)
class Sources:
    """The configuration one `alembic` run would read: an ini's section and/or `[tool.alembic]`."""

    section: str
    ini_path: Path | None = None
    ini: configparser.ConfigParser | None = None
    toml_path: Path | None = None
    toml: dict[str, Any] | None = None

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.ini_path, self.toml_path) if p is not None)

    def ini_has(self, name: str) -> bool:
        return self.ini is not None and self.ini.has_option(self.section, name)

    def ini_get(self, name: str, *, raw: bool = False) -> str:
        """An option of the ini's section, interpolated as Alembic's ConfigParser does."""
        assert self.ini is not None and self.ini_path is not None
        try:
            return self.ini.get(self.section, name, raw=raw)
        except configparser.Error as error:
            raise _ini_error(self.ini_path, error, option=name) from None

    def toml_get(self, name: str, *, raw: bool = False) -> Any:
        """A `[tool.alembic]` value with `%(here)s` applied to its strings, or None when absent."""
        if self.toml is None or self.toml_path is None or name not in self.toml:
            return None
        value = self.toml[name]
        if raw:
            return value
        here = {"here": self.toml_path.parent.as_posix()}
        try:
            if isinstance(value, str):
                return value % here
            if isinstance(value, list):
                return [v % here if isinstance(v, str) else v for v in value]
        except (KeyError, ValueError, TypeError) as error:
            raise ConfigError(f"{self.toml_path}: [tool.alembic] {name} = {value!r} cannot be "
                              f"interpolated ({error})", hint="write a literal % as %%") from None
        return value

    def option(self, name: str, *, raw: bool = False) -> Any:
        """Alembic's `get_alembic_option`: the ini first, then `[tool.alembic]`."""
        if self.ini_has(name):
            return self.ini_get(name, raw=raw)
        return self.toml_get(name, raw=raw)

    def flag(self, name: str) -> bool:
        """Alembic's `get_alembic_boolean_option`."""
        if self.ini_has(name):
            return self.ini_get(name) == "true"
        value = self.toml_get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ConfigError(f"{self.toml_path}: [tool.alembic] {name} must be true or false, "
                              f"not {value!r}", hint=f"write {name} = true")
        return value

    def where(self, name: str) -> str:
        """`file:line` (or `file`) of an option, for messages."""
        if self.ini_has(name) and self.ini_path is not None:
            return where_set(self.ini_path, name)
        return f"{self.toml_path} [tool.alembic]"


def _read_text(path: Path) -> str:
    data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: is not UTF-8 text ({error.reason} at byte {error.start})") from None


def _read_bytes(path: Path) -> bytes:
    """A config file's bytes; a FIFO or a device named `alembic.ini` is refused, never read."""
    try:
        return read_regular_file(str(path))
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({reason(error)})") from None


def read_ini(path: Path) -> configparser.ConfigParser:
    """Parse an ini file as Alembic does: `%(here)s` is the ini's folder (as POSIX)."""
    parser = configparser.ConfigParser({"here": path.parent.as_posix()})
    try:
        parser.read_string(_read_text(path), source=str(path))
    except configparser.Error as error:
        raise _ini_error(path, error) from None
    return parser


def _ini_error(path: Path, error: configparser.Error, option: str | None = None) -> ConfigError:
    line = getattr(error, "lineno", None)
    errors = getattr(error, "errors", None)
    if line is None and errors:
        line = errors[0][0]
    where = f"{path}:{line}" if line is not None else (where_set(path, option) if option else str(path))
    hint = ("write a literal % as %%; %(here)s is the one name Alembic provides"
            if isinstance(error, configparser.InterpolationError)
            else "fix the ini syntax (compare with the file `alembic init` writes)")
    return ConfigError(f"{where}: {_ini_detail(error)}", hint=hint)


def _ini_detail(error: configparser.Error) -> str:
    """configparser's complaint without its 'While reading from ...' preamble."""
    if isinstance(error, configparser.MissingSectionHeaderError):
        return "the file does not start with a [section] header"
    if isinstance(error, configparser.ParsingError):
        return "this line is neither a [section] header nor `key = value`"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"option {error.option!r} is set twice in section [{error.section}]"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"section [{error.section}] appears twice"
    if isinstance(error, configparser.InterpolationError):  # its words quote the value: a URL's password
        missing = getattr(error, "reference", None) if isinstance(
            error, configparser.InterpolationMissingOptionError) else None
        what = f"names %({missing})s, which is not set" if missing else "has a % that is not %% or %(name)s"
        return f"option {error.option!r} in section [{error.section}] {what}"
    return str(error).splitlines()[0]


def where_set(path: Path, option: str | None) -> str:
    """`path:line` of the first line that sets `option`, or the path alone."""
    if option is not None:
        pattern = re.compile(rf"^\s*{re.escape(option)}\s*[=:]", re.IGNORECASE)
        try:
            for number, text in enumerate(read_regular_file(str(path)).decode("utf-8").splitlines(), 1):
                if pattern.match(text):
                    return f"{path}:{number}"
        except (OSError, UnicodeDecodeError):
            pass
    return str(path)


def read_pyproject(path: Path) -> dict[str, Any]:
    """Parse a pyproject.toml; a syntax error names the file and TOML's line and column."""
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}", hint="fix the TOML syntax") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: arrays or inline tables are nested too deeply to read",
                          hint="flatten the nesting; no setting needs more than a few levels") from None


def tool_table(path: Path, name: str) -> dict[str, Any] | None:
    """`[tool.<name>]` of a pyproject.toml, or None. Files that do not mention `name` are not parsed."""
    if not path.is_file():
        return None
    if name.encode() not in _read_bytes(path):
        return None
    tool = read_pyproject(path).get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table, not {type(tool).__name__}")
    table = tool.get(name)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{name}] must be a table, not {type(table).__name__}")
    return table


def read_sources(section: str, ini_path: Path | None, toml_path: Path | None) -> Sources:
    """What one `alembic` run reads: the ini at `ini_path` (when given), and `[tool.alembic]` of `toml_path`
    (when the file has that table)."""
    ini = read_ini(ini_path) if ini_path is not None else None
    toml = tool_table(toml_path, "alembic") if toml_path is not None else None
    return Sources(section, ini_path, ini, toml_path if toml is not None else None, toml)


