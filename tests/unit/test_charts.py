"""The SVG chart helper: well-formed XML, escaped labels, sizes in proportion, no CSS or JS."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from feedback.web.charts import Axis, Caption, Segment, Series, line_chart, stacked_bar

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script> & "Ann\'s"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - the helper's own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def test_bars_are_in_proportion_to_their_values() -> None:
    svg = stacked_bar("k", "Levels", "four levels",
                      [Segment("a", 1, "#000"), Segment("b", 3, "#111"), Segment("c", 0, "#222"),
                       Segment("d", 4, "#333")], width=800)  # fmt: skip
    root = parse(svg)
    bars = [r for r in root.findall("svg:rect", NS) if r.find("svg:title", NS) is not None]
    assert [float(r.get("width", "")) for r in bars] == [100.0, 300.0, 400.0]
    assert [float(r.get("x", "")) for r in bars] == [0.0, 100.0, 400.0]
    assert [r.find("svg:title", NS).text for r in bars] == ["a: 12%", "b: 38%", "d: 50%"]  # type: ignore[union-attr]


def test_an_empty_bar_draws_no_segment_and_still_parses() -> None:
    root = parse(stacked_bar("k", "Levels", "none yet", [Segment("a", 0, "#000")]))
    assert [r for r in root.findall("svg:rect", NS) if r.find("svg:title", NS) is not None] == []


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_labels_titles_and_descriptions_are_escaped(kind: str) -> None:
    if kind == "bar":
        svg = stacked_bar("k", HOSTILE, HOSTILE, [Segment(HOSTILE, 1, "#000")])
    else:
        svg = line_chart(
            Caption("k", HOSTILE, HOSTILE), [HOSTILE, "b"], [Series(HOSTILE, [0.5, 1], "#000")]
        )
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == HOSTILE  # type: ignore[union-attr]
    assert root.find("svg:desc", NS).text == HOSTILE  # type: ignore[union-attr]
    texts = [text.text or "" for text in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(text.startswith(HOSTILE) for text in texts)


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_charts_carry_an_accessible_name_and_no_style_or_script(kind: str) -> None:
    if kind == "bar":
        svg = stacked_bar("levels", "T", "D", [Segment("a", 1, "#000")])
    else:
        svg = line_chart(Caption("levels", "T", "D"), ["x"], [Series("s", [0.5], "#000")])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "levels-title levels-desc"
    assert root.find("svg:title", NS).get("id") == "levels-title"  # type: ignore[union-attr]
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert not tags & {"style", "script", "foreignObject"}
    assert all("style" not in element.attrib for element in root.iter())


def test_line_points_sit_at_their_share_of_the_plot_height() -> None:
    root = parse(line_chart(Caption("k", "T", "D"), ["H1", "H2", "H3"],
                            [Series("s", [0.0, 0.5, 1.0], "#000")], width=468))  # fmt: skip
    dots = root.findall("svg:circle", NS)
    ys = [float(dot.get("cy", "")) for dot in dots]
    xs = [float(dot.get("cx", "")) for dot in dots]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2])
    assert ys[0] > ys[1] > ys[2]  # higher shares are drawn higher up
    assert xs == [44.0, 238.0, 432.0]
    assert root.find("svg:polyline", NS).get("points") == " ".join(  # type: ignore[union-attr]
        f"{x},{y}" for x, y in zip(xs, ys, strict=True)
    )


def test_a_missing_value_leaves_out_its_point_and_breaks_the_line() -> None:
    root = parse(line_chart(Caption("k", "T", "D"), ["H1", "H2", "H3", "H4"],
                            [Series("s", [0.2, None, 0.25, 0.5], "#000")], width=350))  # fmt: skip
    titles = [dot.find("svg:title", NS).text for dot in root.findall("svg:circle", NS)]  # type: ignore[union-attr]
    assert titles == ["s: 20%", "s: 25%", "s: 50%"]
    lines = root.findall("svg:polyline", NS)
    assert len(lines) == 1  # H3 to H4; nothing bridges the gap at H2
    assert lines[0].get("points", "").startswith("224.0,")


def test_another_axis_places_points_and_gridlines_on_its_own_scale() -> None:
    ladder = Axis(3, [(level, str(level)) for level in range(4)], lambda v: f"level {v:.0f}")
    root = parse(line_chart(Caption("k", "T", "D"), ["H1", "H2", "H3"],
                            [Series("s", [0, 3, 2], "#000")], axis=ladder))  # fmt: skip
    grid = [float(line.get("y1", "")) for line in root.findall("svg:line", NS)]
    assert grid == [192.0, 132.0, 72.0, 12.0]  # plot from y=12 to y=192, a third per level
    dots = root.findall("svg:circle", NS)
    assert [float(dot.get("cy", "")) for dot in dots] == [192.0, 12.0, 72.0]
    labels = [text.text for text in root.findall("svg:text", NS)][:4]
    assert labels == ["0", "1", "2", "3"]
    titles = [dot.find("svg:title", NS).text for dot in dots]  # type: ignore[union-attr]
    assert titles == ["s: level 0", "s: level 3", "s: level 2"]
