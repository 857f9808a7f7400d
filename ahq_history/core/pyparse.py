"""Parse other people's Python text into an AST without letting the parser warn. Standard library only.

Python's parser warns about some text it accepts: an invalid escape sequence such as a backslash before
an ESC in a docstring (`DeprecationWarning`, a `SyntaxWarning` shown by default from Python 3.12). The
warning quotes the character raw, so it would reach the terminal unsanitized, and a revision file is
not ours to warn about anyway.
"""

from __future__ import annotations

import ast
import warnings


def parse_quietly(text: str) -> ast.Module:
    """`ast.parse(text)` with the parser's warnings silenced; errors are raised as `ast.parse` raises them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text)
