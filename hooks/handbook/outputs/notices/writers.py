"""Write ``Doc``s as one XLSX (a sheet per document) and one PDF (documents one after another, CJK font embedded).

Text is always written as text (never a formula or a link, as in outputs/worklist.py); photos are the
cached thumbnails, so a 通知单 stays small. Both files are written to a temp file beside the target and
renamed into place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from handbook.util.workbooks import sheet_name
from handbook.util.atomic import write_via_path
from handbook.outputs.notices.documents import Doc, Table
from handbook.outputs.package.fonts import find_cjk_font, new_pdf
from handbook.outputs.worklist import WORKBOOK_OPTIONS

PHOTO_ROW_PX = 72


def _atomic(path: Path, suffix: str, write) -> Path:
    return write_via_path(path, write)  # ``suffix``: the format is the library's choice, not the name's


# --------------------------------------------------------------------------- XLSX


def write_xlsx(docs: list[Doc], path: Path) -> Path:
    return _atomic(path, ".xlsx", lambda tmp: _fill_book(docs, tmp))


def _fill_book(docs: list[Doc], tmp: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
    first = docs[0].issued if docs else dt.date.today()
    book.set_properties({"title": docs[0].title if docs else "", "created": dt.datetime.combine(first, dt.time())})
    styles = {
        "title": book.add_format({"bold": True, "font_size": 16}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
        "text": book.add_format({"text_wrap": True, "valign": "top", "border": 1}),
        "plain": book.add_format({"text_wrap": True, "valign": "top"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "border": 1}),
        "bold": book.add_format({"bold": True}),
    }
    used: set[str] = set()
    for doc in docs:
        sheet = book.add_worksheet(sheet_name(doc.sheet or doc.kind, used))
        _write_doc(sheet, doc, styles)
    if not docs:
        book.add_worksheet("说明").write_string(0, 0, "所选范围内没有需要发出的文书。")
    book.close()


def _write_doc(sheet, doc: Doc, styles: dict) -> None:
    widths = max((t.widths for t in doc.tables), key=len, default=(60,))
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    r = 0
    sheet.write_string(r, 0, doc.title, styles["title"])
    r += 1
    sheet.write_string(r, 0, f"{doc.recipient}：", styles["bold"])
    r += 1
    for line in doc.intro:
        sheet.write_string(r, 0, line, styles["plain"])
        r += 1
    for table in doc.tables:
        r = _write_table(sheet, table, styles, r + 1)
    for line in doc.closing + ["", doc.issuer, doc.issued.isoformat()]:
        sheet.write_string(r, 0, line, styles["plain"])
        r += 1


def _write_table(sheet, table: Table, styles: dict, r: int) -> int:
    sheet.write_string(r, 0, table.heading, styles["bold"])
    r += 1
    for line in table.lines:
        sheet.write_string(r, 0, line, styles["plain"])
        r += 1
    if not table.rows:
        sheet.write_string(r, 0, "无", styles["plain"])
        return r + 1
    for c, column in enumerate(table.columns):
        sheet.write_string(r, c, column, styles["head"])
    r += 1
    for row in table.rows:
        for c, value in enumerate(row):
            if c == table.photo_column and isinstance(value, Path):
                sheet.set_row_pixels(r, PHOTO_ROW_PX)
                sheet.insert_image(r, c, str(value), {"x_scale": 0.4, "y_scale": 0.4, "object_position": 1,
                                                      "x_offset": 2, "y_offset": 2})
                sheet.write_blank(r, c, None, styles["text"])
            else:
                _write_value(sheet, r, c, value, styles)
        r += 1
    return r


def _write_value(sheet, r: int, c: int, value, styles: dict) -> None:
    if value is None or value == "":
        sheet.write_blank(r, c, None, styles["text"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), styles["date"])
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(r, c, value, styles["text"])
    else:
        sheet.write_string(r, c, str(value), styles["text"])  # never a formula, never a link


# --------------------------------------------------------------------------- PDF


def write_pdf(docs: list[Doc], path: Path) -> Path:
    return _atomic(path, ".pdf", lambda tmp: _pdf(docs).output(str(tmp)))


def _pdf(docs: list[Doc]):
    first = docs[0].issued if docs else dt.date.today()
    pdf = new_pdf(find_cjk_font(), dt.datetime.combine(first, dt.time(8), tzinfo=dt.UTC),
                  title=docs[0].title if docs else "")
    pdf.set_auto_page_break(True, margin=14)
    if not docs:
        pdf.add_page()
        pdf.multi_cell(0, 7, "所选范围内没有需要发出的文书。")
    for doc in docs:
        _pdf_doc(pdf, doc)
    return pdf


def _pdf_doc(pdf, doc: Doc) -> None:
    pdf.add_page(orientation="L")
    family = pdf.font_family
    pdf.set_font(family, size=18)
    pdf.set_text_color(180, 0, 0)
    pdf.cell(0, 12, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, size=11)
    pdf.ln(2)
    pdf.cell(0, 7, f"{doc.recipient}：", new_x="LMARGIN", new_y="NEXT")
    for line in doc.intro:
        pdf.multi_cell(0, 6.5, "　　" + line, align="L", new_x="LMARGIN", new_y="NEXT")
    for table in doc.tables:
        _pdf_table(pdf, table)
    pdf.ln(3)
    for line in doc.closing:
        pdf.multi_cell(0, 6.5, "　　" + line, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 7, doc.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"{doc.issued.year}年{doc.issued.month}月{doc.issued.day}日", align="R", new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf, table: Table) -> None:
    family = pdf.font_family
    pdf.ln(3)
    pdf.set_font(family, size=12)
    pdf.cell(0, 8, table.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    for line in table.lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    if not table.rows:
        pdf.cell(0, 6, "无", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(family, size=8.5)
    with pdf.table(col_widths=table.widths or None, line_height=4.6, first_row_as_headings=True,
                   headings_style=_heading_style(), text_align="LEFT", padding=1) as out:
        head = out.row()
        for column in table.columns:
            head.cell(column)
        for values in table.rows:
            row = out.row()
            for c, value in enumerate(values):
                if c == table.photo_column and isinstance(value, Path):
                    row.cell(img=str(value), img_fill_width=True)
                else:
                    row.cell(_text(value))
    pdf.set_font(family, size=11)


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis=None, fill_color=(221, 235, 247))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
