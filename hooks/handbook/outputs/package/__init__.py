"""The 资料评估 review package: upload-slot PDFs, per-item evidence, indexes, checksums, in one verified zip.

``build_package(archive, out_dir)`` writes ``资料评估材料包-<city>-<year>.zip`` plus unpacked copies of the
indexes for the site's /package/ page. Evidence bytes are streamed straight from evidence/ into the zip (the
per-item folders never exist on disk); only the small generated files are staged in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from handbook.model import Archive, Kind, Status
from handbook.outputs.package import reuse
from handbook.outputs.package.fonts import FontMissingError, find_cjk_font
from handbook.outputs.package.layout import Layout, PackedFile, plan_evidence
from handbook.outputs.package.provenance import Provenance, read_provenance
from handbook.outputs.package.slots import SlotBuilder, SlotResult, Unconverted, find_converter
from handbook.outputs.package.zipper import ConsoleProgress, PackageError, ZipEntry, entry_for, write_verified_zip
from handbook.render.context import url_path

__all__ = ["FontMissingError", "PackageError", "PackageResult", "SlotResult", "build_package", "render_page"]

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CATALOG = "总目录.xlsx"
VOLUMES_XLSX = "卷内目录.xlsx"
VOLUMES_PDF = "卷内目录.pdf"
MISSING = "缺失资料清单.xlsx"
INDICATORS = "数据评价指标.xlsx"
README = "README.txt"
SUMS = "SHA256SUMS"
# Published beside the zip for the site's download page, in this order.
PUBLISHED = (CATALOG, VOLUMES_PDF, VOLUMES_XLSX, MISSING, INDICATORS, SUMS, README)
# What a build leaves in the output folder while it runs: ".package-<pid>-<random>/" (older builds:
# ".package-<random>/", no pid) and ".<name>.<pid>.tmp" beside the zip and each published index.
_STAGING = re.compile(r"\.package-(?:(\d+)-)?[a-z0-9_]+")
_TEMPORARY = re.compile(r"\.(.+)\.(\d+)\.tmp")
STALE_AFTER = 24 * 3600  # seconds; no build runs this long, so an older leftover is stale whatever its pid


@dataclass(slots=True)
class PackageResult:
    """What was built, for the summary line, the site's package page and the tests."""

    zip_path: Path
    zip_size: int
    zip_sha256: str
    root: str  # the top folder inside the zip
    city: str
    review_year: int
    kind: str  # 城市 / 县
    entries: int  # files inside the zip
    evidence_files: int
    restricted_files: int
    problem_files: int  # evidence files the index marks 待核 or not merged
    slots: list[SlotResult]
    missing_cells: int
    overdue_cells: int
    indicators_included: bool
    published: dict[str, Path]  # unpacked index name → file in out_dir
    provenance: Provenance
    converter: str | None  # LibreOffice command used, None when not installed
    evidence_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def zip_name(self) -> str:
        return self.zip_path.name

    @property
    def missing_slots(self) -> list[SlotResult]:
        return [s for s in self.slots if s.missing]

    @property
    def generated_slots(self) -> list[SlotResult]:
        return [s for s in self.slots if s.package_path]

    @property
    def needs_conversion(self) -> list[Unconverted]:
        return [u for s in self.slots for u in s.unconverted]

    @property
    def converted(self) -> list[str]:
        return [p for s in self.slots for p in s.converted]

    def summary_line(self) -> str:
        return (
            f"材料包已生成：{self.entries} 个文件（佐证材料 {self.evidence_files} 个），"
            f"缺失资料 {self.missing_cells + self.overdue_cells} 项（其中逾期 {self.overdue_cells} 项），"
            f"上传栏目缺 {len(self.missing_slots)} 个，待转换 PDF {len(self.needs_conversion)} 个，"
            f"大小 {self.zip_size / 1e6:.1f} MB：{self.zip_path}"
        )


def build_package(
    archive: Archive,
    out_dir: Path,
    *,
    progress: Callable[[int, int, int, int], None] | None = None,
    reuse_unchanged: bool = True,
) -> PackageResult:
    """Write the review package under ``out_dir``; the previous package stays intact if anything fails.

    When the package in ``out_dir`` was made from the same inputs (``reuse.package_key``) and is intact, it
    is returned as it is (``reuse_unchanged=False`` always builds).
    """
    out_dir = Path(out_dir)
    font = find_cjk_font()  # fail before any work when the PDFs could not be written
    evidence_root = archive.evidence_root or archive.project.root / "evidence"
    provenance = read_provenance(archive.project.root, evidence_root)
    key = reuse.package_key(archive, provenance, tools=(font, find_converter()))
    previous = reuse.reusable(out_dir, key) if reuse_unchanged else None
    if previous is not None:
        log.info("材料包的输入（佐证文件、方案与标准、版本信息、代码）与上次相同，沿用上一版：%s", previous.zip_path)
        return previous
    layout = Layout.for_archive(archive)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale(out_dir, layout.zip_name)
    reuse.forget(out_dir)  # the outputs are about to change: until the new stamp, nothing is reusable
    # The pid in the name tells a later build whether this folder is still in use.
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".package-{os.getpid()}-"))
    try:
        result = _build(archive, out_dir, staging, layout, font, provenance, progress or ConsoleProgress())
        reuse.record(out_dir, key, result)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(archive, out_dir: Path, staging: Path, layout: Layout, font, provenance: Provenance, progress) -> PackageResult:
    # Imported here, not at the top: the indexes need fpdf (slow to import), which a site build that only
    # shows the /package/ page never uses.
    from handbook.outputs.package.indexes import (
        build_volumes,
        sha256sums,
        write_catalog,
        write_indicators,
        write_missing,
        write_text,
        write_volumes_pdf,
        write_volumes_xlsx,
    )
    created = provenance.date
    evidence_root = archive.evidence_root or archive.project.root / "evidence"
    log.info("正在整理 %d 个佐证文件的包内路径……", len(archive.files))
    packed = plan_evidence(archive, layout)
    converter = find_converter()
    names = {p.file.path: p.arcname.rsplit("/", 1)[-1] for p in packed}
    log.info("正在合并上传栏目 PDF……")
    builder = SlotBuilder(archive, layout, staging, font, created, names, converter)
    slots = builder.build_all()
    _attach_slot_notes(packed, slots)

    generated = staging / "generated"
    generated.mkdir()
    log.info("正在生成总目录、卷内目录、缺失资料清单……")
    slot_paths = {s.key: _relative(layout, s.package_path) for s in slots if s.package_path}
    write_catalog(generated / CATALOG, archive, packed, slots, slot_paths, created)
    volumes = build_volumes(archive, packed)
    write_volumes_xlsx(generated / VOLUMES_XLSX, archive, volumes, created)
    write_volumes_pdf(generated / VOLUMES_PDF, archive, volumes, font, created)
    write_missing(generated / MISSING, archive, created)
    with_indicators = write_indicators(generated / INDICATORS, archive, created)

    entries = [_evidence_entry(p, evidence_root) for p in packed if p.file.readable] + builder.entries
    counts = _Counts.of(archive, packed, slots)
    readme = _render_readme(archive, layout, provenance, packed, slots, with_indicators, counts, converter)
    write_text(generated / README, readme, windows=True)
    for name in (CATALOG, VOLUMES_XLSX, VOLUMES_PDF, MISSING, INDICATORS, README):
        if (generated / name).exists():
            entries.append(entry_for(layout.path(name), generated / name))
    sums = sha256sums((_relative(layout, e.arcname), e.sha256) for e in entries)
    write_text(generated / SUMS, sums)
    entries.append(entry_for(layout.path(SUMS), generated / SUMS))

    zip_path = out_dir / layout.zip_name
    total = sum(e.size for e in entries)
    log.info("正在写入 %s（%d 个文件，%.1f MB）……", zip_path.name, len(entries), total / 1e6)
    size, digest = write_verified_zip(entries, zip_path, date_time=provenance.zip_date_time, progress=progress)
    published = _publish(generated, out_dir)
    plan = archive.project.plan
    result = PackageResult(
        zip_path=zip_path, zip_size=size, zip_sha256=digest, root=layout.root, city=plan.city,
        review_year=plan.review_year, kind=plan.kind.value, entries=len(entries), evidence_files=len(packed),
        restricted_files=counts.restricted, problem_files=counts.problems, slots=slots,
        missing_cells=counts.missing, overdue_cells=counts.overdue, indicators_included=with_indicators,
        published=published, provenance=provenance, converter=converter,
        evidence_bytes=sum(p.file.size for p in packed),
    )
    if not with_indicators:
        result.notes.append("尚无指标计算结果，本包未含 数据评价指标.xlsx")
    log.debug(result.summary_line())
    return result


@dataclass(frozen=True, slots=True)
class _Counts:
    missing: int
    overdue: int
    restricted: int
    problems: int

    @classmethod
    def of(cls, archive: Archive, packed: list[PackedFile], slots: list[SlotResult]) -> _Counts:
        from handbook.outputs.package.indexes import missing_cells

        cells = missing_cells(archive)
        return cls(
            missing=sum(1 for c in cells if c.status is Status.MISSING),
            overdue=sum(1 for c in cells if c.status is Status.OVERDUE),
            restricted=sum(1 for p in packed if p.file.restricted),
            problems=sum(1 for p in packed if p.file.problems or p.notes),
        )


def _relative(layout: Layout, arcname: str) -> str:
    return arcname[len(layout.root) + 1 :]


