"""Read the indicator values table (CSV or XLSX) and turn what people typed into numbers with units.

Every cell is read as text (nothing coerced by a library), then parsed here, so that "92.5%", "９２．５",
"≥1", "1,234.5", "5.6‰", "18/10万", "C级" and "有" all mean what the person meant, and anything else is
reported with the spreadsheet row number people see (the header is row 1) and the fix, in Chinese.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handbook.problems import error, suggest, warning
from handbook.model import Problem, IndicatorValue, Level, RuleKind, Where

from handbook.load.effective import EffectiveIndicator
from handbook.util.faults import processing
from handbook.scan.tables import Columns, data_rows, filled_rows, normalize_text, number_text, parse_int, read_sheets

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- parsing one value

PRESENT_WORDS = frozenset({"有", "是", "达到", "已达到", "达标", "符合", "已出台", "已覆盖", "√"})
ABSENT_WORDS = frozenset({"无", "否", "未达到", "没有", "不符合", "未达标", "未出台", "未覆盖", "×"})
GRADES = ("A", "B", "C", "D")

_GRADE = re.compile(r"^(?:达到)?([A-Da-d])(?:级)?(?:标准|要求|水平)?$")
_COMPARATOR = re.compile(r"^(>=|<=|≥|≤|>|<|=|≧|≦)")
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)(.*)$")

# How people write a unit → the unit the standard's data uses.
UNIT_ALIASES = {
    "%": "%",
    "‰": "‰",
    "/10万": "/10万",
    "1/10万": "/10万",
    "/十万": "/10万",
    "人/10万": "/10万",
    "例/10万": "/10万",
    "每10万": "/10万",
    "天": "天",
    "日": "天",
    "小时": "小时",
    "h": "小时",
    "平方米": "平方米",
    "m2": "平方米",
    "平米": "平方米",
    "分贝": "分贝",
    "db": "分贝",
    "dB": "分贝",
    "dB(A)": "分贝",
    "岁": "岁",
    "名": "名",
    "人": "名",
    "个": "个",
    "张": "张",
}


@dataclass(frozen=True, slots=True)
class ParsedValue:
    """A typed value: a number with its unit, a grade letter, "有"/"无", or an error in words."""

    value: float | str | None  # None: the cell is blank (not filled in yet)
    unit: str = ""
    error: str = ""  # why the text is not a value; "" when it is
    fix: str = ""
    note: str = ""  # what was dropped on the way, e.g. a leading "≥"

    @property
    def ok(self) -> bool:
        return not self.error


def normalize_unit(text: str) -> str | None:
    """The standard's spelling of a unit, or None when it is not one we know."""
    text = text.replace("十万", "10万")
    if text in UNIT_ALIASES:
        return UNIT_ALIASES[text]
    if text.lower() in UNIT_ALIASES:
        return UNIT_ALIASES[text.lower()]
    return None


def parse_value(raw: object) -> ParsedValue:
    """Read one cell as typed by a person. Never raises; an unreadable value carries ``error``."""
    if re.search(r"\d\s+[\d.,]", unicodedata.normalize("NFKC", "" if raw is None else str(raw))):
        # "12 13" is two numbers or a typo, never 1213: dropping the space would invent a value.
        return ParsedValue(None, error=f"“{raw}”的数字中间有空格", fix="只填一个数值，数字之间不要留空格")
    text = normalize_text(raw)
    if not text:
        return ParsedValue(None)
    if text in PRESENT_WORDS:
        return ParsedValue("有")
    if text in ABSENT_WORDS:
        return ParsedValue("无")
    grade = _GRADE.match(text)
    if grade:
        return ParsedValue(grade.group(1).upper(), unit="级")
    return _parse_number(text, raw)


