"""Questionnaire items: the three-level item first, then optional aspects, comment and contact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from feedback.surveys.levels import ASPECTS, Level

__all__ = ["Answer", "ItemKind", "default_items", "validate_answer", "validate_items"]


class ItemKind(str, Enum):
    level = "level"
    aspect = "aspect"
    comment = "comment"
    may_contact = "may_contact"


MAX_COMMENT = 4000


def default_items() -> list[dict[str, str]]:
    """The standard questionnaire: the ladder, the four aspects, a comment, may we contact."""
    return [
        {"kind": ItemKind.level.value, "key": "level"},
        *({"kind": ItemKind.aspect.value, "key": aspect} for aspect in ASPECTS),
        {"kind": ItemKind.comment.value, "key": "comment"},
        {"kind": ItemKind.may_contact.value, "key": "may_contact"},
    ]


def validate_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Check a questionnaire's items; raise ValueError naming the first problem."""
    if not items or items[0].get("kind") != ItemKind.level.value:
        raise ValueError("a questionnaire starts with the three-level item")
    seen: set[str] = set()
    clean = []
    for position, item in enumerate(items, start=1):
        kind, key = str(item.get("kind", "")), str(item.get("key", ""))
        if kind not in ItemKind.__members__:
            raise ValueError(f"item {position}: unknown kind {kind!r}")
        if kind == ItemKind.aspect.value and key not in ASPECTS:
            raise ValueError(f"item {position}: unknown aspect {key!r}; use one of {ASPECTS}")
        if kind == ItemKind.level.value and position != 1:
            raise ValueError(f"item {position}: the three-level item may appear only first")
        if key in seen:
            raise ValueError(f"item {position}: {key!r} appears twice")
        seen.add(key)
        clean.append({"kind": kind, "key": key})
    return clean


@dataclass(frozen=True)
class Answer:
    """One customer's answer to a questionnaire."""

    level: int
    aspects: Mapping[str, int] = field(default_factory=dict)
    comment: str = ""
    may_contact: bool = False


def validate_answer(answer: Answer, items: Sequence[Mapping[str, str]]) -> Answer:
    """Check an answer against the questionnaire it answers; raise ValueError if it does not fit."""
    if answer.level not in {int(level) for level in Level}:
        raise ValueError(f"level must be 0, 1, 2 or 3, got {answer.level}")
    asked = {item["key"] for item in items if item["kind"] == ItemKind.aspect.value}
    for aspect, rating in answer.aspects.items():
        if aspect not in asked:
            raise ValueError(f"this questionnaire does not ask about {aspect!r}")
        if not 1 <= rating <= 5:
            raise ValueError(f"{aspect} must be rated 1 to 5, got {rating}")
    if len(answer.comment) > MAX_COMMENT:
        raise ValueError(f"the comment is longer than {MAX_COMMENT} characters")
    kinds = {item["kind"] for item in items}
    if answer.comment.strip() and ItemKind.comment.value not in kinds:
        raise ValueError("this questionnaire does not ask for a comment")
    return Answer(
        level=answer.level,
        aspects=dict(answer.aspects),
        comment=answer.comment.strip(),
        may_contact=answer.may_contact and ItemKind.may_contact.value in kinds,
    )
