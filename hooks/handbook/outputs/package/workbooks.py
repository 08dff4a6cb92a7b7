"""Workbook plumbing shared by every index: fixed properties, styles, a printable table, safe sheet names.

Every workbook is written with ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` off, so a
title such as ``=SUM(A1)`` stays text, and with a fixed creation date, so identical inputs give identical
bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from handbook.model import IMAGE_TYPES, Archive, EvidenceFile



# --------------------------------------------------------------------------- workbook plumbing


def workbook(path: Path, title: str, created: dt.datetime) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # xlsxwriter writes "created" as UTC; a naive UTC value keeps the bytes independent of the local zone.
    fixed = created.astimezone(dt.UTC).replace(tzinfo=None)
    book.set_properties({"title": title, "author": "handbook", "company": "", "created": fixed})
    return book


@dataclass
class Styles:
    header: object
    text: object
    number: object
    wrap: object
    digest: object  # SHA-256: small monospace, wrapped, so 64 hex digits fit a narrow column
    date: object


def styles_for(book: xlsxwriter.Workbook) -> Styles:
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
    return Styles(
        header=book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center", "text_wrap": True}),
        text=book.add_format(base),
        number=book.add_format({**base, "num_format": "#,##0"}),
        wrap=book.add_format({**base, "text_wrap": True}),
        digest=book.add_format({**base, "font_name": "Consolas", "font_size": 7, "text_wrap": True}),
        date=book.add_format({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
    )


def table(sheet, styles: Styles, columns: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float],
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




def header_text(text: str) -> str:
    """A centred print header; '&' in our text is doubled so Excel does not read it as a code."""
    return "&C" + text.replace("&", "&&")


# --------------------------------------------------------------------------- shared row facts


def item_label(archive: Archive, number: int | None) -> str:
    if number is None:
        return ""
    item = archive.project.standard.items.get(number)
    return f"第 {number} 项 {item.title}" if item else f"第 {number} 项"


def material_label(archive: Archive, material_id: str | None) -> str:
    if not material_id:
        return ""
    material = archive.project.standard.material(material_id)
    return f"{material_id} {material.title}" if material else material_id


def page_count(file: EvidenceFile) -> int | None:
    if file.pages is not None:
        return file.pages
    return 1 if (file.filetype or "").lower() in IMAGE_TYPES else None


def unit_label(file: EvidenceFile) -> str:
    return file.unit or file.unit_raw or ""
