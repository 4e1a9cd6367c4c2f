"""The sections of the account page, in page order, from the domains built on accounts."""

from __future__ import annotations

from feedback.accounts.sections import SectionSource
from feedback.complaints.account_section import open_complaints_section
from feedback.scoring.account_section import churn_section
from feedback.surveys.account_section import satisfaction_section

__all__ = ["ACCOUNT_SECTIONS"]

ACCOUNT_SECTIONS: tuple[SectionSource, ...] = (
    churn_section,
    satisfaction_section,
    open_complaints_section,
)
