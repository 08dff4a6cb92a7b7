"""What a file's bytes say: its hash, its real type, and whether it can be opened.

``inspect_file`` opens the file once (read-only, never through a symlink), streams it through
SHA-256, sniffs the type from the content, and runs the check for that type: PDF (pypdf strict,
cross-checked with pikepdf; encryption; page count), images (Pillow), zip-based formats (OFD,
DOCX, XLSX). Its result depends only on the bytes and the extension, so the scan caches it by
(path, size, mtime). Checks that depend on the plan (size limit, accepted formats) live in the scan.
"""

from __future__ import annotations

import logging
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filetype
import pikepdf
from PIL import Image
from pypdf import PasswordType, PdfReader

from handbook.scan.cache import digests_of
from handbook.util.files import open_readonly
from handbook.model import IMAGE_TYPES, Level, Problem

log = logging.getLogger(__name__)

HEAD_BYTES = 8192
TAIL_BYTES = 2048
OLE = frozenset({"doc", "xls", "ppt", "ole", "msi"})
MP4 = frozenset({"mp4", "m4v", "mov", "3gp"})
TEXT = frozenset({"text"})
ZIP_BASED = frozenset({"zip", "docx", "xlsx", "pptx", "ofd"})

# Extension → content types that are fine for it. Extensions not listed are not type-checked.
EXPECTED: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "ofd": frozenset({"ofd"}),
    "docx": frozenset({"docx"}),
    "xlsx": frozenset({"xlsx"}),
    "pptx": frozenset({"pptx"}),
    **{ext: OLE for ext in ("doc", "xls", "ppt", "wps", "et", "dps")},
    **{ext: frozenset({ext}) for ext in IMAGE_TYPES - {"jpeg", "tiff"}},
    "jpeg": frozenset({"jpg"}),  # the content type has one name per format
    "tiff": frozenset({"tif"}),
    "heic": frozenset({"heic", "avif"}),
    "mp4": MP4,
    "mov": MP4,
    "avi": frozenset({"avi"}),
    "wmv": frozenset({"wmv"}),
    "zip": ZIP_BASED,
    "rar": frozenset({"rar"}),
    "7z": frozenset({"7z"}),
    **{ext: TEXT for ext in ("txt", "csv", "md", "yml", "json", "xml", "html")},
}
TYPE_NAMES = {"text": "纯文本", "unknown": "无法识别的内容", "zip-broken": "损坏的压缩包", "ole": "旧版 Office 文档"}


@dataclass(slots=True)
class Content:
    """What reading one file found; cached by (path, size, mtime)."""

    sha256: str
    size_read: int
    filetype: str
    pages: int | None = None
    problems: list[Problem] = field(default_factory=list)
    crc32: int | None = None  # lets the package copy the bytes into its zip without reading them again


def inspect_file(path: Path, rel: str, ext: str) -> Content:
    """Hash, sniff and check the regular file at ``path``; ``ext`` is its normalised extension."""
    with open_readonly(path) as handle:
        digest, crc, size = digests_of(handle)
        if size == 0:
            return Content(digest, 0, "empty", crc32=crc)
        handle.seek(0)
        kind = sniff(handle)
        if kind == "text" and size <= LFS_POINTER_MAX:
            pointer = lfs_pointer_size(handle)
            if pointer is not None:
                return Content(digest, size, "lfs-pointer", problems=[_lfs_problem(rel, pointer)], crc32=crc)
        content = Content(digest, size, kind, crc32=crc)
        content.problems.extend(type_problems(rel, ext, kind))
        if kind == "pdf":
            content.pages, found = check_pdf(handle, rel)
            content.problems.extend(found)
        elif kind in IMAGE_TYPES:
            content.problems.extend(check_image(handle, rel, kind))
    return content


# --------------------------------------------------------------------------- Git LFS pointers

