"""The national 资料评估 upload slots: one merged PDF per slot, newest year first, a bookmark per document.

A slot is filled from the materials the checklist maps to it (``Material.slot``). PDFs are appended as they
are, images become captioned A4 pages, office files go through LibreOffice when it is installed and are
otherwise copied beside the PDF as "待转换PDF". A damaged or password-protected PDF is reported and left out
of the merge; it never stops the build. A slot with nothing to merge is reported missing, never produced
empty.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from PIL import Image, ImageOps
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

from handbook.model import Archive, EvidenceFile, Kind, Slot
from handbook.package.fonts import CjkFont, new_pdf
from handbook.package.layout import Layout, years_label
from handbook.package.zipper import ZipEntry, entry_for

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"})
OFFICE_TYPES = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "wps", "et"})
CONVERT_TIMEOUT = 180  # seconds per document
SPOOL_MIN = 256 * 1024  # streams at least this big wait on disk, not in memory, until the slot PDF is written
CHUNK = 1 << 20

# Slot statuses shown in the index and on the site.
GENERATED = "已生成"
MISSING = "缺失"
CONVERSION = "待转换"


@dataclass(slots=True)
class SlotProblem:
    evidence_path: str  # EvidenceFile.path
    message: str  # Chinese: what is wrong and what to do


@dataclass(slots=True)
class Unconverted:
    evidence_path: str
    package_path: str  # where the copy sits inside the zip
    reason: str


@dataclass(slots=True)
class SlotResult:
    key: str
    title: str  # as the slot is called for this city/county
    position: int  # 1-based order in the national list
    status: str  # 已生成 / 待转换 / 缺失
    materials: list[str] = field(default_factory=list)  # material ids mapped to the slot
    package_path: str | None = None  # the merged PDF inside the zip
    pages: int = 0
    size: int = 0
    documents: list[str] = field(default_factory=list)  # bookmark titles, in order
    problems: list[SlotProblem] = field(default_factory=list)
    unconverted: list[Unconverted] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)  # evidence paths turned into PDF by LibreOffice
    note: str = ""  # e.g. over the upload size limit

    @property
    def missing(self) -> bool:
        return self.status == MISSING


def slots_in_order(archive: Archive) -> list[tuple[Slot, int]]:
    """The slots of this city's set (城市 or 县), in national order, numbered from 1."""
    kind = archive.project.plan.kind
    chosen = [s for s in archive.project.standard.slots.values() if kind in s.kinds]
    chosen.sort(key=lambda s: (s.order, s.key))
    return [(slot, n) for n, slot in enumerate(chosen, 1)]


def slot_materials(archive: Archive, slot: Slot) -> list[str]:
    return [m.id for m in archive.project.standard.materials if m.slot == slot.key]


def slot_files(archive: Archive, materials: list[str]) -> list[EvidenceFile]:
    """Files serving any of the slot's materials, newest year first."""
    wanted = set(materials)
    files = [f for f in archive.files if wanted.intersection(f.materials)]
    return sorted(files, key=lambda f: (-max(f.years, default=0), f.material or "", f.unit or "", f.title, f.path))


def file_kind(file: EvidenceFile) -> str:
    """What the content is: the sniffed type, else the extension (so a broken '.pdf' is still tried as PDF)."""
    sniffed = (file.filetype or "").lower()
    if sniffed and sniffed != "unknown":
        return "jpg" if sniffed == "jpeg" else sniffed
    return PurePosixPath(file.name).suffix.lower().lstrip(".") or "unknown"


def bookmark(file: EvidenceFile) -> str:
    unit = file.unit or file.unit_raw or "未知单位"
    return f"{years_label(file.years)} {unit} {file.title or file.name}"


