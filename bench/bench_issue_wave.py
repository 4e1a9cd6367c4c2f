"""P2: issuing a wave to N contacts against a bare bulk insert of the same rows, same run.

    .venv/bin/python -m bench.bench_issue_wave --contacts 100000 [--postgres ADMIN_URL]

Builds a fresh database (a new SQLite file, or a throwaway PostgreSQL database created
through ADMIN_URL and dropped afterwards), inserts the accounts and contacts directly
(not measured), then times (a) a bare chunked executemany of N invitation rows plus N
outbox rows inside one transaction, and (b) ``issue_wave`` for the same contacts.
Target (docs/PERFORMANCE.md, P2): (b) / (a) <= 3.0.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bench.options import measure_on_throwaway_database
from feedback.db import Database, transaction
from feedback.mail.services import INSERT_SQL as OUTBOX_SQL
from feedback.mail.services import MailContext
from feedback.surveys.issuance import CHUNK, INVITATION_SQL, issue_wave
from feedback.surveys.messages import Recipient, render_survey_mail
from feedback.surveys.services import create_wave, wave_info
from tests.support.databases import migrated_database

NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
OPENS, CLOSES = dt.date(2026, 11, 20), dt.date(2026, 12, 15)
CONTEXT = MailContext(base_url="https://survey.example.com", company="Acme Service")
TARGET = 3.0


def chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def seed(database: Database, contacts: int) -> None:
    """~contacts/2 active accounts with two opted-in contacts each, plus closed accounts."""
    accounts = (contacts + 1) // 2
    closed = max(accounts // 100, 1)
    account_rows = [
        (f"C{n:07d}", f"Customer {n}", "retail", "north", "active" if n < accounts else "closed")
        for n in range(accounts + closed)
    ]
    contact_rows = []
    for n in range(contacts):
        contact_rows.append((n // 2 + 1, f"c{n}@example.com", f"Contact {n}", "en", True))
    for n in range(closed):  # contacts of closed accounts: never invited
        contact_rows.append((accounts + n + 1, f"closed{n}@example.com", "", "en", True))
    async with transaction():
        for part in chunks(account_rows):
            await database.executemany(
                "INSERT INTO account (code, name, industry, region, status, closed_reason, "
                "attributes, tier, trailing_revenue) VALUES (?, ?, ?, ?, ?, '', '{}', 'D', 0)",
                part,
            )
        for part in chunks(contact_rows):
            await database.executemany(
                "INSERT INTO contact (account, email, name, language, phone, survey_opt_in) "
                "VALUES (?, ?, ?, ?, '', ?)",
                part,
            )


def reference_rows(contacts: int, wave_id: int) -> tuple[list[Any], list[Any]]:
    """Rows shaped like the service's: hashed tokens, rendered bodies, unique keys."""
    mail = render_survey_mail(
        "invitation",
        Recipient("Contact 1", "Customer 1", f"{CONTEXT.base_url}/s/{'x' * 43}", "en"),
        "2026-H1",
        CONTEXT.company,
        CLOSES,
    )
    expires = dt.datetime.combine(CLOSES, dt.time.max, tzinfo=dt.UTC)
    invitations = [
        (wave_id, n // 2 + 1, n + 1, secrets.token_hex(32), NOW, expires, NOW)
        for n in range(contacts)
    ]
    outbox = [
        (f"bench:{wave_id}:{n}", f"c{n}@example.com", mail.subject, mail.text, mail.html, NOW, NOW)
        for n in range(contacts)
    ]
    return invitations, outbox


async def bare_insert(database: Database, invitations: list[Any], outbox: list[Any]) -> float:
    started = time.perf_counter()
    async with transaction():
        for part in chunks(invitations):
            await database.executemany(INVITATION_SQL, part)
        for part in chunks(outbox):
            await database.executemany(OUTBOX_SQL, part)
    return time.perf_counter() - started


async def measure(url: str, contacts: int) -> None:
    async with migrated_database(url) as database:
        await seed(database, contacts)
        # The reference writes into its own wave, before the service runs (so the service
        # meets tables that already hold the reference's rows, never the other way round).
        await create_wave("2026-H1", NOW, opens_on=OPENS, closes_on=CLOSES)
        await create_wave("2026-H2", NOW, opens_on=OPENS, closes_on=CLOSES)
        invitations, outbox = reference_rows(contacts, (await wave_info("2026-H1")).id)
        reference = await bare_insert(database, invitations, outbox)
        started = time.perf_counter()
        issued = await issue_wave("2026-H2", NOW, CONTEXT)
        service = time.perf_counter() - started
    if len(issued) != contacts:
        raise SystemExit(f"issue_wave invited {len(issued)} contacts, expected {contacts}")
    ratio = service / reference
    print(f"database: {database.kind}, contacts: {contacts:,}")
    print(f"bare bulk insert ({contacts:,} invitations + {contacts:,} outbox): {reference:.2f} s")
    print(f"issue_wave ({len(issued):,} invitations + queued mail): {service:.2f} s")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio issue_wave / bare insert: {ratio:.2f} ({verdict} target <= {TARGET})")


def main() -> None:
    measure_on_throwaway_database(__doc__, measure, contacts=100_000)


if __name__ == "__main__":
    main()
