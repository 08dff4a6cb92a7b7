"""Read the findings table (evidence/findings/findings.xlsx or .csv) into Finding records.

The office keeps its 问题台账 in Excel: one row per problem an inspection found (暗访, 督查, 模拟检查, 群众投诉,
上级反馈), with photos in evidence/findings/photos/. Cells are read as text by the indicator table's readers
(``handbook.scan.tables``: UTF-8 or GBK CSV, every XLSX sheet from row 1), then checked here. A bad row is reported with the row number
people see (the header is row 1), what is wrong and the fix, and is still kept: nothing the office typed is
dropped, the finding is shown marked and the other fields still count.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from handbook.model import FINDING_SOURCES, Problem, Finding, Plan, Where
from handbook.problems import did_you_mean, error, suggest, warning
# The indicator table's readers too: same encodings, same sheets, same "cell as the person sees it".
from handbook.scan.tables import Columns, data_rows, filled_rows, normalize_text, parse_int, read_sheets

log = logging.getLogger(__name__)

FOLDER = "findings"  # under evidence/
TABLE_NAMES = ("findings.xlsx", "findings.csv")
PHOTOS = "photos"  # under evidence/findings/
MAX_BYTES = 20 * 1024 * 1024  # a 台账 of thousands of rows is well under 1 MB; bigger is not a table
MAX_ROWS = 20_000
TOO_LARGE_FIX = "照片请放进 evidence/findings/photos/，表格里只写照片文件名"
NOTES_SHEET = "填写说明"  # the template's second sheet: read by people, not by us

# Canonical column → the headers people write for it (the template writes the first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "编号": ("编号", "问题编号", "序号"),
    "日期": ("日期", "检查日期", "发现日期"),
    "来源": ("来源", "问题来源", "检查方式"),
    "检查组": ("检查组", "检查单位", "督查组"),
    "地点": ("地点", "问题地点", "位置"),
    "坐标": ("坐标", "经纬度"),
    "条目": ("条目", "标准条目", "条目编号"),
    "问题描述": ("问题描述", "存在问题", "问题"),
    "整改前照片": ("整改前照片", "照片", "问题照片"),
    "属地单位": ("属地单位", "属地", "街道"),
    "行业单位": ("行业单位", "行业部门", "责任部门"),
    "整改期限": ("整改期限", "期限", "整改时限"),
    "整改日期": ("整改日期", "整改完成日期", "完成日期"),
    "整改后照片": ("整改后照片", "整改照片"),
    "销号人": ("销号人", "销号人/确认人", "确认人", "销号确认人"),
    "不公开": ("不公开", "照片不公开"),
}
REQUIRED_COLUMNS = ("编号", "日期", "来源", "地点", "条目", "问题描述", "属地单位", "整改期限")
HEADER_TEXT = "、".join(COLUMNS)
_COLUMNS = Columns(COLUMNS, REQUIRED_COLUMNS)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_PHOTO_SPLIT = re.compile(r"[;；,，、\n]+")
YES = frozenset({"是", "不公开", "√", "true", "1", "y", "yes"})


def find_table(evidence_root: Path) -> tuple[Path | None, list[Problem]]:
    """The findings table, or None; a warning when both an XLSX and a CSV exist (the XLSX is read)."""
    folder = evidence_root / FOLDER
    found = [folder / name for name in TABLE_NAMES if (folder / name).is_file()]
    if not found:
        return None, []
    diagnostics = []
    if len(found) > 1:
        diagnostics.append(warning(Where(f"evidence/{FOLDER}/{found[1].name}"), "同时有 findings.xlsx 和 findings.csv，只读取 findings.xlsx",
                                   "把 CSV 中的问题合并进 findings.xlsx 后删除 CSV", "two-findings-tables"))
    return found[0], diagnostics


def read_findings(evidence_root: Path, plan: Plan, standard_items: dict) -> tuple[list[Finding], list[Problem]]:
    """Every finding of the table (bad rows included, flagged) and every problem found in it."""
    path, diagnostics = find_table(evidence_root)
    if path is None:
        return [], diagnostics
    shown = f"evidence/{FOLDER}/{path.name}"
    table, found = _read(path, shown)
    diagnostics += found
    if table is None:
        return [], diagnostics
    rows, found = _rows(table, shown)
    diagnostics += found
    photos = _photo_names(evidence_root / FOLDER / PHOTOS)
    checker = _RowChecker(plan, standard_items, photos)
    findings = [checker.check(where, cells) for where, cells in rows]
    diagnostics += checker.diagnostics
    return findings, diagnostics


def _read(path: Path, shown: str) -> tuple[list[list[str]] | None, list[Problem]]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [error(Where(shown), f"问题台账无法读取：{exc}", "检查文件权限", "unreadable-table")]
    if size > MAX_BYTES:
        return None, [error(Where(shown), f"问题台账有 {size // (1024 * 1024)} MB，超过 {MAX_BYTES // (1024 * 1024)} MB，未读取",
                            TOO_LARGE_FIX, "table-too-large")]
    sheets, failure = read_sheets(path, shown, too_large_fix=TOO_LARGE_FIX)
    if failure is not None:
        return None, [failure]
    # Each sheet is (name, rows, the reader's own notes on it, e.g. formulas without a cached value).
    diagnostics = list(sheets[0][2]) if sheets and len(sheets[0]) > 2 else []
    diagnostics += [warning(Where(sheet[0]), "问题台账只读取第一个工作表，这个工作表未读取", "把问题都写在第一个工作表里", "extra-sheet")
                    for sheet in sheets[1:]
                    if NOTES_SHEET not in sheet[0] and any(any(c.strip() for c in row) for row in sheet[1])]
    return (sheets[0][1] if sheets else []), diagnostics


def _rows(table: list[list[str]], shown: str) -> tuple[list[tuple[Where, dict[str, str]]], list[Problem]]:
    """The header is the first of the first ten rows naming every required column (a title row may be above)."""
    filled = filled_rows(table)
    if not filled:
        return [], []  # the blank template: no finding yet
    header_at = _COLUMNS.header_row(table, filled)
    if header_at is None:
        missing = _COLUMNS.missing(table[filled[0]])
        return [], [error(Where(shown, filled[0] + 1), f"问题台账缺少列：{'、'.join(missing)}",
                          f"表头应为：{HEADER_TEXT}（可用 python -m handbook template --findings 生成模板）", "missing-column")]
    rows: list = []
    diagnostics: list[Problem] = []
    for index, cells in data_rows(table, header_at, _COLUMNS.positions(table[header_at])):
        if len(rows) == MAX_ROWS:
            diagnostics.append(error(Where(shown, index + 1), f"问题台账超过 {MAX_ROWS} 行，从这一行起未读取",
                                     "把已销号多年的问题移到归档表格里", "too-many-rows"))
            break
        rows.append((Where(shown, index + 1), cells))
    return rows, diagnostics


def _photo_names(folder: Path) -> dict[str, str]:
    """Every photo under evidence/findings/photos/ (posix path below it), by its normalised name."""
    if not folder.is_dir():
        return {}
    names = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            names[normalize_text(rel)] = rel
    return names


def parse_date(text: str) -> dt.date | None:
    """"2026-10-12", "2026/10/12", "2026.10.12", "2026年10月12日" (full-width too) → a date; else None."""
    match = _DATE.match(normalize_text(text))
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _most_shared(text: str, choices: tuple[str, ...]) -> str | None:
    """For words of two or three characters (暗仿 → 暗访) the edit distance says little: most characters shared."""
    best = max(choices, key=lambda c: len(set(c) & set(text)))
    return best if set(best) & set(text) else None


class _RowChecker:
    """Checks one row after another; keeps the ids seen (duplicates) and every diagnostic."""

    def __init__(self, plan: Plan, items: dict, photos: dict[str, str]) -> None:
        self.plan, self.items, self.photos = plan, items, photos
        self.diagnostics: list[Problem] = []
        self.ids: dict[str, Where] = {}
        self._flagged = False

    def _error(self, where: Where, problem: str, fix: str, code: str) -> None:
        self._flagged = True
        self.diagnostics.append(error(where, problem, fix, code))

    def _warning(self, where: Where, problem: str, fix: str, code: str) -> None:
        self.diagnostics.append(warning(where, problem, fix, code))

    def check(self, where: Where, cells: dict[str, str]) -> Finding:
        self._flagged = False
        fid = self._id(where, cells.get("编号", ""))
        found = self._date(where, cells, "日期", required=True)
        item = self._item(where, cells.get("条目", ""))
        area, area_raw = self._unit(where, cells.get("属地单位", ""), "属地单位", required=True)
        field_unit, field_raw = self._unit(where, cells.get("行业单位", ""), "行业单位", required=False)
        given = bool(field_raw)
        if not given:
            field_unit = self.default_field_unit(item)
        finding = Finding(
            id=fid, found=found, source=self._source(where, cells.get("来源", "")),
            group=cells.get("检查组", ""), place=self._required(where, cells, "地点", "问题所在的具体地点"),
            item=item, problem=self._required(where, cells, "问题描述", "发现的问题"),
            area_unit=area, field_unit=field_unit, deadline=self._date(where, cells, "整改期限", required=True),
            fixed=self._date(where, cells, "整改日期", required=False), confirmer=cells.get("销号人", ""),
            coordinates=cells.get("坐标", ""), photos_before=self._photos(where, cells, "整改前照片"),
            photos_after=self._photos(where, cells, "整改后照片"),
            restricted=normalize_text(cells.get("不公开", "")).lower() in YES,
            field_unit_given=given, area_raw=area_raw, field_raw=field_raw, where=where,
        )
        self._order(where, finding)
        finding.flagged = self._flagged
        return finding

    def _id(self, where: Where, text: str) -> str:
        if not text:
            self._error(where, "编号为空", "每个问题写一个唯一编号，如 DF-2026-031", "missing-id")
            return f"第{where.line}行"
        if text in self.ids:
            self._error(where, f"编号“{text}”与第 {self.ids[text].line} 行重复", "给本行换一个未用过的编号（两行都保留、都显示）",
                        "duplicate-id")
            return f"{text}（第{where.line}行）"
        self.ids[text] = where
        return text

    def _required(self, where: Where, cells: dict[str, str], column: str, what: str) -> str:
        text = cells.get(column, "")
        if not text:
            self._error(where, f"“{column}”为空", f"请填写{what}", "missing-field")
        return text

    def _date(self, where: Where, cells: dict[str, str], column: str, *, required: bool) -> dt.date | None:
        text = cells.get(column, "")
        if not text:
            if required:
                self._error(where, f"“{column}”为空", "请填写日期，如 2026-10-12", "missing-date")
            return None
        value = parse_date(text)
        if value is None:
            self._error(where, f"“{column}”的“{text}”不是日期", "请写成 2026-10-12（或 2026年10月12日）", "bad-date")
        return value

    def _source(self, where: Where, text: str) -> str:
        plain = normalize_text(text)
        if plain in FINDING_SOURCES:
            return plain
        hint = (suggest(plain, FINDING_SOURCES) or _most_shared(plain, FINDING_SOURCES)) if plain else None
        fix = f"改为“{hint}”？" if hint else f"来源只能是：{'、'.join(FINDING_SOURCES)}"
        self._error(where, f"来源“{text}”不是规定的来源" if text else "来源为空", fix, "bad-source")
        return text

    def _item(self, where: Where, text: str) -> int | None:
        number = parse_int(re.sub(r"^(第|条目)", "", normalize_text(text)).removesuffix("条"))
        if number is not None and number in self.items:
            return number
        fix = f"填标准条目编号 {min(self.items)}–{max(self.items)}（如 21）" if self.items else "填标准条目编号"
        self._error(where, f"条目“{text}”不是标准的条目编号" if text else "条目为空", fix, "bad-item")
        return None

    def _unit(self, where: Where, text: str, column: str, *, required: bool) -> tuple[str | None, str]:
        if not text:
            if required:
                self._error(where, f"“{column}”为空", "请填写问题所在的街道（units.yml 中的单位名称）", "missing-unit")
            return None, ""
        unit = self.plan.resolve_unit(text)
        if unit is None:
            fix = did_you_mean(text, list(self.plan.alias_index), fallback="请写 standards/local/units.yml 中的单位名称或别名")
            self._error(where, f"{column}“{text}”不在本地方案的单位中", fix, "unknown-unit")
            return None, text
        if column == "属地单位" and unit.kind != "街道":
            self._warning(where, f"属地单位“{text}”不是街道（units.yml 中 kind 为“{unit.kind}”）",
                          "属地单位填问题所在的街道；部门写在“行业单位”列", "area-not-street")
        return unit.name, text

    def _photos(self, where: Where, cells: dict[str, str], column: str) -> tuple[str, ...]:
        names = [n.strip() for n in _PHOTO_SPLIT.split(cells.get(column, "")) if n.strip()]
        found = []
        for name in names:
            key = normalize_text(name.replace("\\", "/").removeprefix("photos/"))
            if key in self.photos:
                found.append(self.photos[key])
                continue
            hint = suggest(key, list(self.photos))
            fix = f"是否应为“{self.photos[hint]}”？" if hint else f"把照片放进 evidence/{FOLDER}/{PHOTOS}/，表格里写它的文件名"
            self._warning(where, f"{column}“{name}”在 evidence/{FOLDER}/{PHOTOS}/ 中找不到", fix, "missing-photo")
        return tuple(found)

    def _order(self, where: Where, finding: Finding) -> None:
        if finding.found and finding.deadline and finding.deadline < finding.found:
            self._error(where, f"整改期限 {finding.deadline} 早于发现日期 {finding.found}", "核对两个日期", "deadline-before-found")
        if finding.found and finding.fixed and finding.fixed < finding.found:
            self._error(where, f"整改日期 {finding.fixed} 早于发现日期 {finding.found}", "核对两个日期", "fixed-before-found")
        if finding.confirmer and finding.fixed is None:
            self._warning(where, f"已填销号人“{finding.confirmer}”但没有整改日期，按未整改计",
                          "补上整改日期，或清空销号人", "confirmer-without-date")

    def default_field_unit(self, item: int | None) -> str | None:
        """No 行业单位 typed: the item's first lead that is not a 街道 (the department of that field)."""
        assignment = self.plan.assignments.get(item) if item is not None else None
        if assignment is None:
            return None
        leads = [name for name in assignment.lead if name in self.plan.units]
        departments = [name for name in leads if self.plan.units[name].kind != "街道"]
        return next(iter(departments or leads), None)
