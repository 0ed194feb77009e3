"""Rows as the text of an SQL VALUES list, for a server with standard_conforming_strings on.

psycopg2 adapts every value through its adapter objects, about 2 us a value: for the items upsert that cost more
than the server's parse of the statement. Typed per column and written with str methods (which run in C), the
same literals cost a fraction. With standard-conforming strings a doubled quote is the only escape a literal
needs; a NUL cannot be sent at all (psycopg2 refuses it the same way).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence


def conforming(conn) -> bool:
    """Whether the server reads backslashes in string literals as plain characters (the default since 9.1)."""
    return conn.get_parameter_status("standard_conforming_strings") == "on"


def text(value: str | None) -> str:
    """A text literal."""
    if value is None:
        return "NULL"
    if "\x00" in value:
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return "'" + value.replace("'", "''") + "'"


def integer(value: int | None) -> str:
    """An integer literal (int() refuses anything that is not a number)."""
    return "NULL" if value is None else str(int(value))


def boolean(value: bool | None) -> str:
    """A boolean literal."""
    return "NULL" if value is None else ("true" if value else "false")


def timestamptz(value) -> str:
    """A timestamp literal (a datetime; one without a zone is read in the session's, as psycopg2's)."""
    return "NULL" if value is None else text(value.isoformat()) + "::timestamptz"


def jsonb(value: str | None) -> str:
    """A jsonb literal from JSON text."""
    return "NULL" if value is None else text(value) + "::jsonb"


def text_array(values: Sequence[str | None] | None) -> str:
    """A text[] literal: every element quoted, backslashes and double quotes escaped."""
    if values is None:
        return "NULL"
    elements = ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                        for v in values)
    return text("{" + elements + "}") + "::text[]"


def boolean_array(values: Sequence[bool]) -> str:
    """A boolean[] literal."""
    return "'{" + ",".join("t" if v else "f" for v in values) + "}'::boolean[]"


def bigint_array(values: Sequence[int]) -> str:
    """A bigint[] literal (int() refuses anything that is not a number)."""
    return "'{" + ",".join([str(int(v)) for v in values]) + "}'::bigint[]"


def values_list(rows: Sequence[Sequence], columns: Sequence[Callable]) -> str:
    """The rows as `(...), (...)`, each value written by the function of its column."""
    return ",".join("(" + ",".join([write(value) for write, value in zip(columns, row)]) + ")" for row in rows)
