"""agentlake's PostgreSQL dialect for sqlglot.

sqlglot's PostgreSQL dialect reads ``<=>`` as IS NOT DISTINCT FROM and cannot
parse pgvector's ``<#>`` and ``<+>``, SAVEPOINT, RELEASE, SHOW or RESET
(docs/ARCHITECTURE.md, "Decisions"). This subclass adds them as their own nodes so the
engine can dispatch on them and the rewrite rules can turn them into
functions DataFusion knows.
"""

from __future__ import annotations

import logging
import re

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import TokenType
from sqlglot.trie import new_trie

_TOKEN_NEG_IP = TokenType.DOTCARET


def _not_command_fallback(record: logging.LogRecord) -> bool:
    """sqlglot warns on stderr when it keeps a statement as text (CREATE EXTENSION, REINDEX); the
    engine answers such statements itself, with an error where it must, so the warning is noise."""
    return "Falling back to parsing as a 'Command'" not in record.getMessage()


ON_COMMIT_DROP = "on_commit_drop"
"""Meta key of an OnCommitProperty that says ``ON COMMIT DROP`` (sqlglot knows PRESERVE and DELETE ROWS)."""
WRITTEN_NAME = "written_name"
"""Meta key of a function node: the name it was called by, lower case (``Parser._parse_function_call``)."""
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


logging.getLogger("sqlglot").addFilter(_not_command_fallback)
_TOKEN_L1 = TokenType.MATCH_CONDITION
_TOKEN_HAMMING = TokenType.DCOLONDOLLAR
_TOKEN_JACCARD = TokenType.DCOLONPERCENT
_ONE_INTERVAL_PART = re.compile(r"\s*-?[0-9]+(?:\.[0-9]+)?\s*[a-zA-Z]+\s*")


class CosineDistance(exp.Expression, exp.Binary):
    """``a <=> b``"""


class NegativeInnerProduct(exp.Expression, exp.Binary):
    """``a <#> b``"""


class L1Distance(exp.Expression, exp.Binary):
    """``a <+> b``"""


class HammingDistance(exp.Expression, exp.Binary):
    """``a <~> b`` (bit strings)"""


class JaccardDistance(exp.Expression, exp.Binary):
    """``a <%> b`` (bit strings)"""


def folded_name(node: exp.Expression) -> str:
    """A name (of a savepoint, cursor, channel) as PostgreSQL compares it: unquoted names fold to lower case."""
    return node.name if isinstance(node, exp.Identifier) and node.quoted else node.name.lower()


class Savepoint(exp.Expression):
    arg_types = {"this": True}


class Release(exp.Expression):
    arg_types = {"this": True}


class Show(exp.Expression):
    arg_types = {"this": True}


class Listen(exp.Expression):
    arg_types = {"this": True}


class Unlisten(exp.Expression):
    arg_types = {"this": False}  # None: UNLISTEN *


class Notify(exp.Expression):
    arg_types = {"this": True, "expression": False}  # the channel and the payload


class Reset(exp.Expression):
    arg_types = {"this": False}


_MAINTENANCE_WORDS = frozenset({"FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE", "SKIP_LOCKED"})
"""The option words VACUUM and ANALYZE take unparenthesized (PostgreSQL's older syntax)."""


class Maintenance(exp.Expression):
    """``VACUUM`` or ``ANALYZE`` (``this``), with the options named (``FULL``, ``VERBOSE``, a
    parenthesized list's names, upper-cased) and the tables named, each an ``exp.Table``."""

    arg_types = {"this": True, "options": False, "tables": False}


class Prepare(exp.Expression):
    """``PREPARE name [(type, ...)] AS statement``: ``types`` as written, ``text`` the statement's SQL."""

    arg_types = {"this": True, "types": False, "text": True}


IDENTITY_SEQUENCE = "identity_sequence"
"""Meta key of a GeneratedAsIdentityColumnConstraint naming its sequence (``SEQUENCE NAME s``)."""


class TwoPhase(exp.Expression):
    """``PREPARE TRANSACTION 'id'``, ``COMMIT PREPARED 'id'`` or ``ROLLBACK PREPARED 'id'`` (``this``
    the word: PREPARE, COMMIT or ROLLBACK; ``id`` the transaction's identifier)."""

    arg_types = {"this": True, "id": True}


class ExecutePrepared(exp.Expression):
    """``EXECUTE name [(argument, ...)]``."""

    arg_types = {"this": True, "expressions": False}