def _attach_slot_notes(packed: list[PackedFile], slots: list[SlotResult]) -> None:
    """Merge problems found while building slots show up in the 状态 column of the files concerned."""
    by_path = {p.file.path: p for p in packed}
    for slot in slots:
        for problem in slot.problems:
            if problem.evidence_path in by_path:
                by_path[problem.evidence_path].notes.append(problem.note or problem.message)
        for item in slot.unconverted:
            if item.evidence_path in by_path:
                by_path[item.evidence_path].notes.append(
                    f"可直接上传《{slot.title}》，但未并入其合并 PDF（原样放在“待转换PDF”文件夹）" if item.uploadable
                    else f"需转换为 PDF 后上传《{slot.title}》：{item.reason}")
        for path in slot.converted:
            if path in by_path:
                by_path[path].notes.append(f"已由 LibreOffice 转为 PDF 并入《{slot.title}》")


def remove_stale(out_dir: Path, zip_name: str) -> list[str]:
    """Remove what a killed build left in ``out_dir`` (its pid is gone, or it is over a day old).

    Only our own staging folders and temporary files match; a running build's are kept, and nothing else
    in the folder is touched. Returns the names removed.
    """
    ours = {zip_name, *PUBLISHED}
    removed = []
    for entry in sorted(out_dir.iterdir()):
        pid = _leftover_pid(entry, ours)
        if pid is None or not _stale(entry, pid):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    if removed:
        log.info("已清理上次中断的打包留下的临时文件：%s", "、".join(removed))
    return removed


def _leftover_pid(entry: Path, ours: set[str]) -> int | None:
    """The builder's pid for one of our leftovers (0 when the name carries none); None for anything else."""
    if entry.is_symlink():
        return None
    if entry.is_dir() and (match := _STAGING.fullmatch(entry.name)):
        return int(match.group(1) or 0)
    if entry.is_file() and (match := _TEMPORARY.fullmatch(entry.name)) and match.group(1) in ours:
        return int(match.group(2))
    return None


def _stale(entry: Path, pid: int) -> bool:
    try:
        age = time.time() - entry.stat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER or (pid > 0 and not _alive(pid))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end the process there; the age rule alone applies
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as someone else's process
        return True
    return True


def _evidence_entry(packed: PackedFile, evidence_root: Path) -> ZipEntry:
    file = packed.file
    return ZipEntry(packed.arcname, evidence_root / file.path, file.size, file.sha256, file.crc32)


def _publish(generated: Path, out_dir: Path) -> dict[str, Path]:
    """Copy the indexes beside the zip (each atomically); drop a stale indicator workbook."""
    published = {}
    for name in PUBLISHED:
        source, target = generated / name, out_dir / name
        if not source.exists():
            target.unlink(missing_ok=True)
            continue
        tmp = out_dir / f".{name}.{os.getpid()}.tmp"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        published[name] = target
    return published


# --------------------------------------------------------------------------- README and the site page


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # plain text and Markdown; the templates escape what they take from files
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render_readme(archive: Archive, layout: Layout, provenance: Provenance, packed: list[PackedFile],
                   slots: list[SlotResult], with_indicators: bool, counts: _Counts, converter: str | None) -> str:
    plan = archive.project.plan
    return _environment().get_template("package/README.txt.j2").render(
        plan=plan,
        kind_label="国家卫生县" if plan.kind is Kind.COUNTY else "国家卫生城市",
        place_label="县（市）" if plan.kind is Kind.COUNTY else "城市",
        root=layout.root,
        provenance=provenance,
        date_text=provenance.date.strftime("%Y-%m-%d %H:%M（UTC+8）"),
        slots=slots,
        evidence_files=len(packed),
        evidence_mb=sum(p.file.size for p in packed) / 1e6,
        counts=counts,
        with_indicators=with_indicators,
        converter=converter,
        today=plan.today.isoformat() if isinstance(plan.today, dt.date) else str(plan.today),
    )


def _page_environment() -> jinja2.Environment:
    """The render layer's one environment: every ``{{ }}`` is escaped for Markdown and HTML."""
    from handbook.render import environment

    return environment()


def _href(path: str) -> Markup:
    """A link destination: percent-encoded (brackets, spaces, < > and parentheses all encoded), so it is inert."""
    return Markup(url_path(path))


def render_skipped_page(reason: str) -> str:
    """The site's /package/ page for a build that wrote no package (e.g. under ``mkdocs serve``).

    ``reason`` is escaped here like any other value (callers used to pre-escape it: Markup passes as is)."""
    return _page_environment().get_template("package_skipped.md.j2").render(reason=reason)


def render_page(result: PackageResult, *, link_prefix: str = "package/", zip_location: str = "") -> str:
    """The site's /package/ page (Markdown) from a PackageResult; links are relative to ``link_prefix``.

    ``zip_location`` (where the zip lies on the build machine) replaces the download link when the zip is
    not published, because it holds restricted files."""
    return _page_environment().get_template("package.md.j2").render(
        result=result, link_prefix=link_prefix, zip_location=zip_location, href=_href)
