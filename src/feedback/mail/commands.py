"""`feedback jobs`: deliver the outbox's due mail."""

from __future__ import annotations

import asyncio

import click

from feedback.cli import run_on_database
from feedback.clock import SystemClock
from feedback.config import Settings
from feedback.mail.services import DeliveryReport, deliver_due

__all__ = ["jobs_group"]

IDLE_SECONDS = 5.0


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@click.option("--batch", default=100, show_default=True, type=int)
def run(once: bool, batch: int) -> None:
    """Deliver due mail over FEEDBACK_SMTP_URL, retrying failures with backoff."""

    async def work(settings: Settings) -> int:
        sent = 0
        while True:
            report: DeliveryReport = await deliver_due(
                settings.smtp_url, SystemClock().now(), batch=batch
            )
            sent += report.sent
            if report.failed:
                click.echo(f"{report.failed} message(s) failed; they will be retried", err=True)
            if report.claimed < batch:
                if once:
                    return sent
                await asyncio.sleep(IDLE_SECONDS)

    click.echo(f"{run_on_database(work)} message(s) sent")
