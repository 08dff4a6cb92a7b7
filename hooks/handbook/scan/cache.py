"""SHA-256 of evidence files, and a cache so that an unchanged file is never read again.

The cache maps a file's path (relative to the evidence root) to what reading it taught us: its hash,
the type sniffed from its content, its PDF page count and the problems found in its content. The cache
is a JSON file written atomically (temp file + rename); deleting it only costs one slower scan.

A cache that cannot lie:

- An entry is reused only when size, mtime, inode *and ctime* are exactly as recorded. ``touch -d`` restores
  an mtime, but nothing restores a ctime, so a rewrite that keeps size and mtime is still seen.
- The build hard-links evidence into site/, and creating (or removing) a link changes every linked file's
  ctime. So whoever links calls ``record_linked(cache_dir, evidence_root, paths)`` right after: it records
  the ctime (and link count) the links left, for the files whose size, mtime and inode are still those
  scanned. A rewrite in the moment between the scan and that call is the one it cannot see.
- The file is validated on load (a mapping, this version, every entry of the right shape); anything else is
  discarded with a warning and the scan simply hashes again: never trusted, never a crash.
"""

from __future__ import annotations

import hashlib
import json
import zlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from handbook.util.atomic import write_text
from handbook.model import Level, Problem
from handbook.util.faults import DISK_FULL

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # 1 MiB
CACHE_NAME = "evidence-scan.json"
VERSION = 4  # bump when what is stored (or the wording of stored messages) changes; 3: inode, ctime, links; 4: messages without the path (the place is data)


def digests_of(handle: BinaryIO) -> tuple[str, int, int]:
    """SHA-256 (hex), CRC-32 and byte count, streaming in 1 MiB chunks from the current position.

    The CRC-32 rides along with the hash (about a quarter of its cost) so that the review package can
    write stored zip entries with a kernel copy instead of reading every byte again.
    """
    digest = hashlib.sha256()
    crc = total = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
        total += len(chunk)
    return digest.hexdigest(), crc, total


@dataclass(frozen=True, slots=True)
class Witness:
    """What the file system says about a file without reading it; any difference means "read it again"."""

    size: int
    mtime_ns: int
    ino: int = 0
    ctime_ns: int = 0

    @classmethod
    def of(cls, st: os.stat_result) -> Witness:
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


@dataclass(slots=True)
class CacheEntry:
    size: int
    mtime_ns: int
    sha256: str
    filetype: str
    pages: int | None = None
    problems: list[Problem] = field(default_factory=list)
    crc32: int | None = None
    ino: int = 0
    ctime_ns: int = 0
    nlink: int = 1  # the link count allowed: more is someone else's link (see handbook.scan.links)

    @property
    def witness(self) -> Witness:
        return Witness(self.size, self.mtime_ns, self.ino, self.ctime_ns)

    def to_json(self) -> dict:
        # Spelled out, not dataclasses.asdict (which deep-copies): saving 10,000 entries about 0.2 s → 0.06 s.
        return {
            "size": self.size, "mtime_ns": self.mtime_ns, "sha256": self.sha256, "filetype": self.filetype,
            "pages": self.pages, "crc32": self.crc32, "ino": self.ino, "ctime_ns": self.ctime_ns, "nlink": self.nlink,
            "problems": [{"code": p.code, "message": p.message, "fix": p.fix, "level": p.level.name}
                         for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: dict) -> CacheEntry:
        """Raises ValueError for anything but the shape ``to_json`` writes (a cache is never half-trusted)."""
        if not isinstance(data, dict) or not isinstance(data.get("problems"), list):
            raise ValueError("entry is not a mapping with a problems list")
        problems = [_problem_from_json(p) for p in data["problems"]]
        return cls(
            size=_int(data, "size"),
            mtime_ns=_int(data, "mtime_ns"),
            sha256=_text(data, "sha256"),
            filetype=_text(data, "filetype"),
            pages=_int_or_none(data, "pages"),
            problems=problems,
            crc32=_int_or_none(data, "crc32"),
            ino=_int(data, "ino"),
            ctime_ns=_int(data, "ctime_ns"),
            nlink=_int(data, "nlink"),
        )


def _int_or_none(data: dict, key: str) -> int | None:
    return None if data.get(key) is None else _int(data, key)


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} is not an integer")
    return value


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    return value


def _problem_from_json(data: object) -> Problem:
    if not isinstance(data, dict) or data.get("level") not in Level.__members__:
        raise ValueError("problem is not a mapping with a known level")
    return Problem(_text(data, "code"), _text(data, "message"), _text(data, "fix"), Level[data["level"]])


MAX_CACHE_BYTES = 512 * 1024 * 1024  # ~5 KB per file at the very most: 100,000 files


def _entries_of(data: object) -> dict[str, CacheEntry]:
    """The entries of a loaded cache file; ValueError unless it is exactly what ``save`` writes."""
    if not isinstance(data, dict):
        raise ValueError(f"top level is {type(data).__name__}, not a mapping")
    if data.get("version") != VERSION:
        raise ValueError(f"version {data.get('version')!r:.20}, expected {VERSION}")
    files = data.get("files")
    if not isinstance(files, dict):
        raise ValueError("files is not a mapping")
    return {str(rel): CacheEntry.from_json(entry) for rel, entry in files.items()}


