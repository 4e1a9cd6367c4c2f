"""Typed shapes of the surveys API and of `feedback waves results --json` (msgspec structs)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal

import msgspec

from feedback.surveys.overview import WaveSummary
from feedback.surveys.questionnaire import MAX_COMMENT
from feedback.surveys.results import AccountsShown, ShownMovement, ShownQuadrant, WaveResults

__all__ = [
    "AccountMovementOut",
    "AccountQuadrantOut",
    "AspectOut",
    "GroupOut",
    "LevelFiguresOut",
    "QuestionnaireIn",
    "QuestionnaireItem",
    "QuestionnaireOut",
    "RecordedAnswerOut",
    "StaffAnswerIn",
    "WaveResultsOut",
    "WaveSummaryOut",
    "results_out",
    "summary_out",
]


class LevelFiguresOut(msgspec.Struct):
    """Rates are shares between 0 and 1; null when there is nothing to divide by."""

    invited: int
    responded: int
    response_rate: float | None
    answers: int
    level_counts: list[int]
    level_shares: list[float] | None
    satisfaction_rate: float | None
    loyalty_rate: float | None
    advocacy_rate: float | None


class AspectOut(msgspec.Struct):
    aspect: str
    ratings: int
    average: float | None


class GroupOut(msgspec.Struct):
    group: str
    figures: LevelFiguresOut


class AccountMovementOut(ShownMovement, frozen=True):
    """An account in the per-account lists: its level in the wave and in its previous one."""


class AccountQuadrantOut(ShownQuadrant, frozen=True):
    """``pace``: recent revenue over the account's normal (1.0 = as usual); null: no normal."""


class WaveResultsOut(LevelFiguresOut, kw_only=True):
    """A wave's results: its headline figures at the top, then the details.

    The per-account lists hold only what ``accounts_shown`` says.
    """

    period: str
    previous_period: str | None
    aspects: list[AspectOut]
    breakdowns: dict[str, list[GroupOut]]
    movement_counts: dict[str, int]
    purchases_as_of: dt.date
    quadrant_counts: dict[str, int]
    accounts_shown: AccountsShown
    accounts: list[AccountMovementOut]
    dropped: list[AccountMovementOut]
    quadrants: list[AccountQuadrantOut]


class WaveSummaryOut(msgspec.Struct):
    period: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    invited: int
    responded: int
    response_rate: float | None
    satisfaction_rate: float | None
    loyalty_rate: float | None
    advocacy_rate: float | None


def results_out(results: WaveResults) -> WaveResultsOut:
    """The overall figures flattened to the top level, so the headline is one lookup away."""
    headline = msgspec.structs.asdict(
        msgspec.convert(results.overall, LevelFiguresOut, from_attributes=True)
    )
    details = msgspec.to_builtins(
        {field.name: getattr(results, field.name) for field in dataclasses.fields(results)}
    )
    del details["overall"]
    return msgspec.convert({**headline, **details}, WaveResultsOut)


def summary_out(summary: WaveSummary) -> WaveSummaryOut:
    """The wave's dates and status with its headline figures, flattened."""
    fields = {**dataclasses.asdict(summary.figures), **dataclasses.asdict(summary)}
    return msgspec.convert(fields, WaveSummaryOut)


class StaffAnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    """An answer a customer gave staff by phone or on a visit."""

    account_code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    channel: Literal["phone", "visit"]
    level: Annotated[
        int, msgspec.Meta(ge=0, le=3, description="0 not satisfied to 3 will recommend")
    ]
    aspects: dict[str, Annotated[int, msgspec.Meta(ge=1, le=5)]] = {}
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""
    may_contact: bool = False
    contact_email: Annotated[
        str | None,
        msgspec.Meta(description="Uses up this contact's unanswered invitation of the wave."),
    ] = None


class RecordedAnswerOut(msgspec.Struct):
    response_id: int
    period: str
    account_code: str
    channel: str
    complaint_id: int | None


class QuestionnaireItem(msgspec.Struct, forbid_unknown_fields=True):
    """``level`` first; ``aspect`` with key quality, delivery, service_attitude or value;
    ``comment``; ``may_contact``."""

    kind: Literal["level", "aspect", "comment", "may_contact"]
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class QuestionnaireIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[QuestionnaireItem], msgspec.Meta(min_length=1, max_length=20)]


class QuestionnaireOut(msgspec.Struct):
    version: int
    created_at: dt.datetime
    items: list[QuestionnaireItem]
    periods: list[str]
