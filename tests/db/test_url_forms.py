"""28 forms of database URL, given every way a URL reaches the tool: the password never shows in `status`'s
text, its JSON, its error messages (the servers named here do not answer: port 1, missing sockets, drivers
not installed) or the TUI's database line. A real project made by `alembic init` / `alembic revision`."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from textual.widgets import Static
from textual.worker import WorkerState

from ahq_history.cli.main import main
from ahq_history.tui.app import HistoryApp
from tests.support.dbstory import PLACEHOLDER
from tests.support.projects import add_revision, alembic_project


@dataclass(frozen=True)
class Form:
    name: str
    url: str
    password: str = ""  # as the server would take it (decoded); "" for the forms that carry none

    @property
    def secrets(self) -> set[str]:
        """The password as written, decoded and encoded: none of them may show."""
        if not self.password:
            return set()
        return {self.password, quote(self.password, safe=""), quote_plus(self.password)}


FORMS = [
    Form("postgresql-with-port", "postgresql://bob:Sw0rdfish01@127.0.0.1:1/app", "Sw0rdfish01"),
    Form("postgresql-without-port", "postgresql://bob:Sw0rdfish02@127.0.0.1/app", "Sw0rdfish02"),
    Form("postgresql-encoded-at-colon-slash-hash-question-percent",
         "postgresql://bob:Sw0rd%40f%3Ai%2Fs%23h%3F03%25@127.0.0.1:1/app", "Sw0rd@f:i/s#h?03%"),
    Form("postgresql-query-password", "postgresql://bob@127.0.0.1:1/app?password=Sw0rdfish04", "Sw0rdfish04"),
    Form("postgresql-query-sslpassword",
         "postgresql://bob@127.0.0.1:1/app?sslmode=require&sslpassword=Sw0rdfish05", "Sw0rdfish05"),
    Form("postgresql-psycopg2-driver", "postgresql+psycopg2://bob:Sw0rdfish06@127.0.0.1:1/app",
         "Sw0rdfish06"),
    Form("heroku-postgres-scheme", "postgres://bob:Sw0rdfish07@127.0.0.1:1/app", "Sw0rdfish07"),
    Form("postgresql-ipv6-host", "postgresql://bob:Sw0rdfish08@[::1]:1/app", "Sw0rdfish08"),
    Form("postgresql-socket-and-password-in-query",
         "postgresql:///app?host=/nonexistent/socket&user=bob&password=Sw0rdfish09", "Sw0rdfish09"),
    Form("postgresql-unencoded-hash-slash-question",
         "postgresql://bob:Sw0rd#fi/sh?10@127.0.0.1:1/app", "Sw0rd#fi/sh?10"),
    Form("mariadb-charset", "mysql+pymysql://root:Sw0rdfish11@127.0.0.1:1/app?charset=utf8mb4",
         "Sw0rdfish11"),
    Form("mariadb-ssl-key", "mysql+pymysql://root:Sw0rdfish12@127.0.0.1:1/app?ssl_key=/nonexistent/key.pem",
         "Sw0rdfish12"),
    Form("mysqldb-driver-not-installed", "mysql+mysqldb://root:Sw0rdfish13@127.0.0.1:1/app", "Sw0rdfish13"),
    Form("pymysql-unix-socket", "mysql+pymysql://root:Sw0rdfish14@/app?unix_socket=/nonexistent/mysql.sock",
         "Sw0rdfish14"),
    Form("mariadb-scheme", "mariadb+pymysql://root:Sw0rdfish15@127.0.0.1:1/app", "Sw0rdfish15"),
    Form("mysql-without-driver", "mysql://root:Sw0rdfish16@127.0.0.1:1/app", "Sw0rdfish16"),
    Form("pymysql-query-passwd", "mysql+pymysql://root@127.0.0.1:1/app?passwd=Sw0rdfish17", "Sw0rdfish17"),
    Form("pymysql-option-it-refuses", "mysql+pymysql://root:Sw0rdfish18@127.0.0.1:1/app?nosuch=1",
         "Sw0rdfish18"),
    Form("mssql-odbc-connect",
         "mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+18+for+SQL+Server%7D%3BSERVER%3D127.0.0.1%2C1"
         "%3BUID%3Dsa%3BPWD%3DSw0rdfish19", "Sw0rdfish19"),
    Form("mssql-pyodbc-url", "mssql+pyodbc://sa:Sw0rdfish20@127.0.0.1:1/app?driver=ODBC+Driver+18+for+SQL+Server",
         "Sw0rdfish20"),
    Form("raw-odbc-connect-string", "DRIVER={ODBC Driver 18 for SQL Server};SERVER=127.0.0.1,1;UID=sa;"
         "PWD=Sw0rdfish21", "Sw0rdfish21"),
    Form("oracle", "oracle+oracledb://scott:Sw0rdfish22@127.0.0.1:1/?service_name=XE", "Sw0rdfish22"),
    Form("does-not-parse-port", "postgresql://bob:Sw0rdfish23@127.0.0.1:54x2/app", "Sw0rdfish23"),
    Form("does-not-parse-no-scheme", "bob:Sw0rdfish24@127.0.0.1/app", "Sw0rdfish24"),
    Form("does-not-parse-unencoded-at", "postgresql://bob:Sw0rd@fish25@127.0.0.1:1/app", "Sw0rd@fish25"),
    Form("sqlcipher-passphrase", "sqlite+pysqlcipher://:Sw0rdfish26@/app.db", "Sw0rdfish26"),
    Form("sqlite-relative", "sqlite:///instance/app.db"),
    Form("sqlite-absolute", "sqlite:////nonexistent/folder/app.db"),
    Form("sqlite-memory", "sqlite://"),
    Form("sqlite-file-uri", "sqlite:///file:app.db?mode=ro&uri=true"),
]
SECRET_FORMS = [form for form in FORMS if form.password]
# PyMySQL still takes `passwd`, with a DeprecationWarning: the form is here because people write it.
pytestmark = pytest.mark.filterwarnings("ignore:'passwd' is deprecated:DeprecationWarning")


def test_at_least_25_forms_carry_a_password() -> None:
    assert len(SECRET_FORMS) >= 25
    assert len({form.name for form in FORMS}) == len(FORMS)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = alembic_project(tmp_path_factory.mktemp("forms") / "proj")
    add_revision(root, "create users", "aaaa00000001")
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "proj"))


def status(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["-c", str(root / "alembic.ini"), "status", "--timeout", "2", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_hidden(form: Form, output: str) -> None:
    shown = sorted(secret for secret in form.secrets if secret in output)
    assert not shown, f"{form.name}: {shown} shows in:\n{output}"
    assert "Traceback" not in output and "internal error" not in output


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_password_never_shows_in_status_text(
    form: Form, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = status(template, capsys, "--database-url", form.url)
    assert code in (1, 2)  # SQLite: behind (nothing applied); servers: unreachable or unusable
    assert_hidden(form, output)


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_password_never_shows_in_status_json(
    form: Form, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = status(template, capsys, "--json", "--database-url", form.url)
    assert code in (1, 2)
    assert_hidden(form, output)


@pytest.mark.parametrize("form", SECRET_FORMS, ids=lambda form: form.name)
def test_password_from_the_database_url_variable_never_shows(
    form: Form, template: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", form.url)
    code, output = status(template, capsys)
    assert code in (1, 2)
    assert "DATABASE_URL" in output  # where it came from is said
    assert_hidden(form, output)


@pytest.mark.parametrize("form", SECRET_FORMS, ids=lambda form: form.name)
def test_password_from_pyproject_database_url_never_shows(
    form: Form, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.ahq-history]\ndatabase-url = '{form.url}'\n")
    code, output = status(project, capsys)
    assert code in (1, 2)
    assert "[tool.ahq-history] database-url" in output
    assert_hidden(form, output)


@pytest.mark.parametrize("form", SECRET_FORMS, ids=lambda form: form.name)
def test_password_from_alembic_ini_interpolated_never_shows(
    form: Form, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = project / "alembic.ini"  # configparser reads `%%` as `%`, as Alembic does
    ini.write_text(ini.read_text().replace(PLACEHOLDER, "sqlalchemy.url = " + form.url.replace("%", "%%")))
    code, output = status(project, capsys)
    assert code in (1, 2)
    assert "sqlalchemy.url in alembic.ini" in output
    assert_hidden(form, output)


def test_no_password_shows_on_the_tui_database_line(template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One headless TUI; for each form, DATABASE_URL changes and `R` reloads what the database says."""
    lines: dict[str, str] = {}

    async def go() -> None:
        app = HistoryApp(str(template / "alembic.ini"), watch=False, git=False, cursor_blink=False)
        async with app.run_test(size=(400, 30)) as pilot:
            for form in FORMS:
                monkeypatch.setenv("DATABASE_URL", form.url)
                await pilot.press("R")
                await settle(app, pilot)
                lines[form.name] = str(app.screen.query_one("#status", Static).render())

    asyncio.run(go())
    for form in FORMS:
        assert "database" in lines[form.name], lines[form.name]
        assert_hidden(form, lines[form.name])
    assert "cannot read the database postgresql://bob:***@127.0.0.1:1/app" in lines["postgresql-with-port"]
    assert "the database URL from the DATABASE_URL environment variable does not parse" in (
        lines["does-not-parse-port"])


async def settle(app: HistoryApp, pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.pause(0.05)
    for _ in range(100):
        await pilot.pause()
        running = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not running:
            await pilot.pause()
            return
        for worker in running:
            with contextlib.suppress(Exception):
                await worker.wait()