class Deallocate(exp.Expression):
    """``DEALLOCATE [PREPARE] name | ALL``: ``this`` None for ALL."""

    arg_types = {"this": False}


class Discard(exp.Expression):
    """``DISCARD ALL | PLANS | SEQUENCES | TEMP``: ``this`` is the word, upper-cased (TEMPORARY is TEMP)."""

    arg_types = {"this": True}


class Explain(exp.Expression):
    arg_types = {"this": True, "analyze": False}


class DeclareCursor(exp.Expression):
    """``DECLARE name [BINARY] [INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query``;
    ``scroll`` is None when neither SCROLL nor NO SCROLL is written."""

    arg_types = {"this": True, "expression": True, "scroll": False, "hold": False, "binary": False}


class FetchCursor(exp.Expression):
    """``FETCH`` (or, with ``move``, ``MOVE``) in PostgreSQL's terms: ``direction`` FORWARD,
    BACKWARD, ABSOLUTE or RELATIVE and a ``count`` (None: ALL)."""

    arg_types = {"this": True, "direction": True, "count": False, "move": False}


class CloseCursor(exp.Expression):
    """``CLOSE name``, or ``CLOSE ALL`` (no ``this``)."""

    arg_types = {"this": False}


_SCROLL_WORDS = {True: "SCROLL ", False: "NO SCROLL "}
_COUNT_TOKENS = (TokenType.NUMBER, TokenType.DASH, TokenType.PLUS)  # a FETCH count: 5, -5, +5

# FETCH's directions as PostgreSQL's grammar reads them: (direction, count; None is ALL).
_FETCH_WORDS = {
    "NEXT": ("FORWARD", 1),
    "PRIOR": ("BACKWARD", 1),
    "FIRST": ("ABSOLUTE", 1),
    "LAST": ("ABSOLUTE", -1),
    "ALL": ("FORWARD", None),
}


# SHOW spellings that PostgreSQL maps to a setting's real name.
_SETTING_ALIASES = {"TRANSACTION ISOLATION LEVEL": "transaction_isolation", "TIME ZONE": "TimeZone"}

VECTOR_OPERATORS = {
    exp.Distance: "l2_distance",
    CosineDistance: "cosine_distance",
    NegativeInnerProduct: "negative_inner_product",
    L1Distance: "l1_distance",
    exp.CosineDistance: "cosine_distance",
}  # the last: sqlglot's node for cosine_distance(a, b)
BIT_OPERATORS = {HammingDistance: "hamming_distance", JaccardDistance: "jaccard_distance"}


OVERRIDING = "overriding"
"""Meta key of an INSERT written with OVERRIDING SYSTEM VALUE ("system") or USER VALUE ("user")."""
START_TRANSACTION = "start_transaction"
"""Meta key of a transaction begun with START TRANSACTION, whose command tag says so."""


def _timezone_call(args: list[exp.Expression]) -> exp.Expression:
    """``timezone(zone, ts)`` is PostgreSQL's function spelling of ``ts AT TIME ZONE zone``."""
    if len(args) != 2:
        return exp.Anonymous(this="timezone", expressions=args)
    return exp.AtTimeZone(this=args[1], zone=args[0])


def _date_bin_call(args: list[exp.Expression]) -> exp.Expression:
    """``date_bin(stride, source, origin)``, its quoted stride an interval and its quoted origin a
    timestamp, as PostgreSQL types them (sqlglot read the origin as a date part)."""
    typed = {0: "INTERVAL", 2: "TIMESTAMP"}
    return exp.Anonymous(
        this="date_bin",
        expressions=[
            exp.Cast(this=a, to=exp.DataType.build(typed[n]))
            if n in typed and isinstance(a, exp.Literal) and a.is_string
            else a
            for n, a in enumerate(args)
        ],
    )


