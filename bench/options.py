"""The command line of the benchmarks that measure on a throwaway database: their sizes and
``--postgres ADMIN_URL``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from tests.support.databases import throwaway_database


def sizes_and_postgres(doc: str, **sizes: int) -> argparse.Namespace:
    """The arguments of the benchmark described by ``doc``: one whole-number option per size
    (``contacts=100_000`` is ``--contacts``, 100,000 unless given) and ``--postgres
    ADMIN_URL``, the server to make the throwaway database on (a SQLite file without it)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in sizes.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument(
        "--postgres", metavar="ADMIN_URL", help="run on a throwaway database made through this"
    )
    return parser.parse_args()


def measure_on_throwaway_database(
    doc: str, measure: Callable[..., Awaitable[None]], **sizes: int
) -> None:
    """Read the command line (``sizes_and_postgres``), then run ``measure(url, *sizes)`` in an
    event loop on a throwaway database, the sizes in the order given."""
    args = sizes_and_postgres(doc, **sizes)
    with throwaway_database(args.postgres) as url:
        asyncio.run(measure(url, *(getattr(args, name) for name in sizes)))
