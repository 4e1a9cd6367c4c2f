"""What was mailed to whom: the reports queued by the schedule, newest first, with their
mail's state in the outbox (use cases; the only reader of report_delivery for people)."""

from __future__ import annotations

from feedback.accounts.staff import staff_members
from feedback.mail.services import mail_states
from feedback.reports.schemas import DeliveryPage, DeliveryRow
from feedback.reports.tables import ReportDelivery
from feedback.web.paging import PageWindow

__all__ = ["MAX_PAGE", "delivery_page"]

MAX_PAGE = 200


async def delivery_page(window: PageWindow) -> DeliveryPage:
    """A page of the reports queued, newest first; ``window.after`` is the last page's
    ``next_cursor``. Three queries whatever the page's length."""
    limit = min(window.limit, MAX_PAGE)
    query = ReportDelivery.select().order_by(ReportDelivery.id, ascending=False).limit(limit + 1)
    if window.after is not None:
        query = query.where(ReportDelivery.id < window.after)
    rows = await query
    shown = rows[:limit]
    members = await staff_members({int(row["recipient"]) for row in shown})
    states = await mail_states([row["dedupe_key"] for row in shown])
    items = []
    for row in shown:
        member, state = members.get(int(row["recipient"])), states.get(row["dedupe_key"])
        items.append(
            DeliveryRow(
                id=int(row["id"]),
                kind=row["kind"],
                period=row["period"],
                recipient_id=int(row["recipient"]),
                recipient_name=member.name if member else "",
                recipient_email=member.email if member else "",
                queued_at=row["queued_at"],
                sent_at=state.sent_at if state else None,
                attempts=state.attempts if state else 0,
                last_error=state.last_error if state else "",
            )
        )
    return DeliveryPage(items, items[-1].id if len(rows) > limit else None)
