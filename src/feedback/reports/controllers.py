"""HTTP layer of reports: an account's feedback report, a portfolio report and the wave report
as PDFs, and a manager's whole set of reports as one ZIP file."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, SkipValidation
from litestar.response import Stream

from feedback.accounts.injected import Viewer
from feedback.accounts.roles import LEADS
from feedback.config import Settings
from feedback.reports.account import account_report
from feedback.reports.pdf import file_name_part, render_pdf_off_the_loop
from feedback.reports.portfolio import (
    PortfolioChoice,
    portfolio_codes,
    portfolio_manager,
    portfolio_report,
)
from feedback.reports.rendering import portfolio_html, report_html, wave_html
from feedback.reports.report_set import ReportSet, report_set_name, report_set_zip
from feedback.reports.wave import WaveChoice, wave_report
from feedback.scoring.risk import RISK_READERS
from feedback.web.access import allow
from feedback.web.injected import InjectedClock

__all__ = ["ReportPages"]


async def _portfolio_choice(
    viewer: Viewer, manager: FromQuery[str] = "", lang: FromQuery[str] = "",
    accounts: FromQuery[str] = "",
) -> PortfolioChoice:  # fmt: skip
    """``manager``: an account manager's id or all (default: an account manager's own
    portfolio, the whole company for the others); ``accounts``: codes, comma-separated."""
    chosen = await portfolio_manager(viewer, manager)
    return PortfolioChoice(chosen, lang, portfolio_codes(accounts))


class ReportPages(Controller):
    include_in_schema = False
    # A report shows the account's churn risk: the same readers as the risk pages.
    opt = allow(RISK_READERS)

    @get("/accounts/{code:str}/report.pdf")
    async def account_report_pdf(
        self,
        viewer: Viewer,
        clock: InjectedClock,
        settings: NamedDependency[Settings],
        code: FromPath[str],
        lang: FromQuery[str] = "",
    ) -> Response[bytes]:
        report = await account_report(code, viewer, clock.now(), settings.contact_standards, lang)
        pdf = await render_pdf_off_the_loop(report_html(report))
        return _pdf(pdf, f"report-{file_name_part(code)}-{report.prepared_on}.pdf")

    @get(
        "/reports/portfolio.pdf",
        dependencies={"portfolio_choice": Provide(_portfolio_choice)},
    )
    async def portfolio_report_pdf(
        self,
        viewer: Viewer,
        clock: InjectedClock,
        settings: NamedDependency[Settings],
        portfolio_choice: NamedDependency[SkipValidation[PortfolioChoice]],
    ) -> Response[bytes]:
        """An account manager's own portfolio; supervisors and admins choose a manager's id,
        or all (the default)."""
        report = await portfolio_report(
            viewer, portfolio_choice, clock.now(), settings.contact_standards
        )
        pdf = await render_pdf_off_the_loop(portfolio_html(report))
        manager = portfolio_choice.manager
        return _pdf(pdf, f"portfolio-{manager.id if manager else 'all'}-{report.prepared_on}.pdf")

    @get("/reports/set.zip", dependencies={"portfolio_choice": Provide(_portfolio_choice)})
    async def report_set(
        self,
        viewer: Viewer,
        clock: InjectedClock,
        settings: NamedDependency[Settings],
        portfolio_choice: NamedDependency[SkipValidation[PortfolioChoice]],
    ) -> Stream:
        """A manager's portfolio report and each of their accounts' reports, as one ZIP file
        streamed as the reports are made; supervisors and admins name the manager's id."""
        chosen = ReportSet(portfolio_choice, clock.now(), settings.contact_standards)
        return Stream(
            report_set_zip(viewer, chosen),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{report_set_name(chosen)}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/reports/wave.pdf", opt=allow(LEADS))
    async def wave_report_pdf(
        self, viewer: Viewer, clock: InjectedClock, wave: FromQuery[str] = "",
        lang: FromQuery[str] = "",
    ) -> Response[bytes]:  # fmt: skip
        """The wave report for management: ``wave`` a period such as 2026-H2 (default: the
        latest wave)."""
        report = await wave_report(viewer, WaveChoice(wave, lang), clock.now())
        pdf = await render_pdf_off_the_loop(wave_html(report))
        return _pdf(pdf, f"wave-{report.summary.period}-{report.prepared_on}.pdf")


def _pdf(pdf: bytes, name: str) -> Response[bytes]:
    """A report to show in the browser, under a file name of safe characters, never cached."""
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )
