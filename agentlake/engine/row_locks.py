"""Row locks: ``SELECT ... FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, ...] [NOWAIT | SKIP
LOCKED]``, held until the transaction ends, as in PostgreSQL.

Agents share work through queues: each worker takes the next job with ``... ORDER BY id LIMIT 1 FOR
UPDATE SKIP LOCKED`` and must never get one another worker holds. A locking query runs with each
locked table's rowids beside its columns; each row it returns is locked in the repository's lock
table (``advisory_locks``: shared by the sessions of this process and, on local disk, by every
process), keyed by branch and rowid (an update keeps a row's rowid, so the lock follows the row).
A row another transaction holds is waited for, refused (NOWAIT: 55P03), or left out (SKIP LOCKED:
the query runs again without it, so a LIMIT still fills). Then, as PostgreSQL re-reads a row it
locked after another transaction changed it, a query one of whose rows the branch head has changed
since its snapshot runs again on the head (READ COMMITTED, and a statement outside a transaction
block); at REPEATABLE READ and SERIALIZABLE that is 40001.

Writers lock too: UPDATE, DELETE, MERGE and ON CONFLICT DO UPDATE take the exclusive lock of each
row they change (up to :data:`MAX_WRITE_LOCKS` a statement), waiting for its holder, and a writing
statement that finds a row it changes changed since its snapshot runs again on the head. So agents
that increment one counter at once each add one, in turn, where each but the first failed with 40001.
INSERT locks the primary keys it writes (:func:`lock_keys`): agents remembering the same fact with
``ON CONFLICT DO NOTHING`` or ``DO UPDATE`` at once follow each other too.

FOR UPDATE and FOR NO KEY UPDATE take the exclusive lock, FOR SHARE and FOR KEY SHARE the shared
one (so FOR KEY SHARE waits for FOR NO KEY UPDATE, which PostgreSQL lets pass). A locking query
nested in another statement (``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)``, a CTE)
runs first and the statement reads its rows. Locks reach the tables a query names in FROM (VALUES
and functions there hold none); a view or a subquery there is refused (0A000), as are the clauses
PostgreSQL refuses.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import numpy as np
import pyarrow as pa
from sqlglot import exp

from catalog.changes import locate
from catalog.datafiles import FileReader, key_has_null, key_tuples
from catalog.objects import ROWID, Manifest

from ..errors import NotSupportedError, OperationalError, ProgrammingError, SerializationFailure
from ..executors.local.result_types import normalize, restore_types
from ..executors.local.snapshot_tables import ROWS_PREFIX
from ..sql.dialect import Explain
from . import frontend
from .ddl import table_name
from .fastpath import row_by_key, rows_by_keys

if TYPE_CHECKING:
    from .session import Session

ROW_KEY_SPACE, KEY_SPACE = 3, 4
"""Row locks' and inserted keys' key spaces in the lock table (advisory locks use 1 and 2)."""
WAIT, SKIP_LOCKED, NOWAIT = 0, 1, 2  # where clauses name one table twice, NOWAIT wins, then SKIP LOCKED
MAX_RUNS = 1000
"""Runs of one locking query at most (a SKIP LOCKED run leaves out the rows it could not lock,
a run after the head moved reads it again); past it the statement gives up with 55P03."""
_LOCK_COLUMN = "__agentlake_lock_{}"

MAX_WRITE_LOCKS = 10_000
"""Rows (or keys) one writing statement locks one by one at most; a statement writing more takes no
locks (it would hold one lock-table entry per row) and is checked by its commit instead (40001
where another transaction changed one of its rows, or inserted one of its keys, meanwhile)."""


class StatementRestart(Exception):
    """A writing statement locked its rows after another transaction changed one of them since the
    statement's snapshot: the session undoes what the statement did and runs it again on the branch
    head, as PostgreSQL's READ COMMITTED re-evaluates a row it waited for."""


@dataclass
class _Target:
    """A table the query locks: its FROM entry, catalog name, lock mode and policy."""

    node: exp.Table
    name: str
    alias: str
    exclusive: bool
    policy: int


def locking(stmt: exp.Expression) -> bool:
    """Whether ``stmt`` is a SELECT with a locking clause."""
    return isinstance(stmt, exp.Select) and bool(stmt.args.get("locks"))


def lock_for_write(session: "Session", name: str, rowids: np.ndarray) -> None:
    """UPDATE, DELETE, MERGE and ON CONFLICT DO UPDATE lock the rows they change, waiting for a
    transaction that holds one (FOR UPDATE, or its own write). Concurrent writers of one row then
    follow each other, each seeing the last one's change, instead of one failing with 40001 at
    commit: a statement that finds a row it changes changed since its snapshot raises
    :class:`StatementRestart` (40001 at REPEATABLE READ and SERIALIZABLE)."""
    if not len(rowids) or len(rowids) > MAX_WRITE_LOCKS:
        return
    for rowid in np.unique(rowids).tolist():
        session.advisory_locks.lock(_key(session, ROW_KEY_SPACE, rowid), shared=False, transaction=True, wait=True)
    if _must_read_again(session, {name: rowids}):
        raise StatementRestart()


