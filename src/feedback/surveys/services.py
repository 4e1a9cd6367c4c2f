"""Survey use cases: questionnaire versions and the wave lifecycle (create, close)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from feedback.db import transaction
from feedback.errors import Conflict, InvalidInput, NotFound
from feedback.mail.services import cancel_unsent
from feedback.surveys.questionnaire import default_items, validate_items
from feedback.surveys.tables import Invitation, Questionnaire, Wave, WaveStatus
from feedback.surveys.waves import Period, SurveyCalendar

__all__ = [
    "QuestionnaireInfo",
    "WaveInfo",
    "close_wave",
    "create_wave",
    "current_questionnaire",
    "items_of",
    "open_waves",
    "parse_period",
    "questionnaire_versions",
    "save_questionnaire",
    "wave_info",
]


@dataclass(frozen=True)
class WaveInfo:
    id: int
    period: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    questionnaire_version: int


@dataclass(frozen=True)
class QuestionnaireInfo:
    version: int
    created_at: dt.datetime
    items: list[dict[str, str]]
    periods: list[str]  # the waves that ask this version


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def items_of(row: Mapping[str, Any]) -> list[dict[str, str]]:
    items = row["items"]
    return json.loads(items) if isinstance(items, str) else list(items)


async def save_questionnaire(items: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """Store edited items as a new version; versions already answered never change."""
    try:
        clean = validate_items(items)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    async with transaction():
        latest = (
            await Questionnaire.select(Questionnaire.version)
            .order_by(Questionnaire.version, ascending=False)
            .first()
        )
        version = (latest["version"] if latest else 0) + 1
        await Questionnaire.insert(
            Questionnaire(version=version, items=json.dumps(clean), created_at=now)
        )
    return version


async def questionnaire_versions() -> list[QuestionnaireInfo]:
    """Every version, newest first, with the waves that ask it."""
    rows = await Questionnaire.select().order_by(Questionnaire.version, ascending=False)
    waves = await Wave.select(Wave.period, Wave.questionnaire).order_by(Wave.period)
    return [
        QuestionnaireInfo(
            version=row["version"],
            created_at=row["created_at"],
            items=items_of(row),
            periods=[wave["period"] for wave in waves if wave["questionnaire"] == row["id"]],
        )
        for row in rows
    ]


async def current_questionnaire(now: dt.datetime) -> dict[str, Any]:
    """The newest questionnaire version, creating the standard one if there is none."""
    query = Questionnaire.select().order_by(Questionnaire.version, ascending=False)
    row = await query.first()
    if row is None:
        await save_questionnaire(default_items(), now)
        row = await query.first()
    assert row is not None
    return row


def _wave_query() -> Any:
    return Wave.select(
        *Wave.all_columns(), Wave.questionnaire.version.as_alias("questionnaire_version")
    )


async def wave_info(period: str) -> WaveInfo:
    """The wave of a period, or NotFound."""
    row = await _wave_query().where(Wave.period == str(parse_period(period))).first()
    if row is None:
        raise NotFound(f"there is no wave for {period}; create it with `feedback waves create`")
    return _wave_info(row)


async def open_waves() -> list[WaveInfo]:
    """The waves taking answers now, oldest period first."""
    rows = await _wave_query().where(Wave.status == WaveStatus.open.value).order_by(Wave.period)
    return [_wave_info(row) for row in rows]


async def waves_closed_since(since: dt.datetime) -> list[tuple[str, dt.date]]:
    """The waves closed at ``since`` or later: (period, the day it closed), oldest first."""
    rows = await (
        Wave.select(Wave.period, Wave.closed_at)
        .where((Wave.status == WaveStatus.closed.value) & (Wave.closed_at >= since))
        .order_by(Wave.period)
    )
    return [(row["period"], row["closed_at"].date()) for row in rows]


def _wave_info(row: Mapping[str, Any]) -> WaveInfo:
    return msgspec.convert(row, WaveInfo)


async def create_wave(
    period: str,
    now: dt.datetime,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    calendar: SurveyCalendar | None = None,
) -> WaveInfo:
    """Plan the wave of a half year; dates default from the calendar."""
    parsed = parse_period(period)
    default_opens, default_closes = (calendar or SurveyCalendar()).dates(parsed)
    opens_on, closes_on = opens_on or default_opens, closes_on or default_closes
    if opens_on >= closes_on:
        raise InvalidInput(f"the wave must open before it closes ({opens_on} >= {closes_on})")
    questionnaire = await current_questionnaire(now)
    async with transaction():
        if await Wave.exists().where(Wave.period == str(parsed)):
            raise Conflict(f"the wave {parsed} already exists")
        await Wave.insert(
            Wave(
                period=str(parsed),
                opens_on=opens_on,
                closes_on=closes_on,
                status=WaveStatus.planned,
                questionnaire=questionnaire["id"],
                created_at=now,
            )
        )
    return await wave_info(str(parsed))


async def close_wave(period: str, now: dt.datetime) -> WaveInfo:
    """Close a wave: its links expire now and its unsent mail is withdrawn."""
    wave = await wave_info(period)
    if wave.status == WaveStatus.closed:
        raise Conflict(f"the wave {wave.period} is already closed")
    async with transaction():
        await Wave.update({Wave.status: WaveStatus.closed, Wave.closed_at: now}).where(
            Wave.id == wave.id
        )
        await Invitation.update({Invitation.expires_at: now}).where(
            (Invitation.wave == wave.id) & (Invitation.expires_at > now)
        )
        for kind in ("survey-invitation", "survey-reminder"):
            await cancel_unsent(f"{kind}:{wave.id}:")
    return await wave_info(period)
