"""Rows as COPY's CSV format, written per column type with str methods.

The same values as wirefeed.sql_literals writes into a VALUES list, read by the same input functions. CSV, not
COPY's text format: a quoted field needs one escape (a doubled quote), where the text format needs four
(backslash, tab, newline, carriage return), which cost more than the rest of the row. An unquoted empty field is
NULL; a NUL is refused the same way as in a literal (a text field cannot carry it).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

NULL = ""
# How the COPY statement must read the lines.
OPTIONS = "(FORMAT csv)"


def text(value: str | None) -> str:
    """A text field, always quoted (so an empty string is not NULL)."""
    if value is None:
        return NULL
    if "\x00" in value:
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return '"' + value.replace('"', '""') + '"'


def integer(value: int | None) -> str:
    """An integer field (int() refuses anything that is not a number)."""
    return NULL if value is None else str(int(value))


def boolean(value: bool | None) -> str:
    """A boolean field."""
    return NULL if value is None else ("t" if value else "f")


def timestamptz(value) -> str:
    """A timestamp field (a datetime; one without a zone is read in the session's, as psycopg2's)."""
    return NULL if value is None else value.isoformat()


def text_array(values: Sequence[str | None] | None) -> str:
    """A text[] field: every element quoted, backslashes and double quotes escaped, then the field quoted."""
    if values is None:
        return NULL
    elements = ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                        for v in values)
    return text("{" + elements + "}")


def lines(rows: Sequence[Sequence], columns: Sequence[Callable]) -> str:
    """The rows as CSV, one record each, each value written by the function of its column."""
    return "".join(",".join([write(value) for write, value in zip(columns, row)]) + "\n" for row in rows)
