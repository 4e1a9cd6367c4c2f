"""Piccolo tables of the reports domain: the reports mailed, and who wants them mailed."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.table import Table

from feedback.accounts.tables import StaffUser

__all__ = ["ReportDelivery", "ReportMailChoice"]


class ReportDelivery(Table, tablename="report_delivery"):
    """One report queued to one recipient for one period, written with its mail: once."""

    id = Serial(primary_key=True)
    dedupe_key = Varchar(
        length=200, unique=True, help_text="kind:period:recipient id, as the mail's own key."
    )
    kind = Varchar(length=40, help_text="Which report: portfolio, ...")
    period = Varchar(length=60, help_text="The month (2026-12) or wave occasion it covers.")
    recipient = ForeignKey(StaffUser, on_delete=OnDelete.cascade, index=True)
    queued_at = Timestamptz()


class ReportMailChoice(Table, tablename="report_mail_choice"):
    """A staff member's choice about mailed reports; without a row, they are mailed, in
    English."""

    id = Serial(primary_key=True)
    member = ForeignKey(StaffUser, on_delete=OnDelete.cascade, unique=True)
    mailed = Boolean(default=True, help_text="False: the member opted out of mailed reports.")
    language = Varchar(length=8, default="en", help_text="The language of the mailed reports.")
    changed_at = Timestamptz()
