"""Batches of reports: every page assembled here, rendered in a pool of processes, with a
manifest that lets a rerun skip what is already built from the same data.

A report's PDF follows from its HTML (the renderer is deterministic: the same page gives
the same bytes), so the manifest keeps each page's SHA-256: a rerun assembles the pages
again (tens of milliseconds each) and renders only those whose page changed or whose file
is missing. A report that cannot be made is listed with the reason; the rest are built.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from feedback.errors import DomainError
from feedback.progress import Advance
from feedback.reports.pdf import render_pdf

__all__ = [
    "MANIFEST",
    "BatchEntry",
    "BatchPage",
    "assemble_pages",
    "build_batch",
    "read_manifest",
]

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BatchPage:
    """One report of a batch: its name (an account code), its file, and its page or why it
    could not be assembled."""

    name: str
    file: str
    html: str | None
    problem: str = ""


@dataclass(frozen=True)
class BatchEntry:
    """What became of one report: built, unchanged (already built from the same data) or
    failed, with the reason."""

    name: str
    file: str
    page_sha256: str
    outcome: str
    problem: str = ""


async def assemble_pages(
    names: Sequence[str], page_of: Callable[[str], Awaitable[str]], file_of: Callable[[str], str]
) -> list[BatchPage]:
    """Each named report's page, one after another; a domain error is kept as its problem."""
    pages = []
    for name in names:
        try:
            pages.append(BatchPage(name, file_of(name), await page_of(name)))
        except DomainError as exc:
            pages.append(BatchPage(name, file_of(name), None, exc.message))
    return pages


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


def _unchanged(page: BatchPage, before: dict[str, BatchEntry], folder: Path) -> bool:
    earlier = before.get(page.name)
    return (
        earlier is not None
        and earlier.outcome in ("built", "unchanged")
        and page.html is not None
        and earlier.page_sha256 == _sha256(page.html)
        and (folder / page.file).exists()
    )


def _finished(page: BatchPage, rendered: Future[bytes], folder: Path) -> BatchEntry:
    digest = _sha256(page.html or "")
    problem = rendered.exception()
    if problem is not None:
        return BatchEntry(page.name, page.file, digest, "failed", f"could not render: {problem}")
    _write_atomically(folder / page.file, rendered.result())
    return BatchEntry(page.name, page.file, digest, "built")


def build_batch(
    pages: Sequence[BatchPage], folder: Path, processes: int, advance: Advance
) -> list[BatchEntry]:
    """Render the pages that changed into ``folder`` with ``processes`` renderer processes,
    then write the manifest; the entries in the pages' order."""
    folder.mkdir(parents=True, exist_ok=True)
    before = read_manifest(folder)
    entries: dict[str, BatchEntry] = {}
    to_render = []
    for page in pages:
        if page.html is None:
            entries[page.name] = BatchEntry(page.name, page.file, "", "failed", page.problem)
        elif _unchanged(page, before, folder):
            entries[page.name] = BatchEntry(page.name, page.file, _sha256(page.html), "unchanged")
        else:
            to_render.append(page)
            continue
        advance(1)
    if to_render:
        # Spawned, as the server's renderers: nothing of this process's state is copied.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            rendering = {pool.submit(render_pdf, page.html or ""): page for page in to_render}
            for rendered in as_completed(rendering):
                page = rendering[rendered]
                entries[page.name] = _finished(page, rendered, folder)
                advance(1)
    ordered = [entries[page.name] for page in pages]
    manifest = {"reports": [asdict(entry) for entry in ordered]}
    _write_atomically(folder / MANIFEST, json.dumps(manifest, indent=2).encode())
    return ordered