class AgentlakePostgres(Postgres):
    class Tokenizer(Postgres.Tokenizer):
        KEYWORDS = {
            **Postgres.Tokenizer.KEYWORDS,
            "<#>": _TOKEN_NEG_IP,
            "<+>": _TOKEN_L1,
            "<~>": _TOKEN_HAMMING,
            "<%>": _TOKEN_JACCARD,
            "SHOW": TokenType.VAR,
            "EXPLAIN": TokenType.VAR,
            "RESET": TokenType.VAR,
            # sqlglot >= 30.31 tokenizes these as COMMAND, which swallows the rest of the
            # statement as one string ("RELEASE SAVEPOINT b" released a savepoint named
            # "SAVEPOINT b"); as plain words they reach the statement parsers below.
            "SAVEPOINT": TokenType.VAR,
            "RELEASE": TokenType.VAR,
            "DECLARE": TokenType.VAR,  # a command to sqlglot (the rest kept as text), a cursor here
            "VACUUM": TokenType.VAR,
            "PREPARE": TokenType.VAR,
        }
        COMMANDS = Postgres.Tokenizer.COMMANDS - {TokenType.FETCH, TokenType.EXECUTE}

    class Parser(Postgres.Parser):
        def _parse_insert(self) -> exp.Expression:
            """INSERT, with PostgreSQL's ``OVERRIDING SYSTEM VALUE`` / ``USER VALUE`` after the column
            list (sqlglot reads neither) kept in the statement's meta under ``OVERRIDING``."""
            self._overriding = None
            insert = super()._parse_insert()
            if self._overriding is not None:
                insert.meta[OVERRIDING] = self._overriding
            return insert

        def _parse_exists(self, not_: bool = False) -> bool | None:
            # INSERT reads IF [NOT] EXISTS right after its column list: where OVERRIDING stands
            for kind in ("SYSTEM", "USER"):
                if self._match_text_seq("OVERRIDING", kind, "VALUE"):
                    self._overriding = kind.lower()
            return super()._parse_exists(not_)

        # PostgreSQL has no lambdas: `f(doc->'k')` is JSON access; `f(name => value)` names an argument
        LAMBDAS: dict = {TokenType.FARROW: Postgres.Parser.LAMBDAS[TokenType.FARROW]}
        # PostgreSQL binds user-defined operators (pgvector's) looser than + - * /
        # and tighter than comparisons: sqlglot's BITWISE level, where || also sits.
        EQUALITY = {k: v for k, v in Postgres.Parser.EQUALITY.items() if k != TokenType.NULLSAFE_EQ}
        FACTOR = {k: v for k, v in Postgres.Parser.FACTOR.items() if k != TokenType.LR_ARROW}
        BITWISE = {
            **Postgres.Parser.BITWISE,
            TokenType.LR_ARROW: exp.Distance,
            TokenType.NULLSAFE_EQ: CosineDistance,
            _TOKEN_NEG_IP: NegativeInnerProduct,
            _TOKEN_L1: L1Distance,
            _TOKEN_HAMMING: HammingDistance,
            _TOKEN_JACCARD: JaccardDistance,
        }

        SET_PARSERS = {
            **Postgres.Parser.SET_PARSERS,
            "TIME ZONE": lambda self: self._parse_set_time_zone(),
            "TRANSACTION": lambda self: self._parse_transaction_settings(""),
            "SESSION": lambda self: (
                self._parse_transaction_settings("default_")
                if self._match_text_seq("CHARACTERISTICS", "AS", "TRANSACTION")
                else self._parse_set_item_assignment("SESSION")
            ),
        }
        SET_TRIE = new_trie(key.split(" ") for key in SET_PARSERS)
        # to_char's, to_timestamp's and to_date's templates stay as written (sqlglot translates them
        # to strftime's, losing FM, MS, Month's padding, quoted text), and div stays a call (sqlglot
        # reads it as a cast, named "numeric"): sql/rules/text_formatting, postgres_functions and
        # function_synonyms read them
        # E'...' is text with its escapes read (the tokenizer reads them): a string constant like any
        # other, so every rule reading quoted constants reads it too (sqlglot made it a ByteString)
        PRIMARY_PARSERS = {
            **Postgres.Parser.PRIMARY_PARSERS,
            TokenType.BYTE_STRING: lambda self, token: self.expression(
                exp.Literal(this=token.text, is_string=True), token
            ),
        }
        FUNCTIONS = {
            **Postgres.Parser.FUNCTIONS,
            "TO_CHAR": lambda args: exp.Anonymous(this="to_char", expressions=args),
            "TO_TIMESTAMP": lambda args: exp.Anonymous(this="to_timestamp", expressions=args),
            "TO_DATE": lambda args: exp.Anonymous(this="to_date", expressions=args),
            "DIV": lambda args: exp.Anonymous(this="div", expressions=args),
            "TIMEZONE": lambda args: _timezone_call(args),
            "DATE_BIN": lambda args: _date_bin_call(args),
        }

        def _parse_function_call(self, *args, **kwargs) -> exp.Expression | None:
            """Records the name a function was called by (``char_length``, ``now``, ``strpos``) in its
            node's meta: sqlglot's canonical node forgets it (``Length``, ``CurrentTimestamp``,
            ``StrPosition``), and PostgreSQL names an output column after it."""
            written = self._curr.text if self._curr is not None else ""
            func = super()._parse_function_call(*args, **kwargs)
            target = func
            while isinstance(target, (exp.Window, exp.Filter)):  # f(x) FILTER (...) OVER (...): the call itself
                target = target.this
            if isinstance(target, (exp.Func, exp.Mod)) and _FUNCTION_NAME.fullmatch(written):
                target.meta.setdefault(WRITTEN_NAME, written.lower())
            return func

        def _parse_types(self, *args, **kwargs) -> exp.Expression | None:
            """sqlglot reads ``oid`` and the ``reg*`` types, but not their arrays (``$1::oid[]``,
            which asyncpg's type introspection sends): the brackets make them arrays here."""
            parsed = super()._parse_types(*args, **kwargs)
            if isinstance(parsed, exp.ObjectIdentifier):
                while self._match_pair(TokenType.L_BRACKET, TokenType.R_BRACKET):
                    parsed = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[parsed], nested=True)
            return parsed

        def _parse_interval_span(self, this, parse_function_unit: bool = True) -> exp.Interval:
            """sqlglot keeps only the first ``N unit`` of an interval string (``'29 days 23:59:59'``
            became 29 days); a string that is more than one ``N unit`` stays whole here, for
            ``rules/interval_literals.py`` to read as PostgreSQL does."""
            unit_follows = self._curr is not None and (
                self._curr.token_type == TokenType.VAR or self._curr.text.upper() in self.dialect.VALID_INTERVAL_UNITS
            )
            if this is not None and this.is_string and not unit_follows and not _ONE_INTERVAL_PART.fullmatch(this.name):
                return self.expression(exp.Interval(this=this))
            return super()._parse_interval_span(this, parse_function_unit)

        def _parse_vector_expressions(self, expressions: list[exp.Expression]) -> list[exp.Expression]:
            """pgvector's ``vector(3, 2)`` is two type modifiers (22023 when checked), not sqlglot's
            ``VECTOR(element type, dimension)`` of other dialects."""
            return expressions

        def _parse_statement(self) -> exp.Expression | None:
            word = self._curr.text.upper() if self._index < self._tokens_size else ""
            following = self._next.text.upper() if self._next is not None else ""
            if (word, following) in (("PREPARE", "TRANSACTION"), ("COMMIT", "PREPARED"), ("ROLLBACK", "PREPARED")):
                self._advance(2)
                return TwoPhase(this=word, id=self._parse_string())
            handler = {
                "SAVEPOINT": self._parse_savepoint,
                "RELEASE": self._parse_release,
                "SHOW": self._parse_show_stmt,
                "RESET": self._parse_reset,
                "EXPLAIN": self._parse_explain,
                "START": self._parse_start,
                "ABORT": self._parse_abort,
                "DECLARE": self._parse_declare_cursor,
                "FETCH": self._parse_fetch_cursor,
                "MOVE": lambda: self._parse_fetch_cursor(move=True),
                "CLOSE": self._parse_close_cursor,
                "LISTEN": lambda: Listen(this=self._parse_name("channel", any_token=False)),
                "UNLISTEN": lambda: Unlisten(
                    this=None if self._match(TokenType.STAR) else self._parse_name("channel", any_token=False)
                ),
                "NOTIFY": self._parse_notify,
                "DISCARD": self._parse_discard,
                "PREPARE": self._parse_prepare,
                "EXECUTE": lambda: ExecutePrepared(
                    this=self._parse_name("prepared statement", any_token=False),
                    expressions=self._parse_wrapped_csv(self._parse_expression) if self._curr else [],
                ),
                "DEALLOCATE": lambda: Deallocate(
                    this=None
                    if self._match_text_seq("PREPARE", "ALL") or self._match(TokenType.ALL)
                    else (self._match_text_seq("PREPARE") or True)
                    and self._parse_name("prepared statement", any_token=False)
                ),
                "VACUUM": lambda: self._parse_maintenance("VACUUM"),
                "ANALYZE": lambda: self._parse_maintenance("ANALYZE"),
                "ANALYSE": lambda: self._parse_maintenance("ANALYZE"),
            }.get(word)
            if handler is None or self._curr.token_type in (TokenType.STRING, TokenType.IDENTIFIER):
                return super()._parse_statement()
            self._advance()
            return handler()

        def _parse_maintenance(self, kind: str) -> Maintenance:
            options: list[str] = []
            if self._match(TokenType.L_PAREN):  # (name [value], ...): the names; values set what here is fixed
                named = False
                while self._index < self._tokens_size and self._curr.token_type != TokenType.R_PAREN:
                    if self._curr.token_type == TokenType.COMMA:
                        named = False
                    elif not named:
                        options.append(self._curr.text.upper())
                        named = True
                    self._advance()
                if not self._match(TokenType.R_PAREN):
                    self.raise_error(f"{kind}'s option list is not closed")
            while self._curr and self._curr.text.upper() in _MAINTENANCE_WORDS:
                options.append(self._curr.text.upper())
                self._advance()
            tables = []
            while self._curr and self._curr.token_type != TokenType.SEMICOLON:
                table = self._parse_table_parts()
                if isinstance(table.this, exp.Anonymous):  # t (a, b): the columns to analyze (all are)
                    table.set("this", exp.to_identifier(table.this.name))
                tables.append(table)
                if not self._match(TokenType.COMMA):
                    break
            return Maintenance(this=kind, options=options, tables=tables)

        def _parse_prepare(self) -> Prepare:
            name = self._parse_name("prepared statement", any_token=False)
            types = self._parse_wrapped_csv(self._parse_types) if self._match(TokenType.L_PAREN, advance=False) else []
            if not self._match(TokenType.ALIAS):
                self.raise_error("PREPARE needs AS before its statement")
            if self._index >= self._tokens_size:
                self.raise_error("PREPARE needs a statement after AS")
            first = self._curr
            last = self._tokens[-1] if self._tokens[-1].token_type != TokenType.SEMICOLON else self._tokens[-2]
            self._index = self._tokens_size - (1 if last is not self._tokens[-1] else 0)
            self._advance(0)
            return Prepare(this=name, types=types, text=self._find_sql(first, last))

        def _parse_discard(self) -> Discard:
            word = self._curr.text.upper() if self._curr else ""
            if word not in ("ALL", "PLANS", "SEQUENCES", "TEMP", "TEMPORARY"):
                self.raise_error("DISCARD takes ALL, PLANS, SEQUENCES or TEMP")
            self._advance()
            return Discard(this="TEMP" if word == "TEMPORARY" else word)

        def _parse_comment(self) -> exp.Expression:  # type: ignore[override]
            """``COMMENT ON TABLE t | COLUMN t.c IS 'text' | NULL`` (NULL removes the comment, as
            SQLAlchemy and Alembic write it, which sqlglot cannot read); comments on other objects
            stay a command, refused by the engine."""
            start = self._prev
            self._match(TokenType.ON)
            kind = self._prev if self._match_set((TokenType.TABLE, TokenType.COLUMN)) else None
            if kind is None:
                return self._parse_as_command(start)
            target = self._parse_table_parts() if kind.token_type == TokenType.TABLE else self._parse_column()
            self._match(TokenType.IS)
            text = exp.Null() if self._match(TokenType.NULL) else self._parse_string()
            return self.expression(exp.Comment(this=target, kind=kind.text.upper(), expression=text))

        def _parse_on_property(self) -> exp.Expression | None:
            """``ON COMMIT DROP`` of a temporary table, beside sqlglot's PRESERVE and DELETE ROWS:
            an OnCommitProperty marked by ON_COMMIT_DROP in its meta."""
            if self._match_text_seq("COMMIT", "DROP"):
                found = exp.OnCommitProperty()
                found.meta[ON_COMMIT_DROP] = True
                return found
            return super()._parse_on_property()

        def _parse_create(self) -> exp.Expression:  # type: ignore[override]
            """``CREATE [TEMP] SEQUENCE`` stays text, which ``engine.sequence_ddl`` reads: sqlglot's
            reading of its options turns NO CYCLE into CYCLE and drops OWNED BY NONE."""
            ahead = [t.text.upper() for t in self._tokens[self._index : self._index + 2]]
            if ahead[:1] == ["SEQUENCE"] or (
                ahead[:1] in (["TEMP"], ["TEMPORARY"], ["UNLOGGED"]) and ahead[1:] == ["SEQUENCE"]
            ):
                return self._parse_as_command(self._prev)
            return super()._parse_create()

        def _parse_drop(self, exists: bool = False, kind: str | None = None) -> exp.Expression:
            """``DROP INDEX a, b``, ``DROP TYPE a, b`` and ``DROP SEQUENCE a, b``: PostgreSQL drops a
            list of them as it does of tables."""
            drop = super()._parse_drop(exists, kind)
            if isinstance(drop, exp.Drop) and drop.args.get("kind") in ("INDEX", "TYPE", "SEQUENCE"):
                while self._match(TokenType.COMMA):
                    drop.append("tables", self._parse_table_parts(schema=True))
                if self._match_texts(("CASCADE", "RESTRICT")):
                    drop.set("cascade", self._prev.text.upper() == "CASCADE")
            return drop

        def _rest(self) -> str:
            """The raw text up to the end of the statement (setting names keep their dots and spaces)."""
            first = last = None
            while self._index < self._tokens_size and self._curr.token_type != TokenType.SEMICOLON:
                first = self._curr if first is None else first
                last = self._curr
                self._advance()
            if first is None:
                return ""
            text = self.sql[first.start : last.end + 1]
            return text.strip().strip('"') if first is last else " ".join(text.split())

        def _parse_savepoint(self) -> exp.Expression:
            return Savepoint(this=self._parse_name("savepoint"))

        def _parse_release(self) -> exp.Expression:
            self._match_text_seq("SAVEPOINT")
            return Release(this=self._parse_name("savepoint"))

        def _parse_name(self, what: str, any_token: bool = True) -> exp.Identifier:
            """A name that must follow (a savepoint's or cursor's; a channel's, which no keyword may be)."""
            name = self._parse_id_var(any_token=any_token)
            if name is None:
                self.raise_error(f"Expected a {what} name")
            return name

        def _parse_show_stmt(self) -> exp.Expression:
            name = self._rest()
            return Show(this=exp.Literal.string(_SETTING_ALIASES.get(name.upper(), name)))

        def _parse_reset(self) -> exp.Expression:
            name = self._rest()
            return Reset(this=exp.Literal.string(name) if name and name.upper() != "ALL" else None)

        def _parse_explain(self) -> exp.Expression:
            """EXPLAIN [ANALYZE] [VERBOSE] stmt, or PostgreSQL's EXPLAIN (ANALYZE [bool], VERBOSE, ...) stmt."""
            analyze = False
            if self._match(TokenType.L_PAREN):
                while self._curr is not None and not self._match(TokenType.R_PAREN):
                    option = self._curr.text.upper()
                    self._advance()
                    value = True
                    if self._curr is not None and self._curr.token_type not in (TokenType.COMMA, TokenType.R_PAREN):
                        value = self._curr.text.upper() not in ("FALSE", "OFF", "0")
                        self._advance()
                    analyze = analyze or (option == "ANALYZE" and value)
                    self._match(TokenType.COMMA)
            else:
                analyze = bool(self._match_text_seq("ANALYZE"))
                self._match_text_seq("VERBOSE")
            return Explain(this=self._parse_statement(), analyze=analyze)

        def _parse_start(self) -> exp.Expression:
            started = self._parse_transaction()
            started.meta[START_TRANSACTION] = True  # answered "START TRANSACTION", not "BEGIN"
            return started

        def _parse_transaction(self) -> exp.Expression:
            """BEGIN/START [TRANSACTION|WORK] [mode, ...]; modes kept as text (ISOLATION LEVEL ..., READ ONLY)."""
            self._match_texts(("TRANSACTION", "WORK"))
            modes = [" ".join(mode.split()).upper() for mode in self._rest().split(",") if mode.strip()]
            return exp.Transaction(modes=modes or None)

        def _parse_set_item_assignment(self, kind: str | None = None) -> exp.Expression | None:
            """PostgreSQL's SET takes one name whose value may be a list (``SET search_path TO a, b``)."""
            item = super()._parse_set_item_assignment(kind)
            if (
                isinstance(item, exp.SetItem)
                and isinstance(item.this, exp.EQ)
                and self._curr is not None
                and self._curr.token_type == TokenType.COMMA
            ):
                values = [item.this.expression]
                while self._match(TokenType.COMMA):
                    value = self._parse_primary() or self._parse_id_var()
                    values.append(exp.var(value.name) if isinstance(value, exp.Identifier) else value)
                item.this.set("expression", exp.Tuple(expressions=values))
            return item

        def _parse_transaction_settings(self, prefix: str) -> exp.Expression:
            """SET [SESSION CHARACTERISTICS AS] TRANSACTION modes, as the settings PostgreSQL maps them to."""
            items = []
            for mode in self._rest().split(","):
                words = mode.split()
                upper = " ".join(words).upper()
                if upper.startswith("ISOLATION LEVEL "):
                    name, value = "transaction_isolation", " ".join(words[2:]).lower()
                elif upper in ("READ ONLY", "READ WRITE"):
                    name, value = "transaction_read_only", "on" if upper == "READ ONLY" else "off"
                elif upper in ("DEFERRABLE", "NOT DEFERRABLE"):
                    name, value = "transaction_deferrable", "on" if upper == "DEFERRABLE" else "off"
                else:
                    self.raise_error(f"unknown transaction mode {mode.strip()!r}")
                    continue
                items.append(exp.EQ(this=exp.column(prefix + name), expression=exp.Literal.string(value)))
            if not items:
                self.raise_error("expected a transaction mode")
                return exp.SetItem()
            first = exp.SetItem(this=items[0])
            first.meta["more"] = [exp.SetItem(this=item) for item in items[1:]]  # _parse_set splices them in
            return first

        def _parse_set(self, unset: bool = False, tag: bool = False) -> exp.Expression:
            result = super()._parse_set(unset=unset, tag=tag)
            if isinstance(result, exp.Set):
                items = []
                for item in result.expressions:
                    items.append(item)
                    items.extend(item.meta.pop("more", []) if item._meta else [])
                result.set("expressions", items)
            return result

        def _parse_set_time_zone(self) -> exp.Expression:
            value = self._parse_primary() or self._parse_var(any_token=True)
            if isinstance(value, exp.Var):
                value = exp.Literal.string(value.name)
            return exp.SetItem(this=exp.EQ(this=exp.column("TimeZone"), expression=value))

        def _parse_declare_cursor(self) -> exp.Expression:
            name = self._parse_name("savepoint")
            binary = bool(self._match_text_seq("BINARY"))
            self._match_texts(("ASENSITIVE", "INSENSITIVE"))
            scroll = False if self._match_text_seq("NO", "SCROLL") else True if self._match_text_seq("SCROLL") else None
            if not self._match_text_seq("CURSOR"):
                self.raise_error("Expected CURSOR")
            hold = bool(self._match_text_seq("WITH", "HOLD"))
            hold or self._match_text_seq("WITHOUT", "HOLD")
            if not self._match(TokenType.FOR):
                self.raise_error("Expected FOR")
            query = self._parse_statement()
            if not isinstance(query, (exp.Query, exp.Values)):
                self.raise_error("Expected a SELECT or VALUES query")
            return DeclareCursor(this=name, expression=query, scroll=scroll, hold=hold, binary=binary)

        def _parse_fetch_cursor(self, move: bool = False) -> exp.Expression:
            direction, count = "FORWARD", 1
            word = self._curr.text.upper() if self._curr is not None else ""
            if word in _FETCH_WORDS and self._curr.token_type != TokenType.IDENTIFIER:
                self._advance()
                direction, count = _FETCH_WORDS[word]
            elif word in ("ABSOLUTE", "RELATIVE"):
                self._advance()
                direction, count = word, self._parse_signed_count()
            elif word in ("FORWARD", "BACKWARD"):
                self._advance()
                direction = word
                if self._match(TokenType.ALL):
                    count = None
                elif self._at_signed_count():
                    count = self._parse_signed_count()
            elif self._at_signed_count():
                count = self._parse_signed_count()
            self._match_set((TokenType.FROM, TokenType.IN))
            return FetchCursor(this=self._parse_name("savepoint"), direction=direction, count=count, move=move)

        def _at_signed_count(self) -> bool:
            return self._curr is not None and self._curr.token_type in _COUNT_TOKENS

        def _parse_signed_count(self) -> int:
            sign = -1 if self._match(TokenType.DASH) else 1
            self._match(TokenType.PLUS)
            if not self._match(TokenType.NUMBER):
                self.raise_error("Expected a row count")
            return sign * int(self._prev.text)

        def _parse_close_cursor(self) -> exp.Expression:
            return CloseCursor(this=None if self._match(TokenType.ALL) else self._parse_name("savepoint"))

        def _parse_notify(self) -> exp.Expression:
            """``NOTIFY channel [, 'payload']``: the payload is a string constant, as in PostgreSQL."""
            channel = self._parse_name("channel", any_token=False)
            if not self._match(TokenType.COMMA):
                return Notify(this=channel)
            if not self._match(TokenType.STRING):
                self.raise_error("Expected a string constant as the payload")
            return Notify(this=channel, expression=exp.Literal.string(self._prev.text))

        def _parse_abort(self) -> exp.Expression:
            self._rest()
            return exp.Rollback()

        def _parse_generated_as_identity(self) -> exp.Expression:
            """``GENERATED ... AS IDENTITY (options)`` with PostgreSQL's sequence options in any order
            (SQLAlchemy writes ``INCREMENT BY 5 START WITH 100``; sqlglot reads one fixed order), and
            the sequence's name (``SEQUENCE NAME``, kept in the meta). CACHE is read and has no effect:
            the repository's counter hands out each statement's values at once."""
            index = self._index
            always = not self._match_text_seq("BY", "DEFAULT")
            if always:
                self._match_text_seq("ALWAYS")
            self._match(TokenType.ALIAS)
            if not (self._match_text_seq("IDENTITY") and self._match(TokenType.L_PAREN)):
                self._retreat(index)
                return super()._parse_generated_as_identity()
            identity = exp.GeneratedAsIdentityColumnConstraint(this=always)
            while not self._match(TokenType.R_PAREN):
                if self._match_text_seq("START"):
                    self._match_text_seq("WITH")
                    identity.set("start", self._parse_bitwise())
                elif self._match_text_seq("INCREMENT"):
                    self._match_text_seq("BY")
                    identity.set("increment", self._parse_bitwise())
                elif self._match_text_seq("MINVALUE") or self._match_text_seq("MAXVALUE"):
                    identity.set(self._prev.text.lower(), self._parse_bitwise())
                elif self._match_text_seq("CYCLE"):
                    identity.set("cycle", True)
                elif self._match_text_seq("CACHE"):
                    self._parse_bitwise()
                elif self._match_text_seq("SEQUENCE", "NAME"):  # pg_dump names the sequence: schema.name
                    identity.meta[IDENTITY_SEQUENCE] = self._parse_table_parts().name
                elif not (self._match_text_seq("NO") and self._match_texts(("MINVALUE", "MAXVALUE", "CYCLE"))):
                    self.raise_error("Expecting a sequence option")
            return identity

    class Generator(Postgres.Generator):
        TRANSFORMS = {
            **Postgres.Generator.TRANSFORMS,
            CosineDistance: lambda self, e: self.binary(e, "<=>"),
            NegativeInnerProduct: lambda self, e: self.binary(e, "<#>"),
            L1Distance: lambda self, e: self.binary(e, "<+>"),
            HammingDistance: lambda self, e: self.binary(e, "<~>"),
            JaccardDistance: lambda self, e: self.binary(e, "<%>"),
            Savepoint: lambda self, e: f"SAVEPOINT {self.sql(e, 'this')}",
            Release: lambda self, e: f"RELEASE SAVEPOINT {self.sql(e, 'this')}",
            Show: lambda self, e: f"SHOW {e.this.name}",
            Reset: lambda self, e: f"RESET {e.this.name if e.this else 'ALL'}",
            DeclareCursor: lambda self, e: (
                f"DECLARE {self.sql(e, 'this')} {'BINARY ' if e.args.get('binary') else ''}"
                f"{_SCROLL_WORDS.get(e.args.get('scroll'), '')}CURSOR "
                f"{'WITH' if e.args.get('hold') else 'WITHOUT'} HOLD FOR {self.sql(e, 'expression')}"
            ),
            FetchCursor: lambda self, e: f"{'MOVE' if e.args.get('move') else 'FETCH'} {self.sql(e, 'this')}",
            CloseCursor: lambda self, e: f"CLOSE {self.sql(e, 'this') or 'ALL'}",
            Explain: lambda self, e: f"EXPLAIN {'ANALYZE ' if e.args.get('analyze') else ''}{self.sql(e, 'this')}",
        }
        # A star less some columns (``sql/rules/fetch_with_ties``): DataFusion's spelling; PostgreSQL
        # has none, so no statement a client writes carries one
        STAR_EXCEPT = "EXCLUDE"
