"""The 工作简报 on the site: this month so far and last month, with the months before in one line each.

The figures are ``handbook.judge.campaign_report.briefing``'s, the very ones the office's XLSX/PDF (``python -m
handbook notices --kind 简报``) prints, so the page and the paper never disagree. The verdict changes of the
indicators are only in the paper one: they need the values table's git history, which a site build does not
read (it makes one git call).
"""

from __future__ import annotations

import datetime as dt

from handbook.judge import campaign_report as report
from handbook.model import Finding
from handbook.render.findings import FINDINGS_URI, state_badge

BRIEFING_URI = "briefing.md"
HISTORY_MONTHS = 6  # months in the 往期 table, this one included


def month_of(day: dt.date, *, up_to: dt.date | None = None) -> report.Period:
    """The month holding ``day``; ended at ``up_to`` (today) when that falls inside it."""
    whole = report.parse_period(f"{day.year}-{day.month:02d}")
    assert whole is not None  # a real month always parses
    if up_to is not None and whole.start <= up_to < whole.end:
        return report.Period(whole.start, up_to, f"{whole.label}（截至 {up_to.month} 月 {up_to.day} 日）")
    return whole


def _month_before(period: report.Period) -> dt.date:
    return period.start - dt.timedelta(days=1)


def _finding_row(site, f: Finding, day: dt.date | None) -> dict:
    return {"f": f, "day": day, "item": site.item_ref(f.item) if f.item is not None else None,
            "area": site.unit_ref(f.area_unit) if f.area_unit else {"name": f.area_raw, "uri": None},
            "badge": state_badge(f.state)}


def _issue(site, b: report.Briefing) -> dict:
    categories = [{"category": c, **b.change["categories"][c.number],
                   "delta": report.delta(**b.change["categories"][c.number])}
                  for c in site.standard.categories]
    units = [{"unit": site.unit_ref(u.unit), "received": u.received, "before": u.before, "after": u.after,
              "delta": report.delta(u.before, u.after)} for u in b.units]
    everything = b.change["all"]
    return {
        "period": b.period, "received": len(b.received), "all": everything,
        "all_delta": report.delta(everything["before"], everything["after"]),
        "opened": [_finding_row(site, f, f.found) for f in b.opened],
        "closed": [_finding_row(site, f, f.fixed) | {"on_time": f.on_time} for f in b.closed],
        "open_at_end": len(b.findings["open_at_end"]), "late_at_end": len(b.findings["late_at_end"]),
        "categories": categories, "units": units,
    }


def briefing_page_values(site) -> dict:
    """This month so far and last month in full; a line for each of the HISTORY_MONTHS months."""
    archive, today = site.archive, site.plan.today
    collected = report.Collected(archive)
    this_month = month_of(today, up_to=today)
    last_month = month_of(_month_before(this_month))
    history, period = [], this_month
    for _ in range(HISTORY_MONTHS):
        b = report.briefing(archive, period, collected)
        history.append({"period": period, "received": len(b.received), "after": b.change["all"]["after"],
                        "opened": len(b.opened), "closed": len(b.closed), "open_at_end": len(b.findings["open_at_end"])})
        period = month_of(_month_before(period))
    return {
        "issues": [_issue(site, report.briefing(archive, p, collected)) for p in (this_month, last_month)],
        "history": history,
        "findings_uri": FINDINGS_URI,
        "has_findings": bool(archive.findings),
    }