def lock_keys(session: "Session", name: str, manifest: Manifest, rows: pa.Table) -> None:
    """INSERT locks the primary keys it writes (up to :data:`MAX_WRITE_LOCKS` rows), as
    PostgreSQL's inserter holds its new row's index entry: an INSERT of the same key in another
    transaction waits for it, then (READ COMMITTED, or no transaction block) runs again and finds
    the key, so ON CONFLICT acts on it and a plain INSERT fails with 23505, where both wrote and one
    failed with 40001 at commit (as it still does at REPEATABLE READ)."""
    columns = list(manifest.primary_key or ())
    if not columns or not rows.num_rows or rows.num_rows > MAX_WRITE_LOCKS:
        return
    keys = [key for key in dict.fromkeys(key_tuples(rows, columns)) if not key_has_null(key)]
    for key in keys:
        session.advisory_locks.lock(
            _key(session, KEY_SPACE, f"{name}:{key!r}"), shared=False, transaction=True, wait=True
        )
    if not session.keeps_snapshot and _keys_appeared(session, name, keys):
        raise StatementRestart()


def run_locking_select(session: "Session", select: exp.Select) -> pa.Table:
    """The rows of a locking SELECT, each locked for the transaction (see the module docstring)."""
    targets = _targets(session, select)
    skipped: list[set[int]] = [set() for _ in targets]
    for _ in range(MAX_RUNS):
        table, rowids = _run(session, select, targets, skipped)
        missed = False
        for index, target in enumerate(targets):
            for rowid in np.unique(rowids[index]).tolist():
                if not _lock(session, target, rowid):
                    skipped[index].add(rowid)
                    missed = True
        if missed:
            continue
        if not _must_read_again(session, {target.name: ids for target, ids in zip(targets, rowids)}):
            return table
        session.read_latest()
    raise OperationalError(f'could not obtain lock on row in relation "{targets[0].name}"', sqlstate="55P03")


@contextlib.contextmanager
def nested_locks_run_first(session: "Session", stmt: exp.Expression) -> Iterator[exp.Expression]:
    """``stmt`` with each locking SELECT inside it run (its rows locked) and read back from its
    result, held as a temporary table while the statement runs. EXPLAIN locks nothing."""
    found = [node for node in stmt.find_all(exp.Select) if locking(node)]
    for node in found:
        if isinstance(node.parent, exp.SetOperation):
            raise NotSupportedError(f"{_clause_word(node.args['locks'][0])} is not allowed with UNION/INTERSECT/EXCEPT")
    if isinstance(stmt, Explain) or not any(node is not stmt for node in found):
        yield stmt
        return
    stmt = stmt.copy()
    with contextlib.ExitStack() as held:
        for node in [n for n in stmt.find_all(exp.Select) if n is not stmt and locking(n)]:
            if any(locking(inner) for inner in node.find_all(exp.Select) if inner is not node):
                raise NotSupportedError("a locking query inside another locking query is not supported")
            if _correlated(node):
                raise NotSupportedError(
                    f"{_clause_word(node.args['locks'][0])} in a correlated subquery is not supported"
                )
            rows = run_locking_select(session, node)
            name = held.enter_context(session.temp_table("locked_rows", rows))
            node.replace(exp.select(*[exp.column(f, quoted=True) for f in rows.column_names]).from_(name))
        yield stmt


def _correlated(select: exp.Select) -> bool:
    """Whether ``select`` names a table of an enclosing query (it cannot run alone)."""
    own = {table.alias_or_name for table in select.find_all(exp.Table)}
    own |= {alias.name for alias in select.find_all(exp.TableAlias)}
    return any(column.table and column.table not in own for column in select.find_all(exp.Column))


def _targets(session: "Session", select: exp.Select) -> list[_Target]:
    """The tables the clauses lock, each with its strongest mode and policy."""
    _check_lockable(select)
    clauses = select.args["locks"]
    entries = _from_entries(select)
    by_alias = {entry.alias_or_name: entry for entry in entries}
    found: dict[str, _Target] = {}
    for clause in clauses:
        word = _clause_word(clause)
        if isinstance(clause.args.get("wait"), exp.Expression):
            raise ProgrammingError('syntax error at or near "WAIT"', sqlstate="42601")
        policy = {True: NOWAIT, False: SKIP_LOCKED}.get(clause.args.get("wait"), WAIT)
        named = [t.name for t in clause.expressions]
        for alias in named or [a for a, entry in by_alias.items() if _is_table(entry)]:
            entry = by_alias.get(alias)
            if entry is None:
                raise ProgrammingError(
                    f'relation "{alias}" in {word} clause not found in FROM clause', sqlstate="42P01"
                )
            target = found.get(alias) or _target(session, entry, word)
            target.exclusive |= bool(clause.args.get("update"))
            target.policy = max(target.policy, policy)
            found[alias] = target
    return list(found.values())


