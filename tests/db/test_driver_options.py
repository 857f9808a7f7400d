"""MariaDB/MySQL URL options the driver cannot take: a configuration error naming the option (exit 2), never
a traceback or an internal error. PyMySQL raises these before it opens a socket, so no server is needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.cli.main import main
from tests.support.projects import add_revision, alembic_project

HINT = "  hint: fix or remove the option in the URL (its value, or its name: see the driver's documentation)"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = alembic_project(tmp_path_factory.mktemp("options") / "proj")
    add_revision(root, "create users", "aaaa00000001")
    return root


def status(root: Path, url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["-c", str(root / "alembic.ini"), "status", "--timeout", "2", "--database-url", url])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


def test_unknown_option_typeerror_names_the_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?nosuch=1", capsys)
    assert code == 2
    assert err.splitlines() == [
        "ahq-history: the database URL's option 'nosuch' (from --database-url) is not accepted by the "
        "pymysql driver: Connection.__init__() got an unexpected keyword argument 'nosuch'", HINT]


def test_unknown_charset_attributeerror_names_the_option(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?charset=nosuch", capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        "ahq-history: the database URL's option 'charset' (from --database-url) is not accepted by the "
        "pymysql driver: 'NoneType' object has no attribute 'encoding'")


def test_ssl_given_as_a_word_names_the_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?ssl=true", capsys)
    assert code == 2
    assert "the database URL's option 'ssl' (from --database-url) is not accepted by the pymysql" in err


def test_timeout_that_is_not_a_number_names_the_option_among_several(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?charset=utf8mb4&connect_timeout=abc",
                       capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        "ahq-history: the database URL's option 'connect_timeout' (from --database-url) is not accepted by "
        "the pymysql driver: invalid literal for int() with base 10: 'abc'")


def test_boolean_option_that_is_not_a_boolean_names_the_option(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?compress=maybe", capsys)
    assert code == 2
    assert "option 'compress' (from --database-url) is not accepted by the pymysql driver" in err


def test_missing_ssl_ca_file_names_the_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "mysql+pymysql://root:s3cret@127.0.0.1:1/app?ssl_ca=/nonexistent/ca.pem"
    code, err = status(project, url, capsys)
    assert code == 2
    assert "option 'ssl_ca' (from --database-url) is not accepted by the pymysql driver" in err


def test_unsupported_option_names_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = status(project, "mysql+pymysql://root:s3cret@127.0.0.1:1/app?compress=true", capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        "ahq-history: the database URL's option 'compress' (from --database-url) is not accepted by the "
        "pymysql driver: compress and named_pipe arguments are not supported")


def test_refused_option_never_shows_the_password(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "mysql+pymysql://root:s3cret@127.0.0.1:1/app?password=s3cret&nosuch=s3cret"
    _, err = status(project, url, capsys)
    assert "s3cret" not in err
