"""Rows as COPY's text format (its default), written per column type with str methods.

The same values as wirefeed.sql_literals writes into a VALUES list, read by the same input functions. The text
format, not CSV: the server reads a bench row in it for ~11-14 us less (PostgreSQL 16, 3,000 rows), and its four
escapes (backslash, tab, newline, carriage return) cost less to write than CSV's quoting when each is looked for
before it is replaced. \\N is NULL, an empty field the empty string; a NUL is refused the same way as in a literal
(a text field cannot carry it).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

NULL = "\\N"
# How the COPY statement must read the lines (the text format is the default: said for the reader).
OPTIONS = "(FORMAT text)"


def text(value: str | None) -> str:
    """A text field: backslash, tab, newline and carriage return escaped."""
    if value is None:
        return NULL
    if "\x00" in value:
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    # Each replace guarded by `in`, which finds a character with memchr: replace() first counts it in a slower
    # loop, even when it is absent. Unguarded, the four cost 1.7-1.9x CSV's quoting; guarded, three quarters.
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


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
    """A text[] field: every element quoted, backslashes and double quotes escaped, then the field escaped."""
    if values is None:
        return NULL
    elements = ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                        for v in values)
    return text("{" + elements + "}")


def lines(rows: Sequence[Sequence], columns: Sequence[Callable]) -> str:
    """The rows as tab-separated lines, one each, each value written by the function of its column."""
    return "".join("\t".join([write(value) for write, value in zip(columns, row)]) + "\n" for row in rows)