def _is_table(entry: exp.Expression) -> bool:
    """A relation of FROM that holds rows to lock; the others (VALUES, functions) lock nothing
    unless a clause names them."""
    if isinstance(entry, exp.Subquery):
        return not isinstance(entry.this, exp.Values)
    return isinstance(entry, exp.Table) and isinstance(entry.this, exp.Identifier)


def _target(session: "Session", entry: exp.Expression, word: str) -> _Target:
    if isinstance(entry, exp.Subquery) and isinstance(entry.this, exp.Values) or isinstance(entry, exp.Values):
        raise NotSupportedError(f"{word} cannot be applied to VALUES")
    if isinstance(entry, exp.Subquery):
        raise NotSupportedError(f"{word} of a subquery in FROM is not supported: lock the rows of its tables")
    if not _is_table(entry):
        raise NotSupportedError(f"{word} cannot be applied to a function")
    name = table_name(entry)
    snapshot = session.snapshot
    if name in snapshot.views:
        raise NotSupportedError(f"{word} of a view is not supported: lock the rows of its tables")
    snapshot.manifest(name)  # 42P01
    _check_not_nullable_side(entry, word)
    return _Target(entry, name, entry.alias_or_name, False, WAIT)


def _from_entries(select: exp.Select) -> list[exp.Expression]:
    """The relations of the query's FROM and JOINs."""
    entries = []
    from_ = select.args.get("from_")
    if from_ is not None:
        entries += [from_.this, *from_.expressions]
    entries += [join.this for join in select.args.get("joins") or []]
    return entries


def _check_not_nullable_side(entry: exp.Table, word: str) -> None:
    join = entry.parent
    if not isinstance(join, exp.Join):
        return
    side = (join.side or "").upper()
    if side in ("LEFT", "FULL"):
        raise NotSupportedError(f"{word} cannot be applied to the nullable side of an outer join")
    if side == "RIGHT":  # the tables before a RIGHT JOIN are its nullable side: refuse rather than guess
        raise NotSupportedError(f"{word} with RIGHT JOIN is not supported")


def _clause_word(clause: exp.Lock) -> str:
    if clause.args.get("update"):
        return "FOR NO KEY UPDATE" if clause.args.get("key") else "FOR UPDATE"
    return "FOR KEY SHARE" if clause.args.get("key") else "FOR SHARE"


def _check_lockable(select: exp.Select) -> None:
    """PostgreSQL's refusals: a row of a grouped, distinct or windowed result is no table's row."""
    word = _clause_word(select.args["locks"][0])
    if select.args.get("distinct"):
        reason = "DISTINCT clause"
    elif select.args.get("group"):
        reason = "GROUP BY clause"
    elif select.args.get("having"):
        reason = "HAVING clause"
    elif any(_own(select, node) for node in select.find_all(exp.AggFunc)):
        reason = "aggregate functions"
    elif any(_own(select, node) for node in select.find_all(exp.Window)):
        reason = "window functions"
    else:
        return
    raise NotSupportedError(f"{word} is not allowed with {reason}")


def _own(select: exp.Select, node: exp.Expression) -> bool:
    """Whether ``node`` belongs to ``select`` itself, not to a subquery of it."""
    return node.find_ancestor(exp.Select) is select


def _run(session: "Session", select: exp.Select, targets: list[_Target], skipped: list[set[int]]):
    """The query's rows, without its locking clauses and the rows in ``skipped``, and each target's
    rowids for them."""
    found = _run_by_key(session, select, targets, skipped)
    if found is not None:
        return found
    tree = select.copy()
    session.apply_typed_rewrites(tree)  # on the tables' own names: they decide the columns' types
    tree.set("locks", None)
    by_node = {id(node): index for index, node in enumerate(_from_entries(select))}
    entries = _from_entries(tree)
    for index, target in enumerate(targets):
        node = entries[by_node[id(target.node)]]
        node.set("this", exp.to_identifier(ROWS_PREFIX + target.name, quoted=True))
        node.set("alias", exp.TableAlias(this=exp.to_identifier(target.alias, quoted=True)))
        rowid = exp.column(ROWID, table=target.alias, quoted=True)
        tree.select(rowid.as_(_LOCK_COLUMN.format(index), quoted=True), copy=False)
        if skipped[index]:
            tree.where(exp.not_(rowid.isin(*[exp.Literal.number(r) for r in sorted(skipped[index])])), copy=False)
    table = normalize(session.runner.sync().sql(frontend.to_datafusion_sql(tree)).to_arrow_table())
    width = table.num_columns - len(targets)
    rowids = [table.column(width + index).to_numpy() for index in range(len(targets))]
    kept = [i for i, name in enumerate(table.column_names[:width]) if name != ROWID]  # SELECT * brings them
    return restore_types(table.select(kept), session.snapshot, select), rowids


