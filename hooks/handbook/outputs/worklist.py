"""催报单: one XLSX per unit (what it still owes) and one summary workbook (the 通报 ranking).

A unit's 催报单 lists its missing and overdue cells with deadlines and where to put the file, the
problems of the files it committed, and the indicators it reports that still have no values. The
summary ranks the units by completion, as the monthly 通报 do.

Spreadsheets never turn a cell into a formula or link (text from YAML and file names is written as
text), and every workbook is written to a temp file first, then renamed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from handbook.util.atomic import write_via_path
from handbook.judge.owed import owners_of as _owners
from handbook.judge.owed import problem_files
from handbook.model import Archive, Cell, EvidenceFile, IndicatorResult, Level, Status, Tally, Verdict, format_problem, material_key
from handbook.render.context import PEER_GROUPS, unit_ranking
from handbook.scan.folders import example_name, folder_for, material_folders_of
from handbook.util.workbooks import SUMMARY_NAME, unit_workbook_name

log = logging.getLogger(__name__)

OPEN = (Status.MISSING, Status.OVERDUE)
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

CELL_COLUMNS = ("序号", "项", "材料编号", "材料名称", "年度", "状态", "截止日期", "剩余天数", "完成要求",
                "提交到文件夹", "文件名示例")
PROBLEM_COLUMNS = ("序号", "文件", "级别", "问题", "改法", "问题代码")
INDICATOR_COLUMNS = ("序号", "指标", "指标名称", "目标值", "需要年度", "已有数据年度", "说明")
RANK_COLUMNS = ("分组", "排名", "单位", "应交", "已交", "缺失", "逾期", "待核", "完成率")


# --------------------------------------------------------------------------- what a unit owes


@dataclass(frozen=True, slots=True)
class RankRow:
    rank: int | None  # None: owes fewer than plan.min_ranked_cells cells, listed but not ranked
    unit: str
    required: int
    collected: int
    missing: int
    overdue: int
    review: int
    percent: float  # 0..100
    group: str = ""  # the peer group's label (街道、乡镇 / 市直部门和单位)


def unit_tallies(archive: Archive) -> dict[str, Tally]:
    """Cells per answerable unit: the judge's roll-up when there is one, else counted here."""
    if archive.summary is not None:
        return dict(archive.summary.by_unit)
    tallies: dict[str, Tally] = {name: Tally() for name in archive.project.plan.units}
    for cell in archive.cells:
        for owner in _owners(cell):
            tallies.setdefault(owner, Tally()).add(cell.status)
    return tallies


def ranking(archive: Archive) -> list[RankRow]:
    """Units that owe something, ranked within their peer group as on the site's units page.

    The site's own ranking is used so a 通报 never disagrees with the page: 街道 among 街道, departments
    among departments, equal rates share a rank (1, 1, 3), a unit owing fewer than ``min_ranked_cells``
    is listed after its group without a rank.
    """
    plan = archive.project.plan
    tallies = unit_tallies(archive)
    rows: list[RankRow] = []
    for key, _label in PEER_GROUPS:
        for row in unit_ranking(plan, tallies, key):
            t = row.tally
            rows.append(RankRow(rank=row.rank, unit=row.unit.name, required=t.required,
                                collected=t.counts[Status.COLLECTED], missing=t.counts[Status.MISSING],
                                overdue=t.counts[Status.OVERDUE], review=t.counts[Status.REVIEW],
                                percent=t.percent, group=row.group))
    return rows


def open_cells(archive: Archive, unit: str | None) -> list[Cell]:
    """Missing and overdue cells ``unit`` answers for (all units when None), earliest deadline first."""
    cells = [c for c in archive.cells if c.status in OPEN and (unit is None or unit in _owners(c))]
    return sorted(cells, key=lambda c: (c.deadline or dt.date.max, c.item, material_key(c.material),
                                        c.year or 0, c.owner or ""))


def unattributed_problem_files(archive: Archive) -> list[EvidenceFile]:
    """Problem files no unit's 催报单 lists: the 爱卫办 must find out whose they are."""
    claimed = {p for c in archive.cells if c.owner and c.status is Status.REVIEW for p in c.files}
    return sorted((f for f in archive.files if f.problems and f.unit is None and f.path not in claimed),
                  key=lambda f: f.path)


def missing_indicators(archive: Archive, unit: str | None) -> list[IndicatorResult]:
    """Indicators still without values (缺数据) that ``unit`` reports (all when None)."""
    owners = archive.project.plan.indicator_owners
    results = []
    for number in sorted(archive.indicators):
        result = archive.indicators[number]
        owner = result.owner or owners.get(number)
        if result.applies and result.verdict is Verdict.NO_DATA and (unit is None or owner == unit):
            results.append(result)
    return results


# --------------------------------------------------------------------------- rows


