"""The `feedback` command: serve, demo, db, users, accounts, imports, waves, jobs, reports."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from feedback.accounts.roles import Role
from feedback.config import Settings

__all__ = ["main"]

T = TypeVar("T")


class _DomainCommands(click.Group):
    """click's lazy-loading group: a domain's command module is imported when it is named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_DOMAIN_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _DOMAIN_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = _DOMAIN_COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=_DomainCommands)
def main() -> None:
    """feedback: satisfaction surveys, complaint tickets and churn scoring."""


def _on_database(work: Callable[[Settings], Awaitable[T]]) -> T:
    """``feedback.runtime.run_on_database``, imported when a command runs: renderer processes
    import this module again as they start, and do not need the database stack."""
    from feedback.runtime import run_on_database

    return run_on_database(work)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the web service."""
    import uvicorn

    # The workers share the cores for report rendering, unless FEEDBACK_RENDERERS says.
    os.environ.setdefault("FEEDBACK_RENDERERS", str(max(1, (os.cpu_count() or 1) // workers)))
    settings = Settings.from_env()
    click.echo(f"feedback is listening on http://{host}:{port}/ (links use {settings.base_url})")
    uvicorn.run(
        "feedback.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("migrate")
def db_migrate() -> None:
    """Create or upgrade the schema."""

    async def work(settings: Settings) -> None:
        from feedback.db import migrate

        await migrate()

    _on_database(work)
    click.echo("the database schema is up to date")


@main.group()
def users() -> None:
    """Staff users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Add a staff user; the password is prompted for (or read from stdin)."""
    from feedback.accounts import staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(settings: Settings) -> None:
        await staff.create_user(email, name, role, password, settings.clock().now())

    _on_database(work)
    click.echo(f"created {role} {email.strip().lower()}")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Stop a user from logging in and end their sessions."""
    from feedback.accounts import staff

    async def work(settings: Settings) -> None:
        await staff.set_active(email, False)

    _on_database(work)
    click.echo(f"deactivated {email}")


@main.group()
def accounts() -> None:
    """Accounts and tiers."""


@accounts.command("tiers")
def accounts_tiers() -> None:
    """Recompute every account's tier from trailing-12-month revenue."""
    from feedback.accounts.services import recompute_tiers

    async def work(settings: Settings) -> dict[str, int]:
        return await recompute_tiers(settings.clock().today(), settings.tier_thresholds)

    counts = _on_database(work)
    click.echo("tiers: " + ", ".join(f"{tier} {count}" for tier, count in counts.items()))


# Commands defined next to their domain, imported only when used: the command line of one
# domain does not load another's libraries (scikit-learn, WeasyPrint). They share
# feedback.runtime.run_on_database with the commands above.
_DOMAIN_COMMANDS = {
    "import": "feedback.accounts.import_command:import_group",
    "demo": "feedback.demo.command:demo_command",
    "waves": "feedback.surveys.commands:waves_group",
    "questionnaires": "feedback.surveys.commands:questionnaires_group",
    "complaints": "feedback.complaints.commands:complaints_group",
    "jobs": "feedback.jobs:jobs_group",
    "scoring": "feedback.scoring.commands:scoring_group",
    "reports": "feedback.reports.commands:reports_group",
}
