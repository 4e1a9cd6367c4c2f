"""The one PDF renderer: WeasyPrint on a finished HTML page, fetching nothing, off the event loop.

Every report is a tagged, accessible PDF (PDF/UA-1: a structure tree, the document's
language from ``<html lang>``), or PDF/A-3b when it is to be archived; the same page gives
the same bytes. Reports are complete in their HTML: styles inline, charts inline SVG,
fonts from fontconfig. So the renderer refuses every URL: an ``<img src="http://...">``, a
stylesheet link or a ``file://`` path that reached the page (escaping should stop them
first) fetches nothing.

Rendering runs in a pool of worker processes, not threads: WeasyPrint's layout is Python
that holds the GIL for most of a render (about a second for a report of a few pages), so in
a thread it would slow every other request of the process and could not use a second core.
A server process has ``Settings.renderers`` of them (the cores shared among the server's
workers), started when reports are asked for; each gives a render's memory back after it.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import re
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from weasyprint import HTML
from weasyprint.urls import URLFetcher

__all__ = [
    "ACCESSIBLE",
    "ARCHIVAL",
    "RefuseEveryUrl",
    "file_name_part",
    "render_in_renderer",
    "render_pdf",
    "render_pdf_off_the_loop",
    "start_renderers",
    "stop_renderers",
]

log = logging.getLogger("feedback.reports")
UNSAFE_IN_FILE_NAMES = re.compile(r"[^A-Za-z0-9._-]")
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-3b"
SERVER_CHECK_SECONDS = 1.0
# Latin and Chinese text, so that the warm-up loads the fonts reports use.
WARM_UP_PAGE = "<html><body style=\"font-family: 'Noto Sans CJK SC'\">Report 报告</body></html>"


class RefuseEveryUrl(URLFetcher):
    """WeasyPrint's fetcher for reports: every URL is refused (WeasyPrint logs and skips it)."""

    def fetch(self, url: str, headers: object = None) -> None:
        raise ValueError(f"reports fetch nothing, not even {url[:80]}")


def file_name_part(text: str) -> str:
    """``text`` (an account code) as part of a report's file name: other characters are _."""
    return UNSAFE_IN_FILE_NAMES.sub("_", text)


def render_pdf(html: str, variant: str = ACCESSIBLE) -> bytes:
    """The PDF of a finished report page, PDF/UA-1 unless ``variant`` is ARCHIVAL."""
    pdf: bytes = HTML(string=html, url_fetcher=RefuseEveryUrl()).write_pdf(pdf_variant=variant)
    return pdf


# glibc's; other C libraries may not have it.
_malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)


def render_in_renderer(html: str) -> bytes:
    """``render_pdf`` in a renderer process, which then gives the render's memory back.

    WeasyPrint's layout leaves reference cycles that only the cycle collector frees, and the
    C library keeps freed memory for the process until it is trimmed. Without both a
    renderer grew from 83 MiB to 255 MiB over 30 account reports; with them its peak stays
    at one render's (docs/performance.md, bench/bench_renderer_memory.py).
    """
    pdf = render_pdf(html)
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
    return pdf


def _end_with(server: int) -> None:
    """In a renderer: exit as soon as the server process is gone.

    A renderer waits for work on a pipe it holds both ends of, so when the server is killed
    (SIGKILL, the OOM killer) nothing else would ever tell it to stop.
    """

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(SERVER_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-the-server", daemon=True).start()


class _Renderers:
    """The server process's pool of renderer processes: up to ``count``, each started when a
    report finds the others busy."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.count = 1

    def executor(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # Spawned, not forked: a fork would copy the event loop and database connections.
            self.pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_end_with,
                initargs=(os.getpid(),),
            )
        return self.pool

    def stop(self) -> None:
        if self.pool is None:
            return
        pool, self.pool = self.pool, None
        # The server answers the requests under way before it shuts the app down, so what
        # may still run is the warm-up (seconds of imports): not worth waiting for.
        for process in list(pool._processes.values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


_renderers = _Renderers()


def _log_failure(done: Future[bytes]) -> None:
    # A warm-up that a shutdown cut short is no failure.
    stopped = _renderers.pool is None
    if not stopped and not done.cancelled() and done.exception() is not None:
        log.error("the report renderer could not start: %s", done.exception())


def start_renderers(count: int) -> None:
    """Allow up to ``count`` renderer processes; start the first one and let it load
    WeasyPrint and the fonts, in the background.

    A new process imports WeasyPrint first (a few seconds); started with the server, the
    first report after a restart does not wait for it.
    """
    _renderers.count = count
    _renderers.executor().submit(render_pdf, WARM_UP_PAGE).add_done_callback(_log_failure)


def stop_renderers() -> None:
    """End the renderer processes (at shutdown)."""
    _renderers.stop()


async def render_pdf_off_the_loop(html: str) -> bytes:
    """``render_pdf`` in a renderer process."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_renderers.executor(), render_in_renderer, html)
