"""CREATE SEQUENCE, ALTER SEQUENCE and DROP SEQUENCE, with PostgreSQL's options and errors.

A branch's standalone sequences are catalog state (name -> definition, recorded by its commits),
so creating, altering and dropping one follows transactions, branches and merges as a table does.
Their values come from a repository counter the definition names (a new one for each CREATE), so
nextval is never rolled back and two branches never hand out the same value, as with serial
columns (:mod:`.sequences` hands the values out). ``CACHE`` is accepted and checked but changes
nothing: no process keeps values ahead. ``ALTER SEQUENCE ... RESTART`` also restarts the sequence
of a serial or identity column, as test suites reset ids.

The statements are read from their text: sqlglot's reading of CREATE SEQUENCE turns ``NO CYCLE``
into CYCLE and drops ``OWNED BY NONE``.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import Notice, NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.pg_quoting import identifier_name
from .dependent_columns import existing
from .sequences import restart, restart_serial, serial_owner

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session

RANGES = {"int2": (-(2**15), 2**15 - 1), "int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1)}
"""Each sequence data type's values."""
_TYPE_NAMES = {"smallint": "int2", "int2": "int2", "integer": "int4", "int": "int4", "int4": "int4"} | {
    "bigint": "int8",
    "int8": "int8",
}
_TOKEN = re.compile(r'"(?:[^"]|"")*"|[-+]?\d+|[A-Za-z_][\w$]*|\.|\S')
_HEAD = re.compile(
    r"^\s*(CREATE|ALTER)\s+(?:(TEMP|TEMPORARY|UNLOGGED)\s+)?SEQUENCE\s+(IF\s+(?:NOT\s+)?EXISTS\s+)?(.*?)\s*;?\s*$",
    re.I | re.S,
)


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it is CREATE or ALTER SEQUENCE; None for any other statement."""
    head = _HEAD.match(text)
    if head is None:
        return None
    verb, persistence, guard, rest = head.groups()
    if persistence is not None:
        raise NotSupportedError(f"{persistence.upper()} sequences are not supported")
    tokens = _TOKEN.findall(rest)
    name, tokens = _qualified_name(tokens)
    if verb.upper() == "CREATE":
        return _create(session, name, tokens, if_not_exists=guard is not None)
    return _alter(session, name, tokens, if_exists=guard is not None)


def drop_sequences(session: "Session", names: list[str], if_exists: bool) -> Result:
    """DROP SEQUENCE: 42P01 for one the branch lacks (a NOTICE with IF EXISTS). A serial column's
    sequence goes with its column, as PostgreSQL's does (2BP01 here, as there without CASCADE)."""
    tx = session.write_tx()
    for name in names:
        if serial_owner(tx.tables, name) is not None:
            raise ProgrammingError(
                f"cannot drop sequence {name} because other objects depend on it",
                sqlstate="2BP01",
                hint="The sequence belongs to a serial or identity column; drop the column instead.",
            )
    dropping = existing(session, "sequence", names, tx.sequences, if_exists, sqlstate="42P01")
    if dropping:
        tx.set_sequences({n: spec for n, spec in tx.sequences.items() if n not in dropping})
    return Result(None, 0, "DROP SEQUENCE")


def drop_owned(tx: "Transaction", table: str) -> None:
    """The sequences OWNED BY a column of ``table``, dropped with it."""
    kept = {n: spec for n, spec in tx.sequences.items() if _owning_table(spec) != table}
    if len(kept) != len(tx.sequences):
        tx.set_sequences(kept)


def follow_renamed_table(tx: "Transaction", old: str, new: str) -> None:
    """The sequences OWNED BY a column of a renamed table stay owned by it."""
    sequences = {
        name: {**spec, "owned_by": [new, spec["owned_by"][1]]} if _owning_table(spec) == old else spec
        for name, spec in tx.sequences.items()
    }
    if sequences != tx.sequences:
        tx.set_sequences(sequences)


def _taken(tx: "Transaction", name: str) -> bool:
    """Whether a relation has ``name``: a table, view, sequence or serial column's sequence."""
    return name in tx.tables or name in tx.views or name in tx.sequences or serial_owner(tx.tables, name) is not None


def _owning_table(spec: dict) -> str | None:
    return spec["owned_by"][0] if spec.get("owned_by") else None


def _qualified_name(tokens: list[str]) -> tuple[str, list[str]]:
    """The sequence's name (``public.`` dropped) and the tokens after it."""
    if len(tokens) >= 3 and tokens[1] == ".":
        if identifier_name(tokens[0]) != "public":
            raise ProgrammingError(f'schema "{identifier_name(tokens[0])}" does not exist', sqlstate="3F000")
        tokens = tokens[2:]
    if not tokens or not re.match(r'^(?:"|[A-Za-z_])', tokens[0]):
        raise ProgrammingError("syntax error: a sequence name is expected", sqlstate="42601")
    return identifier_name(tokens[0]), tokens[1:]


