"""The full 问题文件清单 (XLSX) that the capped /problems/ page points to: every problem, nothing left out.

Four sheets: 问题文件 (every problem of every evidence file, with its unit), 标准与方案 (the project's
diagnostics), 指标数值表 (the indicator tables' problems) and 问题台账 (the findings table's problems, each
at its table file and row). Every text is written as a string, never a
formula or a link (a file name ``=HYPERLINK(…)`` stays text), and the workbook is written beside its target
and renamed into place, so a reader never sees half of one. ``constant_memory``: rows go straight to disk,
so 200,000 problems cost little memory. The list of the last build is kept when nothing it is made from
changed (handbook.outputs.reuse: 1.4 s of a no-change build at N = 10,000).

Nothing here imports MkDocs: the plugin calls ``write_problem_list(archive, folder)`` and publishes the
result at ``handbook.render.problems.PROBLEM_LIST_URI`` (and passes that uri to ``render_site``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from handbook.util.atomic import write_via_path
from handbook.model import Archive, Problem, Level
from handbook.outputs.reuse import Stamp, archive_key
from handbook.outputs.worklist import PROBLEM_COLUMNS, WORKBOOK_OPTIONS, problem_rows
from handbook.render.problems import PROBLEM_LIST_URI

LIST_NAME = PROBLEM_LIST_URI.rsplit("/", 1)[-1]
FILE_COLUMNS = ("序号", "单位", *PROBLEM_COLUMNS[1:])
DIAGNOSTIC_COLUMNS = ("序号", "位置", "级别", "问题", "改法", "问题代码")
WIDTHS = {"单位": 16, "文件": 60, "位置": 50, "问题": 50, "改法": 50, "问题代码": 18}


def diagnostic_rows(diagnostics: Iterable[Problem]) -> list[list[Any]]:
    """Errors first, then in the order found; numbered after sorting."""
    ordered = sorted(diagnostics, key=lambda d: d.level is not Level.ERROR)
    return [[n, str(d.place or ""), d.level.value, d.message, d.fix, d.code] for n, d in enumerate(ordered, start=1)]


def write_problem_list(archive: Archive, out_dir: Path, *, reuse_unchanged: bool = True) -> Path:
    """``out_dir/问题文件清单.xlsx``, written atomically unless the last build's is still right; its path."""
    if not reuse_unchanged:
        return _write_problem_list(archive, out_dir)
    return Stamp(Path(out_dir), ".problem-list").reuse_or_write(
        archive_key(archive, str(out_dir)), lambda: _write_problem_list(archive, out_dir), lambda path: [path])


def _write_problem_list(archive: Archive, out_dir: Path) -> Path:
    files = sorted(archive.problem_files, key=lambda f: f.path)
    sheets = (
        ("问题文件", FILE_COLUMNS, problem_rows(files, with_unit=True)),
        ("标准与方案", DIAGNOSTIC_COLUMNS, diagnostic_rows(archive.project.diagnostics)),
        ("指标数值表", DIAGNOSTIC_COLUMNS, diagnostic_rows(archive.indicator_problems)),
        ("问题台账", DIAGNOSTIC_COLUMNS, diagnostic_rows(archive.finding_problems)),
    )
    return _atomic_workbook(Path(out_dir) / LIST_NAME, sheets)


def _atomic_workbook(path: Path, sheets: Sequence[tuple[str, Sequence[str], list[list[Any]]]]) -> Path:
    def fill(temp: Path) -> None:
        book = xlsxwriter.Workbook(str(temp), {**WORKBOOK_OPTIONS, "constant_memory": True})
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        text = book.add_format({"text_wrap": True, "valign": "top"})
        for name, columns, rows in sheets:
            _sheet(book.add_worksheet(name), columns, rows, head, text)
        book.close()

    return write_via_path(path, fill)  # 0644: the web server must read it


def _sheet(sheet, columns: Sequence[str], rows: list[list[Any]], head, text) -> None:
    for c, column in enumerate(columns):
        sheet.set_column(c, c, WIDTHS.get(column, 8))
        sheet.write_string(0, c, column, head)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value or ""), text)  # never a formula, never a link
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(columns) - 1)