# The entries last read or written by this process, per cache file, with the file's (size, mtime, inode): a
# ``mkdocs serve`` session scans again after every save, and at N = 10,000 parsing the file took 0.25 s of
# each rebuild, twice (scan, record_linked). Every write replaces the file (a new inode), so an equal stamp is
# the same file; anything else parses it again.
_READ: dict[str, tuple[tuple[int, int, int], dict[str, CacheEntry]]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


class HashCache:
    """Load once, ``get``/``put`` while scanning, ``save`` once: only this run's files are kept."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.path = Path(cache_dir) / CACHE_NAME if cache_dir else None
        # One key per file, however its folder was spelt (a project reached through a symlink, a relative root):
        # a key per spelling would miss the entries another spelling saved and parse the file again.
        self._key = os.path.realpath(self.path) if self.path is not None else ""
        self._old: dict[str, CacheEntry] = {}
        self._new: dict[str, CacheEntry] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.is_file():
            return
        try:
            stamp = _stamp(self.path)
            read = _READ.get(self._key)
            if read is not None and read[0] == stamp:
                self._old = dict(read[1])  # shared entries: whoever changes one first calls _forget()
                return
            if stamp[0] > MAX_CACHE_BYTES:
                raise ValueError(f"larger than {MAX_CACHE_BYTES // 1024 // 1024} MB")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._old = _entries_of(data)
            _READ[self._key] = (stamp, dict(self._old))
        except (OSError, ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.warning("扫描缓存 %s 无效，已弃用并重新读取全部文件（%s）。缓存只为加速，删除它不会丢失任何资料",
                        self.path, exc)
            self._old = {}

    def _forget(self) -> None:
        """Before an entry is changed in place: the entries kept for the file on disk are no longer its own."""
        if self.path is not None:
            _READ.pop(self._key, None)

    def get(self, rel: str, witness: Witness) -> CacheEntry | None:
        entry = self._old.get(rel)
        if entry is None or entry.witness != witness:
            return None
        self._new[rel] = entry
        return entry

    def published_links(self, rel: str, ino: int) -> int:
        """The link count allowed for this inode: what was allowed before, 1 for a file never seen."""
        entry = self._old.get(rel)
        return entry.nlink if entry is not None and entry.ino == ino else 1

    def seen_before(self, rel: str, ino: int) -> CacheEntry | None:
        """The previous run's entry for ``rel`` when it was the same inode."""
        entry = self._old.get(rel)
        return entry if entry is not None and entry.ino == ino else None

    def allow_links(self, rel: str, nlink: int) -> None:
        """Record that ``nlink`` links are the file's own (saved with this run's entries)."""
        entry = self._new.get(rel)
        if entry is not None and entry.nlink != nlink:
            self._forget()
            entry.nlink = nlink
            self._dirty = True

    def recorded(self, rel: str) -> CacheEntry | None:
        """This run's entry for ``rel`` (after ``get`` or ``put``)."""
        return self._new.get(rel)

    def put(self, rel: str, entry: CacheEntry) -> None:
        self._new[rel] = entry
        self._dirty = True

    def save(self) -> None:
        """Write this run's entries; skipped when nothing changed (an unchanged rebuild writes nothing)."""
        if self.path is None or (not self._dirty and self._new.keys() == self._old.keys()):
            return
        payload = {"version": VERSION, "files": {rel: self._new[rel].to_json() for rel in sorted(self._new)}}
        self._forget()
        try:
            write_text(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
            _READ[self._key] = (_stamp(self.path), dict(self._new))
        except (OSError, ValueError) as exc:  # a read-only checkout still scans; it just hashes again next time
            reason = "磁盘空间不足" if getattr(exc, "errno", None) in DISK_FULL else str(exc)
            log.warning("未能写入扫描缓存 %s（%s）；下次构建会重新读取文件，佐证文件本身没有问题", self.path, reason)


def record_linked(cache_dir: Path | None, evidence_root: Path, paths: list[str] | tuple[str, ...]) -> int:
    """Record the stat left by hard-linking these evidence files (``paths``: EvidenceFile.path) into site/.

    Linking changes a file's ctime and link count, so without this every later scan would read every
    published file again. Only files whose size, mtime and inode are still the scanned ones are updated; the
    others are read again next time, as they should be. Returns how many entries were updated. Never raises.
    """
    cache = HashCache(cache_dir)
    if cache.path is None or not cache._old:
        return 0
    root = Path(evidence_root)
    updated = 0
    for rel in paths:
        entry = cache._old.get(rel)
        if entry is None:
            continue
        try:
            st = os.lstat(root / rel)
        except (OSError, ValueError):
            continue
        if (st.st_size, st.st_mtime_ns, st.st_ino) == (entry.size, entry.mtime_ns, entry.ino) and entry.nlink:
            cache._forget()
            entry.ctime_ns, entry.nlink = st.st_ctime_ns, max(entry.nlink, st.st_nlink)
            updated += 1
    if updated:
        cache._new = dict(cache._old)
        cache._dirty = True
        cache.save()
    return updated
