"""What a package build made, for the summary line, the site's /package/ page, the command and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handbook.outputs.package.provenance import Provenance
from handbook.outputs.package.slots import SlotResult

UPLOAD_PURPOSE = "上传国家系统“资料评估”各栏目：每个栏目一个 PDF（或 OFD 原件），只含已收集、无问题、不受限的文件"
REVIEW_PURPOSE = "交评审专家：按项、按资料整理的佐证材料（全部为 PDF 或 OFD），附总目录、卷内目录和校验清单"
INTERNAL_PURPOSE = "爱卫办内部留存，不交出：缺失资料清单、问题文件及改法、未放入的文件及原因、受限文件、转换的原件、转换失败"


@dataclass(slots=True)
class PartResult:
    """One of the three zips."""

    number: int  # 1, 2, 3
    name: str  # 上传资料 / 评审资料 / 内部清单
    purpose: str
    zip_path: Path
    root: str  # the top folder inside the zip
    size: int
    sha256: str
    entries: int  # files inside the zip
    publishable: bool  # may be offered for download on the intranet site

    @property
    def zip_name(self) -> str:
        return self.zip_path.name


@dataclass(slots=True)
class Conversion:
    """A Word, Excel or PowerPoint original and what became of it (for the office's list and the page)."""

    evidence_path: str
    family: str  # Word / Excel / PowerPoint
    pdf: str = ""  # its PDF in part 2, '' when it failed
    reason: str = ""  # why it failed
    fix: str = ""


@dataclass(slots=True)
class PackageResult:
    upload: PartResult
    review: PartResult
    internal: PartResult
    city: str
    review_year: int
    kind: str  # 城市 / 县
    max_file_mb: int
    evidence_files: int  # evidence files in the archive
    review_files: int  # evidence files that went into part 2 (a photo PDF counts each photo)
    review_docs: int  # documents in part 2
    restricted_files: int  # restricted files inside part 2 (only when city.yml allows it); 0 otherwise
    restricted_total: int  # restricted files in the archive
    left_out: int  # evidence files in neither part 1 nor part 2
    problem_files: int  # evidence files with a problem the scan found
    slots: list[SlotResult]
    conversions: list[Conversion]
    missing_cells: int
    overdue_cells: int
    indicators_included: bool
    published: dict[str, Path]  # what the site may offer: part 1's zip and part 2's indexes, by file name
    internal_files: dict[str, Path]  # part 3's workbooks, unpacked beside the zips (never published)
    provenance: Provenance
    converter: str | None  # LibreOffice command used, None when not installed
    evidence_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    # The plugin and older callers know one zip: the reviewers' part (it may hold restricted files).
    @property
    def zip_path(self) -> Path:
        return self.review.zip_path

    @property
    def zip_name(self) -> str:
        return self.review.zip_name

    @property
    def zip_size(self) -> int:
        return self.review.size

    @property
    def zip_sha256(self) -> str:
        return self.review.sha256

    @property
    def root(self) -> str:
        return self.review.root

    @property
    def parts(self) -> list[PartResult]:
        return [self.upload, self.review, self.internal]

    @property
    def outputs(self) -> list[Path]:
        """Every file this build left in the package folder (the reuse stamp checks each)."""
        files = [p.zip_path for p in self.parts] + list(self.published.values()) + list(self.internal_files.values())
        return list(dict.fromkeys(files))

    @property
    def missing_slots(self) -> list[SlotResult]:
        return [s for s in self.slots if s.missing]

    @property
    def generated_slots(self) -> list[SlotResult]:
        return [s for s in self.slots if s.files]

    @property
    def partial_slots(self) -> list[SlotResult]:
        return [s for s in self.slots if s.files and s.lacks]

    @property
    def converted(self) -> list[Conversion]:
        return [c for c in self.conversions if c.pdf]

    @property
    def failed_conversions(self) -> list[Conversion]:
        return [c for c in self.conversions if not c.pdf]

    def summary_line(self) -> str:
        return (
            f"材料包已生成：上传资料 {sum(len(s.files) for s in self.slots)} 个文件"
            f"（{len(self.generated_slots)} 个栏目，缺 {len(self.missing_slots)} 个），"
            f"评审资料 {self.review_docs} 个文档，转换 {len(self.converted)} 个、失败 {len(self.failed_conversions)} 个，"
            f"未放入 {self.left_out} 个，缺失资料 {self.missing_cells + self.overdue_cells} 项"
            f"（其中逾期 {self.overdue_cells} 项）：{self.upload.zip_path.parent}"
        )
