"""Queries on start- (and stop-) document values, through the indexed ``run_keys`` table.

``Key("sample") == "beads"`` and the other comparisons, ``In``, ``Contains`` and ``Regex``.
Nested dicts are reached with dotted keys (``"detector.exposure"``); the stop document's values
under ``"stop."`` (``Key("stop.exit_status") == "abort"``).
"""

from __future__ import annotations

import math
import re
from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from ._errors import QueryError
from ._query import SQLITE, Dialect, Query, Scalar, Sql
from ._rows import exact_number

OPERATORS = ("==", "!=", "<", "<=", ">", ">=")
_ORDERING = ("<", "<=", ">", ">=")
# "!=" is answered as NOT (==).
_EQUALITY = {"!=": "==", **{op: op for op in OPERATORS if op != "!="}}


def _scalar(key: str, value: object) -> Scalar:
    """``value`` if it can be compared with start-document scalars, else a clear error."""
    if isinstance(value, float) and math.isnan(value):
        raise QueryError(f"cannot compare {key!r} with NaN")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise QueryError(
        f"cannot compare {key!r} with {type(value).__name__} {value!r}; "
        "use a string, number, bool or None"
    )


def _match_scalar(value: Scalar, dialect: Dialect, operator: str = "==") -> Sql:
    """The run_keys condition comparing a scalar key's value with ``value``."""
    operator = "=" if operator == "==" else operator  # standard SQL equality
    if value is None:
        return "value_text IS NULL AND kind = 'null'", ()
    if isinstance(value, bool):
        return "value_text IS NULL AND value_num = ? AND kind = 'bool'", (int(value),)
    if isinstance(value, int | float):
        number = dialect.number(exact_number(value) if isinstance(value, int) else value)
        return f"value_text IS NULL AND value_num {operator} ? AND kind = 'num'", (number,)
    return f"value_text {operator} ?", (value,)


def _key_ids(
    key: str, condition: Sql, position: str = "position = -1", distinct: bool = False
) -> Sql:
    """SELECT the ids of runs whose ``key`` satisfies ``condition`` (an indexed lookup)."""
    text, params = condition
    select = "SELECT DISTINCT" if distinct else "SELECT"
    sql = f"{select} run_id FROM run_keys WHERE key = ? AND {position} AND ({text})"
    return sql, (key, *params)


class _KeyQuery(Query):
    """A query answered by the key table: ``sql()`` is ``r.id IN (ids_sql())``."""

    @abstractmethod
    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The SELECT of matching run ids from ``run_keys``."""

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Membership in the key table's answer."""
        text, params = self.ids_sql(dialect)
        return f"r.id IN ({text})", params


@dataclass(frozen=True)
class Comparison(Query):
    """``key <operator> value`` on a start-document scalar (``Key(k) == v`` builds one).

    ``!=`` is the negation of ``==``: it also matches runs that lack the key. Ordering
    operators match only values of the same kind (numbers with numbers, text with text).
    """

    key: str
    operator: str
    value: Scalar

    def __post_init__(self) -> None:
        """Refuse unknown operators and values that cannot be ordered."""
        if self.operator not in OPERATORS:
            raise QueryError(
                f"unknown operator {self.operator!r} in a query on {self.key!r}; "
                f"use one of {', '.join(OPERATORS)}"
            )
        _scalar(self.key, self.value)
        if self.operator in _ORDERING and (self.value is None or isinstance(self.value, bool)):
            raise QueryError(f"{self.key!r} {self.operator} {self.value!r}: cannot order by that")

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Compare through the key table's indexed (key, value) columns."""
        condition = _match_scalar(self.value, dialect, _EQUALITY[self.operator])
        text, params = _key_ids(self.key, condition)
        negate = "NOT " if self.operator == "!=" else ""
        return f"r.id {negate}IN ({text})", params

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The key table's answer; ``!=`` takes all runs but those."""
        if self.operator == "!=":
            return super().ids_sql(dialect)
        return _key_ids(self.key, _match_scalar(self.value, dialect, self.operator))


@dataclass(frozen=True)
class Key:
    """A start-document key (``"sample"``, or dotted ``"detector.exposure"``) to compare."""

    name: str

    def __eq__(self, value: object) -> Comparison:  # type: ignore[override]
        """Runs whose key equals ``value``."""
        return Comparison(self.name, "==", _scalar(self.name, value))

    def __ne__(self, value: object) -> Comparison:  # type: ignore[override]
        """Runs whose key is missing or differs from ``value``."""
        return Comparison(self.name, "!=", _scalar(self.name, value))

    def __lt__(self, value: Scalar) -> Comparison:
        """Runs whose key is less than ``value``."""
        return Comparison(self.name, "<", value)

    def __le__(self, value: Scalar) -> Comparison:
        """Runs whose key is at most ``value``."""
        return Comparison(self.name, "<=", value)

    def __gt__(self, value: Scalar) -> Comparison:
        """Runs whose key is greater than ``value``."""
        return Comparison(self.name, ">", value)

    def __ge__(self, value: Scalar) -> Comparison:
        """Runs whose key is at least ``value``."""
        return Comparison(self.name, ">=", value)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class In(_KeyQuery):
    """Runs whose scalar ``key`` equals one of ``values``."""

    key: str
    values: tuple[Scalar, ...]

    def __init__(self, key: str, values: Iterable[Scalar]) -> None:
        """Check every value up front."""
        if isinstance(values, str):
            raise QueryError(f"In({key!r}, ...) takes a list of values, not the string {values!r}")
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", tuple(_scalar(key, v) for v in values))

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """One IN-list per kind of value."""
        if not self.values:
            return "SELECT run_id FROM run_keys WHERE 0 = 1", ()
        parts = [_match_scalar(v, dialect) for v in self.values]
        text = " OR ".join(f"({p[0]})" for p in parts)
        return _key_ids(self.key, (text, tuple(x for p in parts for x in p[1])))


@dataclass(frozen=True)
class Contains(_KeyQuery):
    """Runs whose text ``key`` contains ``value`` as a substring, or whose list has it as item."""

    key: str
    value: str | int | float

    def __post_init__(self) -> None:
        """Only text and numbers can be looked for."""
        if (
            self.value is None
            or isinstance(self.value, bool)
            or _scalar(self.key, self.value) is None
        ):
            raise QueryError(f"Contains({self.key!r}, ...) needs text or a number: {self.value!r}")

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Substring of a text scalar, or membership in a list."""
        item_text, item_params = _match_scalar(self.value, dialect)
        if not isinstance(self.value, str):
            return _key_ids(self.key, (item_text, item_params), "position >= 0", distinct=True)
        substring = f"position = -1 AND {dialect.substring}(value_text, ?) > 0"
        text = f"({substring}) OR (position >= 0 AND {item_text})"
        return _key_ids(self.key, (text, (self.value, *item_params)), "1 = 1", distinct=True)


@dataclass(frozen=True)
class Regex(_KeyQuery):
    """Runs whose text ``key`` matches the regular expression ``pattern`` (``re.search``)."""

    key: str
    pattern: str

    def __post_init__(self) -> None:
        """Refuse a pattern that does not compile, naming the problem."""
        try:
            re.compile(self.pattern)
        except (re.error, TypeError) as error:
            raise QueryError(
                f"Regex({self.key!r}, {self.pattern!r}) does not compile: {error}"
            ) from None

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """SQLite: the catalog's REGEXP function (Python's ``re``); PostgreSQL: ``~``."""
        return _key_ids(self.key, (f"value_text {dialect.regexp} ?", (self.pattern,)))
