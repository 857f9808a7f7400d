"""The one renderer of database URLs (db/url.py): secrets masked, a URL that does not parse never shown."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ahq_history.db.url import UrlFormError, describe, parse_url, render_url, scrub


def test_password_is_masked_by_sqlalchemys_rendering() -> None:
    assert render_url("postgresql://bob:s3cret@db.local:5432/app") == "postgresql://bob:***@db.local:5432/app"


def test_url_without_a_password_is_shown_as_written() -> None:
    assert render_url("sqlite:///instance/app.db") == "sqlite:///instance/app.db"
    assert render_url("postgresql://bob@db.local/app") == "postgresql://bob@db.local/app"


def test_percent_encoded_password_with_url_characters_is_masked_whole() -> None:
    assert render_url("postgresql://bob:p%40s%3As%2Fw%23o%3Fr%25d@db/app") == "postgresql://bob:***@db/app"


def test_unencoded_url_characters_in_a_password_are_masked_whole() -> None:
    assert render_url("postgresql://bob:pa#ss/w?rd@db.local/app") == "postgresql://bob:***@db.local/app"
    assert render_url("postgresql://bob@corp:s3cret@db.local/app") == "postgresql://bob%40corp:***@db.local/app"


def test_password_in_the_query_is_masked() -> None:
    assert render_url("postgresql://bob@db/app?password=s3cret&sslmode=require") == (
        "postgresql://bob@db/app?password=***&sslmode=require")


@pytest.mark.parametrize("key", ["sslpassword", "PASSWD", "pwd", "client_secret", "auth_token",
                                 "ssl_passphrase"])
def test_every_password_like_query_key_is_masked(key: str) -> None:
    rendered = render_url(f"postgresql://bob@db/app?{key}=s3cret")
    assert rendered == f"postgresql://bob@db/app?{key}=***"


def test_repeated_password_options_are_all_masked() -> None:
    assert render_url("postgresql://u@h/db?password=a1&password=b2") == "postgresql://u@h/db?password=***&password=***"


def test_odbc_connect_string_pwd_is_masked() -> None:
    rendered = render_url("mssql+pyodbc:///?odbc_connect=DRIVER={ODBC Driver 18};SERVER=h;UID=sa;"
                          "PWD={s3c;ret}}}")
    assert rendered == ("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+18%7D%3BSERVER%3Dh%3BUID%3Dsa%3B"
                        "PWD%3D***")


def test_non_secret_options_keep_their_values() -> None:
    assert render_url("mysql+pymysql://u:p@/db?unix_socket=/run/my.sock&charset=utf8mb4") == (
        "mysql+pymysql://u:***@/db?charset=utf8mb4&unix_socket=%2Frun%2Fmy.sock")


@pytest.mark.parametrize("text", [
    "not a url",
    "postgresql://bob:s3cret@db.local:54x2/app",
    "DRIVER={ODBC Driver 18};SERVER=h;UID=sa;PWD=s3cret",
    "postgresql://bob:s3c@ret@db.local/app",
])
def test_url_that_does_not_parse_is_never_rendered(text: str) -> None:
    assert render_url(text) is None
    assert describe(text, "the DATABASE_URL environment variable") == (
        "the URL from the DATABASE_URL environment variable (it does not parse)")


def test_unencoded_at_sign_in_a_password_is_refused_with_the_fix() -> None:
    with pytest.raises(UrlFormError) as caught:
        parse_url("postgresql://bob:s3c@ret@db.local/app")
    assert caught.value.reason == "an `@` follows the password: write an `@` inside a password as %40"


def test_drivers_echo_of_the_password_is_scrubbed() -> None:
    url = "postgresql://bob:s3cret@h/app"
    assert scrub("invalid dsn: user=bob password=s3cret host=h", url) == (
        "invalid dsn: user=bob password=*** host=h")
    assert scrub("auth failed for s3cret!", url) == "auth failed for ***!"


def test_drivers_echo_of_the_whole_url_is_replaced_by_its_rendering() -> None:
    url = "postgresql://bob:s3cret@h/app"
    assert scrub(f"cannot use {url} now", url) == "cannot use postgresql://bob:***@h/app now"


def test_drivers_echo_of_an_odbc_connect_string_is_scrubbed() -> None:
    url = "mssql+pyodbc:///?odbc_connect=DRIVER={x};PWD=s3cret"
    assert scrub("[IM002] DRIVER={x};PWD=s3cret; not found", url) == "[IM002] DRIVER={x};PWD=***; not found"


def test_percent_encoded_echo_of_the_password_is_scrubbed() -> None:
    url = "postgresql://bob:p%40ss%2Fw0rd@h/app"
    assert scrub("no luck with p@ss/w0rd or p%40ss%2Fw0rd", url) == "no luck with *** or ***"


def test_a_short_password_is_masked_only_as_a_word_of_its_own() -> None:
    assert scrub('role "o" at host o failed: no route', "postgresql://bob:o@h/db") == (
        'role "***" at host *** failed: no route')


def test_importing_the_renderer_does_not_import_sqlalchemy() -> None:
    code = "import sys, ahq_history.db.url; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- any password --------------------------------------------------------------------------------------------

PASSWORDS = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=6, max_size=24)
FIXED = "postgresql://bob:***@db.example:5432/app?sslmode=require&password="


@settings(derandomize=True, max_examples=300, deadline=None)
@given(PASSWORDS)
def test_any_password_written_as_is_never_renders(password: str) -> None:
    assume(password not in FIXED)
    rendered = render_url(f"postgresql://bob:{password}@db.example:5432/app?sslmode=require")
    assert rendered is None or password not in rendered


@settings(derandomize=True, max_examples=300, deadline=None)
@given(PASSWORDS)
def test_any_password_percent_encoded_never_renders(password: str) -> None:
    assume(password not in FIXED)
    encoded = quote(password, safe="")
    for url in (f"postgresql://bob:{encoded}@db.example:5432/app",
                f"postgresql://bob@db.example/app?password={encoded}"):
        rendered = render_url(url)
        assert rendered is not None
        assert password not in rendered and encoded not in rendered
        assert password not in scrub(f"failed: {password} / {encoded} / {url}", url)
