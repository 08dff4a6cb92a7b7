"""Walking evidence/ with ``os.scandir``: one lstat per entry, symlinks never followed, nested .git never
entered; what is not evidence (the notes, indicators/, findings/) is set apart here."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass


log = logging.getLogger(__name__)

NOT_EVIDENCE_FILES = {"README.md"}  # at the top of evidence/, and in a material folder (scaffold's note)
NOTE_DEPTHS = (0, 2)  # folder depths where README.md is a note, not evidence
NOT_EVIDENCE_FOLDERS = {"indicators", "findings"}  # at the top of evidence/ only (findings: the campaign's table and photos)
NEVER_ENTER = {".git"}



@dataclass(slots=True)
class Entry:
    raw: str  # path relative to the root as the OS gives it (may hold surrogates for non-UTF-8 bytes)
    rel: str  # the same, safe to print and to store as JSON
    path: str  # absolute
    parts: tuple[str, ...]
    kind: str  # "file", "symlink", "other" (fifo, socket, device), "unreadable" (a folder we cannot list)
    size: int = 0
    mtime_ns: int = 0
    error: str = ""
    stat: os.stat_result | None = None  # of a regular file: the cache's witness, the link count, the device


def display(raw: str) -> tuple[str, bool]:
    """A printable form of a path, and whether some name in it was not valid UTF-8 on disk."""
    try:
        raw.encode("utf-8")
        return raw, False
    except UnicodeEncodeError:
        return "/".join(display_name(part) for part in raw.split("/")), True


def display_name(part: str) -> str:
    data = os.fsencode(part)
    for encoding in ("utf-8", "gb18030"):  # names zipped on Chinese Windows arrive as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def walk(root: str, folders: dict[tuple[str, ...], list[str]]) -> Iterator[Entry]:
    """Every non-directory entry below ``root``; ``folders`` collects each folder's sub-folder names."""
    stack: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while stack:
        folder, parts = stack.pop()
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            raw = "/".join(parts) or "."
            parts = parts or (".",)
            yield Entry(raw, display(raw)[0], folder, parts, "unreadable", error=exc.strerror or str(exc))
            continue
        subfolders = folders.setdefault(parts, [])
        for child in children:
            entry = _classify(child, parts)
            if entry is None:
                if child.name not in NEVER_ENTER and not _skipped(child, parts):
                    subfolders.append(child.name)
                    stack.append((child.path, (*parts, child.name)))
            elif entry.kind != "skip":
                yield entry


def _skipped(child: os.DirEntry, parts: tuple[str, ...]) -> bool:
    return not parts and child.name in NOT_EVIDENCE_FOLDERS


def _classify(child: os.DirEntry, parts: tuple[str, ...]) -> Entry | None:
    """None for a folder to walk into; an Entry (kind "skip" for what is not evidence) otherwise."""
    rel_parts = (*parts, child.name)
    raw = "/".join(rel_parts)
    rel = display(raw)[0]
    try:
        stat = child.stat(follow_symlinks=False)
    except OSError as exc:
        return Entry(raw, rel, child.path, rel_parts, "unreadable", error=exc.strerror or str(exc))
    if child.is_symlink():
        return Entry(raw, rel, child.path, rel_parts, "symlink", 0, stat.st_mtime_ns)
    if child.is_dir(follow_symlinks=False):
        return None
    if child.name in NEVER_ENTER:
        return Entry(raw, rel, child.path, rel_parts, "skip")
    if child.is_file(follow_symlinks=False):
        if len(parts) in NOTE_DEPTHS and child.name in NOT_EVIDENCE_FILES:
            return Entry(raw, rel, child.path, rel_parts, "skip")
        return Entry(raw, rel, child.path, rel_parts, "file", stat.st_size, stat.st_mtime_ns, stat=stat)
    return Entry(raw, rel, child.path, rel_parts, "other", 0, stat.st_mtime_ns)
