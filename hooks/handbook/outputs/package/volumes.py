"""卷内目录 of part 2: one volume per item (第 N 项), a row per document the reviewers receive, XLSX and PDF.

A row says where a document came from when it is not the file as submitted ("由 Word 转换", "由 5 张照片合并",
"OFD 原件，含电子签章") and flags restricted ones; an item with no document gets one row saying so, in the
workbook as in the printable PDF, so that an empty sheet is never left for the reviewer to interpret.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from fpdf import FPDF

from handbook.model import Archive, Item, Kind, material_key
from handbook.outputs.package.fonts import CjkFont, new_pdf
from handbook.outputs.package.layout import years_label
from handbook.outputs.package.review import ReviewDoc
from handbook.outputs.package.workbooks import header_text, styles_for, table, workbook
from handbook.util.workbooks import sheet_name

VOLUME_COLUMNS = ("序号", "文号", "责任者", "题名", "日期", "页数", "页号", "资料", "包内路径", "备注")
EMPTY_ROW = "本项暂无可供评审的佐证材料"
RESTRICTED_MARK = "受限：含个人信息，仅供评审，勿公开"


@dataclass
class VolumeRow:
    seq: int | None
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
    documents: int = 0

    @property
    def total_pages(self) -> int:
        return sum(r.pages or 0 for r in self.rows)

    @property
    def heading(self) -> str:
        return f"第 {self.item.number} 项　{self.item.title}"


def _item_of(material_id: str) -> int | None:
    head = material_id.split(".")[0]
    return int(head) if head.isdigit() else None


def build_volumes(archive: Archive, docs: list[ReviewDoc]) -> list[Volume]:
    """One volume per item: every document serving one of its materials (a shared one is listed in each)."""
    standard = archive.project.standard
    categories = {c.number: c for c in standard.categories}
    by_item: dict[int, list[ReviewDoc]] = {}
    for doc in docs:
        served = {doc.file.item} | {_item_of(m) for f in doc.sources for m in f.materials}
        for number in {n for n in served if n is not None}:
            by_item.setdefault(number, []).append(doc)
    volumes = []
    for number in sorted(standard.items):
        item = standard.items[number]
        ids = {m.id for m in item.materials}
        entries = by_item.get(number, [])
        entries.sort(key=lambda d: (material_key(_material_in(d, ids)), d.seq))
        category = categories.get(item.category)
        volume = Volume(item, f"{category.numeral}、{category.title}" if category else "", documents=len(entries))
        next_page = 1
        for seq, doc in enumerate(entries, 1):
            page_range = ""
            if doc.pages:
                page_range = f"{next_page}-{next_page + doc.pages - 1}" if doc.pages > 1 else str(next_page)
                next_page += doc.pages
            volume.rows.append(VolumeRow(
                seq=seq, doc_number=_doc_number(doc), unit=doc.unit, title=doc.title, date=_date(doc),
                pages=doc.pages, page_range=page_range, material=_material_in(doc, ids) or "",
                relpath=doc.relpath, remark=_remark(doc, number),
            ))
        if not entries:
            volume.rows.append(VolumeRow(None, "", "", EMPTY_ROW, "", None, "", "", "", ""))
        volumes.append(volume)
    return volumes


def _doc_number(doc: ReviewDoc) -> str:
    return doc.file.sidecar.doc_number if len(doc.sources) == 1 and doc.file.sidecar else ""


def _date(doc: ReviewDoc) -> str:
    if len(doc.sources) == 1 and doc.file.sidecar and doc.file.sidecar.issued:
        return doc.file.sidecar.issued.isoformat()
    return years_label(doc.years)


def _material_in(doc: ReviewDoc, ids: set[str]) -> str | None:
    return next((m for m in doc.file.materials if m in ids), doc.file.material)


def _remark(doc: ReviewDoc, item: int) -> str:
    notes = [doc.how] if doc.how else []
    if doc.file.item != item:
        notes.append(f"与第 {doc.file.item} 项共用，原件在该项下" if doc.file.item else "共用文件")
    if doc.restricted:
        notes.append(RESTRICTED_MARK)
    return "；".join(notes)


def write_volumes_xlsx(path: Path, archive: Archive, volumes: list[Volume], created: dt.datetime) -> None:
    book = workbook(path, f"{archive.project.plan.city}卷内目录", created)
    styles = styles_for(book)
    used: set[str] = set()
    for volume in volumes:
        sheet = book.add_worksheet(sheet_name(f"{volume.item.code}-{volume.item.title}", used))
        rows = (
            (r.seq, r.doc_number, r.unit, r.title, r.date, r.pages, r.page_range, r.material, r.relpath, r.remark)
            for r in volume.rows
        )
        table(sheet, styles, VOLUME_COLUMNS, rows, (5, 16, 12, 36, 11, 5, 8, 7, 44, 20),
              wrap=("文号", "责任者", "题名", "日期", "资料", "包内路径", "备注"))
        sheet.set_header(header_text(f"卷内目录　{volume.heading}（{archive.project.plan.city}）"))
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
    """A printable A4 卷内目录: one page (or more) per item, in order; an item without documents says so."""
    plan = archive.project.plan
    pdf = cast(_VolumePdf, new_pdf(font, created, title=f"{plan.city}卷内目录", cls=_VolumePdf))
    pdf.footer_text = f"{plan.city} {plan.review_year}年{'国家卫生县' if plan.kind is Kind.COUNTY else '国家卫生城市'}复审 卷内目录"
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    for volume in volumes:
        pdf.add_page()
        pdf.set_font_size(18)
        pdf.cell(0, 11, "卷 内 目 录", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10.5)
        pdf.cell(0, 6, volume.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, f"类别：{volume.category}　　共 {volume.documents} 件，{volume.total_pages} 页",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font_size(9)
        table_ = _FastTable(pdf, _PDF_WIDTHS, _PDF_ALIGNS, line_height=4.8, heading=_PDF_HEADINGS,
                            continued=f"{volume.heading}（续）")
        table_.heading_row()
        for r in volume.rows:
            table_.row(("" if r.seq is None else str(r.seq), r.doc_number, r.unit, r.title, r.date, r.page_range, r.remark))
    pdf.output(str(path))
