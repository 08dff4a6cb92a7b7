"""What an indicator XLSX holds, learnt before openpyxl parses it: bounded work, and what openpyxl hides.

A committed ``values.xlsx`` is a zip; 718 KB once expanded to 5,000,000 rows, 1.5 MB to one 1.5 GB cell, and
openpyxl loads every shared string before the first row is read. So first the zip's own directory is checked
(``infolist``: uncompressed sizes, no byte inflated), then each sheet's XML is streamed once with expat
(elements cleared as they end, so memory stays flat) to count rows and columns and to find what a read with
``data_only`` would silently lose:

- a formula saved without its cached value (scripts and some tools write ``=90+3.1`` without one): blank;
- merged cells: only the top-left cell has a value, every other row of the range reads as empty;
- hidden sheets: read like the others, though nobody looking at the workbook sees them.
"""

from __future__ import annotations

import ast
import operator
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

# An indicator table is 56 indicators × 5 years: ~300 rows, 6 columns, well under 1 MB unpacked.
MAX_PART_BYTES = 10 * 1024 * 1024  # one part of the zip (a sheet, the shared strings) unpacked
MAX_TOTAL_BYTES = 30 * 1024 * 1024  # all parts unpacked
MAX_PARTS = 500
MAX_ROWS = 20_000  # row elements of one sheet (empty ones count: they cost the same to parse)
MAX_COLUMNS = 200  # the rightmost column holding a value
MAX_CELL_CHARS = 10_000  # text in one cell

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


class TableLimit(Exception):
    """The workbook breaks a limit or cannot be read; ``str()`` is the problem, ``fix`` the fix (Chinese)."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.fix = fix


@dataclass(slots=True)
class Formula:
    row: int
    ref: str  # e.g. "C3"
    text: str  # the formula without "=", "" for a shared formula's dependent cell


@dataclass(slots=True)
class SheetFacts:
    name: str
    hidden: bool = False
    rows: int = 0
    columns: int = 0
    merged: list[str] = field(default_factory=list)  # ranges as written, e.g. "A2:A108"
    formulas: list[Formula] = field(default_factory=list)  # formulas without a cached value


def inspect_workbook(path: Path, shown_as: str) -> dict[str, SheetFacts]:
    """Sheet name → what it holds; raises TableLimit (file and limit named) before anything big is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            _check_sizes(archive.infolist(), shown_as)
            sheets = _sheet_parts(archive)
            facts = {}
            for name, (part, hidden) in sheets.items():
                facts[name] = _scan_sheet(archive, part, SheetFacts(name, hidden), shown_as)
            _check_shared_strings(archive, shown_as)
            return facts
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError) as exc:
        raise TableLimit(f"XLSX 无法打开：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）",
                         "请用 Excel 或 WPS 打开后重新保存为 .xlsx") from exc


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _check_sizes(infos: list[zipfile.ZipInfo], shown_as: str) -> None:
    fix = "指标表只需几百行；请只保留指标、年份、数值等列，删去多余的行、列和工作表后重新保存"
    if len(infos) > MAX_PARTS:
        raise TableLimit(f"XLSX 内含 {len(infos)} 个部件，超过上限 {MAX_PARTS} 个", fix)
    total = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise TableLimit(f"XLSX 中的 {info.filename} 解压后有 {_mb(info.file_size)}，"
                             f"超过上限 {_mb(MAX_PART_BYTES)}（文件本身 {_mb(info.compress_size)}）", fix)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise TableLimit(f"XLSX 解压后共有 {_mb(total)}，超过上限 {_mb(MAX_TOTAL_BYTES)}", fix)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, tuple[str, bool]]:
    """Sheet name → (its part in the zip, hidden), in workbook order, from workbook.xml and its rels."""
    targets = {}
    for _event, rel in iterparse(archive.open("xl/_rels/workbook.xml.rels")):
        if rel.tag == f"{_PKG_REL}Relationship":
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    sheets = {}
    for _event, sheet in iterparse(archive.open("xl/workbook.xml")):
        if sheet.tag == f"{_MAIN}sheet":
            part = targets.get(sheet.get(f"{_REL}id"))
            if part in archive.NameToInfo:
                sheets[sheet.get("name", "")] = (part, sheet.get("state", "visible") != "visible")
    return sheets


def _scan_sheet(archive: zipfile.ZipFile, part: str, facts: SheetFacts, shown_as: str) -> SheetFacts:
    where = f"{shown_as} 工作表「{facts.name}」"
    for _event, element in iterparse(archive.open(part)):
        tag = element.tag
        if tag == f"{_MAIN}row":
            facts.rows += 1
            if facts.rows > MAX_ROWS:
                raise TableLimit(f"{where}超过 {MAX_ROWS:,} 行（上限）",
                                 "删去表格下方多余的行（含只设了格式的空行）后重新保存；指标表只需几百行")
            element.clear()
        elif tag == f"{_MAIN}c":
            _scan_cell(element, facts, where)
        elif tag == f"{_MAIN}mergeCell":
            facts.merged.append(element.get("ref", ""))
        elif tag == f"{_MAIN}sheetData":
            element.clear()
    return facts


