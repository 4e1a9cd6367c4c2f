"""The one PDF renderer: WeasyPrint on a finished HTML page, fetching nothing, off the event loop.

Reports are complete in their HTML: styles inline, charts inline SVG, fonts from fontconfig.
So the renderer refuses every URL: an ``<img src="http://...">``, a stylesheet link or a
``file://`` path that reached the page (escaping should stop them first) fetches nothing.

Rendering runs in a pool of worker processes, not threads: WeasyPrint's layout is Python
that holds the GIL for most of a render (a tenth of a second to a second), so in a thread
it would slow every other request of the process and could not use a second core.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import cache

from weasyprint import HTML
from weasyprint.urls import URLFetcher

__all__ = ["RefuseEveryUrl", "render_pdf", "render_pdf_off_the_loop"]


class RefuseEveryUrl(URLFetcher):
    """WeasyPrint's fetcher for reports: every URL is refused (WeasyPrint logs and skips it)."""

    def fetch(self, url: str, headers: object = None) -> None:
        raise ValueError(f"reports fetch nothing, not even {url[:80]}")


def render_pdf(html: str) -> bytes:
    """The PDF of a finished report page."""
    pdf: bytes = HTML(string=html, url_fetcher=RefuseEveryUrl()).write_pdf()
    return pdf


@cache
def _renderers() -> ProcessPoolExecutor:
    # Spawned, not forked: a fork would copy the event loop and open database connections.
    return ProcessPoolExecutor(
        max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")
    )


async def render_pdf_off_the_loop(html: str) -> bytes:
    """``render_pdf`` in a worker process (one per core, started on first use)."""
    return await asyncio.get_running_loop().run_in_executor(_renderers(), render_pdf, html)
