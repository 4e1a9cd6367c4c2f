"""Accessibility measured on the rendered page: WCAG contrast, labels, targets, fonts in use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Page

__all__ = [
    "TextSample",
    "contrast_ratio",
    "controls",
    "focus_ring",
    "platform_fonts",
    "text_samples",
    "touch_targets",
]

COLOUR = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)")
RGB = tuple[float, float, float]
WHITE: RGB = (255.0, 255.0, 255.0)

# Each visible element with text of its own: its colour and the background colours from the
# element up to the root (the canvas under them all is white).
TEXT_JS = """() => {
  const layers = (el) => {
    const found = [];
    for (let node = el; node; node = node.parentElement) {
      found.push(getComputedStyle(node).backgroundColor);
    }
    return found;
  };
  const samples = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
      .map((n) => n.textContent.trim()).join(' ');
    const style = getComputedStyle(el);
    if (!own || style.visibility !== 'visible' || el.getClientRects().length === 0) continue;
    samples.push({text: own.slice(0, 80), color: style.color, layers: layers(el)});
  }
  return samples;
}"""

CONTROLS_JS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), textarea, select, button')].map((el) => {
  const fieldset = el.closest('fieldset');
  const legend = fieldset && fieldset.querySelector(':scope > legend');
  return {
    id: el.id, name: el.name || '', type: el.type, tag: el.tagName.toLowerCase(),
    labels: [...(el.labels || [])].map((label) => label.innerText.trim()),
    text: el.tagName === 'BUTTON' ? el.innerText.trim() : '',
    legend: legend ? legend.innerText.trim() : null,
  };
})"""

# A control's target is its own box joined with its labels' boxes: a tap on either works.
TARGETS_JS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), textarea, select')].map((el) => {
  const boxes = [el, ...(el.labels || [])].map((e) => e.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0);
  const left = Math.min(...boxes.map((r) => r.left));
  const right = Math.max(...boxes.map((r) => r.right));
  const top = Math.min(...boxes.map((r) => r.top));
  const bottom = Math.max(...boxes.map((r) => r.bottom));
  return {what: el.id || el.innerText.trim() || el.outerHTML.slice(0, 60),
          left, right, width: right - left, height: bottom - top};
})"""

FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const layers = [];
  for (let node = el.parentElement; node; node = node.parentElement) {
    layers.push(getComputedStyle(node).backgroundColor);
  }
  return {what: el.id || el.name || el.innerText.trim(), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor, layers};
}"""


def _colour(text: str) -> tuple[RGB, float]:
    found = COLOUR.fullmatch(text.strip())
    assert found, f"unexpected computed colour {text!r}"
    red, green, blue, alpha = found.groups()
    return (float(red), float(green), float(blue)), 1.0 if alpha is None else float(alpha)


def _over(top: str, below: RGB) -> RGB:
    """``top`` (a CSS colour, maybe translucent) painted over the opaque colour ``below``."""
    rgb, alpha = _colour(top)
    return (
        rgb[0] * alpha + below[0] * (1 - alpha),
        rgb[1] * alpha + below[1] * (1 - alpha),
        rgb[2] * alpha + below[2] * (1 - alpha),
    )


def _background(layers: list[str]) -> RGB:
    """The colour behind an element: its ancestors' backgrounds painted root first on white."""
    colour = WHITE
    for layer in reversed(layers):
        colour = _over(layer, colour)
    return colour


def _luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    linear = [
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in (channel / 255 for channel in rgb)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: RGB, second: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21: (lighter + 0.05) / (darker + 0.05)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class TextSample:
    text: str
    ratio: float


async def text_samples(page: Page) -> list[TextSample]:
    """Every visible text of the page with its contrast against what is painted behind it."""
    samples = []
    for found in await page.evaluate(TEXT_JS):
        background = _background(found["layers"])
        foreground = _over(found["color"], background)
        samples.append(TextSample(found["text"], contrast_ratio(foreground, background)))
    return samples


async def focus_ring(page: Page) -> dict[str, Any]:
    """The focused element's outline, with its contrast against the background around it."""
    found = await page.evaluate(FOCUS_JS)
    background = _background(found["layers"])
    ring = _over(found["color"], background)
    return {**found, "ratio": contrast_ratio(ring, background)}


async def controls(page: Page) -> list[dict[str, Any]]:
    """Each form control with its label texts and the legend of its fieldset."""
    result: list[dict[str, Any]] = await page.evaluate(CONTROLS_JS)
    return result


async def touch_targets(page: Page) -> list[dict[str, Any]]:
    """Each link and control with the box a finger can hit (the control and its labels)."""
    result: list[dict[str, Any]] = await page.evaluate(TARGETS_JS)
    return result


OWN_TEXT_JS = """(elements) => elements.map((el) => [...el.childNodes]
  .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(''))"""


async def platform_fonts(page: Page, selector: str) -> list[tuple[str, dict[str, int]]]:
    """Each matching element's own text and the fonts Chromium drew it with (glyph counts)."""
    texts = await page.eval_on_selector_all(selector, OWN_TEXT_JS)
    cdp = await page.context.new_cdp_session(page)
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = await cdp.send("DOM.getDocument", {"depth": -1})
        found = await cdp.send(
            "DOM.querySelectorAll", {"nodeId": root["root"]["nodeId"], "selector": selector}
        )
        assert len(found["nodeIds"]) == len(texts)
        result = []
        for text, node_id in zip(texts, found["nodeIds"], strict=True):
            fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})
            result.append((text, {f["familyName"]: f["glyphCount"] for f in fonts["fonts"]}))
        return result
    finally:
        await cdp.detach()