def _parse_number(text: str, raw: object) -> ParsedValue:
    note = ""
    comparator = _COMPARATOR.match(text)
    if comparator:
        # "≥1" (at least one) is read as 1: the bound the person reports having reached.
        note = f"去掉了数值前的“{comparator.group(1)}”"
        text = text[comparator.end():]
    match = _NUMBER.match(text)
    if not match:
        return ParsedValue(
            None,
            error=f"“{raw}”不是数值",
            fix="请填写数字（如 92.5 或 92.5%），等级填 A–D，有无类填“有”或“无”",
        )
    number = float(match.group(1).replace(",", ""))
    rest = match.group(2)
    if rest[:1] in (",", ".") or rest[:1].isdigit():  # "1,2345", "1.2.3": the digits do not form one number
        return ParsedValue(None, error=f"“{raw}”中的逗号或小数点位置不对",
                           fix="千分位写作 1,234.5，或不写逗号；只用一个小数点")
    unit = normalize_unit(rest) if rest else ""
    if unit is None:
        return ParsedValue(
            None,
            error=f"“{raw}”的单位“{rest}”无法识别",
            fix="请只填数字，或使用 %、‰、/10万、天、小时、平方米、分贝、岁、名、个 等单位",
        )
    if not math.isfinite(number):
        return ParsedValue(None, error=f"“{raw}”不是有限数值", fix="请填写普通数字")
    return ParsedValue(number, unit=unit, note=note)


def _range_problems(where: Where, number: int, year: int, parsed: ParsedValue, raw: object) -> list[Problem]:
    """Rates cannot be negative and a percentage rarely passes 100: probably a typo, said, still counted."""
    if not isinstance(parsed.value, float):
        return []
    if parsed.value < 0:
        why = "是负数"
    elif parsed.unit == "%" and parsed.value > 100:
        why = "超过 100%"
    else:
        return []
    return [warning(where, f"指标 {number} {year} 年数值“{raw}”{why}，请核对", "核实数值和单位后重新填写", "value-out-of-range")]


# --------------------------------------------------------------------------- reading the table

# Canonical column → the headers people write for it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "指标": ("指标", "指标编号", "编号", "指标序号", "序号"),
    "年份": ("年份", "年度", "年"),
    "数值": ("数值", "值", "指标值", "填报值", "数据"),
    "规划值": ("规划值", "规划要求值", "规划要求", "区域卫生规划值"),
    "填报单位": ("填报单位", "单位", "责任单位", "报送单位"),
    "来源": ("来源", "数据来源", "出处", "佐证材料"),
}
REQUIRED_COLUMNS = ("指标", "年份", "数值")
_COLUMNS = Columns(COLUMNS, REQUIRED_COLUMNS)
TOO_LARGE_FIX = "指标表只需几百行；请删去多余的行后重新保存"


@dataclass(slots=True)
class RawRow:
    """One data row of the table: where it is, and its cells as text by canonical column."""

    where: Where
    cells: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in self.cells.values())


def read_table(path: Path, shown_as: str) -> tuple[list[RawRow], list[Problem]]:
    """Every data row of a CSV or XLSX table; ``shown_as`` is the path used in messages."""
    with processing(shown_as):
        return _read_table(path, shown_as)


def _read_table(path: Path, shown_as: str) -> tuple[list[RawRow], list[Problem]]:
    sheets, failure = read_sheets(path, shown_as, too_large_fix=TOO_LARGE_FIX)
    if failure is not None:
        return [], [failure]
    rows: list[RawRow] = []
    diagnostics: list[Problem] = []
    for name, table, notes in sheets:
        diagnostics += notes
        sheet_rows, sheet_diagnostics = _rows_of(table, name, lenient=len(sheets) > 1)
        rows += sheet_rows
        diagnostics += sheet_diagnostics
    return rows, diagnostics


