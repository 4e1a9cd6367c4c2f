"""Test data made the way the service makes it (through its own services where it has them),
with defaults so that a test names only what it cares about: accounts and their contacts,
purchases, survey waves and answers, complaints and their actions, staff users, churn scores."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from feedback.accounts import staff
from feedback.accounts.roles import Role
from feedback.accounts.staff import StaffMember
from feedback.accounts.tables import Account, Contact, ContactLog, Purchase
from feedback.clock import FrozenClock
from feedback.complaints.deadlines import DEFAULT_POLICY, Severity
from feedback.complaints.services import (
    ActionRequest,
    ComplaintView,
    NewComplaint,
    apply_action,
    open_complaint,
)
from feedback.complaints.states import Action
from feedback.complaints.tables import Category, Channel
from feedback.mail.services import MailContext
from feedback.scoring.reason_codes import ReasonCode
from feedback.scoring.reasons import Reason
from feedback.scoring.scores import Scored, store_scores
from feedback.surveys.answers import record_response
from feedback.surveys.issuance import IssuedLink, issue_wave
from feedback.surveys.questionnaire import Answer
from feedback.surveys.services import WaveInfo, create_wave
from feedback.surveys.waves import Period
from tests.support.today import TODAY

__all__ = [
    "APOLOGY",
    "BASE",
    "CLOSES",
    "EARLIER",
    "FINDINGS",
    "MAIL",
    "OPENS",
    "PERIOD",
    "PREVIOUS",
    "RESOLUTION",
    "SCORED_AT",
    "TEST_PASSWORD",
    "act",
    "answer_all",
    "contact_of",
    "issued_links",
    "make_account",
    "make_contact",
    "make_contact_log",
    "make_purchases",
    "make_scores",
    "make_staff_of_every_role",
    "make_staff_user",
    "make_wave",
    "raise_complaint",
    "reopened_complaint",
    "token_of",
]

TEST_PASSWORD = "correct horse battery"

BASE = "https://survey.example.com"
MAIL = MailContext(base_url=BASE, company="Acme Service")
# The wave of the suite's today's half year, open from six days before today for 25 days.
PERIOD = str(Period.of(TODAY))
PREVIOUS, EARLIER = str(Period.of(TODAY).previous), str(Period.of(TODAY).previous.previous)
OPENS, CLOSES = TODAY - dt.timedelta(days=6), TODAY + dt.timedelta(days=19)

# What staff write when they act on a complaint.
APOLOGY = {"message": "We are sorry that the delivery was late."}
FINDINGS = {"findings": "The carrier lost the pallet.", "root_cause": "delivery"}
RESOLUTION = {"resolution": "We sent a replacement by courier."}

# When make_scores says the scores were computed.
SCORED_AT = dt.datetime(2026, 11, 26, 6, tzinfo=dt.UTC)


async def make_account(
    code: str,
    contacts: Sequence[tuple[str, bool]] | None = None,
    *,
    status: str = "active",
    tier: str = "A",
    industry: str = "retail",
    region: str = "",
    manager: int | None = None,
    language: str = "en",
) -> int:
    """An account named after its code; its id. ``contacts`` are (email, survey opt-in) pairs;
    without them the account has one opted-in contact, ``<code>@x.com`` in ``language``."""
    row = Account(
        code=code,
        name=f"Account {code}",
        status=status,
        tier=tier,
        industry=industry,
        region=region,
        manager=manager,
    )
    await row.save()
    for email, opt_in in contacts if contacts is not None else [(f"{code.lower()}@x.com", True)]:
        await make_contact(int(row.id), email, survey_opt_in=opt_in, language=language)
    return int(row.id)


async def make_contact(
    account_id: int,
    email: str,
    *,
    name: str = "",
    language: str = "en",
    survey_opt_in: bool = True,
) -> int:
    """A contact of the account; its id."""
    row = Contact(
        account=account_id, email=email, name=name, language=language, survey_opt_in=survey_opt_in
    )
    await row.save()
    return int(row.id)


async def contact_of(account_id: int) -> int:
    """The id of the account's (first) contact."""
    row = await Contact.select(Contact.id).where(Contact.account == account_id).first()
    assert row is not None
    return int(row["id"])


async def make_purchases(account_id: int, *sales: tuple[dt.date, str]) -> None:
    """The account's purchases: (day, amount) pairs."""
    await Purchase.insert(
        *(
            Purchase(account=account_id, occurred_on=day, amount=Decimal(amount),
                     external_ref=f"{account_id}-{n}")
            for n, (day, amount) in enumerate(sales)
        )
    )  # fmt: skip


