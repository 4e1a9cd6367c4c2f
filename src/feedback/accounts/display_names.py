"""Display names: how the CRM's industries, regions and attribute names read in each language.

The CRM writes its own values ("logistics", "华东", "contract_type"); an administrator gives
each one a name per language, and reports show that name in their language, else the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from feedback.accounts.schemas import DisplayNameIn, DisplayNameOut
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, AttributeDefinition, DisplayName, NameKind
from feedback.db import transaction
from feedback.errors import InvalidInput
from feedback.languages import LANGUAGES
from feedback.web.logs import security_log

__all__ = [
    "MAX_NAME",
    "DisplayNames",
    "display_names",
    "named_values",
    "set_display_names",
]

MAX_NAME = 200
MAX_VALUE = 100


@dataclass(frozen=True)
class DisplayNames:
    """The names of one language; a value without one is shown as the CRM writes it."""

    language: str
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, kind: str, value: str) -> str:
        return self.names.get((kind, value), value)


async def display_names(language: str) -> DisplayNames:
    """Every display name of ``language``."""
    rows = await DisplayName.select(DisplayName.kind, DisplayName.value, DisplayName.name).where(
        DisplayName.language == language
    )
    return DisplayNames(language, {(row["kind"], row["value"]): row["name"] for row in rows})


async def named_values() -> list[DisplayNameOut]:
    """Every industry, region and attribute name the accounts use, with its names so far."""
    values: list[tuple[str, str]] = []
    for kind, column in ((NameKind.industry, Account.industry), (NameKind.region, Account.region)):
        rows = await Account.select(column).distinct().order_by(column)
        values += [(kind.value, row[kind.value]) for row in rows if row[kind.value]]
    attributes = await AttributeDefinition.select(AttributeDefinition.name).order_by(
        AttributeDefinition.name
    )
    values += [(NameKind.attribute.value, row["name"]) for row in attributes]
    named: dict[tuple[str, str], dict[str, str]] = {}
    for row in await DisplayName.select(
        DisplayName.kind, DisplayName.value, DisplayName.language, DisplayName.name
    ):
        named.setdefault((row["kind"], row["value"]), {})[row["language"]] = row["name"]
    return [
        DisplayNameOut(kind=kind, value=value, names=named.get((kind, value), {}))
        for kind, value in values
    ]


def _checked(entry: DisplayNameIn) -> DisplayNameIn:
    kinds = [kind.value for kind in NameKind]
    if entry.kind not in kinds:
        raise InvalidInput(f"a display name names one of {', '.join(kinds)}, not {entry.kind!r}")
    if not entry.value.strip() or len(entry.value) > MAX_VALUE:
        raise InvalidInput(f"give the value as the CRM writes it, at most {MAX_VALUE} characters")
    unknown = sorted(set(entry.names) - set(LANGUAGES))
    if unknown:
        raise InvalidInput(
            f"names are given per language ({', '.join(LANGUAGES)}), not {', '.join(unknown)}"
        )
    for language, name in entry.names.items():
        if len(name.strip()) > MAX_NAME:
            raise InvalidInput(
                f"the {language} name of {entry.value} is {len(name.strip())} characters long; "
                f"at most {MAX_NAME} are kept"
            )
    return entry


async def set_display_names(
    entries: Sequence[DisplayNameIn], actor: StaffMember, now: dt.datetime
) -> list[DisplayNameOut]:
    """Set the given names, all or none; an empty name removes it (the value shows again)."""
    checked = [_checked(entry) for entry in entries]
    async with transaction():
        for entry in checked:
            for language, name in entry.names.items():
                same = (
                    (DisplayName.kind == entry.kind)
                    & (DisplayName.value == entry.value)
                    & (DisplayName.language == language)
                )
                await DisplayName.delete().where(same)
                if name.strip():
                    await DisplayName(
                        kind=entry.kind, value=entry.value, language=language,
                        name=name.strip(), updated_at=now, updated_by=actor.id or None,
                    ).save()  # fmt: skip
    security_log.info(
        "display names: %s (%s) set %d value(s)", actor.email, actor.role.value, len(checked)
    )
    return await named_values()
