"""The demo simulator: a seeded customer base with Pareto revenue, drifting and closing accounts,
and its managers' visits, calls and emails."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from feedback.accounts.contact_entries import CONTACT_KINDS
from feedback.accounts.roles import Role
from feedback.accounts.tiers import assign_tiers, trailing_window
from feedback.demo.crmfiles import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    PURCHASE_COLUMNS,
    VISIT_COLUMNS,
    write_csvs,
)
from feedback.demo.customers import (
    ATTRIBUTE_KINDS,
    ClosingReason,
    Fate,
    SimulatedAccount,
    Simulation,
)
from feedback.demo.names import INDUSTRY_WORDS
from feedback.demo.simulator import INDUSTRIES, REGIONS, simulate

AS_OF = dt.date(2026, 11, 26)
HALF_YEAR = dt.timedelta(days=183)


@pytest.fixture(scope="module")
def simulation() -> Simulation:
    """The demo's own customer base: 3000 accounts, seed 7."""
    return simulate(AS_OF, accounts=3000, seed=7)


def _of_fate(simulation: Simulation, fate: Fate) -> list[SimulatedAccount]:
    return [account for account in simulation.accounts if account.fate is fate]


def test_the_same_seed_gives_the_same_customer_base() -> None:
    first = simulate(AS_OF, accounts=150, seed=3)
    assert first == simulate(AS_OF, accounts=150, seed=3)
    assert first != simulate(AS_OF, accounts=150, seed=4)
    assert first.purchase_count > 150 * 10


def test_the_history_is_three_years_up_to_the_as_of_date(simulation: Simulation) -> None:
    assert simulation.history_start == dt.date(2023, 11, 27)
    days = [p.occurred_on for account in simulation.accounts for p in account.purchases]
    assert min(days) == simulation.history_start
    assert max(days) == AS_OF
    for account in simulation.accounts:
        assert all(p.occurred_on >= account.opened_on for p in account.purchases)
        assert [p.occurred_on for p in account.purchases] == sorted(
            p.occurred_on for p in account.purchases
        )


def test_purchases_have_unique_refs_and_positive_amounts_in_cents(simulation: Simulation) -> None:
    purchases = [p for account in simulation.accounts for p in account.purchases]
    assert len({p.ref for p in purchases}) == len(purchases)
    assert all(p.amount > 0 and p.amount == p.amount.quantize(Decimal("0.01")) for p in purchases)
    assert all(p.quantity >= 1 for p in purchases)