def _scan_cell(cell, facts: SheetFacts, where: str) -> None:
    value = cell.find(f"{_MAIN}v")
    inline = cell.find(f"{_MAIN}is")
    formula = cell.find(f"{_MAIN}f")
    text = value.text if value is not None else "".join(inline.itertext()) if inline is not None else None
    match = _REF.match(cell.get("r", ""))
    if text and len(text) > MAX_CELL_CHARS:
        raise TableLimit(f"{where}的单元格 {cell.get('r', '')} 有 {len(text):,} 个字符，超过上限 {MAX_CELL_CHARS:,}",
                         "一个单元格只填一个数值或一句来源说明")
    if match and (text or formula is not None):
        column = _column_number(match.group(1))
        if column > MAX_COLUMNS:
            raise TableLimit(f"{where}在第 {column} 列（{match.group(1)}）还有内容，超过上限 {MAX_COLUMNS} 列",
                             "指标表只需 6 列：指标、年份、数值、规划值、填报单位、来源；删去多余的列")
        facts.columns = max(facts.columns, column)
        if formula is not None and not text:
            facts.formulas.append(Formula(int(match.group(2)), cell.get("r", ""), (formula.text or "").strip()))


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_shared_strings(archive: zipfile.ZipFile, shown_as: str) -> None:
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return
    for _event, element in iterparse(archive.open("xl/sharedStrings.xml")):
        if element.tag == f"{_MAIN}si":
            size = sum(len(t) for t in element.itertext())
            if size > MAX_CELL_CHARS:
                raise TableLimit(f"{shown_as} 中有单元格的文字有 {size:,} 个字符，超过上限 {MAX_CELL_CHARS:,}",
                                 "一个单元格只填一个数值或一句来源说明")
            element.clear()


# --------------------------------------------------------------------------- what a formula would give

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def formula_value(text: str) -> float | None:
    """The value of a formula of plain numbers and + − × ÷ (``90+3.1`` → 93.1), else None (no cell refs)."""
    if not text or len(text) > 200 or not re.fullmatch(r"[\d.+\-*/() ]+", text):
        return None
    try:
        return _evaluate(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, TypeError, RecursionError):
        return None


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise ValueError("not plain arithmetic")


# --------------------------------------------------------------------------- telling the person

def fill_merged(rows: list[list[str]], ranges: list[str]) -> None:
    """Give every cell of a merged range the top-left cell's text, as Excel shows it (in place)."""
    for ref in ranges:
        bounds = _bounds(ref)
        if bounds is None:
            continue
        first_col, first_row, last_col, last_row = bounds
        top = rows[first_row - 1][first_col - 1] if first_row <= len(rows) and first_col <= len(rows[first_row - 1]) else ""
        for r in range(first_row, min(last_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([""] * (last_col - len(row)))
            for c in range(first_col, last_col + 1):
                row[c - 1] = top


def _bounds(ref: str) -> tuple[int, int, int, int] | None:
    start, _, end = ref.partition(":")
    first, last = _REF.match(start), _REF.match(end or start)
    if not first or not last:
        return None
    return (_column_number(first.group(1)), int(first.group(2)), _column_number(last.group(1)), int(last.group(2)))


def sheet_diagnostics(facts: SheetFacts, shown_as: str) -> list:
    """What the person must hear about this sheet: hidden, merged ranges, formulas without a value."""
    from handbook.model import Where
    from handbook.problems import error, warning

    found = []
    if facts.hidden:
        found.append(warning(Where(shown_as), f"工作表「{facts.name}」是隐藏的，其中的数据也已读取",
                             "如这些数据不该计入，请删除该工作表；否则取消隐藏，让大家都能看到", "hidden-sheet"))
    for ref in facts.merged:
        bounds = _bounds(ref)
        line = bounds[1] if bounds else 0
        found.append(warning(Where(shown_as, line), f"{ref} 是合并单元格：每一行都按合并格里的值读取",
                             "请取消合并，在每一行分别填写（合并的格子在排序、筛选和导出时都会丢值）", "merged-cells"))
    for formula in facts.formulas:
        value = formula_value(formula.text)
        shown = f"公式“={formula.text}”" if formula.text else "公式"
        hint = f"（按公式应为 {value:g}）" if value is not None else ""
        found.append(error(Where(shown_as, formula.row), f"{formula.ref} 是{shown}，但文件里没有保存计算结果，读不到数值",
                           f"在该格直接填写数值{hint}；或用 Excel / WPS 打开后保存一次，让它算出结果", "formula-without-value"))
    return found
