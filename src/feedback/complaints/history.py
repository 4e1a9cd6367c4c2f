"""Every complaint's milestones as NumPy columns of day numbers, for point-in-time analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from feedback.accounts.history import NEVER, moment_day_sql
from feedback.complaints.states import RootCause
from feedback.complaints.tables import EventKind
from feedback.db import bound

__all__ = ["ComplaintColumns", "complaint_columns"]

IntArray = npt.NDArray[np.int64]
# One row per complaint; the first day of each milestone comes from its history rows.
# A breach is known from the escalation that flagged it, or from the late finish of a step
# that was done before any escalation ran. Cancelled complaints (duplicates, spam) are none.
COMPLAINTS_SQL = """
SELECT CAST(c.account AS INTEGER), {received}, {closed},
  MIN(CASE WHEN e.kind = '{escalation}' OR e.late THEN {event} END),
  MIN(CASE WHEN e.kind = '{unsatisfied}' THEN {event} END),
  MIN(CASE WHEN e.kind = '{investigate}' THEN {event} END),
  {cause}
FROM complaint c LEFT JOIN complaint_event e ON e.complaint = c.id
  AND (e.kind IN ('{escalation}', '{unsatisfied}', '{investigate}') OR e.late)
WHERE c.cancel_reason IS NULL
GROUP BY c.id, c.account, c.received_at, c.closed_at, c.root_cause
"""


@dataclass(frozen=True)
class ComplaintColumns:
    """Complaints as parallel arrays sorted by account id, then day received.

    Milestone days are NEVER when the milestone has not happened; ``root_cause`` is the
    cause's position in RootCause, -1 when none is recorded.
    """

    account_ids: IntArray
    received: IntArray
    closed: IntArray
    breached: IntArray
    unsatisfied: IntArray
    investigated: IntArray
    root_cause: IntArray


def _sql() -> str:
    causes = " ".join(f"WHEN '{cause.value}' THEN {n}" for n, cause in enumerate(RootCause))
    return COMPLAINTS_SQL.format(
        received=moment_day_sql("c.received_at"),
        closed=moment_day_sql("c.closed_at"),
        event=moment_day_sql("e.created_at"),
        escalation=EventKind.escalation.value,
        unsatisfied=EventKind.follow_up_unsatisfied.value,
        investigate=EventKind.investigate.value,
        cause=f"CASE c.root_cause {causes} ELSE -1 END",
    )


async def complaint_columns() -> ComplaintColumns:
    """Every complaint that was not cancelled, with its milestones: one query."""
    matrix = (await bound().read_numbers(_sql())).reshape(-1, 7)
    days = np.where(np.isnan(matrix), NEVER, np.nan_to_num(matrix).astype(np.int64))
    order = np.lexsort((days[:, 1], days[:, 0]))
    days = days[order]
    return ComplaintColumns(*(days[:, column] for column in range(7)))
