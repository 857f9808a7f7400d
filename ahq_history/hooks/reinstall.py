"""The one line the hooks print when their Python is gone: how to reinstall this very ahq-history (a
development checkout, an editable install, or the package from PyPI), then `hooks install`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ahq_history.core.shell import command_chain
from ahq_history.hooks.folder import within

DISTRIBUTION = "ahq-history"
_HOOKS_INSTALL = ("ahq-history", "hooks", "install")
REINSTALL = command_chain(("pip", "install", DISTRIBUTION), _HOOKS_INSTALL)  # from PyPI


def reinstall_command() -> str:
    """The one line the hooks print when their Python is gone: how to reinstall this very ahq-history
    (`pip install -e PATH` for a development checkout or an editable install), then `hooks install`."""
    return reinstall_for(Path(__file__).resolve().parents[1], _site_folders(), _direct_url())


def reinstall_for(package: Path, site_folders: Iterable[Path], direct_url: dict[str, object] | None) -> str:
    """`package` is the folder of `ahq_history`; `direct_url` is the installed distribution's
    direct_url.json (PEP 610), None when there is none."""
    checkout = package.parent
    in_site = any(within(package, folder) for folder in site_folders)
    if not in_site and _is_our_project(checkout / "pyproject.toml"):
        return command_chain(("pip", "install", "-e", str(checkout)), _HOOKS_INSTALL)
    editable = _editable_folder(direct_url)
    if editable is not None:
        return command_chain(("pip", "install", "-e", editable), _HOOKS_INSTALL)
    return REINSTALL


def _is_our_project(pyproject: Path) -> bool:
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    name = project.get("name") if isinstance(project, dict) else None
    return isinstance(name, str) and name.lower().replace("_", "-") == DISTRIBUTION


def _editable_folder(direct_url: dict[str, object] | None) -> str | None:
    """The local folder of an editable install, from its direct_url.json."""
    from urllib.parse import unquote, urlparse

    if not direct_url:
        return None
    info, url = direct_url.get("dir_info"), direct_url.get("url")
    if not isinstance(info, dict) or info.get("editable") is not True or not isinstance(url, str):
        return None
    parsed = urlparse(url)
    return unquote(parsed.path) if parsed.scheme == "file" and parsed.path else None


def _site_folders() -> list[Path]:
    import site
    import sysconfig

    found = [sysconfig.get_paths()[key] for key in ("purelib", "platlib")]
    found += getattr(site, "getsitepackages", list)()
    found.append(site.getusersitepackages())
    return [Path(folder).resolve() for folder in found]


def _direct_url() -> dict[str, object] | None:
    import json
    from importlib import metadata

    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        found = json.loads(text) if text else None
    except (metadata.PackageNotFoundError, OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
