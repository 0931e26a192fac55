"""Array-valued document fields that accept what event-model counts as an array.

event-model's validator treats lists, tuples and anything with ``__array__`` (numpy arrays) as
JSON arrays. pydantic in strict mode takes only ``list`` for ``list[...]``; these annotated types
keep strictness for the items while accepting the same containers event-model does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar, cast

import numpy as np
from pydantic import BeforeValidator, PlainValidator

T = TypeVar("T")


def _as_list(value: object) -> object:
    """Hand pydantic a list for a tuple or numpy array, so strict item checks still apply."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _any_array(value: object) -> object:
    """Accept a list, tuple or array-like as is (items unchecked: they may be any data)."""
    if isinstance(value, list | tuple) or hasattr(value, "__array__"):
        return value
    raise ValueError(f"expected an array (list, tuple or numpy array), got {type(value).__name__}")


ArrayOf = Annotated[list[T], BeforeValidator(_as_list)]
"""A list of ``T``; a tuple or numpy array of ``T`` validates too."""

AnyArray = Annotated[list[Any], PlainValidator(_any_array)]
"""A column of arbitrary values (an event page's data): a list, tuple or numpy array."""


def as_column(values: Sequence[Any]) -> list[Any]:
    """Keep a list or numpy array as it is (no copy); make any other sequence a list.

    A numpy column stays an array at runtime, as event-model allows; it is typed as its
    TypedDict types it.
    """
    if isinstance(values, list) or hasattr(values, "__array__"):
        return cast(list[Any], values)
    return list(values)
