"""Visits files as a CRM writes them: rows given by column name, for the visits import's tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from feedback.accounts.csvfiles import VISIT_COLUMNS

__all__ = ["visits_csv"]


def visits_csv(
    rows: Iterable[Mapping[str, str]], columns: Sequence[str] = VISIT_COLUMNS.names
) -> str:
    """The header line, then each row's cells in the columns' order (a missing one empty)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(name, "") for name in columns] for row in rows)
    return text.getvalue()
