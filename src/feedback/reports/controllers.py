"""HTTP layer of reports: an account's feedback report as a PDF."""

from __future__ import annotations

import re

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from feedback.accounts.injected import Viewer
from feedback.config import Settings
from feedback.reports.account import account_report
from feedback.reports.pdf import render_pdf_off_the_loop
from feedback.reports.rendering import report_html
from feedback.scoring.risk import RISK_READERS
from feedback.web.access import allow
from feedback.web.injected import InjectedClock

__all__ = ["ReportPages"]

UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9._-]")


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
        name = f"report-{UNSAFE_IN_FILE_NAMES.sub('_', code)}-{report.prepared_on}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )
