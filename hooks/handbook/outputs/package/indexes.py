"""The package's indexes: 总目录, 卷内目录 (XLSX and printable PDF), 缺失资料清单, 数据评价指标, README, SHA256SUMS.

Every workbook is written with ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` off, so a
title such as ``=SUM(A1)`` stays text, and with a fixed creation date, so identical inputs give identical
bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import xlsxwriter
from fpdf import FPDF

from handbook.model import Archive, EvidenceFile, Item, Kind, Status
from handbook.outputs.package.fonts import CjkFont, new_pdf
from handbook.outputs.package.layout import PackedFile, years_label
from handbook.outputs.package.slots import SlotResult

log = logging.getLogger(__name__)

CATALOG_COLUMNS = ("序号", "条目", "资料", "年度", "单位", "标题", "文号", "页数", "大小", "SHA-256", "包内路径", "状态")
VOLUME_COLUMNS = ("序号", "文号", "责任者", "题名", "日期", "页数", "页号", "资料", "包内路径", "备注")
MISSING_COLUMNS = ("责任单位", "条目", "资料编号", "资料名称", "年度", "状态", "截止日期", "逾期天数", "完成要求")
RESTRICTED_NOTE = "受限：含个人信息，仅供评审，勿公开"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_IMAGE_TYPES = {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"}


# --------------------------------------------------------------------------- workbook plumbing


def _workbook(path: Path, title: str, created: dt.datetime) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # xlsxwriter writes "created" as UTC; a naive UTC value keeps the bytes independent of the local zone.
    fixed = created.astimezone(dt.UTC).replace(tzinfo=None)
    book.set_properties({"title": title, "author": "handbook", "company": "", "created": fixed})
    return book


@dataclass
class _Styles:
    header: object
    text: object
    number: object
    wrap: object
    digest: object  # SHA-256: small monospace, wrapped, so 64 hex digits fit a narrow column
    date: object


def _styles(book: xlsxwriter.Workbook) -> _Styles:
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
    return _Styles(
        header=book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True}),
        text=book.add_format(base),
        number=book.add_format({**base, "num_format": "#,##0"}),
        wrap=book.add_format({**base, "text_wrap": True}),
        digest=book.add_format({**base, "font_name": "Consolas", "font_size": 7, "text_wrap": True}),
        date=book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
    )


def _table(sheet, styles: _Styles, columns: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float],
           *, wrap: Iterable[str] = (), digest: Iterable[str] = (), landscape: bool = True) -> int:
    """Header, rows, filter, frozen header, A4 print set-up. Returns the number of rows written.

    Text in ``wrap`` columns wraps (Excel then grows the row), so long titles and paths are never cut off
    on screen or on paper; ``digest`` columns hold hashes in a small monospace font.
    """
    text_styles = {name: styles.wrap for name in wrap} | {name: styles.digest for name in digest}
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, styles.header)
        sheet.set_column(col, col, widths[col])
    count = 0
    for count, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(count, col, None, styles.text)
            elif isinstance(value, bool):
                sheet.write_string(count, col, "是" if value else "否", styles.text)
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, col, value, styles.date)
            elif isinstance(value, (int, float)):
                sheet.write_number(count, col, value, styles.number)
            else:
                sheet.write_string(count, col, str(value), text_styles.get(columns[col], styles.text))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.repeat_rows(0)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    return count


def _sheet_name(text: str, used: set[str]) -> str:
    name = _SHEET_BAD.sub("_", text).strip("'")[:31] or "Sheet"
    base, n = name, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:28]}~{n}"
    used.add(name.lower())
    return name


def _header_text(text: str) -> str:
    """A centred print header; '&' in our text is doubled so Excel does not read it as a code."""
    return "&C" + text.replace("&", "&&")


# --------------------------------------------------------------------------- shared row facts


def item_label(archive: Archive, number: int | None) -> str:
    if number is None:
        return ""
    item = archive.project.standard.items.get(number)
    return f"{number:02d} {item.title}" if item else f"{number:02d}"


def material_label(archive: Archive, material_id: str | None) -> str:
    if not material_id:
        return ""
    material = archive.project.standard.material(material_id)
    return f"{material_id} {material.title}" if material else material_id


def page_count(file: EvidenceFile) -> int | None:
    if file.pages is not None:
        return file.pages
    return 1 if (file.filetype or "").lower() in _IMAGE_TYPES else None


def file_status(entry: PackedFile) -> str:
    """What the 状态 column says: collected, or what needs attention; restricted files are flagged."""
    file = entry.file
    parts = []
    if file.problems:
        parts.append("待核：" + "；".join(_without_place(p.message) for p in file.problems))
    parts.extend(entry.notes)
    if file.restricted:
        parts.append(RESTRICTED_NOTE)
    return "；".join(parts) if parts else Status.COLLECTED.value


def _without_place(message: str) -> str:
    """Drop a leading "path[:line]：" (the row already names the file), keeping the problem itself."""
    place, sep, rest = message.partition("：")
    return rest if sep and rest and ("/" in place or place.endswith((".yml", ".pdf"))) else message


def unit_label(file: EvidenceFile) -> str:
    return file.unit or file.unit_raw or ""


# --------------------------------------------------------------------------- 总目录


def write_catalog(path: Path, archive: Archive, packed: list[PackedFile], slots: list[SlotResult],
                  slot_dir_paths: dict[str, str], created: dt.datetime) -> None:
    book = _workbook(path, f"{archive.project.plan.city}资料评估材料包总目录", created)
    styles = _styles(book)
    sheet = book.add_worksheet("总目录")
    rows = (
        (
            e.seq,
            item_label(archive, e.file.item),
            material_label(archive, e.file.material),
            years_label(e.file.years),
            unit_label(e.file),
            e.file.title,
            e.file.sidecar.doc_number if e.file.sidecar else "",
            page_count(e.file),
            e.file.size,
            e.file.sha256,
            e.relpath,
            file_status(e),
        )
        for e in packed
    )
    # Widths fit A4 landscape at about 70 % (fit to width); wrapped columns grow the row instead of hiding text.
    _table(sheet, styles, CATALOG_COLUMNS, rows, (5, 16, 18, 9, 11, 30, 14, 5, 10, 16, 44, 26),
           wrap=("条目", "资料", "年度", "单位", "标题", "文号", "包内路径", "状态"), digest=("SHA-256",))
    sheet.set_header(_header_text(f"{archive.project.plan.city} 资料评估材料总目录"))
    sheet.set_footer("&C第 &P 页，共 &N 页")

    slot_sheet = book.add_worksheet("上传资料")
    slot_rows = (
        (
            s.position,
            s.title,
            s.status,
            "、".join(s.materials) or "（清单中没有资料对应此栏目）",
            len(s.documents),
            s.pages or None,
            s.size or None,
            slot_dir_paths.get(s.key, ""),
            _slot_remark(s),
        )
        for s in slots
    )
    _table(slot_sheet, styles, ("序号", "栏目", "状态", "对应资料", "文档数", "页数", "大小", "包内路径", "说明"),
           slot_rows, (6, 24, 8, 18, 7, 7, 11, 36, 50), wrap=("栏目", "说明", "对应资料", "包内路径"))

    problem_sheet = book.add_worksheet("问题")
    problem_rows = [(e.seq, e.relpath, note) for e in packed for note in _problems_of(e)]
    _table(problem_sheet, styles, ("序号", "包内路径", "问题"), problem_rows, (6, 50, 80), wrap=("包内路径", "问题"))
    book.close()


def _slot_remark(slot: SlotResult) -> str:
    notes = []
    if slot.missing:
        left_out = slot.problems or slot.restricted
        notes.append("缺失：对应文件均未能并入" if left_out else "缺失：没有可并入的文件")
    if slot.unconverted:
        notes.append(f"{len(slot.unconverted)} 个文件需转换为 PDF")
    if slot.converted:
        notes.append(f"{len(slot.converted)} 个文件已由 LibreOffice 转为 PDF 并入")
    if slot.failed:
        notes.append(f"{len(slot.failed)} 个文件无法并入（见“问题”表）")
    if slot.held:
        names = "、".join(p.evidence_path.rsplit("/", 1)[-1] for p in slot.held)
        notes.append(f"待核，未并入：{names}（原因见“问题”表）")
    if slot.restricted:
        notes.append(f"{len(slot.restricted)} 个受限文件（含个人信息）未并入，只在 02-分项佐证 中供评审查阅")
    if slot.note:
        notes.append(slot.note)
    return "；".join(notes)


def _problems_of(entry: PackedFile) -> list[str]:
    return [f"{p.message}" + (f" — {p.fix}" if p.fix else "") for p in entry.file.problems] + entry.notes


# --------------------------------------------------------------------------- 卷内目录


@dataclass
class VolumeRow:
    seq: int
    doc_number: str
    unit: str
    title: str
    date: str
    pages: int | None
    page_range: str
    material: str
    relpath: str
    remark: str


@dataclass
class Volume:
    item: Item
    category: str
    rows: list[VolumeRow] = field(default_factory=list)

    @property
    def total_pages(self) -> int:
        return sum(r.pages or 0 for r in self.rows)


def _item_of(material_id: str) -> int | None:
    head = material_id.split(".")[0]
    return int(head) if head.isdigit() else None


def build_volumes(archive: Archive, packed: list[PackedFile]) -> list[Volume]:
    """One volume per item: every file serving one of its materials (a shared file is listed in each)."""
    standard = archive.project.standard
    categories = {c.number: c for c in standard.categories}
    # Which items each file serves, found once (not 45 passes over ten thousand files).
    by_item: dict[int, list[PackedFile]] = {}
    for entry in packed:
        served = {entry.file.item} | {_item_of(m) for m in entry.file.materials}
        for number in {n for n in served if n is not None}:
            by_item.setdefault(number, []).append(entry)
    volumes = []
    for number in sorted(standard.items):
        item = standard.items[number]
        ids = {m.id for m in item.materials}
        entries = [e for e in by_item.get(number, ()) if e.file.item == number or ids.intersection(e.file.materials)]
        entries.sort(key=lambda e: (_material_key(_material_in(e.file, ids)), e.seq))
        category = categories.get(item.category)
        volume = Volume(item, f"{category.numeral}、{category.title}" if category else "")
        next_page = 1
        for seq, entry in enumerate(entries, 1):
            file = entry.file
            pages = page_count(file)
            page_range = ""
            if pages:
                page_range = f"{next_page}-{next_page + pages - 1}" if pages > 1 else str(next_page)
                next_page += pages
            volume.rows.append(VolumeRow(
                seq=seq,
                doc_number=file.sidecar.doc_number if file.sidecar else "",
                unit=unit_label(file),
                title=file.title or file.name,
                date=file.sidecar.issued.isoformat() if file.sidecar and file.sidecar.issued else years_label(file.years),
                pages=pages,
                page_range=page_range,
                material=_material_in(file, ids) or "",
                relpath=entry.relpath,
                remark=_volume_remark(entry, number),
            ))
        volumes.append(volume)
    return volumes


def _material_in(file: EvidenceFile, ids: set[str]) -> str | None:
    return next((m for m in file.materials if m in ids), file.material)


def _material_key(material_id: str | None) -> tuple[int, int]:
    try:
        item, k = (material_id or "").split(".")
        return int(item), int(k)
    except ValueError:
        return 999, 999


def _volume_remark(entry: PackedFile, item: int) -> str:
    notes = []
    if entry.file.item != item:
        notes.append(f"与第{entry.file.item:02d}条共用，原件见该条目" if entry.file.item else "共用文件")
    if entry.file.restricted:
        notes.append("受限")
    if entry.file.problems or entry.notes:
        notes.append("待核")
    return "；".join(notes)


def write_volumes_xlsx(path: Path, archive: Archive, volumes: list[Volume], created: dt.datetime) -> None:
    book = _workbook(path, f"{archive.project.plan.city}卷内目录", created)
    styles = _styles(book)
    used: set[str] = set()
    for volume in volumes:
        sheet = book.add_worksheet(_sheet_name(f"{volume.item.code}-{volume.item.title}", used))
        rows = (
            (r.seq, r.doc_number, r.unit, r.title, r.date, r.pages, r.page_range, r.material, r.relpath, r.remark)
            for r in volume.rows
        )
        _table(sheet, styles, VOLUME_COLUMNS, rows, (5, 16, 12, 36, 11, 5, 8, 7, 44, 16),
               wrap=("文号", "责任者", "题名", "日期", "资料", "包内路径", "备注"))
        sheet.set_header(_header_text(
            f"卷内目录　第{volume.item.number}条 {volume.item.title}（{archive.project.plan.city}）"))
        sheet.set_footer("&C第 &P 页，共 &N 页")
    book.close()


class _VolumePdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font_size(9)
        self.cell(0, 5, f"{self.footer_text}　第 {self.page_no()} 页", align="C")


_PDF_WIDTHS = (10, 26, 24, 60, 20, 16, 24)  # 序号 文号 责任者 题名 日期 页号 备注: 180 mm on A4 portrait
_PDF_ALIGNS = ("C", "L", "L", "L", "C", "C", "L")
_PDF_HEADINGS = ("序号", "文号", "责任者", "题名", "日期", "页号", "备注")
_PDF_HEADING_FILL = (222, 226, 235)


class _FastTable:
    """A ruled table drawn with fpdf2 primitives: wrapped cells, the heading repeated on every page.

    fpdf2's own ``table()`` lays out every cell with its general line breaker, about 3 ms a row; a city
    archive lists ten thousand files here. Chinese text breaks between any two characters, so wrapping by
    summed (cached) character widths is enough, and it is about thirty times faster.
    """

    PADDING = 1.0  # mm, left/right and top/bottom inside each cell

    def __init__(self, pdf: FPDF, widths: Sequence[float], aligns: Sequence[str], *, line_height: float,
                 heading: Sequence[str], continued: str = "") -> None:
        self.pdf, self.widths, self.aligns = pdf, tuple(widths), tuple(aligns)
        self.line_height, self.heading = line_height, tuple(heading)
        self.continued = continued  # printed above the heading on each continuation page, e.g. "第3条 …（续）"
        self._char_widths: dict[str, float] = {}

    def _width(self, text: str) -> float:
        widths = self._char_widths
        total = 0.0
        for char in text:
            width = widths.get(char)
            if width is None:
                width = widths[char] = self.pdf.get_string_width(char)
            total += width
        return total

    def _wrap(self, text: str, width: float) -> list[str]:
        text = " ".join(str(text).split())
        if not text:
            return []
        if self._width(text) <= width:
            return [text]
        lines: list[str] = []
        line: list[str] = []
        used = 0.0
        for char in text:
            w = self._width(char)
            if line and used + w > width:
                lines.append("".join(line).rstrip())
                line, used = ([], 0.0) if char == " " else ([char], w)
                continue
            line.append(char)
            used += w
        if line:
            lines.append("".join(line))
        return lines

    def heading_row(self) -> None:
        self.row(self.heading, fill=True)

    def _continuation_line(self) -> None:
        """Which volume a continuation page belongs to: a loose page must still say its item."""
        if not self.continued:
            return
        pdf, size = self.pdf, self.pdf.font_size_pt
        pdf.set_font_size(10.5)
        pdf.cell(0, 7, self.continued, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(size)

    def row(self, cells: Sequence[str], *, fill: bool = False) -> None:
        pdf, pad = self.pdf, self.PADDING
        wrapped = [self._wrap(text, width - 2 * pad) for text, width in zip(cells, self.widths)]
        height = max(1, *(len(lines) for lines in wrapped)) * self.line_height + 2 * pad
        if pdf.get_y() + height > pdf.page_break_trigger and not fill:
            pdf.add_page()
            self._continuation_line()
            self.heading_row()
        x, y = pdf.l_margin, pdf.get_y()
        if fill:
            pdf.set_fill_color(*_PDF_HEADING_FILL)
        for lines, width, align in zip(wrapped, self.widths, self.aligns):
            pdf.rect(x, y, width, height, style="DF" if fill else "D")
            baseline = y + pad + self.line_height * 0.75
            for number, line in enumerate(lines):
                offset = pad
                if align == "C" or fill:
                    offset = max(pad, (width - self._width(line)) / 2)
                pdf.text(x + offset, baseline + number * self.line_height, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)


def write_volumes_pdf(path: Path, archive: Archive, volumes: list[Volume], font: CjkFont, created: dt.datetime) -> None:
    """A printable A4 卷内目录: one page (or more) per item with materials, then the items without any."""
    plan = archive.project.plan
    pdf = cast(_VolumePdf, new_pdf(font, created, title=f"{plan.city}卷内目录", cls=_VolumePdf))
    pdf.footer_text = f"{plan.city} {plan.review_year}年{'国家卫生县' if plan.kind is Kind.COUNTY else '国家卫生城市'}复审 卷内目录"
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    filled = [v for v in volumes if v.rows]
    for volume in filled:
        pdf.add_page()
        pdf.set_font_size(18)
        pdf.cell(0, 11, "卷 内 目 录", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10.5)
        pdf.cell(0, 6, f"第{volume.item.number}条　{volume.item.title}", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, f"类别：{volume.category}　　共 {len(volume.rows)} 件，{volume.total_pages} 页",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font_size(9)
        table = _FastTable(pdf, _PDF_WIDTHS, _PDF_ALIGNS, line_height=4.8, heading=_PDF_HEADINGS,
                           continued=f"第{volume.item.number}条　{volume.item.title}（续）")
        table.heading_row()
        for r in volume.rows:
            table.row((str(r.seq), r.doc_number, r.unit, r.title, r.date, r.page_range, r.remark))
    empty = [v for v in volumes if not v.rows]
    if empty or not filled:
        pdf.add_page()
        pdf.set_font_size(14)
        pdf.cell(0, 10, "暂无材料的条目", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10)
        for volume in empty:
            pdf.cell(0, 6, f"第{volume.item.number}条　{volume.item.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


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
                              c.item, _material_key(c.material), c.year or 0))
    book = _workbook(path, f"{plan.city}缺失资料清单", created)
    styles = _styles(book)
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
    count = _table(sheet, styles, MISSING_COLUMNS, rows, (16, 20, 9, 28, 7, 7, 11, 8, 50),
                   wrap=("责任单位", "条目", "完成要求", "资料名称"))
    sheet.set_header(_header_text(f"{plan.city} 缺失资料清单（截至 {plan.today.isoformat()}）"))
    sheet.set_footer("&C第 &P 页，共 &N 页")

    summary = book.add_worksheet("按单位汇总")
    totals: dict[str, list] = {}
    for cell in cells:
        entry = totals.setdefault(unit_of(cell), [0, 0, None])
        entry[0 if cell.status is Status.MISSING else 1] += 1
        if cell.deadline and (entry[2] is None or cell.deadline < entry[2]):
            entry[2] = cell.deadline
    summary_rows = [(u, m, o, m + o, d) for u, (m, o, d) in totals.items()]
    _table(summary, styles, ("责任单位", "缺失", "逾期", "合计", "最早截止日期"), summary_rows, (20, 8, 8, 8, 14),
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
    book = _workbook(path, f"{plan.city}数据评价指标", created)
    styles = _styles(book)
    sheet = book.add_worksheet("数据评价指标")
    widths = (6, 28, 18, *[10] * len(years), 8, 40, 14, 8, 30)
    _table(sheet, styles, columns, rows, widths, wrap=("指标", "理由", "数据来源", "目标值"))
    sheet.set_header(_header_text(f"{plan.city} 数据评价指标（{plan.review_year}年复审）"))
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