def _create(session: "Session", name: str, tokens: list[str], if_not_exists: bool) -> Result:
    tx = session.write_tx()
    if _taken(tx, name):
        if if_not_exists:
            session.notice(Notice(f'relation "{name}" already exists, skipping', severity="NOTICE", sqlstate="42P07"))
            return Result(None, 0, "CREATE SEQUENCE")
        raise ProgrammingError(f'relation "{name}" already exists', sqlstate="42P07")
    options = _options(tokens, creating=True)
    if "restart" in options or "rename" in options:
        raise ProgrammingError("syntax error: RESTART and RENAME belong to ALTER SEQUENCE", sqlstate="42601")
    spec = _settled({"type": "int8", "increment": 1, "cycle": False, "owned_by": None}, options, fresh=True)
    spec["origin"] = spec["start"]
    spec["counter"] = f"sequence.{name}.{uuid.uuid4().hex}"
    _check_owner(tx, spec["owned_by"])
    tx.set_sequences({**tx.sequences, name: spec})
    return Result(None, 0, "CREATE SEQUENCE")


def _alter(session: "Session", name: str, tokens: list[str], if_exists: bool) -> Result:
    tx = session.write_tx()
    done = Result(None, 0, "ALTER SEQUENCE")
    serial = serial_owner(tx.tables, name)
    if serial is not None:
        return _alter_serial(session, name, tokens)
    if name not in tx.sequences:
        if if_exists:
            session.notice(f'relation "{name}" does not exist, skipping')
            return done
        raise ProgrammingError(f'relation "{name}" does not exist', sqlstate="42P01")
    options = _options(tokens, creating=False)
    if "rename" in options:
        return _rename(tx, name, options["rename"])
    spec = _settled(dict(tx.sequences[name]), options, fresh=False)
    _check_owner(tx, spec["owned_by"])
    tx.set_sequences({**tx.sequences, name: spec})
    if "restart" in options:
        restart(session, spec, spec["start"] if options["restart"] is None else options["restart"])
    return done


def _alter_serial(session: "Session", name: str, tokens: list[str]) -> Result:
    """ALTER SEQUENCE of a serial or identity column's sequence: RESTART [WITH n] only."""
    options = _options(tokens, creating=False)
    if set(options) != {"restart"}:
        raise NotSupportedError(
            f'the sequence "{name}" of a serial or identity column can only be restarted'
            " (ALTER SEQUENCE ... RESTART [WITH n]); change the column's identity options instead"
        )
    restart_serial(session, name, options["restart"])
    return Result(None, 0, "ALTER SEQUENCE")


def _rename(tx: "Transaction", name: str, new: str) -> Result:
    if _taken(tx, new):
        raise ProgrammingError(f'relation "{new}" already exists', sqlstate="42P07")
    sequences = {(new if n == name else n): spec for n, spec in tx.sequences.items()}
    tx.set_sequences(sequences)
    return Result(None, 0, "ALTER SEQUENCE")


def _options(tokens: list[str], creating: bool) -> dict[str, Any]:
    """The options written, by name (``None`` for NO MINVALUE / NO MAXVALUE and a bare RESTART)."""
    found: dict[str, Any] = {}
    at = 0

    def word(offset: int = 0) -> str:
        return tokens[at + offset].upper() if at + offset < len(tokens) else ""

    def number(after: int) -> int:
        if at + after >= len(tokens) or not re.fullmatch(r"[-+]?\d+", tokens[at + after]):
            raise ProgrammingError(
                f'syntax error at or near "{" ".join(tokens[at : at + after + 1])}"', sqlstate="42601"
            )
        return int(tokens[at + after])

    def once(key: str, value: Any) -> None:
        if key in found:
            raise ProgrammingError("conflicting or redundant options", sqlstate="42601")
        found[key] = value

    while at < len(tokens):
        head = word()
        if head == "AS" and creating:
            type_name = tokens[at + 1].lower() if at + 1 < len(tokens) else ""
            if type_name not in _TYPE_NAMES:
                raise ProgrammingError("sequence type must be smallint, integer, or bigint", sqlstate="22023")
            once("type", _TYPE_NAMES[type_name])
            at += 2
        elif head in ("INCREMENT", "START"):
            skip = 2 if word(1) in ("BY", "WITH") else 1
            once(head.lower(), number(skip))
            at += skip + 1
        elif head in ("MINVALUE", "MAXVALUE", "CACHE"):
            value = number(1)
            if head == "CACHE" and value < 1:
                raise ProgrammingError(f"CACHE ({value}) must be greater than zero", sqlstate="22023")
            if head != "CACHE":
                once(head.lower(), value)
            at += 2
        elif head == "NO" and word(1) in ("MINVALUE", "MAXVALUE", "CYCLE"):
            once(word(1).lower(), False if word(1) == "CYCLE" else None)
            at += 2
        elif head == "CYCLE":
            once("cycle", True)
            at += 1
        elif head == "RESTART" and not creating:
            with_value = word(1) == "WITH" or re.fullmatch(r"[-+]?\d+", tokens[at + 1] if at + 1 < len(tokens) else "")
            skip = 2 if word(1) == "WITH" else 1
            once("restart", number(skip) if with_value else None)
            at += skip + 1 if with_value else 1
        elif head == "OWNED" and word(1) == "BY":
            owner, at = _owner(tokens, at + 2)
            once("owned_by", owner)
        elif head == "RENAME" and word(1) == "TO" and not creating and at + 2 < len(tokens):
            once("rename", identifier_name(tokens[at + 2]))
            at += 3
        else:
            raise ProgrammingError(f'syntax error at or near "{tokens[at]}"', sqlstate="42601")
    return found


