"""The indicator register: read evidence/indicators/values.{csv,xlsx}, check every row, judge every indicator.

``evaluate_indicators(project, evidence_root)`` is the one entry point the pipeline calls. Rules and targets
come from the standard's data (and the local plan's overrides), never from code; the rule functions live
in ``rules`` (pure), the reading and parsing in ``values``.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from pathlib import Path

from handbook.model import Problem, IndicatorResult, IndicatorValue, Project, Verdict, Where
from handbook.problems import error, warning

from handbook.judge import rules
from handbook.load.effective import EffectiveIndicator, effective_indicators
from handbook.scan.indicator_table import check_rows, normalize_text, read_table

__all__ = [
    "TABLE_NAMES",
    "evaluate_indicators",
    "find_tables",
    "indicator_names",
    "result_as_dict",
    "verdict_label",
]

log = logging.getLogger(__name__)

TABLE_NAMES = ("values.csv", "values.xlsx")
NOT_APPLICABLE = "不适用"


def evaluate_indicators(project: Project, evidence_root: Path) -> tuple[dict[int, IndicatorResult], list[Problem]]:
    """A result for every indicator of the standard, and every problem found in the values table.

    No table at all is not an error: every applicable indicator is then 缺数据 with the reason "未填报".
    Bad rows are reported and left out; the other rows still count.
    """
    indicators = effective_indicators(project.standard.indicators, project.plan)
    tables, diagnostics = find_tables(evidence_root, project.root)
    values: list[IndicatorValue] = []
    for path, shown_as in tables:
        rows, found = read_table(path, shown_as)
        diagnostics += found
        checked, found = check_rows(rows, indicators, indicator_names(project))
        values += checked
        diagnostics += found
    diagnostics += _missing_sources(values, evidence_root)
    values, found = _consistent_units(values)
    diagnostics += found
    by_year, found = _one_value_per_year(values)
    diagnostics += found
    results = {
        number: _result(indicator, by_year.get(number, {}))
        for number, indicator in indicators.items()
    }
    # In reading order, so a person can work down the table; the sort is stable within a row.
    diagnostics.sort(key=lambda d: (d.where.file, d.where.line))
    return results, diagnostics


def find_tables(evidence_root: Path, project_root: Path | None = None) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """The values table(s) under evidence/indicators/, and a warning for any other table there.

    Both values.csv and values.xlsx are read when both exist (a duplicate year is then reported).
    """
    folder = evidence_root / "indicators"
    if not folder.is_dir():
        return [], []
    tables = [(folder / name, _shown(folder / name, evidence_root, project_root)) for name in TABLE_NAMES]
    tables = [(path, shown) for path, shown in tables if path.is_file()]
    diagnostics = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".csv", ".xlsx", ".xls", ".xlsm") and path.name not in TABLE_NAMES:
            diagnostics.append(warning(
                Where(_shown(path, evidence_root, project_root)),
                "指标数值只从 values.csv 或 values.xlsx 读取，这个表格不会被读取",
                "请把其中的数据合并到 evidence/indicators/values.xlsx（或 values.csv）",
                "stray-table",
            ))
    return tables, diagnostics


def indicator_names(project: Project) -> dict[str, int]:
    """Every name an indicator goes by (national and county), normalised → its number."""
    names: dict[str, int] = {}
    for number, indicator in project.standard.indicators.items():
        for name in (indicator.name, indicator.county.name):
            if name:
                names.setdefault(normalize_text(name), number)
    return names


def verdict_label(result: IndicatorResult) -> str:
    """What a page or workbook shows: 不适用 for an indicator outside this project's set, else the verdict."""
    return NOT_APPLICABLE if not result.applies else result.verdict.value


def result_as_dict(result: IndicatorResult) -> dict:
    """The JSON shape of one result (for the export): values as year → value, verdict and reason."""
    return {
        "number": result.indicator,
        "name": result.name,
        "applies": result.applies,
        "target": result.target,
        "rule": result.rule.as_dict(),
        "years": list(result.years),
        "values": {str(year): _value_as_dict(value) for year, value in sorted(result.values.items())},
        "verdict": verdict_label(result),
        "reason": result.reason,
        "owner": result.owner,
    }


def _value_as_dict(value: IndicatorValue) -> dict:
    return {
        "value": value.value,
        "unit": value.unit,
        "raw": value.raw,
        "plan_value": value.plan_value,
        "reporter": value.reporter,
        "source": value.source,
        "where": str(value.where) if value.where else None,
    }


