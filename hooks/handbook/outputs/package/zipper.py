"""A deterministic, verified zip: sorted entries, fixed timestamps, UTF-8 names, streamed in 1 MiB chunks.

The zip is written under a temporary name next to the target, read back once from start to end (every entry's
CRC-32 and SHA-256 recomputed from the bytes written, and compared with the central directory and with the
scan's SHA-256; the same pass hashes the whole zip) and only then renamed over the previous package, so an
interrupted or failed build leaves the old package untouched.

Evidence is mostly PDFs and photos, stored as they are. The scan read each file once already and kept its
SHA-256 and CRC-32, so a stored entry's header is known before its bytes are: the bytes then go from
evidence/ into the zip by a kernel copy (``copy_file_range``), never through Python. Deflated entries and
entries without a known CRC are streamed through zipfile in 1 MiB chunks.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import queue
import re
import struct
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # 1 MiB
COPY_CHUNK = 64 * CHUNK  # one kernel copy call; progress is reported between calls
# Already-compressed formats are stored: deflating them again costs time and saves nothing.
STORED_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".zip", ".rar", ".7z", ".gz", ".docx",
     ".xlsx", ".pptx", ".ofd", ".mp4", ".mov", ".avi", ".mp3", ".m4a"}
)
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--, for unzip on Linux/macOS
# copy_file_range refuses some pairs of files (other filesystems on old kernels, special files): copy by hand.
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM}

Progress = Callable[[int, int, int, int], None]


class PackageError(RuntimeError):
    """A build problem the user can fix; the message is in Chinese and names the file."""


# Errors of the disk we write to (not of the evidence we read): full, over quota, read-only.
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
WRITE_REFUSED = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def write_error(error: OSError, target: Path) -> PackageError:
    """What a failed write of the package means for the office, in Chinese: what, where, and the fix.

    ``target`` is the file (or folder) being written; a temporary name is shown as the file it becomes."""
    target = Path(error.filename) if error.filename else Path(target)
    shown = _TEMPORARY_NAME.sub(r"\1", target.name)
    folder = target.parent
    keep = "上一版材料包保持不变。"
    if error.errno in DISK_FULL:
        return PackageError(
            f"磁盘空间不足，材料包没有写完：写入 {shown} 时磁盘已满（文件夹 {folder}）。"
            f"请清理该磁盘（删除不需要的旧文件），或用 python -m handbook package --out 指定空间充足的文件夹后重新打包；{keep}")
    if error.errno in WRITE_REFUSED:
        return PackageError(
            f"无法写入材料包：{shown} 不允许写入（只读磁盘或没有权限，文件夹 {folder}）。"
            f"请检查该文件夹的权限，或用 python -m handbook package --out 指定可写的文件夹后重新打包；{keep}")
    return PackageError(f"写入材料包时出错：{shown}（{error.strerror or error}，文件夹 {folder}）。请检查磁盘后重新打包；{keep}")


_TEMPORARY_NAME = re.compile(r"^\.(.+)\.\d+\.tmp$")


@dataclass(frozen=True, slots=True)
class ZipEntry:
    arcname: str  # posix path inside the zip
    source: Path  # the file whose bytes go in
    size: int
    sha256: str
    crc32: int | None = None  # known from the scan: the bytes can be copied without reading them


def file_digests(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and CRC-32 of a file, read in 1 MiB chunks."""
    digest, crc = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            crc = zlib.crc32(chunk, crc)
    return digest.hexdigest(), crc


def entry_for(arcname: str, source: Path) -> ZipEntry:
    """An entry for a file we generated: size and digests are read from disk."""
    digest, crc = file_digests(source)
    return ZipEntry(arcname, source, source.stat().st_size, digest, crc)


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
        _write(ordered, tmp, date_time, progress)
        log.info("正在回读校验 %d 个文件（CRC 与 SHA-256）……", len(ordered))
        size, digest = _verify(ordered, tmp)
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


