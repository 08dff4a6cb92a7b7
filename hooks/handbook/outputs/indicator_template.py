"""The blank XLSX a unit fills in: one row per indicator it owns and year needed, the target beside it.

The sheet's columns are exactly what ``values.read_table`` reads back (extra columns are ignored), so a
filled template can be saved as evidence/indicators/values.xlsx as it is; every sheet is read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from handbook.util.workbooks import sheet_name
from handbook.util.atomic import write_via_path
from handbook.model import Project, RuleKind

from handbook.load.effective import EffectiveIndicator, effective_indicators

log = logging.getLogger(__name__)

COLUMNS = ("指标", "名称", "年份", "数值", "规划值", "填报单位", "来源", "目标值", "说明")
WIDTHS = {"指标": 6, "名称": 36, "年份": 8, "数值": 12, "规划值": 10, "填报单位": 16, "来源": 36, "目标值": 26, "说明": 48}
GREY = ("目标值", "说明")  # shown for reference, not read back
UNASSIGNED = "未分配"


@dataclass(frozen=True, slots=True)
class TemplateRow:
    number: int
    name: str
    year: int
    reporter: str
    target: str
    note: str
    kind: RuleKind


def owned_indicators(project: Project, unit: str | None = None) -> dict[str, list[EffectiveIndicator]]:
    """Applicable indicators grouped by owning unit (canonical name), in unit order of first indicator.

    Indicators with no owner in the local plan go under 未分配 when no unit is asked for.
    """
    groups: dict[str, list[EffectiveIndicator]] = {}
    for indicator in effective_indicators(project.standard.indicators, project.plan).values():
        if not indicator.applies:
            continue
        owner = indicator.owner or UNASSIGNED
        if unit is None or owner == unit:
            groups.setdefault(owner, []).append(indicator)
    return groups


def template_rows(indicators: list[EffectiveIndicator], reporter: str) -> list[TemplateRow]:
    return [
        TemplateRow(i.number, i.name, year, "" if reporter == UNASSIGNED else reporter, i.target, _note(i), i.rule.kind)
        for i in indicators
        for year in i.years
    ]


def write_template(project: Project, out: Path, unit: str | None = None) -> Path:
    """Write the template for ``unit`` (canonical name), or for every owning unit (one sheet each).

    Raises ValueError (in Chinese) when the unit owns no applicable indicator.
    """
    groups = owned_indicators(project, unit)
    if not groups:
        who = f"“{unit}”" if unit else "本地方案"
        raise ValueError(f"{who}没有负责填报的适用指标（见 standards/local/indicators.yml 的 owners）")
    sheets = {name: template_rows(indicators, name) for name, indicators in groups.items()}
    _write_atomically(out, sheets)
    log.info("wrote indicator template %s (%d sheets)", out, len(sheets))
    return out


def default_name(project: Project, unit: str | None) -> str:
    return _safe_file_name(f"指标填报模板-{unit or project.plan.city}.xlsx")


def _note(indicator: EffectiveIndicator) -> str:
    hints = {
        RuleKind.PLAN: "请同时填写规划值（所在地区域卫生规划的要求值）",
        RuleKind.GRADE: "填等级 A、B、C 或 D",
        RuleKind.PRESENCE: "填“有”或“无”",
    }
    parts = [indicator.note, hints.get(indicator.rule.kind, "")]
    if indicator.rule.unit:
        parts.append(f"单位：{indicator.rule.unit}")
    return "；".join(p for p in parts if p)


def _write_atomically(out: Path, sheets: dict[str, list[TemplateRow]]) -> None:
    write_via_path(out, lambda temp: _write_workbook(temp, sheets))  # mode 0644: a template is for sharing


def _write_workbook(path: Path, sheets: dict[str, list[TemplateRow]]) -> None:
    import xlsxwriter

    # Nothing anyone typed may become a live formula or a link.
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "grey_header": workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "font_color": "#595959", "border": 1}),
        "grey": workbook.add_format({"bg_color": "#F2F2F2", "font_color": "#595959", "text_wrap": True}),
        "text": workbook.add_format({"num_format": "@"}),  # keeps "92.5%" as typed, not 0.925
        "plain": workbook.add_format({}),
    }
    used: set[str] = set()
    for unit, rows in sheets.items():
        _write_sheet(workbook.add_worksheet(sheet_name(unit, used)), rows, formats)
    workbook.close()


def _write_sheet(sheet, rows: list[TemplateRow], formats: dict) -> None:
    for col, title in enumerate(COLUMNS):
        sheet.write_string(0, col, title, formats["grey_header" if title in GREY else "header"])
        cell_format = formats["grey"] if title in GREY else formats["text"] if title in ("数值", "规划值", "来源") else None
        sheet.set_column(col, col, WIDTHS[title], cell_format)
    for r, row in enumerate(rows, start=1):
        cells = {
            "指标": row.number, "名称": row.name, "年份": row.year, "填报单位": row.reporter,
            "目标值": row.target, "说明": row.note,
        }
        for col, title in enumerate(COLUMNS):
            value = cells.get(title)
            fmt = formats["grey"] if title in GREY else formats["plain"]
            if isinstance(value, int):
                sheet.write_number(r, col, value, fmt)
            elif value:
                sheet.write_string(r, col, value, fmt)
        _value_choices(sheet, r, row)
    if rows:
        years = [row.year for row in rows]
        sheet.data_validation(1, COLUMNS.index("年份"), len(rows), COLUMNS.index("年份"), {
            "validate": "integer", "criteria": "between", "minimum": min(years), "maximum": max(years),
            "input_title": "年份", "input_message": f"填 {min(years)}–{max(years)} 之间的年份",
            "error_title": "年份不对", "error_message": f"复审只需要 {min(years)}–{max(years)} 年的数据",
        })
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)


def _value_choices(sheet, row_index: int, row: TemplateRow) -> None:
    """A drop-down where the value is a choice (grade, 有/无); free text elsewhere."""
    choices = {RuleKind.GRADE: ["A", "B", "C", "D"], RuleKind.PRESENCE: ["有", "无"]}.get(row.kind)
    if choices:
        col = COLUMNS.index("数值")
        sheet.data_validation(row_index, col, row_index, col, {"validate": "list", "source": choices})


def _safe_file_name(name: str) -> str:
    from pathvalidate import sanitize_filename

    return sanitize_filename(name, platform="windows", replacement_text="_")
