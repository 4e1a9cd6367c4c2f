"""A known demo account in each report, in both languages: its figures, worked out here from
the simulation the demo is seeded from (not from the services that print them), are what
pdftotext reads in its account report and in its manager's portfolio report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from feedback.accounts import staff
from feedback.clock import FrozenClock
from feedback.config import Settings
from feedback.db import Database
from feedback.demo.customers import SimulatedAccount, Simulation
from feedback.demo.seed import DEMO_ADMIN_EMAIL, seed
from feedback.demo.simulator import simulate
from feedback.reports.account import account_report
from feedback.reports.pdf import render_pdf
from feedback.reports.portfolio import PortfolioChoice, portfolio_report
from feedback.reports.rendering import portfolio_html, report_html
from tests.conftest import TODAY
from tests.support.pdf import pdf_text

pytestmark = pytest.mark.usefixtures("cheap_password_hashing")

SETTINGS = Settings(base_url="https://survey.demo.example")
HEADINGS = {"en": "Account feedback report: {name} ({code})", "zh": "客户反馈报告: {name} ({code})"}


@dataclass(frozen=True)
class Expected:
    """What the simulation says of one account."""

    account: SimulatedAccount
    revenue_12m: str
    last_visit: dt.date
    last_call: dt.date
    wave: str
    closes_on: dt.date
    level: int


def _known(simulation: Simulation) -> Expected:
    """The first active account with purchases in the last 12 months, a visit and a call on
    record, and an answer in the latest wave."""
    start = TODAY.replace(year=TODAY.year - 1) + dt.timedelta(days=1)
    latest = max(simulation.waves, key=lambda wave: wave.closes_on)
    for account in simulation.accounts:
        log = [entry for entry in simulation.contact_log if entry.account_code == account.code]
        visits = [entry.day for entry in log if entry.kind == "visit"]
        calls = [entry.day for entry in log if entry.kind == "call"]
        levels = [a.level for a in latest.answers if a.account_code == account.code]
        revenue = sum(
            (p.amount for p in account.purchases if start <= p.occurred_on <= TODAY), Decimal()
        )
        if account.closed_on is None and revenue and visits and calls and levels:
            return Expected(
                account, f"{revenue:,.2f}", max(visits), max(calls), latest.period,
                latest.closes_on, min(levels),
            )  # fmt: skip
    raise AssertionError("the simulation has no account with every figure")


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_the_account_and_portfolio_reports_print_the_known_accounts_figures(
    db: Database, clock: FrozenClock, language: str
) -> None:
    simulation = simulate(TODAY, accounts=60, seed=5)
    await seed(simulation, clock.now(), SETTINGS, lambda *step: None)
    known = _known(simulation)
    code, name = known.account.code, known.account.name
    admin = await staff.find_user(DEMO_ADMIN_EMAIL)
    report = await account_report(code, admin, clock.now(), SETTINGS.contact_standards, language)
    text = pdf_text(render_pdf(report_html(report)))
    assert HEADINGS[language].format(name=name, code=code) in text
    assert known.revenue_12m in text
    assert str(known.last_visit) in text
    assert str(known.last_call) in text
    assert f"{known.wave} {known.closes_on} {known.level} ·" in text

    manager = await staff.find_user(known.account.manager_email)
    choice = PortfolioChoice(manager, language, (code,))
    portfolio = await portfolio_report(admin, choice, clock.now(), SETTINGS.contact_standards)
    printed = pdf_text(render_pdf(portfolio_html(portfolio)))
    assert manager.name in printed
    # Its row in the accounts by value at risk: code, name, tier, then the revenue.
    row = printed.split(f" {code} {name} ")[1]
    assert known.revenue_12m in row.split(f" {code} ")[0][:80]
    assert HEADINGS[language].format(name=name, code=code) in printed
