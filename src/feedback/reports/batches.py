"""Batches of reports: each page assembled here while the pages before it render in a pool
of processes, with a manifest that lets a rerun skip what is already built from the same data.

A report's PDF follows from its HTML (the renderer is deterministic: the same page gives
the same bytes), so the manifest keeps each page's SHA-256: a rerun assembles the pages
again (tens of milliseconds each) and renders only those whose page changed or whose file
is missing. A report that cannot be made is listed with the reason; the rest are built.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from feedback.errors import DomainError
from feedback.progress import Advance
from feedback.reports.pdf import WARM_UP_PAGE, render_in_renderer, render_pdf

__all__ = [
    "MANIFEST",
    "BatchEntry",
    "BatchPlan",
    "build_batch",
    "read_manifest",
]

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BatchEntry:
    """What became of one report: built, unchanged (already built from the same data) or
    failed, with the reason."""

    name: str
    file: str
    page_sha256: str
    outcome: str
    problem: str = ""


def read_manifest(folder: Path) -> dict[str, BatchEntry]:
    """The entries of the folder's manifest by name; none when there is no manifest yet."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))["reports"]
    return {entry["name"]: BatchEntry(**entry) for entry in entries}


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


def _sha256(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def _unchanged(
    name: str, file: str, digest: str, before: dict[str, BatchEntry], folder: Path
) -> bool:
    earlier = before.get(name)
    return (
        earlier is not None
        and earlier.outcome in ("built", "unchanged")
        and earlier.page_sha256 == digest
        and (folder / file).exists()
    )


async def _entry(
    name: str, file: str, digest: str, rendered: Future[bytes], folder: Path
) -> BatchEntry:
    try:
        pdf = await asyncio.wrap_future(rendered)
    except Exception as exc:  # a failed render is reported; the rest go on
        return BatchEntry(name, file, digest, "failed", f"could not render: {exc}")
    _write_atomically(folder / file, pdf)
    return BatchEntry(name, file, digest, "built")


@dataclass(frozen=True)
class BatchPlan:
    """The reports to build: their names, each one's file, and how to assemble its page."""

    names: Sequence[str]
    file_of: Callable[[str], str]
    page_of: Callable[[str], Awaitable[str]]


async def build_batch(
    plan: BatchPlan, folder: Path, processes: int, advance: Advance
) -> list[BatchEntry]:
    """Build the plan's reports into the existing ``folder`` with ``processes`` renderer
    processes: each page is assembled while those before it render; a page unchanged since
    the manifest's build is not rendered again. Then write the manifest; the entries in the
    plan's order."""
    before = read_manifest(folder)
    entries: dict[str, Awaitable[BatchEntry] | BatchEntry] = {}
    # Spawned, as the server's renderers: nothing of this process's state is copied.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        for _ in range(processes):  # the workers load WeasyPrint while the first pages assemble
            pool.submit(render_pdf, WARM_UP_PAGE)
        for name in plan.names:
            file = plan.file_of(name)
            try:
                html = await plan.page_of(name)
            except DomainError as exc:
                entries[name] = BatchEntry(name, file, "", "failed", exc.message)
                advance(1)
                continue
            digest = _sha256(html)
            if _unchanged(name, file, digest, before, folder):
                entries[name] = BatchEntry(name, file, digest, "unchanged")
                advance(1)
            else:
                entries[name] = _entry(
                    name, file, digest, pool.submit(render_in_renderer, html), folder
                )
        ordered = []
        for name in plan.names:
            found = entries[name]
            if not isinstance(found, BatchEntry):
                found = await found
                advance(1)
            ordered.append(found)
    manifest = {"reports": [asdict(entry) for entry in ordered]}
    _write_atomically(folder / MANIFEST, json.dumps(manifest, indent=2).encode())
    return ordered
