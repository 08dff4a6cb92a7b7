"""The table reading the indicator values table and the findings table share (handbook.scan.tables)."""

from __future__ import annotations

from pathlib import Path

from handbook.scan.tables import Columns, data_rows, filled_rows, read_sheets

COLUMNS = Columns({"编号": ("编号", "序号"), "地点": ("地点", "位置"), "备注": ("备注",)}, ("编号", "地点"))


def test_a_gbk_csv_with_a_title_row_maps_aliases_and_keeps_row_numbers(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes("登封市问题台账,,\n序号 ,位置,备注\n1,书院河路,\n,,\n２,少林大道,有照片\n".encode("gbk"))
    [(name, table, notes)], failure = read_sheets(path, "evidence/t.csv", too_large_fix="删行")
    assert (name, notes, failure) == ("evidence/t.csv", [], None)
    filled = filled_rows(table)
    assert filled == [0, 1, 2, 4]
    header_at = COLUMNS.header_row(table, filled)
    assert header_at == 1  # the title row above is skipped
    positions = COLUMNS.positions(table[header_at])
    assert positions == {"编号": 0, "地点": 1, "备注": 2}
    assert list(data_rows(table, header_at, positions)) == [
        (2, {"编号": "1", "地点": "书院河路", "备注": ""}),
        (4, {"编号": "２", "地点": "少林大道", "备注": "有照片"}),  # row 5 as people see it; nothing coerced
    ]


def test_missing_required_columns_are_named():
    assert COLUMNS.missing(["编号", "备注"]) == ["地点"]
    assert COLUMNS.header_row([["编号", "备注"]], [0]) is None


def test_a_damaged_workbook_is_one_error_not_a_traceback(tmp_path: Path):
    path = tmp_path / "findings.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    sheets, failure = read_sheets(path, "evidence/findings/findings.xlsx", too_large_fix="删行")
    assert sheets == []
    assert failure.where.file == "evidence/findings/findings.xlsx" and failure.code == "unreadable-table"
    assert failure.level.name == "ERROR" and failure.fix


def test_an_unknown_format_says_how_to_save_it(tmp_path: Path):
    path = tmp_path / "values.ods"
    path.write_bytes(b"")
    sheets, failure = read_sheets(path, "evidence/indicators/values.ods", too_large_fix="删行")
    assert (sheets, failure.problem, failure.fix) == ([], "不支持的表格格式“.ods”", "请另存为 .xlsx 或 .csv")
