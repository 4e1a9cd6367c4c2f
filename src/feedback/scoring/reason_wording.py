"""Churn reasons in words: a stored code and its figures, worded in one of the languages.

The one way a reason becomes text, for the pages, the API and the reports. The message ids
are the English sentences; the Chinese catalogue translates them (plural forms through
ngettext where a count is named).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from typing import Any

from feedback.scoring.reason_codes import Figure, Figures, ReasonCode
from feedback.web.i18n import translations

__all__ = ["figure_text", "reason_text"]

Catalog = gettext.NullTranslations


def _(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


# The words of the root-cause categories, the same as the account report prints.
ROOT_CAUSES = {
    "product_quality": _("product quality"),
    "delivery": _("delivery"),
    "billing": _("billing"),
    "staff_conduct": _("staff conduct"),
    "competitor_offer": _("a competitor's offer"),
    "customer_business": _("the customer's own business"),
    "other": _("other"),
}


def figure_text(kind: Figure, value: Any) -> str:
    """A figure as the sentences write it."""
    if kind is Figure.money:
        return f"{float(value):,.2f}"
    if kind is Figure.decimal:
        return f"{float(value):.1f}"
    if kind in (Figure.number, Figure.days, Figure.days_since, Figure.percent, Figure.level):
        return str(int(value))
    return str(value)


def _n(catalog: Catalog, pair: tuple[str, str], count: int, **figures: str) -> str:
    return catalog.ngettext(*pair, count) % {"count": str(count), **figures}


def _separator(catalog: Catalog, text: str) -> str:
    return catalog.pgettext("list separator", text)


def _recency(f: Figures, catalog: Catalog) -> str:
    days = int(f["days"])
    if "usual_gap" not in f:
        pair = ("no purchase for %(count)s day; only one purchase so far",
                "no purchase for %(count)s days; only one purchase so far")  # fmt: skip
        return _n(catalog, pair, days)
    pair = ("no purchase for %(count)s day; usually every %(usual_gap)s",
            "no purchase for %(count)s days; usually every %(usual_gap)s")  # fmt: skip
    return _n(catalog, pair, days, usual_gap=figure_text(Figure.number, f["usual_gap"]))


def _frequency(f: Figures, catalog: Catalog) -> str:
    pair = ("bought on %(count)s day in the last 90 days; usually about %(usual)s",
            "bought on %(count)s days in the last 90 days; usually about %(usual)s")  # fmt: skip
    return _n(catalog, pair, int(f["days"]), usual=figure_text(Figure.decimal, f["usual"]))


def _satisfaction(f: Figures, catalog: Catalog) -> str:
    shown = {name: figure_text(Figure.level, f[name]) for name in ("before", "level") if name in f}
    if "before" in f:
        message = (
            "satisfaction fell from level %(before)s to level %(level)s in %(wave)s"
            if f.get("wave")
            else "satisfaction fell from level %(before)s to level %(level)s in the latest "
            "answered wave"
        )
    else:
        message = (
            "satisfaction at level %(level)s in %(wave)s"
            if f.get("wave")
            else "satisfaction at level %(level)s in the latest answered wave"
        )
    return catalog.gettext(message) % {**shown, "wave": f.get("wave") or ""}


def _complaints(f: Figures, catalog: Catalog) -> str:
    parts = [
        _n(catalog, ("%(count)s complaint in 90 days", "%(count)s complaints in 90 days"),
           int(f["recent"])),
        _n(catalog, ("%(count)s past its deadline", "%(count)s past their deadlines"),
           int(f.get("past_deadline", 0))) if f.get("past_deadline") else "",
        catalog.gettext("%(count)s in the last year") % {"count": str(int(f["last_year"]))},
        catalog.gettext("%(count)s still open") % {"count": str(int(f["still_open"]))}
        if f.get("still_open") else "",
    ]  # fmt: skip
    return _separator(catalog, ", ").join(part for part in parts if part)


def _root_causes(f: Figures, catalog: Catalog) -> str:
    causes: Mapping[str, int] = f["causes"]
    if not causes:
        return catalog.gettext("complaint root causes in the last year: none recorded")
    found = [
        catalog.gettext("%(cause)s (%(count)s)")
        % {"cause": catalog.gettext(ROOT_CAUSES.get(cause, cause)), "count": str(int(count))}
        for cause, count in causes.items()
    ]
    return catalog.gettext("complaint root causes in the last year: %(causes)s") % {
        "causes": _separator(catalog, ", ").join(found)
    }


_SINCE_LAST = {
    "visit": ("no visit recorded", "a visit on the day scored",
              ("no visit in %(count)s day", "no visit in %(count)s days")),
    "call": ("no call recorded", "a call on the day scored",
             ("no call in %(count)s day", "no call in %(count)s days")),
}  # fmt: skip


def _contacts(f: Figures, catalog: Catalog) -> str:
    parts = []
    for kind, (never, on_the_day, since) in _SINCE_LAST.items():
        days = f.get(f"{kind}_days")
        if days is None:
            parts.append(catalog.gettext(never))
        else:
            parts.append(_n(catalog, since, int(days)) if days else catalog.gettext(on_the_day))
    return _separator(catalog, ", ").join(parts)


_SHORTFALLS = {
    ("visit", "month"): ("last month (%(done)s of %(count)s visit)",
                         "last month (%(done)s of %(count)s visits)"),
    ("visit", "quarter"): ("last quarter (%(done)s of %(count)s visit)",
                           "last quarter (%(done)s of %(count)s visits)"),
    ("call", "month"): ("last month (%(done)s of %(count)s call)",
                        "last month (%(done)s of %(count)s calls)"),
    ("call", "quarter"): ("last quarter (%(done)s of %(count)s call)",
                          "last quarter (%(done)s of %(count)s calls)"),
}  # fmt: skip


def _missed_standard(f: Figures, catalog: Catalog) -> str:
    missed = [
        _n(catalog, _SHORTFALLS[s["kind"], s["period"]], int(s["count"]),
           done=figure_text(Figure.number, s["done"]))
        for s in f["shortfalls"]
    ]  # fmt: skip
    tier = {"tier": str(f["tier"])} if f.get("tier") else {}
    if not missed:
        message = (
            "tier %(tier)s's contact standard was missed in its last period"
            if tier
            else "the tier's contact standard was missed in its last period"
        )
        return catalog.gettext(message) % tier
    message = (
        "tier %(tier)s's contact standard was missed %(missed)s"
        if tier
        else "the tier's contact standard was missed %(missed)s"
    )
    joined = catalog.pgettext("list separator", " and ").join(missed)
    return catalog.gettext(message) % {**tier, "missed": joined}


def _profile(f: Figures, catalog: Catalog) -> str:
    shown = [str(f[name]) for name in ("tier", "industry", "region") if f.get(name)]
    if not shown:
        return catalog.gettext("accounts like this one leave more often")
    return catalog.gettext("accounts like this one (%(profile)s) leave more often") % {
        "profile": _separator(catalog, ", ").join(shown)
    }


def _plain(message: str) -> Callable[[Figures, Catalog], str]:
    return lambda f, catalog: catalog.gettext(message)


def _percent(message: str) -> Callable[[Figures, Catalog], str]:
    return lambda f, catalog: catalog.gettext(message) % {"percent": str(int(f["percent"]))}


_WORDING: dict[ReasonCode, Callable[[Figures, Catalog], str]] = {
    ReasonCode.never_bought: _plain("has never bought"),
    ReasonCode.no_purchase_since_first: _recency,
    ReasonCode.purchase_overdue: _recency,
    ReasonCode.purchase_frequency: _frequency,
    ReasonCode.revenue_in_90_days: lambda f, catalog: (
        catalog.gettext("revenue of %(revenue)s in the last 90 days")
        % {"revenue": figure_text(Figure.money, f["revenue"])}
    ),
    ReasonCode.revenue_at_usual_pace: _plain("revenue in the last 90 days at its usual pace"),
    ReasonCode.revenue_down: _percent(
        "revenue in the last 90 days down %(percent)s%% on its usual pace"
    ),
    ReasonCode.revenue_up: _percent(
        "revenue in the last 90 days up %(percent)s%% on its usual pace"
    ),
    ReasonCode.no_survey_answer: _plain("no survey answer yet"),
    ReasonCode.level_dropped: _satisfaction,
    ReasonCode.satisfaction_level: _satisfaction,
    ReasonCode.survey_silent: _plain("did not answer the latest survey wave"),
    ReasonCode.complaints: _complaints,
    ReasonCode.follow_ups_unsatisfied: lambda f, catalog: _n(
        catalog,
        (
            "%(count)s complaint followed up with the customer still unsatisfied in the last year",
            "%(count)s complaints followed up with the customer still unsatisfied in the last year",
        ),
        int(f["count"]),
    ),
    ReasonCode.complaint_root_causes: _root_causes,
    ReasonCode.contact_recency: _contacts,
    ReasonCode.contact_standard_missed: lambda f, catalog: (
        _contacts(f, catalog)
        + catalog.pgettext("list separator", "; ")
        + _missed_standard(f, catalog)
    ),
    ReasonCode.profile: _profile,
    # Stored in English before reasons had codes: shown as stored.
    ReasonCode.worded_before_codes: lambda f, catalog: str(f["text"]),
}


def reason_text(code: ReasonCode, figures: Figures, language: str) -> str:
    """A reason in plain words in ``language`` (one of LANGUAGES), with its own figures."""
    return _WORDING[code](figures, translations(language))