def find_converter() -> str | None:
    """LibreOffice's command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


class SlotBuilder:
    """Builds every slot's PDF into a staging folder and lists the zip entries they need."""

    def __init__(self, archive: Archive, layout: Layout, staging: Path, font: CjkFont, created: dt.datetime,
                 evidence_names: dict[str, str], converter: str | None = None) -> None:
        self.archive = archive
        self.layout = layout
        self.staging = staging
        self.font = font
        self.created = created
        self.evidence_names = evidence_names  # evidence path → its renamed file name in the package
        self.converter = converter
        self.kind: Kind = archive.project.plan.kind
        self.evidence_root = archive.evidence_root or archive.project.root / "evidence"
        self.max_bytes = archive.project.plan.max_file_mb * 1024 * 1024
        self.entries: list[ZipEntry] = []

    def build_all(self) -> list[SlotResult]:
        return [self.build(slot, position) for slot, position in slots_in_order(self.archive)]

    def build(self, slot: Slot, position: int) -> SlotResult:
        title = slot.title_for(self.kind)
        materials = slot_materials(self.archive, slot)
        result = SlotResult(key=slot.key, title=title, position=position, status=MISSING, materials=materials)
        parts: list[tuple[EvidenceFile, Path | int]] = []
        images = _ImagePages(self.font, self.created)  # every photo of the slot, one page each, one font load
        for file in slot_files(self.archive, materials):
            part = self._prepare(file, slot, position, result, images)
            if part is not None:
                parts.append((file, part))
        if parts:
            pages = images.write(self._scratch(".pdf")) if images.count else None
            self._merge([(f, pages if isinstance(p, int) else p, p if isinstance(p, int) else None) for f, p in parts],
                        slot, position, result)
        if result.package_path:
            result.status = GENERATED
        elif result.unconverted:
            result.status = CONVERSION
        return result

    # ------------------------------------------------------------------ one source document

    def _prepare(self, file: EvidenceFile, slot: Slot, position: int, result: SlotResult,
                 images: _ImagePages) -> Path | int | None:
        """A PDF path ready to append, a page of ``images``, or None (the file is reported or copied for conversion)."""
        source = self.evidence_root / file.path
        if not file.readable:  # a link or special file: never followed
            return None
        kind = file_kind(file)
        if kind == "pdf":
            return source
        if kind in IMAGE_TYPES:
            return self._image_page(file, source, result, images)
        if self.converter and kind in OFFICE_TYPES:
            converted = self._convert(source)
            if converted is not None:
                result.converted.append(file.path)
                return converted
            reason = "LibreOffice 转换失败，请手工另存为 PDF"
        elif kind in OFFICE_TYPES:
            reason = "本机未安装 LibreOffice（soffice），请另存为 PDF 后重新提交"
        else:
            reason = f"上传系统只接受 PDF 或 OFD，{kind.upper()} 文件无法并入合并 PDF，请转换为 PDF 后重新提交"
        self._copy_unconverted(file, source, slot, position, result, reason)
        return None

    def _copy_unconverted(self, file: EvidenceFile, source: Path, slot: Slot, position: int,
                          result: SlotResult, reason: str) -> None:
        name = self.evidence_names.get(file.path, file.name)
        arcname = self.layout.slot_unconverted(slot, position, self.kind, name)
        if any(u.package_path == arcname for u in result.unconverted):
            return
        self.entries.append(ZipEntry(arcname, source, file.size, file.sha256, file.crc32))
        result.unconverted.append(Unconverted(file.path, arcname, reason))

    def _image_page(self, file: EvidenceFile, source: Path, result: SlotResult, images: _ImagePages) -> int | None:
        try:
            return images.add(source, caption=bookmark(file))
        except Exception as error:  # Pillow raises many types for damaged images
            log.warning("图片无法读取：%s：%s", file.path, error)
            result.problems.append(SlotProblem(file.path, f"图片无法读取（{error}），未并入《{result.title}》— 请重新导出图片后提交"))
            return None

    def _convert(self, source: Path) -> Path | None:
        outdir = Path(tempfile.mkdtemp(dir=self.staging, prefix="convert-"))
        profile = (self.staging / "lo-profile").resolve().as_uri()
        command = [self.converter, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(outdir), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as error:
            log.warning("LibreOffice 转换失败：%s：%s", source, error)
            return None
        produced = sorted(outdir.glob("*.pdf"))
        return produced[0] if produced else None

    # ------------------------------------------------------------------ the merge

    def _merge(self, parts: list[tuple[EvidenceFile, Path, int | None]], slot: Slot, position: int,
               result: SlotResult) -> None:
        """Append each document (a photo is one page of the slot's image PDF) under its own bookmark.

        Memory stays flat however big the slot: each document is read from an open file (not loaded whole),
        and its large streams are moved to a spool file as soon as it is appended, to be copied back in
        chunks when the slot PDF is written.
        """
        readable = [(file, path, page) for file, path, page in parts
                    if page is not None or self._open(file, path, result)]
        # pypdf may still fail half-way through an append; drop that document and start the slot again so
        # that no half-appended pages remain.
        while readable:
            with ExitStack() as stack:
                spool = stack.enter_context(tempfile.TemporaryFile(dir=self.staging))
                photos: dict[Path, PdfReader] = {}  # the image PDF, opened once: its font is copied once
                writer, failed, documents = PdfWriter(), None, []
                for file, path, page in readable:
                    try:
                        if page is not None and path not in photos:
                            photos[path] = PdfReader(stack.enter_context(open(path, "rb")), strict=False)
                        _append(writer, path, page, bookmark(file), spool, photos.get(path))
                        documents.append(bookmark(file))
                    except Exception as error:  # pypdf raises many types on damaged files
                        failed = (file, path, page, error)
                        break
                if failed is None:
                    self._write_slot(writer, documents, slot, position, result)
                    return
            file, path, page, error = failed
            result.problems.append(SlotProblem(file.path, f"PDF 合并时出错（{error}），未并入《{result.title}》— 请重新导出 PDF 后提交"))
            readable = [(f, p, n) for f, p, n in readable if (p, n) != (path, page)]

    def _write_slot(self, writer: PdfWriter, documents: list[str], slot: Slot, position: int, result: SlotResult) -> None:
        target = self._scratch(".pdf")
        writer.add_metadata(pdf_metadata(f"{self.archive.project.plan.city} {result.title}", self.created))
        writer.page_mode = "/UseOutlines"  # open with the bookmarks panel
        with target.open("wb") as handle:
            writer.write(handle)
        result.package_path = self.layout.slot_pdf(slot, position, self.kind)
        result.pages = len(writer.pages)
        result.size = target.stat().st_size
        result.documents = documents
        if result.size > self.max_bytes:
            result.note = (f"合并后 {result.size / 1048576:.1f} MB，超过 {self.max_bytes // 1048576} MB 的上传限制"
                           "（city.yml 的 max_file_mb）— 请压缩图片或拆分上传")
        self.entries.append(entry_for(result.package_path, target))

    def _open(self, file: EvidenceFile, path: Path, result: SlotResult) -> bool:
        """Check a PDF opens; report a damaged or password-protected one instead of raising."""
        try:
            with open(path, "rb") as handle:  # a stream, not a path: pypdf would read a path whole
                reader = PdfReader(handle, strict=False)
                if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                    result.problems.append(SlotProblem(
                        file.path, f"PDF 设有打开密码，无法并入《{result.title}》— 请提交未加密的 PDF"))
                    return False
                if len(reader.pages) == 0:
                    result.problems.append(SlotProblem(file.path, f"PDF 没有页面，未并入《{result.title}》— 请重新导出 PDF"))
                    return False
                for page in reader.pages:
                    _ = page.mediabox  # touches every page object: catches broken page trees early
        except Exception as error:  # pypdf raises PdfReadError, PdfStreamError, KeyError, ValueError …
            result.problems.append(SlotProblem(
                file.path, f"PDF 已损坏或无法读取（{type(error).__name__}: {error}），未并入《{result.title}》"
                "— 请重新导出 PDF 后提交"))
            return False
        return True

    def _scratch(self, suffix: str) -> Path:
        handle, name = tempfile.mkstemp(dir=self.staging, suffix=suffix)
        os.close(handle)
        return Path(name)


def _append(writer: PdfWriter, path: Path, page: int | None, title: str, spool: BinaryIO,
            reader: PdfReader | None = None) -> None:
    """Append one document (or one page of ``reader``), then spool its large streams to disk."""
    first_new = len(writer._objects)
    if reader is not None:
        writer.append(reader, outline_item=title, pages=(page, page + 1))
        _spool_streams(writer, first_new, spool)
        reader.resolved_objects.clear()  # its parsed objects (image bytes) are in the writer or the spool now
        return
    with open(path, "rb") as handle:  # a stream, not a path: pypdf would read a path whole
        reader = PdfReader(handle, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        writer.append(reader, outline_item=title)
        _spool_streams(writer, first_new, spool)
        # The writer keeps every source reader alive (and with it each parsed stream); this one is done with.
        getattr(writer, "_id_translated", {}).pop(id(reader), None)
        reader.resolved_objects.clear()


def _spool_streams(writer: PdfWriter, first: int, spool: BinaryIO) -> None:
    """Swap the big streams appended since object ``first`` for stand-ins that read them back when written."""
    objects = writer._objects
    for index in range(first, len(objects)):
        stream = objects[index]
        if isinstance(stream, StreamObject) and not isinstance(stream, _SpooledStream):
            data = stream._data
            if len(data) >= SPOOL_MIN:
                objects[index] = _SpooledStream(stream, spool, len(data))
                spool.seek(0, os.SEEK_END)
                spool.write(data)


class _SpooledStream(StreamObject):
    """A stream whose bytes wait in the spool file; written out in 1 MiB chunks, never held whole."""

    def __init__(self, original: StreamObject, spool: BinaryIO, length: int) -> None:
        super().__init__()
        self.update(original)
        self.indirect_reference = original.indirect_reference
        spool.seek(0, os.SEEK_END)
        self._spool, self._offset, self._length = spool, spool.tell(), length
        self._data = b""

    def write_to_stream(self, stream, *args, **kwargs) -> None:
        self[NameObject("/Length")] = NumberObject(self._length)
        DictionaryObject.write_to_stream(self, stream)
        del self["/Length"]
        stream.write(b"\nstream\n")
        self._spool.seek(self._offset)
        remaining = self._length
        while remaining:
            chunk = self._spool.read(min(CHUNK, remaining))
            if not chunk:
                raise OSError("spooled PDF stream ended early")
            stream.write(chunk)
            remaining -= len(chunk)
        stream.write(b"\nendstream")


def pdf_date(moment: dt.datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"D:{moment.strftime('%Y%m%d%H%M%S')}{offset[:3]}'{offset[3:]}'"


def pdf_metadata(title: str, created: dt.datetime) -> dict[str, str]:
    stamp = pdf_date(created)
    return {"/Title": title, "/Producer": "handbook", "/Creator": "handbook", "/CreationDate": stamp, "/ModDate": stamp}


# --------------------------------------------------------------------------- images → A4 pages

_MARGIN = 15.0  # mm
_CAPTION = 16.0  # mm reserved under the image for the caption


class _ImagePages:
    """Photos of one slot as captioned A4 pages of one PDF: the CJK font is loaded once, not once a photo."""

    def __init__(self, font: CjkFont, created: dt.datetime) -> None:
        self.font, self.created = font, created
        self.pdf = None
        self.count = 0

    def add(self, source: Path, *, caption: str) -> int:
        """Add ``source`` as the next page; its 0-based page number. Raises on an unreadable image."""
        with Image.open(source) as opened:
            opened.load()  # a damaged image fails here, before a page is added
        if self.pdf is None:
            self.pdf = new_pdf(self.font, self.created, title="")
            self.pdf.set_auto_page_break(False)  # one image, one page, whatever the caption
        _image_page(self.pdf, source, caption)
        self.count += 1
        return self.count - 1

    def write(self, target: Path) -> Path:
        self.pdf.output(str(target))
        return target


def image_to_a4(source: Path, target: Path, *, caption: str, font: CjkFont, created: dt.datetime) -> None:
    """One A4 page per image, turned upright from EXIF, orientation following the image, captioned."""
    pdf = new_pdf(font, created, title=caption)
    pdf.set_auto_page_break(False)
    _image_page(pdf, source, caption)
    pdf.output(str(target))


def _image_page(pdf, source: Path, caption: str) -> None:
    with Image.open(source) as opened:
        orientation = opened.getexif().get(0x0112, 1)
        upright = ImageOps.exif_transpose(opened) if orientation not in (None, 1) else opened
        upright.load()
        width_px, height_px = upright.size
        # Untouched JPEG/PNG files are embedded as they are (no re-encoding); rotated ones are re-encoded.
        embed = str(source) if upright is opened else upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
        landscape = width_px > height_px
        pdf.add_page(orientation="L" if landscape else "P")
        box_w = pdf.w - 2 * _MARGIN
        box_h = pdf.h - 2 * _MARGIN - _CAPTION
        scale = min(box_w / width_px, box_h / height_px)
        w, h = width_px * scale, height_px * scale
        x = (pdf.w - w) / 2
        y = _MARGIN + (box_h - h) / 2
        pdf.image(embed, x=x, y=y, w=w, h=h)
        pdf.set_font_size(10.5)
        pdf.set_xy(_MARGIN, pdf.h - _MARGIN - _CAPTION + 3)
        pdf.multi_cell(box_w, 5, _fit_caption(pdf, caption, 2 * box_w - 20), align="C")


def _fit_caption(pdf, caption: str, width: float) -> str:
    """Shorten a caption to about two lines (titles can be very long)."""
    if pdf.get_string_width(caption) <= width:
        return caption
    while caption and pdf.get_string_width(caption + "…") > width:
        caption = caption[:-1]
    return caption + "…"