def _run_by_key(session: "Session", select: exp.Select, targets: list[_Target], skipped: list[set[int]]):
    """:func:`_run` for a query of one table by its whole primary key (``SELECT ... WHERE id = $1
    FOR UPDATE``): the row's rowid from the key maps and its columns by the key-lookup path, no
    plan; None for any other query."""
    if len(targets) != 1 or len(_from_entries(select)) != 1:
        return None
    target = targets[0]
    found = row_by_key(session, session.snapshot.manifest(target.name), target.alias, select.args.get("where"))
    if found is None:
        return None
    query = select.copy()
    query.set("locks", None)
    table = session.runner.run_query(query)
    rowids = found.column(ROWID).to_numpy()
    if not table.num_rows or set(rowids.tolist()) & skipped[0]:  # LIMIT 0, or a row SKIP LOCKED left out
        return table.slice(0, 0), [rowids[:0]]
    return table, [rowids]


def _key(session: "Session", space: int, what: object) -> tuple[int, int]:
    """The lock of a row (``what`` its rowid) or of an inserted key (``what`` its table and key) on
    the session's branch: other branches' agents never wait for it."""
    digest = hashlib.blake2b(f"{session.branch}:{what}".encode(), digest_size=8).digest()
    return (space, int.from_bytes(digest, "big"))


def _lock(session: "Session", target: _Target, rowid: int) -> bool:
    """Lock one row for the transaction; False when SKIP LOCKED leaves it out."""
    key = _key(session, ROW_KEY_SPACE, rowid)
    locks = session.advisory_locks
    if locks.lock(key, shared=not target.exclusive, transaction=True, wait=False):
        return True
    if target.policy == SKIP_LOCKED:
        return False
    if target.policy == NOWAIT:
        raise OperationalError(f'could not obtain lock on row in relation "{target.name}"', sqlstate="55P03")
    return locks.lock(key, shared=not target.exclusive, transaction=True, wait=True)


def _must_read_again(session: "Session", rows: dict[str, np.ndarray]) -> bool:
    """Whether any of these rows (rowids by table) changed on the branch head since the snapshot
    the statement read them in: it is to read them again, or, where its transaction keeps its
    snapshot, fail with 40001."""
    tables = _head_and_read(session)
    if tables is None:
        return False
    head, read = tables
    if not any(_changed(head.get(name), read.get(name), rowids, session.repo.files) for name, rowids in rows.items()):
        return False
    if session.keeps_snapshot:
        raise SerializationFailure("could not serialize access due to concurrent update", sqlstate="40001")
    return True


def _keys_appeared(session: "Session", name: str, keys: list) -> bool:
    """Whether the branch head has a row with one of ``keys`` that the statement's snapshot has not."""
    tables = _head_and_read(session)
    if tables is None:
        return False
    head, read = (found.get(name) for found in tables)
    if head is None or read is None or head.encoded[0] == read.encoded[0]:
        return False
    now, _ = rows_by_keys(session, head, keys)
    before, _ = rows_by_keys(session, read, list(now))
    return any(before.get(key) != rowid for key, rowid in now.items())


def _head_and_read(session: "Session") -> tuple[dict[str, Manifest], dict[str, Manifest]] | None:
    """The tables of the branch head and of the commit the statement reads; None when they are one."""
    head_id = session.repo.head(session.branch)
    if session.reading_commit == head_id:
        return None
    return session.repo.snapshot_at(head_id).tables, session.repo.snapshot_at(session.reading_commit).tables


def _changed(head: Manifest | None, read: Manifest | None, rowids: np.ndarray, files: FileReader) -> bool:
    """Whether a row of ``rowids`` is not where it was in ``read``: updated, deleted or moved by
    compaction on ``head`` (a move only costs the statement another run)."""
    if head is None or read is None:
        return True
    if head is read or head.encoded[0] == read.encoded[0] or not len(rowids):
        return False
    now = {head.files[index].id: set(ids.tolist()) for index, ids in locate(head, rowids, files).items()}
    return any(
        not set(ids.tolist()) <= now.get(read.files[index].id, set())
        for index, ids in locate(read, rowids, files).items()
    )
