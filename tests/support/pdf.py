"""PDFs read the way a person would, through poppler (scripts/setup dev installs poppler-utils):
pdftotext for the words, and the other tools for fonts, images, pages and their pictures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

__all__ = [
    "POPPLER_SECONDS",
    "in_order",
    "page_fill",
    "pdf_reading",
    "pdf_text",
    "poppler",
    "run_poppler",
    "save_pages",
]

# A poppler tool that has not finished a test's PDF by then is stuck.
POPPLER_SECONDS = 60.0
# Lighter than this (0 black, 255 white) is paper.
PAPER = 240


def run_poppler(tool: str, *arguments: str, stdin: bytes | None = None) -> str:
    """One of poppler's tools; its output."""
    executable = shutil.which(tool)
    assert executable, f"{tool} is missing: install poppler-utils (scripts/setup dev)"
    done = subprocess.run(  # noqa: S603
        [executable, *arguments], input=stdin, capture_output=True, timeout=POPPLER_SECONDS
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def pdf_text(pdf: bytes) -> str:
    """The words of the PDF as pdftotext lays them out (a table row on a line), spaces folded."""
    return " ".join(run_poppler("pdftotext", "-layout", "-", "-", stdin=pdf).split())


def in_order(text: str, rows: list[str]) -> bool:
    """Whether every row is in the text, each after the one before it."""
    positions = [text.find(row) for row in rows]
    return -1 not in positions and positions == sorted(positions)


def pdf_reading(pdf: bytes) -> str:
    """The words in the order the page gives them (a card's label, then its figures), folded."""
    return " ".join(run_poppler("pdftotext", "-raw", "-", "-", stdin=pdf).split())


def poppler(tool: str, pdf: bytes, folder: Path, *options: str) -> str:
    """A poppler tool's output on the PDF, written to ``folder`` for it."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    return run_poppler(tool, *options, str(path))


def save_pages(pdf: bytes, folder: Path, name: str) -> list[Path]:
    """The PDF and PNG images of its first two pages, for people to look at."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    run_poppler("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(path), str(folder / name))
    return [folder / f"{name}-{page}.png" for page in (1, 2)]


def _grey_rows(pgm: bytes) -> list[bytes]:
    """The pixel rows of a binary greymap (P5, 8 bits), as pdftoppm -gray writes it."""
    fields = pgm.split(maxsplit=4)
    assert fields[0] == b"P5", "pdftoppm -gray writes binary greymaps"
    width, height, pixels = int(fields[1]), int(fields[2]), fields[4]
    return [pixels[row * width : (row + 1) * width] for row in range(height)]


def page_fill(pdf: bytes, folder: Path, top: float, bottom: float) -> list[float]:
    """For each page, how far down its text area (below the share ``top`` of the page's
    height, above the share ``bottom``) the ink reaches: 0 empty, 1 full."""
    path = folder / "filled.pdf"
    path.write_bytes(pdf)
    run_poppler("pdftoppm", "-r", "30", "-gray", str(path), str(folder / "filled"))
    fills = []
    for image in sorted(folder.glob("filled-*.pgm")):
        rows = _grey_rows(image.read_bytes())
        first, last = round(len(rows) * top), round(len(rows) * (1 - bottom))
        inked = [n for n in range(first, last) if min(rows[n]) < PAPER]
        fills.append((max(inked) - first + 1) / (last - first) if inked else 0.0)
    return fills
