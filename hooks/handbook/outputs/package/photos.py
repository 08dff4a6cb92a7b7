"""Photos as captioned A4 pages: upright from EXIF, one per page, the caption (title, unit, date) under it.

Used twice: the upload slots take a photo as a page of their merged PDF (``_PhotoBatches``: temporary PDFs of
bounded image data, so memory stays flat), and the reviewers' part merges the photos of one material and
year into one PDF (``write_photo_pdf``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from handbook.model import EvidenceFile
from handbook.outputs.package.fonts import CjkFont, new_pdf
from handbook.outputs.package.layout import years_label

if TYPE_CHECKING:  # fpdf is slow to import; only the type is needed here
    from fpdf import FPDF

log = logging.getLogger(__name__)

# fpdf holds every embedded image in memory until output(): photos go into temporary PDFs of about this much
# image data each, so memory stays flat however many photos a slot has (each batch loads the font, ~0.5 s).
PHOTO_BATCH_BYTES = 32 * 1024 * 1024


def photo_date(file: EvidenceFile, source: Path | None = None) -> str:
    """The date a caption shows: the sidecar's, else the camera's (EXIF), else the year of the file name."""
    if file.sidecar and file.sidecar.issued:
        return file.sidecar.issued.isoformat()
    if source is not None:
        try:
            with Image.open(source) as opened:
                exif = opened.getexif()
                taken = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
            if isinstance(taken, str) and len(taken) >= 10:
                return taken[:10].replace(":", "-")
        except Exception:  # noqa: BLE001 — a damaged image: the caption falls back to the year, the page step reports it
            pass
    return years_label(file.years)


def photo_caption(file: EvidenceFile, source: Path | None = None) -> str:
    unit = file.unit or file.unit_raw or "未知单位"
    return f"{file.title or file.name}　{unit}　{photo_date(file, source)}"


def write_photo_pdf(target: Path, pages: list[tuple[Path, str]], font: CjkFont,
                    created: dt.datetime) -> tuple[bool, list[tuple[int, str]]]:
    """One PDF with a captioned page per photo; (written, [(index, error) of photos that could not be read])."""
    pdf = new_pdf(font, created, title="")
    pdf.set_auto_page_break(False)
    failed = []
    for index, (source, caption) in enumerate(pages):
        try:
            _check_image(source)
            _image_page(pdf, source, caption)
        except Exception as error:  # noqa: BLE001 — Pillow raises many types for damaged images
            failed.append((index, str(error)))
    if pdf.page == 0:
        return False, failed
    pdf.output(str(target))
    return True, failed


# --------------------------------------------------------------------------- images → A4 pages

_MARGIN = 15.0  # mm
_CAPTION = 16.0  # mm reserved under the image for the caption


class PhotoBatches:
    """Photos of one slot as captioned A4 pages, in temporary PDFs of about ``budget`` bytes of image data.

    One fpdf document would hold every photo of the slot in memory until it is written; a batch is written
    as soon as it is full, and the merge appends its pages from disk. The font is loaded once per batch.
    """

    def __init__(self, font: CjkFont, created: dt.datetime, new_path: Callable[[], Path],
                 budget: int | None = None) -> None:
        self.font, self.created, self.new_path = font, created, new_path
        self.budget = budget or PHOTO_BATCH_BYTES
        self.pdf: FPDF | None = None
        self.path: Path | None = None
        self.used = 0  # image bytes in the open batch

    def add(self, source: Path, *, caption: str) -> tuple[Path, int]:
        """Add ``source`` as a page: (its batch PDF, 0-based page). Raises on an unreadable image."""
        _check_image(source)  # a damaged image fails here, before a page is added
        pdf, path = (self.pdf, self.path) if self.pdf is not None and self.path is not None else self._start()
        self.used += _image_page(pdf, source, caption)
        page = pdf.page - 1  # fpdf's count, right even if an earlier photo failed half-way
        if self.used >= self.budget:
            self.close()
        return path, page

    def close(self) -> None:
        """Write the open batch (its pages are appended to the slot PDF from this file)."""
        if self.pdf is not None:
            self.pdf.output(str(self.path))
            self.pdf = None

    def _start(self) -> tuple[FPDF, Path]:
        pdf = new_pdf(self.font, self.created, title="")
        pdf.set_auto_page_break(False)  # one image, one page, whatever the caption
        self.pdf, self.path, self.used = pdf, self.new_path(), 0
        return pdf, self.path


def _check_image(source: Path) -> None:
    """Decode the image (a JPEG at 1/8 scale: fast, small, yet it reads every byte) or raise."""
    with Image.open(source) as opened:
        opened.draft(None, (max(1, opened.width // 8), max(1, opened.height // 8)))
        opened.load()


def _image_page(pdf, source: Path, caption: str) -> int:
    """Add one page for the image, upright from EXIF, orientation following it, captioned; its embedded bytes."""
    with Image.open(source) as opened:
        orientation = opened.getexif().get(0x0112, 1)
        upright = ImageOps.exif_transpose(opened) if orientation not in (None, 1) else opened
        width_px, height_px = upright.size
        # Untouched JPEG/PNG files are embedded as they are (no re-encoding); turned ones are re-encoded.
        embed = str(source) if upright is opened else _upright_copy(upright, opened.format, opened.info)
        landscape = width_px > height_px
        pdf.add_page(orientation="L" if landscape else "P")
        box_w = pdf.w - 2 * _MARGIN
        box_h = pdf.h - 2 * _MARGIN - _CAPTION
        scale = min(box_w / width_px, box_h / height_px)
        w, h = width_px * scale, height_px * scale
        x = (pdf.w - w) / 2
        y = _MARGIN + (box_h - h) / 2
        info = pdf.image(embed, x=x, y=y, w=w, h=h)
        pdf.set_font_size(10.5)
        pdf.set_xy(_MARGIN, pdf.h - _MARGIN - _CAPTION + 3)
        pdf.multi_cell(box_w, 5, _fit_caption(pdf, caption, 2 * box_w - 20), align="C")
    return len(info.get("data") or b"") + len(info.get("smask") or b"")


def _upright_copy(upright: Image.Image, source_format: str | None, info: dict) -> Image.Image | io.BytesIO:
    """A turned photo to embed: a JPEG again (fpdf would store raw pixels, several times the size), else pixels."""
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    if source_format != "JPEG":
        return upright
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=90, icc_profile=info.get("icc_profile"))
    buffer.seek(0)
    return buffer


def _fit_caption(pdf, caption: str, width: float) -> str:
    """Shorten a caption to about two lines (titles can be very long)."""
    if pdf.get_string_width(caption) <= width:
        return caption
    while caption and pdf.get_string_width(caption + "…") > width:
        caption = caption[:-1]
    return caption + "…"