class _Tally:
    """Files and bytes written so far, reported to ``progress``."""

    def __init__(self, entries: list[ZipEntry], progress: Progress | None) -> None:
        self.total_files, self.total_bytes = len(entries), sum(e.size for e in entries)
        self.files = self.bytes = 0
        self.progress = progress

    def add(self, size: int, *, file_done: bool = False) -> None:
        self.bytes += size
        self.files += file_done
        if self.progress:
            self.progress(self.files, self.total_files, self.bytes, self.total_bytes)


def _write(entries: list[ZipEntry], tmp: Path, date_time, progress: Progress | None) -> None:
    tally = _Tally(entries, progress)
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
        for entry in entries:
            info = _zipinfo(entry, date_time)
            try:
                if entry.crc32 is not None and info.compress_type == zipfile.ZIP_STORED:
                    size = _copy_stored(archive, info, entry, tally)
                else:
                    size = _stream(archive, info, entry, tally)
            except OSError as error:
                if error.errno in DISK_FULL | WRITE_REFUSED and error.filename in (None, str(tmp)):
                    raise write_error(error, tmp) from error  # the zip we write, not the evidence we read
                raise _unreadable(entry, error) from error
            if size != entry.size:
                raise PackageError(
                    f"文件在扫描后被修改：{entry.source}（扫描时 {entry.size} 字节，打包时 {size} 字节）"
                    " — 请等提交完成后重新运行打包"
                )
            tally.add(0, file_done=True)


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: ZipEntry, tally: _Tally) -> int:
    """Through zipfile, which computes the CRC-32 of what it reads (checked again on read-back)."""
    size = 0
    with open(entry.source, "rb", buffering=0) as src, archive.open(info, "w") as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            size += len(chunk)
            tally.add(len(chunk))
    return size


def _copy_stored(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: ZipEntry, tally: _Tally) -> int:
    """Header from the scan's CRC and size, then the bytes by kernel copy; registered with zipfile so that
    its ``close`` writes the central directory (``fp``, ``filelist``, ``NameToInfo`` and ``start_dir`` are
    what ``ZipFile.write`` itself maintains)."""
    info.CRC = entry.crc32 or 0  # the caller copies this way only when the scan gave the CRC
    info.compress_size = entry.size
    out = archive.fp
    if out is None:  # only a closed ZipFile has no file; the writer holds it open throughout
        raise PackageError(f"材料包已关闭，无法写入 {entry.arcname}")
    info.header_offset = out.tell()
    out.write(info.FileHeader())
    out.flush()
    start = out.tell()
    with open(entry.source, "rb", buffering=0) as src:
        now = os.fstat(src.fileno()).st_size
        if now != entry.size:  # changed since the scan: the caller says so
            return now
        copied = _copy_bytes(src.fileno(), out.fileno(), entry.size, start, tally)
    out.seek(start + copied)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = out.tell()
    return copied


def _copy_bytes(src: int, dst: int, count: int, offset: int, tally: _Tally) -> int:
    """Copy ``count`` bytes from ``src``'s start to ``dst`` at ``offset``, in the kernel when it can."""
    done = 0
    kernel = hasattr(os, "copy_file_range")
    while done < count:
        want = min(COPY_CHUNK, count - done)
        if kernel:
            try:
                got = os.copy_file_range(src, dst, want, offset_src=done, offset_dst=offset + done)
            except OSError as error:
                if error.errno not in _NO_KERNEL_COPY:
                    raise
                kernel = False
                continue
        else:
            chunk = os.pread(src, min(want, CHUNK), done)
            got = os.pwrite(dst, chunk, offset + done) if chunk else 0
        if got == 0:  # the file is shorter than when it was scanned
            break
        done += got
        tally.add(got)
    return done


