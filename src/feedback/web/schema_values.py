"""Schema metadata for text fields that take one of a fixed set of values (tiers, states)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from litestar.params import KwargDefinition

__all__ = ["one_of"]


def one_of(values: Iterable[str] | type[Enum]) -> KwargDefinition:
    """The OpenAPI enum of a text field, e.g. ``Annotated[str, one_of(Band)]``; the field stays
    a ``str``, so the domain still checks what comes in and says what is wrong."""
    names = [value.value if isinstance(value, Enum) else value for value in values]
    return KwargDefinition(schema_extra={"enum": names})
