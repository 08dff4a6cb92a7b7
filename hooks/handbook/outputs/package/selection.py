"""Which evidence files may go to the reviewers and to the upload system, and, for the others, why not.

Only clean files leave the office: read by the scan, with no error (what the site shows as 待核), and not
restricted — a restricted file (personal data) never goes to the upload system, and goes to the reviewers
only when city.yml says ``restricted_to_reviewers: true``. The errors the package resolves itself (a name
Windows refuses, a path too long: every file is renamed) do not keep a file out.

Every file left out gets a :class:`LeftOut` (the reason and the fix, in Chinese) for the office's own list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from handbook.model import Archive, EvidenceFile, Level, format_problem

OFFICE_TYPES = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "wps", "et"})
FIXED_BY_PACKAGE = frozenset({"windows-unsafe-name", "path-too-long"})
UNREADABLE = {
    "empty": ("文件是空的（0 字节）", "请重新提交完整的文件（多半是上传或复制时出错）"),
    "unknown": ("文件内容无法识别（不是 PDF、OFD、图片或 Office 文档）", "请用原文件重新导出为 PDF 后提交"),
    "zip-broken": ("文件已损坏（压缩结构不完整，多半是上传或复制时中断）", "请用原软件重新保存或导出为 PDF 后提交"),
    "text": ("纯文本文件，评审和上传系统都不收", "请整理成 Word 或 PDF 文件后提交"),
}
RESTRICTED_REASON = "受限文件（含个人信息）"
RESTRICTED_FIX = "上传系统永不收受限文件；若评审专家须查阅，在 standards/local/city.yml 写 restricted_to_reviewers: true"


@dataclass(frozen=True, slots=True)
class LeftOut:
    file: EvidenceFile
    part: str  # "上传资料和评审资料" / "上传资料" / "评审资料"
    reason: str
    fix: str


def file_kind(file: EvidenceFile) -> str:
    """What the content is: the sniffed type (including "empty" and "unknown"), else the extension."""
    sniffed = (file.filetype or "").lower()
    ext = PurePosixPath(file.name).suffix.lower().lstrip(".")
    if sniffed == "jpeg":
        return "jpg"
    if sniffed == "ole":  # .doc, .xls, .ppt, .wps and .et share one container: the extension says which
        return ext if ext in OFFICE_TYPES else "doc"
    return sniffed or ext or "unknown"


def blocking_errors(file: EvidenceFile) -> list:
    return [p for p in file.problems if p.level is Level.ERROR and p.code not in FIXED_BY_PACKAGE]


def why_not_clean(file: EvidenceFile) -> tuple[str, str] | None:
    """(reason, fix) when a file may go to nobody outside the office; None when it is clean."""
    if not file.readable:
        return "不是可读取的普通文件（符号链接、特殊文件或无法读取）", "请提交文件本身"
    errors = blocking_errors(file)
    if errors:
        reasons = "；".join(format_problem(p, beside=file.path, fix=False) for p in errors)
        return f"待核：{reasons}", errors[0].fix or "改正后重新打包"
    kind = file_kind(file)
    if kind in UNREADABLE:
        return UNREADABLE[kind]
    return None


def restricted_allowed(archive: Archive) -> bool:
    return archive.project.plan.restricted_to_reviewers


def for_reviewers(archive: Archive) -> tuple[list[EvidenceFile], list[LeftOut]]:
    """The files of part 2 (评审资料) and those left out, with why."""
    allowed = restricted_allowed(archive)
    # Content marked restricted anywhere is restricted in every copy, marked or not: sha256 → the marked file.
    private = {f.sha256: f.path for f in archive.files if f.restricted and f.sha256}
    chosen, left = [], []
    for file in archive.files:
        problem = why_not_clean(file)
        if problem:
            left.append(LeftOut(file, "上传资料和评审资料", *problem))
        elif file.restricted and not allowed:
            left.append(LeftOut(file, "上传资料和评审资料", RESTRICTED_REASON, RESTRICTED_FIX))
        elif file.sha256 in private and not allowed and not file.restricted:
            left.append(LeftOut(file, "上传资料和评审资料", f"与受限文件 {private[file.sha256]} 内容完全相同（含个人信息）",
                                "在本文件的说明文件中也写 restricted: true，或删除这份重复的文件"))
        else:
            chosen.append(file)
    return chosen, left
