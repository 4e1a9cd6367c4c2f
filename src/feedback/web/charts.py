"""SVG charts for staff pages and printed reports: presentation attributes only, no CSS or JS."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

__all__ = [
    "PALETTE",
    "SHARES",
    "Axis",
    "Caption",
    "Segment",
    "Series",
    "line_chart",
    "stacked_bar",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "'Noto Sans CJK SC', system-ui, 'Noto Sans', sans-serif"
INK, MUTED, GRID = "#1b1f24", "#57606a", "#d0d7de"
# Distinguishable for the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#d55e00", "#e69f00", "#56b4e9", "#009e73", "#0072b2", "#cc79a7", "#000000")


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    colour: str


@dataclass(frozen=True)
class Caption:
    """A chart's accessible title and description; ``key`` makes its element ids unique."""

    key: str
    title: str
    description: str


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    colour: str


@dataclass(frozen=True)
class Axis:
    """A line chart's vertical scale: 0 to ``top``, gridlines at ``ticks`` (value, label).

    ``words`` says a point's value in its tooltip.
    """

    top: float
    ticks: Sequence[tuple[float, str]]
    words: Callable[[float], str]


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    element.text = text
    return element


def _svg(key: str, title: str, description: str, width: int, height: int) -> ET.Element:
    """The root with its accessible name and description; ElementTree escapes every text."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{key}-title {key}-desc",
            "font-family": FONT,
            "font-size": "13",
        },
    )
    _element(svg, "title", title, id=f"{key}-title")
    _element(svg, "desc", description, id=f"{key}-desc")
    return svg


def _markup(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 - built by ElementTree


def _percent(value: float) -> str:
    return f"{value:.0%}"


SHARES = Axis(1.0, [(quarter / 4, f"{quarter * 25}%") for quarter in range(5)], _percent)


def stacked_bar(
    key: str, title: str, description: str, segments: Sequence[Segment], width: int = 520
) -> Markup:
    """One bar split into segments in proportion to their values, with a legend below.

    ``key`` makes the element ids unique on the page. Segments of zero draw nothing.
    """
    bar_height, legend_row = 32, 20
    height = bar_height + 12 + legend_row * len(segments)
    svg = _svg(key, title, description, width, height)
    total = sum(max(segment.value, 0.0) for segment in segments)
    x = 0.0
    for segment in segments:
        share = max(segment.value, 0.0) / total if total else 0.0
        if share > 0:
            rect = _element(svg, "rect", x=round(x, 2), y=0, width=round(share * width, 2),
                            height=bar_height, fill=segment.colour)  # fmt: skip
            _element(rect, "title", f"{segment.label}: {_percent(share)}")
        x += share * width
    for row, segment in enumerate(segments):
        top = bar_height + 12 + row * legend_row
        _element(svg, "rect", x=0, y=top, width=12, height=12, fill=segment.colour)
        share = max(segment.value, 0.0) / total if total else 0.0
        _element(svg, "text", f"{segment.label}: {_percent(share)}", x=18, y=top + 10, fill=INK)
    return _markup(svg)


def _y(value: float, top: int, plot_height: int, y_max: float) -> float:
    return round(top + plot_height * (1 - min(max(value, 0.0), y_max) / y_max), 2)


def _runs(
    values: Sequence[float | None], left: int, step: float, band: tuple[int, int], y_top: float
) -> list[list[tuple[float, float, float]]]:
    """(x, y, value) of each point, in runs of consecutive values; None ends a run."""
    runs: list[list[tuple[float, float, float]]] = [[]]
    for n, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((round(left + n * step, 2), _y(value, *band, y_top), value))
    return runs


def _axes(
    svg: ET.Element, x_labels: Sequence[str], axis: Axis, box: tuple[int, int, int, int]
) -> None:
    left, top, plot_width, plot_height = box
    for value, label in axis.ticks:
        y = _y(value, top, plot_height, axis.top)
        _element(svg, "line", x1=left, y1=y, x2=left + plot_width, y2=y, stroke=GRID)
        _element(svg, "text", label, x=left - 6, y=y + 4, fill=MUTED, text_anchor="end")
    step = plot_width / max(len(x_labels) - 1, 1)
    for n, label in enumerate(x_labels):
        _element(svg, "text", label, x=round(left + n * step, 2), y=top + plot_height + 18,
                 fill=MUTED, text_anchor="middle")  # fmt: skip


def line_chart(
    caption: Caption,
    x_labels: Sequence[str],
    series: Sequence[Series],
    width: int = 520,
    axis: Axis = SHARES,
) -> Markup:
    """Values on ``axis`` (shares by default) over the x labels, one line per series.

    A missing value breaks the line.
    """
    left, top, plot_height, legend_row = 44, 12, 180, 20
    plot_width = width - left - 36
    height = top + plot_height + 30 + legend_row * len(series)
    svg = _svg(caption.key, caption.title, caption.description, width, height)
    _axes(svg, x_labels, axis, (left, top, plot_width, plot_height))
    step = plot_width / max(len(x_labels) - 1, 1)
    for row, line in enumerate(series):
        runs = _runs(line.values, left, step, (top, plot_height), axis.top)
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{x},{y}" for x, y, _ in run)
                _element(svg, "polyline", points=path, fill="none", stroke=line.colour,
                         stroke_width=2)  # fmt: skip
            for x, y, value in run:
                dot = _element(svg, "circle", cx=x, cy=y, r=4, fill=line.colour)
                _element(dot, "title", f"{line.label}: {axis.words(value)}")
        legend_top = top + plot_height + 30 + row * legend_row
        _element(svg, "rect", x=left, y=legend_top, width=12, height=12, fill=line.colour)
        _element(svg, "text", line.label, x=left + 18, y=legend_top + 10, fill=INK)
    return _markup(svg)