# A clone made without the LFS objects (GIT_LFS_SKIP_SMUDGE=1, or no git-lfs installed) holds, in place of
# each PDF or photo, a small text naming the object: "version https://git-lfs.github.com/spec/v1", "oid
# sha256:…", "size N". The spec caps a pointer at 1024 bytes.
LFS_POINTER_MAX = 1024
LFS_VERSIONS = (b"version https://git-lfs.github.com/spec/v1", b"version https://hawser.github.com/spec/v1")


def lfs_pointer_size(handle: BinaryIO) -> int | None:
    """The size of the object a Git LFS pointer file names (-1 when unstated); None when it is no pointer."""
    handle.seek(0)
    text = handle.read(LFS_POINTER_MAX + 1)
    if not text.startswith(LFS_VERSIONS) or b"\noid sha256:" not in text:
        return None
    for line in text.splitlines():
        if line.startswith(b"size ") and line[5:].strip().isdigit():
            return int(line[5:].strip())
    return -1


def _lfs_problem(rel: str, size: int) -> Problem:
    real = f"（原文件约 {size / 1024 / 1024:.1f} MB）" if size >= 0 else ""
    return Problem(
        "lfs-pointer",
        f"这里只有 Git LFS 的指针（一小段文字），文件本身没有取回{real}；网站和材料包都不会用它",
        "在仓库目录运行 git lfs pull 取回文件后再构建（CI 中先 git lfs install --local，再 git lfs pull；"
        "没装 git-lfs 的电脑先安装：apt-get install git-lfs）",
    )


# --------------------------------------------------------------------------- what the bytes are


def sniff(handle: BinaryIO) -> str:
    """The content type: "pdf", "ofd", "docx", "xlsx", "pptx", "zip", "jpg", "png", "doc", "text", "unknown", …"""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    if b"%PDF-" in head[:1024]:  # the spec lets a few bytes of junk precede the header
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(handle)
    kind = filetype.guess(head)
    if kind is not None:
        return {"apng": "png", "jpx": "jp2"}.get(kind.extension, kind.extension)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "text" if _looks_like_text(head) else "unknown"


def _zip_kind(handle: BinaryIO) -> str:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip-broken"
    tops = {name.split("/", 1)[0].lower() for name in names}
    if "ofd.xml" in {name.lower() for name in names}:
        return "ofd"
    for folder, kind in (("word", "docx"), ("xl", "xlsx"), ("ppt", "pptx")):
        if folder in tops:
            return kind
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # cut in the middle of a character by our read size
                return True
    return False


def type_name(kind: str) -> str:
    return TYPE_NAMES.get(kind, kind.upper())


def type_problems(rel: str, ext: str, kind: str) -> list[Problem]:
    """ext-mismatch when the content is another known type; a "-corrupt" code when it is nothing known."""
    expected = EXPECTED.get(ext)
    if expected is None or kind in expected:
        return []
    if kind in ("unknown", "zip-broken") or (kind == "text" and TEXT.isdisjoint(expected)):
        return [_unrecognised(rel, ext, kind)]
    return [
        Problem(
            "ext-mismatch",
            f"扩展名是 .{ext}，但文件内容其实是 {type_name(kind)}",
            f"用原软件重新导出为 .{ext}，或把扩展名改成与内容一致的 .{_ext_for(kind)}（若材料允许该格式）",
        )
    ]


def _ext_for(kind: str) -> str:
    return {"ole": "doc", "text": "txt"}.get(kind, kind)


def _unrecognised(rel: str, ext: str, kind: str) -> Problem:
    if ext == "pdf":
        return Problem("pdf-corrupt", "文件内容不是 PDF（没有 %PDF 文件头），可能已损坏或只是改了扩展名",
                       "用原文件重新导出或扫描为 PDF 后再提交")
    if ext in IMAGE_TYPES:
        return Problem("image-unreadable", f"文件内容不是 .{ext} 图片，无法打开",
                       "用原图重新导出后再提交")
    why = "压缩包结构已损坏（可能上传不完整）" if kind == "zip-broken" else "内容无法识别"
    return Problem("file-corrupt", f"不是有效的 .{ext} 文件：{why}", "用原软件重新保存或导出后再提交")