def _result(indicator: EffectiveIndicator, values: dict[int, IndicatorValue]) -> IndicatorResult:
    if not indicator.applies:
        verdict, reason = Verdict.NO_DATA, f"{NOT_APPLICABLE}：本指标不在县的指标体系内，不评判"
    elif not any(year in values for year in indicator.years):
        verdict, reason = Verdict.NO_DATA, "未填报"
    else:
        verdict, reason = rules.judge(indicator.rule, indicator.years, values)
    return IndicatorResult(
        indicator=indicator.number,
        applies=indicator.applies,
        target=indicator.target,
        rule=indicator.rule,
        years=indicator.years,
        values={year: values[year] for year in indicator.years if year in values},
        verdict=verdict,
        reason=reason,
        owner=indicator.owner,
        name=indicator.name,
    )


def _missing_sources(values: list[IndicatorValue], evidence_root: Path) -> list[Problem]:
    """A 来源 written as a path must name a file under evidence/ (a document title is taken as is)."""
    diagnostics = []
    for value in values:
        source = value.source.strip().replace("\\", "/")
        if not _looks_like_path(source):
            continue
        relative = source.removeprefix("evidence/").lstrip("/")
        if not (evidence_root / relative).is_file():
            diagnostics.append(warning(
                _row_of(value),
                f"来源“{value.source}”不是 evidence/ 下已有的文件",
                "请写 evidence/ 下的文件路径（如 23/23.1-环境质量公报/2025-生态环境分局-2025年环境质量公报.pdf），或直接写文件标题",
                "missing-source",
            ))
    return diagnostics


def _looks_like_path(text: str) -> bool:
    return "/" in text and re.search(r"\.[A-Za-z0-9]{2,5}$", text) is not None


def _consistent_units(values: list[IndicatorValue]) -> tuple[list[IndicatorValue], list[Problem]]:
    """One unit per indicator: a year in ‰ among years in % cannot be compared, so it is left out.

    Rules with a unit were checked row by row; this catches indicators whose rule names none (趋势, 近5年).
    """
    first_unit: dict[int, IndicatorValue] = {}
    kept, diagnostics = [], []
    for value in values:
        if isinstance(value.value, float) and value.unit:
            first = first_unit.setdefault(value.indicator, value)
            if value.unit != first.unit:
                diagnostics.append(error(
                    _row_of(value),
                    f"指标 {value.indicator} {value.year} 年的单位“{value.unit}”与{_place(first.where, value.where)}的“{first.unit}”不一致，本行不参与评判",
                    f"请统一换算为“{first.unit}”后填写", "bad-unit",
                ))
                continue
        kept.append(value)
    for value in kept:  # a bare number takes the unit its indicator is reported in
        if isinstance(value.value, float) and not value.unit and value.indicator in first_unit:
            value.unit = first_unit[value.indicator].unit
    return kept, diagnostics


def _one_value_per_year(values: list[IndicatorValue]) -> tuple[dict[int, dict[int, IndicatorValue]], list[Problem]]:
    """Group by indicator and year. Two rows for one year: the same value is kept once (warning);
    different values are both left out (error), since picking one would be a guess."""
    groups: dict[tuple[int, int], list[IndicatorValue]] = defaultdict(list)
    for value in values:
        groups[(value.indicator, value.year)].append(value)
    by_year: dict[int, dict[int, IndicatorValue]] = defaultdict(dict)
    diagnostics = []
    for (number, year), same in groups.items():
        if len(same) > 1:
            agree = len({(v.value, v.unit, v.plan_value) for v in same}) == 1
            diagnostics += _duplicate_diagnostics(number, year, same, agree)
            if not agree:
                continue
        by_year[number][year] = same[0]
    return dict(by_year), diagnostics


def _duplicate_diagnostics(number: int, year: int, same: list[IndicatorValue], agree: bool) -> list[Problem]:
    first = same[0].where
    diagnostics = []
    for value in same[1:]:
        if agree:
            diagnostics.append(warning(
                _row_of(value),
                f"指标 {number} {year} 年重复填报（与 {_place(first, value.where)} 数值相同）",
                "请删除重复的一行", "duplicate-row",
            ))
        else:
            diagnostics.append(error(
                _row_of(value),
                f"指标 {number} {year} 年有两个不同数值：{_place(first, value.where)} 为“{same[0].raw}”，本行为“{value.raw}”；该年按缺数据处理",
                "核实后只保留正确的一行", "duplicate-row",
            ))
    return diagnostics


def _place(where: Where | None, here: Where | None = None) -> str:
    """The other row, as seen from ``here``: "第 5 行", or "values.csv 第 5 行" when it is in another table."""
    if not where or not where.line:
        return "另一行"
    other_file = here is not None and where.file != here.file
    return f"{Path(where.file).name} 第 {where.line} 行" if other_file else f"第 {where.line} 行"


def _shown(path: Path, evidence_root: Path, project_root: Path | None) -> str:
    """The path as people see it in the repository: evidence/indicators/values.csv."""
    for base in (project_root, evidence_root.parent):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def _row_of(value: IndicatorValue) -> Where:
    """The table row a value was read from (every value from the table has one; the fallback names the folder)."""
    return value.where or Where("evidence/indicators")
