"""The one way to show a database URL: every secret masked, and a URL that does not parse never shown.

A URL is rendered by SQLAlchemy (`make_url`, `render_as_string(hide_password=True)`) after its secrets are
masked: the password, query options that name one (`password`, `sslpassword`, `passwd`, `pwd`, `secret`,
`token`, ...) and `PWD=`/`PASSWORD=` inside ODBC connect strings (`odbc_connect=`). Text that may echo a URL
(a driver's error message) goes through `scrub`. SQLAlchemy is imported inside the functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

MASK = "***"
_SENTINEL = "AHQMASKED7f3e"  # letters and digits: SQLAlchemy's quoting leaves it as written
_DATABASE = "AHQDATABASE7f3e"
# SQLAlchemy ends the database part at `?` only: the rest of printable ASCII reads back as written, so
# `sqlite:///:memory:` and `C:\\data` paths are shown as they are typed.
_DATABASE_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "?%")
# Query keys whose value is a secret (case-insensitive, anywhere in the key: `sslpassword`, `ssl_passwd`).
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|credential|api_?key|private_?key|auth_?key", re.IGNORECASE)
# `PWD=...` in an ODBC connect string; a braced value may hold `;` and doubled `}}`.
_ODBC_SECRET = re.compile(r"(?i)\b(pwd|password)(\s*=\s*)(\{(?:[^}]|\}\})*\}?|[^;]*)")
# In free text: `scheme://user:PASSWORD@`, and `key=value` pairs whose key names a secret (libpq, ODBC).
_USERINFO = re.compile(r"(\b[A-Za-z][\w+.-]*://[^\s:/@]*:)[^\s@]*@")
_KEY_VALUE = re.compile(
    r"""(?i)\b([\w.-]*(?:pass|pwd|secret|token|credential)[\w.-]*)(\s*=\s*)"""
    r"""('(?:[^'\\]|\\.)*'|"[^"]*"|\{(?:[^}]|\}\})*\}?|[^\s;&,'"]+)"""
)
_ANYWHERE = 8  # a secret this long is masked even inside a word; a shorter one only as a word of its own


class UrlFormError(ValueError):
    """A URL that does not parse; `reason` never quotes the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_url(text: str) -> URL:
    """SQLAlchemy's reading of `text`. Raises UrlFormError with a reason that quotes none of it.

    A URL whose host or database still holds an `@` after `user:password@` is refused: SQLAlchemy ends the
    password at the first `@`, so the rest of a password with an unencoded `@` would be read as the host
    (and shown, and sent to a DNS server)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError:
        raise UrlFormError("it is not dialect+driver://user:password@host:port/database") from None
    except ValueError:  # SQLAlchemy's one ValueError is int() of the port, whose text may hold the password
        raise UrlFormError("its port is not a number") from None
    except Exception:  # whatever else SQLAlchemy raises: its words may quote the URL
        raise UrlFormError("SQLAlchemy cannot read it") from None
    if url.password is not None and "@" in f"{url.host or ''}{url.database or ''}":
        raise UrlFormError("an `@` follows the password: write an `@` inside a password as %40")
    return url


def render_url(text: str) -> str | None:
    """The URL with every secret shown as `***`; None when it does not parse (then show only where it came
    from, never the text)."""
    try:
        url = parse_url(text)
    except UrlFormError:
        return None
    return render_parsed(url)


def render_parsed(url: URL) -> str:
    """A parsed URL rendered by SQLAlchemy with its password and secret query values masked."""
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in url.query.items():
        values = (value,) if isinstance(value, str) else tuple(value)
        masked = tuple(_SENTINEL if _SECRET_KEY.search(key) else _mask_odbc(v, _SENTINEL) for v in values)
        query[key] = masked[0] if isinstance(value, str) else masked
    database = url.database
    shown = url.set(query=query, database=_DATABASE if database else database)
    rendered = shown.render_as_string(hide_password=True).replace(_SENTINEL, MASK)
    return rendered.replace(_DATABASE, quote(database or "", safe=_DATABASE_SAFE))


def describe(text: str, source: str) -> str:
    """What to call the database in a message: the masked URL, or where a URL that does not parse came
    from."""
    return render_url(text) or f"the URL from {source} (it does not parse)"


def scrub(message: str, url_text: str) -> str:
    """`message` (a driver's words) with the URL and every secret it holds masked."""
    if url_text and url_text in message:
        message = message.replace(url_text, render_url(url_text) or "(the database URL)")
    for secret in sorted(set(_secrets(url_text)), key=len, reverse=True):
        message = _mask_secret(message, secret)
    message = _USERINFO.sub(rf"\g<1>{MASK}@", message)
    return _KEY_VALUE.sub(rf"\g<1>\g<2>{MASK}", message)


def _mask_odbc(value: str, mask: str) -> str:
    return _ODBC_SECRET.sub(lambda m: f"{m[1]}{m[2]}{mask}", value)


def _secrets(text: str) -> Iterator[str]:
    """Every secret `text` holds, as written and as a driver might quote it."""
    found: list[str] = [m[3] for m in _ODBC_SECRET.finditer(text)]
    found += [m[3] for m in _KEY_VALUE.finditer(text)]
    head = re.match(r"[^:/?#]+://[^:/?#]*:(.*)@", text, re.S)  # the password, were it to run to the last @
    if head:
        found.append(head[1])
    try:
        url = parse_url(text)
    except UrlFormError:
        url = None
    if url is not None:
        found.append(url.password or "")
        for key, value in url.query.items():
            for item in (value,) if isinstance(value, str) else value:
                found += [item] if _SECRET_KEY.search(key) else [m[3] for m in _ODBC_SECRET.finditer(item)]
    for secret in found:
        secret = secret.strip()
        if secret.startswith("{") and secret.endswith("}"):
            secret = secret[1:-1]
        if secret and secret != MASK:
            yield from {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}


def _mask_secret(message: str, secret: str) -> str:
    if len(secret) >= _ANYWHERE:
        return message.replace(secret, MASK)
    # As a word of its own: a short password would otherwise be cut out of the driver's words (and so shown).
    return re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", MASK, message)
