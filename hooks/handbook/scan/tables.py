"""Reading a table people keep in Excel (CSV or XLSX) as text: what the indicator values table and the
findings table (问题台账) share.

Every cell is read as the person sees it (nothing coerced by a library): UTF-8 or GBK CSV as Excel on Chinese
Windows saves it, every XLSX sheet from spreadsheet row 1 whatever its stored dimension says. The header is
mapped to canonical columns through the aliases people write; the rows keep their spreadsheet row numbers
(the header is row 1) for the messages. What each table then checks in its rows is its own.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from handbook.model import Problem, Where
from handbook.problems import error
from handbook.scan.xlsx_guard import SheetFacts, TableLimit, fill_merged, inspect_workbook, sheet_diagnostics

log = logging.getLogger(__name__)

MAX_CSV_BYTES = 20 * 1024 * 1024  # ~300 rows are a few KB; 20 MB is 400,000 rows
RESAVE_CSV = "请用 Excel 打开后另存为“CSV UTF-8”或 .xlsx"
HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header

Sheet = tuple[str, list[list[str]], list[Problem]]  # (name shown in messages, rows of text, the reader's notes)


def normalize_text(raw: object) -> str:
    """Full-width to half-width (NFKC), no spaces: "９２．５ ％" → "92.5%"."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return re.sub(r"\s+", "", text)


def parse_int(raw: object) -> int | None:
    """"2023", "２０２３", "2023.0" (Excel), "2023年" → 2023; anything else → None."""
    text = normalize_text(raw).removesuffix("年")
    text = re.sub(r"\.0+$", "", text)
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


class TableError(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.fix = fix


def read_sheets(path: Path, shown_as: str, *, too_large_fix: str) -> tuple[list[Sheet], Problem | None]:
    """Every sheet of a CSV (one) or XLSX table, or the one error that kept it from being read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return [(shown_as, read_csv(path, too_large_fix=too_large_fix), [])], None
        if suffix in (".xlsx", ".xlsm"):
            return list(read_xlsx(path, shown_as)), None
    except (TableError, TableLimit) as exc:
        return [], error(Where(shown_as), str(exc), exc.fix, "unreadable-table")
    return [], error(Where(shown_as), f"不支持的表格格式“{path.suffix}”", "请另存为 .xlsx 或 .csv", "bad-table")


def read_csv(path: Path, *, too_large_fix: str) -> list[list[str]]:
    """CSV as text rows: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's “Unicode 文本”, tab-separated),
    else GBK/GB18030 as Excel on Chinese Windows saves it.

    The stdlib reader, not pandas: a row with one comma too many must not make the whole table unreadable
    (the table's reader reports it on its own), and every record is one row as Excel shows it.
    """
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise TableError(f"CSV 有 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_CSV_BYTES // 1024 // 1024} MB", too_large_fix)
    data = path.read_bytes()  # a table is small (checked above); evidence files are never read this way
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return _utf16_rows(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        log.debug("read %s as %s", path, encoding)
        try:
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:
            raise TableError(f"CSV 无法解析：{exc}", RESAVE_CSV) from exc
    raise TableError("CSV 文件编码无法识别（不是 UTF-8、UTF-16 或 GBK）", RESAVE_CSV)


def _utf16_rows(data: bytes) -> list[list[str]]:
    """Excel's 另存为“Unicode 文本”: UTF-16 with a byte-order mark, tab-separated (comma-separated also read)."""
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise TableError("CSV 是 UTF-16 编码但内容不完整", RESAVE_CSV) from exc
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TableError(f"CSV 无法解析：{exc}", RESAVE_CSV) from exc


def read_xlsx(path: Path, shown_as: str) -> Iterator[Sheet]:
    """Each sheet as text rows, starting at spreadsheet row 1 whatever the sheet's stored dimension says,
    with what the person must hear about it (hidden, merged cells, formulas without a value).

    ``inspect_workbook`` first: it raises TableLimit before openpyxl loads anything big."""
    from openpyxl import load_workbook

    facts = inspect_workbook(path, shown_as)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise TableError(f"XLSX 无法打开：{exc}", "请确认文件是 Excel 工作簿（.xlsx），必要时用 Excel 重新保存") from exc
    try:
        sheets = workbook.worksheets
        for sheet in sheets:
            sheet.reset_dimensions()  # some writers store a wrong dimension; read every row from 1
            rows = [[cell_text(cell) for cell in row] for row in sheet.iter_rows(min_row=1, min_col=1)]
            name = shown_as if len(sheets) == 1 else f"{shown_as} 工作表「{sheet.title}」"
            fact = facts.get(sheet.title, SheetFacts(sheet.title))
            fill_merged(rows, fact.merged)
            yield name, rows, sheet_diagnostics(fact, name)
    finally:
        workbook.close()


def cell_text(cell) -> str:
    """A cell as the person sees it: a number formatted as percent in Excel is stored 0.925 but means 92.5%."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    if isinstance(value, (int, float)):
        if "%" in (getattr(cell, "number_format", "") or ""):
            return number_text(value * 100) + "%"
        return number_text(value)
    return str(value)


def number_text(number: float) -> str:
    """Without float noise (0.925*100 → "92.5") and without an exponent."""
    if float(number).is_integer():
        return str(int(number))
    return f"{round(number, 10):.10f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- the header and the rows


class Columns:
    """A table's canonical columns, the headers people write for each, and the ones it cannot do without."""

    def __init__(self, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> None:
        self.required = required
        self._index = {normalize_text(alias): column for column, names in aliases.items() for alias in names}

    def positions(self, header: list[str]) -> dict[str, int]:
        """Canonical column → its index in ``header`` (the first, when a column is written twice)."""
        positions: dict[str, int] = {}
        for index, title in enumerate(header):
            column = self._index.get(normalize_text(title))
            if column and column not in positions:
                positions[column] = index
        return positions

    def missing(self, header: list[str]) -> list[str]:
        positions = self.positions(header)
        return [c for c in self.required if c not in positions]

    def header_row(self, table: list[list[str]], filled: list[int]) -> int | None:
        """The first of the first filled rows naming every required column; None when none does."""
        return next((i for i in filled[:HEADER_SEARCH_ROWS] if not self.missing(table[i])), None)


def filled_rows(table: list[list[str]]) -> list[int]:
    """The indexes of the rows with any text."""
    return [i for i, row in enumerate(table) if any(c.strip() for c in row)]


def data_rows(table: list[list[str]], header_at: int, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row index, cells by canonical column, stripped) for every row below the header with any text in them."""
    for index in range(header_at + 1, len(table)):
        row = table[index]
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in positions.items()}
        if any(v.strip() for v in cells.values()):
            yield index, cells