def _rows_of(table: list[list[str]], shown_as: str, *, lenient: bool = False) -> tuple[list[RawRow], list[Problem]]:
    """Map the header row to canonical columns, then every later non-blank row to a RawRow.

    The header is the first row naming the required columns (a title row above it is allowed), else the
    first non-blank row. ``lenient``: a sheet with no known column at all (say, a sheet of notes in a
    workbook) is only warned about.
    """
    filled = filled_rows(table)
    if not filled:
        return [], [warning(Where(shown_as), "表格是空的", "请按模板填写：指标、年份、数值、规划值、填报单位、来源", "empty-table")]
    header_at = _COLUMNS.header_row(table, filled)
    header_at = filled[0] if header_at is None else header_at
    header = table[header_at]
    positions = _COLUMNS.positions(header)
    diagnostics: list[Problem] = []
    missing = _COLUMNS.missing(header)
    if missing:
        fix = "表头应为：指标、年份、数值、规划值、填报单位、来源（可用 python -m handbook template --indicators 生成模板）"
        where = Where(shown_as, header_at + 1)
        if lenient and not positions:
            return [], [warning(where, "这个工作表没有指标表头，未读取", fix, "no-header")]
        return [], [error(where, f"缺少列：{'、'.join(missing)}", fix, "missing-column")]
    rows = []
    width = len(header)
    for index, cells in data_rows(table, header_at, positions):
        row = RawRow(Where(shown_as, index + 1), cells)
        rows.append(row)
        extra = [c for c in table[index][width:] if c.strip()]
        if extra:  # usually an unquoted comma inside 来源: the text after it would be lost
            diagnostics.append(warning(
                row.where, f"本行比表头多出 {len(extra)} 列（“{'、'.join(extra)}”），多出的内容未读取",
                "文字里有逗号时请用 Excel 编辑，或给该格加英文双引号", "extra-cells",
            ))
    return rows, diagnostics


# --------------------------------------------------------------------------- checking rows


def check_rows(
    rows: Iterable[RawRow],
    indicators: dict[int, EffectiveIndicator],
    names: dict[str, int],
) -> tuple[list[IndicatorValue], list[Problem]]:
    """Turn rows into IndicatorValues; report each bad row (the others still count).

    ``names`` maps every indicator name (national and county) to its number, so a row may name it.
    """
    values: list[IndicatorValue] = []
    diagnostics: list[Problem] = []
    for row in rows:
        value, found = _check_row(row, indicators, names)
        diagnostics += found
        if value is not None:
            values.append(value)
    return values, diagnostics


def _check_row(
    row: RawRow, indicators: dict[int, EffectiveIndicator], names: dict[str, int]
) -> tuple[IndicatorValue | None, list[Problem]]:
    where = row.where
    number = _indicator_number(row.get("指标"), names)
    if number is None or number not in indicators:
        return None, [_unknown_indicator(where, row.get("指标"), indicators, names)]
    indicator = indicators[number]
    year = parse_int(row.get("年份"))
    if year is None:
        fix = f"填 4 位年份，指标 {number} 需要 {_years_text(indicator.years)} 年"
        return None, [error(where, f"年份“{row.get('年份')}”不是年份", fix, "bad-year")]
    if year not in indicator.years:
        problem = f"指标 {number}（{indicator.name}）不需要 {year} 年数据，本行不参与评判"
        fix = f"复审需要 {_years_text(indicator.years)} 年，请核对年份"
        return None, [warning(where, problem, fix, "year-outside")]
    parsed = parse_value(row.get("数值"))
    if parsed.value is None and parsed.ok:
        return None, []  # a template row not filled in yet: that year simply has no data
    if not parsed.ok:
        return None, [error(where, f"指标 {number} {year} 年数值{parsed.error}", parsed.fix, "bad-value")]
    problems = _kind_problems(where, indicator, parsed) + _range_problems(where, number, year, parsed, row.get("数值"))
    if parsed.note:
        problems.append(warning(
            where, f"指标 {number} {year} 年数值“{row.get('数值')}”带比较符号，{parsed.note}，按 {_shown_number(parsed.value)} 计",
            "请填写实际数值", "comparator-value",
        ))
    if any(p.level is Level.ERROR for p in problems):
        return None, problems
    plan_value, plan_problems = _plan_value(where, indicator, year, row.get("规划值"))
    problems += plan_problems
    if not indicator.applies:
        problems.append(
            warning(where, f"指标 {number}（{indicator.name}）不适用于本地，数值不参与评判", "可删除本行", "not-applicable")
        )
    value = IndicatorValue(
        indicator=number,
        year=year,
        value=parsed.value,
        unit=parsed.unit or indicator.rule.unit or "",
        raw=row.get("数值"),
        plan_value=plan_value,
        reporter=row.get("填报单位"),
        source=row.get("来源"),
        where=where,
    )
    return value, problems


