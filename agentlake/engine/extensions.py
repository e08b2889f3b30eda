"""CREATE EXTENSION and DROP EXTENSION, with PostgreSQL's errors and pgvector's dependents.

Which extensions a branch has installed is catalog state (its commits record name -> version), so
it follows transactions, branches and merges as tables do, and pg_extension reports it. pgvector's
types stay usable without the extension (they are part of the engine, and repositories made before
the extension was recorded have vector columns without it); what the extension's state decides is
what CREATE and DROP EXTENSION answer and what DROP EXTENSION ... CASCADE removes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyarrow as pa

from ..errors import DataError, Notice, NotSupportedError, ProgrammingError
from ..pgcatalog.extensions import AVAILABLE
from ..pgcatalog.types import pg_type
from ..results import Result
from ..sql.pg_quoting import IDENTIFIER, STRING_LITERAL, identifier_name, literal_text
from .dependent_columns import columns_of_type, drop_dependent_columns, existing

if TYPE_CHECKING:
    from .session import Session


_CREATE = re.compile(rf"^\s*CREATE\s+EXTENSION\s+(IF\s+NOT\s+EXISTS\s+)?({IDENTIFIER})(.*?)\s*;?\s*$", re.I | re.S)
_CREATE_OPTION = re.compile(
    rf"\s*(?:(WITH)|SCHEMA\s+({IDENTIFIER})|VERSION\s+({IDENTIFIER}|{STRING_LITERAL})|(CASCADE))(?=\s|$)", re.I | re.S
)
_DROP = re.compile(
    rf"^\s*DROP\s+EXTENSION\s+(IF\s+EXISTS\s+)?((?:{IDENTIFIER})(?:\s*,\s*(?:{IDENTIFIER}))*)?(?:\s+(CASCADE|RESTRICT))?",
    re.I | re.S,
)
_SCHEMAS = {"public", "pg_catalog", "information_schema"}
_VECTOR_TYPES = {"vector", "halfvec", "sparsevec"}
"""pgvector's types: the columns of these (or arrays of them) depend on the extension."""


_COMMENT = re.compile(
    rf"^\s*COMMENT\s+ON\s+EXTENSION\s+({IDENTIFIER})\s+IS\s+({STRING_LITERAL}|NULL)\s*;?\s*$", re.I | re.S
)


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it is CREATE or DROP EXTENSION, or COMMENT ON EXTENSION; None for any other
    statement."""
    if re.match(r"^\s*CREATE\s+EXTENSION\b", text, re.I):
        return _create(session, text)
    if re.match(r"^\s*DROP\s+EXTENSION\b", text, re.I):
        return _drop(session, text)
    if re.match(r"^\s*COMMENT\s+ON\s+EXTENSION\b", text, re.I):
        return _comment(session, text)
    return None


def _comment(session: "Session", text: str) -> Result:
    """COMMENT ON EXTENSION, which pg_dump writes after each CREATE EXTENSION: an installed
    extension's comment is its control file's, so that comment is accepted as what it already is;
    another one is refused (0A000), as an extension's comment is not kept."""
    match = _COMMENT.match(text)
    if match is None:
        raise _syntax_error("")
    name = identifier_name(match.group(1))
    if name not in session.snapshot.extensions:
        raise ProgrammingError(f'extension "{name}" does not exist', sqlstate="42704")
    given = None if match.group(2).upper() == "NULL" else literal_text(match.group(2))
    if given != AVAILABLE[name].comment:
        raise NotSupportedError(f'the comment of extension "{name}" cannot be changed')
    return Result(None, 0, "COMMENT")


def _syntax_error(rest: str) -> ProgrammingError:
    """PostgreSQL's 42601 for the first word the grammar cannot take (``rest`` starts there)."""
    words = rest.strip().rstrip(";").split()
    where = f'at or near "{words[0]}"' if words else "at end of input"
    return ProgrammingError(f"syntax error {where}", sqlstate="42601")


def _create(session: "Session", text: str) -> Result:
    match = _CREATE.match(text)
    if match is None:
        raise _syntax_error("")
    if_not_exists, name, rest = bool(match.group(1)), identifier_name(match.group(2)), match.group(3)
    schema = version = None
    while rest.strip():
        option = _CREATE_OPTION.match(rest)
        if option is None:
            raise _syntax_error(rest.strip())
        schema = identifier_name(option.group(2)) if option.group(2) else schema
        version = option.group(3) or version
        rest = rest[option.end() :]
    extension = AVAILABLE.get(name)
    if extension is None:
        raise NotSupportedError(
            f'extension "{name}" is not available',
            hint="The extension must first be installed on the system where PostgreSQL is running.",
        )
    installed = dict(session.snapshot.extensions)
    if extension.always_installed or name in installed:
        if not if_not_exists:
            raise ProgrammingError(f'extension "{name}" already exists', sqlstate="42710")
        session.notice(Notice(f'extension "{name}" already exists, skipping', severity="NOTICE", sqlstate="42710"))
        return Result(None, 0, "CREATE EXTENSION")
    if schema is not None and schema not in _SCHEMAS:
        raise ProgrammingError(f'schema "{schema}" does not exist', sqlstate="3F000")
    if schema is not None and schema != extension.schema:
        raise NotSupportedError(f'extension "{name}" is installed in schema {extension.schema} only')
    if version is not None:
        wanted = literal_text(version) if version.startswith("'") else identifier_name(version)
        if wanted != extension.version:
            raise DataError(
                f'extension "{name}" has no installation script nor update path for version "{wanted}"',
                sqlstate="22023",
            )
    session.write_tx().set_extensions({**installed, name: extension.version})
    return Result(None, 0, "CREATE EXTENSION")


def _drop(session: "Session", text: str) -> Result:
    match = _DROP.match(text)
    if match is None or not match.group(2) or text[match.end() :].strip().rstrip(";").strip():
        raise _syntax_error(text[match.end() :] if match is not None else "")
    if_exists, cascade = bool(match.group(1)), (match.group(3) or "").upper() == "CASCADE"
    names = [identifier_name(n) for n in re.findall(IDENTIFIER, match.group(2))]
    installed = dict(session.snapshot.extensions)
    for name in names:
        extension = AVAILABLE.get(name)
        if extension is not None and extension.always_installed:
            raise NotSupportedError(f'extension "{name}" is built in and cannot be dropped')
    dropping = existing(session, "extension", names, installed, if_exists)
    if not dropping:
        return Result(None, 0, "DROP EXTENSION")
    tx = session.write_tx()
    dependents = columns_of_type(tx.tables, _vector_type) if "vector" in dropping else []
    drop_dependent_columns(session, tx, f"extension {dropping[0]}", dependents, cascade)
    tx.set_extensions({k: v for k, v in installed.items() if k not in dropping})
    return Result(None, 0, "DROP EXTENSION")


def _vector_type(field: pa.Field) -> str | None:
    """pgvector's name for a field's type (``vector``, ``halfvec[]`` ...), or None for other types."""
    found = pg_type(field)
    if found.name in _VECTOR_TYPES:
        return found.name
    if found.name.startswith("_") and found.name[1:] in _VECTOR_TYPES:
        return found.name[1:] + "[]"
    return None
