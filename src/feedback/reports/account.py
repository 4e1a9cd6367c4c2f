"""The account feedback report's data, assembled from the services the pages and the API use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.accounts.contact_log import contact_timeline
from feedback.accounts.display_names import DisplayNames, display_names
from feedback.accounts.schemas import AccountDetail, ContactEntryOut, ContactStandardOut
from feedback.accounts.services import account_detail
from feedback.accounts.staff import StaffMember
from feedback.accounts.tiers import trailing_window
from feedback.complaints.reporting import AccountComplaint, account_complaints
from feedback.config import ContactStandards
from feedback.languages import DEFAULT_LANGUAGE, LANGUAGES, known_language
from feedback.scoring.risk import account_history
from feedback.scoring.schemas import ScoreHistory
from feedback.surveys.history import AccountComment, WaveLevel, account_answers
from feedback.surveys.results import MatrixPlace, account_place
from feedback.web.logs import security_log

__all__ = [
    "LATEST_COMMENTS",
    "AccountReport",
    "account_report",
    "report_language",
]

# A visit needs the customer's recent words, not every comment ever made.
LATEST_COMMENTS = 5
# Nor every visit and call: the latest show what was said and promised.
LATEST_CONTACTS = 5


@dataclass(frozen=True)
class AccountReport:
    """What an account manager takes to a customer visit, as of ``prepared_on``.

    ``account`` is the account page's detail (with its purchase windows), ``waves`` the
    account's level in each wave it was asked in, ``place`` where it stood in the
    satisfaction / loyalty matrix in the latest wave it answered, ``comments`` its latest comments,
    ``complaints`` those received since ``complaints_since`` (the last 12 months), and
    ``churn`` the score history that ``GET /api/v1/accounts/{code}/scores`` returns,
    ``standard`` the tier's contact standard this period and ``contacts`` the latest visits,
    calls and emails, as the account page shows them, and ``names`` the display names of the
    report's language for the CRM's industries, regions and attribute names.
    """

    language: str
    prepared_on: dt.date
    prepared_for: str
    account: AccountDetail
    waves: list[WaveLevel]
    place: MatrixPlace | None
    comments: list[AccountComment]
    complaints_since: dt.date
    complaints: list[AccountComplaint]
    churn: ScoreHistory
    standard: ContactStandardOut
    contacts: list[ContactEntryOut]
    names: DisplayNames


def report_language(requested: str, account: AccountDetail) -> str:
    """The language asked for, else the main contact's; English without a known one.

    The main contact is the first (by email, as the account page lists them) who takes
    part in surveys, else the first contact.
    """
    if requested:
        return known_language(requested)
    contacts = sorted(account.contacts, key=lambda c: (not c.survey_opt_in, c.email))
    main = contacts[0].language if contacts else DEFAULT_LANGUAGE
    return main if main in LANGUAGES else DEFAULT_LANGUAGE


async def account_report(
    code: str,
    viewer: StaffMember,
    now: dt.datetime,
    standards: ContactStandards,
    language: str = "",
) -> AccountReport:
    """The report of one account in ``language`` (empty: the main contact's), its contact
    standard judged by ``standards``.

    NotFound for an account outside an account manager's portfolio, as on the account page.
    """
    today = now.date()
    account = await account_detail(code, viewer, today)
    chosen = report_language(language, account)
    since = trailing_window(today)[0]
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    answers = await account_answers(account.id)
    timeline = await contact_timeline(account.id, account.tier, standards, today)
    report = AccountReport(
        language=chosen,
        prepared_on=today,
        prepared_for=account.manager or "",
        account=account,
        waves=answers.waves,
        place=await account_place(account.id, answers.waves),
        comments=answers.comments[:LATEST_COMMENTS],
        complaints_since=since,
        complaints=await account_complaints(account.id, start, now),
        churn=await account_history(code, viewer, chosen),
        standard=timeline.standard,
        contacts=timeline.entries[:LATEST_CONTACTS],
        names=await display_names(chosen),
    )
    security_log.info("report: %s (%s) exported account %s", viewer.email, viewer.role.value, code)
    return report
