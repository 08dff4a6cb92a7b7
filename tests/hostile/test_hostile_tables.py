"""Hostile indicator tables (issue 17, defects 4 and 6, and the weak spots of the XLSX)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from conftest import assert_bounded, run_handbook, tree_digest

from handbook.scan.indicator_table import read_table
from handbook.scan.xlsx_guard import formula_value

SHOWN = "evidence/indicators/values.xlsx"
HEADER = ["指标", "年份", "数值", "规划值", "填报单位", "来源"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')


def raw_xlsx(path: Path, sheet_data: str) -> Path:
    """A minimal workbook whose one sheet's <sheetData> is ``sheet_data``, deflated (bombs stay small)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{sheet_data}</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def problems(path: Path) -> list[tuple[str, str, str]]:
    _, diagnostics = read_table(path, SHOWN)
    return [(str(d.where), d.problem, d.code) for d in diagnostics]


def test_uncompressed_size_is_checked_before_parsing(tmp_path):
    path = raw_xlsx(tmp_path / "values.xlsx", '<row r="1"/>' * 1_000_000)  # 12 MB of rows in ~30 KB
    assert path.stat().st_size < 100_000
    assert problems(path) == [(SHOWN, "XLSX 中的 xl/worksheets/sheet1.xml 解压后有 11.4 MB，超过上限 10.0 MB"
                                      f"（文件本身 {zipfile.ZipFile(path).getinfo('xl/worksheets/sheet1.xml').compress_size / 1024 / 1024:.1f} MB）",
                               "unreadable-table")]


def test_too_many_rows_too_many_columns_and_a_huge_cell(tmp_path):
    rows = raw_xlsx(tmp_path / "a.xlsx", "".join(f'<row r="{i}"/>' for i in range(1, 20_002)))
    assert problems(rows) == [(SHOWN, f"{SHOWN} 工作表「Sheet1」超过 20,000 行（上限）", "unreadable-table")]
    wide = raw_xlsx(tmp_path / "b.xlsx", '<row r="1"><c r="KZ1" t="inlineStr"><is><t>x</t></is></c></row>')
    assert problems(wide) == [(SHOWN, f"{SHOWN} 工作表「Sheet1」在第 312 列（KZ）还有内容，超过上限 200 列",
                               "unreadable-table")]
    cell = raw_xlsx(tmp_path / "c.xlsx", f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"长" * 20_000}</t></is></c></row>')
    assert problems(cell) == [(SHOWN, f"{SHOWN} 工作表「Sheet1」的单元格 A1 有 20,000 个字符，超过上限 10,000",
                               "unreadable-table")]


def test_not_a_workbook_is_said_in_chinese(tmp_path):
    path = tmp_path / "values.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert problems(path) == [(SHOWN, "XLSX 无法打开：文件已损坏或不是 Excel 工作簿（BadZipFile）", "unreadable-table")]


def _workbook(path: Path, build) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    build(workbook)
    workbook.save(path)
    return path


def test_formula_without_cached_value_is_reported_by_row_with_the_value(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(HEADER)
        sheet.append([2, 2025, "=90+3.1", None, "市统计局", None])  # openpyxl, like scripts, stores no result
        sheet.append([3, 2025, "=SUM(B2:B3)", None, "市统计局", None])

    path = _workbook(tmp_path / "values.xlsx", build)
    _, diagnostics = read_table(path, SHOWN)
    assert [(str(d.where), d.problem, d.fix, d.code) for d in diagnostics] == [
        (f"{SHOWN}:2", "C2 是公式“=90+3.1”，但文件里没有保存计算结果，读不到数值",
         "在该格直接填写数值（按公式应为 93.1）；或用 Excel / WPS 打开后保存一次，让它算出结果", "formula-without-value"),
        (f"{SHOWN}:3", "C3 是公式“=SUM(B2:B3)”，但文件里没有保存计算结果，读不到数值",
         "在该格直接填写数值；或用 Excel / WPS 打开后保存一次，让它算出结果", "formula-without-value"),
    ]
    assert formula_value("(1+2)*3/2") == 4.5 and formula_value("9**9**9") is None and formula_value("A1+1") is None


def test_merged_cells_are_named_not_a_hundred_empty_ids(tmp_path):
    def build(workbook):
        sheet = workbook.active
        sheet.append(HEADER)
        for year in (2023, 2024, 2025):
            sheet.append([2 if year == 2023 else None, year, "92%", None, "市统计局", None])
        sheet.merge_cells("A2:A4")

    rows, diagnostics = read_table(_workbook(tmp_path / "values.xlsx", build), SHOWN)
    assert [(str(d.where), d.problem, d.code) for d in diagnostics] == [
        (f"{SHOWN}:2", "A2:A4 是合并单元格：每一行都按合并格里的值读取", "merged-cells")]
    assert [r.get("指标") for r in rows] == ["2", "2", "2"]


def test_hidden_sheet_is_said(tmp_path):
    def build(workbook):
        workbook.active.append(HEADER)
        workbook.active.append([2, 2025, "92%", None, "市统计局", None])
        hidden = workbook.create_sheet("旧数据")
        hidden.append(HEADER)
        hidden.append([3, 2025, "50%", None, "市统计局", None])
        hidden.sheet_state = "hidden"

    rows, diagnostics = read_table(_workbook(tmp_path / "values.xlsx", build), SHOWN)
    assert [(str(d.where), d.problem, d.code) for d in diagnostics] == [
        (f"{SHOWN} 工作表「旧数据」", "工作表「旧数据」是隐藏的，其中的数据也已读取", "hidden-sheet")]
    assert len(rows) == 2  # read, and said


def test_bomb_in_the_demo_check_and_export_finish(demo):
    folder = demo / "evidence" / "indicators"
    (folder / "values.csv").unlink()
    raw_xlsx(folder / "values.xlsx", '<row r="1"/>' * 1_000_000)
    before = tree_digest(demo / "evidence")
    run = run_handbook(demo, "export", "--out", str(demo.parent / "handbook.json"))
    assert_bounded(run)
    assert "超过上限 10.0 MB" in (demo.parent / "handbook.json").read_text(encoding="utf-8") + run.text
    assert tree_digest(demo / "evidence") == before
