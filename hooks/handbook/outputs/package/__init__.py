"""The 资料评估 review package, in three parts, each for its reader, from the one judged model.

``build_package(archive, out_dir)`` writes into ``out_dir``:

1. ``1-上传资料-<city>-<year>.zip``: exactly one PDF (or the original OFD) per upload slot of the city or
   county set, in the system's order and naming; split into 之一, 之二 … where a slot would exceed
   ``max_file_mb``. Only clean files (已收集, not 待核), never a restricted one.
2. ``2-评审资料-<city>-<year>.zip``: the reviewers' per-item evidence, every document a PDF or an OFD (office
   files converted by LibreOffice, photos merged per material and year with captions), with 总目录, 卷内目录,
   数据评价指标, README and SHA256SUMS. Restricted files only when city.yml says
   ``restricted_to_reviewers: true``, and marked.
3. ``3-内部清单-<city>-<year>.zip``: the office's own lists (缺失资料清单, problems and fixes, what was left out
   and why, restricted files, failed conversions) and the originals of converted files. Never published.

Part 2's indexes and part 1's zip are copied beside the zips for the site's /package/ page; part 3's
workbooks are copied beside them for the office. Everything is written in a staging folder, each zip read
back and verified, and only then moved into place, so a failed build leaves the previous package as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from handbook.model import Archive, EvidenceFile
from handbook.outputs.package import reuse
from handbook.outputs.package.convert import convert_evidence, family, find_soffice
from handbook.outputs.package.fonts import FontMissingError, find_cjk_font
from handbook.outputs.package.layout import INTERNAL, REVIEW, UPLOAD, Layout, _named, safe_name
from handbook.outputs.package.provenance import Provenance, read_provenance
from handbook.outputs.package.result import (
    INTERNAL_PURPOSE,
    REVIEW_PURPOSE,
    UPLOAD_PURPOSE,
    Conversion,
    PackageResult,
    PartResult,
)
from handbook.outputs.package.review import ReviewBuilder, ReviewSet
from handbook.outputs.package.selection import OFFICE_TYPES, file_kind, for_reviewers
from handbook.outputs.package.slots import SlotBuilder, SlotResult
from handbook.outputs.package.stale import remove_stale
from handbook.outputs.package.texts import render_page, render_readme, render_skipped_page
from handbook.outputs.package.zipper import ConsoleProgress, PackageError, ZipEntry, entry_for, write_error, write_verified_zip

__all__ = ["FontMissingError", "PackageError", "PackageResult", "SlotResult", "build_package", "render_page",
           "render_skipped_page"]

log = logging.getLogger(__name__)

CATALOG = "总目录.xlsx"
VOLUMES_XLSX = "卷内目录.xlsx"
VOLUMES_PDF = "卷内目录.pdf"
INDICATORS = "数据评价指标.xlsx"
README = "README.txt"
SUMS = "SHA256SUMS"
MISSING = "缺失资料清单.xlsx"
INTERNAL_LIST = "内部清单.xlsx"
ORIGINALS_DIR = "转换原件"  # as long as 分项佐证: an original's path fits the budget its PDF's did
# Part 2's indexes, copied beside the zips for the site's download page, in this order.
REVIEW_INDEXES = (CATALOG, VOLUMES_PDF, VOLUMES_XLSX, INDICATORS, SUMS, README)
INTERNAL_FILES = (INTERNAL_LIST, MISSING)


def find_converter() -> str | None:
    """LibreOffice's command, if installed (a function of its own so that tests can take it away)."""
    return find_soffice()


@dataclass(frozen=True, slots=True)
class _Layouts:
    upload: Layout
    review: Layout
    internal: Layout

    @classmethod
    def for_archive(cls, archive: Archive) -> _Layouts:
        return cls(*(Layout.for_archive(archive, part) for part in (UPLOAD, REVIEW, INTERNAL)))

    def names(self) -> set[str]:
        """Every file a build leaves in the package folder, by name (their temporary files are ours too)."""
        zips = {self.upload.zip_name, self.review.zip_name, self.internal.zip_name}
        return zips | set(REVIEW_INDEXES) | set(INTERNAL_FILES)