def test_a_fifth_of_the_accounts_bring_most_of_the_revenue(simulation: Simulation) -> None:
    revenue = sorted((account.revenue for account in simulation.accounts), reverse=True)
    top = sum(revenue[: len(revenue) // 5], Decimal(0))
    assert 0.6 <= top / sum(revenue, Decimal(0)) <= 0.9


def test_accounts_spread_over_industries_regions_and_managers(simulation: Simulation) -> None:
    industries = Counter(account.industry for account in simulation.accounts)
    regions = Counter(account.region for account in simulation.accounts)
    assert set(industries) == set(INDUSTRIES) == set(INDUSTRY_WORDS)
    assert set(regions) == set(REGIONS)
    assert min(industries.values()) > 100
    assert min(regions.values()) > 150
    managers = {m.email for m in simulation.staff if m.role is Role.account_manager}
    assert {account.manager_email for account in simulation.accounts} == managers
    assert len({account.code for account in simulation.accounts}) == 3000
    assert len({account.name for account in simulation.accounts}) == 3000


def test_the_staff_is_one_admin_two_supervisors_four_agents_eight_managers(
    simulation: Simulation,
) -> None:
    roles = Counter(member.role for member in simulation.staff)
    assert roles == {
        Role.admin: 1,
        Role.supervisor: 2,
        Role.agent: 4,
        Role.account_manager: 8,
    }
    assert simulation.staff[0].email == "admin@demo.example"
    assert all(member.email.endswith("@demo.example") for member in simulation.staff)


def test_about_a_tenth_of_the_accounts_drift(simulation: Simulation) -> None:
    drifting = _of_fate(simulation, Fate.drifting)
    assert 0.08 <= len(drifting) / len(simulation.accounts) <= 0.12


def _rates(simulation: Simulation, account: SimulatedAccount, until: dt.date) -> tuple[int, float]:
    """Purchases in the last half year, and how many the rate before ``until`` predicts."""
    start = max(account.opened_on, simulation.history_start)
    before = sum(1 for p in account.purchases if p.occurred_on < until)
    recent = sum(1 for p in account.purchases if p.occurred_on > AS_OF - HALF_YEAR)
    return recent, before / (until - start).days * HALF_YEAR.days


def test_drifting_accounts_buy_far_less_than_their_own_normal_then_stop(
    simulation: Simulation,
) -> None:
    drifting = _of_fate(simulation, Fate.drifting)
    rates = [_rates(simulation, a, a.drift_started_on or AS_OF) for a in drifting]
    assert all(expected >= 1 for _, expected in rates)  # a year of normal buying first
    assert sum(recent for recent, _ in rates) < 0.2 * sum(expected for _, expected in rates)
    assert sum(recent <= expected / 2 for recent, expected in rates) >= 0.95 * len(rates)
    stopped = [a for a in drifting if a.stopped_on and a.stopped_on <= AS_OF]
    assert len(stopped) >= 0.8 * len(drifting)
    for account in stopped:
        assert account.stopped_on is not None
        assert all(p.occurred_on < account.stopped_on for p in account.purchases)
        assert account.status == "active"  # nobody told the CRM


def test_steady_accounts_keep_their_pace(simulation: Simulation) -> None:
    steady = [
        a for a in _of_fate(simulation, Fate.steady) if a.opened_on < simulation.history_start
    ]
    rates = [_rates(simulation, a, AS_OF - HALF_YEAR) for a in steady]
    ratio = sum(recent for recent, _ in rates) / sum(expected for _, expected in rates)
    assert 0.85 <= ratio <= 1.3
    assert all(a.drift_started_on is None and a.stopped_on is None for a in steady)


def test_closed_accounts_have_a_reason_and_buy_nothing_after_closing(
    simulation: Simulation,
) -> None:
    closed = _of_fate(simulation, Fate.closed)
    assert 0.03 <= len(closed) / len(simulation.accounts) <= 0.1
    assert Counter(a.closed_reason for a in closed).keys() == set(ClosingReason)
    for account in closed:
        assert account.closed_on is not None
        assert account.status == "closed"
        assert account.stopped_on == account.closed_on
        assert account.opened_on < account.closed_on < AS_OF
        assert all(p.occurred_on < account.closed_on for p in account.purchases)
    others = [a for a in simulation.accounts if a.fate is not Fate.closed]
    assert all(a.closed_on is None and a.closed_reason is None for a in others)


def test_churn_risk_differs_by_industry(simulation: Simulation) -> None:
    lost: Counter[str] = Counter()
    for account in simulation.accounts:
        lost[account.industry] += account.fate is not Fate.steady
    totals = Counter(account.industry for account in simulation.accounts)
    rates = {industry: lost[industry] / totals[industry] for industry in totals}
    assert rates["Hospitality"] > 1.5 * rates["Healthcare"]


def test_purchases_follow_the_seasons(simulation: Simulation) -> None:
    months = Counter(
        p.occurred_on.month
        for account in simulation.accounts
        for p in account.purchases
        if dt.date(2024, 1, 1) <= p.occurred_on < dt.date(2026, 1, 1)
    )
    assert months[12] > 1.4 * months[2]
    assert months[11] > months[8]


def test_chinese_accounts_have_chinese_speaking_contacts(simulation: Simulation) -> None:
    chinese = [a for a in simulation.accounts if a.name.endswith("有限公司")]
    assert len(chinese) >= 0.15 * len(simulation.accounts)
    assert any(a.name.startswith("上海") for a in chinese)
    assert all(a.region in {"Greater China", "Southeast Asia"} for a in chinese)
    contacts = [c for a in chinese for c in a.contacts]
    zh = [c for c in contacts if c.language == "zh"]
    assert len(zh) >= 0.8 * len(contacts)
    assert all("\u4e00" <= c.name[0] <= "\u9fff" for c in zh)
    english = [a for a in simulation.accounts if a.region == "North America"]
    assert all(c.language == "en" for a in english for c in a.contacts)


def test_every_account_has_one_to_three_contacts_mostly_surveyed(simulation: Simulation) -> None:
    assert all(1 <= len(a.contacts) <= 3 for a in simulation.accounts)
    for account in simulation.accounts:
        emails = [c.email for c in account.contacts]
        assert len(set(emails)) == len(emails)
        assert all(e == e.lower() and e.endswith(".example") for e in emails)
    contacts = [c for a in simulation.accounts for c in a.contacts]
    assert 0.85 <= sum(c.survey_opt_in for c in contacts) / len(contacts) <= 0.95
    assert all(c.phone.startswith("+") for c in contacts)


def test_custom_attributes_have_their_kinds_and_some_missing_credit_limits(
    simulation: Simulation,
) -> None:
    attributes = [a.attributes for a in simulation.accounts]
    assert all(set(values) == set(ATTRIBUTE_KINDS) for values in attributes)
    assert {v["contract_type"] for v in attributes} == {"annual", "multi-year", "pay-as-you-go"}
    assert {v["plan"] for v in attributes} == {"basic", "standard", "premium", "enterprise"}
    assert all(isinstance(v["seats"], int) and v["seats"] >= 1 for v in attributes)
    missing = sum(v["credit_limit"] is None for v in attributes) / len(attributes)
    assert 0.05 <= missing <= 0.25


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_files_hold_the_simulation_in_the_import_formats(tmp_path: Path) -> None:
    simulation = simulate(AS_OF, accounts=80, seed=5)
    paths = write_csvs(simulation, tmp_path / "crm")
    assert list(paths) == ["accounts", "contacts", "purchases", "visits"]
    accounts, contacts, purchases, visits = (_read(paths[kind]) for kind in paths)
    assert accounts[0] == [*ACCOUNT_COLUMNS]
    assert accounts[0][-4:] == ["contract_type", "plan", "seats", "credit_limit"]
    assert contacts[0] == [*CONTACT_COLUMNS] == [
        "account_code", "email", "name", "language", "phone", "survey"
    ]  # fmt: skip
    assert purchases[0] == [*PURCHASE_COLUMNS]
    assert accounts[1:] == [_account_cells(a) for a in simulation.accounts]
    assert contacts[1:] == [
        [a.code, c.email, c.name, c.language, c.phone, "yes" if c.survey_opt_in else "no"]
        for a in simulation.accounts
        for c in a.contacts
    ]
    assert purchases[1:] == [
        [a.code, p.occurred_on.isoformat(), str(p.amount), str(p.quantity), p.ref]
        for a in simulation.accounts
        for p in a.purchases
    ]
    assert any("有限公司" in row[1] for row in accounts)
    assert visits[0] == [*VISIT_COLUMNS]
    assert visits[1:] == [
        [e.account_code, e.kind, e.day.isoformat(), e.staff_email, e.contact_email,
         e.person_met, e.notes, e.ref]
        for e in simulation.contact_log
    ]  # fmt: skip


def _account_cells(account: SimulatedAccount) -> list[str]:
    attributes = [
        "" if account.attributes[name] is None else str(account.attributes[name])
        for name in ("contract_type", "plan", "seats", "credit_limit")
    ]
    return [
        account.code,
        account.name,
        account.industry,
        account.region,
        account.manager_email,
        account.opened_on.isoformat(),
        account.closed_on.isoformat() if account.closed_on else "",
        account.closed_reason.value if account.closed_reason else "",
        *attributes,
    ]


# The contact log: visits, calls and emails of the account managers

YEAR, FOUR_MONTHS = dt.timedelta(days=365), dt.timedelta(days=122)
# What each tier's standard asks in a year (DOMAIN.md): visits, calls.
STANDARD_IN_A_YEAR = {"A": (8, 12), "B": (4, 12), "C": (0, 4), "D": (0, 0)}


def test_the_same_seed_gives_the_same_contact_log() -> None:
    first = simulate(AS_OF, accounts=150, seed=3)
    assert first.contact_log == simulate(AS_OF, accounts=150, seed=3).contact_log
    assert len(first.contact_log) > 150
    assert first.contact_log != simulate(AS_OF, accounts=150, seed=4).contact_log


def test_contacts_are_made_on_weekdays_while_the_account_is_open(simulation: Simulation) -> None:
    accounts = {account.code: account for account in simulation.accounts}
    log = simulation.contact_log
    assert len({entry.ref for entry in log}) == len(log)
    for entry in log:
        account = accounts[entry.account_code]
        assert entry.kind in CONTACT_KINDS
        assert max(simulation.history_start, account.opened_on) <= entry.day <= AS_OF
        assert account.closed_on is None or entry.day < account.closed_on
        assert entry.day.weekday() < 5
        assert entry.staff_email == account.manager_email
        emails = {contact.email for contact in account.contacts}
        assert (entry.contact_email in emails) != bool(entry.person_met)
        assert entry.notes
    by_account = [[e for e in log if e.account_code == code] for code in list(accounts)[:50]]
    for entries in by_account:
        assert [e.ref[-4:] for e in entries] == [f"{n:04d}" for n in range(1, len(entries) + 1)]
        assert [e.day for e in entries] == sorted(e.day for e in entries)
    kinds = Counter(entry.kind for entry in log)
    assert kinds["call"] > kinds["visit"] > 0
    assert kinds["email"] > 0


def _tiers_today(simulation: Simulation) -> dict[str, str]:
    first, last = trailing_window(AS_OF)
    return assign_tiers(
        {
            a.code: sum((p.amount for p in a.purchases if first <= p.occurred_on <= last),
                        Decimal(0))
            for a in simulation.accounts
            if a.closed_on is None
        }
    )  # fmt: skip


def _last_year(simulation: Simulation) -> dict[str, dict[str, list[int]]]:
    """Visits and calls in the last year of each tier's steady accounts, tiered by today."""
    tiers = _tiers_today(simulation)
    counts = Counter(
        (entry.account_code, entry.kind)
        for entry in simulation.contact_log
        if entry.day > AS_OF - YEAR
    )
    by_tier: dict[str, dict[str, list[int]]] = {tier: {"visit": [], "call": []} for tier in "ABCD"}
    for account in _of_fate(simulation, Fate.steady):
        if account.opened_on < simulation.history_start:
            for kind in ("visit", "call"):
                by_tier[tiers[account.code]][kind].append(counts[account.code, kind])
    return by_tier


def test_managers_keep_roughly_to_each_tiers_contact_standard(simulation: Simulation) -> None:
    for tier, made in _last_year(simulation).items():
        visits, calls = STANDARD_IN_A_YEAR[tier]
        assert visits - 1 <= statistics.median(made["visit"]) <= visits + 1, tier
        assert max(calls - 2, 0) <= statistics.median(made["call"]) <= calls + 2, tier
    d = _last_year(simulation)["D"]
    assert sum(d["call"]) / len(d["call"]) < 1.5, "tier D accounts are called now and then"


def test_some_accounts_are_neglected(simulation: Simulation) -> None:
    for tier in ("A", "B"):
        made = _last_year(simulation)[tier]
        asked = sum(STANDARD_IN_A_YEAR[tier])
        neglected = [v + c < asked / 2 for v, c in zip(made["visit"], made["call"], strict=True)]
        assert 0.04 <= sum(neglected) / len(neglected) <= 0.25, tier


def test_accounts_on_their_way_out_are_contacted_less_in_their_last_months(
    simulation: Simulation,
) -> None:
    leaving = {
        a.code: a.stopped_on
        for a in simulation.accounts
        if a.fate is not Fate.steady
        and a.stopped_on is not None
        and a.stopped_on <= AS_OF
        and a.stopped_on - YEAR - HALF_YEAR > max(a.opened_on, simulation.history_start)
    }
    assert len(leaving) >= 100
    last, a_year_before = 0, 0
    for entry in simulation.contact_log:
        stop = leaving.get(entry.account_code)
        if stop is not None:
            last += stop - FOUR_MONTHS <= entry.day < stop
            a_year_before += stop - YEAR - FOUR_MONTHS <= entry.day < stop - YEAR
    assert last < 0.6 * a_year_before, (last, a_year_before)
