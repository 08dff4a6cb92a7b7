"""The site model: indexes over the archive that several pages share, and the views of files and cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from handbook.model import Archive, Category, Cell, EvidenceFile, Status, Tally, material_key
from handbook.render import context

if TYPE_CHECKING:
    from handbook.render.pages import PageMemo
    from handbook.render.thumbs import Photos


@dataclass
class Site:
    """Indexes over the archive that several pages share (built once per render)."""

    archive: Archive
    files_by_path: dict[str, EvidenceFile] = field(default_factory=dict)
    cells_by_item: dict[int, list[Cell]] = field(default_factory=lambda: defaultdict(list))
    cells_by_owner: dict[str | None, list[Cell]] = field(default_factory=lambda: defaultdict(list))
    cells_supervised: dict[str, list[Cell]] = field(default_factory=lambda: defaultdict(list))  # lead → cells it 督促
    files_by_item: dict[int, list[EvidenceFile]] = field(default_factory=lambda: defaultdict(list))
    _quoted: dict[str, str] = field(default_factory=dict)  # link target (relative part) → percent-encoded
    has_git: bool = False  # some file has a committer: outside a git checkout the columns are left out
    memo: PageMemo | None = None  # pages of the previous render (mkdocs serve)
    directory_urls: bool = True  # MkDocs' use_directory_urls: where raw-HTML links point (listings.html_linker)
    _file_views: dict[int, dict] = field(default_factory=dict)  # id of an archive file → its view
    _project_digest: str | None = None
    photos: Photos | None = None  # when the engine serves photos, else None
    problem_list_uri: str | None = None  # the full 问题清单 the engine publishes (render.problems), else None

    def __post_init__(self) -> None:
        self.files_by_path = {f.path: f for f in self.archive.files}
        self.has_git = any(f.committer for f in self.archive.files)
        for cell in self.archive.cells:
            self.cells_by_item[cell.item].append(cell)
            self.cells_by_owner[cell.owner].append(cell)  # one owner: every view counts a cell once
            for lead in cell.supervisors:
                self.cells_supervised[lead].append(cell)
        for f in self.archive.files:
            items = {int(m.split(".")[0]) for m in f.materials if m.split(".")[0].isdigit()}
            if f.item is not None:
                items.add(f.item)
            for number in items:
                self.files_by_item[number].append(f)

    def project_digest(self) -> str:
        """What every page depends on besides its own values: the plan and the standard, as data."""
        if self._project_digest is None:
            data = pickle.dumps((self.plan, self.standard), protocol=pickle.HIGHEST_PROTOCOL)
            self._project_digest = hashlib.blake2b(data).hexdigest()
        return self._project_digest

    # -- shorthands

    @property
    def project(self):
        return self.archive.project

    @property
    def plan(self):
        return self.archive.project.plan

    @property
    def standard(self):
        return self.archive.project.standard

    def tally_item(self, number: int) -> Tally:
        summary = self.archive.summary
        if summary and number in summary.by_item:
            return summary.by_item[number]
        return tally_cells(self.cells_by_item.get(number, []))

    def tally_category(self, number: int) -> Tally:
        summary = self.archive.summary
        if summary and number in summary.by_category:
            return summary.by_category[number]
        cat = next(c for c in self.standard.categories if c.number == number)
        return tally_cells([cell for n in cat.items for cell in self.cells_by_item.get(n, [])])

    def tally_unit(self, name: str) -> Tally:
        summary = self.archive.summary
        if summary and name in summary.by_unit:
            return summary.by_unit[name]
        return tally_cells(self.cells_by_owner.get(name, []))

    def overall(self) -> Tally:
        summary = self.archive.summary
        return summary.overall if summary else tally_cells(self.archive.cells)

    def by_unit(self) -> dict[str, Tally]:
        return {name: self.tally_unit(name) for name in self.plan.units}

    # -- links: every page gets a ``link(target_src_uri)`` bound to where it lives

    def linker(self, here: str):
        folder = here.split("/")[:-1]
        quoted = self._quoted

        def link(target: str) -> Markup:
            # Percent-encoded, so nothing in it is Markdown or HTML syntax. A page of a large archive has
            # thousands of links: plain src uris take a string fast path (same result as posixpath.relpath).
            parts = target.split("/")
            if "" in parts or "." in parts or ".." in parts:
                return Markup(context.url_path(context.relative(target, here)))
            common = 0
            while common < len(folder) and common < len(parts) and parts[common] == folder[common]:
                common += 1
            rest = "/".join(parts[common:])
            if rest not in quoted:
                quoted[rest] = context.url_path(rest)
            return Markup("/".join([".."] * (len(folder) - common) + ([quoted[rest]] if rest else [])) or ".")

        return link

    def unit_ref(self, name: str) -> dict:
        """A unit name as the templates show it: linked when it is a chaseable unit."""
        unit = self.plan.units.get(name)
        return {"name": name, "uri": context.unit_uri(unit) if unit else None}

    def file_view(self, f: EvidenceFile) -> dict:
        # A file shows on its item page, in its cell and on its unit's page: one view, built once.
        view = self._file_views.get(id(f))
        if view is None:
            view = self._file_views[id(f)] = self._new_file_view(f)
        return view

    def _new_file_view(self, f: EvidenceFile) -> dict:
        served = context.is_published(f)
        material_titles = []
        for mid in f.materials:
            material = self.standard.material(mid)
            material_titles.append({"id": mid, "title": material.title if material else ""})
        return {
            "file": f,
            "title": f.title or f.name,
            "uri": context.evidence_uri(f.path) if served else None,
            "restricted": f.restricted,
            "unserved": not served and not f.restricted,
            "unit": self.unit_ref(f.unit) if f.unit else {"name": f.unit_raw, "uri": None},
            "years": context.years_label(f.years),
            "materials": material_titles,
            "meta": context.sidecar_line(f.sidecar),
            # The commit time when git knows it, else the file's modification date.
            "date": f.committed or dt.datetime.fromtimestamp(f.mtime_ns / 1e9).date(),
            "thumb": self.photos.evidence_thumb(f) if self.photos is not None and served else None,
        }

    def cell_view(self, cell: Cell) -> dict:
        material = self.standard.material(cell.material)
        owner = cell.owner  # the one unit that owes it: the same on every page and in every output
        return {
            "cell": cell,
            "material": material,
            "material_title": material.title if material else "",
            "owner": self.unit_ref(owner) if owner else None,
            "files": [self.file_view(self.files_by_path[p]) for p in cell.files if p in self.files_by_path],
            "reason": cell.reason,  # 待核: said beside its file (judge.cells formats it with format_problem)
        }

    def item_ref(self, number: int) -> dict:
        item = self.standard.items.get(number)
        return {"number": number, "code": f"{number:02d}", "title": item.title if item else "",
                "uri": context.item_uri(number)}

    def category_of(self, number: int) -> Category | None:
        return next((c for c in self.standard.categories if c.number == number), None)

    def source_view(self, text: str) -> dict:
        """An indicator's 来源: a link when it names a published file under evidence/, else the text."""
        path = text.strip().replace("\\", "/").removeprefix("evidence/").lstrip("/")
        f = self.files_by_path.get(path)
        if f is None:
            return {"text": text, "uri": None}
        view = self.file_view(f)
        return {"text": view["title"], "uri": view["uri"]}


def tally_cells(cells: list[Cell]) -> Tally:
    tally = Tally()
    for cell in cells:
        tally.add(cell.status)
    return tally


def open_cells(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.status in (Status.MISSING, Status.OVERDUE)]


def sort_cells(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: (c.item, material_key(c.material), c.year or 0, c.unit or ""))


def file_date_key(f: EvidenceFile):
    # The commit time when there is one (git), else the file's modification time.
    if f.committed is not None:
        return f.committed.timestamp()
    return f.mtime_ns / 1e9
