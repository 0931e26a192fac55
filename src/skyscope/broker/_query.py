"""The query base class and its combinations: each query compiles to one SQL condition.

A condition is over the ``runs`` table (alias ``r``); ``&``, ``|`` and ``~`` compose queries, and
``catalog.search(a).search(b)`` means ``a & b``. Bad queries fail when built, with an error
naming the problem, never later at search time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from ._dialect import SQLITE, Dialect, SqlValue
from ._errors import QueryError

Scalar = str | int | float | bool | None
Sql = tuple[str, tuple[SqlValue, ...]]

__all__ = ["SQLITE", "And", "Dialect", "Not", "Or", "Query", "Scalar", "Sql", "SqlValue"]


class Query(ABC):
    """A condition on runs; combine with ``&`` (and), ``|`` (or) and ``~`` (not)."""

    @abstractmethod
    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The SQL condition over ``runs r`` and its parameters, in ``dialect``."""

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """A SELECT of the ids of the matching runs, each once (counting needs no run rows)."""
        text, params = self.sql(dialect)
        return f"SELECT r.id FROM runs r WHERE {text}", params

    def __and__(self, other: Query) -> Query:
        """Runs matching both queries."""
        return And((self, _query(other)))

    def __or__(self, other: Query) -> Query:
        """Runs matching either query."""
        return Or((self, _query(other)))

    def __invert__(self) -> Query:
        """Runs not matching this query."""
        return Not(self)

    def __bool__(self) -> bool:
        """Refuse ``and``/``or``, which would silently keep only one of two queries."""
        raise QueryError(
            f"{self!r} has no truth value: combine queries with & and |, not 'and'/'or'"
        )


def _query(value: object) -> Query:
    """``value`` if it is a query, else a clear error."""
    if not isinstance(value, Query):
        raise QueryError(f"can only combine queries with queries, not {value!r}")
    return value


@dataclass(frozen=True)
class And(Query):
    """Runs matching every query."""

    queries: tuple[Query, ...]

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Parenthesised conditions joined by AND."""
        return _join(" AND ", self.queries, dialect)

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The intersection of the queries' id sets."""
        return _compound(" INTERSECT ", self.queries, dialect)


@dataclass(frozen=True)
class Or(Query):
    """Runs matching any query."""

    queries: tuple[Query, ...]

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Parenthesised conditions joined by OR."""
        return _join(" OR ", self.queries, dialect)

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The union of the queries' id sets."""
        return _compound(" UNION ", self.queries, dialect)


@dataclass(frozen=True)
class Not(Query):
    """Runs not matching ``query``."""

    query: Query

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The negated condition."""
        text, params = self.query.sql(dialect)
        return f"NOT ({text})", params


def _join(operator: str, queries: Iterable[Query], dialect: Dialect) -> Sql:
    """Join the SQL of several queries."""
    parts = [q.sql(dialect) for q in queries]
    if not parts:
        return "1 = 1", ()
    return operator.join(f"({p[0]})" for p in parts), tuple(x for p in parts for x in p[1])


def _compound(operator: str, queries: Iterable[Query], dialect: Dialect) -> Sql:
    """Combine the id sets of several queries with INTERSECT or UNION."""
    parts = [q.ids_sql(dialect) for q in queries]
    if not parts:
        return "SELECT r.id FROM runs r", ()
    text = operator.join(f"SELECT * FROM ({p[0]}) AS q{i}" for i, p in enumerate(parts))
    return text, tuple(x for p in parts for x in p[1])
