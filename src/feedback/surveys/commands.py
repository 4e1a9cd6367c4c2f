"""`feedback waves` (create, issue, remind, close, results) and `feedback questionnaires`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import msgspec

from feedback.config import Settings
from feedback.mail.services import MailContext
from feedback.progress import measured
from feedback.runtime import run_on_database
from feedback.surveys import issuance, results, services
from feedback.surveys.quadrant import Quadrant
from feedback.surveys.schemas import results_out

__all__ = ["questionnaires_group", "waves_group"]


@click.group("waves")
def waves_group() -> None:
    """Twice-yearly survey waves."""


@waves_group.command("create")
@click.option("--period", required=True, help="The half year, e.g. 2026-H2.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None)
def create(period: str, opens: dt.datetime | None, closes: dt.datetime | None) -> None:
    """Plan a wave; dates default from the twice-yearly calendar."""

    async def work(settings: Settings) -> services.WaveInfo:
        return await services.create_wave(
            period,
            settings.clock().now(),
            opens_on=opens.date() if opens else None,
            closes_on=closes.date() if closes else None,
        )

    wave = run_on_database(work)
    click.echo(f"wave {wave.period}: opens {wave.opens_on}, closes {wave.closes_on}")


@waves_group.command("issue")
@click.argument("period")
@click.option("--links-csv", type=click.Path(dir_okay=False, path_type=Path), default=None)
def issue(period: str, links_csv: Path | None) -> None:
    """Invite every survey contact of every active account; queue the emails."""

    async def work(settings: Settings) -> int:
        with measured(f"issuing {period}", "invitations") as report:
            issued = await issuance.issue_wave(
                period,
                settings.clock().now(),
                MailContext.from_settings(settings),
                links_csv=links_csv,
                report=report,
            )
        return len(issued)

    count = run_on_database(work)
    click.echo(
        f"{count} invitation(s) issued and queued"
        + (f"; links in {links_csv}" if links_csv else "")
    )


@waves_group.command("remind")
@click.argument("period")
def remind(period: str) -> None:
    """Queue reminders to non-responders that are due one."""

    async def work(settings: Settings) -> int:
        return await issuance.send_reminders(
            period, settings.clock().now(), MailContext.from_settings(settings)
        )

    click.echo(f"{run_on_database(work)} reminder(s) queued")


@waves_group.command("close")
@click.argument("period")
def close(period: str) -> None:
    """Close a wave: its links stop working."""

    async def work(settings: Settings) -> services.WaveInfo:
        return await services.close_wave(period, settings.clock().now())

    click.echo(f"wave {run_on_database(work).period} is closed")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@waves_group.command("results")
@click.argument("period")
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def show_results(period: str, as_json: bool) -> None:
    """A wave's headline figures, or all of its results as JSON."""

    async def work(settings: Settings) -> results.WaveResults:
        return await results.wave_results(period)

    outcome = run_on_database(work)
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(results_out(outcome)), indent=2))
        return
    overall = outcome.overall
    click.echo(
        f"wave {outcome.period}: {overall.responded}/{overall.invited} responded "
        f"({_percent(overall.response_rate)})"
    )
    click.echo(
        f"satisfaction {_percent(overall.satisfaction_rate)}, "
        f"loyalty {_percent(overall.loyalty_rate)}, "
        f"advocacy {_percent(overall.advocacy_rate)}"
    )
    click.echo("movement: " + ", ".join(f"{k} {v}" for k, v in outcome.movement_counts.items()))
    for item in outcome.dropped:
        click.echo(
            f"  dropped: {item.code} {item.name} {item.previous_level} -> {item.current_level}"
        )
    _echo_quadrants(outcome)


def _echo_quadrants(outcome: results.WaveResults) -> None:
    click.echo(f"quadrants (loyalty from purchases before {outcome.purchases_as_of}):")
    for kind in Quadrant:
        codes = [item.code for item in outcome.quadrants if item.quadrant is kind]
        click.echo(
            f"  {kind.label} {outcome.quadrant_counts[kind.value]} ({kind.action})"
            + (f": {', '.join(codes)}" if codes else "")
        )


@click.group("questionnaires")
def questionnaires_group() -> None:
    """Questionnaire versions: the three-level item first, then aspects, comment, contact."""


@questionnaires_group.command("show")
@click.option("--version", "wanted", type=int, default=None, help="Default: the newest.")
def show_questionnaire(wanted: int | None) -> None:
    """Print a version's items as JSON (the format `save` reads) and the waves that ask it."""

    async def work(settings: Settings) -> list[services.QuestionnaireInfo]:
        return await services.questionnaire_versions()

    versions = run_on_database(work)
    chosen = [q for q in versions if wanted in (None, q.version)][:1]
    if not chosen:
        raise click.ClickException(
            "there is no questionnaire yet; the first wave creates the standard one"
            if wanted is None
            else f"there is no questionnaire version {wanted}"
        )
    info = chosen[0]
    asked = ", ".join(info.periods) or "no wave yet"
    click.echo(f"version {info.version} (saved {info.created_at:%Y-%m-%d}; asked by {asked})")
    click.echo(json.dumps(info.items, indent=2))


@questionnaires_group.command("save")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def save_questionnaire(path: Path) -> None:
    """Save the items in PATH (a JSON list) as the next version; waves created later ask it.

    Waves already created keep the version they ask, so answers given never change meaning.
    """
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path} is not JSON: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise click.ClickException(
            f'{path} must hold a list of items such as {{"kind": "aspect", "key": "delivery"}}'
        )

    async def work(settings: Settings) -> int:
        return await services.save_questionnaire(items, settings.clock().now())

    click.echo(f"questionnaire version {run_on_database(work)} saved; new waves will ask it")
