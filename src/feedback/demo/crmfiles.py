"""A simulated customer base written as the CRM's CSV exports, in the import formats."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path

from feedback.accounts import csvfiles
from feedback.demo.customers import ATTRIBUTE_KINDS, SimulatedAccount, Simulation

__all__ = ["ACCOUNT_COLUMNS", "CONTACT_COLUMNS", "PURCHASE_COLUMNS", "VISIT_COLUMNS", "write_csvs"]

# The columns the import knows, in its order (the rows written below follow it), then the
# custom attributes.
ACCOUNT_COLUMNS = (*csvfiles.ACCOUNT_COLUMNS.names, *ATTRIBUTE_KINDS)
CONTACT_COLUMNS = csvfiles.CONTACT_COLUMNS.names
PURCHASE_COLUMNS = csvfiles.PURCHASE_COLUMNS.names
VISIT_COLUMNS = csvfiles.VISIT_COLUMNS.names


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_cell(value) for value in row] for row in rows)
    return path


def _account_row(a: SimulatedAccount) -> tuple[object, ...]:
    attributes = (a.attributes.get(name) for name in ATTRIBUTE_KINDS)
    return (a.code, a.name, a.industry, a.region, a.manager_email, a.opened_on, a.closed_on,
            a.closed_reason, *attributes)  # fmt: skip


def write_csvs(simulation: Simulation, directory: Path) -> dict[str, Path]:
    """Write accounts.csv, contacts.csv, purchases.csv and visits.csv into ``directory``.

    Returns the paths by import kind, in the order they must be imported.
    """
    directory.mkdir(parents=True, exist_ok=True)
    accounts = simulation.accounts
    contacts = (
        (a.code, c.email, c.name, c.language, c.phone, c.survey_opt_in)
        for a in accounts
        for c in a.contacts
    )
    purchases = (
        (a.code, p.occurred_on, p.amount, p.quantity, p.ref) for a in accounts for p in a.purchases
    )
    visits = (
        (e.account_code, e.kind, e.day, e.staff_email, e.contact_email, e.person_met, e.notes,
         e.ref)
        for e in simulation.contact_log
    )  # fmt: skip
    return {
        "accounts": _write(
            directory / "accounts.csv", ACCOUNT_COLUMNS, (_account_row(a) for a in accounts)
        ),
        "contacts": _write(directory / "contacts.csv", CONTACT_COLUMNS, contacts),
        "purchases": _write(directory / "purchases.csv", PURCHASE_COLUMNS, purchases),
        "visits": _write(directory / "visits.csv", VISIT_COLUMNS, visits),
    }
