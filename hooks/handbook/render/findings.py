"""The field half of the site: the 问题清单 page, the findings beside an item's materials and on a unit's page.

Views only (dicts for the templates in ``_findings.md.j2`` and ``findings.md.j2``); the states and roll-ups
come from ``handbook.judge.findings``. Every text from the findings table reaches the page through the
templates' escaping (Markdown) or ``context.html_escape`` (the filter's raw-HTML options).
"""

from __future__ import annotations

import datetime as dt
import logging

from handbook.judge import findings as judge
from handbook.model import Finding, FindingState, Unit
from handbook.render import context

log = logging.getLogger(__name__)

FINDINGS_URI = "findings.md"
RECENT_DAYS = 90  # closed findings an item page still shows
RECENT_SHOWN = 10
STATE_CLASS = {
    FindingState.OPEN: "hb-missing",
    FindingState.OVERDUE: "hb-overdue",
    FindingState.REBOUND: "hb-overdue",
    FindingState.FIXED: "hb-review",
    FindingState.CLOSED: "hb-ok",
}


def state_badge(state: FindingState, label: str | None = None):
    from markupsafe import Markup

    text = context.html_escape(label or state.value)
    return Markup(f'<span class="hb-badge {STATE_CLASS[state]} hb-finding-state">{text}</span>')


def finding_view(site, f: Finding) -> dict:
    photos = site.photos
    restricted = f.restricted

    def photo_views(paths):
        if photos is None:  # the engine serves no photo: names only
            return [{"name": p.rsplit("/", 1)[-1], "uri": None, "thumb": None, "private": restricted} for p in paths]
        return [photos.finding_photo(p, restricted) for p in paths]

    return {
        "f": f,
        "item": site.item_ref(f.item) if f.item is not None else None,
        "area": site.unit_ref(f.area_unit) if f.area_unit else {"name": f.area_raw, "uri": None},
        "field": site.unit_ref(f.field_unit) if f.field_unit else {"name": f.field_raw, "uri": None},
        "state": f.state.value,
        "badge": state_badge(f.state),
        "late": state_badge(FindingState.OVERDUE, "逾期") if f.overdue and f.state is not FindingState.OVERDUE else "",
        "before": photo_views(f.photos_before),
        "after": photo_views(f.photos_after),
        "days_left": (f.deadline - site.plan.today).days if f.deadline and f.is_open else None,
        "where": str(f.where) if f.where else "",
    }


def _tally_view(t: judge.FindingTally) -> dict:
    return {"t": t, "counts": {s.value: t.counts[s] for s in FindingState}, "open": t.open, "total": t.total,
            "overdue": t.overdue, "on_time": t.on_time_percent}


def item_section(site, number: int) -> dict:
    """An item's open findings, and those closed in the last RECENT_DAYS days (newest first)."""
    own = [f for f in site.archive.findings if f.item == number]
    if not own:
        return {"open": [], "recent": [], "tally": None}
    since = site.plan.today - dt.timedelta(days=RECENT_DAYS)
    open_ = [finding_view(site, f) for f in judge.sort_for_list(f for f in own if f.is_open)]
    recent = sorted((f for f in own if not f.is_open and f.fixed and f.fixed >= since), key=lambda f: f.fixed, reverse=True)
    return {"open": open_, "recent": [finding_view(site, f) for f in recent[:RECENT_SHOWN]],
            "more": max(0, len(recent) - RECENT_SHOWN), "tally": _tally_view(judge.tally(own))}


def unit_section(site, unit: Unit) -> dict:
    """A unit's open findings (as 属地 or as 行业 unit), the nearest deadline first."""
    own = [f for f in site.archive.findings if unit.name in f.units]
    if not own:
        return {"open": [], "tally": None}
    open_ = judge.sort_for_list(f for f in own if f.is_open)
    return {"open": [finding_view(site, f) for f in open_], "tally": _tally_view(judge.tally(own))}


def home_section(site) -> dict:
    findings = site.archive.findings
    if not findings:
        return {"tally": None}
    return {"tally": _tally_view(judge.tally(findings)), "uri": FINDINGS_URI}


def _rollup_rows(site, rolled: dict, label) -> list[dict]:
    rows = [{"key": key, "label": label(key), **_tally_view(t)} for key, t in rolled.items()]
    return sorted(rows, key=lambda r: (-r["open"], -r["total"], str(r["key"])))


def findings_page_values(site) -> dict:
    """Everything the 问题清单 page shows."""
    findings = site.archive.findings
    units = site.plan.units
    areas = judge.by_area(findings)
    fields = judge.roll_up(findings, lambda f: (f.field_unit,))
    items = judge.by_item(findings)
    return {
        "rows": [finding_view(site, f) for f in judge.sort_for_list(findings)],
        "tally": _tally_view(judge.tally(findings)),
        "states": [{"state": s.value, "badge": state_badge(s), "count": judge.tally(findings).counts[s]}
                   for s in judge.STATE_ORDER],
        "by_area": _rollup_rows(site, areas, lambda k: site.unit_ref(k)),
        "by_field": _rollup_rows(site, fields, lambda k: site.unit_ref(k)),
        "by_item": _rollup_rows(site, items, lambda k: site.item_ref(k)),
        "by_source": _rollup_rows(site, judge.by_source(findings), lambda k: k),
        "by_month": sorted(_rollup_rows(site, judge.by_month(findings), lambda k: k), key=lambda r: r["key"]),
        "filters": _filters(site, findings, units),
        "problems": site.archive.finding_problems,
        "rebound_days": getattr(site.archive.campaign, "rebound_days", 90),
        "private": bool(getattr(site.archive.campaign, "photos_private", False)),
        "served": site.photos is not None,
    }


def _filters(site, findings: list[Finding], units: dict) -> list[dict]:
    """The options of each filter: only values some finding has, in the plan's order."""
    order = {name: i for i, name in enumerate(units)}
    unit_names = sorted({u for f in findings for u in f.units}, key=lambda n: (order.get(n, len(order)), n))
    item_numbers = sorted({f.item for f in findings if f.item is not None})
    sources = [s for s in dict.fromkeys(f.source for f in findings) if s]
    return [
        {"key": "state", "label": "状态", "options": [s.value for s in judge.STATE_ORDER]},
        {"key": "unit", "label": "单位", "options": unit_names},
        {"key": "item", "label": "条目", "options": [f"{n:02d}" for n in item_numbers]},
        {"key": "source", "label": "来源", "options": sources},
    ]
