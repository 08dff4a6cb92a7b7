"""The indicators: one view per indicator (values by year, chart, verdict, sources), tables and their page."""

from __future__ import annotations

from collections import defaultdict

from handbook.judge.indicators import verdict_label
from handbook.load.effective import needed_years
from handbook.model import Category, Indicator, IndicatorResult, Kind, RuleKind
from handbook.render import charts, context
from handbook.render.pages import render_page
from handbook.render.site import Site

INDICATOR_VALUES_HINT = "evidence/indicators/values.csv"

# The indicator page's groups, the ones needing work first; keys double as CSS classes and anchors.
VERDICT_GROUPS = (("fail", "未达标"), ("nodata", "缺数据"), ("pass", "达标"), ("na", "不适用"))


def indicator_category(site: Site, indicator: Indicator) -> Category | None:
    """The category an indicator is listed under: that of the first of its items."""
    for number in indicator.items:
        item = site.standard.items.get(number)
        if item is not None:
            return site.category_of(item.category)
    return None


def _indicator_view(site: Site, number: int) -> dict | None:
    """One indicator as every page shows it: target, values by year, chart, verdict, owner, sources."""
    indicator = site.standard.indicators.get(number)
    if indicator is None:
        return None
    result = site.archive.indicators.get(number)
    if result is not None:
        name, target, applies, years = result.name or indicator.name, result.target, result.applies, result.years
        key = "na" if not applies else context.VERDICT_CLASS[result.verdict]
        label, reason = verdict_label(result), result.reason
    else:
        county = site.plan.kind is Kind.COUNTY
        name = (indicator.county.name if county else None) or indicator.name
        target = (indicator.county.target if county else None) or indicator.target
        target = site.plan.indicator_targets.get(number, (target, None))[0]
        applies = not county or indicator.county.applies
        years = needed_years(indicator, site.plan.review_year)
        key, label, reason = ("nodata", "缺数据", "未填报") if applies else ("na", "不适用", "")
    owner = (result.owner if result and result.owner else None) or site.plan.indicator_owners.get(number)
    category = indicator_category(site, indicator)
    return {
        "number": number,
        "name": name,
        "target": target,
        "applies": applies,
        "years": tuple(years),
        "values": _indicator_values(result),
        "spark": _indicator_chart(result, name),
        "key": key,
        "label": label,
        "reason": reason,
        "owner": site.unit_ref(owner) if owner else None,
        "sources": _indicator_sources(site, result),
        "category": {"numeral": category.numeral, "title": category.title,
                     "uri": context.category_uri(category.number)} if category else None,
        "items": [site.item_ref(n) for n in indicator.items],
    }


def _indicator_values(result: IndicatorResult | None) -> dict[int, dict]:
    if result is None:
        return {}
    return {
        year: {"text": context.fmt_indicator_value(value),
               "parts": context.split_indicator_value(value),
               "plan": context.fmt_number(value.plan_value) if value.plan_value is not None else ""}
        for year, value in result.values.items()
    }


def _indicator_chart(result: IndicatorResult | None, name: str) -> str:
    """The years as a sparkline, with the plan values (49–54) or the numeric target dashed behind."""
    if result is None:
        return ""
    series = [result.values[y].value if y in result.values else None for y in result.years]
    plans = [result.values[y].plan_value if y in result.values else None for y in result.years]
    reference = None
    if any(p is not None for p in plans):
        reference = plans
    elif result.rule.kind in (RuleKind.THRESHOLD, RuleKind.THRESHOLD_OR_TREND) and result.rule.value is not None:
        units = {result.values[y].unit for y in result.values}
        if units <= {result.rule.unit, ""}:  # only a target on the same scale as the values
            reference = [result.rule.value] * len(series)
    # The tooltip lists the values (digits and units only: it sits in Markdown, which would read "*" or "_").
    shown = "，".join(f"{y}年 {context.fmt_indicator_value(result.values[y])}" for y in result.years if y in result.values)
    return charts.sparkline(series, reference=reference, title=shown, label=f"{name}逐年数值")


def _indicator_sources(site: Site, result: IndicatorResult | None) -> list[dict]:
    """Distinct 来源 texts; each names its years only when the years have different sources.

    Yearly reports whose titles differ only in the year are shown once, as "登封市××××年…报告".
    """
    if result is None:
        return []
    years_of: dict[str, list[int]] = defaultdict(list)
    for year, value in sorted(result.values.items()):
        if value.source.strip():
            years_of[value.source.strip()].append(year)
    views = {text: site.source_view(text) for text in years_of}
    if len(years_of) > 1 and not any(v["uri"] for v in views.values()):
        shape = context.same_but_year(years_of)
        if shape:
            years = sorted(y for ys in years_of.values() for y in ys)
            return [{"text": shape, "uri": None, "years": "", "each": context.years_label(years)}]
    several = len(years_of) > 1
    return [{**views[text], "years": context.years_label(years) if several else "", "each": ""}
            for text, years in years_of.items()]


def indicator_table(site: Site, numbers) -> dict:
    """Rows for one indicator table, with one column per year any row needs (38 needs five)."""
    rows = [view for n in numbers if (view := _indicator_view(site, n)) is not None]
    years = sorted({year for row in rows for year in row["years"]})
    for row in rows:
        row["cells"] = [_year_cell(row, year) for year in years]
    return {"rows": rows, "years": years, "has_values": bool(site.archive.indicators)}


def _year_cell(row: dict, year: int) -> dict:
    if year in row["values"]:
        return {"state": "value", **row["values"][year]}
    if year in row["years"] and row["applies"]:
        return {"state": "gap", "text": "", "parts": ("", ""), "plan": ""}  # needed, not filled in
    return {"state": "none", "text": "", "parts": ("", ""), "plan": ""}  # this indicator does not look at that year


def indicators_page(site: Site) -> str:
    numbers = sorted(site.standard.indicators)
    table = indicator_table(site, numbers)
    groups, summary = [], []
    for key, label in VERDICT_GROUPS:
        chosen = [row["number"] for row in table["rows"] if row["key"] == key]
        summary.append({"key": key, "label": label, "count": len(chosen), "numbers": chosen})
        if chosen:
            groups.append({"key": key, "label": label, "table": indicator_table(site, chosen)})
    by_category = []
    for category in site.standard.categories:
        rows = [row for row in table["rows"] if row["category"] and row["category"]["numeral"] == category.numeral]
        if rows:
            counts = {key: sum(1 for row in rows if row["key"] == key) for key, _ in VERDICT_GROUPS}
            by_category.append({"category": category, "uri": context.category_uri(category.number),
                                "total": len(rows), "counts": counts})
    return render_page(
        "indicators.md.j2", "indicators.md", site,
        has_values=bool(site.archive.indicators),
        table=table,
        groups=groups,
        summary=summary,
        by_category=by_category,
        verdict_groups=VERDICT_GROUPS,
        values_hint=INDICATOR_VALUES_HINT,
    )
