"""The national 资料评估 upload slots: one merged PDF per slot, newest year first, a bookmark per document.

A slot is filled from the materials the checklist maps to it (``Material.slot``). PDFs are appended as they
are, images become captioned A4 pages, office files go through LibreOffice when it is installed and are
otherwise copied beside the PDF as "待转换PDF". A damaged or password-protected PDF is reported and left out
of the merge; it never stops the build. A slot with nothing to merge is reported missing, never produced
empty.

The slot PDFs go to the national upload system, so some files stay out of them (they remain in the per-item
folders for the reviewers): restricted files (personal data), files with an error to fix first, and a second
copy of content already in the slot.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from PIL import Image, ImageOps
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, NumberObject, StreamObject

if TYPE_CHECKING:
    from fpdf import FPDF

from handbook.model import Archive, EvidenceFile, Kind, Level, Problem, Slot
from handbook.outputs.package.convert import Failure, OfficeConverter
from handbook.outputs.package.fonts import CjkFont, new_pdf
from handbook.outputs.package.layout import Layout, years_label
from handbook.outputs.package.zipper import PackageError, ZipEntry, entry_for

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"})
OFFICE_TYPES = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "wps", "et"})
# fpdf holds every embedded image in memory until output(): photos go into temporary PDFs of about this much
# image data each, so memory stays flat however many photos a slot has (each batch loads the font, ~0.5 s).
PHOTO_BATCH_BYTES = 32 * 1024 * 1024
# Contents that are neither a document nor an image (what is wrong, what to do): reported, never copied to
# the upload folder as if a conversion could help.
UNREADABLE = {
    "empty": ("文件是空的（0 字节）", "请重新提交完整的文件（多半是上传或复制时出错）"),
    "unknown": ("文件内容无法识别（不是 PDF、图片或 Office 文档）", "请用原文件重新导出为 PDF 后提交"),
    "zip-broken": ("文件已损坏（压缩结构不完整，多半是上传或复制时中断）", "请用原软件重新保存或导出为 PDF 后提交"),
}
# Errors the package resolves itself (it converts other formats, renames every file short and Windows-safe),
# so they do not keep a file out of its slot.
FIXED_BY_PACKAGE = frozenset({"format-not-accepted", "windows-unsafe-name", "path-too-long"})
_TYPE_NAMES = {"text": "纯文本", "ole": "旧版 Office"}
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
    held: bool = False  # left out on purpose (待核: an error to fix first, or repeated content), not broken
    note: str = ""  # shorter text for the file's own 状态 cell when the message repeats what it already says


@dataclass(slots=True)
class Unconverted:
    evidence_path: str
    package_path: str  # where the copy sits inside the zip
    reason: str
    uploadable: bool = False  # OFD: the upload system takes it as it is; only the merged PDF cannot


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
    restricted: list[str] = field(default_factory=list)  # evidence paths kept out: personal data
    note: str = ""  # e.g. over the upload size limit

    @property
    def missing(self) -> bool:
        return self.status == MISSING

    @property
    def held(self) -> list[SlotProblem]:
        """Files left out until their problem is fixed (待核，未并入)."""
        return [p for p in self.problems if p.held]

    @property
    def failed(self) -> list[SlotProblem]:
        """Files that could not be merged (damaged, encrypted, unreadable)."""
        return [p for p in self.problems if not p.held]


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
    """What the content is: the sniffed type (including "empty" and "unknown"), else the extension."""
    sniffed = (file.filetype or "").lower()
    ext = PurePosixPath(file.name).suffix.lower().lstrip(".")
    if sniffed == "jpeg":
        return "jpg"
    if sniffed == "ole":  # .doc, .xls, .ppt, .wps and .et share one container: the extension says which
        return ext if ext in OFFICE_TYPES else "doc"
    return sniffed or ext or "unknown"


def bookmark(file: EvidenceFile) -> str:
    unit = file.unit or file.unit_raw or "未知单位"
    return f"{years_label(file.years)} {unit} {file.title or file.name}"


def _problem_text(file: EvidenceFile, problem: Problem) -> str:
    """The problem without the scan's leading "path：" (the slot's message names the file already)."""
    return problem.message.removeprefix(f"{file.path}：")


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
        # Content marked restricted anywhere stays out, even as an unmarked copy: sha256 → the restricted file.
        self.private = {f.sha256: f.path for f in archive.files if f.restricted and f.sha256}

    def build_all(self) -> list[SlotResult]:
        order = slots_in_order(self.archive)
        self._convert_all(order)
        return [self.build(slot, position) for slot, position in order]

    def _convert_all(self, order: list[tuple[Slot, int]]) -> None:
        """Every office file the slots may take, converted by LibreOffice in batches (not one process a file)."""
        self.conversions: dict[Path, Path | Failure] = {}
        if not self.converter:
            return
        wanted = []
        for slot, _ in order:
            for file in slot_files(self.archive, slot_materials(self.archive, slot)):
                kind = file_kind(file)
                if file.readable and not file.restricted and kind in OFFICE_TYPES:
                    wanted.append((self.evidence_root / file.path, kind))
        if wanted:
            converter = OfficeConverter(self.converter, self.staging, self.created)
            self.conversions = converter.convert(wanted)

    def build(self, slot: Slot, position: int) -> SlotResult:
        title = slot.title_for(self.kind)
        materials = slot_materials(self.archive, slot)
        result = SlotResult(key=slot.key, title=title, position=position, status=MISSING, materials=materials)
        photos = _PhotoBatches(self.font, self.created, lambda: self._scratch(".pdf"))
        taken: dict[str, EvidenceFile] = {}  # sha256 → the file that brought this content into the slot
        parts: list[tuple[EvidenceFile, Path, int | None]] = []
        for file in slot_files(self.archive, materials):
            if not self._admit(file, result, taken):
                continue
            part = self._prepare(file, slot, position, result, photos)
            if part is not None:
                parts.append((file, *part))
        photos.close()
        if parts:
            self._merge(parts, slot, position, result)
        if result.package_path:
            result.status = GENERATED
        elif result.unconverted:
            result.status = CONVERSION
        return result

    # ------------------------------------------------------------------ one source document

    def _admit(self, file: EvidenceFile, result: SlotResult, taken: dict[str, EvidenceFile]) -> bool:
        """Whether the file may go to the upload system: readable, not restricted, no error, new content."""
        if not file.readable:  # a link or special file: never followed (listed in the indexes with its problem)
            return False
        if file.restricted:  # personal data stays with the reviewers, out of the national upload
            result.restricted.append(file.path)
            return False
        errors = [p for p in file.problems if p.level is Level.ERROR and p.code not in FIXED_BY_PACKAGE]
        if errors:
            reasons = "；".join(_problem_text(file, p) for p in errors)
            result.problems.append(SlotProblem(
                file.path, f"待核，未并入《{result.title}》：{reasons} — {errors[0].fix or '改正后重新打包'}",
                held=True, note=f"待核，未并入《{result.title}》：先改正上述问题，再重新打包"))
            return False
        if file.sha256 in self.private:
            result.problems.append(SlotProblem(
                file.path, f"待核，未并入《{result.title}》：与受限文件 {self.private[file.sha256]} 内容完全相同（含个人信息）"
                " — 在本文件的说明文件中也写 restricted: true，或删除这份重复的文件", held=True))
            return False
        first = taken.setdefault(file.sha256, file)
        if first is not file:
            result.problems.append(SlotProblem(
                file.path, f"待核，未并入《{result.title}》：与已并入的 {first.path} 内容完全相同，同一内容只并入一次"
                " — 同一份文件只保留一份，删除重复的那个", held=True))
            return False
        return True

    def _prepare(self, file: EvidenceFile, slot: Slot, position: int, result: SlotResult,
                 photos: _PhotoBatches) -> tuple[Path, int | None] | None:
        """(PDF to append, None) or (photo batch PDF, its page); None when reported or copied for conversion."""
        source = self.evidence_root / file.path
        kind = file_kind(file)
        if kind in UNREADABLE:
            what, fix = UNREADABLE[kind]
            result.problems.append(SlotProblem(file.path, f"{what}，未并入《{result.title}》— {fix}"))
            return None
        if kind == "pdf":
            return source, None
        if kind in IMAGE_TYPES:
            return self._photo_page(file, source, result, photos)
        if self.converter and kind in OFFICE_TYPES:
            converted = self._convert(source)
            if converted is not None:
                result.converted.append(file.path)
                return converted, None
            failure = self.conversions.get(source)
            reason = (f"LibreOffice 转换失败：{failure.reason} — {failure.fix}" if isinstance(failure, Failure)
                      else "LibreOffice 转换失败，请手工另存为 PDF")
        elif kind in OFFICE_TYPES:
            reason = "本机未安装 LibreOffice（soffice），请另存为 PDF 后重新提交"
        elif kind == "ofd":
            reason = ("OFD 文件可按原样上传国家系统，但无法并入合并 PDF，已原样放在合并 PDF 旁的“待转换PDF”文件夹；"
                      "若要并入合并 PDF，请另存为 PDF")
        else:
            shown = _TYPE_NAMES.get(kind, kind.upper())
            reason = f"上传系统只接受 PDF 或 OFD，{shown} 文件无法并入合并 PDF，请转换为 PDF 后重新提交"
        self._copy_unconverted(file, source, slot, position, result, reason, uploadable=kind == "ofd")
        return None

    def _copy_unconverted(self, file: EvidenceFile, source: Path, slot: Slot, position: int,
                          result: SlotResult, reason: str, *, uploadable: bool = False) -> None:
        name = self.evidence_names.get(file.path, file.name)
        try:
            arcname = self.layout.slot_unconverted(slot, position, self.kind, name)
        except ValueError as error:
            raise PackageError(f"evidence/{file.path}：放入《{result.title}》的“待转换PDF”文件夹时包内路径过长（{error}）"
                               "— 请缩短文件名中的标题后重新打包") from error
        if any(u.package_path == arcname for u in result.unconverted):
            return
        self.entries.append(ZipEntry(arcname, source, file.size, file.sha256, file.crc32))
        result.unconverted.append(Unconverted(file.path, arcname, reason, uploadable))

    def _photo_page(self, file: EvidenceFile, source: Path, result: SlotResult,
                    photos: _PhotoBatches) -> tuple[Path, int] | None:
        try:
            return photos.add(source, caption=bookmark(file))
        except Exception as error:  # noqa: BLE001 — Pillow raises many types for damaged images
            log.warning("图片无法读取：%s：%s", file.path, error)
            result.problems.append(SlotProblem(file.path, f"图片无法读取（{error}），未并入《{result.title}》— 请重新导出图片后提交"))
            return None

    def _convert(self, source: Path) -> Path | None:
        converted = self.conversions.get(source)
        if isinstance(converted, Failure):
            log.warning("LibreOffice 转换失败：%s：%s", source, converted.reason)
            return None
        return converted

    # ------------------------------------------------------------------ the merge

    def _merge(self, parts: list[tuple[EvidenceFile, Path, int | None]], slot: Slot, position: int,
               result: SlotResult) -> None:
        """Append each document (a photo is one page of a photo batch PDF) under its own bookmark.

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
                photos: dict[Path, PdfReader] = {}  # each photo batch, opened once: its font is copied once
                writer, failed, documents = PdfWriter(), None, []
                for file, path, page in readable:
                    try:
                        if page is not None and path not in photos:
                            photos[path] = PdfReader(stack.enter_context(open(path, "rb")), strict=False)
                        _append(writer, path, page, bookmark(file), spool, photos.get(path))
                        documents.append(bookmark(file))
                    except Exception as exc:  # noqa: BLE001  (pypdf raises many types on damaged files)
                        failed = (file, path, page, exc)
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
        try:
            result.package_path = self.layout.slot_pdf(slot, position, self.kind)
        except ValueError as error:
            raise PackageError(f"上传栏目《{result.title}》的合并 PDF 包内路径过长（{error}）"
                               "— 请缩短 standards/local/city.yml 中的城市名后重新打包") from error
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
        except Exception as error:  # noqa: BLE001 — pypdf raises PdfReadError, PdfStreamError, KeyError, ValueError …
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
        writer.append(reader, outline_item=title, pages=(page or 0, (page or 0) + 1))
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


class _PhotoBatches:
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
        pdf, path = self.pdf, self.path
        if pdf is None or path is None:
            pdf, path = self._start()
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