def cell_rows(archive: Archive, cells: Sequence[Cell], *, unit: str | None = None) -> list[list[Any]]:
    """Rows of the 缺失与逾期 sheet: ``unit``'s own (its name in the example file name), or, when None,
    every unit's with a 单位 column, a cell shared by several lead units once under each of them."""
    standard, plan = archive.project.standard, archive.project.plan
    sample_year = max((y for y in plan.window if y < plan.review_year), default=plan.review_year)
    existing = material_folders_of(archive)
    pairs = [(cell, unit) for cell in cells] if unit else [(c, o) for c in cells for o in _owners(c) or ("",)]
    rows = []
    for i, (cell, owner) in enumerate(pairs, start=1):
        material = standard.material(cell.material)
        title = material.title if material else ""
        supplier = cell.unit or owner or "单位"
        example = example_name(material, cell.year or sample_year, supplier) if material else ""
        days = (cell.deadline - plan.today).days if cell.deadline else None
        row = [
            i,
            f"{cell.item:02d}",
            cell.material,
            title,
            str(cell.year) if cell.year else "全周期（任一年度）",
            cell.status.value,
            cell.deadline,
            days,
            material.complete_when if material else "",
            f"evidence/{folder_for(material, standard, existing)}/" if material else "",
            example,
        ]
        if unit is None:
            row.insert(1, owner)
        rows.append(row)
    return rows


def problem_rows(files: Iterable[EvidenceFile], *, with_unit: bool = False) -> list[list[Any]]:
    rows = []
    n = 0
    for f in files:
        for problem in f.problems:
            n += 1
            row = [n, f"evidence/{f.path}", problem.level.value, format_problem(problem, beside=f.path, fix=False), problem.fix, problem.code]
            if with_unit:
                row.insert(1, f.unit or f.unit_raw or "")
            rows.append(row)
    # Errors first: they keep a cell at 待核.
    rows.sort(key=lambda r: (r[-4] != Level.ERROR.value, r[0]))  # r[-4] is the level column
    for i, row in enumerate(rows, start=1):
        row[0] = i
    return rows


def indicator_rows(archive: Archive, results: Iterable[IndicatorResult], *, with_unit: bool = False) -> list[list[Any]]:
    standard, owners = archive.project.standard, archive.project.plan.indicator_owners
    rows = []
    for i, result in enumerate(results, start=1):
        indicator = standard.indicators.get(result.indicator)
        have = sorted(y for y in result.values if y in result.years)
        row = [
            i,
            result.indicator,
            indicator.name if indicator else "",
            result.target,
            _years(result.years),
            _years(have) or "无",
            result.reason,
        ]
        if with_unit:
            row.insert(1, result.owner or owners.get(result.indicator, ""))
        rows.append(row)
    return rows


def _years(years: Iterable[int]) -> str:
    return "、".join(str(y) for y in sorted(years))


# --------------------------------------------------------------------------- writing


class _Book:
    """A thin xlsxwriter wrapper: header row, widths, frozen header, filter; dates as real dates."""

    def __init__(self, path: Path):
        self.path = path
        self.book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        self.head = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                          "valign": "top"})
        self.text = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.pct = self.book.add_format({"num_format": "0.0%", "valign": "top"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})

    def notes(self, name: str, lines: Sequence[tuple[str, Any]]) -> None:
        sheet = self.book.add_worksheet(name)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 90, self.text)
        for r, (label, value) in enumerate(lines):
            if label:
                sheet.write_string(r, 0, str(label), self.head)
            self._write(sheet, r, 1, value)

    def table(self, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              widths: dict[str, int] | None = None, percent: Sequence[str] = ()) -> None:
        sheet = self.book.add_worksheet(name)
        widths = widths or {}
        for c, column in enumerate(columns):
            sheet.write_string(0, c, column, self.head)
            sheet.set_column(c, c, widths.get(column, max(8, len(column) * 2 + 2)))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                self._write(sheet, r, c, value, as_percent=columns[c] in percent)
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)

    def _write(self, sheet, r: int, c: int, value: Any, *, as_percent: bool = False) -> None:
        if value is None or value == "":
            sheet.write_blank(r, c, None)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(r, c, value.replace(tzinfo=None), self.date)
        elif isinstance(value, dt.date):
            sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.date)
        elif isinstance(value, bool):
            sheet.write_string(r, c, "是" if value else "否", self.text)
        elif isinstance(value, (int, float)):
            if as_percent:
                sheet.write_number(r, c, value / 100.0, self.pct)
            else:
                sheet.write_number(r, c, value)
        else:
            sheet.write_string(r, c, str(value), self.text)  # never a formula, never a link

    def close(self) -> None:
        self.book.close()


def _atomic_book(path: Path, fill) -> Path:
    """Write the workbook to a temp file beside ``path``, then rename it into place."""
    def write(temp: Path) -> None:
        book = _Book(temp)
        fill(book)
        book.close()

    return write_via_path(path, write)  # 0644: the 催报单 go to other units


CELL_WIDTHS = {"材料名称": 28, "年度": 12, "截止日期": 12, "完成要求": 40, "提交到文件夹": 40, "文件名示例": 40,
               "单位": 16}
PROBLEM_WIDTHS = {"文件": 60, "问题": 40, "改法": 50, "问题代码": 18, "单位": 16}
INDICATOR_WIDTHS = {"指标名称": 30, "目标值": 20, "需要年度": 18, "已有数据年度": 18, "说明": 50, "单位": 16}


