"""The line the hooks print when their Python is gone: how to reinstall this very ahq-history."""

from __future__ import annotations

from pathlib import Path

from ahq_history.hooks.reinstall import REINSTALL, reinstall_command, reinstall_for
from tests.support.hookgit import THIS_CHECKOUT


def test_reinstall_line_of_a_development_checkout_installs_that_checkout() -> None:
    assert reinstall_command() == THIS_CHECKOUT


def test_reinstall_line_of_an_editable_install_names_its_folder(tmp_path: Path) -> None:
    site = tmp_path / "venv" / "site-packages"
    direct_url = {"url": "file:///home/bob/src/ahq%20history", "dir_info": {"editable": True}}
    assert reinstall_for(site / "ahq_history", [site], direct_url) == (
        "pip install -e '/home/bob/src/ahq history' && ahq-history hooks install")


def test_reinstall_line_of_an_install_from_an_index_is_pip_install(tmp_path: Path) -> None:
    site = tmp_path / "venv" / "site-packages"
    assert reinstall_for(site / "ahq_history", [site], None) == (
        "pip install ahq-history && ahq-history hooks install")
    from_wheel = {"url": "file:///tmp/ahq_history-0.1.0-py3-none-any.whl", "archive_info": {}}
    assert reinstall_for(site / "ahq_history", [site], from_wheel) == REINSTALL


def test_reinstall_line_ignores_a_folder_of_another_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "webshop"\n')
    assert reinstall_for(tmp_path / "ahq_history", [], None) == REINSTALL
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "ahq_history"\n')
    assert reinstall_for(tmp_path / "ahq_history", [], None) == (
        f"pip install -e {tmp_path} && ahq-history hooks install")