def _owner(tokens: list[str], at: int) -> tuple[list[str] | None, int]:
    """OWNED BY NONE, or ``table.column`` (schema-qualified or not)."""
    if at < len(tokens) and tokens[at].upper() == "NONE":
        return None, at + 1
    parts = []
    while at < len(tokens) and tokens[at] != ".":
        parts.append(identifier_name(tokens[at]))
        at += 1
        if at < len(tokens) and tokens[at] == ".":
            at += 1
            continue
        break
    if len(parts) == 3 and parts[0] == "public":
        parts = parts[1:]
    if len(parts) != 2:
        raise ProgrammingError(
            "invalid OWNED BY option", sqlstate="42601", hint="Specify OWNED BY table.column or OWNED BY NONE."
        )
    return parts, at


def _settled(spec: dict, options: dict[str, Any], fresh: bool) -> dict:
    """The definition ``options`` make of ``spec``, with PostgreSQL's defaults and checks: the
    bounds follow the type and the direction unless given, START defaults to the bound it counts
    from, and a START or bound outside them is 22023."""
    spec = dict(spec)
    spec.update({k: v for k, v in options.items() if k in ("type", "increment", "cycle", "owned_by")})
    if spec["increment"] == 0:
        raise ProgrammingError("INCREMENT must not be zero", sqlstate="22023")
    low, high = RANGES[spec["type"]]
    ascending = spec["increment"] > 0
    for key, default in (("minvalue", 1 if ascending else low), ("maxvalue", high if ascending else -1)):
        given = options.get(key, spec.get(key) if not fresh else None)
        if key in options and options[key] is None:
            given = None
        value = default if given is None else given
        if not low <= value <= high:
            raise ProgrammingError(
                f"{key.upper()} ({value}) is out of range for sequence data type {_sql_type(spec['type'])}",
                sqlstate="22023",
            )
        spec[key] = value
    if spec["minvalue"] >= spec["maxvalue"]:
        raise ProgrammingError(
            f"MINVALUE ({spec['minvalue']}) must be less than MAXVALUE ({spec['maxvalue']})", sqlstate="22023"
        )
    start = options.get("start", None if fresh else spec.get("start"))
    spec["start"] = (spec["minvalue"] if ascending else spec["maxvalue"]) if start is None else start
    if spec["start"] < spec["minvalue"]:
        raise ProgrammingError(
            f"START value ({spec['start']}) cannot be less than MINVALUE ({spec['minvalue']})", sqlstate="22023"
        )
    if spec["start"] > spec["maxvalue"]:
        raise ProgrammingError(
            f"START value ({spec['start']}) cannot be greater than MAXVALUE ({spec['maxvalue']})", sqlstate="22023"
        )
    restart = options.get("restart")
    if restart is not None and not spec["minvalue"] <= restart <= spec["maxvalue"]:
        bound = "less than MINVALUE" if restart < spec["minvalue"] else "greater than MAXVALUE"
        limit = spec["minvalue"] if restart < spec["minvalue"] else spec["maxvalue"]
        raise ProgrammingError(f"RESTART value ({restart}) cannot be {bound} ({limit})", sqlstate="22023")
    return spec


def _check_owner(tx: "Transaction", owner: list[str] | None) -> None:
    if owner is None:
        return
    table, column = owner
    if table not in tx.tables:
        raise ProgrammingError(f'relation "{table}" does not exist', sqlstate="42P01")
    if column not in tx.tables[table].schema.names:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")


def _sql_type(internal: str) -> str:
    return {"int2": "smallint", "int4": "integer", "int8": "bigint"}[internal]