def write_unit_workbook(archive: Archive, unit: str, path: Path) -> Path:
    """The 催报单 of one unit (canonical name)."""
    plan = archive.project.plan
    cells = open_cells(archive, unit)
    files = problem_files(archive, unit)
    indicators = missing_indicators(archive, unit)
    tally = unit_tallies(archive).get(unit, Tally())
    overdue = sum(1 for c in cells if c.status is Status.OVERDUE)
    info = plan.units.get(unit)

    def fill(book: _Book) -> None:
        book.notes("说明", [
            ("", f"{plan.city}国家卫生城市复审 佐证材料催报单"),
            ("单位", unit),
            ("联络员", info.liaison if info and info.liaison else ""),
            ("数据截至", plan.today),
            ("完成情况", f"应交 {tally.required}，已交 {tally.counts[Status.COLLECTED]}，完成率 {tally.percent:.1f}%"),
            ("待办", f"缺失 {len(cells) - overdue} 项，逾期 {overdue} 项，问题文件 {len(files)} 个，"
                     f"待补指标 {len(indicators)} 个"),
            ("怎么交", "把文件提交到“缺失与逾期”表所列的文件夹，文件名写成：年度-单位-标题.扩展名"
                      "（例：2024-市卫健委-2024年爱国卫生工作总结.pdf）。提交后 CI 检查会告诉你是否合格。"),
            ("问题文件", "按“问题文件”表的“改法”修改后重新提交（改名即可的，直接在网页上重命名）。"),
            ("待补指标", "在 evidence/indicators/ 的指标数据表中补上所缺年度的数值和来源。"),
        ])
        book.table("缺失与逾期", CELL_COLUMNS, cell_rows(archive, cells, unit=unit), CELL_WIDTHS)
        book.table("问题文件", PROBLEM_COLUMNS, problem_rows(files), PROBLEM_WIDTHS)
        book.table("待补指标", INDICATOR_COLUMNS, indicator_rows(archive, indicators), INDICATOR_WIDTHS)

    return _atomic_book(path, fill)


def write_summary_workbook(archive: Archive, path: Path) -> Path:
    """The 通报: ranking of units by completion, and every open cell, problem and missing indicator."""
    plan = archive.project.plan
    rows = ranking(archive)
    idle = [name for name in plan.units if name not in {r.unit for r in rows}]

    def fill(book: _Book) -> None:
        book.notes("说明", [
            ("", f"{plan.city}国家卫生城市复审 佐证材料完成情况通报"),
            ("数据截至", plan.today),
            ("排名方法", "街道、乡镇之间比，市直部门之间比；按完成率（已交 ÷ 应交，不适用的不计入）从高到低，"
                         f"完成率相同的名次相同（如 1、1、3），已交多的列前；应交不足 {plan.min_ranked_cells} 份的列在组末，不排名。"),
            ("参与排名", f"{sum(r.rank is not None for r in rows)} 个单位"),
            ("无应交材料", "、".join(idle) or "无"),
        ])
        book.table("通报排名", RANK_COLUMNS,
                   [[r.group, "不排名" if r.rank is None else r.rank, r.unit, r.required, r.collected, r.missing, r.overdue, r.review, r.percent]
                    for r in rows],
                   {"单位": 20}, percent=("完成率",))
        book.table("缺失逾期明细", (CELL_COLUMNS[0], "单位", *CELL_COLUMNS[1:]),
                   cell_rows(archive, open_cells(archive, None)), CELL_WIDTHS)
        all_problem_files = sorted((f for f in archive.files if f.problems), key=lambda f: f.path)
        book.table("问题文件", (PROBLEM_COLUMNS[0], "单位", *PROBLEM_COLUMNS[1:]),
                   problem_rows(all_problem_files, with_unit=True), PROBLEM_WIDTHS)
        book.table("无法归属的问题文件", PROBLEM_COLUMNS, problem_rows(unattributed_problem_files(archive)),
                   PROBLEM_WIDTHS)
        book.table("待补指标", (INDICATOR_COLUMNS[0], "单位", *INDICATOR_COLUMNS[1:]),
                   indicator_rows(archive, missing_indicators(archive, None), with_unit=True), INDICATOR_WIDTHS)

    return _atomic_book(path, fill)


def units_to_chase(archive: Archive) -> list[str]:
    """Units with anything open: cells, problem files or indicators without values (plan order)."""
    return [
        name for name in archive.project.plan.units
        if open_cells(archive, name) or problem_files(archive, name) or missing_indicators(archive, name)
    ]


def write_worklists(archive: Archive, out_dir: Path, *, unit: str | None = None) -> list[Path]:
    """One 催报单 per unit with something open (or just ``unit``), plus the summary when all are written."""
    written = []
    names = [unit] if unit else units_to_chase(archive)
    for name in names:
        written.append(write_unit_workbook(archive, name, out_dir / unit_workbook_name(name)))
    if unit is None:
        written.append(write_summary_workbook(archive, out_dir / SUMMARY_NAME))
    return written
