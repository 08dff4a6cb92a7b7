"""The indexes: 总目录 (part 2), 缺失资料清单 (part 3), 数据评价指标 (part 2), SHA256SUMS and text files.

The 总目录 lists what the reviewers received: a row per document of 分项佐证 (with how it was made when it
is not the file as submitted), a sheet for the upload slots, and a sheet naming every folder whose title was
shortened to keep paths short, with the full title.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path

from handbook.model import Archive, Kind, Status
from handbook.outputs.package.review import ReviewSet
from handbook.outputs.package.slots import SlotResult
from handbook.model import material_key
from handbook.outputs.package.volumes import RESTRICTED_MARK
from handbook.outputs.package.workbooks import (
    header_text,
    item_label,
    material_label,
    styles_for,
    table,
    workbook,
)
from handbook.outputs.package.layout import years_label

log = logging.getLogger(__name__)

CATALOG_COLUMNS = ("序号", "项", "资料", "年度", "单位", "标题", "文号", "页数", "大小", "SHA-256", "包内路径", "说明")
MISSING_COLUMNS = ("责任单位", "项", "资料编号", "资料名称", "年度", "状态", "截止日期", "逾期天数", "完成要求")


# --------------------------------------------------------------------------- 总目录


def write_catalog(path: Path, archive: Archive, review: ReviewSet, slots: list[SlotResult],
                  created: dt.datetime) -> None:
    book = workbook(path, f"{archive.project.plan.city}评审资料总目录", created)
    styles = styles_for(book)
    sheet = book.add_worksheet("总目录")
    rows = (
        (
            d.seq,
            item_label(archive, d.file.item),
            material_label(archive, d.material.id if d.material else d.file.material),
            years_label(d.years),
            d.unit,
            d.title,
            d.file.sidecar.doc_number if len(d.sources) == 1 and d.file.sidecar else "",
            d.pages,
            d.zip_entry.size,
            d.zip_entry.sha256,
            d.relpath,
            "；".join(x for x in (d.how, RESTRICTED_MARK if d.restricted else "") if x),
        )
        for d in review.docs
    )
    # Widths fit A4 landscape at about 70 % (fit to width); wrapped columns grow the row instead of hiding text.
    table(sheet, styles, CATALOG_COLUMNS, rows, (5, 16, 18, 9, 11, 30, 14, 5, 10, 16, 44, 26),
          wrap=("项", "资料", "年度", "单位", "标题", "文号", "包内路径", "说明"), digest=("SHA-256",))
    sheet.set_header(header_text(f"{archive.project.plan.city} 评审资料总目录"))
    sheet.set_footer("&C第 &P 页，共 &N 页")

    slot_sheet = book.add_worksheet("上传资料")
    slot_rows = (
        (s.position, s.title, s.status_text, "、".join(s.materials) or "（清单中没有资料对应此栏目）",
         len(s.documents), s.pages or None, s.size or None, "\n".join(f.package_path for f in s.files))
        for s in slots
    )
    table(slot_sheet, styles, ("序号", "栏目", "状态", "对应资料", "文档数", "页数", "大小", "上传文件"),
          slot_rows, (6, 24, 30, 18, 7, 7, 11, 50), wrap=("栏目", "状态", "对应资料", "上传文件"))

    folder_sheet = book.add_worksheet("文件夹名")
    folder_rows = ((folder, full, "已缩短（只在词与词之间截断）") for folder, full in sorted(review.shortened.items()))
    table(folder_sheet, styles, ("文件夹", "完整名称", "说明"), folder_rows, (50, 60, 26), wrap=("文件夹", "完整名称"))
    book.close()


# --------------------------------------------------------------------------- 缺失资料清单


def missing_cells(archive: Archive) -> list:
    return [c for c in archive.cells if c.status in (Status.MISSING, Status.OVERDUE)]


def write_missing(path: Path, archive: Archive, created: dt.datetime) -> int:
    """Missing and overdue cells, grouped by the unit answerable for them. Returns the number of rows."""
    plan = archive.project.plan
    order = {name: n for n, name in enumerate(plan.units)}
    cells = missing_cells(archive)

    def unit_of(cell) -> str:
        return cell.owner or "未指定单位"  # the one owner every view counts the cell for

    cells.sort(key=lambda c: (order.get(unit_of(c), len(order)), unit_of(c), c.deadline or dt.date.max,
                              c.item, material_key(c.material), c.year or 0))
    book = workbook(path, f"{plan.city}缺失资料清单", created)
    styles = styles_for(book)
    sheet = book.add_worksheet("缺失资料清单")
    standard = archive.project.standard
    rows = []
    for cell in cells:
        material = standard.material(cell.material)
        overdue = (plan.today - cell.deadline).days if cell.status is Status.OVERDUE and cell.deadline else None
        rows.append((
            unit_of(cell),
            item_label(archive, cell.item),
            cell.material,
            material.title if material else "",
            str(cell.year) if cell.year else "",
            cell.status.value,
            cell.deadline,  # a real date: sorts and filters in Excel
            overdue,
            material.complete_when if material else cell.reason,
        ))
    count = table(sheet, styles, MISSING_COLUMNS, rows, (16, 20, 9, 28, 7, 7, 11, 8, 50),
                   wrap=("责任单位", "项", "完成要求", "资料名称"))
    sheet.set_header(header_text(f"{plan.city} 缺失资料清单（截至 {plan.today.isoformat()}）"))
    sheet.set_footer("&C第 &P 页，共 &N 页")

    summary = book.add_worksheet("按单位汇总")
    totals: dict[str, list] = {}
    for cell in cells:
        entry = totals.setdefault(unit_of(cell), [0, 0, None])
        entry[0 if cell.status is Status.MISSING else 1] += 1
        if cell.deadline and (entry[2] is None or cell.deadline < entry[2]):
            entry[2] = cell.deadline
    summary_rows = [(u, m, o, m + o, d) for u, (m, o, d) in totals.items()]
    table(summary, styles, ("责任单位", "缺失", "逾期", "合计", "最早截止日期"), summary_rows, (20, 8, 8, 8, 14),
           landscape=False)
    book.close()
    return count


# --------------------------------------------------------------------------- 数据评价指标


def write_indicators(path: Path, archive: Archive, created: dt.datetime) -> bool:
    """The indicator workbook; False (nothing written) when no indicator results exist yet."""
    results = archive.indicators
    if not results:
        return False
    plan, standard = archive.project.plan, archive.project.standard
    years = sorted({y for r in results.values() for y in r.years})
    columns = ("序号", "指标", "目标值", *[f"{y}年" for y in years], "判定", "理由", "责任单位", "计量单位", "数据来源")
    rows = []
    for number in sorted(results):
        result = results[number]
        indicator = standard.indicators.get(number)
        name = getattr(result, "name", "") or (indicator.name if indicator else str(number))
        if not getattr(result, "name", "") and indicator and plan.kind is Kind.COUNTY and indicator.county.name:
            name = indicator.county.name
        values = []
        for year in years:
            value = result.values.get(year)
            if value is None:
                values.append("")
                continue
            text = _indicator_text(value, result.rule.unit)
            if value.plan_value is not None:
                text += f"（规划值 {value.plan_value:g}）"
            values.append(text)
        sources = list(dict.fromkeys(v.source for v in result.values.values() if v.source))
        reporters = list(dict.fromkeys(v.reporter for v in result.values.values() if v.reporter))
        rows.append((
            number, name, result.target, *values,
            result.verdict.value if result.applies else "不适用",
            result.reason,
            result.owner or "、".join(reporters),
            result.rule.unit,
            "；".join(sources),
        ))
    book = workbook(path, f"{plan.city}数据评价指标", created)
    styles = styles_for(book)
    sheet = book.add_worksheet("数据评价指标")
    widths = (6, 28, 18, *[10] * len(years), 8, 40, 14, 8, 30)
    table(sheet, styles, columns, rows, widths, wrap=("指标", "理由", "数据来源", "目标值"))
    sheet.set_header(header_text(f"{plan.city} 数据评价指标（{plan.review_year}年复审）"))
    sheet.set_footer("&C第 &P 页，共 &N 页")
    book.close()
    return True


def _indicator_text(value, unit: str) -> str:
    """The parsed value with its unit (so "９３．１％" shows as "93.1%"); the raw text when it did not parse."""
    if isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return f"{value.value:g}{value.unit or unit}"
    if value.value not in (None, ""):
        return str(value.value)
    return value.raw


# --------------------------------------------------------------------------- README and SHA256SUMS


def sha256sums(lines: Iterable[tuple[str, str]]) -> str:
    """``sha256sum -c`` format: "<hash>  <path>" per line, sorted by path."""
    return "".join(f"{digest}  {relpath}\n" for relpath, digest in sorted(lines))


def write_text(path: Path, text: str, *, windows: bool = False) -> None:
    """README for Windows Notepad: UTF-8 with BOM and CRLF; other text plain UTF-8 with LF."""
    data = text.replace("\n", "\r\n").encode("utf-8-sig") if windows else text.encode("utf-8")
    path.write_bytes(data)
