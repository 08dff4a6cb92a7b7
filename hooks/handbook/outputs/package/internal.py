"""Part 3, 内部清单: the office's own workbook — never inside the zip of part 1 or part 2.

Sheets: 上传栏目 (each slot's state and what it lacks), 未放入的文件 (every file left out of part 1 or 2, why,
and the fix), 问题文件 (every problem the scan found, with its fix), 受限文件, 转换的原件 (each Word, Excel or
PowerPoint original and the PDF the reviewers got instead), 转换失败 (file, reason, fix). The 缺失资料清单 is a
workbook of its own beside it (indexes.write_missing).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from handbook.model import Archive, format_problem
from handbook.outputs.package.result import Conversion
from handbook.outputs.package.review import ReviewSet
from handbook.outputs.package.slots import SlotResult
from handbook.outputs.package.workbooks import header_text, item_label, styles_for, table, unit_label, workbook

INTERNAL_LIST = "内部清单.xlsx"
FILE_COLUMN = "文件（evidence/ 下）"


def write_internal(path: Path, archive: Archive, review: ReviewSet, slots: list[SlotResult],
                   conversions: list[Conversion], created: dt.datetime) -> None:
    plan = archive.project.plan
    book = workbook(path, f"{plan.city}资料评估内部清单", created)
    styles = styles_for(book)
    _slot_sheet(book, styles, archive, slots)
    _left_out_sheet(book, styles, archive, review, slots)
    _problem_sheet(book, styles, archive)
    _restricted_sheet(book, styles, archive)
    _conversion_sheets(book, styles, conversions)
    book.close()


def _slot_sheet(book, styles, archive: Archive, slots: list[SlotResult]) -> None:
    plan = archive.project.plan
    sheet = book.add_worksheet("上传栏目")
    rows = []
    for s in slots:
        notes = [format_problem(p) for p in s.problems]
        if s.restricted:
            notes.append(f"{len(s.restricted)} 个受限文件未放入（上传系统不收含个人信息的文件）")
        if s.review_year:
            notes.append(f"推荐报告、工作汇报类资料只收 {s.review_year} 年的文件")
        notes += [f"{f.package_path} 超过 {plan.max_file_mb} MB 且只有一个文件，无法再拆分 — 请压缩该文件"
                  for f in s.over_limit]
        files = "\n".join(f.package_path.rsplit("/", 1)[-1] for f in s.files)
        rows.append((s.position, s.title, s.status_text, "、".join(s.lacks), files, "；".join(notes)))
    table(sheet, styles, ("序号", "栏目", "状态", "缺少的资料", "上传文件", "说明"), rows, (6, 24, 30, 40, 30, 60),
          wrap=("栏目", "状态", "缺少的资料", "上传文件", "说明"))
    sheet.set_header(header_text(f"{plan.city} 上传栏目（内部）"))


def _left_out_sheet(book, styles, archive: Archive, review: ReviewSet, slots: list[SlotResult]) -> None:
    by_path = {f.path: f for f in archive.files}
    rows = [(e.file.path, item_label(archive, e.file.item), unit_label(e.file), e.part, e.reason, e.fix)
            for e in review.left_out]
    for s in slots:  # clean files that still could not join a slot (e.g. a PDF pypdf cannot merge)
        for p in s.problems:
            path = p.place.file if p.place else ""
            file = by_path.get(path)
            rows.append((path, item_label(archive, file.item) if file else "",
                         unit_label(file) if file else "", f"上传资料《{s.title}》", p.message, p.fix))
    numbered = [(n, *row) for n, row in enumerate(rows, 1)]
    sheet = book.add_worksheet("未放入的文件")
    table(sheet, styles, ("序号", FILE_COLUMN, "项", "单位", "未放入", "原因", "怎么改"), numbered,
          (5, 50, 18, 12, 16, 50, 40), wrap=(FILE_COLUMN, "项", "原因", "怎么改", "未放入"))


def _problem_sheet(book, styles, archive: Archive) -> None:
    rows = [(f.path, unit_label(f), p.level.value, format_problem(p, beside=f.path, fix=False), p.fix or "")
            for f in archive.files for p in f.problems]
    sheet = book.add_worksheet("问题文件")
    table(sheet, styles, (FILE_COLUMN, "单位", "级别", "问题", "怎么改"), rows, (50, 12, 8, 60, 40),
          wrap=(FILE_COLUMN, "问题", "怎么改"))


def _restricted_sheet(book, styles, archive: Archive) -> None:
    allowed = getattr(archive.project.plan, "restricted_to_reviewers", False)
    shared = "是（已标注“受限”）" if allowed else "否（city.yml 未写 restricted_to_reviewers: true）"
    rows = [(f.path, item_label(archive, f.item), unit_label(f), "否（永不上传）", shared)
            for f in archive.files if f.restricted]
    sheet = book.add_worksheet("受限文件")
    table(sheet, styles, (FILE_COLUMN, "项", "单位", "放入上传资料", "放入评审资料"), rows, (50, 18, 12, 14, 34),
          wrap=(FILE_COLUMN, "项", "放入评审资料"))


def _conversion_sheets(book, styles, conversions: list[Conversion]) -> None:
    original = "原件（evidence/ 下，另存于本包“转换原件”文件夹）"
    done = [(c.evidence_path, c.family, c.pdf) for c in conversions if c.pdf]
    sheet = book.add_worksheet("转换的原件")
    table(sheet, styles, (original, "原格式", "评审资料中的 PDF"), done, (60, 12, 60), wrap=(original, "评审资料中的 PDF"))
    rows = [(c.evidence_path, c.family, c.reason, c.fix) for c in conversions if not c.pdf]
    sheet = book.add_worksheet("转换失败")
    table(sheet, styles, (FILE_COLUMN, "原格式", "原因", "怎么改"), rows, (50, 12, 50, 50),
          wrap=(FILE_COLUMN, "原因", "怎么改"))