def build_package(
    archive: Archive,
    out_dir: Path,
    *,
    progress: Callable[[int, int, int, int], None] | None = None,
    reuse_unchanged: bool = True,
) -> PackageResult:
    """Write the three parts under ``out_dir``; the previous package stays intact if anything fails.

    When the package in ``out_dir`` was made from the same inputs (``reuse.package_key``) and is intact, it
    is returned as it is (``reuse_unchanged=False`` always builds). A full disk, a read-only folder or any
    other failed write is a PackageError in Chinese (what, where, the fix), never a traceback.
    """
    out_dir = Path(out_dir)
    font = find_cjk_font()  # fail before any work when the PDFs could not be written
    evidence_root = archive.evidence_root or archive.project.root / "evidence"
    provenance = read_provenance(archive.project.root, evidence_root)
    converter = find_converter()
    key = reuse.package_key(archive, provenance, tools=(font, converter))
    previous = reuse.reusable(out_dir, key) if reuse_unchanged else None
    if previous is not None:
        log.info("材料包的输入（佐证文件、方案与标准、版本信息、代码）与上次相同，沿用上一版：%s", out_dir)
        return previous
    layouts = _Layouts.for_archive(archive)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir, layouts.names())
        reuse.forget(out_dir)  # the outputs are about to change: until the new stamp, nothing is reusable
        # The pid in the name tells a later build whether this folder is still in use.
        staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".package-{os.getpid()}-"))
    except OSError as error:
        raise write_error(error, out_dir) from error
    try:
        build = _Build(archive, out_dir, staging, layouts, font, provenance, converter, progress or ConsoleProgress())
        result = build.run()
        reuse.record(out_dir, key, result)
        return result
    except OSError as error:  # xlsxwriter, fpdf, pypdf and shutil raise it as it is: say what it means
        raise write_error(error, out_dir) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class _Build:
    """One build: the three parts made in ``staging``, verified, then moved into ``out_dir`` together."""

    def __init__(self, archive: Archive, out_dir: Path, staging: Path, layouts: _Layouts, font,
                 provenance: Provenance, converter: str | None, progress) -> None:
        self.archive, self.out_dir, self.staging, self.layouts = archive, out_dir, staging, layouts
        self.font, self.provenance, self.converter, self.progress = font, provenance, converter, progress
        self.created = provenance.date
        self.evidence_root = archive.evidence_root or archive.project.root / "evidence"
        self.generated = staging / "generated"
        self.generated.mkdir()

    def run(self) -> PackageResult:
        clean, left_out = for_reviewers(self.archive)
        conversions = self._convert(clean)
        log.info("正在生成上传资料（每个栏目一个 PDF）……")
        slot_builder = SlotBuilder(self.archive, self.layouts.upload, self.staging, self.font, self.created, conversions)
        slots = slot_builder.build_all()
        log.info("正在整理评审资料（%d 个文件）……", len(clean))
        review = ReviewBuilder(self.archive, self.layouts.review, self.staging, self.font, self.created,
                               conversions).build(clean)
        review.left_out[:0] = left_out
        converted = _conversion_list(review)
        upload = self._zip(UPLOAD, self.layouts.upload, slot_builder.entries, UPLOAD_PURPOSE, publishable=True)
        with_indicators, review_entries = self._review_files(review, slots)
        restricted_inside = len({f.path for d in review.restricted for f in d.sources})
        review_part = self._zip(REVIEW, self.layouts.review, review_entries, REVIEW_PURPOSE, publishable=not restricted_inside)
        internal = self._zip(INTERNAL, self.layouts.internal, self._internal_files(review, slots, converted), INTERNAL_PURPOSE,
                             publishable=False)
        published, internal_files = self._move_into_place([upload, review_part, internal])
        return self._result(upload, review_part, internal, slots, review, converted, with_indicators,
                            restricted_inside, published, internal_files)

    # ------------------------------------------------------------------ conversion

    def _convert(self, clean: list[EvidenceFile]) -> dict:
        office = [(f.path, self.evidence_root / f.path, kind) for f in clean if (kind := file_kind(f)) in OFFICE_TYPES]
        if office:
            log.info("正在用 LibreOffice 把 %d 个 Word/Excel/PowerPoint 文件转换为 PDF……", len(office))
        conversions, runs = convert_evidence(office, self.staging, self.created, self.converter)
        log.debug("LibreOffice：%d 个文件，%d 次启动", len(office), runs)
        return conversions

    # ------------------------------------------------------------------ part 2: the reviewers' files

    def _review_files(self, review: ReviewSet, slots: list[SlotResult]) -> tuple[bool, list[ZipEntry]]:
        from handbook.outputs.package.indexes import sha256sums, write_catalog, write_indicators, write_text
        from handbook.outputs.package.volumes import build_volumes, write_volumes_pdf, write_volumes_xlsx

        folder = self.generated / "review"
        folder.mkdir()
        log.info("正在生成总目录、卷内目录……")
        write_catalog(folder / CATALOG, self.archive, review, slots, self.created)
        volumes = build_volumes(self.archive, review.docs)
        write_volumes_xlsx(folder / VOLUMES_XLSX, self.archive, volumes, self.created)
        write_volumes_pdf(folder / VOLUMES_PDF, self.archive, volumes, self.font, self.created)
        with_indicators = write_indicators(folder / INDICATORS, self.archive, self.created)
        date_text = self.created.strftime("%Y-%m-%d")
        write_text(folder / README, render_readme(self.archive, self.layouts.review.root, review, date_text,
                                                  with_indicators), windows=True)
        layout = self.layouts.review
        entries = [d.zip_entry for d in review.docs]
        entries += [entry_for(layout.path(n), folder / n) for n in REVIEW_INDEXES if (folder / n).exists()]
        sums = sha256sums((e.arcname[len(layout.root) + 1 :], e.sha256) for e in entries)
        write_text(folder / SUMS, sums)
        entries.append(entry_for(layout.path(SUMS), folder / SUMS))
        return with_indicators, entries

    # ------------------------------------------------------------------ part 3: the office's own

    def _internal_files(self, review: ReviewSet, slots: list[SlotResult], conversions: list[Conversion]) -> list[ZipEntry]:
        from handbook.outputs.package.indexes import write_missing
        from handbook.outputs.package.internal import write_internal

        folder = self.generated / "internal"
        folder.mkdir()
        log.info("正在生成内部清单、缺失资料清单……")
        write_internal(folder / INTERNAL_LIST, self.archive, review, slots, conversions, self.created)
        write_missing(folder / MISSING, self.archive, self.created)
        layout = self.layouts.internal
        entries = [entry_for(layout.path(n), folder / n) for n in INTERNAL_FILES]
        return entries + self._originals(review)

    def _originals(self, review: ReviewSet) -> list[ZipEntry]:
        """Each converted original, in a folder tree like its PDF's, so the office keeps what was submitted."""
        layout, entries = self.layouts.internal, []
        for doc in review.docs:
            if not doc.how.startswith("由 ") or len(doc.sources) != 1 or doc.how.startswith("由照片"):
                continue
            file = doc.file
            folders = (ORIGINALS_DIR, *doc.folders[1:])
            stem = doc.arcname.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            with _named(file):
                name = layout.fit_name(f"{stem}{_own_extension(file)}", folders)
                arcname = layout.path(*folders, name)
            entries.append(ZipEntry(arcname, self.evidence_root / file.path, file.size, file.sha256, file.crc32))
        return entries

    # ------------------------------------------------------------------ writing

    def _zip(self, part: tuple[int, str], layout: Layout, entries: list[ZipEntry], purpose: str, *,
             publishable: bool) -> PartResult:
        target = self.staging / layout.zip_name
        total = sum(e.size for e in entries)
        log.info("正在写入 %s（%d 个文件，%.1f MB）……", layout.zip_name, len(entries), total / 1e6)
        size, digest = write_verified_zip(entries, target, date_time=self.provenance.zip_date_time,
                                          progress=self.progress)
        return PartResult(part[0], part[1], purpose, target, layout.root, size, digest, len(entries), publishable)

    def _move_into_place(self, parts: list[PartResult]) -> tuple[dict[str, Path], dict[str, Path]]:
        """Every zip (verified) and the unpacked copies renamed into ``out_dir``, one right after another.

        The copies of the last package go first: killed half-way (kill -9, power cut), the folder holds each
        index either as it is inside the zip beside it or not at all, never the previous package's SHA256SUMS
        or 总目录 next to a new zip. The stamp (``reuse.record``, written last) is what says the set is whole;
        without it the next build makes the package again."""
        for name in (*REVIEW_INDEXES, *INTERNAL_FILES):
            (self.out_dir / name).unlink(missing_ok=True)
        published: dict[str, Path] = {}
        internal: dict[str, Path] = {}
        for part in parts:
            final = self.out_dir / part.zip_name
            os.replace(part.zip_path, final)
            part.zip_path = final
        published[parts[0].zip_name] = parts[0].zip_path  # the upload set holds nothing restricted
        published |= self._copy_beside(self.generated / "review", REVIEW_INDEXES)
        internal |= self._copy_beside(self.generated / "internal", INTERNAL_FILES)
        return published, internal

    def _copy_beside(self, folder: Path, names: tuple[str, ...]) -> dict[str, Path]:
        copied = {}
        for name in names:
            source, target = folder / name, self.out_dir / name
            if not source.exists():
                target.unlink(missing_ok=True)  # e.g. last build's indicator workbook
                continue
            tmp = self.out_dir / f".{name}.{os.getpid()}.tmp"
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
            copied[name] = target
        return copied

    def _result(self, upload: PartResult, review_part: PartResult, internal: PartResult, slots: list[SlotResult],
                review: ReviewSet, conversions: list[Conversion], with_indicators: bool, restricted_inside: int,
                published: dict[str, Path], internal_files: dict[str, Path]) -> PackageResult:
        from handbook.outputs.package.indexes import missing_cells

        plan = self.archive.project.plan
        cells = missing_cells(self.archive)
        overdue = sum(1 for c in cells if c.status.value == "逾期")
        in_review = {f.path for d in review.docs for f in d.sources}
        result = PackageResult(
            upload=upload, review=review_part, internal=internal, city=plan.city, review_year=plan.review_year,
            kind=plan.kind.value, max_file_mb=plan.max_file_mb, evidence_files=len(self.archive.files),
            review_files=len(in_review), review_docs=len(review.docs), restricted_files=restricted_inside,
            restricted_total=sum(1 for f in self.archive.files if f.restricted),
            left_out=len({e.file.path for e in review.left_out} - in_review),
            problem_files=sum(1 for f in self.archive.files if f.problems), slots=slots, conversions=conversions,
            missing_cells=len(cells) - overdue, overdue_cells=overdue, indicators_included=with_indicators,
            published=published, internal_files=internal_files, provenance=self.provenance,
            converter=self.converter, evidence_bytes=sum(f.size for f in self.archive.files),
        )
        if not with_indicators:
            result.notes.append("尚无指标计算结果，评审资料中未含 数据评价指标.xlsx")
        _drop_legacy_zip(self.out_dir, plan.city, plan.review_year)
        log.debug(result.summary_line())
        return result


def _own_extension(file: EvidenceFile) -> str:
    suffix = Path(file.name).suffix.lower()
    return suffix if suffix[1:] in OFFICE_TYPES else f".{file_kind(file)}"


def _conversion_list(review: ReviewSet) -> list[Conversion]:
    pdfs = {d.file.path: d.relpath for d in review.docs if d.how.startswith("由 ") and len(d.sources) == 1}
    done = [Conversion(f.path, kind, pdfs.get(f.path, "")) for f, kind in review.converted]
    failed = [Conversion(e.file.path, family(file_kind(e.file)), "", e.reason.removeprefix("转换为 PDF 失败："), e.fix)
              for e in review.failed]
    return sorted(done + failed, key=lambda c: c.evidence_path)


def _drop_legacy_zip(out_dir: Path, city: str, year: int) -> None:
    """The one-zip package of earlier versions mixed all three parts: never leave it to be uploaded by mistake."""
    legacy = out_dir / f"{safe_name(f'资料评估材料包-{safe_name(city, 12)}-{year}')}.zip"
    if legacy.is_file():
        legacy.unlink()
        log.info("已删除旧版的单一材料包 %s（现分为上传资料、评审资料、内部清单三个压缩包）", legacy.name)