def _unreadable(entry: ZipEntry, error: OSError) -> PackageError:
    if isinstance(error, FileNotFoundError):
        return PackageError(f"打包时找不到文件：{entry.source}（{entry.arcname}）— 请重新扫描后再打包")
    return PackageError(f"打包时无法读取文件：{entry.source}（{error.strerror or error}）")


class _Reader:
    """Sequential reads of the written zip that also feed the SHA-256 of the whole file.

    The whole-file digest runs in a helper thread (hashlib releases the GIL), so it overlaps the per-entry
    CRC-32 and SHA-256 of the main thread instead of adding a third pass over the bytes.
    """

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.position = 0
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)  # bounded: memory stays flat
        self._thread = threading.Thread(target=self._hash_whole, name="zip-sha256", daemon=True)
        self._thread.start()

    def _hash_whole(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            self.digest.update(chunk)

    def read(self, size: int) -> bytes:
        data = self.handle.read(size)
        if data:
            self._chunks.put(data)
        self.position += len(data)
        return data

    def exactly(self, size: int, what: str) -> bytes:
        data = self.read(size)
        if len(data) != size:
            raise PackageError(f"回读校验失败：{what} 不完整")
        return data

    def hexdigest(self) -> str:
        self.close()
        return self.digest.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()


def _verify(entries: list[ZipEntry], tmp: Path) -> tuple[int, str]:
    """One pass over the written zip: each entry's CRC-32, size and SHA-256, and the whole file's SHA-256."""
    with zipfile.ZipFile(tmp) as archive:
        infos = archive.infolist()
    if [i.filename for i in infos] != [e.arcname for e in entries]:
        raise PackageError(f"回读校验失败：{tmp.name} 的条目与计划不符（{len(infos)} / {len(entries)} 个）")
    with open(tmp, "rb", buffering=CHUNK) as handle:
        reader = _Reader(handle)
        try:
            for info, entry in zip(infos, entries, strict=True):
                _verify_entry(reader, info, entry)
            while reader.read(CHUNK):  # the central directory: part of the zip's own hash
                pass
            return reader.position, reader.hexdigest()
        finally:
            reader.close()


# The local file header as the ZIP format defines it (APPNOTE.TXT 4.3.7): signature, version, flags,
# method, time, date, CRC, sizes, then the lengths of the name and the extra field. Spelled out here
# rather than read from zipfile's private constants.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_NAME_LENGTH, _EXTRA_LENGTH = 10, 11


def _verify_entry(reader: _Reader, info: zipfile.ZipInfo, entry: ZipEntry) -> None:
    if reader.position != info.header_offset:
        raise PackageError(f"回读校验失败：{entry.arcname} 不在目录记录的位置")
    header = reader.exactly(_LOCAL_HEADER.size, entry.arcname)
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise PackageError(f"回读校验失败：{entry.arcname} 的文件头损坏")
    reader.exactly(fields[_NAME_LENGTH] + fields[_EXTRA_LENGTH], entry.arcname)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    digest, crc, size = hashlib.sha256(), 0, 0
    remaining = info.compress_size
    while remaining:
        chunk = reader.exactly(min(CHUNK, remaining), entry.arcname)
        remaining -= len(chunk)
        data = inflate.decompress(chunk) if inflate else chunk
        digest.update(data)
        crc = zlib.crc32(data, crc)
        size += len(data)
    if inflate:
        data = inflate.flush()
        digest.update(data)
        crc = zlib.crc32(data, crc)
        size += len(data)
    # The scan's SHA-256 first: a mismatch there names the likely cause (the file changed after the scan).
    if digest.hexdigest() != entry.sha256:
        raise PackageError(f"回读校验失败：{entry.arcname} 的内容与扫描时不符（文件在扫描后被修改，或写入出错）"
                           " — 请等提交完成后重新运行打包")
    if crc != info.CRC or size != info.file_size or size != entry.size:
        raise PackageError(f"回读校验失败：{entry.arcname} 的 CRC 或大小不符")


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
