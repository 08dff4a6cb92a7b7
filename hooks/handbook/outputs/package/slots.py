"""Part 1, 上传资料: one PDF (or the original OFD) per national upload slot, newest year first, a bookmark per document.

A slot is filled from the materials the checklist maps to it (``Material.slot``), with clean files only (see
selection.py: no 待核 file, never a restricted one) and, for a material whose time rule is ``review_year``
(推荐报告, 工作汇报: written for this review), only documents of the review year — a 2023 汇报 never goes
up for a 2026 review. PDFs are appended as they are, photos become captioned A4 pages, Word,
Excel and PowerPoint files go in as the PDF LibreOffice made of them, an OFD is uploaded as it is (its own
file: an OFD cannot be merged into a PDF).

A slot whose merged PDF would be larger than ``max_file_mb`` is split at document boundaries into
``NN-栏目之一.pdf``, ``之二`` …, each with its own bookmarks. A slot some of whose materials have no usable
file says which (``已生成（缺 09.1 控烟法规或规范性文件）``); a slot with nothing at all is 缺失, never an
empty PDF.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PasswordType, PdfReader, PdfWriter

from handbook.model import Archive, EvidenceFile, Kind, Level, Problem, Slot, Where
from handbook.outputs.package.convert import Failure
from handbook.outputs.package.fonts import CjkFont
from handbook.outputs.package.layout import Layout, years_label
from handbook.outputs.package.ofd import check_ofd
from handbook.outputs.package.pdfmerge import append_document, pdf_metadata
from handbook.outputs.package.photos import PhotoBatches, photo_caption
from handbook.model import IMAGE_TYPES
from handbook.outputs.package.selection import OFFICE_TYPES, file_kind, why_not_clean
from handbook.outputs.package.zipper import PackageError, ZipEntry, entry_for

log = logging.getLogger(__name__)

GENERATED = "已生成"
MISSING = "缺失"
SIZE_MARGIN = 0.95  # a group of documents is planned at 95 % of the limit: the merged PDF adds a little


def _slot_problem(path: str, code: str, message: str, fix: str) -> Problem:
    """A clean file that still could not go into its slot: a Problem placed at the file (EvidenceFile.path)."""
    return Problem(code, message, fix, Level.ERROR, Where(path))


@dataclass(slots=True)
class SlotFile:
    """One file to upload for a slot: the whole slot, or one part (之一, 之二 …) of it."""

    package_path: str
    pages: int
    size: int
    documents: list[str]
    over_limit: bool = False  # a single document bigger than the limit: cannot be split further


@dataclass(slots=True)
class SlotResult:
    key: str
    title: str  # as the slot is called for this city/county
    position: int  # 1-based order in the national list
    status: str  # 已生成 / 缺失
    materials: list[str] = field(default_factory=list)  # material ids mapped to the slot
    files: list[SlotFile] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)  # "09.1 控烟法规或规范性文件" (no usable file)
    problems: list[Problem] = field(default_factory=list)  # clean files that still could not go in
    converted: list[str] = field(default_factory=list)  # evidence paths that went in as LibreOffice PDFs
    restricted: list[str] = field(default_factory=list)  # evidence paths kept out: personal data
    review_year: int | None = None  # set when a material of the slot takes review-year documents only

    @property
    def missing(self) -> bool:
        return self.status == MISSING

    @property
    def status_text(self) -> str:
        if self.missing or not self.lacks:
            return self.status
        return f"{self.status}（缺 {'、'.join(self.lacks)}）"

    @property
    def package_path(self) -> str | None:
        return self.files[0].package_path if self.files else None

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def documents(self) -> list[str]:
        return [d for f in self.files for d in f.documents]

    @property
    def over_limit(self) -> list[SlotFile]:
        return [f for f in self.files if f.over_limit]


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


def bookmark(file: EvidenceFile) -> str:
    unit = file.unit or file.unit_raw or "未知单位"
    return f"{years_label(file.years)} {unit} {file.title or file.name}"


@dataclass(slots=True)
class _Doc:
    file: EvidenceFile
    path: Path
    page: int | None  # the page of a photo batch PDF; None: the whole document
    size: int  # what it adds to the slot, for the split


class SlotBuilder:
    """Builds every slot's file(s) into a staging folder and lists the zip entries they need."""

    def __init__(self, archive: Archive, layout: Layout, staging: Path, font: CjkFont, created: dt.datetime,
                 conversions: dict[str, Path | Failure]) -> None:
        self.archive, self.layout, self.staging = archive, layout, staging
        self.font, self.created, self.conversions = font, created, conversions
        self.kind: Kind = archive.project.plan.kind
        self.evidence_root = archive.evidence_root or archive.project.root / "evidence"
        self.max_bytes = archive.project.plan.max_file_mb * 1024 * 1024
        self.entries: list[ZipEntry] = []
        # Content marked restricted anywhere stays out, even as an unmarked copy.
        self.private = {f.sha256 for f in archive.files if f.restricted and f.sha256}

    def build_all(self) -> list[SlotResult]:
        return [self.build(slot, position) for slot, position in slots_in_order(self.archive)]

    def build(self, slot: Slot, position: int) -> SlotResult:
        result = SlotResult(key=slot.key, title=slot.title_for(self.kind), position=position, status=MISSING,
                            materials=slot_materials(self.archive, slot))
        self.review_year_only = {m for m in result.materials if self._material_rule(m) == "review_year"}
        if self.review_year_only:
            result.review_year = self.archive.project.plan.review_year
        photos = PhotoBatches(self.font, self.created, lambda: self._scratch(".pdf"))
        docs: list[_Doc] = []
        ofds: list[EvidenceFile] = []
        seen: set[str] = set()
        for file in slot_files(self.archive, result.materials):
            if not self._admit(file, result, seen):
                continue
            kind = file_kind(file)
            if kind == "ofd":
                ofds.append(file)
            elif (doc := self._prepare(file, kind, result, photos)) is not None:
                docs.append(doc)
        photos.close()
        docs = [d for d in docs if d.page is not None or self._opens(d, result)]
        fed = self._write_groups(docs, slot, position, result)
        fed |= self._write_ofds(ofds, slot, position, result, len(result.files))
        result.lacks = self._lacks(result, fed)
        if result.files:
            result.status = GENERATED
        return result

    def _admit(self, file: EvidenceFile, result: SlotResult, seen: set[str]) -> bool:
        """Clean, not restricted (nor a copy of restricted content), of the review year if need be, new content."""
        if why_not_clean(file):
            return False  # listed with its reason in the office's list
        if file.restricted or file.sha256 in self.private:
            result.restricted.append(file.path)
            return False
        if result.review_year and not self._of_the_right_year(file, result):
            return False
        if file.sha256 in seen:
            return False
        seen.add(file.sha256)
        return True

    def _material_rule(self, material_id: str) -> str:
        material = self.archive.project.standard.material(material_id)
        return material.time_rule if material else ""

    def _of_the_right_year(self, file: EvidenceFile, result: SlotResult) -> bool:
        """A file serving only review-year materials of the slot must be of the review year."""
        served = [m for m in file.materials if m in result.materials]
        if any(m not in self.review_year_only for m in served):
            return True
        return result.review_year in file.years

    def _prepare(self, file: EvidenceFile, kind: str, result: SlotResult, photos: PhotoBatches) -> _Doc | None:
        source = self.evidence_root / file.path
        if kind == "pdf":
            return _Doc(file, source, None, file.size)
        if kind in IMAGE_TYPES:
            try:
                path, page = photos.add(source, caption=photo_caption(file, source))
            except Exception as error:  # noqa: BLE001 — Pillow raises many types for damaged images
                result.problems.append(_slot_problem(file.path, "image-unreadable", f"图片无法读取（{error}）", "请重新导出图片后提交"))
                return None
            return _Doc(file, path, page, file.size)
        converted = self.conversions.get(file.path) if kind in OFFICE_TYPES else None
        if isinstance(converted, Path):
            result.converted.append(file.path)
            return _Doc(file, converted, None, converted.stat().st_size)
        reason = converted.reason if isinstance(converted, Failure) else f"{kind.upper()} 文件无法放入 PDF"
        result.problems.append(_slot_problem(file.path, "conversion-failed", f"转换为 PDF 失败：{reason}", "请另存为 PDF 后重新提交"))
        return None

    def _opens(self, doc: _Doc, result: SlotResult) -> bool:
        """Check a PDF opens; report a damaged or password-protected one instead of raising."""
        try:
            with open(doc.path, "rb") as handle:  # a stream, not a path: pypdf would read a path whole
                reader = PdfReader(handle, strict=False)
                if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                    result.problems.append(_slot_problem(doc.file.path, "pdf-encrypted", "PDF 设有打开密码", "请提交未加密的 PDF"))
                    return False
                if len(reader.pages) == 0:
                    result.problems.append(_slot_problem(doc.file.path, "pdf-empty", "PDF 没有页面", "请重新导出 PDF"))
                    return False
                for page in reader.pages:
                    _ = page.mediabox  # touches every page object: catches broken page trees early
        except Exception as error:  # noqa: BLE001 — pypdf raises PdfReadError, PdfStreamError, KeyError, ValueError …
            result.problems.append(_slot_problem(
                doc.file.path, "pdf-corrupt", f"PDF 已损坏或无法读取（{type(error).__name__}: {error}）", "请重新导出 PDF 后提交"))
            return False
        return True

    # ------------------------------------------------------------------ writing, split by size

    def _write_groups(self, docs: list[_Doc], slot: Slot, position: int, result: SlotResult) -> set[str]:
        groups = split_by_size(docs, int(self.max_bytes * SIZE_MARGIN))
        written: list[tuple[Path, list[str], int, bool]] = []
        fed: set[str] = set()
        while groups:
            group = groups.pop(0)
            merged = self._merge(group, result)
            if merged is None:
                continue
            path, titles, pages, kept = merged
            size = path.stat().st_size
            if size > self.max_bytes and len(kept) > 1:  # the estimate was short: halve this group, try again
                half = len(kept) // 2
                groups[:0] = [kept[:half], kept[half:]]
                continue
            written.append((path, titles, pages, size > self.max_bytes))
            fed.update(m for d in kept for m in d.file.materials)
        for number, (path, titles, pages, over) in enumerate(written, 1):
            part = number if len(written) > 1 else 0
            self._add_file(result, slot, position, path, part, ".pdf", pages, titles, over)
        return fed

    def _merge(self, group: list[_Doc], result: SlotResult) -> tuple[Path, list[str], int, list[_Doc]] | None:
        """One PDF of ``group``, a bookmark per document; a document pypdf fails on is dropped and reported."""
        while group:
            with ExitStack() as stack:
                spool = stack.enter_context(tempfile.TemporaryFile(dir=self.staging))
                batches: dict[Path, PdfReader] = {}
                writer, failed, titles = PdfWriter(), None, []
                for doc in group:
                    try:
                        if doc.page is not None and doc.path not in batches:
                            batches[doc.path] = PdfReader(stack.enter_context(open(doc.path, "rb")), strict=False)
                        append_document(writer, doc.path, doc.page, bookmark(doc.file), spool, batches.get(doc.path))
                        titles.append(bookmark(doc.file))
                    except Exception as exc:  # noqa: BLE001 — pypdf raises many types on damaged files
                        failed = (doc, exc)
                        break
                if failed is None:
                    target = self._scratch(".pdf")
                    writer.add_metadata(pdf_metadata(f"{self.archive.project.plan.city} {result.title}", self.created))
                    writer.page_mode = "/UseOutlines"  # open with the bookmarks panel
                    with target.open("wb") as handle:
                        writer.write(handle)
                    return target, titles, len(writer.pages), group
            doc, error = failed
            result.problems.append(_slot_problem(doc.file.path, "pdf-merge-failed", f"PDF 合并时出错（{error}）", "请重新导出 PDF 后提交"))
            group = [d for d in group if d is not doc]
        return None

    def _write_ofds(self, ofds: list[EvidenceFile], slot: Slot, position: int, result: SlotResult, after: int) -> set[str]:
        """Each OFD is uploaded as it is, as the next part of the slot (an OFD cannot join a PDF)."""
        fed: set[str] = set()
        usable = []
        for file in ofds:
            info = check_ofd(self.evidence_root / file.path)
            if info.ok:
                usable.append((file, info))
            else:
                result.problems.append(_slot_problem(file.path, "ofd-unreadable", info.error, "请重新导出 OFD 或 PDF 后提交"))
        if after == 1 and usable:  # the slot's single PDF becomes 之一 now that more files follow
            self._renumber_first(result, slot, position)
        for number, (file, info) in enumerate(usable, after + 1):
            part = number if after + len(usable) > 1 else 0
            self._add_file(result, slot, position, self.evidence_root / file.path, part, ".ofd", info.pages,
                           [bookmark(file)], file.size > self.max_bytes, file=file)
            fed.update(file.materials)
        return fed

    def _renumber_first(self, result: SlotResult, slot: Slot, position: int) -> None:
        first, entry = result.files[0], self.entries.pop()
        first.package_path = self.layout.slot_file(slot, position, self.kind, 1)
        self.entries.append(ZipEntry(first.package_path, entry.source, entry.size, entry.sha256, entry.crc32))

    def _add_file(self, result: SlotResult, slot: Slot, position: int, path: Path, part: int, ext: str, pages: int,
                  titles: list[str], over: bool, *, file: EvidenceFile | None = None) -> None:
        try:
            arcname = self.layout.slot_file(slot, position, self.kind, part, ext)
        except ValueError as error:
            raise PackageError(f"上传栏目《{result.title}》的包内路径过长（{error}）"
                               "— 请缩短 standards/local/city.yml 中的城市名后重新打包") from error
        if file is not None:
            self.entries.append(ZipEntry(arcname, path, file.size, file.sha256, file.crc32))
        else:
            self.entries.append(entry_for(arcname, path))
        result.files.append(SlotFile(arcname, pages, self.entries[-1].size, titles, over))

    def _lacks(self, result: SlotResult, fed: set[str]) -> list[str]:
        standard = self.archive.project.standard
        lacks = []
        for mid in result.materials:
            if mid in fed:
                continue
            material = standard.material(mid)
            text = f"{mid} {material.title}" if material else mid
            lacks.append(f"{text}（{result.review_year} 年）" if mid in self.review_year_only else text)
        return lacks

    def _scratch(self, suffix: str) -> Path:
        handle, name = tempfile.mkstemp(dir=self.staging, suffix=suffix)
        os.close(handle)
        return Path(name)


def split_by_size(docs: list[_Doc], budget: int) -> list[list[_Doc]]:
    """Consecutive groups of documents, each estimated under ``budget`` bytes (a document is never cut)."""
    groups: list[list] = []
    used = 0
    for doc in docs:
        if not groups or (used + doc.size > budget and groups[-1]):
            groups.append([])
            used = 0
        groups[-1].append(doc)
        used += doc.size
    return groups
