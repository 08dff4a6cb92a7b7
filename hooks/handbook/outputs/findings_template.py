"""The blank findings table (问题台账) the office fills in: ``python -m handbook template --findings``.

One sheet with the header row the reader expects (scan/findings_table.COLUMNS), a drop-down for 来源, and
a 填写说明 sheet. Read back with no row it means "no finding yet"; filled in, it reads with no warning.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from handbook.util.atomic import write_via_path
from handbook.model import FINDING_SOURCES, Project
from handbook.outputs.worklist import WORKBOOK_OPTIONS
from handbook.scan.findings_table import COLUMNS, FOLDER, NOTES_SHEET, PHOTOS

SHEET = "问题台账"
HEADER = [("销号人/确认人" if column == "销号人" else column) for column in COLUMNS]
WIDTHS = {"编号": 14, "日期": 12, "来源": 10, "检查组": 14, "地点": 28, "坐标": 18, "条目": 6, "问题描述": 40,
          "整改前照片": 24, "属地单位": 12, "行业单位": 14, "整改期限": 12, "整改日期": 12, "整改后照片": 24,
          "销号人/确认人": 12, "不公开": 8}
ROWS_PREPARED = 500  # rows given the drop-downs and date format


def notes(project: Project) -> list[tuple[str, str]]:
    streets = [u.name for u in project.plan.units.values() if u.kind == "街道"]
    return [
        ("编号", "每个问题一个唯一编号，如 DF-2026-031；反弹的问题另起一行、另编号"),
        ("日期", "发现问题的日期，写 2026-10-12"),
        ("来源", "、".join(FINDING_SOURCES) + " 之一"),
        ("地点", "具体地点（同一地点每次写法相同，才能判断是否反弹）；坐标可选，写 经度,纬度"),
        ("条目", f"违反的标准条目编号 1–{max(project.standard.items) if project.standard.items else 45}"),
        ("属地单位", "问题所在街道：" + "、".join(streets) if streets else "问题所在街道"),
        ("行业单位", "该领域的主管部门；不填时按该条目的牵头单位"),
        ("照片", f"照片放在 evidence/{FOLDER}/{PHOTOS}/，这里写文件名，多张用顿号或分号隔开"),
        ("整改", "整改完成后填整改日期和整改后照片；复查确认后填销号人，问题即销号"),
        ("不公开", "照片拍到人脸、车牌等个人信息时填“是”：网站只列出，不展示照片"),
    ]


def write_findings_template(project: Project, path: Path) -> Path:
    """Write the template atomically (temp file beside ``path``, then rename)."""
    return write_via_path(path, lambda temp: _fill(xlsxwriter.Workbook(str(temp), WORKBOOK_OPTIONS), project))


def _fill(book, project: Project) -> None:
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(SHEET)
    for c, column in enumerate(HEADER):
        sheet.write_string(0, c, column, head)
        sheet.set_column(c, c, WIDTHS.get(column, 12), date if column in ("日期", "整改期限", "整改日期") else None)
    source_col = HEADER.index("来源")
    sheet.data_validation(1, source_col, ROWS_PREPARED, source_col,
                          {"validate": "list", "source": list(FINDING_SOURCES), "error_type": "warning"})
    sheet.freeze_panes(1, 0)
    info = book.add_worksheet(NOTES_SHEET)
    info.set_column(0, 0, 12)
    info.set_column(1, 1, 90, text)
    for r, (label, value) in enumerate(notes(project)):
        info.write_string(r, 0, label, head)
        info.write_string(r, 1, value, text)
    book.close()