async def make_contact_log(account_id: int, *contacts: tuple[dt.date, str]) -> None:
    """The account's visits, calls and emails: (day, kind) pairs, each recorded at noon UTC
    on its day."""
    rows = [
        ContactLog(account=account_id, kind=kind, happened_on=day, external_ref=uuid.uuid4().hex,
                   recorded_at=dt.datetime.combine(day, dt.time(12), dt.UTC))
        for day, kind in contacts
    ]  # fmt: skip
    await ContactLog.insert(*rows)


async def make_wave(
    clock: FrozenClock, period: str = PERIOD, opens_on: dt.date = OPENS, closes_on: dt.date = CLOSES
) -> WaveInfo:
    """A survey wave, by default the one of the suite's today's half year."""
    return await create_wave(period, clock.now(), opens_on=opens_on, closes_on=closes_on)


async def issued_links(
    clock: FrozenClock, *codes: str, mail: MailContext = MAIL
) -> list[IssuedLink]:
    """An account for each code (with its one opted-in contact), the wave of PERIOD, and the
    links its issue sends them."""
    for code in codes:
        await make_account(code)
    await make_wave(clock)
    return await issue_wave(PERIOD, clock.now(), mail)


def token_of(link: str) -> str:
    """The token of a personal survey link issued with MAIL."""
    assert link.startswith(f"{BASE}/s/")
    return link.removeprefix(f"{BASE}/s/")


async def answer_all(period: str, clock: FrozenClock, levels: Mapping[str, Answer]) -> None:
    """Issue the wave and answer it through their links for the contacts (by email) in
    ``levels``; the others stay silent."""
    for link in await issue_wave(period, clock.now(), MAIL):
        if link.email in levels:
            await record_response(token_of(link.link), levels[link.email], clock.now())


async def raise_complaint(
    clock: FrozenClock, account_id: int, severity: Severity = Severity.severe
) -> ComplaintView:
    """A late delivery the account's contact complained about by phone."""
    new = NewComplaint(
        account_id=account_id,
        channel=Channel.phone,
        category=Category.delivery,
        severity=severity,
        description="The order arrived two weeks late.",
        contact_id=await contact_of(account_id),
    )
    return await open_complaint(new, None, clock.now(), DEFAULT_POLICY)


async def act(
    complaint: ComplaintView,
    action: Action,
    content: dict[str, Any],
    actor: StaffMember,
    clock: FrozenClock,
) -> ComplaintView:
    """Apply the action to the complaint as it is now."""
    request = ActionRequest(complaint.id, action, content, complaint.state, complaint.version)
    return await apply_action(request, actor, clock.now(), DEFAULT_POLICY)


async def reopened_complaint(
    clock: FrozenClock, account_id: int, agent: StaffMember
) -> ComplaintView:
    """A complaint raised at the clock's time: apologised 1 h later, investigated at 2 h (product
    quality), resolved at 5 h and reopened by the customer's follow-up at 29 h; the clock is
    left there."""
    started = clock.now()
    complaint = await raise_complaint(clock, account_id)
    findings = {"findings": "The batch was bad.", "root_cause": "product_quality"}
    for hours, action, content in (
        (1, Action.apologise, APOLOGY),
        (2, Action.investigate, findings),
        (5, Action.resolve, RESOLUTION),
        (29, Action.follow_up_unsatisfied, {"note": "Still broken."}),
    ):
        clock.at = started + dt.timedelta(hours=hours)
        complaint = await act(complaint, action, content, agent, clock)
    return complaint


async def make_staff_of_every_role(now: dt.datetime) -> dict[str, StaffMember]:
    """A staff user of each role, by the role's name, and a second account manager,
    ``other_manager``."""
    people = {role.value: await make_staff_user(role, now) for role in Role}
    people["other_manager"] = await make_staff_user(Role.account_manager, now)
    return people


async def make_staff_user(role: Role, now: dt.datetime, email: str | None = None) -> StaffMember:
    """A staff user of the role, named after it; the password is TEST_PASSWORD."""
    email = email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.com"
    return await staff.create_user(email, role.value.title(), role, TEST_PASSWORD, now)


async def make_scores(
    day: dt.date, scores: Mapping[int, tuple[float, float]], now: dt.datetime = SCORED_AT
) -> None:
    """Store a day's scores as scoring does: account id -> (probability, 12-month revenue)."""
    accounts = np.array(list(scores), dtype=np.int64)
    probability, revenue = (np.array(column) for column in zip(*scores.values(), strict=True))
    reasons = [
        [Reason("recency", 0.2, ReasonCode.purchase_overdue, {"days": account, "usual_gap": 30})]
        for account in scores
    ]
    await store_scores(Scored(accounts, probability, revenue, reasons), day, 1, now)