# --------------------------------------------------------------------------- PDF


def check_pdf(handle: BinaryIO, rel: str) -> tuple[int | None, list[Problem]]:
    """Page count and problems; pypdf strict first, pikepdf (qpdf) as the second opinion."""
    truncated = not _has_eof_marker(handle)
    try:
        return _pypdf_pages(handle, rel)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for damaged files
        log.debug("pypdf strict read of %s failed: %s", rel, exc)
        reason = str(exc) or type(exc).__name__
    pages, encrypted = _pikepdf_pages(handle)
    if encrypted:
        return None, [_user_password(rel)]
    if truncated:
        return None, [Problem("pdf-truncated", "PDF 文件不完整（缺少文件结尾标记 %%EOF），多半是上传或复制时中断了",
                              "从原始文件重新上传；提交前在电脑上打开确认能看到全部页")]
    if pages is not None:
        return pages, [Problem("pdf-corrupt", f"PDF 结构有错误（{reason[:80]}），阅读器可以修复打开，但上传系统可能拒收",
                               "用 PDF 软件“另存为”或重新导出一次后再提交", Level.WARNING)]
    return None, [Problem("pdf-corrupt", f"PDF 已损坏，无法打开（{reason[:80]}）", "用原文件重新导出或扫描为 PDF 后再提交")]


def _pypdf_pages(handle: BinaryIO, rel: str) -> tuple[int | None, list[Problem]]:
    handle.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(handle, strict=True)  # a stream, not a path: pypdf would read a path whole
        problems: list[Problem] = []
        if reader.is_encrypted:
            if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return None, [_user_password(rel)]
            problems.append(Problem("pdf-encrypted", "PDF 设置了权限密码（限制打印、复制或修改）",
                                    "上传系统和合并打包可能受限：请导出一份不设密码的 PDF", Level.WARNING))
        return len(reader.pages), problems


def _pikepdf_pages(handle: BinaryIO) -> tuple[int | None, bool]:
    """(page count or None, needs a password)."""
    handle.seek(0)
    try:
        with pikepdf.open(handle) as pdf:
            return len(pdf.pages), False
    except pikepdf.PasswordError:
        return None, True
    except Exception as exc:  # noqa: BLE001 - qpdf gives up in many ways
        log.debug("pikepdf could not open the file either: %s", exc)
        return None, False


def _user_password(rel: str) -> Problem:
    return Problem("pdf-encrypted", "PDF 需要密码才能打开", "去掉打开密码后重新导出 PDF 再提交（评审专家和上传系统都打不开加密文件）")


def _has_eof_marker(handle: BinaryIO) -> bool:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - TAIL_BYTES))
    return b"%%EOF" in handle.read()


# --------------------------------------------------------------------------- images


def check_image(handle: BinaryIO, rel: str, kind: str) -> list[Problem]:
    try:
        handle.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(handle) as image:
                image.verify()  # structure and checksums (PNG: every chunk up to IEND)
            if kind == "jpg":
                _decode_jpeg_small(handle)  # verify() does not notice a JPEG cut short
    except Image.DecompressionBombError:
        return [Problem("image-unreadable", "图片像素过多（超过 1.8 亿像素），很多软件打不开",
                        "缩小图片尺寸（如长边 4000 像素）后再提交", Level.WARNING)]
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for damaged images
        return [Problem("image-unreadable", f"图片已损坏或不完整，无法打开（{str(exc)[:80]}）",
                        "从相机或手机重新导出原图后再提交")]
    return []


def _decode_jpeg_small(handle: BinaryIO) -> None:
    """Decode at 1/8 scale: fast, yet still reads the whole compressed stream."""
    handle.seek(0)
    with Image.open(handle) as image:
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
