"""An account manager's whole set of reports as one ZIP file, streamed as it is made: their
portfolio report (the summary and the lists), then the account report of each active
account in the portfolio, by code.

Each PDF is added to the archive as soon as it is rendered, so the download starts at once
and the server holds one report at a time, not the set. The PDFs are stored, not
compressed again (they are compressed already). An account whose report cannot be made is
left out and named in a text file at the end; the others are all there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import zipfile
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from feedback.accounts.directory import active_accounts_with_revenue
from feedback.accounts.staff import StaffMember
from feedback.accounts.tiers import trailing_window
from feedback.config import ContactStandards
from feedback.errors import DomainError, InvalidInput
from feedback.reports.account import account_report
from feedback.reports.pdf import file_name_part, render_pdf_off_the_loop
from feedback.reports.portfolio import PortfolioChoice, portfolio_report
from feedback.reports.rendering import portfolio_html, report_html
from feedback.web.i18n import translations

__all__ = ["ReportSet", "report_set_name", "report_set_zip"]

# Reports rendering while the next one is assembled: enough to keep two renderers busy.
IN_FLIGHT = 3
LEFT_OUT = "not-in-this-set.txt"


@dataclass(frozen=True)
class ReportSet:
    """Whose set (``choice.manager``, required), as of ``now``, contact standards judged by
    ``standards``."""

    choice: PortfolioChoice
    now: dt.datetime
    standards: ContactStandards


def report_set_name(chosen: ReportSet) -> str:
    manager = chosen.choice.manager
    assert manager is not None  # report_set_zip refuses a set without a manager
    return f"reports-{manager.id}-{chosen.now.date()}.zip"


class _Chunks(io.RawIOBase):
    """Where the archive is written: what it wrote since it was last taken."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.written.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken, self.written = b"".join(self.written), []
        return taken


async def _account_pdf(code: str, viewer: StaffMember, chosen: ReportSet) -> bytes:
    report = await account_report(
        code, viewer, chosen.now, chosen.standards, chosen.choice.language
    )
    return await render_pdf_off_the_loop(report_html(report))


async def _finished(
    pending: deque[tuple[str, asyncio.Task[bytes]]], day: dt.date, left_out: list[str]
) -> tuple[str, bytes] | None:
    """The first pending report's file, or None when it could not be made (then named in
    ``left_out``)."""
    code, task = pending.popleft()
    try:
        return f"report-{file_name_part(code)}-{day}.pdf", await task
    except DomainError as exc:
        left_out.append(f"{code}: {exc.message}")
        return None


async def _files(viewer: StaffMember, chosen: ReportSet) -> AsyncIterator[tuple[str, bytes]]:
    """(file name, content) of each report, in order, with IN_FLIGHT rendering at a time;
    last, the accounts left out and why, if any."""
    day, manager = chosen.now.date(), chosen.choice.manager
    assert manager is not None
    choice = replace(chosen.choice, accounts=(), sections_apart=True)
    portfolio = await portfolio_report(viewer, choice, chosen.now, chosen.standards)
    yield f"portfolio-{day}.pdf", await render_pdf_off_the_loop(portfolio_html(portfolio))
    accounts = await active_accounts_with_revenue(manager.id, *trailing_window(day))
    pending: deque[tuple[str, asyncio.Task[bytes]]] = deque()
    left_out: list[str] = []
    try:
        for number, account in enumerate(accounts, start=1):
            work = _account_pdf(account.code, viewer, chosen)
            pending.append((account.code, asyncio.create_task(work)))
            while pending and (len(pending) >= IN_FLIGHT or number == len(accounts)):
                if found := await _finished(pending, day, left_out):
                    yield found
    finally:  # the download was cut short: stop what is still rendering
        for _, task in pending:
            task.cancel()
    if left_out:
        _ = translations(portfolio.language).gettext
        heading = _("These accounts' reports could not be made:")
        yield LEFT_OUT, "\n".join([heading, *left_out, ""]).encode()


def report_set_zip(viewer: StaffMember, chosen: ReportSet) -> AsyncIterator[bytes]:
    """The set as ZIP bytes, a report at a time; InvalidInput at once without a manager (the
    whole company's reports are a batch: `feedback reports build`)."""
    if chosen.choice.manager is None:
        raise InvalidInput(
            "Choose an account manager: a set holds one manager's reports. "
            "The whole company's are built with the feedback reports build command."
        )
    return _zipped(_files(viewer, chosen), chosen.now)


async def _zipped(
    files: AsyncIterator[tuple[str, bytes]], now: dt.datetime
) -> AsyncIterator[bytes]:
    stamp = (now.year, now.month, now.day, 0, 0, 0)
    chunks = _Chunks()
    with zipfile.ZipFile(chunks, "w", compression=zipfile.ZIP_STORED) as archive:
        async for name, content in files:
            archive.writestr(zipfile.ZipInfo(name, stamp), content)
            yield chunks.take()
    yield chunks.take()
