"""What the scan found under evidence/: each file, its sidecar and its problems."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handbook.model.core import Level, Problem


@dataclass(slots=True)
class Sidecar:
    doc_number: str = ""  # 文号
    doc_type: str = ""  # 法规/规章/规范性文件/公文/其他
    issuer: str = ""
    issued: dt.date | None = None
    effective: dt.date | None = None
    pages: str = ""  # page range within the file, e.g. "3-7"
    also_for: tuple[str, ...] = ()  # other material ids this file serves
    restricted: bool = False
    note: str = ""


@dataclass(slots=True)
class EvidenceFile:
    path: str  # posix path relative to the evidence root, e.g. "03/03.1-年度工作计划/2023-市爱卫办-….pdf"
    size: int
    mtime_ns: int
    sha256: str
    filetype: str  # detected from content: "pdf", "jpg", "png", "docx", "xlsx", "ofd", "unknown", ...
    item: int | None
    material: str | None  # material id, e.g. "03.1"
    years: tuple[int, ...]  # one year, or a span expanded (2022至2024 → 2022, 2023, 2024)
    unit: str | None  # canonical unit name
    unit_raw: str  # the unit as written in the file name
    title: str
    pages: int | None = None  # PDF page count
    crc32: int | None = None  # CRC-32 of the bytes, read with the hash (the package's zip needs it)
    sidecar: Sidecar | None = None
    committer: str = ""  # from git; empty outside a checkout
    committed: dt.datetime | None = None
    committer_email: str = ""
    committer_unit: str | None = None  # the committer's unit (units.yml accounts/emails), when known
    unit_source: str = ""  # "name": ``unit`` is the file name's; "committer": the name has none, the committer's
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def restricted(self) -> bool:
        return bool(self.sidecar and self.sidecar.restricted)

    @property
    def readable(self) -> bool:
        """A regular file the scan read (and hashed) at ``path``. Links, special files, unreadable files and
        names that are not UTF-8 on disk (``path`` is then only their printable form) and Git LFS pointers (the object
        was not fetched: the bytes on disk are a 130-byte text, not the document) are not: their bytes
        are never published, packed or followed, only listed with their problem."""
        return bool(self.sha256) and self.filetype != "lfs-pointer" and not any(p.code == "bad-encoding" for p in self.problems)

    @property
    def has_error(self) -> bool:
        return any(p.level is Level.ERROR for p in self.problems)

    @property
    def materials(self) -> tuple[str, ...]:
        """Every material this file serves: its folder's, then the sidecar's ``also_for``."""
        extra = self.sidecar.also_for if self.sidecar else ()
        own = (self.material,) if self.material else ()
        return own + tuple(m for m in extra if m not in own)
