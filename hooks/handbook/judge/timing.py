"""Time rules of a material: which years it needs, when each is due, and which files are of the right year.

- ``year``: a document of each year of the window (计划, 总结, 会议); the review year's copy is due on the
  material's ``due`` month-day when it has one (计划 early in the year), else at the plan's current-year date.
- ``completed_year``: statistics and bulletins of a completed year, published ``due_months`` after that year
  ends. A year whose publication falls after the review closes (the review year's own bulletin) is not owed.
- ``review_year``: one document that must be of the review year (推荐报告, 工作汇报); an older one is 待核.
- ``cycle``: one document for the whole window (方案 for the cycle); any year of the window counts.
- ``once``: done once (本底调查), of any year, even before the window.

A date the local plan gives for the material (deadlines.yml ``materials``) always wins.
"""

from __future__ import annotations

import calendar
import datetime as dt

from handbook.model import EvidenceFile, Material, Plan

DEFAULT_DUE_MONTHS = 6  # 统计公报 and the like appear in the first half of the next year


def years_for(material: Material, plan: Plan) -> tuple[int | None, ...]:
    rule = material.time_rule
    if rule == "year":
        return tuple(plan.window)
    if rule == "completed_year":
        return tuple(y for y in plan.window if published_by(material, y) <= review_closes(plan))
    if rule == "review_year":
        return (plan.review_year,)
    return (None,)


def deadline_for(plan: Plan, material: Material, year: int | None) -> dt.date:
    if material.id in plan.material_deadlines:
        return plan.material_deadlines[material.id]
    rule = material.time_rule
    if rule == "completed_year" and year is not None:
        default = plan.deadline_completed_years if year < plan.review_year else plan.deadline_current_year
        return max(default, published_by(material, year))
    if rule == "year" and year == plan.review_year and material.due:
        month, day = (int(part) for part in material.due.split("-"))
        return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
    return plan.deadline_for(material.id, year)


def published_by(material: Material, year: int) -> dt.date:
    """The last day of the month ``due_months`` after the end of ``year``."""
    months = material.due_months or DEFAULT_DUE_MONTHS
    y, m = year + 1 + (months - 1) // 12, (months - 1) % 12 + 1
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def review_closes(plan: Plan) -> dt.date:
    """The last date this review collects anything: the later of the plan's two due dates."""
    return max(plan.deadline_current_year, plan.deadline_completed_years)


def fits_year(material: Material, file: EvidenceFile, year: int | None, plan: Plan) -> bool:
    """Whether the file belongs in the cell of ``year``. A review-year cell takes every file (an older one
    is then judged 待核 by ``wrong_year``); a cycle or one-off cell takes any year."""
    if year is None or material.time_rule == "review_year":
        return True
    return year in file.years


def wrong_year(material: Material, files: list[EvidenceFile], plan: Plan) -> str:
    """For a review-year material whose files are all of other years: why none counts. Else ""."""
    if material.time_rule != "review_year" or not files or any(plan.review_year in f.years for f in files):
        return ""
    years = sorted({y for f in files for y in f.years})
    shown = "、".join(str(y) for y in years) or "未知"
    return (f"{material.title}须为复审当年（{plan.review_year} 年）的版本，已交的是 {shown} 年的："
            f"请提交 {plan.review_year} 年出具的{material.title}")