def _shown_number(value: float | str | None) -> str:
    return number_text(value) if isinstance(value, float) else str(value)


def _indicator_number(text: str, names: dict[str, int]) -> int | None:
    plain = normalize_text(text)
    if plain in names:
        return names[plain]
    plain = re.sub(r"^(指标|第)", "", plain).removesuffix("项")
    return parse_int(plain)


def _unknown_indicator(where: Where, text: str, indicators: dict[int, EffectiveIndicator], names: dict[str, int]) -> Problem:
    if not text:
        return error(where, "指标编号为空", "请填写指标编号 1–56", "unknown-indicator")
    hint = suggest(normalize_text(text), list(names))
    fix = f"指标编号应为 {min(indicators)}–{max(indicators)}" if indicators else "请填写指标编号"
    if hint:
        fix += f"；是否指“{hint}”（指标 {names[hint]}）？"
    return error(where, f"未知指标“{text}”", fix, "unknown-indicator")


def _kind_problems(where: Where, indicator: EffectiveIndicator, parsed: ParsedValue) -> list[Problem]:
    """A grade where a grade is wanted, 有/无 where presence is, a number with the right unit elsewhere."""
    kind, number, value = indicator.rule.kind, indicator.number, parsed.value
    if kind is RuleKind.GRADE:
        if value not in GRADES:
            return [error(where, f"指标 {number} 应填等级，“{value}”不是等级", "请填 A、B、C 或 D（可写“C级”）", "bad-value")]
        return []
    if kind is RuleKind.PRESENCE:
        if value not in ("有", "无"):
            return [error(where, f"指标 {number} 应填“有”或“无”，而填了“{value}”", "请填“有”或“无”（“达到”“是”也可）", "bad-value")]
        return []
    if not isinstance(value, float):
        return [error(where, f"指标 {number} 应填数值，而填了“{value}”", f"请填数字，目标为 {indicator.target}", "bad-value")]
    expected = indicator.rule.unit or ""
    if parsed.unit and expected and parsed.unit != expected:
        fix = f"指标 {number} 的单位是“{expected}”，请换算后填写（或只填数字）"
        return [error(where, f"指标 {number} 的单位“{parsed.unit}”与目标单位“{expected}”不符", fix, "bad-unit")]
    problems = []
    if expected == "%" and not parsed.unit and 0 < value <= 1 and (indicator.rule.value or 0) > 1:
        problems.append(warning(
            where,
            f"指标 {number} 数值 {number_text(value)} 像是小数形式的比例（{number_text(value * 100)}%？）",
            "百分比请填 92.5 或 92.5%，不要填 0.925",
            "fraction-percent",
        ))
    return problems


def _plan_value(where: Where, indicator: EffectiveIndicator, year: int, raw: str) -> tuple[float | None, list[Problem]]:
    """The regional-plan value of a plan pair: required there, ignored (with a note) elsewhere."""
    if indicator.rule.kind is not RuleKind.PLAN:
        return None, []
    if not normalize_text(raw):
        fix = "请在“规划值”列填写所在地区域卫生规划对该指标的要求值"
        return None, [error(where, f"指标 {indicator.number} {year} 年缺少规划值", fix, "missing-plan-value")]
    parsed = parse_value(raw)
    if not parsed.ok or not isinstance(parsed.value, float):
        reason = parsed.error or f"“{raw}”不是数值"
        return None, [error(where, f"指标 {indicator.number} {year} 年规划值{reason}", "规划值请填数字", "bad-plan-value")]
    return parsed.value, []


def _years_text(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
