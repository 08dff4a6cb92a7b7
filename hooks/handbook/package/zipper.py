"""A deterministic, verified zip: sorted entries, fixed timestamps, UTF-8 names, streamed in 1 MiB chunks.

The zip is written under a temporary name next to the target, read back entry by entry (zipfile checks each
CRC while reading; we compare SHA-256 as well) and only then renamed over the previous package, so an
interrupted or failed build leaves the old package untouched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # 1 MiB
# Already-compressed formats are stored: deflating them again costs time and saves nothing.
STORED_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".zip", ".rar", ".7z", ".gz", ".docx",
     ".xlsx", ".pptx", ".ofd", ".mp4", ".mov", ".avi", ".mp3", ".m4a"}
)
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--, for unzip on Linux/macOS

Progress = Callable[[int, int, int, int], None]


class PackageError(RuntimeError):
    """A build problem the user can fix; the message is in Chinese and names the file."""


@dataclass(frozen=True, slots=True)
class ZipEntry:
    arcname: str  # posix path inside the zip
    source: Path  # the file whose bytes go in
    size: int
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_for(arcname: str, source: Path) -> ZipEntry:
    """An entry for a file we generated: size and hash are read from disk."""
    return ZipEntry(arcname, source, source.stat().st_size, file_sha256(source))


def write_verified_zip(
    entries: Iterable[ZipEntry],
    dest: Path,
    *,
    date_time: tuple[int, int, int, int, int, int],
    progress: Progress | None = None,
) -> tuple[int, str]:
    """Write ``dest`` atomically; return its size and SHA-256. Raises PackageError on any mismatch."""
    ordered = sorted(entries, key=lambda e: e.arcname)
    _check_unique(ordered)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        crcs = _write(ordered, tmp, date_time, progress)
        log.info("正在回读校验 %d 个条目（CRC 与 SHA-256）……", len(ordered))
        _verify(ordered, crcs, tmp)
        size, digest = tmp.stat().st_size, file_sha256(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size, digest


def _check_unique(entries: list[ZipEntry]) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        key = entry.arcname.lower()  # Windows folds case
        if key in seen:
            raise PackageError(f"包内路径重复：{seen[key]} 与 {entry.arcname}")
        seen[key] = entry.arcname


def _zipinfo(entry: ZipEntry, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(entry.arcname, date_time=date_time)
    stored = PurePosixPath(entry.arcname).suffix.lower() in STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3  # fixed, whatever the building OS: the bytes must not depend on it
    info.external_attr = _FILE_MODE
    info.file_size = entry.size  # lets zipfile pick ZIP64 headers up front for huge files
    # Non-ASCII names get the UTF-8 flag (0x800) from zipfile itself; Windows Explorer honours it.
    return info


def _write(entries: list[ZipEntry], tmp: Path, date_time, progress: Progress | None) -> dict[str, int]:
    total_files, total_bytes = len(entries), sum(e.size for e in entries)
    done_bytes = 0
    crcs: dict[str, int] = {}
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
        for number, entry in enumerate(entries, 1):
            digest, crc, size = hashlib.sha256(), 0, 0
            try:
                with entry.source.open("rb") as src, archive.open(_zipinfo(entry, date_time), "w") as dst:
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
                        digest.update(chunk)
                        crc = zlib.crc32(chunk, crc)
                        size += len(chunk)
                        done_bytes += len(chunk)
                        if progress:
                            progress(number - 1, total_files, done_bytes, total_bytes)
            except FileNotFoundError as error:
                raise PackageError(f"打包时找不到文件：{entry.source}（{entry.arcname}）— 请重新扫描后再打包") from error
            if digest.hexdigest() != entry.sha256 or size != entry.size:
                raise PackageError(
                    f"文件在扫描后被修改：{entry.source}（扫描时 {entry.size} 字节，打包时 {size} 字节）"
                    " — 请等提交完成后重新运行打包"
                )
            crcs[entry.arcname] = crc
            if progress:
                progress(number, total_files, done_bytes, total_bytes)
    return crcs


def _verify(entries: list[ZipEntry], crcs: dict[str, int], tmp: Path) -> None:
    with zipfile.ZipFile(tmp) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        if names != [e.arcname for e in entries]:
            raise PackageError(f"回读校验失败：{tmp.name} 的条目与计划不符（{len(names)} / {len(entries)} 个）")
        for info, entry in zip(infos, entries, strict=True):
            if info.CRC != crcs[entry.arcname] or info.file_size != entry.size:
                raise PackageError(f"回读校验失败：{entry.arcname} 的 CRC 或大小不符")
            digest = hashlib.sha256()
            # Reading to the end makes zipfile compare the CRC of the stored data (BadZipFile if not).
            try:
                with archive.open(info) as handle:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
            except zipfile.BadZipFile as error:
                raise PackageError(f"回读校验失败：{entry.arcname}：{error}") from error
            if digest.hexdigest() != entry.sha256:
                raise PackageError(f"回读校验失败：{entry.arcname} 的 SHA-256 不符")


class ConsoleProgress:
    """The default progress: a Chinese line every ~2 s with files, MB and rate."""

    def __init__(self, every: float = 2.0, stream=None) -> None:
        self.every = every
        self.stream = stream or sys.stdout
        self.started: float | None = None  # set on the first call: the rate covers the zip writing only
        self.last = 0.0
        self.finished = False

    def __call__(self, done_files: int, total_files: int, done_bytes: int, total_bytes: int) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started = self.last = now  # first line after ``every`` seconds, not a "0 of N" line
        finished = done_files == total_files and done_bytes >= total_bytes
        if (not finished and now - self.last < self.every) or (finished and self.finished):
            return
        self.last, self.finished = now, finished
        rate = done_bytes / max(now - self.started, 1e-6) / 1e6
        print(
            f"打包进度：{done_files}/{total_files} 个文件，{done_bytes / 1e6:.1f}/{total_bytes / 1e6:.1f} MB，"
            f"{rate:.1f} MB/秒",
            file=self.stream,
            flush=True,
        )
