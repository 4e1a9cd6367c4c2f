"""The wave report for management: one wave's results against the waves before it, the
complaints and the churn of its half year, and the accounts most at risk.

Its cost is a fixed number of queries whatever the number of accounts: the waves' headline
figures (two grouped sums), the wave's results (its grouped sums and one read of the
accounts' dimensions and purchase windows), the complaint figures (five grouped queries),
the records churn is counted on (as scoring reads them) and the first page of the latest
scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from feedback.accounts.display_names import DisplayNames, display_names
from feedback.accounts.roles import LEADS
from feedback.accounts.staff import StaffMember
from feedback.complaints.reporting import ComplaintFigures, ReportScope, complaint_figures
from feedback.errors import AccessDenied, NotFound
from feedback.languages import DEFAULT_LANGUAGE
from feedback.reports.account import known_language
from feedback.scoring.churn_rates import ChurnFigures, churn_until
from feedback.scoring.risk import drifting
from feedback.scoring.schemas import AccountScore
from feedback.surveys.overview import WaveSummary, wave_summaries
from feedback.surveys.results import WaveResults, wave_results
from feedback.surveys.services import parse_period
from feedback.web.logs import security_log

__all__ = ["MOST_AT_RISK", "WaveChoice", "WaveReport", "wave_report"]

# The accounts with the most value at risk that the report names.
MOST_AT_RISK = 15


@dataclass(frozen=True)
class WaveChoice:
    """Which wave to report on (empty: the latest), in ``language`` (empty: English)."""

    period: str = ""
    language: str = ""


@dataclass(frozen=True)
class WaveReport:
    """One wave as of ``prepared_on``.

    ``trend`` holds every wave up to this one, oldest first (the last is this wave);
    ``provisional``: the wave is still open, so its figures are its answers so far.
    ``complaints`` are those received in the wave's half year up to ``complaints_until``;
    ``churn`` the churn of the inactivity period up to the same day; ``at_risk`` the latest
    scored day's accounts with the most value at risk.
    """

    language: str
    prepared_on: dt.date
    summary: WaveSummary
    provisional: bool
    results: WaveResults
    trend: list[WaveSummary]
    complaints_since: dt.date
    complaints_until: dt.date
    complaints: ComplaintFigures
    churn: ChurnFigures
    scored_on: dt.date | None
    at_risk: list[AccountScore]
    names: DisplayNames


def _chosen(summaries: list[WaveSummary], period: str) -> list[WaveSummary]:
    """The waves up to the chosen one (the latest when ``period`` is empty)."""
    if not summaries:
        raise NotFound("there is no wave yet; create one with `feedback waves create`")
    if not period:
        return summaries
    wanted = str(parse_period(period))
    periods = [summary.period for summary in summaries]
    if wanted not in periods:
        raise NotFound(f"there is no wave for {wanted}")
    return summaries[: periods.index(wanted) + 1]


def _half_year(summary: WaveSummary, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The wave's half year, from its first day to the day after its last, or to today."""
    period = parse_period(summary.period)
    return period.first_day, min(period.next.first_day, now.date() + dt.timedelta(days=1))


async def wave_report(viewer: StaffMember, choice: WaveChoice, now: dt.datetime) -> WaveReport:
    """The report of the wave ``choice`` names, for a supervisor or an admin; logged."""
    if viewer.role not in LEADS:
        raise AccessDenied("the wave report is for supervisors and admins")
    language = known_language(choice.language) if choice.language else DEFAULT_LANGUAGE
    trend = _chosen(await wave_summaries(), choice.period)
    summary = trend[-1]
    since, until = _half_year(summary, now)
    at = dt.time(tzinfo=dt.UTC)
    scope = ReportScope(dt.datetime.combine(since, at), dt.datetime.combine(until, at))
    scores = await drifting(viewer, limit=MOST_AT_RISK, language=language)
    report = WaveReport(
        language=language,
        prepared_on=now.date(),
        summary=summary,
        provisional=not summary.closed,
        results=await wave_results(summary.period),
        trend=trend,
        complaints_since=since,
        complaints_until=until - dt.timedelta(days=1),
        complaints=await complaint_figures(scope, now),
        churn=await churn_until(until - dt.timedelta(days=1)),
        scored_on=scores.as_of,
        at_risk=scores.items,
        names=await display_names(language),
    )
    security_log.info(
        "report: %s (%s) exported the wave report of %s",
        viewer.email, viewer.role.value, summary.period,
    )  # fmt: skip
    return report
