"""The files of the last scan of a ``mkdocs serve`` session, given back when nothing they depend on changed.

After one new file in a tree of 10,000, the scan still walks and stats the whole tree (that is how it learns
what changed), but working out each file's place, unit, years and name problems again was a third of the
serve rebuild. What one file's result depends on: its own entry (path, kind, size, mtime), what reading it
found (the hash cache's content, itself checked against the file's inode and ctime), its sidecars (read from
disk: their stat), whether it is someone else's hard link, and the scan's context: the plan, the standard and
the folder tree (a file's place and the nearest folder names come from it). The context is one digest per
scan; a file's own inputs are compared as a tuple. The whole-tree checks (duplicates, name clashes, git,
attribution) run on every scan, on copies of the remembered files, as before.
"""

from __future__ import annotations

import hashlib
import operator
import pickle
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from handbook.model import EvidenceFile

if TYPE_CHECKING:
    from handbook.scan.content import Content
    from handbook.scan.placement import ScanContext
    from handbook.scan.walk import Entry


class FileMemo:
    """One serve session's memo of ``scan.evidence._evidence_file`` results (never used by ``mkdocs build``)."""

    def __init__(self) -> None:
        self._context: bytes | None = None
        self._files: dict[str, tuple[tuple, EvidenceFile, bool]] = {}  # raw path → (inputs, file, not counted)
        self._seen: set[str] = set()
        self.links: dict = {}  # handbook.scan.links.foreign_links' verdicts, by the stat that decides them
        self.hits = 0
        self.misses = 0

    def begin(self, ctx: ScanContext, root: Path) -> None:
        """A scan starts: a changed plan, standard or folder tree forgets every file."""
        try:
            data = pickle.dumps((ctx.plan, ctx.standard, sorted(ctx.folders.items()), str(root)),
                                protocol=pickle.HIGHEST_PROTOCOL)
            context = hashlib.blake2b(data, digest_size=20).digest()
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            context = None
        if context is None or context != self._context:
            self._files.clear()
        self._context = context
        self._seen = set()
        self.hits = self.misses = 0

    def file(self, entry: Entry, content: Content | None, sidecars: list[Entry], ctx: ScanContext,
             make: Callable[[], EvidenceFile]) -> EvidenceFile:
        """The file as ``make()`` would make it: a copy of the remembered one when its inputs are the same."""
        self._seen.add(entry.raw)
        inputs = _inputs(entry, content, sidecars, ctx)
        kept = self._files.get(entry.raw) if self._context is not None else None
        if kept is not None and kept[0] == inputs:
            self.hits += 1
            file = _copy(kept[1])
            if kept[2]:
                ctx.not_counted.add(id(file))
            return file
        self.misses += 1
        file = make()
        if self._context is not None:
            self._files[entry.raw] = (inputs, _copy(file), id(file) in ctx.not_counted)
        return file

    def end(self) -> None:
        """The scan is over: files no longer there are forgotten."""
        for raw in self._files.keys() - self._seen:
            del self._files[raw]


def _inputs(entry: Entry, content: Content | None, sidecars: list[Entry], ctx: ScanContext) -> tuple:
    found = None if content is None else (content.sha256, content.filetype, content.pages, content.crc32,
                                          tuple(content.problems))
    return (entry.rel, entry.kind, entry.size, entry.mtime_ns, entry.error, found,
            tuple((s.raw, _stamp(s)) for s in sidecars), ctx.foreign.get(entry.raw))


def _stamp(entry: Entry) -> tuple:
    st = entry.stat
    return (entry.size, entry.mtime_ns) if st is None else (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


_FIELDS = operator.attrgetter(*(f.name for f in fields(EvidenceFile)))


def _copy(file: EvidenceFile) -> EvidenceFile:
    """A file the whole-tree checks may change (they add problems and git's facts) without changing ours.
    (The constructor with every field in order: a fifth of ``dataclasses.replace``'s time, 10,000 times a save.)"""
    copy = EvidenceFile(*_FIELDS(file))
    copy.problems = list(file.problems)
    return copy
