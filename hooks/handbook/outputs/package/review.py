"""Part 2, 评审资料: the documents reviewers read, one per clean evidence file (photos: one per material and year).

A PDF or an OFD goes in as it is (an OFD is checked first: pages, signature); a Word, Excel or PowerPoint file
goes in as the PDF LibreOffice made of it; the photos of one material and year become one PDF with a
caption under each (title, unit, date). What cannot go in (a failed conversion, a broken OFD, an unreadable
photo) is returned as a :class:`~handbook.outputs.package.selection.LeftOut` for the office's list.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from handbook.model import Archive, EvidenceFile, Material
from handbook.outputs.package.convert import NOT_INSTALLED, Failure, family
from handbook.outputs.package.fonts import CjkFont, subset_for
from handbook.outputs.package.layout import (
    UNLISTED_MATERIAL,
    UNSORTED_DIR,
    Layout,
    _file_order,
    _folder_order,
    _named,
    unique_names,
    years_label,
)
from handbook.outputs.package.ofd import check_ofd
from handbook.outputs.package.photos import photo_caption, write_photo_pdf
from handbook.model import IMAGE_TYPES
from handbook.outputs.package.selection import OFFICE_TYPES, LeftOut, file_kind
from handbook.outputs.package.zipper import ZipEntry, entry_for

log = logging.getLogger(__name__)

PART = "评审资料"


@dataclass(slots=True)
class ReviewDoc:
    """One document of part 2: what the reviewer opens, and the evidence file(s) it came from."""

    sources: list[EvidenceFile]
    folders: tuple[str, ...]
    material: Material | None
    arcname: str = ""
    relpath: str = ""
    entry: ZipEntry | None = None
    pages: int | None = None
    how: str = ""  # "由 Word 转换", "由 5 张照片合并", "OFD 原件，含电子签章" …
    seq: int = 0  # 序号 in the 总目录

    @property
    def zip_entry(self) -> ZipEntry:
        """The entry of a kept document (every kept document has one: _fill and _photo_doc set it)."""
        if self.entry is None:
            raise RuntimeError(f"评审资料文档没有内容：{self.file.path}")
        return self.entry

    @property
    def file(self) -> EvidenceFile:
        return self.sources[0]

    @property
    def restricted(self) -> bool:
        return any(f.restricted for f in self.sources)

    @property
    def title(self) -> str:
        if len(self.sources) > 1:
            return f"{self.material.title if self.material else '照片'}（照片 {len(self.sources)} 张）"
        return self.file.title or self.file.name

    @property
    def unit(self) -> str:
        units = list(dict.fromkeys(f.unit or f.unit_raw for f in self.sources if f.unit or f.unit_raw))
        return "、".join(units)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({y for f in self.sources for y in f.years}))


@dataclass(slots=True)
class ReviewSet:
    docs: list[ReviewDoc] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    converted: list[tuple[EvidenceFile, str]] = field(default_factory=list)  # (original, "Word" …)
    failed: list[LeftOut] = field(default_factory=list)  # conversions that failed (also in left_out)
    shortened: dict[str, str] = field(default_factory=dict)  # folder path → its full title

    @property
    def restricted(self) -> list[ReviewDoc]:
        return [d for d in self.docs if d.restricted]


class ReviewBuilder:
    def __init__(self, archive: Archive, layout: Layout, staging: Path, font: CjkFont, created: dt.datetime,
                 conversions: dict[str, Path | Failure]) -> None:
        self.archive, self.layout, self.staging = archive, layout, staging
        self.font, self.created, self.conversions = font, created, conversions
        self.evidence_root = archive.evidence_root or archive.project.root / "evidence"
        self.captions: dict[str, str] = {}  # photo path → caption (_captions)
        self.caption_font = font

    def build(self, files: list[EvidenceFile]) -> ReviewSet:
        result = ReviewSet()
        self._captions(files)
        by_folder: dict[tuple[str, ...], list[EvidenceFile]] = {}
        for file in files:
            titles = self.layout.material_dir_titles(self.archive, file)
            by_folder.setdefault(tuple(label for label, _ in titles), []).append(file)
            for depth, (_, full) in enumerate(titles):
                if full:
                    result.shortened["/".join(label for label, _ in titles[: depth + 1])] = full
        for folders in sorted(by_folder, key=_folder_order):
            docs = self._documents(folders, sorted(by_folder[folders], key=_file_order), result)
            self._name(folders, docs)
            result.docs.extend(docs)
        for seq, doc in enumerate(result.docs, 1):
            doc.seq = seq
        return result

    def _captions(self, files: list[EvidenceFile]) -> None:
        """Every photo's caption, and the font cut down to their characters (fonts.subset_for): each photo PDF
        embeds it, and fpdf parses the whole CJK font for every PDF (0.5 s each)."""
        photos = [f for f in files if file_kind(f) in IMAGE_TYPES]
        self.captions = {f.path: photo_caption(f, self.evidence_root / f.path) for f in photos}
        self.caption_font = subset_for(self.font, self.captions.values(), self.staging) if photos else self.font

    def _material(self, folders: tuple[str, ...], file: EvidenceFile) -> Material | None:
        if folders[1] == UNSORTED_DIR or folders[-1] == UNLISTED_MATERIAL or not file.material:
            return None
        return self.archive.project.standard.material(file.material)

    def _documents(self, folders: tuple[str, ...], files: list[EvidenceFile], result: ReviewSet) -> list[ReviewDoc]:
        docs: list[ReviewDoc] = []
        photos: dict[str, list[EvidenceFile]] = {}
        for file in files:
            kind = file_kind(file)
            material = self._material(folders, file)
            if kind in IMAGE_TYPES:
                photos.setdefault(years_label(file.years), []).append(file)
                continue
            doc = ReviewDoc([file], folders, material)
            if self._fill(doc, kind, result):
                docs.append(doc)
        for year, group in photos.items():
            merged = self._photo_doc(folders, year, group, result)
            if merged is not None:
                docs.append(merged)
        docs.sort(key=lambda d: _file_order(d.file))  # chronological, photos among the documents of their year
        return docs

    def _fill(self, doc: ReviewDoc, kind: str, result: ReviewSet) -> bool:
        file, source = doc.file, self.evidence_root / doc.file.path
        if kind == "pdf":
            doc.entry = ZipEntry("", source, file.size, file.sha256, file.crc32)
            doc.pages = file.pages
            return True
        if kind == "ofd":
            info = check_ofd(source)
            if not info.ok:
                result.left_out.append(LeftOut(file, PART, info.error, "请用原软件重新导出 OFD 或 PDF 后提交"))
                return False
            doc.entry = ZipEntry("", source, file.size, file.sha256, file.crc32)
            doc.pages = info.pages
            doc.how = "OFD 原件，含电子签章" if info.signed else "OFD 原件，无电子签章"
            return True
        if kind in OFFICE_TYPES:
            converted = self.conversions.get(file.path)
            if isinstance(converted, Path):
                from handbook.outputs.package.convert import page_count

                doc.entry = entry_for("", converted)
                doc.pages = page_count(converted)
                doc.how = f"由 {family(kind)} 转换"
                result.converted.append((file, family(kind)))
                return True
            failure = converted if isinstance(converted, Failure) else NOT_INSTALLED
            failed = LeftOut(file, "上传资料和评审资料", f"转换为 PDF 失败：{failure.reason}", failure.fix)
            result.left_out.append(failed)
            result.failed.append(failed)
            return False
        result.left_out.append(LeftOut(file, "上传资料和评审资料", f"{kind.upper()} 文件，评审和上传系统都不收",
                                       "请转换为 PDF 后重新提交"))
        return False

    def _photo_doc(self, folders, year: str, group: list[EvidenceFile], result: ReviewSet) -> ReviewDoc | None:
        handle, name = tempfile.mkstemp(dir=self.staging, prefix="photos-", suffix=".pdf")
        os.close(handle)
        target = Path(name)
        pages = [(self.evidence_root / f.path, self.captions[f.path]) for f in group]
        font = self.caption_font if all(self.caption_font.has(caption) for _, caption in pages) else self.font
        written, failed = write_photo_pdf(target, pages, font, self.created)
        for index, error in failed:
            result.left_out.append(LeftOut(group[index], "上传资料和评审资料", f"图片无法读取（{error}）",
                                           "请重新导出图片后提交"))
        kept = [f for n, f in enumerate(group) if n not in {i for i, _ in failed}]
        if not written or not kept:
            return None
        doc = ReviewDoc(kept, folders, self._material(folders, kept[0]))
        doc.entry = entry_for("", target)
        doc.pages = len(kept)
        doc.how = f"由 {len(kept)} 张照片合并（每页注明标题、单位、日期）" if len(kept) > 1 else "由照片转换（注明标题、单位、日期）"
        return doc

    def _name(self, folders: tuple[str, ...], docs: list[ReviewDoc]) -> None:
        width = max(2, len(str(len(docs))))
        names = []
        for seq, doc in enumerate(docs, 1):
            ext = ".ofd" if doc.how.startswith("OFD") else ".pdf"
            with _named(doc.file):
                names.append(self._file_name(doc, seq, width, folders, ext))
        for doc, name in zip(docs, unique_names(names), strict=True):
            with _named(doc.file):
                doc.arcname = self.layout.path(*folders, name)
            doc.relpath = doc.arcname[len(self.layout.root) + 1 :]
            entry = doc.zip_entry
            doc.entry = ZipEntry(doc.arcname, entry.source, entry.size, entry.sha256, entry.crc32)

    def _file_name(self, doc: ReviewDoc, seq: int, width: int, folders: tuple[str, ...], ext: str) -> str:
        if doc.material is None:
            stem = PurePosixPath(doc.file.name).stem
            return self.layout._fit(f"{seq:0{width}d}-", stem, ext, folders)
        if len(doc.sources) > 1:  # one PDF of several photos: named for the material and year, not one photo
            prefix = f"{doc.material.id}-{seq:0{width}d}-{years_label(doc.years)}-"
            return self.layout._fit(prefix, f"照片{len(doc.sources)}张", ext, folders)
        return self.layout.evidence_name(doc.file, doc.material, seq, width, folders, ext=ext)

